"""Showing a string a user or a file gave us, safely: no terminal control codes, no markup.

A file name, a flag value or a typed cell can hold ESC, BEL, CR, a newline or a C1 control
(``\\x9b`` is a one-byte CSI): printed raw, they clear the screen, retitle the window or split a
one-line message. :func:`shown` spells every such character as an escape (``\\x1b``, ``\\n``), so
the text stays one harmless line. On screen, Textual would also read ``[b]`` or ``[/]`` as markup
(and ``1 [ /`` is a MarkupError): :func:`tui_upsample.widgets.blocks.quiet_text.plain` shows text
exactly as written. Python only, so the command line uses it without loading Textual.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""C0 controls (newline and tab included), DEL, the C1 controls, and lone surrogates: how
Python spells the bytes of a file name that are not UTF-8, which no terminal can be sent."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFF:
        return f"\\u{code:04x}"
    return _NAMED.get(char) or f"\\x{code:02x}"


def shown(text: object) -> str:
    """``text`` as one line without control characters: each is written as its escape.

    Everything else (letters, digits, ``×``, ``−``, brackets) is kept as it is, so an ordinary
    path or value reads the same as typed.
    """
    return _CONTROLS.sub(_escape, str(text))


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character :func:`shown` would escape."""
    return _CONTROLS.search(text) is not None


def shown_lines(text: object) -> str:
    """Like :func:`shown`, but keeping the newlines of a message of several lines (a
    notification's), each line made safe."""
    return "\n".join(shown(line) for line in str(text).split("\n"))


def quoted(text: str, limit: int = 40) -> str:
    """``text`` as typed, quoted (``repr``, so controls are escaped), cut short past ``limit``
    characters: a paste can be long."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 3]) + "…"
