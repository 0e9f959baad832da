"""The guided tour's explanation: the stop's title, the seed paragraph it follows, a few sentences
about the numbers on screen, ``k / n`` and the keys.

The panel sits at the top of the side column, so the step view beside it keeps the whole height
for its grids; words longer than the panel's share of the column scroll (it takes the focus, and
says so in its border). The panel is hidden outside the tour. It writes no number of its own: the
sentences come from :meth:`tui_upsample.tour.TourStop.explain`, which reads them from the engine's
trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from tui_upsample.engine.steps import Trace
from tui_upsample.language import N_, _
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.blocks.scroll_keys import SCROLL_BINDINGS, ScrollKeys

if TYPE_CHECKING:
    from tui_upsample.tour import TourStop

KEYS = (
    ("n p", N_("step")),
    ("] [", N_("stop")),
    ("v", N_("variant")),
    ("t", N_("leave")),
)
"""The keys the panel lists (the app's bindings; ``v`` only where the stop has variants), what
they do as message ids of the catalogs."""


def _stops() -> tuple[TourStop, ...]:
    """The tour's stops, loaded the first time the tour is shown (start-up skips them)."""
    from tui_upsample.tour import STOPS

    return STOPS


def keys_text(stop: TourStop, scene: Scene) -> Text:
    """The key line for ``stop``: key in bold, what it does muted."""
    text = Text()
    for keys, what in KEYS:
        if keys == "v":
            if not stop.variants:
                continue
            what = _("variant (now {variant})").format(variant=stop.variant_label(scene))
        else:
            what = _(what)
        if text:
            text.append("  ·  ")
        text.append(keys, style="bold")
        text.append(f" {what}")
    return text


class TourPanel(ScrollKeys, VerticalScroll):
    """Stop k of the tour: what the scene beside it shows and why, tied to its numbers."""

    BINDINGS: ClassVar[list[BindingType]] = SCROLL_BINDINGS

    DEFAULT_CSS = """
    TourPanel {
        height: auto;
        max-height: 70%;
        border: round $accent;
        border-title-color: $text-accent;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        display: none;
        &:focus { background-tint: $foreground 5%; }
        &.-touring { display: block; }
        & #tour-row { height: auto; }
        & #tour-words { height: auto; width: 1fr; }
        & #tour-title { height: auto; text-style: bold underline; color: $text-accent; }
        & #tour-source { height: auto; color: $text-muted; }
        & #tour-text { height: auto; color: $text; }
        & #tour-keys { height: auto; color: $text-muted; }
        & #tour-aside {
            border: round $panel-lighten-2;
            border-title-color: $text;
            max-height: 12;
        }
    }
    """

    can_focus = True

    stop: reactive[int | None] = reactive(None)
    """The stop on screen, 1 … len(STOPS) (bound to the app's ``tour_stop``); None outside
    the tour."""
    trace: reactive[Trace | None] = reactive(None, always_update=True)
    """The trace on screen (bound to the app's): the explanation's numbers come from it."""
    scene: reactive[Scene | None] = reactive(None)
    """The scene on screen (bound to the app's): which variant is showing."""
    step: reactive[int] = reactive(0)
    """The step on screen (bound to the app's): the aside grid highlights its column."""

    def _build(self) -> None:
        """The panel's widgets, built the first time the tour starts (not at start-up)."""
        self.mount(
            Vertical(
                Vertical(
                    Static("", id="tour-title"),
                    Static("", id="tour-source"),
                    Static("", id="tour-text"),
                    Static("", id="tour-keys"),
                    id="tour-words",
                ),
                GridView(dim_zeros=True, id="tour-aside"),
                id="tour-row",
            )
        )

    def on_mount(self) -> None:
        self._draw()

    def watch_stop(self) -> None:
        self.scroll_home(animate=False)  # a new stop is read from its title
        self._draw()

    def watch_trace(self) -> None:
        self._draw()

    def watch_scene(self) -> None:
        self._draw()

    def watch_step(self) -> None:
        self._draw_aside()

    def redraw(self) -> None:
        """Write the panel again (its words in the language now chosen)."""
        self._draw()

    @property
    def tour_stop(self) -> TourStop | None:
        """The :class:`TourStop` on screen, if any."""
        if self.stop is None:
            return None
        stops = _stops()
        return stops[self.stop - 1] if 1 <= self.stop <= len(stops) else None

    @property
    def sentences(self) -> list[str]:
        """The explanation on screen, one sentence (or two) per item."""
        stop = self.tour_stop
        return [] if stop is None else stop.explain(self.trace)

    def _draw(self) -> None:
        stop = self.tour_stop
        self.set_class(stop is not None, "-touring")
        if not self.is_mounted or stop is None:
            return
        if not self.query("#tour-aside"):
            if not self.children:
                self._build()
            self.call_after_refresh(self._draw)  # once the new widgets are in place
            return
        self.border_title = _("Guided tour  {stop} / {stops}").format(
            stop=self.stop, stops=len(_stops())
        )
        self.query_one("#tour-title", Static).update(stop.heading)
        # The source is a line of its own: as a border caption it would be cut in a narrow column.
        self.query_one("#tour-source", Static).update(stop.source)
        self.query_one("#tour-text", Static).update(" ".join(self.sentences))
        scene = self.scene if self.scene is not None else stop.scene
        self.query_one("#tour-keys", Static).update(keys_text(stop, scene))
        self._draw_aside()

    def _draw_aside(self) -> None:
        """The stop's grid beside the words (the seed's W1), its step's column highlighted."""
        if not self.is_mounted or not self.query("#tour-aside"):
            return
        view = self.query_one("#tour-aside", GridView)
        stop = self.tour_stop
        aside = None if stop is None else stop.aside_for(self.trace)
        view.display = aside is not None
        if aside is None:
            return
        marks = {"current": ((-1, self.step),)} if aside.column_per_step else {}
        view.show(aside.values, marks)
        view.border_title = aside.title
        scrollbar = 1 if view.content_height > 10 else 0
        view.styles.width = max(view.content_width + 2 + scrollbar, len(aside.title) + 6)
