"""The NumPy engine: every operator tui-upsample shows, exact to PyTorch, and their step traces.

Pure NumPy: nothing here imports textual or rich. Arrays may be (H, W), (C, H, W) or
(N, C, H, W); results keep the caller's layout; values are float64.
"""

from tui_upsample.engine.convolution import (
    ConvMatrix,
    col2im,
    conv2d,
    conv_matrix,
    conv_matrix_block,
    conv_transpose2d,
    im2col,
)
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.pooling import max_pool2d, max_unpool2d
from tui_upsample.engine.resampling import (
    bed_of_nails,
    pixel_shuffle,
    upsample_bilinear,
    upsample_nearest,
)
from tui_upsample.engine.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    unpool_default_size,
)
from tui_upsample.engine.steps import Grid, Step, Trace
from tui_upsample.engine.traces import METHODS, OPERATORS, trace

__all__ = [
    "METHODS",
    "OPERATORS",
    "ConvMatrix",
    "EngineError",
    "Grid",
    "Step",
    "Trace",
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
    "pool_output_size",
    "trace",
    "unpool_default_size",
    "upsample_bilinear",
    "upsample_nearest",
]
