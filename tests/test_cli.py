"""The command line: flags build a scene, bad input ends with status 2 and argparse's error line."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tui_upsample.cli import build_parser, main, scene_from_args


def error_of(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("upsample-tui: error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--op", "nope"], "--op"),
        (["--stride", "0"], "--stride"),
        (["--stride", "two"], "--stride"),
        (["--padding", "wide"], "--padding"),
        (["--size", "3by3"], "--size"),
        (["--size", "65x2"], "--size"),
        (["--scale", "-1"], "--scale"),
        (["--fill", "mean"], "--fill"),
        (["--input", "no/such/file.csv"], "--input"),
        (["--method", "fft"], "--method"),
        (["--op", "pool", "--method", "scatter"], "--method"),
        (["--op", "pool", "--kernel", "ramp"], "--kernel"),
        (["--output-padding", "1"], "--output-padding"),  # must be < stride (1)
        (["--op", "pool", "--kernel-size", "3", "--padding", "2"], "--padding"),
        (["--step", "99"], "--step"),
        (["--bogus"], "unrecognized arguments"),
        (["--press", "n"], "--press"),
        (["--terminal-size", "5x5"], "--terminal-size"),
    ],
)
def test_bad_flags_exit_2_with_the_error_line(capsys, argv: list[str], says: str) -> None:
    assert says in error_of(capsys, argv)


def test_bad_files_exit_2(capsys, tmp_path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("1,2\n3\n")
    assert "--input" in error_of(capsys, ["--input", str(ragged)])
    words = tmp_path / "words.csv"
    words.write_text("1,a\n3,4\n")
    assert "--input" in error_of(capsys, ["--input", str(words)])
    three = tmp_path / "three.json"
    three.write_text(json.dumps([[[1]]]))
    assert "--kernel" in error_of(capsys, ["--kernel", str(three)])
    text = tmp_path / "grid.txt"
    text.write_text("1 2")
    assert "--input" in error_of(capsys, ["--input", str(text)])
    inf = tmp_path / "inf.json"
    inf.write_text("[[1, 1e999]]")
    assert "finite" in error_of(capsys, ["--input", str(inf)])


def test_files_and_presets_make_the_scene(tmp_path) -> None:
    csv = tmp_path / "x.csv"
    csv.write_text("1,2,3\n4,5,6\n")
    npy = tmp_path / "w.npy"
    np.save(npy, np.array([[1.0, -1.0], [0.5, 2.0]]))
    args = build_parser().parse_args(
        ["--op", "convT", "--input", str(csv), "--kernel", str(npy), "--stride", "2"]
    )
    scene = scene_from_args(args)
    assert scene.op == "conv_transpose2d" and scene.stride == 2
    np.testing.assert_array_equal(scene.input, [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(scene.kernel, [[1, -1], [0.5, 2]])
    scene = scene_from_args(build_parser().parse_args(["--op", "pool", "--size", "6x5"]))
    assert scene.op == "max_pool2d" and scene.input.shape == (6, 5)
    again = scene_from_args(build_parser().parse_args(["--op", "pool", "--size", "6x5"]))
    np.testing.assert_array_equal(scene.input, again.input)  # seeded
    scene = scene_from_args(
        build_parser().parse_args(["--op", "shuffle", "--scale", "3", "--input", "ramp"])
    )
    assert scene.channels.shape[0] == 9 and scene.upscale == 3
    scene = scene_from_args(build_parser().parse_args(["--input", "impulse", "--size", "3x3"]))
    assert scene.input.sum() == 1 and scene.input[1, 1] == 1


@pytest.mark.parametrize(
    "alias",
    [
        "pool",
        "unpool",
        "nearest",
        "bilinear",
        "nails",
        "conv",
        "convT",
        "deconv",
        "shuffle",
        "MAX_POOL2D",
    ],
)
def test_aliases(alias: str) -> None:
    assert scene_from_args(build_parser().parse_args(["--op", alias])).op


def test_screenshot_writes_an_svg(tmp_path) -> None:
    out = tmp_path / "shot.svg"
    code = main(
        ["--op", "pool", "--screenshot", str(out), "--press", "n,n", "--terminal-size", "100x30"]
    )
    assert code == 0
    svg = out.read_text()
    assert (
        svg.startswith("<svg")
        and "max_pool2d" in svg
        and "step 3 / 4" in svg.replace("&#160;", " ")
    )


def test_version_and_help_are_quick_and_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from tui_upsample import cli\n"
        "try:\n"
        "    cli.main(['--version'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0\n"
        "assert 'textual' not in sys.modules, 'textual imported by --version'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "0.1.0" in result.stdout


def test_avg_pool_and_nearest_exact_flags_come_from_the_table() -> None:
    args = build_parser().parse_args(
        ["--op", "avgpool", "--padding", "1", "--no-count-include-pad", "--divisor-override", "3"]
    )
    scene = scene_from_args(args)
    assert scene.op == "avg_pool2d" and scene.padding == 1
    assert scene.count_include_pad is False and scene.divisor_override == 3
    scene = scene_from_args(build_parser().parse_args(["--op", "nearest", "--nearest-exact"]))
    assert scene.exact is True and scene.engine_params()["exact"] is True


def test_avg_pool_exports_and_loads_back(tmp_path, capsys) -> None:
    assert main(["--op", "avg_pool2d", "--ceil-mode", "--export", "session"]) == 0
    session = tmp_path / "s.json"
    session.write_text(capsys.readouterr().out)
    assert main(["--load", str(session), "--export", "numpy"]) == 0
    script = capsys.readouterr().out
    assert "engine.avg_pool2d(x, kernel_size=2, stride=2, ceil_mode=True)" in script
