"""Keys that scroll a pane whose content is taller than the screen: the step view, the teaching
views, the notes, the tour's words.

``home`` and ``end`` stay the first and last step everywhere on the main screen (and in the tour
``pageup`` / ``pagedown`` change stops), so the top and the bottom of a pane are ``ctrl+home`` and
``ctrl+end``. A pane mixes in :class:`ScrollKeys` and names what scrolls (itself, by default).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType
from textual.widget import Widget

SCROLL_BINDINGS: list[BindingType] = [
    Binding("up", "scroll_pane('up')", "Scroll up", show=False, id="scroll-up"),
    Binding("down", "scroll_pane('down')", "Scroll down", show=False, id="scroll-down"),
    Binding(
        "pageup", "scroll_pane('page_up')", "Scroll a page up", show=False, id="scroll-page-up"
    ),
    Binding(
        "pagedown",
        "scroll_pane('page_down')",
        "Scroll a page down",
        show=False,
        id="scroll-page-down",
    ),
    Binding("ctrl+home", "scroll_pane('home')", "Scroll to the top", show=False, id="scroll-top"),
    Binding(
        "ctrl+end", "scroll_pane('end')", "Scroll to the bottom", show=False, id="scroll-bottom"
    ),
]
"""
| Key | Description |
| :- | :- |
| up / down | Scroll the focused pane a line. |
| pageup / pagedown | Scroll it a page (in the tour these change stops). |
| ctrl+home / ctrl+end | Its top / bottom (home / end are the first / last step). |
"""

SCROLL_HINT = "↑↓ PgUp PgDn scroll"
"""What a focused pane that does not show everything says in its border."""

MORE_HINT = "more {where} (tab here)"
"""What it says without the focus."""


class ScrollKeys:
    """Mixin for a focusable pane (listed before its widget class, which keeps its CSS): the
    scroll keys move ``scroll_targets()``. Textual reads bindings from widget classes only, so
    the pane sets ``BINDINGS = SCROLL_BINDINGS`` (or adds them to its own)."""

    # Attributes the widget class provides.
    is_mounted: bool
    has_focus: bool
    border_subtitle: object
    call_after_refresh: Any
    watch: Any

    def scroll_targets(self) -> list[Widget]:
        """The widgets the keys scroll (together): the pane itself, unless it says otherwise."""
        assert isinstance(self, Widget)
        return [self]

    def on_mount(self) -> None:
        self.call_after_refresh(self._watch_targets)

    def _watch_targets(self) -> None:
        for target in {id(t): t for t in (*self.scroll_targets(), self)}.values():
            self.watch(target, "virtual_size", self.refresh_hint, init=False)
            self.watch(target, "scroll_y", self.refresh_hint, init=False)
        self.refresh_hint()

    def on_resize(self) -> None:
        self.call_after_refresh(self.refresh_hint)

    # Handlers of the mixin run before Widget's, which sets has_focus: hint once it has.
    def on_focus(self) -> None:
        self.call_after_refresh(self.refresh_hint)

    def on_blur(self) -> None:
        self.call_after_refresh(self.refresh_hint)

    def refresh_hint(self) -> None:
        """Say in the border that there is more to see, and how (nothing when all shows)."""
        if not self.is_mounted:
            return
        targets = [t for t in self.scroll_targets() if t.is_mounted]
        hidden = [t for t in targets if t.max_scroll_y > 0]
        if not hidden:
            hint = ""
        elif self.has_focus:
            hint = SCROLL_HINT
        else:
            below = any(t.scroll_y < t.max_scroll_y for t in hidden)
            hint = MORE_HINT.format(where="↓" if below else "↑")
        if self.border_subtitle != hint:
            self.border_subtitle = hint

    def action_scroll_pane(self, how: str) -> None:
        """Scroll the pane: "up", "down", "page_up", "page_down", "home" or "end"."""
        for target in self.scroll_targets():
            if how == "up":
                target.scroll_up(animate=False)
            elif how == "down":
                target.scroll_down(animate=False)
            elif how == "page_up":
                target.scroll_page_up(animate=False)
            elif how == "page_down":
                target.scroll_page_down(animate=False)
            elif how == "home":
                target.scroll_home(animate=False)
            elif how == "end":
                target.scroll_end(animate=False)
