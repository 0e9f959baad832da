"""The line under the title: what the screen shows, and that ``t`` starts the guided tour.

On the first screen it says what the seed post's example is (r taken back to 3×3 by r · W2, with
W2 = W1ᵀ); on any other scene, the operator and its sizes. The words come from
:func:`tui_upsample.teaching.intro`; a narrow terminal gets the shorter of its two wordings. The
line is hidden in the guided tour, whose panel says more.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from tui_upsample.scene import Scene
from tui_upsample.teaching import intro


class IntroLine(Static):
    """One line: what is shown, then the tour's key."""

    DEFAULT_CSS = """
    IntroLine {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        &.-touring { display: none; }
        & > .intro-line--key { color: $text-accent; text-style: bold; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"intro-line--key"}

    scene: var[Scene] = var(Scene.seed_example, always_update=True)
    """The scene on screen (bound to the app's)."""
    output_shape: var[tuple[int, ...]] = var(())
    """The last valid output's shape (bound to the app's)."""
    tour_stop: var[int | None] = var(None)
    """The guided tour's stop (bound to the app's): the line is hidden in the tour."""

    def watch_scene(self) -> None:
        self._draw()

    def watch_output_shape(self) -> None:
        self._draw()

    def watch_tour_stop(self, stop: int | None) -> None:
        self.set_class(stop is not None, "-touring")

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def line(self, width: int) -> Text:
        """The line for ``width`` columns: the long wording if it fits, else the short one."""
        what, short, tour = intro(self.scene, self.output_shape)
        key, _, does = tour.partition(" ")
        key_style = self.get_component_rich_style("intro-line--key")
        for words in (what, short):
            text = Text.assemble(words, "  ·  ", (key, key_style), f" {does}")
            if text.cell_len <= width:
                return text
        return Text.assemble(short, "  ", (key, key_style), " tour")

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        text = self.line(self.content_region.width or self.app.size.width - 2)
        if str(getattr(self, "_drawn", "")) != text.plain:
            self._drawn = text.plain
            self.update(text, layout=False)
