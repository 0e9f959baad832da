"""What every exported script shares: its frame (the data, the check against tui-upsample's
result, the JSON line), the formats and their tolerances, and the text helpers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tui_upsample import __version__
from tui_upsample.engine.channels import LAYOUTS
from tui_upsample.scene import OPERATOR_NAMES, Scene, build_trace

EXIT_MISSING = 3
"""A script's exit status when a package it needs (torch, keras, numpy…) is not installed."""


def guarded(imports: list[str]) -> list[str]:
    """``imports`` inside a try: a missing package is named on one line, with its own exit
    status (not a traceback and status 1, which means a mismatch)."""
    body = [f"    {line}" if line else "" for line in imports]
    return [
        "try:",
        *body,
        "except ModuleNotFoundError as missing:",
        '    print(f"needs {missing.name} (pip install {missing.name})", file=sys.stderr)',
        f"    sys.exit({EXIT_MISSING})",
    ]


FORMATS: tuple[str, ...] = ("pytorch", "keras", "numpy", "session")
"""Everything a scene can be exported as, in the order the export dialog lists them."""


SCRIPT_FORMATS: tuple[str, ...] = ("pytorch", "keras", "numpy")
"""The formats that are Python scripts."""


FORMAT_NAMES: dict[str, str] = {
    "pytorch": "PyTorch script (torch.nn.functional, float64)",
    "keras": "Keras script (keras.layers, float32, channels_last)",
    "numpy": "NumPy script (tui_upsample.engine, the app's own engine)",
    "session": "Session (JSON: reopen it with --load or the palette)",
}
"""What each format is, in words."""


TOLERANCE: dict[str, str] = {
    "pytorch": "1e-12",
    "numpy": "1e-12",
    "keras": "1e-5",
}
"""How far the script's result may be from tui-upsample's (relative to the largest value)."""


PRINT_DIGITS: dict[str, int] = {"pytorch": 10, "numpy": 10, "keras": 6}
"""Significant digits of the printed JSON: float64 round-off differs between libraries in the
last bits (a different order of additions), float32 already in the 7th digit; rounded, the PyTorch
and NumPy scripts print the same JSON."""


def printed_rows(result: np.ndarray, fmt: str) -> list[Any]:
    """The rows a ``fmt`` script prints for ``result``: each value to PRINT_DIGITS digits (a
    list of planes of rows for a result with channels)."""
    digits = PRINT_DIGITS[fmt]
    arr = np.asarray(result)
    if arr.ndim == 3:
        return [printed_rows(plane, fmt) for plane in arr]
    return [[float(f"{v:.{digits}g}") + 0.0 for v in row] for row in arr.tolist()]


class ExportError(ValueError):
    """The scene cannot be written in this format (the message says why, for a learner)."""


def planar(scene: Scene) -> bool:
    """Whether the scene's tensors have channels worth keeping: several planes (or groups, or a
    4-D kernel), or pixel unshuffle, whose output is channels whatever its input."""
    if scene.op == "pixel_shuffle":
        return scene.out_channels > 1
    return scene.multichannel or scene.op == "pixel_unshuffle"


def expected_result(scene: Scene) -> np.ndarray:
    """The scene's output as the engine computes it (what every script checks against): one
    plane (H, W), or (C, H, W) for a scene with channels."""
    result = np.asarray(build_trace(scene).result, dtype=np.float64)
    if planar(scene):
        return result.reshape(result.shape[-3:])
    return result.reshape(result.shape[-2:])


def number(value: float) -> str:
    """A float written so Python reads back the very same float."""
    return repr(float(value))


def literal(arr: np.ndarray, indent: str = "") -> str:
    """A nested-list literal of ``arr`` (2-D, 3-D or 4-D), one row per line, exact values."""
    if arr.ndim == 2:
        rows = [f"{indent}    [{', '.join(number(v) for v in row)}]," for row in arr]
        return "[\n" + "\n".join(rows) + f"\n{indent}]"
    planes = [f"{indent}    {literal(plane, indent + '    ')}," for plane in arr]
    return "[\n" + "\n".join(planes) + f"\n{indent}]"


def pair_text(value: Any) -> str:
    """``2`` for (2, 2), ``(2, 3)`` otherwise."""
    if isinstance(value, (tuple, list)):
        a, b = (int(v) for v in value)
        return str(a) if a == b else f"({a}, {b})"
    return str(int(value))


def call(name: str, args: list[str], keywords: list[tuple[str, str, bool]]) -> str:
    """``name(args, key=value, …)``, leaving out the keywords whose flag says "default"."""
    parts = list(args) + [f"{key}={value}" for key, value, default in keywords if not default]
    return f"{name}({', '.join(parts)})"


def scale_text(scene: Scene) -> str:
    """The scale factor as the engine receives it (``2`` for 2.0, ``1.5`` otherwise)."""
    value = float(scene.scale)
    return str(int(value)) if value.is_integer() else repr(value)


def describe(scene: Scene) -> str:
    """One line naming the operator and its parameters, for the script's docstring."""
    params = scene.engine_params()
    shown = []
    for key, value in params.items():
        if key in ("weight", "method"):
            continue
        if isinstance(value, str):
            shown.append(f"{key}={value!r}")
        else:
            shown.append(f"{key}={value}")
    return f"{scene.op} ({OPERATOR_NAMES[scene.op]}): {', '.join(shown)}"


def script(
    scene: Scene,
    framework: str,
    imports: list[str],
    data: list[str],
    body: list[str],
    result_line: str,
    notes: list[str] | None = None,
) -> str:
    """A whole script: docstring, imports, the scene's values, the operator, check, JSON."""
    label = {"pytorch": "PyTorch", "keras": "Keras", "numpy": "tui-upsample's NumPy engine"}
    who = label[framework]
    expected = expected_result(scene)
    doc = [
        '"""' + f"{scene.op} in {who}, exported by tui-upsample {__version__}.",
        "",
        describe(scene),
        "",
        f"Builds the scene's tensors, applies the operator through {who}, checks the result",
        "against the values tui-upsample computed, and prints the result as JSON (a list of",
        "rows, or of planes of rows for a result with channels) on its last line.",
        "",
        "Exit status: 0 the result matches; 1 a mismatch (the message says where);",
        f"{EXIT_MISSING} a package it needs is not installed (the message names it).",
    ]
    if notes:
        doc += [""] + notes
    doc.append('"""')
    lines = doc + ["", "import json", "import sys", ""] + guarded(imports)
    lines += ["", "# The scene's values, exactly as tui-upsample holds them."] + data
    lines += [
        "",
        "# What tui-upsample computed, to check against.",
        f"expected = np.array({literal(expected)})",
        "",
    ]
    lines += body
    lines += [
        "",
        f"result = np.asarray({result_line}, dtype=np.float64) + 0.0  # + 0.0: -0.0 becomes 0.0",
        "",
        f"tolerance = {TOLERANCE[framework]} * max(1.0, float(np.abs(expected).max()))",
        "if result.shape != expected.shape:",
        f'    sys.exit(f"mismatch: {who} gives shape {{result.shape}},"',
        '             f" tui-upsample computed {expected.shape}")',
        "error = np.abs(result - expected)",
        "if not error.max() <= tolerance:",
        *_mismatch_lines(who, expected.ndim),
        f"# Printed to {PRINT_DIGITS[framework]} significant digits: "
        + (
            "float32 holds about 7."
            if framework == "keras"
            else "libraries add in different orders, so"
        ),
        "# float64 results differ in the last bits; rounded, PyTorch and NumPy print the same."
        if framework != "keras"
        else "# (The check above compares the unrounded values.)",
        *_print_lines(PRINT_DIGITS[framework], expected.ndim),
    ]
    return "\n".join(lines) + "\n"


def _mismatch_lines(who: str, ndim: int) -> list[str]:
    """Where the first mismatch is: row and column, and the channel of a result with channels."""
    if ndim == 2:
        return [
            "    row, col = np.unravel_index(int(np.argmax(error)), error.shape)",
            "    sys.exit(",
            f'        f"mismatch at row {{row}}, column {{col}}: {who} gives'
            ' {result[row, col]!r},"',
            '        f" tui-upsample computed {expected[row, col]!r} (tolerance {tolerance:g})"',
            "    )",
        ]
    return [
        "    at = np.unravel_index(int(np.argmax(error)), error.shape)",
        "    sys.exit(",
        f'        f"mismatch at channel {{at[0]}}, row {{at[1]}}, column {{at[2]}}: {who} gives"',
        '        f" {result[at]!r}, tui-upsample computed {expected[at]!r}"',
        '        f" (tolerance {tolerance:g})"',
        "    )",
    ]


def _print_lines(digits: int, ndim: int) -> list[str]:
    if ndim == 2:
        return [
            f'print(json.dumps([[float(f"{{v:.{digits}g}}") + 0.0 for v in row]'
            " for row in result.tolist()]))"
        ]
    return [
        f'rows = [[[float(f"{{v:.{digits}g}}") + 0.0 for v in row] for row in plane]'
        " for plane in result.tolist()]",
        "print(json.dumps(rows))",
    ]


def input_data(scene: Scene) -> list[str]:
    """``x_rows = …`` (and ``w_rows = …`` for the convolutions)."""
    if scene.op == "pixel_shuffle":
        c, h, w = scene.channels.shape
        r2 = f"r² = {scene.upscale}²"
        if scene.out_channels > 1:
            r2 = f"C_out·r² = {scene.out_channels}·{scene.upscale}²"
        data = [f"# Input: {c} channels ({r2}) of {h}×{w}."]
        data.append(f"x_rows = {literal(scene.channels)}")
    elif scene.input.ndim == 3:
        c, h, w = scene.input.shape
        data = [
            f"# Input x: {c} channels of {h}×{w}, (C, H, W).",
            f"x_rows = {literal(scene.input)}",
        ]
    else:
        h, w = scene.input.shape
        data = [f"# Input x: {h}×{w}.", f"x_rows = {literal(scene.input)}"]
    if scene.has_kernel and scene.kernel.ndim == 4:
        layout = LAYOUTS[scene.op]
        shape = "(" + ", ".join(str(n) for n in scene.kernel.shape) + ")"
        data += [
            f"# Kernel w: {shape}, PyTorch's layout for {scene.op}: {layout}.",
            f"w_rows = {literal(scene.kernel)}",
        ]
    elif scene.has_kernel:
        kh, kw = scene.kernel.shape
        data += [f"# Kernel w: {kh}×{kw}.", f"w_rows = {literal(scene.kernel)}"]
    return data


def pool_window(scene: Scene) -> tuple[int, int, int]:
    """(kernel_size, stride, padding) of the pooling operators, as the engine takes them."""
    p = scene.padding if isinstance(scene.padding, int) else 0
    return int(scene.kernel_size), int(scene.stride), int(p)


def max_pool_call(function: str, scene: Scene) -> str:
    """``function(x, kernel_size=…, …)`` for the scene's max pooling, defaults left out."""
    k, s, p = pool_window(scene)
    return call(
        function,
        ["x"],
        [
            ("kernel_size", str(k), False),
            ("stride", str(s), False),
            ("padding", str(p), p == 0),
            ("dilation", str(scene.dilation), scene.dilation == 1),
            ("ceil_mode", "True", not scene.ceil_mode),
        ],
    )


def avg_pool_call(function: str, scene: Scene) -> str:
    """``function(x, kernel_size=…, …)`` for the scene's average pooling, defaults left out."""
    k, s, p = pool_window(scene)
    divisor = scene.divisor_override
    return call(
        function,
        ["x"],
        [
            ("kernel_size", str(k), False),
            ("stride", str(s), False),
            ("padding", str(p), p == 0),
            ("ceil_mode", "True", not scene.ceil_mode),
            ("count_include_pad", "False", bool(scene.count_include_pad)),
            ("divisor_override", str(divisor), divisor is None),
        ],
    )


def nearest_mode(scene: Scene) -> str:
    return "nearest-exact" if scene.exact else "nearest"


def comment_lines(text: str, width: int = 96) -> list[str]:
    """``text`` as ``# …`` lines no wider than ``width``."""
    lines: list[str] = []
    line = "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width and line != "#":
            lines.append(line)
            line = "#"
        line += " " + word
    lines.append(line)
    return lines
