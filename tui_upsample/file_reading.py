"""Reading a file a user names, without hanging or flooding memory.

A grid or a session is a small regular file. A FIFO with no writer would block ``open`` forever,
``/dev/zero`` or ``/dev/urandom`` never end, and a 10 GB file would be read whole before its
contents were refused. :func:`read_small_file` opens without blocking, refuses anything but a
regular file, and reads at most ``limit`` bytes; every failure is a :class:`FileRefused` whose
message says why in words (the caller names the file).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
"""Non-blocking (a FIFO opens at once) and never our controlling terminal (a tty path)."""


class FileRefused(ValueError):
    """A file that cannot be read as a grid or session file, and why (names no file)."""


def describe_os_error(exc: OSError) -> str:
    """An OSError in words (``Permission denied``, ``File name too long``…), without the path
    (which the caller shows, made safe)."""
    return exc.strerror or type(exc).__name__


def read_small_file(path: str | os.PathLike[str], limit: int, what: str) -> bytes:
    """The bytes of regular file ``path``, at most ``limit`` of them; :class:`FileRefused` if it
    is missing, unreadable, not a regular file or bigger than ``limit`` (too big for ``what``,
    e.g. "a session")."""
    try:
        fd = os.open(Path(path), _OPEN_FLAGS)
    except FileNotFoundError:
        raise FileRefused("no such file") from None
    except OSError as exc:
        raise FileRefused(describe_os_error(exc)) from None
    except ValueError:  # an embedded NUL byte
        raise FileRefused("is not a valid file name (it holds a NUL character)") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("is not a regular file (a FIFO, a device or a socket?)")
        if info.st_size > limit:
            raise FileRefused(f"is {info.st_size:,} bytes: too big for {what}")
        chunks = []
        left = limit + 1  # one more than allowed: a file that grew while read is caught
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise FileRefused(f"is more than {limit:,} bytes: too big for {what}")
        return data
    except OSError as exc:
        raise FileRefused(f"can't be read ({describe_os_error(exc)})") from None
    finally:
        os.close(fd)
