"""The guided tour's content, without a screen: every stop's scene is valid, and every number its
explanation cites is the engine's."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tui_upsample.engine import conv2d, conv_matrix, max_pool2d
from tui_upsample.engine.overlap import footprint_overlap
from tui_upsample.engine.text import format_number as num
from tui_upsample.scene import (
    OPERATORS,
    SEED_KERNEL,
    SEED_RAMP,
    SEED_SMALL,
    Scene,
    build_trace,
    random_grid,
)
from tui_upsample.tour import SEED_CONV_R, SEED_PARAGRAPHS, STOPS, apply_variant, stop

VIEWS = ("steps", "compare", "overlap", "conventions")


def vector(values) -> str:
    return "(" + ", ".join(num(v) for v in np.asarray(values).reshape(-1)) + ")"


def sentences(lines: list[str]) -> int:
    """Sentences in the explanation (a full stop, ! or ? followed by a space or the end)."""
    return len(re.findall(r"[.!?](?:\s|$)", " ".join(lines)))


def test_eleven_stops_in_the_seed_order() -> None:
    assert len(STOPS) == 11
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
        "conv_transpose2d",
    ]
    assert [STOPS[i].scene.method for i in (5, 6, 7, 10)] == [
        "matrix",
        "scatter",
        "direct",
        "matrix",
    ]
    assert STOPS[8].view == "overlap"
    assert all(s.view in VIEWS for s in STOPS)


@pytest.mark.parametrize("number", range(1, len(STOPS) + 1))
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
    with pytest.raises(ValueError, match="choose 1 to 11"):
        stop(0)
    with pytest.raises(ValueError, match="choose 1 to 11"):
        stop(12)


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
        if tour_stop.scene.op != "conv_transpose2d":
            continue
        text = tour_stop.explain(build_trace(tour_stop.scene.replace(method="all")))
        assert text and all(isinstance(sentence, str) for sentence in text)
        if tour_stop.scene.multichannel:
            # The faces over channels: the same numbers as the stop's own face, and the end.
            own = tour_stop.explain(build_trace(tour_stop.scene))
            assert set(own) <= set(text) and text[-1] == END_OF_TOUR


# Stop 11: real layers are 3-D ---------------------------------------------------------------

END_OF_TOUR = "The end of the tour: t or escape leaves it, and your own scene comes back."


def corner_terms(x, w, groups, o, stride=1, padding=0, dilation=1) -> list[float]:
    """What each input plane of output channel o's group adds to y[o,0,0], by the definition of
    a transposed convolution (x[c,i,j]·w[c,o',a,b] lands on (i·s − p + a·d, j·s − p + b·d)),
    written out here, independently of the engine."""
    c_in, per_out = x.shape[0], w.shape[1]
    per_in = c_in // groups
    group = o // per_out
    terms = []
    for c in range(group * per_in, (group + 1) * per_in):
        total = 0.0
        for i, j, a, b in np.ndindex(*x.shape[1:], *w.shape[2:]):
            if i * stride - padding + a * dilation == 0 == j * stride - padding + b * dilation:
                total += x[c, i, j] * w[c, o - group * per_out, a, b]
        terms.append(total)
    return terms


def sum_text(terms: list[float]) -> str:
    if len(terms) == 1:
        return num(terms[0])
    shown = [num(t) if t >= 0 else f"({num(t)})" for t in terms]
    return " + ".join(shown) + f" = {num(sum(terms))}"


def test_the_3d_stop_is_the_seeds_transposed_convolution_in_two_channels() -> None:
    s = stop(11)
    assert s is STOPS[-1] and s.paragraph == 7 and s.scene.method == "matrix"
    x, w = s.scene.input, s.scene.kernel
    assert x.shape == (2, 2, 2) and w.shape == (2, 2, 2, 2) and s.scene.groups == 1
    np.testing.assert_array_equal(x[0], SEED_CONV_R)
    np.testing.assert_array_equal(x[0], [[25, 31], [43, 49]])  # the seed's R, by hand
    np.testing.assert_array_equal(x[1], SEED_SMALL)
    np.testing.assert_array_equal(w[0, 0], SEED_KERNEL)


def test_the_3d_stop_cites_the_layout_and_the_sums_over_the_planes() -> None:
    s = stop(11)
    trace = build_trace(s.scene)
    text = " ".join(s.explain(trace))
    assert "r is now 2×2×2 (C_in = 2, planes of 2×2), y is 2×3×3 (C_out = 2)" in text
    assert "one 2×2 kernel per input and output plane it links, is 2×2×2×2" in text
    assert "(C_in, C_out/groups, kH, kW) = (2, 2, 2, 2)" in text
    assert "Conv2d's weight is the other way round, (C_out, C_in/groups, kH, kW)" in text
    # By hand: y[0,0,0] = 25·w[0,0][0,0] + 1·w[1,0][0,0] = 25·0 + 1·1; y[1,0,0] = 25·1 + 1·0.
    assert "y[0,0,0] = 0 + 1 = 1, y[1,0,0] = 25 + 0 = 25." in text
    assert trace.result[0, 0, 0] == 1 and trace.result[1, 0, 0] == 25
    assert "v switches to groups = 2" in text
    assert "a / A add or remove an input plane, > / < move the plane cursor" in text
    assert '"Channels:" presets' in text
    assert s.explain(trace)[-1] == END_OF_TOUR
    assert END_OF_TOUR not in " ".join(stop(10).explain(build_trace(stop(10).scene)))


def test_the_3d_stops_groups_2_variant_is_depthwise() -> None:
    s = stop(11)
    depthwise = s.next_variant(s.scene)
    assert depthwise.groups == 2 and s.variant_label(depthwise) == "groups=2"
    assert depthwise.kernel.shape == (2, 1, 2, 2)  # (C_in, C_out/groups, kH, kW)
    np.testing.assert_array_equal(depthwise.kernel[:, 0], s.scene.kernel[:, 0])
    np.testing.assert_array_equal(depthwise.input, s.scene.input)
    trace = build_trace(depthwise)
    text = " ".join(s.explain(trace))
    # By hand: each plane alone, y[0,0,0] = 25·0 and y[1,0,0] = 1·1 (plane 1's kernel is ones).
    assert "y[0,0,0] = 0, y[1,0,0] = 1." in text
    assert "(C_in, C_out/groups, kH, kW) = (2, 1, 2, 2)" in text
    assert "the weight shrinks to 2×1×2×2" in text and "(depthwise)" in text
    matrix = trace.matrix
    assert "W2 has no entries (·) where a row and a column belong to different planes" in text
    assert not matrix.same_group(0, 1) and not matrix.same_group(1, 0)
    w2 = matrix.to_array()
    rows, cols = matrix.block_shape
    assert not w2[:rows, cols:].any() and not w2[rows:, :cols].any()
    np.testing.assert_array_equal(trace.result[1], [[1, 3, 2], [4, 10, 6], [3, 7, 4]])
    scatter = " ".join(s.explain(build_trace(depthwise.replace(method="scatter"))))
    assert "(depthwise)" in scatter and "W2" not in scatter.split("(depthwise)")[1][:60]


def test_the_3d_stops_variants_cycle_back_keeping_the_edits_where_shapes_allow() -> None:
    s = stop(11)
    assert s.next_variant(s.next_variant(s.scene)) == s.scene  # the stop's own slices return
    edited = s.scene.with_cell("input", (1, 0, 0), 7.0).with_cell("kernel", (1, 0, 1, 1), -3.0)
    edited = edited.with_cell("kernel", (0, 1, 0, 0), 5.0)
    back = s.next_variant(s.next_variant(edited))
    assert back.groups == 1 and back.input[1, 0, 0] == 7.0 and back.kernel[1, 0, 1, 1] == -3.0
    # w[0,1] is no weight under groups = 2, so the stop's own value comes back in its place.
    assert back.kernel[0, 1, 0, 0] == s.scene.kernel[0, 1, 0, 0]
    # The same reshaping as the settings' groups row (Scene.with_channels), for what stays.
    by_settings = edited.with_channels(2, 2, 2)
    np.testing.assert_array_equal(s.next_variant(edited).kernel, by_settings.kernel)


def test_the_tour_still_ends_on_its_closing_sentence_under_another_method() -> None:
    s = stop(11)
    for method in ("scatter", "direct"):
        lines = s.explain(build_trace(s.scene.replace(method=method)))
        assert lines[-1] == END_OF_TOUR
        assert f"The screen now steps by {method} (m changes it)" in lines[-2]


def test_a_groups_variant_that_does_not_divide_the_planes_is_refused() -> None:
    s = stop(11)
    three = s.scene.with_channels(3, 3, 1)
    with pytest.raises(ValueError, match="groups=2: must divide both the 3 input"):
        s.next_variant(three)
    for op in ("pixel_shuffle", "max_pool2d"):  # o moved on to an operator without groups
        with pytest.raises(ValueError, match="only conv2d and conv_transpose2d take groups"):
            s.next_variant(s.scene.with_op(op))


@pytest.mark.parametrize("seed", range(24))
def test_the_3d_stop_reads_its_numbers_from_any_edit(seed: int) -> None:
    """Seeded random channel counts, groups, grids, stride, padding and dilation: every shape
    and every sum the text cites is what the definition gives."""
    rng = np.random.default_rng(seed)
    groups = int(rng.choice([1, 2]))
    c_in = groups * int(rng.integers(1, 3))
    c_out = groups * int(rng.integers(1, 3))
    k = int(rng.integers(1, 4))
    stride, dilation = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    size = tuple(int(n) for n in rng.integers(1, 4, size=2))
    # padding 1 only where the output keeps a row and a column: (i−1)s + d(k−1) + 1 − 2p ≥ 1
    room = (min(size) - 1) * stride + dilation * (k - 1)
    padding = int(rng.integers(0, 2)) if room >= 2 else 0
    s = stop(11)
    scene = s.scene.with_channels(c_in, c_out, groups).replace(
        stride=stride, padding=padding, dilation=dilation, step=0
    )
    x = random_grid((c_in, *size), seed)
    w = random_grid((*scene.kernel.shape[:2], k, k), seed + 100)
    scene = scene.with_grid("input", x if x.shape[0] > 1 or scene.input.ndim == 3 else x[0])
    scene = scene.with_grid("kernel", w if scene.kernel.ndim == 4 else w[0, 0])
    trace = build_trace(scene)
    text = " ".join(s.explain(trace))
    y = trace.result if trace.result.ndim == 3 else trace.result[None]
    assert f"= ({c_in}, {c_out // groups}, {k}, {k})" in text
    assert f"(C_out = {c_out})" in text
    assert f"(C_in = {c_in}, planes of {size[0]}×{size[1]})" in text
    sums = []
    for o in range(c_out):
        terms = corner_terms(x, w, groups, o, stride, padding, dilation)
        assert len(terms) == c_in // groups
        assert sum(terms) == pytest.approx(y[o, 0, 0])
        sums.append(f"y[{o},0,0] = {sum_text(terms)}")
    assert ", ".join(sums) in text
    if groups == 1:
        assert "v switches to groups = 2" in text
    elif c_in == groups and c_out == groups:
        assert "(depthwise)" in text
    else:
        assert f"split into {groups} groups of {c_in // groups}" in text
    assert text.endswith(END_OF_TOUR)


def test_the_3d_stop_explains_a_scene_cut_to_one_plane() -> None:
    """A twice from the stop leaves one plane in, one out (2-D grids): the text still holds."""
    s = stop(11)
    one = s.scene.with_channels(1, 1, 1)
    assert one.input.ndim == 2 and one.kernel.ndim == 2
    text = " ".join(s.explain(build_trace(one)))
    assert "r is now 1×2×2 (C_in = 1, planes of 2×2), y is 1×3×3 (C_out = 1)" in text
    assert "= (1, 1, 2, 2)" in text
    assert "y[0,0,0] = 0." in text  # 25 · the seed kernel's 0
