"""conv2d, conv_transpose2d, im2col / col2im and the convolution matrix W1, against golden values.

Every expected array below was computed with PyTorch 2.13 (``F.conv2d``, ``F.conv_transpose2d``,
``F.unfold``, ``F.fold``) and pasted in as literals; PyTorch is never imported here.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from tui_upsample.engine.conv_matrix import ConvMatrix, conv_matrix, conv_matrix_block
from tui_upsample.engine.convolution import col2im, conv2d, im2col
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.transposed import conv_transpose2d

A = np.array

# The seed example: a 3×3 input, a 2×2 kernel, stride 1, no padding.
X_SEED = A([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=float)
W_SEED = A([[1, 0], [-1, 2]], dtype=float)
R_SEED = A([[1, 2], [3, 4]], dtype=float)
# W1[p, q]: input cell p (row-major in the 3×3 input) times the kernel tap over it in window q.
W1_SEED = A(
    [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 0],
        [-1, 0, 1, 0],
        [2, -1, 0, 1],
        [0, 2, 0, 0],
        [0, 0, -1, 0],
        [0, 0, 2, -1],
        [0, 0, 0, 2],
    ],
    dtype=float,
)

X44 = np.arange(1, 17, dtype=float).reshape(4, 4)
X55 = np.arange(1, 26, dtype=float).reshape(5, 5)
K22 = A([[1, 2], [3, 4]], dtype=float)
K23 = A([[1, 0, 2], [-1, 1, 0]], dtype=float)
K33 = A([[1, 0, -1], [2, 1, 0], [0, 1, 1]], dtype=float)
K44 = np.arange(1, 17, dtype=float).reshape(4, 4)
ONES33 = np.ones((3, 3))


# --------------------------------------------------------------------------------------------
# The seed: W1, W2 = W1ᵀ
# --------------------------------------------------------------------------------------------


def test_seed_conv2d() -> None:
    np.testing.assert_array_equal(conv2d(X_SEED, W_SEED), [[7, 9], [13, 15]])


def test_seed_w1_is_9_by_4() -> None:
    w1 = conv_matrix(W_SEED, (3, 3))
    assert w1.shape == (9, 4)
    np.testing.assert_array_equal(w1, W1_SEED)


def test_seed_x_times_w1_is_conv2d() -> None:
    np.testing.assert_array_equal(X_SEED.ravel() @ W1_SEED, [7, 9, 13, 15])
    np.testing.assert_array_equal(
        X_SEED.ravel() @ conv_matrix(W_SEED, 3), conv2d(X_SEED, W_SEED).ravel()
    )


def test_seed_w2_is_conv_transpose2d() -> None:
    w2 = conv_matrix(W_SEED, 3).T
    assert w2.shape == (4, 9)
    expected = [[1, 2, 0], [2, 4, 4], [-3, 2, 8]]
    np.testing.assert_array_equal((R_SEED.ravel() @ w2).reshape(3, 3), expected)
    np.testing.assert_array_equal(conv_transpose2d(R_SEED, W_SEED), expected)


def test_seed_conv_matrix_object() -> None:
    m = ConvMatrix(W_SEED, 3)
    assert m.shape == (9, 4) and not m.transposed
    assert m.T.shape == (4, 9) and m.T.transposed and not m.T.T.transposed
    np.testing.assert_array_equal(m.to_array(), W1_SEED)
    np.testing.assert_array_equal(m.T.to_array(), W1_SEED.T)
    np.testing.assert_array_equal(np.asarray(m), W1_SEED)
    np.testing.assert_array_equal(m[3:6, 1:3], W1_SEED[3:6, 1:3])
    np.testing.assert_array_equal(m.T[1:3, 3:6], W1_SEED.T[1:3, 3:6])
    np.testing.assert_array_equal(m[4], W1_SEED[4])
    np.testing.assert_array_equal(m[:, -1], W1_SEED[:, -1])
    assert m[4, 1] == -1.0
    np.testing.assert_array_equal(m[::-2, range(1, 4, 2)], W1_SEED[::-2, 1:4:2])
    np.testing.assert_array_equal(np.stack(list(m)), W1_SEED)


def test_conv_matrix_block_seed() -> None:
    np.testing.assert_array_equal(
        conv_matrix_block(W_SEED, 3, slice(3, 9), slice(0, 2)), W1_SEED[3:9, 0:2]
    )
    np.testing.assert_array_equal(
        conv_matrix_block(W_SEED, 3, range(8, -1, -3), range(0, 4)), W1_SEED[8::-3, :]
    )
    assert conv_matrix_block(W_SEED, 3, slice(5, 5), slice(None)).shape == (0, 4)


def test_large_w1_and_w2_are_built_by_blocks() -> None:
    w1 = ConvMatrix(ONES33, 64)
    assert w1.shape == (4096, 3844)
    # Column 0 is window (0, 0): input cells (0..2, 0..2), i.e. rows 0, 1, 2, 64, 65, 66, 128…
    column = w1[0:200, 0]
    assert np.flatnonzero(column).tolist() == [0, 1, 2, 64, 65, 66, 128, 129, 130]
    w2 = ConvMatrix.for_conv_transpose2d(ONES33, 64, stride=2)
    assert w2.shape == (4096, 16641) and w2.transposed
    # Row 0 of W2 is input cell (0, 0) of the transposed conv: its 3×3 footprint in the 129×129.
    assert np.flatnonzero(w2[0, 0:400]).tolist() == [0, 1, 2, 129, 130, 131, 258, 259, 260]


def test_for_conv_transpose2d_matches_conv_transpose2d() -> None:
    m = ConvMatrix.for_conv_transpose2d(ONES33, (2, 2), stride=2, padding=1, output_padding=1)
    assert m.shape == (4, 16)
    np.testing.assert_array_equal(
        (R_SEED.ravel() @ m.to_array()).reshape(4, 4),
        [[1, 3, 2, 2], [4, 10, 6, 6], [3, 7, 4, 4], [3, 7, 4, 4]],
    )
    same = ConvMatrix.for_conv_transpose2d(ONES33, (2, 2), stride=2, padding="same")
    np.testing.assert_array_equal(
        (R_SEED.ravel() @ same.to_array()).reshape(4, 4),
        [[1, 1, 3, 2], [1, 1, 3, 2], [4, 4, 10, 6], [3, 3, 7, 4]],
    )


def test_same_as_compares_kernel_geometry_and_orientation() -> None:
    w2 = ConvMatrix.for_conv_transpose2d(ONES33, 4, stride=2)
    assert w2.same_as(ConvMatrix.for_conv_transpose2d(ONES33.copy(), 4, stride=2))
    assert w2.same_as(w2.T.T) and not w2.same_as(w2.T)
    other_kernel = ONES33.copy()
    other_kernel[1, 1] = 2.0
    assert not w2.same_as(ConvMatrix.for_conv_transpose2d(other_kernel, 4, stride=2))
    assert not w2.same_as(ConvMatrix.for_conv_transpose2d(ONES33, 5, stride=2))
    assert not w2.same_as(ConvMatrix.for_conv_transpose2d(ONES33, 4, stride=2, padding=1))
    assert not w2.same_as(w2.to_array())  # an array is not a ConvMatrix, even with its numbers


# --------------------------------------------------------------------------------------------
# TensorFlow / Keras 'same' and 'valid'
# --------------------------------------------------------------------------------------------


def test_keras_same_worked_example() -> None:
    np.testing.assert_array_equal(
        conv_transpose2d(R_SEED, ONES33, stride=2, padding="same"),
        [[1, 1, 3, 2], [1, 1, 3, 2], [4, 4, 10, 6], [3, 3, 7, 4]],
    )


def test_pytorch_padding_worked_example() -> None:
    np.testing.assert_array_equal(
        conv_transpose2d(R_SEED, ONES33, stride=2, padding=1, output_padding=1),
        [[1, 3, 2, 2], [4, 10, 6, 6], [3, 7, 4, 4], [3, 7, 4, 4]],
    )


def test_keras_valid_worked_example() -> None:
    # 'valid' keeps the full (i−1)s + k = 5 rows.
    np.testing.assert_array_equal(
        conv_transpose2d(R_SEED, ONES33, stride=2, padding="VALID"),
        [[1, 1, 3, 2, 2], [1, 1, 3, 2, 2], [4, 4, 10, 6, 6], [3, 3, 7, 4, 4], [3, 3, 7, 4, 4]],
    )


# Full transposed conv of R_SEED with K44, stride 2 (PyTorch, padding 0): 6×6.
FULL_K44_S2 = A(
    [
        [1, 2, 5, 8, 6, 8],
        [5, 6, 17, 20, 14, 16],
        [12, 16, 42, 52, 34, 40],
        [28, 32, 82, 92, 58, 64],
        [27, 30, 69, 76, 44, 48],
        [39, 42, 97, 104, 60, 64],
    ],
    dtype=float,
)
# Full transposed conv of R_SEED with K22, stride 3 (kernel shorter than the stride): 5×5.
FULL_K22_S3 = A(
    [
        [1, 2, 0, 2, 4],
        [3, 4, 0, 6, 8],
        [0, 0, 0, 0, 0],
        [3, 6, 0, 4, 8],
        [9, 12, 0, 12, 16],
    ],
    dtype=float,
)


def test_keras_same_even_kernel_crops_one_each_side() -> None:
    # pad_total = max(4 − 2, 0) = 2: one row off the top, one off the bottom.
    np.testing.assert_array_equal(conv_transpose2d(R_SEED, K44, stride=2), FULL_K44_S2)
    np.testing.assert_array_equal(
        conv_transpose2d(R_SEED, K44, stride=2, padding="same"), FULL_K44_S2[1:5, 1:5]
    )
    np.testing.assert_array_equal(
        conv_transpose2d(R_SEED, K44, stride=2, padding="valid"), FULL_K44_S2
    )


def test_keras_same_odd_total_drops_the_extra_row_at_the_bottom() -> None:
    # stride 1, 4×4 kernel: pad_total = 3, so 1 row off the top and 2 off the bottom.
    full = conv_transpose2d(R_SEED, K44)
    assert full.shape == (5, 5)
    np.testing.assert_array_equal(conv_transpose2d(R_SEED, K44, padding="same"), full[1:3, 1:3])


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_keras_kernel_shorter_than_stride_appends_zeros(padding: str) -> None:
    expected = np.zeros((6, 6))
    expected[:5, :5] = FULL_K22_S3
    np.testing.assert_array_equal(
        conv_transpose2d(R_SEED, K22, stride=3, padding=padding), expected
    )


def test_keras_same_bias_reaches_the_appended_zeros() -> None:
    out = conv_transpose2d(R_SEED, K22, bias=0.5, stride=3, padding="same")
    assert out[5, 5] == 0.5 and out[0, 0] == 1.5


def test_keras_same_with_dilation() -> None:
    # k_eff = 2·(2−1)+1 = 3 with stride 2: same as a 3×3 kernel whose middle row/column are 0.
    k = A([[1, 2], [3, 4]], dtype=float)
    k3 = A([[1, 0, 2], [0, 0, 0], [3, 0, 4]], dtype=float)
    np.testing.assert_array_equal(
        conv_transpose2d(R_SEED, k, stride=2, dilation=2, padding="same"),
        conv_transpose2d(R_SEED, k3, stride=2, padding="same"),
    )


def test_tf_conv2d_same_stride_1_even_kernel_pads_bottom_right() -> None:
    np.testing.assert_array_equal(
        conv2d(X44, K22, padding="same"),
        [[44, 54, 64, 28], [84, 94, 104, 44], [124, 134, 144, 60], [41, 44, 47, 16]],
    )


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (X55, [[14, 24, 23], [37, 72, 72], [4, 65, 92]]),  # total 2: one each side
        (X44, [[35, 37], [38, 57]]),  # total 1: bottom / right only
    ],
)
def test_tf_conv2d_same_stride_2(x: np.ndarray, expected: Any) -> None:
    np.testing.assert_array_equal(conv2d(x, K33, stride=2, padding="same"), expected)


def test_conv2d_valid_is_no_padding() -> None:
    np.testing.assert_array_equal(conv2d(X55, K33, padding="valid"), conv2d(X55, K33))


# --------------------------------------------------------------------------------------------
# conv2d goldens
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "w", "kwargs", "expected"),
    [
        (X44, K33, {"stride": 2, "padding": 1}, [[12, 22], [30, 60]]),
        (X55, K22, {"dilation": 2}, [[92, 102, 112], [142, 152, 162], [192, 202, 212]]),
        (
            np.arange(1, 21, dtype=float).reshape(4, 5),
            K23,
            {"stride": (1, 2), "padding": (1, 0)},
            [[1, 1], [8, 14], [23, 29], [38, 44], [52, 58]],
        ),
        (X_SEED, W_SEED, {"bias": 0.5}, [[7.5, 9.5], [13.5, 15.5]]),
        (X_SEED, np.ones((1, 1)), {}, X_SEED),
    ],
    ids=["stride2-pad1", "dilation2", "nonsquare", "bias", "1x1"],
)
def test_conv2d_golden_2d(x: np.ndarray, w: np.ndarray, kwargs: dict, expected: Any) -> None:
    out = conv2d(x, w, **kwargs)
    assert out.ndim == 2 and out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)


X_GROUPS = A(
    [
        [[-2, -1, 0], [1, 2, 3], [-3, -2, -1]],
        [[0, 1, 2], [3, -3, -2], [-1, 0, 1]],
        [[2, 3, -3], [-2, -1, 0], [1, 2, 3]],
        [[-3, -2, -1], [0, 1, 2], [3, -3, -2]],
    ],
    dtype=float,
)
W_GROUPS = A(
    [
        [[[1, 0], [0, 1]], [[0, 1], [1, 0]]],
        [[[1, 1], [0, 0]], [[0, 0], [1, -1]]],
        [[[2, 0], [0, 0]], [[0, -1], [0, 1]]],
        [[[1, -1], [1, -1]], [[0, 0], [2, 0]]],
    ],
    dtype=float,
)


def test_conv2d_groups_bias_3d() -> None:
    out = conv2d(X_GROUPS, W_GROUPS, bias=[0.5, -1, 0, 2], groups=2)
    assert out.shape == (4, 2, 2)
    np.testing.assert_array_equal(
        out,
        [
            [[4.5, 1.5], [-4.5, -0.5]],
            [[2, -3], [1, 3]],
            [[7, 9], [-8, -6]],
            [[0, 9], [6, -6]],
        ],
    )


def test_conv2d_groups_is_two_separate_convolutions() -> None:
    out = conv2d(X_GROUPS, W_GROUPS, groups=2)
    np.testing.assert_array_equal(out[:2], conv2d(X_GROUPS[:2], W_GROUPS[:2]))
    np.testing.assert_array_equal(out[2:], conv2d(X_GROUPS[2:], W_GROUPS[2:]))


def test_conv2d_4d_batch_bias() -> None:
    x = np.arange(2 * 2 * 3 * 3, dtype=float).reshape(2, 2, 3, 3) % 5
    w = A([[[[1, 0], [0, 1]], [[2, 0], [0, -1]]]], dtype=float)
    out = conv2d(x, w, bias=[1])
    assert out.shape == (2, 1, 2, 2)
    np.testing.assert_array_equal(out, [[[[10, -2], [9, 12]]], [[[9, 12], [-2, 6]]]])


def test_conv2d_2d_x_with_one_channel_4d_weight_stays_2d() -> None:
    out = conv2d(X_SEED, W_SEED[None, None])
    np.testing.assert_array_equal(out, [[7, 9], [13, 15]])


def test_conv2d_accepts_lists_and_ints() -> None:
    np.testing.assert_array_equal(conv2d([[1, 2], [3, 4]], [[1, 1], [1, 1]]), [[10]])


# --------------------------------------------------------------------------------------------
# conv_transpose2d goldens
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "w", "kwargs", "expected"),
    [
        (
            R_SEED,
            K22,
            {"dilation": 2},
            [[1, 2, 2, 4], [3, 4, 6, 8], [3, 6, 4, 8], [9, 12, 12, 16]],
        ),
        (
            A([[1, 0, 2], [0, -1, 1], [2, 1, 0]], dtype=float),
            K33,
            {"stride": 2, "padding": 1},
            [
                [1, 0, 0, 4, 2],
                [1, 0, 0, 2, 2],
                [0, -2, -1, 2, 1],
                [0, -1, -1, -2, 1],
                [2, 2, 1, 0, 0],
            ],
        ),
        (
            A([[1, 2, 3], [4, 5, 6]], dtype=float),
            K23,
            {"stride": (2, 1), "output_padding": (1, 0)},
            [
                [1, 2, 5, 4, 6],
                [-1, -1, -1, 3, 0],
                [4, 5, 14, 10, 12],
                [-4, -1, -1, 6, 0],
                [0, 0, 0, 0, 0],
            ],
        ),
        (R_SEED, W_SEED, {"bias": -1}, [[0, 1, -1], [1, 3, 3], [-4, 1, 7]]),
    ],
    ids=["dilation2", "stride2-pad1", "nonsquare-output_padding", "bias"],
)
def test_conv_transpose2d_golden_2d(
    x: np.ndarray, w: np.ndarray, kwargs: dict, expected: Any
) -> None:
    out = conv_transpose2d(x, w, **kwargs)
    assert out.ndim == 2 and out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)


def test_conv_transpose2d_groups_bias_3d() -> None:
    x = A([[[1, 2], [3, 4]], [[0, 1], [1, 0]], [[2, 0], [0, -1]], [[1, 1], [1, 1]]], dtype=float)
    w = A(
        [[[[1, 0], [0, 1]]], [[[0, 2], [1, 0]]], [[[1, 1], [1, 1]]], [[[-1, 0], [0, 3]]]],
        dtype=float,
    )
    out = conv_transpose2d(x, w, bias=[1, -2], groups=2)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(
        out,
        [[[2, 3, 3], [4, 9, 3], [2, 4, 5]], [[-1, -1, -2], [-1, 1, 0], [-2, 0, 0]]],
    )


def test_conv_transpose2d_4d_stride2_two_output_channels() -> None:
    x = A([[[[1, 2], [3, 4]]], [[[0, -1], [2, 1]]]], dtype=float)
    w = A([[[[1, 2], [3, 4]], [[1, 0], [0, -1]]]], dtype=float)
    out = conv_transpose2d(x, w, stride=2)
    assert out.shape == (2, 2, 4, 4)
    np.testing.assert_array_equal(
        out,
        [
            [
                [[1, 2, 2, 4], [3, 4, 6, 8], [3, 6, 4, 8], [9, 12, 12, 16]],
                [[1, 0, 2, 0], [0, -1, 0, -2], [3, 0, 4, 0], [0, -3, 0, -4]],
            ],
            [
                [[0, 0, -1, -2], [0, 0, -3, -4], [2, 4, 1, 2], [6, 8, 3, 4]],
                [[0, 0, -1, 0], [0, 0, 0, 1], [2, 0, 1, 0], [0, -2, 0, -1]],
            ],
        ],
    )


def test_conv_transpose2d_output_padding_with_dilation_larger_than_stride() -> None:
    # output_padding may reach dilation − 1 when dilation > stride; the extra rows are zeros.
    out = conv_transpose2d(R_SEED, K22, dilation=3, output_padding=2)
    assert out.shape == (7, 7)
    np.testing.assert_array_equal(out[:5, :5], conv_transpose2d(R_SEED, K22, dilation=3))
    assert not out[5:].any() and not out[:, 5:].any()


# --------------------------------------------------------------------------------------------
# im2col / col2im goldens
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "kwargs", "expected"),
    [
        (
            np.arange(1, 13, dtype=float).reshape(3, 4),
            {"kernel_size": 2, "stride": (1, 2)},
            [[1, 2, 5, 6], [3, 4, 7, 8], [5, 6, 9, 10], [7, 8, 11, 12]],
        ),
        (
            np.arange(1, 7, dtype=float).reshape(2, 3),
            {"kernel_size": (2, 2), "padding": 1, "stride": 2},
            [[0, 0, 0, 1], [0, 0, 2, 3], [0, 4, 0, 0], [5, 6, 0, 0]],
        ),
        (
            np.arange(1, 19, dtype=float).reshape(2, 3, 3),
            {"kernel_size": 2},
            [
                [1, 2, 4, 5, 10, 11, 13, 14],
                [2, 3, 5, 6, 11, 12, 14, 15],
                [4, 5, 7, 8, 13, 14, 16, 17],
                [5, 6, 8, 9, 14, 15, 17, 18],
            ],
        ),
    ],
    ids=["stride(1,2)", "pad1-stride2", "two-channels"],
)
def test_im2col_golden(x: np.ndarray, kwargs: dict, expected: Any) -> None:
    np.testing.assert_array_equal(im2col(x, **kwargs), expected)


def test_im2col_seed_times_kernel_is_conv2d() -> None:
    cols = im2col(X_SEED, W_SEED.shape)
    np.testing.assert_array_equal(cols, [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]])
    np.testing.assert_array_equal(cols @ W_SEED.ravel(), [7, 9, 13, 15])


def test_im2col_4d_shape() -> None:
    x = np.zeros((2, 3, 5, 6))
    assert im2col(x, (2, 3), stride=(1, 2)).shape == (2, 4 * 2, 3 * 2 * 3)


@pytest.mark.parametrize(
    ("size", "kwargs", "expected"),
    [
        ((3, 3), {"kernel_size": 2}, [[1, 2, 1], [2, 4, 2], [1, 2, 1]]),
        (
            (4, 4),
            {"kernel_size": 3, "padding": 1},
            [[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]],
        ),
        (
            (5, 5),
            {"kernel_size": 2, "dilation": 2},
            [
                [1, 1, 2, 1, 1],
                [1, 1, 2, 1, 1],
                [2, 2, 4, 2, 2],
                [1, 1, 2, 1, 1],
                [1, 1, 2, 1, 1],
            ],
        ),
    ],
    ids=["k2", "k3-pad1", "k2-dilation2"],
)
def test_col2im_of_ones_counts_windows(size: tuple, kwargs: dict, expected: Any) -> None:
    k = kwargs["kernel_size"]
    n_windows = len(im2col(np.zeros(size), **kwargs))
    cols = np.ones((n_windows, k * k))
    np.testing.assert_array_equal(col2im(cols, size, **kwargs), expected)


def test_col2im_layouts() -> None:
    x = np.arange(1, 19, dtype=float).reshape(2, 3, 3)
    cols = im2col(x, 2)
    assert col2im(cols, 3, 2).shape == (2, 3, 3)
    assert col2im(cols[None], 3, 2).shape == (1, 2, 3, 3)
    one = im2col(x[:1], 2)
    assert col2im(one, 3, 2).shape == (3, 3)
    assert col2im(one, 3, 2, channels=1).shape == (1, 3, 3)
    # Each interior cell is in 4 windows, each corner in 1.
    np.testing.assert_array_equal(col2im(cols, 3, 2)[1], x[1] * [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


# --------------------------------------------------------------------------------------------
# Errors: always EngineError (a ValueError) naming the parameter and its value
# --------------------------------------------------------------------------------------------

X3 = np.zeros((3, 4, 4))
W3 = np.zeros((2, 3, 3, 3))

CONV2D_ERRORS: list[tuple[str, Any, Any, dict, str]] = [
    ("stride0", X44, K22, {"stride": 0}, "stride=0: must be at least 1"),
    ("stride-neg", X44, K22, {"stride": (1, -1)}, r"stride=\(1, -1\)"),
    ("stride-str", X44, K22, {"stride": "a"}, "stride='a'"),
    ("stride-float", X44, K22, {"stride": 1.5}, "stride=1.5"),
    ("dilation0", X44, K22, {"dilation": 0}, "dilation=0: must be at least 1"),
    ("padding-neg", X44, K22, {"padding": -1}, "padding=-1: must not be negative"),
    ("padding-str", X44, K22, {"padding": "full"}, "padding='full'.*'valid' or 'same'"),
    ("padding-float", X44, K22, {"padding": 0.5}, "padding=0.5"),
    ("padding-triple", X44, K22, {"padding": (1, 1, 1)}, r"padding=\(1, 1, 1\)"),
    ("groups0", X3, W3, {"groups": 0}, "groups=0: must be at least 1"),
    ("groups-in", np.zeros((4, 4, 4)), np.zeros((3, 4, 3, 3)), {"groups": 3}, "groups=3.*4 input"),
    (
        "groups-out",
        np.zeros((4, 4, 4)),
        np.zeros((3, 2, 3, 3)),
        {"groups": 2},
        "groups=2.*3 output",
    ),
    (
        "weight-channels",
        X3,
        np.zeros((2, 2, 3, 3)),
        {},
        r"weight has shape \(2, 2, 3, 3\).*must be 3",
    ),
    ("weight-3d", X3, np.zeros((2, 3, 3)), {}, r"weight has shape \(2, 3, 3\)"),
    ("weight-1d", X44, np.zeros(3), {}, r"weight has shape \(3,\)"),
    ("weight-nan", X44, A([[1, np.nan], [0, 0]]), {}, r"weight\[0, 1\]=nan"),
    ("weight-empty", X44, np.zeros((0, 2)), {}, "weight has shape"),
    ("2d-kernel-3d-x", X3, K22, {}, r"weight has shape \(2, 2\).*2-D x"),
    (
        "2d-x-many-outputs",
        X44,
        np.zeros((2, 1, 2, 2)),
        {},
        r"weight has shape \(2, 1, 2, 2\).*1 output",
    ),
    ("kernel-too-big", X_SEED, K44, {}, r"kernel spans \(4, 4\).*\(3, 3\)"),
    ("dilation-too-big", X_SEED, K22, {"dilation": 3}, r"dilation=\(3, 3\).*spans \(4, 4\)"),
    ("x-nan", A([[1, np.nan], [0, 0]]), K22, {}, r"x\[0, 1\]=nan"),
    ("x-inf", A([[1, 0], [np.inf, 0]]), K22, {}, r"x\[1, 0\]=inf"),
    ("x-1d", np.zeros(5), K22, {}, r"x has shape \(5,\)"),
    ("x-5d", np.zeros((1, 1, 1, 4, 4)), K22, {}, r"x has shape \(1, 1, 1, 4, 4\)"),
    ("x-text", [["a", "b"]], K22, {}, "x: must be an array of numbers"),
    ("bias-shape", X44, K22, {"bias": [1, 2]}, r"bias has shape \(2,\)"),
    ("bias-nan", X44, K22, {"bias": [np.nan]}, r"bias\[0\]=nan"),
]


@pytest.mark.parametrize(
    ("x", "w", "kwargs", "message"),
    [case[1:] for case in CONV2D_ERRORS],
    ids=[case[0] for case in CONV2D_ERRORS],
)
def test_conv2d_errors(x: Any, w: Any, kwargs: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message) as info:
        conv2d(x, w, **kwargs)
    assert isinstance(info.value, ValueError)


CONV_T_ERRORS: list[tuple[str, Any, Any, dict, str]] = [
    (
        "output_padding-stride",
        R_SEED,
        ONES33,
        {"stride": 2, "output_padding": 2},
        re.escape("output_padding=(2, 2): must be smaller than stride or dilation (2, 2)"),
    ),
    (
        "output_padding-stride1",
        R_SEED,
        ONES33,
        {"output_padding": (0, 1)},
        re.escape("output_padding=(0, 1): must be smaller than stride or dilation (1, 1)"),
    ),
    ("output_padding-neg", R_SEED, ONES33, {"output_padding": -1}, "output_padding=-1: must not"),
    (
        "output_padding-same",
        R_SEED,
        ONES33,
        {"stride": 2, "padding": "same", "output_padding": 1},
        "output_padding=1: must be 0 with padding='same'",
    ),
    (
        "padding-too-big",
        R_SEED,
        K22,
        {"padding": 2},
        r"padding=2: gives an output of size \(-1, -1\)",
    ),
    ("padding-str", R_SEED, K22, {"padding": "causal"}, "padding='causal'"),
    ("stride0", R_SEED, K22, {"stride": (0, 1)}, r"stride=\(0, 1\): must be at least 1"),
    ("dilation0", R_SEED, K22, {"dilation": -2}, "dilation=-2"),
    ("groups", np.zeros((3, 2, 2)), np.zeros((3, 1, 2, 2)), {"groups": 2}, "groups=2.*3 input"),
    (
        "weight-in",
        np.zeros((3, 2, 2)),
        np.zeros((2, 1, 2, 2)),
        {},
        r"weight has shape \(2, 1, 2, 2\).*must be 3",
    ),
    ("2d-kernel-4d-x", np.zeros((1, 1, 2, 2)), K22, {}, r"weight has shape \(2, 2\)"),
    ("2d-x-many-outputs", R_SEED, np.zeros((1, 3, 2, 2)), {}, "1 output channel, not 3"),
    ("x-nan", A([[np.nan]]), K22, {}, r"x\[0, 0\]=nan"),
    ("bias-shape", np.zeros((2, 2, 2)), np.zeros((2, 3, 2, 2)), {"bias": [1, 2]}, r"shape \(3,\)"),
]


@pytest.mark.parametrize(
    ("x", "w", "kwargs", "message"),
    [case[1:] for case in CONV_T_ERRORS],
    ids=[case[0] for case in CONV_T_ERRORS],
)
def test_conv_transpose2d_errors(x: Any, w: Any, kwargs: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message) as info:
        conv_transpose2d(x, w, **kwargs)
    assert isinstance(info.value, ValueError)


IM2COL_ERRORS: list[tuple[str, dict, str]] = [
    ("kernel0", {"kernel_size": 0}, "kernel_size=0: must be at least 1"),
    ("kernel-too-big", {"kernel_size": (2, 5)}, r"kernel_size=\(2, 5\).*spans \(2, 5\)"),
    ("dilation-too-big", {"kernel_size": 2, "dilation": 4}, r"kernel_size=2.*spans \(5, 5\)"),
    ("stride0", {"kernel_size": 2, "stride": 0}, "stride=0"),
    ("padding-neg", {"kernel_size": 2, "padding": (0, -1)}, r"padding=\(0, -1\)"),
]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [case[1:] for case in IM2COL_ERRORS],
    ids=[case[0] for case in IM2COL_ERRORS],
)
def test_im2col_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        im2col(X44, **kwargs)


COL2IM_ERRORS: list[tuple[str, Any, dict, str]] = [
    ("rows", np.zeros((5, 4)), {"output_size": 3, "kernel_size": 2}, r"2×2 = 4 windows"),
    ("width", np.zeros((4, 6)), {"output_size": 3, "kernel_size": 2}, "multiple of 4"),
    ("output_size0", np.zeros((4, 4)), {"output_size": 0, "kernel_size": 2}, "output_size=0"),
    ("cols-4d", np.zeros((1, 1, 4, 4)), {"output_size": 3, "kernel_size": 2}, r"cols has shape"),
    ("cols-nan", A([[np.nan]]), {"output_size": 1, "kernel_size": 1}, r"cols\[0, 0\]=nan"),
    (
        "channels",
        np.zeros((4, 8)),
        {"output_size": 3, "kernel_size": 2, "channels": 3},
        "channels=3",
    ),
    ("kernel-too-big", np.zeros((1, 16)), {"output_size": 3, "kernel_size": 4}, "kernel_size=4"),
]


@pytest.mark.parametrize(
    ("cols", "kwargs", "message"),
    [case[1:] for case in COL2IM_ERRORS],
    ids=[case[0] for case in COL2IM_ERRORS],
)
def test_col2im_errors(cols: Any, kwargs: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        col2im(cols, **kwargs)


def test_conv_matrix_errors() -> None:
    with pytest.raises(EngineError, match=r"weight has shape \(1, 1, 2, 2\).*2-D"):
        conv_matrix(np.zeros((1, 1, 2, 2)), 3)
    with pytest.raises(EngineError, match="input_size=0: must be at least 1"):
        conv_matrix(K22, 0)
    with pytest.raises(EngineError, match=r"spans \(4, 4\)"):
        conv_matrix(K44, 3)
    with pytest.raises(EngineError, match=r"output_padding=\(2, 2\)"):
        ConvMatrix.for_conv_transpose2d(K22, 3, stride=2, output_padding=2)
    with pytest.raises(EngineError, match="padding=3"):
        ConvMatrix.for_conv_transpose2d(K22, 2, padding=3)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ((9, 0), "row index 9"),
        ((0, -5), "column index -5"),
        ((range(0, 10), 0), r"row index range\(0, 10\)"),
        ((0.5, 0), "row index 0.5"),
        ((0, 1, 2), "takes"),
    ],
)
def test_conv_matrix_index_errors(key: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        ConvMatrix(W_SEED, 3)[key]
