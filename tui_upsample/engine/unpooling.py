"""Max unpooling, exact to ``F.max_unpool2d``: each pooled value goes back to the cell its maximum
came from (the indices max pooling remembered); every other cell is 0, or, in the seed's
variant (``fill="max"``), the window's maximum.

Also here: the output-size formula and MaxUnpool2d's strict ``output_size`` bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.parameters import FILL, STRIDE, WINDOW_PADDING, WINDOW_SIZE, Operator
from tui_upsample.engine.pooling import _AXES, max_pool2d
from tui_upsample.engine.shapes import (
    pool_output_size,
    unpool_default_size,
)
from tui_upsample.engine.steps import (
    ARGMAX,
    FILLED,
    INDICES,
    INPUT,
    OUTPUT,
    POOLED,
    READ,
    WINDOW,
    WRITTEN,
    Cell,
    Grid,
    Step,
    Trace,
    plane,
)
from tui_upsample.engine.text import (
    Formula,
    axis_label,
    either,
    formula_axes,
    int_text,
    size_text,
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

# --------------------------------------------------------------------------------------------
# The operator
# --------------------------------------------------------------------------------------------


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

    # One pass finds both kinds of bad index: a negative int64 read as uint64 is above any plane.
    if idx.size and int(idx.reshape(-1).view(np.uint64).max()) >= plane:
        bad = (idx < 0) | (idx >= plane)
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        raise EngineError(
            f"indices{list(at)}={int(idx[at])}: must be between 0 and {count_text(plane - 1)}, "
            f"a flat index into the {count_text(oh)} × {count_text(ow)} output plane"
        )

    # One flat key per pooled value: its plane's offset plus its index, in row-major order.
    planes = n * c
    if planes == 1:
        keys = idx4.reshape(-1)
    else:
        keys = np.empty((planes, h * w), dtype=np.int64)
        np.add(idx4.reshape(planes, h * w), np.arange(0, planes * plane, plane)[:, None], out=keys)
        keys = keys.reshape(-1)
    vals = x4.reshape(-1)
    total = planes * plane
    # Shared indices are rare: found by marking where each index falls (a byte per cell, not a
    # count), which the max fill reads again as the cells some index wrote.
    seen = np.zeros(total, dtype=np.bool_)
    seen[keys] = True
    if np.count_nonzero(seen) != keys.size:
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
        written = seen.reshape(out.shape)
        out = np.where(written, out, np.where(np.isneginf(best), 0.0, best))
    return restore(out)


def _strided_span(i: int, s: int, offset: int, o: int) -> tuple[int, int, int, int] | None:
    """For targets ``t = j·s + offset`` (0 ≤ j < i) inside [0, o): the j range and the t range."""
    j0 = max(0, (-offset + s - 1) // s)
    j1 = min(i, (o - 1 - offset) // s + 1) if o - 1 - offset >= 0 else 0
    if j1 <= j0:
        return None
    return j0, j1, j0 * s + offset, (j1 - 1) * s + offset + 1


# --------------------------------------------------------------------------------------------
# The step trace: one pooled value per step
# --------------------------------------------------------------------------------------------


class MaxUnpoolTrace(Trace):
    """Max unpooling: pool x, then put each pooled value back where its maximum was."""

    op = "max_unpool2d"

    def __init__(
        self,
        x: Any,
        kernel_size: Any = 2,
        stride: Any = None,
        padding: Any = 0,
        fill: str = "zeros",
        output_size: Any = None,
    ) -> None:
        self.input = plane("x", x)
        # return_indices=True: max_pool2d returns (values, indices).
        self.pooled, self.indices = cast(
            "tuple[np.ndarray, np.ndarray]",
            max_pool2d(self.input, kernel_size, stride, padding, return_indices=True),
        )
        # Indices are flat positions in x's plane, so unpool back to x's own size unless told
        # otherwise (the default size is smaller when the windows do not tile x exactly).
        size = self.input.shape if output_size is None else output_size
        self.result = max_unpool2d(
            self.pooled,
            self.indices,
            kernel_size,
            stride,
            padding,
            size,
            # max_unpool2d checks fill itself and refuses anything but "zeros" or "max".
            fill=cast(Literal["zeros", "max"], fill),
        )
        k = positive_pair("kernel_size", kernel_size)
        self.params = {
            "kernel_size": k,
            "stride": k if stride is None else positive_pair("stride", stride),
            "padding": non_negative_pair("padding", padding),
            "fill": fill,
        }
        self._windows = self._window_masks()
        # The rest of each window: filled with its maximum (the seed's variant), or left 0.
        rest = FILLED if fill == "max" else WINDOW
        self.step_roles = (WRITTEN, ARGMAX, READ, rest)

    def _window_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """For each pooled row (col), which output rows (cols) its windows cover."""
        (kh, kw), (sh, sw), (ph, pw) = (
            self.params["kernel_size"],
            self.params["stride"],
            self.params["padding"],
        )
        out_h, out_w = self.result.shape
        hp, wp = self.pooled.shape
        room_for("x", self.input, (hp, out_h), "the window rows of the unpooling")
        room_for("x", self.input, (wp, out_w), "the window columns of the unpooling")
        # With one pooled row (column) its stride is never stepped: 1 keeps int64 from
        # overflowing under a stride of 2**63.
        sh, sw = (sh if hp > 1 else 1), (sw if wp > 1 else 1)
        rows = np.arange(out_h)[None, :] - (np.arange(hp)[:, None] * sh - ph)
        cols = np.arange(out_w)[None, :] - (np.arange(wp)[:, None] * sw - pw)
        return (rows >= 0) & (rows < kh), (cols >= 0) & (cols < kw)

    def _count(self) -> int:
        return int(self.pooled.size)

    def _target(self, i: int, j: int) -> Cell:
        return tuple(int(v) for v in divmod(int(self.indices[i, j]), self.result.shape[1]))

    def _step(self, k: int) -> Step:
        i, j = (int(v) for v in divmod(k, self.pooled.shape[1]))
        target = self._target(i, j)
        value = self.pooled[i, j]
        row_in, col_in = self._windows
        window = np.outer(row_in[i], col_in[j])
        rest = tuple((int(r), int(c)) for r, c in np.argwhere(window) if (r, c) != target)
        filled = self.params["fill"] == "max"
        if filled:
            note = f"the rest of its window is filled with {num(value)} (the seed's variant)"
        else:
            note = "the rest of its window stays 0"
        h, w = self.input.shape
        window_in_x = tuple((int(r), int(c)) for r, c in np.argwhere(window) if r < h and c < w)
        return Step(
            index=k,
            arithmetic=(
                f"pooled[{i},{j}] = {num(value)} goes back to y{cell_text(target)}, where max"
                f" pooling found it (index {int(self.indices[i, j])})"
            ),
            notes=(note,),
            value=float(value),
            partial=self._partial(k),
            output_cells=(target,),
            # put back at the argmax (written) against filled with the maximum (or left 0)
            filled_cells=rest if filled else (),
            window_cells=() if filled else rest,
            input_cells=window_in_x,
            argmax=target,
            pooled_cell=(i, j),
            extra={INDICES: ((i, j),)},
        )

    def _partial(self, k: int) -> np.ndarray:
        """The output after the first k + 1 pooled values have gone back, the others not yet.

        A stepped window's argmax cell holds its value (a later window writing the same cell
        wins, as in PyTorch); its other cells hold 0, or with ``fill="max"`` the largest value
        of the stepped windows covering them. Cells no stepped window covers are not written
        yet (NaN); those no window covers at all are 0, written with the last step.
        """
        hp, wp = self.pooled.shape
        stepped = (np.arange(hp * wp) <= k).reshape(hp, wp)
        values = np.where(stepped, self.pooled, -np.inf)
        row_in, col_in = self._windows
        # The largest stepped value covering each cell: over windows' columns, then their rows.
        by_row = np.where(col_in[None, :, :], values[:, :, None], -np.inf).max(axis=1)
        best = np.where(row_in[:, :, None], by_row[:, None, :], -np.inf).max(axis=0)
        covered = best > -np.inf
        partial = np.full(self.result.shape, np.nan)
        partial[covered] = best[covered] if self.params["fill"] == "max" else 0.0
        if k == hp * wp - 1:
            partial[~covered] = 0.0
        # Put the values back in order, so that the last write to a cell wins.
        keys = self.indices.reshape(-1)[: k + 1][::-1]
        keys, last = np.unique(keys, return_index=True)
        partial.reshape(-1)[keys] = self.pooled.reshape(-1)[: k + 1][::-1][last]
        return partial

    def _grids(self) -> Sequence[Grid]:
        return (
            Grid(INPUT, "x", self.input),
            Grid(POOLED, "max_pool2d(x)", self.pooled),
            Grid(
                INDICES,
                "argmax, remembered",
                self.indices.astype(np.float64),
                note="flat index into one plane of the output",
            ),
            Grid(OUTPUT, f"y = max_unpool2d (fill {self.params['fill']})", self.result),
        )


# --------------------------------------------------------------------------------------------
# The output size, written out
# --------------------------------------------------------------------------------------------


def unpool_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None = None
) -> list[Formula]:
    keys = {k: p.get(k, d) for k, d in (("kernel_size", 1), ("stride", None), ("padding", 0))}
    if keys["stride"] is None:
        keys["stride"] = keys["kernel_size"]
    lines: list[Formula] = []
    for name, n in formula_axes(in_size, None, keys):
        i, k, s, pad = n["i"], n["kernel_size"], n["stride"], n["padding"]
        m = pool_output_size(i, k, s, pad)
        o = unpool_default_size(m, k, s, pad)
        lines.append(
            axis_label(
                name,
                (
                    f"pooled m = ⌊(i + 2p − k)/s⌋ + 1 = "
                    f"⌊({fnum(i)} + {fnum(2 * pad)} − {fnum(k)})/{fnum(s)}⌋ + 1 = {fnum(m)}"
                ),
            )
        )
        lines.append(
            axis_label(
                name,
                (
                    f"unpooled o = (m−1)·s − 2p + k = "
                    f"({fnum(m)}−1)·{fnum(s)} − {fnum(2 * pad)} + {fnum(k)} = {fnum(o)}"
                ),
            )
        )
    return lines


# --------------------------------------------------------------------------------------------
# MaxUnpool2d's output_size bounds are strict
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnpoolBounds:
    """The output sizes MaxUnpool2d accepts along one axis.

    ``default`` is (i−1)·s − 2p + k, what it gives when no output_size is asked for. An
    explicit size must lie *strictly* between ``low_exclusive`` = default − s and
    ``high_exclusive`` = default + s (and be at least 1): ``allowed`` lists them (a tuple, or a
    range when there are more than 64).
    """

    default: int
    low_exclusive: int
    high_exclusive: int
    allowed: Sequence[int]
    text: str


def unpool_size_bounds(
    i: int, kernel_size: int, stride: int | None = None, padding: int = 0
) -> UnpoolBounds:
    """Which output_size MaxUnpool2d takes for a pooled length i (one axis).

    ``stride=None`` means ``kernel_size``, as in PyTorch. PyTorch's error message says the size
    "must be between" the two bounds, which reads as inclusive; the bounds themselves are
    refused.
    """
    i = whole_number("i", i, 1)
    k = whole_number("kernel_size", kernel_size, 1)
    s = k if stride is None else whole_number("stride", stride, 1)
    p = whole_number("padding", padding, 0)
    default = unpool_default_size(i, k, s, p)
    low, high = default - s, default + s
    sizes = range(max(low + 1, 1), high)
    # A stride of 10**8 allows 2·10**8 − 1 sizes: kept as a range, spoken of as one.
    allowed: Sequence[int] = tuple(sizes) if len(sizes) <= 64 else sizes
    head = (
        f"default {int_text(default)}; output_size must be strictly between {int_text(low)}"
        f" and {high}"
    )
    if not allowed:
        text = f"{head}, and at least 1: no size is left"
    else:
        if len(allowed) > 6:
            listed = f"{allowed[0]}, {allowed[1]}, … or {allowed[-1]} ({len(allowed)} sizes)"
        else:
            listed = either([str(v) for v in allowed])
        if len(allowed) == 1:
            listed = f"only {listed}"
        text = f"{head}: {listed} — the bounds themselves are refused"
    return UnpoolBounds(default, low, high, allowed, text)


def unpool_output_size_note(
    x: Any, kernel_size: int, stride: int | None = None, padding: int = 0
) -> str:
    """What MaxUnpool2d takes as ``output_size`` after pooling ``x``: per axis the strict bounds
    around the default size of the *pooled* map, and that every remembered index must fit."""
    k = whole_number("kernel_size", kernel_size, 1)
    s = k if stride is None else whole_number("stride", stride, 1)
    p = whole_number("padding", padding, 0)
    pooled, indices = cast(
        "tuple[np.ndarray, np.ndarray]", max_pool2d(x, k, s, p, return_indices=True)
    )
    rows = unpool_size_bounds(pooled.shape[-2], k, s, p)
    cols = unpool_size_bounds(pooled.shape[-1], k, s, p)
    text = f"pooled {size_text(pooled.shape)}, rows: {rows.text}"
    if cols.text != rows.text:
        text += f"; columns: {cols.text}"
    largest = int(indices.max())
    return (
        f"{text}; and every remembered index must fit the chosen size: the largest is"
        f" {largest}, so output_size needs more than {largest} cells"
    )


# --------------------------------------------------------------------------------------------
# The operator table's entry
# --------------------------------------------------------------------------------------------


MAX_UNPOOL2D = Operator(
    name="max_unpool2d",
    words="max unpooling",
    story=(
        "Unpooling reverses max pooling: each pooled value goes back to where its maximum was; "
        "the rest is 0 (the post fills it with the maximum: fill=max). It has no weights: "
        "“unlearnable upsampling”."
    ),
    pytorch="F.max_unpool2d",
    function=max_unpool2d,
    trace=MaxUnpoolTrace,
    formula=unpool_formula,
    parameters=(WINDOW_SIZE, STRIDE, WINDOW_PADDING, FILL),
    step="a pooled value put back at its remembered argmax",
    aliases=("unpool", "maxunpool"),
    planewise=True,
)
