"""Solve for the output size: every setting that takes the scene's input side to a chosen size,
and what output_padding chooses among the sizes a stride makes ambiguous.

For a convolution or a transposed convolution the learner types a target size; the engine
(:func:`~tui_upsample.engine.solve.solve_shape`) lists every kernel size, stride, padding,
output_padding and dilation that reaches it, each kernel and stride with the Keras layer of the
same size. Choosing a row (Enter or a click) applies it to the scene. Under the list, the
output_padding explorer (:func:`~tui_upsample.engine.solve.output_padding_ambiguity`) for the
scene's stride, kernel, padding and dilation.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_upsample.engine.solve import (
    SOLVED_OPERATORS,
    ShapeSetting,
    ShapeSolution,
    output_padding_ambiguity,
    solve_shape,
)
from tui_upsample.scene import Scene
from tui_upsample.widgets.panes.settings import ParamInput
from tui_upsample.widgets.views.drawn_when_shown import DrawnWhenShown


def setting_text(setting: ShapeSetting) -> str:
    """One row of the list, as the settings pane names the parameters."""
    return (
        f"k {setting.kernel_size}  s {setting.stride}  p {setting.padding}"
        f"  a {setting.output_padding}  d {setting.dilation}"
    )


def current_setting(scene: Scene) -> ShapeSetting | None:
    """The scene's own setting of its rows (None with 'same' / 'valid' padding)."""
    if isinstance(scene.padding, str):
        return None
    a = scene.output_padding if scene.op == "conv_transpose2d" else 0
    return ShapeSetting(scene.kernel.shape[0], scene.stride, scene.padding, a, scene.dilation)


class SolverView(DrawnWhenShown, VerticalScroll):
    """The settings that reach an output size, and output_padding's ambiguity."""

    DEFAULT_CSS = """
    SolverView {
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & #solver-head { height: auto; color: $text; }
        & #solver-ask, & .solver-ask { height: auto; margin-top: 1; }
        & #solver-ask > Static, & .solver-ask > Static { width: auto; padding: 1 1 0 0; }
        & #solver-target, & #solver-stride { width: 12; }
        & #solver-found { height: auto; color: $text-accent; text-style: bold; }
        & #solver-list { height: auto; max-height: 14; }
        & .solver-title { height: auto; text-style: bold; color: $text-accent; margin-top: 1; }
        & #solver-ambiguity { height: auto; color: $text; }
    }
    """

    scene: reactive[Scene] = reactive(Scene.seed_example, always_update=True)
    """The scene whose input side is solved for (bound to the app's)."""

    can_focus = False

    class Chosen(Message):
        """The learner chose ``setting``: the app applies it to the scene."""

        def __init__(self, setting: ShapeSetting) -> None:
            super().__init__()
            self.setting = setting

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._target: int | None = None
        self._stride: int | None = None
        """The explorer's stride (the scene's, or 2 when the scene's is 1), until one is typed."""
        self._solution: ShapeSolution | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="solver-head")
        with Horizontal(id="solver-ask"):
            yield Static("output size o =")
            yield ParamInput("", id="solver-target", placeholder="o")
        yield Static("", id="solver-found")
        yield OptionList(id="solver-list")
        yield Static("output_padding is not padding of the output", classes="solver-title")
        with Horizontal(id="solver-ask-stride", classes="solver-ask"):
            yield Static("for a stride s =")
            yield ParamInput("", id="solver-stride", placeholder="s")
        yield Static("", id="solver-ambiguity")

    def on_mount(self) -> None:
        self.border_title = "solve for the output size"
        self._draw()

    def on_show(self) -> None:
        super().on_show()
        self.query_one("#solver-target", Input).focus()

    def watch_scene(self, scene: Scene) -> None:
        self._draw()

    @property
    def target(self) -> int | None:
        """The output size solved for (by default the one the scene gives)."""
        return self._target

    def _draw(self) -> None:
        if not self._ready_to_draw():
            return
        scene = self.scene
        head = self.query_one("#solver-head", Static)
        solvable = scene.op in SOLVED_OPERATORS
        for part in ("#solver-ask", "#solver-found", "#solver-list"):
            self.query_one(part).display = solvable
        if not solvable:
            head.update(
                f"The solver lists the settings of a convolution or a transposed convolution"
                f" that reach an output size; {scene.op} has no such settings: press o until"
                " conv2d or conv_transpose2d, or s to go back to the steps."
            )
        else:
            self._solve(scene)
        self._explain(scene)

    def _solve(self, scene: Scene) -> None:
        head = self.query_one("#solver-head", Static)
        i = int(scene.input.shape[0])
        field = self.query_one("#solver-target", Input)
        if self._target is None:
            self._target = self._scene_output(scene) or 2 * i
            field.value = str(self._target)
            field.cursor_position = len(field.value)
        cols = int(scene.input.shape[1])
        also = (
            ""
            if cols == i
            else f" (the columns, {cols} long, are not solved for: the settings apply to both)"
        )
        head.update(
            f"{scene.op} of a side of {i}{also}: every kernel_size 1–7, stride 1–4, padding 0–6,"
            " dilation 1–3"
            + (" and output_padding PyTorch allows" if scene.op == "conv_transpose2d" else "")
            + " that gives the output size o. Type o; Enter on a row (or a click) applies it."
        )
        found = self.query_one("#solver-found", Static)
        options = self.query_one("#solver-list", OptionList)
        try:
            solution = solve_shape(i, self._target, scene.op)
        except ValueError as exc:
            found.update(str(exc))
            options.clear_options()
            self._solution = None
            return
        self._solution = solution
        found.update(solution.text)
        mine = current_setting(scene)
        rows: list[Option] = []
        highlighted = None
        for group in solution.groups:
            keras = " or ".join(group.keras)
            for n, setting in enumerate(group.settings):
                extra = f"   Keras {keras}" if n == 0 and keras else ""
                label = setting_text(setting) + extra
                if setting == mine:
                    label += "   ← the scene"
                    highlighted = len(rows)
                rows.append(Option(label, id=f"setting-{len(rows)}"))
        options.clear_options()
        options.add_options(rows)
        if highlighted is not None:
            options.highlighted = highlighted

    def _scene_output(self, scene: Scene) -> int | None:
        mine = current_setting(scene)
        if mine is None:
            return None
        from tui_upsample.engine.solve import output_size

        return output_size(scene.op, int(scene.input.shape[0]), mine)

    def _explain(self, scene: Scene) -> None:
        text = self.query_one("#solver-ambiguity", Static)
        k = int(scene.kernel.shape[0]) if scene.has_kernel else int(scene.kernel_size)
        padding = 0 if isinstance(scene.padding, str) else int(scene.padding)
        if self._stride is None:
            self._stride = scene.stride if scene.stride > 1 else 2
            stride_field = self.query_one("#solver-stride", Input)
            stride_field.value = str(self._stride)
            stride_field.cursor_position = len(stride_field.value)
        try:
            found = output_padding_ambiguity(
                min(self._stride, 64), min(k, 64), padding, scene.dilation, outputs=5
            )
        except ValueError as exc:
            text.update(str(exc))
            return
        lines = [
            f"(the scene's kernel {found.kernel_size}, padding {found.padding}, dilation"
            f" {found.dilation}) {found.text}."
        ]
        for collapse in found.collapses:
            lines.append(f"  conv2d output {collapse.output}: {collapse.text}")
        text.update("\n".join(lines))

    @on(Input.Submitted, "#solver-target")
    @on(Input.Changed, "#solver-target")
    def _target_typed(self, event: Input.Changed | Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        found = self.query_one("#solver-found", Static)
        try:
            target = int(text)
        except ValueError:
            found.update(f"{text!r} is not a whole number: type the output size o, e.g. 4")
            return
        if target < 1:
            found.update("the output size must be at least 1")
            return
        self._target = target
        self._solve(self.scene)

    @on(Input.Submitted, "#solver-stride")
    @on(Input.Changed, "#solver-stride")
    def _stride_typed(self, event: Input.Changed | Input.Submitted) -> None:
        event.stop()
        text = self.query_one("#solver-ambiguity", Static)
        try:
            stride = int(event.value.strip())
        except ValueError:
            text.update(f"{event.value.strip()!r} is not a whole number: type a stride, e.g. 2")
            return
        if not 1 <= stride <= 64:
            text.update("the stride must be 1 to 64")
            return
        self._stride = stride
        self._explain(self.scene)

    @on(OptionList.OptionSelected, "#solver-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self._solution is None:
            return
        settings = self._solution.settings
        ordered = [s for g in self._solution.groups for s in g.settings]
        index = event.option_index
        if 0 <= index < len(ordered) and ordered == list(settings):
            self.post_message(self.Chosen(ordered[index]))
