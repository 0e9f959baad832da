"""``tui_upsample.show``: one step of an operator, drawn as the app's step view, for Jupyter.

``show(op, x, step=k, **params)`` takes what :func:`tui_upsample.engine.trace` takes and
returns a :class:`StepPicture`, which a notebook displays (``_repr_svg_``) and which
``.save(path)`` writes. The app is started (headless) only when the picture is first drawn.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from tui_upsample.engine.operators import TABLE, operator, trace
from tui_upsample.engine.parameters import NUMBER
from tui_upsample.scene import Scene, build_trace

SIZE = (120, 40)
"""The terminal the step view is drawn in (the screenshots' size)."""


def _single(name: str, value: Any) -> Any:
    """A pair the engine made of one number (stride 2 → (2, 2)) as that number; the app's
    settings hold one number for both axes."""
    if isinstance(value, tuple) and len(value) == 2:
        if value[0] != value[1]:
            raise ValueError(
                f"{name}={value}: the app shows one {name} for both axes (give a single number)"
            )
        return value[0]
    return value


def scene_for(op: str, x: Any, step: int, params: dict[str, Any]) -> Scene:
    """The app's scene of ``trace(op, x, **params)`` at ``step`` (from 1).

    The parameters are the engine's, checked by the engine; a method left out is the one the
    app opens on (the seed post's "matrix" for a transposed convolution).
    """
    entry = operator(op)
    params = dict(params)
    if entry.methods and "method" not in params:
        params["method"] = Scene.seed_example(entry.name).method
    steps = trace(entry.name, x, **params)  # the engine's own checks and messages
    scene = Scene.seed_example(entry.name).replace(step=0)
    used = dict(steps.params)
    fields = {p.keyword: p for p in entry.parameters if p.keyword}
    for keyword, value in used.items():
        setting = fields.get(keyword)
        if setting is None:
            if value is not None:
                raise ValueError(
                    f"{keyword}={value!r}: the app has no setting for {keyword}; show() takes"
                    f" {', '.join(fields)}"
                )
            continue
        value = _single(keyword, value)
        if setting.kind == NUMBER:
            value = float(value)
        scene = scene.with_param(setting.field, value)
    # The grids last: an upscale factor or a kernel size set above resizes them.
    scene = scene.with_x(np.array(steps.input, dtype=np.float64))
    if entry.kernel:
        scene = scene.replace(kernel=np.array(steps.kernel, dtype=np.float64))
    count = len(build_trace(scene))
    if not isinstance(step, (int, np.integer)) or isinstance(step, bool):
        raise TypeError(f"step must be an integer, not {type(step).__name__}")
    if not 1 <= step <= count:
        raise ValueError(f"step={step}: this trace has {count} steps (1 to {count})")
    return scene.replace(step=int(step) - 1)


class StepPicture:
    """One step of a trace as the app's step view draws it; Jupyter shows it as SVG."""

    def __init__(self, scene: Scene, terminal_size: tuple[int, int] = SIZE) -> None:
        self.scene = scene
        self.size = terminal_size
        self._svg: str | None = None

    @property
    def step(self) -> int:
        """The step shown, from 1 as on screen."""
        return self.scene.step + 1

    def svg(self) -> str:
        """The picture, as SVG text (drawn the first time it is asked for)."""
        if self._svg is None:
            from tui_upsample.recording.frames import step_view
            from tui_upsample.recording.svg import still_svg

            frame = step_view(self.scene, self.size)
            method = f" · {self.scene.method}" if TABLE[self.scene.op].methods else ""
            title = f"{self.scene.op}{method}: step {frame.step} / {frame.steps}"
            self._svg = still_svg(frame, title)
        return self._svg

    def _repr_svg_(self) -> str:
        return self.svg()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the picture to ``path`` (an .svg), atomically; the path written."""
        from tui_upsample.file_writing import write_atomic

        return write_atomic(path, self.svg())

    def __repr__(self) -> str:
        return f"<StepPicture {self.scene.op} step {self.step}>"


def show(
    op: str,
    x: Any,
    /,
    *,
    step: int = 1,
    terminal_size: tuple[int, int] = SIZE,
    **params: Any,
) -> StepPicture:
    """Step ``step`` (from 1) of ``engine.trace(op, x, **params)``, as the app's step view.

    ``terminal_size`` is the (columns, rows) of the terminal it is drawn in.
    """
    return StepPicture(scene_for(op, x, step, params), terminal_size)
