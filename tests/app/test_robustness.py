"""Bad input in the app: a clear message, nothing lost.

A refused cell edit keeps the old value and says why; an invalid parameter keeps the last valid
picture and names the broken rule; huge and tiny numbers keep the grid's columns aligned and stay
distinguishable; a terminal smaller than 80×24 shows a notice instead of garbage, and recovers.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from tui_upsample.engine import trace as engine_trace
from tui_upsample.engine.steps import OUTPUT
from tui_upsample.number_format import cell_width, format_number, format_to_width
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.blocks.too_small import MIN_SIZE, TooSmallNotice
from tui_upsample.widgets.panes.step_view import StepView

SIZE = (120, 40)
AWKWARD = (1e300, -1e-300, 123456789.123, 0.000123)
"""Numbers that would break a naive grid: huge, tiny, long, and many leading zeros."""


def output_view(app) -> GridView:
    return app.query_one(StepView).query_one(f"#grid-{OUTPUT}", GridView)


def message_of(app, which: str = "input") -> str:
    return str(app.query_one(f"#{which}-editor #message").render())


# Refused cell edits --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (["x"], "'x' is not a finite number"),
        (["1", "e", "9", "9", "9"], "'1e999' is not a finite number"),
        (["-", "-", "3"], "'--3' is not a finite number"),
        (["."], "'.' is not a finite number"),
        (["1", ".", "2", ".", "3"], "'1.2.3' is not a finite number"),
        (["-", "backspace"], "'' is not a finite number"),
    ],
)
async def test_a_refused_edit_keeps_the_old_value_and_says_why(
    app_factory, typed: list[str], says: str
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        before_scene, before_trace = app.scene, app.trace
        before_output = np.array(output_view(app).values)
        await pilot.press("right", "enter", "backspace", *typed, "enter")
        await pilot.pause()
        assert app.scene == before_scene  # the cell kept 2
        assert app.trace is before_trace
        np.testing.assert_array_equal(output_view(app).values, before_output)
        message = message_of(app)
        assert says in message and "x[0,1] stays 2" in message, message


async def test_a_refused_kernel_edit_names_the_kernel_cell(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#kernel-editor GridView").focus()
        await pilot.press("down", "enter", "backspace", "n", "a", "n", "enter")  # "nan"
        await pilot.pause()
        assert app.scene.kernel[1, 0] == 2.0
        assert "w[1,0] stays 2" in message_of(app, "kernel")


# Invalid parameters --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "param", "typed", "rule"),
    [
        ("conv_transpose2d", "stride", "0", "stride"),
        ("conv_transpose2d", "dilation", "0", "dilation"),
        ("conv_transpose2d", "output_padding", "3", "output_padding"),
        ("conv_transpose2d", "padding", "9", "padding"),
        ("conv2d", "kernel_size", "9", "weight"),
        ("max_pool2d", "padding", "2", "padding"),
        ("max_pool2d", "kernel_size", "9", "kernel_size"),
        ("max_unpool2d", "stride", "0", "stride"),
        ("upsample_nearest", "scale", "0.1", "scale_factor"),
        ("upsample_bilinear", "scale", "-2", "scale_factor"),
        ("pixel_shuffle", "upscale", "0", "upscale_factor"),
    ],
)
async def test_an_invalid_parameter_keeps_the_last_picture_and_names_the_rule(
    app_factory, op: str, param: str, typed: str, rule: str
) -> None:
    app = app_factory(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        before_trace, before_step = app.trace, app.step
        before_output = np.array(output_view(app).values)
        before_counter = str(app.query_one("#counter").render())
        box = app.query_one(f"#{param}", Input)
        box.value = typed
        await pilot.pause()
        assert app.error, f"{param}={typed} was accepted"
        assert rule in app.error
        problem = str(app.query_one("#problem").render())
        assert rule in problem
        # The last valid picture stays: same trace, same step, same numbers on screen.
        assert app.trace is before_trace and app.step == before_step
        np.testing.assert_array_equal(output_view(app).values, before_output)
        assert str(app.query_one("#counter").render()) == before_counter
        # Stepping still walks the last valid trace.
        await pilot.press("n")
        assert app.step == before_step + 1


# Huge and tiny numbers -----------------------------------------------------------------------
def test_awkward_numbers_are_compact_and_distinct() -> None:
    texts = [format_number(v) for v in AWKWARD]
    assert texts == ["1e300", "−1e−300", "1.235e8", "1.23e−4"]
    assert len(set(texts)) == len(texts)
    width = cell_width(np.array(AWKWARD))
    assert [format_to_width(v, width).strip() for v in AWKWARD] == texts


def _round4(value: float) -> float:
    return float(f"{value:.3e}")


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=400, deadline=None)
@given(finite, finite)
def test_values_that_differ_in_4_significant_digits_never_look_the_same(a: float, b: float) -> None:
    if _round4(a) != _round4(b):
        assert format_number(a) != format_number(b), (a, b)


@settings(max_examples=200, deadline=None)
@given(st.lists(finite, min_size=1, max_size=12))
def test_a_grid_width_never_costs_a_digit(values: list[float]) -> None:
    """Every cell of a grid is written with its full 4 digits in the grid's common width."""
    width = cell_width(np.array(values))
    for v in values:
        text = format_to_width(v, width)
        assert len(text) == width and text.strip() == format_number(v)
    shown = {_round4(v): format_to_width(v, width) for v in values}
    assert len(set(shown.values())) == len(shown)


async def test_awkward_numbers_keep_every_grid_aligned(app_factory) -> None:
    x = np.array([[1e300, -1e-300], [123456789.123, 0.000123]])
    app = app_factory(Scene.seed_example("upsample_nearest").replace(input=x))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await pilot.pause()
        for view in app.query(GridView):
            if not view.display or view.size.width == 0:
                continue
            strips = [view.render_line(y) for y in range(view.size.height)]
            assert {s.cell_length for s in strips} == {view.size.width}
        editor = app.query_one("#input-editor GridView", GridView)
        lines = [editor.render_line(y).text for y in range(3)]
        for number in ("1e300", "−1e−300", "1.235e8", "1.23e−4"):
            assert any(number in line for line in lines), (number, lines)
        out = output_view(app)
        np.testing.assert_array_equal(
            out.values, engine_trace("upsample_nearest", x, scale_factor=2).result
        )
        text = "\n".join(out.render_line(y).text for y in range(out.size.height))
        assert text.count("1e300") == 4 and text.count("1.23e−4") == 4


async def test_typing_an_awkward_number_shows_it_compactly(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"123456789.123", "enter")
        await pilot.pause()
        assert app.scene.input[0, 0] == 123456789.123
        assert "x[0,0] = 1.235e8" in message_of(app)
        await pilot.press("right", *"-1e-300", "enter")
        await pilot.pause()
        assert app.scene.input[0, 1] == -1e-300
        editor = app.query_one("#input-editor GridView", GridView)
        assert "−1e−300" in editor.render_line(1).text


# A terminal too small ------------------------------------------------------------------------
async def test_a_small_terminal_shows_a_notice_and_recovers(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await pilot.pause()
        notice = app.query_one(TooSmallNotice)
        assert not notice.display
        step, scene = app.step, app.scene
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert notice.display and not app.query_one("#body").display
        text = str(notice.render())
        assert "too small" in text and "40×12" in text and "80×24" in text
        await pilot.press("n", "right", "5", "enter")  # nothing changes unseen
        await pilot.resize_terminal(MIN_SIZE.width, MIN_SIZE.height - 1)
        await pilot.pause()
        assert notice.display
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert not notice.display and app.query_one("#body").display
        assert app.step == step and app.scene == scene
        assert app.query_one("#counter").region.width > 0


async def test_the_notice_is_shown_from_the_start(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        assert app.query_one(TooSmallNotice).display
        await pilot.resize_terminal(MIN_SIZE.width, MIN_SIZE.height)
        await pilot.pause()
        assert not app.query_one(TooSmallNotice).display


def test_small_terminal_40x12(snap_compare, app_factory) -> None:
    """At 40×12 the notice, readable, instead of slivers of panes."""
    assert snap_compare(app_factory(), terminal_size=(40, 12))
