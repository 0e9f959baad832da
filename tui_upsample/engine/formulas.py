"""Output-size formulas written out with the numbers put in, for the settings pane to show.

Each line reads like ``o = (i−1)·s − 2p + d(k−1) + a + 1 = (2−1)·1 − 0 + 1 + 0 + 1 = 3``: the
rule, the rule with this scene's numbers, and the size (from :mod:`tui_upsample.engine.shapes`).
When rows and columns differ, there is a line for each. Pure Python: no NumPy needed, no textual.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tui_upsample.engine.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    unpool_default_size,
)


def _pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, (tuple, list)):
        return (value[0], value[1])
    return (value, value)


def _num(value: float) -> str:
    """A number as it is written in a formula: 2 not 2.0, minus as −."""
    v = float(value)
    text = str(int(v)) if v.is_integer() else f"{v:g}"
    return text.replace("-", "−")


def _axes(
    in_size: Sequence[int], out_size: Sequence[int] | None, params: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """One (label, numbers) entry per axis; a single unlabelled one when both axes agree."""
    axes = []
    for axis, name in enumerate(("rows", "cols")):
        numbers = {key: _pair(value)[axis] for key, value in params.items()}
        numbers["i"] = in_size[axis]
        numbers["o"] = out_size[axis] if out_size is not None else None
        axes.append((name, numbers))
    if axes[0][1] == axes[1][1]:
        return [("", axes[0][1])]
    return axes


def _label(name: str, line: str) -> str:
    return f"{name}: {line}" if name else line


def output_size_lines(
    op: str,
    in_size: Sequence[int],
    params: Mapping[str, Any],
    out_size: Sequence[int] | None = None,
) -> list[str]:
    """The output-size formula of ``op`` for an input of ``in_size`` (rows, cols), numbers put in.

    ``params`` are the engine's keyword arguments (kernel size given as ``kernel_size`` for every
    operator that has one). ``out_size`` is the size the engine produced; it is used where the
    rule itself is a choice of the engine ("same"/"valid" padding).
    """
    p = dict(params)
    if op == "conv2d":
        return _conv(in_size, p, out_size)
    if op == "conv_transpose2d":
        return _conv_transpose(in_size, p, out_size)
    if op == "max_pool2d":
        return _pool(in_size, p)
    if op == "max_unpool2d":
        return _unpool(in_size, p)
    if op in ("upsample_nearest", "upsample_bilinear"):
        return _interpolate(in_size, p)
    if op == "bed_of_nails":
        return _nails(in_size, p)
    if op == "pixel_shuffle":
        return _shuffle(in_size, p)
    return []


def _padding_word(p: Mapping[str, Any], out_size: Sequence[int] | None, rule: str) -> list[str]:
    word = p.get("padding")
    if out_size is None:
        return [f"padding={word!r}: {rule}"]
    rows, cols = out_size
    size = f"{rows}" if rows == cols else f"{rows} × {cols}"
    return [f"padding={word!r}: {rule} = {size}"]


def _conv(in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None) -> list[str]:
    if isinstance(p.get("padding"), str):
        if p["padding"] == "same":
            return _padding_word(p, out, "o = ⌈i/s⌉")
        p = {**p, "padding": 0}
    lines = []
    keys = {
        k: p.get(k, d)
        for k, d in (("kernel_size", 1), ("stride", 1), ("padding", 0), ("dilation", 1))
    }
    for name, n in _axes(in_size, None, keys):
        i, k, s, pad, d = n["i"], n["kernel_size"], n["stride"], n["padding"], n["dilation"]
        o = conv_output_size(i, k, s, pad, d)
        lines.append(
            _label(
                name,
                (
                    f"o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 = "
                    f"⌊({_num(i)} + {_num(2 * pad)} − {_num(d * (k - 1))} − 1)/{_num(s)}⌋ + 1"
                    f" = {_num(o)}"
                ),
            )
        )
    return lines


def _conv_transpose(
    in_size: Sequence[int], p: dict[str, Any], out: Sequence[int] | None
) -> list[str]:
    if isinstance(p.get("padding"), str):
        rule = "o = i·s" if p["padding"] == "same" else "o = i·s + max(d(k−1) + 1 − s, 0)"
        return _padding_word(p, out, rule)
    lines = []
    keys = {
        k: p.get(k, d)
        for k, d in (
            ("kernel_size", 1),
            ("stride", 1),
            ("padding", 0),
            ("output_padding", 0),
            ("dilation", 1),
        )
    }
    for name, n in _axes(in_size, None, keys):
        i, k, s, pad = n["i"], n["kernel_size"], n["stride"], n["padding"]
        a, d = n["output_padding"], n["dilation"]
        o = conv_transpose_output_size(i, k, s, pad, a, d)
        lines.append(
            _label(
                name,
                (
                    f"o = (i−1)·s − 2p + d(k−1) + a + 1 = "
                    f"({_num(i)}−1)·{_num(s)} − {_num(2 * pad)} + {_num(d * (k - 1))}"
                    f" + {_num(a)} + 1"
                    f" = {_num(o)}"
                ),
            )
        )
    return lines


def _pool(in_size: Sequence[int], p: dict[str, Any]) -> list[str]:
    ceil = bool(p.get("ceil_mode", False))
    lo, hi = ("⌈", "⌉") if ceil else ("⌊", "⌋")
    keys = {
        k: p.get(k, d)
        for k, d in (("kernel_size", 1), ("stride", None), ("padding", 0), ("dilation", 1))
    }
    if keys["stride"] is None:
        keys["stride"] = keys["kernel_size"]
    lines = []
    for name, n in _axes(in_size, None, keys):
        i, k, s, pad, d = n["i"], n["kernel_size"], n["stride"], n["padding"], n["dilation"]
        o = pool_output_size(i, k, s, pad, d, ceil)
        span = f"({_num(i)} + {_num(2 * pad)} − {_num(d * (k - 1))} − 1)/{_num(s)}"
        line = f"o = {lo}(i + 2p − d(k−1) − 1)/s{hi} + 1 = {lo}{span}{hi} + 1 = {_num(o)}"
        if ceil and o != -(-(i + 2 * pad - d * (k - 1) - 1) // s) + 1:
            line += " (the last window would start in the padding: dropped)"
        lines.append(_label(name, line))
    return lines


def _unpool(in_size: Sequence[int], p: dict[str, Any]) -> list[str]:
    keys = {k: p.get(k, d) for k, d in (("kernel_size", 1), ("stride", None), ("padding", 0))}
    if keys["stride"] is None:
        keys["stride"] = keys["kernel_size"]
    lines = []
    for name, n in _axes(in_size, None, keys):
        i, k, s, pad = n["i"], n["kernel_size"], n["stride"], n["padding"]
        m = pool_output_size(i, k, s, pad)
        o = unpool_default_size(m, k, s, pad)
        lines.append(
            _label(
                name,
                (
                    f"pooled m = ⌊(i + 2p − k)/s⌋ + 1 = "
                    f"⌊({_num(i)} + {_num(2 * pad)} − {_num(k)})/{_num(s)}⌋ + 1 = {_num(m)}"
                ),
            )
        )
        lines.append(
            _label(
                name,
                (
                    f"unpooled o = (m−1)·s − 2p + k = "
                    f"({_num(m)}−1)·{_num(s)} − {_num(2 * pad)} + {_num(k)} = {_num(o)}"
                ),
            )
        )
    return lines


def _interpolate(in_size: Sequence[int], p: dict[str, Any]) -> list[str]:
    if p.get("size") is not None:
        return [f"o = size = {p['size']}"]
    keys = {"scale_factor": p.get("scale_factor", 1)}
    lines = []
    for name, n in _axes(in_size, None, keys):
        i, f = n["i"], n["scale_factor"]
        o = math.floor(i * f)
        lines.append(_label(name, f"o = ⌊i·f⌋ = ⌊{_num(i)}·{_num(f)}⌋ = {_num(o)}"))
    return lines


def _nails(in_size: Sequence[int], p: dict[str, Any]) -> list[str]:
    keys = {"scale_factor": p.get("scale_factor", 1)}
    lines = []
    for name, n in _axes(in_size, None, keys):
        i, f = n["i"], n["scale_factor"]
        lines.append(_label(name, f"o = i·f = {_num(i)}·{_num(f)} = {_num(i * f)}"))
    return lines


def _shuffle(in_size: Sequence[int], p: dict[str, Any]) -> list[str]:
    r = p.get("upscale_factor", 1)
    lines = []
    for name, n in _axes(in_size, None, {}):
        i = n["i"]
        lines.append(_label(name, f"o = i·r = {_num(i)}·{_num(r)} = {_num(i * r)}"))
    return [*lines, f"channels: C = r² = {_num(r)}² = {_num(r * r)} → 1"]
