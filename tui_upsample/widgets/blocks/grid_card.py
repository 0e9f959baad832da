"""A titled grid for the teaching views: one :class:`GridView` with a border, sized to its grid.

The compare, overlap and conventions views lay several small grids out side by side; each is a
``GridView`` (the one widget that draws every grid) in a bordered card whose width and height
follow the grid, up to what the view has room for (past that the card scrolls).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tui_upsample.widgets.blocks.grid_view import BlockFrame, GridView

CARD_LINES = 14
"""Lines of a grid a card shows before it scrolls."""


class GridCard(GridView):
    """A bordered grid with a title (what it is and its size) and an optional note under it."""

    DEFAULT_CSS = """
    GridCard {
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        margin-right: 1;
        max-width: 100%;
        &.-output { border: round $warning 70%; }
        &.-marked { border: round $accent; }
    }
    """

    def __init__(
        self,
        title: str,
        values: Any,
        *,
        note: str = "",
        dim_zeros: bool = False,
        width: int | None = None,
        max_width: int | None = None,
        max_lines: int = CARD_LINES,
        blocks: BlockFrame | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(dim_zeros=dim_zeros, id=id, classes=classes)
        self.blocks = blocks
        """The channel blocks the grid is drawn in (captions and separators), or None."""
        self.max_width = max_width
        """The widest the card may be (columns, borders included), or None for no limit."""
        self.max_lines = max_lines
        """Grid lines shown before the card scrolls."""
        self.border_title = title
        self.border_subtitle = note
        self.update(values, width=width)

    def update(
        self,
        values: Any,
        highlights: Mapping[str, Iterable[tuple[int, ...]]] | None = None,
        *,
        width: int | None = None,
    ) -> None:
        """Show ``values`` with ``highlights`` and fit the card around them."""
        self.show(values, highlights, width=width, follow=self.is_mounted, blocks=self.blocks)
        self._fit()

    def _fit(self) -> None:
        """Width and height for the whole grid, a line more when it must scroll sideways."""
        lines = min(self.content_height, self.max_lines)
        scroll_y = 1 if self.content_height > self.max_lines else 0
        title = len(self.border_title or "") + 6
        caption = len(self.border_subtitle or "") + 6  # the caption whole, never cut with …
        needed = self.content_width + 2 + scroll_y
        width = max(needed, title, caption)
        if self.max_width is not None and width > self.max_width:
            width = self.max_width
        room = self.outer_size.width if self.is_mounted and self.outer_size.width else width
        scroll_x = 1 if needed > min(width, room) else 0
        self.styles.width = width
        self.styles.height = lines + 2 + scroll_x

    def on_resize(self) -> None:
        self._fit()
