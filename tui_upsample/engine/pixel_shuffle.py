"""Pixel shuffle, exact to ``F.pixel_shuffle``: r² channels of H×W become one channel of rH×rW.

Output cell (c, h, w) takes input channel c·r² + (h mod r)·r + (w mod r) at (h // r, w // r):
no weights, no overlap. The step trace shows one output cell per step and the channel it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.parameters import Operator, Parameter
from tui_upsample.engine.steps import (
    INPUT,
    OUTPUT,
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


def pixel_shuffle(x: Any, upscale_factor: Any) -> np.ndarray:
    """Rearrange (C·r², H, W) into (C, H·r, W·r), as ``F.pixel_shuffle``.

    out[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]: each group of r² channels becomes the
    r×r blocks of one output channel. Needs a channel axis, so the input is (C·r², H, W) or
    (N, C·r², H, W).
    """
    arr = as_grid("x", x)
    r = positive_int("upscale_factor", upscale_factor)
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
    out = x4.reshape(n, oc, r, r, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, oc, h * r, w * r)
    return restore(out)


class PixelShuffleTrace(CellByCellTrace):
    """Pixel shuffle: output cell (c, h, w) takes channel c·r² + (h mod r)·r + (w mod r)."""

    op = "pixel_shuffle"

    def __init__(self, x: Any, upscale_factor: Any = 2) -> None:
        arr = as_grid("x", x)
        if arr.ndim != 3:
            raise EngineError(
                f"x has shape {arr.shape}: pixel_shuffle's trace takes the (r², H, W) channels"
                " of one image"
            )
        self.input = arr
        self.result = pixel_shuffle(arr, upscale_factor)
        if isinstance(upscale_factor, bool) or not isinstance(upscale_factor, (int, np.integer)):
            raise fail("upscale_factor", upscale_factor, "must be an integer")
        self.params = {"upscale_factor": int(upscale_factor)}

    def _step(self, k: int) -> Step:
        c, oh, ow = self._output_cell(k)
        r = self.params["upscale_factor"]
        channel = c * r * r + (oh % r) * r + (ow % r)
        src = (channel, oh // r, ow // r)
        rule = f"channel {c}·{r * r} + ({oh} mod {r})·{r} + ({ow} mod {r}) = {channel}"
        if c == 0:
            rule = f"channel ({oh} mod {r})·{r} + ({ow} mod {r}) = {channel}"
        return Step(
            index=k,
            arithmetic=f"y{cell_text((c, oh, ow))} = x{cell_text(src)} = {num(self.input[src])}",
            rule=rule,
            value=float(self.input[src]),
            partial=self._partial(k),
            output_cells=((c, oh, ow),),
            input_cells=(src,),
        )

    def _grids(self) -> Sequence[Grid]:
        return (
            Grid(INPUT, "x (channels)", self.input),
            Grid(OUTPUT, "y = pixel_shuffle(x)", self.result),
        )


def shuffle_formula(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None = None
) -> list[Formula]:
    r = p.get("upscale_factor", 1)
    lines: list[Formula] = []
    for name, n in formula_axes(in_size, None, {}):
        i = n["i"]
        lines.append(axis_label(name, f"o = i·r = {fnum(i)}·{fnum(r)} = {fnum(i * r)}"))
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
    parameters=(UPSCALE,),
    step="an output cell and the channel it comes from",
    aliases=("shuffle",),
    grows_with="the upscale factor (--scale)",
    shape=_shuffled_shape,
    channels=True,
)
