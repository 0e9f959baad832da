"""How the engine writes a number in a step's line of arithmetic."""

from __future__ import annotations

import math

MINUS = "\u2212"  # a real minus sign reads better than a hyphen in formulas


def format_number(value: float) -> str:
    """A short, exact-looking form: ``3``, ``0.25``, ``−1.333``, ``1.5e+08``; NaN as ``·``."""
    v = float(value)
    if math.isnan(v):
        return "·"
    if math.isinf(v):
        return ("" if v > 0 else MINUS) + "∞"
    if v == 0:
        return "0"  # also for −0.0
    if v.is_integer() and abs(v) < 1e6:
        text = str(int(v))
    else:
        text = f"{v:.4g}"
    return text.replace("-", MINUS)


def format_factor(value: float) -> str:
    """A number as one factor of a product: negative ones in parentheses, ``(−1)``."""
    text = format_number(value)
    return f"({text})" if text.startswith(MINUS) else text


def format_cell(cell: tuple[int, ...]) -> str:
    """``[1,2]`` for the cell (1, 2)."""
    return "[" + ",".join(str(i) for i in cell) + "]"
