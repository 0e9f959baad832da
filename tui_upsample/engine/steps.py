"""What a step-through view shows: a lazy sequence of steps over a fixed set of grids.

A :class:`Trace` holds the grids an operator involves (the input, the kernel, the im2col matrix,
W2, the zero-inserted input, …) once, and builds each :class:`Step` only when it is asked for, so a
64×64 trace costs nothing per step until the learner looks at that step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, overload

import numpy as np

Cell = tuple[int, ...]
"""An index into a grid: ``(row, col)`` in a 2-D grid, ``(channel, row, col)`` in a 3-D one."""

# The names of the grids a trace can show. The step view draws ``trace.grids`` in this order and
# highlights, in each, the cells ``step.cells(name)`` returns.
INPUT = "input"
KERNEL = "kernel"
POOLED = "pooled"  # max_unpool2d: the pooled values that are put back
IM2COL = "im2col"  # conv2d: one row per window
KERNEL_VECTOR = "kernel_vector"  # conv2d: the kernel flattened into a column
MATRIX = "matrix"  # conv_transpose2d "matrix": W2 = W1ᵀ
SCALED_KERNEL = "scaled_kernel"  # conv_transpose2d "scatter": the kernel times one input value
PADDED = "padded"  # conv_transpose2d "direct": zeros inserted, then padded
ROTATED_KERNEL = "rotated_kernel"  # conv_transpose2d "direct": the kernel turned 180°
OUTPUT = "output"


class GridSource(Protocol):
    """A 2-D or 3-D block of numbers that can be sliced without being built whole."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    def __getitem__(self, key: Any) -> np.ndarray: ...


@dataclass(frozen=True)
class Grid:
    """One grid of a trace: what it is called on screen and its numbers."""

    name: str
    title: str
    values: GridSource
    note: str = ""


@dataclass(frozen=True)
class Step:
    """One step of an operator, with everything the view highlights.

    ``partial`` is the output as accumulated after this step (same shape as the result); cells that
    no step has written yet are NaN, except for operators that add into an output of zeros
    (the scatter view of transposed convolution, max unpooling), whose partial starts at zero.
    """

    index: int
    text: str
    partial: np.ndarray
    output_cells: tuple[Cell, ...] = ()
    input_cells: tuple[Cell, ...] = ()
    kernel_cells: tuple[Cell, ...] = ()
    argmax: Cell | None = None
    """max_pool2d / max_unpool2d: the input cell that held the window's maximum. A max_unpool2d
    trace unpools to x's own size, so this is also the output cell the value goes back to."""
    weights: tuple[float, ...] = ()
    """upsample_bilinear: the weight of each of ``input_cells``, in the same order."""
    im2col_row: int | None = None
    matrix_row: int | None = None
    matrix_column: int | None = None
    pooled_cell: Cell | None = None
    padded_cells: tuple[Cell, ...] = ()
    scaled_kernel: np.ndarray | None = None
    extra: Mapping[str, tuple[Cell, ...]] = field(default_factory=dict)
    """Further highlights, by grid name, for grids the fields above do not cover."""

    def cells(self, grid: str) -> tuple[Cell, ...]:
        """The cells of grid ``grid`` this step highlights."""
        if grid in self.extra:
            return self.extra[grid]
        if grid == INPUT:
            return self.input_cells
        if grid == KERNEL:
            return self.kernel_cells
        if grid == OUTPUT:
            return self.output_cells
        if grid == PADDED:
            return self.padded_cells
        if grid == POOLED:
            return (self.pooled_cell,) if self.pooled_cell is not None else ()
        if grid == IM2COL and self.im2col_row is not None:
            return ((self.im2col_row, -1),)  # -1: the whole row
        if grid == MATRIX:
            if self.matrix_column is not None:
                return ((-1, self.matrix_column),)  # -1: the whole column
            if self.matrix_row is not None:
                return ((self.matrix_row, -1),)
        return ()


class Trace(Sequence[Step]):
    """The steps of one operator applied to one input, built lazily.

    Subclasses set ``op``, ``params``, ``input`` and ``result``, list their grids in
    :meth:`_grids`, and build step ``k`` in :meth:`_step`.
    """

    op: str
    params: Mapping[str, Any]
    input: np.ndarray
    result: np.ndarray
    kernel: np.ndarray | None = None
    method: str | None = None

    def __len__(self) -> int:
        return self._count()

    @overload
    def __getitem__(self, k: int) -> Step: ...

    @overload
    def __getitem__(self, k: slice) -> list[Step]: ...

    def __getitem__(self, k: int | slice) -> Step | list[Step]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        n = len(self)
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
            raise TypeError(f"step index must be an integer, not {type(k).__name__}")
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError(f"step {k} is outside 0..{n - 1}")
        return self._step(int(k))

    def __iter__(self) -> Iterator[Step]:
        for k in range(len(self)):
            yield self._step(k)

    @cached_property
    def grids(self) -> tuple[Grid, ...]:
        """The grids the step view draws, in order (the output last, drawn from ``partial``)."""
        return tuple(self._grids())

    def grid(self, name: str) -> Grid | None:
        """The grid called ``name``, if this trace has one."""
        return next((g for g in self.grids if g.name == name), None)

    def values_at(self, name: str, step: Step) -> GridSource:
        """The numbers grid ``name`` shows at ``step``.

        Most grids are fixed; the output shows ``step.partial`` and the scatter view's scaled
        kernel shows ``step.scaled_kernel``.
        """
        if name == OUTPUT:
            return step.partial
        if name == SCALED_KERNEL and step.scaled_kernel is not None:
            return step.scaled_kernel
        grid = self.grid(name)
        if grid is None:
            raise KeyError(f"this {self.op} trace has no grid called {name!r}")
        return grid.values

    # For subclasses -------------------------------------------------------------------------
    def _count(self) -> int:
        raise NotImplementedError

    def _step(self, k: int) -> Step:
        raise NotImplementedError

    def _grids(self) -> Sequence[Grid]:
        raise NotImplementedError
