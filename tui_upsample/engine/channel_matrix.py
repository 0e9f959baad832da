"""W2 = W1ᵀ of a transposed convolution over several planes, built block by block.

With C_in input and C_out output channels, W2 is (C_in·H·W) × (C_out·H_out·W_out): a grid of
C_in × C_out blocks, block (c, o) the one-plane W2 of kernel slice ``w[c, o mod C_out/g]`` when
input channel c and output channel o are in the same group. The blocks of two different groups
are not weights at all: ``absent`` says what they hold (0 for arithmetic; NaN to draw them as
not there). Nothing is built until a block is asked for. ``.T`` is W1 = W2ᵀ, as lazy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from tui_upsample.engine.conv_matrix import ConvMatrix, _as_range
from tui_upsample.engine.steps import Block, Blocks
from tui_upsample.engine.validation import Pair


def _within(index: range, start: int, length: int) -> tuple[range, range]:
    """The positions (in ``index``) and the values (less ``start``) of the entries of
    ``index`` that fall in [start, start + length)."""
    picked = [(p, v - start) for p, v in enumerate(index) if start <= v < start + length]
    if not picked:
        return range(0), range(0)
    if len(picked) == 1:
        p, v = picked[0]
        return range(p, p + 1), range(v, v + 1)
    dp, dv = picked[1][0] - picked[0][0], picked[1][1] - picked[0][1]
    return (
        range(picked[0][0], picked[-1][0] + 1, dp),
        range(picked[0][1], picked[-1][1] + (1 if dv > 0 else -1), dv),
    )


class ChannelMatrix:
    """W2 = W1ᵀ of a grouped transposed convolution, sliced lazily like :class:`ConvMatrix`.

    Row c·H·W + i·W + j is input cell (c, i, j); column o·H_out·W_out + p·W_out + q is output
    cell (o, p, q). ``r.ravel() @ W2 == conv_transpose2d(r, w, …, groups=g).ravel()`` with
    ``absent=0``.
    """

    def __init__(
        self,
        weight: np.ndarray,
        input_size: Pair,
        groups: int,
        call: Mapping[str, Any],
        absent: float = 0.0,
        *,
        transposed: bool = False,
    ) -> None:
        self._w = weight
        self.transposed = transposed
        """True for W1 = W2ᵀ: rows are output cells, columns input cells."""
        self._groups = groups
        self._call = dict(call)
        self._absent = float(absent)
        c_in, c_og = weight.shape[:2]
        self._c_in, self._c_out = c_in, c_og * groups
        self._slices: dict[Pair, ConvMatrix] = {}
        self.input_size = input_size
        self._rows, self._cols = self._slice(0, 0).shape

    def block(self, c: int, o: int) -> ConvMatrix:
        """W2's block of input channel c and output channel o (both of one group): the one-plane
        W2 of kernel slice w[c, o mod C_out/g]."""
        if not self.same_group(c, o):
            raise ValueError(f"input channel {c} and output channel {o} are in different groups")
        return self._slice(c, o)

    @property
    def T(self) -> ChannelMatrix:  # noqa: N802 - NumPy's name for the transpose
        """The transpose (W1 from W2, W2 from W1), sharing the built blocks."""
        m = ChannelMatrix.__new__(ChannelMatrix)
        m.__dict__.update(self.__dict__)
        m.transposed = not self.transposed
        return m

    def _slice(self, c: int, o: int) -> ConvMatrix:
        key = (c, o)
        if key not in self._slices:
            c_og = self._w.shape[1]
            self._slices[key] = ConvMatrix.for_conv_transpose2d(
                self._w[c, o % c_og], self.input_size, **self._call
            )
        return self._slices[key]

    def same_group(self, c: int, o: int) -> bool:
        """Whether input channel c and output channel o are in one group (their block is W2's)."""
        return c // (self._c_in // self._groups) == o // (self._c_out // self._groups)

    @property
    def shape(self) -> tuple[int, int]:
        w2 = (self._c_in * self._rows, self._c_out * self._cols)
        return (w2[1], w2[0]) if self.transposed else w2

    @property
    def block_shape(self) -> tuple[int, int]:
        """The size of one channel block: (H·W, H_out·W_out)."""
        return (self._rows, self._cols)

    @property
    def blocks(self) -> Blocks:
        """W2's channel blocks: band c holds input channel c's rows, block (c, o) within it
        output channel o's columns and the slice ``w[c, o mod C_out/g]`` (absent between
        groups). W1's are the same blocks transposed."""
        if self.transposed:
            return self.T.blocks.T
        rows, cols = self._rows, self._cols
        c_og = self._w.shape[1]
        return Blocks(
            rows,
            cols,
            tuple(
                Block(
                    range(c * rows, (c + 1) * rows),
                    range(o * cols, (o + 1) * cols),
                    c,
                    o,
                    (c, o % c_og) if self.same_group(c, o) else None,
                )
                for c in range(self._c_in)
                for o in range(self._c_out)
            ),
            rows_are="input",
            cols_are="output",
        )

    def __getitem__(self, key: Any) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key, slice(None))
        if self.transposed:  # W1[p, q] = W2[q, p]
            picked = self.T[key[1], key[0]]
            return picked.T if picked.ndim == 2 else picked
        rows, drop_r = _as_range(key[0], self.shape[0], "row")
        cols, drop_c = _as_range(key[1], self.shape[1], "column")
        out = np.full((len(rows), len(cols)), self._absent)
        for c in range(self._c_in):
            rp, rv = _within(rows, c * self._rows, self._rows)
            if not len(rp):
                continue
            for o in range(self._c_out):
                cp, cv = _within(cols, o * self._cols, self._cols)
                if not len(cp):
                    continue
                if self.same_group(c, o):
                    block = self._slice(c, o)[rv, cv]
                    out[rp.start : rp.stop : rp.step, cp.start : cp.stop : cp.step] = block
        if drop_r and drop_c:
            return np.asarray(out[0, 0])
        if drop_r:
            return out[0]
        if drop_c:
            return out[:, 0]
        return out

    def same_as(self, other: object) -> bool:
        """Whether ``other`` is a ChannelMatrix holding the same numbers (the same weight,
        input size, groups, call and absent value), told without building a block: after an edit
        of the input the new trace's W2 is the same, and a view need not redraw it."""
        return (
            isinstance(other, ChannelMatrix)
            and other.transposed == self.transposed
            and other.input_size == self.input_size
            and other._groups == self._groups
            and other._call == self._call
            and (
                other._absent == self._absent
                or (np.isnan(other._absent) and np.isnan(self._absent))
            )
            and other._w.shape == self._w.shape
            and bool(np.array_equal(other._w, self._w))
        )

    def to_array(self) -> np.ndarray:
        return self[:, :]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.to_array()
        return out if dtype is None else out.astype(dtype)
