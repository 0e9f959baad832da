"""One way to make the app for tests: fixed theme, data, size, and no blinking cursor.

``TEXTUAL_THEME`` in the environment would change every snapshot, so the factory sets the theme
itself; the data is the seed's example (or a scene the test gives); the size is explicit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tui_upsample.app import UpsampleApp
from tui_upsample.scene import Scene

THEME = "textual-dark"
SIZE = (120, 40)


def make_app(
    scene: Scene | None = None,
    op: str | None = None,
    tour_stop: int | None = None,
    **changes: Any,
) -> UpsampleApp:
    """The app on ``scene`` (default: the seed's example for ``op``), deterministic; with
    ``tour_stop``, on that stop of the guided tour (its own scene)."""
    if scene is None:
        scene = Scene.seed_example(op or "conv_transpose2d")
    if changes:
        scene = scene.replace(**changes)
    return UpsampleApp(scene, theme=THEME, cursor_blink=False, tour_stop=tour_stop)


@pytest.fixture
def app_factory() -> Callable[..., UpsampleApp]:
    """The test app factory (see :func:`make_app`)."""
    return make_app


@pytest.fixture(autouse=True)
def _fixed_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)
