"""Every test runs with its own state and config directories: quitting the app keeps the scene
in the state directory and the theme is saved in the config directory, and neither may touch the
real home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_user_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """The language is the process's (as gettext's is): every test starts and ends in English."""
    from tui_upsample.language import use

    use("en")
    yield
    use("en")
