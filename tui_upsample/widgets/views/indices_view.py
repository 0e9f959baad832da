"""max_unpool2d's indices, inspected: the flat per-plane indices max pooling returned, how they
decode under MaxUnpool2d's default output size and under an explicit ``output_size``, PyTorch's
strict bounds on that size, and what PyTorch says of an index that does not fit.

Every number and sentence is the engine's (:func:`~tui_upsample.engine.unpool_indices
.inspect_indices`); this view lays them out.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from tui_upsample.engine.steps import Cell
from tui_upsample.engine.text import format_cell, format_number
from tui_upsample.engine.unpool_indices import IndexInspection, inspect_indices, output_size_message
from tui_upsample.number_format import cell_width
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.grid_card import GridCard
from tui_upsample.widgets.views.drawn_when_shown import DrawnWhenShown


def _where(cell: Cell | None) -> str:
    return "does not fit" if cell is None else "y" + format_cell(cell)


def index_rows(found: IndexInspection) -> list[str]:
    """One line per remembered index: the value, the index spelled as row·W + col, and the cell
    it names in x, in the default output and in the explicit one."""
    w = found.input_size[1]
    dh, dw = found.default_size
    eh, ew = found.explicit_size
    wide = 30 if found.moved else 16
    lines = [
        f"{'pooled':<12}{'index':<16}{'in x':<8}{f'default {dh}×{dw}':<{wide}}output_size {eh}×{ew}"
    ]
    for d in found.decoded:
        r, c = d.in_x
        spelled = f"{d.index} = {r}·{w} + {c}"
        moved = "  ← another cell" if d in found.moved else ""
        lines.append(
            f"{'[' + ','.join(map(str, d.pooled_cell)) + '] = ' + format_number(d.value):<12}"
            f"{spelled:<16}{'x' + format_cell(d.in_x):<8}{_where(d.in_default) + moved:<{wide}}"
            f"{_where(d.in_explicit)}"
        )
    return lines


class IndicesView(DrawnWhenShown, VerticalScroll):
    """max_unpool2d's remembered indices and how they are read."""

    DEFAULT_CSS = """
    IndicesView {
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & #indices-head { height: auto; color: $text; }
        & #indices-cards { height: auto; margin-top: 1; }
        & #indices-table { height: auto; color: $text; margin-top: 1; }
        & .indices-title { height: auto; text-style: bold; color: $text-accent; margin-top: 1; }
        & #indices-bounds { height: auto; color: $text; }
        & #indices-errors { height: auto; color: $text-warning; }
    }
    """

    scene: reactive[Scene] = reactive(Scene.seed_example, always_update=True)
    """The scene whose input is pooled and unpooled (bound to the app's)."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static("", id="indices-head", markup=False)
        yield Horizontal(id="indices-cards")
        yield Static("", id="indices-table", markup=False)
        yield Static("PyTorch's bounds on output_size", classes="indices-title")
        yield Static("", id="indices-bounds", markup=False)
        yield Static("an index that does not fit, in PyTorch's words", classes="indices-title")
        yield Static("", id="indices-errors", markup=False)

    def on_mount(self) -> None:
        self.border_title = "max_unpool2d: the indices max pooling returned"
        self._draw()

    def watch_scene(self, scene: Scene) -> None:
        self._draw()

    def inspection(self) -> IndexInspection | str:
        """The engine's reading of the scene's indices (or its message if it refuses)."""
        scene = self.scene
        padding = scene.padding if isinstance(scene.padding, int) else 0
        try:
            return inspect_indices(scene.input, scene.kernel_size, scene.stride, padding)
        except ValueError as exc:
            return str(exc)

    def _draw(self) -> None:
        if not self._ready_to_draw():
            return
        scene = self.scene
        head = self.query_one("#indices-head", Static)
        parts = ("#indices-cards", "#indices-table", "#indices-bounds", "#indices-errors")
        found = self.inspection() if scene.op == "max_unpool2d" else None
        for part in (*parts, ".indices-title"):
            for widget in self.query(part):
                widget.display = isinstance(found, IndexInspection)
        if scene.op != "max_unpool2d":
            head.update(
                f"The indices view reads what max pooling remembers for max_unpool2d; {scene.op}"
                " remembers nothing: press o until max_unpool2d, or i to go back to the steps."
            )
            return
        if isinstance(found, str):
            head.update(found)
            return
        h, w = found.input_size
        head.update(
            f"max_pool2d(x, return_indices=True) remembers each maximum as one flat index per"
            f" plane, row·W + col, with W = {w} (the width of x). max_unpool2d reads each index"
            f" against the width of its own output. {found.text[:1].upper()}{found.text[1:]}."
        )
        cards = self.query_one("#indices-cards", Horizontal)
        cards.remove_children()
        x_card = GridCard(f"x  {h}×{w}, argmax marked", scene.input)
        x_card.update(scene.input, {"argmax": [d.in_x for d in found.decoded]})
        cards.mount(
            x_card,
            GridCard(
                "indices (row·W + col)",
                found.indices.astype(float),
                width=cell_width(found.indices.astype(float)),
            ),
        )
        self.query_one("#indices-table", Static).update("\n".join(index_rows(found)))
        rows, cols = found.bounds
        bounds = [f"rows: {rows.text}"]
        if cols.text != rows.text:
            bounds.append(f"columns: {cols.text}")
        self.query_one("#indices-bounds", Static).update("\n".join(bounds))
        errors = []
        dh, dw = found.default_size
        if found.default_error:
            errors.append(
                f"max_unpool2d(…) without output_size: RuntimeError: {found.default_error}"
            )
        else:
            errors.append(f"without output_size ({dh}×{dw}) every index fits")
        top = (rows.high_exclusive, cols.high_exclusive)
        refused = output_size_message(top, found.bounds)
        errors.append(f"output_size={top}, a bound itself: ValueError: {refused}")
        if found.explicit_error:
            eh, ew = found.explicit_size
            errors.append(f"output_size=({eh}, {ew}): {found.explicit_error}")
        self.query_one("#indices-errors", Static).update("\n".join(errors))
