"""The scene through ``torch.nn.functional`` in float64 (the check is exact to 1e-12)."""

from __future__ import annotations

from tui_upsample.engine.conventions import keras_vs_pytorch
from tui_upsample.engine.geometry import forward_padding
from tui_upsample.export.script import (
    ExportError,
    avg_pool_call,
    call,
    comment_lines,
    input_data,
    max_pool_call,
    nearest_mode,
    pair_text,
    planar,
    pool_window,
    scale_text,
    script,
)
from tui_upsample.scene import Scene


def export_pytorch(scene: Scene) -> str:
    """A script that runs the scene through ``torch.nn.functional`` in float64."""
    op = scene.op
    imports = ["import numpy as np", "import torch", "import torch.nn.functional as F"]
    data = input_data(scene)
    body: list[str] = []
    notes: list[str] = []
    if op == "pixel_shuffle":
        c = "C=r²" if scene.out_channels == 1 else f"C={scene.channels.shape[0]}"
        body.append(f"x = torch.tensor(x_rows, dtype=torch.float64)[None]  # (N=1, {c}, H, W)")
    elif scene.input.ndim == 3:
        c = scene.input.shape[0]
        body.append(f"x = torch.tensor(x_rows, dtype=torch.float64)[None]  # (N=1, C={c}, H, W)")
    else:
        body.append("x = torch.tensor(x_rows, dtype=torch.float64)[None, None]  # (N=1, C=1, H, W)")
    if scene.has_kernel and scene.kernel.ndim == 4:
        a, b = scene.kernel.shape[:2]
        shape = (
            f"(C_out={a}, C_in/groups={b}, kH, kW)"
            if op == "conv2d"
            else f"(C_in={a}, C_out/groups={b}, kH, kW)"
        )
        body.append(f"w = torch.tensor(w_rows, dtype=torch.float64)  # {shape}")
    elif scene.has_kernel:
        shape = "(C_out=1, C_in=1, kH, kW)" if op == "conv2d" else "(C_in=1, C_out=1, kH, kW)"
        body.append(f"w = torch.tensor(w_rows, dtype=torch.float64)[None, None]  # {shape}")
    body.append("")
    channels = planar(scene)

    if op == "conv2d":
        body += _pytorch_conv2d(scene)
    elif op == "conv_transpose2d":
        body += _pytorch_conv_transpose2d(scene)
    elif op == "max_pool2d":
        body.append("y = " + max_pool_call("F.max_pool2d", scene))
    elif op == "avg_pool2d":
        body.append("y = " + avg_pool_call("F.avg_pool2d", scene))
    elif op == "max_unpool2d":
        body += _pytorch_unpool(scene)
    elif op == "upsample_nearest":
        mode = nearest_mode(scene)
        body.append(f'y = F.interpolate(x, scale_factor={scale_text(scene)}, mode="{mode}")')
    elif op == "upsample_bilinear":
        body.append(
            f'y = F.interpolate(x, scale_factor={scale_text(scene)}, mode="bilinear",'
            f" align_corners={bool(scene.align_corners)})"
        )
    elif op == "bed_of_nails":
        s = int(float(scene.scale))
        body += [
            "# Bed of nails: each value at the top-left corner of its s×s block, zeros elsewhere.",
            "# PyTorch has no function for it: zeros, then a strided assignment.",
            f"s = {s}",
            "y = torch.zeros(1, x.shape[1], x.shape[2] * s, x.shape[3] * s, dtype=torch.float64)"
            if channels
            else "y = torch.zeros(1, 1, x.shape[2] * s, x.shape[3] * s, dtype=torch.float64)",
            "y[:, :, ::s, ::s] = x",
        ]
    elif op == "pixel_shuffle":
        r = int(scene.upscale)
        if scene.order == "dcr":
            body += [
                "# TensorFlow's depth_to_space order (DCR, ONNX DepthToSpace's default): output",
                "# channel c at offset (i, j) reads input channel (i·r + j)·C + c. F.pixel_shuffle",
                "# reads c·r² + i·r + j (CRD), so the DCR rearrangement is written out.",
                f"r = {r}",
                "n, c, h, w = x.shape",
                "y = x.view(n, r, r, c // (r * r), h, w).permute(0, 3, 4, 1, 5, 2)",
                "y = y.reshape(n, c // (r * r), h * r, w * r)",
            ]
        else:
            body.append(f"y = F.pixel_shuffle(x, upscale_factor={r})")
    elif op == "pixel_unshuffle":
        r = int(scene.downscale)
        body.append(f"y = F.pixel_unshuffle(x, downscale_factor={r})")
        if scene.order == "dcr":
            body += [
                "# TensorFlow's space_to_depth order (DCR): input channel c at offset (i, j)",
                "# goes to channel (i·r + j)·C + c; F.pixel_unshuffle writes c·r² + i·r + j",
                "# (CRD), so its channels are put in DCR order.",
                f"r = {r}",
                "n, c, h, w = x.shape",
                "y = y.view(n, c, r, r, h // r, w // r).permute(0, 2, 3, 1, 4, 5)",
                "y = y.reshape(n, r * r * c, h // r, w // r)",
            ]
    else:  # pragma: no cover - every operator is handled above
        raise ExportError(f"no PyTorch export for {op}")
    result = "y[0].numpy()" if channels else "y[0, 0].numpy()"
    return script(scene, "pytorch", imports, data, body, result, notes)


def _pytorch_conv2d(scene: Scene) -> list[str]:
    s, d = int(scene.stride), int(scene.dilation)
    padding = scene.padding
    body: list[str] = []
    if padding == "same" and s != 1:
        # PyTorch's own padding="same" refuses a stride above 1: pad explicitly, Keras's way.
        (top, bottom), (left, right) = forward_padding(
            "same", scene.input.shape[-2:], scene.kernel.shape[-2:], (s, s), (d, d)
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
        + call(
            "F.conv2d",
            ["x", "w"],
            [
                ("stride", str(s), s == 1),
                ("padding", pad_text, pad_default),
                ("dilation", str(d), d == 1),
                ("groups", str(scene.groups), scene.groups == 1),
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
        # The crop depends on the sizes only: one plane and one kernel slice say it.
        plane = scene.input if scene.input.ndim == 2 else scene.input[0]
        kernel = scene.kernel if scene.kernel.ndim == 2 else scene.kernel[0, 0]
        conv = keras_vs_pytorch(plane, kernel, s, padding, d)
        if conv.reproduce is not None:
            p, extra = conv.reproduce
            body.append(f"# Keras padding='{padding}': {conv.reproduce_text}.")
            keywords += [
                ("padding", pair_text(p), pair_text(p) == "0"),
                ("output_padding", pair_text(extra), pair_text(extra) == "0"),
                ("dilation", str(d), d == 1),
                ("groups", str(scene.groups), scene.groups == 1),
            ]
            body.append("y = " + call("F.conv_transpose2d", ["x", "w"], keywords))
        else:
            fix = conv.slice_fix
            body += comment_lines(f"Keras padding='{padding}': {conv.reproduce_text}.")
            keywords += [
                (
                    "output_padding",
                    pair_text(fix.output_padding),
                    pair_text(fix.output_padding) == "0",
                ),
                ("dilation", str(d), d == 1),
                ("groups", str(scene.groups), scene.groups == 1),
            ]
            (r0, r1), (c0, c1) = fix.rows, fix.cols
            body.append("y = " + call("F.conv_transpose2d", ["x", "w"], keywords))
            body.append(f"y = y[:, :, {r0}:{r1}, {c0}:{c1}]")
        return body
    a = int(scene.output_padding)
    keywords += [
        ("padding", str(padding), padding == 0),
        ("output_padding", str(a), a == 0),
        ("dilation", str(d), d == 1),
        ("groups", str(scene.groups), scene.groups == 1),
    ]
    body.append("y = " + call("F.conv_transpose2d", ["x", "w"], keywords))
    return body


def _pytorch_unpool(scene: Scene) -> list[str]:
    k, s, p = pool_window(scene)
    pool = call(
        "F.max_pool2d",
        ["x"],
        [
            ("kernel_size", str(k), False),
            ("stride", str(s), False),
            ("padding", str(p), p == 0),
            ("return_indices", "True", False),
        ],
    )
    unpool = call(
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
    if scene.fill == "max" and planar(scene):
        body += [
            "",
            '# fill="max" is the seed\'s teaching variant: PyTorch has no such fill, so these',
            "# lines give every cell of a pooling window that no index wrote that window's maximum",
            "# (the largest one where windows overlap); cells in no window stay 0. Indices are",
            "# per plane (row·W + col within its own channel), so each plane is filled alone.",
            "planes = []",
            f"k, s, p = {k}, {s}, {p}",
            "for c in range(y.shape[1]):",
            "    written = torch.zeros(y.shape[-2] * y.shape[-1], dtype=torch.bool)",
            "    written[indices[0, c].flatten()] = True",
            "    written = written.view(y.shape[-2:])",
            '    best = torch.full(y.shape[-2:], float("-inf"), dtype=torch.float64)',
            "    for i in range(pooled.shape[-2]):",
            "        for j in range(pooled.shape[-1]):",
            "            top, left = max(i * s - p, 0), max(j * s - p, 0)",
            "            bottom, right = i * s - p + k, j * s - p + k",
            "            window = best[top:bottom, left:right]",
            "            window.copy_(torch.maximum(window, pooled[0, c, i, j]))",
            '    best = torch.where(best == float("-inf"), torch.zeros_like(best), best)',
            "    planes.append(torch.where(written, y[0, c], best))",
            "y = torch.stack(planes)[None]",
        ]
    elif scene.fill == "max":
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
