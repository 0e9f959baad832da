"""The pane that shows one step of the trace: every grid the operator involves, the cells this step
reads and writes highlighted, the output so far, and the step's line of arithmetic.

Nothing here computes a number: the grids, the highlighted cells, the partial output and the text
all come from the engine's :class:`~tui_upsample.engine.steps.Trace`. The grids are laid out in
rows that fit the pane's width, in the trace's order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.widgets import Static

from tui_upsample.engine.steps import (
    IM2COL,
    MATRIX,
    OUTPUT,
    SCALED_KERNEL,
    Step,
    Trace,
)
from tui_upsample.number_format import cell_width, format_number
from tui_upsample.quiz import Masking
from tui_upsample.widgets.blocks.grid_view import HIDDEN, GridView, measure_width
from tui_upsample.widgets.blocks.role_legend import RoleLegend
from tui_upsample.widgets.blocks.role_styles import highlights

MOSTLY_ZEROS = frozenset({MATRIX, IM2COL})
"""Grids whose zeros are drawn faintly so the kernel's entries stand out (the direct face's
padded input marks its zeros itself: inserted, or padding)."""

CARD_MAX_HEIGHT = 18
"""Lines a grid may take before it scrolls."""


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


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


def _set_text(widget: Static, text: str) -> None:
    """Show ``text`` in ``widget``, laying the screen out again only if its height changes
    (a layout pass redraws the whole screen: too slow to do on every step)."""
    if getattr(widget, "_shown_text", None) == text:
        return
    widget._shown_text = text  # type: ignore[attr-defined]
    width = widget.content_region.width
    if width <= 0:
        widget.update(text)
        return
    widget.update(text, layout=False)
    lines = widget.get_content_height(widget.content_region.size, widget.app.size, width)
    if lines != getattr(widget, "_shown_lines", None):
        widget._shown_lines = lines  # type: ignore[attr-defined]
        widget.refresh(layout=True)


class StepView(Vertical):
    """Step k of n: the grids, the highlighted cells, and the arithmetic of the step."""

    DEFAULT_CSS = """
    StepView {
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & > #stale { height: auto; color: $text-warning; text-style: bold; display: none; }
        & > #counter { height: 1; text-style: bold; color: $text-accent; }
        & > RoleLegend { height: 1; }
        & > #arithmetic { height: auto; max-height: 4; color: $text; }
        & > #detail { height: auto; color: $text-muted; }
        & > #grids { height: 1fr; }
        & .grid-row { height: auto; width: auto; }
        & .grid-row > GridView {
            border: round $panel-lighten-2;
            border-title-color: $text;
            border-subtitle-color: $text-muted;
            margin-right: 1;
            max-height: 20;  /* CARD_MAX_HEIGHT + 2 borders */
        }
        & .grid-row > GridView.-output { border: round $warning 70%; }
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

    def compose(self) -> ComposeResult:
        yield Static("", id="stale")
        yield Static("", id="counter")
        yield RoleLegend(id="legend")
        yield Static("", id="arithmetic")
        yield Static("", id="detail")
        yield VerticalScroll(id="grids", can_focus=False)

    def on_mount(self) -> None:
        self.query_one("#grids").can_focus = False
        self.query_one(RoleLegend).roles = self.trace.roles if self.trace is not None else ()
        self.watch_stale(self.stale)

    def watch_trace(self, trace: Trace | None) -> None:
        if self.is_mounted:
            self.query_one(RoleLegend).roles = trace.roles if trace is not None else ()
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
        _set_text(self.query_one("#arithmetic", Static), text)
        detail = ""
        if step.weights and not masking:
            detail = "weights: " + ", ".join(
                f"x[{','.join(map(str, c))}]·{format_number(w)}"
                for c, w in zip(step.input_cells, step.weights, strict=False)
            )
        detail_widget = self.query_one("#detail", Static)
        _set_text(detail_widget, detail)
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
            view.show(
                grid_values(trace, step, grid.name, masking),
                masked_highlights(trace, step, grid.name, masking),
                width=widths[grid.name],
            )
        if masking is not None and not masking.shapes:
            # the grid the question is about, in sight (below the quiz on a small terminal)
            asked = self._views.get(masking.pick_grid or OUTPUT)
            if asked is not None:
                self.call_after_refresh(asked.scroll_visible, animate=False)

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
        """Lay the grids out in rows that fit ``available`` columns, in the trace's order."""
        area = self.query_one("#grids", VerticalScroll)
        area.remove_children()
        rows: list[list[GridView]] = [[]]
        used = 0
        self._views = {}
        for grid in trace.grids:
            shape = tuple(grid.values.shape)
            view = GridView(dim_zeros=grid.name in MOSTLY_ZEROS, id=f"grid-{grid.name}")
            view.show(grid.values, width=widths[grid.name], follow=False)
            size = _shape_text(shape)
            view.border_title = grid.title if size in grid.title else f"{grid.title}  {size}"
            view.border_subtitle = grid.note
            if grid.name == OUTPUT:
                view.add_class("-output")
            scrollbar = 1 if view.content_height > CARD_MAX_HEIGHT else 0
            width = max(view.content_width + 2 + scrollbar, len(view.border_title) + 6)
            width = min(width, available)
            view.styles.width = width
            view.styles.height = (
                min(view.content_height, CARD_MAX_HEIGHT)
                + 2
                + (1 if view.content_width + 2 > available else 0)
            )
            if rows[-1] and used + width + 1 > available:
                rows.append([])
                used = 0
            rows[-1].append(view)
            used += width + 1
            self._views[grid.name] = view
        area.mount_all(Horizontal(*row, classes="grid-row") for row in rows if row)
