"""One operator, three faces: a transposed convolution as a scatter, as r · W2 and as a direct
convolution of the zero-inserted input, side by side on the same step.

**What "the same step" means here.** The compare layout steps per output cell y[i, j], in
row-major order, as the matrix and direct faces do (r · column k of W2; the window of the
zero-inserted input). The scatter face naturally steps per *input* value, so it shows its partial
sum after the last input value whose kernel footprint reaches y[0, 0] … y[i, j]: from then on
those cells are final, and all three faces show the same numbers in them. The engine's
:class:`~tui_upsample.engine.faces.ThreeFacesTrace` decides all of this; the line above the
faces, also the engine's, confirms that the three full outputs are identical.

With channels (a (C_in, H, W) input, a (C_in, C_out/g, kH, kW) weight, groups) the step is an
output cell y[o, i, j] of each output channel in turn, and every face draws its grids plane by
plane, each plane under its "channel c" line, as the step view does: r and y per channel, the
scaled kernel per output channel, W2 with its channel blocks, the zero-inserted input per input
channel and the turned kernel, channel axes swapped, as its slices [o, c'].

In the matrix face, ``w`` turns W2 = W1ᵀ (r · W2 = y, the seed's transposed convolution) into
W1 (xᵀ · W1 = r′, the convolution it is the transpose of) and back.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tui_upsample.engine.faces import (
    FACES,
    ChannelThreeFacesTrace,
    FacesStep,
    ThreeFacesTrace,
    cell_name,
)
from tui_upsample.engine.steps import MATRIX, PADDED, ROTATED_KERNEL, SCALED_KERNEL, Trace
from tui_upsample.number_format import cell_width
from tui_upsample.widgets.blocks.block_captions import block_frame
from tui_upsample.widgets.blocks.grid_card import GridCard
from tui_upsample.widgets.blocks.grid_view import measure_width
from tui_upsample.widgets.blocks.role_legend import RoleLegend
from tui_upsample.widgets.blocks.role_styles import highlights
from tui_upsample.widgets.blocks.scroll_keys import SCROLL_BINDINGS, ScrollKeys
from tui_upsample.widgets.views.drawn_when_shown import DrawnWhenShown

WIDE = 130
"""From this many columns on, the three faces stand in columns; below, one under the other,
each face's grids in a row."""

FACE_TITLES = {
    "scatter": "scatter: each r[i,j]·w added at its footprint",
    "matrix": "matrix: y = r · W2",
    "direct": "direct: {padded}, w turned 180°",
}
"""Each face's title; the direct one says what was done to r (the engine's title of its padded
input: "padded" at stride 1, "zeros inserted, then padded" above)."""
W1_TITLE = "matrix: xᵀ · W1 = r′ (W1 = W2ᵀ)"
NARROW_TITLES = {
    "scatter": "scatter: r[i,j]·w at its footprint",
    "matrix": "matrix: y = r · W2",
    "direct": "direct: w turned 180°",
}
"""The faces' titles when they stand one under the other in a narrow view (whole, not cut)."""
NARROW_W1_TITLE = "matrix: xᵀ · W1 = r′"
CHANNEL_TITLES = {
    "scatter": ("scatter: each r[c,i,j]·w[c,o] added at its footprint", "scatter: r[c,i,j]·w[c,o]"),
    "direct": (
        "direct: {padded}, w turned 180°, channel axes swapped",
        "direct: w turned, channel axes swapped",
    ),
}
"""With channels, the scatter and direct faces' titles (long, short): the scatter adds each
slice w[c, o] of c's group; the direct kernel has its channel axes swapped."""


def _flat(cells: Any, shape: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """Cells (r, c), or (channel, r, c), of a grid of ``shape`` as cells (0, k) of its
    flattened row."""
    return tuple((0, int(np.ravel_multi_index(cell, shape))) for cell in cells)


def _sizes(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _rows(cards: list[GridCard], width: int) -> list[Horizontal]:
    """``cards`` in rows of at most ``width`` columns, in order (a card wider than a row has
    one of its own, and scrolls)."""
    rows: list[list[GridCard]] = [[]]
    used = 0
    for card in cards:
        size = card.styles.width.value if card.styles.width is not None else 10
        needed = int(size) + 1
        if rows[-1] and used + needed > width:
            rows.append([])
            used = 0
        rows[-1].append(card)
        used += needed
    return [Horizontal(*row, classes="card-row") for row in rows if row]


class CompareView(DrawnWhenShown, ScrollKeys, Vertical):
    """Scatter, matrix and direct side by side on the same output cell, and whether they agree."""

    BINDINGS: ClassVar[list[BindingType]] = SCROLL_BINDINGS

    """Whether the scene changed while the view was hidden (it is drawn again when shown)."""

    DEFAULT_CSS = """
    CompareView {
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & > #compare-counter { height: auto; text-style: bold; color: $text-accent; }
        & > #compare-agreement { height: auto; color: $text-success; text-style: bold; }
        & > #compare-agreement.-differ { color: $text-error; }
        & > #compare-text { height: auto; color: $text; }
        & > #compare-note { height: auto; color: $text-muted; }
        & > #faces { height: 1fr; }
        & .face {
            width: 1fr;
            height: 1fr;
            border-top: hkey $panel-lighten-2;
            border-title-color: $text-accent;
            border-title-style: bold;
            margin-right: 1;
        }
        & .face > .face-text { height: auto; color: $text-muted; }
        & .face > .face-grids { height: 1fr; }
        & .face-grids > GridCard { margin-right: 0; }
        &.-narrow > #faces { layout: vertical; height: auto; }
        &.-narrow .face { width: 1fr; height: auto; margin-right: 0; }
        &.-narrow .face > .face-grids { height: auto; }
        & .card-row { height: auto; width: 1fr; }
        & .card-row > GridCard { margin-right: 1; }
        &.-narrow { overflow-y: auto; }
    }
    """

    trace: reactive[Trace | None] = reactive(None, always_update=True)
    """The trace on screen (bound to the app's); a ThreeFacesTrace when the compare layout
    applies."""
    step: reactive[int] = reactive(0)
    """The output cell on screen, as the app's step (bound)."""
    matrix_face: reactive[str] = reactive("W2")
    """What the matrix face multiplies by: "W2" (r · W2 = y) or "W1" (xᵀ · W1 = r′)."""

    can_focus = True

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._cards: dict[str, dict[str, GridCard]] = {}
        self._built_for: tuple[Any, ...] | None = None
        self._packed_for: int | None = None
        """The row width the cards were packed for (None: one card per line)."""
        self._unscaled: Any = None  # the scatter face's kernel card before anything is scattered
        self._turned: Any = None  # the direct face's turned kernel
        self._w2: Any = None  # W2 as drawn (with channels: other groups' blocks absent)
        self._w1: Any = None  # W1 = W2ᵀ as drawn

    def compose(self) -> ComposeResult:
        yield Static("", id="compare-counter")
        yield Static("", id="compare-agreement")
        yield Static("", id="compare-text")
        yield Static("", id="compare-note")
        with Horizontal(id="faces"):
            for face in FACES:
                with Vertical(classes="face", id=f"face-{face}"):
                    if face == "direct":  # its own roles: the zeros, inserted or padding
                        yield RoleLegend(classes="face-legend")
                    yield Static("", classes="face-text")
                    yield VerticalScroll(classes="face-grids", can_focus=False)

    def on_mount(self) -> None:
        self.border_title = "compare: one operator, three faces"
        for scroll in self.query(".face-grids"):
            scroll.can_focus = False
        self._draw()
        # A view mounted while the screen is being laid out can get its size without a Resize
        # event: fit the faces to the width once it is on screen, too.
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self._fit()

    def on_show(self) -> None:
        self._fit()
        super().on_show()

    def _fit(self) -> None:
        if self.size.width:
            self.set_class(self.size.width < WIDE, "-narrow")
            if self._built_for is not None and self._packed_for != self._row_width():
                self._built_for = None  # the cards go into rows of another width
                self._draw()

    def _row_width(self) -> int | None:
        """Columns a row of cards may take in a face standing one under the other (None when
        the faces stand in columns, each card on a line of its own)."""
        if self.size.width >= WIDE:
            return None
        return max(self.size.width - 4 - 1, 20)  # border, padding, the scrollbar

    def scroll_targets(self) -> list[Widget]:
        """Narrow, the faces stand one under the other and the view scrolls; wide, each face
        scrolls its own grids, all three together."""
        if self.has_class("-narrow"):
            return [self]
        return list(self.query(".face-grids"))

    def watch_trace(self, trace: Trace | None) -> None:
        self._built_for = None
        self._draw()

    def watch_step(self, step: int) -> None:
        self._draw()

    def watch_matrix_face(self, face: str) -> None:
        self._built_for = None
        self._draw()

    # What is on screen ----------------------------------------------------------------------
    @property
    def faces_trace(self) -> ThreeFacesTrace | None:
        """The three faces' trace, if the scene is a transposed convolution stepped by "all"."""
        return self.trace if isinstance(self.trace, ThreeFacesTrace) else None

    @property
    def current(self) -> FacesStep | None:
        """The step on screen in all three faces."""
        trace = self.faces_trace
        if trace is None or len(trace) == 0:
            return None
        return trace.at(min(max(self.step, 0), len(trace) - 1))

    def card(self, face: str, name: str) -> GridCard:
        """The grid called ``name`` in face ``face`` (for tests)."""
        return self._cards[face][name]

    def _draw(self) -> None:
        if not self._ready_to_draw():
            return
        trace = self.faces_trace
        faces = self.query_one("#faces")
        note = self.query_one("#compare-note", Static)
        if trace is None:
            faces.display = False
            for name in ("#compare-counter", "#compare-agreement", "#compare-text"):
                self.query_one(name, Static).update("")
            op = self.trace.op if self.trace is not None else "this operator"
            note.update(
                f"The compare layout shows the three faces of conv_transpose2d: scatter, "
                f"matrix (r · W2) and direct (zero-inserted convolution). {op} has one way"
                " of being computed here: press o until conv_transpose2d (then c), or c to"
                " go back to the steps."
            )
            note.display = True
            return
        note.display = False
        faces.display = True
        step = self.current
        assert step is not None
        n = len(trace)
        per = "output cell of each output channel" if len(step.cell) == 3 else "output cell"
        self.query_one("#compare-counter", Static).update(
            f"step {step.index + 1} / {n} · output cell {cell_name('y', step.cell)} · one step"
            f" per {per}"
        )
        agreement = trace.agreement
        line = self.query_one("#compare-agreement", Static)
        mark = "✓" if agreement.identical else "≈"
        line.update(f"{mark} {agreement.text}")
        line.set_class(not agreement.identical, "-differ")
        self.query_one("#compare-text", Static).update(step.text)
        built = self._built_for  # the trace itself, not its id (a freed trace's id is reused)
        if built is None or built[0] is not trace or built[1] != self.matrix_face:
            self._built_for = (trace, self.matrix_face)
            self._build(trace)
        self._show(trace, step)

    # Building the cards once per trace ------------------------------------------------------
    def _build(self, trace: ThreeFacesTrace) -> None:
        out_width = cell_width(trace.result)
        r_size, y_size = _sizes(trace.input.shape), _sizes(trace.result.shape)
        n_in, n_out = trace.input.size, trace.result.size
        direct = trace.faces["direct"]
        padded = direct.grid(PADDED)
        assert padded is not None
        self.query_one("#face-direct > RoleLegend", RoleLegend).roles = direct.roles
        if isinstance(trace, ChannelThreeFacesTrace):
            # Planes: the scaled kernel is one kH×kW per output channel; the turned kernel is
            # conv2d's (C_out, C_in/g, kH, kW), drawn as its slices [o, c'].
            scaled = trace.faces["scatter"].grid(SCALED_KERNEL)
            assert scaled is not None
            self._unscaled = np.full(scaled.values.shape, np.nan)
            self._turned = direct.direct_kernel
            scaled_title, scaled_note = "r[c,i,j]·w[c,o]", "plane o: output channel o"
            turned_title = "w turned 180°, channel axes swapped"
            blocks = trace.matrix.block_shape
            # kept short: a caption is never cut, it widens its card
            absent = "; · absent" if trace.groups > 1 else ""
            w2_note = f"row: cell of r, column: of y; {blocks[0]}×{blocks[1]} blocks{absent}"
            w1_note = f"row: cell of x, column: of r′; {blocks[1]}×{blocks[0]} blocks{absent}"
            self._w2 = trace.shown_matrix
            self._w1 = trace.shown_matrix.T
            grid = trace.faces["matrix"].grid(MATRIX)
            channel_blocks = grid.blocks if grid is not None else None
            w2_frame = block_frame(channel_blocks)  # each block captioned, as in the step view
            w1_frame = block_frame(channel_blocks.T) if channel_blocks is not None else None
        else:
            self._unscaled = trace.kernel
            self._turned = trace.kernel[::-1, ::-1].copy()
            scaled_title, scaled_note = "r[i,j]·w", ""
            turned_title = "w turned 180°"
            w2_note, w1_note = (
                "row: cell of r; column: cell of y",
                "row: cell of x; column: cell of r′",
            )
            self._w2 = trace.matrix
            self._w1 = self._w2.T  # lazy: r′ is not computed until W1 is shown
            w2_frame = w1_frame = None
        cards: dict[str, dict[str, GridCard]] = {
            "scatter": {
                "input": GridCard(f"r  {r_size}", trace.input),
                SCALED_KERNEL: GridCard(scaled_title, self._unscaled, note=scaled_note),
                "output": GridCard(
                    f"y so far  {y_size}", trace.result, width=out_width, classes="-output"
                ),
            },
            "direct": {
                PADDED: GridCard(padded.title, direct.padded),
                ROTATED_KERNEL: GridCard(turned_title, self._turned),
                "output": GridCard(
                    f"y  {y_size}", trace.result, width=out_width, classes="-output"
                ),
            },
        }
        m = self._w2
        if self.matrix_face == "W1":
            w1 = trace.w1_face
            cards["matrix"] = {
                "vector_in": GridCard(f"xᵀ  1×{n_out}", w1.x, width=out_width),
                "matrix": GridCard(
                    f"W1 = W2ᵀ  {m.shape[1]}×{m.shape[0]}",
                    self._w1,
                    dim_zeros=True,
                    width=measure_width(m),
                    note=w1_note,
                    blocks=w1_frame,
                ),
                "vector_out": GridCard(f"r′ = xᵀ·W1  1×{n_in}", w1.r_back, classes="-output"),
                "grid_out": GridCard(f"r′  {r_size}", w1.r_back_grid, classes="-output"),
            }
        else:
            cards["matrix"] = {
                "vector_in": GridCard(f"r  1×{n_in}", trace.input.reshape(1, -1)),
                "matrix": GridCard(
                    f"W2 = W1ᵀ  {m.shape[0]}×{m.shape[1]}",
                    m,
                    dim_zeros=True,
                    note=w2_note,
                    blocks=w2_frame,
                ),
                "vector_out": GridCard(
                    f"y = r · W2  1×{n_out}",
                    trace.result.reshape(1, -1),
                    width=out_width,
                    classes="-output",
                ),
                "grid_out": GridCard(
                    f"y  {y_size}", trace.result, width=out_width, classes="-output"
                ),
            }
        self._cards = cards
        row_width = self._row_width() if self.size.width else None
        self._packed_for = row_width
        for face in FACES:
            area = self.query_one(f"#face-{face} > .face-grids", VerticalScroll)
            area.remove_children()
            if row_width is None:
                area.mount_all(cards[face].values())
            else:
                area.mount_all(_rows(list(cards[face].values()), row_width))
            box = self.query_one(f"#face-{face}")
            box.border_title = self._face_title(face, row_width, padded.title, trace.input.ndim)

    def _face_title(self, face: str, row_width: int | None, padded: str, ndim: int = 2) -> str:
        """The face's title: the long one if the face is wide enough for it, else the short
        one (a title is never cut with …)."""
        w1 = face == "matrix" and self.matrix_face == "W1"
        long = W1_TITLE if w1 else FACE_TITLES[face]
        short = NARROW_W1_TITLE if w1 else NARROW_TITLES[face]
        if ndim == 3 and face in CHANNEL_TITLES:
            long, short = CHANNEL_TITLES[face]
        long = long.format(padded=padded)
        room = row_width if row_width is not None else (self.size.width - 4) // len(FACES) - 1
        return long if len(long) + 4 <= room else short

    # Showing one step -----------------------------------------------------------------------
    def _show(self, trace: ThreeFacesTrace, step: FacesStep) -> None:
        cards = self._cards
        channels = isinstance(trace, ChannelThreeFacesTrace)
        k = step.index
        cell = step.cell

        # scatter: the input values reaching y[i,j], the last one scattered, the partial sum
        sc = step.scatter
        last = sc.input_cells
        cards["scatter"]["input"].update(
            trace.input, {"argmax": last, "current": step.contributors}
        )
        scaled = cards["scatter"][SCALED_KERNEL]
        if sc.scaled_kernel is not None:
            if channels:
                scaled.border_title = f"{cell_name('r', last[0])}·w[{last[0][0]},o]"
                taps = sc.cells(SCALED_KERNEL)  # (o, a, b): the taps that land inside y
            else:
                scaled.border_title = f"{cell_name('r', last[0])}·w" if last else "r[i,j]·w"
                taps = sc.kernel_cells
            scaled.update(sc.scaled_kernel, {"current": taps})
        else:
            scaled.border_title = "w (nothing scattered yet)"
            scaled.update(self._unscaled)
        out = cards["scatter"]["output"]
        out.update(
            sc.partial, {"written": (cell,), "window": sc.output_cells}, width=out.cell_width
        )
        self._face_text(
            "scatter",
            f"after {step.scattered} of {trace.input.size} input values: " + sc.text,
        )

        # matrix: r · W2 (or xᵀ · W1), column (row) k
        mx = step.matrix
        partial_row = mx.partial.reshape(1, -1)
        if self.matrix_face == "W1":
            w1 = trace.w1_face
            cards["matrix"]["vector_in"].update(w1.x, {"current": ((0, k),)}, width=None)
            cards["matrix"]["matrix"].update(
                self._w1, {"current": ((k, -1),)}, width=cards["matrix"]["matrix"].cell_width
            )
            cards["matrix"]["vector_out"].update(w1.r_back)
            cards["matrix"]["grid_out"].update(w1.r_back_grid)
            self._face_text(
                "matrix",
                f"row {k} of W1 is column {k} of W2: x[{k}] = {cell_name('y', cell)} reaches "
                f"r′ through it. {w1.text}",
            )
        else:
            cards["matrix"]["vector_in"].update(
                trace.input.reshape(1, -1), {"current": _flat(mx.input_cells, trace.input.shape)}
            )
            cards["matrix"]["matrix"].update(
                self._w2, {"current": ((-1, k),)}, width=cards["matrix"]["matrix"].cell_width
            )
            vout = cards["matrix"]["vector_out"]
            vout.update(partial_row, {"written": ((0, k),)}, width=vout.cell_width)
            gout = cards["matrix"]["grid_out"]
            gout.update(mx.partial, {"written": (cell,)}, width=gout.cell_width)
            self._face_text("matrix", mx.text)

        # direct: the window of the zero-inserted input (in every plane of the group)
        dr = step.direct
        direct = trace.faces["direct"]
        cards["direct"][PADDED].update(
            direct.padded,
            highlights(direct, dr, PADDED),  # the window read, over its inserted / padding zeros
            width=cards["direct"][PADDED].cell_width,
        )
        cards["direct"][ROTATED_KERNEL].update(self._turned, {"current": dr.cells(ROTATED_KERNEL)})
        dout = cards["direct"]["output"]
        dout.update(dr.partial, {"written": (cell,)}, width=dout.cell_width)
        self._face_text("direct", dr.text)

    def _face_text(self, face: str, text: str) -> None:
        self.query_one(f"#face-{face} > .face-text", Static).update(text)

    # For tests ------------------------------------------------------------------------------
    def outputs_shown(self) -> dict[str, np.ndarray]:
        """The output grid each face shows at the step on screen."""
        names = {"scatter": "output", "matrix": "grid_out", "direct": "output"}
        return {face: np.asarray(self._cards[face][names[face]].values) for face in FACES}
