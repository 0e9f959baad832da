"""The app's behaviour, driven by keys: every number on screen is the engine's."""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample.engine import trace as engine_trace
from tui_upsample.engine.steps import OUTPUT
from tui_upsample.scene import OPERATORS, PARAMETERS, Scene
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.panes.grid_editor import GridEditor
from tui_upsample.widgets.panes.settings import CHANNEL_LABELS, LABELS, Settings, channel_fields
from tui_upsample.widgets.panes.step_view import StepView

SIZE = (120, 40)


def output_on_screen(app) -> np.ndarray:
    view = app.query_one(StepView).query_one(f"#grid-{OUTPUT}", GridView)
    return np.asarray(view.values)


async def test_starts_on_the_seed_example(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.scene.op == "conv_transpose2d"
        assert app.scene.method == "matrix"
        assert app.scene.input.shape == (2, 2) and app.scene.kernel.shape == (2, 2)
        matrix = app.query_one("#grid-matrix", GridView)
        assert matrix.values.shape == (4, 9)  # W2 = W1ᵀ
        assert app.trace.result.shape == (3, 3)
        assert "conv_transpose2d" in app.sub_title


async def test_stepping_to_the_end_shows_the_engine_result(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await pilot.pause()
        assert app.step == len(app.trace) - 1
        np.testing.assert_array_equal(output_on_screen(app), app.trace.result)
        expected = engine_trace(
            "conv_transpose2d", app.scene.input, weight=app.scene.kernel, method="matrix"
        ).result
        np.testing.assert_array_equal(output_on_screen(app), expected)


@pytest.mark.parametrize("op", OPERATORS)
async def test_every_operator_reaches_its_result(op: str, app_factory) -> None:
    app = app_factory(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await pilot.pause()
        np.testing.assert_allclose(output_on_screen(app), app.trace.result)
        assert f"step {len(app.trace)} / {len(app.trace)}" in str(
            app.query_one("#counter").render()
        )


async def test_editing_a_cell_changes_the_output_to_the_engine_value(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "down", "-", "2", ".", "5", "enter", "end")
        await pilot.pause()
        assert app.scene.input[1, 1] == -2.5
        x = np.array([[1.0, 2.0], [3.0, -2.5]])
        expected = engine_trace("conv_transpose2d", x, weight=app.scene.kernel).result
        np.testing.assert_array_equal(app.trace.result, expected)
        np.testing.assert_array_equal(output_on_screen(app), expected)


async def test_a_refused_edit_keeps_the_old_value(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "x", "enter")
        await pilot.pause()
        assert app.scene.input[0, 0] == 1.0
        message = str(app.query_one("#input-editor #message").render())
        assert "not a finite number" in message and "stays 1" in message
        await pilot.press("9", "e", "9", "9", "9", "enter")  # 9e999 is infinite: refused too
        await pilot.pause()
        assert app.scene.input[0, 0] == 1.0


async def test_escape_cancels_an_edit_and_stepping_keys_are_typed_while_editing(
    app_factory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "n", "escape")
        await pilot.pause()
        assert app.step == 0  # "n" was a character of the edit, not a step
        assert app.scene.input[0, 0] == 1.0
        await pilot.press("n")
        assert app.step == 1


async def test_p_after_n_returns_to_the_same_screen(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await pilot.pause()
        before = app.export_screenshot()
        await pilot.press("n", "p")
        await pilot.pause()
        assert app.export_screenshot() == before


@pytest.mark.parametrize("op", OPERATORS)
async def test_only_the_parameters_the_operator_takes_are_shown(op: str, app_factory) -> None:
    app = app_factory(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        settings = app.query_one(Settings)
        for name in Settings.PARAMETERS:
            controls = settings.query(f"#controls > #{name}")  # built when first needed
            assert bool(controls and controls.first().display) == (name in PARAMETERS[op]), name
        assert labels_and_controls(settings) == [
            ("operator", "op"),
            *((LABELS[name], name) for name in Settings.PARAMETERS if name in PARAMETERS[op]),
            *((CHANNEL_LABELS[name], name) for name in channel_fields(app.scene)),
        ]
        kernel_editor = app.query_one("#kernel-editor", GridEditor)
        assert kernel_editor.display == (op in ("conv2d", "conv_transpose2d"))


def labels_and_controls(settings: Settings) -> list[tuple[str, str]]:
    """Each line of the label column with the control beside it, read off the screen."""
    labels = settings.query_one("#labels")
    lines = [strip.text.strip() for strip in labels.render_lines(labels.region.reset_offset)]
    shown = [c for c in settings.query_one("#controls").children if c.display]
    assert [c.region.y for c in shown] == [labels.region.y + i for i in range(len(shown))]
    return list(zip(lines, [c.id for c in shown], strict=True))


async def test_labels_stay_beside_their_controls_through_every_operator(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        settings = app.query_one(Settings)
        for _ in range(2 * len(OPERATORS)):  # each operator twice: controls built, then reused
            await pilot.press("o")
            await pilot.pause()
            op = app.scene.op
            assert labels_and_controls(settings) == [
                ("operator", "op"),
                *((LABELS[n], n) for n in Settings.PARAMETERS if n in PARAMETERS[op]),
                *((CHANNEL_LABELS[n], n) for n in channel_fields(app.scene)),
            ], op


async def test_keys_switch_operator_and_method_and_keep_the_step(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "m")
        await pilot.pause()
        assert app.scene.method == "direct"
        assert app.step == 2  # output cell 2 in both: the step that means the same
        await pilot.press("m")  # direct → scatter: the input value that finishes y[0, 2]
        assert app.scene.method == "scatter" and app.step == 1 and app.view == "steps"
        await pilot.press("m")  # scatter → matrix: the last output cell that value finishes
        assert app.scene.method == "matrix" and app.step == 2
        await pilot.press("o")
        await pilot.pause()
        assert app.scene.op == "pixel_shuffle"
        assert app.trace.op == "pixel_shuffle"


async def test_an_invalid_parameter_shows_the_engine_message_and_keeps_the_picture(
    app_factory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.trace
        await pilot.press(*(["tab"] * 6), "1")  # output padding 1 with stride 1
        await pilot.pause()
        assert app.scene.output_padding == 1
        assert "output_padding" in app.error
        assert app.trace is before
        assert "output_padding" in str(app.query_one("#problem").render())
        await pilot.press("backspace", "0")
        await pilot.pause()
        assert app.error == ""


async def test_settings_change_recomputes_the_trace(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*(["tab"] * 4), "2")  # stride 2
        await pilot.pause()
        assert app.scene.stride == 2
        assert app.trace.result.shape == (4, 4)
        assert "= 4" in str(app.query_one("#formula").render())


async def test_help_lists_every_app_key(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        shown = {does: keys for keys, does, *_ in app.screen.rows}
        for binding in app.BINDINGS:
            keys = " / ".join(
                app.get_key_display(b) for b in type(binding).make_bindings([binding])
            )
            # rows described alike are one; the tooltip is the help's longer description
            assert keys in shown[binding.tooltip or binding.description]
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_randomise_zero_and_resize_the_input(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+down", "shift+right")
        await pilot.pause()
        assert app.scene.input.shape == (3, 3)
        await pilot.press("z")
        await pilot.pause()
        assert not app.scene.input.any()
        await pilot.press("r")
        await pilot.pause()
        first = app.scene.input.copy()
        assert first.any()
        assert app.trace.result.shape == (4, 4)


async def test_palette_commands_load_presets_and_operators(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("fill('input', 'impulse')")
        await pilot.pause()
        assert app.scene.input.sum() == 1.0
        await app.run_action("fill('input', 'small')")
        assert app.scene.input.shape == (5, 5)
        await app.run_action("set_op('max_pool2d')")
        assert app.scene.op == "max_pool2d"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert len(app.screen_stack) == 2


async def test_pixel_shuffle_edits_every_channel(app_factory) -> None:
    app = app_factory(op="pixel_shuffle")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "7", "enter")  # channel 1, row 1
        await pilot.pause()
        assert app.scene.channels[1, 1, 0] == 7.0


async def test_play_advances_by_itself(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause(0.7)
        await pilot.press("space")
        assert app.step >= 1
        assert not app.playing


async def test_a_big_trace_reads_only_what_is_visible(app_factory) -> None:
    """A 64×64 input in the matrix view: W2 is 4096 × 16641 and is only ever sliced."""
    scene = Scene.seed_example().replace(input=np.ones((64, 64)), kernel=np.ones((2, 2)))
    app = app_factory(scene)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await pilot.pause()
        view = app.query_one("#grid-matrix", GridView)
        assert view.values.shape == (4096, 65 * 65)
        assert view.scroll_offset.x > 0  # followed the last column
        strip = view.render_line(3)
        assert strip.cell_length == view.size.width


async def test_a_switch_in_the_settings_toggles_its_parameter(app_factory) -> None:
    app = app_factory(op="upsample_bilinear")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        switch = app.query_one("#align_corners")
        assert switch.region.height == 1 and not switch.has_class("-on")
        switch.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.scene.align_corners is True and switch.has_class("-on")
        # x = [[1, 2], [3, 4]] to 4×4 with the corners aligned: row 0 runs 1, 4/3, 5/3, 2.
        np.testing.assert_allclose(app.trace.result[0], [1, 4 / 3, 5 / 3, 2])
        await pilot.press("enter")
        await pilot.pause()
        assert app.scene.align_corners is False
        np.testing.assert_allclose(app.trace.result[0], [1, 1.25, 1.75, 2])


async def test_space_flips_a_focused_switch_and_opens_a_focused_list(app_factory) -> None:
    app = app_factory(op="upsample_bilinear")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        switch = app.query_one("#align_corners")
        switch.focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.scene.align_corners is True and not app.playing
        np.testing.assert_allclose(app.trace.result[0], [1, 4 / 3, 5 / 3, 2])
        app.query_one("#op").focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.query_one("#op").expanded and not app.playing
        await pilot.press("escape")
        await pilot.pause()
        assert not app.query_one("#op").expanded
        app.query_one("#steps").focus()
        await pilot.pause()
        await pilot.press("space")  # anywhere else space plays the steps
        await pilot.pause()
        assert app.playing
