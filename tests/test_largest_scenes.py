"""The largest scenes the app accepts: refused up front (one line naming the limit) or computed
without building what the screen never shows.

No times are asserted here (benchmarks/ measures them); what is checked is that the limits are
applied before anything large is made, and that the shortcuts taken for large scenes give the
same numbers as the straightforward computation.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tui_upsample.engine.faces as faces
from tui_upsample.cli import main
from tui_upsample.engine import conv2d, trace
from tui_upsample.engine.conv_matrix import ConvMatrix
from tui_upsample.engine.operators import TABLE
from tui_upsample.number_format import EXACT_UNIQUE, cell_width, format_number
from tui_upsample.scene import (
    MAX_COMPARE_PRODUCTS,
    MAX_OUTPUT_CELLS,
    Scene,
    build_trace,
)

PREFIX = "upsample-tui: error: "


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1
    return lines[0]


# Refused up front ---
@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ("--op conv2d --size 64x64 --kernel-size 3 --padding 510", "1082×1082 = 1,170,724 cells"),
        ("--op pixel_shuffle --size 64x64 --scale 64", "16,777,216 cells"),
        ("--op pixel_shuffle --scale 1000", "4,000,000 cells"),
        (
            "--op conv_transpose2d --size 64x64 --kernel-size 16 --stride 16 --method all",
            "268,435,456 products",
        ),
        (
            "--op conv_transpose2d --size 64x64 --kernel-size 64 --dilation 15 --method all",
            "4096 kernel taps",
        ),
    ],
)
def test_a_scene_past_a_limit_is_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], argv: str, says: str
) -> None:
    tracemalloc.start()
    try:
        line = _refused(capsys, argv.split())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert says in line, line
    assert f"{MAX_OUTPUT_CELLS:,}" in line or f"{MAX_COMPARE_PRODUCTS:,}" in line, line
    # Refused before the grids are made: a 4096-channel 64×64 input alone is 128 MB.
    assert peak < 32 * 2**20, peak


def test_conv2d_padding_is_what_makes_its_output_large(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = _refused(capsys, ["--op", "conv2d", "--size", "8x8", "--padding", "600"])
    assert "lower the padding" in line, line


def test_pixel_shuffle_upscale_is_refused_before_its_channels_are_made() -> None:
    scene = Scene.seed_example("pixel_shuffle").with_x(np.zeros((4, 64, 64)))
    with pytest.raises(ValueError, match="1,048,576"):
        scene.with_param("upscale", 17)  # 289 channels of 64×64: 1,183,744 output cells
    assert scene.with_param("upscale", 16).channels.shape == (256, 64, 64)  # exactly the cap


def test_the_compare_cap_counts_output_cells_times_taps() -> None:
    small = Scene(op="conv_transpose2d", method="all", input=np.ones((64, 64)))
    # 1019×1019 cells × 121 taps = 125,641,081 products: under the cap.
    assert build_trace(small.replace(kernel=np.ones((11, 11)), stride=16)).result.shape == (
        1019,
        1019,
    )
    with pytest.raises(ValueError, match="products"):
        build_trace(small.replace(kernel=np.ones((12, 12)), stride=16))
    # One face alone steps through it.
    one = small.replace(kernel=np.ones((12, 12)), stride=16, method="direct")
    assert build_trace(one).result.shape == (1020, 1020)


def test_the_compare_cap_counts_the_taps_each_output_cell_reads_with_channels() -> None:
    # 2 → 4 channels in 2 groups: each output cell reads 1 plane × kH·kW taps. 4 planes of
    # 507×507 × 121 = 124,411,716 products (under the cap); 4 of 508×508 × 144 = 148,644,864.
    planes = Scene(op="conv_transpose2d", method="all", input=np.ones((2, 32, 32)), groups=2)
    fits = planes.replace(kernel=np.ones((2, 2, 11, 11)), stride=16)
    shape = TABLE["conv_transpose2d"].output_shape((2, 32, 32), fits.engine_params())
    assert shape == (4, 507, 507)  # C_out planes, not C_in
    assert build_trace(fits).result.shape == (4, 507, 507)
    with pytest.raises(ValueError, match=r"4×508×508 output cells by 144 kernel taps = 148,644,"):
        build_trace(planes.replace(kernel=np.ones((2, 2, 12, 12)), stride=16))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 9),
    cols=st.integers(1, 9),
    k=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.one_of(st.integers(0, 3), st.sampled_from(["same", "valid"])),
    dilation=st.integers(1, 3),
)
def test_conv2d_knows_its_output_shape_without_convolving(
    rows: int, cols: int, k: int, stride: int, padding: int | str, dilation: int
) -> None:
    x, w = np.zeros((rows, cols)), np.ones((k, k))
    params = {"weight": w, "stride": stride, "padding": padding, "dilation": dilation}
    try:
        expected = conv2d(x, w, stride=stride, padding=padding, dilation=dilation).shape
    except ValueError:
        with pytest.raises(ValueError):
            TABLE["conv2d"].output_shape(x.shape, params)
        return
    assert TABLE["conv2d"].output_shape(x.shape, params) == expected


# Computed without building what is never shown ---
@settings(max_examples=80, deadline=None)
@given(
    rows=st.integers(1, 6),
    cols=st.integers(1, 6),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.integers(0, 2),
    transposed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_a_product_from_the_nonzero_entries_is_the_dense_product(
    rows: int,
    cols: int,
    kh: int,
    kw: int,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    padding: int,
    transposed: bool,
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    w = rng.integers(-3, 4, (kh, kw)).astype(float)
    try:
        if transposed:
            m = ConvMatrix.for_conv_transpose2d(w, (rows, cols), stride, padding, 0, dilation)
        else:
            m = ConvMatrix(w, (rows, cols), stride, padding, dilation)
    except ValueError:
        return
    whole = rng.integers(-9, 10, m.shape[0]).astype(float)
    assert np.array_equal(m.times(whole), whole @ m.to_array())
    real = rng.normal(size=m.shape[0])
    np.testing.assert_allclose(m.times(real), real @ m.to_array(), rtol=1e-12, atol=1e-12)


def test_the_three_faces_of_a_large_scene_agree_by_their_own_shortcuts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    r = rng.integers(-4, 10, (7, 6)).astype(float)
    w = rng.integers(-3, 4, (3, 4)).astype(float)
    params = dict(weight=w, stride=(2, 3), padding=1, dilation=(2, 1), method="all")
    plain = trace("conv_transpose2d", r, **params)
    # The same scene, with every shortcut a large scene takes switched on.
    monkeypatch.setattr(faces, "DENSE_PRODUCT", 1)
    monkeypatch.setattr(faces, "DIRECT_PRODUCTS", 1)
    large = trace("conv_transpose2d", r, **params)
    for face in ("scatter", "matrix", "direct"):
        assert np.array_equal(large.agreement.outputs[face], plain.agreement.outputs[face]), face
    assert large.agreement.identical
    assert np.array_equal(large.w1_face.r_back, plain.w1_face.r_back)


def test_a_1024_by_1024_compare_scene_never_builds_w2() -> None:
    r = np.random.default_rng(0).integers(-4, 10, (64, 64)).astype(float)
    t = trace("conv_transpose2d", r, weight=np.ones((8, 8)), stride=16, method="all")
    assert t.matrix.shape == (4096, 1016 * 1016)  # 4.2 billion entries, never built
    tracemalloc.start()
    try:
        agreement = t.agreement
        face = t.w1_face
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert agreement.identical and not face.inverse
    assert peak < 160 * 2**20, peak


# Grid widths in bounded time ---
def _exact(values: np.ndarray) -> int:
    return max(len(format_number(v)) for v in np.ravel(values))


@settings(max_examples=60, deadline=None)
@given(
    scale=st.sampled_from([1e-7, 1e-3, 0.05, 1.0, 9.0, 3e3, 4e4, 5e5, 2e6, 1e300]),
    shift=st.sampled_from([0.0, 3.0, -3.0]),
    seed=st.integers(0, 2**16),
)
def test_the_width_of_many_distinct_numbers_fits_every_one(
    scale: float, shift: float, seed: int
) -> None:
    values = np.random.default_rng(seed).normal(size=2 * EXACT_UNIQUE) * scale + shift * scale
    assert len(np.unique(values)) > EXACT_UNIQUE  # the bound, not the exact count, is used
    assert cell_width(values) >= _exact(values)


def test_a_mostly_unwritten_output_is_measured_without_visiting_every_cell() -> None:
    partial = np.full(1 << 20, np.nan)
    partial[:3] = [1.0, -25.0, 3.0]
    assert cell_width(partial) == 3  # −25
    partial[5] = -np.inf
    assert cell_width(partial) == 3
    assert cell_width(np.full(10, np.nan)) == 1


def test_few_distinct_numbers_are_measured_exactly() -> None:
    values = np.tile([0.5, -1.25, 3.0], 80_000)
    assert cell_width(values) == _exact([0.5, -1.25, 3.0]) == 5
