"""The scene through ``keras.layers`` in float32, channels_last, on any Keras 3 backend; where
Keras has no exact equivalent, :func:`keras_refusal` says why.
"""

from __future__ import annotations

import numpy as np

from tui_upsample.export.script import (
    ExportError,
    expected_result,
    input_data,
    planar,
    pool_window,
    script,
)
from tui_upsample.scene import Scene


def keras_refusal(scene: Scene) -> str | None:
    """Why Keras cannot run this scene exactly (a sentence), or None when it can."""
    op = scene.op
    scale = float(scene.scale)
    other = "export pytorch or numpy instead"
    if op == "conv_transpose2d" and scene.groups > 1:
        return (
            f"Keras's Conv2DTranspose has no groups (groups={scene.groups} here; Conv2D has"
            f" them); {other}"
        )
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
        k, s, p = pool_window(scene)
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
        k, s, p = pool_window(scene)
        if p:
            return (
                f"Keras's MaxPooling2D has no padding={p} (PyTorch pads with −∞, Keras only "
                f"has 'valid' and 'same'); {other}"
            )
        if scene.dilation != 1:
            return f"Keras's MaxPooling2D has no dilation; {other}"
        if scene.ceil_mode:
            from tui_upsample.engine.shapes import pool_output_size

            h, w = scene.input.shape[-2:]
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
        repeated = np.repeat(np.repeat(x, s, axis=-2), s, axis=-1)
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
    data = input_data(scene)
    notes = [
        "Keras is channels_last: tensors are (N, H, W, C), kernels (kH, kW, C_in, C_out) for",
        "Conv2D and (kH, kW, C_out, C_in) for Conv2DTranspose. Runs on any Keras 3 backend",
        "(float32, so the check allows 1e-5).",
    ]
    channels = planar(scene)
    if op == "pixel_shuffle":
        c = "r²" if scene.out_channels == 1 else "C_out·r²"
        body = [
            f"# ({c}, H, W) channels first → (N=1, H, W, C={c}) channels_last.",
            'x = np.array(x_rows, dtype="float32").transpose(1, 2, 0)[None]',
        ]
    elif scene.input.ndim == 3:
        body = [
            "# (C, H, W) channels first → (N=1, H, W, C) channels_last.",
            'x = np.array(x_rows, dtype="float32").transpose(1, 2, 0)[None]',
        ]
    else:
        body = ['x = np.array(x_rows, dtype="float32")[None, :, :, None]  # (N=1, H, W, C=1)']
    h, w = scene.x.shape[-2:]
    if op == "pixel_shuffle":
        in_shape = f"({h}, {w}, {int(scene.channels.shape[0])})"
    else:
        in_shape = f"({h}, {w}, {scene.in_channels})"
    if op in ("conv2d", "conv_transpose2d"):
        body += _keras_conv(scene, in_shape)
    elif op == "max_pool2d":
        k, s, _ = pool_window(scene)
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
        k, s, _ = pool_window(scene)
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
            *(
                [
                    f"kernel = np.zeros((s, s, {scene.in_channels}, {scene.in_channels}),"
                    ' dtype="float32")',
                    "kernel[0, 0] = np.eye(kernel.shape[-1])  # each plane to its own plane",
                ]
                if channels
                else ['kernel = np.zeros((s, s, 1, 1), dtype="float32")', "kernel[0, 0] = 1.0"]
            ),
            "model = keras.Sequential(",
            "    [",
            f"        keras.Input(shape={in_shape}),",
            "        layers.Conv2DTranspose(",
            f'            {scene.in_channels}, kernel_size=s, strides=s, padding="valid",'
            ' use_bias=False, name="nails"',
            "        ),",
            "    ]",
            ")",
            'model.get_layer("nails").set_weights([kernel])',
            "y = keras.ops.convert_to_numpy(model(x))",
        ]
    elif op == "pixel_shuffle" and (channels or scene.order == "dcr"):
        r = int(scene.upscale)
        if scene.order == "dcr":
            body += [
                "# TensorFlow's depth_to_space order (DCR, ONNX DepthToSpace's default), spelled",
                "# out in keras.ops: out[h·r + i, w·r + j, c] = x[h, w, (i·r + j)·C + c].",
                f"r = {r}",
                "n, h, w, cr = x.shape",
                "y = keras.ops.reshape(x, (n, h, w, r, r, cr // (r * r)))  # → (i, j, c)",
                "y = keras.ops.transpose(y, (0, 1, 3, 2, 4, 5))  # (n, h, i, w, j, c)",
            ]
        else:
            body += [
                "# Keras has no pixel-shuffle layer; keras.ops spells out PyTorch's order (CRD) on",
                "# the channels_last tensor: out[h·r + i, w·r + j, c] = x[h, w, c·r² + i·r + j].",
                f"r = {r}",
                "n, h, w, cr = x.shape",
                "y = keras.ops.reshape(x, (n, h, w, cr // (r * r), r, r))  # → (c, i, j)",
                "y = keras.ops.transpose(y, (0, 1, 4, 2, 5, 3))  # (n, h, i, w, j, c)",
            ]
        body.append(
            "y = keras.ops.convert_to_numpy(keras.ops.reshape(y, (n, h * r, w * r, cr // (r * r))))"
        )
    elif op == "pixel_unshuffle":
        r = int(scene.downscale)
        if scene.order == "dcr":
            body += [
                "# tf.nn.space_to_depth's order (DCR), in keras.ops: the r×r block's cell (i, j)",
                "# of channel c goes to channel (i·r + j)·C + c.",
                f"r = {r}",
                "n, h, w, c = x.shape",
                "y = keras.ops.reshape(x, (n, h // r, r, w // r, r, c))  # (n, h, i, w, j, c)",
                "y = keras.ops.transpose(y, (0, 1, 3, 2, 4, 5))  # (n, h, w, i, j, c)",
            ]
        else:
            body += [
                "# PyTorch's pixel_unshuffle order (CRD), in keras.ops: the r×r block's cell",
                "# (i, j) of channel c goes to channel c·r² + i·r + j.",
                f"r = {r}",
                "n, h, w, c = x.shape",
                "y = keras.ops.reshape(x, (n, h // r, r, w // r, r, c))  # (n, h, i, w, j, c)",
                "y = keras.ops.transpose(y, (0, 1, 3, 5, 2, 4))  # (n, h, w, c, i, j)",
            ]
        body.append(
            "y = keras.ops.convert_to_numpy(keras.ops.reshape(y, (n, h // r, w // r, c * r * r)))"
        )
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
    result = "y[0].transpose(2, 0, 1)" if channels else "y[0, :, :, 0]"
    return script(scene, "keras", imports, data, body, result, notes)


def _keras_conv(scene: Scene, in_shape: str) -> list[str]:
    """Keras lines for conv2d / conv_transpose2d, with PyTorch's integer padding made exact."""
    op = scene.op
    s, d = int(scene.stride), int(scene.dilation)
    kh, kw = scene.kernel.shape[-2:]
    padding = scene.padding
    transposed = op == "conv_transpose2d"
    body = []
    filters = scene.out_channels
    groups = f", groups={scene.groups}" if scene.groups > 1 else ""
    if scene.kernel.ndim == 4 and transposed:
        body += [
            "# PyTorch's ConvTranspose2d weight is (C_in, C_out, kH, kW); Keras's Conv2DTranspose",
            "# kernel is (kH, kW, C_out, C_in). transpose(2, 3, 1, 0) moves the axes: kH, kW to",
            "# the front, then out before in (the axes ported models most often get wrong).",
            'kernel = np.array(w_rows, dtype="float32").transpose(2, 3, 1, 0)'
            "  # (kH, kW, C_out, C_in)",
        ]
    elif scene.kernel.ndim == 4:
        body += [
            "# PyTorch's Conv2d weight is (C_out, C_in/groups, kH, kW); Keras's Conv2D kernel is",
            "# (kH, kW, C_in/groups, C_out). transpose(2, 3, 1, 0) moves the axes: kH, kW to",
            "# the front, then in before out (the axes ported models most often get wrong).",
            'kernel = np.array(w_rows, dtype="float32").transpose(2, 3, 1, 0)'
            "  # (kH, kW, C_in/g, C_out)",
        ]
    elif transposed:
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
            f'dilated = np.zeros(({kh}, {kw}, *kernel.shape[2:]), dtype="float32")'
            if scene.kernel.ndim == 4
            else f'dilated = np.zeros(({kh}, {kw}, 1, 1), dtype="float32")',
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
            f'layers.Conv2D({filters}, kernel_size=({kh}, {kw}), strides={s}, padding="{mode}"'
            f'{dilation_arg}{groups}, use_bias=False, name="conv"),'
        )
    elif isinstance(padding, str):
        # 'same' / 'valid' are Keras's own (TensorFlow's rule); output_padding=None.
        layers_.append(
            f"layers.Conv2DTranspose({filters}, kernel_size=({kh}, {kw}), strides={s},"
            f' padding="{padding}"'
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
                f"layers.Conv2DTranspose({filters}, kernel_size=({kh}, {kw}), strides={s}, "
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
                f"layers.Conv2DTranspose({filters}, kernel_size=({kh}, {kw}), strides={s}, "
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
