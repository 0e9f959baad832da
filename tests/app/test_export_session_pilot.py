"""Export (x), save (ctrl+s) and open (palette) in the running app: files written where it says,
refusals and failures said in a notification, the scene unchanged by a bad session."""

from __future__ import annotations

import errno
import json

import pytest

from tests.app.conftest import SIZE, make_app
from tui_upsample import file_writing
from tui_upsample.export import export
from tui_upsample.scene import Scene
from tui_upsample.screens.export import ExportScreen, OpenSessionScreen
from tui_upsample.session import dumps, load_session, save_session


def _messages(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(("key", "fmt"), [("p", "pytorch"), ("k", "keras"), ("n", "numpy")])
async def test_x_then_a_letter_writes_the_script(key: str, fmt: str, tmp_path) -> None:
    app = make_app(op="conv_transpose2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        path = tmp_path / f"upsample-conv_transpose2d-{fmt}.py"
        assert path.read_text() == export(app.current_scene, fmt)
        assert any(str(path) in m for m in _messages(app))


async def test_enter_on_the_list_writes_the_session(tmp_path) -> None:
    app = make_app(op="max_pool2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")  # a step that the session must keep
        await pilot.press("x")
        await pilot.pause()
        for _ in range(3):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        path = tmp_path / "upsample-max_pool2d-session.json"
        assert load_session(path) == app.current_scene
        assert load_session(path).step == 1


async def test_keras_is_disabled_with_its_reason_for_unpooling(tmp_path) -> None:
    app = make_app(op="max_unpool2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        assert "no max unpooling" in screen.refusals["keras"]
        await pilot.press("k")
        await pilot.pause()
        assert app.screen is screen  # still open: nothing written
        assert list(tmp_path.iterdir()) == []
        assert any("no max unpooling" in m for m in _messages(app))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)


async def test_an_invalid_scene_is_not_exported(tmp_path) -> None:
    app = make_app(op="conv_transpose2d", output_padding=1)  # must be < stride 1
    async with app.run_test(size=SIZE) as pilot:
        app.action_export_to("pytorch")
        await pilot.pause()
        assert list(tmp_path.iterdir()) == []
        assert any("invalid" in m for m in _messages(app))


async def test_ctrl_s_saves_the_session_atomically(tmp_path, monkeypatch) -> None:
    app = make_app(op="upsample_bilinear")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        path = tmp_path / "upsample-session.json"
        assert load_session(path) == app.current_scene
        assert any("Saved to" in m for m in _messages(app))
        before = path.read_bytes()

        def disk_full(src, dst):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(file_writing.os, "replace", disk_full)
        await pilot.press("n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_bytes() == before
        assert any("No space left on device" in m for m in _messages(app))
        assert sorted(p.name for p in tmp_path.iterdir()) == ["upsample-session.json"]


async def test_export_to_an_unwritable_place_is_reported(tmp_path, monkeypatch) -> None:
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(file_writing.tempfile, "mkstemp", denied)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.action_export_to("numpy")
        await pilot.press("ctrl+s")
        await pilot.pause()
        messages = _messages(app)
        assert sum("Permission denied" in m for m in messages) == 2
        assert list(tmp_path.iterdir()) == []


async def test_open_session_from_the_palette(tmp_path) -> None:
    saved = Scene.seed_example("pixel_shuffle").with_param("upscale", 3).replace(step=4)
    path = tmp_path / "mine.json"
    save_session(saved, path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Open session")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OpenSessionScreen)
        field = app.screen.query_one("#open-path")
        field.value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert app.scene == saved.replace(step=app.scene.step)
        assert app.step == 4
        assert app.session_path == path
        # ctrl+s now saves back to the file it came from
        await pilot.press("n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert load_session(path).step == 5


BAD_SESSIONS = {
    "corrupt": "{not json",
    "newer": json.dumps({**json.loads(dumps(Scene())), "version": 99}),
    "ragged": dumps(Scene()).replace("[1.0, 2.0]", "[1.0]", 1),
    "nan": dumps(Scene()).replace("1.0", "NaN", 1),
    "missing": json.dumps({k: v for k, v in json.loads(dumps(Scene())).items() if k != "kernel"}),
    "wrong-type": dumps(Scene()).replace('"stride": 1', '"stride": "1"'),
}


@pytest.mark.parametrize("name", sorted(BAD_SESSIONS))
async def test_a_bad_session_changes_nothing(name: str, tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(BAD_SESSIONS[name])
    app = make_app(op="conv2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        before, step = app.scene, app.step
        app.action_open_session()
        await pilot.pause()
        app.screen.query_one("#open-path").value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert app.scene == before and app.step == step
        assert app.session_path is None
        assert any("Session not opened" == n.title for n in app._notifications)
        assert any("unchanged" in m for m in _messages(app))


async def test_x_is_listed_on_the_help_screen() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        rows = app.screen.rows
        assert any(keys == "x" and "Export" in does for keys, does, *_ in rows)
        assert any(keys and "Save the session" in does for keys, does, *_ in rows)
