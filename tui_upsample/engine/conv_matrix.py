"""The convolution matrix W1 of a 2-D kernel, and its transpose W2 = W1ᵀ, built block by block.

``x.ravel() @ W1 == conv2d(x, w).ravel()``: column q of W1 is the kernel laid over window q. A
transposed convolution multiplies by W2 = W1ᵀ. Nothing is built until a block is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tui_upsample.engine.convolution import (
    as_weight,
)
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.geometry import (
    PaddingArg,
    check_fits,
    checked_transpose_window,
    effective_span,
    forward_padding,
    growth_blame,
    padding_arg,
    padding_blame,
)
from tui_upsample.engine.validation import (
    Pair,
    count_text,
    fail,
    float_array,
    positive_pair,
    room_for,
)

Index = int | slice | range


# The largest row, column or window reach a ConvMatrix takes: its blocks are computed with int64
# indices, which must not overflow (nor must len(), which Python caps at sys.maxsize).
_MAX_INDEX = 2**62


def _as_kernel_2d(weight: Any) -> np.ndarray:
    w = float_array("weight", weight, "must be an array of numbers")
    if w.ndim != 2:
        raise EngineError(f"weight has shape {w.shape}: the matrix W1 needs a 2-D (kH, kW) kernel")
    return as_weight(w)


def _as_range(index: Any, length: int, axis: str) -> tuple[range, bool]:
    """An index of one axis as a range, and whether it was a single int (that axis is dropped)."""
    if isinstance(index, (bool, np.bool_)):
        raise EngineError(f"{axis} index {index!r}: must be an integer, a slice or a range")
    if isinstance(index, (int, np.integer)):
        i = int(index)
        if not -length <= i < length:
            raise EngineError(f"{axis} index {i}: must be in [-{length}, {length})")
        i %= length
        return range(i, i + 1), True
    if isinstance(index, slice):
        try:
            return range(*index.indices(length)), False
        except (TypeError, ValueError) as exc:
            raise EngineError(f"{axis} index {index!r}: not a valid slice ({exc})") from None
    if isinstance(index, range):
        if len(index) and not (0 <= min(index[0], index[-1]) and max(index[0], index[-1]) < length):
            raise EngineError(f"{axis} index {index!r}: must lie in [0, {length})")
        return index, False
    raise EngineError(f"{axis} index {index!r}: must be an integer, a slice or a range")


def _w1_block(
    w: np.ndarray,
    in_hw: Pair,
    out_hw: Pair,
    stride: Pair,
    pad_tl: Pair,
    dilation: Pair,
    rows: range,
    cols: range,
) -> np.ndarray:
    """W1[rows, cols]: W1[p, q] = w[a, b] when input cell p is the (a, b) tap of window q.

    Window q = (qi, qj) reads input cell (qi·s − pad + a·d, qj·s − pad + b·d) with w[a, b]; so
    for each of the kH·kW taps, one vectorised pass over the wanted columns finds its row.
    """
    h, wd = in_hw
    block = np.zeros((len(rows), len(cols)))
    if not len(rows) or not len(cols):
        return block
    q = np.arange(cols.start, cols.stop, cols.step)
    qi, qj = np.divmod(q, out_hw[1])
    where = np.arange(len(cols))
    kh, kw = w.shape
    # With one window along an axis its stride is never stepped: 1 keeps int64 from overflowing
    # under a stride of 2**63.
    sh, sw = (stride[0] if out_hw[0] > 1 else 1), (stride[1] if out_hw[1] > 1 else 1)
    for a in range(kh):
        pi = qi * sh - pad_tl[0] + a * dilation[0]
        for b in range(kw):
            pj = qj * sw - pad_tl[1] + b * dilation[1]
            ok = (pi >= 0) & (pi < h) & (pj >= 0) & (pj < wd)
            r, rem = np.divmod(pi * wd + pj - rows.start, rows.step)
            ok &= (rem == 0) & (r >= 0) & (r < len(rows))
            block[r[ok], where[ok]] = w[a, b]
    return block


class ConvMatrix:
    """The convolution matrix W1 of a 2-D kernel on an H×W input, or its transpose W2 = W1ᵀ.

    W1 has shape (H·W, H_out·W_out) and ``x.ravel() @ W1 == conv2d(x, w, …).ravel()``: column q
    holds the kernel laid over window q. Nothing is built until a block is asked for, so a
    4096 × 3844 W1 (64×64 input, 3×3 kernel) costs only the block the screen shows.

    ``m[rows, cols]`` gives a dense block (ints, slices or ranges, like NumPy); ``m.T`` is the
    transpose, sharing everything; ``m.to_array()`` builds the whole matrix.
    """

    def __init__(
        self,
        weight: ArrayLike,
        input_size: int | Pair,
        stride: int | Pair = 1,
        padding: PaddingArg = 0,
        dilation: int | Pair = 1,
    ) -> None:
        w = _as_kernel_2d(weight)
        size = positive_pair("input_size", input_size)
        s = positive_pair("stride", stride)
        d = positive_pair("dilation", dilation)
        k = (w.shape[0], w.shape[1])
        pad = forward_padding(padding_arg(padding), size, k, s, d)
        padded = check_fits(f"weight has shape {w.shape}", k, d, size, pad)
        k_eff = effective_span(k, d)
        out = ((padded[0] - k_eff[0]) // s[0] + 1, (padded[1] - k_eff[1]) // s[1] + 1)
        blame = padding_blame(padding, dilation, ("input_size", input_size), size, pad)
        self._set(w, size, out, s, (pad[0][0], pad[1][0]), d, transposed=False, blame=blame)

    def _set(
        self,
        w: np.ndarray,
        in_hw: Pair,
        out_hw: Pair,
        stride: Pair,
        pad_tl: Pair,
        dilation: Pair,
        transposed: bool,
        blame: tuple[str, Any],
    ) -> None:
        # Blocks are computed with int64 indices: refuse a geometry whose row or column count,
        # or the reach of whose windows, would overflow them (or len(), capped at sys.maxsize).
        rows, cols = in_hw[0] * in_hw[1], out_hw[0] * out_hw[1]
        name = "W2 = W1ᵀ" if transposed else "W1"
        if max(rows, cols) > _MAX_INDEX:
            shape = f"{count_text(rows)} × {count_text(cols)}"
            if transposed:
                shape = f"{count_text(cols)} × {count_text(rows)}"
            raise fail(
                *blame,
                f"{name} would be {shape}, more rows or columns than its int64 indices "
                f"can address (2^62)",
            )
        for a in (0, 1):
            step = stride[a] if out_hw[a] > 1 else 1
            reach = (out_hw[a] - 1) * step + pad_tl[a] + dilation[a] * (w.shape[a] - 1) + in_hw[a]
            if reach > _MAX_INDEX:
                raise fail(
                    *blame,
                    f"the windows of {name} would reach {count_text(reach)} cells along one "
                    f"axis, more than its int64 indices can address (2^62)",
                )
        self._blame = blame
        self._w = w
        self._in = in_hw
        self._out = out_hw
        self._stride = stride
        self._pad = pad_tl
        self._dilation = dilation
        self.transposed = transposed

    @classmethod
    def for_conv_transpose2d(
        cls,
        weight: ArrayLike,
        input_size: int | Pair,
        stride: int | Pair = 1,
        padding: PaddingArg = 0,
        output_padding: int | Pair = 0,
        dilation: int | Pair = 1,
    ) -> ConvMatrix:
        """W2 of a transposed convolution on an input of ``input_size`` (transposed=True).

        Shape (H_in·W_in, H_out·W_out) and ``r.ravel() @ W2 ==
        conv_transpose2d(r, weight, stride=…, padding=…, output_padding=…,
        dilation=…).ravel()``. It is the W1ᵀ of the convolution from the H_out×W_out output back
        to H_in×W_in, keeping only the windows that exist in the input.
        """
        w = _as_kernel_2d(weight)
        size = positive_pair("input_size", input_size)
        s = positive_pair("stride", stride)
        d = positive_pair("dilation", dilation)
        k = (w.shape[0], w.shape[1])
        _, _, window = checked_transpose_window(padding, output_padding, size, k, s, d)
        out_hw = (window[0][1], window[1][1])
        m = cls.__new__(cls)
        blame = growth_blame(("input_size", input_size), ("weight", w), stride, dilation, size, k)
        # Output cell y of the transposed conv is full row y + start, so the forward conv it is
        # the adjoint of reads input row j·s − start + a·d: a conv padded by `start`.
        m._set(w, out_hw, size, s, (window[0][0], window[1][0]), d, transposed=True, blame=blame)
        return m

    @property
    def shape(self) -> tuple[int, int]:
        """(H·W, H_out·W_out) for W1; the other way round for W2."""
        w1 = (self._in[0] * self._in[1], self._out[0] * self._out[1])
        return (w1[1], w1[0]) if self.transposed else w1

    @property
    def T(self) -> ConvMatrix:  # noqa: N802 - NumPy's name for the transpose
        """The transpose, sharing the kernel and the geometry."""
        m = ConvMatrix.__new__(ConvMatrix)
        m._set(
            self._w,
            self._in,
            self._out,
            self._stride,
            self._pad,
            self._dilation,
            transposed=not self.transposed,
            blame=self._blame,
        )
        return m

    @property
    def input_size(self) -> Pair:
        """(H, W) of the forward convolution's input (the rows of W1)."""
        return self._in

    @property
    def output_size(self) -> Pair:
        """(H_out, W_out) of the forward convolution's output (the columns of W1)."""
        return self._out

    def __getitem__(self, key: Any) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key, slice(None))
        if len(key) != 2:
            raise EngineError(f"index {key!r}: a ConvMatrix takes [rows, cols]")
        n_rows, n_cols = self.shape
        rows, drop_r = _as_range(key[0], n_rows, "row")
        cols, drop_c = _as_range(key[1], n_cols, "column")
        room_for("index", key, (len(rows), len(cols)), "the block")
        if self.transposed:
            block = _w1_block(
                self._w, self._in, self._out, self._stride, self._pad, self._dilation, cols, rows
            ).T
        else:
            block = _w1_block(
                self._w, self._in, self._out, self._stride, self._pad, self._dilation, rows, cols
            )
        if drop_r and drop_c:
            return block[0, 0]
        if drop_r:
            return block[0]
        if drop_c:
            return block[:, 0]
        return block

    def times(self, vector: ArrayLike) -> np.ndarray:
        """``vector @ self`` from the matrix's nonzero entries only, each column's products
        added in row order, as a dense product adds them (the zeros it skips add nothing).

        It costs one pass per kernel tap over the windows, not rows × columns: a 64×64 input
        whose transposed output is 1024×1024 has a W2 of 4 billion entries but only its
        kernel's taps × 4096 nonzeros.
        """
        v = float_array("vector", vector, "must be an array of numbers").ravel()
        n_rows, n_cols = self.shape
        if v.size != n_rows:
            raise EngineError(f"vector has {v.size} entries: this matrix has {n_rows} rows")
        h, wd = self._in
        oh, ow = self._out
        qi, qj = np.divmod(np.arange(oh * ow), ow)
        sh, sw = (self._stride[0] if oh > 1 else 1), (self._stride[1] if ow > 1 else 1)
        out = np.zeros(n_cols)
        kh, kw = self._w.shape
        # W1[p, q] = w[a, b] where input cell p is tap (a, b) of window q. W1's rows p rise with
        # the tap; W2 = W1ᵀ's rows q fall with it (the window that reaches p is further back).
        taps = [(a, b) for a in range(kh) for b in range(kw)]
        if self.transposed:
            taps.reverse()
        for a, b in taps:
            pi = qi * sh - self._pad[0] + a * self._dilation[0]
            pj = qj * sw - self._pad[1] + b * self._dilation[1]
            ok = (pi >= 0) & (pi < h) & (pj >= 0) & (pj < wd)
            p = pi[ok] * wd + pj[ok]
            q = np.flatnonzero(ok)
            # For one tap, distinct windows reach distinct cells: no index repeats.
            if self.transposed:
                out[p] += v[q] * self._w[a, b]
            else:
                out[q] += v[p] * self._w[a, b]
        return out

    def same_as(self, other: object) -> bool:
        """Whether ``other`` is a ConvMatrix holding the same numbers: the same kernel values,
        geometry and orientation. Cheap (no block is built): a new trace after an edit of the
        input has the same W2, and a view need not redraw it."""
        if not isinstance(other, ConvMatrix):
            return False
        return (
            self.transposed == other.transposed
            and (self._in, self._out, self._stride, self._pad, self._dilation)
            == (other._in, other._out, other._stride, other._pad, other._dilation)
            and self._w.shape == other._w.shape
            and bool(np.array_equal(self._w, other._w))
        )

    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(self.shape[0]):
            yield self[i]

    def to_array(self) -> np.ndarray:
        """The whole matrix, dense (refused past MAX_CELLS, naming what made it that large)."""
        room_for(*self._blame, self.shape, "W2 = W1ᵀ" if self.transposed else "W1")
        return np.ascontiguousarray(self[:, :])

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.to_array()
        return arr if dtype is None else arr.astype(dtype)

    def __repr__(self) -> str:
        name = "W2 = W1ᵀ" if self.transposed else "W1"
        return (
            f"ConvMatrix({name}, shape={self.shape}, kernel={self._w.shape}, "
            f"input_size={self._in}, stride={self._stride}, dilation={self._dilation})"
        )


def conv_matrix(
    weight: ArrayLike,
    input_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingArg = 0,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """W1, dense: (H·W, H_out·W_out) with ``x.ravel() @ W1 == conv2d(x, w, …).ravel()``.

    Read the other way, W1ᵀ is a transposed convolution: ``r.ravel() @ W1.T ==
    conv_transpose2d(r, w, stride, padding, output_padding=a, dilation=d).ravel()`` with
    a = (H + 2p − d(k−1) − 1) mod s per axis — the output_padding that makes the transposed
    output H×W again (integer padding; always < stride, so allowed).
    """
    return ConvMatrix(weight, input_size, stride, padding, dilation).to_array()


def conv_matrix_block(
    weight: ArrayLike,
    input_size: int | Pair,
    rows: Index,
    cols: Index,
    stride: int | Pair = 1,
    padding: PaddingArg = 0,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """``conv_matrix(...)[rows, cols]`` without building W1 whole (rows/cols: slices or ranges)."""
    return ConvMatrix(weight, input_size, stride, padding, dilation)[rows, cols]
