"""Textual's footer, built with the first screen and rebuilt only when the keys it shows change.

Textual's footer starts empty and builds its row of keys (a widget per key) after the screen
first says its bindings are ready, then again whenever the screen says they may have changed: on
every focus change, twice while the first screen settles. Most of those calls change nothing the
footer shows, and each rebuild costs ten widgets' styling and a layout pass. This footer draws
its keys with the rest of the first screen, and compares what would be shown with what is shown
before rebuilding.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A ``Footer`` that recomposes only when a shown key, label or enabled state changes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bindings_ready = True  # the app's bindings are known when the footer is composed
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        self._shown = self._keys_shown()
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def _keys_shown(self) -> tuple[object, ...]:
        """What ``compose`` draws: the shown bindings with their state, and the style."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (key, binding.action, binding.description, enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == palette
            ),
        )

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
