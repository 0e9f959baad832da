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

One module per framework (:mod:`.pytorch`, :mod:`.keras`, :mod:`.numpy_script`) on the frame
they share (:mod:`.script`).
"""

from __future__ import annotations

from collections.abc import Callable

from tui_upsample.export.keras import export_keras, keras_refusal
from tui_upsample.export.numpy_script import export_numpy
from tui_upsample.export.pytorch import export_pytorch
from tui_upsample.export.script import (
    EXIT_MISSING,
    FORMAT_NAMES,
    FORMATS,
    PRINT_DIGITS,
    SCRIPT_FORMATS,
    TOLERANCE,
    ExportError,
    expected_result,
    printed_rows,
)
from tui_upsample.scene import Scene


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


__all__ = [
    "EXIT_MISSING",
    "ExportError",
    "FORMATS",
    "FORMAT_NAMES",
    "PRINT_DIGITS",
    "SCRIPT_FORMATS",
    "TOLERANCE",
    "expected_result",
    "export",
    "export_keras",
    "export_numpy",
    "export_pytorch",
    "file_name",
    "keras_refusal",
    "printed_rows",
]
