"""Hostile input on the command line: whatever a user types or hands it, one safe error line.

Every case ends with exit status 2 and ONE ``upsample-tui: error: …`` line on stderr, with no raw
terminal control character in it (ESC, BEL, CR, newline, C1), and no traceback; nothing hangs and
nothing is read beyond what a grid or a session can be. The named cases were each seen; the
generated corpus and the hypothesis properties hunt for the rest of their families. Runs are
in-process through ``main([...])`` with the app and the screenshot replaced by tripwires, so a
case that would start the app fails at once instead of waiting for a terminal.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_upsample import cli
from tui_upsample.cli import main
from tui_upsample.scene import Scene
from tui_upsample.session import dumps

RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""A control character other than the newline that ends a line, or a lone surrogate (a byte
of a file name that is not UTF-8): never in what is printed."""

PREFIX = "upsample-tui: error: "


class Started(BaseException):
    """A hostile case got as far as starting the app or rendering a screenshot (a
    BaseException: no ``except Exception`` on the way may swallow it)."""


@pytest.fixture(autouse=True)
def _tripwires(monkeypatch: pytest.MonkeyPatch) -> None:
    def app_class():  # type: ignore[no-untyped-def]
        raise Started("the app was started")

    def screenshot(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Started("a screenshot was rendered")

    monkeypatch.setattr(cli, "_app_class", app_class)
    monkeypatch.setattr(cli, "screenshot", screenshot)


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one safe error line ``argv`` ends with, after checking exit status 2."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2, err
    check_safe(out, err)
    lines = [line for line in err.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1, err
    assert err.endswith(lines[0] + "\n"), err  # the error is the last line: nothing after it
    return lines[0]


def check_safe(out: str, err: str) -> None:
    """Nothing printed holds a raw control character or a traceback."""
    assert not RAW_CONTROL.search(out), repr(out)
    assert not RAW_CONTROL.search(err), repr(err)
    assert "Traceback" not in err and "Warning" not in err, err


# Terminal control codes in what is echoed ---
CONTROL_NAMES = {
    "clear-and-retitle": "\x1b[2J\x1b]0;title\x07.csv",
    "newline": "two\nlines.csv",
    "carriage-return": "fake\rupsample-tui: ok.csv",
    "c1-csi": "a\x9b2Jb.csv",
    "del": "a\x7fb.csv",
    "bell": "\x07.json",
}


@pytest.mark.parametrize("flag", ["--input", "--kernel", "--load", "--op", "--padding", "--size"])
@pytest.mark.parametrize("name", sorted(CONTROL_NAMES))
def test_control_characters_are_echoed_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str, name: str
) -> None:
    value = (
        str(tmp_path / CONTROL_NAMES[name])
        if flag in ("--input", "--load")
        else CONTROL_NAMES[name]
    )
    argv = [flag, value] if flag != "--kernel" else ["--op", "conv", flag, value]
    line = refused(capsys, argv)
    assert "\\x" in line or "\\n" in line or "\\r" in line, line


def test_the_screen_clearing_name_is_shown_as_its_escapes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = refused(capsys, ["--input", "\x1b[2J\x1b]0;title\x07.csv"])
    assert "\\x1b[2J\\x1b]0;title\\x07.csv" in line


@pytest.mark.parametrize("argv", [["--export", "\x1b[31m"], ["--fill", "a\nb"], ["\x9bfoo"]])
def test_argparse_own_messages_are_escaped_too(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    refused(capsys, argv)


@pytest.mark.parametrize("keys", ["n,\x1b[2J", "\x9b", "a\x07,n"])
def test_press_keys_holding_controls_are_refused_before_rendering(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: str
) -> None:
    line = refused(capsys, ["--screenshot", str(tmp_path / "x.svg"), "--press", keys])
    assert "--press" in line and "not a key name" in line


def test_a_name_that_is_not_utf8_is_shown_byte_by_byte(capsys: pytest.CaptureFixture[str]) -> None:
    name = b"a\x9b\xff.csv".decode("utf-8", "surrogateescape")  # as Python gets it in argv
    assert "a\\x9b\\xff.csv" in refused(capsys, ["--input", name])


# Tracebacks that were seen ---
def _session_text(**changes: object) -> str:
    data = json.loads(dumps(Scene.seed_example()))
    for key, value in changes.items():
        if key in data["parameters"]:
            data["parameters"][key] = value
        else:
            data[key] = value
    return json.dumps(data)


HOSTILE_GRIDS = {
    "deep.json": ("[" * 400 + "]" * 400, "nested"),
    "deeper.json": ("[" * 100_000 + "]" * 100_000, "nested"),
    "five-levels.json": ("[[[[[1]]]]]", "nested"),
    "huge-int.json": (f"[[{10**400}, 1]]", "401 digits"),
    "many-digits.json": ("[[" + "9" * 5000 + "]]", "too large"),
}


@pytest.mark.parametrize("flag", ["--input", "--kernel"])
@pytest.mark.parametrize("name", sorted(HOSTILE_GRIDS))
def test_hostile_json_grids(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str, name: str
) -> None:
    content, says = HOSTILE_GRIDS[name]
    path = tmp_path / name
    path.write_text(content)
    line = refused(capsys, ["--op", "conv", flag, str(path)])
    assert says in line and flag in line, line


HOSTILE_SESSIONS = {
    "deep": ("[" * 5000 + "]" * 5000, "nested"),
    "huge-int-cell": (_session_text(input=[[10**400, 1], [1, 1]]), "too large"),
    "huge-stride": (_session_text(stride=10**400), "at most 10,000"),
    "huge-2**63-stride": (_session_text(op="max_unpool2d", stride=2**63), "at most 10,000"),
    "huge-upscale": (_session_text(op="pixel_shuffle", upscale=10**400), "at most 10,000"),
    "huge-padding": (_session_text(padding=10**20), "at most 10,000"),
    "huge-seed-digits": ("{" + '"seed": ' + "9" * 5000 + "}", "too large"),
    "align-corners-yes": (_session_text(align_corners="yes"), "true or false"),
    "ceil-mode-1": (_session_text(ceil_mode=1), "true or false"),
    "stride-string": (_session_text(stride="2"), "whole number"),
    "negative-seed": (_session_text(seed=-1), "whole number"),
    "e308": (_session_text(input=[[1e308, 1e308], [1e308, 1e308]]), "overflows"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SESSIONS))
def test_hostile_sessions(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    content, says = HOSTILE_SESSIONS[name]
    path = tmp_path / f"{name}.json"
    path.write_text(content)
    line = refused(capsys, ["--load", str(path)])
    assert says in line, line


@pytest.mark.parametrize("stride", [str(10**11), str(2**63), str(10**400)])
def test_a_huge_unpooling_stride(capsys: pytest.CaptureFixture[str], stride: str) -> None:
    line = refused(capsys, ["--op", "unpool", "--stride", stride])
    assert "--stride" in line and ("at most 10,000" in line or "at most 10^18" in line), line
    assert len(line) < 200  # a 400-digit value is not echoed whole


def _npy_declaring(shape: tuple[int, ...]) -> bytes:
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}".encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\x00" * 64


@pytest.mark.parametrize(
    "shape", [(100_000, 100_000), (10**9, 10**9), (10**18, 1), (2, 2, 2, 2), (4, 4)]
)
def test_an_npy_header_declaring_a_huge_or_wrong_shape(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: tuple[int, ...]
) -> None:
    path = tmp_path / "huge.npy"
    path.write_bytes(_npy_declaring(shape))
    line = refused(capsys, ["--input", str(path)])
    # 4×4 fits, but the file holds 64 bytes, not the 128 it declares
    assert "1 to 64" in line or "rows × columns" in line or "shorter" in line, line


def test_a_finite_1e308_grid_is_refused_naming_the_overflowing_cell(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "big.json"
    path.write_text("[[1e308, 1e308], [1e308, 1e308]]")
    with np.errstate(all="raise"):  # a warning would be printed before the error line
        line = refused(capsys, ["--input", str(path)])
    assert re.search(r"output\[\d+,\d+\] overflows", line), line
    assert refused(capsys, ["--input", str(path), "--export", "numpy"]) == line


@pytest.mark.parametrize("flag", ["--step", "--seed", "--tour-stop", "--output-padding"])
def test_a_400_digit_count_is_refused_without_echoing_it(
    capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    line = refused(capsys, [flag, "9" * 400])
    assert flag in line and "too large" in line and len(line) < 200, line


def test_a_huge_csv_is_refused_by_its_row_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "tall.csv"
    path.write_text("1\n" * 1_000_000)
    assert "1,000,000 rows" in refused(capsys, ["--input", str(path)])


def test_a_negative_seed_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, ["--seed", "-1", "--screenshot", "x.svg", "--press", "r"])
    assert "--seed" in line and "negative" in line


# Paths: unreadable, too long, not a regular file ---
@pytest.mark.parametrize("flag", ["--input", "--kernel", "--load"])
def test_a_300_character_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str
) -> None:
    name = str(tmp_path / ("a" * 300 + ".json"))
    argv = ["--op", "conv", flag, name] if flag == "--kernel" else [flag, name]
    assert "too long" in refused(capsys, argv)


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom", "/dev/null", "."])
def test_load_of_a_device_or_directory_reads_nothing(
    capsys: pytest.CaptureFixture[str], special: str
) -> None:
    line = refused(capsys, ["--load", special])
    assert "not a regular file" in line or "directory" in line, line


def test_input_of_a_device_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    device = tmp_path / "zero.csv"
    device.symlink_to("/dev/zero")
    assert "not a regular file" in refused(capsys, ["--input", str(device)])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("flag", ["--load", "--input"])
def test_a_fifo_with_no_writer_is_refused_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str
) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert "not a regular file" in refused(capsys, [flag, str(fifo)])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_input_in_a_directory_without_read_permission(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "a.csv").write_text("1,2\n")
    closed.chmod(0)
    try:
        assert "Permission denied" in refused(capsys, ["--input", str(closed / "a.csv")])
    finally:
        closed.chmod(0o755)


@pytest.mark.parametrize("flag", ["--input", "--load"])
def test_a_file_that_cannot_be_opened_says_why(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    flag: str,
) -> None:
    """What a directory without read permission gives (root reads anyway: simulated here)."""
    import errno

    from tui_upsample import file_reading

    path = tmp_path / "closed" / "a.json"
    path.parent.mkdir()
    path.write_text("[[1]]")

    def denied(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(file_reading.os, "open", denied)
    assert "Permission denied" in refused(capsys, [flag, str(path)])


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("", "expected the path"),
        ("   ", "expected the path"),
        ("/dev/full", "not a regular file"),
        ("{tmp}", "is a directory"),
        ("{tmp}/missing/out.svg", "no directory"),
        ("{tmp}/" + "s" * 300 + ".svg", "too long"),
    ],
)
def test_a_bad_screenshot_path_is_refused_before_rendering(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str, says: str
) -> None:
    line = refused(capsys, ["--screenshot", target.format(tmp=tmp_path)])
    assert says in line, line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_screenshot_into_a_read_only_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "screenshot", lambda *a, **k: "<svg/>")
    tmp_path.chmod(0o500)
    try:
        assert "Permission denied" in refused(capsys, ["--screenshot", str(tmp_path / "x.svg")])
    finally:
        tmp_path.chmod(0o700)


def test_a_screenshot_replaces_a_planted_link_instead_of_writing_through_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "screenshot", lambda *a, **k: "<svg/>")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.svg"
    link.symlink_to(victim)
    assert main(["--screenshot", str(link)]) == 0
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "<svg/>"


def test_a_crash_while_rendering_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("boom\x1b[2J")

    monkeypatch.setattr(cli, "screenshot", crash)
    line = refused(capsys, ["--screenshot", str(tmp_path / "x.svg")])
    assert "the app failed: KeyError" in line and not (tmp_path / "x.svg").exists()


# Accepted but wrong, now refused or said ---
@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--tour", "--export", "numpy"], "--export: not with the tour"),
        (["--tour-stop", "3", "--export", "session"], "--export: not with the tour"),
        (["--version", "--foo"], "unrecognized arguments: --foo"),
        (["--version", "--stride", "2"], "--version: takes no other arguments (got --stride 2)"),
        (["--version", "--tour"], "--version: takes no other arguments"),
    ],
)
def test_what_would_be_ignored_is_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert says in refused(capsys, argv)


def test_version_alone_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    from tui_upsample import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"upsample-tui {__version__}\n"


def test_a_crash_inside_the_app_ends_with_a_non_zero_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui_upsample.app import UpsampleApp

    class Crashing(UpsampleApp):
        def on_mount(self) -> None:
            raise RuntimeError("a bug")

        def run(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return super().run(headless=True, size=(120, 40))

    monkeypatch.setattr(cli, "_app_class", lambda: Crashing)
    assert main([]) != 0


# Real processes: the exit status and the bytes a terminal would get ---
def _run(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONFAULTHANDLER": "0"}
    return subprocess.run(
        [sys.executable, "-m", "tui_upsample", *argv],
        capture_output=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _one_error_line(result: subprocess.CompletedProcess[bytes]) -> bytes:
    assert result.returncode == 2, result.stderr
    assert result.stdout == b""
    assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith(PREFIX.encode())]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_process_escape_codes_in_a_file_name_never_reach_the_terminal() -> None:
    line = _one_error_line(_run("--input", "\x1b[2J\x1b]0;title\x07\n\x9b.csv"))
    assert b"\\x1b[2J" in line and b"\\n" in line and b"\\x9b" in line


def test_process_a_name_of_bytes_that_are_not_utf8() -> None:
    env = {**os.environ, "PYTHONFAULTHANDLER": "0"}
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"tui_upsample", b"--input", b"\x1b\x9b\xff.csv"],
        capture_output=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert b"\\x1b\\x9b\\xff.csv" in _one_error_line(result)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_process_load_of_a_fifo_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "s.json"
    os.mkfifo(fifo)
    assert b"not a regular file" in _one_error_line(_run("--load", str(fifo), timeout=30))


@pytest.mark.parametrize("argv", [["--load", "/dev/zero"], ["--screenshot", ""]])
def test_process_floods_and_empty_paths(argv: list[str]) -> None:
    _one_error_line(_run(*argv, timeout=30))


def test_process_seed_minus_one_with_r_is_refused() -> None:
    _one_error_line(_run("--seed", "-1", "--screenshot", "/tmp/never.svg", "--press", "r"))


# The generated corpus: files, paths and flag values ---
CONTROLS = [chr(c) for c in [*range(1, 32), 0x7F, *range(0x80, 0xA0), 0xDC9B, 0xDCFF]]
"""Every C0 control but NUL (which no argv can hold), DEL, every C1 control, and two bytes that
are not UTF-8 as argv holds them (lone surrogates): 66."""

PATH_FLAGS = ("--input", "--kernel", "--load", "--screenshot")


def _path_cases() -> list[tuple[str, list[str]]]:
    """A name holding each control character, under each flag that takes a path (264)."""
    cases = []
    for char in CONTROLS:
        for flag in PATH_FLAGS:
            name = f"missing/a{char}b.json"
            argv = [flag, name] if flag != "--kernel" else ["--op", "conv", flag, name]
            cases.append((f"path-{flag}-{ord(char):02x}", argv))
    return cases


HOSTILE_VALUES = (
    "",
    " ",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "1 [ /",
    "[b]x",
    "[/]",
    "[link=a:b]",
    "9" * 400,
    str(2**63),
    "0x10",
    "1_000_000_000",
    "\x1b[2J",
    "a\nb",
    "\x9b",
    "３",
)
"""Values a hostile user types for a flag: empty, huge, markup, control codes, odd digits."""

VALUE_FLAGS = {
    "--stride": ["--op", "unpool"],
    "--kernel-size": ["--op", "pool"],
    "--padding": [],
    "--output-padding": [],
    "--dilation": [],
    "--scale": ["--op", "nearest"],
    "--size": [],
    "--seed": [],
    "--step": [],
    "--tour-stop": [],
    "--terminal-size": ["--screenshot", "missing/x.svg"],
    "--op": [],
    "--method": [],
    "--fill": ["--op", "unpool"],
    "--export": [],
}


def _value_cases() -> list[tuple[str, list[str]]]:
    """Each hostile value for each flag, where it is not a valid value (about 280)."""
    cases = []
    for flag, context in VALUE_FLAGS.items():
        for n, value in enumerate(HOSTILE_VALUES):
            cases.append((f"value{flag}-{n}", [*context, flag, value]))
    # A value can be valid for a flag (stride 0x10 is not, seed 0 is): make each case invalid
    # on its own merit by also asking for an output to a missing directory.
    return [(name, [*argv, "--screenshot", "no-such-dir/x.svg"]) for name, argv in cases]


FILE_CONTENTS: dict[str, bytes] = {
    "deep": b"[" * 3000 + b"]" * 3000,
    "deep-dict": b'{"a":' * 3000 + b"1" + b"}" * 3000,
    "int-400": f"[[{10**400}]]".encode(),
    "digits-5000": b"[[" + b"9" * 5000 + b"]]",
    "e308": b"[[1e308, 1e308], [1e308, 1e308]]",
    "e309": b"[[1e309]]",
    "markup": b'[[1, "[b]x"]]',
    "control": b'[[1, "\x1b[2J"]]',
    "nul": b"1,2\x00\n3,4\n",
    "bom-only": b"\xef\xbb\xbf",
    "csv-e308": b"1e308,1e308\n1e308,1e308\n",
    "csv-control": b"1,\x1b[2J\n",
    "csv-markup": b"1,[/]\n",
    "csv-c1": "1,\x9b\n".encode(),
    "csv-huge-digits": b"1," + b"9" * 400 + b"\n",
    "npy-huge-header": _npy_declaring((10**10, 1)),
    "npy-1e18": _npy_declaring((10**9, 10**9)),
    "npy-bad-header": b"\x93NUMPY\x01\x00\x10\x00{'descr': oops}\n",
    "npy-eval": b"\x93NUMPY\x01\x00\x20\x00{'shape': __import__('os')} \n",
    "npy-truncated": b"\x93NUMPY\x01",
    "npy-version-9": b"\x93NUMPY\x09\x00" + b"\x00" * 20,
    "session-like": _session_text(input=[[10**400]]).encode(),
    "utf16": "[[1, 2]]".encode("utf-16"),
}

SUFFIXES = (".json", ".csv", ".npy")


def _file_cases() -> list[tuple[str, list[str], bytes, str]]:
    """Each hostile content under each suffix, for --input, --kernel and --load (207)."""
    cases = []
    for name, content in FILE_CONTENTS.items():
        for suffix in SUFFIXES:
            for flag in ("--input", "--kernel", "--load"):
                argv = ["--op", "conv", flag] if flag == "--kernel" else [flag]
                cases.append((f"file-{name}{suffix}{flag}", argv, content, f"{name}{suffix}"))
    return cases


ARGV_CASES = _path_cases() + _value_cases()
FILE_CASES = _file_cases()


def test_the_corpus_is_large() -> None:
    assert len(ARGV_CASES) + len(FILE_CASES) >= 500


@pytest.mark.parametrize(("name", "argv"), ARGV_CASES, ids=[c[0] for c in ARGV_CASES])
def test_corpus_paths_and_values(
    capsys: pytest.CaptureFixture[str], name: str, argv: list[str]
) -> None:
    refused(capsys, argv)


@pytest.mark.parametrize(
    ("name", "argv", "content", "file"), FILE_CASES, ids=[c[0] for c in FILE_CASES]
)
def test_corpus_files(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    argv: list[str],
    content: bytes,
    file: str,
) -> None:
    path = tmp_path / file
    path.write_bytes(content)
    refused(capsys, [*argv, str(path)])


# Hypothesis: anything at all ---
def _outcome(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """``argv`` is either refused with one safe line or would start the app (a valid scene)."""
    try:
        main(argv)
    except Started:
        out, err = capsys.readouterr()
        check_safe(out, err)
        return
    except SystemExit as exc:
        out, err = capsys.readouterr()
        check_safe(out, err)
        if exc.code == 0:
            return  # --help
        assert exc.code == 2
        assert len([line for line in err.splitlines() if line.startswith(PREFIX)]) == 1, err
        return
    out, err = capsys.readouterr()
    check_safe(out, err)  # --export printed a script


ANY_TEXT = st.text(st.characters(exclude_characters="\x00", codec="utf-8"), max_size=30)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(flag=st.sampled_from(sorted(VALUE_FLAGS)), value=ANY_TEXT)
def test_any_flag_value(capsys: pytest.CaptureFixture[str], flag: str, value: str) -> None:
    _outcome(capsys, [*VALUE_FLAGS[flag], flag, value])


@SETTINGS
@given(flag=st.sampled_from(PATH_FLAGS), name=ANY_TEXT)
def test_any_missing_path(capsys: pytest.CaptureFixture[str], flag: str, name: str) -> None:
    argv = [flag, f"no-such-dir/{name}"]
    with pytest.raises(SystemExit) as exit_info:
        main(["--op", "conv", *argv] if flag == "--kernel" else argv)
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    check_safe(out, err)


@SETTINGS
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.one_of(
                st.integers(min_value=-(10**400), max_value=10**400),
                st.floats(),
                st.text(max_size=5),
                st.booleans(),
                st.none(),
            ),
            lambda inner: st.lists(inner, max_size=4),
            max_leaves=30,
        ).map(lambda value: json.dumps(value).encode()),
    ),
    suffix=st.sampled_from(SUFFIXES),
    flag=st.sampled_from(("--input", "--load")),
)
def test_any_file_content(
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    content: bytes,
    suffix: str,
    flag: str,
) -> None:
    path = tmp_path_factory.mktemp("any") / f"grid{suffix}"
    path.write_bytes(content)
    _outcome(capsys, [flag, str(path)])
