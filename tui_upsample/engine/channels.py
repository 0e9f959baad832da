"""Several planes: the weight layouts of the convolutions, and operators that act plane by plane.

A real layer takes a (C, H, W) tensor. Pooling, unpooling and resampling act on each plane alone,
so their multi-channel trace is the one-plane trace of each plane in turn, its cells given their
channel as a leading index (:class:`PlanewiseTrace`). The convolutions mix planes; their traces
are in :mod:`.channel_conv` and :mod:`.channel_transposed`, and both check a weight against the
layouts here first, so that a misfit names both layouts (the two are where ported models go
wrong: ``Conv2d`` is (C_out, C_in/g, kH, kW), ``ConvTranspose2d`` is (C_in, C_out/g, kH, kW)).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.steps import OUTPUT, Grid, Step, Trace
from tui_upsample.engine.validation import as_grid, fail, positive_int

MAX_CHANNELS = 64
"""Most planes a trace follows on either side (the app and command line take up to 8)."""

CONV2D_LAYOUT = "(C_out, C_in/groups, kH, kW)"
CONV_TRANSPOSE2D_LAYOUT = "(C_in, C_out/groups, kH, kW)"
LAYOUTS: Mapping[str, str] = {"conv2d": CONV2D_LAYOUT, "conv_transpose2d": CONV_TRANSPOSE2D_LAYOUT}
"""PyTorch's weight layout for each convolution."""


def _show_shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(int(n)) for n in shape) + ")"


def check_groups(groups: Any, in_channels: int, out_channels: int | None = None) -> int:
    """``groups`` as an int that divides the input channels (and the output's, if known)."""
    g = positive_int("groups", groups)
    if in_channels % g:
        raise fail("groups", groups, f"must divide the {in_channels} input channels")
    if out_channels is not None and out_channels % g:
        raise fail("groups", groups, f"must divide the {out_channels} output channels")
    return g


def layout_error(op: str, shape: Sequence[int], in_channels: int, groups: int) -> EngineError:
    """The one-line refusal of a weight of ``shape`` that does not fit ``op``'s layout."""
    per = in_channels // groups if groups and in_channels % groups == 0 else "C_in/groups"
    if op == "conv2d":
        mine = f"conv2d's weight is {CONV2D_LAYOUT} = (C_out, {per}, kH, kW)"
        other = f"a ConvTranspose2d weight would be {CONV_TRANSPOSE2D_LAYOUT}"
    else:
        mine = (
            f"conv_transpose2d's weight is {CONV_TRANSPOSE2D_LAYOUT} = "
            f"({in_channels}, C_out/{groups}, kH, kW)"
        )
        other = f"a Conv2d weight would be {CONV2D_LAYOUT}"
    return EngineError(
        f"weight has shape {_show_shape(shape)}: with {in_channels} input channels and "
        f"groups={groups}, {mine} ({other})"
    )


def channel_weight(op: str, weight: Any, in_channels: int, groups: Any) -> tuple[np.ndarray, int]:
    """The 4-D weight of ``op`` for ``in_channels`` inputs in ``groups`` groups, and the groups.

    A 2-D kernel is taken as one input and one output channel. Refuses, in one line naming both
    layouts, a weight whose shape does not fit.
    """
    if weight is None:
        raise EngineError(f"weight=None: {op} needs a weight {LAYOUTS[op]}")
    w = as_grid("weight", weight)
    if w.ndim == 2:
        w = w[None, None]
    g = check_groups(groups, in_channels)
    if w.ndim != 4:
        raise layout_error(op, w.shape, in_channels, g)
    if op == "conv2d":
        fits = w.shape[1] == in_channels // g and w.shape[0] % g == 0
    else:
        fits = w.shape[0] == in_channels
    if not fits:
        raise layout_error(op, w.shape, in_channels, g)
    out_channels = w.shape[0] if op == "conv2d" else w.shape[1] * g
    if max(in_channels, out_channels) > MAX_CHANNELS:
        raise EngineError(
            f"weight has shape {_show_shape(w.shape)}: a trace follows at most {MAX_CHANNELS}"
            " channels on either side"
        )
    return w, g


def grouping_note(in_channels: int, groups: int) -> str:
    """What a grouped weight's slices are, for its caption: depthwise (one kernel per plane),
    grouped (slices only within a group), or "" for groups = 1."""
    if groups <= 1:
        return ""
    if groups == in_channels:
        return "depthwise: one kernel per plane; no slice joins two planes (not connected, not 0)"
    per = in_channels // groups
    return (
        f"{groups} groups of {per} input channels: a slice joins channels of one group only;"
        " other groups are not connected (no slice, not 0)"
    )


def channels_of(x: Any) -> np.ndarray:
    """x as the (C, H, W) planes of one image (a 2-D x is one plane)."""
    arr = as_grid("x", x)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise EngineError(
            f"x has shape {arr.shape}: a trace follows the (C, H, W) planes of one image"
        )
    if arr.shape[0] > MAX_CHANNELS:
        raise EngineError(
            f"x has shape {arr.shape}: a trace follows at most {MAX_CHANNELS} channels"
        )
    return arr


# --------------------------------------------------------------------------------------------
# A one-plane step put on its plane
# --------------------------------------------------------------------------------------------


def _is_cell(value: Any) -> bool:
    return isinstance(value, tuple) and bool(value) and all(isinstance(i, int) for i in value)


def _on_plane(value: Any, channel: int) -> Any:
    """A cell, or a tuple of cells, with ``channel`` put in front of each."""
    if _is_cell(value):
        return (channel, *value)
    if isinstance(value, tuple) and value and all(_is_cell(v) for v in value):
        return tuple((channel, *v) for v in value)
    return value


def on_channel(
    step: Step, channel: int, index: int, partial: np.ndarray, notes: tuple[str, ...] = ()
) -> Step:
    """``step`` of a one-plane trace, as step ``index`` of plane ``channel`` of a 3-D trace.

    Every cell (every field holding cells, and the extra highlights) gets the channel as its
    leading index; the arithmetic is said to be on that channel.
    """
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(step):
        value = getattr(step, f.name)
        moved = _on_plane(value, channel)
        if moved is not value:
            changes[f.name] = moved
    changes["extra"] = {grid: _on_plane(cells, channel) for grid, cells in step.extra.items()}
    return dataclasses.replace(
        step,
        index=index,
        arithmetic=f"channel {channel}: {step.arithmetic}",
        notes=(*step.notes, *notes),
        partial=partial,
        **changes,
    )


class _Stacked:
    """The same grid of every plane's trace, read as one (C, …) block without being copied
    until a part of it is asked for."""

    def __init__(self, sources: Sequence[Any]) -> None:
        self._sources = list(sources)
        self.shape = (len(self._sources), *tuple(sources[0].shape))

    def __getitem__(self, key: Any) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key,)
        first, rest = key[0], key[1:]
        if isinstance(first, (int, np.integer)):
            return np.asarray(self._sources[int(first)][rest] if rest else self._sources[first])
        chosen = range(len(self._sources))[first]
        return np.stack(
            [np.asarray(self._sources[c][rest] if rest else self._sources[c][...]) for c in chosen]
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self[:]
        return out if dtype is None else out.astype(dtype)


class PlanewiseTrace(Trace):
    """An operator that acts on each plane alone, traced over (C, H, W): plane 0's steps, then
    plane 1's, …; the planes already done are whole in the partial output, those to come not
    yet written (NaN). A step's cells carry their channel as their leading index."""

    def __init__(
        self,
        build: Callable[..., Trace],
        x: Any,
        params: Mapping[str, Any],
        note: Callable[[Trace, Step, int], tuple[str, ...]] | None = None,
    ) -> None:
        self.input = channels_of(x)
        self.planes = [build(plane, **params) for plane in self.input]
        first = self.planes[0]
        self.op, self.params, self.method = first.op, first.params, first.method
        self.result = np.stack([t.result for t in self.planes])
        self._per = len(first)
        self._note = note

    def _count(self) -> int:
        return self._per * len(self.planes)

    def _step(self, k: int) -> Step:
        channel, s = divmod(k, self._per)
        inner = self.planes[channel][s]
        partial = np.full(self.result.shape, np.nan)
        partial[:channel] = self.result[:channel]
        partial[channel] = inner.partial
        notes = self._note(self.planes[channel], inner, channel) if self._note else ()
        return on_channel(inner, channel, k, partial, notes)

    def _grids(self) -> Sequence[Grid]:
        grids = []
        for g in self.planes[0].grids:
            if g.name == OUTPUT:
                values: Any = self.result
            else:
                values = _Stacked([t.grid(g.name).values for t in self.planes])  # type: ignore[union-attr]
            grids.append(Grid(g.name, g.title, values, g.note))
        return grids

    def plane_of(self, k: int) -> int:
        """The channel step ``k`` is on."""
        return k // self._per


def per_plane_index_note(trace: Trace, step: Step, channel: int) -> tuple[str, ...]:
    """Max pooling's and unpooling's index counts within its own plane (row·W + col)."""
    if step.argmax is None:
        return ()
    row, col = step.argmax[-2:]
    # pooling's argmax is a cell of x, unpooling's a cell of y: each in its own plane
    width = (trace.input if trace.op == "max_pool2d" else trace.result).shape[-1]
    return (
        f"index {row}·{width} + {col} = {row * width + col} counts within plane {channel},"
        " not over the whole tensor",
    )
