"""The operator table: every operator the engine can step through, in the order the app cycles
through them, and :func:`trace`, the one way in.

Each entry (an :class:`~tui_upsample.engine.parameters.Operator`) lives in its family's module,
beside the operator, its trace and its formula; this is the only place that lists them. The
scene, the command line, the settings pane, sessions, export, the tour and the palette read it.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from tui_upsample.engine.bilinear import UPSAMPLE_BILINEAR
from tui_upsample.engine.convolution import CONV2D
from tui_upsample.engine.parameters import PADDING, Operator, Parameter
from tui_upsample.engine.pixel_shuffle import PIXEL_SHUFFLE, PIXEL_UNSHUFFLE
from tui_upsample.engine.pooling import AVG_POOL2D, MAX_POOL2D
from tui_upsample.engine.steps import Trace
from tui_upsample.engine.text import Formula
from tui_upsample.engine.transposed import CONV_TRANSPOSE2D
from tui_upsample.engine.unpooling import MAX_UNPOOL2D
from tui_upsample.engine.upsampling import BED_OF_NAILS, UPSAMPLE_NEAREST
from tui_upsample.engine.validation import fail

TABLE: Mapping[str, Operator] = {
    op.name: op
    for op in (
        MAX_POOL2D,
        AVG_POOL2D,
        MAX_UNPOOL2D,
        UPSAMPLE_NEAREST,
        BED_OF_NAILS,
        UPSAMPLE_BILINEAR,
        CONV2D,
        CONV_TRANSPOSE2D,
        PIXEL_SHUFFLE,
        PIXEL_UNSHUFFLE,
    )
}
"""Every operator, by engine name, in the order the app cycles through them."""

OPERATORS: tuple[str, ...] = tuple(TABLE)
"""The operators' engine names, in the table's order."""

METHODS: Mapping[str, tuple[str, ...]] = {
    op.name: op.methods for op in TABLE.values() if op.methods
}
"""The ways of computing an operator that a trace can follow, the default first. "all" steps a
transposed convolution through its three faces at once (:mod:`tui_upsample.engine.faces`)."""

ALIASES: Mapping[str, str] = {alias: op.name for op in TABLE.values() for alias in op.aliases}
"""Short names accepted for operators (compared without regard to case)."""


def all_parameters() -> tuple[Parameter, ...]:
    """Every scene parameter some operator takes, once each, in an order that keeps each
    operator's own (the settings pane lays its fields out once, in this order). A field two
    operators read differently is given as the wider reading (padding: a number or a word)."""
    order: list[Parameter] = []
    for op in TABLE.values():
        after = -1
        for p in op.parameters:
            at = next((i for i, q in enumerate(order) if q.field == p.field), None)
            if at is None:
                at = after + 1 if after >= 0 else len(order)
                order.insert(at, p)
            elif p.kind == PADDING and order[at].kind != PADDING:
                order[at] = p  # a field some operator takes as 'same' / 'valid' too
            after = at
    return tuple(order)


def operator(name: str) -> Operator:
    """The table's entry for ``name``: an engine name or an alias, in any case.

    Raises ValueError (naming the operators there are) if there is none.
    """
    key = name.strip() if isinstance(name, str) else name
    if key in TABLE:
        return TABLE[key]
    if isinstance(key, str):
        lowered = key.lower()
        if lowered in ALIASES:
            return TABLE[ALIASES[lowered]]
        for op in TABLE.values():
            if op.name.lower() == lowered:
                return op
    known = ", ".join(TABLE)
    short = ", ".join(sorted(ALIASES))
    raise ValueError(f"unknown operator {name!r} (choose from {known}; or {short})")


def trace(op: str, x: Any, /, **params: Any) -> Trace:
    """The steps of operator ``op`` (an engine function name) applied to ``x``.

    ``params`` are the operator's own keyword arguments (``weight=`` for the convolutions), plus
    ``method=`` for ``conv2d`` ("im2col") and ``conv_transpose2d`` ("scatter", "matrix", "direct",
    or "all": the three at once, a :class:`~tui_upsample.engine.faces.ThreeFacesTrace`).
    """
    entry = TABLE.get(op) if isinstance(op, str) else None
    if entry is None:
        raise fail("op", op, "must be one of " + ", ".join(OPERATORS))
    build = entry.trace
    if entry is CONV_TRANSPOSE2D and isinstance(params.get("method"), str):
        if params["method"] == "all":
            from tui_upsample.engine.faces import ThreeFacesTrace

            build = ThreeFacesTrace
    takes = inspect.signature(build).parameters
    for name in params:
        if name not in takes or name == "x":
            allowed = ", ".join(p for p in takes if p != "x")
            raise fail(name, params[name], f"{op} does not take it (it takes {allowed})")
    return build(x, **params)


def output_size_formula(
    op: str,
    in_size: Sequence[int],
    params: Mapping[str, Any],
    out_size: Sequence[int] | None = None,
) -> list[Formula]:
    """The output-size formula of ``op`` for an input of ``in_size`` (rows, cols), numbers put in.

    ``params`` are the engine's keyword arguments (kernel size given as ``kernel_size`` for every
    operator that has one). ``out_size`` is the size the engine produced; it is used where the
    rule itself is a choice of the engine ("same"/"valid" padding).
    """
    entry = TABLE.get(op)
    return [] if entry is None else entry.formula(in_size, dict(params), out_size)


def output_size_lines(
    op: str,
    in_size: Sequence[int],
    params: Mapping[str, Any],
    out_size: Sequence[int] | None = None,
) -> list[str]:
    """The lines of :func:`output_size_formula`, as text."""
    return [str(line) for line in output_size_formula(op, in_size, params, out_size)]
