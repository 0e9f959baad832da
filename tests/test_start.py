"""The program's entry point pauses the garbage collector while it starts, and never leaves it
paused: the app resumes it once its first screen is drawn, and the entry point on the way out."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from tui_upsample import start
from tui_upsample.app import UpsampleApp


def test_start_runs_the_command_line_with_the_collector_paused(monkeypatch) -> None:
    seen: list[bool] = []

    def command_line() -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr("tui_upsample.cli.main", command_line)
    assert start.main() == 0
    assert seen == [False]
    assert gc.isenabled()


def test_start_resumes_the_collector_when_the_command_line_exits(monkeypatch) -> None:
    monkeypatch.setattr(sys, "argv", ["upsample-tui", "--stride", "0"])
    with pytest.raises(SystemExit) as exit_:
        start.main()
    assert exit_.value.code == 2
    assert gc.isenabled()


async def test_the_app_resumes_a_paused_collector_after_its_first_screen() -> None:
    gc.disable()
    try:
        app = UpsampleApp(theme="textual-dark", cursor_blink=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # start-up's objects set aside for good
    finally:
        gc.enable()
        gc.unfreeze()


async def test_an_app_made_with_the_collector_running_freezes_nothing() -> None:
    gc.unfreeze()
    app = UpsampleApp(theme="textual-dark", cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_module_runs_the_same_program() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui_upsample", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("upsample-tui ")


NOT_AT_START = (
    "tui_upsample.quiz",
    "tui_upsample.engine.quiz",
    "tui_upsample.widgets.panes.quiz_bar",
    "tui_upsample.session",
    "tui_upsample.export",
    "tui_upsample.recording",
    "tui_upsample.tour",
    "tui_upsample.commands",
    "tui_upsample.transcript",
    "numpy.ma",
)
"""What the first screen does not need: loaded when first used (a quiz, a save, an export, a
recording, the tour, the palette), never at start-up."""


def _loaded_after(code: str) -> list[str]:
    """The modules of NOT_AT_START loaded after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {NOT_AT_START!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.split()


def test_importing_the_app_loads_no_quiz_session_or_export_module() -> None:
    assert _loaded_after("import tui_upsample.cli, tui_upsample.app") == []


def test_the_first_screen_loads_no_quiz_session_or_export_module(tmp_path) -> None:
    """The start-up benchmark's command (``--screenshot``): the whole first screen, drawn."""
    shot = tmp_path / "shot.svg"
    code = f"from tui_upsample.cli import main\nassert main(['--screenshot', {str(shot)!r}]) == 0"
    assert _loaded_after(code) == []
    assert shot.read_text().startswith("<svg")


def test_the_quiz_loads_when_a_quiz_starts(tmp_path) -> None:
    """The probe can fail: with a quiz on the first screen, the quiz's modules are there."""
    shot = tmp_path / "shot.svg"
    code = (
        "from tui_upsample.cli import main\n"
        f"assert main(['--screenshot', {str(shot)!r}, '--press', 'g']) == 0"
    )
    loaded = _loaded_after(code)
    assert {"tui_upsample.quiz", "tui_upsample.widgets.panes.quiz_bar"} <= set(loaded)


def test_the_quiz_names_the_app_keeps_are_the_quizs() -> None:
    from tui_upsample import quiz, quiz_actions
    from tui_upsample.engine import quiz as engine_quiz

    assert (quiz_actions.CELLS, quiz_actions.SHAPES) == (quiz.CELLS, quiz.SHAPES)
    assert quiz_actions.POSITION == engine_quiz.POSITION
