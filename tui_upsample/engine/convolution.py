"""Convolution: ``conv2d`` exact to ``F.conv2d``, stepped through im2col, and ``im2col`` /
``col2im`` (``F.unfold`` / ``F.fold``).

A convolution slides the kernel over the (padded) input and writes one number per window. im2col
lays every window out as a row, so the whole convolution is one matrix product
``im2col(x) @ w.ravel()``: the trace steps through it row by row. Vectorised: Python only loops
over kernel offsets or stride phases, never over output positions. Arrays may be (H, W),
(C, H, W) or (N, C, H, W); results keep the caller's layout; values are float64.

Exact means the same arithmetic, not always the same last bit: a window's products are added in
an order of this engine's (kernel offset by offset), and PyTorch's CPU kernels add them in one
of their own (blocked, vectorised), so sums of non-integers can differ by a unit or two in the
last place (``[[0.3, 0.2, 0.1]]`` with a ones kernel: 0.6 here, 0.6000000000000001 there). Small
integers, as on screen, are exact in both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.geometry import (
    ConvGeometry,
    PaddingArg,
    check_fits,
    conv_geometry,
    effective_span,
    forward_padding,
    padding_arg,
    padding_blame,
)
from tui_upsample.engine.parameters import (
    CONV_PADDING,
    DILATION,
    KERNEL_SIZE,
    STRIDE,
    Operator,
    method_parameter,
)
from tui_upsample.engine.shapes import (
    conv_output_size,
)
from tui_upsample.engine.steps import (
    IM2COL,
    INPUT,
    KERNEL,
    KERNEL_VECTOR,
    OUTPUT,
    CellByCellTrace,
    Grid,
    Step,
    kernel_plane,
    plane,
)
from tui_upsample.engine.text import (
    Formula,
    axis_label,
    dot_text,
    formula_axes,
)
from tui_upsample.engine.text import formula_number as fnum
from tui_upsample.engine.validation import (
    Pair,
    _show,
    as_grid,
    fail,
    float_array,
    non_negative_pair,
    positive_int,
    positive_pair,
    room_for,
    to_batched,
)

# --------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------


def as_weight(weight: Any) -> np.ndarray:
    """A float64 kernel: 2-D (kH, kW) or 4-D (C_out or C_in, …, kH, kW), all finite."""
    arr = float_array("weight", weight, "must be an array of numbers")
    if arr.ndim not in (2, 4):
        raise EngineError(
            f"weight has shape {arr.shape}: must be 4-D (out, in, kH, kW) or a 2-D (kH, kW) kernel"
        )
    return as_grid("weight", arr)


def as_bias(bias: Any, channels: int) -> np.ndarray | None:
    """``None``, or one finite number per output channel (a plain number is used for all)."""
    if bias is None:
        return None
    arr = float_array("bias", bias, "must be a number or an array of numbers")
    if arr.ndim == 0:
        arr = np.full(channels, float(arr))
    if arr.shape != (channels,):
        raise EngineError(
            f"bias has shape {arr.shape}: must hold one value per output channel, "
            f"shape ({channels},)"
        )
    if not np.all(np.isfinite(arr)):
        bad = int(np.argwhere(~np.isfinite(arr))[0][0])
        raise EngineError(f"bias[{bad}]={float(arr[bad])!r}: every value must be a finite number")
    return arr


def weight_4d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weight as 4-D, checking that a 2-D kernel comes with a 2-D x and vice versa."""
    if w.ndim == 2:
        if x.ndim != 2:
            raise EngineError(
                f"weight has shape {w.shape}: a 2-D (kH, kW) kernel needs a 2-D x, but x has "
                f"shape {x.shape}; use a 4-D weight for channels"
            )
        return w[None, None]
    return w


def check_2d_x_out(x: np.ndarray, w: np.ndarray, out_channels: int) -> None:
    """A 2-D x is one channel and gives a 2-D result, so the kernel must give one channel."""
    if x.ndim == 2 and out_channels != 1:
        raise EngineError(
            f"weight has shape {w.shape}: a 2-D x gives a 2-D result, so the weight must give "
            f"1 output channel, not {out_channels}; pass x as (1, H, W) for more channels"
        )


# --------------------------------------------------------------------------------------------
# The operator
# --------------------------------------------------------------------------------------------


def _conv_core(
    x: np.ndarray,
    w: np.ndarray,
    stride: Pair,
    pad_tl: Pair,
    dilation: Pair,
    groups: int,
    out_hw: Pair,
    blame: tuple[str, Any],
) -> np.ndarray:
    """Cross-correlation of x (N, C_in, H, W) with w (C_out, C_in/g, kH, kW), zero padded.

    The padded input is split into its stride² phases (rows ≡ r mod s), each kept as one flat
    row-major vector per channel. In a phase, a kernel offset (a, b) reads a *contiguous* run of
    that vector, so each offset costs one plain matmul (C_out/g × C_in/g) @ (C_in/g × L) with no
    copying, and its result is added into a flat output whose rows are a phase-row long (the
    extra columns at the end of each row are garbage and cropped away).

    ``blame`` is the (name, value) to name if the padded input would be too large to build.
    """
    n, c_in, h, wd = x.shape
    c_out, c_ig, kh, kw = w.shape
    # With one output row the stride is never stepped: 1 keeps the phase buffer small even for
    # a stride of 10**9 (the buffer below is about one stride longer than the padded input).
    sh, sw = (stride[0] if out_hw[0] > 1 else 1), (stride[1] if out_hw[1] > 1 else 1)
    dh, dw = dilation
    ho, wo = out_hw
    top, left = pad_tl
    c_og = c_out // groups

    # Phase grids: hq rows (one spare so the last flat run never overflows), wq columns.
    # Rows the windows read, and rows x occupies: whichever reaches further (bottom padding
    # past the last window is never read, so it need not exist).
    hp = max(top + h, (ho - 1) * sh + dh * (kh - 1) + 1)
    wp = max(left + wd, (wo - 1) * sw + dw * (kw - 1) + 1)
    hq = -(-hp // sh) + 1
    wq = -(-wp // sw)
    room_for(*blame, (n, c_in, hq * sh, wq * sw), "the padded input")
    room_for(*blame, (n, c_out, ho, wq), "the output, before its spare columns are cropped")
    by_phase: dict[Pair, list[tuple[int, int, int]]] = {}
    for a in range(kh):
        qa, ra = divmod(a * dh, sh)
        for b in range(kw):
            qb, rb = divmod(b * dw, sw)
            by_phase.setdefault((ra, rb), []).append((a, b, qa * wq + qb))
    most = max(len(offsets) for offsets in by_phase.values())
    room_for("weight", w, (n, most * c_out, hq * wq), "the products of the kernel taps with x")
    buf = np.zeros((n, c_in, hq * sh, wq * sw))
    buf[:, :, top : top + h, left : left + wd] = x
    # (N, sh, sw, G, C_in/g, hq·wq); with stride 1 this is the padded input itself, no copy.
    phases = np.ascontiguousarray(
        buf.reshape(n, c_in, hq, sh, wq, sw).transpose(0, 3, 5, 1, 2, 4)
    ).reshape(n, sh, sw, groups, c_ig, hq * wq)
    wg = w.reshape(groups, c_og, c_ig, kh, kw)

    run = ho * wq
    out = np.zeros((n, groups, c_og, run))
    for (ra, rb), offsets in by_phase.items():
        rows = [a for a, _, _ in offsets]
        cols = [b for _, b, _ in offsets]
        if c_ig == 1:
            # One input channel per group: each product is a single w·x, made offset by offset
            # (the same numbers as the matmul, without its buffer of every product).
            plane = phases[:, ra, rb, :, 0]  # (N, G, hq·wq)
            for a, b, start in offsets:
                tap = wg[None, :, :, 0, a, b, None]  # (1, G, C_out/g, 1)
                out += tap * plane[:, :, None, start : start + run]
            continue
        # (G, n_off·C_out/g, C_in/g): all offsets of this phase in one matmul.
        stacked = wg[:, :, :, rows, cols].transpose(0, 3, 1, 2).reshape(groups, -1, c_ig)
        y = (stacked @ phases[:, ra, rb]).reshape(n, groups, len(offsets), c_og, hq * wq)
        for t, (_, _, start) in enumerate(offsets):
            out += y[:, :, t, :, start : start + run]
    return np.ascontiguousarray(out.reshape(n, c_out, ho, wq)[:, :, :, :wo])


def conv2d(
    x: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: int | Pair = 1,
    padding: PaddingArg = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    ``weight`` is (C_out, C_in/groups, kH, kW), or a 2-D (kH, kW) kernel with a 2-D x. Output
    size per axis: ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1. ``padding="valid"`` is no padding;
    ``padding="same"`` is ``tf.nn.conv2d``'s: the output is ⌈i/s⌉ long and the total padding
    max((o−1)s + d(k−1)+1 − i, 0) is split with the odd extra row / column at the bottom / right.
    Results are float64 and agree with PyTorch's to about 1e-15 relative (see the module's
    docstring on summation order).
    """
    xa = as_grid("x", x)
    w = as_weight(weight)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    g = positive_int("groups", groups)
    pad_arg = padding_arg(padding)
    w4 = weight_4d(xa, w)
    check_2d_x_out(xa, w, w4.shape[0])

    x4, restore = to_batched(xa)
    c_in = x4.shape[1]
    c_out, c_ig, kh, kw = w4.shape
    if c_in % g:
        raise fail("groups", groups, f"must divide the {c_in} input channels of x")
    if c_out % g:
        raise fail("groups", groups, f"must divide the {c_out} output channels of weight")
    if c_ig != c_in // g:
        raise EngineError(
            f"weight has shape {w.shape}: x has {c_in} input channels, so with groups={g} "
            f"weight.shape[1] must be {c_in // g}"
        )
    b = as_bias(bias, c_out)

    size = (x4.shape[2], x4.shape[3])
    pad = forward_padding(pad_arg, size, (kh, kw), s, d)
    padded = check_fits(f"weight has shape {w.shape}", (kh, kw), d, size, pad)
    k_eff = effective_span((kh, kw), d)
    out_hw = ((padded[0] - k_eff[0]) // s[0] + 1, (padded[1] - k_eff[1]) // s[1] + 1)
    blame = padding_blame(padding, dilation, ("x", xa), size, pad)
    room_for(*blame, (x4.shape[0], c_out) + out_hw)

    y = _conv_core(x4, w4, s, (pad[0][0], pad[1][0]), d, g, out_hw, blame)
    if b is not None:
        y += b[None, :, None, None]
    return restore(y)


# --------------------------------------------------------------------------------------------
# im2col / col2im
# --------------------------------------------------------------------------------------------


def _im2col_geometry(
    size: Pair,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
) -> tuple[Pair, Pair, Pair, tuple[Pair, Pair], Pair]:
    """(kernel, stride, dilation, padding per side, output size) after checking them."""
    k = positive_pair("kernel_size", kernel_size)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    pad = forward_padding(padding_arg(padding), size, k, s, d)
    padded = check_fits(f"kernel_size={_show(kernel_size)}", k, d, size, pad)
    k_eff = effective_span(k, d)
    out_hw = ((padded[0] - k_eff[0]) // s[0] + 1, (padded[1] - k_eff[1]) // s[1] + 1)
    return k, s, d, pad, out_hw


def im2col(
    x: ArrayLike,
    kernel_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingArg = 0,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """Every window the kernel visits, flattened into a row (``F.unfold`` transposed).

    Rows follow the output positions in row-major order; each row holds the window channel by
    channel, row by row: (L, kH·kW) for a 2-D x, (L, C·kH·kW) for 3-D, (N, L, C·kH·kW) for 4-D.
    So ``conv2d(x, w).ravel() == im2col(x, w.shape) @ w.ravel()`` for a 2-D x and kernel.
    Padding is zeros ('valid' / 'same' as in :func:`conv2d`).
    """
    xa = as_grid("x", x)
    x4, _ = to_batched(xa)
    n, c, h, wd = x4.shape
    k, s, d, pad, (ho, wo) = _im2col_geometry((h, wd), kernel_size, stride, padding, dilation)
    padded = (n, c, h + sum(pad[0]), wd + sum(pad[1]))
    room_for(*padding_blame(padding, dilation, ("x", xa), (h, wd), pad), padded, "the padded input")
    room_for("kernel_size", kernel_size, (n, ho * wo, c * k[0] * k[1]), "the im2col matrix")
    xp = np.pad(x4, ((0, 0), (0, 0), pad[0], pad[1]))
    # One strided copy per kernel tap, from the input with channels last: each copy writes
    # C numbers side by side (copying the 6-D window view at once was ~2× slower).
    channels_last = np.ascontiguousarray(xp.transpose(0, 2, 3, 1))
    windows = np.empty((n, ho, wo, c, k[0], k[1]))
    for a in range(k[0]):
        top = a * d[0]
        for b in range(k[1]):
            left = b * d[1]
            windows[:, :, :, :, a, b] = channels_last[
                :, top : top + s[0] * (ho - 1) + 1 : s[0], left : left + s[1] * (wo - 1) + 1 : s[1]
            ]
    cols = windows.reshape(n, ho * wo, c * k[0] * k[1])
    return cols if xa.ndim == 4 else cols[0]


def col2im(
    cols: ArrayLike,
    output_size: int | Pair,
    kernel_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingArg = 0,
    dilation: int | Pair = 1,
    *,
    channels: int | None = None,
) -> np.ndarray:
    """Put every window back where im2col took it from, adding overlaps (``F.fold``).

    The adjoint of :func:`im2col`: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩. ``cols`` is in im2col's
    layout: (L, kH·kW) gives (H, W); (L, C·kH·kW) with C > 1 gives (C, H, W); (N, L, C·kH·kW)
    gives (N, C, H, W). Pass ``channels=C`` to get (C, H, W) from 2-D cols even when C is 1.
    """
    ca = float_array("cols", cols, "must be an array of numbers")
    if ca.ndim not in (2, 3):
        raise EngineError(
            f"cols has shape {ca.shape}: must be 2-D (L, C·kH·kW) or 3-D (N, L, C·kH·kW)"
        )
    ca = as_grid("cols", ca)
    size = positive_pair("output_size", output_size)
    k, s, d, pad, (ho, wo) = _im2col_geometry(size, kernel_size, stride, padding, dilation)
    c3 = ca if ca.ndim == 3 else ca[None]
    n, length, width = c3.shape
    kk = k[0] * k[1]
    # Before the checks below, which print the number of windows: it may be astronomical.
    room_for("output_size", output_size, (n, max(width // kk, 1)) + size)
    blame = padding_blame(padding, dilation, ("output_size", output_size), size, pad)
    padded = (n, max(width // kk, 1), size[0] + sum(pad[0]), size[1] + sum(pad[1]))
    room_for(*blame, padded, "the padded output")
    if length != ho * wo:
        raise EngineError(
            f"cols has shape {ca.shape}: output_size={_show(output_size)} has "
            f"{ho}×{wo} = {ho * wo} windows, so cols must have {ho * wo} rows"
        )
    if width % kk:
        raise EngineError(
            f"cols has shape {ca.shape}: each row must hold C·kH·kW values, a multiple of {kk}"
        )
    c = width // kk
    if channels is not None:
        positive_int("channels", channels)
        if channels != c:
            raise fail("channels", channels, f"must match cols, whose rows hold {c}·{kk} values")

    blocks = c3.reshape(n, ho, wo, c, k[0], k[1])
    h, wd = size
    buf = np.zeros((n, c, h + sum(pad[0]), wd + sum(pad[1])))
    for a in range(k[0]):
        r0 = a * d[0]
        for b in range(k[1]):
            c0 = b * d[1]
            buf[
                :, :, r0 : r0 + (ho - 1) * s[0] + 1 : s[0], c0 : c0 + (wo - 1) * s[1] + 1 : s[1]
            ] += blocks[:, :, :, :, a, b].transpose(0, 3, 1, 2)
    out = np.ascontiguousarray(buf[:, :, pad[0][0] : pad[0][0] + h, pad[1][0] : pad[1][0] + wd])
    if ca.ndim == 3:
        return out
    if c == 1 and channels is None:
        return out[0, 0]
    return out[0]


# --------------------------------------------------------------------------------------------
# The step trace: one im2col row times the kernel per output cell
# --------------------------------------------------------------------------------------------


LAZY_PAST = 1 << 20
"""An im2col matrix of more cells than this is built a block at a time, as the screen shows it."""


class LazyIm2col:
    """im2col of an already padded plane, sliced ``[rows, cols]`` without being built whole: a
    1022×1022 output of a 3×3 kernel has 9.4 million entries, of which a screen shows ~500."""

    def __init__(self, padded: np.ndarray, kernel: tuple[int, ...], g: ConvGeometry) -> None:
        self._padded, self._k, self._g = padded, (int(kernel[0]), int(kernel[1])), g
        span = effective_span(self._k, g.dilation)
        self._out = tuple((padded.shape[a] - span[a]) // g.stride[a] + 1 for a in (0, 1))
        self.shape = (self._out[0] * self._out[1], self._k[0] * self._k[1])

    def __getitem__(self, key: Any) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        single = isinstance(rows, (int, np.integer))
        picked = np.arange(self.shape[0])[rows]
        oi, oj = np.divmod(np.atleast_1d(picked), self._out[1])
        (sh, sw), (dh, dw), (kh, kw) = self._g.stride, self._g.dilation, self._k
        taps = np.arange(kh * kw)[cols]
        a, b = np.divmod(np.atleast_1d(taps), kw)
        block = self._padded[(oi * sh)[:, None] + a * dh, (oj * sw)[:, None] + b * dw]
        if isinstance(cols, (int, np.integer)):
            block = block[:, 0]
        return block[0] if single else block


class Conv2dTrace(CellByCellTrace):
    """Convolution through im2col: one step per window, a row of im2col times the kernel."""

    op = "conv2d"
    method = "im2col"
    kernel: np.ndarray  # always set by __init__ (kernel_plane refuses None)

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
        self.input = plane("x", x)
        self.kernel = kernel_plane(weight)
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
        self.im2col: np.ndarray | LazyIm2col = LazyIm2col(padded, self.kernel.shape, g)
        if self.im2col.shape[0] * self.im2col.shape[1] <= LAZY_PAST:
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
        return Step(
            index=k,
            arithmetic=dot_text(f"y[{oi},{oj}]", terms, self.result[oi, oj]),
            value=float(self.result[oi, oj]),
            terms=tuple((float(a), float(b)) for a, b in terms),
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


# --------------------------------------------------------------------------------------------
# The output size, written out
# --------------------------------------------------------------------------------------------


def padding_word(p: Mapping[str, Any], out_size: Sequence[int] | None, rule: str) -> list[Formula]:
    word = p.get("padding")
    if out_size is None:
        return [axis_label(f"padding={word!r}", rule)]
    rows, cols = out_size
    size = f"{rows}" if rows == cols else f"{rows} × {cols}"
    return [axis_label(f"padding={word!r}", f"{rule} = {size}")]


def conv_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None
) -> list[Formula]:
    if isinstance(p.get("padding"), str):
        if p["padding"] == "same":
            return padding_word(p, out, "o = ⌈i/s⌉")
        p = {**p, "padding": 0}
    lines: list[Formula] = []
    keys = {
        k: p.get(k, d)
        for k, d in (("kernel_size", 1), ("stride", 1), ("padding", 0), ("dilation", 1))
    }
    for name, n in formula_axes(in_size, None, keys):
        i, k, s, pad, d = n["i"], n["kernel_size"], n["stride"], n["padding"], n["dilation"]
        o = conv_output_size(i, k, s, pad, d)
        lines.append(
            axis_label(
                name,
                (
                    f"o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 = "
                    f"⌊({fnum(i)} + {fnum(2 * pad)} − {fnum(d * (k - 1))} − 1)/{fnum(s)}⌋ + 1"
                    f" = {fnum(o)}"
                ),
            )
        )
    return lines


# --------------------------------------------------------------------------------------------
# The operator table's entry
# --------------------------------------------------------------------------------------------


def _conv_shape(in_shape: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
    """The output's size from the windows alone, without building im2col or convolving."""
    weight = np.shape(np.asarray(params["weight"]))
    d = positive_pair("dilation", params.get("dilation", 1))
    g = conv_geometry(
        in_shape,
        weight,
        params.get("stride", 1),
        params.get("padding", 0),
        params.get("dilation", 1),
    )
    size = []
    for axis, pad in enumerate((g.pad_rows, g.pad_cols)):
        span = d[axis] * (weight[-2 + axis] - 1) + 1
        size.append((in_shape[-2 + axis] + pad[0] + pad[1] - span) // g.stride[axis] + 1)
    if min(size) < 1:
        raise EngineError("the kernel's window does not fit the padded input")
    return (*in_shape[:-2], size[0], size[1])


CONV2D = Operator(
    name="conv2d",
    words="convolution",
    story=(
        "The seed post's convolution: each output cell is a window of x times w. im2col lays the "
        "windows out as rows, so the whole convolution is one matrix product, xᵀ · W1 = r{w1}; "
        "the transposed convolution multiplies by W1ᵀ to go back."
    ),
    pytorch="F.conv2d",
    function=conv2d,
    trace=Conv2dTrace,
    formula=conv_formula,
    parameters=(KERNEL_SIZE, STRIDE, CONV_PADDING, DILATION, method_parameter(("im2col",))),
    step="a row of im2col times the flattened kernel",
    aliases=("conv",),
    methods=("im2col",),
    kernel=True,
    grouped=True,
    grows_with="the padding",
    shape=_conv_shape,
)
