"""Nothing hidden: at 80×24 (the advertised minimum), 120×40 and 200×60 every screen shows what it
is about, every pane scrolls by keyboard, no caption is cut, and stepping keeps the layout still.
"""

from __future__ import annotations

import numpy as np
import pytest
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Static

from tui_upsample.engine.steps import MATRIX, OUTPUT
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.blocks.intro_line import IntroLine
from tui_upsample.widgets.lean.key_footer import KeyFooter
from tui_upsample.widgets.panes.lesson_notes import LessonNotes
from tui_upsample.widgets.panes.settings import wrap_formula
from tui_upsample.widgets.panes.step_view import W1, StepView, wrapped_lines
from tui_upsample.widgets.panes.tour_panel import TourPanel
from tui_upsample.widgets.views.compare_view import CompareView

SMALL = (80, 24)
SIZE = (120, 40)
WIDE = (200, 60)


def footer_line(app) -> str:
    return app.query_one(KeyFooter).render().plain


def fully_visible(widget, area: Region) -> bool:
    """Whether ``widget`` lies wholly inside ``area`` (screen coordinates)."""
    region = widget.region
    return region.height > 0 and area.contains_region(region)


def grids_area(app) -> Region:
    return app.query_one(StepView).query_one("#grids").content_region


def grid(app, name: str) -> GridView:
    return app.query_one(StepView).query_one(f"#grid-{name}", GridView)


# The start screen ----------------------------------------------------------------------------


async def settled(pilot) -> None:
    """Let the step view's follow-the-written-cell scroll (after a refresh) finish first."""
    await pilot.wait_for_scheduled_animations()
    for _ in range(3):
        await pilot.pause(0.1)


@pytest.mark.parametrize("size", [SMALL, SIZE, WIDE])
async def test_the_start_screen_says_what_it_shows_and_where_the_tour_is(app_factory, size) -> None:
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        line = app.query_one(IntroLine)
        text = str(line.render())
        assert "r 2×2" in text or "r (2×2)" in text
        assert "3×3" in text and "W2 = W1ᵀ" in text and "t guided tour" in text
        assert len(text) <= size[0] - 2  # one line, whole
        assert line.region.height == 1
        assert ("t", "Tour") in [(k.display, k.description) for k in app.query_one(KeyFooter).keys]
        assert " t Tour " in footer_line(app)
        await pilot.press("t")
        await pilot.pause()
        assert line.region.height == 0  # the tour's panel says more


async def test_the_line_names_another_operator_and_its_sizes(app_factory) -> None:
    app = app_factory(op="max_pool2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = str(app.query_one(IntroLine).render())
        assert text.startswith("max_pool2d: max pooling, 4×4 → 2×2")
        assert "t guided tour" in text


async def test_the_why_pane_leads_with_the_posts_story(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notes = app.query_one(LessonNotes)
        lines = str(notes.render()).splitlines()
        assert lines[0] == "the blog post's story"
        story = notes.parts["story-text"]
        assert "FCN" in story and "W1: 9×4" in story and "W2 (4×9)" in story
        text = str(notes.render())
        assert text.index("story") < text.index("output_padding")


# The footer, the formula ---------------------------------------------------------------------


async def test_at_80_columns_the_footer_keeps_help_quit_and_the_tour(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        line = footer_line(app)
        for key in (" n Next ", " p Prev ", " t Tour ", " f1 Help ", " q Quit "):
            assert key in line
        assert not footer._cut_off and "…" not in line
        assert len(line.rstrip()) <= SMALL[0]
        # What gave way is the least important: it is all on the help screen.
        assert " k Overlap " not in line


def test_the_formula_breaks_before_an_operator_never_leaving_o_alone() -> None:
    scene = Scene.seed_example()
    from tui_upsample.engine.operators import output_size_formula

    params = {k: v for k, v in scene.engine_params().items() if k not in ("weight", "method")}
    params["kernel_size"] = scene.kernel.shape
    (formula,) = output_size_formula(scene.op, (2, 2), params, (3, 3))
    lines = wrap_formula(formula, 31).splitlines()
    assert lines == [
        "o = (i−1)·s − 2p",
        "    + d(k−1) + a + 1",
        "  = (2−1)·1 − 0 + 1 + 0 + 1 = 3",
    ]
    assert all(len(line) <= 31 for line in lines)
    assert wrap_formula(formula, 40).splitlines() == [
        "o = (i−1)·s − 2p + d(k−1) + a + 1",
        "  = (2−1)·1 − 0 + 1 + 0 + 1 = 3",
    ]


async def test_at_80x24_the_formula_fits_its_pane(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        formula = app.query_one("#formula", Static)
        width = formula.content_region.width
        lines = str(formula.render()).splitlines()
        assert len(lines) == 3 and lines[0] != "o"
        assert all(len(line) <= width for line in lines)


# The tour at 80×24 ---------------------------------------------------------------------------


async def test_at_80x24_tour_stop_3_shows_y_at_every_step(app_factory) -> None:
    app = app_factory(tour_stop=3)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        for _ in range(4):
            out = grid(app, OUTPUT)
            (cell,) = out.highlighted("written")
            region = out.cell_region(cell)
            y = out.content_region.y + region.y - out.scroll_offset.y
            assert grids_area(app).y <= y < grids_area(app).bottom  # the cell written, in view
            assert out.region.height >= 4  # title, column numbers and rows: y itself
            await pilot.press("n")
            await pilot.pause()
        assert app.tour_stop == 3


async def test_at_80x24_tour_stop_6_shows_w2_itself(app_factory) -> None:
    app = app_factory(tour_stop=6)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        w2 = grid(app, MATRIX)
        assert fully_visible(w2, grids_area(app))  # its 4 rows, not only its title
        assert w2.region.height == 4 + 1 + 2


async def test_the_tour_panel_sits_beside_the_step_view_and_scrolls(app_factory) -> None:
    app = app_factory(tour_stop=6)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        panel = app.query_one(TourPanel)
        steps = app.query_one(StepView)
        assert panel.region.right <= steps.region.x  # the step view keeps the whole height
        assert steps.region.height == SMALL[1] - 1  # the footer's line only (short: no title)
        assert panel.max_scroll_y > 0 and "more ↓" in str(panel.border_subtitle)
        panel.focus()
        await pilot.press("down", "down")
        await pilot.pause()
        assert panel.scroll_y == 2
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y
        await pilot.press("n")  # the stepping keys still step
        await pilot.pause()
        assert app.step == 1


# Compare at 80×24 ----------------------------------------------------------------------------


async def test_at_80x24_compare_stacks_the_three_faces_and_scrolls_to_each(app_factory) -> None:
    app = app_factory(method="all")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        view = app.query_one(CompareView)
        assert view.has_class("-narrow")
        view.focus()
        await pilot.pause()
        seen: set[str] = set()
        for _ in range(20):
            area = view.content_region
            for face in ("scatter", "matrix", "direct"):
                box = view.query_one(f"#face-{face}")
                title = str(box.border_title).replace("\\[", "[")  # as markup: [ escaped
                assert len(title) + 4 <= box.region.width  # whole, not cut with …
                if area.contains_region(box.region.intersection(area)) and box.region.y >= area.y:
                    if box.region.y < area.bottom:
                        seen.add(face)
            await pilot.press("pagedown")
            await pilot.pause()
        assert seen == {"scatter", "matrix", "direct"}
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert view.scroll_y == 0
        # Every card of a face fits the view's width: no face hides a grid sideways.
        for card in view.query(GridView):
            assert card.region.right <= view.content_region.right


# Panes scroll by keyboard ----------------------------------------------------------------------


async def test_the_step_view_scrolls_by_keyboard_and_says_so(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        steps = app.query_one(StepView)
        grids = steps.query_one("#grids", VerticalScroll)
        assert grids.max_scroll_y > 0
        assert "more ↓" in str(steps.border_subtitle)
        await pilot.press("shift+tab")  # from the input grid back round to the step view
        await pilot.pause()
        assert app.focused is steps
        assert "PgDn" in str(steps.border_subtitle)
        await pilot.press("down")
        await pilot.pause()
        assert grids.scroll_y == 1
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert grids.scroll_y == grids.max_scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert grids.scroll_y == 0
        await pilot.press("end")  # home / end stay the first / last step
        await pilot.pause()
        assert app.step == 8


async def test_the_notes_take_the_focus_and_scroll_the_side_pane(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        notes = app.query_one(LessonNotes)
        side = app.query_one("#side", VerticalScroll)
        notes.focus()
        await pilot.pause()
        before = side.scroll_y
        await pilot.press("pagedown")
        await pilot.pause()
        assert side.scroll_y > before
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert side.scroll_y == side.max_scroll_y
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert side.scroll_y == 0


async def test_help_scrolls_by_keyboard_at_once(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        keys = app.screen.query_one("#help-keys", VerticalScroll)
        assert app.focused is keys and keys.max_scroll_y > 0
        await pilot.press("down")
        await pilot.pause()
        assert keys.scroll_y == 1
        await pilot.press("pagedown")
        await pilot.pause()
        assert keys.scroll_y > 1
        await pilot.press("end")
        await pilot.pause()
        assert keys.scroll_y == keys.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert keys.scroll_y == 0 and app.step == 0  # the help's home, not the step's
        text = str(app.screen.query_one("#help-title").render())
        assert "PgDn" in text
        rows = app.screen.rows
        preferences = str(app.screen.query_one("#help-preferences").render())
        assert "under [keys] a binding id" in preferences  # text, not read as markup
        scrolling = [row for row in rows if row[2] == "a pane that scrolls"]
        assert any("home" in keys for keys, *_ in scrolling)  # the scroll keys are listed


# W1 beside W2 ----------------------------------------------------------------------------------


async def test_the_matrix_view_shows_w1_beside_w2_lit_row_for_column(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "n")
        await pilot.pause()
        w1, w2 = grid(app, W1), grid(app, MATRIX)
        assert w1.values.shape == (9, 4) and w2.values.shape == (4, 9)
        assert w1.region.y == w2.region.y and w1.region.right < w2.region.x  # side by side
        assert str(w1.border_title) == "W1 = W2ᵀ (9×4)"
        assert w2._marks["current"].cols == {4} and w1._marks["current"].rows == {4}
        np.testing.assert_array_equal(np.asarray(w1.values[:, :]), np.asarray(w2.values[:, :]).T)
        await pilot.press("n")
        await pilot.pause()
        assert w1._marks["current"].rows == {5}


async def test_w1_gives_way_where_there_is_no_room_and_is_never_built_whole(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert not app.query_one(StepView).query(f"#grid-{W1}")
    big = Scene.seed_example().replace(input=np.ones((40, 40)), kernel=np.ones((3, 3)))
    app = app_factory(big)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert not isinstance(grid(app, MATRIX).values, np.ndarray)  # lazy, block by block
        assert not app.query_one(StepView).query(f"#grid-{W1}")  # 1764 columns: no room


# Captions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, SIZE, WIDE])
@pytest.mark.parametrize("op", ["conv_transpose2d", "max_unpool2d"])
async def test_no_caption_is_cut(app_factory, size, op) -> None:
    app = app_factory(op=op)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        steps = app.query_one(StepView)
        trace = app.trace
        notes = {g.note for g in trace.grids if g.note}
        assert notes
        for view in steps.query(GridView):
            title = str(view.border_title or "")
            assert len(title) + 4 <= view.region.width, title
            subtitle = str(view.border_subtitle or "")
            if subtitle:
                assert len(subtitle) + 4 <= view.region.width
        shown = {str(v.border_subtitle) for v in steps.query(GridView) if v.border_subtitle}
        shown |= {str(c.render()) for c in steps.query(".caption")}
        assert notes <= shown  # each caption whole, in the border or beside or under its grid


# The layout stays still ----------------------------------------------------------------------


async def test_stepping_keeps_the_grids_in_place(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        arithmetic = app.query_one("#arithmetic", Static)
        width = arithmetic.content_region.width
        texts = [app.trace[k].text for k in range(len(app.trace))]
        assert len({wrapped_lines(t, width) for t in texts}) > 1  # some steps wrap, some not
        places = set()
        for _ in texts:
            places.add((grid(app, OUTPUT).region, grid(app, MATRIX).region))
            await pilot.press("n")
            await pilot.pause()
        assert len(places) == 1


async def test_typing_a_value_does_not_move_the_step_pane(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.query_one(StepView).region
        side = app.query_one("#side")
        settings = app.query_one("#settings").region
        await pilot.press("5")  # the edit line opens under the grid
        await pilot.pause()
        assert app.typing
        assert app.query_one(StepView).region == before
        assert app.query_one("#settings").region.width == settings.width
        assert side.styles.scrollbar_gutter == "stable"


# Wide terminals ------------------------------------------------------------------------------


async def test_a_wide_terminal_gives_the_side_column_and_the_grids_room(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert app.query_one("#side-column").region.width == 60  # 30% of 200
        rows = {grid(app, name).region.y for name in ("input", "kernel", W1, MATRIX, OUTPUT)}
        assert len(rows) == 1  # every grid side by side
        captions = [str(c.render()) for c in app.query_one(StepView).query(".caption")]
        assert "row: input cell; column: output cell" in captions  # whole, under W2


# Snapshots -----------------------------------------------------------------------------------

SIZES = {"80x24": SMALL, "120x40": SIZE, "200x60": WIDE}


@pytest.mark.parametrize("size", SIZES)
def test_start_screen(snap_compare, app_factory, size) -> None:
    assert snap_compare(app_factory(), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", [s for s in SIZES if s != "80x24"])  # 80×24: a Pilot test above
def test_tour_stop3(snap_compare, app_factory, size) -> None:
    assert snap_compare(app_factory(tour_stop=3), terminal_size=SIZES[size], run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_tour_stop6(snap_compare, app_factory, size) -> None:
    assert snap_compare(app_factory(tour_stop=6), press=["n"] * 4, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_compare(snap_compare, app_factory, size) -> None:
    assert snap_compare(app_factory(method="all"), press=["n"], terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, app_factory, size) -> None:
    assert snap_compare(app_factory(), press=["f1"], terminal_size=SIZES[size])
