"""How a number is written in a grid cell: short, but never hiding a difference that matters.

Integers are written as integers, other numbers with at most 4 significant digits, very large or
very small ones in e-notation, and "nothing written yet" (NaN) as a middle dot. A grid uses one
width for all its cells, so the columns line up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

EMPTY = "·"
"""What a cell that no step has written yet (NaN) shows."""


def _tidy_exponent(text: str) -> str:
    """'1.235e+06' → '1.235e6', '4.5e-05' → '4.5e-5'."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def format_number(value: float, digits: int = 4) -> str:
    """The compact text of one cell's value."""
    v = float(value)
    if math.isnan(v):
        return EMPTY
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    if abs(v) >= 1e6 or abs(v) < 1e-3:
        return _tidy_exponent(f"{v:.{max(digits - 1, 0)}e}")
    return _tidy_exponent(f"{v:.{digits}g}")


def format_to_width(value: float, width: int) -> str:
    """The value in at most ``width`` characters, right-aligned; fewer digits if it must."""
    v = float(value)
    if v != v:  # NaN: not cached (no two NaNs are equal keys)
        return EMPTY.rjust(width)
    return _format_to_width(v, width)


@lru_cache(maxsize=1 << 16)
def _format_to_width(value: float, width: int) -> str:
    # Every visible cell of every frame comes here: the same numbers, over and over.
    for digits in (4, 3, 2, 1):
        text = format_number(value, digits)
        if len(text) <= width:
            return text.rjust(width)
    return "…".rjust(width)


def cell_width(values: np.ndarray | Iterable[float]) -> int:
    """The width that fits every value of ``values`` (at least 1)."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        return 1
    finite = arr[np.isfinite(arr)]
    if finite.size and np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 1e6):
        # Integers only: the widest is at one of the two ends.
        ends = [format_number(finite.min()), format_number(finite.max())]
        width = max(len(t) for t in ends)
        if finite.size != arr.size:
            width = max(width, max(len(format_number(v)) for v in arr[~np.isfinite(arr)]))
        return width
    return max(len(format_number(v)) for v in np.unique(arr))
