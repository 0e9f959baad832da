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
