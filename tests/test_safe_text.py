"""The one helper that makes a user's string safe to show: controls escaped, nothing else
changed; on screen, never read as markup."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tui_upsample.safe_text import has_control, quoted, shown, shown_lines
from tui_upsample.widgets.blocks.quiet_text import plain

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def test_each_kind_of_control_is_written_as_its_escape() -> None:
    assert shown("\x1b[2J\x1b]0;title\x07") == "\\x1b[2J\\x1b]0;title\\x07"
    assert shown("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert shown("\x9b\x7f\x00") == "\\x9b\\x7f\\x00"


def test_a_file_name_byte_that_is_not_utf8_is_shown_as_that_byte() -> None:
    name = b"photo\x9b.csv".decode("utf-8", "surrogateescape")
    assert shown(name) == "photo\\x9b.csv"
    assert shown("\ud800") == "\\ud800"


def test_ordinary_text_is_left_as_it_is() -> None:
    for text in ("work [v2]/a[/]b", "x[link=a:b]", "3×3 −1", "C:\\temp\\x.csv", "é ü 中"):
        assert shown(text) == text
        assert not has_control(text)


def test_shown_lines_keeps_the_lines_of_a_message() -> None:
    assert shown_lines("one\x1b\ntwo\r") == "one\\x1b\ntwo\\r"


def test_quoted_cuts_a_long_paste_short() -> None:
    assert quoted("1 [ /") == "'1 [ /'"
    assert quoted("9" * 400) == repr("9" * 37) + "…"
    assert quoted("\x1b") == "'\\x1b'"


def test_plain_is_never_markup() -> None:
    content = plain("[b]x[/b] [link=a:b] 1 [ /")
    assert content.plain == "[b]x[/b] [link=a:b] 1 [ /"
    assert not content.spans


@given(st.text())
def test_shown_is_one_line_without_controls_for_any_text(text: str) -> None:
    out = shown(text)
    assert not CONTROL.search(out) and "\n" not in out
    assert has_control(text) == (out != text)
