"""The help screen: every key, read from the bindings themselves so it cannot drift from them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA_KEYS: tuple[tuple[str, str, str], ...] = (
    ("0-9 - . e", "Start typing a new value for the cell", "grid editor"),
    ("ctrl+p", "Command palette: operators, methods, presets, grid commands", "everywhere"),
    ("ctrl+q", "Quit", "everywhere"),
    (
        "c, then n / p",
        "Compare steps one output cell at a time: matrix and direct compute that cell; the "
        "scatter face shows its sum after the last input value whose footprint reaches that "
        "cell or an earlier one (from then on those cells are final in all three faces)",
        "everywhere",
    ),
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

    COMPONENT_CLASSES: ClassVar[set[str]] = {"help-screen--key"}

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
    HelpScreen > .help-screen--key { color: $accent; text-style: bold; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; color: $text-accent; }
    HelpScreen #keys { height: auto; }
    """

    def __init__(self, sources: Iterable[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self._sources = list(sources)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Keys  (escape closes)", id="help-title")
            yield Static(id="keys")
            yield Static(
                "Stepping keys work in every pane except while a cell value is being typed.",
            )

    def on_mount(self) -> None:
        rows = binding_rows(self._sources, self.app.get_key_display) + list(EXTRA_KEYS)
        self.rows = rows
        """(keys, description, where) of every row shown."""
        key_style = self.get_component_rich_style("help-screen--key", partial=True)
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column("Key", no_wrap=True, style=key_style)
        table.add_column("Does", ratio=1)
        for where in dict.fromkeys(row[2] for row in rows):
            table.add_row(Text(where, style="bold underline"), "")
            for keys, does, place in rows:
                if place == where:
                    table.add_row(keys, does)
        self.query_one("#keys", Static).update(table)
