"""The direct face's input: r with stride − 1 zeros inserted between its values, then padded by
d(k−1) − p on each side (cropped where that is negative), and which zero is which.

A transposed convolution is a stride-1 convolution of this grid with the kernel turned 180°. Its
zeros are of two kinds a learner should tell apart: zeros *inserted* between two of r's values
(none at stride 1) and *padding* outside r's span. Both are whole rows or columns, so the marks
that say which is which are rows and columns too, a few per grid whatever its size.
"""

from __future__ import annotations

import numpy as np

from tui_upsample.engine.geometry import TransposedGeometry
from tui_upsample.engine.steps import INSERTED, PADDED, PADDING, Mark


def zero_inserted(x: np.ndarray, g: TransposedGeometry) -> np.ndarray:
    """x with stride−1 zeros between its values, padded by d(k−1) − p (cropped if negative)."""
    size = g.padded_size
    out = np.zeros(size)
    rows = g.padded_offset(0) + np.arange(x.shape[0]) * g.stride[0]
    cols = g.padded_offset(1) + np.arange(x.shape[1]) * g.stride[1]
    keep_r = (rows >= 0) & (rows < size[0])
    keep_c = (cols >= 0) & (cols < size[1])
    out[np.ix_(rows[keep_r], cols[keep_c])] = x[np.ix_(keep_r, keep_c)]
    return out


def zero_lines(g: TransposedGeometry, shape: tuple[int, ...], axis: int) -> np.ndarray:
    """Along ``axis`` (0: rows, 1: columns) of the padded input of an input of ``shape``: what
    each line is, as a code: 0 a line of r's values, 1 inserted zeros, 2 padding."""
    offset = np.arange(g.padded_size[axis]) - g.padded_offset(axis)
    s = g.stride[axis]
    inside = (offset >= 0) & (offset <= (shape[axis] - 1) * s)
    return np.where(inside, np.where(offset % s == 0, 0, 1), 2)


def zero_kind(lines: tuple[np.ndarray, np.ndarray], cell: tuple[int, int]) -> str | None:
    """What cell ``cell`` of the padded input holds: PADDING, INSERTED, or None for a value of r
    (``lines``: :func:`zero_lines` of both axes)."""
    kind = max(int(lines[0][cell[0]]), int(lines[1][cell[1]]))
    return (None, INSERTED, PADDING)[kind]


def padded_marks(g: TransposedGeometry, shape: tuple[int, ...]) -> tuple[Mark, ...]:
    """The padded input's padding and inserted zeros, as whole rows ``(r, -1)`` and columns
    ``(-1, c)``. Padding is the stronger role, so a padding column crossing a row of inserted
    zeros is padding there; the cells no mark covers hold r's values."""
    rows, cols = (zero_lines(g, shape, axis) for axis in (0, 1))
    marks = []
    for role, code in ((PADDING, 2), (INSERTED, 1)):
        cells = [(int(r), -1) for r in np.flatnonzero(rows == code)]
        cells += [(-1, int(c)) for c in np.flatnonzero(cols == code)]
        if cells:
            marks.append(Mark(PADDED, role, tuple(cells)))
    return tuple(marks)


def padded_title(g: TransposedGeometry, shape: tuple[int, ...]) -> str:
    """The padded input's title, by what was done to r: "zeros inserted, then padded" at a
    stride above 1, "padded" at stride 1 (and "cropped" where d(k−1) − p is negative)."""
    inserted = any((zero_lines(g, shape, axis) == 1).any() for axis in (0, 1))
    sides = []
    for axis in (0, 1):
        before = g.padded_offset(axis)
        sides += [before, g.padded_size[axis] - before - (shape[axis] - 1) * g.stride[axis] - 1]
    padding = " and ".join(
        word for word, done in (("padded", max(sides) > 0), ("cropped", min(sides) < 0)) if done
    )
    if inserted and padding:
        return f"zeros inserted, then {padding}"
    return "zeros inserted" if inserted else padding or "r as it is (stride 1, no padding)"
