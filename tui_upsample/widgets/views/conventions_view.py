"""Framework conventions: Keras's transposed 'same' / 'valid' next to PyTorch's padding and
output_padding, for the scene's own input and kernel.

Both frameworks compute the same full output and keep different rows of it. For each Keras
padding the view shows Keras's result, the PyTorch result with the settings a learner would
reach for (same size), the cells where they differ (bold, accent), which PyTorch settings — if
any — reproduce Keras exactly, and the slice of a padding=0 PyTorch output that always does.
Under them, what output_padding really chooses. Every number and sentence is the engine's
(:func:`keras_vs_pytorch`, :func:`output_padding_choices`).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from tui_upsample.engine.conventions import Conventions, keras_vs_pytorch
from tui_upsample.engine.output_padding import output_padding_choices
from tui_upsample.number_format import cell_width
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.grid_card import GridCard
from tui_upsample.widgets.blocks.scroll_keys import SCROLL_BINDINGS, ScrollKeys
from tui_upsample.widgets.views.drawn_when_shown import DrawnWhenShown

MODES = ("same", "valid")
"""Keras's two paddings, in the order they are shown."""


def _pair(value: tuple[int, int] | None) -> str:
    if value is None:
        return "—"
    return str(value[0]) if value[0] == value[1] else f"({value[0]}, {value[1]})"


class ConventionsView(DrawnWhenShown, ScrollKeys, VerticalScroll):
    """Keras 'same' / 'valid' against PyTorch padding / output_padding, with the differences
    marked."""

    BINDINGS: ClassVar[list[BindingType]] = SCROLL_BINDINGS

    """Whether the scene changed while the view was hidden (it is drawn again when shown)."""

    DEFAULT_CSS = """
    ConventionsView {
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & #conventions-head { height: auto; color: $text; }
        & .convention { height: auto; margin-top: 1; }
        & .convention-title { height: auto; text-style: bold; color: $text-accent; }
        & .convention-cards { height: auto; }
        & .convention-text { height: auto; color: $text; }
        & .convention-fix { height: auto; color: $text-success; }
        & .convention-fix.-none { color: $text-warning; }
        & #conventions-padding { height: auto; color: $text-muted; margin-top: 1; }
    }
    """

    scene: reactive[Scene] = reactive(Scene.seed_example, always_update=True)
    """The scene whose input and kernel are compared (bound to the app's)."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static("", id="conventions-head")
        for mode in MODES:
            with Vertical(classes="convention", id=f"convention-{mode}"):
                yield Static("", classes="convention-title")
                yield Horizontal(classes="convention-cards")
                yield Static("", classes="convention-text")
                yield Static("", classes="convention-fix")
        yield Static("", id="conventions-padding")

    def on_mount(self) -> None:
        self.border_title = "conventions: Keras Conv2DTranspose vs PyTorch ConvTranspose2d"
        self._draw()

    def watch_scene(self, scene: Scene) -> None:
        self._draw()

    # What is on screen ----------------------------------------------------------------------
    def conventions(self) -> dict[str, Conventions | str]:
        """Per Keras padding, the engine's comparison (or its message if it refuses)."""
        scene = self.scene
        found: dict[str, Conventions | str] = {}
        for mode in MODES:
            try:
                found[mode] = keras_vs_pytorch(
                    scene.plane, scene.kernel_slice, scene.stride, mode, scene.dilation
                )
            except ValueError as exc:
                found[mode] = str(exc)
        return found

    def _draw(self) -> None:
        if not self._ready_to_draw():
            return
        scene = self.scene
        head = self.query_one("#conventions-head", Static)
        padding_note = self.query_one("#conventions-padding", Static)
        if scene.op != "conv_transpose2d":
            head.update(
                "The conventions view compares how Keras and PyTorch crop a transposed "
                f"convolution. {scene.op} is not one: press o until conv_transpose2d, or f to "
                "go back to the steps."
            )
            for box in self.query(".convention"):
                box.display = False
            padding_note.display = False
            return
        kh, kw = scene.kernel.shape[-2:]
        h, w = scene.input.shape[-2:]
        head.update(
            f"The same {h}×{w} input and {kh}×{kw} kernel, stride {scene.stride}, dilation "
            f"{scene.dilation}. Both frameworks compute the same full output and keep different "
            "rows of it: PyTorch crops padding at both ends (output_padding gives rows back at "
            "the bottom/right); Keras 'same' keeps input·stride rows, cropping the odd extra "
            "row at the bottom."
        )
        for mode, found in self.conventions().items():
            self._section(mode, found)
        padding_note.display = True
        padding_note.update(self._output_padding_text(scene))

    def _section(self, mode: str, found: Conventions | str) -> None:
        box = self.query_one(f"#convention-{mode}", Vertical)
        box.display = True
        title = box.query_one(".convention-title", Static)
        text = box.query_one(".convention-text", Static)
        fix = box.query_one(".convention-fix", Static)
        cards = box.query_one(".convention-cards", Horizontal)
        cards.remove_children()
        if isinstance(found, str):
            title.update(f"Keras padding='{mode}'")
            text.update(found)
            fix.update("")
            return
        title.update(f"Keras padding='{mode}'")
        differ = found.differ
        arrays = [found.keras] + ([found.pytorch] if found.pytorch is not None else [])
        width = max(cell_width(a) for a in arrays)
        kh, kw = found.keras.shape[-2:]
        new = [
            GridCard(
                f"Keras '{mode}'  {kh}×{kw}",
                found.keras,
                width=width,
                classes="-output keras-card",
            )
        ]
        if found.pytorch is not None:
            p, a = found.pytorch_padding, found.pytorch_output_padding
            new.append(
                GridCard(
                    f"PyTorch p={_pair(p)}, a={_pair(a)}",
                    found.pytorch,
                    width=width,
                    note=f"{len(differ)} cells differ" if differ else "identical",
                    classes="pytorch-card",
                )
            )
        for card in new:
            card.update(card.values, {"current": differ}, width=width)
        cards.mount_all(new)
        text.update(found.text)
        if found.reproduce is not None:
            fix.update("✓ " + found.reproduce_text)
            fix.remove_class("-none")
        else:
            fix.update(f"✗ {found.reproduce_text}")
            fix.add_class("-none")

    @staticmethod
    def _output_padding_text(scene: Scene) -> str:
        if isinstance(scene.padding, str):
            return (
                f"With padding='{scene.padding}' the size is fixed by the rule above, so "
                "output_padding must be 0."
            )
        kh, kw = scene.kernel.shape[-2:]
        h, w = scene.input.shape[-2:]
        try:
            rows = output_padding_choices(h, kh, scene.stride, scene.padding, scene.dilation)
            cols = output_padding_choices(w, kw, scene.stride, scene.padding, scene.dilation)
        except ValueError as exc:
            return f"output_padding: {exc}"
        lines = [f"What output_padding chooses (rows): {rows.text}."]
        if cols.text != rows.text:
            lines.append(f"(columns): {cols.text}.")
        return " ".join(lines)

    def differing_cells(self, mode: str) -> set[tuple[int, ...]]:
        """The cells marked as differing in Keras's grid for ``mode`` (for tests)."""
        box = self.query_one(f"#convention-{mode}", Vertical)
        return box.query(".keras-card").last(GridCard).highlighted("current")
