"""Hostile text in the running app: markup, huge numbers and control characters, typed or pasted
into every grid and every settings field, and in the paths notifications show.

The app stays alive, the old value stays, a message says why, and the text is shown as written
(never read as markup, never with a raw control character).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.widgets import Input

from tests.app.conftest import SIZE, make_app
from tui_upsample.scene import Scene
from tui_upsample.session import save_session

# A NumPy warning inside the app is an error here: overflow is refused, never warned about.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

MARKUP = ("[", "1 [ /", "[/]", "[b]x", "[link=a:b]", "[bold red]9")
HUGE = ("1e308", "9" * 400, "-1e308")
NOT_FINITE = ("9" * 400, "1e999", "-1e400")
"""Numbers typed as text that are not finite floats."""
CONTROL = ("\x1b[2J", "1\x07", "\x9b2J", "2\r3")

GRIDS = [
    ("conv_transpose2d", "input", (0, 0)),
    ("conv_transpose2d", "kernel", (0, 0)),
    ("conv2d", "kernel", (0, 0)),
    ("pixel_shuffle", "input", (0, 0, 0)),
]
"""Every kind of grid: an input, a kernel, pixel shuffle's channels."""


def _message(app, which: str) -> str:
    return str(app.query_one(f"#{which}-editor #message").render())


async def _type_into_cell(pilot, app, which: str, text: str) -> None:
    """Type ``text`` into the focused cell: key by key where it can be typed, pasted where it
    holds what no key types (a control character)."""
    editor = app.query_one(f"#{which}-editor")
    editor.query_one("#grid").focus()
    await pilot.pause()
    if RAW_CONTROL.search(text) or len(text) > 40:
        editor.post_message(events.Paste(text))
        await pilot.pause()
        await pilot.press("enter")
    else:
        # The first key must open the editor: a digit does; "[" is typed after an opening "0".
        keys = list(text) if text[0] in "0123456789-+.e" else ["0", "backspace", *text]
        await pilot.press(*keys, "enter")
    await pilot.pause()


@pytest.mark.parametrize(("op", "which", "cell"), GRIDS)
async def test_hostile_text_in_a_cell_is_refused_and_shown_as_typed(
    op: str, which: str, cell: tuple[int, ...]
) -> None:
    app = make_app(op=op)
    async with app.run_test(size=SIZE) as pilot:
        before = app.scene.grid(which).copy()
        trace = app.trace
        for text in (*MARKUP, *NOT_FINITE, *CONTROL):
            await _type_into_cell(pilot, app, which, text)
            assert app.is_running
            assert np.array_equal(app.scene.grid(which), before), text
            assert app.trace is trace  # the picture on screen stays
            said = _message(app, which)
            assert "stays" in said and not RAW_CONTROL.search(said), said
            if text in MARKUP:
                assert text.strip() in said  # shown as written, not read as markup
        # The app still answers keys.
        await pilot.press("n")
        await pilot.pause()
        assert app.step == 1


@pytest.mark.parametrize(("op", "which", "cell"), GRIDS[:3])
@pytest.mark.parametrize("text", ["1e308", "-1e308"])
async def test_a_value_whose_output_overflows_is_refused_naming_the_cell(
    op: str, which: str, cell: tuple[int, ...], text: str
) -> None:
    app = make_app(op=op)
    async with app.run_test(size=SIZE) as pilot:
        before = app.scene.grid(which).copy()
        await _type_into_cell(pilot, app, which, text)
        assert np.array_equal(app.scene.grid(which), before)
        said = _message(app, which)
        assert re.search(r"refused: output\[\d+,\d+\] overflows", said), said
        assert app.error == ""  # the scene on screen is still valid


async def test_1e308_where_it_does_not_overflow_is_accepted() -> None:
    app = make_app(Scene.seed_example("conv_transpose2d").replace(kernel=np.zeros((2, 2))))
    async with app.run_test(size=SIZE) as pilot:
        await _type_into_cell(pilot, app, "input", "1e308")
        assert app.scene.input[0, 0] == 1e308
        assert _message(app, "input") == "x[0,0] = 1e308"


async def test_the_edit_line_shows_markup_and_controls_as_text() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one("#input-editor")
        await pilot.press("1", " ", "[", "b", "]")
        editor.post_message(events.Paste("\x1b[2J"))
        await pilot.pause()
        line = str(editor.query_one("#edit-line").render())
        assert line == "x[0,0] = 1 [b]\\x1b[2J▏", line


def _setting_fields() -> list[tuple[str, str]]:
    """Every settings field one types into (the switches and drop-downs take no text), each
    under the first operator that takes it: read from the operator table, so a new field is
    covered without being listed here."""
    from tui_upsample.engine.operators import TABLE
    from tui_upsample.engine.parameters import CHOICE, FLAG

    # Keyed by what the field does too: a padding that takes words, a kernel size that resizes
    # the kernel rather than a window.
    found: dict[tuple[str, str, object], str] = {}
    for op in TABLE.values():
        for parameter in op.parameters:
            if parameter.kind not in (CHOICE, FLAG):
                key = (parameter.field, parameter.kind, parameter.keyword)
                found.setdefault(key, op.name)
    return [(op, name) for (name, _, _), op in found.items()]


SETTING_FIELDS = _setting_fields()


def test_every_typed_setting_is_covered() -> None:
    names = {name for _, name in SETTING_FIELDS}
    assert {"kernel_size", "stride", "padding", "output_padding", "dilation"} <= names
    assert {"scale", "divisor_override"} <= names


@pytest.mark.parametrize(("op", "name"), SETTING_FIELDS)
async def test_hostile_text_in_a_settings_field_keeps_the_old_value(op: str, name: str) -> None:
    app = make_app(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.scene
        trace = app.trace
        box = app.query_one(f"Settings #{name}", Input)
        box.focus()
        for text in (*MARKUP, *HUGE, *NOT_FINITE, *CONTROL, "2" + "0" * 30):
            box.value = text  # as pasted: the field's own filter would drop most of these keys
            await pilot.pause()
            assert app.is_running
            assert app.scene == before, (text, app.scene)
            assert app.trace is trace
            problem = app.query_one("Settings #problem")
            said = str(problem.render())
            assert problem.display and said, text
            assert not RAW_CONTROL.search(said), said
            if text in MARKUP:
                assert text.strip() in said, said  # shown as written, not read as markup


@pytest.mark.parametrize(("op", "name"), SETTING_FIELDS)
async def test_typing_markup_into_a_settings_field(op: str, name: str) -> None:
    app = make_app(op=op)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.scene
        app.query_one(f"Settings #{name}", Input).focus()
        await pilot.press("ctrl+a", "[", "/", "]", "[", "b", "]", "x")
        await pilot.pause()
        assert app.is_running
        assert app.scene.op == before.op


# Paths in notifications ---
def _toasts(app) -> list[str]:
    """The text of the notifications on screen (run_test shows them only if asked)."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


DIRECTORY_NAMES = ("a[/]b", "x[link=a:b]", "work [v2]", "[b]bold", "esc\x1b[2Jdir", "c1\x9bdir")


@pytest.mark.parametrize("name", DIRECTORY_NAMES)
@pytest.mark.parametrize("keys", [("ctrl+s",), ("x", "n")], ids=["save", "export"])
async def test_a_working_directory_with_markup_or_controls(
    tmp_path, monkeypatch, name: str, keys: tuple[str, ...]
) -> None:
    work = tmp_path / name
    work.mkdir(parents=True)  # "a[/]b" is "a[" holding "]b"
    monkeypatch.chdir(work)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()
        assert app.is_running
        shown = "\n".join(_toasts(app))
        assert ("Saved to" if keys == ("ctrl+s",) else "Wrote") in shown, shown
        assert not RAW_CONTROL.search(shown.replace("\n", "")), shown
        visible = name.replace("\x1b", "\\x1b").replace("\x9b", "\\x9b")
        assert visible in shown, shown
    assert os.listdir(work)  # the file was written


async def test_a_session_name_with_markup_is_opened_and_named(tmp_path) -> None:
    path = tmp_path / "s [v2] [b]x[link=a:b].json"
    save_session(Scene.seed_example("max_pool2d"), path)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert app.open_session(path)
        await pilot.pause()
        assert app.scene.op == "max_pool2d"
        assert "s [v2] [b]x[link=a:b].json" in "\n".join(_toasts(app))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
async def test_the_palette_open_session_on_a_fifo_does_not_freeze(tmp_path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        before = app.scene
        app.action_open_session()
        await pilot.pause()
        box = app.screen.query_one("#open-path", Input)
        box.value = str(fifo)
        await pilot.press("enter")
        await pilot.pause()
        assert app.scene == before
        assert any("not a regular file" in toast for toast in _toasts(app))


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom"])
async def test_opening_a_device_as_a_session_reads_nothing(special: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert not app.open_session(special)
        await pilot.pause()
        assert any("not a regular file" in toast for toast in _toasts(app))


async def test_notifications_escape_controls_in_any_message() -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.notify("a\x1b[2Jb [b]c[/b]\nsecond line", title="t\x07")
        await pilot.pause()
        (toast,) = _toasts(app)
        assert toast == "t\\x07\na\\x1b[2Jb [b]c[/b]\nsecond line"


@pytest.mark.parametrize("target", ["/dev/full", "/dev/null"])
async def test_saving_onto_a_device_is_refused_and_said(target: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.session_path = Path(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        shown = "\n".join(_toasts(app))
        assert "Session not saved" in shown and "not a regular file" in shown, shown
    assert os.path.exists(target) and not os.path.isfile(target)  # the device is still there


TYPED = (*MARKUP, *HUGE, *CONTROL, "9" * 400)


async def test_hostile_text_in_the_open_session_field() -> None:
    """The palette's "open session" path field: markup, huge numbers and controls are a path
    that does not exist, said as written (escaped), and the scene stays."""
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        before = app.scene
        for text in TYPED:
            app.action_open_session()
            await pilot.pause()
            box = app.screen.query_one("#open-path", Input)
            box.value = text
            await pilot.press("enter")
            await pilot.pause()
            assert app.is_running
            assert app.scene == before
            shown = "\n".join(_toasts(app))
            assert not RAW_CONTROL.search(shown.replace("\n", "")), shown
            if text in MARKUP:  # as written (the path as the system reads it: "a/" is "a")
                assert str(Path(text.strip())) in shown, shown
            app.clear_notifications()
            await pilot.pause()


async def test_hostile_text_in_the_command_palette() -> None:
    """Typing markup and controls into the palette's search finds nothing and breaks nothing."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        before = app.scene
        for text in TYPED:
            await pilot.press("ctrl+p")
            await pilot.pause()
            palette_input = app.screen.query_one(Input)
            palette_input.value = text
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert app.is_running
            assert app.scene == before
        await pilot.press("n")
        await pilot.pause()
        assert app.step == 1
