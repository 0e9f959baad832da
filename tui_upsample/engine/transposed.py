"""Transposed convolution: ``conv_transpose2d`` exact to ``F.conv_transpose2d``, and its step trace
in three ways: as a scatter of kernel footprints, as the matrix product r · W2 with W2 = W1ᵀ,
and as a direct stride-1 convolution of the zero-inserted input with the kernel turned 180°.

Also here: the output-size formula, and what output_padding chooses among the sizes a stride
makes ambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tui_upsample.engine.conv_matrix import ConvMatrix
from tui_upsample.engine.convolution import (
    as_bias,
    as_weight,
    check_2d_x_out,
    padding_word,
    weight_4d,
)
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.geometry import (
    PaddingArg,
    checked_transpose_window,
    growth_blame,
    padding_arg,
    transposed_geometry,
)
from tui_upsample.engine.padded_input import (
    padded_marks,
    padded_title,
    zero_inserted,
    zero_kind,
    zero_lines,
)
from tui_upsample.engine.parameters import (
    CONV_PADDING,
    DILATION,
    KERNEL_SIZE,
    OUTPUT_PADDING,
    STRIDE,
    Operator,
    method_parameter,
)
from tui_upsample.engine.shapes import (
    conv_transpose_output_size,
)
from tui_upsample.engine.steps import (
    INPUT,
    INSERTED,
    KERNEL,
    MATRIX,
    OUTPUT,
    PADDED,
    PADDING,
    ROTATED_KERNEL,
    SCALED_KERNEL,
    Cell,
    Grid,
    Step,
    Trace,
    kernel_plane,
    plane,
    written_before,
)
from tui_upsample.engine.text import (
    Formula,
    axis_label,
    dot_text,
    formula_axes,
    inline_matrix,
    slice_text,
)
from tui_upsample.engine.text import format_factor as factor
from tui_upsample.engine.text import format_number as num
from tui_upsample.engine.text import formula_number as fnum
from tui_upsample.engine.validation import (
    Pair,
    as_grid,
    fail,
    non_negative_pair,
    pair,
    positive_int,
    positive_pair,
    room_for,
    to_batched,
)

# --------------------------------------------------------------------------------------------
# The operator
# --------------------------------------------------------------------------------------------


def _tap_span(start: int, length: int, size: int, stride: int, shift: int) -> tuple[int, int, int]:
    """Which inputs i of one kernel tap land in the kept window, and where the first one lands.

    Input i lands at full row i·s + shift; the window keeps full rows start … start+length−1.
    Returns (first i, number of i, output row of the first i); the number may be 0.
    """
    first = max(0, -(-(start - shift) // stride))
    last = min(size - 1, (start + length - 1 - shift) // stride)
    return first, max(last - first + 1, 0), first * stride + shift - start


def _conv_transpose_core(
    x: np.ndarray,
    w: np.ndarray,
    stride: Pair,
    dilation: Pair,
    groups: int,
    window: tuple[Pair, Pair],
) -> np.ndarray:
    """Transposed convolution of x (N, C_in, H, W) with w (C_in, C_out/g, kH, kW), cropped.

    The full (uncropped) output has (H−1)s + d(k−1) + 1 rows; input cell (i, j) adds
    x[i, j]·w[a, b] at full row i·s + a·d, column j·s + b·d. ``window`` gives, per axis,
    (first full row kept, number kept); rows past the full output are zeros.

    No zeros are inserted into x: one matmul gives every x[i, j]·w[:, :, a, b] at once (the
    "cols" of col2im), and each kernel tap's H×W block is then added, s apart, straight into the
    part of the output window it reaches — the scatter view, vectorised over the input.
    """
    n, c_in, h, wd = x.shape
    _, c_og, kh, kw = w.shape
    c_ig = c_in // groups
    sh, sw = stride
    dh, dw = dilation
    (start_h, out_h), (start_w, out_w) = window

    if c_ig == 1:
        # One input channel per group: each product is a single w·x, made tap by tap below
        # (the same numbers as the matmul, without its H·W·kH·kW buffer: 128 MB for a 64×64
        # kernel on a 64×64 input).
        taps = w.reshape(groups, c_og, kh, kw)
        planes = x.reshape(n, groups, 1, h, wd)
        cols = None
    else:
        # (G, kH·kW·C_out/g, C_in/g) @ (N, G, C_in/g, H·W): every value times every kernel tap.
        wt = w.reshape(groups, c_ig, c_og, kh, kw).transpose(0, 3, 4, 2, 1)
        wt = wt.reshape(groups, -1, c_ig)
        cols = (wt @ x.reshape(n, groups, c_ig, h * wd)).reshape(n, groups, kh, kw, c_og, h, wd)

    out = np.zeros((n, groups, c_og, out_h, out_w))
    for a in range(kh):
        i0, ni, y0 = _tap_span(start_h, out_h, h, sh, a * dh)
        if not ni:
            continue
        rows = slice(y0, y0 + (ni - 1) * sh + 1, sh)
        for b in range(kw):
            j0, nj, x0 = _tap_span(start_w, out_w, wd, sw, b * dw)
            if not nj:
                continue
            if cols is None:
                tap = taps[None, :, :, a, b, None, None]  # (1, G, C_out/g, 1, 1)
                block = tap * planes[..., i0 : i0 + ni, j0 : j0 + nj]
            else:
                block = cols[:, :, a, b, :, i0 : i0 + ni, j0 : j0 + nj]
            out[..., rows, x0 : x0 + (nj - 1) * sw + 1 : sw] += block
    return out.reshape(n, groups * c_og, out_h, out_w)


def conv_transpose2d(
    x: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: int | Pair = 1,
    padding: PaddingArg = 0,
    output_padding: int | Pair = 0,
    groups: int = 1,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    ``weight`` is (C_in, C_out/groups, kH, kW), or a 2-D (kH, kW) kernel with a 2-D x. Each input
    value scatters a copy of the kernel scaled by it, s apart; the overlaps add up. Output size
    per axis: (i−1)s − 2p + d(k−1) + output_padding + 1.

    ``padding="valid"`` / ``"same"`` mean what they mean in ``keras.layers.Conv2DTranspose``
    (with ``output_padding=None``): 'valid' gives i·s + max(d(k−1)+1 − s, 0) rows, 'same' gives
    i·s rows, cropping ⌊max(d(k−1)+1 − s, 0)/2⌋ rows off the top of the full output and the rest
    off the bottom (columns likewise). With a string, ``output_padding`` must be 0.
    """
    xa = as_grid("x", x)
    w = as_weight(weight)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    g = positive_int("groups", groups)
    padding_arg(padding)  # its own rules first; output_padding is checked with the output size
    w4 = weight_4d(xa, w)

    x4, restore = to_batched(xa)
    c_in = x4.shape[1]
    if c_in % g:
        raise fail("groups", groups, f"must divide the {c_in} input channels of x")
    if w4.shape[0] != c_in:
        raise EngineError(
            f"weight has shape {w.shape}: x has {c_in} input channels, so weight.shape[0] "
            f"must be {c_in}"
        )
    c_out = w4.shape[1] * g
    check_2d_x_out(xa, w, c_out)
    b = as_bias(bias, c_out)

    size = (x4.shape[2], x4.shape[3])
    kernel = (w4.shape[2], w4.shape[3])
    _, _, window = checked_transpose_window(padding, output_padding, size, kernel, s, d)
    out_hw = (window[0][1], window[1][1])
    n, _, h, wd = x4.shape
    blame = growth_blame(("x", xa), ("weight", w), stride, dilation, size, kernel)
    room_for(*blame, (n, c_out) + out_hw)
    # The products of every input value with every kernel tap, before they are added up.
    room_for("weight", w, (n, c_out, kernel[0] * kernel[1], h, wd), "every x value times every tap")

    y = _conv_transpose_core(x4, w4, s, d, g, window)
    if b is not None:
        y += b[None, :, None, None]
    return restore(y)


# --------------------------------------------------------------------------------------------
# The step trace: scatter, matrix or direct
# --------------------------------------------------------------------------------------------


class ConvTranspose2dTrace(Trace):
    """Transposed convolution, followed as a scatter, as r · W2, or as a direct convolution."""

    op = "conv_transpose2d"
    kernel: np.ndarray  # always set by __init__ (kernel_plane refuses None)
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
        self.input = plane("x", x)
        self.kernel = kernel_plane(weight)
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
        g = self.geometry
        scaled = value * self.kernel
        kept = [self._kept_taps(axis, (i, j)[axis]) for axis in (0, 1)]
        cut = self.kernel.size - len(cells)
        if not cells:
            arithmetic = f"r[{i},{j}] = {num(value)}: its whole footprint falls outside y"
        else:
            (ra, rn), (ca, cn) = kept
            rows = slice_text(i * g.stride[0] - g.crop[0] + g.dilation[0] * ra, rn, g.dilation[0])
            cols = slice_text(j * g.stride[1] - g.crop[1] + g.dilation[1] * ca, cn, g.dilation[1])
            part = "w" if not cut else f"w[{slice_text(ra, rn, 1)}, {slice_text(ca, cn, 1)}]"
            arithmetic = f"r[{i},{j}] = {num(value)}: y[{rows}, {cols}] += {factor(value)}·{part}"
            if len(cells) <= 9:
                arithmetic += f" = {inline_matrix(scaled[ra : ra + rn, ca : ca + cn])}"
        notes = (f"{cut} of its {self.kernel.size} taps fall outside y, cut off by padding",)
        return Step(
            index=k,
            arithmetic=arithmetic,
            notes=notes if cut else (),
            partial=partial,
            output_cells=tuple(cells),
            input_cells=((i, j),),
            kernel_cells=tuple(taps),
            scaled_kernel=scaled,
            extra={SCALED_KERNEL: tuple(taps)},
        )

    def _kept_taps(self, axis: int, i: int) -> tuple[int, int]:
        """Input index ``i``'s kernel taps along ``axis`` that land inside y: (first, count)."""
        g = self.geometry
        start = i * g.stride[axis] - g.crop[axis]
        d, n = g.dilation[axis], self.kernel.shape[axis]
        first = (-start + d - 1) // d if start < 0 else 0  # ⌈−start / d⌉
        last = min(n - 1, (g.output[axis] - 1 - start) // d)
        return first, max(last - first + 1, 0)

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
        return Step(
            index=k,
            arithmetic=dot_text(f"y[{oi},{oj}] = r · W2[:,{k}]", terms, self.result[oi, oj]),
            rule=f"the other {rows - len(pairs)} entries of column {k} are 0"
            if len(pairs) < rows
            else "",
            value=float(self.result[oi, oj]),
            terms=tuple((float(a), float(b)) for a, b in terms),
            partial=written_before(self.result, k),
            output_cells=((oi, oj),),
            input_cells=tuple(c for c, _ in pairs),
            kernel_cells=tuple(t for _, t in pairs),
            matrix_column=k,
        )

    # direct: a stride-1 convolution of the zero-inserted, padded input with the kernel turned 180°
    @cached_property
    def padded(self) -> np.ndarray:
        """x with stride−1 zeros between its values, padded by d(k−1) − p (cropped if negative).

        Built once (read-only): every direct step and the compare view read it."""
        padded = zero_inserted(self.input, self.geometry)
        padded.setflags(write=False)
        return padded

    def _direct(self, k: int) -> Step:
        oi, oj = (int(v) for v in divmod(k, self.result.shape[1]))
        g, (kh, kw) = self.geometry, self.kernel.shape
        rotated = self.kernel[::-1, ::-1]
        window, used, terms, inputs = [], [], [], []
        zeros = {INSERTED: 0, PADDING: 0}
        for a in range(kh):
            for b in range(kw):
                pr, pc = oi + g.dilation[0] * a, oj + g.dilation[1] * b
                window.append((pr, pc))
                src = g.input_at_padded((pr, pc), self.input.shape)
                if src is None:
                    kind = zero_kind(self._zero_lines, (pr, pc))
                    assert kind is not None  # no value of r here: an inserted or a padding zero
                    zeros[kind] += 1
                else:
                    used.append((a, b))
                    inputs.append(src)
                    terms.append((self.input[src], rotated[a, b]))
        return Step(
            index=k,
            arithmetic=dot_text(f"y[{oi},{oj}]", terms, self.result[oi, oj]),
            rule=_zeros_rule(zeros, kh * kw),
            value=float(self.result[oi, oj]),
            terms=tuple((float(a), float(b)) for a, b in terms),
            partial=written_before(self.result, k),
            output_cells=((oi, oj),),
            input_cells=tuple(inputs),
            kernel_cells=tuple((kh - 1 - a, kw - 1 - b) for a, b in used),
            padded_cells=tuple(window),
            extra={ROTATED_KERNEL: tuple(used)},
        )

    @cached_property
    def _zero_lines(self) -> tuple[np.ndarray, np.ndarray]:
        """What each row and column of the padded input is (values, inserted zeros, padding)."""
        return (
            zero_lines(self.geometry, self.input.shape, 0),
            zero_lines(self.geometry, self.input.shape, 1),
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
                Grid(
                    PADDED,
                    padded_title(self.geometry, self.input.shape),
                    self.padded,
                    marks=padded_marks(self.geometry, self.input.shape),
                ),
                Grid(ROTATED_KERNEL, "w turned 180°", self.kernel[::-1, ::-1].copy()),
            ]
        return (*base, *extra, Grid(OUTPUT, "y = conv_transpose2d(r, w)", self.result))


def _zeros_rule(zeros: dict[str, int], taps: int) -> str:
    """Why a direct step sums fewer products than the kernel has taps: the zeros it falls on."""
    inserted, padding = zeros[INSERTED], zeros[PADDING]
    skipped = inserted + padding
    if not skipped:
        return ""
    verb = "falls" if skipped == 1 else "fall"
    if inserted and padding:
        return (
            f"{skipped} of the {taps} taps {verb} on zeros: {inserted} inserted, {padding} padding"
        )
    kind = "inserted" if inserted else "padding"
    if skipped == 1:
        what = f"{'an' if inserted else 'a'} {kind} zero"
    else:
        what = f"{kind} zeros"
    return f"{skipped} of the {taps} taps {verb} on {what}"


# --------------------------------------------------------------------------------------------
# The output size, written out
# --------------------------------------------------------------------------------------------


def conv_transpose_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None
) -> list[Formula]:
    if isinstance(p.get("padding"), str):
        rule = "o = i·s" if p["padding"] == "same" else "o = i·s + max(d(k−1) + 1 − s, 0)"
        return padding_word(p, out, rule)
    lines: list[Formula] = []
    keys = {
        k: p.get(k, d)
        for k, d in (
            ("kernel_size", 1),
            ("stride", 1),
            ("padding", 0),
            ("output_padding", 0),
            ("dilation", 1),
        )
    }
    for name, n in formula_axes(in_size, None, keys):
        i, k, s, pad = n["i"], n["kernel_size"], n["stride"], n["padding"]
        a, d = n["output_padding"], n["dilation"]
        o = conv_transpose_output_size(i, k, s, pad, a, d)
        lines.append(
            axis_label(
                name,
                (
                    f"o = (i−1)·s − 2p + d(k−1) + a + 1 = "
                    f"({fnum(i)}−1)·{fnum(s)} − {fnum(2 * pad)} + {fnum(d * (k - 1))}"
                    f" + {fnum(a)} + 1"
                    f" = {fnum(o)}"
                ),
            )
        )
    return lines


# --------------------------------------------------------------------------------------------
# The operator table's entry
# --------------------------------------------------------------------------------------------


def _transposed_shape(in_shape: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
    """Where the full output is cut, PyTorch's way or Keras's, without scattering anything."""
    weight = np.shape(np.asarray(params["weight"]))
    g = transposed_geometry(
        in_shape,
        weight,
        params.get("stride", 1),
        params.get("padding", 0),
        params.get("output_padding", 0),
        params.get("dilation", 1),
    )
    planes = in_shape[:-2]
    if planes and len(weight) == 4:  # (C_in, C_out/g, kH, kW): C_out planes come out
        planes = (weight[1] * int(params.get("groups", 1)),)
    return (*planes, *g.output)


METHODS = ("scatter", "matrix", "direct", "all")
"""scatter: each input value adds its scaled kernel at its footprint; matrix: r · W2, one output
cell per step; direct: the zero-inserted input convolved with the kernel turned 180°; all: the
three side by side (:mod:`tui_upsample.engine.faces`)."""

CONV_TRANSPOSE2D = Operator(
    name="conv_transpose2d",
    words="transposed convolution",
    story=(
        "A network like FCN or FPN shrinks a map with convolutions and must grow it back. As a "
        "matrix, the convolution is xᵀ · W1 = r{w1}; going back, r · W2 = y with W2{w2} shaped "
        "exactly like W1ᵀ: hence “transposed”. The shape comes back, not the values: "
        "“deconvolution” is no inverse. Its w is learned."
    ),
    pytorch="F.conv_transpose2d",
    function=conv_transpose2d,
    trace=ConvTranspose2dTrace,
    formula=conv_transpose_formula,
    parameters=(
        KERNEL_SIZE,
        STRIDE,
        CONV_PADDING,
        OUTPUT_PADDING,
        DILATION,
        method_parameter(METHODS),
    ),
    step="scatter: an input value's scaled kernel added at its footprint; matrix: r · W2[:, j];"
    " direct: the turned kernel over the zero-inserted, padded input",
    aliases=("convt", "deconv", "transpose"),
    grows_with="the stride or the kernel",
    shape=_transposed_shape,
    methods=METHODS,
    kernel=True,
    grouped=True,
)
