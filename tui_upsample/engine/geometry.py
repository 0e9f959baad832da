"""Where each window of a convolution sits, and where a transposed convolution's output is cut.

Both kinds of padding are resolved here: PyTorch's symmetric integers and TensorFlow/Keras's
``"same"``/``"valid"``, whose odd extra row or column goes to the bottom/right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.validation import fail, non_negative_pair, pair, positive_pair

Pair = tuple[int, int]


@dataclass(frozen=True)
class ConvGeometry:
    """A convolution's windows: window (i, j) starts at input (i·s − top, j·s − left)."""

    stride: Pair
    dilation: Pair
    pad_rows: Pair  # (top, bottom)
    pad_cols: Pair  # (left, right)
    output: Pair


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


def _effective(k: int, d: int) -> int:
    return d * (k - 1) + 1


def conv_geometry(
    input_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
) -> ConvGeometry:
    """The windows of a convolution of an (H, W) input with a (kH, kW) kernel."""
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    h, w = input_shape[-2:]
    kh, kw = kernel_shape[-2:]
    pads: list[Pair] = []
    out: list[int] = []
    for axis, (i, k) in enumerate(((h, kh), (w, kw))):
        keff = _effective(k, d[axis])
        if isinstance(padding, str):
            if padding == "valid":
                lo = hi = 0
            elif padding == "same":
                o = -(-i // s[axis])
                total = max((o - 1) * s[axis] + keff - i, 0)
                lo, hi = total // 2, total - total // 2
            else:
                raise fail("padding", padding, "must be an integer, a pair, 'same' or 'valid'")
        else:
            p = non_negative_pair("padding", padding)[axis]
            lo = hi = p
        if i + lo + hi < keff:
            raise EngineError(
                f"kernel_size={(kh, kw)}: with dilation {d} the kernel spans {keff} cells,"
                f" more than the padded input's {i + lo + hi}"
            )
        pads.append((lo, hi))
        out.append((i + lo + hi - keff) // s[axis] + 1)
    return ConvGeometry(s, d, pads[0], pads[1], (out[0], out[1]))


def transposed_geometry(
    input_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    dilation: Any = 1,
) -> TransposedGeometry:
    """Where a transposed convolution's full output is cut, PyTorch's way or Keras's."""
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    a = pair("output_padding", output_padding)
    h, w = input_shape[-2:]
    kh, kw = kernel_shape[-2:]
    crop: list[int] = []
    out: list[int] = []
    for axis, (i, k) in enumerate(((h, kh), (w, kw))):
        keff = _effective(k, d[axis])
        if isinstance(padding, str):
            if padding == "valid":
                top, o = 0, i * s[axis] + max(keff - s[axis], 0)
            elif padding == "same":
                # Keras: the gradient of a 'same' convolution of an (i·s)-long input.
                o = i * s[axis]
                top = max(keff - s[axis], 0) // 2
            else:
                raise fail("padding", padding, "must be an integer, a pair, 'same' or 'valid'")
        else:
            p = non_negative_pair("padding", padding)[axis]
            if a[axis] < 0 or a[axis] >= max(s[axis], d[axis]):
                raise fail(
                    "output_padding",
                    output_padding,
                    "must be at least 0 and smaller than stride or dilation"
                    f" ({max(s[axis], d[axis])})",
                )
            top = p
            o = (i - 1) * s[axis] - 2 * p + keff + a[axis]
        if o < 1:
            raise EngineError(
                f"padding={padding!r}: the transposed output would have {o} rows/cols;"
                " it needs at least 1"
            )
        crop.append(top)
        out.append(o)
    return TransposedGeometry(s, d, (kh, kw), (crop[0], crop[1]), (out[0], out[1]))
