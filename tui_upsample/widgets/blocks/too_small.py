"""The notice shown instead of the panes when the terminal is too small to draw them legibly.

Below :data:`MIN_SIZE` the grids would be cut to slivers and the labels to ellipses; instead, the
screen shows one plain notice with the terminal's size and the size needed. Nothing is lost: the
scene, the step and any edit in progress stay, and the panes come back when the terminal grows.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Static

MIN_SIZE = Size(80, 24)
"""The smallest terminal (columns × lines) the panes are drawn in: the classic 80×24."""

TOO_SMALL_CLASS = "-too-small"
"""Class the screen gets while the terminal is too small (app.tcss hides the panes then)."""


def too_small(size: Size) -> bool:
    """Whether a terminal of ``size`` is too small for the panes."""
    return size.width < MIN_SIZE.width or size.height < MIN_SIZE.height


def notice_text(size: Size) -> str:
    """What the notice says for a terminal of ``size`` (short lines: it must fit in 40×12)."""
    return (
        "The terminal is too small.\n\n"
        f"It is {size.width}×{size.height};\n"
        f"tui-upsample needs {MIN_SIZE.width}×{MIN_SIZE.height}.\n\n"
        "Make the window larger\n"
        "(or the font smaller):\n"
        "everything comes back as it was.\n\n"
        "q quits."
    )


class TooSmallNotice(Static):
    """ "Make the terminal larger": shown in place of the panes while the terminal is too small."""

    DEFAULT_CSS = """
    TooSmallNotice {
        display: none;
        width: 1fr;
        height: 1fr;
        content-align: center middle;
        text-align: center;
        background: $surface;
        color: $text;
        text-style: bold;
    }
    """

    def fit(self, size: Size) -> bool:
        """Show or hide the notice for a terminal of ``size``; whether it is shown."""
        small = too_small(size)
        self.screen.set_class(small, TOO_SMALL_CLASS)
        if small:
            self.update(notice_text(size))
        return small
