"""Where each window of a convolution sits, and where a transposed convolution's output is cut.

The padding rules themselves (PyTorch's symmetric integers, Keras's ``"same"``/``"valid"``) live in
:mod:`tui_upsample.engine.convolution`; this module turns them into the coordinates a trace needs.
Call it after the operator itself has accepted the arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui_upsample.engine.convolution import forward_padding, padding_arg, transpose_window
from tui_upsample.engine.validation import pair, positive_pair

Pair = tuple[int, int]


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
