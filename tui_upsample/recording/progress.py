"""A progress bar on stderr while a long recording renders (rewritten in place)."""

from __future__ import annotations

import sys
from typing import TextIO

BAR = 30


class Progress:
    """``progress(done, total)`` redraws ``what: [#####-----] done/total`` on ``stream``;
    :meth:`done` ends the line. Silent when not ``enabled``."""

    def __init__(self, what: str, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.what = what
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        filled = BAR * done // total
        bar = "#" * filled + "-" * (BAR - filled)
        self.stream.write(f"\r{self.what}: [{bar}] {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def say(self, text: str) -> None:
        """Replace the bar by ``text`` (what happens next, e.g. the GIF being encoded)."""
        if not self.enabled:
            return
        self.stream.write(("\r\x1b[K" if self._drawn else "") + text)
        self.stream.flush()
        self._drawn = True

    def done(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
