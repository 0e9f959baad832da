"""One transposed convolution, three faces: the scatter, the matrix product r · W2, and the direct
zero-inserted convolution, stepped together.

The compare layout steps **per output cell** y[i, j] (as the matrix and direct faces do). The
matrix face shows r times column k of W2; the direct face shows the window of the zero-inserted
input; the scatter face, which naturally steps per *input* value, shows its partial sum after the
fewest input values that finish y[0, 0] … y[i, j]: the last input value whose kernel footprint
reaches one of those cells. From then on those cells never change again, so all three faces show
the same numbers in them (the scatter face has other cells still half-added).

``trace("conv_transpose2d", r, weight=w, method="all")`` returns a :class:`ThreeFacesTrace`;
with channels (a (C_in, H, W) input, a (C_in, C_out/g, kH, kW) weight, ``groups=``) it returns a
:class:`ChannelThreeFacesTrace`, which steps through every output cell y[o, i, j] of every output
channel in turn: the scatter face then counts the input values of every input channel of o's
group, the matrix face's r is flattened over the channels and W2 has channel blocks, and the
direct face reads a window in every plane of the group (its kernel turned and its channel axes
swapped). Pure NumPy, like the rest of the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tui_upsample.engine.channel_matrix import ChannelMatrix
from tui_upsample.engine.channel_transposed import ChannelConvTranspose2dTrace
from tui_upsample.engine.conv_matrix import ConvMatrix
from tui_upsample.engine.convolution import conv2d
from tui_upsample.engine.geometry import TransposedGeometry
from tui_upsample.engine.steps import MATRIX, Cell, Grid, Step, Trace
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
    ``contributors`` are the input cells whose footprints reach ``cell``. With channels
    (:class:`ChannelThreeFacesTrace`) ``cell`` is (o, i, j) and the input cells (c, i, j).
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
    w1: ConvMatrix | ChannelMatrix
    r_back: np.ndarray
    r_back_grid: np.ndarray
    inverse: bool
    text: str


def _footprints(g: TransposedGeometry, in_hw: tuple[int, ...], k_hw: tuple[int, ...]) -> Any:
    """Per kernel tap (a, b): the output rows and columns every input cell of one plane puts it
    at, and which of them fall inside y (the same in every plane)."""
    h, w = in_hw
    ii, jj = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    for a in range(k_hw[0]):
        rows = ii * g.stride[0] + g.dilation[0] * a - g.crop[0]
        for b in range(k_hw[1]):
            cols = jj * g.stride[1] + g.dilation[1] * b - g.crop[1]
            keep = (rows >= 0) & (rows < g.output[0]) & (cols >= 0) & (cols < g.output[1])
            yield a, b, rows[keep], cols[keep], keep


def _last_reaching(
    g: TransposedGeometry, in_hw: tuple[int, ...], k_hw: tuple[int, ...]
) -> np.ndarray:
    """Per output cell of one plane, the flat index of the last input cell (row-major) whose
    kernel footprint reaches it; −1 where none does."""
    out = np.full(g.output, -1, dtype=np.int64)
    flat = np.arange(in_hw[0] * in_hw[1]).reshape(in_hw)
    for _, _, rows, cols, keep in _footprints(g, in_hw, k_hw):
        np.maximum.at(out, (rows, cols), flat[keep])
    return out


def _scatter_into(
    out: np.ndarray, x: np.ndarray, kernel: np.ndarray, g: TransposedGeometry
) -> None:
    """Add each value of plane ``x`` times ``kernel`` at its footprint in ``out`` (a tap at a
    time)."""
    for a, b, rows, cols, keep in _footprints(g, x.shape, kernel.shape):
        np.add.at(out, (rows, cols), x[keep] * kernel[a, b])


def _times(m: ConvMatrix, vector: np.ndarray) -> np.ndarray:
    """``vector @ m`` (flat): ``m`` built a block of columns at a time, or, when it is larger
    than a few blocks, from its nonzero entries only (each column's products added in row
    order, as the dense product adds them)."""
    rows, cols = m.shape
    if rows * cols > DENSE_PRODUCT:
        return m.times(vector)
    out = np.empty(cols)
    step = max(1, MATRIX_BLOCK // max(rows, 1))
    for c0 in range(0, cols, step):
        c1 = min(cols, c0 + step)
        out[c0:c1] = vector @ m[:, c0:c1]
    return out


def _convolve_plane(
    padded: np.ndarray, rotated: np.ndarray, dilation: tuple[int, int], out_hw: tuple[int, ...]
) -> np.ndarray:
    """The stride-1 convolution of one padded plane with one turned kernel: one conv2d call up
    to :data:`DIRECT_PRODUCTS` products, else a kernel tap at a time (a shifted slice of the
    padded plane times the tap), which needs no buffer of products."""
    kh, kw = rotated.shape
    oh, ow = out_hw
    if oh * ow * kh * kw <= DIRECT_PRODUCTS:
        return conv2d(padded, rotated, dilation=dilation)
    dh, dw = dilation
    out = np.zeros((oh, ow))
    for a in range(kh):
        for b in range(kw):
            out += rotated[a, b] * padded[a * dh : a * dh + oh, b * dw : b * dw + ow]
    return out


def cell_name(name: str, cell: Cell) -> str:
    """``name[i,j]``, or ``name[c,i,j]`` for a cell with a channel."""
    return f"{name}[{','.join(str(int(i)) for i in cell)}]"


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


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
        call = dict(stride=stride, padding=padding, output_padding=output_padding)
        self._take_faces(ConvTranspose2dTrace, x, weight=weight, dilation=dilation, **call)

    def _take_faces(self, face_trace: Any, x: Any, **call: Any) -> None:
        """Build the three faces with ``face_trace`` and take the matrix face's grids."""
        self.faces: dict[str, Any] = {face: face_trace(x, method=face, **call) for face in FACES}
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
        return _last_reaching(self.geometry, self.input.shape, self.kernel.shape)

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
        value = num(float(self.result[cell]))
        contributors = matrix.input_cells
        reach = self._reach_text(cell, contributors)
        text = (
            f"{cell_name('y', cell)} = {value} in all three faces; {reach}; the scatter face has"
            f" added {m + 1} of {total} input values"
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

    def _reach_text(self, cell: Cell, contributors: tuple[Cell, ...]) -> str:
        """Which input values' footprints reach output cell ``cell``."""
        if not contributors:
            return "no footprint reaches it"
        listed = ", ".join(cell_name("r", c) for c in contributors)
        if len(contributors) == 1:
            return f"only the footprint of {listed} reaches it"
        return f"the footprints of {listed} reach it"

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
        out = np.zeros(self.geometry.output)
        _scatter_into(out, self.input, self.kernel, self.geometry)
        return out

    def _by_matrix(self) -> np.ndarray:
        """r.ravel() @ W2: W2 built a block of columns at a time, or, when it is larger than a
        few blocks (a 1024×1024 output of a 64×64 r: 4 billion entries), from its nonzero
        entries only, each column's products added in row order as the dense product adds them."""
        return _times(self.matrix, self.input.ravel()).reshape(self.result.shape)

    def _by_direct(self) -> np.ndarray:
        """A stride-1 convolution of the zero-inserted, padded input with w turned 180°."""
        padded = self.faces["direct"].padded
        rotated = self.kernel[::-1, ::-1]
        return _convolve_plane(padded, rotated, self.geometry.dilation, self.result.shape)

    # The W1 side of the matrix face ---------------------------------------------------------
    @property
    def _w1(self) -> Any:
        """W1 = W2ᵀ, lazily."""
        return self.matrix.T

    def _back(self, x: np.ndarray) -> np.ndarray:
        """xᵀ · W1 (flat)."""
        w1 = self._w1
        if w1.shape[0] * w1.shape[1] <= MATRIX_BLOCK:
            return (x @ w1.to_array()).ravel()
        return _times(w1, x)

    @cached_property
    def w1_face(self) -> W1Face:
        """xᵀ · W1 = r′ with x the output r · W2 gave (see :class:`W1Face`)."""
        w1 = self._w1
        x = self.result.reshape(1, -1).copy()
        r_back = self._back(x[0]).reshape(1, -1)
        grid = r_back.reshape(self.input.shape)
        inverse = bool(np.allclose(grid, self.input, rtol=1e-12, atol=1e-12))
        n_in, n_out = self.input.size, self.result.size
        head = (
            f"xᵀ · W1 = r′: x is the {_shape_text(self.result.shape)} that r · W2 gave, flattened"
            f" (1×{n_out}); W1 = W2ᵀ ({n_out}×{n_in}) is the convolution's matrix"
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


class ChannelThreeFacesTrace(ThreeFacesTrace):
    """:class:`ThreeFacesTrace` over several planes: a (C_in, H, W) input, a (C_in, C_out/g, kH,
    kW) weight and ``groups``, stepped per output cell y[o, i, j] of each output channel in
    turn (o, then i, then j).

    The faces are :class:`~tui_upsample.engine.channel_transposed.ChannelConvTranspose2dTrace`'s.
    The scatter face's step is the last input value, over all input channels of o's group, whose
    footprint reaches y[0, 0, 0] … y[o, i, j]; the matrix face's is r (flattened over the
    channels) times column k of W2, made of channel blocks; the direct face's is the window of
    the zero-inserted input in every plane of the group times the kernel turned 180° with its
    channel axes swapped, summed. :attr:`agreement` compares the whole (C_out, H_out, W_out)
    output of each.
    """

    def __init__(
        self,
        x: Any,
        weight: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        dilation: Any = 1,
        groups: Any = 1,
        method: str = "all",
    ) -> None:
        call = dict(stride=stride, padding=padding, output_padding=output_padding)
        self._take_faces(
            ChannelConvTranspose2dTrace, x, weight=weight, dilation=dilation, groups=groups, **call
        )
        self.groups: int = self.faces["matrix"].groups

    @cached_property
    def matrix(self) -> ChannelMatrix:  # type: ignore[override]
        """W2 = W1ᵀ with its channel blocks, sliced lazily (the blocks of two groups 0)."""
        return self.faces["matrix"].matrix

    @cached_property
    def shown_matrix(self) -> ChannelMatrix:
        """W2 as drawn: the blocks of two different groups NaN (absent, not 0)."""
        grid = self.faces["matrix"].grid(MATRIX)
        assert grid is not None and isinstance(grid.values, ChannelMatrix)
        return grid.values

    @cached_property
    def last_contributor(self) -> np.ndarray:
        """Per output cell (o, i, j), the flat index into r (C_in·H·W, row-major) of the last
        input value whose footprint reaches it: in the last input channel of o's group, since
        every channel of the group reaches the same cells; −1 where no footprint does."""
        plane = _last_reaching(self.geometry, self.input.shape[1:], self.kernel.shape[2:])
        per_plane = int(np.prod(self.input.shape[1:]))
        out = np.empty(self.result.shape, dtype=np.int64)
        face = self.faces["matrix"]
        for o in range(self.result.shape[0]):
            last = face.inputs_of(o)[-1]
            out[o] = np.where(plane >= 0, last * per_plane + plane, -1)
        return out

    def _reach_text(self, cell: Cell, contributors: tuple[Cell, ...]) -> str:
        """The footprints that reach y[o, i, j]: the same cells in every plane of o's group."""
        ins = self.faces["matrix"].inputs_of(cell[0])
        cells = sorted({(i, j) for _, i, j in contributors})
        if not cells:
            return "no footprint reaches it"
        if len(ins) == 1:
            listed = ", ".join(cell_name("r", (ins[0], i, j)) for i, j in cells)
            plural = len(cells) > 1
        else:
            listed = ", ".join(f"r[c,{i},{j}]" for i, j in cells)
            listed += f" for c = {ins[0]}…{ins[-1]}"
            plural = True
        if plural:
            return f"the footprints of {listed} reach it"
        return f"only the footprint of {listed} reaches it"

    def _by_scatter(self) -> np.ndarray:
        """Each input value times each slice w[c, o'] of its group, added at its footprint in
        output channel o (one tap at a time)."""
        face = self.faces["scatter"]
        out = np.zeros(self.result.shape)
        for c, plane in enumerate(self.input):
            outs = face.outputs_of(c)
            for o in outs:
                _scatter_into(out[o], plane, self.kernel[c, o - outs.start], self.geometry)
        return out

    def _by_matrix(self) -> np.ndarray:
        """r.ravel() @ W2, a channel block at a time: y[o] is Σ over the input channels c of
        o's group of r[c].ravel() @ block (c, o) (the blocks of other groups are 0)."""
        face, m = self.faces["matrix"], self.matrix
        out = np.zeros(self.result.shape)
        for o in range(self.result.shape[0]):
            for c in face.inputs_of(o):
                out[o] += _times(m.block(c, o), self.input[c].ravel()).reshape(out.shape[1:])
        return out

    def _by_direct(self) -> np.ndarray:
        """A stride-1 convolution of every zero-inserted, padded plane of o's group with the
        kernel turned 180°, channel axes swapped, summed over the group."""
        face = self.faces["direct"]
        padded, turned = face.padded, face.direct_kernel
        out = np.zeros(self.result.shape)
        for o in range(self.result.shape[0]):
            ins = face.inputs_of(o)
            for c in ins:
                out[o] += _convolve_plane(
                    padded[c], turned[o, c - ins.start], self.geometry.dilation, out.shape[1:]
                )
        return out

    @property
    def _w1(self) -> ChannelMatrix:
        return self.matrix.T

    def _back(self, x: np.ndarray) -> np.ndarray:
        """xᵀ · W1 a channel block at a time: r′[c] is Σ over the output channels o of c's
        group of x[o] @ block (c, o)ᵀ."""
        face, m = self.faces["matrix"], self.matrix
        per_out = x.reshape(self.result.shape)
        back = np.zeros(self.input.shape)
        for c in range(self.input.shape[0]):
            for o in face.outputs_of(c):
                block = m.block(c, o).T
                back[c] += _times(block, per_out[o].ravel()).reshape(back.shape[1:])
        return back.ravel()
