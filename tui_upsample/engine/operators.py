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

import numpy as np

from tui_upsample.engine.bilinear import UPSAMPLE_BILINEAR
from tui_upsample.engine.channel_conv import ChannelConv2dTrace
from tui_upsample.engine.channel_transposed import ChannelConvTranspose2dTrace
from tui_upsample.engine.channels import PlanewiseTrace, per_plane_index_note
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


CHANNEL_TRACES: Mapping[str, Any] = {
    CONV2D.name: ChannelConv2dTrace,
    CONV_TRANSPOSE2D.name: ChannelConvTranspose2dTrace,
}
"""The traces of the convolutions over (C, H, W) planes, with a 4-D weight and groups."""


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

    A 3-D ``x`` is the (C, H, W) planes of one image: the convolutions then take a 4-D weight in
    PyTorch's layout and ``groups=`` (:mod:`.channel_conv`, :mod:`.channel_transposed`); the
    operators that act plane by plane step through each plane in turn
    (:class:`~tui_upsample.engine.channels.PlanewiseTrace`).
    """
    entry = TABLE.get(op) if isinstance(op, str) else None
    if entry is None:
        raise fail("op", op, "must be one of " + ", ".join(OPERATORS))
    build = entry.trace
    planes = _ndim(x) == 3
    if entry.grouped:
        # Channels, a 4-D weight or groups: the trace of several planes; else the one-plane one.
        groups = params.get("groups", 1)
        if planes or _ndim(params.get("weight")) == 4 or not _is_one(groups):
            build = CHANNEL_TRACES[entry.name]
        else:
            params = {k: v for k, v in params.items() if k != "groups"}
    method = params.get("method")
    if entry is CONV_TRANSPOSE2D and isinstance(method, str) and method == "all":
        from tui_upsample.engine.faces import ChannelThreeFacesTrace, ThreeFacesTrace

        build = ThreeFacesTrace if build is entry.trace else ChannelThreeFacesTrace
    takes = inspect.signature(build).parameters
    for name in params:
        if name not in takes or name == "x":
            allowed = ", ".join(p for p in takes if p != "x")
            raise fail(name, params[name], f"{op} does not take it (it takes {allowed})")
    if entry.planewise and planes:
        note = per_plane_index_note if entry.name in ("max_pool2d", "max_unpool2d") else None
        return PlanewiseTrace(build, x, params, note)
    return build(x, **params)


def _ndim(value: Any) -> int:
    """How many axes ``value`` has as an array (0 for what is not one: the trace says why)."""
    if isinstance(value, np.ndarray):
        return value.ndim
    try:
        return int(np.ndim(value))
    except (ValueError, TypeError):
        return 0


def _is_one(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value == 1


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
