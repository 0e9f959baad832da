"""Pixel shuffle, exact to ``F.pixel_shuffle``: r² channels of H×W become one channel of rH×rW.

Output cell (c, h, w) takes input channel c·r² + (h mod r)·r + (w mod r) at (h // r, w // r):
no weights, no overlap. The step trace shows one output cell per step and the channel it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.parameters import CHOICE, Operator, Parameter
from tui_upsample.engine.steps import (
    INPUT,
    OTHER_READ,
    OUTPUT,
    READ,
    WRITTEN,
    CellByCellTrace,
    Grid,
    Step,
)
from tui_upsample.engine.text import (
    Formula,
    axis_label,
    formula_axes,
)
from tui_upsample.engine.text import format_cell as cell_text
from tui_upsample.engine.text import format_number as num
from tui_upsample.engine.text import formula_number as fnum
from tui_upsample.engine.validation import (
    as_grid,
    count_text,
    fail,
    positive_int,
    room_for,
    to_batched,
)

ORDERS = ("crd", "dcr")
"""How the r² channels of one output channel are numbered. "crd" (column, row, depth: PyTorch's
``F.pixel_shuffle``): input channel c·r² + i·r + j. "dcr" (depth, column, row: TensorFlow's
``tf.nn.depth_to_space`` and ONNX DepthToSpace's default mode): input channel (i·r + j)·C + c."""


def _order(order: Any) -> str:
    if not isinstance(order, str) or order not in ORDERS:
        raise fail("order", order, "must be 'crd' (PyTorch) or 'dcr' (TensorFlow, ONNX)")
    return order


def source_channel(c: int, i: int, j: int, r: int, channels: int, order: str) -> int:
    """The channel of the r²·C side that feeds channel ``c`` at offset (i, j) of an r×r block.

    PyTorch's order ("crd"): c·r² + i·r + j; TensorFlow's ("dcr"): (i·r + j)·C + c, where C is
    the number of channels on the small-channel side.
    """
    return c * r * r + i * r + j if order == "crd" else (i * r + j) * channels + c


ORDER_NAMES = {"crd": "PyTorch's crd", "dcr": "TensorFlow's dcr"}
"""How the step text names each order."""

ORDER_TITLES = {"crd": "crd (PyTorch)", "dcr": "dcr (TensorFlow, ONNX)"}
"""How a grid's title names each order."""

OTHER_ORDER = "other_order"
"""The grid of a shuffle trace that holds the same operation done in the other channel order."""


def source_channels(c: int, i: int, j: int, r: int, channels: int) -> dict[str, int]:
    """The channel of the r²·C side each order pairs with channel ``c`` at offset (i, j) of an
    r×r block: ``{"crd": c·r² + i·r + j, "dcr": (i·r + j)·C + c}``."""
    return {order: source_channel(c, i, j, r, channels, order) for order in ORDERS}


def source_channel_map(channels: int, height: int, width: int, r: int, order: str) -> np.ndarray:
    """For every cell of the (C, H·r, W·r) side, the channel of the (C·r², H, W) side it is
    paired with in ``order`` (an int array of shape (C, H·r, W·r)): what pixel_shuffle reads
    there, and where pixel_unshuffle writes it."""
    c = np.arange(channels)[:, None, None]
    i = (np.arange(height * r) % r)[None, :, None]
    j = (np.arange(width * r) % r)[None, None, :]
    if order == "dcr":
        return (i * r + j) * channels + c
    return c * r * r + i * r + j


def _other(order: str) -> str:
    return "dcr" if order == "crd" else "crd"


def pixel_shuffle(x: Any, upscale_factor: Any, order: str = "crd") -> np.ndarray:
    """Rearrange (C·r², H, W) into (C, H·r, W·r), as ``F.pixel_shuffle``.

    out[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]: each group of r² channels becomes the
    r×r blocks of one output channel. ``order="dcr"`` reads x[(i·r + j)·C + c, h, w] instead,
    as ``tf.nn.depth_to_space`` (in NCHW) and ONNX DepthToSpace's default mode. Needs a channel
    axis, so the input is (C·r², H, W) or (N, C·r², H, W).
    """
    arr = as_grid("x", x)
    r = positive_int("upscale_factor", upscale_factor)
    order = _order(order)
    if arr.ndim == 2:
        raise EngineError(
            f"x has shape {arr.shape}: pixel_shuffle needs a channel axis, (C·r², H, W) or "
            "(N, C·r², H, W)"
        )
    x4, restore = to_batched(arr)
    n, c, h, w = x4.shape
    if c % (r * r):
        raise fail(
            "upscale_factor",
            upscale_factor,
            f"the channel count {c} must be divisible by upscale_factor² = {count_text(r * r)}",
        )
    oc = c // (r * r)
    room_for("x", arr, (n, oc, h * r, w * r))  # as many cells as x: only a huge x is refused
    if order == "dcr":
        blocks = x4.reshape(n, r, r, oc, h, w).transpose(0, 3, 4, 1, 5, 2)
        return restore(np.ascontiguousarray(blocks).reshape(n, oc, h * r, w * r))
    source = x4.reshape(n, oc, r, r, h, w)
    if r * r > 64:
        out = np.ascontiguousarray(source.transpose(0, 1, 4, 2, 5, 3)).reshape(n, oc, h * r, w * r)
        return restore(out)
    # One strided copy per (i, j) of the r×r block: ~3× faster than copying the 6-D transpose.
    out = np.empty((n, oc, h * r, w * r))
    blocks = out.reshape(n, oc, h, r, w, r)
    for i in range(r):
        for j in range(r):
            blocks[:, :, :, i, :, j] = source[:, :, i, j]
    return restore(out)


def pixel_unshuffle(x: Any, downscale_factor: Any, order: str = "crd") -> np.ndarray:
    """Rearrange (C, H·r, W·r) into (C·r², H, W), as ``F.pixel_unshuffle``: the inverse of
    :func:`pixel_shuffle` (space to depth).

    out[c·r² + i·r + j, h, w] = x[c, h·r + i, w·r + j]; ``order="dcr"`` writes channel
    (i·r + j)·C + c instead, as ``tf.nn.space_to_depth`` (in NCHW) and ONNX SpaceToDepth.
    """
    arr = as_grid("x", x)
    r = positive_int("downscale_factor", downscale_factor)
    order = _order(order)
    if arr.ndim == 2:
        raise EngineError(
            f"x has shape {arr.shape}: pixel_unshuffle needs a channel axis, (C, H·r, W·r) or "
            "(N, C, H·r, W·r)"
        )
    x4, restore = to_batched(arr)
    n, c, h, w = x4.shape
    for axis, size in (("height", h), ("width", w)):
        if size % r:
            raise fail(
                "downscale_factor",
                downscale_factor,
                f"x's {axis} {size} must be divisible by the downscale factor",
            )
    room_for("downscale_factor", downscale_factor, (n, c * r * r, h // r, w // r))
    blocks = x4.reshape(n, c, h // r, r, w // r, r)
    if order == "crd":
        blocks = blocks.transpose(0, 1, 3, 5, 2, 4)
    else:
        blocks = blocks.transpose(0, 3, 5, 1, 2, 4)
    return restore(np.ascontiguousarray(blocks).reshape(n, c * r * r, h // r, w // r))


def _order_rule(c: int, i: int, j: int, r: int, channels: int, order: str, source: int) -> str:
    """How channel ``source`` follows from (c, i, j), written out: "channel 1·4 + 0·2 + 1 = 5"."""
    if order == "dcr":
        return f"channel ({i}·{r} + {j})·{channels} + {c} = {source}"
    return f"channel {c}·{r * r} + {i}·{r} + {j} = {source}"


def _factor(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise fail(name, value, "must be an integer")
    return int(value)


class PixelShuffleTrace(CellByCellTrace):
    """Pixel shuffle: output cell (c, h, w) takes channel c·r² + (h mod r)·r + (w mod r)
    (PyTorch's order), or ((h mod r)·r + (w mod r))·C + c (TensorFlow's)."""

    op = "pixel_shuffle"

    def __init__(self, x: Any, upscale_factor: Any = 2, order: str = "crd") -> None:
        arr = as_grid("x", x)
        if arr.ndim != 3:
            raise EngineError(
                f"x has shape {arr.shape}: pixel_shuffle's trace takes the (r², H, W) channels"
                " of one image"
            )
        self.input = arr
        self.result = pixel_shuffle(arr, upscale_factor, order)
        self.params = {"upscale_factor": _factor("upscale_factor", upscale_factor), "order": order}
        self.other = pixel_shuffle(arr, upscale_factor, _other(order))
        """The same input shuffled in the other channel order."""
        self.other_order = _other(order)
        """The channel order the other output grid uses ("dcr" when this trace is "crd")."""
        if self.result.shape[0] > 1:  # one output channel: the orders read the same cells
            self.step_roles = (WRITTEN, READ, OTHER_READ)

    def source_channels(self, name: str) -> np.ndarray | None:
        """For grid ``name``, the channel of the r²·C side each of its cells comes from (the
        input's own channel; for the outputs, the channel their order reads), or None."""
        r, order = self.params["upscale_factor"], self.params["order"]
        c, h, w = self.result.shape
        if name == INPUT:
            return np.broadcast_to(np.arange(self.input.shape[0])[:, None, None], self.input.shape)
        if name in (OUTPUT, OTHER_ORDER):
            used = order if name == OUTPUT else _other(order)
            return source_channel_map(c, h // r, w // r, r, used)
        return None

    def _step(self, k: int) -> Step:
        c, oh, ow = self._output_cell(k)
        r, order = self.params["upscale_factor"], self.params["order"]
        i, j = oh % r, ow % r
        channel = source_channel(c, i, j, r, self.result.shape[0], order)
        src = (channel, oh // r, ow // r)
        if order == "dcr":
            rule = (
                f"channel (({oh} mod {r})·{r} + ({ow} mod {r}))·{self.result.shape[0]} + {c}"
                f" = {channel}"
            )
        elif c == 0:
            rule = f"channel ({oh} mod {r})·{r} + ({ow} mod {r}) = {channel}"
        else:
            rule = f"channel {c}·{r * r} + ({oh} mod {r})·{r} + ({ow} mod {r}) = {channel}"
        other = _other(order)
        theirs = source_channels(c, i, j, r, self.result.shape[0])[other]
        there = (theirs, oh // r, ow // r)
        rule_other = _order_rule(c, i, j, r, self.result.shape[0], other, theirs)
        note = (
            f"{ORDER_NAMES[other]} reads {rule_other} here: x{cell_text(there)} ="
            f" {num(self.input[there])}"
        )
        notes = (note,) if self.result.shape[0] > 1 else ()  # one channel: the orders agree
        return Step(
            index=k,
            arithmetic=f"y{cell_text((c, oh, ow))} = x{cell_text(src)} = {num(self.input[src])}",
            rule=rule,
            notes=notes,
            value=float(self.input[src]),
            partial=self._partial(k),
            output_cells=((c, oh, ow),),
            input_cells=(src,),
            other_order_cells=(there,) if notes else (),
            extra={OTHER_ORDER: ((c, oh, ow),)} if notes else {},
        )

    def _grids(self) -> Sequence[Grid]:
        other = _other(self.params["order"])
        if self.result.shape[0] == 1:  # one output channel: both orders read the same
            return (
                Grid(INPUT, "x (channels)", self.input),
                Grid(OUTPUT, "y = pixel_shuffle(x)", self.result),
            )
        return (
            Grid(INPUT, "x (channels)", self.input),
            Grid(OUTPUT, f"y: {ORDER_TITLES[self.params['order']]}", self.result),
            Grid(
                OTHER_ORDER,
                f"y: {ORDER_TITLES[other]}",
                self.other,
                note="the other channel order",
            ),
        )


class PixelUnshuffleTrace(CellByCellTrace):
    """Pixel unshuffle (space to depth): output cell (k, h, w) takes x[c, h·r + i, w·r + j],
    where k = c·r² + i·r + j (PyTorch's order) or (i·r + j)·C + c (TensorFlow's)."""

    op = "pixel_unshuffle"

    def __init__(self, x: Any, downscale_factor: Any = 2, order: str = "crd") -> None:
        arr = as_grid("x", x)
        if arr.ndim == 2:
            arr = arr[None]  # one plane is one channel
        if arr.ndim != 3:
            raise EngineError(
                f"x has shape {arr.shape}: pixel_unshuffle's trace takes the (C, H, W) channels"
                " of one image"
            )
        self.input = arr
        self.result = pixel_unshuffle(arr, downscale_factor, order)
        self.params = {
            "downscale_factor": _factor("downscale_factor", downscale_factor),
            "order": order,
        }
        self.other = pixel_unshuffle(arr, downscale_factor, _other(order))
        """The same input unshuffled in the other channel order."""

    def source_channels(self, name: str) -> np.ndarray | None:
        """For grid ``name``, the channel of the r²·C side each of its cells goes to in this
        trace's order (the other order's channels named as this order numbers them, so a value
        keeps its colour), or None."""
        r, order = self.params["downscale_factor"], self.params["order"]
        c, h, w = self.input.shape
        mine = source_channel_map(c, h // r, w // r, r, order)
        if name == INPUT:
            return mine
        shape = self.result.shape
        channels = np.arange(shape[0])
        if name == OTHER_ORDER:
            theirs = source_channel_map(c, h // r, w // r, r, _other(order))
            lookup = np.empty(shape[0], dtype=int)
            lookup[theirs.ravel()] = mine.ravel()
            channels = lookup
        if name in (OUTPUT, OTHER_ORDER):
            return np.broadcast_to(channels[:, None, None], shape)
        return None

    def _step(self, k: int) -> Step:
        channel, h, w = self._output_cell(k)
        r, order = self.params["downscale_factor"], self.params["order"]
        channels = self.input.shape[0]
        if order == "crd":
            c, rest = divmod(channel, r * r)
            i, j = divmod(rest, r)
        else:
            rest, c = divmod(channel, channels)
            i, j = divmod(rest, r)
        src = (c, h * r + i, w * r + j)
        value = self.input[src]
        other = _other(order)
        theirs = source_channels(c, i, j, r, channels)[other]
        note = (
            f"{ORDER_NAMES[other]} writes x{cell_text(src)} to "
            f"{_order_rule(c, i, j, r, channels, other, theirs)}"
        )
        notes = (note,) if channels > 1 else ()  # one channel: the orders agree
        return Step(
            index=k,
            arithmetic=f"y{cell_text((channel, h, w))} = x{cell_text(src)} = {num(value)}",
            rule=f"row {h}·{r} + {i}, column {w}·{r} + {j}; "
            + _order_rule(c, i, j, r, channels, order, channel),
            notes=notes,
            value=float(value),
            partial=self._partial(k),
            output_cells=((channel, h, w),),
            input_cells=(src,),
            extra={OTHER_ORDER: ((theirs, h, w),)} if notes else {},
        )

    def _grids(self) -> Sequence[Grid]:
        other = _other(self.params["order"])
        if self.input.shape[0] == 1:  # one input channel: both orders write the same
            return (
                Grid(INPUT, "x", self.input),
                Grid(OUTPUT, "y = pixel_unshuffle(x) (channels)", self.result),
            )
        return (
            Grid(INPUT, "x", self.input),
            Grid(
                OUTPUT,
                f"y: {ORDER_TITLES[self.params['order']]}",
                self.result,
            ),
            Grid(
                OTHER_ORDER,
                f"y: {ORDER_TITLES[other]}",
                self.other,
                note="the other channel order",
            ),
        )


def shuffle_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None = None
) -> list[Formula]:
    r = p.get("upscale_factor", 1)
    lines: list[Formula] = []
    for name, n in formula_axes(in_size, None, {}):
        i = n["i"]
        lines.append(axis_label(name, f"o = i·r = {fnum(i)}·{fnum(r)} = {fnum(i * r)}"))
    channels = p.get("in_channels")  # given when the input holds more than one output's r²
    if channels is not None and channels != r * r:
        rule = f"C = C_out·r² = {fnum(channels // max(r * r, 1))}·{fnum(r * r)} = {fnum(channels)}"
        return [*lines, axis_label("channels", f"{rule} → {fnum(channels // max(r * r, 1))}")]
    return [*lines, axis_label("channels", f"C = r² = {fnum(r)}² = {fnum(r * r)} → 1")]


# --------------------------------------------------------------------------------------------
# The operator table's entry
# --------------------------------------------------------------------------------------------


def _shuffled_shape(in_shape: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
    """(C/r², H·r, W·r), without shuffling."""
    r = positive_int("upscale_factor", params.get("upscale_factor", 2))
    return (*in_shape[:-3], max(in_shape[-3] // (r * r), 1), in_shape[-2] * r, in_shape[-1] * r)


UPSCALE = Parameter(
    "upscale", "upscale r", keyword="upscale_factor", flag="--scale", rule="a whole number ≥ 1"
)
DOWNSCALE = Parameter(
    "downscale",
    "downscale r",
    keyword="downscale_factor",
    flag="--scale",
    rule="a whole number ≥ 1 that divides the height and the width",
)
ORDER = Parameter(
    "order",
    "channel order",
    kind=CHOICE,
    choices=ORDERS,
    rule="'crd' (PyTorch: c·r² + i·r + j) or 'dcr' (TensorFlow, ONNX: (i·r + j)·C + c)",
)

PIXEL_SHUFFLE = Operator(
    name="pixel_shuffle",
    words="pixel shuffle",
    story=(
        "Pixel shuffle grows a map by moving channels into space: each r×r block of the output "
        "comes from r² channels. The convolution before it does the learning."
    ),
    pytorch="F.pixel_shuffle",
    function=pixel_shuffle,
    trace=PixelShuffleTrace,
    formula=shuffle_formula,
    parameters=(UPSCALE, ORDER),
    step="an output cell and the channel it comes from",
    aliases=("shuffle",),
    grows_with="the upscale factor (--scale)",
    shape=_shuffled_shape,
    channels=True,
)


def unshuffle_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None = None
) -> list[Formula]:
    r = p.get("downscale_factor", 1)
    lines: list[Formula] = []
    for name, n in formula_axes(in_size, None, {}):
        i = n["i"]
        lines.append(axis_label(name, f"o = i/r = {fnum(i)}/{fnum(r)} = {fnum(i // max(r, 1))}"))
    channels = p.get("in_channels")
    if channels is not None:
        rule = f"C → C·r² = {fnum(channels)}·{fnum(r * r)} = {fnum(channels * r * r)}"
        return [*lines, axis_label("channels", rule)]
    return [*lines, axis_label("channels", f"C → C·r² = C·{fnum(r * r)}")]


def _unshuffled_shape(in_shape: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
    """(C·r², H/r, W/r), without unshuffling (a 2-D x is one channel)."""
    r = positive_int("downscale_factor", params.get("downscale_factor", 2))
    lead = in_shape[:-2] if len(in_shape) > 2 else (1,)
    return (*lead[:-1], lead[-1] * r * r, in_shape[-2] // r, in_shape[-1] // r)


PIXEL_UNSHUFFLE = Operator(
    name="pixel_unshuffle",
    words="pixel unshuffle",
    pytorch="F.pixel_unshuffle",
    function=pixel_unshuffle,
    trace=PixelUnshuffleTrace,
    formula=unshuffle_formula,
    parameters=(ORDER, DOWNSCALE),
    step="an output cell and the input cell of its r×r block it comes from",
    aliases=("unshuffle", "space_to_depth"),
    grows_with="the input",
    shape=_unshuffled_shape,
)
