"""MaxUnpool's indices, inspected: what max pooling remembered, and how max unpooling reads it.

``max_pool2d(x, return_indices=True)`` remembers, for each window, where its maximum was as one
flat number per plane, ``index = row·W + col`` with W the width of x. ``max_unpool2d`` decodes
each index against the width of *its* output: by default (i−1)·s − 2p + k per axis, which is
smaller than x when the windows do not tile x exactly. Then an index decodes to another cell, or
does not fit at all, and PyTorch stops with "Found an invalid max index". Passing x's own size as
``output_size`` puts every value back where it came from; PyTorch takes an ``output_size`` only
strictly between default − stride and default + stride.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from tui_upsample.engine.pooling import max_pool2d
from tui_upsample.engine.shapes import unpool_default_size
from tui_upsample.engine.steps import Cell, plane
from tui_upsample.engine.unpooling import UnpoolBounds, unpool_size_bounds
from tui_upsample.engine.validation import non_negative_pair, positive_pair


@dataclass(frozen=True)
class DecodedIndex:
    """One remembered index: which pooled value, the index, and the cell it names in x, in the
    default output and in the explicit one (None where it does not fit that plane)."""

    pooled_cell: Cell
    value: float
    index: int
    in_x: Cell
    in_default: Cell | None
    in_explicit: Cell | None


@dataclass(frozen=True)
class IndexInspection:
    """How max unpooling reads the indices max pooling returned, under two output sizes.

    ``default_size`` is MaxUnpool2d's size without ``output_size``; ``explicit_size`` the size
    asked for (x's own, unless told otherwise), ``explicit_error`` PyTorch's message if it is
    out of bounds. ``default_error`` is PyTorch's message for the first index that does not fit
    the default plane (empty if all fit). ``bounds`` are the accepted output sizes per axis.
    """

    input_size: tuple[int, int]
    indices: np.ndarray
    decoded: tuple[DecodedIndex, ...]
    default_size: tuple[int, int]
    explicit_size: tuple[int, int]
    bounds: tuple[UnpoolBounds, UnpoolBounds]
    default_error: str
    explicit_error: str
    moved: tuple[DecodedIndex, ...]
    """The indices the default size decodes to another cell than the one in x."""
    text: str


def _cell(index: int, size: tuple[int, int]) -> Cell | None:
    h, w = size
    if not 0 <= index < h * w:
        return None
    return (index // w, index % w)


def invalid_index_message(index: int, size: tuple[int, int]) -> str:
    """PyTorch's words for an index that does not fit the output plane (it names the last such
    index of the plane, in row-major order)."""
    return f"Found an invalid max index: {index} (output volumes are of size {size[0]}x{size[1]})"


def output_size_message(size: tuple[int, int], bounds: tuple[UnpoolBounds, UnpoolBounds]) -> str:
    """PyTorch's words for an ``output_size`` outside its bounds ("" if it is inside)."""
    for dim, (n, b) in enumerate(zip(size, bounds, strict=True)):
        if not b.low_exclusive < n < b.high_exclusive:
            return (
                f'invalid output_size "{tuple(size)}" (dim {dim} must be between'
                f" {b.low_exclusive} and {b.high_exclusive})"
            )
    return ""


def inspect_indices(
    x: Any,
    kernel_size: Any = 2,
    stride: Any = None,
    padding: Any = 0,
    output_size: tuple[int, int] | None = None,
) -> IndexInspection:
    """Pool ``x`` (one 2-D plane), then read its indices under the default output size and
    under ``output_size`` (default: x's own size, the one that puts every value back)."""
    arr = plane("x", x)
    k = positive_pair("kernel_size", kernel_size)
    s = k if stride is None else positive_pair("stride", stride)
    p = non_negative_pair("padding", padding)
    pooled, indices = cast(
        "tuple[np.ndarray, np.ndarray]", max_pool2d(arr, k, s, p, return_indices=True)
    )
    hp, wp = pooled.shape
    h, w = arr.shape
    default = (
        unpool_default_size(hp, k[0], s[0], p[0]),
        unpool_default_size(wp, k[1], s[1], p[1]),
    )
    explicit = (h, w) if output_size is None else (int(output_size[0]), int(output_size[1]))
    bounds = (
        unpool_size_bounds(hp, k[0], s[0], p[0]),
        unpool_size_bounds(wp, k[1], s[1], p[1]),
    )
    decoded = []
    for i in range(hp):
        for j in range(wp):
            index = int(indices[i, j])
            decoded.append(
                DecodedIndex(
                    (i, j),
                    float(pooled[i, j]),
                    index,
                    (index // w, index % w),
                    _cell(index, default),
                    _cell(index, explicit),
                )
            )
    # PyTorch checks every index of a plane and names the last one that does not fit.
    misfit = next((d for d in reversed(decoded) if d.in_default is None), None)
    default_error = "" if misfit is None else invalid_index_message(misfit.index, default)
    explicit_error = output_size_message(explicit, bounds)
    if not explicit_error:
        out = next((d for d in reversed(decoded) if d.in_explicit is None), None)
        if out is not None:
            explicit_error = invalid_index_message(out.index, explicit)
    moved = tuple(d for d in decoded if d.in_default is not None and d.in_default != d.in_x)
    largest = int(indices.max())
    if default == (h, w):
        text = (
            f"the windows tile the {h}×{w} input exactly: the default output is {h}×{w} too,"
            " and every index decodes to the cell it came from"
        )
    else:
        text = (
            f"the indices are flat positions in the {h}×{w} input (W = {w}), but the default"
            f" output is {default[0]}×{default[1]} (W = {default[1]}): "
        )
        if default_error:
            text += (
                f"index {misfit.index if misfit else largest} does not fit it, and PyTorch stops"
            )
        elif moved:
            text += f"{len(moved)} of them decode to another cell"
        else:
            text += "every index still fits and decodes to its own cell"
        text += f"; output_size={explicit[0], explicit[1]} puts each value back where it was"
    return IndexInspection(
        (h, w),
        indices,
        tuple(decoded),
        default,
        explicit,
        bounds,
        default_error,
        explicit_error,
        moved,
        text,
    )
