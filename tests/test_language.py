"""The message catalogs: every sentence the tour and the help screen show has a translation in
every language, with the same numbers in it, and each compiled ``.mo`` is its ``.po``.

A language is a file: the languages are found, not listed (``--lang`` and the preferences
accept whatever catalogs there are), and the English message ids are the code's own text.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

import tui_upsample
from tests.app.conftest import SIZE, make_app
from tui_upsample import language
from tui_upsample.language import _, catalog, compile_po, languages, read_po, use
from tui_upsample.screens.help import HelpScreen
from tui_upsample.tour import STOPS

PACKAGE = Path(tui_upsample.__file__).parent
TRANSLATED = [code for code in languages() if code != language.SOURCE_LANGUAGE]


def marked_ids() -> set[str]:
    """Every string literal the package passes to ``_`` or ``N_`` (what xgettext would find)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
            ):
                (arg,) = node.args
                # _(name) translates a message marked elsewhere (N_, a title, a binding)
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found


async def help_ids() -> set[str]:
    """What the help screen translates where it draws: each row's description and pane."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
    return {does for _keys, does, _where, _ids in rows} | {where for *_, where, _ids in rows}


def fields(text: str) -> list[str]:
    return sorted(name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name)


def test_there_is_a_korean_catalog_and_english_needs_none() -> None:
    assert languages()[0] == "en"
    assert "ko" in languages()


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalog_is_up_to_date_with_its_source(code: str) -> None:
    po = catalog(code, ".po").read_text(encoding="utf-8")
    assert catalog(code).read_bytes() == compile_po(po), (
        f"{catalog(code)} is older than its .po: python -m tui_upsample.language"
    )


@pytest.mark.parametrize("code", TRANSLATED)
async def test_every_message_on_screen_is_translated_and_none_is_left_over(code: str) -> None:
    entries = read_po(catalog(code, ".po").read_text(encoding="utf-8"))
    entries.pop("")  # the header
    wanted = marked_ids() | {stop.title for stop in STOPS} | await help_ids()
    assert sorted(wanted - set(entries)) == [], "not translated"
    assert sorted(set(entries) - wanted) == [], "translated, but no longer in the code"


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_translation_has_the_numbers_of_its_message(code: str) -> None:
    entries = read_po(catalog(code, ".po").read_text(encoding="utf-8"))
    entries.pop("")
    for msgid, msgstr in entries.items():
        assert set(fields(msgstr)) == set(fields(msgid)), msgid
        # The tour's text is drawn as Textual markup: no new square brackets.
        assert msgstr.count("[") == msgid.count("["), msgid


def test_the_catalog_header_says_utf8() -> None:
    header = read_po(catalog("ko", ".po").read_text(encoding="utf-8"))[""]
    assert "charset=UTF-8" in header


def test_use_switches_the_words_and_english_is_the_message_itself() -> None:
    use("ko")
    assert _("leave the tour") != "leave the tour"
    assert language.current() == "ko"
    use("en")
    assert _("leave the tour") == "leave the tour"
    assert _("a sentence no catalog has") == "a sentence no catalog has"


def test_an_unknown_language_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'xx': no such language \(known: en, ko\)"):
        use("xx")


def test_a_third_language_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "eo" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "tui_upsample.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "leave the tour"\nmsgstr "forlasi la viziton"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(language, "LOCALE_DIR", tmp_path)
    assert language.compile_all() == [folder / "tui_upsample.mo"]
    assert languages() == ("en", "eo")
    use("eo")
    assert _("leave the tour") == "forlasi la viziton"


def test_read_po_joins_continued_strings_and_skips_fuzzy_and_untranslated() -> None:
    text = (
        '# a comment\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "one "\n"two"\nmsgstr "하나 "\n"둘 \\"셋\\""\n\n'
        '#, fuzzy\nmsgid "guess"\nmsgstr "추측"\n\n'
        'msgid "later"\nmsgstr ""\n'
    )
    assert read_po(text) == {
        "": "Content-Type: text/plain; charset=UTF-8\n",
        "one two": '하나 둘 "셋"',
    }


@pytest.mark.parametrize(
    ("text", "words"),
    [('msgctxt "x"\nmsgid "a"\nmsgstr "b"\n', "msgctxt"), ('"stray"\n', "outside")],
)
def test_read_po_refuses_what_it_does_not_read(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        read_po(text)
