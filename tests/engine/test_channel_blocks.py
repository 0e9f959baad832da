"""The channel blocks of the matrix grids (im2col, the kernel as columns, W2 = W1ᵀ), as data.

Each block's rows, columns, channels and weight index are checked against the numbers the
matrix holds there: the slice the block names, read from the weight in PyTorch's layout of the
operator (Conv2d (C_out, C_in/g, kH, kW), ConvTranspose2d (C_in, C_out/g, kH, kW)), laid out by
references written here with loops, and all-absent blocks between groups.
"""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample.engine import EngineError, trace
from tui_upsample.engine.steps import IM2COL, KERNEL_VECTOR, MATRIX, Block, Blocks

SCENES = 12


def _scene(rng: np.random.Generator, transposed: bool):
    groups = int(rng.choice([1, 2, 3]))
    c_in = groups * int(rng.integers(1, 3))
    c_out = groups * int(rng.integers(1, 3))
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    h, w = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    x = rng.integers(-4, 10, (c_in, h, w)).astype(float)
    shape = (c_in, c_out // groups, *k) if transposed else (c_out, c_in // groups, *k)
    weight = rng.integers(1, 10, shape).astype(float)  # no zero: an absent block is told apart
    params = {
        "weight": weight,
        "stride": int(rng.integers(1, 3)),
        "padding": int(rng.integers(0, 2)),
        "dilation": int(rng.integers(1, 3)),
        "groups": groups,
    }
    return x, params


def _traces(op: str, transposed: bool, **extra):
    found = []
    for seed in range(SCENES * 6):
        rng = np.random.default_rng(7000 + seed)
        x, params = _scene(rng, transposed)
        if x.shape[0] * params["weight"].shape[0] == 1:
            continue
        try:
            found.append((x, params, trace(op, x, **params, **extra)))
        except EngineError:
            continue
        if len(found) == SCENES:
            break
    assert len(found) == SCENES
    return found


def _one_plane_w2(kernel: np.ndarray, h: int, w: int, s: int, p: int, d: int) -> np.ndarray:
    """W2 of one plane by the scatter rule: row i·W + j, column of output cell (r, q) gets
    w[a, b] where r = i·s + d·a − p, q = j·s + d·b − p."""
    kh, kw = kernel.shape
    out_h = (h - 1) * s - 2 * p + d * (kh - 1) + 1
    out_w = (w - 1) * s - 2 * p + d * (kw - 1) + 1
    m = np.zeros((h * w, out_h * out_w))
    for i in range(h):
        for j in range(w):
            for a in range(kh):
                for b in range(kw):
                    r, q = i * s + d * a - p, j * s + d * b - p
                    if 0 <= r < out_h and 0 <= q < out_w:
                        m[i * w + j, r * out_w + q] += kernel[a, b]
    return m


@pytest.mark.parametrize("case", range(SCENES))
def test_every_w2_block_holds_the_slice_it_names(case: int) -> None:
    x, params, t = _traces("conv_transpose2d", True, method="matrix")[case]
    w, g = params["weight"], params["groups"]
    c_in, h, wd = x.shape
    c_out = w.shape[1] * g
    grid = t.grid(MATRIX)
    blocks = grid.blocks
    assert blocks is not None
    shown = np.asarray(grid.values)
    one = _one_plane_w2(w[0, 0], h, wd, params["stride"], params["padding"], params["dilation"])
    assert (blocks.row_size, blocks.col_size) == one.shape == (h * wd, one.shape[1])
    assert len(blocks.cells) == c_in * c_out
    for n, block in enumerate(blocks.cells):
        c, o = divmod(n, c_out)  # band by band: input channel c, then output channel o
        assert (block.input_channel, block.output_channel) == (c, o)
        assert block.rows == range(c * h * wd, (c + 1) * h * wd)
        assert block.cols == range(o * one.shape[1], (o + 1) * one.shape[1])
        values = shown[block.rows.start : block.rows.stop, block.cols.start : block.cols.stop]
        same_group = c // (c_in // g) == o // (c_out // g)
        if same_group:
            assert block.weight == (c, o % (c_out // g))
            expected = _one_plane_w2(
                w[block.weight], h, wd, params["stride"], params["padding"], params["dilation"]
            )
            np.testing.assert_array_equal(values, expected)
        else:
            assert block.weight is None and block.absent
            assert np.isnan(values).all()
        assert blocks.at(block.rows.start, block.cols.stop - 1) == block


@pytest.mark.parametrize("case", range(SCENES))
def test_the_kernel_columns_and_im2col_blocks_hold_what_they_name(case: int) -> None:
    x, params, t = _traces("conv2d", False)[case]
    w, g = params["weight"], params["groups"]
    c_out, cig, kh, kw = w.shape
    c_in = x.shape[0]
    columns = t.grid(KERNEL_VECTOR)
    blocks = columns.blocks
    assert blocks is not None and (blocks.row_size, blocks.col_size) == (kh * kw, 1)
    values = np.asarray(columns.values)
    for n, block in enumerate(blocks.cells):
        c, o = divmod(n, c_out)
        assert (block.input_channel, block.output_channel) == (c, o)
        assert (block.rows, block.cols) == (range(c * kh * kw, (c + 1) * kh * kw), range(o, o + 1))
        column = values[block.rows.start : block.rows.stop, o]
        if c // cig == o // (c_out // g):
            assert block.weight == (o, c % cig)  # Conv2d's layout: w[o, c′]
            np.testing.assert_array_equal(column, w[block.weight].ravel())
        else:
            assert block.absent and np.isnan(column).all()
    windows = t.grid(IM2COL)
    if c_in == 1:
        assert windows.blocks is None
        return
    assert windows.blocks is not None
    matrix = np.asarray(windows.values)
    for c, block in enumerate(windows.blocks.cells):
        assert (block.input_channel, block.output_channel, block.weight) == (c, None, None)
        assert not block.absent
        assert block.rows == range(matrix.shape[0])
        assert block.cols == range(c * kh * kw, (c + 1) * kh * kw)
        # the block is the im2col of channel c alone
        alone = trace("conv2d", x[c : c + 1], **{**params, "weight": w[:1, :1], "groups": 1})
        np.testing.assert_array_equal(matrix[:, block.cols.start : block.cols.stop], alone.im2col)


def test_two_by_two_channels_by_hand() -> None:
    # r 2×2×2, w 2×2×2×2, stride 1: W2 is 8 × 18, blocks 4 × 9
    t = trace(
        "conv_transpose2d",
        np.arange(8.0).reshape(2, 2, 2),
        weight=np.arange(1.0, 17.0).reshape(2, 2, 2, 2),
        method="matrix",
    )
    blocks = t.grid(MATRIX).blocks
    assert (blocks.row_size, blocks.col_size) == (4, 9)
    assert [(b.input_channel, b.output_channel, b.weight) for b in blocks.cells] == [
        (0, 0, (0, 0)),
        (0, 1, (0, 1)),
        (1, 0, (1, 0)),
        (1, 1, (1, 1)),
    ]
    third = blocks.cells[2]
    assert (third.rows, third.cols) == (range(4, 8), range(0, 9))
    # r[1,0,0] is row 4; w[1,0] = [[9, 10], [11, 12]] lands on output cells 0, 1, 3, 4
    np.testing.assert_array_equal(
        np.asarray(t.grid(MATRIX).values)[4, :9], [9, 10, 0, 11, 12, 0, 0, 0, 0]
    )
    w1 = blocks.T
    assert (w1.row_size, w1.col_size) == (9, 4)
    channels = [(b.input_channel, b.output_channel) for b in w1.cells]
    assert channels == [(0, 0), (1, 0), (0, 1), (1, 1)]
    assert (w1.cells[1].rows, w1.cells[1].cols) == (range(0, 9), range(4, 8))
    assert w1.T == blocks


def test_a_block_of_two_groups_is_absent_one_without_weights_is_not() -> None:
    assert Block(range(2), range(2), 0, 1).absent
    assert not Block(range(2), range(2), 0).absent
    assert not Block(range(2), range(2), 0, 1, (0, 1)).absent
    assert Blocks(2, 2, (Block(range(2), range(2), 0),)).at(5, 0) is None


def test_one_channel_each_way_has_no_blocks() -> None:
    one = trace("conv2d", np.ones((1, 3, 3)), weight=np.ones((1, 1, 2, 2)))
    assert one.grid(KERNEL_VECTOR).blocks is None and one.grid(IM2COL).blocks is None


def test_w1_of_channels_is_w2_transposed_lazily() -> None:
    t = trace(
        "conv_transpose2d",
        np.arange(8.0).reshape(2, 2, 2),
        weight=np.arange(1.0, 9.0).reshape(2, 2, 1, 2),
        groups=2,
        method="matrix",
    )
    w2 = t.grid(MATRIX).values
    w1 = w2.T
    assert w1.shape == (w2.shape[1], w2.shape[0]) == (24, 8)  # 4 outputs of 2×3, 2 inputs of 2×2
    np.testing.assert_array_equal(np.asarray(w1), np.asarray(w2).T)  # NaN where absent
    np.testing.assert_array_equal(w1[3:7, 1:5], np.asarray(w2)[1:5, 3:7].T)
    np.testing.assert_array_equal(w1[2], np.asarray(w2)[:, 2])  # a row of W1: W2's column
    assert w1.T.same_as(w2) and not w1.same_as(w2)  # back to W2; W1 is not W2
    assert w1.blocks == w2.blocks.T
    again = (
        trace(
            "conv_transpose2d",
            np.ones((2, 2, 2)),  # another input, the same weight: the same matrices
            weight=np.arange(1.0, 9.0).reshape(2, 2, 1, 2),
            groups=2,
            method="matrix",
        )
        .grid(MATRIX)
        .values
    )
    assert w2.same_as(again) and w1.same_as(again.T)
    assert not w2.same_as(t.matrix)  # absent drawn as NaN against absent as 0
