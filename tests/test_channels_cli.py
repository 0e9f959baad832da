"""Channels and groups from the command line to sessions and exported scripts.

--in-channels / --out-channels / --groups, (C, H, W) input and 4-D kernel files in PyTorch's
layout, --order and pixel_unshuffle; sessions round-trip them (and version 1 files still load);
the exported NumPy script reproduces the engine's result with channels, and the PyTorch and Keras
scripts carry the channels, the groups and (Keras) the converted weight layout.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tui_upsample.cli import build_parser, main, scene_from_args
from tui_upsample.export import export
from tui_upsample.scene import Scene, build_trace, swap_layout
from tui_upsample.session import dumps, loads, scene_from_dict, scene_to_dict


def scene_of(argv: list[str]) -> Scene:
    return scene_from_args(build_parser().parse_args(argv))


def error_of(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("upsample-tui: error:")]
    assert len(lines) == 1, err
    return lines[0]


# Flags --------------------------------------------------------------------------------------


def test_channel_flags_make_seeded_planes_in_the_operators_layout() -> None:
    scene = scene_of(["--op", "conv", "--in-channels", "2", "--out-channels", "4", "--groups", "2"])
    assert scene.input.shape == (2, 3, 3) and scene.kernel.shape == (4, 1, 2, 2)
    assert scene.groups == 2 and scene.in_channels == 2 and scene.out_channels == 4
    # the seed's plane and kernel are kept as the first ones
    np.testing.assert_array_equal(scene.input[0], Scene.seed_example("conv2d").input)
    np.testing.assert_array_equal(scene.kernel[0, 0], Scene.seed_example("conv2d").kernel)
    again = scene_of(["--op", "conv", "--in-channels", "2", "--out-channels", "4", "--groups", "2"])
    assert again == scene  # seeded
    t = build_trace(scene)
    assert t.result.shape == (4, 2, 2)
    transposed = scene_of(
        ["--op", "convT", "--in-channels", "2", "--out-channels", "4", "--groups", "2"]
    )
    assert transposed.kernel.shape == (2, 2, 2, 2)  # (C_in, C_out/groups, kH, kW)


def test_planewise_operators_keep_the_channels() -> None:
    scene = scene_of(["--op", "pool", "--in-channels", "3", "--size", "4x4"])
    assert scene.input.shape == (3, 4, 4)
    assert build_trace(scene).result.shape == (3, 2, 2)


def test_pixel_shuffle_out_channels_and_order() -> None:
    scene = scene_of(["--op", "shuffle", "--out-channels", "2", "--order", "dcr"])
    assert scene.channels.shape == (8, 2, 2) and scene.order == "dcr"
    t = build_trace(scene)
    assert t.result.shape == (2, 4, 4)
    x = scene.channels
    assert t.result[1, 0, 1] == x[(0 * 2 + 1) * 2 + 1, 0, 0]
    assert scene_of(["--op", "shuffle", "--in-channels", "8"]).out_channels == 2


def test_pixel_unshuffle_from_the_command_line() -> None:
    scene = scene_of(["--op", "unshuffle", "--in-channels", "2", "--size", "4x4", "--scale", "2"])
    assert build_trace(scene).result.shape == (8, 2, 2)
    assert scene_of(["--op", "space_to_depth", "--size", "4x4"]).op == "pixel_unshuffle"


def test_input_and_kernel_files_with_channels(tmp_path: Path) -> None:
    x = np.arange(18.0).reshape(2, 3, 3)
    w = np.arange(16.0).reshape(4, 2, 1, 2) - 5  # conv2d: (C_out=4, C_in=2, 1, 2)
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "w.json").write_text(json.dumps(w.tolist()))
    scene = scene_of(
        ["--op", "conv", "--input", str(tmp_path / "x.npy"), "--kernel", str(tmp_path / "w.json")]
    )
    np.testing.assert_array_equal(scene.input, x)
    np.testing.assert_array_equal(scene.kernel, w)
    assert scene.out_channels == 4


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--in-channels", "9"], "--in-channels"),
        (["--groups", "0"], "--groups"),
        (["--op", "pool", "--groups", "2"], "--groups 2: only conv2d and conv_transpose2d"),
        (
            ["--op", "pool", "--in-channels", "3", "--out-channels", "2"],
            "--out-channels 2: max_pool2d",
        ),
        (["--op", "conv", "--in-channels", "3", "--groups", "2"], "--groups 2: must divide"),
        (["--op", "shuffle", "--in-channels", "3"], "multiple of r² = 4"),
        (["--op", "unshuffle", "--size", "3x3"], "--scale: downscale_factor=2"),
        (["--op", "shuffle", "--order", "rcd"], "--order"),
    ],
)
def test_bad_channel_flags_exit_2(capsys, argv: list[str], says: str) -> None:
    assert says in error_of(capsys, argv)


def test_method_all_takes_channels_and_groups() -> None:
    from tui_upsample.engine.faces import ChannelThreeFacesTrace

    argv = ["--op", "convT", "--in-channels", "2", "--out-channels", "4", "--groups", "2"]
    scene = scene_of([*argv, "--method", "all"])
    assert scene.compare
    t = build_trace(scene)
    assert isinstance(t, ChannelThreeFacesTrace) and t.result.shape[0] == 4
    assert t.agreement.max_difference < 1e-12


def test_a_kernel_file_in_the_wrong_layout_names_both(capsys, tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.ones((2, 3, 3)))
    np.save(tmp_path / "w.npy", np.ones((2, 3, 2, 2)))  # a ConvTranspose2d weight, 2 → 3
    line = error_of(
        capsys,
        ["--op", "conv", "--input", str(tmp_path / "x.npy"), "--kernel", str(tmp_path / "w.npy")],
    )
    assert "--kernel" in line and "(C_out, C_in/groups, kH, kW)" in line
    assert "(C_in, C_out/groups, kH, kW)" in line
    np.save(tmp_path / "w3.npy", np.ones((2, 2, 2)))
    assert "want 2-D (kH, kW) or 4-D" in error_of(
        capsys, ["--op", "conv", "--kernel", str(tmp_path / "w3.npy")]
    )


# Scene --------------------------------------------------------------------------------------


def test_switching_convolutions_keeps_the_weights_in_the_other_layout() -> None:
    scene = scene_of(["--op", "conv", "--in-channels", "4", "--out-channels", "2", "--groups", "2"])
    w = scene.kernel  # (2, 2, 2, 2): output o of group g reads inputs 2g, 2g + 1
    moved = scene.with_op("conv_transpose2d")
    assert moved.kernel.shape == (4, 1, 2, 2)  # (C_in, C_out/groups, kH, kW)
    for o in range(2):
        for cl in range(2):
            np.testing.assert_array_equal(moved.kernel[o * 2 + cl, 0], w[o, cl])
    assert moved.in_channels == 4 and moved.out_channels == 2
    np.testing.assert_array_equal(swap_layout(moved.kernel, 2), w)
    assert moved.with_op("conv2d").kernel.shape == w.shape


def test_one_plane_scenes_stay_two_dimensional() -> None:
    scene = Scene.seed_example("conv_transpose2d")
    assert not scene.multichannel and "groups" not in scene.engine_params()
    assert scene.with_channels(1, 1, 1) == scene


# Sessions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--op", "conv", "--in-channels", "2", "--out-channels", "4", "--groups", "2"],
        ["--op", "convT", "--in-channels", "3", "--out-channels", "2", "--method", "direct"],
        ["--op", "shuffle", "--out-channels", "2", "--order", "dcr"],
        ["--op", "unpool", "--in-channels", "2", "--size", "4x4"],
        ["--op", "unshuffle", "--size", "4x4", "--order", "dcr"],
    ],
)
def test_sessions_round_trip_channels_and_groups(argv: list[str]) -> None:
    scene = scene_of(argv)
    assert loads(dumps(scene)) == scene


def test_a_version_1_session_still_loads() -> None:
    data = scene_to_dict(Scene.seed_example())
    data["version"] = 1
    del data["groups"]
    for key in ("order", "downscale"):
        del data["parameters"][key]
    assert scene_from_dict(data) == Scene.seed_example()


def test_a_session_with_too_many_channels_is_refused() -> None:
    data = scene_to_dict(scene_of(["--op", "pool", "--in-channels", "2", "--size", "4x4"]))
    data["input"] = np.ones((9, 2, 2)).tolist()
    with pytest.raises(ValueError, match="at most 8 channels"):
        scene_from_dict(data)


# Exports ------------------------------------------------------------------------------------

EXPORTED = {
    "depthwise": ["--op", "conv", "--in-channels", "3", "--out-channels", "3", "--groups", "3"],
    "grouped-convT": [
        "--op",
        "convT",
        "--in-channels",
        "2",
        "--out-channels",
        "4",
        "--groups",
        "2",
        "--stride",
        "2",
    ],
    "convT": [
        "--op",
        "convT",
        "--in-channels",
        "2",
        "--out-channels",
        "3",
        "--padding",
        "same",
        "--stride",
        "2",
    ],
    "pool": ["--op", "pool", "--in-channels", "2", "--size", "4x4"],
    "unpool-max": ["--op", "unpool", "--in-channels", "2", "--size", "4x4", "--fill", "max"],
    "shuffle-dcr": ["--op", "shuffle", "--out-channels", "2", "--order", "dcr"],
    "unshuffle": ["--op", "unshuffle", "--in-channels", "2", "--size", "4x4"],
    "nails": ["--op", "nails", "--in-channels", "2"],
}


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_the_numpy_script_reproduces_a_scene_with_channels(name: str, tmp_path: Path) -> None:
    scene = scene_of(EXPORTED[name])
    path = tmp_path / "script.py"
    path.write_text(export(scene, "numpy"))
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    printed = json.loads(run.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(np.array(printed), build_trace(scene).result)


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_pytorch_scripts_with_channels_compile_and_keep_them(name: str) -> None:
    scene = scene_of(EXPORTED[name])
    text = export(scene, "pytorch")
    compile(text, f"{name}.py", "exec")
    assert "y[0].numpy()" in text
    if scene.groups > 1:
        assert f"groups={scene.groups}" in text
    if scene.order == "dcr":
        assert "DCR" in text


def test_keras_converts_the_weight_layout_and_says_so() -> None:
    conv = export(scene_of(EXPORTED["depthwise"]), "keras")
    compile(conv, "conv.py", "exec")
    assert "(kH, kW, C_in/groups, C_out)" in conv and ".transpose(2, 3, 1, 0)" in conv
    assert "groups=3" in conv and re.search(r"layers\.Conv2D\(\s*3,", conv)
    convt = export(scene_of(EXPORTED["convT"]), "keras")
    compile(convt, "convt.py", "exec")
    assert "ConvTranspose2d weight is (C_in, C_out, kH, kW)" in convt
    assert "# (kH, kW, C_out, C_in)" in convt or "kernel is (kH, kW, C_out, C_in)" in convt
    assert re.search(r"layers\.Conv2DTranspose\(\s*3,", convt)


def test_keras_refuses_grouped_transposed_convolution() -> None:
    from tui_upsample.export import ExportError

    with pytest.raises(ExportError, match="Conv2DTranspose has no groups"):
        export(scene_of(EXPORTED["grouped-convT"]), "keras")
