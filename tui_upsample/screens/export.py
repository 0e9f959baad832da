"""The export dialog (x) and the open-session dialog (palette): small modal screens.

Both only ask; the app does the writing and loading, and says what happened in a notification.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_upsample.export import FORMAT_NAMES, FORMATS, file_name, keras_refusal
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.quiet_text import plain

HOTKEYS: dict[str, str] = {"pytorch": "p", "keras": "k", "numpy": "n", "session": "s"}
"""The letter that picks each format in the export dialog."""


class ExportScreen(ModalScreen[str | None]):
    """Pick a format; the result is the format's name (None if closed)."""

    AUTO_FOCUS = "#export-formats"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close the dialog", id="export-close"),
        Binding("p", "pick('pytorch')", "Export: PyTorch script", show=False, id="export-pytorch"),
        Binding("k", "pick('keras')", "Export: Keras script", show=False, id="export-keras"),
        Binding("n", "pick('numpy')", "Export: NumPy script", show=False, id="export-numpy"),
        Binding("s", "pick('session')", "Export: session JSON", show=False, id="export-session"),
    ]
    """
    | Key | Description |
    | :- | :- |
    | up / down, enter | Choose a format and write it. |
    | p / k / n / s | PyTorch, Keras, NumPy script, or the session. |
    | escape | Close without writing. |
    """

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ExportScreen #export-title { text-style: bold; color: $text-accent; }
    ExportScreen OptionList { height: auto; max-height: 14; }
    ExportScreen #export-hint { color: $text-muted; }
    """

    def __init__(self, scene: Scene) -> None:
        super().__init__()
        self._scene = scene
        self.refusals: dict[str, str] = {}
        """Why a format cannot be written for this scene, by format (Keras only, for now)."""
        reason = keras_refusal(scene)
        if reason is not None:
            self.refusals["keras"] = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Export {self._scene.op}  (escape closes)", id="export-title")
            options = []
            for fmt in FORMATS:
                key = HOTKEYS[fmt]
                if fmt in self.refusals:
                    why = self.refusals[fmt]
                    text = f"{key}  {FORMAT_NAMES[fmt]}\n   not for this scene: {why}"
                    options.append(Option(plain(text), id=fmt, disabled=True))
                else:
                    text = f"{key}  {FORMAT_NAMES[fmt]}\n   → {file_name(self._scene, fmt)}"
                    options.append(Option(plain(text), id=fmt))
            yield OptionList(*options, id="export-formats")
            where = (
                "Sent to your browser as a download."
                if getattr(self.app, "served", False)
                else "Written to the current directory."
            )
            yield Static(
                f"{where} Each script checks its result against tui-upsample's and prints it"
                " as JSON.",
                id="export-hint",
            )

    def on_mount(self) -> None:
        formats = self.query_one("#export-formats", OptionList)
        formats.highlighted = 0
        formats.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(event.option.id or "")

    def action_pick(self, fmt: str) -> None:
        """Write ``fmt`` (unless this scene cannot be written that way)."""
        if fmt in self.refusals:
            self.notify(self.refusals[fmt], title="No Keras export", severity="warning")
            return
        self.dismiss(fmt)

    def action_close(self) -> None:
        """Close without writing anything."""
        self.dismiss(None)


class OpenSessionScreen(ModalScreen[str | None]):
    """Ask for a session file's path; the result is the path typed (None if closed)."""

    AUTO_FOCUS = "#open-path"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close the dialog", id="open-session-close"),
    ]
    """
    | Key | Description |
    | :- | :- |
    | enter | Open the session at the path typed. |
    | escape | Close without opening anything. |
    """

    DEFAULT_CSS = """
    OpenSessionScreen { align: center middle; }
    OpenSessionScreen > Vertical {
        width: 72; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    OpenSessionScreen #open-title { text-style: bold; color: $text-accent; }
    OpenSessionScreen #open-hint { color: $text-muted; }
    """

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self._path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Open a session  (escape closes)", id="open-title")
            yield Input(self._path, placeholder="path of a session .json", id="open-path")
            yield Static(
                "A session saved with ctrl+s or --export session. The scene on screen changes "
                "only if the file is a valid session.",
                id="open-hint",
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = event.value.strip()
        if not path:
            self.notify("type the path of a session file", severity="warning")
            return
        self.dismiss(path)

    def action_close(self) -> None:
        """Close without opening anything."""
        self.dismiss(None)
