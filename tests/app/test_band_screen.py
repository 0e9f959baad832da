"""The main screen's partial frames write exactly what Textual's compositor writes.

:class:`~tui_upsample.widgets.lean.band_screen.BandCompositor` renders fewer widgets for a partial
frame (only those seen on a changed line); every partial frame of a session of steps, edits, view
switches and scrolls is checked against Textual's own partial frame of the same changes, byte for
byte, and the number of widgets rendered is counted to be smaller.
"""

from __future__ import annotations

import re

import pytest
from textual._compositor import Compositor
from textual._context import active_app
from textual.geometry import Region

from tests.app.conftest import SIZE, make_app
from tui_upsample.scene import Scene, random_grid
from tui_upsample.widgets.lean.band_screen import BandCompositor, BandScreen

IDLE_MOVE = re.compile(r"\x1b\[\d+;\d+H(?=\x1b\[\d+;\d+H|\n|$)")


def _without_idle_moves(output: str) -> str:
    """``output`` less the cursor moves that nothing is written after (Textual writes one for a
    piece that starts where a changed span ends; nothing is drawn there)."""
    return IDLE_MOVE.sub("", output)


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, int, int]]:
    """Every partial frame: (band's output, Textual's output, widgets each rendered)."""
    seen: list[tuple[str, str, int, int]] = []
    partial = BandCompositor.render_partial_update

    def checked(self: BandCompositor):  # type: ignore[no-untyped-def]
        dirty: set[Region] = set(self._dirty_regions)
        rendered = [0]
        visible = self.visible_widgets
        for widget in visible:
            render = widget.render_lines

            def counting(crop, render=render):  # type: ignore[no-untyped-def]
                rendered[0] += 1
                return render(crop)

            widget.render_lines = counting  # type: ignore[method-assign]
        try:
            band = partial(self)
            band_count = rendered[0]
            self._dirty_regions = set(dirty)
            plain = Compositor.render_partial_update(self)
            plain_count = rendered[0] - band_count
        finally:
            for widget in visible:
                del widget.render_lines
        if band is not None or plain is not None:
            assert band is not None and plain is not None
            app = active_app.get()
            seen.append(
                (
                    band.render_segments(app.console),
                    plain.render_segments(app.console),
                    band_count,
                    plain_count,
                )
            )
        return band

    monkeypatch.setattr(BandCompositor, "render_partial_update", checked)
    return seen


async def test_partial_frames_are_textuals_with_fewer_widgets_rendered(frames) -> None:
    scene = Scene(
        op="conv_transpose2d",
        input=random_grid((16, 16), 1),
        kernel=random_grid((3, 3), 2),
        stride=2,
        method="matrix",
    )
    app = make_app(scene)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, BandScreen)
        for key in ["n"] * 12 + ["p", "end", "home", "c", "n", "n", "c", "k", "k", "tab"]:
            await pilot.press(key)
            await pilot.pause()
        await pilot.press("7", "enter")
        await pilot.pause()
        await pilot.press("down", "3", "enter")
        await pilot.pause()
        app.notify("a toast over the panes")  # a layer in front of every pane
        await pilot.pause()
        for key in ("n", "n", "p"):
            await pilot.press(key)
            await pilot.pause()
        app.set_focus(None)
        await pilot.pause()
    assert len(frames) > 15
    for band, plain, _, _ in frames:
        assert band == _without_idle_moves(plain)
    assert sum(f[2] for f in frames) < sum(f[3] for f in frames) / 2
