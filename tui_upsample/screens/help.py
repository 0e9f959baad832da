"""The help screen: every key, read from the bindings themselves so it cannot drift from them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

EXTRA_KEYS: tuple[tuple[str, str, str], ...] = (
    ("0-9 - . e", "Start typing a new value for the cell", "grid editor"),
    ("tab / shift+tab", "Next / previous pane", "everywhere"),
    ("ctrl+p", "Command palette: operators, methods, presets, grid commands", "everywhere"),
)
"""Keys that are not bindings (typed characters, Textual's own focus and palette keys)."""


def binding_rows(
    sources: Iterable[tuple[str, Iterable[BindingType]]], key_display
) -> list[tuple[str, str, str]]:
    """(keys, description, where) for every binding with a description, keys of one action
    joined."""
    rows: list[tuple[str, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for where, bindings in sources:
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = " / ".join(key_display(b) for b in Binding.make_bindings([binding]))
            index = seen.get((where, binding.action))
            if index is not None:
                old = rows[index]
                rows[index] = (f"{old[0]} / {keys}", old[1], old[2])
                continue
            seen[(where, binding.action)] = len(rows)
            rows.append((keys, binding.description, where))
    return rows


class HelpScreen(ModalScreen[None]):
    """Every key of the app, by pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "app.pop_screen", "Close help", id="help-close"),
    ]
    """
    | Key | Description |
    | :- | :- |
    | escape, q, f1, ? | Close the help screen. |
    """

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; color: $text-accent; }
    HelpScreen DataTable { height: auto; }
    """

    def __init__(self, sources: Iterable[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self._sources = list(sources)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Keys  (escape closes)", id="help-title")
            yield DataTable(cursor_type="none", zebra_stripes=True, show_cursor=False)
            yield Static(
                "Stepping keys work in every pane except while a cell value is being typed.",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Does", "Where")
        rows = binding_rows(self._sources, self.app.get_key_display)
        rows += list(EXTRA_KEYS)
        for row in rows:
            table.add_row(*row)
