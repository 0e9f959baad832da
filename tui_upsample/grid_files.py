"""Reading a grid a learner brings in a file (.csv, .npy or .json), or saying why it cannot be.

A file that is missing, empty, binary, ragged, not numbers, holding NaN or ±inf, or bigger than
64 per side is refused with a :class:`GridFileError` whose message says what is wrong with it in
words a learner can act on (never a NumPy or codec message alone). Python and NumPy only.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from tui_upsample.file_reading import FileRefused, read_small_file

MAX_SIDE = 64
"""Largest number of rows or columns of a grid (the same as the scene's)."""

MAX_FILE_BYTES = 4_000_000
"""Larger files are refused before they are read: 64×64 numbers fit in far less."""

SUFFIXES = (".csv", ".npy", ".json")

_LARGEST = int(np.finfo(np.float64).max)
"""Integers beyond this have no float64: refused rather than an OverflowError."""


class GridFileError(ValueError):
    """A grid file that can't be used, and why (the message names no file: the caller does)."""


def _text(data: bytes) -> str:
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
    if len(lines) > MAX_SIDE:  # said before a million cells are read
        raise GridFileError(f"has {len(lines):,} rows: each side must be 1 to {MAX_SIDE}")
    rows = [
        [_number(cell, f"row {i + 1}") for cell in line.split(",")] for i, line in enumerate(lines)
    ]
    return rows


def _json_rows(text: str, deepest: int = 3) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GridFileError(f"is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise GridFileError("is nested too deeply to be a grid") from None
    except ValueError:  # an integer of more digits than Python converts
        raise GridFileError("holds a number too large for a grid") from None
    if not isinstance(data, list):
        raise GridFileError(f"holds a JSON {type(data).__name__}, want a list of rows of numbers")

    def check(value: Any, depth: int) -> None:
        if isinstance(value, list):
            if depth >= deepest:  # rows in columns in channels (in slices): deeper is no grid
                raise GridFileError("is nested deeper than a grid (lists of rows of numbers)")
            for item in value:
                check(item, depth + 1)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = json.dumps(value)[:20]
            raise GridFileError(f"holds {shown}, which is not a number")
        elif isinstance(value, int) and abs(value) > _LARGEST:
            raise GridFileError(f"holds an integer of {len(str(abs(value)))} digits: too large")

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


def read_grid(path: str | Path, allow_3d: bool = False, allow_4d: bool = False) -> np.ndarray:
    """The grid in file ``path`` as float64; :class:`GridFileError` saying why if it can't be.

    2-D (rows × columns), or with ``allow_3d`` also 3-D (channels × rows × columns), with
    ``allow_4d`` also a 4-D weight (two channel axes, then rows × columns); rows and columns
    1 to 64, every value a finite number.
    """
    dims = (2, 3, 4) if allow_4d else (2, 3) if allow_3d else (2,)
    if str(path) in ("", "."):
        raise GridFileError("is empty: give a preset's name or a file")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise GridFileError(f"is not a .csv, .npy or .json file (it ends in {suffix or 'nothing'})")
    try:
        data = read_small_file(path, MAX_FILE_BYTES, f"a grid of at most {MAX_SIDE}×{MAX_SIDE}")
    except FileRefused as exc:
        raise GridFileError(str(exc)) from None
    if not data:
        raise GridFileError("is empty: no numbers")
    if suffix == ".npy":
        grid = _npy_grid(data, dims)
    else:
        text = _text(data)
        rows = _csv_rows(text) if suffix == ".csv" else _json_rows(text, max(dims))
        if not rows:
            raise GridFileError("is empty: no numbers")
        if _ragged(rows):
            raise GridFileError("rows have different lengths")
        grid = np.array(rows, dtype=np.float64)
    _check_shape(grid.shape, dims)
    bad = ~np.isfinite(grid)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        value = grid[where]
        what = "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        raise GridFileError(f"holds {what} at {list(where)}: every value must be a finite number")
    return grid


def _npy_grid(data: bytes, dims: tuple[int, ...]) -> np.ndarray:
    """The array in .npy bytes, its header checked first: a header can declare 10¹⁸ cells."""
    if not data.startswith(b"\x93NUMPY"):
        raise GridFileError("is not a NumPy array file (.npy)")
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read_header(stream)
    except (ValueError, TypeError, SyntaxError, OverflowError, RecursionError):
        raise GridFileError("is a damaged NumPy array file (.npy)") from None
    if dtype.kind not in "biuf":
        what = {"U": "text", "S": "bytes", "c": "complex numbers", "O": "Python objects"}.get(
            dtype.kind, f"{dtype} values"
        )
        raise GridFileError(f"holds {what}, not real numbers")
    _check_shape(tuple(int(side) for side in shape), dims)
    if math.prod(shape) * dtype.itemsize > len(data) - stream.tell():
        raise GridFileError("is a damaged NumPy array file (.npy): shorter than its header says")
    try:
        raw = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, EOFError, OverflowError):
        raise GridFileError("is a damaged NumPy array file (.npy)") from None
    return np.asarray(raw).astype(np.float64)


def _check_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> None:
    if len(shape) not in dims:
        want = {
            (2,): "rows × columns",
            (2, 3): "rows × columns (or channels of them)",
            (2, 3, 4): "rows × columns, or a 4-D weight (out, in, rows, columns)",
        }[dims]
        raise GridFileError(f"has shape {_shape_text(shape)}, want {want}")
    if min(shape) < 1 or max(shape[-2:]) > MAX_SIDE:
        raise GridFileError(f"has shape {_shape_text(shape)}: each side must be 1 to {MAX_SIDE}")


def _shape_text(shape: tuple[int, ...]) -> str:
    sides = [str(side) if side < 10**12 else f"({len(str(side))} digits)" for side in shape]
    return "×".join(sides) or "a single number"
