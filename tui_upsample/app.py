"""The terminal app: edit a grid, pick an operator, and step through what the engine computes.

The app owns the scene (what the learner chose) and the trace the engine made of it; the panes get
them through data binding and report the learner's edits with messages. Every number on screen
comes from the engine.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Footer, Header

from tui_upsample.commands import SceneCommands
from tui_upsample.engine.steps import Trace
from tui_upsample.scene import METHODS, OPERATOR_NAMES, PRESETS, Scene, build_trace
from tui_upsample.screens.help import HelpScreen
from tui_upsample.widgets.grid_editor import GridEditor
from tui_upsample.widgets.settings import Settings
from tui_upsample.widgets.step_view import StepView

PLAY_INTERVAL = 0.25
"""Seconds between steps while playing (about 4 steps a second)."""

STEPPING_ACTIONS = frozenset(
    {"step", "goto", "toggle_play", "next_op", "next_method", "help", "quit"}
)
"""Actions whose keys work in every pane, except while a value is being typed."""


class UpsampleApp(App[int]):
    """tui-upsample: step, key by key, through the operators that make feature maps bigger."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-upsample"
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {SceneCommands}
    AUTO_FOCUS = "#input-editor GridView"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next", priority=True, id="step-next"),
        Binding("p", "step(-1)", "Prev", priority=True, id="step-previous"),
        Binding("space", "toggle_play", "Play", priority=True, id="play"),
        Binding("home", "goto('first')", "First step", show=False, priority=True, id="step-first"),
        Binding("end", "goto('last')", "Last step", show=False, priority=True, id="step-last"),
        Binding("o", "next_op(1)", "Operator", priority=True, id="operator-next"),
        Binding(
            "O",
            "next_op(-1)",
            "Previous operator",
            show=False,
            priority=True,
            id="operator-previous",
        ),
        Binding("m", "next_method", "Method", priority=True, id="method-next"),
        Binding("f1,question_mark", "help", "Help", priority=True, id="help"),
        Binding("q", "quit", "Quit", priority=True, id="quit"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="pane-next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False, id="pane-previous"),
    ]
    """
    | Key | Description |
    | :- | :- |
    | n / p | Next / previous step. |
    | space | Play / pause (about 4 steps a second). |
    | home / end | First / last step. |
    | o / O | Next / previous operator. |
    | m | Next method (transposed convolution: scatter, matrix, direct). |
    | f1 / ? | Help: every key. |
    | q / ctrl+q | Quit. |
    | tab / shift+tab | Next / previous pane. |
    | ctrl+p | Command palette: operators, methods, presets, grid commands. |
    """

    scene: var[Scene] = var(Scene.seed_example, always_update=False)
    """What the learner chose: operator, parameters, input, kernel, method."""
    trace: var[Trace | None] = var(None, always_update=True)
    """The engine's trace of the last valid scene (it stays when the scene becomes invalid)."""
    step: var[int] = var(0)
    """Index of the step on screen (0 is the first)."""
    error: var[str] = var("")
    """The engine's message if the scene is invalid, else ""."""
    output_shape: var[tuple[int, ...]] = var(())
    """Shape of the last valid trace's output."""
    playing: var[bool] = var(False)
    """Whether the steps advance by themselves."""

    def __init__(
        self,
        scene: Scene | None = None,
        *,
        theme: str | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        if theme is not None:
            self.theme = theme
        self.cursor_blink = cursor_blink
        """Whether text cursors blink (off for screenshots and tests)."""
        self._timer: Timer | None = None
        scene = scene if scene is not None else Scene.seed_example()
        self.set_reactive(UpsampleApp.scene, scene)
        self._rebuild(scene)
        if self.trace is not None:
            self.set_reactive(UpsampleApp.step, min(max(scene.step, 0), len(self.trace) - 1))

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with VerticalScroll(id="side", can_focus=False):
                yield GridEditor("input", id="input-editor").data_bind(UpsampleApp.scene)
                yield GridEditor("kernel", id="kernel-editor").data_bind(UpsampleApp.scene)
                yield Settings(id="settings").data_bind(
                    UpsampleApp.scene, UpsampleApp.error, UpsampleApp.output_shape
                )
            yield StepView(id="steps").data_bind(UpsampleApp.trace, UpsampleApp.step)
        yield Footer()

    def on_mount(self) -> None:
        self._name_operator()

    # The scene and its trace -------------------------------------------------------------------
    @property
    def current_scene(self) -> Scene:
        """The scene with the step on screen (what a saved session would hold)."""
        return self.scene.replace(step=self.step)

    def _rebuild(self, scene: Scene) -> None:
        """Ask the engine for the scene's trace; keep the last valid one if it refuses."""
        try:
            trace = build_trace(scene)
        except ValueError as exc:  # EngineError: the engine's message, as it is
            self.error = str(exc)
            return
        except Exception as exc:  # an engine bug must not take the app down
            self.error = f"{type(exc).__name__}: {exc}"
            return
        self.error = ""
        self.output_shape = tuple(trace.result.shape)
        self.trace = trace
        self.step = min(max(self.step, 0), max(len(trace) - 1, 0))

    def watch_scene(self, scene: Scene) -> None:
        self._rebuild(scene)
        self._name_operator()

    def _name_operator(self) -> None:
        scene = self.scene
        method = f" · {scene.method}" if scene.op in METHODS else ""
        self.sub_title = f"{scene.op}: {OPERATOR_NAMES[scene.op]}{method}"

    # Keys --------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in STEPPING_ACTIONS:
            if len(self.screen_stack) > 1:
                return False  # a modal screen (help, palette) has the keys
            if self.typing:
                return False  # a value is being typed: the keys are characters
        return True

    @property
    def typing(self) -> bool:
        """Whether the learner is typing a cell's value (then every key is a character)."""
        return any(editor.editing for editor in self.query(GridEditor))

    def action_step(self, delta: int) -> None:
        """Move ``delta`` steps forward (or back), staying within the trace."""
        if self.trace is None:
            return
        self.step = min(max(self.step + delta, 0), len(self.trace) - 1)
        if delta < 0:
            self.playing = False

    def action_goto(self, where: str) -> None:
        """Jump to the "first" or "last" step."""
        if self.trace is None:
            return
        self.step = 0 if where == "first" else len(self.trace) - 1
        self.playing = False

    def action_toggle_play(self) -> None:
        """Start or stop stepping by itself."""
        self.playing = not self.playing

    def watch_playing(self, playing: bool) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if playing:
            if self.trace is not None and self.step >= len(self.trace) - 1:
                self.step = 0
            self._timer = self.set_interval(PLAY_INTERVAL, self._tick)

    def _tick(self) -> None:
        if self.trace is None or self.step >= len(self.trace) - 1:
            self.playing = False
            return
        self.step += 1

    def action_next_op(self, offset: int = 1) -> None:
        """Switch to the next (or previous) operator."""
        self.scene = self.scene.next_op(offset)

    def action_set_op(self, op: str) -> None:
        """Switch to operator ``op``."""
        self.scene = self.scene.with_op(op)

    def action_next_method(self) -> None:
        """Step through the convolution by its next method."""
        self.scene = self.scene.next_method()

    def action_set_method(self, op: str, method: str) -> None:
        """Switch to operator ``op`` stepped through by ``method``."""
        self.scene = self.scene.with_op(op).replace(method=method)

    def action_fill(self, which: str, how: str) -> None:
        """Refill grid ``which`` ("input"/"kernel"): "random", "zeros" or a preset's name."""
        if which == "kernel" and not self.scene.has_kernel:
            self.notify(f"{self.scene.op} has no kernel", severity="warning")
            return
        if how == "random":
            self.scene = self.scene.randomised(which)
        elif how == "zeros":
            self.scene = self.scene.zeroed(which)
        elif how in PRESETS:
            self.scene = self.scene.with_preset(which, how)

    def action_resize(self, which: str, rows: int, cols: int) -> None:
        """Add (or, with negative numbers, remove) rows and columns of grid ``which``."""
        h, w = self.scene.grid(which).shape[-2:]
        self.scene = self.scene.resized(which, h + rows, w + cols)

    def action_help(self) -> None:
        """Show every key."""
        self.push_screen(
            HelpScreen(
                [
                    ("everywhere", self.BINDINGS),
                    ("grid editor", GridEditor.BINDINGS),
                    ("help screen", HelpScreen.BINDINGS),
                ]
            )
        )

    # Messages from the panes -------------------------------------------------------------------
    @on(GridEditor.CellEdited)
    def _cell_edited(self, event: GridEditor.CellEdited) -> None:
        self.scene = self.scene.with_cell(event.which, event.cell, event.value)

    @on(GridEditor.Filled)
    def _filled(self, event: GridEditor.Filled) -> None:
        self.action_fill(event.which, event.how)

    @on(GridEditor.Resized)
    def _resized(self, event: GridEditor.Resized) -> None:
        self.scene = self.scene.resized(event.which, event.rows, event.cols)

    @on(Settings.Changed)
    def _setting_changed(self, event: Settings.Changed) -> None:
        if event.name == "op":
            self.scene = self.scene.with_op(event.value)
            return
        try:
            self.scene = self.scene.with_param(event.name, event.value)
        except ValueError as exc:
            self.error = str(exc)
