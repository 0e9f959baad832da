"""One widget that draws every grid: input, kernel, im2col matrix, W2, padded input, output.

It is a :class:`~textual.scroll_view.ScrollView` using the Line API: ``render_line(y)`` builds only
the visible row, from only the visible columns (``values[r, c0:c1]``), so a 64×64 input or a
4096 × 16641 matrix costs what fits on screen. Row and column numbers stay in place while the cells
scroll, and :meth:`GridView.show` scrolls to keep the highlighted cells in view.

Highlights come as ``{style: cells}``: a cell ``(r, c)``, a whole row ``(r, -1)``, a whole column
``(-1, c)``, or ``(channel, r, c)`` in a 3-D grid (the planes are drawn one under the other, each
under a "channel k" line), or ``(a, b, r, c)`` in a 4-D kernel (its kH×kW slices one under the
other, each under a "slice [a,b]" line, in the order of PyTorch's weight layout). Cells given as
``"hidden"`` are drawn as ``?``.

A matrix over several channels (im2col, the kernel as columns, W1 and W2) can be drawn in its
channel blocks (:class:`BlockFrame`): a caption line above each band of rows, naming each block
of the band, and a ``│`` before each block's first column. The cells keep their numbers; only
lines are added between the bands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.containers import ScrollableContainer
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_upsample.engine.steps import ROLES
from tui_upsample.number_format import cell_width, format_to_width
from tui_upsample.widgets.blocks.role_styles import LOOKS, SOURCE_LOOKS, css_rules, drawn

HIGHLIGHT_ORDER: tuple[str, ...] = ("cursor", *(LOOKS[role].style for role in ROLES))
"""Highlight styles from strongest to weakest: a cell in several shows the first."""

HIDDEN = "hidden"
"""Not a style: cells given under this name are drawn as ``?`` (a value the learner is asked to
predict), in whichever highlight style they also have."""

SAMPLE = 256
"""Rows and columns read to choose the cell width of a grid too big to read whole."""


@dataclass(frozen=True)
class BlockFrame:
    """Channel blocks drawn over a 2-D grid: bands of ``row_size`` rows, each cut into blocks
    of ``col_size`` columns. ``captions[(band, block)]`` names a block, its longest wording
    first: the caption line shows the longest that fits the block's width. Where the blocks
    of a band are too narrow for any caption (the kernel's columns, one wide), the line names
    the band instead, ``bands[band]`` (longest first), once at its start."""

    row_size: int
    col_size: int
    captions: Mapping[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    bands: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    def caption(self, band: int, block: int, room: int) -> str:
        """The longest caption of a block that fits in ``room`` characters ("" if none does)."""
        return next((c for c in self.captions.get((band, block), ()) if cell_len(c) <= room), "")


SEPARATOR = "│"
"""Drawn in the gap before the first column of every block but the first."""


@dataclass
class _Marks:
    """The highlighted cells of one style, split for O(1) look-up."""

    cells: set[tuple[int, ...]] = field(default_factory=set)
    rows: set[int] = field(default_factory=set)
    cols: set[int] = field(default_factory=set)

    def add(self, cell: tuple[int, ...]) -> None:
        if len(cell) == 2 and cell[1] == -1:
            self.rows.add(int(cell[0]))
        elif len(cell) == 2 and cell[0] == -1:
            self.cols.add(int(cell[1]))
        else:
            self.cells.add(tuple(int(i) for i in cell))

    def __contains__(self, cell: tuple[int, ...]) -> bool:
        return cell in self.cells or cell[-2] in self.rows or cell[-1] in self.cols

    def __bool__(self) -> bool:
        return bool(self.cells or self.rows or self.cols)


READ_WHOLE = 1_000_000
"""Arrays with at most this many cells are read whole to choose their cell width."""

DIFF_AT_MOST = 1 << 16
"""Arrays with at most this many cells are copied to repaint only the lines a step changes;
a larger one (a 1024×1024 output) repaints its visible lines instead of comparing a million
cells on every step."""


def measure_width(values: Any) -> int:
    """The cell width that fits the values of a grid (read whole, or a corner of a huge lazy one:
    the caller passes ``width_values`` when a corner may miss a wider number)."""
    if isinstance(values, np.ndarray) and values.size <= READ_WHOLE:
        return cell_width(values)
    if len(values.shape) == 4:
        sample = np.asarray(values[:, :, :SAMPLE, :SAMPLE])
    elif len(values.shape) == 3:
        sample = np.asarray(values[:, :SAMPLE, :SAMPLE])
    elif len(values.shape) == 1:
        sample = np.asarray(values[:SAMPLE])
    else:
        sample = np.asarray(values[:SAMPLE, :SAMPLE])
    return cell_width(sample)


def _shape3(values: Any) -> tuple[int, int, int]:
    """(planes, rows, columns): a 4-D kernel's slices are its planes, in reading order."""
    shape = tuple(values.shape)
    if len(shape) == 4:
        return (int(shape[0]) * int(shape[1]), int(shape[2]), int(shape[3]))
    if len(shape) == 3:
        return (int(shape[0]), int(shape[1]), int(shape[2]))
    if len(shape) == 1:
        return (1, 1, int(shape[0]))
    return (1, int(shape[0]), int(shape[1]))


def _same_numbers(old: Any, new: Any) -> bool:
    """Whether two lazy grids hold the same numbers, as far as the engine can tell without
    building them (W2 after an edit of the input: a new object, the same matrix)."""
    same_as = getattr(new, "same_as", None)
    return callable(same_as) and bool(same_as(old))


class GridView(ScrollView, inherit_bindings=False):
    """A grid of numbers with row/column numbers, highlighted cells, and nothing but the visible
    part ever read."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "grid-view--label",
        "grid-view--cell",
        "grid-view--zero",
        "grid-view--empty",
        "grid-view--cursor",
        "grid-view--block",
        *(f"grid-view--{look.style}" for look in LOOKS.values()),
        *(f"grid-view--{look.style}" for look in SOURCE_LOOKS),
    }
    """
    | Class | Drawn on |
    | :- | :- |
    | `grid-view--label` | row and column numbers, channel lines |
    | `grid-view--cell` | every cell |
    | `grid-view--zero` | zeros, in grids that are mostly zeros (W2, padded input) |
    | `grid-view--empty` | cells no step has written yet (·) |
    | `grid-view--cursor` | the cell being edited |
    | `grid-view--block` | the captions of channel blocks |
    | `grid-view--<style>` | the cells of one role of the step (``role_styles.LOOKS``): |
    | | `current` read, `argmax`, `written`, `filled` (with the maximum), `window`, |
    | | `padding` and `inserted` zeros |
    """

    DEFAULT_CSS = (
        """
    GridView {
        width: auto;
        height: auto;
        max-height: 100%;
        scrollbar-size: 1 1;
        & > .grid-view--label { color: $text-muted; text-style: dim; }
        & > .grid-view--cell { color: $text; }
        & > .grid-view--zero { color: $text-muted; }
        & > .grid-view--empty { color: $text-muted; }
        & > .grid-view--cursor { background: $primary; color: $text; text-style: bold reverse; }
        & > .grid-view--block { color: $text-muted; text-style: italic; }
"""
        + css_rules("grid-view--")
        + "    }\n"
    )

    def __init__(
        self,
        values: Any = None,
        *,
        dim_zeros: bool = False,
        focusable: bool = False,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.can_focus = focusable
        self.dim_zeros = dim_zeros
        """Draw zeros faintly (for grids that are mostly zeros)."""
        self._values: Any = np.zeros((0, 0)) if values is None else values
        self._marks: dict[str, _Marks] = {}
        self._shown: np.ndarray | None = None  # a copy of small values, to see what changed
        self._block_key: tuple[Any, int, int, int, int] | None = None
        self._block = np.zeros((0, 0))
        self._style_cache: dict[tuple[str, ...], Style] = {}
        self._cell_width = 1
        self._gutter = 1
        self._tints: np.ndarray | None = None
        self._frame: BlockFrame | None = None
        if values is not None:
            self.show(values, follow=False)

    # Public ------------------------------------------------------------------------------------
    @property
    def values(self) -> Any:
        """The grid on screen (an ndarray or any object with ``shape`` and 2-D slicing)."""
        return self._values

    @property
    def cell_width(self) -> int:
        """Characters per cell (the same for every cell of the grid)."""
        return self._cell_width

    @property
    def content_width(self) -> int:
        """Columns needed to show the whole grid (row numbers included)."""
        return self.virtual_size.width

    @property
    def content_height(self) -> int:
        """Lines needed to show the whole grid (column numbers included)."""
        return self.virtual_size.height

    def highlighted(self, style: str) -> set[tuple[int, ...]]:
        """The single cells highlighted in ``style`` (for tests)."""
        marks = self._marks.get(style)
        return set(marks.cells) if marks else set()

    def style_at(self, cell: tuple[int, ...]) -> str | None:
        """The highlight style cell ``cell`` is drawn in (the strongest that covers it: whole
        rows and columns included), or None for a plain cell."""
        cell = tuple(int(i) for i in cell)
        return next(
            (n for n in HIGHLIGHT_ORDER if n in self._marks and cell in self._marks[n]), None
        )

    def show(
        self,
        values: Any,
        highlights: Mapping[str, Iterable[tuple[int, ...]]] | None = None,
        *,
        width: int | None = None,
        width_values: Any = None,
        follow: bool = True,
        tints: np.ndarray | None = None,
        blocks: BlockFrame | None = None,
    ) -> None:
        """Draw ``values`` with ``highlights`` ({style: cells}); scroll to them if ``follow``.

        ``tints``: for each cell, the channel its value comes from (an int array of the grid's
        shape): a plain cell is drawn in that channel's tint (``role_styles.SOURCE_LOOKS``).
        ``blocks``: the channel blocks of a 2-D grid, drawn with captions and separators.

        The cell width is ``width`` if given, else the widest of ``width_values`` (default: the
        values themselves, or a corner of them if they are too big to read).
        """
        old_values, old_marks, old_shown = self._values, self._marks, self._shown
        old_tints, self._tints = self._tints, tints
        if old_tints is not tints and self.is_mounted:
            self.refresh()  # a new scene: every cell may change its tint
        old_layout = (
            tuple(old_values.shape),
            self._cell_width,
            self._gutter,
            self.virtual_size,
            self._frame,
        )
        self._values = values
        self._frame = blocks if blocks is not None and len(values.shape) == 2 else None
        self._marks = {}
        slices = int(values.shape[1]) if len(values.shape) == 4 else 0
        for style, cells in (highlights or {}).items():
            marks = _Marks()
            for cell in cells:
                if slices and len(cell) == 4:  # (a, b, r, c): slice a·B + b, drawn as a plane
                    cell = (cell[0] * slices + cell[1], cell[2], cell[3])
                marks.add(tuple(cell))
            if marks:
                self._marks[style] = marks
        channels, rows, cols = _shape3(values)
        if width is None:
            width = measure_width(values if width_values is None else width_values)
        self._cell_width = max(width, len(str(max(cols - 1, 0))))
        self._gutter = len(str(max(rows - 1, 0)))
        bands, _, labelled = self._bands()
        line_count = 1 + channels * rows + (bands if labelled else 0)
        width = self._gutter + cols * (self._cell_width + 1)
        if channels > 1:
            width = max(width, len(self._plane_label(channels - 1)))
        self.virtual_size = Size(width, line_count)
        small = isinstance(values, np.ndarray) and values.size <= DIFF_AT_MOST
        self._shown = np.array(values, dtype=np.float64) if small else None
        layout = (
            tuple(values.shape),
            self._cell_width,
            self._gutter,
            self.virtual_size,
            self._frame,
        )
        if self.is_mounted and layout == old_layout and self._out_of_view():
            # Nothing of it on screen (the output card below the fold): repainting it would make
            # Textual rebuild its map of every widget (~2 ms a step); it catches up when seen.
            self._behind = True
            return
        if self.is_mounted and layout == old_layout:
            # Same geometry: repaint only the lines whose numbers or highlights changed (a
            # step moves a highlight by a cell or two; repainting every line is most of its cost).
            self._refresh_changes(old_values, old_shown, old_marks)
            if follow and self.size.area:
                # Scrolled now, so the step and its scroll are painted in one frame (after the
                # refresh, the scroll was a second frame ~30 ms later).
                self.follow()
                return
        else:
            self.refresh()
        if follow and self.is_mounted:
            self.call_after_refresh(self.follow)  # once the new geometry is laid out

    def _refresh_changes(
        self, old_values: Any, old_shown: np.ndarray | None, old_marks: dict[str, _Marks]
    ) -> None:
        """Repaint the lines (or, for a column highlight, the columns) that differ from what
        was on screen: the old values and highlights against the new."""
        channels, rows, _ = _shape3(self._values)
        lines: set[int] = set()  # virtual lines below the column numbers
        if old_shown is not None and self._shown is not None:
            same = (old_shown == self._shown) | (np.isnan(old_shown) & np.isnan(self._shown))
            changed = ~same.reshape(channels, rows, -1).all(axis=-1)
            for channel, row in zip(*np.nonzero(changed), strict=True):
                lines.add(self._virtual_line(int(channel), int(row)))
        elif self._values is not old_values and not _same_numbers(old_values, self._values):
            self.refresh()
            return
        regions: list[Region] = []
        scroll_x, scroll_y = self.scroll_offset
        height = self.size.height
        slot = self._cell_width + 1
        empty = _Marks()
        for style in old_marks.keys() | self._marks.keys():
            before, after = old_marks.get(style, empty), self._marks.get(style, empty)
            for cell in before.cells ^ after.cells:
                channel, row = (cell[0], cell[1]) if len(cell) == 3 else (0, cell[0])
                lines.add(self._virtual_line(channel, row))
            for row in before.rows ^ after.rows:
                lines.update(self._virtual_line(c, row) for c in range(channels))
            for col in before.cols ^ after.cols:
                x = self._gutter + col * slot - scroll_x
                regions.append(Region(x, 1, slot, max(height - 1, 0)))
        for line in lines:
            y = line - scroll_y + 1
            if 1 <= y < height:
                regions.append(Region(0, y, self.size.width, 1))
        visible = self.size.region
        regions = [r.intersection(visible) for r in regions]
        regions = [r for r in regions if r.width > 0 and r.height > 0]
        if regions:
            self.refresh(*regions)

    def _plane_label(self, plane: int) -> str:
        """The line over plane ``plane``: "channel k", or a 4-D kernel's "slice [a,b]"."""
        shape = tuple(self._values.shape)
        if len(shape) == 4:
            a, b = divmod(plane, int(shape[1]))
            return f"slice [{a},{b}]"
        return f"channel {plane}"

    def _bands(self) -> tuple[int, int, bool]:
        """(bands, rows per band, whether each band has a line above it): a 3-D grid's
        planes, a 2-D grid's bands of channel blocks, or one band of every row."""
        channels, rows, _ = _shape3(self._values)
        if self._frame is not None:
            size = max(self._frame.row_size, 1)
            return (max(-(-rows // size), 1), size, True)
        return (channels, rows, channels > 1)

    def _virtual_line(self, channel: int, row: int) -> int:
        """The line (counted from the first below the column numbers) of ``row`` in ``channel``."""
        _, per, labelled = self._bands()
        if self._frame is not None:
            channel, row = divmod(row, per)
        return channel * (per + 1) + 1 + row if labelled else row

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self.follow)
        # Drawn again before it comes into view: when a pane around it scrolls or resizes
        # (Textual sets these before it paints the frame), and after any other layout.
        for pane in self.ancestors:
            if isinstance(pane, ScrollableContainer):
                self.watch(pane, "scroll_y", self._catch_up, init=False)
                self.watch(pane, "scroll_x", self._catch_up, init=False)
                self.watch(pane.vertical_scrollbar, "window_size", self._catch_up, init=False)
        self.screen.screen_layout_refresh_signal.subscribe(self, self._catch_up_if_in_view)

    _behind = False
    """Whether the grid changed while none of it was on screen (it has not been repainted)."""

    def _out_of_view(self) -> bool:
        """Whether none of the grid is on screen, as Textual's last layout placed it (read
        from the compositor's map of visible widgets, without building a new one)."""
        try:
            visible = self.screen._compositor.visible_widgets
        except Exception:  # noqa: BLE001 - no screen or no map yet: treat as in view
            return False
        return bool(visible) and self not in visible

    def _catch_up(self) -> None:
        if self._behind:
            self._behind = False
            self.refresh()
            self.call_after_refresh(self.follow)

    def _catch_up_if_in_view(self, _screen: object = None) -> None:
        if self._behind and not self._out_of_view():
            self._catch_up()

    def on_resize(self) -> None:
        # A view laid out after the step moved (or resized with the terminal) scrolls to it now.
        self.follow()

    def follow(self) -> None:
        """Scroll so that the strongest highlighted cells are visible."""
        for style in HIGHLIGHT_ORDER:
            marks = self._marks.get(style)
            if marks:
                self._scroll_to_marks(marks)
                return

    # Drawing -----------------------------------------------------------------------------------
    def _line_of(self, y: int) -> tuple[int, int] | int | None:
        """What virtual line ``y`` (after the header) shows: (channel, row), a channel number
        (its label line), or None past the end."""
        bands, per, labelled = self._bands()
        rows = _shape3(self._values)[1]
        if not labelled:
            return (0, y) if 0 <= y < rows else None
        block, within = divmod(y, per + 1)
        if block >= bands:
            return None
        if within == 0:
            return block
        if self._frame is not None:  # a band of a 2-D grid: rows keep their own numbers
            row = block * per + within - 1
            return (0, row) if row < rows else None
        return (block, within - 1)

    def _style(self, *names: str) -> Style:
        # Looked up for every cell of every frame: kept until the CSS or theme changes.
        style = self._style_cache.get(names)
        if style is None:
            style = self.get_component_rich_style(*names) if names else self.rich_style
            if names:
                style = drawn(style, names[-1].removeprefix("grid-view--"))
            self._style_cache[names] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._style()
        if width <= 0:
            return Strip.blank(0)
        scroll_x, scroll_y = self.scroll_offset
        gutter = self._gutter
        label = self._style("grid-view--label")
        slot = self._cell_width + 1
        _, _, cols = _shape3(self._values)
        area = max(width - gutter, 0)
        c0 = min(max(scroll_x // slot, 0), cols)
        c1 = min(cols, (scroll_x + area) // slot + 1)
        offset = scroll_x - c0 * slot  # where the visible cell area starts within column c0's slot

        frame = self._frame
        if y == 0:
            head = " " * gutter
            cells = "".join(
                f"{self._gap(c)}{str(c).rjust(self._cell_width)}" for c in range(c0, c1)
            )
            strip = Strip([Segment(cells, label)])
            strip = strip.crop_extend(offset, offset + area, base)
            return Strip([Segment(head, label), *strip]).simplify()

        what = self._line_of(scroll_y + y - 1)
        if what is None:
            return Strip.blank(width, base)
        if isinstance(what, int) and frame is not None:
            return self._caption_line(what, c0, c1, offset, area)
        if isinstance(what, int):
            text = self._plane_label(what)
            return Strip([Segment(text, label)]).crop_extend(0, width, base)

        channel, row = what
        segments = [Segment(str(row).rjust(gutter), label)]
        segments += self._row_segments(channel, row, c0, c1, offset, area)
        return Strip(segments, gutter + area)

    def _gap(self, col: int) -> str:
        """What stands before column ``col``: a space, or the separator of a new block."""
        frame = self._frame
        if frame is not None and col and frame.col_size and col % frame.col_size == 0:
            return SEPARATOR
        return " "

    def _caption_line(self, band: int, c0: int, c1: int, offset: int, area: int) -> Strip:
        """The line above a band of blocks: a rule across the grid, each block's caption at
        its start, clipped to the block (scrolled with the columns, as the numbers are)."""
        frame = self._frame
        assert frame is not None
        label = self._style("grid-view--label")
        caption_style = self._style("grid-view--block")
        slot = self._cell_width + 1
        cols = _shape3(self._values)[2]
        size = max(frame.col_size, 1)
        room = size * slot - 3  # a block's width less its separator and a rule each side
        each = all(
            frame.caption(band, block, room) for block in range(-(-cols // size))
        )  # else the band is named once
        first = c0 // size * size
        hidden = (c0 - first) * slot + offset  # characters of the first block scrolled off
        segments: list[Segment] = []
        for start in range(first, max(c1, first + 1), size):
            stop = min(start + size, cols)
            body = (stop - start) * slot - 1
            lead = ("┬" if band == 0 else "┼") if start else "─"
            # A block whose start is scrolled off keeps its caption in view, at the left.
            shift = max(hidden - 1, 0) if start == first else 0
            room = body - 2 - shift
            text = frame.caption(band, start // size, room) if each and room > 0 else ""
            segments.append(Segment(lead + "─" * (1 + shift), label))
            if text:
                segments.append(Segment(text, caption_style))
            segments.append(Segment("─" * max(body - 1 - shift - cell_len(text), 0), label))
        strip = Strip(segments).crop_extend(hidden, hidden + area, self._style())
        if not each:
            name = next((t for t in frame.bands.get(band, ()) if cell_len(t) + 2 <= area), "")
            if name:  # over the rule, where the band starts, as a plane's label stays put
                strip = Strip(
                    [
                        *strip.crop(0, 1),
                        Segment(name, caption_style),
                        *strip.crop(1 + cell_len(name), area),
                    ]
                )
        return Strip([Segment("─" * self._gutter, label), *strip]).simplify()

    def _marked_columns(self, channel: int, row: int, c0: int, c1: int) -> dict[int, str]:
        """The highlighted columns of one row among c0 … c1 − 1, each with its strongest mark."""
        is_3d = (
            len(self._values.shape) >= 3
        )  # (channel, row, col); a 4-D kernel's slices counted flat
        found: dict[int, str] = {}
        for name in reversed(HIGHLIGHT_ORDER):  # the strongest written last, so it wins
            mark = self._marks.get(name)
            if not mark:
                continue
            if row in mark.rows:
                found.update(dict.fromkeys(range(c0, c1), name))
                continue
            for col in mark.cols:
                if c0 <= col < c1:
                    found[col] = name
            for cell in mark.cells:
                if (cell[0] == channel and cell[1] == row) if is_3d else cell[0] == row:
                    if c0 <= cell[-1] < c1:
                        found[cell[-1]] = name
        return found

    def _row_segments(
        self, channel: int, row: int, c0: int, c1: int, offset: int, area: int
    ) -> list[Segment]:
        """Characters ``offset`` … ``offset + area`` of the row's cells from column c0 on (each
        a gap and a number, ``cell width + 1`` wide), padded with blanks: cut here, since every
        character is one cell wide, rather than by a general crop of the whole row."""
        base = self._style()
        if c1 <= c0:
            return [Segment(" " * area, base)] if area > 0 else []
        values = self._values
        if len(values.shape) == 4:
            a, b = divmod(channel, int(values.shape[1]))
            numbers = np.asarray(values[a, b, row, c0:c1], dtype=np.float64).ravel()
        elif len(values.shape) == 3:
            numbers = np.asarray(values[channel, row : row + 1, c0:c1], dtype=np.float64).ravel()
        elif len(values.shape) == 1:
            numbers = np.asarray(values[c0:c1], dtype=np.float64).ravel()
        elif not isinstance(values, np.ndarray):
            numbers = self._lazy_block(row, c0, c1)[row - self._block_key[1]]
        else:
            numbers = np.asarray(values[row : row + 1, c0:c1], dtype=np.float64).ravel()
        plain = self._style("grid-view--cell")
        zero = self._style("grid-view--cell", "grid-view--zero")
        empty = self._style("grid-view--cell", "grid-view--empty")
        marked = {
            col: self._style("grid-view--cell", f"grid-view--{name}")
            for col, name in self._marked_columns(channel, row, c0, c1).items()
        }
        dim_zeros = self.dim_zeros
        tinted: list[Style | None] = [None] * (c1 - c0)
        tints = self._tints
        if tints is not None and tints.shape == tuple(values.shape) and len(tints.shape) == 3:
            n = len(SOURCE_LOOKS)
            tinted = [
                self._style("grid-view--cell", f"grid-view--source-{int(k) % n}")
                for k in tints[channel, row, c0:c1]
            ]
        width = self._cell_width
        gap = Segment(" ", base)
        frame = self._frame
        separator = Segment(SEPARATOR, self._style("grid-view--label"))
        hidden = self._marks.get(HIDDEN)
        is_3d = len(values.shape) >= 3
        out: list[Segment] = []
        for col, value in zip(range(c0, c1), numbers.tolist(), strict=False):
            style = marked.get(col)
            if style is None:
                if value != value:  # NaN: not written yet
                    style = empty
                elif tinted[col - c0] is not None:
                    style = tinted[col - c0]
                elif dim_zeros and value == 0:
                    style = zero
                else:
                    style = plain
            out.append(separator if frame is not None and self._gap(col) != " " else gap)
            if hidden is not None and ((channel, row, col) if is_3d else (row, col)) in hidden:
                if style is plain:
                    style = empty
                out.append(Segment("?".rjust(width), style))
                continue
            out.append(Segment(format_to_width(value, width), style))
        # Cut the window out: all the characters are one cell wide.
        if offset:
            if offset == 1:
                out = out[1:]
            else:
                first = out[1]
                out = [Segment(first.text[offset - 1 :], first.style), *out[2:]]
        length = (c1 - c0) * (width + 1) - offset
        if length > area:
            cut = length - area
            while cut:
                last = out[-1]
                if len(last.text) <= cut:
                    out.pop()
                    cut -= len(last.text)
                else:
                    out[-1] = Segment(last.text[: len(last.text) - cut], last.style)
                    cut = 0
        elif length < area:
            out.append(Segment(" " * (area - length), base))
        return out

    def _lazy_block(self, row: int, c0: int, c1: int) -> np.ndarray:
        """The visible block of a lazy grid (W1/W2 are built block by block): read once for all
        the visible rows, kept while only the highlights change."""
        r0, r1 = self._block_key[1:3] if self._block_key else (0, 0)
        if self._block_key is None or (
            self._block_key[0] is not self._values
            or not r0 <= row < r1
            or self._block_key[3:] != (c0, c1)
        ):
            rows = self._shape_rows()
            r0 = max(min(row, self.scroll_offset.y), 0)
            r1 = min(max(r0 + self.size.height, row + 1), rows)
            block = np.asarray(self._values[r0:r1, c0:c1], dtype=np.float64).reshape(r1 - r0, -1)
            self._block_key = (self._values, r0, r1, c0, c1)
            self._block = block
        return self._block

    def _shape_rows(self) -> int:
        return _shape3(self._values)[1]

    # Pointing ----------------------------------------------------------------------------------
    class CellClicked(Message):
        """A cell of the grid was clicked: ``cell`` is (row, col), or (channel, row, col)."""

        def __init__(self, view: GridView, cell: tuple[int, ...]) -> None:
            super().__init__()
            self.view = view
            self.cell = cell

        @property
        def control(self) -> GridView:
            return self.view

    def cell_at(self, x: int, y: int) -> tuple[int, ...] | None:
        """The cell drawn at ``(x, y)`` of the content area (after scrolling), or None for the
        row and column numbers, channel lines and the space past the grid."""
        channels, _, cols = _shape3(self._values)
        if y < 1 or x < self._gutter:
            return None  # the column numbers' line and the row numbers stay put when scrolling
        scroll_x, scroll_y = self.scroll_offset
        what = self._line_of(scroll_y + y - 1)
        col = (scroll_x + x - self._gutter) // (self._cell_width + 1)
        if not isinstance(what, tuple) or not 0 <= col < cols:
            return None
        channel, row = what
        if len(self._values.shape) == 4:
            a, b = divmod(channel, int(self._values.shape[1]))
            return (a, b, row, col)
        return (channel, row, col) if channels > 1 else (row, col)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        cell = None if offset is None else self.cell_at(offset.x, offset.y)
        if cell is not None:
            self.post_message(self.CellClicked(self, cell))

    # Scrolling ---------------------------------------------------------------------------------
    def cell_region(self, cell: tuple[int, ...]) -> Region:
        """Where cell ``(r, c)`` (or ``(channel, r, c)``) is in the virtual canvas, headers
        included."""
        channels, rows, _ = _shape3(self._values)
        if len(cell) == 4:
            channel = cell[0] * int(self._values.shape[1]) + cell[1]
            row, col = cell[2], cell[3]
        elif len(cell) == 3:
            channel, row, col = cell
        else:
            channel, (row, col) = 0, cell
        y = 1 + self._virtual_line(channel, row)
        slot = self._cell_width + 1
        return Region(self._gutter + col * slot, y, slot, 1)

    def _scroll_to_marks(self, marks: _Marks) -> None:
        channels, rows, cols = _shape3(self._values)
        cells = marks.cells
        if len(cells) > 4:
            # A footprint of thousands of cells: its union is fixed by four of them, the first
            # and last in reading order (the top and bottom rows) and the leftmost and rightmost.
            def column(cell: tuple[int, ...]) -> int:
                return cell[-1]

            cells = {min(cells), max(cells), min(cells, key=column), max(cells, key=column)}
        regions = [self.cell_region(cell) for cell in cells]
        regions += [self.cell_region((r, 0)) for r in marks.rows if r < rows]
        regions += [self.cell_region((0, c)) for c in marks.cols if c < cols]
        if not regions:
            return
        target = Region.from_union(regions)
        x_axis = bool(marks.cells or marks.cols)
        y_axis = bool(marks.cells or marks.rows)
        # The cell area starts after the row numbers and below the column numbers.
        self.scroll_to_region(
            target,
            spacing=Spacing(1, 0, 0, self._gutter),
            animate=False,
            x_axis=x_axis,
            y_axis=y_axis,
            immediate=True,
        )
