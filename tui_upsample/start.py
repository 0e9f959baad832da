"""The ``upsample-tui`` program's entry point: the command line (:mod:`tui_upsample.cli`) run with
the garbage collector paused while the program starts.

Start-up imports NumPy, Textual and the app and builds the first screen: tens of thousands of
objects made and almost none freed, so the collector's passes (dozens of them) find nothing to
collect (~25 ms of a ~0.35 s start, measured by alternating runs). The app resumes the
collector once its first screen is drawn (:meth:`tui_upsample.app.UpsampleApp.on_mount`).
"""

from __future__ import annotations

import gc


def main() -> int:
    """Run ``upsample-tui`` with the process's arguments; the exit status."""
    gc.disable()
    try:
        from tui_upsample.cli import main as run

        return run()
    finally:
        gc.enable()
