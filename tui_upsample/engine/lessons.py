"""Lessons beyond the visualizers: small pure functions whose answers a learner can read.

Each function returns a frozen dataclass holding the numbers and one-line texts ready to show; the
UI only renders them. Sections:

1. Checkerboard overlap — how many kernel footprints land on each output cell of a transposed
   convolution (Distill, "Deconvolution and Checkerboard Artifacts"), and the resize-convolution
   remedy: :func:`footprint_overlap`, :func:`resize_conv_overlap`.
2. Why it is called "transposed": the adjoint identity ⟨conv2d(x, w), y⟩ = ⟨x, conv_transpose2d(y,
   w)⟩: :func:`adjoint_identity`, :func:`adjoint_partner`.
3. Keras 'same' / 'valid' against PyTorch's padding / output_padding: :func:`keras_vs_pytorch`.
4. output_padding picks among the sizes a stride makes ambiguous: :func:`output_padding_choices`.
5. MaxUnpool2d's output_size bounds are strict: :func:`unpool_size_bounds`.
6. ceil_mode adds a window, unless it would start in the right padding: :func:`ceil_mode_windows`.

Pure NumPy, exact to PyTorch like the rest of the engine. Bad arguments raise
:class:`~tui_upsample.engine.errors.EngineError` naming the parameter, its value and the rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tui_upsample.engine.convolution import (
    conv2d,
    conv_transpose2d,
    padding_arg,
    transpose_window,
)
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.numbers import MINUS, format_number
from tui_upsample.engine.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    unpool_default_size,
)
from tui_upsample.engine.validation import (
    Pair,
    as_grid,
    fail,
    non_negative_pair,
    positive_pair,
)

__all__ = [
    "ADJOINT_NOTE",
    "Adjoint",
    "AdjointPartner",
    "CeilWindows",
    "Conventions",
    "Overlap",
    "OutputPaddingChoices",
    "SizeChoice",
    "SliceFix",
    "UnpoolBounds",
    "adjoint_identity",
    "adjoint_of_conv2d",
    "adjoint_partner",
    "ceil_mode_windows",
    "footprint_overlap",
    "keras_vs_pytorch",
    "output_padding_choices",
    "resize_conv_overlap",
    "shuffle_overlap",
    "unpool_size_bounds",
]

Cell = tuple[int, int]
Span = tuple[int, int]
"""A window or slice ``(start, stop)``: ``stop`` is exclusive, as in Python."""

_AXIS_WORDS = (("rows", "row", "top", "bottom"), ("columns", "column", "left", "right"))


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _int(name: str, value: Any, minimum: int) -> int:
    """One integer of at least ``minimum`` (0 or 1), never a bool or a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise fail(name, value, "must be an integer")
    v = int(value)
    if v < minimum:
        raise fail(name, value, "must be at least 1" if minimum == 1 else "must not be negative")
    return v


def small_nonzero_integers(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Integers ±1, ±2 or ±3 filling ``shape``, the same for the same seed on every machine.

    Each cell's number comes from SplitMix64 of (seed, cell index): vectorised, and without
    ``numpy.random``, whose import costs ~11 ms of start-up for a first screen that needs a
    handful of numbers (the adjoint's x). Never 0, so no term of ⟨x, ·⟩ vanishes.
    """
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps, as SplitMix64 intends
        z = np.arange(1, math.prod(shape) + 1, dtype=np.uint64)
        z = z * np.uint64(0x9E3779B97F4A7C15) + np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    magnitude = (z % np.uint64(3)).astype(np.int64) + 1
    sign = np.where((z >> np.uint64(63)) == 1, -1, 1)
    return (magnitude * sign).astype(float).reshape(shape)


def _pt(value: Pair) -> str:
    """A pair as a learner would type it: ``2`` when both axes agree, else ``(2, 3)``."""
    return str(value[0]) if value[0] == value[1] else f"({value[0]}, {value[1]})"


def _num(value: int) -> str:
    """An integer with a real minus sign."""
    return str(value).replace("-", MINUS)


def _size(shape: tuple[int, ...]) -> str:
    """The spatial size ``H×W`` of a shape."""
    return f"{shape[-2]}×{shape[-1]}"


def _either(items: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _all_of(items: list[str]) -> str:
    """``a``, ``both a and b``, ``a, b and c``."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"both {items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + " and " + items[-1]


def _count(n: int, word: str) -> str:
    """``1 row``, ``0 rows``, ``2 rows``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _effective(k: int, d: int) -> int:
    """The span d·(k−1)+1 a dilated kernel covers."""
    return d * (k - 1) + 1


def _call(name: str, args: str, params: list[tuple[str, str, bool]]) -> str:
    """``conv2d(x, w, stride=2)``: only the keyword arguments that are not at their default."""
    shown = [f"{key}={value}" for key, value, default in params if not default]
    return f"{name}({', '.join([args, *shown])})"


def _frozen(arr: np.ndarray) -> np.ndarray:
    """The array, made read-only so a frozen dataclass really is frozen."""
    arr.setflags(write=False)
    return arr


# --------------------------------------------------------------------------------------------
# 1. Checkerboard overlap
# --------------------------------------------------------------------------------------------


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
        verdict = f"every interior cell gets {_count(n, noun)} — even"
    else:
        listed = _either([str(c) for c in overlap_counts])
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
        counts=_frozen(counts),
        interior=_frozen(interior),
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
    noun = f"nearest ×{_pt(sc)} then a stride-1 {k[0]}×{k[1]} convolution"
    rule = f"{noun}: every interior cell gets {_count(taps, 'tap')} — even, no checkerboard"
    if not interior.any():
        rule += " (this grid is all border: every window reaches the padding)"
    return Overlap(
        counts=_frozen(counts),
        interior=_frozen(interior),
        row_pattern=(k[0],),
        col_pattern=(k[1],),
        distinct=shown,
        even=True,
        rule=rule,
    )


# --------------------------------------------------------------------------------------------
# 2. Why "transposed": the adjoint identity
# --------------------------------------------------------------------------------------------

ADJOINT_NOTE = (
    "conv_transpose2d multiplies by the transpose W1ᵀ of conv2d's matrix, so the two inner "
    "products agree for every x and y. That is why it is the gradient of the convolution with "
    "respect to its input: backpropagation sends the gradient y arriving at conv2d(x, w) back "
    "to x as conv_transpose2d(y, w). Used as an upsampling layer it has weights w of its own, "
    "learned in the backward pass like any convolution's; max unpooling has none — it only "
    "puts values back at the indices the pooling remembered."
)


@dataclass(frozen=True, eq=False)
class Adjoint:
    """⟨conv2d(x, w), y⟩ and ⟨x, conv_transpose2d(y, w)⟩: always equal (up to rounding).

    ``forward`` is conv2d(x, w) (y's shape), ``backward`` is conv_transpose2d(y, w) with the
    same stride, padding and dilation and the ``output_padding`` that makes it x's shape again;
    ``lhs`` and ``rhs`` are the two inner products, ``text`` the identity with the number put
    in, ``note`` why it matters.
    """

    forward: np.ndarray
    backward: np.ndarray
    output_padding: Pair
    lhs: float
    rhs: float
    text: str
    note: str = ADJOINT_NOTE


def adjoint_identity(
    x: ArrayLike,
    w: ArrayLike,
    y: ArrayLike,
    stride: int | Pair = 1,
    padding: int | Pair | str = 0,
    dilation: int | Pair = 1,
) -> Adjoint:
    """Check ⟨conv2d(x, w), y⟩ = ⟨x, conv_transpose2d(y, w)⟩ with numbers.

    ``y`` must have the shape of conv2d(x, w). The transposed convolution uses the same stride,
    padding and dilation, and output_padding a = (H + 2p − d(k−1) − 1) mod s per axis — the one
    choice that maps y back to x's size (always < stride). ``padding='valid'`` is padding 0.
    ``padding='same'`` (TensorFlow's, possibly lopsided) pairs with Keras's transposed 'same',
    which always gives i·stride rows, so it needs x's height and width to be multiples of the
    stride. Layouts and channels are as for :func:`conv2d` (groups 1).
    """
    xa = as_grid("x", x)
    ya = as_grid("y", y)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    pad = padding_arg(padding)
    forward = conv2d(xa, w, stride=s, padding=pad, dilation=d)
    if ya.shape != forward.shape:
        raise EngineError(
            f"y has shape {ya.shape}: must have the shape of conv2d(x, w), {forward.shape}"
        )
    size = (xa.shape[-2], xa.shape[-1])
    kernel = np.shape(w)[-2:]
    k_eff = (_effective(kernel[0], d[0]), _effective(kernel[1], d[1]))
    if pad == "same":
        for axis in (0, 1):
            if size[axis] % s[axis]:
                raise fail(
                    "padding",
                    padding,
                    f"x has {size[axis]} {_AXIS_WORDS[axis][0]}, not a multiple of stride "
                    f"{s[axis]}: a transposed 'same' convolution always gives i·stride, so "
                    "none maps y back to x's size; use integer padding",
                )
        op: Pair = (0, 0)
        backward = conv_transpose2d(ya, w, stride=s, padding="same", dilation=d)
        back_params = [("padding", "'same'", False)]
    else:
        p = (0, 0) if pad == "valid" else pad
        assert isinstance(p, tuple)
        op = (
            (size[0] + 2 * p[0] - k_eff[0]) % s[0],
            (size[1] + 2 * p[1] - k_eff[1]) % s[1],
        )
        backward = conv_transpose2d(ya, w, stride=s, padding=p, output_padding=op, dilation=d)
        back_params = [
            ("padding", _pt(p), p == (0, 0)),
            ("output_padding", _pt(op), op == (0, 0)),
        ]
    if backward.shape != xa.shape:  # pragma: no cover - the output_padding rule guarantees it
        raise EngineError(f"internal: conv_transpose2d gave {backward.shape}, x is {xa.shape}")

    lhs = float(np.dot(forward.ravel(), ya.ravel()))
    rhs = float(np.dot(xa.ravel(), backward.ravel()))
    pad_text = f"'{pad}'" if isinstance(pad, str) else _pt(pad)
    fwd = _call(
        "conv2d",
        "x, w",
        [
            ("stride", _pt(s), s == (1, 1)),
            ("padding", pad_text, pad == (0, 0)),
            ("dilation", _pt(d), d == (1, 1)),
        ],
    )
    bwd = _call(
        "conv_transpose2d",
        "y, w",
        [("stride", _pt(s), s == (1, 1)), *back_params, ("dilation", _pt(d), d == (1, 1))],
    )
    if math.isclose(lhs, rhs, rel_tol=1e-9, abs_tol=1e-9):
        text = f"⟨{fwd}, y⟩ = {format_number(lhs)} = ⟨x, {bwd}⟩"
    else:  # pragma: no cover - would mean the engine is wrong
        text = f"⟨{fwd}, y⟩ = {format_number(lhs)} ≠ {format_number(rhs)} = ⟨x, {bwd}⟩"
    return Adjoint(
        forward=_frozen(forward),
        backward=_frozen(backward),
        output_padding=op,
        lhs=lhs,
        rhs=rhs,
        text=text,
    )


@dataclass(frozen=True, eq=False)
class AdjointPartner:
    """A scene's transposed convolution seen as the adjoint of a convolution.

    The scene maps r (here ``y``) to an output of shape ``x_shape``; the convolution it is the
    adjoint of maps that shape back to r's. ``x`` is a deterministic grid of that shape (small
    nonzero integers from a seeded generator), and ``identity`` is :func:`adjoint_identity` on
    (x, w, y) — its ``backward`` is the scene's own output.
    """

    x_shape: tuple[int, ...]
    x: np.ndarray
    y: np.ndarray
    identity: Adjoint
    text: str


def adjoint_partner(
    r: ArrayLike,
    w: ArrayLike,
    stride: int | Pair = 1,
    padding: int | Pair | str = 0,
    output_padding: int | Pair = 0,
    dilation: int | Pair = 1,
    seed: int = 0,
) -> AdjointPartner:
    """The convolution a scene's conv_transpose2d(r, w, …) is the adjoint of, with an x to try.

    x gets the transposed convolution's output shape, filled with small nonzero integers
    (±1, ±2, ±3, :func:`small_nonzero_integers` of ``seed``); y is r itself. Keras's
    ``'same'`` / ``'valid'`` pair with conv2d's. An output_padding of at least the stride
    (allowed only when dilation is larger) is refused: conv2d then maps the output to more
    than r's rows, so no convolution has this transposed convolution as its adjoint.
    """
    ra = as_grid("r", r)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    pad = padding_arg(padding)
    op = non_negative_pair("output_padding", output_padding)
    seed_value = _int("seed", seed, 0)
    out = conv_transpose2d(ra, w, stride=s, padding=pad, output_padding=op, dilation=d)
    if not isinstance(pad, str):
        for axis in (0, 1):
            if op[axis] >= s[axis]:
                i, o = ra.shape[-2 + axis], out.shape[-2 + axis]
                raise fail(
                    "output_padding",
                    output_padding,
                    f"is not smaller than stride {s[axis]} (allowed only because dilation "
                    f"{d[axis]} is larger): conv2d maps {o} {_AXIS_WORDS[axis][0]} back to "
                    f"{i + op[axis] // s[axis]}, not {i}, so this transposed convolution is "
                    "no convolution's adjoint",
                )
    x = small_nonzero_integers(tuple(out.shape), seed_value)
    identity = adjoint_identity(x, w, ra, stride=s, padding=pad, dilation=d)
    text = (
        f"conv_transpose2d maps {_size(ra.shape)} to {_size(out.shape)}; it is the adjoint of "
        f"the conv2d that maps {_size(out.shape)} back to {_size(ra.shape)}, with the same "
        "stride, padding and dilation"
    )
    return AdjointPartner(
        x_shape=tuple(out.shape), x=_frozen(x), y=_frozen(ra), identity=identity, text=text
    )


# --------------------------------------------------------------------------------------------
# 3. Keras 'same' / 'valid' against PyTorch
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SliceFix:
    """Keras's result, spelled in PyTorch: padding=0 (and this output_padding), then slice.

    Always exists: ``conv_transpose2d(x, w, stride, padding=0, output_padding,
    dilation)[..., rows[0]:rows[1], cols[0]:cols[1]]`` equals Keras's output. ``output_padding``
    is nonzero only when the kernel is shorter than the stride, where Keras keeps zero rows
    past the full output.
    """

    output_padding: Pair
    rows: Span
    cols: Span
    text: str

    def apply(self, y: np.ndarray) -> np.ndarray:
        """Slice a padding=0 PyTorch output the way :attr:`text` says."""
        return y[..., self.rows[0] : self.rows[1], self.cols[0] : self.cols[1]]


@dataclass(frozen=True, eq=False)
class Conventions:
    """One transposed convolution, Keras's way and PyTorch's.

    ``keras`` is the Keras ``Conv2DTranspose`` result for ``keras_padding``. ``pytorch_padding``
    and ``pytorch_output_padding`` are the settings a learner would reach for to get the same
    size: for 'same' p = ⌈max(k_eff − s, 0)/2⌉ and a = 2p − (k_eff − s) (so the size is i·s);
    for 'valid' p = 0 and a = max(s − k_eff, 0). They are ``None`` when PyTorch cannot give
    that size (a would have to reach max(stride, dilation)), and then ``pytorch`` is ``None``
    too. ``differ`` lists the (row, col) cells where the two results differ.

    ``keras_window`` / ``pytorch_window`` are, per axis, the (first row kept, number kept) of
    the full output (i−1)·s + k_eff rows long, zero past its end. ``reproduce`` is the
    (padding, output_padding) with which PyTorch gives Keras's result exactly, or ``None``;
    ``reproduce_text`` says which, or why none exists. ``slice_fix`` always works.
    """

    keras_padding: str
    keras: np.ndarray
    pytorch_padding: Pair | None
    pytorch_output_padding: Pair | None
    pytorch: np.ndarray | None
    differ: tuple[Cell, ...]
    keras_window: tuple[Span, Span]
    pytorch_window: tuple[Span, Span] | None
    reproduce: tuple[Pair, Pair] | None
    reproduce_text: str
    slice_fix: SliceFix
    text: str


def _rows_text(windows: tuple[Span, Span]) -> str:
    """``rows and columns 0–3`` / ``rows 0–3 and columns 1–4`` (inclusive, for reading)."""
    parts = [f"{w[0]}–{w[0] + w[1] - 1}" for w in windows]
    if parts[0] == parts[1]:
        return f"rows and columns {parts[0]}"
    return f"rows {parts[0]} and columns {parts[1]}"


def _no_reproduce_text(
    bad: list[int], keras_window: tuple[Span, Span], full: Pair, fix: SliceFix
) -> str:
    """Why no PyTorch (padding, output_padding) gives Keras's crop, and the slice to use."""
    crops = []
    for axis in bad:
        start, length = keras_window[axis]
        bottom = full[axis] - start - length
        plural, singular, first, last = _AXIS_WORDS[axis]
        crops.append((start, bottom, singular, plural, first, last))
    if len(crops) == 2 and crops[0][:2] == crops[1][:2]:
        top, bottom, singular, plural, first, last = crops[0]
        said = f"Keras crops {_count(top, singular)} at the {first} and {bottom} at the {last}"
        said += ", columns likewise"
        who, ends = "rows (columns)", "bottom (right)"
    else:
        said = "Keras crops " + ", ".join(
            f"{_count(top, singular)} at the {first} and {bottom} at the {last}"
            for top, bottom, singular, _, first, last in crops
        )
        if len(crops) == 2:
            who, ends = "rows (columns)", "bottom (right)"
        else:
            who, ends = crops[0][3], crops[0][5]
    extra = "" if fix.output_padding == (0, 0) else f", output_padding={_pt(fix.output_padding)}"
    r, c = fix.rows, fix.cols
    return (
        f"{said}; PyTorch always crops padding {who} at both ends and only output_padding can "
        f"add at the {ends}, so no (padding, output_padding) gives it: crop the PyTorch output "
        f"of padding=0{extra} instead: y[{r[0]}:{r[1]}, {c[0]}:{c[1]}]"
    )


def keras_vs_pytorch(
    x: ArrayLike,
    w: ArrayLike,
    stride: int | Pair,
    keras_padding: str,
    dilation: int | Pair = 1,
) -> Conventions:
    """Keras's transposed 'same' / 'valid' next to the PyTorch settings a learner would try.

    Both frameworks compute the same full output, (i−1)·s + k_eff rows (k_eff = d(k−1)+1), and
    differ only in which rows they keep. PyTorch keeps F − 2p + a rows from row p: it crops p
    at the top and p − a at the bottom, so it can never crop more at the bottom than at the
    top. Keras 'valid' keeps everything from row 0 (plus s − k_eff zero rows when the kernel
    is shorter than the stride): PyTorch padding=0, output_padding=max(s − k_eff, 0), always.
    Keras 'same' keeps i·s rows from row ⌊t/2⌋, t = max(k_eff − s, 0), cropping the odd extra
    row at the bottom: PyTorch reproduces it exactly when t is even (p = t/2, a = 0) or the
    kernel is no longer than the stride (p = 0, a = s − k_eff); when k_eff − s is odd, no
    (padding, output_padding) does, and the nearest PyTorch spelling, p = (t+1)/2 with a = 1,
    is Keras's output shifted by one row (and column).
    """
    if not isinstance(keras_padding, str) or keras_padding.lower() not in ("same", "valid"):
        raise fail("keras_padding", keras_padding, "must be 'same' or 'valid'")
    mode = keras_padding.lower()
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    keras = conv_transpose2d(x, w, stride=s, padding=mode, dilation=d)
    xa = as_grid("x", x)
    size = (xa.shape[-2], xa.shape[-1])
    kernel = np.shape(w)[-2:]

    keras_window: list[Span] = []
    natural: list[tuple[int, int] | None] = []
    exact: list[tuple[int, int] | None] = []
    fix_op: list[int] = []
    fix_span: list[Span] = []
    full: list[int] = []
    for axis in (0, 1):
        i, k, st, dl = size[axis], int(kernel[axis]), s[axis], d[axis]
        k_eff = _effective(k, dl)
        t = k_eff - st
        full.append((i - 1) * st + k_eff)
        start = max(t, 0) // 2 if mode == "same" else 0
        length = i * st if mode == "same" else i * st + max(t, 0)
        keras_window.append((start, length))
        if mode == "same":
            p = (max(t, 0) + 1) // 2
            a = 2 * p - t
            exact.append(None if t > 0 and t % 2 else (p, a))
        else:
            p, a = 0, max(-t, 0)
            exact.append((p, a))
        natural.append((p, a) if a < max(st, dl) else None)
        fix_op.append(max(-t, 0))
        fix_span.append((start, start + length))

    kw = (keras_window[0], keras_window[1])
    fix_pair: Pair = (fix_op[0], fix_op[1])
    fix_call = _call(
        "conv_transpose2d",
        "x, w",
        [
            ("stride", _pt(s), s == (1, 1)),
            ("padding", "0", False),
            ("output_padding", _pt(fix_pair), fix_pair == (0, 0)),
            ("dilation", _pt(d), d == (1, 1)),
        ],
    )
    (r0, r1), (c0, c1) = fix_span
    fix = SliceFix(
        output_padding=fix_pair,
        rows=fix_span[0],
        cols=fix_span[1],
        text=f"{fix_call}[..., {r0}:{r1}, {c0}:{c1}]",
    )

    n0, n1 = natural
    if n0 is not None and n1 is not None:
        p_pair: Pair = (n0[0], n1[0])
        a_pair: Pair = (n0[1], n1[1])
        nat_p: Pair | None = p_pair
        nat_a: Pair | None = a_pair
        pytorch = conv_transpose2d(
            x, w, stride=s, padding=p_pair, output_padding=a_pair, dilation=d
        )
        diff = ~np.isclose(keras, pytorch, rtol=1e-12, atol=1e-12)
        diff2 = diff.reshape(-1, *diff.shape[-2:]).any(axis=0)
        differ = tuple((int(a), int(b)) for a, b in np.argwhere(diff2))
        pt_window: tuple[Span, Span] | None = (
            (n0[0], full[0] - 2 * n0[0] + n0[1]),
            (n1[0], full[1] - 2 * n1[0] + n1[1]),
        )
    else:
        nat_p = nat_a = None
        pytorch = None
        differ = ()
        pt_window = None

    e0, e1 = exact
    if e0 is not None and e1 is not None:
        rp: Pair = (e0[0], e1[0])
        ra: Pair = (e0[1], e1[1])
        reproduce: tuple[Pair, Pair] | None = (rp, ra)
        reproduce_text = (
            f"PyTorch padding={_pt(rp)}, output_padding={_pt(ra)} reproduces Keras "
            f"padding='{mode}' exactly"
        )
    else:
        reproduce = None
        bad = [axis for axis in (0, 1) if exact[axis] is None]
        reproduce_text = _no_reproduce_text(bad, kw, (full[0], full[1]), fix)

    shape = _size(keras.shape)
    if pytorch is None:
        assert nat_p is None
        limits = [max(s[a], d[a]) for a in (0, 1) if natural[a] is None]
        text = (
            f"Keras padding='{mode}' gives {shape}; no PyTorch padding/output_padding gives "
            f"that size: it would take output_padding=1, and output_padding must be smaller "
            f"than max(stride, dilation) = {limits[0]}"
        )
    elif not differ:
        assert nat_p is not None and nat_a is not None
        text = (
            f"Keras padding='{mode}' is PyTorch padding={_pt(nat_p)}, "
            f"output_padding={_pt(nat_a)}: the same {shape} output"
        )
    else:
        assert nat_p is not None and nat_a is not None and pt_window is not None
        cells = keras.shape[-2] * keras.shape[-1]
        text = (
            f"Keras padding='{mode}' and PyTorch padding={_pt(nat_p)}, "
            f"output_padding={_pt(nat_a)} both give {shape}, but {len(differ)} of {cells} "
            f"cells differ: Keras keeps {_rows_text(kw)} of the full {full[0]}×{full[1]} "
            f"output, PyTorch {_rows_text(pt_window)}"
        )
    return Conventions(
        keras_padding=mode,
        keras=_frozen(keras),
        pytorch_padding=nat_p,
        pytorch_output_padding=nat_a,
        pytorch=None if pytorch is None else _frozen(pytorch),
        differ=differ,
        keras_window=kw,
        pytorch_window=pt_window,
        reproduce=reproduce,
        reproduce_text=reproduce_text,
        slice_fix=fix,
        text=text,
    )


# --------------------------------------------------------------------------------------------
# 4. output_padding as a choice
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeChoice:
    """One output_padding a: the transposed output size, and what conv2d maps it back to.

    ``inverts`` is whether conv2d (same kernel, stride, padding, dilation) maps ``size`` back to
    the input length i — true for every a < stride. ``zero_rows`` counts the rows past the end
    of the full output (a − padding of them, when positive): no kernel footprint reaches them,
    so they hold only the bias.
    """

    output_padding: int
    size: int
    conv_size: int
    inverts: bool
    zero_rows: int


@dataclass(frozen=True)
class OutputPaddingChoices:
    """Every output_padding PyTorch allows for one axis (a < max(stride, dilation))."""

    input_size: int
    choices: tuple[SizeChoice, ...]
    text: str

    @property
    def sizes(self) -> tuple[int, ...]:
        """The output sizes that conv2d maps back to the input size: the real choice."""
        return tuple(c.size for c in self.choices if c.inverts)


def output_padding_choices(
    i: int, k: int, stride: int, padding: int = 0, dilation: int = 1
) -> OutputPaddingChoices:
    """Which output sizes a transposed convolution of an i-long input can have (one axis).

    A stride-s convolution maps s neighbouring input sizes to the same output size, since it
    rounds down; so its transposed convolution cannot know which one to give back.
    output_padding a (0 ≤ a < stride) picks: o = (i−1)s − 2p + d(k−1) + a + 1. It pads nothing
    with zeros — it keeps a rows that padding would otherwise have cropped at the bottom; only
    rows beyond the full output (when a > padding) hold nothing but the bias. PyTorch also
    allows a < dilation; such an a ≥ stride gives a size conv2d does not map back to i.
    """
    i = _int("i", i, 1)
    k = _int("k", k, 1)
    s = _int("stride", stride, 1)
    p = _int("padding", padding, 0)
    d = _int("dilation", dilation, 1)
    o0 = conv_transpose_output_size(i, k, s, p, 0, d)
    if o0 < 1:
        raise fail(
            "padding",
            p,
            f"gives an output of size {_num(o0)}: (i−1)·stride − 2·padding + dilation·(k−1) + 1 "
            "must be at least 1",
        )
    choices = []
    for a in range(max(s, d)):
        o = o0 + a
        back = conv_output_size(o, k, s, p, d)
        choices.append(SizeChoice(a, o, back, back == i, max(a - p, 0)))
    good = [c for c in choices if c.inverts]
    sizes = [str(c.size) for c in good]
    if len(good) == 1:
        text = (
            f"stride {s} maps only {good[0].size} back to {i}: output_padding has nothing to pick"
        )
    else:
        picks = _either([f"{c.size} (a={c.output_padding})" for c in good])
        text = (
            f"stride {s} maps {_all_of(sizes)} to {i}: output_padding picks {picks}; "
            "it pads nothing with zeros"
        )
        zero = [c for c in good if c.zero_rows]
        if zero:
            text += (
                f", though with padding {p}, a={zero[-1].output_padding} keeps "
                f"{_count(zero[-1].zero_rows, 'row')} past every kernel footprint, holding only "
                "the bias"
            )
    bad = [c for c in choices if not c.inverts]
    if bad:
        listed = _either([f"a={c.output_padding} (size {c.size})" for c in bad])
        backs = _either(sorted({str(c.conv_size) for c in bad}, key=int))
        text += (
            f"; dilation {d} also allows {listed}, but conv2d maps that back to {backs}, not {i}"
        )
    return OutputPaddingChoices(input_size=i, choices=tuple(choices), text=text)


# --------------------------------------------------------------------------------------------
# 5. MaxUnpool2d's strict bounds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnpoolBounds:
    """The output sizes MaxUnpool2d accepts along one axis.

    ``default`` is (i−1)·s − 2p + k, what it gives when no output_size is asked for. An
    explicit size must lie *strictly* between ``low_exclusive`` = default − s and
    ``high_exclusive`` = default + s (and be at least 1): ``allowed`` lists them.
    """

    default: int
    low_exclusive: int
    high_exclusive: int
    allowed: tuple[int, ...]
    text: str


def unpool_size_bounds(
    i: int, kernel_size: int, stride: int | None = None, padding: int = 0
) -> UnpoolBounds:
    """Which output_size MaxUnpool2d takes for a pooled length i (one axis).

    ``stride=None`` means ``kernel_size``, as in PyTorch. PyTorch's error message says the size
    "must be between" the two bounds, which reads as inclusive; the bounds themselves are
    refused.
    """
    i = _int("i", i, 1)
    k = _int("kernel_size", kernel_size, 1)
    s = k if stride is None else _int("stride", stride, 1)
    p = _int("padding", padding, 0)
    default = unpool_default_size(i, k, s, p)
    low, high = default - s, default + s
    allowed = tuple(range(max(low + 1, 1), high))
    head = f"default {_num(default)}; output_size must be strictly between {_num(low)} and {high}"
    if not allowed:
        text = f"{head}, and at least 1: no size is left"
    else:
        listed = _either([str(v) for v in allowed])
        if len(allowed) == 1:
            listed = f"only {listed}"
        text = f"{head}: {listed} — the bounds themselves are refused"
    return UnpoolBounds(default, low, high, allowed, text)


# --------------------------------------------------------------------------------------------
# 6. ceil_mode
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CeilWindows:
    """The pooling windows along one axis with ceil_mode off and on.

    Windows are (start, stop) in input coordinates — stop exclusive, negative or past the input
    where they reach into padding — covering d·(k−1)+1 cells (with dilation, every d-th is
    read). ``added`` is the window ceil_mode adds (or ``None``); ``dropped`` the window rounding
    up would have added but PyTorch drops because it would start at or after the input's end,
    i.e. in the right padding or beyond (or ``None``).
    """

    floor: tuple[Span, ...]
    ceil: tuple[Span, ...]
    added: Span | None
    dropped: Span | None
    text: str


def ceil_mode_windows(i: int, k: int, s: int, p: int = 0, d: int = 1) -> CeilWindows:
    """Where max pooling's windows sit with ceil_mode False and True (one axis).

    The window count is (i + 2p − d(k−1) − 1)/s + 1 rounded down, or up with ceil_mode. Rounding
    up adds at most one window, hanging past the padded input; PyTorch keeps it only if it
    starts before the input ends (start < i), so that it pools at least one real cell.
    """
    i = _int("i", i, 1)
    k = _int("k", k, 1)
    s = _int("s", s, 1)
    p = _int("p", p, 0)
    d = _int("d", d, 1)
    if p > k // 2:
        raise fail("p", p, f"must be at most half of kernel_size={k}, rounded down ({k // 2})")
    span = _effective(k, d)
    room = i + 2 * p - span
    if room < 0:
        raise fail(
            "k",
            k,
            f"with dilation={d} a window spans {span} cells, but the input has {i} plus padding "
            f"{p} on each side ({i + 2 * p}): no window fits",
        )
    o_floor = pool_output_size(i, k, s, p, d, False)
    o_ceil = pool_output_size(i, k, s, p, d, True)

    def window(j: int) -> Span:
        return (j * s - p, j * s - p + span)

    floor = tuple(window(j) for j in range(o_floor))
    ceil = tuple(window(j) for j in range(o_ceil))
    added = ceil[-1] if o_ceil > o_floor else None
    rounded = -(-room // s) + 1
    dropped = window(rounded - 1) if rounded > o_ceil else None
    frac = f"({i} + 2·{p} − {span - 1} − 1)/{s} = {room}/{s}"

    def cells(w: Span) -> str:
        if w[1] - w[0] == 1:
            return f"cell {_num(w[0])}"
        return f"cells {_num(w[0])} to {_num(w[1] - 1)}"

    if added is not None:
        text = (
            f"ceil_mode rounds {frac} up: it adds a window over {cells(added)}, which starts "
            f"before the input ends (last cell {i - 1}), so PyTorch keeps it: "
            f"{_count(o_floor, 'window')} {'becomes' if o_floor == 1 else 'become'} {o_ceil}"
        )
    elif dropped is not None:
        if dropped[0] < i + p:
            where = "in the right padding"
        else:
            where = "past the input and its padding" if p else "past the input"
        text = (
            f"ceil_mode rounds {frac} up to one more window, over {cells(dropped)}, but it "
            f"would start {where}, so PyTorch drops it: {_count(o_floor, 'window')} either way"
        )
    else:
        text = f"{frac} is whole, so ceil_mode changes nothing: {_count(o_floor, 'window')}"
    return CeilWindows(floor=floor, ceil=ceil, added=added, dropped=dropped, text=text)


# --------------------------------------------------------------------------------------------
# 7. The same lessons seen from the other operators
# --------------------------------------------------------------------------------------------


def shuffle_overlap(input_size: int | Pair, upscale: int) -> Overlap:
    """Pixel shuffle's "footprints": every output cell takes exactly one input value.

    Channel c = i·r + j of input cell (h, w) goes to output cell (h·r + i, w·r + j), so the
    count is 1 everywhere: even, no overlap at all. (Pixel shuffle's checkerboards, when a
    network shows them, come from its r² channels being learned apart, not from overlap.)
    """
    n = positive_pair("input_size", input_size)
    r = _int("upscale", upscale, 1)
    counts = np.ones((n[0] * r, n[1] * r), dtype=np.int64)
    interior = np.ones(counts.shape, dtype=bool)
    rule = (
        f"pixel shuffle ×{r}: every output cell takes exactly one input value — even, no "
        "overlap (its checkerboards come from the r² channels being learned apart)"
    )
    return Overlap(
        counts=_frozen(counts),
        interior=_frozen(interior),
        row_pattern=(1,) * r,
        col_pattern=(1,) * r,
        distinct=(1,),
        even=True,
        rule=rule,
    )


def adjoint_of_conv2d(
    x: ArrayLike,
    w: ArrayLike,
    stride: int | Pair = 1,
    padding: int | Pair | str = 0,
    dilation: int | Pair = 1,
    seed: int = 0,
) -> Adjoint:
    """A conv2d scene's adjoint identity, with a y to try.

    y gets conv2d(x, w)'s shape, filled with small nonzero integers (±1, ±2, ±3,
    :func:`small_nonzero_integers` of ``seed``), as :func:`adjoint_partner` does for x; then
    :func:`adjoint_identity` on (x, w, y).
    """
    xa = as_grid("x", x)
    forward = conv2d(xa, w, stride=stride, padding=padding_arg(padding), dilation=dilation)
    y = small_nonzero_integers(tuple(forward.shape), _int("seed", seed, 0))
    return adjoint_identity(x, w, y, stride=stride, padding=padding, dilation=dilation)
