"""A screen whose partial frames render only the widgets seen where the screen changed.

Textual's compositor paints a partial frame from the bounding box of every changed region: each
widget that box touches is rendered (its whole visible part), and only then are the changed
lines kept. A step changes a few lines of several grids stacked one above the other (the matrix
near the top, the output card near the bottom, the arithmetic between), so the box is nearly the
whole screen, and every container, scroll bar, header and pane under it is rendered, ~25 widgets
a frame, most of them hidden behind their children or on lines that did not change.

:class:`BandScreen` uses :class:`BandCompositor`, which renders a widget only on the changed lines
where part of it is seen (a piece of a changed span that no widget in front of it has filled),
and only those lines. The frame holds the same pieces, so what reaches the terminal is unchanged
(``tests/app/test_band_screen.py`` compares it with Textual's, byte for byte); full frames (the
first one, a resize, a screenshot) are drawn as Textual draws them.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


class BandCompositor(Compositor):
    """A compositor that renders, for a partial frame, only the widgets that show on a changed line
    and are not hidden there by a widget in front (see the module's docstring)."""

    def update_widgets(self, widgets: set[Widget]) -> None:
        if not self._full_map_invalidated and not widgets.issubset(self.visible_widgets.keys()):
            # A widget out of sight that the map already places (a grid's scroll bar below the
            # fold, moved as the grid follows its highlight) has nothing to paint. Textual takes
            # it for a new widget and rebuilds its map of every widget (~2 ms, most steps).
            placed = self._full_map
            unseen = {w for w in widgets if w not in self.visible_widgets and w in placed}
            widgets = widgets - unseen
        super().update_widgets(widgets)

    def render_partial_update(self) -> ChopsUpdate | None:
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        screen_region = self.size.region
        crop = Region.from_union(list(update_regions)).intersection(screen_region)
        spans = list(self._regions_to_spans(update_regions))
        spans_at: dict[int, list[tuple[int, int]]] = {}
        for y, x1, x2 in spans:
            spans_at.setdefault(y, []).append((x1, x2))
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        for widget, (region, clip) in self.visible_widgets.items():
            if not crop.overlaps(clip):
                continue
            shown = region.intersection(clip)
            left, right = shown.column_span
            if left >= right:
                continue
            # The lines where this widget would be seen: changed there, and not yet covered by
            # the widgets in front of it (visible widgets come front to back).
            needed: list[int] = []
            for y in shown.line_range:
                line_spans = spans_at.get(y)
                if line_spans is None:
                    continue
                if not any(x1 < right and x2 > left for x1, x2 in line_spans):
                    continue
                line = chops[y]
                line_cuts = cuts[y]
                for start, end in zip(line_cuts, line_cuts[1:], strict=False):
                    if start < left or start >= right or line[start] is not None:
                        continue
                    if any(x1 < end and x2 > start for x1, x2 in line_spans):
                        needed.append(y)
                        break
            if not needed:
                continue
            y0, y1 = needed[0], needed[-1] + 1
            strips = widget.render_lines(
                Region(left - region.x, y0 - region.y, right - left, y1 - y0)
            )
            for y in needed:
                strip = strips[y - y0]
                line = chops[y]
                final_cuts = [cut for cut in cuts[y] if right >= cut >= left]
                for cut, piece in zip(
                    final_cuts, strip.divide([cut - left for cut in final_cuts[1:]]), strict=False
                ):
                    if line.get(cut) is None:
                        line[cut] = piece
        chop_ends = [cut_set[1:] for cut_set in cuts]
        return ChopsUpdate(chops, spans, chop_ends)


class BandScreen(Screen):
    """A :class:`~textual.screen.Screen` drawn by a :class:`BandCompositor`, which does not
    restyle its widgets when it is first shown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compositor = BandCompositor()
        self._shown_before = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._shown_before:
            # Shown the first time, just after its widgets were mounted: each was styled as it
            # was mounted (App._register), with the same stylesheet. Restyling them all again
            # (Textual does on every resume) was ~25 ms of the first screen.
            self._shown_before = True
            event.refresh_styles = False
        super()._on_screen_resume(event)
