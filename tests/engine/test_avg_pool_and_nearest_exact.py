"""Average pooling and nearest-exact: goldens worked by hand from PyTorch's documented semantics
(``F.avg_pool2d``; ``F.interpolate(mode="nearest-exact")``), and their steps on random scenes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tui_upsample.engine import EngineError, avg_pool2d, trace, upsample_nearest
from tui_upsample.engine.operators import TABLE, output_size_lines
from tui_upsample.engine.steps import ARGMAX, INPUT
from tui_upsample.engine.text import format_number

CS231N = np.array([[1, 3, 2, 0], [4, 6, 5, 1], [3, 1, 1, 2], [0, 2, 8, 7]], dtype=float)


def test_avg_pool_means_of_the_windows() -> None:
    np.testing.assert_array_equal(avg_pool2d(CS231N, 2), [[3.5, 2], [1.5, 4.5]])
    # stride 1: overlapping windows
    np.testing.assert_array_equal(avg_pool2d([[1, 2, 3], [4, 5, 6]], 2, 1), [[3, 4]])


def test_avg_pool_padding_counts_or_not() -> None:
    x = [[1, 3, 2], [4, 6, 5], [3, 1, 1]]
    # padding 1, stride 2, ceil_mode: windows (rows/cols) -1..0, 1..2
    counted = avg_pool2d(x, 2, 2, 1, ceil_mode=True, count_include_pad=True)
    np.testing.assert_array_equal(counted, [[1 / 4, 5 / 4], [7 / 4, 13 / 4]])
    inside = avg_pool2d(x, 2, 2, 1, ceil_mode=True, count_include_pad=False)
    np.testing.assert_array_equal(inside, [[1, 2.5], [3.5, 3.25]])
    np.testing.assert_array_equal(
        avg_pool2d(x, 2, 2, 1, True, True, divisor_override=2), [[0.5, 2.5], [3.5, 6.5]]
    )


def test_avg_pool_ceil_window_past_the_input_counts_only_what_it_covers() -> None:
    # 1×5, window 1×2 stride 2, ceil_mode: a third window over the last column alone
    np.testing.assert_array_equal(
        avg_pool2d([[1, 2, 3, 4, 5]], (1, 2), (1, 2), ceil_mode=True), [[1.5, 3.5, 5]]
    )


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        (dict(kernel_size=2, padding=2), "must be at most half of kernel_size=2"),
        (dict(kernel_size=2, divisor_override=0), "must not be 0"),
        (dict(kernel_size=2, divisor_override=1.5), "must be an integer or None"),
        (dict(kernel_size=2, count_include_pad=1), "must be True or False"),
        (dict(kernel_size=5), "does not fit"),
    ],
)
def test_avg_pool_refuses_what_pytorch_refuses(kwargs, rule) -> None:
    with pytest.raises(EngineError, match=rule):
        avg_pool2d(CS231N, **kwargs)


def test_avg_pool_steps_say_the_divisor_and_the_max_beside_it() -> None:
    t = trace("avg_pool2d", CS231N, kernel_size=2, stride=2)
    s = t[0]
    assert s.arithmetic == "y[0,0] = (1 + 3 + 4 + 6)/4 = 3.5"
    assert s.rule == "divisor 4 = the 2×2 window"
    assert s.notes == ("max pooling would give 6, from x[1,1]",)
    assert s.cells(INPUT, ARGMAX) == ((1, 1),)
    t = trace(
        "avg_pool2d",
        [[1, 3, 2], [4, 6, 5], [3, 1, 1]],
        kernel_size=2,
        stride=2,
        padding=1,
        ceil_mode=True,
        count_include_pad=False,
    )
    assert t[0].rule == "divisor 1, the cells inside x: count_include_pad=False"
    assert "3 taps fall on padding (0)" in t[0].notes
    t = trace("avg_pool2d", CS231N, kernel_size=2, divisor_override=3)
    assert t[0].rule == "divisor divisor_override=3"


def test_avg_pool_formula_has_no_dilation() -> None:
    (line,) = output_size_lines("avg_pool2d", (4, 4), {"kernel_size": 2, "stride": 2, "padding": 0})
    assert line == "o = ⌊(i + 2p − k)/s⌋ + 1 = ⌊(4 + 0 − 2)/2⌋ + 1 = 2"
    assert TABLE["avg_pool2d"].aliases[0] == "avgpool"


@pytest.mark.parametrize("seed", range(25))
def test_avg_pool_steps_on_random_scenes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(1, 7, size=2))
    k = int(rng.integers(1, 4))
    s = int(rng.integers(1, 4))
    p = int(rng.integers(0, k // 2 + 1))
    ceil, include = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
    override = None if rng.random() < 0.7 else int(rng.choice([-2, 1, 3]))
    x = rng.integers(-4, 10, size=(h, w)).astype(float)
    try:
        t = trace(
            "avg_pool2d",
            x,
            kernel_size=k,
            stride=s,
            padding=p,
            ceil_mode=ceil,
            count_include_pad=include,
            divisor_override=override,
        )
    except EngineError:
        pytest.skip("the window does not fit this scene")
    for step in t:
        oi, oj = np.unravel_index(step.index, t.result.shape)
        r0, c0 = oi * s - p, oj * s - p
        r1, c1 = min(r0 + k, h + p), min(c0 + k, w + p)  # PyTorch's bounds, padding included
        padded_count = (r1 - r0) * (c1 - c0)
        cells = [
            (r, c) for r in range(max(r0, 0), min(r1, h)) for c in range(max(c0, 0), min(c1, w))
        ]
        assert list(step.input_cells) == cells
        divisor = override if override is not None else (padded_count if include else len(cells))
        total = math.fsum(x[c] for c in cells)
        assert step.value == pytest.approx(total / divisor) and step.value == t.result[oi, oj]
        assert step.arithmetic == (
            f"y[{oi},{oj}] = ({' + '.join(format_number(x[c]) for c in cells)})/{divisor}"
            f" = {format_number(step.value)}"
        )
        values = [x[c] for c in cells]
        assert step.argmax == cells[values.index(max(values))]
        partial = step.partial.reshape(-1)
        np.testing.assert_array_equal(
            partial[: step.index + 1], t.result.reshape(-1)[: step.index + 1]
        )
        assert np.isnan(partial[step.index + 1 :]).all()


# nearest-exact ---------------------------------------------------------------------------------


def test_nearest_exact_takes_the_cell_under_each_centre() -> None:
    # 4 → 3: scale 4/3. nearest ⌊d·4/3⌋ = 0, 1, 2; nearest-exact ⌊(d + 0.5)·4/3⌋ = 0, 2, 3
    x = [[0, 1, 2, 3]]
    np.testing.assert_array_equal(upsample_nearest(x, size=(1, 3)), [[0, 1, 2]])
    np.testing.assert_array_equal(upsample_nearest(x, size=(1, 3), exact=True), [[0, 2, 3]])
    # 3 → 5: scale 0.6. nearest 0, 0, 1, 1, 2; nearest-exact 0, 0, 1, 2, 2
    x = [[0, 1, 2]]
    np.testing.assert_array_equal(upsample_nearest(x, size=(1, 5)), [[0, 0, 1, 1, 2]])
    np.testing.assert_array_equal(upsample_nearest(x, size=(1, 5), exact=True), [[0, 0, 1, 2, 2]])
    # the same size: both copy straight through
    np.testing.assert_array_equal(upsample_nearest(x, size=(1, 3), exact=True), [[0, 1, 2]])


def test_nearest_exact_step_shows_both_rules() -> None:
    t = trace("upsample_nearest", [[0, 1, 2]], size=(1, 5), exact=True)
    s = t[3]
    assert s.input_cells == ((0, 2),)
    assert s.rule == "row ⌊(0 + 0.5)·1⌋ = 0, col ⌊(3 + 0.5)·0.6⌋ = 2"
    assert s.notes == ("nearest would copy x[0,1] = 1",)
    plain = trace("upsample_nearest", [[0, 1, 2]], size=(1, 5))[3]
    assert plain.notes == ("nearest-exact would copy x[0,2] = 2",)
    assert trace("upsample_nearest", [[0, 1, 2]], size=(1, 5))[0].notes == (
        "nearest-exact would copy x[0,0] too",
    )


def test_float32_input_follows_pytorchs_float32_indices() -> None:
    """A 1×48 float32 ramp at scale (1, 2.7): PyTorch's float32 kernel copies cell 29 into
    output cell 81, where float64 arithmetic would pick 30."""
    ramp = np.arange(48, dtype=np.float32).reshape(1, 48)
    assert upsample_nearest(ramp, scale_factor=(1.0, 2.7))[0, 81] == 29
    assert upsample_nearest(ramp.astype(np.float64), scale_factor=(1.0, 2.7))[0, 81] == 30
    assert upsample_nearest(ramp, scale_factor=(1.0, 2.7)).dtype == np.float64
