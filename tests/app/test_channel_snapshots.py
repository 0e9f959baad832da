"""Scenes with channels, as SVG snapshots: every plane titled with its channel, a 4-D kernel drawn
slice by slice in PyTorch's layout for its operator, the planes a step reads highlighted.

Each scene is made from the command line's own flags (the same seeded planes a learner gets), at
a step part-way through, so that the highlights fall on a plane other than the first.
"""

from __future__ import annotations

import pytest

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
