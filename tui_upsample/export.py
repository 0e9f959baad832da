"""A scene as a runnable script: the same numbers through PyTorch, Keras or tui-upsample's engine.

Each script is self-contained: it builds the scene's tensors with their exact values, applies the
operator through the framework's public API, checks the result against the values tui-upsample
computed (embedded in the script; on a mismatch it says where and exits with status 1) and prints
the result as JSON, a list of rows, on its last line. Without its framework installed it says
"needs torch" (or keras…) on one line and exits with status 3 (:data:`EXIT_MISSING`). So a
learner can see the same operator in the library they will use, and trust that the numbers on
screen are that library's.

* ``pytorch``: ``torch.nn.functional`` in float64 (the check is exact to 1e-12).
* ``keras``: ``keras.layers`` in float32 on whatever backend Keras is set to (tolerance 1e-5 of
  the largest value), channels_last. Keras has no layer for some scenes (max unpooling,
  align_corners, a fractional scale…): :func:`keras_refusal` says why, and :func:`export_keras`
  raises :class:`ExportError` with that reason.
* ``numpy``: ``tui_upsample.engine``, the NumPy engine the app itself runs.
* ``session``: the scene as JSON (see :mod:`tui_upsample.session`).

Nothing here imports textual: the command line and the app both call :func:`export`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tui_upsample import __version__
from tui_upsample.engine.conventions import keras_vs_pytorch
from tui_upsample.engine.geometry import forward_padding
from tui_upsample.scene import OPERATOR_NAMES, Scene, build_trace

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


def printed_rows(result: np.ndarray, fmt: str) -> list[list[float]]:
    """The rows a ``fmt`` script prints for ``result``: each value to PRINT_DIGITS digits."""
    digits = PRINT_DIGITS[fmt]
    return [[float(f"{v:.{digits}g}") + 0.0 for v in row] for row in np.asarray(result).tolist()]


class ExportError(ValueError):
    """The scene cannot be written in this format (the message says why, for a learner)."""


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def export(scene: Scene, fmt: str) -> str:
    """The text of ``scene`` exported as ``fmt`` (one of :data:`FORMATS`).

    Raises ExportError when the format cannot express the scene, and the engine's ValueError when
    the scene itself is invalid.
    """
    if fmt == "session":
        from tui_upsample.session import dumps

        return dumps(scene)
    writers: dict[str, Callable[[Scene], str]] = {
        "pytorch": export_pytorch,
        "keras": export_keras,
        "numpy": export_numpy,
    }
    if fmt not in writers:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return writers[fmt](scene)


def file_name(scene: Scene, fmt: str) -> str:
    """Where the app writes an export: ``upsample-conv_transpose2d-pytorch.py`` and the like."""
    if fmt == "session":
        return f"upsample-{scene.op}-session.json"
    return f"upsample-{scene.op}-{fmt}.py"


def expected_result(scene: Scene) -> np.ndarray:
    """The scene's output plane as the engine computes it (what every script checks against)."""
    result = np.asarray(build_trace(scene).result, dtype=np.float64)
    return result.reshape(result.shape[-2:])


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------


def _num(value: float) -> str:
    """A float written so Python reads back the very same float."""
    return repr(float(value))


def _literal(arr: np.ndarray, indent: str = "") -> str:
    """A nested-list literal of ``arr`` (2-D or 3-D), one row per line, exact values."""
    if arr.ndim == 2:
        rows = [f"{indent}    [{', '.join(_num(v) for v in row)}]," for row in arr]
        return "[\n" + "\n".join(rows) + f"\n{indent}]"
    planes = [f"{indent}    {_literal(plane, indent + '    ')}," for plane in arr]
    return "[\n" + "\n".join(planes) + f"\n{indent}]"


def _pair(value: Any) -> str:
    """``2`` for (2, 2), ``(2, 3)`` otherwise."""
    if isinstance(value, (tuple, list)):
        a, b = (int(v) for v in value)
        return str(a) if a == b else f"({a}, {b})"
    return str(int(value))


def _call(name: str, args: list[str], keywords: list[tuple[str, str, bool]]) -> str:
    """``name(args, key=value, …)``, leaving out the keywords whose flag says "default"."""
    parts = list(args) + [f"{key}={value}" for key, value, default in keywords if not default]
    return f"{name}({', '.join(parts)})"


def _scale_text(scene: Scene) -> str:
    """The scale factor as the engine receives it (``2`` for 2.0, ``1.5`` otherwise)."""
    value = float(scene.scale)
    return str(int(value)) if value.is_integer() else repr(value)


def _describe(scene: Scene) -> str:
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


def _script(
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
        _describe(scene),
        "",
        f"Builds the scene's tensors, applies the operator through {who}, checks the result",
        "against the values tui-upsample computed, and prints the result as JSON (a list of",
        "rows) on its last line.",
        "",
        "Exit status: 0 the result matches; 1 a mismatch (the message says where);",
        f"{EXIT_MISSING} a package it needs is not installed (the message names it).",
    ]
    if notes:
        doc += [""] + notes
    doc.append('"""')
    lines = doc + ["", "import json", "import sys", ""] + _guarded(imports)
    lines += ["", "# The scene's values, exactly as tui-upsample holds them."] + data
    lines += [
        "",
        "# What tui-upsample computed, to check against.",
        f"expected = np.array({_literal(expected)})",
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
        "    row, col = np.unravel_index(int(np.argmax(error)), error.shape)",
        "    sys.exit(",
        f'        f"mismatch at row {{row}}, column {{col}}: {who} gives {{result[row, col]!r}},"',
        '        f" tui-upsample computed {expected[row, col]!r} (tolerance {tolerance:g})"',
        "    )",
        f"# Printed to {PRINT_DIGITS[framework]} significant digits: "
        + (
            "float32 holds about 7."
            if framework == "keras"
            else "libraries add in different orders, so"
        ),
        "# float64 results differ in the last bits; rounded, PyTorch and NumPy print the same."
        if framework != "keras"
        else "# (The check above compares the unrounded values.)",
        f'print(json.dumps([[float(f"{{v:.{PRINT_DIGITS[framework]}g}}") + 0.0 for v in row]'
        " for row in result.tolist()]))",
    ]
    return "\n".join(lines) + "\n"


def _guarded(imports: list[str]) -> list[str]:
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


def _input_data(scene: Scene) -> list[str]:
    """``x_rows = …`` (and ``w_rows = …`` for the convolutions)."""
    if scene.op == "pixel_shuffle":
        c, h, w = scene.channels.shape
        data = [f"# Input: {c} channels (r² = {scene.upscale}²) of {h}×{w}."]
        data.append(f"x_rows = {_literal(scene.channels)}")
    else:
        h, w = scene.input.shape
        data = [f"# Input x: {h}×{w}.", f"x_rows = {_literal(scene.input)}"]
    if scene.has_kernel:
        kh, kw = scene.kernel.shape
        data += [f"# Kernel w: {kh}×{kw}.", f"w_rows = {_literal(scene.kernel)}"]
    return data


def _pool_window(scene: Scene) -> tuple[int, int, int]:
    """(kernel_size, stride, padding) of the pooling operators, as the engine takes them."""
    p = scene.padding if isinstance(scene.padding, int) else 0
    return int(scene.kernel_size), int(scene.stride), int(p)


# --------------------------------------------------------------------------------------------
# PyTorch
# --------------------------------------------------------------------------------------------


def _max_pool_call(function: str, scene: Scene) -> str:
    """``function(x, kernel_size=…, …)`` for the scene's max pooling, defaults left out."""
    k, s, p = _pool_window(scene)
    return _call(
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


def _avg_pool_call(function: str, scene: Scene) -> str:
    """``function(x, kernel_size=…, …)`` for the scene's average pooling, defaults left out."""
    k, s, p = _pool_window(scene)
    divisor = scene.divisor_override
    return _call(
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


def _nearest_mode(scene: Scene) -> str:
    return "nearest-exact" if scene.exact else "nearest"


EXIT_MISSING = 3
"""A script's exit status when a package it needs (torch, keras, numpy…) is not installed."""


def export_pytorch(scene: Scene) -> str:
    """A script that runs the scene through ``torch.nn.functional`` in float64."""
    op = scene.op
    imports = ["import numpy as np", "import torch", "import torch.nn.functional as F"]
    data = _input_data(scene)
    body: list[str] = []
    notes: list[str] = []
    if op == "pixel_shuffle":
        body.append("x = torch.tensor(x_rows, dtype=torch.float64)[None]  # (N=1, C=r², H, W)")
    else:
        body.append("x = torch.tensor(x_rows, dtype=torch.float64)[None, None]  # (N=1, C=1, H, W)")
    if scene.has_kernel:
        shape = "(C_out=1, C_in=1, kH, kW)" if op == "conv2d" else "(C_in=1, C_out=1, kH, kW)"
        body.append(f"w = torch.tensor(w_rows, dtype=torch.float64)[None, None]  # {shape}")
    body.append("")

    if op == "conv2d":
        body += _pytorch_conv2d(scene)
    elif op == "conv_transpose2d":
        body += _pytorch_conv_transpose2d(scene)
    elif op == "max_pool2d":
        body.append("y = " + _max_pool_call("F.max_pool2d", scene))
    elif op == "avg_pool2d":
        body.append("y = " + _avg_pool_call("F.avg_pool2d", scene))
    elif op == "max_unpool2d":
        body += _pytorch_unpool(scene)
    elif op == "upsample_nearest":
        mode = _nearest_mode(scene)
        body.append(f'y = F.interpolate(x, scale_factor={_scale_text(scene)}, mode="{mode}")')
    elif op == "upsample_bilinear":
        body.append(
            f'y = F.interpolate(x, scale_factor={_scale_text(scene)}, mode="bilinear",'
            f" align_corners={bool(scene.align_corners)})"
        )
    elif op == "bed_of_nails":
        s = int(float(scene.scale))
        body += [
            "# Bed of nails: each value at the top-left corner of its s×s block, zeros elsewhere.",
            "# PyTorch has no function for it: zeros, then a strided assignment.",
            f"s = {s}",
            "y = torch.zeros(1, 1, x.shape[2] * s, x.shape[3] * s, dtype=torch.float64)",
            "y[:, :, ::s, ::s] = x",
        ]
    elif op == "pixel_shuffle":
        body.append(f"y = F.pixel_shuffle(x, upscale_factor={int(scene.upscale)})")
    else:  # pragma: no cover - every operator is handled above
        raise ExportError(f"no PyTorch export for {op}")
    return _script(scene, "pytorch", imports, data, body, "y[0, 0].numpy()", notes)


def _pytorch_conv2d(scene: Scene) -> list[str]:
    s, d = int(scene.stride), int(scene.dilation)
    padding = scene.padding
    body: list[str] = []
    if padding == "same" and s != 1:
        # PyTorch's own padding="same" refuses a stride above 1: pad explicitly, Keras's way.
        (top, bottom), (left, right) = forward_padding(
            "same", scene.input.shape, scene.kernel.shape, (s, s), (d, d)
        )
        body += [
            "# Keras / TensorFlow padding='same' (PyTorch's padding=\"same\" takes stride 1",
            "# only): the output is ⌈i / stride⌉ long, and the padding that takes is split with",
            "# any odd extra row (column) at the bottom (right).",
            f"x = F.pad(x, ({left}, {right}, {top}, {bottom}))  # (left, right, top, bottom)",
        ]
        pad_text, pad_default = "0", True
    elif isinstance(padding, str):
        pad_text, pad_default = f'"{padding}"', False
        if padding == "same":
            body.append(
                '# padding="same" at stride 1: PyTorch and Keras agree (odd extra at the end).'
            )
    else:
        pad_text, pad_default = str(padding), padding == 0
    body.append(
        "y = "
        + _call(
            "F.conv2d",
            ["x", "w"],
            [
                ("stride", str(s), s == 1),
                ("padding", pad_text, pad_default),
                ("dilation", str(d), d == 1),
            ],
        )
    )
    return body


def _pytorch_conv_transpose2d(scene: Scene) -> list[str]:
    s, d = int(scene.stride), int(scene.dilation)
    padding = scene.padding
    body: list[str] = []
    keywords: list[tuple[str, str, bool]] = [("stride", str(s), s == 1)]
    if isinstance(padding, str):
        # Keras's 'same' / 'valid': PyTorch takes only integers here. The engine's lesson says
        # which (padding, output_padding) gives Keras's crop, or which slice does.
        conv = keras_vs_pytorch(scene.input, scene.kernel, s, padding, d)
        if conv.reproduce is not None:
            p, extra = conv.reproduce
            body.append(f"# Keras padding='{padding}': {conv.reproduce_text}.")
            keywords += [
                ("padding", _pair(p), _pair(p) == "0"),
                ("output_padding", _pair(extra), _pair(extra) == "0"),
                ("dilation", str(d), d == 1),
            ]
            body.append("y = " + _call("F.conv_transpose2d", ["x", "w"], keywords))
        else:
            fix = conv.slice_fix
            body += _comment_lines(f"Keras padding='{padding}': {conv.reproduce_text}.")
            keywords += [
                ("output_padding", _pair(fix.output_padding), _pair(fix.output_padding) == "0"),
                ("dilation", str(d), d == 1),
            ]
            (r0, r1), (c0, c1) = fix.rows, fix.cols
            body.append("y = " + _call("F.conv_transpose2d", ["x", "w"], keywords))
            body.append(f"y = y[:, :, {r0}:{r1}, {c0}:{c1}]")
        return body
    a = int(scene.output_padding)
    keywords += [
        ("padding", str(padding), padding == 0),
        ("output_padding", str(a), a == 0),
        ("dilation", str(d), d == 1),
    ]
    body.append("y = " + _call("F.conv_transpose2d", ["x", "w"], keywords))
    return body


def _comment_lines(text: str, width: int = 96) -> list[str]:
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


def _pytorch_unpool(scene: Scene) -> list[str]:
    k, s, p = _pool_window(scene)
    pool = _call(
        "F.max_pool2d",
        ["x"],
        [
            ("kernel_size", str(k), False),
            ("stride", str(s), False),
            ("padding", str(p), p == 0),
            ("return_indices", "True", False),
        ],
    )
    unpool = _call(
        "F.max_unpool2d",
        ["pooled", "indices"],
        [
            ("kernel_size", str(k), False),
            ("stride", str(s), False),
            ("padding", str(p), p == 0),
            ("output_size", "x.shape[-2:]", False),
        ],
    )
    body = [
        "# Pool, remembering where each maximum was (flat indices in x's plane) ...",
        f"pooled, indices = {pool}",
        "# ... and put each maximum back there, zeros elsewhere, at x's own size.",
        f"y = {unpool}",
    ]
    if scene.fill == "max":
        body += [
            "",
            '# fill="max" is the seed\'s teaching variant: PyTorch has no such fill, so these',
            "# lines give every cell of a pooling window that no index wrote that window's maximum",
            "# (the largest one where windows overlap); cells in no window stay 0.",
            "written = torch.zeros(y.shape[-2] * y.shape[-1], dtype=torch.bool)",
            "written[indices.flatten()] = True",
            "written = written.view(y.shape[-2:])",
            'best = torch.full(y.shape[-2:], float("-inf"), dtype=torch.float64)',
            f"k, s, p = {k}, {s}, {p}",
            "for i in range(pooled.shape[-2]):",
            "    for j in range(pooled.shape[-1]):",
            "        top, left = max(i * s - p, 0), max(j * s - p, 0)",
            "        bottom, right = i * s - p + k, j * s - p + k",
            "        window = best[top:bottom, left:right]",
            "        window.copy_(torch.maximum(window, pooled[0, 0, i, j]))",
            'best = torch.where(best == float("-inf"), torch.zeros_like(best), best)',
            "y = torch.where(written, y[0, 0], best)[None, None]",
        ]
    return body


# --------------------------------------------------------------------------------------------
# NumPy (tui-upsample's engine)
# --------------------------------------------------------------------------------------------


def export_numpy(scene: Scene) -> str:
    """A script that runs the scene through ``tui_upsample.engine`` (the app's own engine)."""
    op = scene.op
    imports = ["import numpy as np", "from tui_upsample import engine"]
    data = _input_data(scene)
    body = ["x = np.array(x_rows, dtype=np.float64)"]
    if scene.has_kernel:
        body.append("w = np.array(w_rows, dtype=np.float64)")
    body.append("")
    result = "y"
    if op in ("conv2d", "conv_transpose2d"):
        padding = scene.padding
        pad_text = f'"{padding}"' if isinstance(padding, str) else str(padding)
        keywords = [
            ("stride", str(scene.stride), scene.stride == 1),
            ("padding", pad_text, padding == 0),
        ]
        if op == "conv_transpose2d":
            a = int(scene.output_padding)
            keywords.append(("output_padding", str(a), a == 0))
        keywords.append(("dilation", str(scene.dilation), scene.dilation == 1))
        body.append("y = " + _call(f"engine.{op}", ["x", "w"], keywords))
    elif op == "max_pool2d":
        body.append("y = " + _max_pool_call("engine.max_pool2d", scene))
    elif op == "avg_pool2d":
        body.append("y = " + _avg_pool_call("engine.avg_pool2d", scene))
    elif op == "max_unpool2d":
        k, s, p = _pool_window(scene)
        body += [
            "pooled, indices = "
            + _call(
                "engine.max_pool2d",
                ["x"],
                [
                    ("kernel_size", str(k), False),
                    ("stride", str(s), False),
                    ("padding", str(p), p == 0),
                    ("return_indices", "True", False),
                ],
            ),
            "y = "
            + _call(
                "engine.max_unpool2d",
                ["pooled", "indices"],
                [
                    ("kernel_size", str(k), False),
                    ("stride", str(s), False),
                    ("padding", str(p), p == 0),
                    ("output_size", "x.shape", False),
                    ("fill", f'"{scene.fill}"', scene.fill == "zeros"),
                ],
            ),
        ]
    elif op == "upsample_nearest":
        exact = ", exact=True" if scene.exact else ""
        body.append(f"y = engine.upsample_nearest(x, scale_factor={_scale_text(scene)}{exact})")
    elif op == "upsample_bilinear":
        body.append(
            f"y = engine.upsample_bilinear(x, scale_factor={_scale_text(scene)},"
            f" align_corners={bool(scene.align_corners)})"
        )
    elif op == "bed_of_nails":
        body.append(f"y = engine.bed_of_nails(x, scale_factor={_scale_text(scene)})")
    elif op == "pixel_shuffle":
        body.append(f"y = engine.pixel_shuffle(x, upscale_factor={int(scene.upscale)})")
        result = "y[0]"
    else:  # pragma: no cover
        raise ExportError(f"no NumPy export for {op}")
    return _script(scene, "numpy", imports, data, body, result)


# --------------------------------------------------------------------------------------------
# Keras
# --------------------------------------------------------------------------------------------


def keras_refusal(scene: Scene) -> str | None:
    """Why Keras cannot run this scene exactly (a sentence), or None when it can."""
    op = scene.op
    scale = float(scene.scale)
    other = "export pytorch or numpy instead"
    if op == "max_unpool2d":
        return (
            "Keras has no max unpooling (MaxPooling2D gives no argmax indices to put the "
            f"maxima back with); {other}"
        )
    if op == "upsample_nearest" and not scale.is_integer():
        return (
            f"Keras's UpSampling2D takes whole-number sizes only, and scale {scale:g} is not "
            f"one; {other}"
        )
    if op == "upsample_bilinear":
        if scene.align_corners:
            return (
                "Keras's UpSampling2D(interpolation='bilinear') has no align_corners=True "
                f"(it always aligns pixel centres, like align_corners=False); {other}"
            )
        if not scale.is_integer():
            return (
                f"Keras's UpSampling2D takes whole-number sizes only, and scale {scale:g} is "
                f"not one; {other}"
            )
    if op == "avg_pool2d":
        k, s, p = _pool_window(scene)
        if p and (scene.count_include_pad or scene.divisor_override is not None):
            return (
                f"Keras's AveragePooling2D has no padding={p} (its 'same' divides by the cells"
                f" inside the input, which PyTorch calls count_include_pad=False); {other}"
            )
        if scene.divisor_override is not None:
            return f"Keras's AveragePooling2D has no divisor_override; {other}"
        if p or scene.ceil_mode:
            return (
                "Keras's AveragePooling2D pads only as 'same' and has no ceil_mode, so its"
                f" windows are not PyTorch's here; {other}"
            )
    if op == "max_pool2d":
        k, s, p = _pool_window(scene)
        if p:
            return (
                f"Keras's MaxPooling2D has no padding={p} (PyTorch pads with −∞, Keras only "
                f"has 'valid' and 'same'); {other}"
            )
        if scene.dilation != 1:
            return f"Keras's MaxPooling2D has no dilation; {other}"
        if scene.ceil_mode:
            from tui_upsample.engine.shapes import pool_output_size

            h, w = scene.input.shape
            floor = (
                pool_output_size(h, k, s, 0, 1, False),
                pool_output_size(w, k, s, 0, 1, False),
            )
            ceil = (pool_output_size(h, k, s, 0, 1, True), pool_output_size(w, k, s, 0, 1, True))
            if floor != ceil:
                return (
                    f"ceil_mode=True adds a window that hangs over the edge ({ceil[0]}×{ceil[1]} "
                    f"instead of {floor[0]}×{floor[1]}) and Keras's MaxPooling2D has no "
                    f"ceil_mode; {other}"
                )
    if op == "upsample_nearest":
        s = int(scale)
        x = scene.input
        repeated = np.repeat(np.repeat(x, s, axis=0), s, axis=1)
        if not np.array_equal(expected_result(scene), repeated):  # pragma: no cover - safety
            return f"PyTorch's nearest does not repeat each cell {s} times here; {other}"
    return None


def export_keras(scene: Scene) -> str:
    """A script that runs the scene through ``keras.layers`` (float32, channels_last).

    Raises ExportError when Keras has no exact equivalent (see :func:`keras_refusal`).
    """
    reason = keras_refusal(scene)
    if reason is not None:
        raise ExportError(reason)
    op = scene.op
    imports = ["import keras", "import numpy as np", "from keras import layers"]
    data = _input_data(scene)
    notes = [
        "Keras is channels_last: tensors are (N, H, W, C), kernels (kH, kW, C_in, C_out) for",
        "Conv2D and (kH, kW, C_out, C_in) for Conv2DTranspose. Runs on any Keras 3 backend",
        "(float32, so the check allows 1e-5).",
    ]
    if op == "pixel_shuffle":
        body = [
            "# (r², H, W) channels first → (N=1, H, W, C=r²) channels_last.",
            'x = np.array(x_rows, dtype="float32").transpose(1, 2, 0)[None]',
        ]
    else:
        body = ['x = np.array(x_rows, dtype="float32")[None, :, :, None]  # (N=1, H, W, C=1)']
    h, w = scene.x.shape[-2:]
    if op == "pixel_shuffle":
        in_shape = f"({h}, {w}, {int(scene.upscale) ** 2})"
    else:
        in_shape = f"({h}, {w}, 1)"
    if op in ("conv2d", "conv_transpose2d"):
        body += _keras_conv(scene, in_shape)
    elif op == "max_pool2d":
        k, s, _ = _pool_window(scene)
        body += [
            "model = keras.Sequential(",
            "    [",
            f"        keras.Input(shape={in_shape}),",
            f'        layers.MaxPooling2D(pool_size={k}, strides={s}, padding="valid"),',
            "    ]",
            ")",
            "y = keras.ops.convert_to_numpy(model(x))",
        ]
    elif op == "avg_pool2d":
        k, s, _ = _pool_window(scene)
        body += [
            "model = keras.Sequential(",
            "    [",
            f"        keras.Input(shape={in_shape}),",
            f'        layers.AveragePooling2D(pool_size={k}, strides={s}, padding="valid"),',
            "    ]",
            ")",
            "y = keras.ops.convert_to_numpy(model(x))",
        ]
    elif op in ("upsample_nearest", "upsample_bilinear"):
        mode = "nearest" if op == "upsample_nearest" else "bilinear"
        s = int(float(scene.scale))
        if mode == "nearest":
            body.append(
                f"# An integer scale: PyTorch's nearest repeats each cell {s} times, as Keras does."
            )
        else:
            body.append(
                "# Keras's bilinear samples at pixel centres, as PyTorch's align_corners=False."
            )
        body += [
            "model = keras.Sequential(",
            "    [",
            f"        keras.Input(shape={in_shape}),",
            f'        layers.UpSampling2D(size={s}, interpolation="{mode}"),',
            "    ]",
            ")",
            "y = keras.ops.convert_to_numpy(model(x))",
        ]
    elif op == "bed_of_nails":
        s = int(float(scene.scale))
        body += [
            "# Keras has no bed-of-nails layer, but bed of nails is a transposed convolution:",
            f"# stride {s}, an {s}×{s} kernel that is 1 at its top-left corner and 0 elsewhere.",
            f"s = {s}",
            'kernel = np.zeros((s, s, 1, 1), dtype="float32")',
            "kernel[0, 0] = 1.0",
            "model = keras.Sequential(",
            "    [",
            f"        keras.Input(shape={in_shape}),",
            "        layers.Conv2DTranspose(",
            '            1, kernel_size=s, strides=s, padding="valid", use_bias=False,'
            ' name="nails"',
            "        ),",
            "    ]",
            ")",
            'model.get_layer("nails").set_weights([kernel])',
            "y = keras.ops.convert_to_numpy(model(x))",
        ]
    elif op == "pixel_shuffle":
        r = int(scene.upscale)
        body += [
            "# Keras has no pixel-shuffle layer; keras.ops spells out PyTorch's order on the",
            "# channels_last tensor: out[h·r + i, w·r + j] = x[h, w, i·r + j].",
            f"r = {r}",
            "n, h, w, c = x.shape",
            "y = keras.ops.reshape(x, (n, h, w, r, r))  # channel i·r + j → (i, j)",
            "y = keras.ops.transpose(y, (0, 1, 3, 2, 4))  # (n, h, i, w, j)",
            "y = keras.ops.convert_to_numpy(keras.ops.reshape(y, (n, h * r, w * r, 1)))",
        ]
    else:  # pragma: no cover
        raise ExportError(f"no Keras export for {op}")
    return _script(scene, "keras", imports, data, body, "y[0, :, :, 0]", notes)


def _keras_conv(scene: Scene, in_shape: str) -> list[str]:
    """Keras lines for conv2d / conv_transpose2d, with PyTorch's integer padding made exact."""
    op = scene.op
    s, d = int(scene.stride), int(scene.dilation)
    kh, kw = scene.kernel.shape
    padding = scene.padding
    transposed = op == "conv_transpose2d"
    body = []
    if transposed:
        body.append(
            'kernel = np.array(w_rows, dtype="float32")[:, :, None, None]  # (kH, kW, C_out, C_in)'
        )
    else:
        body.append(
            'kernel = np.array(w_rows, dtype="float32")[:, :, None, None]  # (kH, kW, C_in, C_out)'
        )
    dilation_arg = ""
    if d > 1 and s > 1:
        kh, kw = d * (kh - 1) + 1, d * (kw - 1) + 1
        body += [
            "# Keras refuses strides > 1 together with dilation_rate > 1, so the kernel is",
            f"# dilated by hand: {d - 1} zero{'s' if d > 2 else ''} between its taps span the same"
            f" {kh}×{kw} window.",
            f'dilated = np.zeros(({kh}, {kw}, 1, 1), dtype="float32")',
            f"dilated[::{d}, ::{d}] = kernel",
            "kernel = dilated",
        ]
    elif d > 1:
        dilation_arg = f", dilation_rate={d}"
    layers_: list[str] = [f"keras.Input(shape={in_shape}),"]
    if not transposed:
        if isinstance(padding, str):
            mode = padding
        else:
            mode = "valid"
            if padding:
                body.append(
                    f"# PyTorch's padding={padding}: {padding} zero rows (columns) on every side."
                )
                layers_.append(f"layers.ZeroPadding2D(padding={padding}),")
        layers_.append(
            f'layers.Conv2D(1, kernel_size=({kh}, {kw}), strides={s}, padding="{mode}"'
            f'{dilation_arg}, use_bias=False, name="conv"),'
        )
    elif isinstance(padding, str):
        # 'same' / 'valid' are Keras's own (TensorFlow's rule); output_padding=None.
        layers_.append(
            f'layers.Conv2DTranspose(1, kernel_size=({kh}, {kw}), strides={s}, padding="{padding}"'
            f'{dilation_arg}, use_bias=False, name="conv"),'
        )
    else:
        a = int(scene.output_padding)
        p = int(padding)
        body += [
            "# PyTorch's padding / output_padding in Keras: a 'valid' transposed convolution",
            "# keeps the full (i−1)·s + d·(k−1) + 1 rows; output_padding adds rows (columns) at",
            "# the bottom (right), then PyTorch's padding crops as many off each end.",
        ]
        if a < s:
            layers_.append(
                f"layers.Conv2DTranspose(1, kernel_size=({kh}, {kw}), strides={s}, "
                f'padding="valid", output_padding={a}{dilation_arg}, use_bias=False, '
                'name="conv"),'
            )
        else:
            # Keras wants output_padding < strides; PyTorch allows up to the dilation. Zero
            # rows past the full output are exactly what output_padding adds.
            body.append(
                f"# Keras wants output_padding < strides ({s}): add the {a} zero rows (columns)"
                " explicitly."
            )
            layers_.append(
                f"layers.Conv2DTranspose(1, kernel_size=({kh}, {kw}), strides={s}, "
                f'padding="valid", output_padding=0{dilation_arg}, use_bias=False, '
                'name="conv"),'
            )
            layers_.append(f"layers.ZeroPadding2D(padding=((0, {a}), (0, {a}))),")
        if p:
            layers_.append(f"layers.Cropping2D(cropping={p}),")
    body += ["model = keras.Sequential(", "    ["]
    for layer in layers_:
        text = "        " + layer
        if len(text) > 99:
            body += _wrap_layer(layer)
        else:
            body.append(text)
    body += [
        "    ]",
        ")",
        'model.get_layer("conv").set_weights([kernel])',
        "y = keras.ops.convert_to_numpy(model(x))",
    ]
    return body


def _wrap_layer(layer: str) -> list[str]:
    """A long ``layers.X(a, b, …),`` written one argument per line."""
    head, _, rest = layer.partition("(")
    args = rest.rstrip(",")[:-1]  # drop the closing parenthesis
    parts = []
    depth = 0
    current = ""
    for ch in args:
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        current += ch
    if current.strip():
        parts.append(current.strip())
    lines = [f"        {head}("]
    lines += [f"            {part}," for part in parts]
    lines.append("        ),")
    return lines
