"""W2 = W1ᵀ of a transposed convolution over several planes, built block by block.

With C_in input and C_out output channels, W2 is (C_in·H·W) × (C_out·H_out·W_out): a grid of
C_in × C_out blocks, block (c, o) the one-plane W2 of kernel slice ``w[c, o mod C_out/g]`` when
input channel c and output channel o are in the same group. The blocks of two different groups
are not weights at all: ``absent`` says what they hold (0 for arithmetic; NaN to draw them as
not there). Nothing is built until a block is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from tui_upsample.engine.conv_matrix import ConvMatrix, _as_range
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
    ) -> None:
        self._w = weight
        self._groups = groups
        self._call = dict(call)
        self._absent = float(absent)
        c_in, c_og = weight.shape[:2]
        self._c_in, self._c_out = c_in, c_og * groups
        self._slices: dict[Pair, ConvMatrix] = {}
        self.input_size = input_size
        self._rows, self._cols = self._slice(0, 0).shape

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
        return (self._c_in * self._rows, self._c_out * self._cols)

    @property
    def block_shape(self) -> tuple[int, int]:
        """The size of one channel block: (H·W, H_out·W_out)."""
        return (self._rows, self._cols)

    def __getitem__(self, key: Any) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key, slice(None))
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
        input size, groups, geometry and absent value), told without building a block: after an
        edit of the input the new trace's W2 is the same, and a view need not redraw it."""
        if not isinstance(other, ChannelMatrix):
            return False
        return (
            (self.input_size, self._groups, self._call, self._absent)
            == (other.input_size, other._groups, other._call, other._absent)
            and self._w.shape == other._w.shape
            and bool(np.array_equal(self._w, other._w))
        )

    def to_array(self) -> np.ndarray:
        return self[:, :]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.to_array()
        return out if dtype is None else out.astype(dtype)
