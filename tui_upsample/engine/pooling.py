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
    count_text,
    fail,
    non_negative_pair,
    positive_pair,
    room_for,
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
    return count_text(p[0]) if p[0] == p[1] else f"({count_text(p[0])}, {count_text(p[1])})"


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
                f"with dilation={count_text(d[a])} a window spans {count_text(span_a)} cells of "
                f"{_AXES[a]}, but the input has {size[a]} plus padding {count_text(p[a])} on each "
                f"side ({count_text(room)}): the pooled output would have no cells",
            )
    oh, ow = out
    # Padding is what makes the output (and the padded copy below) larger than x.
    blame: tuple[str, Any] = ("padding", padding) if max(p) > 0 else ("x", arr)
    room_for(*blame, (n, c, oh, ow))
    # A stride longer than the padded input leaves one window per axis, wherever it is; cap it
    # so that index arithmetic stays within int64.
    s = (min(s[0], h + 2 * p[0]), min(s[1], w + 2 * p[1]))
    span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)

    # Pad with −∞ (only if needed) far enough that every window, ceil_mode ones too, fits.
    need = ((oh - 1) * s[0] + span[0], (ow - 1) * s[1] + span[1])
    if p == (0, 0) and need[0] <= h and need[1] <= w:
        xp = x4
    else:
        full = (max(need[0], h + p[0]), max(need[1], w + p[1]))
        room_for(*blame, (n, c) + full, "the −∞-padded copy of x")
        xp = np.full((n, c) + full, -np.inf)
        xp[:, :, p[0] : p[0] + h, p[1] : p[1] + w] = x4

    # One strided view per kernel offset (a, b), in row-major order: view[..., i, j] is the
    # cell at offset (a, b) of window (i, j). A loop over the k·k offsets, not over windows.
    win = sliding_window_view(xp, span, axis=(2, 3))
    win = win[:, :, : (oh - 1) * s[0] + 1 : s[0], : (ow - 1) * s[1] + 1 : s[1], :: d[0], :: d[1]]
    offsets = [(a, b) for a in range(k[0]) for b in range(k[1])]
    vals = win[..., 0, 0].copy()
    for a, b in offsets[1:]:
        np.maximum(vals, win[..., a, b], out=vals)

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
    # PyTorch's loop only replaces its maximum on ">", so ties go to the first offset holding
    # the maximum: walk the offsets backwards and let earlier ones overwrite later ones.
    arg = np.zeros(vals.shape, dtype=np.int8 if len(offsets) <= 127 else np.int32)
    hit = np.empty(vals.shape, dtype=bool)
    move = np.empty_like(arg)
    for t in range(len(offsets) - 1, -1, -1):
        a, b = offsets[t]
        np.equal(win[..., a, b], vals, out=hit)
        # arg = where(hit, t, arg), as arithmetic: np.copyto(where=) is ~40× slower here.
        np.subtract(t, arg, out=move)
        np.multiply(move, hit, out=move)
        arg += move
    # flat index = (i·s − p + a·d)·W + (j·s − p + b·d): a per-window base plus a per-offset step.
    step = np.array([a * d[0] * w + b * d[1] for a, b in offsets], dtype=np.int64)
    base = (np.arange(oh) * s[0] - p[0])[:, None] * w + (np.arange(ow) * s[1] - p[1])[None, :]
    indices = np.take(step, arg)
    indices += base
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
        if raw.dtype.kind == "u" and raw.size and raw.max() > np.iinfo(np.int64).max:
            at = tuple(int(i) for i in np.argwhere(raw > np.iinfo(np.int64).max)[0])
            raise EngineError(f"indices{list(at)}={int(raw[at])}: is too large to be an index")
        return raw.astype(np.int64, copy=False)
    if raw.dtype.kind == "f":
        # Integral floats (typed in by a learner) are fine; anything else is not an index.
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(raw) | (raw != np.round(raw))
        if bad.any():
            at = tuple(int(i) for i in np.argwhere(bad)[0])
            raise EngineError(
                f"indices{list(at)}={raw[at].item()!r}: every index must be an integer"
            )
        huge = np.abs(raw) >= 2.0**62
        if huge.any():
            at = tuple(int(i) for i in np.argwhere(huge)[0])
            raise EngineError(f"indices{list(at)}={raw[at].item()!r}: is too large to be an index")
        return raw.astype(np.int64)
    raise EngineError(f"indices has dtype {raw.dtype}: must be an array of integers")


def _unpool_size(output_size: Any, default: tuple[int, int], s: Pair) -> tuple[int, int]:
    """The asked-for (H, W), checked against PyTorch's bounds default ± stride (exclusive)."""
    if output_size is None:
        return default
    if isinstance(output_size, np.ndarray):
        items = output_size.tolist() if output_size.ndim == 1 else None
    elif isinstance(output_size, (tuple, list)):
        items = list(output_size)
    else:
        items = None
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
                f"{_AXES[a]} {count_text(hw[a])} must be strictly between {count_text(lo)} and "
                f"{count_text(hi)} "
                f"(default {count_text(default[a])} ± stride {count_text(s[a])})",
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
                    f"the default output {_AXES[a]} (i−1)·s − 2p + k = {count_text(default[a])} "
                    "is below 1",
                )
    oh, ow = _unpool_size(output_size, default, s)
    plane = oh * ow
    if output_size is not None:
        blame: tuple[str, Any] = ("output_size", output_size)
    elif stride is not None and max((h - 1) * s[0] - k[0], (w - 1) * s[1] - k[1]) > 0:
        blame = ("stride", stride)  # the default size (i−1)·s − 2p + k grows mostly with it
    else:
        blame = ("kernel_size", kernel_size)
    room_for(*blame, (n, c, oh, ow))

    if idx.min() < 0 or idx.max() >= plane:
        bad = (idx < 0) | (idx >= plane)
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        raise EngineError(
            f"indices{list(at)}={int(idx[at])}: must be between 0 and {count_text(plane - 1)}, "
            f"a flat index into the {count_text(oh)} × {count_text(ow)} output plane"
        )

    # One flat key per pooled value: its plane's offset plus its index, in row-major order.
    keys = (np.arange(n * c, dtype=np.int64) * plane)[:, None] + idx4.reshape(n * c, h * w)
    keys = keys.ravel()
    vals = x4.reshape(-1)
    total = n * c * plane
    counts = np.bincount(keys, minlength=total)
    if counts.max(initial=0) > 1:
        # Shared indices: the last write wins, so keep each key's last occurrence (the first
        # one in reversed order). NumPy does not promise an order for repeated fancy writes.
        keys, first_rev = np.unique(keys[::-1], return_index=True)
        vals = vals[::-1][first_rev]
    out = np.zeros(total)
    out[keys] = vals
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
        written = (counts > 0).reshape(out.shape)
        out = np.where(written, out, np.where(np.isneginf(best), 0.0, best))
    return restore(out)


def _strided_span(i: int, s: int, offset: int, o: int) -> tuple[int, int, int, int] | None:
    """For targets ``t = j·s + offset`` (0 ≤ j < i) inside [0, o): the j range and the t range."""
    j0 = max(0, (-offset + s - 1) // s)
    j1 = min(i, (o - 1 - offset) // s + 1) if o - 1 - offset >= 0 else 0
    if j1 <= j0:
        return None
    return j0, j1, j0 * s + offset, (j1 - 1) * s + offset + 1
