"""Why "transposed": the adjoint identity ⟨conv2d(x, w), y⟩ = ⟨x, conv_transpose2d(y, w)⟩, with the
numbers put in, and why it makes the transposed convolution the gradient of the convolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from tui_upsample.engine.convolution import (
    conv2d,
)
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.geometry import (
    padding_arg,
    reach,
)
from tui_upsample.engine.text import (
    call_text,
    format_number,
    pair_text,
    size_text,
)
from tui_upsample.engine.transposed import conv_transpose2d
from tui_upsample.engine.validation import (
    Pair,
    as_grid,
    fail,
    frozen,
    non_negative_pair,
    positive_pair,
    whole_number,
)

_AXIS_WORDS = (("rows", "row", "top", "bottom"), ("columns", "column", "left", "right"))


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
    lhs_text: str = ""
    """The left side in words, ``⟨conv2d(x, w), y⟩``."""
    rhs_text: str = ""
    """The right side in words, ``⟨x, conv_transpose2d(y, w)⟩``."""
    note: str = ADJOINT_NOTE


def _given(backward: ArrayLike | None, shape: tuple[int, ...]) -> np.ndarray | None:
    """A caller's conv_transpose2d(y, w), if it has x's shape (else it is computed here)."""
    if backward is None:
        return None
    arr = np.asarray(backward, dtype=np.float64)
    return arr if arr.shape == shape else None


def adjoint_identity(
    x: ArrayLike,
    w: ArrayLike,
    y: ArrayLike,
    stride: int | Pair = 1,
    padding: int | Pair | str = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
    *,
    backward: ArrayLike | None = None,
) -> Adjoint:
    """Check ⟨conv2d(x, w), y⟩ = ⟨x, conv_transpose2d(y, w)⟩ with numbers.

    ``backward``, if the caller has it, is conv_transpose2d(y, w) as described below (with x's
    shape); it is not computed again.

    ``y`` must have the shape of conv2d(x, w). The transposed convolution uses the same stride,
    padding and dilation, and output_padding a = (H + 2p − d(k−1) − 1) mod s per axis — the one
    choice that maps y back to x's size (always < stride). ``padding='valid'`` is padding 0.
    ``padding='same'`` (TensorFlow's, possibly lopsided) pairs with Keras's transposed 'same',
    which always gives i·stride rows, so it needs x's height and width to be multiples of the
    stride. Layouts, channels and ``groups`` are as for :func:`conv2d` (the transposed
    convolution reads the same weight in its own layout, C_out → C_in).
    """
    xa = as_grid("x", x)
    ya = as_grid("y", y)
    s = positive_pair("stride", stride)
    d = positive_pair("dilation", dilation)
    pad = padding_arg(padding)
    forward = conv2d(xa, w, stride=s, padding=pad, dilation=d, groups=groups)
    if ya.shape != forward.shape:
        raise EngineError(
            f"y has shape {ya.shape}: must have the shape of conv2d(x, w), {forward.shape}"
        )
    size = (xa.shape[-2], xa.shape[-1])
    kernel = np.shape(w)[-2:]
    k_eff = (reach(kernel[0], d[0]), reach(kernel[1], d[1]))
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
        given = _given(backward, xa.shape)
        if given is None:
            given = conv_transpose2d(ya, w, stride=s, padding="same", dilation=d, groups=groups)
        back_params = [("padding", "'same'", False)]
    else:
        p = (0, 0) if pad == "valid" else pad
        assert isinstance(p, tuple)
        op = (
            (size[0] + 2 * p[0] - k_eff[0]) % s[0],
            (size[1] + 2 * p[1] - k_eff[1]) % s[1],
        )
        given = _given(backward, xa.shape)
        if given is None:
            given = conv_transpose2d(
                ya, w, stride=s, padding=p, output_padding=op, dilation=d, groups=groups
            )
        back_params = [
            ("padding", pair_text(p), p == (0, 0)),
            ("output_padding", pair_text(op), op == (0, 0)),
        ]
    if given.shape != xa.shape:  # pragma: no cover - the output_padding rule guarantees it
        raise EngineError(f"internal: conv_transpose2d gave {given.shape}, x is {xa.shape}")

    lhs = float(np.dot(forward.ravel(), ya.ravel()))
    rhs = float(np.dot(xa.ravel(), given.ravel()))
    pad_text = f"'{pad}'" if isinstance(pad, str) else pair_text(pad)
    fwd = call_text(
        "conv2d",
        "x, w",
        [
            ("stride", pair_text(s), s == (1, 1)),
            ("padding", pad_text, pad == (0, 0)),
            ("dilation", pair_text(d), d == (1, 1)),
        ],
    )
    bwd = call_text(
        "conv_transpose2d",
        "y, w",
        [
            ("stride", pair_text(s), s == (1, 1)),
            *back_params,
            ("dilation", pair_text(d), d == (1, 1)),
        ],
    )
    if math.isclose(lhs, rhs, rel_tol=1e-9, abs_tol=1e-9):
        text = f"⟨{fwd}, y⟩ = {format_number(lhs)} = ⟨x, {bwd}⟩"
    else:  # pragma: no cover - would mean the engine is wrong
        text = f"⟨{fwd}, y⟩ = {format_number(lhs)} ≠ {format_number(rhs)} = ⟨x, {bwd}⟩"
    return Adjoint(
        forward=frozen(forward),
        backward=frozen(given),
        output_padding=op,
        lhs=lhs,
        rhs=rhs,
        text=text,
        lhs_text=f"⟨{fwd}, y⟩",
        rhs_text=f"⟨x, {bwd}⟩",
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
    groups: int = 1,
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
    seed_value = whole_number("seed", seed, 0)
    out = conv_transpose2d(
        ra, w, stride=s, padding=pad, output_padding=op, dilation=d, groups=groups
    )
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
    # conv_transpose2d(r) is the transposed convolution conv2d's adjoint maps back with.
    identity = adjoint_identity(
        x,
        w,
        ra,
        stride=s,
        padding=pad,
        dilation=d,
        groups=groups,
        backward=out,
    )
    text = (
        f"conv_transpose2d maps {size_text(ra.shape)} to {size_text(out.shape)};"
        " it is the adjoint of "
        f"the conv2d that maps {size_text(out.shape)} back to {size_text(ra.shape)}, with the same "
        "stride, padding and dilation"
    )
    return AdjointPartner(
        x_shape=tuple(out.shape), x=frozen(x), y=frozen(ra), identity=identity, text=text
    )


def adjoint_of_conv2d(
    x: ArrayLike,
    w: ArrayLike,
    stride: int | Pair = 1,
    padding: int | Pair | str = 0,
    dilation: int | Pair = 1,
    seed: int = 0,
    groups: int = 1,
) -> Adjoint:
    """A conv2d scene's adjoint identity, with a y to try.

    y gets conv2d(x, w)'s shape, filled with small nonzero integers (±1, ±2, ±3,
    :func:`small_nonzero_integers` of ``seed``), as :func:`adjoint_partner` does for x; then
    :func:`adjoint_identity` on (x, w, y).
    """
    xa = as_grid("x", x)
    forward = conv2d(
        xa, w, stride=stride, padding=padding_arg(padding), dilation=dilation, groups=groups
    )
    y = small_nonzero_integers(tuple(forward.shape), whole_number("seed", seed, 0))
    return adjoint_identity(
        x, w, y, stride=stride, padding=padding, dilation=dilation, groups=groups
    )
