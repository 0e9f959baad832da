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


EXACT_UNIQUE = 4096
"""Up to this many distinct numbers, a grid's width is measured by writing each one; beyond it
(a bilinear output of a million cells) by a bound computed without writing any."""

SORT_AT_MOST = 1 << 18
"""Grids up to this many cells are sorted to find their distinct numbers; larger ones get the
bound at once (sorting a million cells on every step would be felt)."""


def cell_width(values: np.ndarray | Iterable[float]) -> int:
    """The width that fits every value of ``values`` (at least 1).

    Exact for integers and for up to :data:`EXACT_UNIQUE` distinct other numbers in a grid of at
    most :data:`SORT_AT_MOST` cells; beyond that the widest a number of its magnitude can be
    written (4 significant digits, no trailing zeros dropped), so the time does not grow with
    the count of distinct numbers.
    """
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        return 1
    finite_mask = np.isfinite(arr)
    finite = arr[finite_mask]
    width = 1
    if finite.size != arr.size:
        # NaN (·), ∞ or −∞: at most three distinct texts, however many cells hold them.
        width = max(len(format_number(v)) for v in _distinct(arr[~finite_mask]))
    if finite.size == 0:
        return width
    if np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 1e6):
        # Integers only: the widest is at one of the two ends.
        ends = [format_number(finite.min()), format_number(finite.max())]
        return max(width, *(len(t) for t in ends))
    distinct = _distinct(finite) if finite.size <= SORT_AT_MOST else None
    if distinct is not None and distinct.size <= EXACT_UNIQUE:
        return max(width, *(len(format_number(v)) for v in distinct))
    return max(width, _widest_bound(finite))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct numbers of ``values``, sorted (NaN once). Not ``np.unique``: its first call
    imports ``numpy.ma`` (~10 ms of the first screen)."""
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    # NaNs sort last and never equal each other: keep only the first of them.
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    keep[1:] &= ~(np.isnan(ordered[1:]) & np.isnan(ordered[:-1]))
    return ordered[keep]


def _widest_bound(finite: np.ndarray) -> int:
    """The most characters :func:`format_number` (4 digits) can take for any of ``finite``.

    The width depends only on the sign and the decimal exponent, and grows away from 1 both ways,
    so the widest is among the smallest and largest magnitudes of each sign and kind.
    """
    mag = np.abs(finite)
    whole = (finite == np.round(finite)) & (mag < 1e6)
    negative = finite < 0
    picks: list[float] = []
    signs: list[bool] = []
    for kind in (whole, ~whole):
        for neg in (False, True):
            group = mag[kind & (negative if neg else ~negative)]
            if group.size:
                picks += [float(group.min()), float(group.max())]
                signs += [neg, neg]
    m = np.array(picks)
    s = np.array(signs)
    is_whole = np.array([(v == round(v)) and v < 1e6 for v in picks])
    digits = np.floor(np.log10(np.maximum(m, 1))).astype(np.int64) + 1
    # The decimal exponent, taken one higher where rounding to 4 digits could carry.
    e = np.floor(np.log10(np.maximum(m, 1e-320) * (1 + 1e-4))).astype(np.int64)
    scientific = (m >= 1e6) | (m < 1e-3)
    # d.ddd, then e, the exponent's digits and its minus sign.
    exp_digits = np.floor(np.log10(np.maximum(np.abs(e), 1))).astype(np.int64) + 1
    sci = 5 + 1 + exp_digits + (e < 0)
    # %.4g between 1e-3 and 1e6: 10⁴ and up in e-notation (d.ddde4), below 1 with leading zeros.
    fixed = np.where(e >= 4, 7, np.where(e >= 0, 5, 5 - e))
    widths = np.where(is_whole, digits, np.where(scientific, sci, fixed)) + s
    return max(1, int(widths.max()))
