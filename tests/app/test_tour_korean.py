"""The guided tour, its keys and the help screen in Korean (``--lang ko``, or ``language = "ko"``
in the preferences file): every stop as a snapshot at 120×40 and 80×24, where double-width
Hangul must wrap inside the panel and leave the panes below it whole.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.app.conftest import SIZE, THEME
from tui_upsample.app import UpsampleApp
from tui_upsample.cli import main
from tui_upsample.commands import SceneCommands
from tui_upsample.language import current
from tui_upsample.preferences import config_path, read_preferences
from tui_upsample.screens.help import HelpScreen
from tui_upsample.tour import STOPS


def korean_app(tour_stop: int | None = 1, **options) -> UpsampleApp:
    return UpsampleApp(
        theme=THEME, cursor_blink=False, tour_stop=tour_stop, language="ko", **options
    )


def panel_text(app: UpsampleApp) -> str:
    panel = app.query_one("#tour")
    words = [str(w.render()) for w in panel.query("Static")]
    return " ".join([str(panel.border_title), str(panel.border_subtitle), *words])


async def settled(pilot) -> None:
    """Let the step view's follow-the-written-cell scroll (after a refresh) finish first."""
    await pilot.wait_for_scheduled_animations()
    for _ in range(3):
        await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(120, 40)], ids=["120x40"])
@pytest.mark.parametrize("number", range(1, len(STOPS) + 1))
def test_korean_tour_stop(number: int, size: tuple[int, int], snap_compare) -> None:
    assert snap_compare(korean_app(number), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("number", range(1, len(STOPS) + 1))
async def test_korean_tour_stop_fits_80x24(number: int) -> None:
    """At 80×24 every stop draws its panes (not the too-small notice), the Korean words in the
    tour panel, and no line of the screen is wider than the terminal (double-width Hangul)."""
    app = korean_app(number)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.query_one("#too-small").display
        assert any("\uac00" <= ch <= "\ud7a3" for ch in panel_text(app))
        for strip in app.screen._compositor.render_strips():
            assert strip.cell_length <= 80


def test_korean_help_screen(snap_compare) -> None:
    assert snap_compare(korean_app(None), press=["f1"], terminal_size=SIZE)


async def test_the_tour_speaks_korean_with_the_engine_numbers() -> None:
    app = korean_app(6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = panel_text(app)
        assert "가이드 투어  6 / 11" in text
        assert "원글 6번째 문단: Transposed convolution" in text
        assert "transposed convolution이라고 부른다" in text
        assert "W2 ∈ ℝ^(4×9)" in text  # the numbers are the engine's, as in English
        assert "t 끝내기" in text  # the key hints
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "값마다 kernel을 찍는다" in panel_text(app)


async def test_the_3d_stop_speaks_korean_with_the_engine_numbers() -> None:
    app = korean_app(11)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = panel_text(app)
        assert "가이드 투어  11 / 11" in text
        assert "실제 layer는 3-D: 원글의 예제를 channel 두 개로" in text
        assert "원글 7번째 문단: Epilogue" in text
        assert "(C_in, C_out/groups, kH, kW) = (2, 2, 2, 2)로 저장한다" in text
        assert "y[0,0,0] = 0 + 1 = 1, y[1,0,0] = 25 + 0 = 25" in text  # the engine's numbers
        assert "투어의 끝" in text
        await pilot.press("v")
        await pilot.pause()
        text = panel_text(app)
        assert "groups = 2이면" in text and "weight는 2×1×2×2로 줄고" in text


async def test_the_tour_notices_speak_korean() -> None:
    app = korean_app(len(STOPS))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert any("마지막 장" in n.message for n in app._notifications)


async def test_the_help_screen_speaks_korean_and_keeps_its_rows_in_english() -> None:
    app = korean_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#keys", Static).content)
        shown = console.export_text()
        assert "도움말 닫기" in shown and "투어: 다음 장" in shown and "어디서나" in shown
        assert ("f1 / ?", "Help", "everywhere", "help") in app.screen.rows


async def test_the_language_preference_is_read_and_lang_beats_it() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('language = "ko"\n', encoding="utf-8")
    app = UpsampleApp(theme=THEME, cursor_blink=False, tour_stop=1)
    assert current() == "ko"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "가이드 투어" in panel_text(app)
    UpsampleApp(theme=THEME, cursor_blink=False, language="en")
    assert current() == "en"


async def test_an_unknown_language_in_the_preferences_is_said_and_english_used() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('language = "xx"\n', encoding="utf-8")
    app = UpsampleApp(theme=THEME, cursor_blink=False, tour_stop=1)
    assert current() == "en"
    assert any("language 'xx'" in note and "en, ko" in note for note in app.preference_notes)


def test_lang_unknown_is_one_error_line_listing_the_known_ones(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--lang", "xx"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if line.startswith("upsample-tui: error:")]
    assert line == "upsample-tui: error: argument --lang: 'xx': no such language (known: en, ko)"


def test_lang_ko_screenshot_of_the_tour(tmp_path: Path) -> None:
    out = tmp_path / "stop.svg"
    assert main(["--lang", "ko", "--tour-stop", "3", "--screenshot", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "가이드&#160;투어" in svg or "가이드 투어" in svg
    assert current() == "ko"


def test_screenshots_are_english_unless_asked(tmp_path: Path) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('language = "ko"\n', encoding="utf-8")
    out = tmp_path / "stop.svg"
    assert main(["--tour-stop", "3", "--screenshot", str(out)]) == 0
    assert "투어" not in out.read_text(encoding="utf-8")


async def test_the_palette_switches_the_language_at_once_and_keeps_it() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('theme = "nord"\n\n[keys]\ncell-up = "k,up"\n', encoding="utf-8")
    app = UpsampleApp(theme=THEME, cursor_blink=False, tour_stop=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Guided tour" in panel_text(app)
        commands = {name: run for name, _help, run in SceneCommands(app.screen)._commands()}
        assert {"Language: en", "Language: ko"} <= set(commands)
        await commands["Language: ko"]()
        await pilot.pause()
        assert "가이드 투어  2 / 11" in panel_text(app)
        assert any("저장했다" in n.message for n in app._notifications)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == 'theme = "nord"'
    assert lines.index('language = "ko"') < lines.index("[keys]")  # top level, not under keys
    assert 'cell-up = "k,up"' in text
    assert read_preferences(path).language == "ko"


async def test_a_served_app_switches_its_language_but_saves_nothing(monkeypatch) -> None:
    monkeypatch.setattr(UpsampleApp, "served", property(lambda self: True))
    app = UpsampleApp(theme=THEME, cursor_blink=False, tour_stop=1)
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("set_language('ko')")
        await pilot.pause()
        assert "가이드 투어" in panel_text(app)
    assert not config_path().exists()
