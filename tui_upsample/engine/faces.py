"""One transposed convolution, three faces: the scatter, the matrix product r · W2, and the direct
zero-inserted convolution, stepped together.

The compare layout steps **per output cell** y[i, j] (as the matrix and direct faces do). The
matrix face shows r times column k of W2; the direct face shows the window of the zero-inserted
input; the scatter face, which naturally steps per *input* value, shows its partial sum after the
fewest input values that finish y[0, 0] … y[i, j]: the last input value whose kernel footprint
reaches one of those cells. From then on those cells never change again, so all three faces show
the same numbers in them (the scatter face has other cells still half-added).

``trace("conv_transpose2d", r, weight=w, method="all")`` returns a :class:`ThreeFacesTrace`.
Pure NumPy, like the rest of the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tui_upsample.engine.conv_matrix import ConvMatrix
from tui_upsample.engine.convolution import conv2d
from tui_upsample.engine.steps import Cell, Grid, Step, Trace
from tui_upsample.engine.text import format_number as num
from tui_upsample.engine.transposed import ConvTranspose2dTrace

FACES: tuple[str, ...] = ("scatter", "matrix", "direct")
"""The three ways of computing one transposed convolution, in the order they are shown."""

MATRIX_BLOCK = 1 << 21
"""Entries of W2 built at a time when multiplying r · W2 (a 64×64 input never builds it whole)."""

DENSE_PRODUCT = 1 << 25
"""Past this many entries, r · W2 and xᵀ · W1 are computed from the matrix's nonzero entries
only (the same sums in the same order; building billions of zeros took seconds)."""

DIRECT_PRODUCTS = 1 << 22
"""Up to this many products (output cells × kernel taps) the direct face is one conv2d call."""


@dataclass(frozen=True, eq=False)
class Agreement:
    """The three faces' outputs, each computed its own way, and whether they are the same.

    ``outputs["scatter"]`` adds r[i, j]·w at every footprint, ``outputs["matrix"]`` is
    r.ravel() @ W2 reshaped, ``outputs["direct"]`` is the stride-1 convolution of the
    zero-inserted, padded input with the kernel turned 180°. ``identical`` is True when the
    three are equal bit for bit; ``max_difference`` is the largest absolute difference between
    any two (0.0 when identical).
    """

    outputs: Mapping[str, np.ndarray]
    identical: bool
    max_difference: float
    text: str


@dataclass(frozen=True)
class FacesStep:
    """Output cell ``cell`` (flat index ``index``) seen by all three faces.

    ``scatter`` is the scatter trace's step after its input value ``scattered - 1`` (the last
    one that reaches y[0, 0] … ``cell``); when no input value reaches any of them yet,
    ``scattered`` is 0 and ``scatter`` is a step with an all-zero partial sum.
    ``contributors`` are the input cells whose footprints reach ``cell``.
    """

    index: int
    cell: Cell
    scatter: Step
    scattered: int
    matrix: Step
    direct: Step
    contributors: tuple[Cell, ...]
    text: str


@dataclass(frozen=True, eq=False)
class W1Face:
    """The other side of the matrix face: the convolution whose matrix W1 is W2ᵀ.

    As the seed writes it: xᵀ · W1 = r′, with x the transposed convolution's output (flattened,
    1 × H_out·W_out) and W1 = W2ᵀ (H_out·W_out × H·W). ``r_back`` is r′ (1 × H·W) and
    ``r_back_grid`` the same numbers in r's shape. ``inverse`` says whether r′ happens to equal
    r: in general it does not — W1ᵀ is the transpose of W1, not its inverse.
    """

    x: np.ndarray
    w1: ConvMatrix
    r_back: np.ndarray
    r_back_grid: np.ndarray
    inverse: bool
    text: str


class ThreeFacesTrace(Trace):
    """A transposed convolution stepped per output cell through its scatter, matrix and direct
    faces at once (see the module docstring for what "the same step" means).

    As a plain :class:`Trace` it is the matrix face (its grids and steps), so any step view can
    draw it; :meth:`at` gives all three faces of a step.
    """

    op = "conv_transpose2d"
    method = "all"
    kernel: np.ndarray  # always set by __init__, from the matrix face's kernel

    def __init__(
        self,
        x: Any,
        weight: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        dilation: Any = 1,
        method: str = "all",
    ) -> None:
        call = dict(
            weight=weight,
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            dilation=dilation,
        )
        self.faces: dict[str, ConvTranspose2dTrace] = {
            face: ConvTranspose2dTrace(x, method=face, **call) for face in FACES
        }
        base = self.faces["matrix"]
        self.input = base.input
        self.kernel = base.kernel
        self.result = base.result
        self.geometry = base.geometry
        self.params = {**base.params, "method": "all"}

    # A plain trace: the matrix face ---------------------------------------------------------
    def _count(self) -> int:
        return int(self.result.size)

    def _step(self, k: int) -> Step:
        return self.faces["matrix"][k]

    def _grids(self) -> Sequence[Grid]:
        return self.faces["matrix"].grids

    @property
    def matrix(self) -> ConvMatrix:
        """W2 = W1ᵀ, sliced lazily."""
        return self.faces["matrix"].matrix

    # All three faces ------------------------------------------------------------------------
    @cached_property
    def last_contributor(self) -> np.ndarray:
        """Per output cell, the flat index of the last input value (row-major) whose kernel
        footprint reaches it; −1 where none does (rows kept by output_padding past every
        footprint, or holes between dilated taps)."""
        g = self.geometry
        h, w = self.input.shape
        kh, kw = self.kernel.shape
        out = np.full(g.output, -1, dtype=np.int64)
        ii, jj = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        flat = ii * w + jj
        for a in range(kh):
            rows = ii * g.stride[0] + g.dilation[0] * a - g.crop[0]
            for b in range(kw):
                cols = jj * g.stride[1] + g.dilation[1] * b - g.crop[1]
                keep = (rows >= 0) & (rows < g.output[0]) & (cols >= 0) & (cols < g.output[1])
                np.maximum.at(out, (rows[keep], cols[keep]), flat[keep])
        return out

    @cached_property
    def _finished_by(self) -> np.ndarray:
        """Per flat output index k: the last input value needed to finish cells 0 … k."""
        return np.maximum.accumulate(self.last_contributor.ravel())

    def scatter_step_for(self, k: int) -> int:
        """The scatter face's step for output cell ``k`` (−1: nothing scattered yet)."""
        return int(self._finished_by[k])

    def at(self, k: int) -> FacesStep:
        """Step ``k`` (output cell k, row-major) in all three faces."""
        n = len(self)
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 0 <= k < n:
            raise IndexError(f"step {k!r} is outside 0..{n - 1}")
        k = int(k)
        matrix = self.faces["matrix"][k]
        direct = self.faces["direct"][k]
        cell = matrix.output_cells[0]
        m = self.scatter_step_for(k)
        total = self.input.size
        if m >= 0:
            scatter = self.faces["scatter"][m]
        else:
            scatter = Step(
                index=-1,
                arithmetic="no input value's footprint reaches these cells: nothing scattered yet",
                partial=np.zeros(self.result.shape),
            )
        target = f"y[{cell[0]},{cell[1]}]"
        value = num(float(self.result[cell]))
        contributors = matrix.input_cells
        if contributors:
            listed = ", ".join(f"r[{i},{j}]" for i, j in contributors)
            if len(contributors) == 1:
                reach = f"only the footprint of {listed} reaches it"
            else:
                reach = f"the footprints of {listed} reach it"
        else:
            reach = "no footprint reaches it"
        text = (
            f"{target} = {value} in all three faces; {reach}; the scatter face has added "
            f"{m + 1} of {total} input values"
        )
        return FacesStep(
            index=k,
            cell=cell,
            scatter=scatter,
            scattered=m + 1,
            matrix=matrix,
            direct=direct,
            contributors=contributors,
            text=text,
        )

    # The three outputs, each computed its own way -------------------------------------------
    @cached_property
    def agreement(self) -> Agreement:
        """The three faces' full outputs and whether they are identical."""
        outputs = {
            "scatter": self._by_scatter(),
            "matrix": self._by_matrix(),
            "direct": self._by_direct(),
        }
        diff = 0.0
        identical = True
        for a in FACES:
            for b in FACES:
                if a < b:
                    identical &= bool(np.array_equal(outputs[a], outputs[b]))
                    if outputs[a].size:
                        diff = max(diff, float(np.max(np.abs(outputs[a] - outputs[b]))))
        shape = "×".join(str(s) for s in self.result.shape)
        cells = self.result.size
        if identical:
            text = (
                f"scatter = matrix = direct: the same {shape} output, all {cells} cells "
                "identical, bit for bit"
            )
        elif diff <= 1e-9 * max(1.0, float(np.max(np.abs(self.result)))):
            text = (
                f"scatter ≈ matrix ≈ direct: the same {shape} output up to rounding (largest "
                f"difference {diff:.1e}: the faces add the same products in different orders)"
            )
        else:  # pragma: no cover - would mean the engine is wrong
            text = f"the faces disagree: largest difference {diff:g}"
        frozen = {}
        for name, arr in outputs.items():
            arr.setflags(write=False)
            frozen[name] = arr
        return Agreement(outputs=frozen, identical=identical, max_difference=diff, text=text)

    def _by_scatter(self) -> np.ndarray:
        """Each input value times the kernel, added at its footprint (one tap at a time)."""
        g = self.geometry
        h, w = self.input.shape
        kh, kw = self.kernel.shape
        out = np.zeros(g.output)
        ii, jj = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        for a in range(kh):
            rows = ii * g.stride[0] + g.dilation[0] * a - g.crop[0]
            for b in range(kw):
                cols = jj * g.stride[1] + g.dilation[1] * b - g.crop[1]
                keep = (rows >= 0) & (rows < g.output[0]) & (cols >= 0) & (cols < g.output[1])
                np.add.at(out, (rows[keep], cols[keep]), self.input[keep] * self.kernel[a, b])
        return out

    def _by_matrix(self) -> np.ndarray:
        """r.ravel() @ W2: W2 built a block of columns at a time, or, when it is larger than a
        few blocks (a 1024×1024 output of a 64×64 r: 4 billion entries), from its nonzero
        entries only, each column's products added in row order as the dense product adds them."""
        m = self.matrix
        rows, cols = m.shape
        r = self.input.ravel()
        if rows * cols > DENSE_PRODUCT:
            return m.times(r).reshape(self.result.shape)
        out = np.empty(cols)
        step = max(1, MATRIX_BLOCK // max(rows, 1))
        for c0 in range(0, cols, step):
            c1 = min(cols, c0 + step)
            out[c0:c1] = r @ m[:, c0:c1]
        return out.reshape(self.result.shape)

    def _by_direct(self) -> np.ndarray:
        """A stride-1 convolution of the zero-inserted, padded input with w turned 180°; past
        :data:`DIRECT_PRODUCTS` products, one kernel tap at a time (a shifted slice of the padded
        input times the tap), which needs no buffer of products."""
        padded = self.faces["direct"].padded
        rotated = self.kernel[::-1, ::-1]
        kh, kw = rotated.shape
        oh, ow = self.result.shape
        if oh * ow * kh * kw <= DIRECT_PRODUCTS:
            return conv2d(padded, rotated, dilation=self.geometry.dilation)
        dh, dw = self.geometry.dilation
        out = np.zeros((oh, ow))
        for a in range(kh):
            for b in range(kw):
                out += rotated[a, b] * padded[a * dh : a * dh + oh, b * dw : b * dw + ow]
        return out

    # The W1 side of the matrix face ---------------------------------------------------------
    @cached_property
    def w1_face(self) -> W1Face:
        """xᵀ · W1 = r′ with x the output r · W2 gave (see :class:`W1Face`)."""
        w1 = self.matrix.T
        x = self.result.reshape(1, -1).copy()
        if w1.shape[0] * w1.shape[1] <= MATRIX_BLOCK:
            r_back = x @ w1.to_array()
        elif w1.shape[0] * w1.shape[1] > DENSE_PRODUCT:
            r_back = w1.times(x[0]).reshape(1, -1)
        else:
            r_back = np.empty((1, w1.shape[1]))
            step = max(1, MATRIX_BLOCK // max(w1.shape[0], 1))
            for c0 in range(0, w1.shape[1], step):
                c1 = min(w1.shape[1], c0 + step)
                r_back[0, c0:c1] = x[0] @ w1[:, c0:c1]
        grid = r_back.reshape(self.input.shape)
        inverse = bool(np.allclose(grid, self.input, rtol=1e-12, atol=1e-12))
        h, w = self.input.shape
        oh, ow = self.result.shape
        head = (
            f"xᵀ · W1 = r′: x is the {oh}×{ow} that r · W2 gave, flattened (1×{oh * ow}); "
            f"W1 = W2ᵀ ({oh * ow}×{h * w}) is the convolution's matrix"
        )
        if inverse:
            tail = "here r′ = r — a coincidence of these numbers, not a rule"
        else:
            tail = (
                "r′ ≠ r: multiplying by W1 does not undo r · W2 — the transpose is not the "
                "inverse, which is why 'deconvolution' is a misleading name"
            )
        for arr in (x, r_back, grid):
            arr.setflags(write=False)
        return W1Face(
            x=x, w1=w1, r_back=r_back, r_back_grid=grid, inverse=inverse, text=f"{head}; {tail}"
        )
