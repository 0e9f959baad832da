"""Keras's 'same' / 'valid' against PyTorch's padding / output_padding, for the same input and
kernel: which cells differ, which PyTorch settings (if any) reproduce Keras, and the slice that
always does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from tui_upsample.engine.geometry import (
    Span,
    reach,
)
from tui_upsample.engine.steps import Cell
from tui_upsample.engine.text import (
    call_text,
    counted,
    pair_text,
    size_text,
)
from tui_upsample.engine.transposed import conv_transpose2d
from tui_upsample.engine.validation import (
    Pair,
    as_grid,
    fail,
    frozen,
    positive_pair,
)

_AXIS_WORDS = (("rows", "row", "top", "bottom"), ("columns", "column", "left", "right"))


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
        said = f"Keras crops {counted(top, singular)} at the {first} and {bottom} at the {last}"
        said += ", columns likewise"
        who, ends = "rows (columns)", "bottom (right)"
    else:
        said = "Keras crops " + ", ".join(
            f"{counted(top, singular)} at the {first} and {bottom} at the {last}"
            for top, bottom, singular, _, first, last in crops
        )
        if len(crops) == 2:
            who, ends = "rows (columns)", "bottom (right)"
        else:
            who, ends = crops[0][3], crops[0][5]
    extra = (
        "" if fix.output_padding == (0, 0) else f", output_padding={pair_text(fix.output_padding)}"
    )
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
        k_eff = reach(k, dl)
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
    fix_call = call_text(
        "conv_transpose2d",
        "x, w",
        [
            ("stride", pair_text(s), s == (1, 1)),
            ("padding", "0", False),
            ("output_padding", pair_text(fix_pair), fix_pair == (0, 0)),
            ("dilation", pair_text(d), d == (1, 1)),
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
            f"PyTorch padding={pair_text(rp)}, output_padding={pair_text(ra)} reproduces Keras "
            f"padding='{mode}' exactly"
        )
    else:
        reproduce = None
        bad = [axis for axis in (0, 1) if exact[axis] is None]
        reproduce_text = _no_reproduce_text(bad, kw, (full[0], full[1]), fix)

    shape = size_text(keras.shape)
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
            f"Keras padding='{mode}' is PyTorch padding={pair_text(nat_p)}, "
            f"output_padding={pair_text(nat_a)}: the same {shape} output"
        )
    else:
        assert nat_p is not None and nat_a is not None and pt_window is not None
        cells = keras.shape[-2] * keras.shape[-1]
        text = (
            f"Keras padding='{mode}' and PyTorch padding={pair_text(nat_p)}, "
            f"output_padding={pair_text(nat_a)} both give {shape}, but {len(differ)} of {cells} "
            f"cells differ: Keras keeps {_rows_text(kw)} of the full {full[0]}×{full[1]} "
            f"output, PyTorch {_rows_text(pt_window)}"
        )
    return Conventions(
        keras_padding=mode,
        keras=frozen(keras),
        pytorch_padding=nat_p,
        pytorch_output_padding=nat_a,
        pytorch=None if pytorch is None else frozen(pytorch),
        differ=differ,
        keras_window=kw,
        pytorch_window=pt_window,
        reproduce=reproduce,
        reproduce_text=reproduce_text,
        slice_fix=fix,
        text=text,
    )
