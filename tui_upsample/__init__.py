"""tui-upsample: step, key by key, through the operators that make feature maps bigger again.

``from tui_upsample import show`` draws one step as the app's step view in a notebook
(:mod:`tui_upsample.recording.notebook`); importing the package stays as light as this file.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "show"]


def show(op: str, x: Any, /, *, step: int = 1, **params: Any) -> Any:
    """Step ``step`` (from 1, as on screen) of ``engine.trace(op, x, **params)``, drawn as the
    app's step view: a picture Jupyter displays (``_repr_svg_``), with ``.save(path)``.

    ``show("conv_transpose2d", [[1, 2], [3, 4]], weight=[[0, 1], [2, 3]], step=5)`` is step
    5 / 9 of the seed post's example. ``terminal_size=(columns, rows)`` sets the terminal it is
    drawn in (default 120×40).
    """
    # Looked up by name: every layer imports this package for its version, and none of them
    # may come to depend on the app through it.
    notebook = importlib.import_module("tui_upsample.recording.notebook")
    return notebook.show(op, x, step=step, **params)
