"""Every step of a multi-channel trace, on seeded random scenes, against plain-loop references.

For conv2d (groups included), the three faces of conv_transpose2d and max pooling over (C, H, W),
each step's text, partial output and marks are checked against references written here with
loops from PyTorch's documented layouts: Conv2d's weight (C_out, C_in/g, kH, kW), ConvTranspose2d's
(C_in, C_out/g, kH, kW), pooling indices within each plane. Never the engine's own code.
"""

from __future__ import annotations

import numpy as np
import pytest

from tui_upsample.engine import EngineError, trace
from tui_upsample.engine.steps import ARGMAX, INPUT, KERNEL, OUTPUT, PADDED, ROLES
from tui_upsample.engine.text import format_factor, format_number

SCENES = 12


def _dot(pairs) -> str:
    return " + ".join(f"{format_factor(a)}·{format_factor(b)}" for a, b in pairs) or "0"


def _channel_scene(rng: np.random.Generator, transposed: bool):
    groups = int(rng.choice([1, 1, 2, 3]))
    c_in = groups * int(rng.integers(1, 3))
    c_out = groups * int(rng.integers(1, 3))
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    h, w = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    x = rng.integers(-4, 10, (c_in, h, w)).astype(float)
    shape = (c_in, c_out // groups, *k) if transposed else (c_out, c_in // groups, *k)
    weight = rng.integers(-4, 10, shape).astype(float)
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
        rng = np.random.default_rng(1000 + seed)
        x, params = _channel_scene(rng, transposed)
        try:
            found.append((x, params, trace(op, x, **params, **extra)))
        except EngineError:
            continue
        if len(found) == SCENES:
            break
    assert len(found) == SCENES
    return found


def _conv_reference(x, w, s, p, d, g):
    c_in, h, wd = x.shape
    c_out, cig, kh, kw = w.shape
    xp = np.zeros((c_in, h + 2 * p, wd + 2 * p))
    xp[:, p : p + h, p : p + wd] = x
    ho = (h + 2 * p - d * (kh - 1) - 1) // s + 1
    wo = (wd + 2 * p - d * (kw - 1) - 1) // s + 1
    y = np.zeros((c_out, ho, wo))
    terms = {}
    for o in range(c_out):
        first = o // (c_out // g) * cig
        for i in range(ho):
            for j in range(wo):
                pairs = []
                for cl in range(cig):
                    for a in range(kh):
                        for b in range(kw):
                            pairs.append(
                                (xp[first + cl, i * s + a * d, j * s + b * d], w[o, cl, a, b])
                            )
                terms[o, i, j] = pairs
                y[o, i, j] = sum(u * v for u, v in pairs)
    return y, terms


def _written_in_order(t, k: int) -> None:
    partial = t[k].partial.reshape(-1)
    np.testing.assert_array_equal(partial[: k + 1], t.result.reshape(-1)[: k + 1])
    assert np.isnan(partial[k + 1 :]).all()


def _marks_are_known(step) -> None:
    for mark in step.marks:
        assert mark.role in ROLES and mark.cells
    assert step.text.startswith(step.arithmetic)


@pytest.mark.parametrize("case", range(SCENES))
def test_conv2d_channel_steps(case: int) -> None:
    x, params, t = _traces("conv2d", False)[case]
    w, s, p, d, g = (params[k] for k in ("weight", "stride", "padding", "dilation", "groups"))
    ref, terms = _conv_reference(x, w, s, p, d, g)
    np.testing.assert_array_equal(t.result, ref)
    c_out, cig, kh, kw = w.shape
    _, h, wd = x.shape
    for k in range(len(t)):
        step = t[k]
        o, i, j = np.unravel_index(k, ref.shape)
        _marks_are_known(step)
        assert (
            step.arithmetic
            == f"y[{o},{i},{j}] = {_dot(terms[o, i, j])} = {format_number(ref[o, i, j])}"
        )
        assert step.value == ref[o, i, j]
        assert step.cells(OUTPUT) == ((o, i, j),)
        first = o // (c_out // g) * cig
        inside = {
            (first + cl, i * s + a * d - p, j * s + b * d - p)
            for cl in range(cig)
            for a in range(kh)
            for b in range(kw)
            if 0 <= i * s + a * d - p < h and 0 <= j * s + b * d - p < wd
        }
        assert set(step.cells(INPUT)) == inside
        assert set(step.cells(KERNEL)) == {
            (o, cl, a, b) for cl in range(cig) for a in range(kh) for b in range(kw)
        }
        assert set(step.channels(INPUT)) <= set(range(first, first + cig))
        _written_in_order(t, k)


def _transposed_reference(x, w, s, p, d, g, upto: int | None = None):
    c_in, h, wd = x.shape
    _, cog, kh, kw = w.shape
    full = np.zeros((cog * g, (h - 1) * s + d * (kh - 1) + 1, (wd - 1) * s + d * (kw - 1) + 1))
    for n, (c, i, j) in enumerate(np.ndindex(*x.shape)):
        if upto is not None and n > upto:
            break
        first = c // (c_in // g) * cog
        for ol in range(cog):
            for a in range(kh):
                for b in range(kw):
                    full[first + ol, i * s + a * d, j * s + b * d] += x[c, i, j] * w[c, ol, a, b]
    return full[:, p : full.shape[1] - p, p : full.shape[2] - p]


@pytest.mark.parametrize("method", ["scatter", "matrix", "direct"])
@pytest.mark.parametrize("case", range(SCENES))
def test_conv_transpose2d_channel_steps(method: str, case: int) -> None:
    x, params, t = _traces("conv_transpose2d", True, method=method)[case]
    w, s, p, d, g = (params[k] for k in ("weight", "stride", "padding", "dilation", "groups"))
    ref = _transposed_reference(x, w, s, p, d, g)
    np.testing.assert_array_equal(t.result, ref)
    c_in, cog, kh, kw = w.shape
    cig = c_in // g
    for k in range(len(t)):
        step = t[k]
        _marks_are_known(step)
        if method == "scatter":
            c, i, j = np.unravel_index(k, x.shape)
            assert step.text.startswith(f"r[{c},{i},{j}] = {format_number(x[c, i, j])}: ")
            np.testing.assert_array_equal(step.partial, _transposed_reference(x, w, s, p, d, g, k))
            first = c // cig * cog
            reached = {
                (first + ol, i * s + a * d - p, j * s + b * d - p)
                for ol in range(cog)
                for a in range(kh)
                for b in range(kw)
                if 0 <= i * s + a * d - p < ref.shape[1] and 0 <= j * s + b * d - p < ref.shape[2]
            }
            assert set(step.cells(OUTPUT)) == reached
            assert step.cells(INPUT) == ((c, i, j),)
            for o, a, b in {(o, a, b) for o, _, _ in reached for a in range(kh) for b in range(kw)}:
                if (o, i * s + a * d - p, j * s + b * d - p) in reached:
                    assert step.scaled_kernel[o, a, b] == x[c, i, j] * w[c, o - first, a, b]
            continue
        o, oi, oj = np.unravel_index(k, ref.shape)
        assert step.value == ref[o, oi, oj]
        assert step.cells(OUTPUT) == ((o, oi, oj),)
        # the pairs (x value, weight) that reach the cell, found by loops over every input cell
        first = o // cog * cig
        expected = sorted(
            (x[c, i, j], w[c, o % cog, a, b])
            for c in range(first, first + cig)
            for i in range(x.shape[1])
            for j in range(x.shape[2])
            for a in range(kh)
            for b in range(kw)
            if (i * s + a * d - p, j * s + b * d - p) == (oi, oj)
        )
        assert sorted(step.terms) == expected
        assert format_number(ref[o, oi, oj]) == step.arithmetic.rsplit(" = ", 1)[1]
        assert set(step.channels(INPUT)) <= set(range(first, first + cig))
        for c, ol, _a, _b in step.cells(KERNEL):
            assert c // cig == o // cog and ol == o % cog
        if method == "direct":
            assert set(step.channels(PADDED)) == set(range(first, first + cig))
        _written_in_order(t, k)


@pytest.mark.parametrize("case", range(SCENES))
def test_max_pool_channel_steps(case: int) -> None:
    rng = np.random.default_rng(2000 + case)
    c, h, w = int(rng.integers(2, 5)), int(rng.integers(2, 6)), int(rng.integers(2, 6))
    x = rng.integers(-4, 10, (c, h, w)).astype(float)
    k = int(rng.integers(1, 3))
    t = trace("max_pool2d", x, kernel_size=k)
    ho, wo = h // k, w // k
    assert t.result.shape == (c, ho, wo) and len(t) == c * ho * wo
    for n in range(len(t)):
        step = t[n]
        ch, i, j = np.unravel_index(n, t.result.shape)
        window = x[ch, i * k : i * k + k, j * k : j * k + k]
        flat = int(np.argmax(window))  # the first maximum in reading order, as PyTorch
        row, col = i * k + flat // k, j * k + flat % k
        assert step.value == window.max() == t.result[ch, i, j]
        assert step.cells(INPUT, ARGMAX) == ((ch, row, col),)
        assert step.text.startswith(f"channel {ch}: y[{i},{j}] = max(")
        assert f"index {row}·{w} + {col} = {row * w + col} counts within plane {ch}" in step.text
        assert step.channels(INPUT) == (ch,)
        partial = step.partial
        np.testing.assert_array_equal(partial[:ch], t.result[:ch])
        assert np.isnan(partial[ch + 1 :]).all()


@pytest.mark.parametrize("order", ["crd", "dcr"])
@pytest.mark.parametrize("case", range(SCENES))
def test_pixel_shuffle_and_unshuffle_channel_steps(order: str, case: int) -> None:
    rng = np.random.default_rng(3000 + case)
    r, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    h, w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    x = rng.integers(-4, 10, (c_out * r * r, h, w)).astype(float)
    t = trace("pixel_shuffle", x, upscale_factor=r, order=order)
    y = np.zeros((c_out, h * r, w * r))
    for c in range(c_out):
        for i in range(r):
            for j in range(r):
                source = c * r * r + i * r + j if order == "crd" else (i * r + j) * c_out + c
                y[c, i::r, j::r] = x[source]
    np.testing.assert_array_equal(t.result, y)
    for k in range(len(t)):
        c, oh, ow = np.unravel_index(k, y.shape)
        i, j = oh % r, ow % r
        source = c * r * r + i * r + j if order == "crd" else (i * r + j) * c_out + c
        step = t[k]
        assert step.cells(INPUT) == ((source, oh // r, ow // r),)
        assert step.cells(OUTPUT) == ((c, oh, ow),)
        assert step.text.startswith(f"y[{c},{oh},{ow}] = x[{source},{oh // r},{ow // r}] = ")
        assert step.rule.endswith(f"= {source}")
        _written_in_order(t, k)
    # pixel_unshuffle undoes it, step by step: output cell (k, h, w) reads what shuffle wrote
    u = trace("pixel_unshuffle", y, downscale_factor=r, order=order)
    np.testing.assert_array_equal(u.result, x)
    for k in range(len(u)):
        channel, hh, ww = np.unravel_index(k, x.shape)
        (src,) = u[k].cells(INPUT)
        assert y[src] == x[channel, hh, ww] == u[k].value
        assert src[1] // r == hh and src[2] // r == ww


@pytest.mark.parametrize("groups", [1, 2])
def test_scatter_text_names_each_kernel_slice_it_scales(groups: int) -> None:
    """A scatter step names w's slice for every output channel it reaches: one by one up to
    three, else as w[c, o − first] with first the group's first output channel (written w[c,o]
    when that is 0)."""
    rng = np.random.default_rng(7)
    c_in, cog = 2 * groups, 4
    x = rng.integers(-3, 4, size=(c_in, 2, 2)).astype(float)
    w = rng.integers(-3, 4, size=(c_in, cog, 2, 2)).astype(float)
    t = trace("conv_transpose2d", x, weight=w, groups=groups, method="scatter")
    for k in range(len(t)):
        c, i, j = np.unravel_index(k, x.shape)
        first = c // (c_in // groups) * cog
        slot = f"o − {first}" if first else "o"
        value = format_number(x[c, i, j])
        assert t[k].text.startswith(f"r[{c},{i},{j}] = {value}: y[o, {i}:{i + 2}, {j}:{j + 2}] += ")
        assert f"·w[{c},{slot}] for o in {first}…{first + cog - 1}" in t[k].text
    small = trace("conv_transpose2d", x, weight=w[:, :2], groups=groups, method="scatter")
    c, i, j = c_in - 1, 1, 0
    k = int(np.ravel_multi_index((c, i, j), x.shape))
    first = c // (c_in // groups) * 2
    for ol in range(2):
        assert f"y[{first + ol}, {i}:{i + 2}, {j}:{j + 2}] +=" in small[k].text
        assert f"·w[{c},{ol}]" in small[k].text
