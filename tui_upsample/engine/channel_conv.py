"""Convolution over several planes, stepped through im2col: one step is one output cell of one
output channel, the window in every input plane of its group times its kernel slice, summed
across channels.

The im2col row of a window spans every input channel (C_in·kH·kW columns, channel by channel),
and the kernel becomes one column per output channel laid against those columns: the C_in/g·kH·kW
weights of output channel o sit in its group's block of rows, and the rows of the groups it does
not see are absent (NaN, drawn as not there), not zeros. With ``groups = C_in`` (depthwise) each
column holds one kernel of one plane.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tui_upsample.engine.channels import channel_weight, channels_of, check_groups, grouping_note
from tui_upsample.engine.convolution import conv2d, im2col
from tui_upsample.engine.geometry import ConvGeometry, conv_geometry, padding_blame
from tui_upsample.engine.steps import (
    IM2COL,
    INPUT,
    KERNEL,
    KERNEL_VECTOR,
    OUTPUT,
    Block,
    Blocks,
    Cell,
    CellByCellTrace,
    Grid,
    Step,
    padding_param,
)
from tui_upsample.engine.text import dot_text
from tui_upsample.engine.text import format_number as num
from tui_upsample.engine.validation import fail, room_for


def channel_span(first: int, count: int) -> str:
    """ "channel 2" or "channels 2–3"."""
    return f"channel {first}" if count == 1 else f"channels {first}–{first + count - 1}"


class ChannelConv2dTrace(CellByCellTrace):
    """conv2d of (C_in, H, W) with a (C_out, C_in/g, kH, kW) weight: one step per output cell
    of each output channel, in (channel, row, col) order."""

    op = "conv2d"
    method = "im2col"
    kernel: np.ndarray

    def __init__(
        self,
        x: Any,
        weight: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: Any = 1,
        method: str = "im2col",
    ) -> None:
        if not isinstance(method, str) or method != "im2col":
            raise fail("method", method, "conv2d is traced through 'im2col'")
        self.input = channels_of(x)
        c_in = self.input.shape[0]
        self.kernel, self.groups = channel_weight("conv2d", weight, c_in, groups)
        c_out = self.kernel.shape[0]
        check_groups(self.groups, c_in, c_out)
        self.result = conv2d(self.input, self.kernel, None, stride, padding, dilation, self.groups)
        kh, kw = self.kernel.shape[2:]
        self.geometry: ConvGeometry = conv_geometry(
            self.input.shape[1:], (kh, kw), stride, padding, dilation
        )
        g = self.geometry
        self.params = {
            "stride": g.stride,
            "padding": padding_param(padding),
            "dilation": g.dilation,
            "groups": self.groups,
        }
        h, w = self.input.shape[1:]
        room_for(
            *padding_blame(padding, dilation, ("x", self.input), (h, w), (g.pad_rows, g.pad_cols)),
            (c_in, h + sum(g.pad_rows), w + sum(g.pad_cols)),
            "the padded input",
        )
        padded = np.pad(self.input, ((0, 0), g.pad_rows, g.pad_cols))
        self.im2col = im2col(padded, (kh, kw), g.stride, 0, g.dilation)
        # One column per output channel, its weights in its group's rows, the rest absent.
        per, c_og = c_in // self.groups * kh * kw, c_out // self.groups
        columns = np.full((c_in * kh * kw, c_out), np.nan)
        for o in range(c_out):
            start = (o // c_og) * per
            columns[start : start + per, o] = self.kernel[o].reshape(-1)
        self.kernel_vector = columns

    @property
    def im2col_blocks(self) -> Blocks:
        """im2col's column blocks: block c holds the kH·kW cells of input channel c's window."""
        n = self.im2col.shape[0]
        taps = int(np.prod(self.kernel.shape[2:]))
        return Blocks(
            n,
            taps,
            tuple(
                Block(range(n), range(c * taps, (c + 1) * taps), c)
                for c in range(self.input.shape[0])
            ),
            cols_are="input",
        )

    @property
    def kernel_blocks(self) -> Blocks:
        """The kernel's columns cut by channel: band c holds input channel c's kH·kW rows,
        block (c, o) the slice ``w[o, c − first channel of o's group]`` (absent between
        groups)."""
        taps = int(np.prod(self.kernel.shape[2:]))
        c_out, cig = self.kernel.shape[:2]
        cells = []
        for c in range(self.input.shape[0]):
            for o in range(c_out):
                local = c - self.group_of(o) * cig
                cells.append(
                    Block(
                        range(c * taps, (c + 1) * taps),
                        range(o, o + 1),
                        c,
                        o,
                        (o, local) if 0 <= local < cig else None,
                    )
                )
        return Blocks(taps, 1, tuple(cells), rows_are="input", cols_are="output")

    @property
    def in_per_group(self) -> int:
        return self.input.shape[0] // self.groups

    def group_of(self, out_channel: int) -> int:
        """The group output channel ``out_channel`` belongs to."""
        return out_channel // (self.kernel.shape[0] // self.groups)

    def _step(self, k: int) -> Step:
        o, oi, oj = self._output_cell(k)
        g = self.geometry
        kh, kw = self.kernel.shape[2:]
        h, w = self.input.shape[1:]
        cig = self.in_per_group
        first = self.group_of(o) * cig
        window = oi * self.result.shape[2] + oj
        per = cig * kh * kw
        block = range(first * kh * kw, first * kh * kw + per)
        row = self.im2col[window, block.start : block.stop]
        weights = self.kernel[o].reshape(-1)
        terms = list(zip(row, weights, strict=True))
        taps = [(a, b) for a in range(kh) for b in range(kw)]
        inside = []
        for a, b in taps:
            r = oi * g.stride[0] - g.pad_rows[0] + g.dilation[0] * a
            c = oj * g.stride[1] - g.pad_cols[0] + g.dilation[1] * b
            if 0 <= r < h and 0 <= c < w:
                inside.append((r, c))
        input_cells: list[Cell] = [
            (ch, r, c) for ch in range(first, first + cig) for r, c in inside
        ]
        kernel_cells: list[Cell] = [(o, cl, a, b) for cl in range(cig) for a, b in taps]
        value = self.result[o, oi, oj]
        notes: tuple[str, ...] = ()
        if cig > 1:
            sums = row.reshape(cig, -1) @ weights.reshape(cig, -1).T
            parts = " + ".join(num(sums[c, c]) for c in range(cig))
            notes = (f"by input channel: {parts} = {num(value)}",)
        if self.groups == 1:
            extra: dict[str, tuple[Cell, ...]] = {KERNEL_VECTOR: ((-1, o),)}
            im2col_row: int | None = window
        else:
            extra = {
                IM2COL: tuple((window, col) for col in block),
                KERNEL_VECTOR: tuple((col, o) for col in block),
            }
            im2col_row = None
        return Step(
            index=k,
            arithmetic=dot_text(f"y[{o},{oi},{oj}]", terms, value),
            rule=self._rule(o, first, cig),
            notes=notes,
            value=float(value),
            terms=tuple((float(a), float(b)) for a, b in terms),
            partial=self._partial(k),
            output_cells=((o, oi, oj),),
            input_cells=tuple(input_cells),
            kernel_cells=tuple(kernel_cells),
            im2col_row=im2col_row,
            extra=extra,
        )

    def _rule(self, o: int, first: int, cig: int) -> str:
        c_in = self.input.shape[0]
        if self.groups == 1:
            if c_in == 1:
                return ""
            return f"the window in each of the {c_in} input planes times w[{o},c], summed over c"
        if cig == 1:
            return (
                f"depthwise (groups = {self.groups}): output channel {o} reads input channel"
                f" {first} alone, with w[{o},0]"
            )
        return (
            f"output channel {o} is in group {self.group_of(o)} of {self.groups}: it reads"
            f" {channel_span(first, cig)} only, with w[{o},0…{cig - 1}]"
        )

    def _grids(self) -> Sequence[Grid]:
        n, width = self.im2col.shape
        kh, kw = self.kernel.shape[2:]
        c_out, cig = self.kernel.shape[:2]
        absent = "· : a weight this column's group does not have (absent, not 0)"
        return (
            Grid(INPUT, "x", self.input),
            Grid(
                KERNEL,
                f"w {c_out}×{cig}×{kh}×{kw} (C_out, C_in/g, kH, kW)",
                self.kernel,
                note=grouping_note(self.input.shape[0], self.groups),
            ),
            Grid(
                IM2COL,
                f"im2col(x): {n} windows × {width}",
                self.im2col,
                blocks=self.im2col_blocks if self.input.shape[0] > 1 else None,
            ),
            Grid(
                KERNEL_VECTOR,
                f"w as columns: {width} × {c_out}",
                self.kernel_vector,
                note=absent if self.groups > 1 else "column o: the kernels of output channel o",
                blocks=self.kernel_blocks if self.input.shape[0] * c_out > 1 else None,
            ),
            Grid(OUTPUT, "y = im2col(x) · w", self.result),
        )
