"""Properties of pooling and resampling that must hold for any (small) input."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tui_upsample.engine.bilinear import bilinear_sources, upsample_bilinear
from tui_upsample.engine.pixel_shuffle import pixel_shuffle
from tui_upsample.engine.pooling import max_pool2d
from tui_upsample.engine.shapes import pool_output_size
from tui_upsample.engine.unpooling import max_unpool2d
from tui_upsample.engine.upsampling import bed_of_nails, nearest_sources, upsample_nearest

FAST = settings(max_examples=60, deadline=None)

# Small integers make ties common, which is where the index rules matter.
values = st.integers(-4, 4).map(float)


def grids(min_side: int = 1, max_side: int = 7) -> st.SearchStrategy[np.ndarray]:
    side = st.integers(min_side, max_side)
    return st.tuples(st.integers(1, 2), st.integers(1, 2), side, side).flatmap(
        lambda shape: arrays(np.float64, shape, elements=values)
    )


@st.composite
def pool_cases(draw: st.DrawFn) -> tuple[np.ndarray, tuple, tuple, tuple, tuple, bool]:
    x = draw(grids(1, 8))
    h, w = x.shape[-2:]
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    ceil = draw(st.booleans())
    # Keep to windows that fit and never cover padding only.
    for a, n in enumerate((h, w)):
        if n + 2 * p[a] < d[a] * (k[a] - 1) + 1 or d[a] > n:
            k = (1, k[1]) if a == 0 else (k[0], 1)
            p = (0, p[1]) if a == 0 else (p[0], 0)
    return x, k, s, p, d, ceil


def _reference_pool(x4: np.ndarray, k, s, p, d, oh, ow) -> tuple[np.ndarray, np.ndarray]:
    """Loop over every window and keep the first strict maximum (PyTorch's CPU loop)."""
    n, c, h, w = x4.shape
    vals = np.empty((n, c, oh, ow))
    idx = np.empty((n, c, oh, ow), dtype=np.int64)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    best, at = -np.inf, -1
                    for a in range(k[0]):
                        for e in range(k[1]):
                            r, q = i * s[0] - p[0] + a * d[0], j * s[1] - p[1] + e * d[1]
                            if 0 <= r < h and 0 <= q < w and x4[b, ch, r, q] > best:
                                best, at = x4[b, ch, r, q], r * w + q
                    vals[b, ch, i, j], idx[b, ch, i, j] = best, at
    return vals, idx


@FAST
@given(pool_cases())
def test_pool_matches_a_looped_reference_and_shape_rule(case) -> None:
    x, k, s, p, d, ceil = case
    pooled, idx = max_pool2d(x, k, s, p, d, ceil, return_indices=True)
    oh = pool_output_size(x.shape[2], k[0], s[0], p[0], d[0], ceil)
    ow = pool_output_size(x.shape[3], k[1], s[1], p[1], d[1], ceil)
    assert pooled.shape == idx.shape == x.shape[:2] + (oh, ow)
    ref_vals, ref_idx = _reference_pool(x, k, s, p, d, oh, ow)
    np.testing.assert_array_equal(pooled, ref_vals)
    np.testing.assert_array_equal(idx, ref_idx)


@FAST
@given(grids(3, 8), st.integers(1, 3), st.sampled_from(["zeros", "max"]))
def test_unpool_of_pool_puts_each_max_back(x: np.ndarray, k: int, fill: str) -> None:
    # Non-overlapping windows (stride = kernel): indices are distinct.
    pooled, idx = max_pool2d(x, k, return_indices=True)
    out = max_unpool2d(pooled, idx, k, output_size=x.shape[-2:], fill=fill)
    assert out.shape == x.shape
    oh, ow = pooled.shape[-2:]
    for b in range(x.shape[0]):
        for c in range(x.shape[1]):
            plane = out[b, c]
            flat = plane.ravel()
            np.testing.assert_array_equal(flat[idx[b, c].ravel()], pooled[b, c].ravel())
            expected = np.zeros_like(plane)
            if fill == "max":
                # Every cell of a window holds that window's maximum.
                expected[: oh * k, : ow * k] = np.kron(pooled[b, c], np.ones((k, k)))
            else:
                expected.ravel()[idx[b, c].ravel()] = pooled[b, c].ravel()
            np.testing.assert_array_equal(plane, expected)


@FAST
@given(grids(1, 6), st.integers(1, 3), st.integers(1, 3))
def test_nearest_with_integer_scale_is_repeat(x: np.ndarray, sh: int, sw: int) -> None:
    out = upsample_nearest(x, scale_factor=(sh, sw))
    np.testing.assert_array_equal(out, np.repeat(np.repeat(x, sh, axis=2), sw, axis=3))
    np.testing.assert_array_equal(out, upsample_nearest(x, size=(x.shape[2] * sh, x.shape[3] * sw)))


@FAST
@given(st.integers(1, 40), st.integers(1, 90), st.booleans())
def test_nearest_sources_are_in_range_and_ordered(n: int, o: int, fast: bool) -> None:
    src = nearest_sources(n, o, fast_path=fast)
    assert src.shape == (o,)
    assert src.min() >= 0 and src.max() <= n - 1
    assert np.all(np.diff(src) >= 0)


@FAST
@given(grids(1, 6), st.booleans())
def test_bilinear_with_scale_one_is_identity(x: np.ndarray, corners: bool) -> None:
    np.testing.assert_array_equal(upsample_bilinear(x, scale_factor=1, align_corners=corners), x)
    np.testing.assert_array_equal(upsample_bilinear(x, size=x.shape[-2:], align_corners=corners), x)


@FAST
@given(
    st.floats(-100, 100),
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(1, 13),
    st.integers(1, 13),
    st.booleans(),
)
def test_bilinear_of_a_constant_is_constant(
    v: float, h: int, w: int, oh: int, ow: int, corners: bool
) -> None:
    out = upsample_bilinear(np.full((h, w), v), size=(oh, ow), align_corners=corners)
    assert out.shape == (oh, ow)
    np.testing.assert_allclose(out, v, rtol=1e-12, atol=1e-12)


@FAST
@given(
    st.integers(1, 12),
    st.integers(1, 30),
    st.one_of(st.none(), st.floats(0.1, 5)),
    st.booleans(),
)
def test_bilinear_weights_are_a_convex_pair(n: int, o: int, scale, corners: bool) -> None:
    i0, i1, w0, w1 = bilinear_sources(n, o, scale, corners)
    assert np.all((0 <= i0) & (i0 <= i1) & (i1 <= n - 1) & (i1 - i0 <= 1))
    assert np.all((w0 >= 0) & (w1 >= 0))
    np.testing.assert_allclose(w0 + w1, 1.0)


@FAST
@given(grids(1, 5), st.integers(1, 3))
def test_bed_of_nails_keeps_values_at_block_corners(x: np.ndarray, s: int) -> None:
    out = bed_of_nails(x, s)
    assert out.shape == x.shape[:2] + (x.shape[2] * s, x.shape[3] * s)
    np.testing.assert_array_equal(out[:, :, ::s, ::s], x)
    assert np.count_nonzero(out) == np.count_nonzero(x)


@FAST
@given(
    st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 4), st.integers(1, 4)
)
def test_pixel_shuffle_is_an_invertible_permutation(n: int, c: int, r: int, h: int, w: int) -> None:
    x = np.random.default_rng(n * 1000 + c * 100 + r * 10 + h + w).standard_normal(
        (n, c * r * r, h, w)
    )
    out = pixel_shuffle(x, r)
    assert out.shape == (n, c, h * r, w * r)
    np.testing.assert_array_equal(np.sort(out.ravel()), np.sort(x.ravel()))
    # Pixel unshuffle: split each r×r block back into r² channels.
    back = out.reshape(n, c, h, r, w, r).transpose(0, 1, 3, 5, 2, 4).reshape(x.shape)
    np.testing.assert_array_equal(back, x)


@FAST
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=values))
def test_layouts_2d_3d_4d_agree(x: np.ndarray) -> None:
    ops = [
        lambda a: max_pool2d(a, 2, 1, 1),
        lambda a: upsample_nearest(a, scale_factor=1.5),
        lambda a: upsample_bilinear(a, size=(3, 7)),
        lambda a: upsample_bilinear(a, scale_factor=2.5, align_corners=True),
        lambda a: bed_of_nails(a, (2, 3)),
    ]
    for op in ops:
        two = op(x)
        np.testing.assert_array_equal(op(x[None]), two[None])
        np.testing.assert_array_equal(op(x[None, None]), two[None, None])
    pooled, idx = max_pool2d(x, 2, 1, 1, return_indices=True)
    un = max_unpool2d(pooled, idx, 2, 1, 1, output_size=x.shape, fill="max")
    np.testing.assert_array_equal(
        max_unpool2d(pooled[None, None], idx[None, None], 2, 1, 1, output_size=x.shape, fill="max"),
        un[None, None],
    )
    shuffled = pixel_shuffle(np.stack([x] * 4), 2)
    np.testing.assert_array_equal(pixel_shuffle(np.stack([x] * 4)[None], 2), shuffled[None])
