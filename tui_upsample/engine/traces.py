"""Step-by-step traces of every operator: what the step-through view shows, computed by the engine.

``trace(op, x, **params)`` returns a :class:`~tui_upsample.engine.steps.Trace`: the operator's
result and the grids it involves are computed once, each step only when it is asked for. A trace
works on one plane (a 2-D ``x``; ``pixel_shuffle`` takes the ``(r², H, W)`` channels of one image).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, cast

import numpy as np

from tui_upsample.engine.convolution import (
    ConvMatrix,
    conv2d,
    conv_transpose2d,
    im2col,
    padding_blame,
)
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.geometry import (
    ConvGeometry,
    TransposedGeometry,
    conv_geometry,
    transposed_geometry,
)
from tui_upsample.engine.numbers import format_cell as cell_text
from tui_upsample.engine.numbers import format_factor as factor
from tui_upsample.engine.numbers import format_number as num
from tui_upsample.engine.pooling import max_pool2d, max_unpool2d
from tui_upsample.engine.resampling import (
    bed_of_nails,
    bilinear_sources,
    nearest_fast_path,
    nearest_sources,
    pixel_shuffle,
    upsample_bilinear,
    upsample_nearest,
)
from tui_upsample.engine.steps import (
    IM2COL,
    INPUT,
    KERNEL,
    KERNEL_VECTOR,
    MATRIX,
    OUTPUT,
    PADDED,
    POOLED,
    ROTATED_KERNEL,
    SCALED_KERNEL,
    Cell,
    Grid,
    Step,
    Trace,
)
from tui_upsample.engine.validation import (
    as_grid,
    fail,
    non_negative_pair,
    pair,
    positive_pair,
    room_for,
)

OPERATORS: tuple[str, ...] = (
    "max_pool2d",
    "max_unpool2d",
    "upsample_nearest",
    "bed_of_nails",
    "upsample_bilinear",
    "conv2d",
    "conv_transpose2d",
    "pixel_shuffle",
)
"""Every operator a trace can follow, in the order the app cycles through them."""

METHODS: Mapping[str, tuple[str, ...]] = {
    "conv2d": ("im2col",),
    "conv_transpose2d": ("scatter", "matrix", "direct", "all"),
}
"""The ways of computing an operator that a trace can follow, the default first. "all" steps a
transposed convolution through its three faces at once (:mod:`tui_upsample.engine.faces`)."""

INDICES = "indices"  # max_unpool2d: the argmax positions remembered by the pooling


def _plane(name: str, value: Any) -> np.ndarray:
    arr = as_grid(name, value)
    if arr.ndim != 2:
        raise EngineError(f"{name} has shape {arr.shape}: a trace follows one 2-D plane (H, W)")
    return arr


def _kernel(value: Any) -> np.ndarray:
    if value is None:
        raise EngineError("weight=None: a convolution needs a 2-D kernel")
    return _plane("weight", value)


def _padding_param(padding: Any) -> Any:
    return padding if isinstance(padding, str) else non_negative_pair("padding", padding)


def _written_before(result: np.ndarray, k: int) -> np.ndarray:
    """The result with every cell after flat position ``k`` not yet written (NaN)."""
    partial = np.array(result, dtype=np.float64, copy=True)
    partial.reshape(-1)[k + 1 :] = np.nan
    return partial


def _dot_text(target: str, pairs: Sequence[tuple[float, float]], value: float) -> str:
    terms = " + ".join(f"{factor(a)}·{factor(b)}" for a, b in pairs) if pairs else "0"
    return f"{target} = {terms} = {num(value)}"


def _span(start: int, count: int, step: int) -> str:
    """Python slice notation for ``count`` indices from ``start`` every ``step``."""
    stop = start + (count - 1) * step + 1
    return f"{start}:{stop}" if step == 1 else f"{start}:{stop}:{step}"


def _inline(matrix: np.ndarray) -> str:
    rows = ("[" + ",".join(num(v) for v in row) + "]" for row in matrix)
    return "[" + ",".join(rows) + "]"


class _CellByCellTrace(Trace):
    """A trace whose step k writes output cell k in row-major order."""

    def _count(self) -> int:
        return int(self.result.size)

    def _partial(self, k: int) -> np.ndarray:
        return _written_before(self.result, k)

    def _output_cell(self, k: int) -> Cell:
        return tuple(int(i) for i in np.unravel_index(k, self.result.shape))


# Pooling ------------------------------------------------------------------------------------


class MaxPoolTrace(_CellByCellTrace):
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
        self.input = _plane("x", x)
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
        text = (
            f"y[{oi},{oj}] = max({', '.join(num(v) for v in values)}) = {num(best)},"
            f" found at x{cell_text(argmax)}"
        )
        if sum(v == best for v in values) > 1:
            text += "; a tie goes to the first in reading order"
        if len(cells) < taps:
            text += f"; {taps - len(cells)} taps fall on padding (−∞)"
        return Step(
            index=k,
            text=text,
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
        self.input = _plane("x", x)
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
        written = np.zeros(self.result.shape, dtype=bool)
        written.reshape(-1)[self.indices.reshape(-1)[: k + 1]] = True
        window = np.outer(row_in[i], col_in[j])
        if self.params["fill"] == "max":
            # whole pooled rows above this one, then this row up to and including this window
            done_rows = row_in[:i].any(axis=0)
            written |= np.outer(done_rows, col_in.any(axis=0))
            written |= np.outer(row_in[i], col_in[: j + 1].any(axis=0))
            rest = f"the rest of its window is filled with {num(value)} (the seed's variant)"
            cells: tuple[Cell, ...] = tuple((int(r), int(c)) for r, c in np.argwhere(window))
        else:
            rest = "the rest of its window stays 0"
            cells = (target,)
        partial = np.where(written, self.result, 0.0)
        h, w = self.input.shape
        window_in_x = tuple((int(r), int(c)) for r, c in np.argwhere(window) if r < h and c < w)
        return Step(
            index=k,
            text=(
                f"pooled[{i},{j}] = {num(value)} goes back to y{cell_text(target)}, where max"
                f" pooling found it (index {int(self.indices[i, j])}); {rest}"
            ),
            partial=partial,
            output_cells=cells,
            input_cells=window_in_x,
            argmax=target,
            pooled_cell=(i, j),
            extra={INDICES: ((i, j),)},
        )

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


# Resampling ---------------------------------------------------------------------------------


def _scale_params(size: Any, scale_factor: Any) -> dict[str, Any]:
    return {"size": size, "scale_factor": scale_factor}


class NearestTrace(_CellByCellTrace):
    """Nearest upsampling: each output cell copies the input cell its position falls in."""

    op = "upsample_nearest"

    def __init__(self, x: Any, size: Any = None, scale_factor: Any = None) -> None:
        self.input = _plane("x", x)
        self.result = upsample_nearest(self.input, size=size, scale_factor=scale_factor)
        self.params = _scale_params(size, scale_factor)
        (h, w), (oh, ow) = self.input.shape, self.result.shape
        row_sf, col_sf = _axis_scale(scale_factor, 0), _axis_scale(scale_factor, 1)
        self.rows = nearest_sources(h, oh, row_sf, fast_path=nearest_fast_path(oh, ow))
        self.cols = nearest_sources(w, ow, col_sf, fast_path=nearest_fast_path(oh, ow))
        # input cells per output cell, as PyTorch reads the scale: 1/scale_factor, or in/out
        self.row_scale = 1.0 / row_sf if row_sf is not None else h / oh
        self.col_scale = 1.0 / col_sf if col_sf is not None else w / ow

    def _step(self, k: int) -> Step:
        oi, oj = self._output_cell(k)
        src = (int(self.rows[oi]), int(self.cols[oj]))
        return Step(
            index=k,
            text=(
                f"y[{oi},{oj}] = x{cell_text(src)} = {num(self.input[src])}"
                f"   (row {_nearest_rule(oi, self.row_scale, src[0])},"
                f" col {_nearest_rule(oj, self.col_scale, src[1])})"
            ),
            partial=self._partial(k),
            output_cells=((oi, oj),),
            input_cells=(src,),
        )

    def _grids(self) -> Sequence[Grid]:
        return (Grid(INPUT, "x", self.input), Grid(OUTPUT, "y = nearest(x)", self.result))


def _axis_scale(scale_factor: Any, axis: int) -> float | None:
    if scale_factor is None:
        return None
    if isinstance(scale_factor, (tuple, list)):
        return float(scale_factor[axis])
    return float(scale_factor)


def _nearest_rule(dst: int, scale: float, src: int) -> str:
    raw = int(np.floor(dst * scale))
    text = f"⌊{dst}·{num(scale)}⌋ = {raw}"
    return text if raw == src else f"min({text}, {src})"


class BilinearTrace(_CellByCellTrace):
    """Bilinear upsampling: each output cell mixes the four input cells around its position."""

    op = "upsample_bilinear"

    def __init__(
        self, x: Any, size: Any = None, scale_factor: Any = None, align_corners: bool = False
    ) -> None:
        self.input = _plane("x", x)
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
        src_r = float(r0) + float(wr1)
        src_c = float(c0) + float(wc1)
        text = _dot_text(f"y[{oi},{oj}]", terms, self.result[oi, oj])
        text += f"   (source row {num(src_r)}, col {num(src_c)})"
        return Step(
            index=k,
            text=text,
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


class BedOfNailsTrace(Trace):
    """Bed of nails: each input value at the top-left of its s×s block, zeros elsewhere."""

    op = "bed_of_nails"

    def __init__(self, x: Any, scale_factor: Any = 2) -> None:
        self.input = _plane("x", x)
        self.result = bed_of_nails(self.input, scale_factor)
        self.params = {"scale_factor": positive_pair("scale_factor", scale_factor)}

    def _count(self) -> int:
        return int(self.input.size)

    def _step(self, k: int) -> Step:
        sh, sw = self.params["scale_factor"]
        i, j = (int(v) for v in divmod(k, self.input.shape[1]))
        partial = np.full(self.result.shape, np.nan)
        w = self.input.shape[1]
        # every block of the rows above, then this row's blocks up to this one
        partial[: i * sh] = self.result[: i * sh]
        partial[i * sh : (i + 1) * sh, : (j + 1) * sw] = self.result[
            i * sh : (i + 1) * sh, : (j + 1) * sw
        ]
        del w
        block = tuple((i * sh + a, j * sw + b) for a in range(sh) for b in range(sw))
        return Step(
            index=k,
            text=(
                f"y[{i * sh},{j * sw}] = x[{i},{j}] = {num(self.input[i, j])}; the other"
                f" {sh * sw - 1} cells of its {sh}×{sw} block are 0"
            ),
            partial=partial,
            output_cells=block,
            input_cells=((i, j),),
        )

    def _grids(self) -> Sequence[Grid]:
        return (Grid(INPUT, "x", self.input), Grid(OUTPUT, "y = bed of nails(x)", self.result))


class PixelShuffleTrace(_CellByCellTrace):
    """Pixel shuffle: output cell (c, h, w) takes channel c·r² + (h mod r)·r + (w mod r)."""

    op = "pixel_shuffle"

    def __init__(self, x: Any, upscale_factor: Any = 2) -> None:
        arr = as_grid("x", x)
        if arr.ndim != 3:
            raise EngineError(
                f"x has shape {arr.shape}: pixel_shuffle's trace takes the (r², H, W) channels"
                " of one image"
            )
        self.input = arr
        self.result = pixel_shuffle(arr, upscale_factor)
        if isinstance(upscale_factor, bool) or not isinstance(upscale_factor, (int, np.integer)):
            raise fail("upscale_factor", upscale_factor, "must be an integer")
        self.params = {"upscale_factor": int(upscale_factor)}

    def _step(self, k: int) -> Step:
        c, oh, ow = self._output_cell(k)
        r = self.params["upscale_factor"]
        channel = c * r * r + (oh % r) * r + (ow % r)
        src = (channel, oh // r, ow // r)
        rule = f"channel {c}·{r * r} + ({oh} mod {r})·{r} + ({ow} mod {r}) = {channel}"
        if c == 0:
            rule = f"channel ({oh} mod {r})·{r} + ({ow} mod {r}) = {channel}"
        return Step(
            index=k,
            text=f"y{cell_text((c, oh, ow))} = x{cell_text(src)} = {num(self.input[src])}"
            f"   ({rule})",
            partial=self._partial(k),
            output_cells=((c, oh, ow),),
            input_cells=(src,),
        )

    def _grids(self) -> Sequence[Grid]:
        return (
            Grid(INPUT, "x (channels)", self.input),
            Grid(OUTPUT, "y = pixel_shuffle(x)", self.result),
        )


# Convolution --------------------------------------------------------------------------------


class Conv2dTrace(_CellByCellTrace):
    """Convolution through im2col: one step per window, a row of im2col times the kernel."""

    op = "conv2d"
    method = "im2col"
    kernel: np.ndarray  # always set by __init__ (_kernel refuses None)

    def __init__(
        self,
        x: Any,
        weight: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        method: str = "im2col",
    ) -> None:
        if not isinstance(method, str) or method != "im2col":
            raise fail("method", method, "conv2d is traced through 'im2col'")
        self.input = _plane("x", x)
        self.kernel = _kernel(weight)
        self.result = conv2d(self.input, self.kernel, None, stride, padding, dilation)
        self.geometry: ConvGeometry = conv_geometry(
            self.input.shape, self.kernel.shape, stride, padding, dilation
        )
        self.params = {
            "stride": self.geometry.stride,
            "padding": padding
            if isinstance(padding, str)
            else non_negative_pair("padding", padding),
            "dilation": self.geometry.dilation,
        }
        g = self.geometry
        h, w = self.input.shape
        room_for(
            *padding_blame(padding, dilation, ("x", self.input), (h, w), (g.pad_rows, g.pad_cols)),
            (h + sum(g.pad_rows), w + sum(g.pad_cols)),
            "the padded input",
        )
        padded = np.pad(self.input, (g.pad_rows, g.pad_cols))
        self.im2col = im2col(padded, self.kernel.shape, g.stride, 0, g.dilation)
        self.kernel_vector = self.kernel.reshape(-1, 1)

    def _step(self, k: int) -> Step:
        oi, oj = self._output_cell(k)
        g = self.geometry
        kh, kw = self.kernel.shape
        h, w = self.input.shape
        row = self.im2col[k]
        taps = [(a, b) for a in range(kh) for b in range(kw)]
        cells = []
        for a, b in taps:
            r = oi * g.stride[0] - g.pad_rows[0] + g.dilation[0] * a
            c = oj * g.stride[1] - g.pad_cols[0] + g.dilation[1] * b
            if 0 <= r < h and 0 <= c < w:
                cells.append((r, c))
        terms = list(zip(row, self.kernel.reshape(-1), strict=True))
        text = _dot_text(f"y[{oi},{oj}]", terms, self.result[oi, oj])
        return Step(
            index=k,
            text=text,
            partial=self._partial(k),
            output_cells=((oi, oj),),
            input_cells=tuple(cells),
            kernel_cells=tuple(taps),
            im2col_row=k,
            extra={KERNEL_VECTOR: ((-1, 0),)},
        )

    def _grids(self) -> Sequence[Grid]:
        n, kk = self.im2col.shape
        return (
            Grid(INPUT, "x", self.input),
            Grid(KERNEL, "w", self.kernel),
            Grid(IM2COL, f"im2col(x): {n} windows × {kk}", self.im2col),
            Grid(KERNEL_VECTOR, "w as a column", self.kernel_vector),
            Grid(OUTPUT, "y = im2col(x) · w", self.result),
        )


class ConvTranspose2dTrace(Trace):
    """Transposed convolution, followed as a scatter, as r · W2, or as a direct convolution."""

    op = "conv_transpose2d"
    kernel: np.ndarray  # always set by __init__ (_kernel refuses None)
    method: str  # always set by __init__, to "scatter", "matrix" or "direct"

    def __init__(
        self,
        x: Any,
        weight: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        dilation: Any = 1,
        method: str = "scatter",
    ) -> None:
        if not isinstance(method, str) or method not in ("scatter", "matrix", "direct"):
            raise fail("method", method, "must be one of 'scatter', 'matrix', 'direct', 'all'")
        self.method = method
        self.input = _plane("x", x)
        self.kernel = _kernel(weight)
        self._call = {
            "stride": stride,
            "padding": padding,
            "output_padding": output_padding,
            "dilation": dilation,
        }
        self.result = conv_transpose2d(self.input, self.kernel, None, **self._call)
        self.geometry = transposed_geometry(
            self.input.shape, self.kernel.shape, stride, padding, output_padding, dilation
        )
        self.params = {
            "stride": self.geometry.stride,
            "padding": padding
            if isinstance(padding, str)
            else non_negative_pair("padding", padding),
            "output_padding": pair("output_padding", output_padding),
            "dilation": self.geometry.dilation,
            "method": method,
        }
        if method == "direct":
            # The zero-inserted, padded input is the output grown by d(k−1) per axis.
            g = self.geometry
            blame: tuple[str, Any] = (
                ("dilation", dilation) if max(g.dilation) > 1 else ("weight", self.kernel)
            )
            room_for(*blame, g.padded_size, "the zero-inserted, padded input")
        elif method == "matrix":
            self.matrix  # noqa: B018 - W2 is lazy, but refuses a geometry its indices cannot reach

    def _count(self) -> int:
        return int(self.input.size if self.method == "scatter" else self.result.size)

    def _step(self, k: int) -> Step:
        return {"scatter": self._scatter, "matrix": self._matrix, "direct": self._direct}[
            self.method
        ](k)

    # scatter: input value k scales the kernel, which is added at its footprint
    def _footprint(self, i: int, j: int) -> tuple[list[Cell], list[Cell]]:
        g, (kh, kw) = self.geometry, self.kernel.shape
        out_h, out_w = g.output
        taps: list[Cell] = []
        cells: list[Cell] = []
        for a in range(kh):
            r = i * g.stride[0] + g.dilation[0] * a - g.crop[0]
            for b in range(kw):
                c = j * g.stride[1] + g.dilation[1] * b - g.crop[1]
                if 0 <= r < out_h and 0 <= c < out_w:
                    taps.append((a, b))
                    cells.append((r, c))
        return taps, cells

    def _scatter(self, k: int) -> Step:
        i, j = (int(v) for v in divmod(k, self.input.shape[1]))
        value = self.input[i, j]
        taps, cells = self._footprint(i, j)
        seen = np.zeros(self.input.size)
        seen[: k + 1] = 1.0
        partial = conv_transpose2d(
            self.input * seen.reshape(self.input.shape), self.kernel, None, **self._call
        )
        g, (kh, kw) = self.geometry, self.kernel.shape
        r0 = i * g.stride[0] - g.crop[0]
        c0 = j * g.stride[1] - g.crop[1]
        where = f"y[{_span(r0, kh, g.dilation[0])}, {_span(c0, kw, g.dilation[1])}]"
        scaled = value * self.kernel
        text = f"r[{i},{j}] = {num(value)}: {where} += {factor(value)}·w"
        if self.kernel.size <= 9:
            text += f" = {_inline(scaled)}"
        if len(cells) < self.kernel.size:
            text += f"  ({self.kernel.size - len(cells)} taps fall outside y, cut off by padding)"
        return Step(
            index=k,
            text=text,
            partial=partial,
            output_cells=tuple(cells),
            input_cells=((i, j),),
            kernel_cells=tuple(taps),
            scaled_kernel=scaled,
            extra={SCALED_KERNEL: tuple(taps)},
        )

    # matrix: output cell k is r times column k of W2
    @property
    def matrix(self) -> ConvMatrix:
        """W2 = W1ᵀ, (H·W) × (H_out·W_out), sliced lazily."""
        return ConvMatrix.for_conv_transpose2d(self.kernel, self.input.shape, **self._call)

    def _taps_into(self, oi: int, oj: int) -> list[tuple[Cell, Cell]]:
        """(input cell, kernel tap) pairs that reach output cell (oi, oj)."""
        g, (kh, kw) = self.geometry, self.kernel.shape
        h, w = self.input.shape
        pairs = []
        for a in range(kh):
            num_r = oi + g.crop[0] - g.dilation[0] * a
            if num_r % g.stride[0] or not 0 <= num_r // g.stride[0] < h:
                continue
            for b in range(kw):
                num_c = oj + g.crop[1] - g.dilation[1] * b
                if num_c % g.stride[1] or not 0 <= num_c // g.stride[1] < w:
                    continue
                pairs.append(((num_r // g.stride[0], num_c // g.stride[1]), (a, b)))
        return sorted(pairs)

    def _matrix(self, k: int) -> Step:
        oi, oj = (int(v) for v in divmod(k, self.result.shape[1]))
        pairs = self._taps_into(oi, oj)
        terms = [(self.input[c], self.kernel[t]) for c, t in pairs]
        rows = self.input.size
        text = _dot_text(f"y[{oi},{oj}] = r · W2[:,{k}]", terms, self.result[oi, oj])
        if len(pairs) < rows:
            text += f"   (the other {rows - len(pairs)} entries of column {k} are 0)"
        return Step(
            index=k,
            text=text,
            partial=_written_before(self.result, k),
            output_cells=((oi, oj),),
            input_cells=tuple(c for c, _ in pairs),
            kernel_cells=tuple(t for _, t in pairs),
            matrix_column=k,
        )

    # direct: a stride-1 convolution of the zero-inserted, padded input with the kernel turned 180°
    @property
    def padded(self) -> np.ndarray:
        """x with stride−1 zeros between its values, padded by d(k−1) − p (cropped if negative)."""
        g = self.geometry
        return _zero_inserted(self.input, g)

    def _direct(self, k: int) -> Step:
        oi, oj = (int(v) for v in divmod(k, self.result.shape[1]))
        g, (kh, kw) = self.geometry, self.kernel.shape
        rotated = self.kernel[::-1, ::-1]
        window, used, terms, inputs = [], [], [], []
        for a in range(kh):
            for b in range(kw):
                pr, pc = oi + g.dilation[0] * a, oj + g.dilation[1] * b
                window.append((pr, pc))
                src = g.input_at_padded((pr, pc), self.input.shape)
                if src is not None:
                    used.append((a, b))
                    inputs.append(src)
                    terms.append((self.input[src], rotated[a, b]))
        target = f"y[{oi},{oj}]"
        text = _dot_text(target, terms, self.result[oi, oj])
        skipped = kh * kw - len(terms)
        if skipped:
            text += f"   ({skipped} of the {kh * kw} taps fall on inserted or padding zeros)"
        return Step(
            index=k,
            text=text,
            partial=_written_before(self.result, k),
            output_cells=((oi, oj),),
            input_cells=tuple(inputs),
            kernel_cells=tuple((kh - 1 - a, kw - 1 - b) for a, b in used),
            padded_cells=tuple(window),
            extra={ROTATED_KERNEL: tuple(used)},
        )

    def _grids(self) -> Sequence[Grid]:
        base = [Grid(INPUT, "r", self.input), Grid(KERNEL, "w", self.kernel)]
        if self.method == "scatter":
            extra = [Grid(SCALED_KERNEL, "r[i,j]·w", self.kernel * self.input.flat[0])]
        elif self.method == "matrix":
            m = self.matrix
            extra = [
                Grid(
                    MATRIX,
                    f"W2 = W1ᵀ ({m.shape[0]}×{m.shape[1]})",
                    m,
                    note="row: input cell; column: output cell",
                )
            ]
        else:
            extra = [
                Grid(PADDED, "zeros inserted, then padded", self.padded),
                Grid(ROTATED_KERNEL, "w turned 180°", self.kernel[::-1, ::-1].copy()),
            ]
        return (*base, *extra, Grid(OUTPUT, "y = conv_transpose2d(r, w)", self.result))


def _zero_inserted(x: np.ndarray, g: TransposedGeometry) -> np.ndarray:
    size = g.padded_size
    out = np.zeros(size)
    rows = g.padded_offset(0) + np.arange(x.shape[0]) * g.stride[0]
    cols = g.padded_offset(1) + np.arange(x.shape[1]) * g.stride[1]
    keep_r = (rows >= 0) & (rows < size[0])
    keep_c = (cols >= 0) & (cols < size[1])
    out[np.ix_(rows[keep_r], cols[keep_c])] = x[np.ix_(keep_r, keep_c)]
    return out


# The entry point ----------------------------------------------------------------------------

_TRACES: Mapping[str, Callable[..., Trace]] = {
    "max_pool2d": MaxPoolTrace,
    "max_unpool2d": MaxUnpoolTrace,
    "upsample_nearest": NearestTrace,
    "upsample_bilinear": BilinearTrace,
    "bed_of_nails": BedOfNailsTrace,
    "pixel_shuffle": PixelShuffleTrace,
    "conv2d": Conv2dTrace,
    "conv_transpose2d": ConvTranspose2dTrace,
}


def trace(op: str, x: Any, /, **params: Any) -> Trace:
    """The steps of operator ``op`` (an engine function name) applied to ``x``.

    ``params`` are the operator's own keyword arguments (``weight=`` for the convolutions), plus
    ``method=`` for ``conv2d`` ("im2col") and ``conv_transpose2d`` ("scatter", "matrix", "direct",
    or "all": the three at once, a :class:`~tui_upsample.engine.faces.ThreeFacesTrace`).
    """
    build = _TRACES.get(op) if isinstance(op, str) else None
    if build is not None and op == "conv_transpose2d":
        if isinstance(params.get("method"), str) and params["method"] == "all":
            from tui_upsample.engine.faces import ThreeFacesTrace

            build = ThreeFacesTrace
    if build is None:
        raise fail("op", op, "must be one of " + ", ".join(OPERATORS))
    takes = inspect.signature(build).parameters
    for name in params:
        if name not in takes or name == "x":
            allowed = ", ".join(p for p in takes if p != "x")
            raise fail(name, params[name], f"{op} does not take it (it takes {allowed})")
    return build(x, **params)
