"""Practice: what a step hides when the learner predicts it, what the right answer is, and how an
answer is checked.

Every question is read from a step's structured data (its value, its output, input and argmax
cells, its partial output), never from its sentence:

* a step that writes one number asks for it, e.g. ``y[0,0] = ?`` (to the precision the screen
  shows: ``1.333`` is right for 4/3, ``1.33`` is not);
* max pooling then also asks which cell of x held the maximum (the first one, on a tie);
* nearest upsampling asks which cell of x is copied;
* max unpooling asks where in y the pooled value goes, bed of nails where the input value lands;
* the scatter face asks for one cell of its footprint after the scaled kernel is added.

An answer that is not a number (or not a cell, or not a size) is *refused*: a :class:`Verdict`
whose ``right`` is None, which a score does not count.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tui_upsample.engine.steps import (
    ARGMAX,
    INPUT,
    OUTPUT,
    READ,
    SCALED_KERNEL,
    WINDOW,
    WRITTEN,
    Cell,
    Step,
    Trace,
)
from tui_upsample.engine.text import MINUS, format_cell, format_number

VALUE = "value"
"""Type a number."""
POSITION = "position"
"""Point at a cell of a grid (arrows, a click, or ``row,col``)."""
SIZE = "size"
"""Type an output size, ``H×W`` (one number when both sides agree)."""


@dataclass(frozen=True)
class Ask:
    """One thing the learner is asked, and its answer.

    ``grid`` is the grid the answer is about (the output for a value; x or y for a position),
    ``cell`` the output cell asked about (a value) or the right cell (a position). ``answer``
    is the number (a value) and ``shown`` how the screen writes the answer; ``tolerance`` is
    half a unit of the last digit shown (0 for whole numbers). ``size`` is the right (H, W)
    of a size question; ``grid_shape`` the shape of the grid a position is picked in.
    """

    kind: str
    prompt: str
    grid: str = OUTPUT
    cell: Cell | None = None
    answer: float | None = None
    shown: str = ""
    tolerance: float = 0.0
    size: tuple[int, int] | None = None
    grid_shape: tuple[int, ...] = ()
    ties: tuple[Cell, ...] = ()
    """Max pooling: the other cells of the window that hold the maximum too."""


@dataclass(frozen=True)
class Question:
    """What predicting step ``step`` asks, and what the screen hides until it is answered.

    ``asks`` are asked in order. ``hidden`` are the cells drawn as ``?`` by grid (the output
    cell being predicted, the scaled kernel of a scatter); ``unmarked`` the (grid, role)
    highlights not drawn, since they would give the answer away (the argmax on x, the cell x
    is copied from, where an unpooled value goes). ``before`` is the output as it stood before
    the step, drawn instead of the step's partial output.
    """

    step: int
    asks: tuple[Ask, ...]
    before: np.ndarray
    hidden: Mapping[str, tuple[Cell, ...]] = field(default_factory=dict)
    unmarked: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Verdict:
    """What an answer earned: ``right`` True or False, or None when it was refused (not a
    number, a cell or a size); ``text`` says so in a sentence."""

    right: bool | None
    text: str


def _tolerance(shown: str) -> float:
    """Half a unit of the last digit of ``shown`` (``1.333`` → 0.0005; ``1.5e8`` → 5e6)."""
    mantissa, _, exponent = shown.replace(MINUS, "-").partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    scale = 10.0 ** int(exponent) if exponent else 1.0
    if decimals == 0 and not exponent:
        return 0.0
    return 0.5 * 10.0**-decimals * scale


def value_ask(prompt: str, cell: Cell, value: float) -> Ask:
    """A number to type: ``value``, right to the precision the screen shows it with."""
    shown = format_number(value)
    return Ask(VALUE, prompt, OUTPUT, cell, float(value), shown, _tolerance(shown))


def size_ask(prompt: str, size: tuple[int, int]) -> Ask:
    """An output size to type."""
    h, w = size
    shown = f"{h}×{w}"
    return Ask(SIZE, prompt, OUTPUT, None, None, shown, 0.0, (int(h), int(w)))


def _y(cell: Cell) -> str:
    return "y" + format_cell(cell)


def _x(cell: Cell) -> str:
    return "x" + format_cell(cell)


def _before(trace: Trace, k: int, step: Step) -> np.ndarray:
    """The output before step k: the step before's partial output, or what the first step
    starts from (zeros for the scatter, which adds into zeros; nothing written otherwise)."""
    if k > 0:
        return np.asarray(trace[k - 1].partial)
    start = 0.0 if trace.method == "scatter" else np.nan
    return np.full(np.shape(step.partial), start)


def question(trace: Trace, k: int) -> Question | None:
    """What predicting step ``k`` of ``trace`` asks (None: the step has nothing to predict)."""
    step = trace[k]
    before = _before(trace, k, step)
    out_shape = tuple(np.shape(step.partial))
    in_shape = tuple(np.shape(trace.input))
    op = trace.op
    if op == "max_unpool2d" and step.pooled_cell is not None and step.output_cells:
        target = step.output_cells[0]
        i, j = step.pooled_cell
        prompt = (
            f"where in y does pooled[{i},{j}] = {format_number(step.value or 0.0)} go?"
            f" (its index {_index_text(trace, step)} = row·W + col, W = {out_shape[-1]})"
        )
        ask = Ask(POSITION, prompt, OUTPUT, target, grid_shape=out_shape)
        hide = {(OUTPUT, WRITTEN), (OUTPUT, WINDOW), (INPUT, ARGMAX)}
        return Question(k, (ask,), before, {}, frozenset(hide))
    if op == "bed_of_nails" and step.input_cells and step.output_cells:
        source = step.input_cells[0]
        target = min(step.output_cells)
        value = float(trace.input[source])
        prompt = f"where in y does {_x(source)} = {format_number(value)} land?"
        ask = Ask(POSITION, prompt, OUTPUT, target, grid_shape=out_shape)
        return Question(k, (ask,), before, {}, frozenset({(OUTPUT, WRITTEN)}))
    if op == "upsample_nearest" and step.input_cells and step.output_cells:
        cell = step.output_cells[0]
        prompt = f"which cell of x does {_y(cell)} copy?"
        ask = Ask(POSITION, prompt, INPUT, step.input_cells[0], grid_shape=in_shape)
        return Question(k, (ask,), before, {OUTPUT: (cell,)}, frozenset({(INPUT, READ)}))
    if step.value is None:
        if step.scaled_kernel is None or not step.output_cells:
            return None
        cell = step.output_cells[0]
        value = float(step.partial[cell])
        prompt = f"after this step, {_y(cell)} = ?"
        ask = value_ask(prompt, cell, value)
        kernel = tuple(tuple(int(i) for i in c) for c in np.ndindex(*np.shape(step.scaled_kernel)))
        hidden = {OUTPUT: tuple(step.output_cells), SCALED_KERNEL: kernel}
        return Question(k, (ask,), before, hidden)
    if not step.output_cells:
        return None
    cell = step.output_cells[0]
    asks = [value_ask(f"{_y(cell)} = ?", cell, step.value)]
    unmarked: set[tuple[str, str]] = set()
    if op == "max_pool2d" and step.argmax is not None:
        window = [c for c in step.input_cells if c != step.argmax]
        ties = tuple(c for c in window if float(trace.input[c]) == float(trace.input[step.argmax]))
        asks.append(
            Ask(
                POSITION,
                "which cell of x held that maximum?",
                INPUT,
                step.argmax,
                grid_shape=in_shape,
                ties=ties,
            )
        )
        unmarked.add((INPUT, ARGMAX))
    return Question(k, tuple(asks), before, {OUTPUT: (cell,)}, frozenset(unmarked))


def _index_text(trace: Trace, step: Step) -> str:
    indices = getattr(trace, "indices", None)
    if indices is None or step.pooled_cell is None:
        return ""
    return str(int(indices[step.pooled_cell]))


# --------------------------------------------------------------------------------------------
# Reading and checking an answer
# --------------------------------------------------------------------------------------------

_CELL = re.compile(r"\s*[a-z]*\s*[\[(]?\s*(-?\d+)\s*[, ]\s*(-?\d+)\s*[\])]?\s*")
_SIZE = re.compile(r"\s*(\d+)\s*(?:[x×*, ]\s*(\d+))?\s*")


def read_number(text: str) -> float | None:
    """The finite number ``text`` spells (a real minus sign too), or None."""
    cleaned = text.strip().replace(MINUS, "-")
    if not cleaned or not re.fullmatch(r"[0-9eE+\-.]+", cleaned):
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_cell(text: str) -> Cell | None:
    """The (row, col) ``text`` spells: ``1,2``, ``1 2``, ``(1, 2)``, ``x[1,2]``; or None."""
    match = _CELL.fullmatch(text.lower())
    if not match:
        return None
    return (int(match.group(1)), int(match.group(2)))


def read_size(text: str) -> tuple[int, int] | None:
    """The size ``text`` spells: ``3x4``, ``3×4``, ``3,4``, ``3 4``, or ``3`` for 3×3."""
    match = _SIZE.fullmatch(text.lower())
    if not match:
        return None
    h = int(match.group(1))
    w = int(match.group(2)) if match.group(2) else h
    return (h, w)


def check(ask: Ask, text: str) -> Verdict:
    """Whether ``text`` answers ``ask`` (or why it is refused)."""
    typed = text.strip()
    if ask.kind == VALUE:
        value = read_number(typed)
        if value is None:
            what = f"{typed!r} is not a number" if typed else "nothing typed"
            return Verdict(None, f"{what}: type the value (e.g. 3, −1.5, 2e3), then Enter")
        assert ask.answer is not None and ask.cell is not None
        name = _y(ask.cell)
        if abs(value - ask.answer) <= ask.tolerance + 1e-12 * max(1.0, abs(ask.answer)):
            return Verdict(True, f"right: {name} = {ask.shown}")
        given = format_number(value)
        if ask.tolerance and given != ask.shown:
            digits = "the digits shown"
            return Verdict(False, f"not {given}: {name} = {ask.shown} (to {digits})")
        return Verdict(False, f"not {given}: {name} = {ask.shown}")
    if ask.kind == POSITION:
        cell = read_cell(typed)
        rows, cols = ask.grid_shape[-2:] if ask.grid_shape else (0, 0)
        grid = "x" if ask.grid == INPUT else "y"
        if cell is None:
            what = f"{typed!r} is not a cell" if typed else "no cell picked"
            return Verdict(
                None, f"{what}: move to it with the arrows (or type row,col), then Enter"
            )
        if not (0 <= cell[0] < rows and 0 <= cell[1] < cols):
            return Verdict(
                None,
                f"{grid}{format_cell(cell)} is outside {grid}: rows 0–{rows - 1},"
                f" columns 0–{cols - 1}",
            )
        assert ask.cell is not None
        right = grid + format_cell(ask.cell)
        if cell == ask.cell:
            return Verdict(True, f"right: {right}")
        if cell in ask.ties:
            return Verdict(
                False,
                f"not {grid}{format_cell(cell)}: it holds the maximum too, but PyTorch takes the"
                f" first maximum in the window, {right}",
            )
        return Verdict(False, f"not {grid}{format_cell(cell)}: {right}")
    size = read_size(typed)
    if size is None:
        what = f"{typed!r} is not a size" if typed else "nothing typed"
        return Verdict(None, f"{what}: type rows×cols (e.g. 3x3, or 3 when both agree)")
    assert ask.size is not None
    if size == ask.size:
        return Verdict(True, f"right: {ask.shown}")
    return Verdict(False, f"not {size[0]}×{size[1]}: the output is {ask.shown}")
