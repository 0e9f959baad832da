"""Nearest, bilinear, bed of nails and pixel shuffle: values PyTorch 2.13 (CPU) gave, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample.engine.bilinear import bilinear_sources, upsample_bilinear
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.pixel_shuffle import pixel_shuffle
from tui_upsample.engine.upsampling import (
    bed_of_nails,
    nearest_fast_path,
    nearest_sources,
    upsample_nearest,
)


def _nearest_cols(n: int, **kwargs: object) -> list[int]:
    """Which input column each output column copies, read off a 1×n ramp."""
    out = upsample_nearest(np.arange(float(n))[None, :], **kwargs)
    return out[0].astype(int).tolist()


# ---------------------------------------------------------------- nearest


def test_nearest_integer_scale_repeats() -> None:
    x = np.arange(6.0).reshape(2, 3)
    out = upsample_nearest(x, scale_factor=2)
    np.testing.assert_array_equal(
        out,
        [[0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2], [3, 3, 4, 4, 5, 5], [3, 3, 4, 4, 5, 5]],
    )


@pytest.mark.parametrize(
    ("n", "kwargs", "expected"),
    [
        # All from torch.nn.functional.interpolate(mode="nearest").
        (5, {"scale_factor": (1, 1.5)}, [0, 0, 1, 2, 2, 3, 4]),
        (3, {"scale_factor": (1, 2.5)}, [0, 0, 0, 1, 1, 2, 2]),
        (10, {"size": (1, 7)}, [0, 1, 2, 4, 5, 7, 8]),
        (10, {"scale_factor": (1, 0.7)}, [0, 1, 2, 4, 5, 7, 8]),
        (3, {"scale_factor": (1, 0.5)}, [0]),
        (7, {"scale_factor": (1, 3.0)}, [i // 3 for i in range(21)]),
        # out == 2·in: torch halves the index instead of using 1/2.05.
        (11, {"scale_factor": (1, 2.05)}, [i // 2 for i in range(22)]),
        # out == in: torch copies straight through instead of using 1/1.1.
        (5, {"scale_factor": (1, 1.1)}, [0, 1, 2, 3, 4]),
    ],
)
def test_nearest_sources_match_torch(n: int, kwargs: dict, expected: list[int]) -> None:
    assert _nearest_cols(n, **kwargs) == expected


def test_nearest_small_output_rounds_in_float32() -> None:
    # 2 → 82 wide: 41·(2/82) is 1 exactly, but float32 gives 0.99999994 and torch copies column 0.
    assert _nearest_cols(2, size=(1, 82))[40:43] == [0, 0, 1]


def test_nearest_large_output_rounds_in_float64() -> None:
    # Same columns, but 50 + 82 > 128 sends torch to its float64 kernel: column 41 copies 1.
    out = upsample_nearest(np.arange(2.0)[None, :], size=(50, 82))
    assert out[0, 40:43].tolist() == [0, 1, 1]
    # 24 → 129 wide at 5.4: float64 gives 81/5.4 = 15, float32 would give 14 (torch: 15).
    cols = _nearest_cols(24, scale_factor=(1, 5.4))
    assert len(cols) == 129
    assert cols[79:84] == [14, 14, 15, 15, 15]


def test_nearest_large_output_has_no_same_size_shortcut() -> None:
    # (130, 5) at (1, 1.1): out 130 + 5 > 128, torch uses ⌊dst/1.1⌋ even though out == in.
    x = np.tile(np.arange(5.0), (130, 1))
    out = upsample_nearest(x, scale_factor=(1.0, 1.1))
    assert out.shape == (130, 5)
    assert out[0].tolist() == [0, 0, 1, 2, 3]
    np.testing.assert_array_equal(out[:, 0], np.zeros(130))


def test_nearest_2d_with_two_scales() -> None:
    out = upsample_nearest([[1, 2], [3, 4]], scale_factor=(1.5, 2.5))
    np.testing.assert_array_equal(out, [[1, 1, 1, 2, 2], [1, 1, 1, 2, 2], [3, 3, 3, 4, 4]])


def test_nearest_size_int_means_square() -> None:
    out = upsample_nearest([[1, 2], [3, 4]], size=4)
    np.testing.assert_array_equal(out, np.repeat(np.repeat([[1, 2], [3, 4]], 2, 0), 2, 1))


def test_nearest_fast_path_threshold() -> None:
    assert nearest_fast_path(64, 64)
    assert not nearest_fast_path(64, 65)


def test_nearest_sources_helper() -> None:
    assert nearest_sources(5, 7, 1.5).tolist() == [0, 0, 1, 2, 2, 3, 4]
    assert nearest_sources(10, 7).tolist() == [0, 1, 2, 4, 5, 7, 8]
    assert nearest_sources(5, 5, 1.1).tolist() == [0, 1, 2, 3, 4]
    assert nearest_sources(5, 5, 1.1, fast_path=False).tolist() == [0, 0, 1, 2, 3]
    assert nearest_sources(2, 82)[41] == 0
    assert nearest_sources(2, 82, fast_path=False)[41] == 1


# ---------------------------------------------------------------- bilinear

SQUARE = [[1.0, 2.0], [3.0, 4.0]]


def test_bilinear_half_pixel_centres() -> None:
    out = upsample_bilinear(SQUARE, scale_factor=2)
    np.testing.assert_allclose(
        out,
        [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]],
        rtol=0,
        atol=1e-12,
    )


def test_bilinear_align_corners() -> None:
    out = upsample_bilinear(SQUARE, scale_factor=2, align_corners=True)
    np.testing.assert_allclose(
        out,
        [
            [1.0, 1.3333333333333335, 1.6666666666666665, 2.0],
            [1.6666666666666667, 2.0, 2.333333333333333, 2.666666666666667],
            [2.333333333333333, 2.666666666666667, 3.0, 3.333333333333333],
            [3.0, 3.3333333333333335, 3.6666666666666665, 4.0],
        ],
        rtol=0,
        atol=1e-12,
    )


RAMP = [[0.0, 1.0, 4.0], [9.0, 16.0, 25.0]]


def test_bilinear_scale_factor_uses_the_given_scale() -> None:
    # 2×3 at 1.5 → 3×4; the columns read at 1/1.5, not at 3/4 (torch).
    out = upsample_bilinear(RAMP, scale_factor=1.5)
    np.testing.assert_allclose(
        out,
        [
            [0.0, 0.49999999999999994, 1.4999999999999996, 3.5],
            [4.499999999999999, 6.499999999999998, 9.499999999999998, 13.499999999999998],
            [9.0, 12.5, 17.499999999999996, 23.5],
        ],
        rtol=0,
        atol=1e-12,
    )


def test_bilinear_size_uses_the_size_ratio() -> None:
    out = upsample_bilinear(RAMP, size=(3, 4))
    np.testing.assert_allclose(
        out,
        [
            [0.0, 0.625, 2.125, 4.0],
            [4.499999999999999, 6.999999999999999, 10.749999999999998, 14.499999999999998],
            [9.0, 13.375, 19.375, 24.999999999999996],
        ],
        rtol=0,
        atol=1e-12,
    )


def test_bilinear_align_corners_ignores_the_scale() -> None:
    out = upsample_bilinear(RAMP, scale_factor=1.5, align_corners=True)
    np.testing.assert_allclose(
        out,
        [
            [0.0, 0.6666666666666666, 1.9999999999999998, 4.0],
            [4.5, 7.166666666666666, 10.5, 14.5],
            [9.0, 13.666666666666666, 19.0, 25.0],
        ],
        rtol=0,
        atol=1e-12,
    )


def test_bilinear_downsampling() -> None:
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_allclose(upsample_bilinear(x, size=(2, 2)), [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_allclose(
        upsample_bilinear(x, size=(2, 3), align_corners=True), [[0, 1.5, 3], [12, 13.5, 15]]
    )
    # One output cell with align_corners reads the top-left corner.
    assert upsample_bilinear(x, size=(1, 1), align_corners=True).tolist() == [[0.0]]


def test_bilinear_same_size_copies_even_with_a_scale() -> None:
    out = upsample_bilinear([[0.0, 1.0, 4.0, 9.0, 16.0]], scale_factor=(1, 1.1))
    np.testing.assert_array_equal(out, [[0, 1, 4, 9, 16]])


def test_bilinear_sources_helper() -> None:
    i0, i1, w0, w1 = bilinear_sources(2, 4)
    assert i0.tolist() == [0, 0, 0, 1]
    assert i1.tolist() == [1, 1, 1, 1]
    np.testing.assert_allclose(w1, [0, 0.25, 0.75, 0])
    np.testing.assert_allclose(w0 + w1, 1)
    i0, i1, w0, w1 = bilinear_sources(2, 4, align_corners=True)
    assert i0.tolist() == [0, 0, 0, 1]
    np.testing.assert_allclose(w1, [0, 1 / 3, 2 / 3, 0])
    i0, i1, w0, w1 = bilinear_sources(3, 4, scale=1.5)
    np.testing.assert_allclose(i0 + w1, [0, 0.5, 7 / 6, 11 / 6])


def test_bilinear_3d_channels_are_independent() -> None:
    x = np.stack([np.array(SQUARE), 10 * np.array(SQUARE)])
    out = upsample_bilinear(x, scale_factor=2)
    assert out.shape == (2, 4, 4)
    np.testing.assert_allclose(out[1], 10 * out[0])


# ---------------------------------------------------------------- bed of nails


def test_bed_of_nails() -> None:
    out = bed_of_nails(SQUARE, 2)
    np.testing.assert_array_equal(out, [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])


def test_bed_of_nails_rectangular_factor() -> None:
    out = bed_of_nails([[1.0, 2.0]], (2, 3))
    np.testing.assert_array_equal(out, [[1, 0, 0, 2, 0, 0], [0, 0, 0, 0, 0, 0]])


# ---------------------------------------------------------------- pixel shuffle


def test_pixel_shuffle_written_out() -> None:
    # torch.nn.functional.pixel_shuffle(torch.arange(16.).reshape(4, 2, 2), 2)
    out = pixel_shuffle(np.arange(16.0).reshape(4, 2, 2), 2)
    np.testing.assert_array_equal(
        out, [[[0, 4, 1, 5], [8, 12, 9, 13], [2, 6, 3, 7], [10, 14, 11, 15]]]
    )


def test_pixel_shuffle_4d_and_factor_one() -> None:
    x = np.arange(2 * 8 * 2 * 3, dtype=float).reshape(2, 8, 2, 3)
    out = pixel_shuffle(x, 2)
    assert out.shape == (2, 2, 4, 6)
    # out[n, c, h·r + i, w·r + j] = x[n, c·r² + i·r + j, h, w]
    assert out[1, 1, 3, 4] == x[1, 1 * 4 + 1 * 2 + 0, 1, 2]
    np.testing.assert_array_equal(pixel_shuffle(x, 1), x)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("op", [upsample_nearest, upsample_bilinear])
@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({}, r"size=None, scale_factor=None: give exactly one.*neither"),
        ({"size": 4, "scale_factor": 2}, r"size=4, scale_factor=2: give exactly one.*both"),
        ({"size": 0}, r"size=0: must be at least 1"),
        ({"size": (3, 0)}, r"size=\(3, 0\)"),
        ({"size": 2.5}, r"size=2.5: must be an integer"),
        ({"scale_factor": 0}, r"scale_factor=0: must be a finite number greater than 0"),
        ({"scale_factor": -2}, r"scale_factor=-2"),
        ({"scale_factor": float("inf")}, r"scale_factor=inf"),
        ({"scale_factor": float("nan")}, r"scale_factor=nan"),
        ({"scale_factor": (1, 2, 3)}, r"scale_factor=\(1, 2, 3\)"),
        ({"scale_factor": "2"}, r"scale_factor='2'"),
        ({"scale_factor": 0.2}, r"scale_factor=0.2: the output height ⌊2 × 0.2⌋ = 0"),
        ({"scale_factor": (1, 0.4)}, r"scale_factor=\(1, 0.4\): the output width ⌊2 × 0.4⌋"),
    ],
)
def test_resize_argument_errors(op: object, kwargs: dict, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        op(SQUARE, **kwargs)  # type: ignore[operator]


def test_bilinear_align_corners_must_be_a_bool() -> None:
    with pytest.raises(EngineError, match=r"align_corners='yes'"):
        upsample_bilinear(SQUARE, scale_factor=2, align_corners="yes")


@pytest.mark.parametrize("op", [upsample_nearest, upsample_bilinear])
def test_resize_bad_arrays(op: object) -> None:
    with pytest.raises(EngineError, match=r"x has shape \(3,\)"):
        op([1.0, 2.0, 3.0], scale_factor=2)  # type: ignore[operator]
    with pytest.raises(EngineError, match=r"x\[0, 0\]=nan"):
        op([[np.nan]], scale_factor=2)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("factor", "pattern"),
    [(0, r"scale_factor=0: must be at least 1"), (1.5, r"scale_factor=1.5"), ((2,), r"\(2\)")],
)
def test_bed_of_nails_errors(factor: object, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        bed_of_nails(SQUARE, factor)


def test_pixel_shuffle_needs_channels() -> None:
    with pytest.raises(EngineError, match=r"x has shape \(2, 2\): pixel_shuffle needs a channel"):
        pixel_shuffle(SQUARE, 1)


def test_pixel_shuffle_channels_must_divide() -> None:
    with pytest.raises(
        EngineError, match=r"upscale_factor=2: the channel count 5 must be divisible by .* 4"
    ):
        pixel_shuffle(np.zeros((5, 2, 2)), 2)


@pytest.mark.parametrize("factor", [0, -1, 2.0, (2, 2)])
def test_pixel_shuffle_bad_factor(factor: object) -> None:
    with pytest.raises(EngineError, match=r"upscale_factor="):
        pixel_shuffle(np.zeros((4, 2, 2)), factor)


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: nearest_sources(0, 3), r"in_size=0"),
        (lambda: nearest_sources(3, 0), r"out_size=0"),
        (lambda: nearest_sources(3, 4, 0.0), r"scale=0.0"),
        (lambda: nearest_sources(3, 4, (1, 2)), r"scale=\(1, 2\)"),
        (lambda: bilinear_sources(3, -1), r"out_size=-1"),
        (lambda: bilinear_sources(3, 4, align_corners=1), r"align_corners=1"),
    ],
)
def test_source_helper_errors(call: object, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda: upsample_nearest(SQUARE, size=2**62),
            r"size=4611686018427387904: .*more than the engine builds",
        ),
        (
            lambda: upsample_bilinear(SQUARE, scale_factor=1e300),
            r"scale_factor=1e\+300: .*about 10\^300",
        ),
        (lambda: bed_of_nails(SQUARE, np.uint64(2**64 - 1)), r"scale_factor=18446744073709551615"),
        (
            lambda: nearest_sources(3, 2**62),
            r"out_size=4611686018427387904: .*more than the engine builds",
        ),
    ],
)
def test_outputs_too_big_to_hold_are_refused(call: object, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        call()  # type: ignore[operator]
