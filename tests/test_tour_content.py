"""The guided tour's content, without a screen: every stop's scene is valid, and every number its
explanation cites is the engine's."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tui_upsample.engine import conv2d, conv_matrix, max_pool2d
from tui_upsample.engine.overlap import footprint_overlap
from tui_upsample.engine.text import format_number as num
from tui_upsample.scene import OPERATORS, SEED_KERNEL, SEED_RAMP, Scene, build_trace
from tui_upsample.tour import SEED_PARAGRAPHS, STOPS, apply_variant, stop

VIEWS = ("steps", "compare", "overlap", "conventions")


def vector(values) -> str:
    return "(" + ", ".join(num(v) for v in np.asarray(values).reshape(-1)) + ")"


def sentences(lines: list[str]) -> int:
    """Sentences in the explanation (a full stop, ! or ? followed by a space or the end)."""
    return len(re.findall(r"[.!?](?:\s|$)", " ".join(lines)))


def test_ten_stops_in_the_seed_order() -> None:
    assert len(STOPS) == 10
    paragraphs = [s.paragraph for s in STOPS if s.paragraph is not None]
    assert paragraphs == sorted(paragraphs)
    assert all(p in SEED_PARAGRAPHS for p in paragraphs)
    assert [s.scene.op for s in STOPS] == [
        "max_pool2d",
        "max_pool2d",
        "max_unpool2d",
        "upsample_nearest",
        "conv2d",
        "conv_transpose2d",
        "conv_transpose2d",
        "conv_transpose2d",
        "conv_transpose2d",
        "pixel_shuffle",
    ]
    assert [STOPS[i].scene.method for i in (5, 6, 7)] == ["matrix", "scatter", "direct"]
    assert STOPS[8].view == "overlap"
    assert all(s.view in VIEWS for s in STOPS)


@pytest.mark.parametrize("number", range(1, 11))
def test_every_stop_and_variant_is_valid_and_explained(number: int) -> None:
    s = stop(number)
    for variant in s.variants or ({},):
        scene = apply_variant(s.scene, variant)
        assert scene.op in OPERATORS
        trace = build_trace(scene)
        assert s.scene.step == 0  # a stop opens at its first step: "n / p" steps from there
        lines = s.explain(trace)
        assert 3 <= sentences(lines) <= 6, lines
        assert "nan" not in " ".join(lines).lower()


def test_stop_numbers_outside_the_tour_are_refused() -> None:
    with pytest.raises(ValueError, match="choose 1 to 10"):
        stop(0)
    with pytest.raises(ValueError, match="choose 1 to 10"):
        stop(11)


def test_the_prologue_cites_the_pooling_sizes() -> None:
    trace = build_trace(stop(1).scene)
    y = max_pool2d(stop(1).scene.input, 2, 2)
    text = " ".join(stop(1).explain(trace))
    assert f"{y.shape[0]}×{y.shape[1]} map y" in text
    assert f"{stop(1).scene.input.size} numbers become {y.size}" in text


def test_the_pooling_stop_cites_the_engines_argmax() -> None:
    x = stop(2).scene.input
    y, indices = max_pool2d(x, 2, 2, return_indices=True)
    text = " ".join(stop(2).explain(build_trace(stop(2).scene)))
    for (i, j), index in np.ndenumerate(indices):
        r, c = divmod(int(index), x.shape[1])
        assert f"y[{i},{j}] = {num(y[i, j])} from x[{r},{c}]" in text


def test_unpooling_variants_toggle_the_fill() -> None:
    s = stop(3)
    zeros = s.scene
    assert zeros.fill == "zeros" and s.variant_label(zeros) == "fill=zeros"
    seed_max = s.next_variant(zeros)
    assert seed_max.fill == "max" and s.next_variant(seed_max).fill == "zeros"
    trace = build_trace(zeros)
    zero_count = int(np.count_nonzero(trace.result == 0))
    assert f"{zero_count} of the {trace.result.size} cells" in " ".join(s.explain(trace))
    assert "fill=max" in " ".join(s.explain(build_trace(seed_max)))


def test_the_unlearnable_stop_cycles_three_operators_keeping_x() -> None:
    s = stop(4)
    edited = s.scene.with_cell("input", (0, 0), 7.0)
    ops = []
    scene = edited
    for _ in range(3):
        scene = s.next_variant(scene)
        ops.append(scene.op)
        assert scene.input[0, 0] == 7.0
    assert ops == ["bed_of_nails", "upsample_bilinear", "upsample_nearest"]


def test_the_im2col_stop_cites_x_w1_and_r_from_the_engine() -> None:
    s = stop(5)
    x, w = s.scene.input, s.scene.kernel
    np.testing.assert_array_equal(x, SEED_RAMP)
    np.testing.assert_array_equal(w, SEED_KERNEL)
    w1 = conv_matrix(w, x.shape)
    r = conv2d(x, w)
    assert w1.shape == (9, 4)
    np.testing.assert_array_equal(x.reshape(-1) @ w1, r.reshape(-1))
    trace = build_trace(s.scene)
    text = " ".join(s.explain(trace))
    assert f"x ∈ ℝ⁹ = {vector(x)}" in text
    assert "W1 ∈ ℝ^(9×4)" in text
    assert f"r = xᵀ·W1 = {vector(r)}" in text
    aside = s.aside_for(trace)
    assert aside is not None and aside.title == "W1 ∈ ℝ^(9×4)"
    np.testing.assert_array_equal(aside.values.to_array(), w1)


def test_the_w2_stop_is_w1_transposed_and_goes_back_from_r() -> None:
    s5, s6 = stop(5), stop(6)
    r = conv2d(s5.scene.input, s5.scene.kernel)
    np.testing.assert_array_equal(s6.scene.input, r)
    trace = build_trace(s6.scene)
    w2 = trace.matrix.to_array()
    assert w2.shape == (4, 9)
    np.testing.assert_array_equal(w2, conv_matrix(s5.scene.kernel, (3, 3)).T)
    text = " ".join(s6.explain(trace))
    assert "W2 ∈ ℝ^(4×9)" in text and "r ∈ ℝ^(1×4)" in text
    assert f"r is the R of the last stop, {vector(r)}" in text
    assert f"y[0,0] = {num(trace.result[0, 0])} where X had {num(SEED_RAMP[0, 0])}" in text


def test_the_scatter_and_direct_stops_cite_the_engine() -> None:
    trace = build_trace(stop(7).scene)
    text = " ".join(stop(7).explain(trace))
    r, w = trace.input, trace.kernel
    assert f"r[0,0] = {num(r[0, 0])} times w gives {vector(r[0, 0] * w)}" in text
    counts = footprint_overlap(r.shape, w.shape, 1).counts
    assert f"collects {counts.max()} of the {r.size} footprints" in text
    assert vector(trace.result) in text

    trace = build_trace(stop(8).scene)
    text = " ".join(stop(8).explain(trace))
    assert "s−1 = 1 zero between" in text
    assert f"the {trace.padded.shape[0]}×{trace.padded.shape[1]} grid" in text
    assert f"becomes {vector(trace.kernel[::-1, ::-1])}" in text


def test_the_checkerboard_stop_quotes_the_engines_overlap() -> None:
    s = stop(9)
    trace = build_trace(s.scene)
    overlap = footprint_overlap((3, 3), (3, 3), 2)
    text = " ".join(s.explain(trace))
    assert overlap.rule in text
    assert f"{num(overlap.ratio)}× more on some cells" in text
    np.testing.assert_array_equal(trace.result, overlap.counts)


def test_an_edit_changes_the_numbers_in_the_text() -> None:
    s = stop(6)
    edited = s.scene.with_cell("input", (0, 0), -1.0)
    text = " ".join(s.explain(build_trace(edited)))
    assert "R of the last stop" not in text
    assert vector(build_trace(edited).result) in text


def test_another_operator_gets_a_note_not_a_wrong_explanation() -> None:
    s = stop(5)
    text = " ".join(s.explain(build_trace(Scene.seed_example("pixel_shuffle"))))
    assert "This stop is about conv2d" in text and "pixel_shuffle" in text
    assert s.aside_for(build_trace(Scene.seed_example("pixel_shuffle"))) is None


def test_every_stop_explains_its_scene_in_the_compare_layout_too() -> None:
    """c shows a transposed convolution's three faces at once: each stop's text still reads its
    numbers from that trace (the direct stop's padded grid is the direct face's)."""
    for tour_stop in STOPS:
        if tour_stop.scene.op == "conv_transpose2d":
            text = tour_stop.explain(build_trace(tour_stop.scene.replace(method="all")))
            assert text and all(isinstance(sentence, str) for sentence in text)
