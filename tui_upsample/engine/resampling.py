"""Fixed (unlearned) upsampling: nearest, bilinear, bed of nails and pixel shuffle.

``upsample_nearest`` and ``upsample_bilinear`` are ``F.interpolate`` with ``mode="nearest"`` and
``mode="bilinear"`` (``recompute_scale_factor=None``), down to PyTorch's CPU rounding; the per-axis
helpers ``nearest_sources`` and ``bilinear_sources`` give the source cells (and weights) of every
output row or column, for the step-through view. Arrays may be (H, W), (C, H, W) or
(N, C, H, W); results keep the caller's layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.validation import (
    _show,
    as_grid,
    count_text,
    fail,
    positive_int,
    positive_pair,
    positive_scale,
    room_for,
    to_batched,
)

__all__ = [
    "bed_of_nails",
    "bilinear_sources",
    "nearest_fast_path",
    "nearest_sources",
    "pixel_shuffle",
    "upsample_bilinear",
    "upsample_nearest",
]

_AXES = ("height", "width")

# Work through planes in blocks of about this many output bytes (see upsample_bilinear).
_CHUNK_BYTES = 1 << 18


def _check_length(name: str, value: Any) -> int:
    """A per-axis length for the source helpers: an integer of at least 1, not absurdly large."""
    v = positive_int(name, value)
    room_for(name, value, (v,))
    return v


def _scale_value(scale: Any) -> float | None:
    """A helper's ``scale`` argument: None, or one positive finite number."""
    if scale is None:
        return None
    if isinstance(scale, (tuple, list)):
        raise fail("scale", scale, "must be one number (these helpers work on one axis)")
    return positive_scale("scale", scale)[0]


def _output_size(
    in_hw: tuple[int, int], size: Any, scale_factor: Any
) -> tuple[tuple[int, int], tuple[float, float] | tuple[None, None]]:
    """(out_h, out_w) and the scale factors PyTorch hands to its kernel (None with ``size``)."""
    if (size is None) == (scale_factor is None):
        given = "both" if size is not None else "neither"
        raise EngineError(
            f"size={_show(size)}, scale_factor={_show(scale_factor)}: give exactly one of size "
            f"and scale_factor ({given} given)"
        )
    if size is not None:
        return positive_pair("size", size), (None, None)
    sf = positive_scale("scale_factor", scale_factor)
    # PyTorch: floor(in · scale_factor), computed in float64.
    out = (int(np.floor(in_hw[0] * sf[0])), int(np.floor(in_hw[1] * sf[1])))
    for a in range(2):
        if out[a] < 1:
            raise fail(
                "scale_factor",
                scale_factor,
                f"the output {_AXES[a]} ⌊{in_hw[a]} × {sf[a]:g}⌋ = {out[a]} must be at least 1",
            )
    return out, sf


def _size_arg(size: Any, scale_factor: Any) -> tuple[str, Any]:
    """The (name, value) of whichever of size / scale_factor was given."""
    return ("size", size) if size is not None else ("scale_factor", scale_factor)


def nearest_fast_path(out_h: int, out_w: int) -> bool:
    """Whether PyTorch's CPU nearest kernel takes its small-output path for this output size.

    PyTorch picks its kernel by output size: when ``out_h + out_w <= 128`` (or for channels-last
    input with more than 3 channels, which for a C-contiguous array only happens when H = W = 1,
    where every source is 0 anyway) it rounds in float32 and special-cases ``out == in`` and
    ``out == 2·in``; otherwise it works in float64. The two differ only on rare boundary cells.
    """
    return out_h + out_w <= 128


def nearest_sources(
    in_size: int, out_size: int, scale: float | None = None, *, fast_path: bool = True
) -> np.ndarray:
    """The input index each output index copies along one axis, as PyTorch's ``nearest``.

    src = min(⌊dst · r⌋, in − 1), with r = 1 / ``scale`` when a scale factor was given (``scale``
    is the caller's ``scale_factor`` for this axis, output per input, as PyTorch receives it) and
    r = in / out otherwise. ``fast_path`` selects PyTorch's kernel (see
    :func:`nearest_fast_path`): True computes r and the product in float32 and copies straight
    through when out == in or halves when out == 2·in; False computes them in float64 and rounds
    the product to float32 before the floor.
    """
    i = _check_length("in_size", in_size)
    o = _check_length("out_size", out_size)
    sf = _scale_value(scale)
    if not isinstance(fast_path, (bool, np.bool_)):
        raise fail("fast_path", fast_path, "must be True or False")
    dst = np.arange(o)
    if fast_path:
        if o == i:
            return dst
        if o == 2 * i:
            return dst >> 1
        # A ratio above in sends every dst ≥ 1 to the last cell anyway; capping it keeps an
        # inconsistent (in, out, scale) from overflowing float32.
        if sf is not None:
            ratio = np.float32(min(1.0 / sf, i))
        else:
            ratio = np.float32(i) / np.float32(o)
        src = np.floor(dst.astype(np.float32) * ratio)
    else:
        ratio64 = min(1.0 / sf if sf is not None else i / o, float(i))
        src = np.floor((dst * ratio64).astype(np.float32))
    return np.minimum(src.astype(np.int64), i - 1)


def bilinear_sources(
    in_size: int, out_size: int, scale: float | None = None, align_corners: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each output index along one axis: the two input indices and their weights.

    Returns ``(i0, i1, w0, w1)`` with output = w0·x[i0] + w1·x[i1]. The source position is
    src = (dst + 0.5)·r − 0.5 clamped at 0 (r = 1 / ``scale`` when a scale factor was given — the
    caller's ``scale_factor``, output per input — else in / out), or with ``align_corners``
    src = dst·(in − 1)/(out − 1) (0 when out = 1; ``scale`` is then ignored, as in PyTorch).
    i0 = ⌊src⌋, i1 = i0 + 1 (or i0 at the last row), w1 = src − i0, w0 = 1 − w1. When out == in
    PyTorch copies straight through whatever the scale, and so does this.
    """
    i = _check_length("in_size", in_size)
    o = _check_length("out_size", out_size)
    sf = _scale_value(scale)
    if not isinstance(align_corners, (bool, np.bool_)):
        raise fail("align_corners", align_corners, "must be True or False")
    dst = np.arange(o, dtype=np.float64)
    if o == i:
        idx = np.arange(o)
        return idx, idx.copy(), np.ones(o), np.zeros(o)
    if align_corners:
        src = dst * ((i - 1) / (o - 1)) if o > 1 else np.zeros(o)
    else:
        # A ratio of 2·in already puts every output past the last cell: capping it there keeps
        # an inconsistent (in, out, scale) from overflowing.
        ratio = min(1.0 / sf if sf is not None else i / o, 2.0 * i)
        src = np.maximum((dst + 0.5) * ratio - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), i - 1)
    i1 = np.minimum(i0 + 1, i - 1)
    # At the last row both sources are the same cell: give it the whole weight.
    w1 = np.where(i1 > i0, np.clip(src - i0, 0.0, 1.0), 0.0)
    return i0, i1, 1.0 - w1, w1


def upsample_nearest(x: Any, size: Any = None, scale_factor: Any = None) -> np.ndarray:
    """Each output cell copies its nearest-source input cell, as ``F.interpolate(mode="nearest")``.

    Give exactly one of ``size`` (``(H, W)`` or an int) and ``scale_factor`` (a number or a pair);
    with a scale factor the output is ⌊in · scale_factor⌋ and the sources use that factor, not
    the rounded ratio (``recompute_scale_factor=None``). See :func:`nearest_sources`.
    """
    arr = as_grid("x", x)
    x4, restore = to_batched(arr)
    in_hw = (x4.shape[2], x4.shape[3])
    (oh, ow), sf = _output_size(in_hw, size, scale_factor)
    room_for(*_size_arg(size, scale_factor), x4.shape[:2] + (oh, ow))
    fast = nearest_fast_path(oh, ow)
    rows = nearest_sources(in_hw[0], oh, sf[0], fast_path=fast)
    cols = nearest_sources(in_hw[1], ow, sf[1], fast_path=fast)
    # Columns first, on the smaller array; then whole rows, which copy contiguously. When x
    # shrinks in height but grows in width that middle array would outgrow both x and the
    # output, so rows go first there (a copy either way: the result is the same).
    if in_hw[0] * ow > oh * in_hw[1]:
        return restore(np.take(np.take(x4, rows, axis=2), cols, axis=3))
    return restore(np.take(np.take(x4, cols, axis=3), rows, axis=2))


def upsample_bilinear(
    x: Any, size: Any = None, scale_factor: Any = None, align_corners: bool = False
) -> np.ndarray:
    """Each output cell blends its four nearest input cells, as ``F.interpolate(mode="bilinear")``.

    Give exactly one of ``size`` and ``scale_factor``; see :func:`bilinear_sources` for where each
    output cell reads and with what weights. Columns are blended first, then rows.
    """
    arr = as_grid("x", x)
    if not isinstance(align_corners, (bool, np.bool_)):
        raise fail("align_corners", align_corners, "must be True or False")
    x4, restore = to_batched(arr)
    in_hw = (x4.shape[2], x4.shape[3])
    (oh, ow), sf = _output_size(in_hw, size, scale_factor)
    room_for(*_size_arg(size, scale_factor), x4.shape[:2] + (oh, ow))
    r0, r1, rw0, rw1 = bilinear_sources(in_hw[0], oh, sf[0], bool(align_corners))
    c0, c1, cw0, cw1 = bilinear_sources(in_hw[1], ow, sf[1], bool(align_corners))
    # Separable: blend along the width first (on the smaller array), then along the height,
    # where whole rows are gathered contiguously. A few planes at a time: small temporaries
    # are reused by the allocator, while fresh megabyte-sized ones cost more in page faults
    # than the arithmetic does.
    n, c = x4.shape[:2]
    planes = x4.reshape(n * c, in_hw[0], in_hw[1])
    out = np.empty((n * c, oh, ow))
    # Row weights spread over whole rows: NumPy multiplies two contiguous arrays several times
    # faster than it broadcasts a column.
    rw0_full = np.repeat(rw0[:, None], ow, axis=1)
    rw1_full = np.repeat(rw1[:, None], ow, axis=1)
    step = max(1, _CHUNK_BYTES // (8 * oh * ow))
    # Blended along the width, a block of planes is in_h × out_w: larger than the output when x
    # shrinks in height but grows in width.
    room_for(
        *_size_arg(size, scale_factor),
        (min(step, n * c), in_hw[0], ow),
        "x blended along its width",
    )
    for start in range(0, n * c, step):
        xs = planes[start : start + step]
        cols = np.take(xs, c0, axis=2)
        cols *= cw0
        part = np.take(xs, c1, axis=2)
        part *= cw1
        cols += part
        o = out[start : start + step]
        np.multiply(np.take(cols, r0, axis=1), rw0_full, out=o)
        part = np.take(cols, r1, axis=1)
        part *= rw1_full
        o += part
    return restore(out.reshape(n, c, oh, ow))


def bed_of_nails(x: Any, scale_factor: Any) -> np.ndarray:
    """Each value at the top-left corner of its s×s block, zeros elsewhere (CS231n's unpooling).

    ``scale_factor`` is an integer or an ``(h, w)`` pair of integers, each at least 1.
    """
    arr = as_grid("x", x)
    s = positive_pair("scale_factor", scale_factor)
    x4, restore = to_batched(arr)
    n, c, h, w = x4.shape
    room_for("scale_factor", scale_factor, (n, c, h * s[0], w * s[1]))
    out = np.zeros((n, c, h * s[0], w * s[1]))
    out[:, :, :: s[0], :: s[1]] = x4
    return restore(out)


def pixel_shuffle(x: Any, upscale_factor: Any) -> np.ndarray:
    """Rearrange (C·r², H, W) into (C, H·r, W·r), as ``F.pixel_shuffle``.

    out[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]: each group of r² channels becomes the
    r×r blocks of one output channel. Needs a channel axis, so the input is (C·r², H, W) or
    (N, C·r², H, W).
    """
    arr = as_grid("x", x)
    r = positive_int("upscale_factor", upscale_factor)
    if arr.ndim == 2:
        raise EngineError(
            f"x has shape {arr.shape}: pixel_shuffle needs a channel axis, (C·r², H, W) or "
            "(N, C·r², H, W)"
        )
    x4, restore = to_batched(arr)
    n, c, h, w = x4.shape
    if c % (r * r):
        raise fail(
            "upscale_factor",
            upscale_factor,
            f"the channel count {c} must be divisible by upscale_factor² = {count_text(r * r)}",
        )
    oc = c // (r * r)
    room_for("x", arr, (n, oc, h * r, w * r))  # as many cells as x: only a huge x is refused
    out = x4.reshape(n, oc, r, r, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, oc, h * r, w * r)
    return restore(out)
