"""Checkerboard artifacts: how many kernel footprints land on each output cell of a transposed
convolution (Distill, "Deconvolution and Checkerboard Artifacts"), beside the remedy — resize,
then a stride-1 convolution — and pixel shuffle, whose footprints never overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tui_upsample.engine.convolution import (
    conv2d,
)
from tui_upsample.engine.geometry import (
    padding_arg,
    transpose_window,
)
from tui_upsample.engine.text import (
    counted,
    either,
    pair_text,
)
from tui_upsample.engine.transposed import conv_transpose2d
from tui_upsample.engine.validation import (
    Pair,
    frozen,
    non_negative_pair,
    positive_pair,
    whole_number,
)


@dataclass(frozen=True, eq=False)
class Overlap:
    """How many kernel footprints (or taps) land on each output cell, and whether that is even.

    ``counts`` has the output's (H, W) shape. ``interior`` marks the cells whose full set of
    possible contributors exists: every kernel tap that *could* reach the cell (if the input
    went on forever) comes from an input cell that is really there. Those cells show the
    operator's steady pattern; the others sit at the border, where fewer footprints reach
    because the input ends.

    ``row_pattern[j]`` is what an interior cell in output row r gets along the rows when
    r ≡ j (mod stride) — the pattern repeats every stride rows — and likewise
    ``col_pattern``; an interior cell (r, c) gets ``row_pattern[r % s] · col_pattern[c % s]``.
    ``even`` is whether that product is the same everywhere (no checkerboard), which is the
    rule ``rule`` states. ``distinct`` lists the counts the interior cells of *this* grid show,
    sorted; for a tiny input the interior may be too small to show all of them (the text says
    so), and it may be empty.
    """

    counts: np.ndarray
    interior: np.ndarray
    row_pattern: tuple[int, ...]
    col_pattern: tuple[int, ...]
    distinct: tuple[int, ...]
    even: bool
    rule: str

    @property
    def pattern_counts(self) -> tuple[int, ...]:
        """Every count an interior cell can get (sorted): products of the row/column patterns."""
        return tuple(sorted({r * c for r in self.row_pattern for c in self.col_pattern}))

    @property
    def ratio(self) -> float | None:
        """Most / fewest footprints in the interior pattern (2 in 1-D, 4 in 2-D for k=3, s=2).

        1.0 when even; ``None`` when some interior cells get no footprint at all (holes: the
        kernel is shorter than the stride, or dilation and stride share a factor).
        """
        counts = self.pattern_counts
        return None if counts[0] == 0 else counts[-1] / counts[0]


def _axis_reach(n: int, k: int, s: int, d: int, start: int, length: int) -> tuple[Any, ...]:
    """Along one axis of a transposed convolution: per output row, the possible contributors.

    Output row j is full row r = start + j. Input i reaches it through tap a when
    i·s + a·d = r, so the taps that *could* reach it are those with r − a·d ≡ 0 (mod s); they
    are all present when each such i = (r − a·d)/s lies in 0 … n−1. Returns (possible count per
    row, whether all possible contributors are present per row, the period-s pattern of the
    possible counts in output-row coordinates).
    """
    taps = d * np.arange(k)
    r = start + np.arange(length)
    diff = r[:, None] - taps[None, :]
    match = diff % s == 0
    present = match & (diff >= 0) & (diff <= (n - 1) * s)
    possible = match.sum(axis=1)
    complete = (match == present).all(axis=1)
    pattern = tuple(int(np.sum((start + j - taps) % s == 0)) for j in range(s))
    return possible, complete, pattern


def _overlap_reason(k: int, s: int, d: int) -> str:
    """Why one axis is even or not: the divisibility rule, with dilation when it matters."""
    g = math.gcd(d, s)
    if g > 1:
        nth = {2: "2nd", 3: "3rd"}.get(g, f"{g}th")
        return (
            f"dilation {d} and stride {s} share the factor {g}, so the taps reach only every "
            f"{nth} cell"
        )
    if s == 1:
        return "stride 1 overlaps every footprint evenly"
    if k % s == 0:
        tail = f", and dilation {d} shares no factor with it" if d > 1 else ""
        return f"kernel {k} is divisible by stride {s}{tail}"
    return f"kernel {k} is not divisible by stride {s}"


def _overlap_rule(
    kernel: Pair,
    stride: Pair,
    dilation: Pair,
    overlap_counts: tuple[int, ...],
    shown: tuple[int, ...],
    has_interior: bool,
    noun: str,
) -> str:
    """The one-line verdict: the reason, what the interior gets, even or a checkerboard."""
    reasons = [_overlap_reason(kernel[a], stride[a], dilation[a]) for a in (0, 1)]
    if reasons[0] == reasons[1]:
        reason = reasons[0]
    else:
        reason = f"rows: {reasons[0]}; columns: {reasons[1]}"
    if len(overlap_counts) == 1:
        n = overlap_counts[0]
        verdict = f"every interior cell gets {counted(n, noun)} — even"
    else:
        listed = either([str(c) for c in overlap_counts])
        verdict = f"the interior gets {listed} {noun}s — uneven, a checkerboard"
    text = f"{reason}: {verdict}"
    if not has_interior:
        text += " (this grid is all border: no cell has every footprint that could reach it)"
    elif shown != overlap_counts:
        text += " (this grid's interior is too small to show every count)"
    return text


def footprint_overlap(
    input_size: int | Pair,
    kernel_size: int | Pair,
    stride: int | Pair,
    padding: int | Pair | str = 0,
    output_padding: int | Pair = 0,
    dilation: int | Pair = 1,
) -> Overlap:
    """How many kernel footprints land on each output cell of a transposed convolution.

    Every input cell scatters one copy of the kernel, ``stride`` apart; where the copies
    overlap, cells collect more of them. The counts are the transposed convolution of an
    all-ones input with an all-ones kernel. They are even across the interior exactly when,
    along each axis, the kernel size is divisible by the stride and the dilation shares no
    factor with the stride (a dilation that does leaves whole rows that no tap reaches);
    otherwise they form a checkerboard: stride 2, kernel 3 gives 1, 2, 1, 2, … along a row
    (2× in 1-D) and 1, 2 or 4 on a 2-D grid (4×). ``padding`` may be an integer, a pair, or
    Keras's ``'same'`` / ``'valid'``, as in :func:`conv_transpose2d`; it only crops.
    """
    n = positive_pair("input_size", input_size)
    k = positive_pair("kernel_size", kernel_size)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    pad = padding_arg(padding)
    op = non_negative_pair("output_padding", output_padding)
    counts = conv_transpose2d(
        np.ones(n), np.ones(k), stride=s, padding=pad, output_padding=op, dilation=d
    )
    counts = np.rint(counts).astype(np.int64)
    window = transpose_window(pad, op, n, k, s, d)
    rows = _axis_reach(n[0], k[0], s[0], d[0], *window[0])
    cols = _axis_reach(n[1], k[1], s[1], d[1], *window[1])
    interior = (
        (rows[1][:, None] & cols[1][None, :]) | (rows[0][:, None] == 0) | (cols[0][None, :] == 0)
    )
    shown = tuple(int(v) for v in np.unique(counts[interior]))
    row_pattern, col_pattern = rows[2], cols[2]
    even = len(set(row_pattern)) == 1 and len(set(col_pattern)) == 1
    every = tuple(sorted({r * c for r in row_pattern for c in col_pattern}))
    rule = _overlap_rule(k, s, d, every, shown, bool(interior.any()), "footprint")
    return Overlap(
        counts=frozen(counts),
        interior=frozen(interior),
        row_pattern=row_pattern,
        col_pattern=col_pattern,
        distinct=shown,
        even=even,
        rule=rule,
    )


def resize_conv_overlap(
    input_size: int | Pair,
    scale: int | Pair,
    kernel_size: int | Pair,
    padding: int | Pair | str = "same",
) -> Overlap:
    """The remedy: nearest upsampling by ``scale``, then a stride-1 convolution.

    Here the count of an output cell is the number of kernel taps that land on a real
    (upsampled) cell rather than on padding: kH·kW for every interior cell — those whose window
    lies wholly inside the upsampled grid — and fewer only at the border. A stride-1
    convolution visits every cell the same way, so there is no checkerboard whatever the kernel
    size: ``even`` is always True. ``padding='same'`` (the default) keeps the output at
    input_size·scale; ``'valid'`` or integers work too, as in :func:`conv2d`.
    """
    n = positive_pair("input_size", input_size)
    sc = positive_pair("scale", scale)
    k = positive_pair("kernel_size", kernel_size)
    pad = padding_arg(padding)
    up = (n[0] * sc[0], n[1] * sc[1])
    counts = np.rint(conv2d(np.ones(up), np.ones(k), padding=pad)).astype(np.int64)
    taps = k[0] * k[1]
    interior = counts == taps
    shown = tuple(int(v) for v in np.unique(counts[interior]))
    noun = f"nearest ×{pair_text(sc)} then a stride-1 {k[0]}×{k[1]} convolution"
    rule = f"{noun}: every interior cell gets {counted(taps, 'tap')} — even, no checkerboard"
    if not interior.any():
        rule += " (this grid is all border: every window reaches the padding)"
    return Overlap(
        counts=frozen(counts),
        interior=frozen(interior),
        row_pattern=(k[0],),
        col_pattern=(k[1],),
        distinct=shown,
        even=True,
        rule=rule,
    )


def shuffle_overlap(input_size: int | Pair, upscale: int) -> Overlap:
    """Pixel shuffle's "footprints": every output cell takes exactly one input value.

    Channel c = i·r + j of input cell (h, w) goes to output cell (h·r + i, w·r + j), so the
    count is 1 everywhere: even, no overlap at all. (Pixel shuffle's checkerboards, when a
    network shows them, come from its r² channels being learned apart, not from overlap.)
    """
    n = positive_pair("input_size", input_size)
    r = whole_number("upscale", upscale, 1)
    counts = np.ones((n[0] * r, n[1] * r), dtype=np.int64)
    interior = np.ones(counts.shape, dtype=bool)
    rule = (
        f"pixel shuffle ×{r}: every output cell takes exactly one input value — even, no "
        "overlap (its checkerboards come from the r² channels being learned apart)"
    )
    return Overlap(
        counts=frozen(counts),
        interior=frozen(interior),
        row_pattern=(1,) * r,
        col_pattern=(1,) * r,
        distinct=(1,),
        even=True,
        rule=rule,
    )
