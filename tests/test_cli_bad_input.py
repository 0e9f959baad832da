"""Bad input on the command line: one ``upsample-tui: error: …`` line naming the flag, the value and
the rule, exit status 2, never a traceback (the cases ``test_cli.py`` does not already cover)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tui_upsample.cli import main


def error_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one error line ``argv`` ends with (after checking status 2 and no traceback)."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("upsample-tui: error:")]
    assert len(lines) == 1, err
    return lines[0]


def _write(path: Path, content: object) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, np.ndarray):
        np.save(path, content, allow_pickle=content.dtype == object)
    else:
        path.write_text(str(content))


BINARY = bytes(range(256)) * 3

# name → (file content, words the message must contain)
BAD_FILES: dict[str, tuple[object, str]] = {
    "empty.csv": ("", "empty"),
    "blank-lines.csv": ("\n\n  \n", "empty"),
    "empty.json": ("[]", "empty"),
    "empty.npy": (np.zeros((0, 3)), "1 to 64"),
    "ragged.csv": ("1,2,3\n4,5\n", "different lengths"),
    "ragged.json": (json.dumps([[1, 2], [3]]), "different lengths"),
    "trailing-comma.csv": ("1,2,\n3,4,\n", "empty cell"),
    "words.csv": ("1,two\n3,4\n", "'two' is not a number"),
    "semicolons.csv": ("1;2\n3;4\n", "not a number"),
    "words.json": (json.dumps([[1, "a"]]), "not a number"),
    "null.json": (json.dumps([[1, None]]), "null"),
    "dict.json": (json.dumps({"rows": [[1]]}), "list of rows"),
    "broken.json": ("[[1, 2]", "not valid JSON"),
    "text.npy": (np.array([["a", "b"]]), "text"),
    "objects.npy": (np.array([[1, "a"]], dtype=object), "objects"),
    "nan.csv": ("1,nan\n2,3\n", "NaN"),
    "inf.csv": ("1,2\n-inf,3\n", "-inf"),
    "overflow.csv": ("1,1e999\n", "inf"),
    "nan.json": ("[[1, NaN]]", "NaN"),
    "inf.npy": (np.array([[1.0, np.inf]]), "inf"),
    "binary.csv": (BINARY, "binary"),
    "binary.json": (b"\xff\xfe\xfa" * 50, "not UTF-8"),
    "binary.npy": (BINARY, "not a NumPy array"),
    "too-wide.csv": ("\n".join([",".join(["1"] * 65)] * 2), "1 to 64"),
    "too-tall.npy": (np.ones((65, 3)), "1 to 64"),
    "too-tall.json": (json.dumps([[1]] * 65), "1 to 64"),
    "flat.npy": (np.ones(3), "rows × columns"),
    "scalar.json": ("[7]", "rows × columns"),
    "grid.txt": ("1,2\n3,4\n", "not a .csv, .npy or .json"),
}


@pytest.mark.parametrize("flag", ["--input", "--kernel"])
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_grid_file_names_the_flag_the_file_and_the_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str, name: str
) -> None:
    content, says = BAD_FILES[name]
    path = tmp_path / name
    _write(path, content)
    line = error_of(capsys, [flag, str(path)])
    assert flag in line and name in line and says in line, line


@pytest.mark.parametrize("flag", ["--input", "--kernel"])
def test_a_missing_file_empty_name_or_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str
) -> None:
    line = error_of(capsys, [flag, str(tmp_path / "no-such.csv")])
    assert flag in line and "no such preset or file" in line and "ramp" in line
    assert "empty" in error_of(capsys, [flag, ""])
    folder = tmp_path / "grid.csv"
    folder.mkdir()
    assert "directory" in error_of(capsys, [flag, str(folder)])


def test_a_huge_file_is_refused_before_it_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("1," * 2_500_000 + "1\n")
    line = error_of(capsys, ["--input", str(path)])
    assert "too big" in line and "64×64" in line


@pytest.mark.parametrize(
    ("argv", "flag", "says"),
    [
        (["--op", ""], "--op", "unknown operator"),
        (["--op", "upsample_cubic"], "--op", "choose from"),
        (["--stride", "-1"], "--stride", "at least 1"),
        (["--stride", ""], "--stride", "not an integer"),
        (["--kernel-size", "0"], "--kernel-size", "at least 1"),
        (["--kernel-size", "-3"], "--kernel-size", "at least 1"),
        (["--kernel-size", "1.5"], "--kernel-size", "not an integer"),
        (["--kernel-size", "65"], "--kernel-size", "at most 64"),
        (["--dilation", "0"], "--dilation", "at least 1"),
        (["--dilation", "-2"], "--dilation", "at least 1"),
        (["--scale", "0"], "--scale", "greater than 0"),
        (["--scale", "-2"], "--scale", "greater than 0"),
        (["--scale", "nan"], "--scale", "finite"),
        (["--scale", "inf"], "--scale", "finite"),
        (["--scale", "two"], "--scale", "not a number"),
        (["--op", "shuffle", "--scale", "1.5"], "--scale", "integer"),
        (["--op", "nearest", "--scale", "0.3"], "--scale", "at least 1"),
        (["--padding", "-1"], "--padding", "not be negative"),
        (["--output-padding", "-1"], "--output-padding", "not be negative"),
        (["--stride", "2", "--output-padding", "2"], "--output-padding", "smaller than stride"),
        (["--stride", "2", "--output-padding", "3"], "--output-padding", "smaller than stride"),
        (
            ["--stride", "3", "--dilation", "2", "--output-padding", "3"],
            "--output-padding",
            "smaller than stride or dilation",
        ),
        (["--op", "pool", "--kernel-size", "2", "--padding", "2"], "--padding", "half"),
        (["--op", "pool", "--kernel-size", "3", "--padding", "2"], "--padding", "half"),
        (["--op", "unpool", "--kernel-size", "2", "--padding", "2"], "--padding", "half"),
        (["--op", "pool", "--kernel-size", "9"], "--kernel-size", "no cells"),
        (["--op", "conv", "--kernel-size", "5"], "--kernel", "must fit in the padded input"),
        (
            ["--op", "conv", "--kernel-size", "6", "--padding", "1"],
            "--kernel",
            "must fit in the padded input",
        ),
        (
            ["--op", "conv", "--kernel-size", "2", "--dilation", "4"],
            "--kernel",
            "must fit in the padded input",
        ),
        (["--op", "shuffle", "--scale", "3", "--size", "2x2", "--input", "ramp"], "", ""),
        (["--size", "0x3"], "--size", "1 to 64"),
        (["--size", "3x65"], "--size", "1 to 64"),
        (["--size", "3x"], "--size", "HxW"),
        (["--size", "3x3x3"], "--size", "HxW"),
        (["--size", ""], "--size", "HxW"),
        (["--size", "-3x3"], "--size", "expected one argument"),
        (["--terminal-size", "120"], "--terminal-size", "WxH"),
        (["--terminal-size", "0x0"], "--terminal-size", "between 20x10"),
        (["--terminal-size", "2000x40"], "--terminal-size", "between 20x10"),
        (["--terminal-size", "wide"], "--terminal-size", "WxH"),
        (["--terminal-size", ""], "--terminal-size", "WxH"),
    ],
)
def test_a_bad_value_names_the_flag_and_the_rule(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str, says: str
) -> None:
    if not flag:  # a valid scene: --press without --screenshot is the only thing wrong
        assert "--press" in error_of(capsys, [*argv, "--press", "n"])
        return
    line = error_of(capsys, argv)
    assert flag in line and says in line, line


def test_pixel_shuffle_channels_that_do_not_divide(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    three = tmp_path / "three.npy"
    np.save(three, np.ones((3, 2, 2)))
    line = error_of(capsys, ["--op", "shuffle", "--input", str(three)])
    assert "--input" in line and "4 channels" in line and "not 3" in line
    line = error_of(capsys, ["--op", "shuffle", "--scale", "3", "--input", str(three)])
    assert "9 channels" in line


def test_the_console_script_never_shows_a_traceback(tmp_path: Path) -> None:
    """The installed ``upsample-tui`` itself, as a learner runs it, on a binary --input."""
    script = shutil.which("upsample-tui", path=str(Path(sys.executable).parent))
    assert script is not None, "upsample-tui is not installed in this environment"
    binary = tmp_path / "photo.npy"
    binary.write_bytes(BINARY)
    env = {**os.environ, "PYTHONFAULTHANDLER": "0"}
    result = subprocess.run(
        [script, "--input", str(binary), "--stride", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"upsample-tui: error: --input {str(binary)!r}: is not a NumPy array file (.npy)"
    )
    assert result.stdout == ""


def _session(tmp_path: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    """A session file of the seed's example, with ``change`` applied to its JSON text or data."""
    from tui_upsample.scene import Scene
    from tui_upsample.session import dumps

    text = dumps(Scene.seed_example())
    path = tmp_path / name
    result = change(text)
    if isinstance(result, bytes):
        path.write_bytes(result)
    else:
        path.write_text(result if isinstance(result, str) else json.dumps(result))
    return path


BAD_SESSIONS = {
    "truncated.json": (lambda text: text[: len(text) // 2], "not JSON"),
    "empty.json": (lambda text: "", "not JSON"),
    "binary.json": (lambda text: BINARY, "not UTF-8"),
    "newer.json": (
        lambda text: {**json.loads(text), "version": 99},
        "written by a newer tui-upsample",
    ),
    "not-a-session.json": (lambda text: [[1, 2], [3, 4]], "session"),
    "nan-input.json": (
        lambda text: text.replace('"input": [', '"input": [[NaN, 1], ', 1),
        "input",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_SESSIONS))
def test_a_bad_session_names_load_the_file_and_the_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    change, says = BAD_SESSIONS[name]
    path = _session(tmp_path, name, change)
    line = error_of(capsys, ["--load", str(path)])
    assert "--load" in line and name in line and says in line, line


def test_a_missing_session_or_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "no such file" in error_of(capsys, ["--load", str(tmp_path / "gone.json")])
    assert "directory" in error_of(capsys, ["--load", str(tmp_path)])


def test_a_good_session_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _session(tmp_path, "good.json", lambda text: text)
    assert "--press" in error_of(capsys, ["--load", str(path), "--press", "n"])
