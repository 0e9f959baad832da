"""What the learner sees, as SVG snapshots (look at ``snapshot_report.html`` before updating).

Each operator has a snapshot of its first step and of a step in the middle; the test names carry the
operator's engine name. Every app comes from the factory in ``conftest.py`` (fixed theme and data).
"""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample.scene import OPERATORS, Scene

SIZE = (120, 40)

# Keys that reach a step in the middle of each operator's seed example.
MIDDLE = {
    "max_pool2d": ["n", "n"],
    "avg_pool2d": ["n", "n"],
    "max_unpool2d": ["n", "n"],
    "upsample_nearest": ["n"] * 6,
    "bed_of_nails": ["n", "n"],
    "upsample_bilinear": ["n"] * 5,
    "conv2d": ["n", "n"],
    "conv_transpose2d": ["n"] * 4,
    "pixel_shuffle": ["n"] * 6,
}


def test_middle_covers_every_operator() -> None:
    assert set(MIDDLE) == set(OPERATORS)


@pytest.mark.parametrize("op", OPERATORS)
def test_first_step(op: str, snap_compare, app_factory) -> None:
    """The seed's example for the operator, on its first step."""
    assert snap_compare(app_factory(op=op), terminal_size=SIZE)


# One test function per operator, so each test's name contains the operator's engine name.
def _middle(op: str, snap_compare, app_factory) -> bool:
    return snap_compare(app_factory(op=op), press=MIDDLE[op], terminal_size=SIZE)


def test_max_pool2d_middle_step(snap_compare, app_factory) -> None:
    """A window in the middle: its maximum (argmax) set apart, the output cell written."""
    assert _middle("max_pool2d", snap_compare, app_factory)


def test_avg_pool2d_middle_step(snap_compare, app_factory) -> None:
    """A window's mean, the divisor and why, and the cell max pooling would take beside it."""
    assert _middle("avg_pool2d", snap_compare, app_factory)


def test_upsample_nearest_exact_step(snap_compare, app_factory) -> None:
    """nearest-exact from 3 to 4 columns: the cell under the centre, and plain nearest's."""
    scene = Scene.seed_example("upsample_nearest").replace(
        input=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), scale=1.5, exact=True
    )
    assert snap_compare(app_factory(scene), press=["n"], terminal_size=SIZE)


def test_max_unpool2d_middle_step(snap_compare, app_factory) -> None:
    """A pooled value going back to the position its maximum came from."""
    assert _middle("max_unpool2d", snap_compare, app_factory)


def test_upsample_nearest_middle_step(snap_compare, app_factory) -> None:
    assert _middle("upsample_nearest", snap_compare, app_factory)


def test_bed_of_nails_middle_step(snap_compare, app_factory) -> None:
    assert _middle("bed_of_nails", snap_compare, app_factory)


def test_upsample_bilinear_middle_step(snap_compare, app_factory) -> None:
    """An output cell mixing four input cells, with their weights."""
    assert _middle("upsample_bilinear", snap_compare, app_factory)


def test_conv2d_middle_step(snap_compare, app_factory) -> None:
    """A window, its im2col row and the kernel column: one dot product."""
    assert _middle("conv2d", snap_compare, app_factory)


def test_conv_transpose2d_middle_step(snap_compare, app_factory) -> None:
    """r · W2 with the current column of W2 (the seed's matrix view)."""
    assert _middle("conv_transpose2d", snap_compare, app_factory)


def test_pixel_shuffle_middle_step(snap_compare, app_factory) -> None:
    """A channel cell going to its output position."""
    assert _middle("pixel_shuffle", snap_compare, app_factory)


@pytest.mark.parametrize("method", ["scatter", "matrix", "direct"])
def test_conv_transpose2d_method(method: str, snap_compare, app_factory) -> None:
    """The same transposed convolution stepped through each way, a few steps in."""
    app = app_factory(op="conv_transpose2d", method=method)
    assert snap_compare(app, press=["n", "n"], terminal_size=SIZE)


def test_max_unpool2d_fill_max_step(snap_compare, app_factory) -> None:
    """The seed's variant: the maximum put back at its argmax (written, a solid block) and the
    rest of its window filled with it (a look of its own), the legend naming both."""
    scene = Scene.seed_example("max_unpool2d").replace(fill="max")
    assert snap_compare(app_factory(scene), press=["n"], terminal_size=SIZE)


@pytest.mark.parametrize("stride", [1, 2])
def test_conv_transpose2d_direct_zeros(stride: int, snap_compare, app_factory) -> None:
    """The direct face titled by what was done to r ("padded" at stride 1, "zeros inserted,
    then padded" at 2), its padding zeros, inserted zeros and values drawn apart."""
    scene = Scene.seed_example("conv_transpose2d").replace(method="direct", stride=stride)
    assert snap_compare(app_factory(scene), press=["n"] * 5, terminal_size=SIZE)


def test_conv_transpose2d_stride2_scatter_overlap(snap_compare, app_factory) -> None:
    """Stride 2, kernel 3: footprints overlap unevenly (the checkerboard's origin)."""
    scene = Scene.seed_example("conv_transpose2d").replace(
        method="scatter", stride=2, kernel=Scene().kernel.repeat(2, 0).repeat(2, 1)[:3, :3]
    )
    assert snap_compare(app_factory(scene), press=["n"], terminal_size=SIZE)


def test_help_screen(snap_compare, app_factory) -> None:
    """F1: every key, built from the bindings."""
    assert snap_compare(app_factory(), press=["f1"], terminal_size=SIZE)


def test_cell_being_edited(snap_compare, app_factory) -> None:
    """A value being typed into the input's cell [0,1]."""
    assert snap_compare(app_factory(), press=["right", "1", "."], terminal_size=SIZE)


def test_invalid_parameter_conv_transpose2d(snap_compare, app_factory) -> None:
    """output_padding 1 with stride 1: the engine's message, and the last valid picture stays."""
    # tab: kernel grid, operator, kernel size, stride, padding, output padding
    keys = ["tab"] * 6 + ["1"]
    assert snap_compare(app_factory(), press=keys, terminal_size=SIZE)


def test_small_terminal_80x24(snap_compare, app_factory) -> None:
    assert snap_compare(app_factory(), press=["n"], terminal_size=(80, 24))


def test_large_terminal_160x50(snap_compare, app_factory) -> None:
    assert snap_compare(app_factory(op="conv2d"), press=["n"], terminal_size=(160, 50))
