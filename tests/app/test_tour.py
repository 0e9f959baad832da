"""The guided tour in the app: keys, scenes, edits, the explanation panel, snapshots and the CLI.

Snapshot names carry the operator's engine name (and method) of the stop they show.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tui_upsample.app import UpsampleApp
from tui_upsample.cli import main
from tui_upsample.commands import SceneCommands
from tui_upsample.engine import trace as engine_trace
from tui_upsample.engine.steps import OUTPUT
from tui_upsample.engine.text import format_number as num
from tui_upsample.scene import Scene, build_trace
from tui_upsample.screens.help import binding_rows
from tui_upsample.tour import STOPS, stop
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.panes.step_view import StepView
from tui_upsample.widgets.panes.tour_panel import TourPanel

SIZE = (120, 40)
NEXT, PREVIOUS = "right_square_bracket", "left_square_bracket"


def output_on_screen(app) -> np.ndarray:
    view = app.query_one(StepView).query_one(f"#grid-{OUTPUT}", GridView)
    return np.asarray(view.values)


def panel_text(app) -> str:
    panel = app.query_one(TourPanel)
    return " ".join(
        str(panel.query_one(f"#{part}").render()) for part in ("tour-title", "tour-text")
    )


def same_scene(a, b) -> bool:
    return a.replace(step=0) == b.replace(step=0)


async def test_tour_starts_at_stop_1(app_factory) -> None:
    app = app_factory(tour_stop=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.query_one(TourPanel)
        assert app.tour_stop == 1 and panel.display
        assert same_scene(app.scene, STOPS[0].scene)
        assert panel.border_title == "Guided tour  1 / 11"
        assert STOPS[0].title in panel_text(app)
        source = str(panel.query_one("#tour-source").render())
        assert source == "after the seed's paragraph 1: Prologue"  # a line: never cut


async def test_t_starts_the_tour_and_leaves_it(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.tour_stop is None and not app.query_one(TourPanel).display
        await pilot.press("t")
        await pilot.pause()
        assert app.tour_stop == 1 and app.query_one(TourPanel).display
        await pilot.press(NEXT, NEXT, "t")
        await pilot.pause()
        assert app.tour_stop is None and not app.query_one(TourPanel).display
        assert same_scene(app.scene, Scene.seed_example())  # the learner's scene is back


async def test_brackets_and_page_keys_move_between_stops(app_factory) -> None:
    app = app_factory(tour_stop=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(NEXT)
        await pilot.pause()
        assert app.tour_stop == 2
        assert app.query_one(TourPanel).border_title == "Guided tour  2 / 11"
        await pilot.press(PREVIOUS)
        await pilot.pause()
        assert app.tour_stop == 1
        await pilot.press(PREVIOUS)  # the first stop stays
        assert app.tour_stop == 1
        await pilot.press("pagedown", "pagedown", "pageup")
        await pilot.pause()
        assert app.tour_stop == 2
        for _ in range(len(STOPS) + 2):
            await pilot.press(NEXT)
        assert app.tour_stop == len(STOPS) == 11


@pytest.mark.parametrize("number", range(1, len(STOPS) + 1))
async def test_each_stop_shows_its_scene_and_runs_to_the_engine_result(
    number: int, app_factory
) -> None:
    app = app_factory(tour_stop=1)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(number - 1):
            await pilot.press(NEXT)
        await pilot.pause()
        s = stop(number)
        assert app.tour_stop == number
        assert same_scene(app.scene, s.scene)
        assert app.step == s.scene.step
        await pilot.press("end")
        await pilot.pause()
        expected = engine_trace(s.scene.op, s.scene.x, **s.scene.engine_params()).result
        np.testing.assert_allclose(output_on_screen(app), expected)
        assert " ".join(s.explain(app.trace)) in panel_text(app)


async def test_stepping_within_a_stop_moves_the_w1_column(app_factory) -> None:
    app = app_factory(tour_stop=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        aside = app.query_one("#tour-aside", GridView)
        assert aside.display and aside.values.shape == (9, 4)
        assert aside.border_title == "W1 ∈ ℝ^(9×4)"
        await pilot.press("n", "n")
        await pilot.pause()
        assert app.step == 2 and app.tour_stop == 5
        assert "step 3 / 4" in str(app.query_one("#counter").render())
        assert 2 in aside._marks["current"].cols
        await pilot.press("p")
        await pilot.pause()
        assert app.step == 1 and 1 in aside._marks["current"].cols


async def test_editing_a_cell_in_a_stop_recomputes_the_scene_and_the_text(app_factory) -> None:
    app = app_factory(tour_stop=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "0", "enter", "end")
        await pilot.pause()
        assert app.tour_stop == 6 and app.scene.input[0, 0] == 10.0
        expected = engine_trace(
            "conv_transpose2d", app.scene.input, weight=app.scene.kernel, method="matrix"
        ).result
        np.testing.assert_array_equal(output_on_screen(app), expected)
        text = panel_text(app)
        assert "(" + ", ".join(num(v) for v in expected.reshape(-1)) + ")" in text


async def test_leaving_a_stop_and_coming_back_restores_its_starting_scene(app_factory) -> None:
    app = app_factory(tour_stop=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "0", "enter", "n")
        await pilot.press(NEXT, PREVIOUS)
        await pilot.pause()
        assert app.scene == stop(6).scene and app.step == 0


async def test_escape_leaves_the_tour_but_still_cancels_an_edit(app_factory) -> None:
    app = app_factory(tour_stop=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7", "escape")
        await pilot.pause()
        assert app.tour_stop == 3 and app.scene.input[0, 0] == stop(3).scene.input[0, 0]
        await pilot.press("escape")
        await pilot.pause()
        assert app.tour_stop is None
        await pilot.press("n", "right_square_bracket")  # back to normal: ] is no tour key
        await pilot.pause()
        assert app.tour_stop is None and app.step == 1


async def test_v_switches_the_unpool_fill_and_the_text(app_factory) -> None:
    app = app_factory(tour_stop=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert app.scene.fill == "max" and app.tour_stop == 3
        assert "fill=max" in panel_text(app)
        assert "now fill=max" in str(app.query_one("#tour-keys").render())
        await pilot.press("v")
        await pilot.pause()
        assert app.scene.fill == "zeros"


async def test_v_does_nothing_where_a_stop_has_no_variants(app_factory) -> None:
    app = app_factory(tour_stop=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert same_scene(app.scene, stop(6).scene)
        assert "variant" not in str(app.query_one("#tour-keys").render())


async def test_the_w2_stop_shows_a_4_by_9_matrix(app_factory) -> None:
    app = app_factory(tour_stop=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        matrix = app.query_one("#grid-matrix", GridView)
        assert matrix.values.shape == (4, 9)
        assert "W2 ∈ ℝ^(4×9)" in panel_text(app)


async def test_the_text_cites_the_engine_numbers_on_screen(app_factory) -> None:
    app = app_factory(tour_stop=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        r = build_trace(stop(5).scene).result
        assert f"r = xᵀ·W1 = ({', '.join(num(v) for v in r.reshape(-1))})" in panel_text(app)
        np.testing.assert_array_equal(app.trace.result, r)


async def test_another_operator_inside_a_stop_is_noted(app_factory) -> None:
    app = app_factory(tour_stop=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert app.tour_stop == 5 and app.scene.op != "conv2d"
        assert "This stop is about conv2d" in panel_text(app)
        assert not app.query_one("#tour-aside").display


async def test_the_palette_command_starts_the_tour(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        commands = {name: run for name, _, run in SceneCommands(app.screen)._commands()}
        assert any(name.startswith("Tour stop 6: ") for name in commands)
        await commands["Start the guided tour"]()
        await pilot.pause()
        assert app.tour_stop == 1 and same_scene(app.scene, stop(1).scene)
        await commands[f"Tour stop 9: {stop(9).title}"]()
        await pilot.pause()
        assert app.tour_stop == 9 and same_scene(app.scene, stop(9).scene)


def test_the_help_screen_lists_the_tour_keys() -> None:
    from tui_upsample.app import UpsampleApp

    rows = binding_rows([("everywhere", UpsampleApp.BINDINGS)], lambda b: b.key)
    described = {what: keys for keys, what, *_ in rows}
    assert described["Guided tour: start / leave"] == "t"
    assert described["Tour: next stop"] == "right_square_bracket / pagedown"  # one row
    assert described["Tour: previous stop"] == "left_square_bracket / pageup"
    assert described["Tour: leave"] == "escape"
    assert described["Tour: next variant"] == "v"


async def test_each_stop_sets_its_view(app_factory) -> None:
    app = app_factory(tour_stop=8)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.view == "steps"
        await pilot.press(NEXT)
        await pilot.pause()
        assert app.tour_stop == 9 and app.view == "overlap"
        await pilot.press(PREVIOUS)
        await pilot.pause()
        assert app.view == "steps" and app.scene == stop(8).scene


async def test_the_panel_takes_no_room_outside_the_tour(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one(TourPanel).region.height == 0
        await pilot.press("t")
        await pilot.pause()
        panel = app.query_one(TourPanel).region
        assert 6 <= panel.height <= 0.7 * SIZE[1]  # at the top of the side column
        steps = app.query_one("#views").region
        assert panel.right <= steps.x  # beside the step view, which keeps every line
        assert steps.height == SIZE[1] - 2  # the title bar and the footer only


async def test_another_method_inside_a_stop_is_noted(app_factory) -> None:
    app = app_factory(tour_stop=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert app.scene.method != "matrix"
        assert f"The screen now steps by {app.scene.method}" in panel_text(app)


async def test_v_at_the_3d_stop_switches_groups_and_back(app_factory) -> None:
    app = app_factory(tour_stop=11)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert app.tour_stop == 11 and app.scene.groups == 2
        assert app.scene.kernel.shape == (2, 1, 2, 2)
        assert "(depthwise)" in panel_text(app) and "= (2, 1, 2, 2)" in panel_text(app)
        assert "now groups=2" in str(app.query_one("#tour-keys").render())
        await pilot.press("v")
        await pilot.pause()
        assert app.scene == stop(11).scene and app.step == 0


async def test_v_at_the_3d_stop_with_three_planes_says_why_and_keeps_them(app_factory) -> None:
    app = app_factory(tour_stop=11)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # a third input plane (and output plane, groups = 1)
        await pilot.pause()
        three = app.scene
        assert three.in_channels == 3 and three.out_channels == 3
        await pilot.press("v")
        await pilot.pause()
        assert app.scene == three and app.tour_stop == 11
        assert any("groups=2: must divide" in n.message for n in app._notifications)
        text = panel_text(app)
        assert "y[2,0,0] = " in text and "(C_in = 3, planes of 2×2)" in text


async def test_the_keys_the_3d_stop_names_do_what_it_says(app_factory) -> None:
    """a / A add and remove a plane, > / < move the plane cursor, and the palette's
    "Channels:" presets leave the tour."""
    app = app_factory(tour_stop=11)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = panel_text(app)
        assert "a / A add or remove an input plane" in text and '"Channels:" presets' in text
        editor = app.query_one("#input-editor")
        await pilot.press("greater_than_sign")
        assert editor.cursor[0] == 1 and editor.border_subtitle == "channel 1 of 2  (> <)"
        await pilot.press("less_than_sign")
        assert editor.cursor[0] == 0
        await pilot.press("a")
        await pilot.pause()
        assert app.scene.in_channels == 3 and app.tour_stop == 11
        await pilot.press("A")
        await pilot.pause()
        assert app.scene.in_channels == 2
        np.testing.assert_array_equal(app.scene.input, stop(11).scene.input)
        commands = {name: run for name, _, run in SceneCommands(app.screen)._commands()}
        presets = [name for name in commands if name.startswith("Channels: ")]
        assert any("depthwise" in name for name in presets)
        assert any("grouped" in name for name in presets)
        assert any("pixel shuffle" in name for name in presets)
        await commands[next(name for name in presets if "depthwise" in name)]()
        await pilot.pause()
        assert app.tour_stop is None and app.scene.groups == 3


async def test_the_3d_stop_at_80x24_is_reachable_and_its_words_scroll_to_the_end(
    app_factory,
) -> None:
    app = app_factory(tour_stop=1)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(len(STOPS) - 1):
            await pilot.press(NEXT)
        await pilot.pause()
        assert app.tour_stop == 11 and not app.query_one("#too-small").display
        panel = app.query_one(TourPanel)
        assert panel.border_title == "Guided tour  11 / 11"
        assert " ".join(stop(11).explain(app.trace)) in panel_text(app)
        assert panel.max_scroll_y > 0  # longer than its share of the column: it scrolls
        panel.focus()
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y
        words = app.query_one("#tour-keys").region
        assert panel.region.contains_region(words)  # the key line, under the last sentence


async def test_a_trace_built_for_another_scene_is_not_shown_at_a_tour_stop() -> None:
    """The command line hands the app the trace of its own scene; the tour's scene replaces
    that scene, so the trace must be built again for it."""
    scene = Scene.seed_example()
    app = UpsampleApp(
        scene, theme="textual-dark", cursor_blink=False, tour_stop=11, trace=build_trace(scene)
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        np.testing.assert_array_equal(app.trace.input, stop(11).scene.input)
        np.testing.assert_array_equal(app.trace.result, build_trace(stop(11).scene).result)


# Snapshots (look at them as PNG before keeping) ---------------------------------------------


def test_tour_stop3_max_unpool2d(snap_compare, app_factory) -> None:
    """Max unpooling with PyTorch's zeros; the keys line offers v for the seed's max fill."""
    assert snap_compare(app_factory(tour_stop=3), press=["n"], terminal_size=SIZE)


def test_tour_stop5_conv2d_im2col(snap_compare, app_factory) -> None:
    """The seed's x, W1 (9×4, beside the words, its column per step) and r."""
    assert snap_compare(app_factory(tour_stop=5), press=["n"], terminal_size=SIZE)


def test_tour_stop6_conv_transpose2d_matrix(snap_compare, app_factory) -> None:
    """r · W2 with W2 ∈ ℝ^(4×9), going back from the R of stop 5."""
    assert snap_compare(app_factory(tour_stop=6), press=["n"] * 4, terminal_size=SIZE)


def test_tour_stop11_conv_transpose2d_matrix(snap_compare, app_factory) -> None:
    """The seed's r and kernel in two channels: W2 is 8×18 in 4×9 channel blocks, and step 2
    sums y[0,0,1] over both input planes."""
    assert snap_compare(app_factory(tour_stop=11), press=["n"], terminal_size=SIZE)


def test_tour_stop11_conv_transpose2d_groups2(snap_compare, app_factory) -> None:
    """v: groups = 2, depthwise: the weight is 2×1×2×2 and W2's blocks across planes are absent."""
    assert snap_compare(app_factory(tour_stop=11), press=["v"], terminal_size=SIZE)


# The command line ---------------------------------------------------------------------------


def test_cli_tour_screenshot_writes_an_svg(tmp_path: Path) -> None:
    out = tmp_path / "tour.svg"
    assert main(["--tour", "--screenshot", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Guided" in svg and "max_pool2d" in svg


def test_cli_tour_stop_with_keys(tmp_path: Path) -> None:
    out = tmp_path / "stop6.svg"
    assert main(["--tour-stop", "6", "--press", "n,n", "--screenshot", str(out)]) == 0
    assert "W2" in out.read_text(encoding="utf-8")


def test_cli_tour_stop_steps_through_the_stops_own_scene(tmp_path: Path) -> None:
    """The command line builds the trace of its own scene first: the stop's replaces it."""
    out = tmp_path / "stop6.svg"
    assert main(["--tour-stop", "6", "--press", "n,n,n,n", "--screenshot", str(out)]) == 0
    line = "y[1,1] = r · W2[:,4] = 25·3 + 31·2 + 43·1 + 49·0 = 180"  # the seed's R, by hand
    assert line.replace(" ", "&#160;") in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--tour", "--op", "conv2d"],
            "argument --tour: the tour brings its own scenes; drop --op",
        ),
        (["--tour-stop", "12"], "argument --tour-stop: 12: the tour has 11 stops"),
        (["--tour-stop", "0"], "argument --tour-stop"),
    ],
)
def test_cli_tour_errors(argv: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("upsample-tui: error: ")
