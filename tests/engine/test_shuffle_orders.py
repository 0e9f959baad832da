"""Both channel orders of pixel shuffle as data: which channel each order reads for a cell.

The golden map is worked out by hand from the two frameworks' documented rules for C_out = 2,
r = 2 (so 8 input channels): PyTorch's ``F.pixel_shuffle`` reads c·r² + i·r + j, TensorFlow's
``depth_to_space`` (and ONNX DepthToSpace's default, DCR) reads (i·r + j)·C + c.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_upsample.engine.pixel_shuffle import (
    OTHER_ORDER,
    PixelShuffleTrace,
    PixelUnshuffleTrace,
    pixel_shuffle,
    source_channel_map,
    source_channels,
)
from tui_upsample.engine.steps import INPUT, OTHER_READ, OUTPUT, READ, WRITTEN, role_at

# out channel c, block offset (i, j) → input channel, written out for C = 2, r = 2
CRD = {(0, 0, 0): 0, (0, 0, 1): 1, (0, 1, 0): 2, (0, 1, 1): 3,
       (1, 0, 0): 4, (1, 0, 1): 5, (1, 1, 0): 6, (1, 1, 1): 7}  # fmt: skip
DCR = {(0, 0, 0): 0, (0, 0, 1): 2, (0, 1, 0): 4, (0, 1, 1): 6,
       (1, 0, 0): 1, (1, 0, 1): 3, (1, 1, 0): 5, (1, 1, 1): 7}  # fmt: skip


def test_source_channels_match_the_hand_worked_golden() -> None:
    for (c, i, j), channel in CRD.items():
        assert source_channels(c, i, j, 2, 2) == {"crd": channel, "dcr": DCR[(c, i, j)]}
    crd = source_channel_map(2, 1, 1, 2, "crd")
    dcr = source_channel_map(2, 1, 1, 2, "dcr")
    assert crd.tolist() == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
    assert dcr.tolist() == [[[0, 2], [4, 6]], [[1, 3], [5, 7]]]


def test_shuffle_trace_shows_both_orders_with_the_current_cell_in_each() -> None:
    x = np.arange(8.0).reshape(8, 1, 1) * 10  # channel k holds 10·k
    t = PixelShuffleTrace(x, 2, "crd")
    assert t.grid(OTHER_ORDER) is not None
    np.testing.assert_array_equal(t.grid(OTHER_ORDER).values, pixel_shuffle(x, 2, "dcr"))
    step = t[5]  # y[1,0,1]: PyTorch reads channel 5, TensorFlow channel 3
    assert step.cells(OUTPUT) == ((1, 0, 1),) and step.cells(OTHER_ORDER) == ((1, 0, 1),)
    assert step.value == 50 and "x[3,0,0] = 30" in step.text
    assert t.source_channels(OUTPUT)[1, 0, 1] == 5 and t.source_channels(OTHER_ORDER)[1, 0, 1] == 3
    assert t.source_channels(INPUT)[6, 0, 0] == 6


def test_one_output_channel_has_one_order() -> None:
    t = PixelShuffleTrace(np.arange(4.0).reshape(4, 1, 1), 2, "crd")
    assert t.grid(OTHER_ORDER) is None and not t[1].notes
    assert not t[1].cells(INPUT, OTHER_READ) and OTHER_READ not in t.roles


def test_the_other_orders_cell_is_lit_by_hand() -> None:
    x = np.arange(8.0).reshape(8, 1, 1) * 10  # channel k holds 10·k
    crd, dcr = PixelShuffleTrace(x, 2, "crd"), PixelShuffleTrace(x, 2, "dcr")
    assert crd.other_order == "dcr" and dcr.other_order == "crd"
    assert crd.roles == (WRITTEN, READ, OTHER_READ)
    # y[1,0,1]: PyTorch reads channel 5, TensorFlow channel 3 (the goldens above)
    assert crd[5].cells(INPUT) == ((5, 0, 0),) and crd[5].cells(INPUT, OTHER_READ) == ((3, 0, 0),)
    assert dcr[5].cells(INPUT) == ((3, 0, 0),) and dcr[5].cells(INPUT, OTHER_READ) == ((5, 0, 0),)
    # y[0,0,0]: both read channel 0, so the cell is drawn as read (the stronger role)
    assert crd[0].cells(INPUT, OTHER_READ) == ((0, 0, 0),)
    assert role_at(crd[0].marks, INPUT, (0, 0, 0)) == READ


SWEEP = 16


def test_a_seeded_sweep_lights_the_cell_the_other_order_reads() -> None:
    """Every step of seeded scenes, both orders: the cell lit as "read by the other order" is
    the one that order's rule names, and holds the value that order puts in that output cell."""
    for seed in range(SWEEP):
        rng = np.random.default_rng(500 + seed)
        c_out, r = int(rng.integers(2, 4)), int(rng.integers(1, 4))
        h, w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        x = rng.integers(-9, 10, (c_out * r * r, h, w)).astype(float)
        for order in ("crd", "dcr"):
            t = PixelShuffleTrace(x, r, order)
            other = pixel_shuffle(x, r, "dcr" if order == "crd" else "crd")
            for step in t:
                ((c, oh, ow),) = step.cells(OUTPUT)
                i, j = oh % r, ow % r
                crd_channel = c * r * r + i * r + j  # PyTorch's documented rule
                dcr_channel = (i * r + j) * c_out + c  # TensorFlow's depth_to_space
                theirs = dcr_channel if order == "crd" else crd_channel
                mine = crd_channel if order == "crd" else dcr_channel
                assert step.cells(INPUT) == ((mine, oh // r, ow // r),)
                assert step.cells(INPUT, OTHER_READ) == ((theirs, oh // r, ow // r),)
                assert x[theirs, oh // r, ow // r] == other[c, oh, ow]
                shown = role_at(step.marks, INPUT, (theirs, oh // r, ow // r))
                assert shown == (READ if theirs == mine else OTHER_READ)


@settings(max_examples=40, deadline=None)
@given(
    channels=st.integers(1, 4),
    r=st.integers(1, 3),
    h=st.integers(1, 3),
    w=st.integers(1, 3),
    order=st.sampled_from(["crd", "dcr"]),
    seed=st.integers(0, 2**16),
)
def test_every_cell_holds_the_channel_its_map_names(channels, r, h, w, order, seed) -> None:
    x = np.random.default_rng(seed).normal(size=(channels * r * r, h, w))
    t = PixelShuffleTrace(x, r, order)
    for name in (OUTPUT, OTHER_ORDER):
        grid = t.grid(name)
        if grid is None:
            continue
        sources = t.source_channels(name)
        rows, cols = np.indices(sources.shape[1:])
        expected = x[sources, rows // r, cols // r]
        np.testing.assert_array_equal(grid.values, expected)
    k = int(np.random.default_rng(seed).integers(len(t)))
    (cell,) = t[k].cells(OUTPUT)
    assert t[k].cells(INPUT)[0][0] == t.source_channels(OUTPUT)[cell]
    # unshuffle is the inverse: its input cells go to the channel the same map names
    u = PixelUnshuffleTrace(t.result, r, order)
    np.testing.assert_array_equal(u.result, x)
    np.testing.assert_array_equal(u.source_channels(INPUT), t.source_channels(OUTPUT))


def test_unshuffle_tints_follow_each_value_into_the_other_order() -> None:
    x = np.arange(32.0).reshape(2, 4, 4)
    u = PixelUnshuffleTrace(x, 2, "crd")
    mine, theirs = u.source_channels(INPUT), u.source_channels(OTHER_ORDER)
    # value x[1,0,1] goes to crd channel 1·4 + 0·2 + 1 = 5 and dcr channel (0·2 + 1)·2 + 1 = 3:
    # dcr's channel 3 is tinted as crd's channel 5, the colour x[1,0,1] has
    assert mine[1, 0, 1] == 5 and u.grid(OTHER_ORDER).values[3, 0, 0] == x[1, 0, 1]
    assert (theirs[3] == 5).all()


def test_grouped_weights_say_what_their_slices_are() -> None:
    from tui_upsample.engine.operators import trace

    depthwise = trace("conv2d", np.ones((2, 3, 3)), weight=np.ones((2, 1, 2, 2)), groups=2)
    assert depthwise.grid("kernel").note.startswith("depthwise: one kernel per plane")
    grouped = trace("conv_transpose2d", np.ones((4, 2, 2)), weight=np.ones((4, 1, 2, 2)), groups=2)
    assert grouped.grid("kernel").note.startswith("2 groups of 2 input channels")
    assert "not connected" in grouped.grid("kernel").note
    plain = trace("conv2d", np.ones((2, 3, 3)), weight=np.ones((2, 2, 2, 2)))
    assert plain.grid("kernel").note == ""
