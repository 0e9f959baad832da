"""The pane that shows one step of the trace: every grid the operator involves, the cells this step
reads and writes highlighted, the output so far, and the step's line of arithmetic.

Nothing here computes a number: the grids, the highlighted cells, the partial output and the text
all come from the engine's :class:`~tui_upsample.engine.steps.Trace`. The grids are laid out in
rows that fit the pane's width, in the trace's order; where there is room, the matrix face of a
transposed convolution shows W1 (the engine's lazy W2ᵀ) beside W2, the row of one lit where the
column of the other is, as the seed post sets them side by side.

The layout stays still while stepping: the arithmetic lines keep the height of the longest step
seen in the trace (a sample of its steps, read when it arrives), so a step whose line wraps does
not push every grid down. A caption too long for its grid's border is written under the grid,
wrapped, never cut. The pane takes the focus and scrolls its grids by keyboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Static

from tui_upsample.engine.pixel_shuffle import OTHER_ORDER
from tui_upsample.engine.steps import (
    IM2COL,
    INPUT,
    MATRIX,
    OTHER_READ,
    OUTPUT,
    SCALED_KERNEL,
    Step,
    Trace,
)
from tui_upsample.language import _
from tui_upsample.number_format import cell_width, format_number
from tui_upsample.widgets.blocks.block_captions import block_frame
from tui_upsample.widgets.blocks.grid_view import HIDDEN, BlockFrame, GridView, measure_width
from tui_upsample.widgets.blocks.role_legend import RoleLegend, SourceLegend
from tui_upsample.widgets.blocks.role_styles import highlights
from tui_upsample.widgets.blocks.scroll_keys import SCROLL_BINDINGS, ScrollKeys

if TYPE_CHECKING:
    from tui_upsample.quiz import Masking

MOSTLY_ZEROS = frozenset({MATRIX, IM2COL})
"""Grids whose zeros are drawn faintly so the kernel's entries stand out (the direct face's
padded input marks its zeros itself: inserted, or padding)."""

CARD_MAX_HEIGHT = 18
"""Lines a grid may take before it scrolls (more on a tall terminal: half its height)."""

W1 = "w1"
"""The step view's own name for W1 = W2ᵀ, drawn beside the trace's W2 (not a grid of the
trace: the engine's W2 transposed, lazily, as the seed's W1)."""

SAMPLED_STEPS = 24
"""Steps read when a trace arrives to reserve the height of its longest arithmetic line."""

ARITHMETIC_LINES = 6
"""The most lines the arithmetic may take (a longer line scrolls with the pane, not cut)."""

FOLLOW_TRIES = 10
"""Refreshes the step view waits for grids just built to be placed before it scrolls the
written cell into view (one to three in practice)."""


def transposed_marks(
    marks: dict[str, Iterable[tuple[int, ...]]],
) -> dict[str, Iterable[tuple[int, ...]]]:
    """W2's highlights as W1's: column k of W2 is row k of W1 (W1 = W2ᵀ)."""
    return {style: [(c, r) for r, c in cells] for style, cells in marks.items()}


def wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped at ``width`` (at least 1)."""
    if width <= 0 or not text:
        return 1
    lines = 0
    for line in text.split("\n"):
        words = line.split(" ")
        used, count = 0, 1
        for word in words:
            size = len(word)
            if used and used + 1 + size > width:
                count += 1
                used = 0
            used = (used + 1 + size) if used else size
            while used > width:  # a word longer than the line is folded
                count += 1
                used -= width
        lines += count
    return lines


def masked_highlights(
    trace: Trace, step: Step, name: str, masking: Masking | None = None
) -> dict[str, Iterable[tuple[int, ...]]]:
    """The step's highlights of grid ``name``; while a quiz question is asked, without what
    would give the answer away, with the asked cells drawn as ``?`` and the learner's pick."""
    if masking is None:
        return highlights(trace, step, name)
    marks = dict(highlights(trace, step, name, masking.unmarked))
    if name in masking.hidden:
        marks[HIDDEN] = list(masking.hidden[name])
    if masking.pick is not None and masking.pick_grid == name:
        marks["cursor"] = [masking.pick]
    return marks


def grid_values(trace: Trace, step: Step, name: str, masking: Masking | None = None) -> Any:
    """The numbers grid ``name`` shows at ``step`` (the output so far, for the output; while a
    quiz question is asked, the output as it was before the step)."""
    if name == OUTPUT and masking is not None and masking.before is not None:
        return masking.before
    return trace.values_at(name, step)


def _text_form(trace: Trace) -> tuple[Any, ...]:
    """What a trace's step texts are made of besides its numbers: the operator, the method,
    the parameters and the grids' shapes (equal before and after an edit of a number)."""
    params = tuple(sorted((k, repr(v)) for k, v in trace.params.items()))
    shapes = tuple((g.name, tuple(g.values.shape)) for g in trace.grids)
    return (trace.op, trace.method, params, shapes, len(trace))


def _detail(step: Step) -> str:
    """The weights line under the arithmetic (bilinear's four sources), or ""."""
    if not step.weights:
        return ""
    return "weights: " + ", ".join(
        f"x[{','.join(map(str, c))}]·{format_number(w)}"
        for c, w in zip(step.input_cells, step.weights, strict=False)
    )


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


def _set_text(widget: Static, text: str, grow_only: bool = False) -> None:
    """Show ``text`` in ``widget``, laying the screen out again only if its height changes
    (a layout pass redraws the whole screen: too slow to do on every step).

    ``grow_only``: the widget keeps the tallest height it has had (its ``min_height``), so a
    shorter text changes nothing else on screen. A layout moves what is below the widget and
    resizes the scrollbars around it, which Textual paints in a second frame ~30 ms later;
    the step's arithmetic, one or two lines long from step to step, would do so on every
    other step.
    """
    if getattr(widget, "_shown_text", None) == text:
        return
    widget._shown_text = text  # type: ignore[attr-defined]
    width = widget.content_region.width
    if width <= 0:
        widget.update(text)
        return
    widget.update(text, layout=False)
    lines = widget.get_content_height(widget.content_region.size, widget.app.size, width)
    shown = getattr(widget, "_shown_lines", None)
    if shown is None:  # not measured yet: the last layout gave it the height of its text then
        shown = widget.content_region.height or None
    if grow_only and shown is not None and 0 <= lines <= shown:
        return
    if lines != shown:
        widget._shown_lines = lines  # type: ignore[attr-defined]
        if grow_only:
            widget.styles.min_height = lines
        widget.refresh(layout=True)


class StepView(ScrollKeys, Vertical):
    """Step k of n: the grids, the highlighted cells, and the arithmetic of the step."""

    BINDINGS: ClassVar[list[BindingType]] = SCROLL_BINDINGS

    DEFAULT_CSS = """
    StepView {
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & > #stale { height: auto; color: $text-warning; text-style: bold; display: none; }
        & > #counter { height: 1; text-style: bold; color: $text-accent; }
        & > RoleLegend { height: 1; }
        & > SourceLegend { height: 1; }
        & > #arithmetic { height: auto; color: $text; }
        & > #detail { height: auto; color: $text-muted; }
        & > #grids { height: 1fr; }
        & .grid-row { height: auto; width: auto; }
        & .grid-row GridView {
            border: round $panel-lighten-2;
            border-title-color: $text;
            border-subtitle-color: $text-muted;
            margin-right: 1;
        }
        & .grid-row GridView.-output { border: round $warning 70%; }
        & .grid-row > .captioned { height: auto; margin-right: 1; }
        & .captioned > GridView { margin-right: 0; }
        & .captioned > .caption { height: auto; color: $text-muted; padding: 0 1; }
        & .captioned > .caption.-beside { padding: 0; }
        & Horizontal.captioned { width: auto; }
    }
    """

    # var, not reactive: a change redraws only the grids and lines it touches (their own
    # refresh), not the whole pane.
    trace: var[Trace | None] = var(None, always_update=True)
    """The trace on screen (bound to the app's)."""
    step: var[int] = var(0)
    """The index of the step on screen (bound to the app's)."""
    stale: var[str] = var("")
    """While the scene is invalid, what is shown instead, in words (bound to the app's)."""
    masking: var[Masking | None] = var(None, always_update=True)
    """While a quiz question is asked: what the step view hides (bound to the app's)."""

    can_focus = True

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._layout_key: tuple[Any, ...] | None = None
        self._available: int | None = None
        """Columns the grid rows may use; None until the pane is first laid out."""
        self._views: dict[str, GridView] = {}
        self._widths: dict[str, int] = {}
        self._widths_of: Trace | None = None
        self._reserved: dict[str, int] = {}
        """Lines the arithmetic (and the weights line) keep for this trace at this width."""
        self._reserved_for: tuple[Trace, int] | None = None
        """The trace and width the heights were kept for (the trace itself, not its id: a
        new trace may be given a freed trace's id)."""
        self._reserved_form: tuple[Any, ...] | None = None
        """What the kept heights were sampled for: the width and the trace's form (operator,
        method, parameters, grid shapes, step count), the same after an edit of a number."""
        self._follow_tries = 0
        """Refreshes waited so far for the output grid to be placed (see FOLLOW_TRIES)."""
        self._tints: dict[str, np.ndarray | None] = {}
        """Each grid's source channel per cell (pixel shuffle), drawn as tints."""
        self._frames: dict[str, BlockFrame | None] = {}
        """Each matrix grid's channel blocks (W1's too), drawn with captions and separators."""

    def compose(self) -> ComposeResult:
        yield Static("", id="stale")
        yield Static("", id="counter")
        yield RoleLegend(id="legend")
        yield SourceLegend(id="sources")
        yield Static("", id="arithmetic")
        yield Static("", id="detail")
        yield VerticalScroll(id="grids", can_focus=False)

    def on_mount(self) -> None:
        self.query_one("#grids").can_focus = False
        self._show_roles(self.trace)
        self._show_sources(self.trace)
        self._frame_blocks(self.trace)
        self.watch_stale(self.stale)

    def _show_roles(self, trace: Trace | None) -> None:
        """Name the trace's roles in the legend: the other order's read cell by that order."""
        legend = self.query_one(RoleLegend)
        legend.roles = trace.roles if trace is not None else ()
        other = getattr(trace, "other_order", None)
        legend.names = {OTHER_READ: _("read by {order}").format(order=other)} if other else {}

    def _show_sources(self, trace: Trace | None) -> None:
        """Name the source channels in their tints, for a trace that moves values between
        channels (pixel shuffle); hide the line otherwise."""
        sources = trace.source_channels(INPUT) if trace is not None else None
        legend = self.query_one(SourceLegend)
        legend.channels = int(sources.max()) + 1 if sources is not None and sources.size else 0
        self._tints = (
            {g.name: trace.source_channels(g.name) for g in trace.grids}
            if trace is not None and sources is not None
            else {}
        )

    def _frame_blocks(self, trace: Trace | None) -> None:
        """The channel blocks of the trace's matrices, worded once per trace (W1's are W2's
        transposed, as W1 is)."""
        self._frames = {}
        for grid in trace.grids if trace is not None else ():
            self._frames[grid.name] = block_frame(grid.blocks)
            if grid.name == MATRIX and grid.blocks is not None:
                self._frames[W1] = block_frame(grid.blocks.T)

    def reword(self) -> None:
        """Word the legends and the block captions again, in the language now in use."""
        if not self.is_mounted:
            return
        self._show_roles(self.trace)
        self._frame_blocks(self.trace)
        self.query_one(RoleLegend).refresh()
        self.query_one(SourceLegend).refresh()
        self._layout_key = None  # the grids are laid out again with the new captions
        self._draw()

    def scroll_targets(self) -> list[Widget]:
        return list(self.query("#grids"))

    def watch_trace(self, trace: Trace | None) -> None:
        if self.is_mounted:
            self._show_roles(trace)
            self._show_sources(trace)
        self._frame_blocks(trace)
        self._widths = {}
        self._widths_of = trace
        self._draw()

    def watch_step(self, step: int) -> None:
        self._draw()

    def watch_masking(self, masking: Masking | None) -> None:
        self._draw()

    def watch_stale(self, stale: str) -> None:
        if not self.is_mounted:
            return
        line = self.query_one("#stale", Static)
        line.update(stale)
        line.display = bool(stale)
        self._draw()  # the title says "last valid" while it shows

    def on_resize(self) -> None:
        self._draw()  # the rows are packed again only if the width changes what fits

    @property
    def current(self) -> Step | None:
        """The step on screen."""
        if self.trace is None or len(self.trace) == 0:
            return None
        return self.trace[min(max(self.step, 0), len(self.trace) - 1)]

    def _draw(self) -> None:
        if not self.is_mounted or self.trace is None:
            return
        trace = self.trace
        n = len(trace)
        step = self.current
        method = f" · {trace.method}" if trace.method else ""
        title = f"{trace.op}{method}" + ("  (last valid)" if self.stale else "")
        if self.border_title != title:  # setting a title repaints the whole pane
            self.border_title = title
        if step is None:
            self.query_one("#counter", Static).update("no steps")
            return
        masking = self.masking
        if masking is not None and masking.step != step.index and not masking.shapes:
            masking = None  # a question about another step: this one is shown whole
        shapes = masking is not None and masking.shapes
        for part in ("#counter", "#arithmetic", "#grids"):
            widget = self.query_one(part)
            if widget.display == shapes:
                widget.display = not shapes  # the shape round: the sizes are the answer
        _set_text(self.query_one("#counter", Static), f"step {step.index + 1} / {n}")
        asked = masking is not None and not shapes
        text = "? (hidden until you answer in the quiz below)" if asked else step.text
        detail = "" if masking else _detail(step)
        self._reserve(trace, step.text, _detail(step))
        # Both keep the reserved height: a shorter line lays nothing out again.
        _set_text(self.query_one("#arithmetic", Static), text, grow_only=True)
        detail_widget = self.query_one("#detail", Static)
        _set_text(detail_widget, detail, grow_only=True)
        if detail_widget.display != bool(detail):
            detail_widget.display = bool(detail)

        width = self.query_one("#grids", VerticalScroll).size.width
        if width:  # hidden (another view is shown), the pane keeps the width it last had
            self._available = max(width, 20) - 1
        available = self._available
        if available is None:
            return  # not laid out yet: the grids are packed into rows once the width is known
        widths = {g.name: self._width(trace, step, g.name) for g in trace.grids}
        key = (available,) + tuple(
            (g.name, tuple(g.values.shape), widths[g.name], g.title) for g in trace.grids
        )
        if key != self._layout_key:
            self._layout_key = key
            self._rebuild(trace, widths, available)
        for grid in trace.grids:
            view = self._views[grid.name]
            marks = masked_highlights(trace, step, grid.name, masking)
            view.show(
                grid_values(trace, step, grid.name, masking),
                marks,
                width=widths[grid.name],
                tints=self._tints.get(grid.name),
                blocks=self._frames.get(grid.name),
            )
            if grid.name == MATRIX and W1 in self._views:
                self._views[W1].show(
                    grid.values.T,
                    transposed_marks(marks),
                    width=widths[grid.name],
                    blocks=self._frames.get(W1),
                )
        if masking is not None and not masking.shapes:
            # the grid the question is about, in sight (below the quiz on a small terminal)
            asked_view = self._views.get(masking.pick_grid or OUTPUT)
            if asked_view is not None:
                self.call_after_refresh(asked_view.scroll_visible, animate=False)
        else:
            self._follow_tries = 0
            self.call_after_refresh(self._follow_output)

    def _follow_output(self) -> None:
        """Scroll the grids (only if they do not all fit) so that the output cell this step
        writes is in view: on a short terminal the output is the grid furthest down."""
        view = self._views.get(OUTPUT)
        grids = self.query_one("#grids", VerticalScroll)
        if view is None:
            return
        if not view.is_mounted or not view.region:
            # Grids just built are mounted and placed in a refresh or two to come: follow once
            # they are, or a scene drawn anew keeps its written cell below the fold.
            if self._follow_tries < FOLLOW_TRIES:
                self._follow_tries += 1
                self.call_after_refresh(self._follow_output)
            return
        self._follow_tries = 0
        if grids.max_scroll_y <= 0:
            return
        written = sorted(view.highlighted("written"))
        if not written:
            return
        first, last = view.cell_region(written[0]), view.cell_region(written[-1])
        top = view.content_region.y + first.y - view.scroll_offset.y
        bottom = view.content_region.y + last.y - view.scroll_offset.y + 1  # its bottom border
        shown = grids.content_region
        if bottom >= shown.bottom:
            grids.scroll_to(y=grids.scroll_y + bottom - shown.bottom + 1, animate=False)
        elif top < shown.y:
            grids.scroll_to(y=max(grids.scroll_y - (shown.y - top), 0), animate=False)

    def _reserve(self, trace: Trace, text: str, detail: str) -> None:
        """Keep the arithmetic and weights lines as tall as the longest seen in ``trace`` at
        this width (read from a sample of its steps when it arrives), so stepping does not move
        the grids below."""
        arithmetic = self.query_one("#arithmetic", Static)
        width = arithmetic.content_region.width or self._text_width()
        if width <= 0:
            return
        if not self._kept_for(trace, width):
            self._reserved_for = (trace, width)
            form = (width, *_text_form(trace))
            if form == self._reserved_form and self._reserved:
                # An edit of a number: the same steps with other numbers. The heights kept
                # still hold for most; the new trace's sample tops them up once the edit is on
                # screen (reading it is ~24 steps of engine work the edit need not wait for).
                self.call_after_refresh(self._top_up, trace, width)
            else:
                self._reserved_form = form
                self._reserved = {"arithmetic": 0, "detail": 0}
                self._top_up(trace, width, lay_out=False)
        self._keep_reserved(
            {"arithmetic": wrapped_lines(text, width), "detail": wrapped_lines(detail, width)}
        )

    def _top_up(self, trace: Trace, width: int, lay_out: bool = True) -> None:
        """Grow the kept heights to the tallest lines of a sample of ``trace``'s steps."""
        if lay_out and (trace is not self.trace or not self._kept_for(trace, width)):
            return  # another trace or width since: it has its own sample
        n = len(trace)
        picks = sorted(
            {round(i * (n - 1) / max(SAMPLED_STEPS - 1, 1)) for i in range(min(n, SAMPLED_STEPS))}
        )
        sample = [trace[k] for k in picks]
        self._keep_reserved(
            {
                "arithmetic": max(wrapped_lines(st.text, width) for st in sample),
                "detail": max(wrapped_lines(_detail(st), width) for st in sample),
            }
        )

    def _kept_for(self, trace: Trace, width: int) -> bool:
        kept = self._reserved_for
        return kept is not None and kept[0] is trace and kept[1] == width

    def _keep_reserved(self, lines: dict[str, int]) -> None:
        """The kept heights, grown to ``lines`` where taller, set as the lines' min-height."""
        reserved = self._reserved
        for name, count in lines.items():
            reserved[name] = max(reserved.get(name, 0), count)
            height = min(reserved[name], ARITHMETIC_LINES)
            widget = self.query_one(f"#{name}", Static)
            if widget.styles.min_height != height:
                widget.styles.min_height = height

    def _text_width(self) -> int:
        """The width of the text lines before the first layout: the pane's, less its frame."""
        return max(self.size.width - 4, 0)

    def _width(self, trace: Trace, step: Step, name: str) -> int:
        if name in (OUTPUT, SCALED_KERNEL):
            # Grids whose numbers change from step to step: their width only grows within a
            # trace, so stepping back and forth does not rebuild the layout.
            values = step.scaled_kernel if name == SCALED_KERNEL else step.partial
            if values is None:
                values = trace.grid(name).values  # type: ignore[union-attr]
            if name not in self._widths and name == OUTPUT:
                self._widths[name] = cell_width(trace.result)
            width = max(self._widths.get(name, 1), cell_width(values))
            self._widths[name] = width
            return width
        if name not in self._widths:
            grid = trace.grid(name)
            assert grid is not None
            if name == MATRIX and trace.kernel is not None:
                # W1/W2 hold the kernel's entries and zeros: a corner of it may miss the widest.
                self._widths[name] = cell_width(np.append(np.ravel(trace.kernel), 0.0))
            else:
                self._widths[name] = measure_width(grid.values)
        return self._widths[name]

    def _rebuild(self, trace: Trace, widths: dict[str, int], available: int) -> None:
        """Lay the grids out in rows that fit ``available`` columns, in the trace's order (W1
        just before W2 when the two fit side by side)."""
        area = self.query_one("#grids", VerticalScroll)
        area.remove_children()
        rows: list[list[Widget]] = [[]]
        used = 0
        self._views = {}
        lines = max(CARD_MAX_HEIGHT, self.app.size.height // 2 - 2)
        cards: list[tuple[str, Widget, int]] = []
        for grid in trace.grids:
            size = _shape_text(tuple(grid.values.shape))
            title = grid.title if size in grid.title else f"{grid.title}  {size}"
            pair = grid.name == MATRIX and trace.op == "conv_transpose2d"
            card, width = self._card(
                grid.name,
                grid.values,
                title,
                grid.note,
                widths[grid.name],
                available,
                lines,
                bare_title=grid.title,
                beside=not pair,  # W1 may want the room beside W2
            )
            if pair:
                w1 = self._w1_card(grid.values, widths[grid.name], available, lines, width)
                if w1 is not None:
                    cards.append(w1)
                else:  # no room for W1: W2's caption may stand beside it after all
                    card, width = self._card(
                        grid.name,
                        grid.values,
                        title,
                        grid.note,
                        widths[grid.name],
                        available,
                        lines,
                        bare_title=grid.title,
                    )
            cards.append((grid.name, card, width))
        paired = [False] * len(cards)
        for index, (name, _card, width) in enumerate(cards[:-1]):
            if name == W1 or (name == OUTPUT and cards[index + 1][0] == OTHER_ORDER):
                paired[index] = name == W1 or width + 1 + cards[index + 1][2] <= available
        for index, (_name, card, width) in enumerate(cards):
            needed = width
            if paired[index]:  # W1 beside W2, both shuffle orders side by side: a new row
                needed += 1 + cards[index + 1][2]  # for the pair if need be
            after_w1 = index > 0 and paired[index - 1]
            if rows[-1] and used + needed + 1 > available and not after_w1:
                rows.append([])
                used = 0
            rows[-1].append(card)
            used += width + 1
        area.mount_all(Horizontal(*row, classes="grid-row") for row in rows if row)
        self.call_after_refresh(self.refresh_hint)

    def _w1_card(
        self, w2: Any, cell: int, available: int, lines: int, w2_width: int
    ) -> tuple[str, Widget, int] | None:
        """W1 = W2ᵀ as a card to stand beside W2, if the two fit in a row (else None)."""
        transposed = getattr(w2, "T", None)
        if transposed is None:
            return None
        rows, cols = transposed.shape
        title = f"W1 = W2ᵀ ({rows}×{cols})"
        note = "row: output cell; column: input cell"
        card, width = self._card(W1, transposed, title, note, cell, available, lines, beside=False)
        if width + 1 + w2_width > available:
            self._views.pop(W1, None)
            return None
        return (W1, card, width)

    def _card(
        self,
        name: str,
        values: Any,
        title: str,
        note: str,
        cell: int,
        available: int,
        lines: int,
        bare_title: str = "",
        beside: bool = True,
    ) -> tuple[Widget, int]:
        """A bordered grid for grid ``name`` (its caption under it if the border is too short
        for it), and the columns it takes."""
        view = GridView(dim_zeros=name in MOSTLY_ZEROS or name == W1, id=f"grid-{name}")
        view.show(values, width=cell, follow=False, blocks=self._frames.get(name))
        if bare_title and len(title) + 6 > available:
            title = bare_title  # the size is in the row and column numbers; never cut a title
        view.border_title = title
        if name == OUTPUT:
            view.add_class("-output")
        scrollbar = 1 if view.content_height > lines else 0
        width = max(view.content_width + 2 + scrollbar, len(title) + 6)
        width = min(width, available)
        view.styles.width = width
        view.styles.max_height = lines + 3
        view.styles.height = (
            min(view.content_height, lines) + 2 + (1 if view.content_width + 2 > available else 0)
        )
        self._views[name] = view
        if len(note) + 6 <= width:
            view.border_subtitle = note
            return view, width
        # Too long for the border: beside the grid if it fits in the grid's height there (a
        # line of grids is as tall as its tallest; the title may leave out the size the row
        # and column numbers show, to make room), else under it, wrapped; whole either way.
        height = int(view.styles.height.value) if view.styles.height else 0
        for shown in dict.fromkeys((title, bare_title or title)) if beside else ():
            narrow = min(max(view.content_width + 2 + scrollbar, len(shown) + 6), available)
            beside = available - narrow - 1
            if beside >= 10 and wrapped_lines(note, beside) <= height:
                view.border_title = shown
                view.styles.width = narrow
                caption = Static(note, classes="caption -beside")
                caption.styles.width = beside
                return Horizontal(view, caption, classes="captioned"), available
        box = Vertical(view, Static(note, classes="caption"), classes="captioned")
        box.styles.width = width
        return box, width
