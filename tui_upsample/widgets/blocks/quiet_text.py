"""Changing a line of text without laying the whole screen out again.

``Static.update(text)`` asks for a layout pass, and a layout pass repaints every pane's scrollbars
and re-measures every widget: on a cell edit that was most of the time between the key and the new
picture. When the new text takes as many lines as the old, only the widget itself needs a repaint.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from tui_upsample.safe_text import shown_lines


def set_text(widget: Static, text: str | Text | Content) -> None:
    """Show ``text`` in ``widget``; lay the screen out again only if its height must change."""
    if getattr(widget, "_quiet_text", None) == text:
        return
    widget._quiet_text = text  # type: ignore[attr-defined]
    widget.update(text, layout=False)
    refresh_text(widget)


def refresh_text(widget: Widget) -> None:
    """Repaint ``widget``, whose text just changed; lay the screen out again only if its height
    must change."""
    width = widget.content_region.width
    if width <= 0 or not widget.display:
        widget.refresh(layout=True)
        return
    widget.refresh()
    lines = widget.get_content_height(widget.content_region.size, widget.app.size, width)
    if lines != widget.content_region.height:
        widget.refresh(layout=True)


def plain(text: object) -> Content:
    """``text`` as Textual content shown exactly as written (no markup), controls escaped."""
    return Content(shown_lines(text))
