"""Fixed (unlearned) upsampling by copying: nearest (and nearest-exact) and bed of nails, with
their step traces; bilinear, which blends, has a room of its own (:mod:`.bilinear`).

``upsample_nearest`` and ``upsample_bilinear`` are ``F.interpolate`` with ``mode="nearest"`` (or
``"nearest-exact"``) and ``mode="bilinear"`` (``recompute_scale_factor=None``); the per-axis
helpers ``nearest_sources`` and ``bilinear_sources`` give the source cells (and weights) of
every output row or column, for the step-through view. Arrays may be (H, W), (C, H, W) or
(N, C, H, W); results keep the caller's layout.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.parameters import FLAG, SCALE, Operator, Parameter
from tui_upsample.engine.steps import (
    INPUT,
    OUTPUT,
    CellByCellTrace,
    Grid,
    Step,
    Trace,
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
    _show,
    as_grid,
    fail,
    positive_int,
    positive_pair,
    positive_scale,
    room_for,
    switch,
    to_batched,
)

# --------------------------------------------------------------------------------------------
# The operators
# --------------------------------------------------------------------------------------------


_AXES = ("height", "width")


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
    in_size: int,
    out_size: int,
    scale: float | None = None,
    *,
    fast_path: bool = True,
    clamp: bool = True,
    shortcuts: bool = True,
    exact: bool = False,
    float32: bool = False,
) -> np.ndarray:
    """The input index each output index copies along one axis, as PyTorch's ``nearest``.

    src = min(⌊dst · r⌋, in − 1), with r = 1 / ``scale`` when a scale factor was given (``scale``
    is the caller's ``scale_factor`` for this axis, output per input, as PyTorch receives it) and
    r = in / out otherwise. ``fast_path`` selects PyTorch's kernel (see
    :func:`nearest_fast_path`): True computes r and the product in float32 and copies straight
    through when out == in or halves when out == 2·in; False computes them in float64 and rounds
    the product to float32 before the floor. ``clamp=False`` leaves out the final min(…, in − 1)
    and ``shortcuts=False`` the two special cases (to show what the general rule would give).

    ``exact=True`` is ``mode="nearest-exact"``: src = min(⌊(dst + 0.5) · r⌋, in − 1), the
    half-pixel centre, with no special cases. ``float32=True`` follows PyTorch's kernel for a
    float32 input, whose large-output path keeps r and the product in float32 too.
    """
    i = _check_length("in_size", in_size)
    o = _check_length("out_size", out_size)
    sf = _scale_value(scale)
    if not isinstance(fast_path, (bool, np.bool_)):
        raise fail("fast_path", fast_path, "must be True or False")
    dst = np.arange(o)
    if fast_path and shortcuts and not exact:
        if o == i:
            return dst
        if o == 2 * i:
            return dst >> 1
    if fast_path or float32:
        # A ratio above in sends every dst ≥ 1 to the last cell anyway; capping it keeps an
        # inconsistent (in, out, scale) from overflowing float32.
        if sf is not None:
            ratio = np.float32(min(1.0 / sf, i))
        else:
            ratio = np.float32(i) / np.float32(o)
        if exact:
            # (dst + 0.5) · r in double, rounded to float32 before the floor (floorf)
            src = np.floor(((dst + 0.5) * np.float64(ratio)).astype(np.float32))
        else:
            src = np.floor(dst.astype(np.float32) * ratio)
    elif exact:
        ratio64 = min(1.0 / sf if sf is not None else i / o, float(i))
        src = np.floor(((dst + 0.5) * ratio64).astype(np.float32))
    else:
        ratio64 = min(1.0 / sf if sf is not None else i / o, float(i))
        src = np.floor((dst * ratio64).astype(np.float32))
    return np.minimum(src.astype(np.int64), i - 1) if clamp else src.astype(np.int64)


@functools.lru_cache(maxsize=32)
def _cached_nearest(
    i: int, o: int, sf: float | None, fast_path: bool, exact: bool, float32: bool
) -> np.ndarray:
    """:func:`nearest_sources` for :func:`upsample_nearest`, read-only and kept for the next
    call: every step and edit of a scene asks for the same axes again, and computing them cost
    as much as copying a 64×64 plane."""
    src = nearest_sources(i, o, sf, fast_path=fast_path, exact=exact, float32=float32)
    src.setflags(write=False)
    return src


def upsample_nearest(
    x: Any, size: Any = None, scale_factor: Any = None, exact: bool = False
) -> np.ndarray:
    """Each output cell copies its nearest-source input cell, as ``F.interpolate(mode="nearest")``
    or, with ``exact=True``, ``mode="nearest-exact"``.

    Give exactly one of ``size`` (``(H, W)`` or an int) and ``scale_factor`` (a number or a pair);
    with a scale factor the output is ⌊in · scale_factor⌋ and the sources use that factor, not
    the rounded ratio (``recompute_scale_factor=None``). "nearest" takes src = ⌊dst · r⌋, which
    shifts the picture by half a cell; "nearest-exact" takes the cell under the output cell's
    centre, src = ⌊(dst + 0.5) · r⌋ (r = 1 / scale_factor, or in / out). See
    :func:`nearest_sources`. A float32 ``x`` picks its sources with PyTorch's float32 index
    arithmetic; the result always comes back as float64. With ``exact=True`` on a float32 input
    and a large output (over 128 rows plus columns), a cell whose source position lands within
    float32 rounding of a cell boundary may differ from PyTorch's float32 kernel.
    """
    exact = switch("exact", exact)
    float32 = getattr(x, "dtype", None) == np.float32
    arr = as_grid("x", x)
    x4, restore = to_batched(arr)
    in_hw = (x4.shape[2], x4.shape[3])
    (oh, ow), sf = _output_size(in_hw, size, scale_factor)
    room_for(*_size_arg(size, scale_factor), x4.shape[:2] + (oh, ow))
    fast = nearest_fast_path(oh, ow)
    rows = _cached_nearest(in_hw[0], oh, sf[0], fast, exact, float32)
    cols = _cached_nearest(in_hw[1], ow, sf[1], fast, exact, float32)
    # Columns first, on the smaller array; then whole rows, which copy contiguously. When x
    # shrinks in height but grows in width that middle array would outgrow both x and the
    # output, so rows go first there (a copy either way: the result is the same).
    if in_hw[0] * ow > oh * in_hw[1]:
        return restore(np.take(np.take(x4, rows, axis=2), cols, axis=3))
    return restore(np.take(np.take(x4, cols, axis=3), rows, axis=2))


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


# --------------------------------------------------------------------------------------------
# The step traces: one output cell (bed of nails: one input value) per step
# --------------------------------------------------------------------------------------------


def _scale_params(size: Any, scale_factor: Any) -> dict[str, Any]:
    return {"size": size, "scale_factor": scale_factor}


class NearestTrace(CellByCellTrace):
    """Nearest upsampling: each output cell copies the input cell its position falls in."""

    op = "upsample_nearest"

    def __init__(
        self, x: Any, size: Any = None, scale_factor: Any = None, exact: bool = False
    ) -> None:
        self.input = plane("x", x)
        self.result = upsample_nearest(
            self.input, size=size, scale_factor=scale_factor, exact=exact
        )
        self.params = {**_scale_params(size, scale_factor), "exact": bool(exact)}
        (h, w), (oh, ow) = self.input.shape, self.result.shape
        row_sf, col_sf = _axis_scale(scale_factor, 0), _axis_scale(scale_factor, 1)
        fast = nearest_fast_path(oh, ow)
        self.rows = nearest_sources(h, oh, row_sf, fast_path=fast, exact=exact)
        self.cols = nearest_sources(w, ow, col_sf, fast_path=fast, exact=exact)
        # The other rule's sources, so a step can show the half-pixel shift between the two.
        self.other_rows = nearest_sources(h, oh, row_sf, fast_path=fast, exact=not exact)
        self.other_cols = nearest_sources(w, ow, col_sf, fast_path=fast, exact=not exact)
        # input cells per output cell, as PyTorch reads the scale: 1/scale_factor, or in/out
        self.row_scale = 1.0 / row_sf if row_sf is not None else h / oh
        self.col_scale = 1.0 / col_sf if col_sf is not None else w / ow
        self.fast_path = nearest_fast_path(oh, ow)
        # ⌊dst · r⌋ before the min(…, in − 1), to show the clamp where it happens
        fast = self.fast_path
        general = dict(fast_path=fast, clamp=False, shortcuts=False, exact=exact)
        self.raw_rows = nearest_sources(h, oh, row_sf, **general)
        self.raw_cols = nearest_sources(w, ow, col_sf, **general)

    def _step(self, k: int) -> Step:
        oi, oj = self._output_cell(k)
        src = (int(self.rows[oi]), int(self.cols[oj]))
        (h, w), (oh, ow) = self.input.shape, self.result.shape
        fast = self.fast_path
        exact = self.params["exact"]
        row = _nearest_rule(oi, h, oh, self.row_scale, int(self.raw_rows[oi]), src[0], fast, exact)
        col = _nearest_rule(oj, w, ow, self.col_scale, int(self.raw_cols[oj]), src[1], fast, exact)
        other = (int(self.other_rows[oi]), int(self.other_cols[oj]))
        rule_name = "nearest" if exact else "nearest-exact"
        same = " too" if other == src else f" = {num(self.input[other])}"
        notes = (f"{rule_name} would copy x{cell_text(other)}{same}",)
        return Step(
            index=k,
            arithmetic=f"y[{oi},{oj}] = x{cell_text(src)} = {num(self.input[src])}",
            rule=f"row {row}, col {col}",
            notes=notes,
            value=float(self.input[src]),
            partial=self._partial(k),
            output_cells=((oi, oj),),
            input_cells=(src,),
        )

    def _grids(self) -> Sequence[Grid]:
        mode = "nearest-exact" if self.params["exact"] else "nearest"
        return (Grid(INPUT, "x", self.input), Grid(OUTPUT, f"y = {mode}(x)", self.result))


def _axis_scale(scale_factor: Any, axis: int) -> float | None:
    if scale_factor is None:
        return None
    if isinstance(scale_factor, (tuple, list)):
        return float(scale_factor[axis])
    return float(scale_factor)


def _nearest_rule(
    dst: int, n_in: int, n_out: int, scale: float, raw: int, src: int, fast: bool, exact: bool
) -> str:
    """How output index ``dst`` found its source ``src`` (``raw`` before the clamp) along one
    axis, as PyTorch's kernel did it."""
    # PyTorch's small-output kernel copies straight through at the same size and halves at twice
    # the size; say so where the general rule would have picked another cell.
    if exact:
        text = f"⌊({dst} + 0.5)·{num(scale)}⌋ = {raw}"
        return text if raw == src else f"min({text}, {n_in - 1}) = {src}"
    if fast and n_out == n_in and min(raw, n_in - 1) != src:
        return f"{dst} — the same size, copied straight"
    if fast and n_out == 2 * n_in and min(raw, n_in - 1) != src:
        return f"⌊{dst}/2⌋ = {src} — twice the size"
    text = f"⌊{dst}·{num(scale)}⌋ = {raw}"
    return text if raw == src else f"min({text}, {n_in - 1}) = {src}"


class BedOfNailsTrace(Trace):
    """Bed of nails: each input value at the top-left of its s×s block, zeros elsewhere."""

    op = "bed_of_nails"

    def __init__(self, x: Any, scale_factor: Any = 2) -> None:
        self.input = plane("x", x)
        self.result = bed_of_nails(self.input, scale_factor)
        self.params = {"scale_factor": positive_pair("scale_factor", scale_factor)}

    def _count(self) -> int:
        return int(self.input.size)

    def _step(self, k: int) -> Step:
        sh, sw = self.params["scale_factor"]
        i, j = (int(v) for v in divmod(k, self.input.shape[1]))
        partial = np.full(self.result.shape, np.nan)
        # every block of the rows above, then this row's blocks up to this one
        partial[: i * sh] = self.result[: i * sh]
        partial[i * sh : (i + 1) * sh, : (j + 1) * sw] = self.result[
            i * sh : (i + 1) * sh, : (j + 1) * sw
        ]
        block = tuple((i * sh + a, j * sw + b) for a in range(sh) for b in range(sw))
        return Step(
            index=k,
            arithmetic=f"y[{i * sh},{j * sw}] = x[{i},{j}] = {num(self.input[i, j])}",
            notes=(f"the other {sh * sw - 1} cells of its {sh}×{sw} block are 0",),
            value=float(self.input[i, j]),
            partial=partial,
            output_cells=block,
            input_cells=((i, j),),
        )

    def _grids(self) -> Sequence[Grid]:
        return (Grid(INPUT, "x", self.input), Grid(OUTPUT, "y = bed of nails(x)", self.result))


# --------------------------------------------------------------------------------------------
# The output size, written out
# --------------------------------------------------------------------------------------------


def interpolate_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None = None
) -> list[Formula]:
    if p.get("size") is not None:
        return [axis_label("", f"o = size = {p['size']}")]
    keys = {"scale_factor": p.get("scale_factor", 1)}
    lines: list[Formula] = []
    for name, n in formula_axes(in_size, None, keys):
        i, f = n["i"], n["scale_factor"]
        o = math.floor(i * f)
        lines.append(axis_label(name, f"o = ⌊i·f⌋ = ⌊{fnum(i)}·{fnum(f)}⌋ = {fnum(o)}"))
    return lines


def nails_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None = None
) -> list[Formula]:
    keys = {"scale_factor": p.get("scale_factor", 1)}
    lines: list[Formula] = []
    for name, n in formula_axes(in_size, None, keys):
        i, f = n["i"], n["scale_factor"]
        lines.append(axis_label(name, f"o = i·f = {fnum(i)}·{fnum(f)} = {fnum(i * f)}"))
    return lines


# --------------------------------------------------------------------------------------------
# The operator table's entry
# --------------------------------------------------------------------------------------------


def _interpolated_shape(in_shape: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
    """⌊in · scale_factor⌋ per axis, or ``size``, without interpolating."""
    (oh, ow), _ = _output_size(
        (in_shape[-2], in_shape[-1]), params.get("size"), params.get("scale_factor")
    )
    return (*in_shape[:-2], oh, ow)


def _nails_shape(in_shape: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
    sh, sw = positive_pair("scale_factor", params.get("scale_factor", 2))
    return (*in_shape[:-2], in_shape[-2] * sh, in_shape[-1] * sw)


EXACT = Parameter(
    "exact",
    "nearest-exact",
    kind=FLAG,
    flag="--nearest-exact",
    rule='True for mode="nearest-exact": the cell under each output cell\'s centre',
)

UPSAMPLE_NEAREST = Operator(
    name="upsample_nearest",
    words="nearest-neighbour upsampling",
    story=(
        "Upsampling is the umbrella term: nearest copies each value into a block. No weights, "
        "nothing to learn."
    ),
    pytorch='F.interpolate(mode="nearest")',
    function=upsample_nearest,
    trace=NearestTrace,
    formula=interpolate_formula,
    parameters=(SCALE, EXACT),
    step="an output cell and the input cell it copies (and the one the other rule would)",
    aliases=("nearest",),
    grows_with="the scale (--scale)",
    shape=_interpolated_shape,
    planewise=True,
)

BED_OF_NAILS = Operator(
    name="bed_of_nails",
    words="bed-of-nails upsampling",
    story=(
        "Bed of nails puts each value at the corner of its block and zeros elsewhere, as "
        "unpooling does without a remembered position. Nothing to learn."
    ),
    pytorch="(CS231n)",
    function=bed_of_nails,
    trace=BedOfNailsTrace,
    formula=nails_formula,
    parameters=(SCALE,),
    step="an input value at the top-left of its s×s block, zeros elsewhere",
    aliases=("nails",),
    grows_with="the scale (--scale)",
    shape=_nails_shape,
    planewise=True,
)
