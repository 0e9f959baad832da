"""Key storms: a few hundred seeded random keys in every operator, then the screen must still agree
with the engine.

The keys are the ones a learner mashes: letters, digits, ``-`` and ``.``, arrows, tab, enter,
escape, space, home/end, F1, and the stepping keys ``n``/``p``/``m``/``o``, so cells get edited (and
edits refused), parameters typed, operators and methods switched, help opened and closed. Keys
that quit (``q``) or write files (``x`` export, ``ctrl+s``) are left out. Afterwards no exception
may have escaped, and the output on screen must be the engine's, for the input and parameters on
screen, at the step on screen.
"""

from __future__ import annotations

import asyncio
import random
import unicodedata

import numpy as np
import pytest
from textual import events
from textual.keys import _get_unicode_name_from_key

from tui_upsample.engine.steps import OUTPUT
from tui_upsample.number_format import format_to_width
from tui_upsample.scene import OPERATORS, build_trace
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.panes.grid_editor import GridEditor
from tui_upsample.widgets.panes.step_view import StepView

SIZE = (120, 40)
PRESSES = 300
BATCH = 25
"""Keys pressed between two looks at the app (it is not left to settle after every key)."""

LETTERS = [c for c in "abcdefghijklmnoprstuvwyz"]  # no q (quit), no x (export to a file)
KEYS = (
    LETTERS
    + list("0123456789")
    + ["minus", "full_stop"] * 3
    + ["up", "down", "left", "right"] * 3
    + ["tab", "shift+tab", "enter", "enter", "escape", "space", "backspace"]
    + ["n", "n", "n", "p", "p", "m", "o", "home", "end", "f1"]
)
"""The keys of a storm (repeats make a key likelier)."""


def storm(seed: int, count: int = PRESSES) -> list[str]:
    """``count`` keys drawn from :data:`KEYS`, the same for the same seed."""
    rng = random.Random(seed)
    return [rng.choice(KEYS) for _ in range(count)]


def test_the_storm_has_no_key_that_quits_or_writes() -> None:
    keys = set(KEYS)
    assert not keys & {"q", "x", "ctrl+q", "ctrl+s", "ctrl+c", "ctrl+p"}
    assert {"n", "p", "m", "o", "f1", "enter", "escape", "minus", "full_stop"} <= keys


async def fire(app, keys: list[str]) -> None:
    """Send ``keys`` as a terminal would: one after the other, without waiting for the app to
    finish with one before the next arrives (``pilot.press`` waits ~40 ms for idle after each)."""
    driver = app._driver
    for key in keys:
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)
        await asyncio.sleep(0)


async def _settle(app, pilot) -> None:
    """Close what the storm left open: help, a dropdown, an edit; stop playing."""
    for _ in range(5):
        if len(app.screen_stack) > 1:
            app.pop_screen()
            await pilot.pause()
    for editor in app.query(GridEditor):
        if editor.editing:
            editor.action_cancel()
    if app.playing:
        app.playing = False
    if app.quiz is not None:
        app.quiz = None  # the quiz hides the step's result on purpose: compare it whole
    await pilot.pause()
    await pilot.pause()


def assert_screen_matches_engine(app) -> None:
    """The output on screen is the engine's, for the scene on screen, at the step on screen."""
    shown = app.trace
    assert shown is not None
    if app.error:
        # An invalid scene: the last valid picture stays, and the rule is on screen.
        assert str(app.query_one("#problem").render()).strip()
    else:
        expected = build_trace(app.scene)
        assert shown.op == app.scene.op == expected.op
        assert len(shown) == len(expected)
        np.testing.assert_array_equal(shown.result, expected.result)
        np.testing.assert_array_equal(shown.input, expected.input)
    step_view = app.query_one(StepView)
    assert step_view.trace is shown and step_view.step == app.step
    assert 0 <= app.step < len(shown)
    expected_step = (build_trace(app.scene) if not app.error else shown)[app.step]
    view = step_view.query_one(f"#grid-{OUTPUT}", GridView)
    np.testing.assert_array_equal(np.asarray(view.values), expected_step.partial)
    assert f"step {app.step + 1} / {len(shown)}" in str(step_view.query_one("#counter").render())
    # The text drawn: each fully visible row of the output grid, number by number.
    values = np.asarray(expected_step.partial)
    if values.ndim == 2 and view.size.width >= view.content_width and view.scroll_offset.y == 0:
        rows = min(values.shape[0], view.size.height - 1)
        for r in range(rows):
            cells = view.render_line(r + 1).text.split()[1:]
            want = [format_to_width(v, view.cell_width).strip() for v in values[r]]
            assert cells == want, (r, cells, want)


@pytest.mark.parametrize("op", OPERATORS)
async def test_a_key_storm_leaves_the_screen_agreeing_with_the_engine(op: str, app_factory) -> None:
    keys = storm(OPERATORS.index(op) + 1)
    app = app_factory(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for start in range(0, len(keys), BATCH):
            await fire(app, keys[start : start + BATCH])
            await pilot.pause()
            assert app.is_running, f"the app stopped after {keys[: start + BATCH]}"
        await _settle(app, pilot)
        assert app.is_running
        assert_screen_matches_engine(app)
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("op", ["conv_transpose2d", "max_pool2d"])
async def test_a_storm_while_editing_a_cell(op: str, app_factory) -> None:
    """Storms that start each burst on a cell being edited: every key is a character then."""
    rng = random.Random(99)
    app = app_factory(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(12):
            app.query_one("#input-editor GridView").focus()
            burst = [rng.choice(["1", "2", "-", "."])] + storm(rng.randrange(10**6), 15)
            await fire(app, burst)
            await pilot.pause()
            await _settle(app, pilot)
            assert_screen_matches_engine(app)
