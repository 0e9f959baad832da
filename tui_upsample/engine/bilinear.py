"""Bilinear upsampling, exact to ``F.interpolate(mode="bilinear")`` (``align_corners`` either way):
each output cell blends the four input cells around its source position, and its step shows
PyTorch's source coordinate, the clamp, the four weights and the sum.

Arrays may be (H, W), (C, H, W) or (N, C, H, W); results keep the caller's layout.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from tui_upsample.engine.parameters import ALIGN_CORNERS, SCALE, Operator
from tui_upsample.engine.steps import INPUT, OUTPUT, Cell, CellByCellTrace, Grid, Step, plane
from tui_upsample.engine.text import dot_text
from tui_upsample.engine.text import format_number as num
from tui_upsample.engine.upsampling import (
    _axis_scale,
    _check_length,
    _interpolated_shape,
    _output_size,
    _scale_params,
    _scale_value,
    _size_arg,
    interpolate_formula,
)
from tui_upsample.engine.validation import as_grid, fail, room_for, to_batched

# Work through planes in blocks of about this many output bytes (see upsample_bilinear).
_CHUNK_BYTES = 1 << 18


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
    i0, i1, w0, w1 = _sources(i, o, sf, bool(align_corners))
    return i0.copy(), i1.copy(), w0.copy(), w1.copy()


def _sources(
    i: int, o: int, sf: float | None, align_corners: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`bilinear_sources` on checked arguments, read-only; kept for the next call while
    the axis is a screen's size (every step and edit asks again)."""
    if o <= _CACHED_LENGTH:
        return _cached_sources(i, o, sf, align_corners)
    return _computed_sources(i, o, sf, align_corners)


_CACHED_LENGTH = 4096


def _computed_sources(
    i: int, o: int, sf: float | None, align_corners: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    dst = np.arange(o, dtype=np.float64)
    if o == i:
        idx = np.arange(o)
        return _frozen(idx, idx.copy(), np.ones(o), np.zeros(o))
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
    return _frozen(i0, i1, 1.0 - w1, w1)


_cached_sources = functools.lru_cache(maxsize=32)(_computed_sources)


def _frozen(
    i0: np.ndarray, i1: np.ndarray, w0: np.ndarray, w1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    for a in (i0, i1, w0, w1):
        a.setflags(write=False)
    return i0, i1, w0, w1


def upsample_bilinear(
    x: Any, size: Any = None, scale_factor: Any = None, align_corners: bool = False
) -> np.ndarray:
    """Each output cell blends its four nearest input cells, as ``F.interpolate(mode="bilinear")``.

    Give exactly one of ``size`` and ``scale_factor``; see :func:`bilinear_sources` for where each
    output cell reads and with what weights. Columns are blended first, then rows. The result is
    float64 and agrees with PyTorch's to about 1e-15 relative, not always to the last bit:
    PyTorch's CPU kernel rounds its source positions and blends with fused multiply-adds in an
    order of its own (``[[0.18905338179353307, -0.5227484414807474]]`` to size (1, 3) gives
    −0.16684752984360718 here, −0.16684752984360712 there).
    """
    arr = as_grid("x", x)
    if not isinstance(align_corners, (bool, np.bool_)):
        raise fail("align_corners", align_corners, "must be True or False")
    x4, restore = to_batched(arr)
    in_hw = (x4.shape[2], x4.shape[3])
    (oh, ow), sf = _output_size(in_hw, size, scale_factor)
    room_for(*_size_arg(size, scale_factor), x4.shape[:2] + (oh, ow))
    # The sizes and scales are checked already (room_for above covers each axis's length).
    r0, r1, rw0, rw1 = _sources(in_hw[0], oh, sf[0], bool(align_corners))
    c0, c1, cw0, cw1 = _sources(in_hw[1], ow, sf[1], bool(align_corners))
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


# --------------------------------------------------------------------------------------------
# The step trace: one output cell per step
# --------------------------------------------------------------------------------------------


class BilinearTrace(CellByCellTrace):
    """Bilinear upsampling: each output cell mixes the four input cells around its position."""

    op = "upsample_bilinear"

    def __init__(
        self, x: Any, size: Any = None, scale_factor: Any = None, align_corners: bool = False
    ) -> None:
        self.input = plane("x", x)
        self.result = upsample_bilinear(
            self.input, size=size, scale_factor=scale_factor, align_corners=align_corners
        )
        self.params = {**_scale_params(size, scale_factor), "align_corners": bool(align_corners)}
        (h, w), (oh, ow) = self.input.shape, self.result.shape
        self.rows = bilinear_sources(h, oh, _axis_scale(scale_factor, 0), align_corners)
        self.cols = bilinear_sources(w, ow, _axis_scale(scale_factor, 1), align_corners)

    def _step(self, k: int) -> Step:
        oi, oj = self._output_cell(k)
        r0, r1, wr0, wr1 = (v[oi] for v in self.rows)
        c0, c1, wc0, wc1 = (v[oj] for v in self.cols)
        # The same cell twice (at a border) is one source with the summed weight.
        weights: dict[Cell, float] = {}
        for r, wr in ((int(r0), wr0), (int(r1), wr1)):
            for c, wc in ((int(c0), wc0), (int(c1), wc1)):
                if wr * wc:
                    weights[(r, c)] = weights.get((r, c), 0.0) + float(wr * wc)
        cells = tuple(weights)
        terms = [(weights[c], self.input[c]) for c in cells]
        (h, w), (oh, ow) = self.input.shape, self.result.shape
        corners = self.params["align_corners"]
        row = _bilinear_rule(oi, h, oh, _axis_scale(self.params["scale_factor"], 0), corners)
        col = _bilinear_rule(oj, w, ow, _axis_scale(self.params["scale_factor"], 1), corners)
        return Step(
            index=k,
            arithmetic=dot_text(f"y[{oi},{oj}]", terms, self.result[oi, oj]),
            rule=f"source row {row}, col {col}",
            value=float(self.result[oi, oj]),
            terms=tuple((float(a), float(b)) for a, b in terms),
            partial=self._partial(k),
            output_cells=((oi, oj),),
            input_cells=cells,
            weights=tuple(weights[c] for c in cells),
        )

    def _grids(self) -> Sequence[Grid]:
        corners = "align_corners=True" if self.params["align_corners"] else "align_corners=False"
        return (
            Grid(INPUT, "x", self.input),
            Grid(OUTPUT, f"y = bilinear(x), {corners}", self.result),
        )


def _bilinear_rule(dst: int, n_in: int, n_out: int, scale: float | None, corners: bool) -> str:
    """PyTorch's source coordinate of output index ``dst`` along one axis, then its clamp."""
    if n_out == n_in:
        return f"{dst} — the same size, copied straight"
    if corners:
        if n_out == 1:
            return "0 (one output cell: the first)"
        return f"{dst}·({n_in}−1)/({n_out}−1) = {num(dst * (n_in - 1) / (n_out - 1))}"
    ratio = min(1.0 / scale if scale is not None else n_in / n_out, 2.0 * n_in)
    raw = (dst + 0.5) * ratio - 0.5
    text = f"({dst} + 0.5)·{num(ratio)} − 0.5 = {num(raw)}"
    return f"{text} → 0" if raw < 0 else text


# --------------------------------------------------------------------------------------------
# The operator table's entry
# --------------------------------------------------------------------------------------------


UPSAMPLE_BILINEAR = Operator(
    name="upsample_bilinear",
    words="bilinear upsampling",
    story=(
        "Bilinear upsampling mixes the four nearest input cells by distance: smooth, fixed, "
        "nothing to learn."
    ),
    pytorch='F.interpolate(mode="bilinear")',
    function=upsample_bilinear,
    trace=BilinearTrace,
    formula=interpolate_formula,
    parameters=(SCALE, ALIGN_CORNERS),
    step="an output cell, its four sources and their weights",
    aliases=("bilinear",),
    grows_with="the scale (--scale)",
    shape=_interpolated_shape,
    planewise=True,
)
