"""Writing a file atomically: the text goes to a temporary file in the same directory, which then
replaces the target in one step (``os.replace``), so a crash or a full disk never leaves half a
file, and a failed write leaves any earlier file as it was.

Apart from :mod:`tui_upsample.session` (which saves with it) so that a screenshot or a recording
is written without loading the session format and the quiz it carries.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Any

__all__ = ["check_writable", "write_atomic"]


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> Path:
    """Write ``text`` (or bytes: a GIF) to ``path`` all at once: a temporary file beside it, then
    ``os.replace``.

    On any failure the temporary file is removed, ``path`` is left as it was, and the OSError
    propagates. Returns the path written.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    _check_target(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        if isinstance(text, bytes):
            handle_of: IO[Any] = os.fdopen(fd, "wb")
        else:
            handle_of = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with handle_of as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise the OSError :func:`write_atomic` would meet at ``path`` (a directory, a device, a
    name too long, no permission), without writing anything: to refuse before long work."""
    target = Path(path)
    _check_target(target)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    os.unlink(tmp)


def _check_target(target: Path) -> None:
    """Refuse to replace what is not a file: a directory, a device (``/dev/full``), a FIFO.

    A symbolic link is replaced by the new file, never written through.
    """
    try:
        info = target.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise OSError(errno.EINVAL, "is not a regular file (a device or a FIFO?)", str(target))


def _mode_for(target: Path) -> int:
    """The permissions a new file would get (or the ones the file it replaces has)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
