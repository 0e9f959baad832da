"""A step paints the screen once, and a grid out of view waits until it is seen.

Counted, not timed: how many frames Textual paints for one ``n`` (a second frame, ~30 ms after
the first, is felt), whether a step lays the screen out again, and whether a grid below the fold
is repainted (a repaint of a widget out of view makes Textual rebuild its map of every widget).
"""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widget import Widget

from tests.app.conftest import SIZE, make_app
from tui_upsample.scene import Scene, random_grid
from tui_upsample.widgets.blocks.grid_view import GridView


def _scene(side: int) -> Scene:
    return Scene(
        op="conv_transpose2d",
        input=random_grid((side, side), 1),
        kernel=random_grid((3, 3), 2),
        stride=2,
        method="matrix",
    )


@pytest.fixture
def painted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every frame painted, and every layout asked for, in order."""
    events: list[str] = []
    display = App._display

    def counting(self, screen, renderable):  # type: ignore[no-untyped-def]
        if renderable is not None:
            events.append("frame")
        return display(self, screen, renderable)

    refresh = Widget.refresh

    def asking(self, *regions, repaint=True, layout=False, recompose=False):  # type: ignore[no-untyped-def]
        if layout:
            events.append(f"layout {type(self).__name__}#{self.id}")
        return refresh(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    monkeypatch.setattr(App, "_display", counting)
    monkeypatch.setattr(Widget, "refresh", asking)
    return events


@pytest.mark.parametrize("side", [16, 64])
async def test_a_step_paints_one_frame_and_lays_nothing_out(painted: list[str], side: int) -> None:
    app = make_app(_scene(side))
    async with app.run_test(size=SIZE) as pilot:
        # The first keys restyle the scroll bars once (focus), and the output grid below the
        # fold catches up once with what it missed while the first screen was drawn (two more
        # frames, one time only, sometimes in the second step): counted from the third step on.
        await pilot.press("n", "n")
        await pilot.pause(0.5)
        # Far enough for W2's highlighted column to scroll it sideways at every step.
        for _ in range(40 if side == 64 else 12):
            painted.clear()
            await pilot.press("n")
            await pilot.pause(0.1)
            assert painted == ["frame"], (app.step, painted)


async def test_the_arithmetic_keeps_its_tallest_height_within_a_scene() -> None:
    app = make_app(_scene(16))
    async with app.run_test(size=(90, 40)) as pilot:
        line = app.query_one("StepView #arithmetic")
        heights = []
        for _ in range(20):
            await pilot.press("n")
            await pilot.pause()
            heights.append(line.size.height)
        assert heights == sorted(heights)  # never shrinks while stepping
        # Another scene (its grids laid out again): the line may shrink.
        assert max(heights) > 1
        app.scene = Scene.seed_example("max_pool2d")  # "y[0,0] = max(1, 3, 4, 6) = 6, …"
        await pilot.pause()
        await pilot.pause()
        assert line.size.height == 1


async def test_a_grid_out_of_view_is_drawn_when_it_comes_into_view(monkeypatch) -> None:
    from tui_upsample.widgets.panes.step_view import StepView

    # The step view scrolls the written cell into view on its own; held still here, the output
    # stays below the fold and the grid's own catch-up is what is tested.
    monkeypatch.setattr(StepView, "_follow_output", lambda self: None)
    app = make_app(_scene(64))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        out = app.query_one("#grid-output", GridView)
        assert not app.screen.can_view_partial(out)  # below the fold at 120×40
        for _ in range(5):
            await pilot.press("n")
        await pilot.pause()
        assert out._behind  # not repainted while out of view
        app.query_one("StepView #grids").scroll_to_widget(out, animate=False, top=True)
        await pilot.pause()
        await pilot.pause()
        assert not out._behind
        written = app.trace[app.step].output_cells[0]
        assert out.highlighted("written") == {written}
        # The line drawn now shows the step's value in the written cell.
        value = app.trace.result[written]
        y = out.cell_region(written).y - out.scroll_offset.y
        assert f"{value:g}".replace("-", "−") in out.render_line(y).text


async def test_an_edit_of_a_number_tops_the_kept_height_up_after_its_frame(monkeypatch) -> None:
    """An edit keeps the heights the trace before it needed and reads the new trace's sample
    once the edit is on screen: the lines still grow to the new numbers' tallest."""
    from tui_upsample.widgets.panes.step_view import (
        ARITHMETIC_LINES,
        SAMPLED_STEPS,
        StepView,
        wrapped_lines,
    )

    app = make_app(_scene(16))
    async with app.run_test(size=(90, 40)) as pilot:
        await pilot.pause()
        line = app.query_one("StepView #arithmetic")
        before = line.styles.min_height.value
        sampled: list[bool] = []
        top_up = StepView._top_up

        def spy(self, trace, width, lay_out=True):  # type: ignore[no-untyped-def]
            sampled.append(lay_out)
            return top_up(self, trace, width, lay_out)

        monkeypatch.setattr(StepView, "_top_up", spy)
        # Every number of the input in e-notation (−1.234e−07): longer arithmetic lines.
        app.scene = app.scene.replace(input=app.scene.input * 0 - 1.2345e-7)
        await pilot.pause()
        await pilot.pause()
        assert sampled == [True]  # once, after the edit's frame (not while it waited)
        trace, width = app.trace, line.content_region.width
        picks = {round(i * (len(trace) - 1) / (SAMPLED_STEPS - 1)) for i in range(SAMPLED_STEPS)}
        tallest = max(wrapped_lines(trace[k].text, width) for k in picks)
        assert tallest > before  # the new numbers need more lines than the old ones
        assert line.styles.min_height.value == min(tallest, ARITHMETIC_LINES)
        # Another operator is another form of text: sampled at once, as before.
        sampled.clear()
        app.scene = Scene.seed_example("max_pool2d")
        await pilot.pause()
        assert sampled == [False]


async def test_a_new_trace_gets_its_own_kept_heights_even_at_a_freed_traces_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CPython may give a new trace the address (the id) of one just freed, and then the lines
    kept for the old trace stayed: the view keys them on the trace itself. Here every object
    shares one id, the worst case."""
    from tui_upsample.widgets.panes import step_view
    from tui_upsample.widgets.panes.step_view import ARITHMETIC_LINES, SAMPLED_STEPS, wrapped_lines

    monkeypatch.setattr(step_view, "id", lambda obj: 0, raising=False)
    app = make_app(tour_stop=11)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        line = app.query_one("StepView #arithmetic")
        before = line.styles.min_height.value
        # groups = 2 and back: groups 2's sums read longer, and its kept lines go with it.
        await pilot.press("v")
        await pilot.pause()
        assert line.styles.min_height.value > before
        await pilot.press("v")
        await pilot.pause()
        assert app.scene.groups == 1
        trace, width = app.trace, line.content_region.width
        n = len(trace)
        picks = {round(i * (n - 1) / (SAMPLED_STEPS - 1)) for i in range(min(n, SAMPLED_STEPS))}
        tallest = min(max(wrapped_lines(trace[k].text, width) for k in picks), ARITHMETIC_LINES)
        assert line.styles.min_height.value == tallest == before


@pytest.mark.parametrize("early", [False, True], ids=["settled", "pressed-at-once"])
async def test_a_scene_drawn_anew_scrolls_its_written_cell_into_view(early: bool) -> None:
    """The grids of a new scene are placed a refresh or two after they are built; the step view
    waits for them before it follows the written cell, however soon the key came."""
    app = make_app(tour_stop=11)
    async with app.run_test(size=SIZE) as pilot:
        if not early:
            await pilot.pause()
            out = app.query_one("#grid-output", GridView)
            assert app.screen.can_view_partial(out)  # below r, W and W2: scrolled to
        await pilot.press("v")  # groups = 2: every grid built again
        await pilot.pause()
        await pilot.pause()
        out = app.query_one("#grid-output", GridView)
        cell = app.trace[app.step].output_cells[0]
        row = out.content_region.y + out.cell_region(cell).y - out.scroll_offset.y  # on screen
        shown = app.query_one("StepView #grids").content_region
        assert shown.y <= row < shown.bottom
