"""A learner's first minutes: nothing they made is lost, and every key they are told about
answers."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.widgets import Switch

from tui_upsample.app import UpsampleApp
from tui_upsample.cli import main
from tui_upsample.preferences import config_path, resume_path
from tui_upsample.scene import Scene, build_trace
from tui_upsample.session import load_session, loads, save_session
from tui_upsample.tour import STOPS
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.lean.choice import Choice
from tui_upsample.widgets.panes.grid_editor import GridEditor

SIZE = (120, 40)


def notes(app: UpsampleApp) -> str:
    """Every notification on screen, as one text."""
    return "\n".join(str(n.message) for n in app._notifications)


def learner_scene() -> Scene:
    """A scene no tour stop has: another operator, parameters, grids and a later step."""
    scene = Scene.seed_example("conv_transpose2d")
    return scene.replace(
        input=np.arange(12.0).reshape(3, 4), stride=2, padding=1, method="scatter", step=5
    )


async def settled(pilot, value, rounds: int = 50) -> None:
    """Let the app handle what is queued until ``value()`` stops changing (each key goes to the
    focused pane, which sends a message back to the app: several rounds)."""
    last = value()
    for _ in range(rounds):
        await pilot.pause()
        if value() == last:
            await pilot.pause()
            if value() == last:
                return
        last = value()


# Nothing lost: the tour ----------------------------------------------------------------------


async def test_leaving_the_tour_gives_back_the_scene_as_it_was(app_factory) -> None:
    mine = learner_scene()
    app = app_factory(mine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.step == 5
        await pilot.press("t", "right_square_bracket", "7", "enter", "n", "escape")
        await pilot.pause()
        assert app.tour_stop is None
        assert app.scene.replace(step=0) == mine.replace(step=0)
        assert app.step == 5 and app.view == "steps"
        np.testing.assert_array_equal(app.trace.input, mine.input)


async def test_leaving_the_tour_gives_back_the_compare_layout(app_factory) -> None:
    app = app_factory(method="all")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "n", "n", "t")
        await pilot.pause()
        assert app.view == "steps" and app.scene.op == "max_pool2d"
        await pilot.press("t")
        await pilot.pause()
        assert app.view == "compare" and app.scene.method == "all"
        assert app.matrix_face == "W1" and app.step == 2
        await pilot.press("c")  # and c still goes back to the face before compare
        await pilot.pause()
        assert app.scene.method == "matrix"


async def test_ctrl_s_in_the_tour_never_writes_over_the_learners_file(
    app_factory, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "mine.json"
    save_session(learner_scene(), mine)
    before = mine.read_text()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        assert app.open_session(mine)
        await pilot.press("t", "ctrl+s")
        await pilot.pause()
        assert mine.read_text() == before
        tour_file = tmp_path / "upsample-tour-stop-1.json"
        assert load_session(tour_file).op == STOPS[0].scene.op
        assert "mine.json is unchanged" in notes(app)
        await pilot.press("t", "ctrl+s")  # out of the tour: the learner's own file again
        await pilot.pause()
        assert load_session(mine) == learner_scene()


# Nothing lost: quitting ----------------------------------------------------------------------


async def test_quitting_keeps_the_scene_for_resume(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("9", "enter", "n", "n")
        await pilot.pause()
        expected = app.current_scene
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
    kept = load_session(resume_path())
    assert kept == expected and kept.step == 2
    assert str(resume_path()) in app.quit_notice and "--resume" in app.quit_notice
    assert str(resume_path()).startswith(os.environ["XDG_STATE_HOME"])  # never the real home


async def test_quitting_from_a_text_field_keeps_the_scene(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one("#stride").focus()
        await pilot.press("backspace", "3", "q")
        await pilot.pause()
    assert load_session(resume_path()).stride == 3


async def test_quitting_in_the_tour_keeps_the_learners_own_scene(app_factory) -> None:
    app = app_factory(learner_scene())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", "q")
        await pilot.pause()
    assert load_session(resume_path()) == learner_scene()


async def test_a_scene_that_cannot_be_kept_is_said(app_factory, tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the state directory should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running and "could not be kept" in app.quit_notice


def test_resume_opens_the_kept_scene(capsys) -> None:
    resume_path().parent.mkdir(parents=True)
    save_session(learner_scene(), resume_path())
    assert main(["--resume", "--export", "session"]) == 0
    assert loads(capsys.readouterr().out) == learner_scene()
    assert main(["--resume", "--stride", "3", "--export", "session"]) == 0  # flags override
    assert loads(capsys.readouterr().out) == learner_scene().replace(stride=3)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--resume"], "no scene kept yet"),
        (["--resume", "--load", "x.json"], "not with --load"),
        (["--resume", "--tour"], "the tour brings its own scenes"),
    ],
)
def test_resume_refusals_are_one_line(capsys, argv, says) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) <= 2 and says in err[-1] and err[-1].startswith("upsample-tui: error:")


# Preferences ---------------------------------------------------------------------------------


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def test_keys_set_by_binding_id_move_the_cursor() -> None:
    write_config(
        '[keys]\ncell-left = "h,left"\ncell-down = "j,down"\ncell-up = "k,up"\n'
        'cell-right = "l,right"\n'
    )
    app = UpsampleApp(Scene.seed_example(), theme="textual-dark", cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "l")
        await pilot.pause()
        editor = app.query_one("#input-editor", GridEditor)
        assert editor.cursor == (1, 1)
        await pilot.press("k", "h", "down")
        await pilot.pause()
        assert editor.cursor == (1, 0)
        assert app.view == "steps"  # k is the cursor's now, not the overlap view's
        assert "view-overlap has no key left" in notes(app)
        await pilot.press("f1")
        await pilot.pause()
        rows = {does: keys for keys, does, *_ in app.screen.rows}
        assert rows["Cursor up"] == "k / ↑" or rows["Cursor up"].startswith("k")
        assert rows["Overlap"] == "(no key)"


async def test_a_theme_in_the_file_is_used_and_one_chosen_in_the_app_is_saved() -> None:
    path = write_config('theme = "nord"\n\n[keys]\nstep-next = "n,j"\n')
    app = UpsampleApp(Scene.seed_example(), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
        app.theme = "gruvbox"  # as the palette's theme switch does
        await pilot.pause()
    text = path.read_text()
    assert 'theme = "gruvbox"' in text and 'step-next = "n,j"' in text
    assert UpsampleApp(cursor_blink=False).theme == "gruvbox"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("theme = nord\n", "not valid TOML"),
        ('theme = "no-such-theme"\n', "is not a theme"),
        ('[keys]\nno-such-binding = "x"\n', "no binding has the id 'no-such-binding'"),
        ('[keys]\nstep-next = "banana"\n', "'banana' is not a key name"),
        ("keys = 3\n", "[keys] must be a table"),
    ],
)
async def test_a_broken_config_gives_one_line_and_the_defaults(text, says) -> None:
    write_config(text)
    app = UpsampleApp(Scene.seed_example(), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert app.step == 1 and app.theme == "textual-dark"  # the defaults
        said = [n for n in app._notifications if n.title == "Preferences"]
        assert len(said) == 1 and says in str(said[0].message)
        assert "\n" not in str(said[0].message)


async def test_a_broken_config_is_not_overwritten_by_a_theme_change() -> None:
    path = write_config("theme = nord\n")
    app = UpsampleApp(Scene.seed_example(), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "gruvbox"
        await pilot.pause()
        assert "theme not saved" in notes(app)
    assert path.read_text() == "theme = nord\n"


async def test_help_says_where_the_preferences_file_is(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert str(config_path()) in str(app.screen.query_one("#help-preferences").render())
        ids = {i for row in app.screen.rows for i in row[3].split(", ")}
        assert {"step-next", "cell-up", "grid-add-row", "quit", "quit-ctrl"} <= ids


# Every key answers ---------------------------------------------------------------------------


async def test_twenty_quick_shift_downs_add_twenty_rows(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*["shift+down"] * 20)  # no pause between presses
        await pilot.pause()
        assert app.scene.input.shape == (22, 2)
        # As a terminal sends a held key: all 20 queued before the app handles the first.
        for _ in range(20):
            app.post_message(events.Key("shift+down", None))
        await settled(pilot, lambda: app.scene.input.shape)
        assert app.scene.input.shape == (42, 2)
        await pilot.press(*["shift+up"] * 45)
        await settled(pilot, lambda: app.scene.input.shape)
        assert app.scene.input.shape == (1, 2)
        assert "1 to 64 rows" in str(app.query_one("#input-editor #message").render())


async def test_a_new_kernel_row_says_it_is_ones(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one("#kernel-editor GridView").focus()
        await pilot.press("shift+down")
        await pilot.pause()
        np.testing.assert_array_equal(app.scene.kernel[-1], [1, 1])
        message = str(app.query_one("#kernel-editor #message").render())
        assert "new kernel cells are 1" in message


async def test_only_quit_works_under_the_too_small_notice(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("n", "o", "shift+down", "5", "enter", "t", "f1")
        await pilot.pause()
        assert app.step == 0 and app.scene == Scene.seed_example()
        assert app.tour_stop is None and len(app.screen_stack) == 1
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


@pytest.mark.parametrize("op", ["conv2d", "max_pool2d", "pixel_shuffle"])
async def test_m_without_other_methods_says_why(app_factory, op) -> None:
    app = app_factory(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert app.scene == Scene.seed_example(op)
        assert f"m: {op}" in notes(app)


@pytest.mark.parametrize(("key", "says"), [("v", "v: a guided tour"), ("]", "t starts the tour")])
async def test_tour_keys_outside_the_tour_say_what_they_are_for(app_factory, key, says) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert app.tour_stop is None and says in notes(app)


async def test_v_at_a_stop_without_variants_says_so(app_factory) -> None:
    app = app_factory(tour_stop=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert "tour stop 1 has no variants" in notes(app)


async def test_the_first_tour_stop_opens_at_its_first_step_and_n_steps(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert app.step == 0
        await pilot.press("n")
        await pilot.pause()
        assert app.step == 1


async def test_m_is_the_three_faces_and_c_the_compare_layout(app_factory) -> None:
    app = app_factory()  # matrix
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(6):
            await pilot.press("m")
            await pilot.pause()
            seen.append(app.scene.method)
        assert seen == ["direct", "scatter", "matrix"] * 2 and app.view == "steps"


async def test_m_keeps_the_steps_meaning_between_scatter_and_matrix(app_factory) -> None:
    scene = Scene.seed_example().replace(input=np.ones((3, 3)), method="scatter", step=4)
    app = app_factory(scene)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")  # scatter → matrix
        await pilot.pause()
        faces = app.trace  # the matrix face: one step per output cell
        all_faces = build_trace(app.scene.replace(method="all"))
        finished = np.maximum.accumulate(all_faces.last_contributor.ravel())
        # Input value 4 (r[1,1]) finishes output cells 0 … k, and no further.
        k = app.step
        assert finished[k] <= 4 and (k + 1 == len(finished) or finished[k + 1] > 4)
        assert len(faces) == 16 and k == 5
        await pilot.press("m", "m")  # matrix → direct → scatter: back to input value 4
        await pilot.pause()
        assert app.scene.method == "scatter" and app.step == 4


async def test_escape_and_space_after_a_drop_down(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#method")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.scene.method == "direct"
        assert not isinstance(app.focused, Choice)
        await pilot.press("space")  # plays, rather than opening the list again
        await pilot.pause()
        assert app.playing and not app.query_one("#method", Choice).expanded
        app.playing = False
        app.query_one("#op", Choice).focus()
        await pilot.press("escape")  # escape on a closed drop-down leaves it too
        await pilot.pause()
        assert app.focused is app.query_one("#input-editor GridView")


async def test_an_invalid_operator_switch_says_what_the_step_pane_shows(app_factory) -> None:
    app = app_factory(op="max_pool2d", input=np.ones((1, 1)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.error  # a 2×2 window on a 1×1 input
        app.scene = Scene.seed_example().replace(input=np.ones((2, 2)))
        await pilot.pause()
        app.scene = app.scene.with_op("max_pool2d").replace(input=np.ones((1, 1)))
        await pilot.pause()
        stale = str(app.query_one("#stale").render())
        assert "Not max_pool2d" in stale and "conv_transpose2d" in stale
        assert "(last valid)" in str(app.query_one("#steps").border_title)
        app.scene = app.scene.replace(input=np.ones((4, 4)))
        await pilot.pause()
        assert not app.query_one("#stale").display


async def test_a_click_on_a_cell_moves_the_cursor(app_factory) -> None:
    app = app_factory(input=np.arange(16.0).reshape(4, 4))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one("#input-editor GridView", GridView)
        region = view.cell_region((2, 3))
        await pilot.click(view, offset=(region.x + 1, region.y))
        await pilot.pause()
        assert app.query_one("#input-editor", GridEditor).cursor == (2, 3)
        await pilot.press("5", "enter")
        await pilot.pause()
        assert app.scene.input[2, 3] == 5


async def test_switches_say_on_and_off(app_factory) -> None:
    app = app_factory(op="max_pool2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        switch = app.query_one("#ceil_mode", Switch)
        assert "off" in str(switch.render())
        await pilot.click(switch)
        await pilot.pause()
        assert app.scene.ceil_mode and "on" in str(switch.render())


async def test_help_lists_plus_among_the_typing_keys_and_what_new_cells_hold(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        rows = {keys: does for keys, does, *_ in app.screen.rows}
        assert "0-9 - + . e" in rows
        assert rows["shift+↓"] == "Add row (new input cells 0, new kernel cells 1)"


def test_every_binding_has_an_id() -> None:
    from tui_upsample.app import _binding_scopes

    for bindings in (UpsampleApp._merged_bindings, GridEditor._merged_bindings):
        for binding_list in bindings.key_to_bindings.values():
            for binding in binding_list:
                assert binding.id or binding.system, binding
    assert sum(len(scope) for scope in _binding_scopes()) >= 40


async def test_ctrl_q_quits_and_keeps_the_scene_too(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "ctrl+q")
        await pilot.pause()
    assert not app.is_running and load_session(resume_path()).step == 1
