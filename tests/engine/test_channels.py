"""Channels and groups, on goldens worked out by hand from the frameworks' documented layouts.

PyTorch documents ``Conv2d.weight`` as (C_out, C_in/groups, kH, kW) and ``ConvTranspose2d.weight``
as (C_in, C_out/groups, kH, kW); ``F.pixel_shuffle`` as out[c, h·r + i, w·r + j] =
x[c·r² + i·r + j, h, w]; TensorFlow's ``depth_to_space`` (ONNX DepthToSpace's default "DCR")
reads channel (i·r + j)·C + c; max pooling's indices as flat positions within each plane.
"""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample import engine
from tui_upsample.engine import EngineError, trace
from tui_upsample.engine.channel_matrix import ChannelMatrix
from tui_upsample.engine.steps import (
    ARGMAX,
    IM2COL,
    INPUT,
    KERNEL,
    KERNEL_VECTOR,
    MATRIX,
    OUTPUT,
    PADDED,
    ROTATED_KERNEL,
    SCALED_KERNEL,
    Mark,
)

X2 = np.array([[[1.0, 2.0], [3.0, 4.0]], [[10.0, 20.0], [30.0, 40.0]]])  # (C=2, H=2, W=2)


# Pixel shuffle and unshuffle ----------------------------------------------------------------


def test_pixel_shuffle_reads_pytorchs_channel_order() -> None:
    # Eight channels, r = 2: C_out = 2. Channel k holds the single value k.
    x = np.arange(8.0).reshape(8, 1, 1)
    y = engine.pixel_shuffle(x, 2)
    # out[c, i, j] = x[c·4 + i·2 + j]
    np.testing.assert_array_equal(y, [[[0, 1], [2, 3]], [[4, 5], [6, 7]]])


def test_pixel_shuffle_dcr_reads_tensorflows_channel_order() -> None:
    x = np.arange(8.0).reshape(8, 1, 1)
    y = engine.pixel_shuffle(x, 2, order="dcr")
    # out[c, i, j] = x[(i·2 + j)·2 + c]: channel 0 takes 0, 2, 4, 6; channel 1 takes 1, 3, 5, 7.
    np.testing.assert_array_equal(y, [[[0, 2], [4, 6]], [[1, 3], [5, 7]]])


def test_pixel_unshuffle_is_the_inverse_in_either_order() -> None:
    y = np.arange(32.0).reshape(2, 4, 4)
    for order in ("crd", "dcr"):
        down = engine.pixel_unshuffle(y, 2, order=order)
        assert down.shape == (8, 2, 2)
        np.testing.assert_array_equal(engine.pixel_shuffle(down, 2, order=order), y)
    # F.pixel_unshuffle: out[c·r² + i·r + j, h, w] = x[c, h·r + i, w·r + j]
    down = engine.pixel_unshuffle(y, 2)
    assert down[1 * 4 + 1 * 2 + 0, 1, 0] == y[1, 1 * 2 + 1, 0 * 2 + 0]
    down = engine.pixel_unshuffle(y, 2, order="dcr")
    assert down[(1 * 2 + 0) * 2 + 1, 1, 0] == y[1, 1 * 2 + 1, 0 * 2 + 0]


def test_pixel_unshuffle_refusals() -> None:
    with pytest.raises(EngineError, match="height 3 must be divisible"):
        engine.pixel_unshuffle(np.zeros((1, 3, 4)), 2)
    with pytest.raises(EngineError, match="order='cdr'"):
        engine.pixel_unshuffle(np.zeros((1, 4, 4)), 2, order="cdr")
    with pytest.raises(EngineError, match="needs a channel axis"):
        engine.pixel_unshuffle(np.zeros((4, 4)), 2)


def test_shuffle_steps_name_the_source_channel_by_the_orders_rule() -> None:
    x = np.arange(8.0).reshape(8, 1, 1)
    t = trace("pixel_shuffle", x, upscale_factor=2, order="dcr")
    # step 5: output (1, 0, 1) reads channel (0·2 + 1)·2 + 1 = 3
    # and names the channel PyTorch's order reads for the same cell: 1·4 + 0·2 + 1 = 5
    assert t[5].text == (
        "y[1,0,1] = x[3,0,0] = 3   (channel ((0 mod 2)·2 + (1 mod 2))·2 + 1 = 3);"
        " PyTorch's crd reads channel 1·4 + 0·2 + 1 = 5 here: x[5,0,0] = 5"
    )
    assert t[5].cells(INPUT) == ((3, 0, 0),)
    t = trace("pixel_shuffle", x, upscale_factor=2)
    assert t[5].text == (
        "y[1,0,1] = x[5,0,0] = 5   (channel 1·4 + (0 mod 2)·2 + (1 mod 2) = 5);"
        " TensorFlow's dcr reads channel (0·2 + 1)·2 + 1 = 3 here: x[3,0,0] = 3"
    )


def test_unshuffle_steps_name_the_channel_they_write() -> None:
    y = np.arange(16.0).reshape(1, 4, 4)
    t = trace("pixel_unshuffle", y, downscale_factor=2)
    assert len(t) == 16 and t.result.shape == (4, 2, 2)
    # step 7: output (1, 1, 1) ← x[0, 1·2 + 0, 1·2 + 1]
    assert t[7].text == (
        "y[1,1,1] = x[0,2,3] = 11   (row 1·2 + 0, column 1·2 + 1; channel 0·4 + 0·2 + 1 = 1)"
    )
    assert t[7].cells(INPUT) == ((0, 2, 3),) and t[7].cells(OUTPUT) == ((1, 1, 1),)
    two = trace(
        "pixel_unshuffle", np.arange(32.0).reshape(2, 4, 4), downscale_factor=2, order="dcr"
    )
    # output channel 3 = (i·2 + j)·2 + c with C = 2: (0·2 + 1)·2 + 1 → c = 1, (i, j) = (0, 1)
    step = two[3 * 4]
    assert step.cells(INPUT) == ((1, 0, 1),)
    assert "channel (0·2 + 1)·2 + 1 = 3" in step.text


def test_a_one_plane_input_is_one_channel_for_unshuffle() -> None:
    t = trace("pixel_unshuffle", np.arange(16.0).reshape(4, 4), downscale_factor=2)
    assert t.input.shape == (1, 4, 4) and t.result.shape == (4, 2, 2)


# conv2d -------------------------------------------------------------------------------------


def test_conv2d_sums_across_channels_with_conv2ds_layout() -> None:
    w = np.array([[[[1.0]], [[2.0]]]])  # (C_out=1, C_in=2, 1, 1)
    t = trace("conv2d", X2, weight=w)
    np.testing.assert_array_equal(t.result, [[[21, 42], [63, 84]]])
    assert t[0].text == (
        "y[0,0,0] = 1·1 + 10·2 = 21   (the window in each of the 2 input planes times w[0,c],"
        " summed over c); by input channel: 1 + 20 = 21"
    )
    assert t[0].cells(INPUT) == ((0, 0, 0), (1, 0, 0))
    assert t[0].cells(KERNEL) == ((0, 0, 0, 0), (0, 1, 0, 0))
    assert t[0].channels(INPUT) == (0, 1) and t[0].channels(OUTPUT) == (0,)


def test_depthwise_conv2d_is_one_kernel_per_plane() -> None:
    w = np.array([[[[2.0]]], [[[-1.0]]]])  # (C_out=2, C_in/g=1, 1, 1), groups = 2
    t = trace("conv2d", X2, weight=w, groups=2)
    np.testing.assert_array_equal(t.result, [[[2, 4], [6, 8]], [[-10, -20], [-30, -40]]])
    step = t[4]  # output channel 1, cell (0, 0)
    assert step.text == (
        "y[1,0,0] = 10·(−1) = −10   (depthwise (groups = 2): output channel 1 reads input"
        " channel 1 alone, with w[1,0])"
    )
    assert step.channels(INPUT) == (1,)
    # im2col spans both channels; the kernel columns hold the group's weights, the rest absent.
    im2col = np.asarray(t.grid(IM2COL).values)
    assert im2col.shape == (4, 2)
    columns = np.asarray(t.grid(KERNEL_VECTOR).values)
    np.testing.assert_array_equal(columns, [[2, np.nan], [np.nan, -1]])
    assert step.cells(IM2COL) == ((0, 1),) and step.cells(KERNEL_VECTOR) == ((1, 1),)


def test_grouped_conv2d_reads_only_its_groups_channels() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 5, (4, 3, 3)).astype(float)
    w = rng.integers(-3, 5, (2, 2, 2, 2)).astype(float)  # C_out = 2, C_in/g = 2, groups = 2
    t = trace("conv2d", x, weight=w, groups=2)
    step = t[5]  # output channel 1 (group 1), cell (0, 1)
    assert step.channels(INPUT) == (2, 3)
    assert "it reads channels 2–3 only" in step.text
    by_hand = sum(
        x[2 + c, 0 + a, 1 + b] * w[1, c, a, b] for c in (0, 1) for a in (0, 1) for b in (0, 1)
    )
    assert step.value == by_hand == t.result[1, 0, 1]


def test_a_kernel_that_does_not_fit_names_both_layouts() -> None:
    w = np.ones((2, 3, 1, 1))  # a ConvTranspose2d weight for 2 → 3 channels
    with pytest.raises(EngineError) as caught:
        trace("conv2d", X2, weight=w)
    message = str(caught.value)
    assert "\n" not in message
    assert "(C_out, C_in/groups, kH, kW)" in message and "(C_in, C_out/groups, kH, kW)" in message
    with pytest.raises(EngineError, match=r"conv_transpose2d's weight is \(C_in, C_out/groups"):
        trace("conv_transpose2d", X2, weight=np.ones((3, 2, 1, 1)))
    with pytest.raises(EngineError, match="groups=3: must divide the 2 input channels"):
        trace("conv2d", X2, weight=np.ones((3, 1, 1, 1)), groups=3)


# conv_transpose2d ---------------------------------------------------------------------------


def test_conv_transpose2d_takes_its_own_layout() -> None:
    x = np.array([[[1.0]], [[2.0]]])  # (C_in=2, 1, 1)
    w = np.array([[[[1.0]], [[2.0]], [[3.0]]], [[[10.0]], [[20.0]], [[30.0]]]])  # (2, 3, 1, 1)
    # y[o] = Σ_c x[c]·w[c, o]
    np.testing.assert_array_equal(engine.conv_transpose2d(x, w), [[[21]], [[42]], [[63]]])
    for method in ("scatter", "matrix", "direct"):
        np.testing.assert_array_equal(
            trace("conv_transpose2d", x, weight=w, method=method).result, [[[21]], [[42]], [[63]]]
        )


def test_scatter_scales_each_slice_into_its_output_channel() -> None:
    x = np.array([[[1.0]], [[2.0]]])
    w = np.array([[[[1.0, 2.0]], [[3.0, 4.0]]], [[[5.0, 6.0]], [[7.0, 8.0]]]])  # (2, 2, 1, 2)
    t = trace("conv_transpose2d", x, weight=w, method="scatter")
    step = t[1]  # input channel 1's value 2
    assert step.text == (
        "r[1,0,0] = 2: y[0, 0:1, 0:2] += 2·w[1,0]; y[1, 0:1, 0:2] += 2·w[1,1]; input channel 1"
        " reaches every output channel, each with its slice w[1,o]"
    )
    assert step.cells(OUTPUT) == ((0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 0, 1))
    assert step.cells(KERNEL) == ((1, 0, 0, 0), (1, 0, 0, 1), (1, 1, 0, 0), (1, 1, 0, 1))
    np.testing.assert_array_equal(step.scaled_kernel, [[[10, 12]], [[14, 16]]])
    assert step.cells(SCALED_KERNEL) == ((0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 0, 1))
    np.testing.assert_array_equal(step.partial, t.result)


def test_grouped_scatter_reaches_only_its_groups_outputs_and_absent_slices_are_nan() -> None:
    x = np.ones((2, 1, 1))
    w = np.arange(1.0, 5.0).reshape(2, 2, 1, 1)  # groups = 2: C_out = 4
    t = trace("conv_transpose2d", x, weight=w, groups=2, method="scatter")
    step = t[1]
    assert step.channels(OUTPUT) == (2, 3)
    assert "output channels 2–3 only" in step.text
    assert np.isnan(step.scaled_kernel[:2]).all()
    np.testing.assert_array_equal(step.scaled_kernel[2:], [[[3]], [[4]]])


def test_matrix_face_has_channel_blocks_and_absent_ones_between_groups() -> None:
    x = np.ones((2, 2, 2))
    w = np.arange(1.0, 9.0).reshape(2, 1, 2, 2)  # groups = 2: C_out = 2, depthwise
    t = trace("conv_transpose2d", x, weight=w, groups=2, method="matrix")
    shown = t.grid(MATRIX).values
    assert shown.shape == (2 * 4, 2 * 9)
    blocks = np.asarray(shown)
    assert np.isnan(blocks[:4, 9:]).all() and np.isnan(blocks[4:, :9]).all()
    np.testing.assert_array_equal(
        blocks[:4, :9], engine.conv_matrix(w[0, 0], (3, 3)).T
    )  # the block of slice [0, 0] is its one-plane W2
    # the arithmetic's matrix is W2 itself (absent = 0): r · W2 is the result
    np.testing.assert_array_equal(x.ravel() @ t.matrix.to_array(), t.result.ravel())
    step = t[9 + 4]  # output channel 1, centre cell
    assert step.matrix_column == 13 and step.cells(MATRIX) == ((-1, 13),)
    assert step.channels(INPUT) == (1,)
    assert step.value == 5 + 6 + 7 + 8


def test_direct_face_turns_the_kernel_and_swaps_its_channel_axes() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(-3, 5, (2, 2, 2)).astype(float)
    w = rng.integers(-3, 5, (2, 3, 2, 2)).astype(float)  # (C_in=2, C_out=3, 2, 2)
    t = trace("conv_transpose2d", x, weight=w, method="direct")
    turned = t.grid(ROTATED_KERNEL).values
    assert turned.shape == (3, 2, 2, 2)  # (C_out, C_in, kH, kW): conv2d's layout
    for o in range(3):
        for c in range(2):
            np.testing.assert_array_equal(turned[o, c], w[c, o, ::-1, ::-1])
    # conv2d of the zero-inserted, padded input with that weight is the transposed convolution
    padded = t.grid(PADDED).values
    np.testing.assert_array_equal(engine.conv2d(padded, turned), t.result)
    step = t[9 + 4]  # output channel 1, cell (1, 1)
    assert step.channels(PADDED) == (0, 1)
    assert "channel axes swapped" in step.text
    for (o, c, a, b), (c2, ol, a2, b2) in zip(
        step.cells(ROTATED_KERNEL), step.cells(KERNEL), strict=True
    ):
        assert (o, c, c2, ol) == (1, c, c, 1) and (a2, b2) == (1 - a, 1 - b)


def test_compare_layout_takes_channels() -> None:
    from tui_upsample.engine.faces import ChannelThreeFacesTrace

    t = trace("conv_transpose2d", X2, weight=np.ones((2, 1, 2, 2)), method="all")
    assert isinstance(t, ChannelThreeFacesTrace)
    np.testing.assert_array_equal(
        t.result, trace("conv_transpose2d", X2, weight=np.ones((2, 1, 2, 2))).result
    )


def test_channel_matrix_slices_like_a_dense_one() -> None:
    rng = np.random.default_rng(2)
    w = rng.integers(-3, 5, (4, 3, 3, 3)).astype(float)  # groups = 2: C_out = 6
    call = {"stride": 2, "padding": 1, "output_padding": 1, "dilation": 1}
    m = ChannelMatrix(w, (3, 3), 2, call)
    dense = m.to_array()
    x = rng.integers(-3, 5, (4, 3, 3)).astype(float)
    np.testing.assert_array_equal(
        x.ravel() @ dense, engine.conv_transpose2d(x, w, groups=2, **call).ravel()
    )
    for key in ((slice(3, 30, 4), slice(5, 200, 7)), (7, slice(None)), (slice(None), 40), (9, 41)):
        np.testing.assert_array_equal(m[key], dense[key])


def test_channel_matrix_same_as_compares_weight_geometry_and_groups() -> None:
    w = np.arange(4 * 3 * 3 * 3, dtype=float).reshape(4, 3, 3, 3)
    call = {"stride": 2, "padding": 1, "output_padding": 1, "dilation": 1}
    m = ChannelMatrix(w, (3, 3), 2, call)
    assert m.same_as(ChannelMatrix(w.copy(), (3, 3), 2, dict(call)))
    other = w.copy()
    other[3, 2, 1, 0] += 0.5
    assert not m.same_as(ChannelMatrix(other, (3, 3), 2, call))
    assert not m.same_as(ChannelMatrix(w, (3, 4), 2, call))
    assert not m.same_as(ChannelMatrix(w, (3, 3), 4, call))
    assert not m.same_as(ChannelMatrix(w, (3, 3), 2, {**call, "padding": 0}))
    assert not m.same_as(ChannelMatrix(w, (3, 3), 2, call, absent=np.nan))
    assert not m.same_as(m.to_array())  # an array is not a ChannelMatrix, even with its numbers


def test_an_edit_of_the_input_keeps_the_same_w2() -> None:
    """What lets the step view keep W2 on screen after an edit of the input."""
    x = np.arange(2 * 3 * 3, dtype=float).reshape(2, 3, 3)
    w = np.ones((2, 2, 3, 3))
    before = trace("conv_transpose2d", x, weight=w, stride=2, method="matrix")
    edited = x.copy()
    edited[1, 2, 2] = -7.5
    after = trace("conv_transpose2d", edited, weight=w, stride=2, method="matrix")
    assert after.grid("matrix").values.same_as(before.grid("matrix").values)
    reweighted = trace("conv_transpose2d", x, weight=w * 2, stride=2, method="matrix")
    assert not reweighted.grid("matrix").values.same_as(before.grid("matrix").values)


# Plane by plane -----------------------------------------------------------------------------


def test_pooling_indices_are_per_plane() -> None:
    x = np.array([[[1.0, 5.0], [3.0, 2.0]], [[7.0, 0.0], [0.0, 8.0]]])
    t = trace("max_pool2d", x, kernel_size=2)
    assert len(t) == 2
    assert t[1].argmax == (1, 1, 1)
    assert t[1].cells(INPUT, ARGMAX) == ((1, 1, 1),)
    assert t[1].text == (
        "channel 1: y[0,0] = max(7, 0, 0, 8) = 8, found at x[1,1]; index 1·2 + 1 = 3 counts"
        " within plane 1, not over the whole tensor"
    )
    np.testing.assert_array_equal(t[0].partial, [[[5]], [[np.nan]]])
    u = trace("max_unpool2d", x, kernel_size=2)
    np.testing.assert_array_equal(u.grid("indices").values[:], [[[1]], [[3]]])
    np.testing.assert_array_equal(u.result, [[[0, 5], [0, 0]], [[0, 0], [0, 8]]])
    assert "(index 3)" in u[1].text and "within plane 1" in u[1].text


def test_resampling_goes_plane_by_plane() -> None:
    t = trace("upsample_nearest", X2, scale_factor=2)
    assert len(t) == 2 * 16 and t.result.shape == (2, 4, 4)
    step = t[16 + 5]
    assert step.text.startswith("channel 1: y[1,1] = x[0,0] = 10")
    assert step.cells(OUTPUT) == ((1, 1, 1),) and step.cells(INPUT) == ((1, 0, 0),)
    np.testing.assert_array_equal(step.partial[0], t.result[0])


def test_marks_say_their_plane() -> None:
    mark = Mark(INPUT, "read", ((1, 0, 2), (1, 1, 2), (3, 0, 0)))
    assert mark.planes == ((1,), (3,)) and mark.channels == (1, 3)
    assert mark.on(1) == ((0, 2), (1, 2)) and mark.on(3) == ((0, 0),)
    flat = Mark(INPUT, "read", ((0, 2), (1, 2)))
    assert flat.planes == ((),) and flat.channels == () and flat.on() == ((0, 2), (1, 2))
    kernel = Mark(KERNEL, "read", ((2, 0, 1, 1),))
    assert kernel.planes == ((2, 0),) and kernel.on((2, 0)) == ((1, 1),)


def test_the_adjoint_identity_holds_with_groups() -> None:
    from tui_upsample.engine.adjoint import adjoint_identity, adjoint_partner

    rng = np.random.default_rng(3)
    x = rng.integers(-3, 5, (4, 4, 4)).astype(float)
    w = rng.integers(-3, 5, (6, 2, 2, 2)).astype(float)  # conv2d 4 → 6 in 2 groups
    y = rng.integers(-3, 5, (6, 2, 2)).astype(float)
    found = adjoint_identity(x, w, y, stride=2, groups=2)
    assert found.lhs == found.rhs
    # conv_transpose2d's weight (C_in=6, C_out/g=2): the same tensor, read the other way
    partner = adjoint_partner(y, w, stride=2, groups=2)
    assert partner.x_shape == (4, 4, 4) and partner.identity.lhs == partner.identity.rhs
