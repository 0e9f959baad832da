"""Notes under the settings: the questions learners ask about the parameters on screen.

What the notes say comes from :mod:`tui_upsample.teaching` (and every number in it from the
engine); this widget only draws the paragraphs.

The notes sit at the foot of the side pane, often scrolled out of view. An edit of a grid's numbers
changes only the adjoint's two numbers; while those lines are out of view, the notes wait (no
adjoint is computed, nothing off screen is repainted) and catch up before the lines can be seen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.containers import ScrollableContainer
from textual.geometry import Region
from textual.reactive import var
from textual.visual import visualize
from textual.widget import Widget

from tui_upsample.scene import Scene
from tui_upsample.teaching import NOTE_PARTS, numbers_only, scene_notes
from tui_upsample.widgets.blocks.quiet_text import refresh_text
from tui_upsample.widgets.blocks.scroll_keys import SCROLL_BINDINGS, ScrollKeys

PART_STYLE = {
    "story-head": "notes--head",
    "story-text": "notes--text",
    "notes-head": "notes--head",
    "notes-text": "notes--text",
    "adjoint-head": "notes--head",
    "adjoint-lhs": "notes--identity",
    "adjoint-rhs": "notes--identity",
    "adjoint-note": "notes--muted",
}
"""The component class that styles each paragraph."""


class LessonNotes(ScrollKeys, Widget):
    """What the seed post says this operator is for, and what its parameters mean beyond the
    output-size formula.

    One widget draws every paragraph (six widgets cost six times the start-up styling and layout);
    ``parts`` holds their texts. It takes the focus, and then the scroll keys move the side pane
    it sits at the foot of.
    """

    BINDINGS: ClassVar[list[BindingType]] = SCROLL_BINDINGS

    can_focus = True

    DEFAULT_CSS = """
    LessonNotes {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus { border: round $accent; }
        & > .notes--head { color: $text-accent; text-style: bold; }
        & > .notes--text { color: $text; }
        & > .notes--muted { color: $text-muted; }
        & > .notes--identity { color: $text-success; text-style: bold; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "notes--head",
        "notes--text",
        "notes--muted",
        "notes--identity",
    }

    # var, not reactive: a change repaints the notes only if their text changes (``_draw``).
    scene: var[Scene] = var(Scene.seed_example, always_update=True)
    """The scene the notes are about (bound to the app's)."""

    output_shape: var[tuple[int, ...]] = var(())
    """The last valid output's shape (bound to the app's): the story's sizes."""

    _behind = False
    """Whether the adjoint lines still show an earlier scene's numbers (they were out of view)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.parts: dict[str, str] = dict.fromkeys(NOTE_PARTS, "")
        """The text of each paragraph on screen (see NOTE_PARTS)."""

    def render(self) -> Text:
        return self._text(NOTE_PARTS)

    def _text(self, names: tuple[str, ...]) -> Text:
        """The paragraphs ``names`` (the empty ones left out), one under the other."""
        lines = [
            Text(self.parts[name], style=self.get_component_rich_style(PART_STYLE[name]))
            for name in names
            if self.parts[name]
        ]
        return Text("\n").join(lines)

    def on_mount(self) -> None:
        self.border_title = "why"
        # The adjoint lines left behind out of view are drawn before they can come into view:
        # when the pane around them scrolls, holds more or less (its virtual size) or gets taller
        # (its scrollbar's window). Textual sets these before it paints the frame.
        for pane in self.ancestors:
            if isinstance(pane, ScrollableContainer):
                self.watch(pane, "scroll_y", self._catch_up, init=False)
                self.watch(pane, "virtual_size", self._catch_up_if_in_view, init=False)
                self.watch(pane.vertical_scrollbar, "window_size", self._catch_up, init=False)
        self._draw()

    def scroll_targets(self) -> list[Widget]:
        return [pane for pane in self.ancestors if isinstance(pane, ScrollableContainer)][:1]

    def watch_output_shape(self) -> None:
        self._draw()

    def watch_scene(self, old: Scene, scene: Scene) -> None:
        if self.is_mounted and numbers_only(old, scene) and not self._adjoint_in_view():
            self._behind = True  # nothing else changes: the adjoint can wait until it is seen
            return
        self._draw()

    def _adjoint_in_view(self) -> bool:
        """Whether a line of the adjoint is on screen (in Textual's last layout)."""
        if not self.screen.can_view_partial(self):
            return False
        content = self.content_region
        above = self._text(NOTE_PARTS[: NOTE_PARTS.index("adjoint-head")])  # over the adjoint
        skip = visualize(self, above).get_height(self.styles, content.width) if above else 0
        lines = Region(content.x, content.y + skip, content.width, max(content.height - skip, 0))
        node: Widget = self
        while isinstance(node.parent, Widget):  # as Widget.can_view_partial, for a region
            if not lines.overlaps(node.parent.scrollable_content_region):
                return False
            node = node.parent
        return True

    def _catch_up(self) -> None:
        if self._behind:
            self._draw()

    def _catch_up_if_in_view(self) -> None:
        # Called after Textual laid the pane out again: the layout says what is in view.
        if self._behind and self._adjoint_in_view():
            self._draw()

    # What is on screen ----------------------------------------------------------------------
    def _draw(self) -> None:
        if not self.is_mounted:
            return
        self._behind = False
        parts = scene_notes(self.scene, self.output_shape)
        shown = any(parts.values())
        if self.display != shown:
            self.display = shown
        if parts != self.parts:
            self.parts = parts
            refresh_text(self)
