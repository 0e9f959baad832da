"""The three faces of one transposed convolution, stepped together (engine.faces), and the
lessons the teaching views add (shuffle_overlap, adjoint_of_conv2d)."""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample.engine import conv2d, conv_transpose2d, trace
from tui_upsample.engine.adjoint import adjoint_of_conv2d
from tui_upsample.engine.faces import FACES, ThreeFacesTrace
from tui_upsample.engine.overlap import shuffle_overlap

R = np.array([[1.0, 2.0], [3.0, 4.0]])
W = np.array([[0.0, 1.0], [2.0, 3.0]])


def test_seed_example_three_faces_identical() -> None:
    t = trace("conv_transpose2d", R, weight=W, method="all")
    assert isinstance(t, ThreeFacesTrace) and t.method == "all"
    assert len(t) == 9  # one step per output cell
    expected = np.array([[0, 1, 2], [2, 10, 10], [6, 17, 12]], dtype=float)
    agreement = t.agreement
    assert agreement.identical and agreement.max_difference == 0.0
    for face in FACES:
        np.testing.assert_array_equal(agreement.outputs[face], expected)
    assert "identical" in agreement.text


def test_scatter_face_finishes_every_cell_up_to_the_step() -> None:
    """At step k the scatter face's partial sum already equals the result on cells 0 … k."""
    t = trace("conv_transpose2d", R, weight=np.ones((3, 3)), stride=2, method="all")
    assert t.result.shape == (5, 5)
    flat = t.result.ravel()
    for k in range(len(t)):
        step = t.at(k)
        partial = step.scatter.partial.ravel()
        np.testing.assert_array_equal(partial[: k + 1], flat[: k + 1])
        np.testing.assert_array_equal(step.matrix.partial.ravel()[: k + 1], flat[: k + 1])
        np.testing.assert_array_equal(step.direct.partial.ravel()[: k + 1], flat[: k + 1])
    # y[0,0] needs only r[0,0]; y[4,4] needs all four input values
    assert t.at(0).scattered == 1 and t.at(24).scattered == 4
    assert t.at(12).contributors == ((0, 0), (0, 1), (1, 0), (1, 1))  # the centre: 4 footprints


def test_cells_no_footprint_reaches_start_with_nothing_scattered() -> None:
    # padding 1 crops the top row; output_padding keeps a row past every footprint
    t = trace(
        "conv_transpose2d", R, weight=np.ones((1, 1)), stride=2, output_padding=1, method="all"
    )
    assert t.last_contributor[0, 1] == -1
    assert t.at(0).scattered == 1 and t.at(1).scattered == 1
    assert t.agreement.identical


@pytest.mark.parametrize(
    ("stride", "padding", "output_padding", "dilation"),
    [(1, 0, 0, 1), (2, 1, 1, 1), (3, 0, 2, 1), (2, 0, 0, 2), (2, "same", 0, 1), (1, "valid", 0, 1)],
)
def test_three_faces_agree_with_conv_transpose2d(stride, padding, output_padding, dilation) -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 4))
    w = rng.normal(size=(3, 2))
    t = trace(
        "conv_transpose2d",
        x,
        weight=w,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        method="all",
    )
    want = conv_transpose2d(
        x, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
    )
    for face in FACES:
        np.testing.assert_allclose(t.agreement.outputs[face], want, rtol=1e-12, atol=1e-12)
    assert t.agreement.max_difference < 1e-12


def test_w1_face_is_the_seed_xT_W1() -> None:
    t = trace("conv_transpose2d", R, weight=W, method="all")
    face = t.w1_face
    assert face.w1.shape == (9, 4)  # W1 = W2ᵀ, as the seed writes it
    np.testing.assert_array_equal(face.w1.to_array(), t.matrix.to_array().T)
    # xᵀ · W1 is the convolution of x (here the 3×3 that r · W2 gave)
    np.testing.assert_array_equal(face.r_back_grid, conv2d(t.result, W))
    np.testing.assert_array_equal(face.r_back_grid, [[35, 52], [73, 80]])
    assert not face.inverse and "not the inverse" in face.text


def test_big_input_never_builds_w2_whole() -> None:
    x = np.ones((64, 64))
    t = trace("conv_transpose2d", x, weight=np.ones((3, 3)), stride=2, method="all")
    assert t.matrix.shape == (4096, 129 * 129)
    assert t.agreement.identical
    assert t.at(len(t) - 1).scattered == 4096


def test_shuffle_overlap_is_even() -> None:
    o = shuffle_overlap((2, 3), 2)
    assert o.counts.shape == (4, 6) and (o.counts == 1).all()
    assert o.even and o.ratio == 1.0 and "exactly one" in o.rule


def test_adjoint_of_conv2d_numbers_agree() -> None:
    x = np.arange(1.0, 10.0).reshape(3, 3)
    a = adjoint_of_conv2d(x, W)
    # y is small_nonzero_integers((2, 2)) = [[-2, 1], [2, -2]]; conv2d(x, W) = [[25, 31], [43, 49]]
    np.testing.assert_array_equal(a.forward, [[25, 31], [43, 49]])
    assert a.lhs == a.rhs == 25 * -2 + 31 * 1 + 43 * 2 + 49 * -2 == -31.0
    y = a.forward * 0  # the y it drew has conv2d's shape
    assert y.shape == (2, 2)
    again = adjoint_of_conv2d(x, W)
    assert again.lhs == a.lhs  # deterministic
