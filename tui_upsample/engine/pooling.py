"""Max pooling and max unpooling, exact to PyTorch's ``F.max_pool2d`` and ``F.max_unpool2d``.

Arrays may be (H, W), (C, H, W) or (N, C, H, W); results keep the caller's layout. Indices are
flat positions ``row * W + col`` inside each (N, C) plane of the *unpadded* input, as PyTorch gives
them.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.shapes import pool_output_size, unpool_default_size
from tui_upsample.engine.validation import (
    Pair,
    as_grid,
    fail,
    non_negative_pair,
    positive_pair,
    to_batched,
)

__all__ = ["max_pool2d", "max_unpool2d"]

_AXES = ("height", "width")


def _flag(name: str, value: Any) -> bool:
    """A True/False switch (numpy booleans too), never a number passed by mistake."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise fail(name, value, "must be True or False")


def _show_pair(p: Pair) -> str:
    return str(p[0]) if p[0] == p[1] else f"({p[0]}, {p[1]})"


def max_pool2d(
    x: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The largest value of each (dilated) window, as ``F.max_pool2d``.

    Padding is implicit −∞, so it never wins. ``stride=None`` means ``kernel_size``. With
    ``ceil_mode`` the output is rounded up, but a last window that would start inside the right
    padding is dropped. Ties go to the first maximum in row-major order within the window, as
    PyTorch's CPU kernel does. With ``return_indices`` also returns the int64 flat index
    (``row * W + col`` in the unpadded plane) of each maximum.
    """
    arr = as_grid("x", x)
    k = positive_pair("kernel_size", kernel_size)
    s = k if stride is None else positive_pair("stride", stride)
    p = non_negative_pair("padding", padding)
    d = positive_pair("dilation", dilation)
    ceil = _flag("ceil_mode", ceil_mode)
    want_idx = _flag("return_indices", return_indices)

    # PyTorch checks pad <= kernel_size // 2 on the kernel itself: dilation does not widen it.
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        half = (k[0] // 2, k[1] // 2)
        raise fail(
            "padding",
            padding,
            f"must be at most half of kernel_size={_show_pair(k)}, rounded down "
            f"(at most {_show_pair(half)}); dilation does not count",
        )

    x4, restore = to_batched(arr)
    n, c, h, w = x4.shape
    size = (h, w)
    out = tuple(pool_output_size(size[a], k[a], s[a], p[a], d[a], ceil) for a in range(2))
    for a in range(2):
        if out[a] < 1:
            span_a = d[a] * (k[a] - 1) + 1
            room = size[a] + 2 * p[a]
            raise fail(
                "kernel_size",
                kernel_size,
                f"with dilation={d[a]} a window spans {span_a} cells of {_AXES[a]}, but the "
                f"input has {size[a]} plus padding {p[a]} on each side ({room}): the pooled "
                "output would have no cells",
            )
    oh, ow = out
    span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)

    # Pad with −∞ far enough that every window (ceil_mode ones too) lies inside the array.
    need = ((oh - 1) * s[0] + span[0], (ow - 1) * s[1] + span[1])
    full = (max(need[0], h + p[0]), max(need[1], w + p[1]))
    xp = np.full((n, c) + full, -np.inf)
    xp[:, :, p[0] : p[0] + h, p[1] : p[1] + w] = x4

    win = sliding_window_view(xp, span, axis=(2, 3))
    win = win[:, :, : (oh - 1) * s[0] + 1 : s[0], : (ow - 1) * s[1] + 1 : s[1], :: d[0], :: d[1]]
    flat = win.reshape(n, c, oh, ow, k[0] * k[1])
    # argmax returns the first maximum: PyTorch's tie rule (its loop only replaces on ">").
    arg = flat.argmax(axis=-1)
    vals = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]

    if np.isneginf(vals).any():
        # Only reachable when dilation steps over the whole input: PyTorch returns −∞ there
        # with an index outside the plane, which nothing downstream could use.
        where = tuple(int(v) for v in np.argwhere(np.isneginf(vals))[0][2:])
        raise fail(
            "dilation",
            dilation,
            f"the window of output cell {where} covers only padding, no input cell",
        )

    result = restore(vals)
    if not want_idx:
        return result
    rows = np.arange(oh)[:, None] * s[0] - p[0] + (arg // k[1]) * d[0]
    cols = np.arange(ow)[None, :] * s[1] - p[1] + (arg % k[1]) * d[1]
    indices = (rows * w + cols).astype(np.int64)
    return result, restore(indices)


def _indices_array(indices: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``indices`` as an int64 array shaped like the pooled values."""
    try:
        raw = np.asarray(indices)
    except (TypeError, ValueError) as exc:
        raise EngineError(f"indices: must be an array of integers ({exc})") from None
    if raw.shape != shape:
        raise EngineError(f"indices has shape {raw.shape}: must have the same shape as x, {shape}")
    if raw.dtype.kind in "iu":
        return raw.astype(np.int64)
    if raw.dtype.kind == "f":
        # Integral floats (typed in by a learner) are fine; anything else is not an index.
        bad = ~np.isfinite(raw) | (raw != np.round(raw))
        if not bad.any():
            return raw.astype(np.int64)
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        raise EngineError(f"indices{list(at)}={raw[at].item()!r}: every index must be an integer")
    raise EngineError(f"indices has dtype {raw.dtype}: must be an array of integers")


def _unpool_size(output_size: Any, default: tuple[int, int], s: Pair) -> tuple[int, int]:
    """The asked-for (H, W), checked against PyTorch's bounds default ± stride (exclusive)."""
    if output_size is None:
        return default
    items = list(output_size) if isinstance(output_size, (tuple, list, np.ndarray)) else None
    if items is None or len(items) not in (2, 3, 4):
        raise fail(
            "output_size",
            output_size,
            "must be (H, W) or a full shape (C, H, W) / (N, C, H, W) whose last two are taken",
        )
    hw = []
    for v in items[-2:]:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise fail("output_size", output_size, "every entry must be an integer")
        hw.append(int(v))
    for a in range(2):
        lo, hi = default[a] - s[a], default[a] + s[a]
        if not lo < hw[a] < hi:
            raise fail(
                "output_size",
                output_size,
                f"{_AXES[a]} {hw[a]} must be strictly between {lo} and {hi} "
                f"(default {default[a]} ± stride {s[a]})",
            )
        if hw[a] < 1:
            raise fail("output_size", output_size, f"{_AXES[a]} must be at least 1")
    return (hw[0], hw[1])


def max_unpool2d(
    x: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
    fill: Literal["zeros", "max"] = "zeros",
) -> np.ndarray:
    """Put each pooled value back at its index, as ``F.max_unpool2d``; the rest is ``fill``.

    The default output size is (i−1)·s − 2p + k per axis; ``output_size`` (``(H, W)`` or a full
    shape whose last two entries are taken) must lie strictly between default − stride and
    default + stride. Where several values share an index the last one in row-major order wins,
    as PyTorch's CPU kernel does on one thread (on several threads PyTorch leaves it undefined).

    ``fill="zeros"`` is PyTorch's. ``fill="max"`` (a teaching variant) also gives every cell of a
    pooled value's window — rows ``i·s − p … i·s − p + k − 1``, likewise columns, clipped to the
    output — that no index wrote that window's maximum. Where windows overlap (stride < kernel)
    such a cell takes the *largest* of the maxima of the windows covering it. Cells written by an
    index keep the written value; cells in no window stay 0.
    """
    arr = as_grid("x", x)
    k = positive_pair("kernel_size", kernel_size)
    s = k if stride is None else positive_pair("stride", stride)
    p = non_negative_pair("padding", padding)
    if not isinstance(fill, str) or fill not in ("zeros", "max"):
        raise fail("fill", fill, 'must be "zeros" or "max"')
    idx = _indices_array(indices, arr.shape)

    x4, restore = to_batched(arr)
    idx4, _ = to_batched(idx)
    n, c, h, w = x4.shape
    default = (unpool_default_size(h, k[0], s[0], p[0]), unpool_default_size(w, k[1], s[1], p[1]))
    if output_size is None:
        for a in range(2):
            if default[a] < 1:
                raise fail(
                    "padding",
                    padding,
                    f"the default output {_AXES[a]} (i−1)·s − 2p + k = {default[a]} is below 1",
                )
    oh, ow = _unpool_size(output_size, default, s)
    plane = oh * ow

    bad = (idx < 0) | (idx >= plane)
    if bad.any():
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        raise EngineError(
            f"indices{list(at)}={int(idx[at])}: must be between 0 and {plane - 1}, "
            f"a flat index into the {oh} × {ow} output plane"
        )

    # One flat key per pooled value: its plane's offset plus its index, in row-major order.
    keys = (np.arange(n * c, dtype=np.int64) * plane)[:, None] + idx4.reshape(n * c, h * w)
    keys = keys.ravel()
    vals = x4.reshape(-1)
    # Last write wins: take each key's last occurrence (first in the reversed order).
    uniq, first_rev = np.unique(keys[::-1], return_index=True)
    out = np.zeros(n * c * plane)
    out[uniq] = vals[::-1][first_rev]
    out = out.reshape(n, c, oh, ow)

    if fill == "max":
        best = np.full((n, c, oh, ow), -np.inf)
        # One pass per kernel offset: the targets of a fixed offset are distinct cells, so a
        # strided slice updates them all at once.
        for a in range(k[0]):
            r = _strided_span(h, s[0], a - p[0], oh)
            if r is None:
                continue
            for b in range(k[1]):
                q = _strided_span(w, s[1], b - p[1], ow)
                if q is None:
                    continue
                (i0, i1, r0, r1), (j0, j1, c0, c1) = r, q
                view = best[:, :, r0 : r1 : s[0], c0 : c1 : s[1]]
                np.maximum(view, x4[:, :, i0:i1, j0:j1], out=view)
        written = np.zeros(n * c * plane, dtype=bool)
        written[uniq] = True
        spread = np.where(np.isneginf(best), 0.0, best)
        out = np.where(written.reshape(out.shape), out, spread)
    return restore(out)


def _strided_span(i: int, s: int, offset: int, o: int) -> tuple[int, int, int, int] | None:
    """For targets ``t = j·s + offset`` (0 ≤ j < i) inside [0, o): the j range and the t range."""
    j0 = max(0, (-offset + s - 1) // s)
    j1 = min(i, (o - 1 - offset) // s + 1) if o - 1 - offset >= 0 else 0
    if j1 <= j0:
        return None
    return j0, j1, j0 * s + offset, (j1 - 1) * s + offset + 1
