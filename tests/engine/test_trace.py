"""Traces: every step's numbers, highlights and partial output, checked against worked examples."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_upsample.engine import (
    EngineError,
    bed_of_nails,
    conv2d,
    conv_transpose2d,
    max_pool2d,
    max_unpool2d,
    pixel_shuffle,
    trace,
    upsample_bilinear,
    upsample_nearest,
)
from tui_upsample.engine.steps import (
    ARGMAX,
    FILLED,
    IM2COL,
    INPUT,
    INSERTED,
    KERNEL,
    MATRIX,
    OUTPUT,
    PADDED,
    PADDING,
    POOLED,
    READ,
    ROTATED_KERNEL,
    SCALED_KERNEL,
    WRITTEN,
    role_at,
)

# The seed's scene: a 2×2 map r taken back to 3×3 by a 2×2 kernel (stride 1, padding 0).
R = np.array([[1.0, 2.0], [3.0, 4.0]])
W = np.array([[1.0, 0.0], [-1.0, 2.0]])
# Worked by hand: each r[i,j]·W added at (i, j).
Y = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 4.0], [-3.0, 2.0, 8.0]])


N = np.nan


def test_seed_scene_result_is_the_hand_worked_sum_of_footprints():
    t = trace("conv_transpose2d", R, weight=W)
    np.testing.assert_array_equal(t.result, Y)
    assert len(t) == 4  # one step per input value
    assert t.method == "scatter"


def test_seed_scatter_steps_add_one_footprint_each():
    t = trace("conv_transpose2d", R, weight=W, method="scatter")
    assert [s.text for s in t] == [
        "r[0,0] = 1: y[0:2, 0:2] += 1·w = [[1,0],[−1,2]]",
        "r[0,1] = 2: y[0:2, 1:3] += 2·w = [[2,0],[−2,4]]",
        "r[1,0] = 3: y[1:3, 0:2] += 3·w = [[3,0],[−3,6]]",
        "r[1,1] = 4: y[1:3, 1:3] += 4·w = [[4,0],[−4,8]]",
    ]
    np.testing.assert_array_equal(t[0].partial, [[1, 0, 0], [-1, 2, 0], [0, 0, 0]])
    # y[1,1] = 1·2 + 2·(−1) = 0 so far
    np.testing.assert_array_equal(t[1].partial, [[1, 2, 0], [-1, 0, 4], [0, 0, 0]])
    second = t[1]
    assert second.input_cells == ((0, 1),)
    assert second.output_cells == ((0, 1), (0, 2), (1, 1), (1, 2))
    np.testing.assert_array_equal(second.scaled_kernel, [[2, 0], [-2, 4]])
    assert second.cells(SCALED_KERNEL) == ((0, 0), (0, 1), (1, 0), (1, 1))


def test_seed_matrix_steps_are_r_times_columns_of_w2():
    t = trace("conv_transpose2d", R, weight=W, method="matrix")
    assert len(t) == 9  # one step per output cell
    w2 = t.grid(MATRIX).values
    assert w2.shape == (4, 9)  # W2 = W1ᵀ, as the seed says
    np.testing.assert_array_equal(
        w2[:, :],
        [
            [1, 0, 0, -1, 2, 0, 0, 0, 0],
            [0, 1, 0, 0, -1, 2, 0, 0, 0],
            [0, 0, 0, 1, 0, 0, -1, 2, 0],
            [0, 0, 0, 0, 1, 0, 0, -1, 2],
        ],
    )
    centre = t[4]
    assert centre.text == "y[1,1] = r · W2[:,4] = 1·2 + 2·(−1) + 3·0 + 4·1 = 4"
    assert centre.matrix_column == 4
    assert centre.cells(MATRIX) == ((-1, 4),)
    assert centre.input_cells == ((0, 0), (0, 1), (1, 0), (1, 1))
    assert t[0].text == "y[0,0] = r · W2[:,0] = 1·1 = 1   (the other 3 entries of column 0 are 0)"
    np.testing.assert_array_equal(R.ravel() @ w2[:, :], Y.ravel())


def test_seed_direct_steps_convolve_the_padded_input_with_the_turned_kernel():
    t = trace("conv_transpose2d", R, weight=W, method="direct")
    padded = t.grid(PADDED).values
    np.testing.assert_array_equal(padded, [[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(t.grid(ROTATED_KERNEL).values, [[2, -1], [0, 1]])
    first = t[0]
    # Stride 1 inserts nothing: the grid is titled by what was done, its zeros are padding.
    assert t.grid(PADDED).title == "padded"
    assert first.text == "y[0,0] = 1·1 = 1   (3 of the 4 taps fall on padding zeros)"
    assert first.padded_cells == ((0, 0), (0, 1), (1, 0), (1, 1))
    assert first.cells(ROTATED_KERNEL) == ((1, 1),)
    assert first.kernel_cells == ((0, 0),)  # the turned kernel's last tap is w's first
    assert t[4].text == "y[1,1] = 1·2 + 2·(−1) + 3·0 + 4·1 = 4"


def test_direct_face_marks_inserted_and_padding_zeros_at_stride_2():
    t = trace("conv_transpose2d", R, weight=W, stride=2, method="direct")
    grid = t.grid(PADDED)
    assert grid.title == "zeros inserted, then padded"
    np.testing.assert_array_equal(
        grid.values,
        [[0, 0, 0, 0, 0], [0, 1, 0, 2, 0], [0, 0, 0, 0, 0], [0, 3, 0, 4, 0], [0, 0, 0, 0, 0]],
    )
    letter = {PADDING: "p", INSERTED: "i", None: "v"}  # v: one of r's values
    kinds = [
        "".join(letter[role_at(grid.marks, PADDED, (r, c))] for c in range(5)) for r in range(5)
    ]
    assert kinds == ["ppppp", "pvivp", "piiip", "pvivp", "ppppp"]
    assert t.roles == (WRITTEN, READ, PADDING, INSERTED)
    rules = {step.index: step.rule for step in t}
    assert rules[0] == "3 of the 4 taps fall on padding zeros"
    assert rules[1] == "3 of the 4 taps fall on zeros: 1 inserted, 2 padding"
    assert rules[5] == "3 of the 4 taps fall on inserted zeros"


def test_direct_face_says_when_nothing_is_inserted_or_padded():
    t = trace("conv_transpose2d", R, weight=np.ones((1, 1)), method="direct")
    assert t.grid(PADDED).title == "r as it is (stride 1, no padding)"
    assert t.grid(PADDED).marks == () and t.roles == (WRITTEN, READ)
    t = trace("conv_transpose2d", R, weight=np.ones((2, 2)), padding=1, stride=2, method="direct")
    assert t.grid(PADDED).title == "zeros inserted"  # d(k−1) − p = 0: no padding either side
    t = trace("conv_transpose2d", R, weight=np.ones((2, 2)), padding=2, stride=3, method="direct")
    assert t.grid(PADDED).title == "zeros inserted, then cropped"  # d(k−1) − p = −1
    np.testing.assert_array_equal(t.grid(PADDED).values, [[0, 0], [0, 0]])


def test_partials_fill_in_reading_order_for_cell_by_cell_methods():
    t = trace("conv_transpose2d", R, weight=W, method="matrix")
    p = t[2].partial
    np.testing.assert_array_equal(p[0], [1, 2, 0])
    assert np.isnan(p[1:]).all()


def test_direct_with_stride_two_inserts_zeros_between_values():
    t = trace("conv_transpose2d", R, weight=np.ones((3, 3)), stride=2, method="direct")
    padded = t.grid(PADDED).values
    # zeros between the values, and d(k−1) − p = 2 on every side: 3 + 2·2 = 7
    assert padded.shape == (7, 7)
    np.testing.assert_array_equal(padded[2:5, 2:5], [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    assert padded.sum() == R.sum()
    np.testing.assert_array_equal(t[-1].partial, conv_transpose2d(R, np.ones((3, 3)), stride=2))


def test_keras_same_is_traced_with_keras_crop():
    ones = np.ones((3, 3))
    expected = [[1, 1, 3, 2], [1, 1, 3, 2], [4, 4, 10, 6], [3, 3, 7, 4]]
    for method in ("scatter", "matrix", "direct"):
        t = trace("conv_transpose2d", R, weight=ones, stride=2, padding="same", method=method)
        np.testing.assert_array_equal(t.result, expected)
        np.testing.assert_array_equal(t[-1].partial, expected)
    m = trace("conv_transpose2d", R, weight=ones, stride=2, padding="same", method="matrix")
    np.testing.assert_array_equal(R.ravel() @ m.grid(MATRIX).values[:, :], np.ravel(expected))


def test_pytorch_padding_and_output_padding_traced():
    ones = np.ones((3, 3))
    expected = [[1, 3, 2, 2], [4, 10, 6, 6], [3, 7, 4, 4], [3, 7, 4, 4]]
    for method in ("scatter", "matrix", "direct"):
        t = trace(
            "conv_transpose2d",
            R,
            weight=ones,
            stride=2,
            padding=1,
            output_padding=1,
            method=method,
        )
        np.testing.assert_array_equal(t[-1].partial, expected)
    t = trace("conv_transpose2d", R, weight=ones, stride=2, padding=1, output_padding=1)
    assert t[0].text.endswith("; 5 of its 9 taps fall outside y, cut off by padding")
    assert t[0].arithmetic == "r[0,0] = 1: y[0:2, 0:2] += 1·w[1:3, 1:3] = [[1,1],[1,1]]"
    assert t[0].output_cells == ((0, 0), (0, 1), (1, 0), (1, 1))


# conv2d through im2col ------------------------------------------------------------------------

X3 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])


def test_conv2d_im2col_seed_example():
    t = trace("conv2d", X3, weight=W)
    # by hand: ⟨window, W⟩ = a − c + 2d for window [[a,b],[c,d]]
    np.testing.assert_array_equal(t.result, [[7, 9], [13, 15]])
    assert len(t) == 4
    np.testing.assert_array_equal(
        t.grid(IM2COL).values, [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]
    )
    s = t[1]
    assert s.text == "y[0,1] = 2·1 + 3·0 + 5·(−1) + 6·2 = 9"
    assert s.im2col_row == 1
    assert s.cells(IM2COL) == ((1, -1),)
    assert s.input_cells == ((0, 1), (0, 2), (1, 1), (1, 2))
    assert s.kernel_cells == ((0, 0), (0, 1), (1, 0), (1, 1))
    assert s.output_cells == ((0, 1),)


def test_conv2d_padding_reads_zeros_outside_the_input():
    t = trace("conv2d", X3, weight=np.ones((3, 3)), padding=1)
    np.testing.assert_array_equal(t.result, [[12, 21, 16], [27, 45, 33], [24, 39, 28]])
    corner = t[0]
    assert corner.input_cells == ((0, 0), (0, 1), (1, 0), (1, 1))
    assert corner.text == "y[0,0] = 0·1 + 0·1 + 0·1 + 0·1 + 1·1 + 2·1 + 0·1 + 4·1 + 5·1 = 12"


def test_conv2d_same_padding_puts_the_odd_row_at_the_bottom():
    t = trace("conv2d", np.arange(16.0).reshape(4, 4), weight=np.ones((2, 2)), padding="same")
    assert t.result.shape == (4, 4)
    assert t[0].input_cells == ((0, 0), (0, 1), (1, 0), (1, 1))  # no padding on top/left
    np.testing.assert_array_equal(t[-1].partial, t.result)
    assert t.result[3, 3] == 15  # only x[3,3] is inside the last window


# pooling ---------------------------------------------------------------------------------------

CS231N = np.array([[1.0, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])


def test_max_pool_steps_name_the_window_and_its_argmax():
    t = trace("max_pool2d", CS231N, kernel_size=2)
    np.testing.assert_array_equal(t.result, [[6, 8], [3, 4]])
    assert [s.text for s in t] == [
        "y[0,0] = max(1, 1, 5, 6) = 6, found at x[1,1]",
        "y[0,1] = max(2, 4, 7, 8) = 8, found at x[1,3]",
        "y[1,0] = max(3, 2, 1, 2) = 3, found at x[2,0]",
        "y[1,1] = max(1, 0, 3, 4) = 4, found at x[3,3]",
    ]
    assert t[1].input_cells == ((0, 2), (0, 3), (1, 2), (1, 3))
    assert t[1].argmax == (1, 3)
    assert np.isnan(t[1].partial[1]).all()


def test_max_pool_tie_and_padding_are_spelled_out():
    x = np.array([[3.0, 3.0], [1.0, 0.0]])
    t = trace("max_pool2d", x, kernel_size=2)
    assert t[0].argmax == (0, 0)
    assert t[0].text.endswith("a tie goes to the first in reading order")
    p = trace("max_pool2d", CS231N, kernel_size=2, stride=2, padding=1)
    assert p[0].text == "y[0,0] = max(1) = 1, found at x[0,0]; 3 taps fall on padding (−∞)"


def test_max_unpool_puts_each_value_back_at_its_argmax():
    t = trace("max_unpool2d", CS231N, kernel_size=2)
    assert len(t) == 4
    np.testing.assert_array_equal(t.grid(POOLED).values, [[6, 8], [3, 4]])
    np.testing.assert_array_equal(
        t.result, [[0, 0, 0, 0], [0, 6, 0, 8], [3, 0, 0, 0], [0, 0, 0, 4]]
    )
    s = t[1]
    assert s.text == (
        "pooled[0,1] = 8 goes back to y[1,3], where max pooling found it (index 7);"
        " the rest of its window stays 0"
    )
    assert s.pooled_cell == (0, 1) and s.argmax == (1, 3)
    assert s.cells(POOLED) == ((0, 1),)
    # Only the two stepped windows are written; the lower half is not yet (NaN, shown as ·).
    np.testing.assert_array_equal(s.partial, [[0, 0, 0, 0], [0, 6, 0, 8], [N] * 4, [N] * 4])
    np.testing.assert_array_equal(t[-1].partial, t.result)


def test_max_unpool_seed_variant_fills_each_window_with_its_maximum():
    t = trace("max_unpool2d", CS231N, kernel_size=2, fill="max")
    np.testing.assert_array_equal(
        t.result, [[6, 6, 8, 8], [6, 6, 8, 8], [3, 3, 4, 4], [3, 3, 4, 4]]
    )
    s = t[0]
    # The argmax is written; the rest of the window is filled (a role of its own).
    assert s.output_cells == ((1, 1),)
    assert s.filled_cells == ((0, 0), (0, 1), (1, 0)) and s.window_cells == ()
    assert s.cells(OUTPUT, FILLED) == s.filled_cells and s.cells(OUTPUT, WRITTEN) == ((1, 1),)
    assert t.roles == (WRITTEN, ARGMAX, FILLED, READ)
    np.testing.assert_array_equal(s.partial, [[6, 6, N, N], [6, 6, N, N], [N] * 4, [N] * 4])
    np.testing.assert_array_equal(t[-1].partial, t.result)
    assert s.text.endswith("the rest of its window is filled with 6 (the seed's variant)")


def test_max_unpool_goes_back_to_x_size_when_windows_do_not_tile_it():
    # 5×5 pooled by 2×2 windows gives 2×2; the default unpool size would be 4×4, but the
    # remembered indices are positions in x's 5-wide plane, so the trace unpools to 5×5.
    x = np.arange(25.0).reshape(5, 5)
    t = trace("max_unpool2d", x, kernel_size=2)
    assert t.result.shape == (5, 5)
    np.testing.assert_array_equal(t.indices, [[6, 8], [16, 18]])
    assert [s.argmax for s in t] == [(1, 1), (1, 3), (3, 1), (3, 3)]
    assert t.result[3, 1] == 16 and t.result.sum() == 6 + 8 + 16 + 18


def test_values_at_gives_each_grid_its_numbers_for_the_step():
    t = trace("conv_transpose2d", R, weight=W)
    np.testing.assert_array_equal(t.values_at(SCALED_KERNEL, t[2]), 3 * W)
    np.testing.assert_array_equal(t.values_at(OUTPUT, t[0]), t[0].partial)
    np.testing.assert_array_equal(t.values_at(KERNEL, t[0]), W)
    with pytest.raises(KeyError):
        t.values_at(MATRIX, t[0])


# resampling -----------------------------------------------------------------------------------


def test_nearest_steps_name_the_source_cell():
    t = trace("upsample_nearest", R, scale_factor=2)
    np.testing.assert_array_equal(
        t.result, [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )
    assert len(t) == 16
    assert t[7].text == (
        "y[1,3] = x[0,1] = 2   (row ⌊1·0.5⌋ = 0, col ⌊3·0.5⌋ = 1); nearest-exact would copy"
        " x[0,1] too"
    )
    assert t[7].input_cells == ((0, 1),)


def test_bilinear_steps_show_four_weights():
    t = trace("upsample_bilinear", R, scale_factor=2)
    # align_corners=False: y[1,1] sits at source (0.25, 0.25)
    s = t[5]
    assert s.input_cells == ((0, 0), (0, 1), (1, 0), (1, 1))
    np.testing.assert_allclose(s.weights, [0.5625, 0.1875, 0.1875, 0.0625])
    assert s.text == (
        "y[1,1] = 0.5625·1 + 0.1875·2 + 0.1875·3 + 0.0625·4 = 1.75"
        "   (source row (1 + 0.5)·0.5 − 0.5 = 0.25, col (1 + 0.5)·0.5 − 0.5 = 0.25)"
    )
    assert t.result[1, 1] == 1.75
    corner = t[0]  # clamped at the border: one source with the whole weight
    assert corner.input_cells == ((0, 0),) and corner.weights == (1.0,)


def test_bed_of_nails_steps_one_block_per_input_value():
    t = trace("bed_of_nails", R, scale_factor=2)
    assert len(t) == 4
    s = t[1]
    assert s.text == "y[0,2] = x[0,1] = 2; the other 3 cells of its 2×2 block are 0"
    assert s.output_cells == ((0, 2), (0, 3), (1, 2), (1, 3))
    np.testing.assert_array_equal(s.partial[:2], [[1, 0, 2, 0], [0, 0, 0, 0]])
    assert np.isnan(s.partial[2:]).all()


def test_pixel_shuffle_steps_name_the_channel_rule():
    x = np.arange(16.0).reshape(4, 2, 2)
    t = trace("pixel_shuffle", x, upscale_factor=2)
    assert t.result.shape == (1, 4, 4)
    s = t[5]  # y[0,1,1] comes from channel 3
    assert s.text == "y[0,1,1] = x[3,0,0] = 12   (channel (1 mod 2)·2 + (1 mod 2) = 3)"
    assert s.input_cells == ((3, 0, 0),)


# every trace ends at its operator's result -------------------------------------------------------

small = st.integers(-5, 5).map(float)


def grids(h, w):
    return st.lists(st.lists(small, min_size=w, max_size=w), min_size=h, max_size=h).map(np.array)


@st.composite
def planes(draw, lo=1, hi=6):
    h = draw(st.integers(lo, hi))
    w = draw(st.integers(lo, hi))
    return draw(grids(h, w))


@settings(max_examples=60, deadline=None)
@given(
    x=planes(2, 6),
    k=st.integers(1, 3),
    s=st.integers(1, 3),
    method=st.sampled_from(["scatter", "matrix", "direct"]),
    p=st.integers(0, 1),
    d=st.integers(1, 2),
    data=st.data(),
)
def test_every_transposed_method_ends_at_the_result(x, k, s, method, p, d, data):
    w = data.draw(grids(k, k))
    a = data.draw(st.integers(0, max(s, d) - 1))
    try:
        expected = conv_transpose2d(x, w, stride=s, padding=p, output_padding=a, dilation=d)
    except EngineError:
        return
    t = trace(
        "conv_transpose2d",
        x,
        weight=w,
        stride=s,
        padding=p,
        output_padding=a,
        dilation=d,
        method=method,
    )
    np.testing.assert_allclose(t[-1].partial, expected, atol=1e-9)
    if method == "matrix":
        np.testing.assert_allclose(
            x.ravel() @ t.grid(MATRIX).values[:, :], expected.ravel(), atol=1e-9
        )


@settings(max_examples=60, deadline=None)
@given(
    x=planes(3, 7),
    k=st.integers(1, 3),
    s=st.integers(1, 2),
    p=st.sampled_from([0, 1, "same", "valid"]),
    d=st.integers(1, 2),
    data=st.data(),
)
def test_conv2d_trace_ends_at_the_result(x, k, s, p, d, data):
    w = data.draw(grids(k, k))
    try:
        expected = conv2d(x, w, stride=s, padding=p, dilation=d)
    except EngineError:
        return
    t = trace("conv2d", x, weight=w, stride=s, padding=p, dilation=d)
    np.testing.assert_allclose(t[-1].partial, expected, atol=1e-9)
    for step in (t[0], t[len(t) // 2]):
        row = t.grid(IM2COL).values[step.im2col_row]
        np.testing.assert_allclose(row @ w.ravel(), t.result.flat[step.index], atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(x=planes(2, 8), k=st.integers(1, 3), s=st.integers(1, 3), ceil=st.booleans())
def test_pool_traces_end_at_the_result(x, k, s, ceil):
    try:
        expected = max_pool2d(x, k, s, ceil_mode=ceil)
        unpooled = max_unpool2d(*max_pool2d(x, k, s, return_indices=True), k, s, x.shape)
    except EngineError:
        return
    t = trace("max_pool2d", x, kernel_size=k, stride=s, ceil_mode=ceil)
    np.testing.assert_array_equal(t[-1].partial, expected)
    for step in t:
        assert x[step.argmax] == t.result[step.output_cells[0]]
    u = trace("max_unpool2d", x, kernel_size=k, stride=s)
    np.testing.assert_array_equal(u[-1].partial, unpooled)
    m = trace("max_unpool2d", x, kernel_size=k, stride=s, fill="max")
    np.testing.assert_array_equal(
        m[-1].partial,
        max_unpool2d(*max_pool2d(x, k, s, return_indices=True), k, s, x.shape, fill="max"),
    )


@settings(max_examples=60, deadline=None)
@given(x=planes(1, 6), scale=st.sampled_from([1, 2, 3, 1.5, 2.5]), corners=st.booleans())
def test_resampling_traces_end_at_the_result(x, scale, corners):
    t = trace("upsample_nearest", x, scale_factor=scale)
    np.testing.assert_array_equal(t[-1].partial, upsample_nearest(x, scale_factor=scale))
    for step in (t[0], t[-1]):
        assert x[step.input_cells[0]] == t.result[step.output_cells[0]]
    b = trace("upsample_bilinear", x, scale_factor=scale, align_corners=corners)
    expected = upsample_bilinear(x, scale_factor=scale, align_corners=corners)
    np.testing.assert_array_equal(b[-1].partial, expected)
    for step in (b[0], b[len(b) // 2]):
        mixed = sum(w * x[c] for w, c in zip(step.weights, step.input_cells, strict=True))
        np.testing.assert_allclose(mixed, expected[step.output_cells[0]], atol=1e-12)
        assert sum(step.weights) == pytest.approx(1.0)
    if float(scale).is_integer():
        n = trace("bed_of_nails", x, scale_factor=int(scale))
        np.testing.assert_array_equal(n[-1].partial, bed_of_nails(x, int(scale)))


@settings(max_examples=40, deadline=None)
@given(
    r=st.integers(1, 3),
    c=st.integers(1, 2),
    h=st.integers(1, 4),
    w=st.integers(1, 4),
    data=st.data(),
)
def test_pixel_shuffle_trace_ends_at_the_result(r, c, h, w, data):
    x = np.array(data.draw(st.lists(small, min_size=c * r * r * h * w, max_size=c * r * r * h * w)))
    x = x.reshape(c * r * r, h, w)
    t = trace("pixel_shuffle", x, upscale_factor=r)
    np.testing.assert_array_equal(t[-1].partial, pixel_shuffle(x, r))
    for step in t[:: max(1, len(t) // 5)]:
        assert x[step.input_cells[0]] == t.result[step.output_cells[0]]


# laziness, errors, purity ------------------------------------------------------------------------


def test_a_64_by_64_trace_builds_no_step_and_no_whole_matrix(monkeypatch):
    from tui_upsample.engine import transposed as trace_module

    def refuse(self, k):
        raise AssertionError("a step was built while only the trace was asked for")

    monkeypatch.setattr(trace_module.ConvTranspose2dTrace, "_step", refuse)
    x = np.random.default_rng(0).integers(-3, 4, (64, 64)).astype(float)
    t = trace("conv_transpose2d", x, weight=np.ones((3, 3)), stride=2, method="matrix")
    assert len(t) == 129 * 129
    w2 = t.grid(MATRIX).values
    assert w2.shape == (4096, 129 * 129)
    assert not isinstance(w2, np.ndarray)  # sliced on demand, never built whole
    block = w2[100:110, 200:230]
    assert block.shape == (10, 30)


def test_steps_are_built_fresh_and_indexable_from_the_end():
    t = trace("conv_transpose2d", R, weight=W)
    assert t[-1].index == 3
    assert t[3] is not t[3]
    with pytest.raises(IndexError):
        t[4]
    assert [s.index for s in t[1:3]] == [1, 2]


@pytest.mark.parametrize(
    ("op", "params", "match"),
    [
        ("upsample_cubic", {}, "op='upsample_cubic'"),
        ("conv2d", {}, "weight=None"),
        ("conv_transpose2d", {"weight": W, "method": "magic"}, "method='magic'"),
        ("conv2d", {"weight": W, "method": "scatter"}, "method='scatter'"),
        ("max_pool2d", {"kernel_size": 2, "scale_factor": 2}, "scale_factor=2: max_pool2d does"),
        ("max_pool2d", {"kernel_size": 0}, "kernel_size=0"),
        ("conv_transpose2d", {"weight": W, "stride": 2, "output_padding": 2}, "output_padding"),
    ],
)
def test_bad_trace_arguments_raise_engine_errors(op, params, match):
    with pytest.raises(EngineError, match=match):
        trace(op, R, **params)


def test_a_trace_follows_one_plane():
    with pytest.raises(EngineError, match="one 2-D plane"):
        trace("max_pool2d", np.zeros((1, 4, 4)), kernel_size=2)
    with pytest.raises(EngineError, match="r², H, W"):
        trace("pixel_shuffle", np.zeros((4, 4)), upscale_factor=2)


def test_grids_in_drawing_order():
    names = [g.name for g in trace("conv2d", X3, weight=W).grids]
    assert names == [INPUT, KERNEL, IM2COL, "kernel_vector", OUTPUT]
    names = [g.name for g in trace("max_unpool2d", CS231N, kernel_size=2).grids]
    assert names == [INPUT, POOLED, "indices", OUTPUT]


def test_engine_never_imports_textual_or_rich():
    code = (
        "import sys, tui_upsample.engine as e; e.trace('conv2d', [[1.0]], weight=[[1.0]]);"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
