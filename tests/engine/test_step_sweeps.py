"""Every step a learner reads is checked against the numbers, on seeded random scenes.

For each operator and method, scenes of random sizes, values and parameters are traced, and every
step's text, partial output and highlighted cells are checked against a reference written here
from PyTorch's documented semantics with plain loops (never the engine's own code): the cells a
step reads are the ones its arithmetic names, its numbers are the cells' numbers, the value it
writes is the result's, the rule it gives picks the cell it copies, and the output so far holds
exactly what the steps until then have written.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from tui_upsample.engine import EngineError, trace
from tui_upsample.engine.steps import (
    ARGMAX,
    FILLED,
    INPUT,
    INSERTED,
    KERNEL,
    OUTPUT,
    PADDED,
    PADDING,
    READ,
    ROLES,
    WINDOW,
    WRITTEN,
    role_at,
)
from tui_upsample.engine.text import MINUS, format_factor, format_number

SCENES = 30
"""Random scenes per operator and method."""


def _grid(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Small integers, with now and then a non-integer, so texts show both kinds of number."""
    x = rng.integers(-4, 10, size=shape).astype(float)
    if rng.random() < 0.3:
        x = x + rng.choice([0.0, 0.25, 0.5], size=shape)
    return x


def _traces(op: str, make) -> list:
    """SCENES valid traces of ``op`` from ``make(rng)`` → (x, params), seeded."""
    found = []
    for seed in range(SCENES * 4):
        rng = np.random.default_rng(seed)
        x, params = make(rng)
        try:
            found.append((x, params, trace(op, x, **params)))
        except EngineError:
            continue  # an invalid combination: the engine refuses it, and that is tested elsewhere
        if len(found) == SCENES:
            break
    assert len(found) == SCENES, f"only {len(found)} valid {op} scenes"
    return found


def _written_in_order(t, k: int) -> None:
    """A cell-by-cell step: cells 0..k written with the result's numbers, the rest not yet."""
    partial = t[k].partial.reshape(-1)
    result = t.result.reshape(-1)
    np.testing.assert_array_equal(partial[: k + 1], result[: k + 1])
    assert np.isnan(partial[k + 1 :]).all()


def _roles_are_known(t, step) -> None:
    for mark in step.marks:
        assert mark.role in ROLES and mark.cells
    assert step.text.startswith(step.arithmetic)
    if step.rule:
        assert f"   ({step.rule})" in step.text
    for note in step.notes:
        assert f"; {note}" in step.text
    assert "-" not in re.sub(r"[a-z_]+-[a-z]+", "", step.text), step.text  # one minus sign: −


def _dot(pairs) -> str:
    return " + ".join(f"{format_factor(a)}·{format_factor(b)}" for a, b in pairs) or "0"


# Pooling -----------------------------------------------------------------------------------


def _pool_scene(rng):
    h, w = rng.integers(1, 7, size=2)
    k = int(rng.integers(1, 4))
    params = dict(
        kernel_size=k,
        stride=int(rng.integers(1, 4)),
        padding=int(rng.integers(0, k // 2 + 1)),
        dilation=int(rng.integers(1, 3)),
        ceil_mode=bool(rng.random() < 0.4),
    )
    return _grid(rng, (h, w)), params


@pytest.mark.parametrize("case", range(SCENES))
def test_max_pool_steps(case: int) -> None:
    x, params, t = _traces("max_pool2d", _pool_scene)[case]
    k, s, p, d = (params[n] for n in ("kernel_size", "stride", "padding", "dilation"))
    h, w = x.shape
    for step in t:
        _roles_are_known(t, step)
        oi, oj = np.unravel_index(step.index, t.result.shape)
        window = [
            (r, c)
            for r in (oi * s - p + d * a for a in range(k))
            for c in (oj * s - p + d * b for b in range(k))
            if 0 <= r < h and 0 <= c < w
        ]
        assert list(step.input_cells) == window
        values = [x[c] for c in window]
        best = max(values)
        first = window[values.index(best)]  # PyTorch: the first maximum in reading order wins
        assert step.argmax == first and step.value == best == t.result[oi, oj]
        assert step.operands == tuple(values)
        assert step.arithmetic == (
            f"y[{oi},{oj}] = max({', '.join(format_number(v) for v in values)}) ="
            f" {format_number(best)}, found at x[{first[0]},{first[1]}]"
        )
        assert ("a tie goes to the first in reading order" in step.notes) == (
            values.count(best) > 1
        )
        padded = k * k - len(window)
        assert (f"{padded} taps fall on padding (−∞)" in step.notes) == (padded > 0)
        assert step.cells(INPUT, ARGMAX) == (first,)
        assert step.cells(OUTPUT) == ((oi, oj),)
        _written_in_order(t, step.index)


def _unpool_scene(rng):
    h, w = rng.integers(1, 7, size=2)
    k = int(rng.integers(1, 4))
    params = dict(
        kernel_size=k,
        stride=int(rng.integers(1, 4)),
        padding=int(rng.integers(0, k // 2 + 1)),
        fill=str(rng.choice(["zeros", "max"])),
    )
    return _grid(rng, (h, w)), params


@pytest.mark.parametrize("case", range(SCENES))
def test_max_unpool_steps(case: int) -> None:
    x, params, t = _traces("max_unpool2d", _unpool_scene)[case]
    k, s, p, fill = (params[n] for n in ("kernel_size", "stride", "padding", "fill"))
    h, w = x.shape
    pooled = t.grid("pooled").values
    hp, wp = pooled.shape
    # The reference: replay the steps one by one into an output of "not written yet".
    out = np.full(x.shape, np.nan)
    targets: set[tuple[int, int]] = set()
    for step in t:
        _roles_are_known(t, step)
        i, j = divmod(step.index, wp)
        rows = [r for r in range(i * s - p, i * s - p + k) if 0 <= r < h]
        cols = [c for c in range(j * s - p, j * s - p + k) if 0 <= c < w]
        window = [(r, c) for r in rows for c in cols]
        # The argmax is the first maximum of x over the window (pooling's own rule).
        values = [x[c] for c in window]
        target = window[values.index(max(values))]
        value = pooled[i, j]
        assert value == max(values) and step.value == value
        assert step.output_cells == (target,) and step.argmax == target
        # The rest of the window: filled with the maximum (the seed's variant), or left 0; told
        # apart from the cell the maximum is put back at by role, on every cell.
        rest, other = (FILLED, WINDOW) if fill == "max" else (WINDOW, FILLED)
        assert set(step.cells(OUTPUT, rest)) == set(window) - {target}
        assert step.cells(OUTPUT, other) == ()
        assert (step.filled_cells if fill == "max" else step.window_cells) == step.cells(
            OUTPUT, rest
        )
        assert role_at(step.marks, OUTPUT, target) == WRITTEN
        for c in set(window) - {target}:
            assert role_at(step.marks, OUTPUT, c) == rest
        legend = (
            (WRITTEN, ARGMAX, FILLED, READ) if fill == "max" else (WRITTEN, ARGMAX, READ, WINDOW)
        )
        assert t.roles == legend
        flat = target[0] * w + target[1]
        assert step.arithmetic == (
            f"pooled[{i},{j}] = {format_number(value)} goes back to y[{target[0]},{target[1]}],"
            f" where max pooling found it (index {flat})"
        )
        rest = "stays 0" if fill == "zeros" else f"is filled with {format_number(value)}"
        assert step.notes[0].startswith(f"the rest of its window {rest}")
        for c in window:
            if c in targets:
                continue
            if fill == "max":
                out[c] = value if np.isnan(out[c]) else max(out[c], value)
            else:
                out[c] = 0.0
        out[target] = value
        targets.add(target)
        expected = out.copy()
        if step.index == len(t) - 1:
            expected[np.isnan(expected)] = 0.0  # cells no window covers: 0, with the last step
        np.testing.assert_array_equal(step.partial, expected)
    np.testing.assert_array_equal(t[-1].partial, t.result)


# Resampling --------------------------------------------------------------------------------


def _scale_scene(rng):
    h, w = rng.integers(1, 6, size=2)
    scales = [1.0, 1.1, 1.5, 2.0, 2.5, 3.0, 0.75]
    scale = (float(rng.choice(scales)), float(rng.choice(scales)))
    return _grid(rng, (h, w)), dict(scale_factor=scale)


@pytest.mark.parametrize("case", range(SCENES))
def test_nearest_steps(case: int) -> None:
    x, params, t = _traces("upsample_nearest", _scale_scene)[case]
    (h, w), (oh, ow) = x.shape, t.result.shape
    sf = params["scale_factor"]
    for axis, n_out in enumerate((oh, ow)):
        assert n_out == math.floor(x.shape[axis] * sf[axis])
    for step in t:
        _roles_are_known(t, step)
        oi, oj = np.unravel_index(step.index, t.result.shape)
        src = step.input_cells[0]
        # PyTorch's rule for small outputs: the same size copies, twice the size halves,
        # anything else is ⌊dst / scale_factor⌋ in float32, clamped to the last cell.
        for axis, dst, n_in, n_out in ((0, oi, h, oh), (1, oj, w, ow)):
            if n_out == n_in:
                want = dst
            elif n_out == 2 * n_in:
                want = dst // 2
            else:
                ratio = np.float32(1.0 / sf[axis])
                want = min(int(np.floor(np.float32(dst) * ratio)), n_in - 1)
            assert src[axis] == want
        assert step.value == x[src] == t.result[oi, oj]
        assert step.arithmetic == f"y[{oi},{oj}] = x[{src[0]},{src[1]}] = {format_number(x[src])}"
        # The rule names the cell it copies: each axis's part ends in its source index, or
        # (copied straight) starts with it.
        row, col = step.rule.removeprefix("row ").split(", col ")
        for part, dst, index, n_in in ((row, oi, src[0], h), (col, oj, src[1], w)):
            shortcut = part.split(" — ")[0]
            if shortcut in (f"{index}", f"⌊{dst}/2⌋ = {index}"):
                continue
            # "⌊dst·r⌋ = raw", or "min(⌊dst·r⌋ = raw, last) = src": the arithmetic must hold.
            found = re.fullmatch(rf"(min\()?⌊{dst}·[^⌋]+⌋ = (\d+)(, (\d+)\) = (\d+))?", part)
            assert found, part
            raw = int(found.group(2))
            assert (min(raw, int(found.group(4))) if found.group(1) else raw) == index, part
            if found.group(1):
                assert int(found.group(4)) == n_in - 1 and int(found.group(5)) == index
        _written_in_order(t, step.index)


def _source(dst: int, n_in: int, n_out: int, scale: float, corners: bool) -> float:
    """PyTorch's area_pixel_compute_source_index for linear interpolation."""
    if corners:
        return dst * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return max((dst + 0.5) / scale - 0.5, 0.0)


@pytest.mark.parametrize("case", range(SCENES))
def test_bilinear_steps(case: int) -> None:
    def make(rng):
        x, params = _scale_scene(rng)
        return x, {**params, "align_corners": bool(rng.random() < 0.5)}

    x, params, t = _traces("upsample_bilinear", make)[case]
    (h, w), (oh, ow) = x.shape, t.result.shape
    sf, corners = params["scale_factor"], params["align_corners"]
    for step in t:
        _roles_are_known(t, step)
        oi, oj = np.unravel_index(step.index, t.result.shape)
        weights = {}
        for dst, n_in, n_out, scale, axis in ((oi, h, oh, sf[0], 0), (oj, w, ow, sf[1], 1)):
            if n_out == n_in:
                src = float(dst)
            else:
                src = _source(dst, n_in, n_out, scale, corners)
            i0 = min(int(math.floor(src)), n_in - 1)
            i1 = min(i0 + 1, n_in - 1)
            l1 = min(max(src - i0, 0.0), 1.0) if i1 > i0 else 0.0
            weights[axis] = {i0: 1.0 - l1} if i1 == i0 else {i0: 1.0 - l1, i1: l1}
        expected = {
            (r, c): wr * wc
            for r, wr in weights[0].items()
            for c, wc in weights[1].items()
            if wr * wc
        }
        assert set(step.input_cells) == set(expected)
        for cell, weight in zip(step.input_cells, step.weights, strict=True):
            assert weight == pytest.approx(expected[cell], abs=1e-12)
        assert math.fsum(step.weights) == pytest.approx(1.0)
        assert step.value == pytest.approx(math.fsum(wt * x[c] for c, wt in expected.items()))
        assert step.value == t.result[oi, oj]
        assert step.terms == tuple(
            (wt, x[c]) for c, wt in zip(step.input_cells, step.weights, strict=True)
        )
        assert step.arithmetic == f"y[{oi},{oj}] = {_dot(step.terms)} = {format_number(step.value)}"
        # The rule shows PyTorch's source coordinate before the clamp, and the clamp.
        row, col = step.rule.removeprefix("source row ").split(", col ")
        for part, dst, n_in, n_out, scale in ((row, oi, h, oh, sf[0]), (col, oj, w, ow, sf[1])):
            if n_out == n_in:
                assert part.startswith(f"{dst} — the same size")
                continue
            raw = _source(dst, n_in, n_out, scale, True) if corners else (dst + 0.5) / scale - 0.5
            shown = format_number(raw)
            if not corners and raw < 0:
                assert part.endswith(f"= {shown} → 0"), part
            elif not (corners and n_out == 1):
                assert part.endswith(f"= {shown}"), part
        _written_in_order(t, step.index)


@pytest.mark.parametrize("case", range(SCENES))
def test_bed_of_nails_steps(case: int) -> None:
    def make(rng):
        h, w = rng.integers(1, 5, size=2)
        return _grid(rng, (h, w)), dict(scale_factor=int(rng.integers(1, 4)))

    x, params, t = _traces("bed_of_nails", make)[case]
    s = params["scale_factor"]
    h, w = x.shape
    for step in t:
        _roles_are_known(t, step)
        i, j = divmod(step.index, w)
        block = {(i * s + a, j * s + b) for a in range(s) for b in range(s)}
        assert set(step.output_cells) == block and step.input_cells == ((i, j),)
        assert step.value == x[i, j] == t.result[i * s, j * s]
        assert step.arithmetic == f"y[{i * s},{j * s}] = x[{i},{j}] = {format_number(x[i, j])}"
        written = np.zeros(t.result.shape, dtype=bool)
        for q in range(step.index + 1):
            qi, qj = divmod(q, w)
            written[qi * s : qi * s + s, qj * s : qj * s + s] = True
        np.testing.assert_array_equal(step.partial[written], t.result[written])
        assert np.isnan(step.partial[~written]).all()
    np.testing.assert_array_equal(t[-1].partial, t.result)


@pytest.mark.parametrize("case", range(SCENES))
def test_pixel_shuffle_steps(case: int) -> None:
    def make(rng):
        r = int(rng.integers(1, 4))
        h, w = rng.integers(1, 4, size=2)
        return _grid(rng, (r * r, h, w)), dict(upscale_factor=r)

    x, params, t = _traces("pixel_shuffle", make)[case]
    r = params["upscale_factor"]
    for step in t:
        _roles_are_known(t, step)
        c, oh, ow = np.unravel_index(step.index, t.result.shape)
        channel = c * r * r + (oh % r) * r + (ow % r)  # PyTorch's channel order
        src = (channel, oh // r, ow // r)
        assert step.input_cells == (src,) and step.output_cells == ((c, oh, ow),)
        assert step.value == x[src] == t.result[c, oh, ow]
        assert step.rule.endswith(f"= {channel}")
        _written_in_order(t, step.index)


# Convolution -------------------------------------------------------------------------------


def _conv_scene(rng, transposed: bool = False):
    h, w = rng.integers(1, 6, size=2)
    k = int(rng.integers(1, 4))
    params = dict(
        weight=_grid(rng, (k, k)),
        stride=int(rng.integers(1, 4)),
        padding=int(rng.integers(0, 3))
        if rng.random() < 0.8
        else str(rng.choice(["same", "valid"])),
        dilation=int(rng.integers(1, 3)),
    )
    if transposed and isinstance(params["padding"], int):
        params["output_padding"] = int(rng.integers(0, max(params["stride"], params["dilation"])))
    return _grid(rng, (h, w)), params


def _tf_same(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding for one axis: (before, after)."""
    total = max((math.ceil(n / s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize("case", range(SCENES))
def test_conv2d_steps(case: int) -> None:
    x, params, t = _traces("conv2d", _conv_scene)[case]
    wgt, s, p, d = (params[n] for n in ("weight", "stride", "padding", "dilation"))
    k = wgt.shape[0]
    h, w = x.shape
    if p == "same":
        top, left = _tf_same(h, k, s, d)[0], _tf_same(w, k, s, d)[0]
    else:
        top = left = 0 if p == "valid" else p
    for step in t:
        _roles_are_known(t, step)
        oi, oj = np.unravel_index(step.index, t.result.shape)
        pairs, cells, taps = [], [], []
        for a in range(k):
            for b in range(k):
                r, c = oi * s - top + d * a, oj * s - left + d * b
                inside = 0 <= r < h and 0 <= c < w
                pairs.append((x[r, c] if inside else 0.0, wgt[a, b]))
                if inside:
                    cells.append((r, c))
                taps.append((a, b))
        assert list(step.input_cells) == cells and list(step.kernel_cells) == taps
        assert step.terms == tuple(pairs)
        assert step.value == pytest.approx(math.fsum(u * v for u, v in pairs), abs=1e-9)
        assert step.value == t.result[oi, oj]
        assert step.arithmetic == f"y[{oi},{oj}] = {_dot(pairs)} = {format_number(step.value)}"
        assert step.cells("im2col") == ((step.index, -1),)
        _written_in_order(t, step.index)


def _transposed_reference(x, wgt, s, d, crop, out_shape, upto: int) -> np.ndarray:
    """The scatter of the first ``upto`` input values, by plain loops."""
    y = np.zeros(out_shape)
    k = wgt.shape[0]
    for q in range(upto):
        i, j = divmod(q, x.shape[1])
        for a in range(k):
            for b in range(k):
                r, c = i * s + d * a - crop[0], j * s + d * b - crop[1]
                if 0 <= r < out_shape[0] and 0 <= c < out_shape[1]:
                    y[r, c] += x[i, j] * wgt[a, b]
    return y


def _crop(x, wgt, params, out_shape) -> tuple[int, int]:
    """Where the kept output starts in the full transposed output (PyTorch's p, or Keras's)."""
    p, s, d = params["padding"], params["stride"], params["dilation"]
    k = wgt.shape[0]
    if p == "valid":
        return 0, 0
    if p == "same":
        return (max(d * (k - 1) + 1 - s, 0) // 2,) * 2
    return p, p


@pytest.mark.parametrize("method", ["scatter", "matrix", "direct"])
@pytest.mark.parametrize("case", range(SCENES))
def test_conv_transpose2d_steps(method: str, case: int) -> None:
    x, params, t = _traces(
        "conv_transpose2d",
        lambda rng: (lambda xp: (xp[0], {**xp[1], "method": method}))(_conv_scene(rng, True)),
    )[case]
    wgt, s, d = params["weight"], params["stride"], params["dilation"]
    k = wgt.shape[0]
    crop = _crop(x, wgt, params, t.result.shape)
    full = _transposed_reference(x, wgt, s, d, crop, t.result.shape, x.size)
    np.testing.assert_allclose(t.result, full, atol=1e-9)
    oh, ow = t.result.shape
    if method == "direct":
        zeros = _direct_face_zeros(t, x, k, s, d, crop)
    for step in t:
        _roles_are_known(t, step)
        if method == "scatter":
            i, j = divmod(step.index, x.shape[1])
            footprint = [
                ((i * s + d * a - crop[0], j * s + d * b - crop[1]), (a, b))
                for a in range(k)
                for b in range(k)
                if 0 <= i * s + d * a - crop[0] < oh and 0 <= j * s + d * b - crop[1] < ow
            ]
            assert list(step.output_cells) == [c for c, _ in footprint]
            assert list(step.kernel_cells) == [tap for _, tap in footprint]
            assert step.input_cells == ((i, j),)
            np.testing.assert_allclose(
                step.partial,
                _transposed_reference(x, wgt, s, d, crop, t.result.shape, step.index + 1),
                atol=1e-9,
            )
            # No Python slice with a negative start, nor past the end: what it names is in y.
            for start, stop in re.findall(r"y\[(−?\d+):(\d+)", step.arithmetic):
                assert not start.startswith(MINUS) and int(stop) <= oh
            cut = k * k - len(footprint)
            assert bool(step.notes) == (cut > 0)
            if footprint:
                (r0, _), (a0, _) = footprint[0]
                assert f"y[{r0}:" in step.arithmetic
        else:
            oi, oj = np.unravel_index(step.index, t.result.shape)
            pairs = []
            for a in range(k):
                for b in range(k):
                    num_r, num_c = oi + crop[0] - d * a, oj + crop[1] - d * b
                    if num_r % s or num_c % s:
                        continue
                    i, j = num_r // s, num_c // s
                    if 0 <= i < x.shape[0] and 0 <= j < x.shape[1]:
                        pairs.append(((i, j), (a, b)))
            # Each input cell read goes with the kernel tap that multiplies it (in w's own
            # coordinates: the direct face's turned kernel is mapped back).
            read = sorted(zip(step.input_cells, step.kernel_cells, strict=True))
            assert read == sorted(pairs)
            if method == "direct":
                turned = [(k - 1 - a, k - 1 - b) for a, b in step.cells("rotated_kernel")]
                assert sorted(turned) == sorted(step.kernel_cells)
                # The zeros the window falls on, by kind, as the rule counts them.
                kinds = [
                    zeros[(oi + d * a, oj + d * b)]
                    for a in range(k)
                    for b in range(k)
                    if (oi + d * a, oj + d * b) in zeros
                ]
                inserted, padding = kinds.count(INSERTED), kinds.count(PADDING)
                if inserted and padding:
                    assert step.rule.endswith(f"zeros: {inserted} inserted, {padding} padding")
                elif inserted:
                    assert step.rule.endswith("inserted zero" + ("s" if inserted > 1 else ""))
                elif padding:
                    assert step.rule.endswith("padding zero" + ("s" if padding > 1 else ""))
                else:
                    assert step.rule == ""
            assert set(step.input_cells) == {c for c, _ in pairs}
            assert step.value == pytest.approx(
                math.fsum(x[c] * wgt[tap] for c, tap in pairs), abs=1e-9
            )
            assert step.value == t.result[oi, oj]
            assert math.fsum(u * v for u, v in step.terms) == pytest.approx(step.value, abs=1e-9)
            target = (
                f"y[{oi},{oj}] = r · W2[:,{step.index}]" if method == "matrix" else f"y[{oi},{oj}]"
            )
            assert step.arithmetic == f"{target} = {_dot(step.terms)} = {format_number(step.value)}"
            if method == "matrix":
                assert step.cells("matrix") == ((-1, step.index),)
                zeros = x.size - len(pairs)
                assert (f"the other {zeros} entries" in step.rule) == (zeros > 0)
            else:
                skipped = k * k - len(pairs)
                assert step.rule.startswith(f"{skipped} of the") == (skipped > 0)
            _written_in_order(t, step.index)
        assert step.cells(OUTPUT, WRITTEN) == step.output_cells
        assert step.cells(INPUT, READ) == step.input_cells
        assert step.cells(KERNEL, READ) == step.kernel_cells


def _direct_face_zeros(t, x, k, s, d, crop) -> dict[tuple[int, int], str]:
    """Check the direct face's padded input against loops: r's values at i·s + d(k−1) − crop,
    inserted zeros between two of them, padding outside; its marks say which is which, and its
    title what was done. Returns the kind of each zero cell."""
    grid = t.grid(PADDED)
    padded = np.asarray(grid.values)
    assert padded.shape == (t.result.shape[0] + d * (k - 1), t.result.shape[1] + d * (k - 1))
    zeros: dict[tuple[int, int], str] = {}
    inserted_any = False
    for pr in range(padded.shape[0]):
        for pc in range(padded.shape[1]):
            offsets = [(pr, crop[0], x.shape[0]), (pc, crop[1], x.shape[1])]
            outside = inserted = False
            at = []
            for cell, cut, n in offsets:
                offset = cell - (d * (k - 1) - cut)
                if offset < 0 or offset > (n - 1) * s:
                    outside = True
                elif offset % s:
                    inserted = True
                at.append(offset // s)
            role = PADDING if outside else INSERTED if inserted else None
            assert role_at(grid.marks, PADDED, (pr, pc)) == role, (pr, pc)
            if role is None:
                assert padded[pr, pc] == x[at[0], at[1]]
            else:
                assert padded[pr, pc] == 0
                zeros[(pr, pc)] = role
            inserted_any |= role == INSERTED
    sides = []
    for axis in (0, 1):
        before = d * (k - 1) - crop[axis]
        sides += [before, padded.shape[axis] - before - (x.shape[axis] - 1) * s - 1]
    done = [w for w, yes in (("padded", max(sides) > 0), ("cropped", min(sides) < 0)) if yes]
    if inserted_any:
        assert grid.title == "zeros inserted" + (", then " + " and ".join(done) if done else "")
    else:
        assert grid.title == (" and ".join(done) or "r as it is (stride 1, no padding)")
    if s == 1:
        assert not inserted_any and "inserted" not in grid.title
    return zeros


# The defects once found by reading the steps, each kept as a test ----------------------------


def test_unpool_max_fill_does_not_show_windows_not_yet_stepped() -> None:
    t = trace("max_unpool2d", [[0, 5, 0, 9, 0]], kernel_size=(1, 3), stride=(1, 2), fill="max")
    np.testing.assert_array_equal(t[0].partial, [[5, 5, 5, np.nan, np.nan]])
    np.testing.assert_array_equal(t[1].partial, t.result)


def test_nearest_rule_names_the_cell_it_copies_at_the_same_size() -> None:
    step = trace("upsample_nearest", [[1, 2, 3]], scale_factor=(1.0, 1.1))[1]
    assert step.input_cells == ((0, 1),)
    assert step.rule == "row ⌊0·1⌋ = 0, col 1 — the same size, copied straight"


def test_bilinear_rule_shows_the_source_coordinate_then_the_clamp() -> None:
    t = trace("upsample_bilinear", [[1, 2], [3, 4]], scale_factor=2)
    assert t[0].rule == (
        "source row (0 + 0.5)·0.5 − 0.5 = −0.25 → 0, col (0 + 0.5)·0.5 − 0.5 = −0.25 → 0"
    )
    corners = trace("upsample_bilinear", [[1, 2, 3]], size=(1, 5), align_corners=True)
    assert corners[1].rule.endswith("col 1·(3−1)/(5−1) = 0.5")


def test_scatter_text_names_only_cells_inside_y() -> None:
    step = trace(
        "conv_transpose2d", [[1, 2], [3, 4]], weight=np.ones((3, 3)), padding=1, method="scatter"
    )[0]
    assert step.arithmetic == "r[0,0] = 1: y[0:2, 0:2] += 1·w[1:3, 1:3] = [[1,1],[1,1]]"
    assert step.notes == ("5 of its 9 taps fall outside y, cut off by padding",)


def test_negative_numbers_are_written_with_one_minus_sign() -> None:
    step = trace("conv2d", [[1, -2], [3, 4]], weight=[[-1.5]], method="im2col")[1]
    assert step.text == "y[0,1] = (−2)·(−1.5) = 3"
    assert format_number(-89) == "−89" and format_number(-1e-5) == "−1e−5"


def test_ceil_mode_lesson_never_describes_a_window_of_padding_alone() -> None:
    from tui_upsample.engine.ceil_mode import ceil_mode_windows

    for i in range(1, 9):
        for k in range(1, 5):
            for s in range(1, 5):
                for p in range(k // 2 + 1):
                    for d in range(1, 4):
                        try:
                            lesson = ceil_mode_windows(i, k, s, p, d)
                        except EngineError:
                            lesson = None
                        try:
                            trace(
                                "max_pool2d",
                                np.ones((1, i)),
                                kernel_size=(1, k),
                                stride=(1, s),
                                padding=(0, p),
                                dilation=(1, d),
                                ceil_mode=True,
                            )
                            engine_takes_it = True
                        except EngineError:
                            engine_takes_it = False
                        assert (lesson is not None) == engine_takes_it, (i, k, s, p, d)
