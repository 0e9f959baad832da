"""Scenes with channels, as SVG snapshots: every plane titled with its channel, a 4-D kernel drawn
slice by slice in PyTorch's layout for its operator, the planes a step reads highlighted.

The matrices (im2col, the kernel as columns, W2) are drawn in their channel blocks, each
captioned with its kernel slice and the channels it joins; pixel shuffle lights the input cell the
other channel order reads. Each scene is made from the command line's own flags (the same seeded
planes a learner gets), at a step part-way through, so that the highlights fall on a plane other
than the first.
"""

from __future__ import annotations

import pytest

from tests.app.conftest import THEME
from tui_upsample.app import UpsampleApp
from tui_upsample.cli import build_parser, scene_from_args

SIZE = (120, 40)

SCENES = {
    "conv2d_channels": (["--op", "conv", "--in-channels", "2", "--out-channels", "2"], 5),
    "conv2d_groups": (
        ["--op", "conv", "--in-channels", "4", "--out-channels", "2", "--groups", "2"],
        5,
    ),
    "conv2d_depthwise": (
        ["--op", "conv", "--in-channels", "2", "--out-channels", "2", "--groups", "2"],
        5,
    ),
    "conv_transpose2d_scatter_channels": (
        ["--op", "convT", "--in-channels", "2", "--out-channels", "2", "--method", "scatter"],
        5,
    ),
    "conv_transpose2d_matrix_channels": (
        ["--op", "convT", "--in-channels", "2", "--out-channels", "2", "--method", "matrix"],
        10,
    ),
    "conv_transpose2d_matrix_w1_beside_w2": (
        ["--op", "convT", "--in-channels", "2", "--out-channels", "1", "--size", "2x2"],
        4,
    ),
    "conv_transpose2d_matrix_groups": (
        ["--op", "convT", "--in-channels", "2", "--out-channels", "2", "--groups", "2"],
        10,
    ),
    "conv_transpose2d_direct_channels": (
        ["--op", "convT", "--in-channels", "2", "--out-channels", "2", "--method", "direct"],
        10,
    ),
    "conv_transpose2d_compare_channels": (
        ["--op", "convT", "--in-channels", "2", "--out-channels", "2", "--method", "all"],
        5,
    ),
    "conv_transpose2d_compare_groups": (
        ["--op", "convT", "--in-channels", "2", "--out-channels", "4", "--groups", "2"]
        + ["--stride", "2", "--method", "all"],
        17,
    ),
    "max_pool2d_channels": (["--op", "pool", "--in-channels", "2"], 5),
    "max_unpool2d_channels": (["--op", "unpool", "--in-channels", "2"], 5),
    "pixel_shuffle_both_orders": (["--op", "shuffle", "--out-channels", "2"], 5),
    "pixel_shuffle_dcr": (["--op", "shuffle", "--out-channels", "2", "--order", "dcr"], 5),
    "pixel_unshuffle_channels": (["--op", "unshuffle", "--in-channels", "2", "--size", "4x4"], 9),
}


@pytest.mark.parametrize("name", sorted(SCENES))
def test_scene_with_channels(name: str, snap_compare, app_factory) -> None:
    argv, steps = SCENES[name]
    scene = scene_from_args(build_parser().parse_args(argv))
    assert snap_compare(app_factory(scene), press=["n"] * steps, terminal_size=SIZE)


def _matrix_scene(*more: str):
    argv = ["--op", "convT", "--in-channels", "2", "--out-channels", "2", "--method", "matrix"]
    return scene_from_args(build_parser().parse_args([*argv, *more]))


def test_matrix_blocks_scrolled_at_80x24(snap_compare, app_factory) -> None:
    """A W2 wider than the pane, at its last column: the caption of the block in view stays."""

    async def run_before(pilot) -> None:
        await pilot.press("end")
        await pilot.pause()
        grids = pilot.app.query_one("#grids")
        grids.scroll_to_widget(pilot.app.query_one("#grid-matrix"), animate=False, top=True)
        await pilot.wait_for_scheduled_animations()
        for _ in range(3):
            await pilot.pause(0.1)

    app = app_factory(_matrix_scene("--size", "4x4"))
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_matrix_blocks_in_korean(snap_compare) -> None:
    scene = _matrix_scene("--groups", "2")
    app = UpsampleApp(scene, theme=THEME, cursor_blink=False, language="ko")
    assert snap_compare(app, press=["n"] * 10, terminal_size=SIZE)


def test_pixel_shuffle_legend_in_korean(snap_compare) -> None:
    scene = scene_from_args(build_parser().parse_args(["--op", "shuffle", "--out-channels", "2"]))
    app = UpsampleApp(scene, theme=THEME, cursor_blink=False, language="ko")
    assert snap_compare(app, press=["n"] * 5, terminal_size=SIZE)
