"""Views that draw only while they are on screen.

The compare, overlap and conventions views sit behind the step view in a content switcher; redrawing
a hidden one on every step or edit would cost a frame for nothing. A change made while a view is
hidden is remembered and drawn when the view is next shown.
"""

from __future__ import annotations


class DrawnWhenShown:
    """Mixin for a widget with a ``_draw()`` method (list it before the widget class)."""

    _stale_while_hidden = False

    # Attributes the widget class provides.
    is_mounted: bool
    display: bool

    def _draw(self) -> None:
        raise NotImplementedError

    def on_show(self) -> None:
        if self._stale_while_hidden:
            self._stale_while_hidden = False
            self._draw()

    def _ready_to_draw(self) -> bool:
        """Whether to draw now; when hidden behind another view, draw when next shown instead."""
        if not self.is_mounted:
            return False
        if not self.display:
            self._stale_while_hidden = True
            return False
        return True
