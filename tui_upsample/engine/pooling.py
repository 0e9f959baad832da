"""Pooling: max pooling, exact to ``F.max_pool2d``, and average pooling, exact to ``F.avg_pool2d``.

Max pooling keeps the largest value of each window and where it was: its step trace shows one
window per step, its maximum and its argmax (the flat index ``row * W + col`` in the unpadded
plane that max unpooling later puts the value back at). Average pooling divides each window's
sum by a count the step says the reason for, and shows beside it what max pooling would give:
the post's point that the average is the better choice where exact position matters. Also here:
the output-size formula. Arrays may be (H, W), (C, H, W) or (N, C, H, W); results keep the
caller's layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tui_upsample.engine.parameters import (
    CEIL_MODE,
    COUNT_INCLUDE_PAD,
    DILATION,
    DIVISOR_OVERRIDE,
    STRIDE,
    WINDOW_PADDING,
    WINDOW_SIZE,
    Operator,
)
from tui_upsample.engine.shapes import (
    pool_output_size,
)
from tui_upsample.engine.steps import (
    ARGMAX,
    INPUT,
    OUTPUT,
    READ,
    WRITTEN,
    Cell,
    CellByCellTrace,
    Grid,
    Step,
    plane,
)
from tui_upsample.engine.text import (
    Formula,
    axis_label,
    formula_axes,
)
from tui_upsample.engine.text import format_cell as cell_text
from tui_upsample.engine.text import format_number as num
from tui_upsample.engine.text import formula_number as fnum
from tui_upsample.engine.validation import (
    Pair,
    as_grid,
    count_text,
    fail,
    non_negative_pair,
    positive_pair,
    room_for,
    switch,
    to_batched,
)

_AXES = ("height", "width")


def _show_pair(p: Pair) -> str:
    return count_text(p[0]) if p[0] == p[1] else f"({count_text(p[0])}, {count_text(p[1])})"


# --------------------------------------------------------------------------------------------
# The operator
# --------------------------------------------------------------------------------------------


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
    ceil = switch("ceil_mode", ceil_mode)
    want_idx = switch("return_indices", return_indices)

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


# --------------------------------------------------------------------------------------------
# The step trace: one window per output cell
# --------------------------------------------------------------------------------------------


class MaxPoolTrace(CellByCellTrace):
    """Max pooling: one step per window, its maximum and where that maximum was."""

    op = "max_pool2d"
    step_roles = (WRITTEN, ARGMAX, READ)

    def __init__(
        self,
        x: Any,
        kernel_size: Any = 2,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        ceil_mode: bool = False,
    ) -> None:
        self.input = plane("x", x)
        # return_indices=True: max_pool2d returns (values, indices).
        self.result, self.indices = cast(
            "tuple[np.ndarray, np.ndarray]",
            max_pool2d(
                self.input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True
            ),
        )
        k = positive_pair("kernel_size", kernel_size)
        self.params = {
            "kernel_size": k,
            "stride": k if stride is None else positive_pair("stride", stride),
            "padding": non_negative_pair("padding", padding),
            "dilation": positive_pair("dilation", dilation),
            "ceil_mode": bool(ceil_mode),
        }

    def window(self, oi: int, oj: int) -> tuple[list[Cell], int]:
        """The input cells of window (oi, oj) that lie inside x, and how many taps it has."""
        (kh, kw), (sh, sw) = self.params["kernel_size"], self.params["stride"]
        (ph, pw), (dh, dw) = self.params["padding"], self.params["dilation"]
        h, w = self.input.shape
        rows = [oi * sh - ph + dh * a for a in range(kh)]
        cols = [oj * sw - pw + dw * b for b in range(kw)]
        cells: list[Cell] = [(r, c) for r in rows if 0 <= r < h for c in cols if 0 <= c < w]
        return cells, kh * kw

    def _step(self, k: int) -> Step:
        oi, oj = self._output_cell(k)
        cells, taps = self.window(oi, oj)
        argmax = tuple(int(i) for i in divmod(int(self.indices[oi, oj]), self.input.shape[1]))
        values = [self.input[c] for c in cells]
        best = self.result[oi, oj]
        arithmetic = (
            f"y[{oi},{oj}] = max({', '.join(num(v) for v in values)}) = {num(best)},"
            f" found at x{cell_text(argmax)}"
        )
        notes = []
        if sum(v == best for v in values) > 1:
            notes.append("a tie goes to the first in reading order")
        if len(cells) < taps:
            notes.append(f"{taps - len(cells)} taps fall on padding (−∞)")
        return Step(
            index=k,
            arithmetic=arithmetic,
            notes=tuple(notes),
            value=float(best),
            operands=tuple(float(v) for v in values),
            partial=self._partial(k),
            output_cells=((oi, oj),),
            input_cells=tuple(cells),
            argmax=argmax,
        )

    def _grids(self) -> Sequence[Grid]:
        return (
            Grid(INPUT, "x", self.input),
            Grid(OUTPUT, "y = max_pool2d(x)", self.result),
        )


# --------------------------------------------------------------------------------------------
# Average pooling: the mean of each window, and what it is divided by
# --------------------------------------------------------------------------------------------


def _pool_windows(
    name: str, x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: Any
) -> tuple[np.ndarray, Pair, Pair, Pair, bool, tuple[int, int]]:
    """x as a float64 array and the checked (kernel, stride, padding, ceil_mode, output size)
    of an undilated pooling, refusing padding over half the window as PyTorch does."""
    arr = as_grid("x", x)
    k = positive_pair("kernel_size", kernel_size)
    s = k if stride is None else positive_pair("stride", stride)
    p = non_negative_pair("padding", padding)
    ceil = switch("ceil_mode", ceil_mode)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        half = (k[0] // 2, k[1] // 2)
        raise fail(
            "padding",
            padding,
            f"must be at most half of kernel_size={_show_pair(k)}, rounded down"
            f" (at most {_show_pair(half)})",
        )
    h, w = arr.shape[-2:]
    out = (
        pool_output_size(h, k[0], s[0], p[0], 1, ceil),
        pool_output_size(w, k[1], s[1], p[1], 1, ceil),
    )
    for a in range(2):
        if out[a] < 1:
            raise fail(
                "kernel_size",
                kernel_size,
                f"a window of {count_text(k[a])} does not fit the {_AXES[a]} {arr.shape[-2 + a]}"
                f" plus padding {count_text(p[a])} on each side: the {name} has no cells",
            )
    return arr, k, s, p, ceil, out


def _window_bounds(o: int, k: int, s: int, p: int, n: int) -> tuple[int, int, int]:
    """Window o along one axis, as PyTorch's kernel bounds it: (first cell, end, cells counted
    with padding), the first and end clipped to the input [0, n)."""
    start = o * s - p
    end = min(start + k, n + p)
    return max(start, 0), min(end, n), end - start


def avg_pool2d(
    x: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> np.ndarray:
    """The mean of each window, as ``F.avg_pool2d``.

    Padding is zeros. ``stride=None`` means ``kernel_size``; padding is at most half the window.
    Each window's sum is divided by ``divisor_override`` when given, else by the number of its
    cells inside the padded input (``count_include_pad=True``) or inside x itself (False). With
    ``ceil_mode`` the output is rounded up (a last window that would start inside the right
    padding is dropped), and a window reaching past the padding counts only what it covers.
    The sum runs over the window in reading order, as PyTorch's CPU kernel adds it, so the
    results agree to the last bit. Values come back as float64.
    """
    arr, k, s, p, ceil, (oh, ow) = _pool_windows(
        "pooled output", x, kernel_size, stride, padding, ceil_mode
    )
    include_pad = switch("count_include_pad", count_include_pad)
    if divisor_override is not None:
        if isinstance(divisor_override, (bool, np.bool_)) or not isinstance(
            divisor_override, (int, np.integer)
        ):
            raise fail("divisor_override", divisor_override, "must be an integer or None")
        if divisor_override == 0:
            raise fail("divisor_override", divisor_override, "must not be 0")
    x4, restore = to_batched(arr)
    n, c, h, w = x4.shape
    blame: tuple[str, Any] = ("padding", padding) if max(p) > 0 else ("x", arr)
    room_for(*blame, (n, c, oh, ow))
    s = (min(s[0], h + 2 * p[0]), min(s[1], w + 2 * p[1]))  # one window per axis past that
    full = (max((oh - 1) * s[0] + k[0], h + p[0]), max((ow - 1) * s[1] + k[1], w + p[1]))
    room_for(*blame, (n, c) + full, "the zero-padded copy of x")
    xp = np.zeros((n, c) + full)
    xp[:, :, p[0] : p[0] + h, p[1] : p[1] + w] = x4
    # One strided view per kernel offset, added in reading order: each window's sum is built
    # in the order PyTorch's loop adds it (the padding's zeros change no sum).
    win = sliding_window_view(xp, k, axis=(2, 3))[:, :, :: s[0], :: s[1]][:, :, :oh, :ow]
    total = np.zeros((n, c, oh, ow))
    for a in range(k[0]):
        for b in range(k[1]):
            total += win[..., a, b]
    rows = [_window_bounds(i, k[0], s[0], p[0], h) for i in range(oh)]
    cols = [_window_bounds(j, k[1], s[1], p[1], w) for j in range(ow)]
    if divisor_override is not None:
        divisor = np.full((oh, ow), float(divisor_override))
    elif include_pad:
        divisor = np.outer([r[2] for r in rows], [q[2] for q in cols]).astype(float)
    else:
        divisor = np.outer([r[1] - r[0] for r in rows], [q[1] - q[0] for q in cols]).astype(float)
    return restore(total / divisor)


class AvgPoolTrace(CellByCellTrace):
    """Average pooling: one step per window, its sum, the divisor and why that divisor."""

    op = "avg_pool2d"
    step_roles = (WRITTEN, ARGMAX, READ)  # the argmax: what max pooling would take instead

    def __init__(
        self,
        x: Any,
        kernel_size: Any = 2,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: Any = None,
    ) -> None:
        self.input = plane("x", x)
        self.result = avg_pool2d(
            self.input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
        )
        _, k, s, p, ceil, _ = _pool_windows(
            "pooled output", x, kernel_size, stride, padding, ceil_mode
        )
        self.params = {
            "kernel_size": k,
            "stride": s,
            "padding": p,
            "ceil_mode": ceil,
            "count_include_pad": bool(count_include_pad),
            "divisor_override": divisor_override,
        }

    def _step(self, k: int) -> Step:
        oi, oj = self._output_cell(k)
        (kh, kw), (sh, sw), (ph, pw) = (
            self.params[n] for n in ("kernel_size", "stride", "padding")
        )
        h, w = self.input.shape
        r0, r1, rows_padded = _window_bounds(oi, kh, sh, ph, h)
        c0, c1, cols_padded = _window_bounds(oj, kw, sw, pw, w)
        cells = [(r, c) for r in range(r0, r1) for c in range(c0, c1)]
        values = [float(self.input[c]) for c in cells]
        mean = float(self.result[oi, oj])
        override = self.params["divisor_override"]
        inside = len(cells)
        if override is not None:
            divisor, why = int(override), f"divisor_override={override}"
        elif self.params["count_include_pad"]:
            divisor = rows_padded * cols_padded
            why = f"{divisor} = the {rows_padded}×{cols_padded} window"
            if divisor > inside:
                why += ", padding counted (count_include_pad=True)"
        else:
            divisor = inside
            why = f"{divisor}, the cells inside x: count_include_pad=False"
        sum_text = " + ".join(num(v) for v in values)
        arithmetic = f"y[{oi},{oj}] = ({sum_text})/{divisor} = {num(mean)}"
        notes = []
        if kh * kw > inside:
            notes.append(f"{kh * kw - inside} taps fall on padding (0)")
        best = max(values)
        found = cells[values.index(best)]
        notes.append(f"max pooling would give {num(best)}, from x{cell_text(found)}")
        return Step(
            index=k,
            arithmetic=arithmetic,
            rule=f"divisor {why}",
            notes=tuple(notes),
            value=mean,
            operands=tuple(values),
            partial=self._partial(k),
            output_cells=((oi, oj),),
            input_cells=tuple(cells),
            argmax=found,  # where max pooling would take its value from, shown beside the mean
        )

    def _grids(self) -> Sequence[Grid]:
        return (Grid(INPUT, "x", self.input), Grid(OUTPUT, "y = avg_pool2d(x)", self.result))


# --------------------------------------------------------------------------------------------
# The output size, written out
# --------------------------------------------------------------------------------------------


def pool_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None = None
) -> list[Formula]:
    """o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 with the numbers put in (⌈⌉ with ceil_mode); without
    a dilation (average pooling has none) the rule reads o = ⌊(i + 2p − k)/s⌋ + 1."""
    ceil = bool(p.get("ceil_mode", False))
    dilated = "dilation" in p
    lo, hi = ("⌈", "⌉") if ceil else ("⌊", "⌋")
    keys = {
        k: p.get(k, d)
        for k, d in (("kernel_size", 1), ("stride", None), ("padding", 0), ("dilation", 1))
    }
    if keys["stride"] is None:
        keys["stride"] = keys["kernel_size"]
    lines: list[Formula] = []
    for name, n in formula_axes(in_size, None, keys):
        i, k, s, pad, d = n["i"], n["kernel_size"], n["stride"], n["padding"], n["dilation"]
        o = pool_output_size(i, k, s, pad, d, ceil)
        if dilated:
            rule = f"{lo}(i + 2p − d(k−1) − 1)/s{hi} + 1"
            span = f"({fnum(i)} + {fnum(2 * pad)} − {fnum(d * (k - 1))} − 1)/{fnum(s)}"
        else:
            rule = f"{lo}(i + 2p − k)/s{hi} + 1"
            span = f"({fnum(i)} + {fnum(2 * pad)} − {fnum(k)})/{fnum(s)}"
        line = f"o = {rule} = {lo}{span}{hi} + 1 = {fnum(o)}"
        note = ""
        if ceil and o != -(-(i + 2 * pad - d * (k - 1) - 1) // s) + 1:
            note = "(the last window would start in the padding: dropped)"
        lines.append(axis_label(name, line, note))
    return lines


# --------------------------------------------------------------------------------------------
# The operator table's entry
# --------------------------------------------------------------------------------------------


MAX_POOL2D = Operator(
    name="max_pool2d",
    words="max pooling",
    pytorch="F.max_pool2d",
    function=max_pool2d,
    trace=MaxPoolTrace,
    formula=pool_formula,
    parameters=(WINDOW_SIZE, STRIDE, WINDOW_PADDING, DILATION, CEIL_MODE),
    step="a window, its argmax, the output cell",
    aliases=("pool", "maxpool"),
)


AVG_POOL2D = Operator(
    name="avg_pool2d",
    words="average pooling",
    pytorch="F.avg_pool2d",
    function=avg_pool2d,
    trace=AvgPoolTrace,
    formula=pool_formula,
    parameters=(
        WINDOW_SIZE,
        STRIDE,
        WINDOW_PADDING,
        CEIL_MODE,
        COUNT_INCLUDE_PAD,
        DIVISOR_OVERRIDE,
    ),
    step="a window, its sum, the divisor and why; beside it, what max pooling would give",
    aliases=("avgpool", "avg", "meanpool"),
)
