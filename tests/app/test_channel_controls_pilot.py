"""The channel controls, driven as a learner would: the settings rows for the channel counts and
groups, the keys that add and remove planes and move the editor's cursor between them, and the
channel presets of the command palette."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input

from tui_upsample.channel_presets import CHANNEL_PRESETS
from tui_upsample.cli import build_parser, scene_from_args
from tui_upsample.scene import OPERATORS, Scene
from tui_upsample.widgets.panes.grid_editor import GridEditor
from tui_upsample.widgets.panes.settings import CHANNEL_LABELS, Settings, channel_fields

SIZE = (120, 40)


def _scene(*argv: str) -> Scene:
    return scene_from_args(build_parser().parse_args(list(argv)))


async def _type(app, pilot, name: str, text: str) -> None:
    """Type ``text`` over the value of settings row ``name``."""
    box = app.query_one(f"#{name}", Input)
    box.focus()
    await pilot.pause()
    await pilot.press(*["backspace"] * len(box.value), *text)
    await pilot.pause()


def _problem(app) -> str:
    return str(app.query_one("#problem").render())


@pytest.mark.parametrize("op", OPERATORS)
async def test_each_operator_shows_the_channel_rows_it_takes(op: str, app_factory) -> None:
    app = app_factory(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        settings = app.query_one(Settings)
        shown = {n for n in CHANNEL_LABELS if settings.query_one(f"#{n}").display}
        assert shown == set(channel_fields(app.scene))
        if op in ("conv2d", "conv_transpose2d"):
            assert shown == {"in_channels", "out_channels", "groups"}
        elif op == "pixel_shuffle":
            assert shown == {"out_channels"}
        else:
            assert shown == {"channels"}


async def test_in_channels_typed_reach_the_scene_and_keep_the_first_plane(app_factory) -> None:
    app = app_factory(op="conv2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        plane = app.scene.input.copy()
        await _type(app, pilot, "in_channels", "3")
        assert app.scene.in_channels == 3
        assert app.scene.input.shape == (3, *plane.shape)
        np.testing.assert_array_equal(app.scene.input[0], plane)
        assert app.scene.kernel.shape[:2] == (1, 3)  # (C_out, C_in/g)
        assert app.trace.result.shape[0] == 1
        await _type(app, pilot, "out_channels", "2")
        assert app.scene.kernel.shape[:2] == (2, 3)
        assert app.trace.result.shape[0] == 2


async def test_groups_that_do_not_divide_are_refused_with_the_rule(app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "4", "--out-channels", "2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before, scene = app.trace, app.scene
        await _type(app, pilot, "groups", "4")
        assert app.scene == scene
        assert app.trace is before  # the last valid picture stays
        assert "must divide both" in _problem(app)
        await _type(app, pilot, "groups", "2")
        assert app.scene.groups == 2 and app.error == ""
        assert app.scene.kernel.shape[:2] == (2, 2)  # (C_out, C_in/g)


async def test_more_planes_than_the_screen_holds_are_refused(app_factory) -> None:
    app = app_factory(op="max_pool2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.trace
        await _type(app, pilot, "channels", "6")
        assert app.scene.input.ndim == 2
        assert app.trace is before
        assert "1 to 4 planes on screen" in _problem(app)
        assert "--in-channels" in _problem(app)
        await _type(app, pilot, "channels", "2")
        assert app.scene.input.shape[0] == 2 and app.error == ""
        assert app.trace.result.shape[0] == 2


async def test_pixel_shuffle_out_channels_make_r2_input_channels_each(app_factory) -> None:
    app = app_factory(op="pixel_shuffle")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.scene.channels.copy()
        await _type(app, pilot, "out_channels", "2")
        r2 = app.scene.upscale**2
        assert app.scene.channels.shape[0] == 2 * r2
        np.testing.assert_array_equal(app.scene.channels[: first.shape[0]], first)
        assert app.trace.result.shape[0] == 2


async def test_a_adds_planes_and_a_shift_removes_them_within_1_to_4(app_factory) -> None:
    app = app_factory(op="max_pool2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        plane = app.scene.input.copy()
        await pilot.press("a")
        assert app.scene.input.shape == (2, *plane.shape)
        np.testing.assert_array_equal(app.scene.input[0], plane)
        await pilot.press("a", "a", "a")  # the fifth is refused
        await pilot.pause()
        assert app.scene.input.shape[0] == 4
        editor = app.query_one("#input-editor", GridEditor)
        assert "at most 4" in str(editor.query_one("#message").render())
        await pilot.press("A", "A", "A", "A")  # the last is refused
        await pilot.pause()
        assert app.scene.input.ndim == 2
        np.testing.assert_array_equal(app.scene.input, plane)
        assert "at least 1" in str(editor.query_one("#message").render())


async def test_a_grows_a_convolution_in_step_and_respects_groups(app_factory) -> None:
    app = app_factory(op="conv2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert (app.scene.in_channels, app.scene.out_channels) == (2, 2)
        await _type(app, pilot, "groups", "2")
        assert app.scene.groups == 2
        app.query_one("#input-editor GridView").focus()
        await pilot.press("a")  # 3 does not divide by 2: refused, the scene kept
        await pilot.pause()
        assert app.scene.in_channels == 2
        editor = app.query_one("#input-editor", GridEditor)
        assert "groups = 2 must divide" in str(editor.query_one("#message").render())


async def test_plane_keys_move_the_cursor_between_channels_and_slices(app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "2", "--out-channels", "2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        editor = app.query_one("#input-editor", GridEditor)
        assert editor.border_subtitle == "channel 0 of 2  (> <)"
        await pilot.press("down", "right", "greater_than_sign")
        assert editor.cursor == (1, 1, 1)  # the same cell, one plane on
        assert editor.border_subtitle == "channel 1 of 2  (> <)"
        await pilot.press("greater_than_sign")
        assert editor.cursor == (1, 1, 1)
        assert "last of 2 planes" in str(editor.query_one("#message").render())
        await pilot.press("less_than_sign")
        assert editor.cursor == (0, 1, 1)
        kernel = app.query_one("#kernel-editor", GridEditor)
        kernel.query_one("GridView").focus()
        await pilot.press("greater_than_sign", "greater_than_sign")
        assert kernel.cursor[:2] == (1, 0)  # slices in the order drawn: [0,0], [0,1], [1,0]
        assert kernel.border_subtitle == "slice [1,0]: o=1, i=0  (> <)"
        await pilot.press("9", "enter")
        await pilot.pause()
        assert app.scene.kernel[1, 0, 0, 0] == 9


@pytest.mark.parametrize("name", sorted(CHANNEL_PRESETS))
async def test_a_channel_preset_loads_and_u_brings_the_scene_back(name: str, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        before = app.current_scene
        await app.run_action(f"channel_preset({name!r})")
        await pilot.pause()
        assert app.scene == CHANNEL_PRESETS[name].make(before.seed)
        assert app.error == "" and app.trace.op == app.scene.op
        assert app.trace.result.ndim == 3  # output planes
        await pilot.press("u")
        await pilot.pause()
        assert app.current_scene == before


async def test_the_depthwise_preset_is_one_kernel_per_plane(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("channel_preset('depthwise (groups = C_in = 3)')")
        await pilot.pause()
        scene = app.scene
        assert (scene.op, scene.in_channels, scene.out_channels, scene.groups) == (
            "conv2d",
            3,
            3,
            3,
        )
        assert scene.kernel.shape[:2] == (3, 1)
        assert app.query_one("#groups", Input).value == "3"


async def test_channels_survive_an_operator_switch(app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "2", "--out-channels", "2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        planes = app.scene.input.copy()
        await pilot.press("o")  # conv2d → conv_transpose2d
        await pilot.pause()
        assert app.scene.op == "conv_transpose2d"
        np.testing.assert_array_equal(app.scene.input, planes)
        assert app.query_one("#in_channels", Input).value == "2"


async def test_a_scene_of_more_planes_from_the_command_line_can_shrink_not_grow(
    app_factory,
) -> None:
    app = app_factory(_scene("--op", "pool", "--in-channels", "6"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        planes = app.scene.input.copy()
        await pilot.press("a")  # 7: more than the screen holds
        await pilot.pause()
        assert app.scene.input.shape[0] == 6
        await pilot.press("A")
        await pilot.pause()
        assert app.scene.input.shape[0] == 5
        np.testing.assert_array_equal(app.scene.input, planes[:5])
        assert app.query_one("#channels", Input).value == "5"
