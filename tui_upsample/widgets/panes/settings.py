"""The pane where a learner picks the operator and sets the parameters it takes.

Only the parameters the operator takes are shown. Under them, the output-size formula with this
scene's numbers put in; an invalid combination shows the engine's own message instead (the step view
keeps the last valid picture). The pane reports every change with :class:`Settings.Changed`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Input, Select, Static, Switch

from tui_upsample.engine.operators import all_parameters, output_size_formula
from tui_upsample.engine.parameters import CHOICE, FLAG, INT, NUMBER, PADDING, Parameter
from tui_upsample.engine.text import Formula
from tui_upsample.safe_text import quoted
from tui_upsample.scene import (
    KERNEL_OPERATORS,
    MAX_PARAMETER,
    METHODS,
    OPERATOR_NAMES,
    OPERATORS,
    PADDING_WORDS,
    Scene,
)
from tui_upsample.widgets.blocks.quiet_text import plain, set_text
from tui_upsample.widgets.lean.choice import Choice

SETTINGS: dict[str, Parameter] = {p.field: p for p in all_parameters()}
"""Every parameter some operator takes, in the order the pane lays them out (the table's)."""

LABELS: dict[str, str] = {name: p.label for name, p in SETTINGS.items()}
"""What each parameter is called in the pane (with the letter the formula uses)."""

CHANNEL_LABELS: dict[str, str] = {
    "in_channels": "in channels",
    "out_channels": "out channels",
    "groups": "groups g",
    "channels": "channels",
}
"""The channel counts' rows, in the order the pane lays them out (under the operator)."""

SCREEN_CHANNELS = 4
"""Most planes the pane and the plane keys set: 1 to 4 fit on screen side by side. Scenes of 5 to
8 planes (the engine's limit) come from the command line and are shown as they are."""


def channel_fields(scene: Scene) -> tuple[str, ...]:
    """The channel counts operator ``scene.op`` takes: the convolutions their in and out
    channels and groups; pixel shuffle its out channels (its input is C_out·r² channels); every
    other operator works plane by plane, so it takes one count."""
    if scene.op in KERNEL_OPERATORS:
        return ("in_channels", "out_channels", "groups")
    if scene.op == "pixel_shuffle":
        return ("out_channels",)
    return ("channels",)


def channel_value(scene: Scene, name: str) -> int:
    """The scene's count for channel row ``name``."""
    if name == "channels":
        return scene.in_channels
    return int(getattr(scene, name))


def parse_count(name: str, text: str) -> int:
    """The channel count typed for row ``name``; ValueError with a message if it is not one."""
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(
            f"{CHANNEL_LABELS[name]}: {quoted(text.strip())} is not an integer"
        ) from None
    return int(_at_most(name, value))


INTEGER_PARAMS = tuple(name for name, p in SETTINGS.items() if p.kind == INT)
SWITCH_PARAMS = tuple(name for name, p in SETTINGS.items() if p.kind == FLAG)


def parse_param(name: str, text: str) -> Any:
    """The value typed for parameter ``name``; ValueError with a message if it is not one."""
    text = text.strip()
    if not text and name in SETTINGS and SETTINGS[name].optional:
        return None  # left empty: the operator's own default
    if name in INTEGER_PARAMS:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{name}: {quoted(text)} is not an integer") from None
        return _at_most(name, value)
    kind = SETTINGS[name].kind if name in SETTINGS else ""
    if kind == PADDING:
        if text.lower() in PADDING_WORDS:
            return text.lower()
        try:
            value = int(text)
        except ValueError:
            raise ValueError(
                f"padding: {quoted(text)} is not an integer, 'same' or 'valid'"
            ) from None
        return _at_most(name, value)
    if kind == NUMBER:
        try:
            scale = float(text)
        except ValueError:
            raise ValueError(f"{SETTINGS[name].keyword}: {quoted(text)} is not a number") from None
        if not math.isfinite(scale):
            raise ValueError(f"{SETTINGS[name].keyword}: {quoted(text)} is not a finite number")
        return _at_most(str(SETTINGS[name].keyword), scale)
    return text


def _at_most(name: str, value: float) -> Any:
    """``value``, or ValueError if it is beyond what a scene takes (the old value stays)."""
    if abs(value) > MAX_PARAMETER:
        big = isinstance(value, int) and value >= 10**20
        shown = f"an integer of {len(str(abs(value)))} digits" if big else f"{value:g}"
        raise ValueError(f"{name}: {shown} is more than {MAX_PARAMETER:,}")
    return value


class ParamInput(Input):
    """A one-line field for a parameter that takes only the characters its values can have, so
    the stepping keys (n, p, o, q, space…) still work while it has the focus."""

    NUMBER_CHARACTERS = frozenset("0123456789-+.eE")
    PADDING_CHARACTERS = NUMBER_CHARACTERS | frozenset("samevlidSAMEVLID")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character is None or not character.isprintable():
            return False
        allowed = self.PADDING_CHARACTERS if self.id == "padding" else self.NUMBER_CHARACTERS
        return character in allowed

    async def _on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character.isprintable():
            if not self.check_consume_key(event.key, event.character):
                return  # not ours: let it bubble up to the app's keys
        await super()._on_key(event)


class OnOffSwitch(Switch):
    """A switch that says "on" or "off": a bare compact switch that is off is an unlabelled
    dark block."""

    def render(self) -> Text:
        if self.value:
            return Text.assemble(("●", "bold"), " on")
        return Text("○ off")

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return 5


OPERATORS_TO_BREAK_AT = (" + ", " − ", " → ")
"""Where a side of a formula too long for its line may be broken (before the operator)."""


def wrap_formula(formula: Formula, width: int) -> str:
    """A formula broken before its " = " signs, continuation lines indented; the first side (the
    size's name) never stands alone, and a side too long for one line is broken before a + or −
    into two lines as even as they can be."""
    first, *rest = formula.sides
    if rest and formula.note:
        rest[-1] += f" {formula.note}"
    head = f"{formula.label}: {first}" if formula.label else first
    lines: list[str] = []
    if rest:
        lines += _break_line(f"{head} = {rest[0]}", width, " " * (len(head) + 3))
        rest = rest[1:]
    else:
        lines.append(head)
    for part in rest:
        if len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " = " + part
        else:
            lines += _break_line("  = " + part, width, "    ")
    return "\n".join(lines)


def _break_line(line: str, width: int, indent: str) -> list[str]:
    """``line`` as it is if it fits in ``width``, else broken once before an operator so that
    both halves fit (the second indented by ``indent``) and are as even as they can be."""
    if len(line) <= width:
        return [line]
    best: tuple[int, int] | None = None  # (the longer half, where)
    depth = 0  # inside brackets a break would hide the term's structure
    for at, char in enumerate(line):
        depth += (char in "([⌊⌈") - (char in ")]⌋⌉")
        if depth or not any(line.startswith(op, at) for op in OPERATORS_TO_BREAK_AT):
            continue
        left, right = line[:at], indent + line[at + 1 :]
        if len(left) <= width:
            longer = max(len(left), len(right))
            if best is None or longer < best[0]:
                best = (longer, at)
    if best is None:
        return [line]  # nowhere to break: the pane wraps it
    at = best[1]
    return [line[:at], indent + line[at + 1 :]]


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Settings(Vertical):
    """Operator, parameters, the output-size formula, and the engine's complaint if any."""

    DEFAULT_CSS = """
    Settings {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & #params { height: auto; }
        & #labels { width: 15; height: auto; color: $text-muted; }
        & #controls { width: 1fr; height: auto; }
        & #controls > * { height: 1; }
        & #controls > Input { width: 1fr; }
        & #controls > Select { width: 1fr; }
        & #controls > Switch { width: auto; height: 1; border: none; padding: 0; }
        & #controls > Switch:focus { border: none; }
        & #formula { color: $text; margin-top: 1; height: auto; }
        & #problem { color: $text-error; text-style: bold; height: auto; }
    }
    """

    # vars, not reactives: a change repaints only the controls and lines it changes (``_sync``),
    # not the whole pane.
    scene: var[Scene] = var(Scene.seed_example, always_update=True)
    """The scene the pane shows (bound to the app's)."""
    error: var[str] = var("")
    """The engine's message for the scene, if it is invalid (bound to the app's)."""
    output_shape: var[tuple[int, ...]] = var(())
    """The size of the last valid output (bound to the app's), for rules the engine decides."""
    hide_formula: var[bool] = var(False)
    """Whether the output-size formula is kept back: the quiz is asking for the size."""

    PARAMETERS: ClassVar[tuple[str, ...]] = tuple(LABELS)

    class Changed(Message):
        """The learner set the operator (``name == "op"``) or one of its parameters."""

        def __init__(self, name: str, value: Any) -> None:
            super().__init__()
            self.name = name
            self.value = value

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._typo = ""
        self._ready = False  # controls post Changed while they are first set up: not the learner
        self._methods_shown: tuple[str, ...] = ()
        self._resync = False  # a _sync is due once rows just built are mounted
        self._controls: dict[str, Widget] = {}  # the parameters whose row exists: their control
        self._channel_boxes: dict[str, Input] = {}  # the channel counts' rows, by name

    def compose(self) -> ComposeResult:
        # One column of labels and one of controls rather than a row widget apiece: every widget
        # costs start-up time. A control is built the first time an operator takes its parameter
        # (``_sync``): the seed's operator takes 6 of the 11.
        with Horizontal(id="params"):
            yield Static(self._labels(), id="labels")
            with Vertical(id="controls"):
                yield Choice(
                    [(op, op) for op in OPERATORS],
                    value=self.scene.op,
                    allow_blank=False,
                    compact=True,
                    id="op",
                )
                for name in self.PARAMETERS:
                    if name in self.scene.takes:
                        yield self._new_control(name)
                # The channel counts, under the operator's own parameters (built once: cheap).
                shown = channel_fields(self.scene)
                for name in CHANNEL_LABELS:
                    value = str(channel_value(self.scene, name))
                    box = ParamInput(value, type="integer", compact=True, id=name)
                    box.display = name in shown
                    self._channel_boxes[name] = box
                    yield box
        yield Static("", id="formula")
        yield Static("", id="problem")

    def _labels(self) -> str:
        """The label column: one line per control shown, the operator's first."""
        counts = [CHANNEL_LABELS[name] for name in channel_fields(self.scene)]
        shown = [LABELS[name] for name in self.PARAMETERS if name in self.scene.takes]
        return "\n".join(["operator", *shown, *counts])

    def _new_control(self, name: str) -> Widget:
        """The control for parameter ``name``, set to the scene's value."""
        control = self._controls[name] = self._control(name)
        return control

    def _build_control(self, name: str) -> None:
        """Mount the control for ``name`` in its place, between the ones already built."""
        later = self.PARAMETERS[self.PARAMETERS.index(name) + 1 :]
        before = next((self._controls[n] for n in later if n in self._controls), None)
        if before is None:  # the last of the parameters: over the channel counts
            before = next(iter(self._channel_boxes.values()), None)
        control = self._new_control(name)
        self.query_one("#controls").mount(control, before=before)
        if isinstance(control, Input):
            control.cursor_blink = getattr(self.app, "cursor_blink", True)

    def _control(self, name: str) -> Widget:
        if name in SWITCH_PARAMS:
            return OnOffSwitch(value=bool(getattr(self.scene, name)), id=name)
        if name == "method":
            methods = METHODS.get(self.scene.op, ("im2col",))
            self._methods_shown = methods
            value = self.scene.method if self.scene.method in methods else methods[0]
            return Choice(
                [(m, m) for m in methods], value=value, allow_blank=False, compact=True, id=name
            )
        setting = SETTINGS[name]
        if setting.kind == CHOICE:
            return Choice(
                [(c, c) for c in setting.choices],
                value=getattr(self.scene, name),
                allow_blank=False,
                compact=True,
                id=name,
            )
        kind = {INT: "integer", NUMBER: "number"}.get(setting.kind, "text")
        return ParamInput(_show(self._value(name)), type=kind, compact=True, id=name)

    def on_mount(self) -> None:
        blink = getattr(self.app, "cursor_blink", True)
        for box in self.query(Input):
            box.cursor_blink = blink
        self._sync()
        self.call_after_refresh(self._set_ready)

    def _set_ready(self) -> None:
        self._sync()
        self._ready = True

    def _value(self, name: str) -> Any:
        if name == "kernel_size":
            k = self.scene.effective_kernel_size
            return k if isinstance(k, int) else k[0]
        return getattr(self.scene, name)

    # Scene → screen ----------------------------------------------------------------------------
    def watch_scene(self, scene: Scene) -> None:
        self._sync()

    def watch_error(self, error: str) -> None:
        self._sync()

    def watch_output_shape(self, shape: tuple[int, ...]) -> None:
        self._sync()

    def watch_hide_formula(self, hide: bool) -> None:
        if self.is_mounted:
            self._show_formula()

    def _sync(self) -> None:
        if not self.is_mounted:
            return
        scene = self.scene
        # Setting a title repaints the whole pane: only when it changes.
        if self.border_title != "settings":
            self.border_title = "settings"
        if self.border_subtitle != OPERATOR_NAMES[scene.op]:
            self.border_subtitle = OPERATOR_NAMES[scene.op]
        with self.prevent(Input.Changed, Select.Changed, Switch.Changed):
            op = self.query_one("#op", Select)
            if op.value != scene.op:
                op.value = scene.op
            counts = channel_fields(scene)
            for name, box in self._channel_boxes.items():
                if box.display != (name in counts):
                    box.display = name in counts
                if box.display and box.is_mounted:
                    value = channel_value(scene, name)
                    try:
                        typed = parse_count(name, box.value)
                    except ValueError:
                        typed = None
                    if typed != value:
                        box.value = str(value)
            for name in self.PARAMETERS:
                if name not in self._controls:
                    if name in scene.takes:
                        self._build_control(name)  # built with the scene's value
                    continue
                control = self._controls[name]
                if control.display != (name in scene.takes):
                    control.display = name in scene.takes
                if control.display:
                    self._set_control(name)
        set_text(self.query_one("#labels", Static), self._labels())
        self._show_formula()

    def _set_control(self, name: str) -> None:
        if not self._controls[name].is_mounted:
            # A row just built shows the scene's value; set it again once the control is up, in
            # case the scene changes before (an unmounted Select would show "Select").
            if not self._resync:
                self._resync = True
                self.call_after_refresh(self._sync_again)
            return
        value = self._value(name)
        if name in SWITCH_PARAMS:
            switch = self._controls[name]
            assert isinstance(switch, Switch)
            if switch.value != bool(value):
                switch.value = bool(value)
        elif name == "method":
            select = self._controls[name]
            assert isinstance(select, Select)
            methods = METHODS.get(self.scene.op, ())
            if self._methods_shown != methods:
                select.set_options([(m, m) for m in methods])
                self._methods_shown = methods
            if value in methods and select.value != value:
                select.value = value
            elif value not in methods and methods:
                select.value = methods[0]
        elif SETTINGS[name].kind == CHOICE:
            select = self._controls[name]
            assert isinstance(select, Select)
            if select.value != value:
                select.value = value
        else:
            box = self._controls[name]
            assert isinstance(box, Input)
            try:
                typed = parse_param(name, box.value)
            except ValueError:
                typed = None
            if typed != value or isinstance(typed, bool):
                box.value = _show(value)

    def _sync_again(self) -> None:
        self._resync = False
        self._sync()

    def _show_formula(self) -> None:
        scene = self.scene
        formula = self.query_one("#formula", Static)
        problem = self.query_one("#problem", Static)
        text = self._typo or self.error
        set_text(problem, plain(text))
        problem.display = bool(text)
        if text:
            set_text(formula, "")
            formula.display = False
            return
        if self.hide_formula:
            set_text(formula, "o = ?  (the quiz is asking for the output size)")
            formula.display = True
            return
        params = {k: v for k, v in scene.engine_params().items() if k not in ("weight", "method")}
        if scene.has_kernel:
            params["kernel_size"] = scene.kernel.shape[-2:]
        if scene.op in ("pixel_shuffle", "pixel_unshuffle"):
            params["in_channels"] = scene.in_channels  # the channel line's numbers
        out = self.output_shape[-2:] if self.output_shape else None
        width = max(self.content_region.width, 20)
        try:
            formulas = output_size_formula(scene.op, scene.x.shape[-2:], params, out)
            lines = [wrap_formula(f, width) for f in formulas]
        except ValueError as exc:
            lines = [str(exc)]
        set_text(formula, "\n".join(lines))
        formula.display = bool(lines)

    # Screen → app ------------------------------------------------------------------------------
    def _report(self, name: str, value: Any) -> None:
        if not self._ready:
            return
        self._typo = ""
        if name == "op":
            current: Any = self.scene.op
        elif name in CHANNEL_LABELS:
            current = channel_value(self.scene, name)
        else:
            current = self._value(name)
        if value != current or type(value) is not type(current):
            self.post_message(self.Changed(name, value))
        else:
            self._show_formula()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.BLANK or event.select.id is None:
            return
        self._report(event.select.id, event.value)

    @on(Switch.Changed)
    def _switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        if event.switch.id:
            self._report(event.switch.id, bool(event.value))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        name = event.input.id or ""
        if not event.value.strip():
            return  # still typing
        try:
            if name in CHANNEL_LABELS:
                value: Any = parse_count(name, event.value)
            else:
                value = parse_param(name, event.value)
        except ValueError as exc:
            self._typo = str(exc)
            self._show_formula()
            return
        self._report(name, value)

    def on_resize(self) -> None:
        if self.is_mounted:
            self._show_formula()
