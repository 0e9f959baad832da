"""A scene's steps as text: one line per step, or a Markdown worksheet.

The plain transcript is for screen readers and braille displays, lecture notes and diffs: each
step's number and the engine's line, nothing else. The worksheet adds what a handout needs: the
scene's parameters, its output-size formula with the numbers put in, every grid as a table, the
steps and the result. Every number is the engine's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from tui_upsample.engine.operators import TABLE, output_size_formula
from tui_upsample.engine.parameters import FLAG
from tui_upsample.engine.steps import OUTPUT, Trace
from tui_upsample.engine.text import format_number
from tui_upsample.scene import OPERATOR_NAMES, Scene

FORMATS = ("text", "markdown")
"""What ``--transcript`` writes: plain lines, or a Markdown worksheet."""

TABLE_SIDE = 32
"""Rows and columns a worksheet table shows at most (more is said, not drawn)."""


def step_line(number: int, text: str) -> str:
    """One step of the transcript: its number (from 1, as on screen) and its line."""
    return f"{number}. {text}"


def transcript_lines(trace: Trace) -> Iterator[str]:
    """Every step of ``trace`` as one plain line, in order."""
    for step in trace:
        yield step_line(step.index + 1, step.text)


_MARKDOWN = re.compile(r"([\\`*_<|~])")


def markdown_text(text: str) -> str:
    """``text`` with the characters Markdown would read as formatting escaped."""
    return _MARKDOWN.sub(r"\\\1", text)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return "none"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return format_number(float(value))
    return str(value)


def _size(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def grid_table(values: Any, side: int = TABLE_SIDE) -> list[str]:
    """A 2-D grid as a Markdown table: row and column numbers, the engine's numbers (``·``
    where nothing is written yet); only the first ``side`` rows and columns of a larger one."""
    rows, cols = values.shape
    shown = np.asarray(values[: min(rows, side), : min(cols, side)], dtype=np.float64)
    head = "| |" + "".join(f" {c} |" for c in range(shown.shape[1]))
    lines = [head, "|---|" + "---:|" * shown.shape[1]]
    for r, row in enumerate(shown):
        lines.append(f"| **{r}** |" + "".join(f" {format_number(v)} |" for v in row))
    if rows > side or cols > side:
        lines.append("")
        first = f"{shown.shape[0]} rows and {shown.shape[1]} columns"
        lines.append(f"(the first {first} of {_size((rows, cols))})")
    return lines


def _grid_block(title: str, values: Any, note: str = "") -> list[str]:
    shape = tuple(values.shape)
    while len(shape) > 2 and shape[0] == 1:  # pixel shuffle's one output channel
        values = values[0]
        shape = shape[1:]
    size = _size(shape)
    heading = title if size in title else f"{title} ({size})"
    lines = [f"### {markdown_text(heading)}", ""]
    if note:
        lines += [markdown_text(note), ""]
    if len(shape) == 2:
        return lines + grid_table(values) + [""]
    planes = values[:]  # (C, H, W): one table per channel
    planes = np.asarray(planes).reshape(-1, shape[-2], shape[-1])
    for c, plane in enumerate(planes):
        lines += [f"channel {c}:", ""] + grid_table(plane) + [""]
    return lines


def formula_lines(scene: Scene, trace: Trace) -> list[str]:
    """The output-size formula with the scene's numbers put in, as the settings pane shows it."""
    params = {k: v for k, v in scene.engine_params().items() if k not in ("weight", "method")}
    if scene.has_kernel:
        params["kernel_size"] = scene.kernel.shape
    out = tuple(trace.result.shape[-2:])
    return [str(f) for f in output_size_formula(scene.op, scene.x.shape[-2:], params, out)]


def worksheet_lines(scene: Scene, trace: Trace) -> Iterator[str]:
    """The worksheet of ``scene`` (whose trace is ``trace``), as Markdown lines."""
    entry = TABLE[scene.op]
    method = f" · {scene.method}" if entry.methods else ""
    yield f"# {scene.op}{method}: {markdown_text(OPERATOR_NAMES[scene.op])}"
    yield ""
    yield markdown_text(f"{entry.pytorch}. One step: {entry.step}.")
    yield ""
    yield "## The scene"
    yield ""
    yield "| setting | value |"
    yield "|---|---|"
    yield f"| operator | `{scene.op}` |"
    yield f"| input | {_size(tuple(scene.x.shape))} |"
    if scene.has_kernel:
        yield f"| kernel | {_size(tuple(scene.kernel.shape))} |"
    for p in entry.parameters:
        value = scene.effective_kernel_size if p.field == "kernel_size" else getattr(scene, p.field)
        if p.kind == FLAG:
            value = bool(value)
        yield f"| {markdown_text(p.label)} | {markdown_text(_value(value))} |"
    yield f"| output | {_size(tuple(trace.result.shape))} |"
    yield ""
    formulas = formula_lines(scene, trace)
    if formulas:
        yield "## Output size"
        yield ""
        for line in formulas:
            yield f"- {markdown_text(line)}"
        yield ""
    yield "## The grids"
    yield ""
    for grid in trace.grids:
        if grid.name == OUTPUT:
            continue
        yield from _grid_block(grid.title, grid.values, grid.note)
    yield f"## The steps ({len(trace)})"
    yield ""
    for step in trace:
        yield step_line(step.index + 1, markdown_text(step.text))
    yield ""
    yield "## The result"
    yield ""
    output = trace.grid(OUTPUT)
    title = output.title if output is not None else "y"
    yield from _grid_block(title, trace.result)
