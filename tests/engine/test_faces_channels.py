"""The three faces of a transposed convolution with channels and groups (ChannelThreeFacesTrace),
stepped per output cell y[o, i, j], against references written here with loops from PyTorch's
documented ConvTranspose2d: weight (C_in, C_out/g, kH, kW), input (c, i, j) adding
x[c, i, j]·w[c, o − first, a, b] at y[o, i·s − p + a·d, j·s − p + b·d]."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_upsample.engine import EngineError, conv_transpose2d, trace
from tui_upsample.engine.faces import FACES, ChannelThreeFacesTrace, ThreeFacesTrace
from tui_upsample.engine.steps import (
    INPUT,
    KERNEL,
    MATRIX,
    OUTPUT,
    PADDED,
    ROTATED_KERNEL,
    SCALED_KERNEL,
)
from tui_upsample.engine.text import format_number

R = np.array([[1.0, 2.0], [3.0, 4.0]])
W = np.array([[0.0, 1.0], [2.0, 3.0]])
DIAGONAL = np.array([[1.0, 0.0], [0.0, 1.0]])
X2 = np.stack([R, DIAGONAL])  # two planes: the seed's r, and a diagonal
W2 = np.stack([W, np.ones((2, 2))])[:, None]  # (C_in=2, C_out/g=1, 2, 2)

SCENES = 16


# The loop reference --------------------------------------------------------------------------
def _reach(x_shape, w_shape, s, p, d, g, out_hw):
    """Per output cell (o, i, j): the input cells (c, ii, jj) whose footprints reach it."""
    c_in, h, wd = x_shape
    _, cog, kh, kw = w_shape
    found: dict[tuple[int, int, int], set[tuple[int, int, int]]] = {}
    for c, ii, jj in np.ndindex(c_in, h, wd):
        first = c // (c_in // g) * cog
        for ol in range(cog):
            for a in range(kh):
                for b in range(kw):
                    i, j = ii * s - p + a * d, jj * s - p + b * d
                    if 0 <= i < out_hw[0] and 0 <= j < out_hw[1]:
                        found.setdefault((first + ol, i, j), set()).add((c, ii, jj))
    return found


def _reference(x, w, s, p, d, g, op, upto=None):
    """conv_transpose2d by loops; only the first ``upto`` input values (row-major) if given."""
    c_in, h, wd = x.shape
    _, cog, kh, kw = w.shape
    oh = (h - 1) * s - 2 * p + d * (kh - 1) + op + 1
    ow = (wd - 1) * s - 2 * p + d * (kw - 1) + op + 1
    y = np.zeros((cog * g, oh, ow))
    for n, (c, ii, jj) in enumerate(np.ndindex(*x.shape)):
        if upto is not None and n >= upto:
            break
        first = c // (c_in // g) * cog
        for ol in range(cog):
            for a in range(kh):
                for b in range(kw):
                    i, j = ii * s - p + a * d, jj * s - p + b * d
                    if 0 <= i < oh and 0 <= j < ow:
                        y[first + ol, i, j] += x[c, ii, jj] * w[c, ol, a, b]
    return y


def _scene(rng: np.random.Generator):
    groups = int(rng.choice([1, 1, 2, 3]))
    c_in = groups * int(rng.integers(1, 3))
    cog = int(rng.integers(1, 3))
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    h, w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    x = rng.integers(-4, 10, (c_in, h, w)).astype(float)
    weight = rng.integers(-4, 10, (c_in, cog, *k)).astype(float)
    stride = int(rng.integers(1, 4))
    dilation = int(rng.integers(1, 3))
    params = {
        "weight": weight,
        "stride": stride,
        "padding": int(rng.integers(0, 3)),
        "output_padding": int(rng.integers(0, max(stride, dilation))),
        "dilation": dilation,
        "groups": groups,
    }
    return x, params


def _scenes():
    found = []
    for seed in range(SCENES * 8):
        rng = np.random.default_rng(5000 + seed)
        x, params = _scene(rng)
        try:
            t = trace("conv_transpose2d", x, **params, method="all")
        except EngineError:
            continue  # a crop past the output: refused, as it must be
        found.append((x, params, t))
        if len(found) == SCENES:
            break
    assert len(found) == SCENES
    return found


SWEEP = _scenes()


# Golden numbers by hand ----------------------------------------------------------------------
def test_two_planes_into_one_golden() -> None:
    """y = the seed's r ⊛ᵀ w + the diagonal ⊛ᵀ a 2×2 of ones (worked by hand)."""
    t = trace("conv_transpose2d", X2, weight=W2, method="all")
    assert isinstance(t, ChannelThreeFacesTrace) and isinstance(t, ThreeFacesTrace)
    seed = [[0, 1, 2], [2, 10, 10], [6, 17, 12]]
    diagonal = [[1, 1, 0], [1, 2, 1], [0, 1, 1]]
    want = np.array(seed) + np.array(diagonal)
    np.testing.assert_array_equal(want, [[1, 2, 2], [3, 12, 11], [6, 18, 13]])
    assert t.result.shape == (1, 3, 3) and len(t) == 9
    assert t.agreement.identical
    for face in FACES:
        np.testing.assert_array_equal(t.agreement.outputs[face][0], want)
    assert t.agreement.text.startswith("scatter = matrix = direct: the same 1×3×3 output")

    first = t.at(0)  # y[0,0,0]: r[0,0,0]·w[0,0,0,0] + r[1,0,0]·w[1,0,0,0] = 1·0 + 1·1
    assert first.cell == (0, 0, 0) and first.scattered == 5  # all of plane 0, then r[1,0,0]
    assert first.contributors == ((0, 0, 0), (1, 0, 0))
    assert first.text == (
        "y[0,0,0] = 1 in all three faces; the footprints of r[c,0,0] for c = 0…1 reach it;"
        " the scatter face has added 5 of 8 input values"
    )
    # the scatter face after plane 0 and r[1,0,0]: the seed's y plus a 2×2 of ones at the top
    np.testing.assert_array_equal(first.scatter.partial[0], [[1, 2, 2], [3, 11, 10], [6, 17, 12]])
    assert first.scatter.input_cells == ((1, 0, 0),)
    assert first.matrix.arithmetic == "y[0,0,0] = r · W2[:,0] = 1·0 + 1·1 = 1"
    assert first.direct.arithmetic == "y[0,0,0] = 1·0 + 1·1 = 1"

    centre = t.at(4)  # y[0,1,1]: every input value, 1·3 + 2·2 + 3·1 + 4·0 + 1·1 + 0 + 0 + 1·1
    assert centre.scattered == 8 and len(centre.contributors) == 8
    assert centre.matrix.arithmetic == (
        "y[0,1,1] = r · W2[:,4] = 1·3 + 2·2 + 3·1 + 4·0 + 1·1 + 0·1 + 0·1 + 1·1 = 12"
    )
    assert "r[c,0,0], r[c,0,1], r[c,1,0], r[c,1,1] for c = 0…1" in centre.text


def test_two_groups_golden() -> None:
    """groups=2: y[0] is the seed's r ⊛ᵀ w alone, y[1] the diagonal ⊛ᵀ ones alone."""
    t = trace("conv_transpose2d", X2, weight=W2, groups=2, method="all")
    assert t.result.shape == (2, 3, 3)
    np.testing.assert_array_equal(t.result[0], [[0, 1, 2], [2, 10, 10], [6, 17, 12]])
    np.testing.assert_array_equal(t.result[1], [[1, 1, 0], [1, 2, 1], [0, 1, 1]])
    assert t.agreement.identical
    step = t.at(0)  # group 0 needs r[0,0,0] only
    assert step.scattered == 1 and step.contributors == ((0, 0, 0),)
    assert "only the footprint of r[0,0,0] reaches it" in step.text
    step = t.at(9)  # y[1,0,0]: group 1, after all of plane 0 and r[1,0,0]
    assert step.cell == (1, 0, 0) and step.scattered == 5
    assert step.text == (
        "y[1,0,0] = 1 in all three faces; only the footprint of r[1,0,0] reaches it;"
        " the scatter face has added 5 of 8 input values"
    )
    assert step.direct.channels(PADDED) == (1,)
    # W2's block (0, 1) joins two groups: absent (0 in the arithmetic, NaN as drawn)
    assert t.matrix.shape == (8, 18)
    assert (np.asarray(t.matrix[0:4, 9:18]) == 0).all()
    assert np.isnan(np.asarray(t.shown_matrix[0:4, 9:18])).all()


def test_matches_pytorch_numbers() -> None:
    """Numbers from torch.nn.functional.conv_transpose2d (torch 2.13 CPU), pasted: x =
    arange(12).reshape(2, 2, 3) − 5, w = arange(16).reshape(2, 2, 2, 2) % 5 − 2, stride 2,
    padding 1, output_padding 1, groups 2."""
    x = np.arange(12.0).reshape(2, 2, 3) - 5
    w = np.arange(16.0).reshape(2, 2, 2, 2) % 5 - 2
    t = trace(
        "conv_transpose2d",
        x,
        weight=w,
        stride=2,
        padding=1,
        output_padding=1,
        groups=2,
        method="all",
    )
    torch_y = np.array(
        [
            [[-5, 0, -4, 0, -3], [2, 2, 1, 0, 0], [-2, 0, -1, 0, 0]],
            [[0, 4, 0, 3, 0], [4, -2, 2, 0, 0], [0, 1, 0, 0, 0]],
            [[-1, -4, -2, -6, -3], [8, 5, 10, 6, 12], [-4, -10, -5, -12, -6]],
            [[-2, 4, -4, 6, -6], [4, 0, 5, 0, 6], [-8, 10, -10, 12, -12]],
        ],
        dtype=float,
    )
    np.testing.assert_array_equal(t.result, torch_y)
    for face in FACES:
        np.testing.assert_array_equal(t.agreement.outputs[face], torch_y)


# The seeded sweep ----------------------------------------------------------------------------
@pytest.mark.parametrize("case", range(SCENES))
def test_every_step_of_the_three_faces(case: int) -> None:
    x, params, t = SWEEP[case]
    w, s, p, d, g, op = (
        params[k] for k in ("weight", "stride", "padding", "dilation", "groups", "output_padding")
    )
    ref = _reference(x, w, s, p, d, g, op)
    np.testing.assert_array_equal(t.result, ref)
    call = {"stride": s, "padding": p, "dilation": d, "output_padding": op, "groups": g}
    np.testing.assert_array_equal(conv_transpose2d(x, w, **call), ref)
    for face in FACES:
        np.testing.assert_array_equal(t.agreement.outputs[face], ref)  # integers: exact
    assert t.agreement.identical and t.agreement.max_difference == 0.0
    reach = _reach(x.shape, w.shape, s, p, d, g, ref.shape[1:])
    c_in, h, wd = x.shape
    cog = w.shape[1]
    flat = ref.reshape(-1)
    needed = -1
    for k in range(len(t)):
        step = t.at(k)
        o, i, j = (int(v) for v in np.unravel_index(k, ref.shape))
        assert step.index == k and step.cell == (o, i, j)
        cells = sorted(reach.get((o, i, j), set()))
        assert sorted(step.contributors) == cells
        if cells:
            needed = max(needed, max(c * h * wd + ii * wd + jj for c, ii, jj in cells))
        assert step.scattered == needed + 1
        # the scatter face: the loop reference after that many input values, final on 0 … k
        after = _reference(x, w, s, p, d, g, op, upto=step.scattered)
        np.testing.assert_array_equal(step.scatter.partial, after)
        np.testing.assert_array_equal(step.scatter.partial.reshape(-1)[: k + 1], flat[: k + 1])
        if step.scattered:
            last = tuple(int(v) for v in np.unravel_index(step.scattered - 1, x.shape))
            assert step.scatter.input_cells == (last,)
            first = last[0] // (c_in // g) * cog
            assert {c[0] for c in step.scatter.cells(SCALED_KERNEL)} <= set(
                range(first, first + cog)
            )
        else:
            assert step.scatter.input_cells == () and not step.scatter.partial.any()
        # matrix and direct: the value, the terms, what they read
        group_in = range(o // cog * (c_in // g), (o // cog + 1) * (c_in // g))
        for face in (step.matrix, step.direct):
            assert face.value == ref[o, i, j]
            assert sum(a * b for a, b in face.terms) == ref[o, i, j]
            assert face.cells(OUTPUT) == ((o, i, j),)
            assert sorted(set(face.cells(INPUT))) == cells
            assert {c for c, *_ in face.cells(KERNEL)} <= set(group_in)
            assert {ol for _, ol, *_ in face.cells(KERNEL)} <= {o % cog}
            np.testing.assert_array_equal(face.partial.reshape(-1)[: k + 1], flat[: k + 1])
        assert step.matrix.cells(MATRIX) == ((-1, k),)
        assert step.matrix.arithmetic.startswith(f"y[{o},{i},{j}] = r · W2[:,{k}] = ")
        assert set(step.direct.channels(PADDED)) == set(group_in)
        # the turned taps that meet a value of r: in channel o's block, none when no footprint
        assert {r[0] for r in step.direct.cells(ROTATED_KERNEL)} == ({o} if cells else set())
        # the line above the faces
        assert step.text.startswith(f"y[{o},{i},{j}] = {format_number(ref[o, i, j])} in all")
        assert step.text.endswith(f"has added {step.scattered} of {x.size} input values")
        if not cells:
            assert "no footprint reaches it" in step.text
        else:
            for _, ii, jj in cells:
                assert f",{ii},{jj}]" in step.text


@pytest.mark.parametrize("case", range(SCENES))
def test_w2_and_w1_of_the_sweep(case: int) -> None:
    x, _, t = SWEEP[case]
    dense = np.asarray(t.matrix)
    assert dense.shape == (x.size, t.result.size)
    np.testing.assert_array_equal(x.ravel() @ dense, t.result.ravel())
    face = t.w1_face
    np.testing.assert_array_equal(np.asarray(face.w1), dense.T)
    np.testing.assert_array_equal(face.r_back.ravel(), t.result.ravel() @ dense.T)
    assert face.r_back_grid.shape == x.shape
    assert f"flattened (1×{t.result.size}); W1 = W2ᵀ ({t.result.size}×{x.size})" in face.text
    # W1 sliced lazily is W2ᵀ sliced
    np.testing.assert_array_equal(face.w1[1:, ::2], dense.T[1:, ::2])
    np.testing.assert_array_equal(face.w1[0], dense.T[0])


SHAPES = st.tuples(
    st.integers(1, 3),  # groups
    st.integers(1, 2),  # input channels per group
    st.integers(1, 2),  # output channels per group
    st.integers(1, 4),  # H
    st.integers(1, 4),  # W
    st.integers(1, 3),  # kH
    st.integers(1, 3),  # kW
    st.integers(1, 3),  # stride
    st.integers(0, 2),  # padding
    st.integers(1, 2),  # dilation
    st.integers(0, 2),  # output_padding
    st.integers(0, 2**31),  # seed
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPES)
def test_three_faces_agree_for_any_scene(shape) -> None:
    g, cig, cog, h, wd, kh, kw, s, p, d, op, seed = shape
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(g * cig, h, wd))
    w = rng.normal(size=(g * cig, cog, kh, kw))
    call = dict(stride=s, padding=p, dilation=d, output_padding=op % max(s, d), groups=g)
    try:
        want = conv_transpose2d(x, w, **call)
    except EngineError:
        return  # a geometry the engine refuses: the trace refuses it the same way
    t = trace("conv_transpose2d", x, weight=w, **call, method="all")
    np.testing.assert_array_equal(t.result, want)
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    for face in FACES:
        np.testing.assert_allclose(t.agreement.outputs[face], want, rtol=0, atol=1e-12 * scale)
    last = t.at(len(t) - 1)  # every cell final: the scatter face's partial is the whole y
    assert last.scattered == int(t.last_contributor.max()) + 1
    np.testing.assert_array_equal(last.scatter.partial, want)


def test_a_big_scene_never_builds_w2_whole() -> None:
    x = np.ones((4, 64, 64))
    w = np.ones((4, 1, 3, 3))
    t = trace("conv_transpose2d", x, weight=w, stride=2, groups=2, method="all")
    assert t.matrix.shape == (4 * 4096, 2 * 129 * 129)  # 2.2 billion entries
    assert t.agreement.identical
    assert t.at(len(t) - 1).scattered == x.size
    assert t.at(0).scattered == 4096 + 1  # plane 0, then r[1,0,0]: group 0's last plane


def test_one_plane_stays_the_one_plane_trace() -> None:
    t = trace("conv_transpose2d", R, weight=W, method="all")
    assert type(t) is ThreeFacesTrace and t.at(4).cell == (1, 1)


def test_the_channel_trace_alone_points_to_the_three_faces() -> None:
    from tui_upsample.engine.channel_transposed import ChannelConvTranspose2dTrace

    with pytest.raises(EngineError, match="ChannelThreeFacesTrace"):
        ChannelConvTranspose2dTrace(X2, weight=W2, method="all")
