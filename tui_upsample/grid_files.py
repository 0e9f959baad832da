"""Reading a grid a learner brings in a file (.csv, .npy or .json), or saying why it cannot be.

A file that is missing, empty, binary, ragged, not numbers, holding NaN or ±inf, or bigger than
64 per side is refused with a :class:`GridFileError` whose message says what is wrong with it in
words a learner can act on (never a NumPy or codec message alone). Python and NumPy only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

MAX_SIDE = 64
"""Largest number of rows or columns of a grid (the same as the scene's)."""

MAX_FILE_BYTES = 4_000_000
"""Larger files are refused before they are read: 64×64 numbers fit in far less."""

SUFFIXES = (".csv", ".npy", ".json")


class GridFileError(ValueError):
    """A grid file that can't be used, and why (the message names no file: the caller does)."""


def _text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data:
        raise GridFileError("is binary, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GridFileError("is not UTF-8 text (a binary file?)") from None


def _number(cell: str, where: str) -> float:
    text = cell.strip().replace("−", "-")
    if not text:
        raise GridFileError(f"{where} has an empty cell")
    try:
        return float(text)
    except ValueError:
        raise GridFileError(f"{where}: {text[:20]!r} is not a number") from None


def _csv_rows(text: str) -> list[list[float]]:
    lines = [line for line in text.splitlines() if line.strip()]
    rows = [
        [_number(cell, f"row {i + 1}") for cell in line.split(",")] for i, line in enumerate(lines)
    ]
    return rows


def _json_rows(text: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GridFileError(f"is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, list):
        raise GridFileError(f"holds a JSON {type(data).__name__}, want a list of rows of numbers")

    def check(value: Any, depth: int) -> None:
        if isinstance(value, list):
            for item in value:
                check(item, depth + 1)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = json.dumps(value)[:20]
            raise GridFileError(f"holds {shown}, which is not a number")

    check(data, 0)
    return data


def _ragged(rows: Any) -> bool:
    """Whether nested lists have rows of different lengths (at any depth)."""
    if not isinstance(rows, list) or not rows:
        return False
    if all(isinstance(r, list) for r in rows):
        if len({len(r) for r in rows}) > 1:
            return True
        return any(_ragged(r) for r in rows)
    return any(isinstance(r, list) for r in rows)


def read_grid(path: str | Path, allow_3d: bool = False) -> np.ndarray:
    """The grid in file ``path`` as float64; :class:`GridFileError` saying why if it can't be.

    2-D (rows × columns), or with ``allow_3d`` also 3-D (channels × rows × columns), each side
    1 to 64, every value a finite number.
    """
    path = Path(path)
    if str(path) in ("", "."):
        raise GridFileError("is empty: give a preset's name or a file")
    if not path.exists():
        raise GridFileError("no such file")
    if path.is_dir():
        raise GridFileError("is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise GridFileError(f"is not a .csv, .npy or .json file (it ends in {suffix or 'nothing'})")
    try:
        size = path.stat().st_size
        if size == 0:
            raise GridFileError("is empty: no numbers")
        if size > MAX_FILE_BYTES:
            raise GridFileError(
                f"is {size:,} bytes: too big for a grid of at most {MAX_SIDE}×{MAX_SIDE}"
            )
        if suffix == ".npy":
            if not _npy_magic(path):
                raise GridFileError("is not a NumPy array file (.npy)")
            try:
                raw = np.load(path, allow_pickle=False)
            except (ValueError, EOFError) as exc:
                if "pickle" in str(exc).lower() or "object" in str(exc).lower():
                    raise GridFileError("holds Python objects, not numbers") from None
                raise GridFileError("is a damaged NumPy array file (.npy)") from None
            if not isinstance(raw, np.ndarray):
                raise GridFileError("is not a NumPy array file (.npy)")
            if raw.dtype.kind not in "biuf":
                what = {"U": "text", "S": "bytes", "c": "complex numbers"}.get(
                    raw.dtype.kind, f"{raw.dtype} values"
                )
                raise GridFileError(f"holds {what}, not real numbers")
            grid = raw.astype(np.float64)
        else:
            text = _text(path)
            rows = _csv_rows(text) if suffix == ".csv" else _json_rows(text)
            if not rows:
                raise GridFileError("is empty: no numbers")
            if _ragged(rows):
                raise GridFileError("rows have different lengths")
            grid = np.array(rows, dtype=np.float64)
    except OSError as exc:
        raise GridFileError(f"can't be read ({exc.strerror or exc})") from None
    dims = (2, 3) if allow_3d else (2,)
    if grid.ndim not in dims:
        want = "rows × columns (or r² channels of them)" if allow_3d else "rows × columns"
        shape = "×".join(map(str, grid.shape)) or "a single number"
        raise GridFileError(f"has shape {shape}, want {want}")
    if min(grid.shape) < 1 or max(grid.shape[-2:]) > MAX_SIDE:
        shape = "×".join(map(str, grid.shape))
        raise GridFileError(f"has shape {shape}: each side must be 1 to {MAX_SIDE}")
    bad = ~np.isfinite(grid)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        value = grid[where]
        what = "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        raise GridFileError(f"holds {what} at {list(where)}: every value must be a finite number")
    return grid


def _npy_magic(path: Path) -> bool:
    """Whether the file starts like a .npy file (its magic string)."""
    with path.open("rb") as handle:
        return handle.read(6) == b"\x93NUMPY"
