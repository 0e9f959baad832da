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

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.validation import as_grid, non_negative_pair

Cell = tuple[int, ...]
"""An index into a grid: ``(row, col)`` in a 2-D grid, ``(channel, row, col)`` in a 3-D one,
``(out, in, row, col)`` in a 4-D kernel (PyTorch's weight layout of the operator)."""

# The names of the grids a trace can show. The step view draws ``trace.grids`` in this order and
# highlights, in each, the cells ``step.cells(name)`` returns.
INPUT = "input"
KERNEL = "kernel"
POOLED = "pooled"  # max_unpool2d: the pooled values that are put back
IM2COL = "im2col"  # conv2d: one row per window
KERNEL_VECTOR = "kernel_vector"  # conv2d: the kernel flattened into a column
MATRIX = "matrix"  # conv_transpose2d "matrix": W2 = W1ᵀ
SCALED_KERNEL = "scaled_kernel"  # conv_transpose2d "scatter": the kernel times one input value
PADDED = "padded"  # conv_transpose2d "direct": zeros inserted (stride > 1), then padded
ROTATED_KERNEL = "rotated_kernel"  # conv_transpose2d "direct": the kernel turned 180°
INDICES = "indices"  # max_unpool2d: the argmax positions remembered by the pooling
OUTPUT = "output"


class GridSource(Protocol):
    """A 2-D or 3-D block of numbers that can be sliced without being built whole."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    def __getitem__(self, key: Any) -> np.ndarray: ...


# The roles a highlighted cell plays in a step. The UI maps each role to one style; the names say
# what a cell means, not how it looks.
READ = "read"
"""A cell the step reads: a window's cells, a kernel tap, a row of im2col, a column of W2."""
ARGMAX = "argmax"
"""The window's maximum (pooling), or the pooled value that is put back (unpooling)."""
OTHER_READ = "other_read"
"""A cell the other channel order would read instead (pixel shuffle: what TensorFlow's dcr
takes where PyTorch's crd takes the read cell, or the other way round)."""
WRITTEN = "written"
"""An output cell the step writes (or adds to)."""
FILLED = "filled"
"""An output cell filled with its window's maximum without being the argmax (max unpooling's
``fill="max"``, the seed's variant), as against the one cell the maximum is put back at."""
WINDOW = "window"
"""A cell the window covers whose value is not read as such (unpooling's cells that stay 0)."""
PADDING = "padding"
"""A zero of the padded input that is padding: a whole row or column outside the input's span."""
INSERTED = "inserted"
"""A zero inserted between the input's values (stride − 1 of them between two neighbours)."""
ROLES: tuple[str, ...] = (WRITTEN, ARGMAX, FILLED, READ, OTHER_READ, WINDOW, PADDING, INSERTED)
"""Every role, strongest first: a cell in several is drawn in the first (so a padding column
crossing an inserted row is padding, and a cell a step reads is read, whatever zero it is)."""


@dataclass(frozen=True)
class Mark:
    """Cells of one grid that play one role in a step.

    A cell ``(r, c)``; ``(r, -1)`` is the whole row r, ``(-1, c)`` the whole column c.
    """

    grid: str
    role: str
    cells: tuple[Cell, ...]

    @property
    def planes(self) -> tuple[tuple[int, ...], ...]:
        """The planes this mark's cells are on, in order of first appearance: ``()`` for a 2-D
        grid, ``(channel,)`` for a 3-D one, ``(out, in)`` (PyTorch's weight layout) for a 4-D
        kernel. A cell's leading indices name its plane, the last two its row and column."""
        return tuple(dict.fromkeys(tuple(cell[:-2]) for cell in self.cells))

    @property
    def channels(self) -> tuple[int, ...]:
        """The channels of a 3-D grid this mark's cells are on (none for a 2-D grid)."""
        return tuple(plane[0] for plane in self.planes if len(plane) == 1)

    def on(self, plane: tuple[int, ...] | int = ()) -> tuple[Cell, ...]:
        """The (row, col) cells of this mark on one plane (a channel number, or the leading
        indices of a 4-D kernel's slice; ``()`` in a 2-D grid)."""
        key = (plane,) if isinstance(plane, int) else tuple(plane)
        return tuple(cell[-2:] for cell in self.cells if tuple(cell[:-2]) == key)


def _covers(cell: Cell, target: Cell) -> bool:
    """Whether mark cell ``cell`` (a cell, a whole row or a whole column) covers ``target``."""
    if len(cell) == 2 and cell[1] == -1:
        return target[-2] == cell[0]
    if len(cell) == 2 and cell[0] == -1:
        return target[-1] == cell[1]
    return tuple(cell) == tuple(target)


def role_at(marks: Sequence[Mark], grid: str, cell: Cell) -> str | None:
    """The role cell ``cell`` of grid ``grid`` plays under ``marks``: the strongest of those that
    cover it (see :data:`ROLES`), or None for a cell no mark covers."""
    found = {m.role for m in marks if m.grid == grid and any(_covers(c, cell) for c in m.cells)}
    return next((role for role in ROLES if role in found), None)


@dataclass(frozen=True)
class Block:
    """One channel block of a matrix grid: the rows and columns that join input channel
    ``input_channel`` to output channel ``output_channel``.

    ``weight`` is the index of the kernel slice the block holds, in PyTorch's weight layout of
    the operator ((o, c') for conv2d, (c, o') for conv_transpose2d); None for a block of two
    different groups (absent: no slice joins them) and for a block that holds no weights at all
    (im2col's windows of one input channel, whose ``output_channel`` is None).
    """

    rows: range
    cols: range
    input_channel: int
    output_channel: int | None = None
    weight: tuple[int, int] | None = None

    @property
    def absent(self) -> bool:
        """Whether the block joins two channels of different groups (drawn as not there)."""
        return self.output_channel is not None and self.weight is None

    @property
    def T(self) -> Block:  # noqa: N802 - as ndarray.T
        """The same block in the transposed matrix (W1 = W2ᵀ): rows and columns swapped."""
        return Block(self.cols, self.rows, self.input_channel, self.output_channel, self.weight)


@dataclass(frozen=True)
class Blocks:
    """How a matrix grid is cut into channel blocks: bands of ``row_size`` rows, each cut into
    blocks of ``col_size`` columns; ``cells`` lists every block, band by band."""

    row_size: int
    col_size: int
    cells: tuple[Block, ...]
    rows_are: str = ""
    """"input" when each band is the rows of one input channel, "output" of one output
    channel, "" when a band spans channels (im2col's windows)."""
    cols_are: str = ""
    """The same for the blocks of a band: "input", "output" or ""."""

    @property
    def T(self) -> Blocks:  # noqa: N802 - as ndarray.T
        """The blocks of the transposed matrix, band by band."""
        moved = sorted((b.T for b in self.cells), key=lambda b: (b.rows.start, b.cols.start))
        return Blocks(self.col_size, self.row_size, tuple(moved), self.cols_are, self.rows_are)

    def band_channel(self, band: int) -> int | None:
        """The channel (see ``rows_are``) whose rows band ``band`` holds, or None."""
        first = next((b for b in self.cells if b.rows.start == band * self.row_size), None)
        if first is None or not self.rows_are:
            return None
        return first.input_channel if self.rows_are == "input" else first.output_channel

    def at(self, row: int, col: int) -> Block | None:
        """The block holding entry (row, col), or None outside the matrix."""
        return next((b for b in self.cells if row in b.rows and col in b.cols), None)


@dataclass(frozen=True)
class Grid:
    """One grid of a trace: what it is called on screen and its numbers.

    ``marks`` are roles its cells play at every step (which zeros of the direct face's padded
    input were inserted and which are padding), drawn under the step's own highlights.
    ``blocks``: for a matrix over several channels (im2col, the kernel as columns, W2), its
    channel blocks.
    """

    name: str
    title: str
    values: GridSource
    note: str = ""
    marks: tuple[Mark, ...] = ()
    blocks: Blocks | None = None


@dataclass(frozen=True)
class Step:
    """One step of an operator: the arithmetic a learner reads, in parts, and what it highlights.

    ``arithmetic`` is the line of arithmetic (``y[1,1] = 1·2 + 2·(−1) = 0``), ``rule`` why these
    cells and not others (shown in parentheses), ``notes`` what else is worth knowing about this
    step; ``text`` puts them together. ``value`` is the number written (None when a step adds a
    whole block), ``terms`` the products summed into it and ``operands`` the numbers compared or
    averaged. ``marks`` says which cells of which grid play which role.

    ``partial`` is the output as accumulated after this step (same shape as the result); cells that
    no step has written yet are NaN, except for operators that add into an output of zeros
    (the scatter view of transposed convolution), whose partial starts at zero.

    The cell fields below are the same highlights by grid, kept for code that reads them directly.
    """

    index: int
    arithmetic: str
    partial: np.ndarray
    rule: str = ""
    notes: tuple[str, ...] = ()
    value: float | None = None
    terms: tuple[tuple[float, float], ...] = ()
    """The (factor, value) products whose sum is ``value``, in the order the arithmetic shows."""
    operands: tuple[float, ...] = ()
    """The numbers a max or a mean is taken of, in the order the arithmetic shows."""
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
    window_cells: tuple[Cell, ...] = ()
    """Output cells the step's window covers and leaves 0 (max unpooling's ``fill="zeros"``)."""
    filled_cells: tuple[Cell, ...] = ()
    """Output cells the step fills with its window's maximum (max unpooling's ``fill="max"``)."""
    other_order_cells: tuple[Cell, ...] = ()
    """Input cells the other channel order reads for the same output cell (pixel shuffle)."""

    @property
    def text(self) -> str:
        """The whole line: the arithmetic, then the rule in parentheses, then the notes."""
        text = self.arithmetic
        if self.rule:
            text += f"   ({self.rule})"
        for note in self.notes:
            text += f"; {note}"
        return text

    @cached_property
    def marks(self) -> tuple[Mark, ...]:
        """Every highlighted cell, by grid and role."""
        marks = [
            Mark(OUTPUT, WRITTEN, self.output_cells),
            Mark(OUTPUT, FILLED, self.filled_cells),
            Mark(OUTPUT, WINDOW, self.window_cells),
            Mark(INPUT, READ, self.input_cells),
            Mark(INPUT, OTHER_READ, self.other_order_cells),
            Mark(KERNEL, READ, self.kernel_cells),
            Mark(PADDED, READ, self.padded_cells),
        ]
        if self.argmax is not None:
            marks.append(Mark(INPUT, ARGMAX, (self.argmax,)))
        if self.pooled_cell is not None:
            marks.append(Mark(POOLED, ARGMAX, (self.pooled_cell,)))
        if self.im2col_row is not None:
            marks.append(Mark(IM2COL, READ, ((self.im2col_row, -1),)))
        if self.matrix_column is not None:
            marks.append(Mark(MATRIX, READ, ((-1, self.matrix_column),)))
        elif self.matrix_row is not None:
            marks.append(Mark(MATRIX, READ, ((self.matrix_row, -1),)))
        marks.extend(Mark(grid, READ, cells) for grid, cells in self.extra.items())
        return tuple(m for m in marks if m.cells)

    def cells(self, grid: str, role: str | None = None) -> tuple[Cell, ...]:
        """The cells of grid ``grid`` this step highlights (in ``role`` only, if given).

        Without a role: what the step reads there (for the output, what it writes).
        """
        if role is None:
            role = WRITTEN if grid == OUTPUT else READ
        if grid == POOLED and role == READ:
            role = ARGMAX
        found: list[Cell] = []
        for mark in self.marks:
            if mark.grid == grid and mark.role == role:
                found.extend(mark.cells)
        return tuple(found)

    def channels(self, grid: str, role: str | None = None) -> tuple[int, ...]:
        """The channels of 3-D grid ``grid`` this step highlights (in ``role`` only, if given):
        which planes it reads, or for the output which it writes. Empty for a 2-D grid."""
        return Mark(grid, role or "", self.cells(grid, role)).channels


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

    step_roles: tuple[str, ...] = (WRITTEN, READ)
    """The roles this trace's steps mark (a subclass whose steps mark others says so)."""

    @cached_property
    def roles(self) -> tuple[str, ...]:
        """The roles this trace's cells play, strongest first: what a legend of it names."""
        found = set(self.step_roles) | {m.role for g in self.grids for m in g.marks}
        return tuple(role for role in ROLES if role in found)

    def source_channels(self, name: str) -> np.ndarray | None:
        """For grid ``name``, the channel each cell comes from where an operator moves values
        between channels (pixel shuffle), as an int array of the grid's shape; else None."""
        return None

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


def plane(name: str, value: Any) -> np.ndarray:
    arr = as_grid(name, value)
    if arr.ndim != 2:
        raise EngineError(f"{name} has shape {arr.shape}: a trace follows one 2-D plane (H, W)")
    return arr


def kernel_plane(value: Any) -> np.ndarray:
    if value is None:
        raise EngineError("weight=None: a convolution needs a 2-D kernel")
    return plane("weight", value)


def padding_param(padding: Any) -> Any:
    return padding if isinstance(padding, str) else non_negative_pair("padding", padding)


def written_before(result: np.ndarray, k: int) -> np.ndarray:
    """The result with every cell after flat position ``k`` not yet written (NaN)."""
    partial = np.array(result, dtype=np.float64, copy=True, order="C")  # reshape(-1): a view
    partial.reshape(-1)[k + 1 :] = np.nan
    return partial


class CellByCellTrace(Trace):
    """A trace whose step k writes output cell k in row-major order."""

    def _count(self) -> int:
        return int(self.result.size)

    def _partial(self, k: int) -> np.ndarray:
        return written_before(self.result, k)

    def _output_cell(self, k: int) -> Cell:
        return tuple(int(i) for i in np.unravel_index(k, self.result.shape))
