"""The lessons module: goldens worked by hand and checked with PyTorch 2.13, plus properties.

Every array literal below was computed with ``torch.nn.functional`` (conv_transpose2d, conv2d,
autograd for the adjoint, max_pool2d for ceil_mode, max_unpool2d for the bounds) and pasted in;
PyTorch is never imported here. Keras's results follow the documented 'same'/'valid' rules and
the worked example in ANCHORS.md.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_upsample.engine.adjoint import (
    ADJOINT_NOTE,
    adjoint_identity,
    adjoint_partner,
    small_nonzero_integers,
)
from tui_upsample.engine.ceil_mode import ceil_mode_windows
from tui_upsample.engine.conv_matrix import conv_matrix
from tui_upsample.engine.conventions import keras_vs_pytorch
from tui_upsample.engine.convolution import conv2d
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.output_padding import output_padding_choices
from tui_upsample.engine.overlap import footprint_overlap, resize_conv_overlap
from tui_upsample.engine.pooling import max_pool2d
from tui_upsample.engine.shapes import pool_output_size
from tui_upsample.engine.transposed import conv_transpose2d
from tui_upsample.engine.unpooling import max_unpool2d, unpool_size_bounds

FAST = settings(max_examples=60, deadline=None)
A = np.array


# --------------------------------------------------------------------------------------------
# 1. Checkerboard overlap
# --------------------------------------------------------------------------------------------

# torch: F.conv_transpose2d(ones(1,1,3,3), ones(1,1,3,3), stride=2, output_padding=1)
COUNTS_K3_S2_A1 = A(
    [
        [1, 1, 2, 1, 2, 1, 1, 0],
        [1, 1, 2, 1, 2, 1, 1, 0],
        [2, 2, 4, 2, 4, 2, 2, 0],
        [1, 1, 2, 1, 2, 1, 1, 0],
        [2, 2, 4, 2, 4, 2, 2, 0],
        [1, 1, 2, 1, 2, 1, 1, 0],
        [1, 1, 2, 1, 2, 1, 1, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
    ]
)


def test_overlap_k3_s2_is_a_checkerboard_of_1_2_4() -> None:
    o = footprint_overlap(3, 3, 2, output_padding=1)
    np.testing.assert_array_equal(o.counts, COUNTS_K3_S2_A1)
    assert o.counts.dtype == np.int64
    # Interior: full rows/cols 1…5; row 0 misses input −1's tap 2, row 6 input 3's tap 0, row 7
    # input 3's tap 1 (past the full output: 0 footprints, but 1 was possible).
    expected = np.zeros((8, 8), dtype=bool)
    expected[1:6, 1:6] = True
    np.testing.assert_array_equal(o.interior, expected)
    assert o.distinct == (1, 2, 4)
    assert o.pattern_counts == (1, 2, 4)
    assert (o.row_pattern, o.col_pattern) == ((2, 1), (2, 1))
    assert not o.even
    assert o.ratio == 4.0
    assert o.rule == (
        "kernel 3 is not divisible by stride 2: the interior gets 1, 2 or 4 footprints — "
        "uneven, a checkerboard"
    )


def test_overlap_one_dimensional_alternates_1_2() -> None:
    o = footprint_overlap((2, 4), (1, 3), (1, 2))
    # torch: F.conv_transpose2d(ones(1,1,2,4), ones(1,1,1,3), stride=(1,2))
    np.testing.assert_array_equal(o.counts, [[1, 1, 2, 1, 2, 1, 2, 1, 1]] * 2)
    assert o.distinct == (1, 2)
    assert o.ratio == 2.0
    assert not o.even
    assert o.col_pattern == (2, 1)
    assert o.rule.endswith(
        "columns: kernel 3 is not divisible by stride 2: the interior gets "
        "1 or 2 footprints — uneven, a checkerboard"
    )


def test_overlap_k4_s2_is_even() -> None:
    o = footprint_overlap(4, 4, 2)
    assert o.even and o.distinct == (4,) and o.ratio == 1.0
    assert (
        o.rule == "kernel 4 is divisible by stride 2: every interior cell gets 4 footprints — even"
    )
    assert o.counts.shape == (10, 10)
    assert set(np.unique(o.counts[~o.interior])) <= {1, 2}


def test_overlap_k2_s2_tiles_exactly_once() -> None:
    o = footprint_overlap(3, 2, 2)
    np.testing.assert_array_equal(o.counts, np.ones((6, 6)))
    assert o.interior.all()
    assert o.even and o.distinct == (1,)
    assert (
        o.rule == "kernel 2 is divisible by stride 2: every interior cell gets 1 footprint — even"
    )


def test_overlap_dilation_sharing_a_factor_with_the_stride_leaves_holes() -> None:
    o = footprint_overlap(3, 2, 2, padding=1, dilation=2)
    # torch: F.conv_transpose2d(ones(1,1,3,3), ones(1,1,2,2), stride=2, dilation=2, padding=1)
    row = [0, 4, 0, 4, 0]
    zero = [0] * 5
    np.testing.assert_array_equal(o.counts, [zero, row, zero, row, zero])
    assert o.distinct == (0, 4)
    assert not o.even and o.ratio is None
    assert o.rule.startswith("dilation 2 and stride 2 share the factor 2")


def test_overlap_kernel_shorter_than_stride_leaves_holes() -> None:
    o = footprint_overlap(4, 1, 2)
    assert o.distinct == (0, 1) and not o.even and o.ratio is None
    assert "0 or 1 footprints" in o.rule


def test_overlap_tiny_input_says_so() -> None:
    o = footprint_overlap(1, 3, 2)
    np.testing.assert_array_equal(o.counts, np.ones((3, 3)))
    assert o.distinct == (1,)  # only the centre is interior
    assert o.pattern_counts == (1, 2, 4) and not o.even
    assert o.rule.endswith("(this grid's interior is too small to show every count)")


def test_overlap_keras_same_crops_but_keeps_the_pattern() -> None:
    o = footprint_overlap(3, 3, 2, padding="same")
    np.testing.assert_array_equal(o.counts, COUNTS_K3_S2_A1[:6, :6])
    assert o.distinct == (1, 2, 4)


def test_resize_conv_is_even() -> None:
    o = resize_conv_overlap(3, 2, 3)
    # torch: F.conv2d(ones(1,1,6,6), ones(1,1,3,3), padding='same')
    np.testing.assert_array_equal(
        o.counts,
        [
            [4, 6, 6, 6, 6, 4],
            [6, 9, 9, 9, 9, 6],
            [6, 9, 9, 9, 9, 6],
            [6, 9, 9, 9, 9, 6],
            [6, 9, 9, 9, 9, 6],
            [4, 6, 6, 6, 6, 4],
        ],
    )
    assert o.even and o.distinct == (9,) and o.ratio == 1.0
    np.testing.assert_array_equal(o.interior, o.counts == 9)
    assert o.rule == (
        "nearest ×2 then a stride-1 3×3 convolution: every interior cell gets 9 taps — even, "
        "no checkerboard"
    )


def test_overlap_is_frozen() -> None:
    o = footprint_overlap(3, 3, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.even = True  # type: ignore[misc]
    with pytest.raises(ValueError):
        o.counts[0, 0] = 7


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: footprint_overlap(3, 3, 0), r"^stride=0: must be at least 1$"),
        (lambda: footprint_overlap(0, 3, 2), r"^input_size=0: must be at least 1$"),
        (lambda: footprint_overlap(3, 3, 2, output_padding=2), r"^output_padding=\(2, 2\)"),
        (lambda: footprint_overlap(3, 3, 2, padding="full"), r"^padding='full'"),
        (lambda: resize_conv_overlap(3, 0, 3), r"^scale=0: must be at least 1$"),
    ],
)
def test_overlap_rejects_bad_arguments(call, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        call()


def _brute_interior(n, k, s, d, start, length):
    """Per output row: is every (i, a) with i·s + a·d = row (i any integer) a real input?"""
    out = []
    for row in range(start, start + length):
        ok = True
        for a in range(k):
            q, rem = divmod(row - a * d, s)
            if rem == 0 and not 0 <= q < n:
                ok = False
        out.append(ok)
    return out


overlap_params = st.tuples(
    st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(1, 2)
)


@FAST
@given(overlap_params, overlap_params, st.booleans())
def test_overlap_counts_are_ones_transposed_by_ones(rows, cols, keras) -> None:
    (n0, k0, s0, d0), (n1, k1, s1, d1) = rows, cols
    padding = "same" if keras else 0
    o = footprint_overlap((n0, n1), (k0, k1), (s0, s1), padding=padding, dilation=(d0, d1))
    ref = conv_transpose2d(
        np.ones((n0, n1)), np.ones((k0, k1)), stride=(s0, s1), padding=padding, dilation=(d0, d1)
    )
    np.testing.assert_array_equal(o.counts, ref)
    # Interior cells get exactly their phase's count; the rule is divisibility (and no factor
    # shared by dilation and stride); the shown counts are among the pattern's.
    ideal = np.outer(
        [o.row_pattern[r % s0] for r in range(o.counts.shape[0])],
        [o.col_pattern[c % s1] for c in range(o.counts.shape[1])],
    )
    np.testing.assert_array_equal(o.counts[o.interior], ideal[o.interior])
    assert (o.counts <= ideal).all()
    rule = all(k % s == 0 and math.gcd(d, s) == 1 for k, s, d in ((k0, s0, d0), (k1, s1, d1)))
    assert o.even == rule
    assert set(o.distinct) <= set(o.pattern_counts)


@FAST
@given(overlap_params, st.integers(0, 2))
def test_overlap_interior_matches_its_definition(axis, pad) -> None:
    n, k, s, d = axis
    full = (n - 1) * s + d * (k - 1) + 1
    pad = min(pad, (full - 1) // 2)
    o = footprint_overlap((1, n), (1, k), (1, s), padding=(0, pad), dilation=(1, d))
    expected = _brute_interior(n, k, s, d, pad, o.counts.shape[1])
    possible = [
        sum((r - a * d) % s == 0 for a in range(k)) for r in range(pad, pad + len(expected))
    ]
    # A row no tap could ever reach is trivially complete.
    expected = [e or p == 0 for e, p in zip(expected, possible, strict=True)]
    assert o.interior[0].tolist() == expected


def test_overlap_large_input_shows_the_whole_pattern() -> None:
    for k in range(1, 6):
        for s in range(1, 4):
            o = footprint_overlap(8, k, s)
            assert o.distinct == o.pattern_counts
            assert o.even == (len(o.distinct) == 1)


# --------------------------------------------------------------------------------------------
# 2. The adjoint
# --------------------------------------------------------------------------------------------

X55 = np.arange(1, 26, dtype=float).reshape(5, 5)
W33 = A([[1, 2, 0], [0, 1, -1], [1, 0, 1]], dtype=float)
Y22 = A([[1, -1], [2, 0]], dtype=float)


def test_adjoint_golden() -> None:
    adj = adjoint_identity(X55, W33, Y22, stride=2)
    # torch: F.conv2d(x, w, stride=2) and x.grad of (conv2d(x, w, stride=2) * y).sum()
    np.testing.assert_array_equal(adj.forward, [[28, 38], [78, 88]])
    np.testing.assert_array_equal(
        adj.backward,
        [
            [1, 2, -1, -2, 0],
            [0, 1, -1, -1, 1],
            [3, 4, 0, 0, -1],
            [0, 2, -2, 0, 0],
            [2, 0, 2, 0, 0],
        ],
    )
    assert adj.lhs == adj.rhs == 146.0
    assert adj.output_padding == (0, 0)
    assert adj.text == "⟨conv2d(x, w, stride=2), y⟩ = 146 = ⟨x, conv_transpose2d(y, w, stride=2)⟩"
    assert adj.note == ADJOINT_NOTE
    assert "gradient" in adj.note and "unpooling" in adj.note and "backward" in adj.note


def test_adjoint_picks_the_output_padding_that_restores_x() -> None:
    x = np.arange(36, dtype=float).reshape(6, 6)
    adj = adjoint_identity(x, W33, np.ones((3, 3)), stride=2, padding=1)
    assert adj.output_padding == (1, 1)
    assert adj.backward.shape == (6, 6)
    assert adj.text.endswith("= ⟨x, conv_transpose2d(y, w, stride=2, padding=1, output_padding=1)⟩")
    assert adj.text.startswith("⟨conv2d(x, w, stride=2, padding=1), y⟩ = ")


def test_adjoint_with_keras_same_needs_a_multiple_of_the_stride() -> None:
    x = np.arange(16, dtype=float).reshape(4, 4)
    y = np.arange(4, dtype=float).reshape(2, 2) - 1.5
    adj = adjoint_identity(x, W33, y, stride=2, padding="same")
    assert math.isclose(adj.lhs, adj.rhs, rel_tol=1e-12)
    assert "padding='same'" in adj.text
    with pytest.raises(EngineError, match=r"^padding='same': x has 5 rows, not a multiple"):
        adjoint_identity(X55, W33, np.ones((3, 3)), stride=2, padding="same")


def test_adjoint_rejects_a_y_of_the_wrong_shape() -> None:
    with pytest.raises(EngineError, match=r"^y has shape \(3, 3\): must have the shape"):
        adjoint_identity(X55, W33, np.ones((3, 3)), stride=2)


adjoint_axis = st.tuples(
    st.integers(1, 7), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)
)


@FAST
@given(adjoint_axis, adjoint_axis, st.integers(1, 2), st.integers(1, 2), st.integers(0, 2**32 - 1))
def test_adjoint_holds_for_any_geometry(rows, cols, c_in, c_out, seed) -> None:
    (h, kh, sh, ph, dh), (w, kw, sw, pw, dw) = rows, cols
    # Keep the dilated kernel inside the padded input.
    h = max(h, dh * (kh - 1) + 1 - 2 * ph)
    w = max(w, dw * (kw - 1) + 1 - 2 * pw)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((c_in, h, w))
    weight = rng.standard_normal((c_out, c_in, kh, kw))
    fwd = conv2d(x, weight, stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))
    y = rng.standard_normal(fwd.shape)
    adj = adjoint_identity(x, weight, y, (sh, sw), (ph, pw), (dh, dw))
    assert adj.backward.shape == x.shape
    assert math.isclose(adj.lhs, adj.rhs, rel_tol=1e-9, abs_tol=1e-9)
    if c_in == c_out == 1:
        # The transposed convolution is multiplication by W1ᵀ.
        w1 = conv_matrix(weight[0, 0], (h, w), (sh, sw), (ph, pw), (dh, dw))
        np.testing.assert_allclose(adj.backward.ravel(), w1 @ y.ravel(), atol=1e-9)


def test_adjoint_partner_is_deterministic_and_fits_the_scene() -> None:
    r = A([[1, 2], [3, 4]], dtype=float)
    w = np.ones((3, 3))
    part = adjoint_partner(r, w, stride=2, padding=1, output_padding=1)
    again = adjoint_partner(r, w, stride=2, padding=1, output_padding=1)
    np.testing.assert_array_equal(part.x, again.x)
    assert part.x_shape == (4, 4)
    assert set(np.abs(part.x).ravel()) <= {1.0, 2.0, 3.0}
    np.testing.assert_array_equal(part.y, r)
    # The backward side is the scene's own output (the PyTorch worked example).
    np.testing.assert_array_equal(
        part.identity.backward, [[1, 3, 2, 2], [4, 10, 6, 6], [3, 7, 4, 4], [3, 7, 4, 4]]
    )
    assert part.identity.output_padding == (1, 1)
    assert part.identity.lhs == part.identity.rhs
    assert part.text.startswith("conv_transpose2d maps 2×2 to 4×4; it is the adjoint of")
    other = adjoint_partner(r, w, stride=2, padding=1, output_padding=1, seed=1)
    assert not np.array_equal(other.x, part.x)


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_adjoint_partner_pairs_keras_strings(padding: str, k: int) -> None:
    r = A([[1, -2, 0], [3, 1, 2]], dtype=float)
    w = np.arange(1, k * k + 1, dtype=float).reshape(k, k)
    part = adjoint_partner(r, w, stride=2, padding=padding)
    np.testing.assert_array_equal(
        part.identity.backward, conv_transpose2d(r, w, stride=2, padding=padding)
    )
    assert math.isclose(part.identity.lhs, part.identity.rhs, rel_tol=1e-12)


def test_adjoint_partner_refuses_output_padding_past_the_stride() -> None:
    r = np.ones((3, 3))
    conv_transpose2d(r, np.ones((2, 2)), output_padding=1, dilation=2)  # PyTorch allows it
    with pytest.raises(EngineError, match=r"^output_padding=1: is not smaller than stride 1"):
        adjoint_partner(r, np.ones((2, 2)), output_padding=1, dilation=2)
    with pytest.raises(EngineError, match=r"^seed=-1: must not be negative$"):
        adjoint_partner(r, np.ones((2, 2)), seed=-1)


# --------------------------------------------------------------------------------------------
# 3. Keras against PyTorch
# --------------------------------------------------------------------------------------------

KERAS_SAME = A([[1, 1, 3, 2], [1, 1, 3, 2], [4, 4, 10, 6], [3, 3, 7, 4]], dtype=float)
TORCH_P1_A1 = A([[1, 3, 2, 2], [4, 10, 6, 6], [3, 7, 4, 4], [3, 7, 4, 4]], dtype=float)


def test_keras_same_worked_example() -> None:
    c = keras_vs_pytorch(A([[1, 2], [3, 4]], dtype=float), np.ones((3, 3)), 2, "same")
    np.testing.assert_array_equal(c.keras, KERAS_SAME)
    np.testing.assert_array_equal(c.pytorch, TORCH_P1_A1)
    assert (c.pytorch_padding, c.pytorch_output_padding) == ((1, 1), (1, 1))
    assert c.keras_window == ((0, 4), (0, 4))
    assert c.pytorch_window == ((1, 4), (1, 4))
    assert len(c.differ) == 12 and (0, 0) not in c.differ and (0, 1) in c.differ
    assert c.reproduce is None
    assert c.reproduce_text == (
        "Keras crops 0 rows at the top and 1 at the bottom, columns likewise; PyTorch always "
        "crops padding rows (columns) at both ends and only output_padding can add at the "
        "bottom (right), so no (padding, output_padding) gives it: crop the PyTorch output of "
        "padding=0 instead: y[0:4, 0:4]"
    )
    assert c.slice_fix.text == "conv_transpose2d(x, w, stride=2, padding=0)[..., 0:4, 0:4]"
    full = conv_transpose2d(A([[1, 2], [3, 4]], dtype=float), np.ones((3, 3)), stride=2)
    np.testing.assert_array_equal(c.slice_fix.apply(full), KERAS_SAME)
    assert c.text == (
        "Keras padding='same' and PyTorch padding=1, output_padding=1 both give 4×4, but 12 of "
        "16 cells differ: Keras keeps rows and columns 0–3 of the full 5×5 output, PyTorch rows "
        "and columns 1–4"
    )


def test_keras_same_reproducible_when_the_overhang_is_even() -> None:
    c = keras_vs_pytorch(A([[1, 2], [3, 4]], dtype=float), np.ones((4, 4)), 2, "same")
    assert c.reproduce == ((1, 1), (0, 0)) and c.differ == ()
    assert (
        c.text == "Keras padding='same' is PyTorch padding=1, output_padding=0: the same 4×4 output"
    )
    assert c.reproduce_text == (
        "PyTorch padding=1, output_padding=0 reproduces Keras padding='same' exactly"
    )


def test_keras_same_with_a_kernel_shorter_than_the_stride() -> None:
    c = keras_vs_pytorch(A([[1, 2], [3, 4]], dtype=float), np.ones((2, 2)), 3, "same")
    assert c.reproduce == ((0, 0), (1, 1))
    assert c.slice_fix.output_padding == (1, 1)
    assert c.keras.shape == (6, 6)
    np.testing.assert_array_equal(c.keras[2], 0)  # rows past every footprint


def test_keras_same_stride_1_even_kernel_has_no_pytorch_size() -> None:
    c = keras_vs_pytorch(np.ones((3, 3)), np.ones((2, 2)), 1, "same")
    assert c.pytorch is None and c.pytorch_padding is None and c.differ == ()
    assert c.reproduce is None
    assert c.text.endswith("output_padding must be smaller than max(stride, dilation) = 1")


def test_keras_same_lopsided_on_rows_only() -> None:
    c = keras_vs_pytorch(A([[1, 2], [3, 4]], dtype=float), np.ones((3, 2)), 2, "same")
    assert c.reproduce is None
    assert c.reproduce_text.startswith(
        "Keras crops 0 rows at the top and 1 at the bottom; PyTorch always crops padding rows"
    )
    assert {cell[0] for cell in c.differ} <= {0, 1, 2, 3}
    assert c.pytorch_padding == (1, 0)


def test_keras_valid_is_always_pytorch() -> None:
    c = keras_vs_pytorch(A([[1, 2], [3, 4]], dtype=float), np.ones((3, 3)), 2, "VALID")
    assert c.keras_padding == "valid"
    assert c.reproduce == ((0, 0), (0, 0)) and c.differ == ()
    assert c.keras.shape == (5, 5)


def test_keras_vs_pytorch_rejects_bad_padding() -> None:
    with pytest.raises(EngineError, match=r"^keras_padding=1: must be 'same' or 'valid'$"):
        keras_vs_pytorch(np.ones((2, 2)), np.ones((3, 3)), 2, 1)  # type: ignore[arg-type]
    with pytest.raises(EngineError, match=r"^keras_padding='full'"):
        keras_vs_pytorch(np.ones((2, 2)), np.ones((3, 3)), 2, "full")


def _pytorch_matches(x, w, s, d, target) -> list[tuple[int, int]]:
    """Every 1-D-like (padding, output_padding) on the columns whose output equals target."""
    found = []
    full = (x.shape[1] - 1) * s + d * (w.shape[1] - 1) + 1
    for p in range(full + 1):
        for a in range(max(s, d)):
            try:
                y = conv_transpose2d(
                    x, w, stride=(1, s), padding=(0, p), output_padding=(0, a), dilation=(1, d)
                )
            except EngineError:
                continue
            if y.shape == target.shape and np.allclose(y, target, rtol=0, atol=1e-12):
                found.append((p, a))
    return found


@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_reproduce_is_right_exhaustively(s: int, d: int) -> None:
    rng = np.random.default_rng(100 * s + d)
    for i in range(1, 5):
        for k in range(1, 5):
            x = rng.standard_normal((1, i))
            w = rng.standard_normal((1, k))
            for mode in ("same", "valid"):
                c = keras_vs_pytorch(x, w, (1, s), mode, dilation=(1, d))
                found = _pytorch_matches(x, w, s, d, c.keras)
                if c.reproduce is None:
                    assert found == [], (i, k, s, d, mode)
                else:
                    (p0, p1), (a0, a1) = c.reproduce
                    assert (p0, a0) == (0, 0)
                    assert found == [(p1, a1)], (i, k, s, d, mode)
                # The slice fix always works.
                base = conv_transpose2d(
                    x, w, stride=(1, s), output_padding=c.slice_fix.output_padding, dilation=(1, d)
                )
                np.testing.assert_array_equal(c.slice_fix.apply(base), c.keras)
                # The natural spelling has Keras's size whenever PyTorch can give it at all.
                sized = [
                    (p, a)
                    for p in range(c.keras.shape[1] + k * d + 1)
                    for a in range(max(s, d))
                    if (i - 1) * s - 2 * p + d * (k - 1) + a + 1 == c.keras.shape[1]
                ]
                if c.pytorch is None:
                    assert sized == []
                else:
                    assert c.pytorch.shape == c.keras.shape
                    assert (c.pytorch_padding[1], c.pytorch_output_padding[1]) in sized
                    assert c.reproduce is not None or c.differ


@FAST
@given(
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from(["same", "valid"]),
    st.integers(0, 2**32 - 1),
)
def test_reproduce_and_slice_fix_in_two_dimensions(h, w, kh, kw, sh, sw, mode, seed) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h, w))
    weight = rng.standard_normal((kh, kw))
    c = keras_vs_pytorch(x, weight, (sh, sw), mode)
    base = conv_transpose2d(x, weight, stride=(sh, sw), output_padding=c.slice_fix.output_padding)
    np.testing.assert_array_equal(c.slice_fix.apply(base), c.keras)
    if c.reproduce is not None:
        p, a = c.reproduce
        np.testing.assert_array_equal(
            conv_transpose2d(x, weight, stride=(sh, sw), padding=p, output_padding=a), c.keras
        )
    else:
        assert any((k - s) > 0 and (k - s) % 2 for k, s in ((kh, sh), (kw, sw)))


# --------------------------------------------------------------------------------------------
# 4. output_padding
# --------------------------------------------------------------------------------------------


def test_output_padding_golden_sentence() -> None:
    c = output_padding_choices(3, 3, 2, padding=1)
    assert c.text == (
        "stride 2 maps both 5 and 6 to 3: output_padding picks 5 (a=0) or 6 (a=1); it pads "
        "nothing with zeros"
    )
    assert [(ch.output_padding, ch.size, ch.conv_size, ch.inverts) for ch in c.choices] == [
        (0, 5, 3, True),
        (1, 6, 3, True),
    ]
    assert c.sizes == (5, 6)


def test_output_padding_without_padding_leaves_a_bias_only_row() -> None:
    c = output_padding_choices(3, 3, 2)
    assert [ch.zero_rows for ch in c.choices] == [0, 1]
    # torch: F.conv_transpose2d(ones(1,1,3,3), ones(1,1,3,3), stride=2, output_padding=1)[-1]
    np.testing.assert_array_equal(COUNTS_K3_S2_A1[-1], 0)
    assert c.text.endswith(
        "though with padding 0, a=1 keeps 1 row past every kernel footprint, holding only the bias"
    )


def test_output_padding_stride_3() -> None:
    c = output_padding_choices(2, 3, 3, padding=1)
    assert c.sizes == (4, 5, 6)
    assert c.text.startswith(
        "stride 3 maps 4, 5 and 6 to 2: output_padding picks 4 (a=0), 5 (a=1) or 6 (a=2)"
    )


def test_output_padding_dilation_allows_a_size_that_does_not_invert() -> None:
    c = output_padding_choices(3, 2, 1, dilation=2)
    assert [(ch.size, ch.conv_size, ch.inverts) for ch in c.choices] == [
        (5, 3, True),
        (6, 4, False),
    ]
    assert c.text == (
        "stride 1 maps only 5 back to 3: output_padding has nothing to pick; dilation 2 also "
        "allows a=1 (size 6), but conv2d maps that back to 4, not 3"
    )


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"i": 0, "k": 3, "stride": 2}, r"^i=0: must be at least 1$"),
        ({"i": 3, "k": True, "stride": 2}, r"^k=True: must be an integer$"),
        ({"i": 3, "k": 3, "stride": 2.0}, r"^stride=2.0: must be an integer$"),
        ({"i": 3, "k": 3, "stride": 2, "padding": -1}, r"^padding=-1: must not be negative$"),
        ({"i": 1, "k": 1, "stride": 1, "padding": 1}, r"^padding=1: gives an output of size −1"),
    ],
)
def test_output_padding_rejects_bad_arguments(kwargs, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        output_padding_choices(**kwargs)


@FAST
@given(
    st.integers(1, 6), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 3)
)
def test_output_padding_choices_invert(i, k, s, p, d) -> None:
    try:
        c = output_padding_choices(i, k, s, p, d)
    except EngineError:
        return
    assert len(c.choices) == max(s, d)
    for ch in c.choices:
        y = conv_transpose2d(
            np.ones((1, i)),
            np.ones((1, k)),
            stride=(1, s),
            padding=(0, p),
            output_padding=(0, ch.output_padding),
            dilation=(1, d),
        )
        assert y.shape[1] == ch.size
        back = conv2d(
            np.ones((1, ch.size)), np.ones((1, k)), stride=(1, s), padding=(0, p), dilation=(1, d)
        )
        assert back.shape[1] == ch.conv_size
        assert ch.inverts == (ch.output_padding < s) == (back.shape[1] == i)
        if ch.zero_rows:
            np.testing.assert_array_equal(y[0, -ch.zero_rows :], 0)


# --------------------------------------------------------------------------------------------
# 5. MaxUnpool2d bounds
# --------------------------------------------------------------------------------------------


def test_unpool_bounds_golden() -> None:
    b = unpool_size_bounds(2, 2, 2)
    assert (b.default, b.low_exclusive, b.high_exclusive, b.allowed) == (4, 2, 6, (3, 4, 5))
    assert b.text == (
        "default 4; output_size must be strictly between 2 and 6: 3, 4 or 5 — the bounds "
        "themselves are refused"
    )
    # torch: F.max_unpool2d(x (1×2), idx, (1,2), (1,2), output_size=(1, o)) refused o = 1, 2, 6, 7
    # with 'invalid output_size "(1, 6)" (dim 1 must be between 2 and 6)' and accepted 4, 5.
    assert unpool_size_bounds(2, 2).allowed == (3, 4, 5)  # stride defaults to kernel_size


def test_unpool_bounds_stride_1_allows_only_the_default() -> None:
    b = unpool_size_bounds(3, 3, 1)
    assert b.allowed == (5,)
    assert b.text == (
        "default 5; output_size must be strictly between 4 and 6: only 5 — the bounds "
        "themselves are refused"
    )


def test_unpool_bounds_rejects_bad_arguments() -> None:
    with pytest.raises(EngineError, match=r"^kernel_size=0: must be at least 1$"):
        unpool_size_bounds(2, 0)
    with pytest.raises(EngineError, match=r"^padding=-1: must not be negative$"):
        unpool_size_bounds(2, 2, 2, -1)


@FAST
@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2))
def test_unpool_bounds_match_max_unpool2d(i, k, s, p) -> None:
    b = unpool_size_bounds(i, k, s, p)
    x = np.ones((1, i))
    idx = np.zeros((1, i), dtype=np.int64)
    accepted = []
    for o in range(1, b.high_exclusive + 3):
        try:
            max_unpool2d(x, idx, (1, k), (1, s), (0, p), output_size=(1, o))
        except EngineError:
            continue
        accepted.append(o)
    assert tuple(accepted) == b.allowed


# --------------------------------------------------------------------------------------------
# 6. ceil_mode
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "floor_count", "ceil_count", "added", "dropped"),
    [
        # torch: F.max_pool2d over a 1×i row, kernel (1,k), stride (1,s), padding (0,p)
        ((5, 2, 2), 2, 3, (4, 6), None),
        ((5, 2, 2, 1), 3, 3, None, (5, 7)),
        ((4, 3, 2, 1), 2, 3, (3, 6), None),
        ((2, 7, 2, 3), 1, 2, (-1, 6), None),
        ((5, 1, 3), 2, 2, None, (6, 7)),
        ((6, 2, 2), 3, 3, None, None),
    ],
)
def test_ceil_mode_goldens(args, floor_count, ceil_count, added, dropped) -> None:
    c = ceil_mode_windows(*args)
    assert (len(c.floor), len(c.ceil), c.added, c.dropped) == (
        floor_count,
        ceil_count,
        added,
        dropped,
    )


def test_ceil_mode_texts() -> None:
    assert ceil_mode_windows(5, 2, 2).text == (
        "ceil_mode rounds (5 + 2·0 − 1 − 1)/2 = 3/2 up: it adds a window over cells 4 to 5, "
        "which starts before the input ends (last cell 4), so PyTorch keeps it: 2 windows "
        "become 3"
    )
    assert ceil_mode_windows(5, 2, 2, 1).text == (
        "ceil_mode rounds (5 + 2·1 − 1 − 1)/2 = 5/2 up to one more window, over cells 5 to 6, "
        "but it would start in the right padding, so PyTorch drops it: 3 windows either way"
    )
    assert ceil_mode_windows(5, 2, 2, 1).floor == ((-1, 1), (1, 3), (3, 5))
    assert "past the input, so PyTorch drops it" in ceil_mode_windows(5, 1, 3).text
    assert ceil_mode_windows(6, 2, 2).text == (
        "(6 + 2·0 − 1 − 1)/2 = 4/2 is whole, so ceil_mode changes nothing: 3 windows"
    )


def test_ceil_mode_rejects_bad_arguments() -> None:
    with pytest.raises(EngineError, match=r"^p=2: must be at most half of kernel_size=3"):
        ceil_mode_windows(5, 3, 2, 2)
    with pytest.raises(EngineError, match=r"^k=4: with dilation=2 a window spans 7 cells"):
        ceil_mode_windows(3, 4, 1, 1, 2)


@FAST
@given(
    st.integers(1, 8), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2), st.integers(1, 2)
)
def test_ceil_mode_windows_match_max_pool2d(i, k, s, p, d) -> None:
    p = min(p, k // 2)
    if i + 2 * p < d * (k - 1) + 1:
        return
    try:
        c = ceil_mode_windows(i, k, s, p, d)
    except EngineError:
        # a dilated window over padding only: max_pool2d refuses it too
        with pytest.raises(EngineError, match="only padding"):
            max_pool2d(np.ones((1, i)), (1, k), (1, s), (0, p), (1, d), ceil_mode=True)
        return
    assert len(c.floor) == pool_output_size(i, k, s, p, d, False)
    assert len(c.ceil) == pool_output_size(i, k, s, p, d, True)
    assert c.ceil[: len(c.floor)] == c.floor
    assert not (c.added and c.dropped)
    if c.added:
        assert c.added[0] < i and c.added == c.ceil[-1]
    if c.dropped:
        assert c.dropped[0] >= i
    # The windows are where max_pool2d reads: each window's max of a ramp is its last real
    # cell read (−∞ padding never wins).
    ramp = np.arange(i, dtype=float)[None, :]
    for ceil, wins in ((False, c.floor), (True, c.ceil)):
        try:
            got = max_pool2d(ramp, (1, k), (1, s), (0, p), (1, d), ceil_mode=ceil)[0]
        except EngineError:
            continue  # a dilated window over padding only (max_pool2d refuses it)
        want = [max(cell for cell in range(a, b, d) if 0 <= cell < i) for a, b in wins]
        assert got.tolist() == want


def test_texts_are_single_lines() -> None:
    texts = [
        footprint_overlap(3, 3, 2).rule,
        resize_conv_overlap(3, 2, 3).rule,
        adjoint_identity(X55, W33, Y22, stride=2).text,
        keras_vs_pytorch(A([[1, 2], [3, 4]]), np.ones((3, 3)), 2, "same").reproduce_text,
        output_padding_choices(3, 3, 2, 1).text,
        unpool_size_bounds(2, 2, 2).text,
        ceil_mode_windows(5, 2, 2).text,
    ]
    for text in texts:
        assert "\n" not in text and not re.search(r"\s{2,}", text)


def _splitmix64(state: int) -> int:
    """SplitMix64's output for one state, in plain Python integers (the reference)."""
    mask = (1 << 64) - 1
    z = state & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


@pytest.mark.parametrize("seed", [0, 1, 7, 2**40 + 3])
def test_small_nonzero_integers_follow_splitmix64(seed: int) -> None:
    got = small_nonzero_integers((3, 5), seed)
    want = []
    for i in range(1, 16):
        z = _splitmix64(i * 0x9E3779B97F4A7C15 + seed)
        want.append((z % 3 + 1) * (-1 if z >> 63 else 1))
    np.testing.assert_array_equal(got.ravel(), want)
    assert got.shape == (3, 5) and got.dtype == np.float64


def test_small_nonzero_integers_are_all_six_values_evenly_and_depend_on_the_seed() -> None:
    values, counts = np.unique(small_nonzero_integers((60, 60)), return_counts=True)
    np.testing.assert_array_equal(values, [-3, -2, -1, 1, 2, 3])
    assert counts.min() > 0.8 * 3600 / 6 and counts.max() < 1.2 * 3600 / 6
    assert not np.array_equal(small_nonzero_integers((4, 4), 0), small_nonzero_integers((4, 4), 1))
    np.testing.assert_array_equal(
        small_nonzero_integers((2, 3), 5), small_nonzero_integers((2, 3), 5)
    )


def test_lessons_speak_of_huge_strides_in_bounded_time() -> None:
    """A stride or dilation of 10**9 is described as a range, not enumerated."""
    c = output_padding_choices(1, 1, 10**9)
    assert c.text.startswith("stride 1000000000 maps 1000000000 sizes, 1 to 1000000000, to 1")
    assert len(c.choices) <= 9 and all(ch.inverts for ch in c.choices)
    d = output_padding_choices(2, 2, 1, 0, 10**9)
    assert "dilation 1000000000 also allows a = 1 … 999999999" in d.text
    b = unpool_size_bounds(2, 2, 10**8)
    assert len(b.allowed) == 2 * 10**8 - 1 and isinstance(b.allowed, range)
    assert "(199999999 sizes)" in b.text
    # the same rule as the listed ones, where both apply
    small, big = output_padding_choices(3, 3, 17), output_padding_choices(3, 3, 16)
    assert "maps 17 sizes" in small.text and len(big.choices) == 16
