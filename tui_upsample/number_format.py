"""How a number fits a grid cell: the engine's one number formatter, to a width.

:func:`~tui_upsample.engine.text.format_number` writes every number the learner reads (integers as
integers, others with at most 4 significant digits, e-notation for very large or very small ones,
"nothing written yet" as a middle dot, a real minus sign). A grid uses one width for all its
cells, so the columns line up; a number that does not fit loses digits first.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from tui_upsample.engine.text import EMPTY, format_number

__all__ = ["EMPTY", "cell_width", "format_number", "format_to_width"]


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
            # NaN (not written yet) and ±inf: each kind once, not once per cell
            others = np.unique(arr[~np.isfinite(arr)])
            width = max(width, max(len(format_number(v)) for v in others))
        return width
    return max(len(format_number(v)) for v in np.unique(arr))
