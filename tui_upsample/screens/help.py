"""The help screen: every key, read from the bindings themselves so it cannot drift from them.

Shown in the language chosen (``--lang``): the bindings' descriptions are the catalogs' message
ids, so the help screen is translated where it is drawn, and ``rows`` stay in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_upsample.language import _
from tui_upsample.preferences import UNBOUND, config_path

EXTRA_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("0-9 - + . e", "Start typing a new value for the cell", "grid editor", ""),
    ("ctrl+p", "Command palette: operators, methods, presets, grid commands", "everywhere", ""),
    (
        "c, then n / p",
        "Compare steps one output cell at a time: matrix and direct compute that cell; the "
        "scatter face shows its sum after the last input value whose footprint reaches that "
        "cell or an earlier one (from then on those cells are final in all three faces)",
        "everywhere",
        "",
    ),
)
"""Keys that are not bindings (typed characters, Textual's own focus and palette keys)."""


def binding_rows(
    sources: Iterable[tuple[str, Iterable[BindingType]]],
    key_display: Callable[[Binding], str],
    keymap: Mapping[str, str] | None = None,
) -> list[tuple[str, str, str, str]]:
    """(keys, description, where, binding ids) for every binding with a description, with the
    learner's ``keymap`` (binding id → keys) in place; bindings described alike are one row."""
    keymap = keymap or {}
    rows: list[tuple[str, str, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for where, bindings in sources:
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if binding.id in keymap:
                binding = binding.with_key(keymap[binding.id])
            shown = [b for b in Binding.make_bindings([binding]) if b.key != UNBOUND]
            keys = " / ".join(key_display(b) for b in shown) or "(no key)"
            index = seen.get((where, binding.description))
            if index is not None:
                old = rows[index]
                ids = f"{old[3]}, {binding.id}" if binding.id and old[3] else old[3] or binding.id
                rows[index] = (f"{old[0]} / {keys}", old[1], old[2], ids or "")
                continue
            seen[(where, binding.description)] = len(rows)
            rows.append((keys, binding.description, where, binding.id or ""))
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
    HelpScreen #help-preferences { color: $text-muted; margin-top: 1; }
    """

    def __init__(
        self,
        sources: Iterable[tuple[str, Iterable[BindingType]]],
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._sources = list(sources)
        self._keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(_("Keys  (escape closes)"), id="help-title")
            yield Static(id="keys")
            yield Static(
                _(
                    "Stepping keys work in every pane except while a cell value is being typed."
                    " Quitting keeps the scene: upsample-tui --resume opens it again."
                ),
            )
            yield Static(
                _("Preferences: {path}").format(path=config_path())
                + "\n"
                + _(
                    '  theme = "nord", and under [keys] a binding id = "keys", e.g. cell-up ='
                    ' "k,up" (the ids are in the right-hand column)'
                ),
                id="help-preferences",
            )

    def on_mount(self) -> None:
        rows = binding_rows(self._sources, self.app.get_key_display, self._keymap)
        rows += list(EXTRA_KEYS)
        self.rows = rows
        """(keys, description, where, binding ids) of every row shown."""
        key_style = self.get_component_rich_style("help-screen--key", partial=True)
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column("Key", no_wrap=True, style=key_style)
        table.add_column("Does", ratio=1)
        table.add_column("id", style="dim", no_wrap=True)  # an id is typed as shown: whole
        for where in dict.fromkeys(row[2] for row in rows):
            table.add_row(Text(_(where), style="bold underline"), "", "")
            for keys, does, place, ids in rows:
                if place == where:
                    table.add_row(_(keys), _(does), ids.replace(", ", "\n"))
        self.query_one("#keys", Static).update(table)
