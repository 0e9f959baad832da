"""The shortcuts that keep a step or an edit cheap must never leave stale numbers on screen.

A grid repaints only the lines whose numbers or highlights changed; the views a learner has not
opened yet are built the first time they are shown; the tour panel builds its widgets when the
tour starts.
"""

from __future__ import annotations

import numpy as np
from textual.app import App, ComposeResult
from textual.geometry import Region

from tui_upsample.scene import build_trace
from tui_upsample.widgets.blocks.grid_view import GridView

SIZE = (120, 40)


class OneGrid(App[None]):
    """A single grid view, to watch what it puts on screen."""

    def compose(self) -> ComposeResult:
        yield GridView(np.arange(12.0).reshape(3, 4), id="grid")


def on_screen(view: GridView) -> list[str]:
    """The lines the grid's widget puts on screen (through Textual's line cache)."""
    return [strip.text for strip in view.render_lines(Region(0, 0, *view.outer_size))]


async def test_changed_row_and_highlight_reach_the_screen() -> None:
    app = OneGrid()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        view = app.query_one(GridView)
        before = on_screen(view)
        values = np.arange(12.0).reshape(3, 4)
        values[1, 2] = 7.5  # one cell of row 1 changes, same width
        view.show(values, {"current": [(2, 0)]}, width=view.cell_width)
        await pilot.pause()
        after = on_screen(view)
        assert after[0] == before[0] and after[1] == before[1]  # header and row 0 kept
        assert after[2] != before[2]  # row 1 shows its new number
        styles = [seg.style for seg in view.render_lines(Region(0, 1, *view.outer_size))[0]]
        view.show(values, {"current": [(0, -1)]}, width=view.cell_width)  # a whole row
        await pilot.pause()
        strip = view.render_lines(Region(0, 1, *view.outer_size))[0]
        assert [seg.style for seg in strip] != styles  # row 0 repainted with its highlight


async def test_hidden_views_are_built_when_first_shown(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.query("#compare") and not app.query("#overlap")
        assert not app.query("#tour-aside")
        await pilot.press("k")
        await pilot.pause()
        assert app.query_one("#overlap").display and not app.query("#compare")
        await pilot.press("k", "t")
        await pilot.pause()
        assert app.query_one("#tour-aside") is not None
        assert app.query_one("#steps").display


async def test_a_step_back_and_forth_shows_the_same_screen(app_factory) -> None:
    app = app_factory(stride=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.export_screenshot()
        await pilot.press("n", "n", "n", "p", "p", "p")
        await pilot.pause()
        assert app.export_screenshot() == first


async def test_a_step_pane_first_shown_later_holds_the_engine_step(app_factory) -> None:
    """Started on the compare layout, the step pane packs its grids only when first shown."""
    app = app_factory(method="all")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.view == "compare" and not app.query("#grid-output")
        await pilot.press("m", "n", "n")  # all → scatter: the step pane, two steps on
        await pilot.pause()
        expected = build_trace(app.scene)[2]
        assert app.view == "steps" and app.step == 2
        output = app.query_one("#grid-output", GridView)
        np.testing.assert_array_equal(np.asarray(output.values), expected.partial)


async def test_grid_rows_are_packed_again_when_the_width_changes(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def rows() -> list[list[str]]:
            """The grids of each row, a captioned grid by its grid's id."""
            return [
                [v.id or v.query_one(GridView).id for v in row.children]
                for row in app.query(".grid-row")
            ]

        assert rows() == [["grid-input", "grid-kernel", "grid-w1", "grid-matrix"], ["grid-output"]]
        await pilot.resize_terminal(200, 40)
        await pilot.pause()
        assert rows() == [["grid-input", "grid-kernel", "grid-w1", "grid-matrix", "grid-output"]]
        await pilot.press("n")
        await pilot.pause()
        output = app.query_one("#grid-output", GridView)
        np.testing.assert_array_equal(np.asarray(output.values), app.trace[1].partial)


def numbers_on_screen(view: GridView) -> np.ndarray:
    """The numbers a bordered grid card shows, row by row (row and column numbers left out)."""
    lines = on_screen(view)[2:-1]  # below the top border and the column numbers
    rows = []
    for line in lines:
        words = line.strip("│ ").split()
        if len(words) > 1:
            rows.append([float(word) for word in words[1:]])
    width = min(len(row) for row in rows)
    return np.array([row[:width] for row in rows])


async def test_w2_stays_right_through_input_and_kernel_edits(app_factory) -> None:
    """An edit of r leaves W2 as it is (the view keeps its lines); an edit of w changes it."""
    scene_input = np.arange(16.0).reshape(4, 4)
    app = app_factory(input=scene_input, kernel=np.ones((3, 3)), stride=2, method="matrix")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def shown_and_expected() -> tuple[np.ndarray, np.ndarray]:
            shown = numbers_on_screen(app.query_one("#grid-matrix", GridView))
            assert app.trace is not None
            return shown, np.asarray(app.trace.matrix[: shown.shape[0], : shown.shape[1]])

        before, expected = shown_and_expected()
        np.testing.assert_array_equal(before, expected)
        view = app.query_one("#grid-matrix", GridView)  # kept: the widths stay the same
        app.query_one("#input-editor GridView").focus()
        await pilot.press("right", "9", "enter")
        await pilot.pause()
        assert app.scene.input[0, 1] == 9.0
        shown, expected = shown_and_expected()
        np.testing.assert_array_equal(shown, expected)
        np.testing.assert_array_equal(shown, before)

        app.query_one("#kernel-editor GridView").focus()
        await pilot.press("2", "enter")
        await pilot.pause()
        assert app.scene.kernel[0, 0] == 2.0
        assert app.query_one("#grid-matrix", GridView) is view
        shown, expected = shown_and_expected()
        np.testing.assert_array_equal(shown, expected)
        assert shown[0, 0] == shown[1, 2] == 2.0 and before[0, 0] == 1.0


async def test_an_editors_edit_and_message_lines_are_made_when_first_needed(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        editor = app.query_one("#input-editor")
        assert [child.id for child in editor.children] == ["grid"]
        await pilot.press("7")  # starts typing a value for x[0,0]
        await pilot.pause()
        assert [child.id for child in editor.children] == ["grid", "edit-line", "message"]
        assert "x[0,0] = 7" in str(editor.query_one("#edit-line").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.scene.input[0, 0] == 7.0
        assert "x[0,0] = 7" in str(editor.query_one("#message").render())
