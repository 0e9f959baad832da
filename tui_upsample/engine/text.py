"""How the engine writes numbers, cells, pairs and lists in the lines a learner reads.

One number formatter and one minus sign for every step, formula and lesson.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tui_upsample.engine.validation import Pair

MINUS = "\u2212"  # a real minus sign reads better than a hyphen in formulas


EMPTY = "·"
"""How a cell that no step has written yet (NaN) is written."""


def _tidy_exponent(text: str) -> str:
    """'1.235e+06' → '1.235e6', '4.5e-05' → '4.5e-5'."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def format_number(value: float, digits: int = 4) -> str:
    """A number as every line and cell writes it: ``3``, ``0.25``, ``−1.333``, ``1.5e8``.

    Integers as integers, others with at most ``digits`` significant digits, very large or very
    small ones in e-notation, NaN (nothing written yet) as ``·``, and a real minus sign.

    Every step writes the same inputs and weights again, so the texts are kept: numbers equal
    as keys (0.0 and −0.0, 2 and 2.0) write the same text.
    """
    try:
        return _format_kept(value, digits)
    except TypeError:  # an unhashable value, such as a 0-d array
        return _format_number(value, digits)


def _format_number(value: float, digits: int) -> str:
    v = float(value)
    if math.isnan(v):
        return EMPTY
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    if v == int(v) and abs(v) < 1e6:
        text = str(int(v))
    elif abs(v) >= 1e6 or abs(v) < 1e-3:
        text = _tidy_exponent(f"{v:.{max(digits - 1, 0)}e}")
    else:
        text = _tidy_exponent(f"{v:.{digits}g}")
    return text.replace("-", MINUS)


_format_kept = functools.lru_cache(maxsize=8192)(_format_number)


def format_factor(value: float) -> str:
    """A number as one factor of a product: negative ones in parentheses, ``(−1)``."""
    text = format_number(value)
    return f"({text})" if text.startswith(MINUS) else text


def format_cell(cell: tuple[int, ...]) -> str:
    """``[1,2]`` for the cell (1, 2)."""
    return "[" + ",".join(str(i) for i in cell) + "]"


def dot_text(target: str, pairs: Sequence[tuple[float, float]], value: float) -> str:
    terms = " + ".join(f"{format_factor(a)}·{format_factor(b)}" for a, b in pairs) if pairs else "0"
    return f"{target} = {terms} = {format_number(value)}"


def slice_text(start: int, count: int, step: int) -> str:
    """Python slice notation for ``count`` indices from ``start`` every ``step``."""
    stop = start + (count - 1) * step + 1
    return f"{start}:{stop}" if step == 1 else f"{start}:{stop}:{step}"


def inline_matrix(matrix: np.ndarray) -> str:
    rows = ("[" + ",".join(format_number(v) for v in row) + "]" for row in matrix)
    return "[" + ",".join(rows) + "]"


def pair_text(value: Pair) -> str:
    """A pair as a learner would type it: ``2`` when both axes agree, else ``(2, 3)``."""
    return str(value[0]) if value[0] == value[1] else f"({value[0]}, {value[1]})"


def int_text(value: int) -> str:
    """An integer with a real minus sign."""
    return str(value).replace("-", MINUS)


def size_text(shape: tuple[int, ...]) -> str:
    """The spatial size ``H×W`` of a shape."""
    return f"{shape[-2]}×{shape[-1]}"


def either(items: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def all_of(items: list[str]) -> str:
    """``a``, ``both a and b``, ``a, b and c``."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"both {items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + " and " + items[-1]


def counted(n: int, word: str) -> str:
    """``1 row``, ``0 rows``, ``2 rows``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def call_text(name: str, args: str, params: list[tuple[str, str, bool]]) -> str:
    """``conv2d(x, w, stride=2)``: only the keyword arguments that are not at their default."""
    shown = [f"{key}={value}" for key, value, default in params if not default]
    return f"{name}({', '.join([args, *shown])})"


def as_pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, (tuple, list)):
        return (value[0], value[1])
    return (value, value)


def formula_number(value: float) -> str:
    """A number as it is written in a formula: 2 not 2.0, minus as −."""
    v = float(value)
    text = str(int(v)) if v.is_integer() else f"{v:g}"
    return text.replace("-", "−")


def formula_axes(
    in_size: Sequence[int], out_size: Sequence[int] | None, params: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """One (label, numbers) entry per axis; a single unlabelled one when both axes agree."""
    axes = []
    for axis, name in enumerate(("rows", "cols")):
        numbers = {key: as_pair(value)[axis] for key, value in params.items()}
        numbers["i"] = in_size[axis]
        numbers["o"] = out_size[axis] if out_size is not None else None
        axes.append((name, numbers))
    if axes[0][1] == axes[1][1]:
        return [("", axes[0][1])]
    return axes


@dataclass(frozen=True)
class Formula:
    """One line of an output-size formula, kept in parts so a narrow pane can break it.

    ``sides`` are the members of the chain of equalities (the rule, the rule with the numbers put
    in, the size), ``label`` says which axis it is about ("rows", "cols") when the two differ, and
    ``note`` is a remark after the size.
    """

    sides: tuple[str, ...]
    label: str = ""
    note: str = ""

    def __str__(self) -> str:
        text = " = ".join(self.sides) + (f" {self.note}" if self.note else "")
        return f"{self.label}: {text}" if self.label else text


def axis_label(name: str, line: str, note: str = "") -> Formula:
    """The formula ``line`` ("o = rule = numbers = size") for axis ``name`` ("" for both)."""
    return Formula(tuple(line.split(" = ")), name, note)
