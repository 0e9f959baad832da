"""Argument checks shared by every operator: sizes, pairs, arrays and their layouts.

Each check raises :class:`EngineError` with a message that names the parameter, its value and the
rule, so that the app can show it to a learner as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np

from tui_upsample.engine.errors import EngineError

Pair = tuple[int, int]

MAX_CELLS = 2**27
"""The largest array the engine will build, in cells: 2**27 float64 values, about 1 GiB.

A teaching engine on small grids never comes near it. It is there so that absurd arguments (a
size, padding, stride or dilation of 10**9) end in a clear message naming the parameter instead
of an out-of-memory crash, a MemoryError or NumPy's "array is too big". See :func:`room_for`.
"""


def _show(value: Any) -> str:
    """The value as the learner wrote it (tuples without numpy noise)."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, np.generic):
        return _show(value.item())
    try:
        return repr(value)
    except ValueError:  # an int too long for Python to print (over 4300 digits)
        digits = int(abs(value).bit_length() * 0.30103) + 1
        return f"{'-' if value < 0 else ''}<an integer of about {digits} digits>"


def fail(name: str, value: Any, rule: str) -> EngineError:
    """The error for parameter ``name`` holding ``value`` that breaks ``rule``."""
    return EngineError(f"{name}={_show(value)}: {rule}")


def count_text(n: int) -> str:
    """A count for a message: exact while readable (below 10**15), else its order of magnitude.

    Works for any Python int: ``float(n)`` overflows past 1e308 and ``str(n)`` refuses past 4300
    digits, so the exponent comes from the bit length.
    """
    n = int(n)
    if abs(n) < 10**15:
        return str(n)
    exponent = int((abs(n).bit_length() - 1) * 0.30102999566398)  # ⌊log10⌋, or one short
    if abs(n) >= 10 ** (exponent + 1):
        exponent += 1
    return f"about {'-' if n < 0 else ''}10^{exponent}"


def room_for(name: str, value: Any, shape: Iterable[int], what: str = "the output") -> None:
    """Refuse to build an array of ``shape`` larger than :data:`MAX_CELLS` cells.

    ``name`` and ``value`` are the parameter that made it that large, ``what`` says which array
    it is ("the output", "the padded input", …). Sizes are Python ints, so nothing overflows.
    Call it before the allocation.
    """
    sides = [int(side) for side in shape]
    cells = math.prod(sides)
    if cells > MAX_CELLS:
        dims = " × ".join(count_text(side) for side in sides)
        if len(sides) > 1:
            dims += f" = {count_text(cells)}"
        raise fail(
            name,
            value,
            f"{what} would be {dims} cells, more than the engine builds ({MAX_CELLS:,})",
        )


def _as_int(
    name: str, value: Any, whole: Any, rule: str = "must be an integer or a pair of integers"
) -> int:
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise fail(name, whole, rule)
    return int(value)


def pair(name: str, value: Any) -> Pair:
    """An int or an ``(h, w)`` pair of ints, as a pair."""
    if type(value) is int:
        return (value, value)
    if isinstance(value, (tuple, list, np.ndarray)):
        items = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else list(value)
        if len(items) != 2:
            raise fail(name, value, "must be an integer or a pair of integers")
        return (_as_int(name, items[0], value), _as_int(name, items[1], value))
    v = _as_int(name, value, value)
    return (v, v)


def positive_pair(name: str, value: Any) -> Pair:
    """A pair whose entries are at least 1 (sizes, strides, dilations)."""
    p = pair(name, value)
    if min(p) < 1:
        raise fail(name, value, "must be at least 1")
    return p


def non_negative_pair(name: str, value: Any) -> Pair:
    """A pair whose entries are at least 0 (paddings)."""
    p = pair(name, value)
    if min(p) < 0:
        raise fail(name, value, "must not be negative")
    return p


def positive_int(name: str, value: Any) -> int:
    """A single integer of at least 1."""
    v = _as_int(name, value, value, "must be an integer")
    if v < 1:
        raise fail(name, value, "must be at least 1")
    return v


def positive_scale(name: str, value: Any) -> tuple[float, float]:
    """A scale factor (a positive finite number, or a pair of them), as a pair of floats."""
    items = list(value) if isinstance(value, (tuple, list)) else [value, value]
    if len(items) != 2:
        raise fail(name, value, "must be a number or a pair of numbers")
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, Real):
            raise fail(name, value, "must be a number or a pair of numbers")
        try:
            f = float(v)
        except OverflowError:  # an int beyond float range
            f = float("inf")
        if not np.isfinite(f) or f <= 0:
            raise fail(name, value, "must be a finite number greater than 0")
        out.append(f)
    return (out[0], out[1])


def float_array(name: str, value: Any, rule: str) -> np.ndarray:
    """``value`` as a float64 array of any shape; ``rule`` is what the message says it must be.

    Refuses what NumPy would reject (ragged lists, None, text that is not a number) or quietly
    mangle: complex numbers (NumPy drops the imaginary part) and ints beyond float range.
    """
    if type(value) is np.ndarray and value.dtype == np.float64:
        return value
    try:
        raw = np.asarray(value)
        if raw.dtype.kind == "c":
            raise TypeError("complex numbers are not allowed")
        return raw.astype(np.float64, copy=False)
    except (TypeError, ValueError, OverflowError) as exc:
        raise EngineError(f"{name}: {rule} ({exc})") from None


def as_grid(name: str, value: Any) -> np.ndarray:
    """A float64 array of 2, 3 or 4 dimensions holding only finite numbers."""
    arr = float_array(name, value, "must be an array of numbers")
    if arr.ndim not in (2, 3, 4):
        raise EngineError(
            f"{name} has shape {arr.shape}: must be 2-D (H, W), 3-D (C, H, W) or 4-D (N, C, H, W)"
        )
    if min(arr.shape, default=0) < 1:
        raise EngineError(f"{name} has shape {arr.shape}: every dimension must be at least 1")
    if not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise EngineError(
            f"{name}{list(bad)}={_show(arr[bad])}: every value must be a finite number"
        )
    return arr


def to_batched(x: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """View ``x`` as (N, C, H, W) and return a function that puts a result back in x's layout."""
    ndim = x.ndim
    x4 = x.reshape((1,) * (4 - ndim) + x.shape)

    def restore(y: np.ndarray) -> np.ndarray:
        return y.reshape(y.shape[4 - ndim :]) if ndim < 4 else y

    return x4, restore


def whole_number(name: str, value: Any, minimum: int) -> int:
    """One integer of at least ``minimum`` (0 or 1), never a bool or a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise fail(name, value, "must be an integer")
    v = int(value)
    if v < minimum:
        raise fail(name, value, "must be at least 1" if minimum == 1 else "must not be negative")
    return v


def frozen(arr: np.ndarray) -> np.ndarray:
    """The array, made read-only so a frozen dataclass really is frozen."""
    arr.setflags(write=False)
    return arr


def switch(name: str, value: Any) -> bool:
    """A True/False switch (numpy booleans too), never a number passed by mistake."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise fail(name, value, "must be True or False")
