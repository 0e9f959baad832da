"""Which strings name a key, as Textual spells them (``n``, ``enter``, ``shift+down``,
``question_mark``): checked before ``--press`` presses them or a preferences file binds them, so a
typo is refused rather than silently never pressed."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

MODIFIERS = frozenset({"shift", "ctrl", "alt", "meta", "super", "hyper"})


@lru_cache(maxsize=1)
def _named_keys() -> frozenset[str]:
    """Textual's key names without their modifiers (``up``, ``f5``, ``enter``…)."""
    from textual.keys import Keys

    return frozenset(key.value.rpartition("+")[2] for key in Keys if not key.value.startswith("<"))


def is_key_name(key: str) -> bool:
    """Whether ``key`` is a key Textual knows: a printable character or a key's name, after any
    of ``shift+``, ``ctrl+``, ``alt+``, ``meta+``, ``super+``, ``hyper+``."""
    from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key

    *modifiers, base = key.split("+")
    if not base or any(modifier not in MODIFIERS for modifier in modifiers):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    if base in _named_keys():
        return True
    try:  # a keyboard's character by its name: question_mark, full_stop, minus, plus…
        character = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(base, base)))
    except KeyError:
        return False
    return character.isascii() and character.isprintable()  # "banana" names 🍌, no key
