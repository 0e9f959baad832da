"""max_pool2d and max_unpool2d: hand-worked examples and values PyTorch 2.13 (CPU) gave."""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.pooling import max_pool2d
from tui_upsample.engine.unpooling import max_unpool2d

# The CS231n max pooling example (2×2 windows, stride 2).
CS231N = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)
CS231N_POOLED = np.array([[6, 8], [3, 4]], dtype=float)
CS231N_INDICES = np.array([[5, 7], [8, 15]])


def test_cs231n_example_values_and_indices() -> None:
    pooled, indices = max_pool2d(CS231N, 2, return_indices=True)
    np.testing.assert_array_equal(pooled, CS231N_POOLED)
    np.testing.assert_array_equal(indices, CS231N_INDICES)
    assert indices.dtype == np.int64
    assert pooled.dtype == np.float64


def test_without_indices_returns_only_values() -> None:
    out = max_pool2d(CS231N, 2)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, CS231N_POOLED)


def test_stride_none_means_kernel_size() -> None:
    np.testing.assert_array_equal(max_pool2d(CS231N, 2, stride=None), max_pool2d(CS231N, 2, 2))


def test_overlapping_windows_stride_one() -> None:
    out = max_pool2d(CS231N, 2, stride=1)
    np.testing.assert_array_equal(out, [[6, 7, 8], [6, 7, 8], [3, 3, 4]])


def test_ties_go_to_first_maximum_in_row_major_order() -> None:
    # torch: values all 2, indices [[1, 1], [3, 5]]
    x = [[1, 2, 2], [2, 0, 2], [1, 2, 1]]
    pooled, indices = max_pool2d(x, 2, stride=1, return_indices=True)
    np.testing.assert_array_equal(pooled, [[2, 2], [2, 2]])
    np.testing.assert_array_equal(indices, [[1, 1], [3, 5]])


def test_ties_in_windows_with_padding() -> None:
    # torch: a 4×4 plane of ones, 3×3 windows, stride 1, padding 1.
    _, indices = max_pool2d(np.ones((4, 4)), 3, stride=1, padding=1, return_indices=True)
    np.testing.assert_array_equal(
        indices, [[0, 0, 1, 2], [0, 0, 1, 2], [4, 4, 5, 6], [8, 8, 9, 10]]
    )


def test_padding_is_minus_infinity_not_zero() -> None:
    # All values negative: a zero padding would win, −∞ padding never does (torch agrees).
    x = -np.arange(1.0, 10.0).reshape(3, 3)
    pooled, indices = max_pool2d(x, 2, stride=2, padding=1, return_indices=True)
    np.testing.assert_array_equal(pooled, [[-1, -2], [-4, -5]])
    np.testing.assert_array_equal(indices, [[0, 1], [3, 4]])


def test_ceil_mode_keeps_partial_windows() -> None:
    x = np.arange(25.0).reshape(5, 5)
    floor, _ = max_pool2d(x, 2, stride=2, return_indices=True)
    ceil, idx = max_pool2d(x, 2, stride=2, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(floor, [[6, 8], [16, 18]])
    np.testing.assert_array_equal(ceil, [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    np.testing.assert_array_equal(idx, [[6, 8, 9], [16, 18, 19], [21, 23, 24]])


def test_ceil_mode_drops_window_starting_in_right_padding() -> None:
    # 5 wide, k=2, s=2, p=1: ⌈5/2⌉ + 1 = 4 windows, but the 4th would start in the padding.
    x = np.arange(25.0).reshape(5, 5)
    pooled, idx = max_pool2d(x, 2, stride=2, padding=1, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(pooled, [[0, 2, 4], [10, 12, 14], [20, 22, 24]])
    np.testing.assert_array_equal(idx, [[0, 2, 4], [10, 12, 14], [20, 22, 24]])


def test_ceil_mode_with_padding_and_overlap() -> None:
    x = np.arange(36.0).reshape(6, 6)[::-1]
    pooled, idx = max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(
        pooled, [[31, 33, 35, 35], [25, 27, 29, 29], [13, 15, 17, 17], [1, 3, 5, 5]]
    )
    np.testing.assert_array_equal(
        idx, [[1, 3, 5, 5], [7, 9, 11, 11], [19, 21, 23, 23], [31, 33, 35, 35]]
    )
    floor = max_pool2d(x, 3, stride=2, padding=1)
    np.testing.assert_array_equal(floor, [[31, 33, 35], [25, 27, 29], [13, 15, 17]])


def test_dilation() -> None:
    x = np.array(
        [[3, 1, 4, 1, 5], [9, 2, 6, 5, 3], [5, 8, 9, 7, 9], [3, 2, 3, 8, 4], [6, 2, 6, 4, 3]],
        dtype=float,
    )
    pooled, idx = max_pool2d(x, 2, stride=1, dilation=2, return_indices=True)
    np.testing.assert_array_equal(pooled, [[9, 8, 9], [9, 8, 6], [9, 8, 9]])
    np.testing.assert_array_equal(idx, [[12, 11, 12], [5, 18, 7], [12, 11, 12]])


def test_rectangular_kernel_and_stride() -> None:
    x = np.arange(24.0).reshape(4, 6)
    pooled, idx = max_pool2d(x, (2, 3), stride=(2, 3), return_indices=True)
    np.testing.assert_array_equal(pooled, [[8, 11], [20, 23]])
    np.testing.assert_array_equal(idx, [[8, 11], [20, 23]])


def test_indices_are_per_plane_in_4d_input() -> None:
    plane = CS231N
    x = np.stack([np.stack([plane, plane[::-1]]), np.stack([10 - plane, 10 - plane[::-1]])])
    assert x.shape == (2, 2, 4, 4)
    pooled, idx = max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(
        pooled, [[[[6, 8], [3, 4]], [[3, 4], [6, 8]]], [[[9, 8], [9, 10]], [[9, 10], [9, 8]]]]
    )
    np.testing.assert_array_equal(
        idx,
        [[[[5, 7], [8, 15]], [[4, 3], [9, 11]]], [[[0, 2], [12, 11]], [[0, 7], [12, 14]]]],
    )


def test_layouts_keep_their_shape() -> None:
    x3 = np.stack([CS231N, -CS231N])
    pooled, idx = max_pool2d(x3, 2, return_indices=True)
    assert pooled.shape == idx.shape == (2, 2, 2)
    np.testing.assert_array_equal(pooled[0], CS231N_POOLED)
    np.testing.assert_array_equal(idx[0], CS231N_INDICES)


# ---------------------------------------------------------------- max_unpool2d


def test_unpool_cs231n_with_zeros() -> None:
    out = max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2)
    np.testing.assert_array_equal(out, [[0, 0, 0, 0], [0, 6, 0, 8], [3, 0, 0, 0], [0, 0, 0, 4]])


def test_unpool_cs231n_with_max_fill() -> None:
    out = max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2, fill="max")
    np.testing.assert_array_equal(out, [[6, 6, 8, 8], [6, 6, 8, 8], [3, 3, 4, 4], [3, 3, 4, 4]])


def test_unpool_output_size_reinterprets_indices_in_the_bigger_plane() -> None:
    # torch: with output_size (5, 5) the flat indices land on a 5-wide plane.
    out = max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2, output_size=(5, 5))
    np.testing.assert_array_equal(
        out,
        [[0, 0, 0, 0, 0], [6, 0, 8, 3, 0], [0, 0, 0, 0, 0], [4, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
    )


def test_unpool_max_fill_leaves_cells_in_no_window_at_zero() -> None:
    out = max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2, output_size=(5, 5), fill="max")
    np.testing.assert_array_equal(
        out,
        [[6, 6, 8, 8, 0], [6, 6, 8, 3, 0], [3, 3, 4, 4, 0], [4, 3, 4, 4, 0], [0, 0, 0, 0, 0]],
    )


def test_unpool_max_fill_overlapping_windows_take_the_largest_maximum() -> None:
    # k=3, s=2: windows share row 2 and column 2.
    out = max_unpool2d([[1, 5], [3, 2]], [[0, 4], [20, 24]], 3, stride=2, fill="max")
    np.testing.assert_array_equal(
        out,
        [[1, 1, 5, 5, 5], [1, 1, 5, 5, 5], [3, 3, 5, 5, 5], [3, 3, 3, 2, 2], [3, 3, 3, 2, 2]],
    )
    zeros = max_unpool2d([[1, 5], [3, 2]], [[0, 4], [20, 24]], 3, stride=2)
    expected = np.zeros((5, 5))
    expected[0, 0], expected[0, 4], expected[4, 0], expected[4, 4] = 1, 5, 3, 2
    np.testing.assert_array_equal(zeros, expected)


def test_unpool_duplicate_indices_last_write_wins() -> None:
    # torch (one thread): index 5 gets 4, the last of 1, 2, 3, 4 in row-major order.
    out = max_unpool2d([[1, 2], [3, 4]], [[5, 5], [5, 5]], 2)
    expected = np.zeros((4, 4))
    expected[1, 1] = 4
    np.testing.assert_array_equal(out, expected)
    out = max_unpool2d([[1, 2], [3, 4]], [[0, 0], [5, 0]], 2)
    assert out[0, 0] == 4 and out[1, 1] == 3


def test_unpool_duplicate_indices_with_max_fill() -> None:
    out = max_unpool2d([[1, 2], [3, 4]], [[5, 5], [5, 5]], 2, fill="max")
    np.testing.assert_array_equal(out, [[1, 1, 2, 2], [1, 4, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])


def test_unpool_with_padding_default_size() -> None:
    x = np.arange(1.0, 10.0).reshape(3, 3)
    idx = np.array([[0, 2, 4], [10, 12, 14], [20, 22, 24]])
    out = max_unpool2d(x, idx, 3, stride=2, padding=1)
    assert out.shape == (5, 5)  # (3 − 1)·2 − 2 + 3
    np.testing.assert_array_equal(out[::2, ::2], x)
    assert out.sum() == x.sum()


def test_unpool_full_shape_output_size_takes_last_two() -> None:
    a = max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2, output_size=(1, 1, 4, 5))
    b = max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2, output_size=(4, 5))
    assert a.shape == (4, 5)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("size", [(3, 3), (5, 5), (3, 5), (4, 4), (5, 3)])
def test_unpool_output_size_just_inside_bounds(size: tuple[int, int]) -> None:
    idx = np.zeros((2, 2), dtype=np.int64)
    assert max_unpool2d(np.ones((2, 2)), idx, 2, output_size=size).shape == size


@pytest.mark.parametrize("size", [(2, 4), (6, 4), (4, 2), (4, 6), (1, 4), (7, 7)])
def test_unpool_output_size_at_or_beyond_bounds_raises(size: tuple[int, int]) -> None:
    idx = np.zeros((2, 2), dtype=np.int64)
    with pytest.raises(EngineError, match=r"output_size=.*strictly between 2 and 6"):
        max_unpool2d(np.ones((2, 2)), idx, 2, output_size=size)


def test_unpool_bounds_message_is_exact() -> None:
    with pytest.raises(EngineError) as info:
        max_unpool2d(np.ones((2, 2)), np.zeros((2, 2), int), 2, output_size=(7, 7))
    assert str(info.value) == (
        "output_size=(7, 7): height 7 must be strictly between 2 and 6 (default 4 ± stride 2)"
    )


def test_unpool_planes_are_independent() -> None:
    x = np.stack([CS231N, CS231N[::-1]])[None]
    pooled, idx = max_pool2d(x, 2, return_indices=True)
    out = max_unpool2d(pooled, idx, 2)
    assert out.shape == (1, 2, 4, 4)
    np.testing.assert_array_equal(out[0, 0], max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2))
    np.testing.assert_array_equal(out[0, 1], out[0, 0][::-1])


def test_unpool_accepts_integral_float_indices() -> None:
    out = max_unpool2d(CS231N_POOLED, CS231N_INDICES.astype(float), 2)
    np.testing.assert_array_equal(out, max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"kernel_size": 0}, r"kernel_size=0: must be at least 1"),
        ({"kernel_size": (2, 0)}, r"kernel_size=\(2, 0\)"),
        ({"kernel_size": 2.5}, r"kernel_size=2.5: must be an integer"),
        ({"kernel_size": (1, 2, 3)}, r"kernel_size=\(1, 2, 3\)"),
        ({"kernel_size": True}, r"kernel_size=True"),
        ({"kernel_size": 2, "stride": 0}, r"stride=0: must be at least 1"),
        ({"kernel_size": 2, "dilation": 0}, r"dilation=0: must be at least 1"),
        ({"kernel_size": 2, "padding": -1}, r"padding=-1: must not be negative"),
        ({"kernel_size": 3, "padding": 2}, r"padding=2: must be at most half of kernel_size=3"),
        ({"kernel_size": 2, "padding": (0, 2)}, r"padding=\(0, 2\).*at most 1"),
        # Dilation does not widen what padding may be (torch: pad <= kernel_size / 2).
        ({"kernel_size": 3, "padding": 2, "dilation": 2}, r"padding=2.*dilation does not"),
        ({"kernel_size": 5}, r"kernel_size=5: .*no cells"),
        ({"kernel_size": 3, "dilation": 2}, r"kernel_size=3: with dilation=2 a window spans 5"),
        ({"kernel_size": 2, "ceil_mode": 1}, r"ceil_mode=1: must be True or False"),
        ({"kernel_size": 2, "return_indices": "yes"}, r"return_indices='yes'"),
    ],
)
def test_pool_argument_errors(kwargs: dict, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        max_pool2d(CS231N, **kwargs)


@pytest.mark.parametrize(
    ("x", "pattern"),
    [
        (np.arange(4.0), r"x has shape \(4,\)"),
        (np.zeros((1, 1, 1, 2, 2)), r"x has shape \(1, 1, 1, 2, 2\)"),
        (np.zeros((0, 3)), r"x has shape \(0, 3\)"),
        ([[1.0, np.nan], [0.0, 0.0]], r"x\[0, 1\]=nan"),
        ([[1.0, 2.0], [np.inf, 0.0]], r"x\[1, 0\]=inf"),
        ([["a", "b"], ["c", "d"]], r"x: must be an array of numbers"),
    ],
)
def test_pool_bad_arrays(x: object, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        max_pool2d(x, 1)


def test_pool_window_of_only_padding_raises() -> None:
    # torch returns −∞ with an index outside the plane here; the engine refuses instead.
    with pytest.raises(EngineError, match=r"dilation=2: .*covers only padding"):
        max_pool2d([[5.0]], 2, padding=1, dilation=2)


def _pooled() -> tuple[np.ndarray, np.ndarray]:
    return CS231N_POOLED, CS231N_INDICES


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"kernel_size": 0}, r"kernel_size=0"),
        ({"kernel_size": 2, "stride": 0}, r"stride=0"),
        ({"kernel_size": 2, "padding": -1}, r"padding=-1"),
        (
            {"kernel_size": 2, "padding": 2},
            r"padding=2: the default output height .* = 0 is below 1",
        ),
        ({"kernel_size": 2, "fill": "min"}, r"fill='min': must be \"zeros\" or \"max\""),
        ({"kernel_size": 2, "fill": None}, r"fill=None"),
        ({"kernel_size": 2, "output_size": (1, 2, 3, 4, 5)}, r"output_size=\(1, 2, 3, 4, 5\)"),
        ({"kernel_size": 2, "output_size": (4.0, 4)}, r"output_size=.*must be an integer"),
        ({"kernel_size": 2, "output_size": 4}, r"output_size=4"),
    ],
)
def test_unpool_argument_errors(kwargs: dict, pattern: str) -> None:
    x, idx = _pooled()
    with pytest.raises(EngineError, match=pattern):
        max_unpool2d(x, idx, **kwargs)


@pytest.mark.parametrize(
    ("indices", "pattern"),
    [
        ([[5, 7], [8, 16]], r"indices\[1, 1\]=16: must be between 0 and 15.*4 × 4"),
        ([[-1, 7], [8, 15]], r"indices\[0, 0\]=-1: must be between 0 and 15"),
        ([[5, 7, 8, 15]], r"indices has shape \(1, 4\): must have the same shape as x"),
        (np.zeros((2, 2, 1), dtype=int), r"indices has shape \(2, 2, 1\)"),
        ([[5.5, 7], [8, 15]], r"indices\[0, 0\]=5.5: every index must be an integer"),
        ([["a", "b"], ["c", "d"]], r"indices has dtype"),
        ([[5, 7], [8]], r"indices"),
    ],
)
def test_unpool_bad_indices(indices: object, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        max_unpool2d(CS231N_POOLED, indices, 2)


def test_unpool_bad_index_for_smaller_output_size() -> None:
    # Index 15 fits the default 4×4 plane but not a 3×3 one (torch raises too).
    with pytest.raises(EngineError, match=r"indices\[1, 1\]=15: must be between 0 and 8"):
        max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2, output_size=(3, 3))


def test_engine_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        max_pool2d(CS231N, 0)


def test_unpool_output_size_must_be_a_sequence() -> None:
    for bad in (np.array(4), np.array([[4, 4]])):
        with pytest.raises(EngineError, match=r"output_size=array of shape"):
            max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2, output_size=bad)
    # A 1-D array is fine.
    out = max_unpool2d(CS231N_POOLED, CS231N_INDICES, 2, output_size=np.array([4, 5]))
    assert out.shape == (4, 5)


def test_unpool_too_big_to_hold_is_refused() -> None:
    with pytest.raises(
        EngineError, match=r"kernel_size=1099511627776: .*more than the engine builds"
    ):
        max_unpool2d([[1.0]], [[0]], 2**40)
    with pytest.raises(EngineError, match=r"indices\[0, 0\]=18446744073709551615: is too large"):
        max_unpool2d([[1.0]], np.array([[2**64 - 1]], dtype=np.uint64), 2)


def test_pool_stride_longer_than_input_gives_one_window() -> None:
    pooled, idx = max_pool2d(CS231N, 2, stride=2**70, return_indices=True)
    assert pooled.tolist() == [[6.0]] and idx.tolist() == [[5]]
