"""Properties of the convolution engine that must hold for any shapes and parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tui_upsample.engine.conv_matrix import ConvMatrix, conv_matrix, conv_matrix_block
from tui_upsample.engine.convolution import col2im, conv2d, im2col
from tui_upsample.engine.shapes import conv_output_size, conv_transpose_output_size
from tui_upsample.engine.transposed import conv_transpose2d

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

pairs = st.tuples
small = st.integers


@dataclass(frozen=True)
class Geometry:
    """One convolution's sizes, all valid together."""

    n: int
    groups: int
    c_in_g: int
    c_out_g: int
    size: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    seed: int

    @property
    def out(self) -> tuple[int, int]:
        return tuple(  # type: ignore[return-value]
            conv_output_size(i, k, s, p, d)
            for i, k, s, p, d in zip(
                self.size, self.kernel, self.stride, self.padding, self.dilation, strict=True
            )
        )

    @property
    def adjoint_output_padding(self) -> tuple[int, int]:
        """The output_padding that makes the transposed conv's output the conv's input size."""
        return tuple(  # type: ignore[return-value]
            i - conv_transpose_output_size(o, k, s, p, 0, d)
            for i, o, k, s, p, d in zip(
                self.size,
                self.out,
                self.kernel,
                self.stride,
                self.padding,
                self.dilation,
                strict=True,
            )
        )

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)


@st.composite
def geometries(draw: st.DrawFn, channels: bool = True) -> Geometry:
    g = Geometry(
        n=draw(small(1, 2)) if channels else 1,
        groups=draw(st.sampled_from([1, 1, 2, 3])) if channels else 1,
        c_in_g=draw(small(1, 2)) if channels else 1,
        c_out_g=draw(small(1, 2)) if channels else 1,
        size=draw(pairs(small(1, 7), small(1, 7))),
        kernel=draw(pairs(small(1, 3), small(1, 3))),
        stride=draw(pairs(small(1, 3), small(1, 3))),
        padding=draw(pairs(small(0, 2), small(0, 2))),
        dilation=draw(pairs(small(1, 2), small(1, 2))),
        seed=draw(small(0, 2**32 - 1)),
    )
    assume(min(g.out) >= 1)
    return g


def _kw(g: Geometry) -> dict:
    return {"stride": g.stride, "padding": g.padding, "dilation": g.dilation}


@FAST
@given(geometries())
def test_adjoint_identity(g: Geometry) -> None:
    """⟨conv2d(x, w), y⟩ = ⟨x, conv_transpose2d(y, w)⟩: the transposed conv is the adjoint."""
    rng = g.rng()
    c_in, c_out = g.groups * g.c_in_g, g.groups * g.c_out_g
    x = rng.standard_normal((g.n, c_in, *g.size))
    w = rng.standard_normal((c_out, g.c_in_g, *g.kernel))
    y = rng.standard_normal((g.n, c_out, *g.out))
    fwd = conv2d(x, w, groups=g.groups, **_kw(g))
    back = conv_transpose2d(
        y, w, groups=g.groups, output_padding=g.adjoint_output_padding, **_kw(g)
    )
    assert back.shape == x.shape
    np.testing.assert_allclose(np.vdot(fwd, y), np.vdot(x, back), rtol=1e-9, atol=1e-9)


@FAST
@given(geometries())
def test_output_sizes_match_the_shape_helpers(g: Geometry) -> None:
    rng = g.rng()
    x = rng.standard_normal((g.n, g.groups * g.c_in_g, *g.size))
    w = rng.standard_normal((g.groups * g.c_out_g, g.c_in_g, *g.kernel))
    assert conv2d(x, w, groups=g.groups, **_kw(g)).shape[2:] == g.out
    # Transposed, from the conv's input size, with any allowed output_padding.
    op = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(g.stride, g.dilation, strict=True))
    expected = tuple(
        conv_transpose_output_size(i, k, s, p, a, d)
        for i, k, s, p, a, d in zip(
            g.size, g.kernel, g.stride, g.padding, op, g.dilation, strict=True
        )
    )
    wt = rng.standard_normal((g.groups * g.c_in_g, g.c_out_g, *g.kernel))
    if min(expected) >= 1:
        out = conv_transpose2d(x, wt, groups=g.groups, output_padding=op, **_kw(g))
        assert out.shape == (g.n, g.groups * g.c_out_g, *expected)


@FAST
@given(geometries())
def test_im2col_col2im_adjoint(g: Geometry) -> None:
    """⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩."""
    rng = g.rng()
    x = rng.standard_normal((g.n, g.c_in_g, *g.size))
    cols = im2col(x, g.kernel, **_kw(g))
    assert cols.shape == (g.n, g.out[0] * g.out[1], g.c_in_g * g.kernel[0] * g.kernel[1])
    c = rng.standard_normal(cols.shape)
    back = col2im(c, g.size, g.kernel, **_kw(g))
    assert back.shape == x.shape
    np.testing.assert_allclose(np.vdot(cols, c), np.vdot(x, back), rtol=1e-9, atol=1e-9)


@FAST
@given(geometries())
def test_conv2d_is_im2col_times_kernel(g: Geometry) -> None:
    rng = g.rng()
    x = rng.standard_normal((g.n, g.c_in_g, *g.size))
    w = rng.standard_normal((g.c_out_g, g.c_in_g, *g.kernel))
    cols = im2col(x, g.kernel, **_kw(g))
    expected = (cols @ w.reshape(g.c_out_g, -1).T).transpose(0, 2, 1)
    out = conv2d(x, w, **_kw(g))
    np.testing.assert_allclose(out.reshape(g.n, g.c_out_g, -1), expected, atol=1e-12)
    # …and for a 2-D x and kernel, exactly the seed's statement.
    np.testing.assert_allclose(
        conv2d(x[0, 0], w[0, 0], **_kw(g)).ravel(),
        im2col(x[0, 0], w[0, 0].shape, **_kw(g)) @ w[0, 0].ravel(),
        atol=1e-12,
    )


@FAST
@given(geometries(channels=False))
def test_conv_matrix_both_ways(g: Geometry) -> None:
    """x @ W1 is conv2d; r @ W1ᵀ is conv_transpose2d with the output_padding of the docstring."""
    rng = g.rng()
    x = rng.standard_normal(g.size)
    w = rng.standard_normal(g.kernel)
    r = rng.standard_normal(g.out)
    w1 = conv_matrix(w, g.size, **_kw(g))
    assert w1.shape == (g.size[0] * g.size[1], g.out[0] * g.out[1])
    np.testing.assert_allclose(x.ravel() @ w1, conv2d(x, w, **_kw(g)).ravel(), atol=1e-12)
    rule = tuple(
        (i + 2 * p - d * (k - 1) - 1) % s
        for i, p, d, k, s in zip(g.size, g.padding, g.dilation, g.kernel, g.stride, strict=True)
    )
    assert rule == g.adjoint_output_padding
    transposed = conv_transpose2d(r, w, output_padding=rule, **_kw(g))
    np.testing.assert_allclose(r.ravel() @ w1.T, transposed.ravel(), atol=1e-12)


@FAST
@given(
    geometries(channels=False),
    st.sampled_from([0, 1, 2, "same", "valid"]),
    small(0, 2),
)
def test_w2_for_conv_transpose2d(g: Geometry, padding: int | str, op_draw: int) -> None:
    """ConvMatrix.for_conv_transpose2d is W2 of any transposed conv, output_padding included."""
    rng = g.rng()
    w = rng.standard_normal(g.kernel)
    r = rng.standard_normal(g.size)
    op = (0, 0)
    if not isinstance(padding, str):
        op = tuple(min(op_draw, max(s, d) - 1) for s, d in zip(g.stride, g.dilation, strict=True))
    kw = {"stride": g.stride, "padding": padding, "dilation": g.dilation, "output_padding": op}
    try:
        expected = conv_transpose2d(r, w, **kw)
    except ValueError:
        assume(False)
    w2 = ConvMatrix.for_conv_transpose2d(w, g.size, **kw)
    assert w2.shape == (r.size, expected.size)
    np.testing.assert_allclose(r.ravel() @ w2.to_array(), expected.ravel(), atol=1e-12)


@FAST
@given(geometries(channels=False), st.data())
def test_conv_matrix_block_equals_slices(g: Geometry, data: st.DataObject) -> None:
    w = g.rng().standard_normal(g.kernel)
    w1 = conv_matrix(w, g.size, **_kw(g))

    def a_slice(n: int) -> slice:
        start = data.draw(st.none() | small(-n - 1, n + 1))
        stop = data.draw(st.none() | small(-n - 1, n + 1))
        step = data.draw(st.none() | st.sampled_from([1, 2, 3, -1, -2]))
        return slice(start, stop, step)

    rows, cols = a_slice(w1.shape[0]), a_slice(w1.shape[1])
    np.testing.assert_array_equal(
        conv_matrix_block(w, g.size, rows, cols, **_kw(g)), w1[rows, cols]
    )
    m = ConvMatrix(w, g.size, **_kw(g))
    np.testing.assert_array_equal(m.T[cols, rows], w1.T[cols, rows])


@FAST
@given(geometries(channels=False))
def test_layouts_agree(g: Geometry) -> None:
    """A 2-D x with a 2-D kernel, the same as (1, H, W) and (1, 1, H, W) with a 4-D weight."""
    rng = g.rng()
    x = rng.standard_normal(g.size)
    w = rng.standard_normal(g.kernel)
    kw = _kw(g)
    two = conv2d(x, w, bias=0.25, **kw)
    np.testing.assert_allclose(conv2d(x[None], w[None, None], bias=[0.25], **kw)[0], two)
    np.testing.assert_allclose(conv2d(x[None, None], w[None, None], bias=[0.25], **kw)[0, 0], two)
    np.testing.assert_allclose(conv2d(x, w[None, None], bias=0.25, **kw), two)

    t_size = [
        conv_transpose_output_size(i, k, s, p, 0, d)
        for i, k, s, p, d in zip(g.size, g.kernel, g.stride, g.padding, g.dilation, strict=True)
    ]
    if min(t_size) >= 1:  # the padding may be too large for a transposed conv of this input
        t_two = conv_transpose2d(x, w, bias=-1.0, **kw)
        np.testing.assert_allclose(
            conv_transpose2d(x[None], w[None, None], bias=[-1.0], **kw)[0], t_two
        )
        np.testing.assert_allclose(
            conv_transpose2d(x[None, None], w[None, None], bias=[-1.0], **kw)[0, 0], t_two
        )

    cols = im2col(x, g.kernel, **kw)
    np.testing.assert_array_equal(im2col(x[None], g.kernel, **kw), cols)
    np.testing.assert_array_equal(im2col(x[None, None], g.kernel, **kw)[0], cols)
    back = col2im(cols, g.size, g.kernel, **kw)
    np.testing.assert_allclose(col2im(cols[None], g.size, g.kernel, **kw)[0, 0], back)


@FAST
@given(geometries(channels=False))
def test_tf_same_and_valid_sizes(g: Geometry) -> None:
    """conv2d 'same' gives ⌈i/s⌉; transposed 'same' gives i·s, 'valid' i·s + max(k_eff − s, 0)."""
    rng = g.rng()
    x = rng.standard_normal(g.size)
    w = rng.standard_normal(g.kernel)
    k_eff = [d * (k - 1) + 1 for d, k in zip(g.dilation, g.kernel, strict=True)]
    same = conv2d(x, w, stride=g.stride, dilation=g.dilation, padding="same")
    assert same.shape == tuple(-(-i // s) for i, s in zip(g.size, g.stride, strict=True))
    kw = {"stride": g.stride, "dilation": g.dilation}
    t_same = conv_transpose2d(x, w, padding="same", **kw)
    t_valid = conv_transpose2d(x, w, padding="valid", **kw)
    assert t_same.shape == tuple(i * s for i, s in zip(g.size, g.stride, strict=True))
    assert t_valid.shape == tuple(
        i * s + max(k - s, 0) for i, s, k in zip(g.size, g.stride, k_eff, strict=True)
    )
    # Both are windows of the full transposed conv (zero-extended): 'same' starts ⌊pad_total/2⌋ in.
    full = conv_transpose2d(x, w, **kw)
    big = np.zeros((full.shape[0] + 2 * g.stride[0], full.shape[1] + 2 * g.stride[1]))
    big[: full.shape[0], : full.shape[1]] = full
    top = [max(k - s, 0) // 2 for k, s in zip(k_eff, g.stride, strict=True)]
    np.testing.assert_allclose(
        t_same, big[top[0] : top[0] + t_same.shape[0], top[1] : top[1] + t_same.shape[1]]
    )
    np.testing.assert_allclose(t_valid, big[: t_valid.shape[0], : t_valid.shape[1]])


@FAST
@given(geometries(channels=False))
def test_tf_conv2d_same_is_asymmetric_zero_padding(g: Geometry) -> None:
    rng = g.rng()
    x = rng.standard_normal(g.size)
    w = rng.standard_normal(g.kernel)
    pads = []
    for i, k, s, d in zip(g.size, g.kernel, g.stride, g.dilation, strict=True):
        o = -(-i // s)
        total = max((o - 1) * s + d * (k - 1) + 1 - i, 0)
        pads.append((total // 2, total - total // 2))
    padded = np.pad(x, pads)
    np.testing.assert_allclose(
        conv2d(x, w, stride=g.stride, dilation=g.dilation, padding="same"),
        conv2d(padded, w, stride=g.stride, dilation=g.dilation),
    )
