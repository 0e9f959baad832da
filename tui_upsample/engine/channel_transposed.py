"""Transposed convolution over several planes, in its three faces.

The weight is (C_in, C_out/g, kH, kW): input channel c owns the slices ``w[c, :]``, one per output
channel of its group, which is the other way round from conv2d's (C_out, C_in/g, kH, kW).

- scatter: input value x[c, i, j] scales each slice w[c, o'] and adds it at its footprint in
  output channel o = group·C_out/g + o'; one step per input cell, channel by channel.
- matrix: y = r · W2 with W2 = W1ᵀ made of C_in × C_out channel blocks (those of two different
  groups absent); one step per output cell of each output channel.
- direct: a stride-1 conv2d of the zero-inserted, padded input with the kernel turned 180° *and
  its channel axes swapped*: the direct weight is (C_out, C_in/g, kH, kW), entry [o, c', a, b]
  = w[group·C_in/g + c', o', kH−1−a, kW−1−b]. The swap is the step people miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tui_upsample.engine.channel_conv import channel_span
from tui_upsample.engine.channel_matrix import ChannelMatrix
from tui_upsample.engine.channels import channel_weight, channels_of, grouping_note
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.geometry import transposed_geometry
from tui_upsample.engine.steps import (
    INPUT,
    KERNEL,
    MATRIX,
    OUTPUT,
    PADDED,
    ROTATED_KERNEL,
    SCALED_KERNEL,
    Grid,
    Step,
    Trace,
    padding_param,
    written_before,
)
from tui_upsample.engine.text import dot_text, slice_text
from tui_upsample.engine.text import format_factor as factor
from tui_upsample.engine.text import format_number as num
from tui_upsample.engine.transposed import conv_transpose2d, zero_inserted
from tui_upsample.engine.validation import fail, pair, room_for

FACES = ("scatter", "matrix", "direct")


class ChannelConvTranspose2dTrace(Trace):
    """conv_transpose2d of (C_in, H, W) with a (C_in, C_out/g, kH, kW) weight, as a scatter, as
    r · W2 or as a direct convolution."""

    op = "conv_transpose2d"
    kernel: np.ndarray
    method: str

    def __init__(
        self,
        x: Any,
        weight: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        dilation: Any = 1,
        groups: Any = 1,
        method: str = "scatter",
    ) -> None:
        if method == "all":
            raise EngineError(
                "method='all': the three faces at once are engine.faces.ChannelThreeFacesTrace"
                " (trace('conv_transpose2d', x, method='all') builds it)"
            )
        if not isinstance(method, str) or method not in FACES:
            raise fail("method", method, "must be one of 'scatter', 'matrix', 'direct', 'all'")
        self.method = method
        self.input = channels_of(x)
        c_in = self.input.shape[0]
        self.kernel, self.groups = channel_weight("conv_transpose2d", weight, c_in, groups)
        self._call = {
            "stride": stride,
            "padding": padding,
            "output_padding": output_padding,
            "dilation": dilation,
        }
        self.result = conv_transpose2d(
            self.input, self.kernel, None, groups=self.groups, **self._call
        )
        self.geometry = transposed_geometry(
            self.input.shape[1:], self.kernel.shape[2:], stride, padding, output_padding, dilation
        )
        self.params = {
            "stride": self.geometry.stride,
            "padding": padding_param(padding),
            "output_padding": pair("output_padding", output_padding),
            "dilation": self.geometry.dilation,
            "groups": self.groups,
            "method": method,
        }
        if method == "direct":
            g = self.geometry
            blame: tuple[str, Any] = (
                ("dilation", dilation) if max(g.dilation) > 1 else ("weight", self.kernel)
            )
            room_for(blame[0], blame[1], (c_in, *g.padded_size), "the zero-inserted, padded input")
        elif method == "matrix":
            self.matrix  # noqa: B018 - W2 is lazy, but refuses a geometry its indices cannot reach

    # Channels ---------------------------------------------------------------------------------
    @property
    def in_per_group(self) -> int:
        return self.input.shape[0] // self.groups

    @property
    def out_per_group(self) -> int:
        return self.kernel.shape[1]

    def outputs_of(self, c: int) -> range:
        """The output channels input channel ``c`` scatters into (those of its group)."""
        first = c // self.in_per_group * self.out_per_group
        return range(first, first + self.out_per_group)

    def inputs_of(self, o: int) -> range:
        """The input channels output channel ``o`` gathers from (those of its group)."""
        first = o // self.out_per_group * self.in_per_group
        return range(first, first + self.in_per_group)

    def _count(self) -> int:
        return int(self.input.size if self.method == "scatter" else self.result.size)

    def _step(self, k: int) -> Step:
        return {"scatter": self._scatter, "matrix": self._matrix, "direct": self._direct}[
            self.method
        ](k)

    # scatter ----------------------------------------------------------------------------------
    def _scatter(self, k: int) -> Step:
        c, i, j = (int(v) for v in np.unravel_index(k, self.input.shape))
        value = self.input[c, i, j]
        g, (kh, kw) = self.geometry, self.kernel.shape[2:]
        out_h, out_w = g.output
        seen = np.zeros(self.input.size)
        seen[: k + 1] = 1.0
        partial = conv_transpose2d(
            self.input * seen.reshape(self.input.shape),
            self.kernel,
            None,
            groups=self.groups,
            **self._call,
        )
        taps, cells = [], []
        for a in range(kh):
            r = i * g.stride[0] + g.dilation[0] * a - g.crop[0]
            for b in range(kw):
                col = j * g.stride[1] + g.dilation[1] * b - g.crop[1]
                if 0 <= r < out_h and 0 <= col < out_w:
                    taps.append((a, b))
                    cells.append((r, col))
        outs = self.outputs_of(c)
        scaled = np.full((self.result.shape[0], kh, kw), np.nan)
        scaled[outs.start : outs.stop] = value * self.kernel[c]
        if not cells:
            arithmetic = f"r[{c},{i},{j}] = {num(value)}: its whole footprint falls outside y"
        else:
            rows = sorted({r for r, _ in cells})
            cols = sorted({q for _, q in cells})
            where = (
                f"{slice_text(rows[0], len(rows), g.dilation[0])}, "
                f"{slice_text(cols[0], len(cols), g.dilation[1])}"
            )
            into = [f"y[{o}, {where}] += {factor(value)}·w[{c},{o - outs.start}]" for o in outs]
            if len(into) > 3:
                slot = f"o − {outs.start}" if outs.start else "o"  # w's index within the group
                into = [
                    f"y[o, {where}] += {factor(value)}·w[{c},{slot}] for o in"
                    f" {outs.start}…{outs.stop - 1}"
                ]
            arithmetic = f"r[{c},{i},{j}] = {num(value)}: " + "; ".join(into)
        notes = [self._scatter_rule(c, outs)]
        cut = kh * kw - len(cells)
        if cut:
            notes.append(f"{cut} of its {kh * kw} taps fall outside y, cut off by padding")
        return Step(
            index=k,
            arithmetic=arithmetic,
            notes=tuple(n for n in notes if n),
            partial=partial,
            output_cells=tuple((o, r, q) for o in outs for r, q in cells),
            input_cells=((c, i, j),),
            kernel_cells=tuple((c, o - outs.start, a, b) for o in outs for a, b in taps),
            scaled_kernel=scaled,
            extra={SCALED_KERNEL: tuple((o, a, b) for o in outs for a, b in taps)},
        )

    def _scatter_rule(self, c: int, outs: range) -> str:
        if self.groups == 1:
            if len(outs) == 1:
                return ""
            return f"input channel {c} reaches every output channel, each with its slice w[{c},o]"
        return (
            f"input channel {c} is in group {c // self.in_per_group} of {self.groups}: it reaches"
            f" output {channel_span(outs.start, len(outs))} only"
        )

    # matrix -----------------------------------------------------------------------------------
    @property
    def matrix(self) -> ChannelMatrix:
        """W2 = W1ᵀ, (C_in·H·W) × (C_out·H_out·W_out), sliced lazily (other groups' blocks 0)."""
        return ChannelMatrix(self.kernel, self.input.shape[1:], self.groups, self._call)

    def _taps_into(self, oi: int, oj: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """(input cell, kernel tap) pairs of one plane that reach output cell (oi, oj)."""
        g, (kh, kw) = self.geometry, self.kernel.shape[2:]
        h, w = self.input.shape[1:]
        pairs = []
        for a in range(kh):
            num_r = oi + g.crop[0] - g.dilation[0] * a
            if num_r % g.stride[0] or not 0 <= num_r // g.stride[0] < h:
                continue
            for b in range(kw):
                num_c = oj + g.crop[1] - g.dilation[1] * b
                if num_c % g.stride[1] or not 0 <= num_c // g.stride[1] < w:
                    continue
                pairs.append(((num_r // g.stride[0], num_c // g.stride[1]), (a, b)))
        return sorted(pairs)

    def _gather_rule(self, o: int, ins: range) -> str:
        if self.groups == 1:
            return "" if len(ins) == 1 else f"summed over the {len(ins)} input channels"
        return (
            f"output channel {o} is in group {o // self.out_per_group} of {self.groups}: it"
            f" gathers from input {channel_span(ins.start, len(ins))} only"
        )

    def _matrix(self, k: int) -> Step:
        o, oi, oj = (int(v) for v in np.unravel_index(k, self.result.shape))
        ol = o % self.out_per_group
        ins = self.inputs_of(o)
        pairs = self._taps_into(oi, oj)
        terms = [
            (self.input[(c, *cell)], self.kernel[c, ol, a, b])
            for c in ins
            for cell, (a, b) in pairs
        ]
        rows = self.input.size
        notes = [self._gather_rule(o, ins)]
        if len(terms) < rows:
            notes.append(f"the other {rows - len(terms)} entries of column {k} are 0 or absent")
        return Step(
            index=k,
            arithmetic=dot_text(f"y[{o},{oi},{oj}] = r · W2[:,{k}]", terms, self.result[o, oi, oj]),
            notes=tuple(n for n in notes if n),
            value=float(self.result[o, oi, oj]),
            terms=tuple((float(a), float(b)) for a, b in terms),
            partial=written_before(self.result, k),
            output_cells=((o, oi, oj),),
            input_cells=tuple((c, *cell) for c in ins for cell, _ in pairs),
            kernel_cells=tuple((c, ol, a, b) for c in ins for _, (a, b) in pairs),
            matrix_column=k,
        )

    # direct -----------------------------------------------------------------------------------
    @property
    def padded(self) -> np.ndarray:
        """Every plane of x with stride−1 zeros between its values, padded by d(k−1) − p."""
        return np.stack([zero_inserted(plane, self.geometry) for plane in self.input])

    @property
    def direct_kernel(self) -> np.ndarray:
        """The kernel turned 180° with its channel axes swapped: (C_out, C_in/g, kH, kW), as a
        conv2d weight. Entry [o, c', a, b] = w[group·C_in/g + c', o', kH−1−a, kW−1−b]."""
        c_in, c_og = self.kernel.shape[:2]
        cig = self.in_per_group
        w = self.kernel.reshape(self.groups, cig, c_og, *self.kernel.shape[2:])
        swapped = w.transpose(0, 2, 1, 3, 4).reshape(self.groups * c_og, cig, *w.shape[3:])
        return np.ascontiguousarray(swapped[:, :, ::-1, ::-1])

    def _direct(self, k: int) -> Step:
        o, oi, oj = (int(v) for v in np.unravel_index(k, self.result.shape))
        g, (kh, kw) = self.geometry, self.kernel.shape[2:]
        ol = o % self.out_per_group
        ins = self.inputs_of(o)
        turned = self.direct_kernel
        window, used, terms, inputs, taps = [], [], [], [], []
        for c in ins:
            cl = c - ins.start
            for a in range(kh):
                for b in range(kw):
                    pr, pc = oi + g.dilation[0] * a, oj + g.dilation[1] * b
                    window.append((c, pr, pc))
                    src = g.input_at_padded((pr, pc), self.input.shape[1:])
                    if src is not None:
                        used.append((o, cl, a, b))
                        inputs.append((c, *src))
                        taps.append((c, ol, kh - 1 - a, kw - 1 - b))
                        terms.append((self.input[(c, *src)], turned[o, cl, a, b]))
        total = len(ins) * kh * kw
        notes = [self._gather_rule(o, ins)]
        if len(ins) > 1 or self.out_per_group > 1:
            notes.append(f"the turned kernel's [{o},c'] is w[c,{ol}]: its channel axes swapped")
        if total > len(terms):
            notes.append(
                f"{total - len(terms)} of the {total} taps fall on inserted or padding zeros"
            )
        return Step(
            index=k,
            arithmetic=dot_text(f"y[{o},{oi},{oj}]", terms, self.result[o, oi, oj]),
            notes=tuple(n for n in notes if n),
            value=float(self.result[o, oi, oj]),
            terms=tuple((float(a), float(b)) for a, b in terms),
            partial=written_before(self.result, k),
            output_cells=((o, oi, oj),),
            input_cells=tuple(inputs),
            kernel_cells=tuple(taps),
            padded_cells=tuple(window),
            extra={ROTATED_KERNEL: tuple(used)},
        )

    def _grids(self) -> Sequence[Grid]:
        c_in, c_og, kh, kw = self.kernel.shape
        base = [
            Grid(INPUT, "r", self.input),
            Grid(
                KERNEL,
                f"w {c_in}×{c_og}×{kh}×{kw} (C_in, C_out/g, kH, kW)",
                self.kernel,
                note=grouping_note(self.input.shape[0], self.groups),
            ),
        ]
        if self.method == "scatter":
            first = self._scatter(0).scaled_kernel
            assert first is not None  # a scatter step always scales the kernel
            extra = [
                Grid(SCALED_KERNEL, "r[c,i,j]·w[c,o]", first, note="plane o: output channel o")
            ]
        elif self.method == "matrix":
            shown = ChannelMatrix(
                self.kernel, self.input.shape[1:], self.groups, self._call, np.nan
            )
            m = shown.shape
            extra = [
                Grid(
                    MATRIX,
                    f"W2 = W1ᵀ ({m[0]}×{m[1]})",
                    shown,
                    note="row: input cell; column: output cell; channel blocks "
                    f"{shown.block_shape[0]}×{shown.block_shape[1]}"
                    + ("; · : another group's block (absent)" if self.groups > 1 else ""),
                    blocks=shown.blocks if len(shown.blocks.cells) > 1 else None,
                )
            ]
        else:
            turned = self.direct_kernel
            extra = [
                Grid(PADDED, "zeros inserted, then padded", self.padded),
                Grid(
                    ROTATED_KERNEL,
                    f"w turned 180°, channel axes swapped: {turned.shape[0]}×{turned.shape[1]}"
                    f"×{kh}×{kw}",
                    turned,
                ),
            ]
        return (*base, *extra, Grid(OUTPUT, "y = conv_transpose2d(r, w)", self.result))
