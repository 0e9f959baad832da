"""Output-size rules, as PyTorch computes them (integers in, integers out; a size, kernel, stride
or dilation below 1, or a negative padding, raises EngineError)."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np

from tui_upsample.engine.validation import fail

_AT_LEAST_1 = ("i", "k", "s", "d")  # sizes, kernels, strides, dilations; the rest are paddings


def _ints(**values: Any) -> None:
    """Integers (or integral numbers such as 2.0): sizes ≥ 1, paddings ≥ 0."""
    for name, v in values.items():
        if type(v) is int:  # the usual case, checked without the abstract-class machinery
            if v < (1 if name in _AT_LEAST_1 else 0):
                raise fail(
                    name, v, "must be at least 1" if name in _AT_LEAST_1 else "must not be negative"
                )
            continue
        if isinstance(v, bool):
            whole = False
        elif isinstance(v, Integral):
            whole = True
        elif isinstance(v, Real):
            try:
                whole = float(v).is_integer()  # 2.0 is fine; nan and ±inf are not
            except OverflowError:
                whole = False
        else:
            whole = False
        if not whole:
            raise fail(name, v, "must be an integer")
        if name in _AT_LEAST_1 and v < 1:
            raise fail(name, v, "must be at least 1")
        if name not in _AT_LEAST_1 and v < 0:
            raise fail(name, v, "must not be negative")


def conv_output_size(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Length of a convolution's output: o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1."""
    _ints(i=i, k=k, s=s, p=p, d=d)
    return (int(i) + 2 * int(p) - int(d) * (int(k) - 1) - 1) // int(s) + 1


def conv_transpose_output_size(
    i: int, k: int, s: int = 1, p: int = 0, output_padding: int = 0, d: int = 1
) -> int:
    """Length of a transposed convolution's output: o = (i−1)s − 2p + d(k−1) + a + 1."""
    _ints(i=i, k=k, s=s, p=p, output_padding=output_padding, d=d)
    return (int(i) - 1) * int(s) - 2 * int(p) + int(d) * (int(k) - 1) + int(output_padding) + 1


def pool_output_size(
    i: int, k: int, s: int, p: int = 0, d: int = 1, ceil_mode: bool = False
) -> int:
    """Length of a max pooling's output.

    o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1, rounded up instead with ``ceil_mode``; a last window that
    would start inside the right padding is dropped, as PyTorch does.
    """
    _ints(i=i, k=k, s=s, p=p, d=d)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise fail("ceil_mode", ceil_mode, "must be True or False")
    i, k, s, p, d = int(i), int(k), int(s), int(p), int(d)
    span = i + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        o = -(-span // s) + 1
        if (o - 1) * s >= i + p:
            o -= 1
    else:
        o = span // s + 1
    return o


def unpool_default_size(i: int, k: int, s: int, p: int = 0) -> int:
    """Length MaxUnpool2d gives when no output_size is asked for: (i−1)s − 2p + k."""
    _ints(i=i, k=k, s=s, p=p)
    return (int(i) - 1) * int(s) - 2 * int(p) + int(k)
