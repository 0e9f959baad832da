"""``upsample-tui --serve``: the flags, the command each visitor's app runs, and what a served app
does with the files it would write (downloads, never the server's directory).

The server itself is replaced by a stand-in here (textual-serve need not be installed); the
real one, with a real browser, is in ``tests/web/test_browser.py``.
"""

from __future__ import annotations

import shlex
import sys
import types
from pathlib import Path

import pytest

from tests.app.conftest import SIZE, make_app
from tui_upsample.app import UpsampleApp
from tui_upsample.cli import HOST, PORT, build_parser, main, visitor_command
from tui_upsample.preferences import resume_path
from tui_upsample.session import loads


class FakeServer:
    """Stands in for textual_serve.server.Server: records what it was given."""

    made: list[FakeServer] = []

    def __init__(self, command: str, **options: object) -> None:
        self.command = command
        self.options = options
        self.served = False
        FakeServer.made.append(self)

    def serve(self) -> None:
        self.served = True


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    package = types.ModuleType("textual_serve")
    module = types.ModuleType("textual_serve.server")
    module.Server = FakeServer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "textual_serve", package)
    monkeypatch.setitem(sys.modules, "textual_serve.server", module)
    FakeServer.made = []
    return FakeServer


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("upsample-tui: error:")]
    assert len(lines) == 1, err
    return lines[0]


def test_without_the_web_extra_serve_is_one_line_naming_it(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    with pytest.raises(SystemExit) as exit_info:
        main(["--serve"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert 'pip install -e ".[web]"' in err
    assert err.startswith("upsample-tui: error: --serve")


def test_serve_starts_the_server_with_the_defaults(fake_server) -> None:
    assert main(["--serve"]) == 0
    (server,) = fake_server.made
    assert server.served
    assert server.options["host"] == HOST == "127.0.0.1"
    assert server.options["port"] == PORT == 8000
    assert server.options["public_url"] is None
    assert shlex.split(server.command) == [sys.executable, "-m", "tui_upsample"]


def test_scene_flags_go_to_every_visitor_and_the_serving_ones_do_not(fake_server) -> None:
    argv = ["--op", "convT", "--serve", "--host=0.0.0.0", "--stride", "2", "--port", "9000"]
    argv += ["--public-url", "https://course.example/app", "--method", "scatter", "--step", "3"]
    assert main(argv) == 0
    (server,) = fake_server.made
    assert server.options == {
        "host": "0.0.0.0",
        "port": 9000,
        "title": "upsample-tui",
        "public_url": "https://course.example/app",
    }
    assert shlex.split(server.command)[3:] == [
        "--op", "convT", "--stride", "2", "--method", "scatter", "--step", "3",
    ]  # fmt: skip


def test_the_visitor_command_quotes_what_the_shell_would_read(fake_server, tmp_path) -> None:
    grid = tmp_path / "a grid; rm -rf $HOME `x` 'q'.csv"
    grid.write_text("1,2\n3,4\n")
    assert main(["--serve", "--input", str(grid)]) == 0
    words = shlex.split(fake_server.made[0].command)
    assert words == [sys.executable, "-m", "tui_upsample", "--input", str(grid)]


def test_the_tour_can_be_served_in_korean(fake_server) -> None:
    assert main(["--serve", "--lang", "ko", "--tour-stop", "6"]) == 0
    assert shlex.split(fake_server.made[0].command)[3:] == ["--lang", "ko", "--tour-stop", "6"]


def test_a_bad_scene_is_refused_before_serving(fake_server, capsys) -> None:
    line = _error(capsys, ["--serve", "--stride", "2", "--output-padding", "5"])
    assert "output_padding" in line
    assert fake_server.made == []


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--host", "0.0.0.0"], "--host: only with --serve"),
        (["--port", "8001"], "--port: only with --serve"),
        (["--public-url", "http://x"], "--public-url: only with --serve"),
        (["--serve", "--export", "pytorch"], "not with --export"),
        (["--serve", "--screenshot", "x.svg"], "not with --screenshot"),
        (["--serve", "--record", "x.svg"], "not with --record"),
        (["--serve", "--transcript"], "not with --transcript"),
        (["--serve", "--resume"], "not with --resume"),
        (["--serve", "--port", "0"], "1 to 65535"),
        (["--serve", "--port", "65536"], "1 to 65535"),
        (["--serve", "--hos", "0.0.0.0"], "in full"),
    ],
)
def test_serving_flag_errors(argv, words, fake_server, capsys) -> None:
    assert words in _error(capsys, argv)
    assert fake_server.made == []


def test_visitor_command_drops_only_the_serving_flags() -> None:
    parser = build_parser()
    command = visitor_command(parser, ["--serve", "--port=1234", "--seed", "7", "--host", "h"])
    assert shlex.split(command)[3:] == ["--seed", "7"]


# A served app: what it would write goes to the browser -----------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, str]]:
    """Every app in the test runs as if served; what it delivers, as (file name, text)."""
    monkeypatch.chdir(tmp_path)
    delivered: list[tuple[str, str]] = []

    def deliver_text(self, file, *, save_filename=None, **options) -> str:
        delivered.append((save_filename, file.read()))
        return "key"

    monkeypatch.setattr(UpsampleApp, "served", property(lambda self: True))
    monkeypatch.setattr(UpsampleApp, "deliver_text", deliver_text)
    return delivered


async def test_served_export_is_a_download_not_a_file(served, tmp_path) -> None:
    app = make_app(op="conv_transpose2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert "Sent to your browser as a download" in str(
            app.screen.query_one("#export-hint").render()
        )
        await pilot.press("p")
        await pilot.pause()
        assert [name for name, _ in served] == ["upsample-conv_transpose2d-pytorch.py"]
        assert "import torch" in served[0][1]
        assert any("sent to your browser" in n.message for n in app._notifications)
    assert list(tmp_path.iterdir()) == []


async def test_served_ctrl_s_delivers_the_session(served, tmp_path) -> None:
    app = make_app(op="max_pool2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "ctrl+s")
        await pilot.pause()
        ((name, text),) = served
        assert name == "upsample-session.json"
        assert loads(text).op == "max_pool2d"
        assert loads(text).step == 1
    assert list(tmp_path.iterdir()) == []


async def test_served_tour_ctrl_s_delivers_the_tour_scene(served, tmp_path) -> None:
    app = make_app(tour_stop=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [name for name, _ in served] == ["upsample-tour-stop-3.json"]
        assert loads(served[0][1]).op == "max_unpool2d"


async def test_a_served_app_reads_no_server_file_and_keeps_no_scene(served) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.action_open_session()
        await pilot.pause()
        assert any("server's command line" in n.message for n in app._notifications)
        await pilot.press("q")
    assert not resume_path().exists()
    assert app.quit_notice == ""


async def test_unserved_apps_write_to_the_current_directory(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert not app.served
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert (tmp_path / "upsample-session.json").exists()


def test_a_port_in_use_is_one_error_line(tmp_path) -> None:
    pytest.importorskip("textual_serve", reason="textual-serve missing: pip install -e '.[web]'")
    import socket
    import subprocess

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "tui_upsample", "--serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        f"upsample-tui: error: argument --serve: can't listen on 127.0.0.1:{port}"
    )
