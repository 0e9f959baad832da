"""The quiz in the app: right, wrong and refused answers, the score, positions picked with the
arrows, the shape round, the tour as a quiz, and the quiz kept in sessions."""

from __future__ import annotations

import json

import numpy as np
from textual.widgets import Static

from tui_upsample.app import UpsampleApp
from tui_upsample.quiz import SHAPES, Quiz
from tui_upsample.scene import Scene
from tui_upsample.session import read_session
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.panes.quiz_bar import QuizBar

SIZE = (120, 40)


def quiz_app(scene: Scene | None = None, quiz: Quiz | None = None) -> UpsampleApp:
    """The app as ``upsample-tui --quiz`` opens it (fixed theme, no preferences)."""
    return UpsampleApp(
        scene or Scene.seed_example(),
        theme="textual-dark",
        cursor_blink=False,
        preferences=False,
        quiz=quiz if quiz is not None else Quiz(),
    )


def arithmetic(app: UpsampleApp) -> str:
    return str(app.query_one("#steps #arithmetic", Static).render())


def verdict(app: UpsampleApp) -> str:
    return str(app.query_one("#quiz-verdict", Static).render())


async def type_answer(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
    await pilot.press("enter")
    await pilot.pause()


async def test_seed_right_answer_scores_one_of_one_and_moves_on() -> None:
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.focused is app.query_one("#quiz-answer")
        assert "quiz score 0/0" in app.sub_title
        await type_answer(pilot, "0")
        assert (app.quiz.right, app.quiz.asked) == (1, 1)
        assert app.quiz.score == "score 1/1"
        assert "score 1/1" in str(app.query_one("#quiz-status", Static).render())
        assert "quiz score 1/1" in app.sub_title
        assert app.step == 1  # on to the next cell, which is asked now
        assert verdict(app) == "right: y[0,0] = 0"
        assert "y[0,1]" not in arithmetic(app)
        assert app.query_one("#quiz-answer").value == ""


async def test_seed_wrong_answer_scores_zero_of_one_and_shows_the_arithmetic() -> None:
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "y[0,0] = r · W2[:,0]" not in arithmetic(app)
        await type_answer(pilot, "5")
        assert app.quiz.score == "score 0/1"
        assert app.step == 0
        assert "y[0,0] = r · W2[:,0] = 1·0 = 0" in arithmetic(app)
        assert verdict(app) == "not 5: y[0,0] = 0"
        assert app.query_one("#quiz-verdict").has_class("-wrong")
        await type_answer(pilot)  # Enter on the revealed step: the next one
        assert app.step == 1 and not app.quiz.revealed


async def test_refused_text_is_a_message_not_a_wrong_answer() -> None:
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(pilot, "1", "full_stop", "2", "full_stop", "3")
        assert app.quiz.score == "score 0/0"
        assert "'1.2.3' is not a number" in verdict(app)
        assert app.query_one("#quiz-verdict").has_class("-refused")
        assert app.query_one("#quiz-answer").value == "1.2.3"  # kept, to be mended
        await type_answer(pilot)  # nothing typed: refused too
        assert app.quiz.score == "score 0/0" and app.step == 0


async def test_the_cell_asked_is_drawn_as_a_question_mark() -> None:
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        output = app.query_one("#grid-output", GridView)
        assert (0, 0) in output.highlighted("hidden")
        await type_answer(pilot, "5")
        assert output.highlighted("hidden") == set()


async def test_letters_are_the_apps_keys_and_space_does_not_play() -> None:
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space")
        assert not app.playing
        await pilot.press("n")  # skips, unscored
        assert app.step == 1 and app.quiz.score == "score 0/0"
        await pilot.press("g")
        assert app.quiz is None
        assert not app.query_one(QuizBar).display
        await pilot.press("G")  # outside the quiz it says what it is for
        assert app.quiz is None


async def test_max_pooling_asks_the_value_then_the_argmax_picked_with_the_arrows() -> None:
    app = quiz_app(Scene.seed_example("max_pool2d"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        x = app.query_one("#grid-input", GridView)
        assert (1, 1) not in x.highlighted("argmax")
        await type_answer(pilot, "6")
        assert app.quiz.part == 1 and app.step == 0 and app.quiz.score == "score 1/1"
        for key in ("right", "right", "down"):  # the first arrow picks the window's corner
            await pilot.press(key)
        await pilot.pause()
        assert x.highlighted("cursor") == {(1, 1)}
        assert app.query_one("#quiz-answer").value == "1,1"
        await pilot.press("enter")
        await pilot.pause()
        assert app.quiz.score == "score 2/2" and app.step == 1
        await type_answer(pilot, "5")
        await type_answer(pilot, "0", "comma", "3")  # typed, not picked: wrong
        assert app.quiz.score == "score 3/4"
        assert verdict(app) == "not x[0,3]: x[1,2]"


async def test_unpooling_asks_where_the_value_goes_in_y() -> None:
    app = quiz_app(Scene.seed_example("max_unpool2d"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "index 5" in str(app.query_one("#quiz-prompt", Static).render())
        y = app.query_one("#grid-output", GridView)
        assert y.highlighted("written") == set()
        await type_answer(pilot, "1", "comma", "1")
        assert app.quiz.score == "score 1/1" and app.step == 1


async def test_a_click_on_the_grid_picks_the_cell() -> None:
    app = quiz_app(Scene.seed_example("upsample_nearest"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        x = app.query_one("#grid-input", GridView)
        region = x.cell_region((1, 1))
        await pilot.click(x, offset=(region.x + region.width - 1, region.y + 1))
        await pilot.pause()
        assert app.query_one("#quiz-answer").value == "1,1"
        await pilot.press("enter")
        await pilot.pause()
        assert app.quiz.score == "score 0/1"
        assert verdict(app) == "not x[1,1]: x[0,0]"


async def test_the_shape_round_hides_the_formula_and_shows_it_with_the_numbers() -> None:
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("G")
        await pilot.pause()
        assert app.quiz.round == SHAPES
        formula = str(app.query_one("#settings #formula", Static).render())
        assert "= 3" not in formula and "o = ?" in formula
        assert not app.query_one("#steps #grids").display
        assert app.query_one("#lesson-notes").styles.visibility == "hidden"
        await type_answer(pilot, "3", "x", "3")
        assert app.quiz.score == "score 1/1"
        shown = str(app.query_one("#quiz-formula", Static).render())
        assert "(2−1)·1 − 0 + 1 + 0 + 1 = 3" in shown
        await type_answer(pilot)  # the next question: the kernel one larger
        assert app.quiz.step == 1 and not app.quiz.revealed
        assert "kernel size 3 (was 2)" in str(app.query_one("#quiz-prompt", Static).render())
        await type_answer(pilot, "3")
        assert app.quiz.score == "score 1/2"
        assert verdict(app) == "not 3×3: the output is 4×4"
        await pilot.press("G")
        await pilot.pause()
        assert app.quiz.round == "cells" and app.query_one("#steps #grids").display


async def test_an_edit_asks_the_step_afresh() -> None:
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(pilot, "5")
        assert app.quiz.revealed
        app.scene = app.scene.with_cell("kernel", (0, 0), 7.0)
        await pilot.pause()
        assert not app.quiz.revealed and app.quiz.score == "score 0/1"
        await type_answer(pilot, "7")
        assert app.quiz.score == "score 1/2"


async def test_the_tours_stops_can_be_taken_as_a_quiz() -> None:
    app = UpsampleApp(
        Scene.seed_example(), theme="textual-dark", cursor_blink=False, preferences=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("right_square_bracket")  # stop 2: max pooling and its argmax
        await pilot.pause()
        assert app.scene.op == "max_pool2d"
        await pilot.press("g")
        await pilot.pause()
        step = app.trace[app.step]
        await type_answer(pilot, *str(int(step.value)))
        assert app.quiz.score == "score 1/1"
        await pilot.press("g")
        await pilot.press("escape")
        await pilot.pause()
        assert app.tour_stop is None


async def test_the_quiz_is_saved_in_the_session_and_opened_again(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(pilot, "0")
        await type_answer(pilot, "9")
        await pilot.press("ctrl+s")
        await pilot.pause()
    data = json.loads((tmp_path / "upsample-session.json").read_text())
    assert data["quiz"]["right"] == 1 and data["quiz"]["asked"] == 2
    scene, quiz = read_session(tmp_path / "upsample-session.json")
    assert quiz is not None and quiz.score == "score 1/2" and quiz.revealed and quiz.step == 1

    again = UpsampleApp(
        Scene.seed_example("max_pool2d"),
        theme="textual-dark",
        cursor_blink=False,
        preferences=False,
    )
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.open_session(tmp_path / "upsample-session.json")
        await pilot.pause()
        assert again.quiz == quiz
        assert again.step == 1 and again.scene.op == "conv_transpose2d"
        assert "score 1/2" in str(again.query_one("#quiz-status", Static).render())
        assert "y[0,1] = r · W2[:,1]" in arithmetic(again)  # revealed, as it was saved


async def test_a_session_without_a_quiz_ends_the_quiz(tmp_path) -> None:
    from tui_upsample.session import save_session

    path = save_session(Scene.seed_example(), tmp_path / "plain.json")
    app = quiz_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.open_session(path)
        await pilot.pause()
        assert app.quiz is None


def test_a_broken_quiz_in_a_session_is_refused(tmp_path) -> None:
    import pytest

    from tui_upsample.session import SessionError, dumps

    text = dumps(Scene.seed_example(), Quiz(right=1, asked=1))
    data = json.loads(text)
    for bad, says in [
        ({"round": "faces"}, "round"),
        ({"right": -1}, "right"),
        ({"right": 3, "asked": 1}, "cannot be more"),
        ({"colour": 1}, "unknown quiz field"),
        ([], "must be an object"),
    ]:
        broken = dict(data, quiz=bad if isinstance(bad, list) else {**data["quiz"], **bad})
        path = tmp_path / "s.json"
        path.write_text(json.dumps(broken))
        with pytest.raises(SessionError, match=says):
            read_session(path)


async def test_a_choice_in_the_solver_applies_its_setting() -> None:
    app = UpsampleApp(
        Scene.seed_example(), theme="textual-dark", cursor_blink=False, preferences=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert app.view == "solver"
        field = app.query_one("#solver-target")
        assert field.value == "3" and app.focused is field
        await pilot.press("backspace", "4")
        await pilot.pause()
        found = str(app.query_one("#solver-found", Static).render())
        assert found.startswith("conv_transpose2d:") and "to 4" in found
        options = app.query_one("#solver-list")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        row = next(i for i, text in enumerate(labels) if text.startswith("k 3  s 2  p 1  a 1"))
        options.focus()
        options.highlighted = row
        await pilot.press("enter")
        await pilot.pause()
        scene = app.scene
        assert (scene.kernel.shape, scene.stride, scene.padding) == ((3, 3), 2, 1)
        assert app.output_shape == (4, 4)
        assert "← the scene" in str(options.get_option_at_index(row).prompt)


async def test_the_indices_view_names_the_index_that_does_not_fit() -> None:
    scene = Scene.seed_example("max_unpool2d").replace(input=np.arange(25.0).reshape(5, 5))
    app = UpsampleApp(scene, theme="textual-dark", cursor_blink=False, preferences=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        errors = str(app.query_one("#indices-errors", Static).render())
        assert "Found an invalid max index: 18 (output volumes are of size 4x4)" in errors
        assert 'invalid output_size "(6, 6)" (dim 0 must be between 2 and 6)' in errors
        table = str(app.query_one("#indices-table", Static).render())
        assert "6 = 1·5 + 1" in table and "y[1,2]  ← another cell" in table
        await pilot.press("i")
        await pilot.pause()
        assert app.view == "steps"
