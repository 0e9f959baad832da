"""Textual's footer, rebuilt only when the keys it shows change.

The footer rebuilds its row of keys (a widget per key) whenever the screen says its bindings may
have changed: on focus changes, and more than once while the first screen settles. Most of those
calls change nothing the footer shows, and each rebuild costs ten widgets' styling and a layout
pass. Comparing what would be shown with what is shown skips them.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A ``Footer`` that recomposes only when a shown key, label or enabled state changes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def _keys_shown(self) -> tuple[object, ...]:
        """What ``compose`` draws from: every active binding with its state, and the style."""
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (key, binding.action, binding.description, binding.show, enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            ),
        )

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
