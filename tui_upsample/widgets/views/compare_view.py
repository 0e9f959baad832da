"""One operator, three faces: a transposed convolution as a scatter, as r · W2 and as a direct
convolution of the zero-inserted input, side by side on the same step.

**What "the same step" means here.** The compare layout steps per output cell y[i, j], in
row-major order, as the matrix and direct faces do (r · column k of W2; the window of the
zero-inserted input). The scatter face naturally steps per *input* value, so it shows its partial
sum after the last input value whose kernel footprint reaches y[0, 0] … y[i, j]: from then on
those cells are final, and all three faces show the same numbers in them. The engine's
:class:`~tui_upsample.engine.faces.ThreeFacesTrace` decides all of this; the line above the
faces, also the engine's, confirms that the three full outputs are identical.

In the matrix face, ``w`` turns W2 = W1ᵀ (r · W2 = y, the seed's transposed convolution) into
W1 (xᵀ · W1 = r′, the convolution it is the transpose of) and back.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from tui_upsample.engine.faces import FACES, FacesStep, ThreeFacesTrace
from tui_upsample.engine.steps import PADDED, ROTATED_KERNEL, SCALED_KERNEL, Trace
from tui_upsample.number_format import cell_width
from tui_upsample.widgets.blocks.grid_card import GridCard
from tui_upsample.widgets.blocks.grid_view import measure_width
from tui_upsample.widgets.blocks.role_legend import RoleLegend
from tui_upsample.widgets.blocks.role_styles import highlights
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


def _flat(cells: Any, cols: int) -> tuple[tuple[int, int], ...]:
    """Cells (r, c) of a grid with ``cols`` columns as cells (0, k) of its flattened row."""
    return tuple((0, int(r) * cols + int(c)) for r, c in cells)


class CompareView(DrawnWhenShown, Vertical):
    """Scatter, matrix and direct side by side on the same output cell, and whether they agree."""

    """Whether the scene changed while the view was hidden (it is drawn again when shown)."""

    DEFAULT_CSS = """
    CompareView {
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & > #compare-counter { height: 1; text-style: bold; color: $text-accent; }
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
        &.-narrow .face > .face-grids { height: auto; layout: horizontal; overflow-x: auto; }
        &.-narrow .face-grids > GridCard { margin-right: 1; }
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
                f"matrix (r · W2) and direct (zero-inserted convolution). {op} has one way of "
                "being computed here: press o until conv_transpose2d (then c), or c to go "
                "back to the steps."
            )
            note.display = True
            return
        note.display = False
        faces.display = True
        step = self.current
        assert step is not None
        n = len(trace)
        i, j = step.cell
        self.query_one("#compare-counter", Static).update(
            f"step {step.index + 1} / {n} · output cell y[{i},{j}] · one step per output cell"
        )
        agreement = trace.agreement
        line = self.query_one("#compare-agreement", Static)
        mark = "✓" if agreement.identical else "≈"
        line.update(f"{mark} {agreement.text}")
        line.set_class(not agreement.identical, "-differ")
        self.query_one("#compare-text", Static).update(step.text)
        key = (id(trace), self.matrix_face)
        if key != self._built_for:
            self._built_for = key
            self._build(trace)
        self._show(trace, step)

    # Building the cards once per trace ------------------------------------------------------
    def _build(self, trace: ThreeFacesTrace) -> None:
        out_width = cell_width(trace.result)
        h, w = trace.input.shape
        oh, ow = trace.result.shape
        direct = trace.faces["direct"]
        padded = direct.grid(PADDED)
        assert padded is not None
        self.query_one("#face-direct > RoleLegend", RoleLegend).roles = direct.roles
        cards: dict[str, dict[str, GridCard]] = {
            "scatter": {
                "input": GridCard(f"r  {h}×{w}", trace.input),
                SCALED_KERNEL: GridCard("r[i,j]·w", trace.kernel),
                "output": GridCard(
                    f"y so far  {oh}×{ow}", trace.result, width=out_width, classes="-output"
                ),
            },
            "direct": {
                PADDED: GridCard(padded.title, direct.padded),
                ROTATED_KERNEL: GridCard("w turned 180°", trace.kernel[::-1, ::-1].copy()),
                "output": GridCard(
                    f"y  {oh}×{ow}", trace.result, width=out_width, classes="-output"
                ),
            },
        }
        m = trace.matrix
        if self.matrix_face == "W1":
            w1 = trace.w1_face
            cards["matrix"] = {
                "vector_in": GridCard(f"xᵀ  1×{oh * ow}", w1.x, width=out_width),
                "matrix": GridCard(
                    f"W1 = W2ᵀ  {m.shape[1]}×{m.shape[0]}",
                    w1.w1,
                    dim_zeros=True,
                    width=measure_width(m),
                    note="row: cell of x; column: cell of r′",
                ),
                "vector_out": GridCard(f"r′ = xᵀ·W1  1×{h * w}", w1.r_back, classes="-output"),
                "grid_out": GridCard(f"r′  {h}×{w}", w1.r_back_grid, classes="-output"),
            }
        else:
            cards["matrix"] = {
                "vector_in": GridCard(f"r  1×{h * w}", trace.input.reshape(1, -1)),
                "matrix": GridCard(
                    f"W2 = W1ᵀ  {m.shape[0]}×{m.shape[1]}",
                    m,
                    dim_zeros=True,
                    note="row: cell of r; column: cell of y",
                ),
                "vector_out": GridCard(
                    f"y = r · W2  1×{oh * ow}",
                    trace.result.reshape(1, -1),
                    width=out_width,
                    classes="-output",
                ),
                "grid_out": GridCard(
                    f"y  {oh}×{ow}", trace.result, width=out_width, classes="-output"
                ),
            }
        self._cards = cards
        for face in FACES:
            area = self.query_one(f"#face-{face} > .face-grids", VerticalScroll)
            area.remove_children()
            area.mount_all(cards[face].values())
            box = self.query_one(f"#face-{face}")
            box.border_title = (
                W1_TITLE
                if face == "matrix" and self.matrix_face == "W1"
                else FACE_TITLES[face].format(padded=padded.title)
            )

    # Showing one step -----------------------------------------------------------------------
    def _show(self, trace: ThreeFacesTrace, step: FacesStep) -> None:
        cards = self._cards
        w = trace.input.shape[1]
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
            scaled.border_title = f"r[{last[0][0]},{last[0][1]}]·w" if last else "r[i,j]·w"
            scaled.update(sc.scaled_kernel, {"current": sc.kernel_cells})
        else:
            scaled.border_title = "w (nothing scattered yet)"
            scaled.update(trace.kernel)
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
                w1.w1, {"current": ((k, -1),)}, width=cards["matrix"]["matrix"].cell_width
            )
            cards["matrix"]["vector_out"].update(w1.r_back)
            cards["matrix"]["grid_out"].update(w1.r_back_grid)
            self._face_text(
                "matrix",
                f"row {k} of W1 is column {k} of W2: x[{k}] = y[{cell[0]},{cell[1]}] reaches "
                f"r′ through it. {w1.text}",
            )
        else:
            cards["matrix"]["vector_in"].update(
                trace.input.reshape(1, -1), {"current": _flat(mx.input_cells, w)}
            )
            cards["matrix"]["matrix"].update(
                trace.matrix, {"current": ((-1, k),)}, width=cards["matrix"]["matrix"].cell_width
            )
            vout = cards["matrix"]["vector_out"]
            vout.update(partial_row, {"written": ((0, k),)}, width=vout.cell_width)
            gout = cards["matrix"]["grid_out"]
            gout.update(mx.partial, {"written": (cell,)}, width=gout.cell_width)
            self._face_text("matrix", mx.text)

        # direct: the window of the zero-inserted input
        dr = step.direct
        direct = trace.faces["direct"]
        cards["direct"][PADDED].update(
            direct.padded,
            highlights(direct, dr, PADDED),  # the window read, over its inserted / padding zeros
            width=cards["direct"][PADDED].cell_width,
        )
        cards["direct"][ROTATED_KERNEL].update(
            trace.kernel[::-1, ::-1], {"current": dr.cells(ROTATED_KERNEL)}
        )
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
