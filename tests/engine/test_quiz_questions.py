"""The quiz asks what the steps' data says, and checks answers to the precision shown."""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample.engine.quiz import (
    POSITION,
    SIZE,
    VALUE,
    check,
    question,
    read_cell,
    read_number,
    read_size,
    size_ask,
    value_ask,
)
from tui_upsample.engine.steps import INPUT, OUTPUT
from tui_upsample.engine.text import format_number
from tui_upsample.scene import OPERATORS, Scene, build_trace


def _traces():
    for op in OPERATORS:
        yield op, build_trace(Scene.seed_example(op))
    for method in ("scatter", "direct"):
        yield method, build_trace(Scene.seed_example().replace(method=method))
    yield "bilinear 3x", build_trace(Scene.seed_example("upsample_bilinear").replace(scale=3.0))


@pytest.mark.parametrize(("name", "trace"), list(_traces()), ids=lambda v: str(v)[:20])
def test_every_step_asks_something_and_its_own_answer_is_right(name, trace) -> None:
    for k in range(len(trace)):
        asked = question(trace, k)
        assert asked is not None, (name, k)
        assert asked.step == k
        step = trace[k]
        for ask in asked.asks:
            if ask.kind == VALUE:
                expected = step.value if step.value is not None else step.partial[ask.cell]
                assert ask.answer == pytest.approx(float(expected))
                assert ask.shown == format_number(expected)
                assert check(ask, ask.shown).right is True
                assert check(ask, str(float(expected))).right is True
                assert check(ask, format_number(float(expected) + 1)).right is False
            else:
                assert ask.kind == POSITION
                r, c = ask.cell
                assert check(ask, f"{r},{c}").right is True
                assert check(ask, f"x[{r}, {c}]").right is True
                wrong = ((r + 1) % ask.grid_shape[-2], c)
                if wrong != ask.cell and wrong not in ask.ties:
                    assert check(ask, f"{wrong[0]} {wrong[1]}").right is False


def test_the_seed_first_step_hides_its_cell_and_its_arithmetic_is_the_reveal() -> None:
    trace = build_trace(Scene.seed_example())
    asked = question(trace, 0)
    (ask,) = asked.asks
    assert ask.prompt == "y[0,0] = ?"
    assert asked.hidden == {OUTPUT: ((0, 0),)}
    assert np.isnan(asked.before).all()
    assert check(ask, "0").right is True
    wrong = check(ask, "5")
    assert wrong.right is False and wrong.text == "not 5: y[0,0] = 0"
    assert trace[0].arithmetic == "y[0,0] = r · W2[:,0] = 1·0 = 0"


def test_max_pooling_asks_the_value_then_the_argmax_and_hides_it() -> None:
    trace = build_trace(Scene.seed_example("max_pool2d"))
    asked = question(trace, 0)
    value, where = asked.asks
    assert (value.kind, value.answer) == (VALUE, 6.0)
    assert (where.kind, where.grid, where.cell) == (POSITION, INPUT, (1, 1))
    assert (INPUT, "argmax") in asked.unmarked


def test_a_tie_is_wrong_with_pytorchs_first_maximum_named() -> None:
    scene = Scene.seed_example("max_pool2d").replace(input=np.array([[6.0, 3], [4, 6]]))
    where = question(build_trace(scene), 0).asks[1]
    assert where.cell == (0, 0) and where.ties == ((1, 1),)
    verdict = check(where, "1,1")
    assert verdict.right is False and "first maximum" in verdict.text


def test_nearest_asks_the_copied_cell_unpooling_and_nails_where_the_value_goes() -> None:
    nearest = question(build_trace(Scene.seed_example("upsample_nearest")), 2)
    assert nearest.asks[0].grid == INPUT and nearest.asks[0].cell == (0, 1)
    assert (INPUT, "read") in nearest.unmarked
    unpool = question(build_trace(Scene.seed_example("max_unpool2d")), 0)
    assert unpool.asks[0].grid == OUTPUT and unpool.asks[0].cell == (1, 1)
    assert "index 5" in unpool.asks[0].prompt and "W = 4" in unpool.asks[0].prompt
    assert {(OUTPUT, "written"), (INPUT, "argmax")} <= unpool.unmarked
    nails = question(build_trace(Scene.seed_example("bed_of_nails")), 1)
    assert nails.asks[0].cell == (0, 2)


def test_the_scatter_asks_a_footprint_cell_and_hides_the_scaled_kernel() -> None:
    trace = build_trace(Scene.seed_example().replace(method="scatter"))
    asked = question(trace, 1)
    assert asked.asks[0].prompt == "after this step, y[0,1] = ?"
    assert asked.asks[0].answer == trace[1].partial[0, 1]
    assert "scaled_kernel" in asked.hidden
    np.testing.assert_array_equal(asked.before, trace[0].partial)


@pytest.mark.parametrize(
    ("value", "typed", "right"),
    [
        (4 / 3, "1.333", True),
        (4 / 3, "1.3333333", True),
        (4 / 3, "1.33", False),
        (4 / 3, "1.334", False),
        (-0.25, "−0.25", True),
        (-0.25, "-0.25", True),
        (1.5e8, "1.5e8", True),
        (3.0, "3.0", True),
        (3.0, "3.4", False),
    ],
)
def test_values_are_right_to_the_precision_the_screen_shows(value, typed, right) -> None:
    ask = value_ask("y[0,0] = ?", (0, 0), value)
    assert check(ask, typed).right is right


@pytest.mark.parametrize("typed", ["", "abc", "1.2.3", "-", "e", "nan", "inf", "1e999", "1,2"])
def test_text_that_is_not_a_number_is_refused_not_wrong(typed: str) -> None:
    verdict = check(value_ask("y[0,0] = ?", (0, 0), 1.0), typed)
    assert verdict.right is None and verdict.text


def test_cells_and_sizes_are_read_loosely_and_refused_clearly() -> None:
    assert read_cell("1,2") == read_cell("(1, 2)") == read_cell("x[1,2]") == (1, 2)
    assert read_cell("1") is None and read_cell("a,b") is None
    assert read_size("3x4") == read_size("3×4") == read_size("3, 4") == (3, 4)
    assert read_size("3") == (3, 3) and read_size("3x") is None
    assert read_number("−2") == -2.0 and read_number("1e999") is None
    ask = size_ask("what size?", (3, 3))
    assert ask.kind == SIZE
    assert check(ask, "3").right is True and check(ask, "3x4").right is False
    assert check(ask, "big").right is None
    pos = question(build_trace(Scene.seed_example("max_pool2d")), 0).asks[1]
    outside = check(pos, "9,9")
    assert outside.right is None and "outside x" in outside.text
