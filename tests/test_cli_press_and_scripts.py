"""The command line refuses what it cannot do in one line, and exported scripts say what they
need when their framework is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui_upsample.cli import main
from tui_upsample.export import EXIT_MISSING, export
from tui_upsample.key_names import is_key_name
from tui_upsample.scene import Scene


def stderr_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("keys", ["n,entr", "n,shift+dwn", "banana", "hyperr+n"])
def test_an_unknown_press_key_is_refused(capsys, tmp_path: Path, keys: str) -> None:
    out = tmp_path / "x.svg"
    err = stderr_of(capsys, ["--screenshot", str(out), "--press", keys])
    assert err[-1].startswith("upsample-tui: error: argument --press:")
    assert "is not a Textual key name" in err[-1] and len(err) <= 2
    assert not out.exists()


@pytest.mark.parametrize(
    "key", ["n", "5", "enter", "shift+down", "question_mark", "full_stop", "ctrl+s", "plus"]
)
def test_key_names_textual_knows_are_accepted(key: str) -> None:
    assert is_key_name(key)


@pytest.mark.parametrize("argv", [["--bogus"], ["--stride", "x"], ["--op", "nope"]])
def test_a_bad_flag_prints_a_short_usage_line_and_the_error(capsys, argv) -> None:
    err = stderr_of(capsys, argv)
    assert len(err) == 2, err
    assert err[0] == "usage: upsample-tui [flags]  (upsample-tui --help lists them)"
    assert err[1].startswith("upsample-tui: error:")


def run_without(module: str, script: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` as if ``module`` were not installed."""
    code = (
        f"import runpy, sys; sys.modules[{module!r}] = None;"
        f" runpy.run_path({str(script)!r}, run_name='__main__')"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("fmt", "module"), [("pytorch", "torch"), ("keras", "keras")])
def test_a_script_without_its_framework_says_so_with_its_own_exit_status(
    tmp_path: Path, fmt: str, module: str
) -> None:
    script = tmp_path / f"{fmt}.py"
    script.write_text(export(Scene.seed_example(), fmt))
    run = run_without(module, script)
    assert run.returncode == EXIT_MISSING != 1  # 1 means a mismatch
    assert run.stderr.strip() == f"needs {module} (pip install {module})"
    assert f"{EXIT_MISSING} a package it needs is not installed" in script.read_text()


def test_the_numpy_script_names_the_engine_it_needs(tmp_path: Path) -> None:
    script = tmp_path / "numpy.py"
    script.write_text(export(Scene.seed_example(), "numpy"))
    run = run_without("tui_upsample", script)
    assert run.returncode == EXIT_MISSING and "needs tui_upsample" in run.stderr
