"""Max pooling, exact to ``F.max_pool2d``: the largest value of each window, and where it was.

The step trace shows one window per step, its maximum and its argmax (the flat index
``row * W + col`` in the unpadded plane that max unpooling later puts the value back at). Also
here: the output-size formula, and the window ceil_mode adds. Arrays may be (H, W), (C, H, W) or
(N, C, H, W); results keep the caller's layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tui_upsample.engine.geometry import (
    Span,
    reach,
)
from tui_upsample.engine.parameters import (
    CEIL_MODE,
    DILATION,
    STRIDE,
    WINDOW_PADDING,
    WINDOW_SIZE,
    Operator,
)
from tui_upsample.engine.shapes import (
    pool_output_size,
)
from tui_upsample.engine.steps import (
    INPUT,
    OUTPUT,
    Cell,
    CellByCellTrace,
    Grid,
    Step,
    plane,
)
from tui_upsample.engine.text import (
    Formula,
    axis_label,
    counted,
    formula_axes,
    int_text,
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
    to_batched,
    whole_number,
)

_AXES = ("height", "width")


def _flag(name: str, value: Any) -> bool:
    """A True/False switch (numpy booleans too), never a number passed by mistake."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise fail(name, value, "must be True or False")


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


# --------------------------------------------------------------------------------------------
# The step trace: one window per output cell
# --------------------------------------------------------------------------------------------


class MaxPoolTrace(CellByCellTrace):
    """Max pooling: one step per window, its maximum and where that maximum was."""

    op = "max_pool2d"

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
# The output size, written out
# --------------------------------------------------------------------------------------------


def pool_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None = None
) -> list[Formula]:
    ceil = bool(p.get("ceil_mode", False))
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
        span = f"({fnum(i)} + {fnum(2 * pad)} − {fnum(d * (k - 1))} − 1)/{fnum(s)}"
        line = f"o = {lo}(i + 2p − d(k−1) − 1)/s{hi} + 1 = {lo}{span}{hi} + 1 = {fnum(o)}"
        note = ""
        if ceil and o != -(-(i + 2 * pad - d * (k - 1) - 1) // s) + 1:
            note = "(the last window would start in the padding: dropped)"
        lines.append(axis_label(name, line, note))
    return lines


# --------------------------------------------------------------------------------------------
# ceil_mode adds a window, unless it would start in the right padding
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CeilWindows:
    """The pooling windows along one axis with ceil_mode off and on.

    Windows are (start, stop) in input coordinates — stop exclusive, negative or past the input
    where they reach into padding — covering d·(k−1)+1 cells (with dilation, every d-th is
    read). ``added`` is the window ceil_mode adds (or ``None``); ``dropped`` the window rounding
    up would have added but PyTorch drops because it would start at or after the input's end,
    i.e. in the right padding or beyond (or ``None``).
    """

    floor: tuple[Span, ...]
    ceil: tuple[Span, ...]
    added: Span | None
    dropped: Span | None
    text: str


def ceil_mode_windows(i: int, k: int, s: int, p: int = 0, d: int = 1) -> CeilWindows:
    """Where max pooling's windows sit with ceil_mode False and True (one axis).

    The window count is (i + 2p − d(k−1) − 1)/s + 1 rounded down, or up with ceil_mode. Rounding
    up adds at most one window, hanging past the padded input; PyTorch keeps it only if it
    starts before the input ends (start < i), so that it pools at least one real cell.
    """
    i = whole_number("i", i, 1)
    k = whole_number("k", k, 1)
    s = whole_number("s", s, 1)
    p = whole_number("p", p, 0)
    d = whole_number("d", d, 1)
    if p > k // 2:
        raise fail("p", p, f"must be at most half of kernel_size={k}, rounded down ({k // 2})")
    span = reach(k, d)
    room = i + 2 * p - span
    if room < 0:
        raise fail(
            "k",
            k,
            f"with dilation={d} a window spans {span} cells, but the input has {i} plus padding "
            f"{p} on each side ({i + 2 * p}): no window fits",
        )
    o_floor = pool_output_size(i, k, s, p, d, False)
    o_ceil = pool_output_size(i, k, s, p, d, True)

    def window(j: int) -> Span:
        return (j * s - p, j * s - p + span)

    floor = tuple(window(j) for j in range(o_floor))
    ceil = tuple(window(j) for j in range(o_ceil))
    added = ceil[-1] if o_ceil > o_floor else None
    rounded = -(-room // s) + 1
    dropped = window(rounded - 1) if rounded > o_ceil else None
    frac = f"({i} + 2·{p} − {span - 1} − 1)/{s} = {room}/{s}"

    def cells(w: Span) -> str:
        if w[1] - w[0] == 1:
            return f"cell {int_text(w[0])}"
        return f"cells {int_text(w[0])} to {int_text(w[1] - 1)}"

    if added is not None:
        text = (
            f"ceil_mode rounds {frac} up: it adds a window over {cells(added)}, which starts "
            f"before the input ends (last cell {i - 1}), so PyTorch keeps it: "
            f"{counted(o_floor, 'window')} {'becomes' if o_floor == 1 else 'become'} {o_ceil}"
        )
    elif dropped is not None:
        if dropped[0] < i + p:
            where = "in the right padding"
        else:
            where = "past the input and its padding" if p else "past the input"
        text = (
            f"ceil_mode rounds {frac} up to one more window, over {cells(dropped)}, but it "
            f"would start {where}, so PyTorch drops it: {counted(o_floor, 'window')} either way"
        )
    else:
        text = f"{frac} is whole, so ceil_mode changes nothing: {counted(o_floor, 'window')}"
    return CeilWindows(floor=floor, ceil=ceil, added=added, dropped=dropped, text=text)


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
