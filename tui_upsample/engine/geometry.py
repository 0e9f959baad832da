"""Padding and where each window sits: PyTorch's symmetric integers, Keras's 'same' / 'valid', and
where a transposed convolution's full output is cut.

The checks here name the parameter to blame when a padded input would be too large to build.
Everything works on (rows, cols) pairs whose values the operator has already accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.validation import (
    Pair,
    _show,
    fail,
    non_negative_pair,
    pair,
    positive_pair,
)

Span = tuple[int, int]
"""A window or slice ``(start, stop)``: ``stop`` is exclusive, as in Python."""

PaddingArg = int | tuple[int, int] | str


_PADDING_RULE = "must be an integer, a pair of integers, 'valid' or 'same'"


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


def effective_span(kernel: Pair, dilation: Pair) -> Pair:
    """The span d·(k−1)+1 a dilated kernel covers, per axis."""
    return (
        dilation[0] * (kernel[0] - 1) + 1,
        dilation[1] * (kernel[1] - 1) + 1,
    )


def reach(k: int, d: int) -> int:
    """The span d·(k−1)+1 a dilated kernel covers along one axis."""
    return d * (k - 1) + 1


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
        for i, k, s in zip(size, effective_span(kernel, dilation), stride, strict=True):
            o = -(-i // s)
            total = max((o - 1) * s + k - i, 0)
            sides.append((total // 2, total - total // 2))
        return sides[0], sides[1]
    assert isinstance(padding, tuple)
    return (padding[0], padding[0]), (padding[1], padding[1])


def check_fits(what: str, kernel: Pair, dilation: Pair, size: Pair, pad: tuple[Pair, Pair]) -> Pair:
    """The output size of a convolution, after checking that the dilated kernel fits."""
    k_eff = effective_span(kernel, dilation)
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


def growth_blame(
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
    k_eff = effective_span(kernel, dilation)
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


# --------------------------------------------------------------------------------------------
# The coordinates a trace needs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConvGeometry:
    """A convolution's windows: window (i, j) starts at input (i·s − top, j·s − left)."""

    stride: Pair
    dilation: Pair
    pad_rows: Pair  # (top, bottom)
    pad_cols: Pair  # (left, right)


@dataclass(frozen=True)
class TransposedGeometry:
    """A transposed convolution: input (i, j) scatters its kernel to start at output
    (i·s − top, j·s − left); ``crop`` is (top, left) and ``output`` the output's size."""

    stride: Pair
    dilation: Pair
    kernel: Pair
    crop: Pair
    output: Pair

    def padded_offset(self, axis: int) -> int:
        """Where input row/col 0 lands in the zero-inserted, padded input: d(k−1) − crop."""
        return self.dilation[axis] * (self.kernel[axis] - 1) - self.crop[axis]

    @property
    def padded_size(self) -> Pair:
        """The zero-inserted, padded input: the output grown by d(k−1) per axis."""
        return (
            self.output[0] + self.dilation[0] * (self.kernel[0] - 1),
            self.output[1] + self.dilation[1] * (self.kernel[1] - 1),
        )

    def input_at_padded(self, cell: tuple[int, int], input_shape: tuple[int, ...]) -> Pair | None:
        """The input cell sitting at ``cell`` of the zero-inserted, padded input, if any."""
        found = []
        for axis in (0, 1):
            offset = cell[axis] - self.padded_offset(axis)
            s = self.stride[axis]
            if offset % s or not 0 <= offset // s < input_shape[axis]:
                return None
            found.append(offset // s)
        return (found[0], found[1])


def conv_geometry(
    input_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
) -> ConvGeometry:
    """The windows of a convolution of an (H, W) input with a (kH, kW) kernel."""
    s, d = positive_pair("stride", stride), positive_pair("dilation", dilation)
    size = (input_shape[-2], input_shape[-1])
    kernel = (kernel_shape[-2], kernel_shape[-1])
    rows, cols = forward_padding(padding_arg(padding), size, kernel, s, d)
    return ConvGeometry(s, d, rows, cols)


def transposed_geometry(
    input_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    dilation: Any = 1,
) -> TransposedGeometry:
    """Where a transposed convolution's full output is cut, PyTorch's way or Keras's."""
    s, d = positive_pair("stride", stride), positive_pair("dilation", dilation)
    size = (input_shape[-2], input_shape[-1])
    kernel = (kernel_shape[-2], kernel_shape[-1])
    rows, cols = transpose_window(
        padding_arg(padding), pair("output_padding", output_padding), size, kernel, s, d
    )
    return TransposedGeometry(s, d, kernel, (rows[0], cols[0]), (rows[1], cols[1]))
