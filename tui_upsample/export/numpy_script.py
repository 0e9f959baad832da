"""The scene through ``tui_upsample.engine``, the NumPy engine the app itself runs."""

from __future__ import annotations

from tui_upsample.export.script import (
    ExportError,
    avg_pool_call,
    call,
    input_data,
    max_pool_call,
    planar,
    pool_window,
    scale_text,
    script,
)
from tui_upsample.scene import Scene


def export_numpy(scene: Scene) -> str:
    """A script that runs the scene through ``tui_upsample.engine`` (the app's own engine)."""
    op = scene.op
    imports = ["import numpy as np", "from tui_upsample import engine"]
    data = input_data(scene)
    body = ["x = np.array(x_rows, dtype=np.float64)"]
    if op == "pixel_unshuffle" and scene.input.ndim == 2:
        body = ["x = np.array(x_rows, dtype=np.float64)[None]  # one plane is one channel"]
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
        keywords.append(("groups", str(scene.groups), scene.groups == 1))
        body.append("y = " + call(f"engine.{op}", ["x", "w"], keywords))
    elif op == "max_pool2d":
        body.append("y = " + max_pool_call("engine.max_pool2d", scene))
    elif op == "avg_pool2d":
        body.append("y = " + avg_pool_call("engine.avg_pool2d", scene))
    elif op == "max_unpool2d":
        k, s, p = pool_window(scene)
        body += [
            "pooled, indices = "
            + call(
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
            + call(
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
        body.append(f"y = engine.upsample_nearest(x, scale_factor={scale_text(scene)}{exact})")
    elif op == "upsample_bilinear":
        body.append(
            f"y = engine.upsample_bilinear(x, scale_factor={scale_text(scene)},"
            f" align_corners={bool(scene.align_corners)})"
        )
    elif op == "bed_of_nails":
        body.append(f"y = engine.bed_of_nails(x, scale_factor={scale_text(scene)})")
    elif op == "pixel_shuffle":
        order = f', order="{scene.order}"' if scene.order != "crd" else ""
        body.append(f"y = engine.pixel_shuffle(x, upscale_factor={int(scene.upscale)}{order})")
        result = "y" if planar(scene) else "y[0]"
    elif op == "pixel_unshuffle":
        order = f', order="{scene.order}"' if scene.order != "crd" else ""
        body.append(
            f"y = engine.pixel_unshuffle(x, downscale_factor={int(scene.downscale)}{order})"
        )
    else:  # pragma: no cover
        raise ExportError(f"no NumPy export for {op}")
    return script(scene, "numpy", imports, data, body, result)
