"""An asciicast v2 recording (asciinema's format) of a walk through the steps.

The file is a JSON header line, then one JSON event per line: ``[time, "o", text]`` writes to the
terminal, ``[time, "m", label]`` is a marker, where asciinema-player can pause (its
``pauseOnMarkers``) and which its progress bar lists. Each frame is one output event that redraws
only the runs of text that changed since the frame before, and one marker whose label is the
step's line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from tui_upsample.recording.cell_runs import Frame, Row, Run, rgb

HIDE_CURSOR = "\x1b[?25l"
CLEAR = "\x1b[2J"
RESET = "\x1b[0m"


def sgr(run: Run) -> str:
    """The escape sequence that sets ``run``'s style (truecolour)."""
    codes = ["0"]
    for on, code in (
        (run.bold, "1"),
        (run.dim, "2"),
        (run.italic, "3"),
        (run.underline, "4"),
        (run.strike, "9"),
    ):
        if on:
            codes.append(code)
    codes.append("38;2;{};{};{}".format(*rgb(run.fg)))
    codes.append("48;2;{};{};{}".format(*rgb(run.bg)))
    return f"\x1b[{';'.join(codes)}m"


def row_text(number: int, runs: Row) -> str:
    """What redraws ``runs`` of row ``number`` (0 is the top): move to the first run's cell,
    then write each run in its style."""
    out = [f"\x1b[{number + 1};{runs[0].x + 1 if runs else 1}H"]
    style = ""
    for run in runs:
        code = sgr(run)
        if code != style:
            out.append(code)
            style = code
        out.append(run.text)
    out.append(RESET)
    return "".join(out)


def changed_runs(row: Row, old: Row) -> Row:
    """The runs of ``row`` from the first that differs from ``old`` to the last that does (the
    runs both rows share at their start and at their end are left out)."""
    start = 0
    while start < min(len(row), len(old)) and row[start] == old[start]:
        start += 1
    end = len(row)
    old_end = len(old)
    while end > start and old_end > start and row[end - 1] == old[old_end - 1]:
        end -= 1
        old_end -= 1
    return row[start:end]


def frame_output(frame: Frame, before: Frame | None) -> str:
    """The output that turns the screen showing ``before`` (None: a blank one) into ``frame``:
    on a screen already drawn, only the runs that changed are written again."""
    parts = [HIDE_CURSOR + CLEAR] if before is None else []
    for number, row in enumerate(frame.rows):
        if before is None or number >= len(before.rows):
            parts.append(row_text(number, row))
        elif before.rows[number] != row:
            changed = changed_runs(row, before.rows[number])
            if changed:
                parts.append(row_text(number, changed))
    return "".join(parts)


def cast_text(frames: Sequence[Frame], durations: Sequence[float], title: str = "") -> str:
    """The asciicast v2 file of ``frames``, frame i shown for ``durations[i]`` seconds."""
    if not frames:
        raise ValueError("a recording needs at least one frame")
    first = frames[0]
    header: dict[str, object] = {
        "version": 2,
        "width": first.width,
        "height": first.height,
        "env": {"TERM": "xterm-256color"},
    }
    if title:
        header["title"] = title
    lines = [json.dumps(header, ensure_ascii=False)]
    time = 0.0
    before: Frame | None = None
    for frame, duration in zip(frames, durations, strict=True):
        stamp = round(time, 6)
        lines.append(json.dumps([stamp, "o", frame_output(frame, before)], ensure_ascii=False))
        lines.append(json.dumps([stamp, "m", frame.label], ensure_ascii=False))
        before = frame
        time += duration
    # An empty write when the last frame's time is over, so that it too lasts its duration.
    lines.append(json.dumps([round(time, 6), "o", ""]))
    return "\n".join(lines) + "\n"
