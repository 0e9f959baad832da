"""The language of the words on screen: gettext message catalogs, one file per language.

The code is written in English, and its English sentences are the message ids. Every other
language is one catalog, ``locale/<code>/LC_MESSAGES/tui_upsample.po`` beside this module (the
words), and the ``.mo`` gettext reads, compiled from it by ``python -m tui_upsample.language``
(a test checks the two agree). A third language is a third ``.po`` file, compiled: nothing in
the code names a language.

What is translated: the guided tour (its titles, sentences and keys), the help screen and the
tour's notices. The engine's step lines stay as the engine writes them (it speaks English only),
so every number on screen still comes from it. Sentences with numbers are written with named
fields, ``_("x {shape} becomes y").format(shape=…)``, so a translation can put them where its
grammar wants them.

UI-free (the standard library only): the command line sets the language before the app starts.
"""

from __future__ import annotations

import ast
import gettext
import struct
import sys
from pathlib import Path

DOMAIN = "tui_upsample"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"
"""The language of the message ids: always there, no catalog."""

_translation: gettext.NullTranslations = gettext.NullTranslations()
_current = SOURCE_LANGUAGE


def catalog(code: str, suffix: str = ".mo") -> Path:
    """Where language ``code``'s catalog is (``suffix`` ".po" for its source)."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def languages() -> tuple[str, ...]:
    """The languages there are: English, then every language with a compiled catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


def use(code: str) -> None:
    """Show words in language ``code`` from now on; ValueError naming the known ones if there
    is no such catalog."""
    global _translation, _current
    if code == SOURCE_LANGUAGE:
        _translation, _current = gettext.NullTranslations(), code
        return
    known = languages()
    if code not in known:
        raise ValueError(f"{code!r}: no such language (known: {', '.join(known)})")
    with catalog(code).open("rb") as handle:
        _translation, _current = gettext.GNUTranslations(handle), code


def current() -> str:
    """The language words are shown in now."""
    return _current


def _(message: str) -> str:
    """``message`` in the current language (as it is, where the catalog has no translation)."""
    return _translation.gettext(message)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it)
    """``message`` unchanged: marks a constant to translate where it is shown."""
    return message


# The catalogs' sources -------------------------------------------------------------------------


def read_po(text: str) -> dict[str, str]:
    """The translations in ``.po`` text, message id → message (the header under ""); entries
    marked fuzzy and those not translated yet are left out, as msgfmt does. ValueError naming
    the line if the text is not a catalog these functions write."""
    entries: dict[str, str] = {}
    entry: dict[str, list[str]] = {}
    flags: set[str] = set()
    last = ""

    def finish() -> None:
        if "msgid" in entry and "fuzzy" not in flags:
            msgstr = "".join(entry.get("msgstr", []))
            if msgstr:
                entries["".join(entry["msgid"])] = msgstr

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if "msgstr" in entry:  # a comment starts the next entry
                finish()
                entry, flags, last = {}, set(), ""
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith('"'):
            if not last:
                raise ValueError(f"line {number}: a string outside msgid or msgstr")
            entry[last].append(_unquote(line, number))
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword not in ("msgid", "msgstr"):
            raise ValueError(f"line {number}: {keyword!r} (these catalogs have msgid and msgstr)")
        if keyword == "msgid" and "msgstr" in entry:
            finish()
            entry, flags = {}, set()
        entry[keyword] = [_unquote(rest.strip(), number)]
        last = keyword
    finish()
    return entries


def _unquote(text: str, number: int) -> str:
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"line {number}: expected a quoted string, got {text!r}")
    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def compile_po(text: str) -> bytes:
    """The ``.mo`` file (GNU gettext's binary catalog) of ``.po`` text: sorted ids, no hash
    table, the same bytes for the same text."""
    entries = sorted(
        (msgid.encode("utf-8"), msgstr.encode("utf-8")) for msgid, msgstr in read_po(text).items()
    )
    count = len(entries)
    header = 7 * 4
    ids_table = header
    strs_table = ids_table + count * 8
    data = strs_table + count * 8
    offsets: list[tuple[int, int]] = []
    blob = b""
    for msgid, _msgstr in entries:
        offsets.append((len(msgid), data + len(blob)))
        blob += msgid + b"\0"
    for _msgid, msgstr in entries:
        offsets.append((len(msgstr), data + len(blob)))
        blob += msgstr + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, data)
    out += b"".join(struct.pack("<2I", length, start) for length, start in offsets)
    return out + blob


def compile_all() -> list[Path]:
    """Compile every language's ``.po`` into its ``.mo``; the files written."""
    written = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_po(po.read_text(encoding="utf-8")))
        written.append(mo)
    return written


if __name__ == "__main__":  # python -m tui_upsample.language: compile the catalogs
    for path in compile_all():
        sys.stdout.write(f"wrote {path}\n")
