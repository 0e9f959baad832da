"""The scene: a plain description of what is on screen, and the formulas shown beside it."""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample import engine
from tui_upsample.engine.operators import output_size_lines
from tui_upsample.number_format import cell_width, format_number, format_to_width
from tui_upsample.scene import METHODS, OPERATORS, PARAMETERS, Scene, build_trace, resolve_operator


def test_operators_and_methods_are_the_engines() -> None:
    assert OPERATORS == engine.OPERATORS
    assert dict(METHODS) == dict(engine.METHODS)


def test_seed_example_is_the_seed_post() -> None:
    scene = Scene.seed_example()
    trace = build_trace(scene)
    assert trace.result.shape == (3, 3)
    assert trace.method == "matrix"
    assert trace.grid("matrix").values.shape == (4, 9)  # W2 = W1ᵀ: 4×9
    conv = build_trace(Scene.seed_example("conv2d"))
    assert conv.input.shape == (3, 3) and conv.result.shape == (2, 2)


@pytest.mark.parametrize("op", OPERATORS)
def test_every_seed_example_is_valid_and_takes_only_its_parameters(op: str) -> None:
    scene = Scene.seed_example(op)
    assert len(build_trace(scene)) > 1
    assert scene.is_seed_example()
    assert set(PARAMETERS[op]) <= {f for f in Scene.__dataclass_fields__}


def test_switching_operator_keeps_edits_but_not_an_untouched_example() -> None:
    scene = Scene.seed_example()
    assert scene.with_op("max_pool2d") == Scene.seed_example("max_pool2d")
    edited = scene.with_cell("input", (0, 0), 7.0)
    pooled = edited.with_op("max_pool2d")
    assert pooled.input[0, 0] == 7.0 and pooled.op == "max_pool2d"
    assert scene.next_op().op == OPERATORS[(OPERATORS.index(scene.op) + 1) % len(OPERATORS)]


def test_methods_cycle_and_grids_resize_within_bounds() -> None:
    scene = Scene.seed_example()
    # matrix → direct → all (the three side by side) → scatter
    assert [scene.next_method().method, scene.next_method().next_method().method] == [
        "direct",
        "all",
    ]
    assert scene.next_method().next_method().next_method().method == "scatter"
    assert scene.resized("input", 100, 0).input.shape == (64, 1)
    kernel = scene.with_param("kernel_size", 3).kernel
    assert kernel.shape == (3, 3) and kernel[0, 0] == 0 and kernel[2, 2] == 1
    shuffle = Scene.seed_example("pixel_shuffle").with_param("upscale", 3)
    assert shuffle.channels.shape == (9, 2, 2)
    assert len(build_trace(shuffle)) == 36


def test_random_grids_are_seeded_and_presets_have_the_grid_shape() -> None:
    scene = Scene.seed_example()
    a, b = scene.randomised("input"), scene.randomised("input")
    np.testing.assert_array_equal(a.input, b.input)
    assert a.seed == scene.seed + 1
    assert not np.array_equal(a.randomised("input").input, a.input)
    assert scene.with_preset("input", "checkerboard").input.tolist() == [[1, 0], [0, 1]]
    assert scene.with_preset("input", "small").input.shape == (5, 5)


def test_scene_equality_is_by_value() -> None:
    assert Scene.seed_example() == Scene.seed_example()
    assert Scene.seed_example() != Scene.seed_example().with_cell("kernel", (0, 0), 9)


def test_resolve_operator() -> None:
    assert resolve_operator("deconv") == "conv_transpose2d"
    with pytest.raises(ValueError, match="unknown operator"):
        resolve_operator("fft")


def test_formula_of_the_seed_example() -> None:
    lines = output_size_lines(
        "conv_transpose2d",
        (2, 2),
        {"kernel_size": (2, 2), "stride": 1, "padding": 0, "output_padding": 0, "dilation": 1},
    )
    assert lines == ["o = (i−1)·s − 2p + d(k−1) + a + 1 = (2−1)·1 − 0 + 1 + 0 + 1 = 3"]


def test_formulas_agree_with_the_engine() -> None:
    scene = Scene.seed_example("max_pool2d").replace(input=np.zeros((5, 7)), ceil_mode=True)
    lines = output_size_lines("max_pool2d", (5, 7), scene.engine_params())
    result = build_trace(scene).result.shape
    assert lines[0].startswith("rows:") and lines[0].endswith(f"= {result[0]}")
    assert lines[1].endswith(f"= {result[1]}")
    unpool = output_size_lines("max_unpool2d", (4, 4), {"kernel_size": 2, "stride": 2})
    assert unpool[-1].endswith("= 4")
    same = output_size_lines("conv2d", (5, 5), {"padding": "same"}, (5, 5))
    assert same == ["padding='same': o = ⌈i/s⌉ = 5"]


def test_number_format() -> None:
    assert [format_number(v) for v in (3.0, -0.0, 1 / 3, 1234567.0, 1e-5, np.nan)] == [
        "3",
        "0",
        "0.3333",
        "1.235e6",
        "1e−5",
        "·",
    ]
    assert format_to_width(-2 / 3, 4) == "−0.7"
    assert cell_width([1, -30, np.nan]) == 3


@pytest.mark.parametrize("seed", range(20))
def test_cell_width_is_the_widest_distinct_number_written(seed: int) -> None:
    """The distinct numbers are found by sorting (not np.unique): the width is still that of
    the widest written number, NaN and infinities included, duplicates or not."""
    rng = np.random.default_rng(seed)
    pool = np.concatenate(
        [
            np.round(rng.normal(0, 10.0 ** rng.integers(-4, 7), 12), rng.integers(0, 4)),
            [np.nan, np.inf, -np.inf, 0.0, -0.0],
        ]
    )
    values = rng.choice(pool, size=(int(rng.integers(1, 9)), int(rng.integers(1, 9))))
    assert cell_width(values) == max(len(format_number(v)) for v in np.unique(values))
    assert cell_width([np.nan, np.nan, 2.5, 2.5]) == 3  # "2.5"
    assert cell_width([-np.inf, np.nan]) == 2  # "−∞"


def test_an_upscale_factor_too_large_to_build_is_refused_before_allocating() -> None:
    shuffle = Scene.seed_example("pixel_shuffle")
    with pytest.raises(ValueError, match=r"upscale_factor=76815: the r² input channels would be"):
        shuffle.with_param("upscale", 76815)  # 5.9e9 channels of 2×2: 176 GiB
    assert shuffle.with_param("upscale", 64).channels.shape == (4096, 2, 2)


@pytest.mark.parametrize(
    ("op", "changes", "cause"),
    [
        ("bed_of_nails", {"scale": 64.0}, "the scale (--scale)"),
        ("upsample_nearest", {"scale": 180.0}, "the scale (--scale)"),
        ("upsample_bilinear", {"scale": 17.0}, "the scale (--scale)"),
        (
            "conv_transpose2d",
            {"stride": 64, "kernel": np.ones((64, 64))},
            "the stride or the kernel",
        ),
    ],
)
def test_outputs_past_the_cap_are_refused_before_they_are_built(op, changes, cause) -> None:
    from tui_upsample.scene import MAX_OUTPUT_CELLS

    scene = Scene.seed_example(op).replace(input=np.ones((64, 64)), **changes)
    with pytest.raises(ValueError, match=r"cells: the app steps through at most 1,048,576") as err:
        build_trace(scene)
    assert cause in str(err.value) and "(1024 × 1024)" in str(err.value)
    # just under the cap still opens
    edge = Scene.seed_example("upsample_nearest").replace(input=np.ones((64, 64)), scale=16.0)
    assert build_trace(edge).result.size == MAX_OUTPUT_CELLS
