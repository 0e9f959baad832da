"""Convolution, transposed convolution, im2col / col2im and the convolution matrix W1.

Everything here is exact to PyTorch (``F.conv2d``, ``F.conv_transpose2d``, ``F.unfold``,
``F.fold``) in float64, and vectorised: Python only ever loops over kernel offsets or stride
phases, never over output positions.

Arrays may be (H, W), (C, H, W) or (N, C, H, W); results keep the caller's layout. A 2-D
``(kH, kW)`` kernel goes with a 2-D ``x`` (one channel in, one channel out).

``padding`` takes, besides an int or an (h, w) pair, the TensorFlow / Keras strings ``"valid"``
and ``"same"``; see :func:`conv2d` and :func:`conv_transpose2d` for what they mean there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.validation import (
    Pair,
    _show,
    as_grid,
    count_text,
    fail,
    float_array,
    non_negative_pair,
    pair,
    positive_int,
    positive_pair,
    room_for,
    to_batched,
)

__all__ = [
    "ConvMatrix",
    "col2im",
    "conv2d",
    "conv_matrix",
    "conv_matrix_block",
    "conv_transpose2d",
    "im2col",
]

PaddingArg = int | tuple[int, int] | str
Index = int | slice | range

_PADDING_RULE = "must be an integer, a pair of integers, 'valid' or 'same'"

# The largest row, column or window reach a ConvMatrix takes: its blocks are computed with int64
# indices, which must not overflow (nor must len(), which Python caps at sys.maxsize).
_MAX_INDEX = 2**62


# --------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------


def padding_arg(padding: Any) -> str | Pair:
    """``"valid"`` / ``"same"`` (lower-cased), or a non-negative (h, w) pair."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode not in ("valid", "same"):
            raise fail("padding", padding, _PADDING_RULE)
        return mode
    try:
        return non_negative_pair("padding", padding)
    except EngineError as exc:
        if "must not be negative" in str(exc):
            raise
        raise fail("padding", padding, _PADDING_RULE) from None


def _effective(kernel: Pair, dilation: Pair) -> Pair:
    """The span d·(k−1)+1 a dilated kernel covers, per axis."""
    return (
        dilation[0] * (kernel[0] - 1) + 1,
        dilation[1] * (kernel[1] - 1) + 1,
    )


def forward_padding(
    padding: str | Pair, size: Pair, kernel: Pair, stride: Pair, dilation: Pair
) -> tuple[Pair, Pair]:
    """Rows added at (top, bottom) and columns at (left, right) before a convolution.

    'same' is TensorFlow's rule: the output is ⌈i/s⌉ long, the total padding is
    max((o−1)s + d(k−1)+1 − i, 0), and an odd extra row / column goes to the bottom / right.
    """
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        sides = []
        for i, k, s in zip(size, _effective(kernel, dilation), stride, strict=True):
            o = -(-i // s)
            total = max((o - 1) * s + k - i, 0)
            sides.append((total // 2, total - total // 2))
        return sides[0], sides[1]
    assert isinstance(padding, tuple)
    return (padding[0], padding[0]), (padding[1], padding[1])


def _check_fits(
    what: str, kernel: Pair, dilation: Pair, size: Pair, pad: tuple[Pair, Pair]
) -> Pair:
    """The output size of a convolution, after checking that the dilated kernel fits."""
    k_eff = _effective(kernel, dilation)
    padded = (size[0] + sum(pad[0]), size[1] + sum(pad[1]))
    if k_eff[0] > padded[0] or k_eff[1] > padded[1]:
        raise EngineError(
            f"{what}: with dilation={_show(dilation)} the kernel spans {_show(k_eff)}, "
            f"which must fit in the padded input of size {_show(padded)}"
        )
    return padded


def padding_blame(
    padding: Any, dilation: Any, whole: tuple[str, Any], size: Pair, pad: tuple[Pair, Pair]
) -> tuple[str, Any]:
    """The (name, value) to blame when a padded input, or what grows with it, is too large.

    ``whole`` is the input itself (``("x", x)``, or ``input_size`` / ``output_size``): to blame
    when the padding adds less than the input already has. Otherwise the padding, or with
    'same' the dilation that made the padding huge.
    """
    if max(sum(pad[0]), sum(pad[1])) <= max(size):
        return whole
    if isinstance(padding, str) and max(pair("dilation", dilation)) > 1:
        return "dilation", dilation
    return "padding", padding


def _growth_blame(
    whole: tuple[str, Any],
    weight: tuple[str, Any],
    stride: Any,
    dilation: Any,
    size: Pair,
    kernel: Pair,
) -> tuple[str, Any]:
    """What made a transposed convolution's output large: its rows are i + (i−1)(s−1) + (k−1)
    + (d−1)(k−1) (and likewise its columns), so blame whichever term is the largest."""
    s, d = pair("stride", stride), pair("dilation", dilation)
    terms = [
        (max(size), whole),
        (max((size[a] - 1) * (s[a] - 1) for a in (0, 1)), ("stride", stride)),
        (max((d[a] - 1) * (kernel[a] - 1) for a in (0, 1)), ("dilation", dilation)),
        (max(kernel), weight),
    ]
    return max(terms, key=lambda t: t[0])[1]


def _as_weight(weight: Any) -> np.ndarray:
    """A float64 kernel: 2-D (kH, kW) or 4-D (C_out or C_in, …, kH, kW), all finite."""
    arr = float_array("weight", weight, "must be an array of numbers")
    if arr.ndim not in (2, 4):
        raise EngineError(
            f"weight has shape {arr.shape}: must be 4-D (out, in, kH, kW) or a 2-D (kH, kW) kernel"
        )
    return as_grid("weight", arr)


def _as_bias(bias: Any, channels: int) -> np.ndarray | None:
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


def _weight_4d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weight as 4-D, checking that a 2-D kernel comes with a 2-D x and vice versa."""
    if w.ndim == 2:
        if x.ndim != 2:
            raise EngineError(
                f"weight has shape {w.shape}: a 2-D (kH, kW) kernel needs a 2-D x, but x has "
                f"shape {x.shape}; use a 4-D weight for channels"
            )
        return w[None, None]
    return w


def _check_2d_x_out(x: np.ndarray, w: np.ndarray, out_channels: int) -> None:
    """A 2-D x is one channel and gives a 2-D result, so the kernel must give one channel."""
    if x.ndim == 2 and out_channels != 1:
        raise EngineError(
            f"weight has shape {w.shape}: a 2-D x gives a 2-D result, so the weight must give "
            f"1 output channel, not {out_channels}; pass x as (1, H, W) for more channels"
        )


# --------------------------------------------------------------------------------------------
# Cores (on (N, C, H, W) float64 arrays whose arguments have been checked)
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
        # (G, n_off·C_out/g, C_in/g): all offsets of this phase in one matmul.
        stacked = wg[:, :, :, rows, cols].transpose(0, 3, 1, 2).reshape(groups, -1, c_ig)
        y = (stacked @ phases[:, ra, rb]).reshape(n, groups, len(offsets), c_og, hq * wq)
        for t, (_, _, start) in enumerate(offsets):
            out += y[:, :, t, :, start : start + run]
    return np.ascontiguousarray(out.reshape(n, c_out, ho, wq)[:, :, :, :wo])


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

    # (G, kH·kW·C_out/g, C_in/g) @ (N, G, C_in/g, H·W): every value times every kernel tap.
    wt = w.reshape(groups, c_ig, c_og, kh, kw).transpose(0, 3, 4, 2, 1).reshape(groups, -1, c_ig)
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
            out[..., rows, x0 : x0 + (nj - 1) * sw + 1 : sw] += cols[
                :, :, a, b, :, i0 : i0 + ni, j0 : j0 + nj
            ]
    return out.reshape(n, groups * c_og, out_h, out_w)


# --------------------------------------------------------------------------------------------
# conv2d / conv_transpose2d
# --------------------------------------------------------------------------------------------


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
    """
    xa = as_grid("x", x)
    w = _as_weight(weight)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    g = positive_int("groups", groups)
    pad_arg = padding_arg(padding)
    w4 = _weight_4d(xa, w)
    _check_2d_x_out(xa, w, w4.shape[0])

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
    b = _as_bias(bias, c_out)

    size = (x4.shape[2], x4.shape[3])
    pad = forward_padding(pad_arg, size, (kh, kw), s, d)
    padded = _check_fits(f"weight has shape {w.shape}", (kh, kw), d, size, pad)
    k_eff = _effective((kh, kw), d)
    out_hw = ((padded[0] - k_eff[0]) // s[0] + 1, (padded[1] - k_eff[1]) // s[1] + 1)
    blame = padding_blame(padding, dilation, ("x", xa), size, pad)
    room_for(*blame, (x4.shape[0], c_out) + out_hw)

    y = _conv_core(x4, w4, s, (pad[0][0], pad[1][0]), d, g, out_hw, blame)
    if b is not None:
        y += b[None, :, None, None]
    return restore(y)


def transpose_window(
    padding: str | Pair,
    output_padding: Pair,
    size: Pair,
    kernel: Pair,
    stride: Pair,
    dilation: Pair,
) -> tuple[Pair, Pair]:
    """Per axis, (first row of the full transposed output kept, number of rows kept).

    The full output has F = (i−1)s + d(k−1) + 1 rows.

    * PyTorch (integer padding p, output_padding a): keep F − 2p + a rows from row p, i.e. crop
      p at each end and append a (rows past F are zeros, plus bias).
    * Keras 'valid': keep i·s + max(d(k−1)+1 − s, 0) rows from row 0 (all of F, plus zero rows
      when the kernel is shorter than the stride).
    * Keras / TF 'same': keep i·s rows. TF computes this as the gradient of the forward 'same'
      conv from i·s to i, whose padding is pad_total = max(d(k−1)+1 − s, 0) with
      pad_top = ⌊pad_total/2⌋; so rows pad_top … pad_top + i·s − 1 of the full output are kept:
      ⌊pad_total/2⌋ dropped at the top, the rest (the odd one too) at the bottom.
    """
    k_eff = _effective(kernel, dilation)
    window = []
    for axis in (0, 1):
        i, s, k = size[axis], stride[axis], k_eff[axis]
        full = (i - 1) * s + k
        if padding == "valid":
            window.append((0, i * s + max(k - s, 0)))
        elif padding == "same":
            window.append((max(k - s, 0) // 2, i * s))
        else:
            assert isinstance(padding, tuple)
            window.append((padding[axis], full - 2 * padding[axis] + output_padding[axis]))
    return window[0], window[1]


def checked_transpose_window(
    padding: Any,
    output_padding: Any,
    size: Pair,
    kernel: Pair,
    stride: Pair,
    dilation: Pair,
) -> tuple[str | Pair, Pair, tuple[Pair, Pair]]:
    """The padding, output_padding and :func:`transpose_window` of a transposed convolution,
    after checking PyTorch's rules: output_padding below stride or dilation (and 0 with a padding
    string, which fixes the size itself) and an output of at least one row and column."""
    pad_arg = padding_arg(padding)
    op = non_negative_pair("output_padding", output_padding)
    if isinstance(pad_arg, str):
        if op != (0, 0):
            raise fail(
                "output_padding",
                output_padding,
                f"must be 0 with padding={padding!r}, which fixes the output size itself",
            )
    else:
        limit = (max(stride[0], dilation[0]), max(stride[1], dilation[1]))
        if op[0] >= limit[0] or op[1] >= limit[1]:
            raise fail("output_padding", op, f"must be smaller than stride or dilation {limit}")
    window = transpose_window(pad_arg, op, size, kernel, stride, dilation)
    out_hw = (window[0][1], window[1][1])
    if min(out_hw) < 1:
        raise fail(
            "padding",
            padding,
            f"gives an output of size {_show(out_hw)}: (i−1)·stride − 2·padding + "
            f"dilation·(k−1) + output_padding + 1 must be at least 1",
        )
    return pad_arg, op, window


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
    w = _as_weight(weight)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    g = positive_int("groups", groups)
    padding_arg(padding)  # its own rules first; output_padding is checked with the output size
    w4 = _weight_4d(xa, w)

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
    _check_2d_x_out(xa, w, c_out)
    b = _as_bias(bias, c_out)

    size = (x4.shape[2], x4.shape[3])
    kernel = (w4.shape[2], w4.shape[3])
    _, _, window = checked_transpose_window(padding, output_padding, size, kernel, s, d)
    out_hw = (window[0][1], window[1][1])
    n, _, h, wd = x4.shape
    blame = _growth_blame(("x", xa), ("weight", w), stride, dilation, size, kernel)
    room_for(*blame, (n, c_out) + out_hw)
    # The products of every input value with every kernel tap, before they are added up.
    room_for("weight", w, (n, c_out, kernel[0] * kernel[1], h, wd), "every x value times every tap")

    y = _conv_transpose_core(x4, w4, s, d, g, window)
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
    padded = _check_fits(f"kernel_size={_show(kernel_size)}", k, d, size, pad)
    k_eff = _effective(k, d)
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
    k_eff = _effective(k, d)
    windows = sliding_window_view(xp, k_eff, axis=(2, 3))[
        :, :, :: s[0], :: s[1], :: d[0], :: d[1]
    ]  # (N, C, Ho, Wo, kH, kW), a view
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n, ho * wo, c * k[0] * k[1])
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
# The convolution matrix W1 (and W2 = W1ᵀ)
# --------------------------------------------------------------------------------------------


def _as_kernel_2d(weight: Any) -> np.ndarray:
    w = float_array("weight", weight, "must be an array of numbers")
    if w.ndim != 2:
        raise EngineError(f"weight has shape {w.shape}: the matrix W1 needs a 2-D (kH, kW) kernel")
    return _as_weight(w)


def _as_range(index: Any, length: int, axis: str) -> tuple[range, bool]:
    """An index of one axis as a range, and whether it was a single int (that axis is dropped)."""
    if isinstance(index, (bool, np.bool_)):
        raise EngineError(f"{axis} index {index!r}: must be an integer, a slice or a range")
    if isinstance(index, (int, np.integer)):
        i = int(index)
        if not -length <= i < length:
            raise EngineError(f"{axis} index {i}: must be in [-{length}, {length})")
        i %= length
        return range(i, i + 1), True
    if isinstance(index, slice):
        try:
            return range(*index.indices(length)), False
        except (TypeError, ValueError) as exc:
            raise EngineError(f"{axis} index {index!r}: not a valid slice ({exc})") from None
    if isinstance(index, range):
        if len(index) and not (0 <= min(index[0], index[-1]) and max(index[0], index[-1]) < length):
            raise EngineError(f"{axis} index {index!r}: must lie in [0, {length})")
        return index, False
    raise EngineError(f"{axis} index {index!r}: must be an integer, a slice or a range")


def _w1_block(
    w: np.ndarray,
    in_hw: Pair,
    out_hw: Pair,
    stride: Pair,
    pad_tl: Pair,
    dilation: Pair,
    rows: range,
    cols: range,
) -> np.ndarray:
    """W1[rows, cols]: W1[p, q] = w[a, b] when input cell p is the (a, b) tap of window q.

    Window q = (qi, qj) reads input cell (qi·s − pad + a·d, qj·s − pad + b·d) with w[a, b]; so
    for each of the kH·kW taps, one vectorised pass over the wanted columns finds its row.
    """
    h, wd = in_hw
    block = np.zeros((len(rows), len(cols)))
    if not len(rows) or not len(cols):
        return block
    q = np.arange(cols.start, cols.stop, cols.step)
    qi, qj = np.divmod(q, out_hw[1])
    where = np.arange(len(cols))
    kh, kw = w.shape
    # With one window along an axis its stride is never stepped: 1 keeps int64 from overflowing
    # under a stride of 2**63.
    sh, sw = (stride[0] if out_hw[0] > 1 else 1), (stride[1] if out_hw[1] > 1 else 1)
    for a in range(kh):
        pi = qi * sh - pad_tl[0] + a * dilation[0]
        for b in range(kw):
            pj = qj * sw - pad_tl[1] + b * dilation[1]
            ok = (pi >= 0) & (pi < h) & (pj >= 0) & (pj < wd)
            r, rem = np.divmod(pi * wd + pj - rows.start, rows.step)
            ok &= (rem == 0) & (r >= 0) & (r < len(rows))
            block[r[ok], where[ok]] = w[a, b]
    return block


class ConvMatrix:
    """The convolution matrix W1 of a 2-D kernel on an H×W input, or its transpose W2 = W1ᵀ.

    W1 has shape (H·W, H_out·W_out) and ``x.ravel() @ W1 == conv2d(x, w, …).ravel()``: column q
    holds the kernel laid over window q. Nothing is built until a block is asked for, so a
    4096 × 3844 W1 (64×64 input, 3×3 kernel) costs only the block the screen shows.

    ``m[rows, cols]`` gives a dense block (ints, slices or ranges, like NumPy); ``m.T`` is the
    transpose, sharing everything; ``m.to_array()`` builds the whole matrix.
    """

    def __init__(
        self,
        weight: ArrayLike,
        input_size: int | Pair,
        stride: int | Pair = 1,
        padding: PaddingArg = 0,
        dilation: int | Pair = 1,
    ) -> None:
        w = _as_kernel_2d(weight)
        size = positive_pair("input_size", input_size)
        s = positive_pair("stride", stride)
        d = positive_pair("dilation", dilation)
        k = (w.shape[0], w.shape[1])
        pad = forward_padding(padding_arg(padding), size, k, s, d)
        padded = _check_fits(f"weight has shape {w.shape}", k, d, size, pad)
        k_eff = _effective(k, d)
        out = ((padded[0] - k_eff[0]) // s[0] + 1, (padded[1] - k_eff[1]) // s[1] + 1)
        blame = padding_blame(padding, dilation, ("input_size", input_size), size, pad)
        self._set(w, size, out, s, (pad[0][0], pad[1][0]), d, transposed=False, blame=blame)

    def _set(
        self,
        w: np.ndarray,
        in_hw: Pair,
        out_hw: Pair,
        stride: Pair,
        pad_tl: Pair,
        dilation: Pair,
        transposed: bool,
        blame: tuple[str, Any],
    ) -> None:
        # Blocks are computed with int64 indices: refuse a geometry whose row or column count,
        # or the reach of whose windows, would overflow them (or len(), capped at sys.maxsize).
        rows, cols = in_hw[0] * in_hw[1], out_hw[0] * out_hw[1]
        name = "W2 = W1ᵀ" if transposed else "W1"
        if max(rows, cols) > _MAX_INDEX:
            shape = f"{count_text(rows)} × {count_text(cols)}"
            if transposed:
                shape = f"{count_text(cols)} × {count_text(rows)}"
            raise fail(
                *blame,
                f"{name} would be {shape}, more rows or columns than its int64 indices "
                f"can address (2^62)",
            )
        for a in (0, 1):
            step = stride[a] if out_hw[a] > 1 else 1
            reach = (out_hw[a] - 1) * step + pad_tl[a] + dilation[a] * (w.shape[a] - 1) + in_hw[a]
            if reach > _MAX_INDEX:
                raise fail(
                    *blame,
                    f"the windows of {name} would reach {count_text(reach)} cells along one "
                    f"axis, more than its int64 indices can address (2^62)",
                )
        self._blame = blame
        self._w = w
        self._in = in_hw
        self._out = out_hw
        self._stride = stride
        self._pad = pad_tl
        self._dilation = dilation
        self.transposed = transposed

    @classmethod
    def for_conv_transpose2d(
        cls,
        weight: ArrayLike,
        input_size: int | Pair,
        stride: int | Pair = 1,
        padding: PaddingArg = 0,
        output_padding: int | Pair = 0,
        dilation: int | Pair = 1,
    ) -> ConvMatrix:
        """W2 of a transposed convolution on an input of ``input_size`` (transposed=True).

        Shape (H_in·W_in, H_out·W_out) and ``r.ravel() @ W2 ==
        conv_transpose2d(r, weight, stride=…, padding=…, output_padding=…,
        dilation=…).ravel()``. It is the W1ᵀ of the convolution from the H_out×W_out output back
        to H_in×W_in, keeping only the windows that exist in the input.
        """
        w = _as_kernel_2d(weight)
        size = positive_pair("input_size", input_size)
        s = positive_pair("stride", stride)
        d = positive_pair("dilation", dilation)
        k = (w.shape[0], w.shape[1])
        _, _, window = checked_transpose_window(padding, output_padding, size, k, s, d)
        out_hw = (window[0][1], window[1][1])
        m = cls.__new__(cls)
        blame = _growth_blame(("input_size", input_size), ("weight", w), stride, dilation, size, k)
        # Output cell y of the transposed conv is full row y + start, so the forward conv it is
        # the adjoint of reads input row j·s − start + a·d: a conv padded by `start`.
        m._set(w, out_hw, size, s, (window[0][0], window[1][0]), d, transposed=True, blame=blame)
        return m

    @property
    def shape(self) -> tuple[int, int]:
        """(H·W, H_out·W_out) for W1; the other way round for W2."""
        w1 = (self._in[0] * self._in[1], self._out[0] * self._out[1])
        return (w1[1], w1[0]) if self.transposed else w1

    @property
    def T(self) -> ConvMatrix:  # noqa: N802 - NumPy's name for the transpose
        """The transpose, sharing the kernel and the geometry."""
        m = ConvMatrix.__new__(ConvMatrix)
        m._set(
            self._w,
            self._in,
            self._out,
            self._stride,
            self._pad,
            self._dilation,
            transposed=not self.transposed,
            blame=self._blame,
        )
        return m

    @property
    def input_size(self) -> Pair:
        """(H, W) of the forward convolution's input (the rows of W1)."""
        return self._in

    @property
    def output_size(self) -> Pair:
        """(H_out, W_out) of the forward convolution's output (the columns of W1)."""
        return self._out

    def __getitem__(self, key: Any) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key, slice(None))
        if len(key) != 2:
            raise EngineError(f"index {key!r}: a ConvMatrix takes [rows, cols]")
        n_rows, n_cols = self.shape
        rows, drop_r = _as_range(key[0], n_rows, "row")
        cols, drop_c = _as_range(key[1], n_cols, "column")
        room_for("index", key, (len(rows), len(cols)), "the block")
        if self.transposed:
            block = _w1_block(
                self._w, self._in, self._out, self._stride, self._pad, self._dilation, cols, rows
            ).T
        else:
            block = _w1_block(
                self._w, self._in, self._out, self._stride, self._pad, self._dilation, rows, cols
            )
        if drop_r and drop_c:
            return block[0, 0]
        if drop_r:
            return block[0]
        if drop_c:
            return block[:, 0]
        return block

    def same_as(self, other: object) -> bool:
        """Whether ``other`` is a ConvMatrix holding the same numbers: the same kernel values,
        geometry and orientation. Cheap (no block is built): a new trace after an edit of the
        input has the same W2, and a view need not redraw it."""
        if not isinstance(other, ConvMatrix):
            return False
        return (
            self.transposed == other.transposed
            and (self._in, self._out, self._stride, self._pad, self._dilation)
            == (other._in, other._out, other._stride, other._pad, other._dilation)
            and self._w.shape == other._w.shape
            and bool(np.array_equal(self._w, other._w))
        )

    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(self.shape[0]):
            yield self[i]

    def to_array(self) -> np.ndarray:
        """The whole matrix, dense (refused past MAX_CELLS, naming what made it that large)."""
        room_for(*self._blame, self.shape, "W2 = W1ᵀ" if self.transposed else "W1")
        return np.ascontiguousarray(self[:, :])

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.to_array()
        return arr if dtype is None else arr.astype(dtype)

    def __repr__(self) -> str:
        name = "W2 = W1ᵀ" if self.transposed else "W1"
        return (
            f"ConvMatrix({name}, shape={self.shape}, kernel={self._w.shape}, "
            f"input_size={self._in}, stride={self._stride}, dilation={self._dilation})"
        )


def conv_matrix(
    weight: ArrayLike,
    input_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingArg = 0,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """W1, dense: (H·W, H_out·W_out) with ``x.ravel() @ W1 == conv2d(x, w, …).ravel()``.

    Read the other way, W1ᵀ is a transposed convolution: ``r.ravel() @ W1.T ==
    conv_transpose2d(r, w, stride, padding, output_padding=a, dilation=d).ravel()`` with
    a = (H + 2p − d(k−1) − 1) mod s per axis — the output_padding that makes the transposed
    output H×W again (integer padding; always < stride, so allowed).
    """
    return ConvMatrix(weight, input_size, stride, padding, dilation).to_array()


def conv_matrix_block(
    weight: ArrayLike,
    input_size: int | Pair,
    rows: Index,
    cols: Index,
    stride: int | Pair = 1,
    padding: PaddingArg = 0,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """``conv_matrix(...)[rows, cols]`` without building W1 whole (rows/cols: slices or ranges)."""
    return ConvMatrix(weight, input_size, stride, padding, dilation)[rows, cols]
