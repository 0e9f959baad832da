"""The NumPy engine: every operator tui-upsample shows, exact to PyTorch, and their step traces.

Pure NumPy: nothing here imports textual or rich. Arrays may be (H, W), (C, H, W) or
(N, C, H, W); results keep the caller's layout; values are float64.

One module per operator family, each read top to bottom like a textbook section: the operator,
its step trace, its output-size formula and its table entry (:mod:`.pooling`, :mod:`.unpooling`,
:mod:`.upsampling`, :mod:`.bilinear`, :mod:`.pixel_shuffle`, :mod:`.convolution`,
:mod:`.transposed`, with :mod:`.conv_matrix` for W1 / W2 and :mod:`.faces` for the three faces
side by side). Lessons have rooms of their own (:mod:`.overlap`, :mod:`.adjoint`,
:mod:`.conventions`, :mod:`.output_padding`, :mod:`.ceil_mode`).
:mod:`.operators` is the table every other layer reads, and :func:`trace` the way in.
"""

from tui_upsample.engine.bilinear import upsample_bilinear
from tui_upsample.engine.conv_matrix import ConvMatrix, conv_matrix, conv_matrix_block
from tui_upsample.engine.convolution import col2im, conv2d, im2col
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.operators import METHODS, OPERATORS, trace
from tui_upsample.engine.pixel_shuffle import pixel_shuffle, pixel_unshuffle
from tui_upsample.engine.pooling import avg_pool2d, max_pool2d
from tui_upsample.engine.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    unpool_default_size,
)
from tui_upsample.engine.steps import Grid, Step, Trace
from tui_upsample.engine.transposed import conv_transpose2d
from tui_upsample.engine.unpooling import max_unpool2d
from tui_upsample.engine.upsampling import bed_of_nails, upsample_nearest

__all__ = [
    "METHODS",
    "OPERATORS",
    "ConvMatrix",
    "EngineError",
    "Grid",
    "Step",
    "Trace",
    "avg_pool2d",
    "bed_of_nails",
    "col2im",
    "conv2d",
    "conv_matrix",
    "conv_matrix_block",
    "conv_output_size",
    "conv_transpose2d",
    "conv_transpose_output_size",
    "im2col",
    "max_pool2d",
    "max_unpool2d",
    "pixel_shuffle",
    "pixel_unshuffle",
    "pool_output_size",
    "trace",
    "unpool_default_size",
    "upsample_bilinear",
    "upsample_nearest",
]
