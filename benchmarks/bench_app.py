"""The app's own cost per key: step latency, edit latency and peak memory, measured inside.

Step latency is the time from the step action (what ``n`` runs) to the refreshed screen: the
action, every message and watcher it sets off, the layout, and the repaint of what changed (the
same repaint ``pilot.pause()`` triggers). Edit latency is the same from a committed cell edit.
Peak memory is the process's maximum RSS after a 64×64 scene was stepped and edited.

    python benchmarks/bench_app.py                  # 16×16 and 64×64 (convT, stride 2, 3×3)
    python benchmarks/bench_app.py --presses 200 --method scatter
    python benchmarks/bench_app.py --profile        # pyinstrument (dev venv) of the 64×64 steps
    python benchmarks/bench_app.py --channels 4 --sides 32   # 4 planes in, 4 out, 32×32

Goals: ≤ 16 ms per step or edit at 16×16, ≤ 50 ms at 64×64, peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_upsample import app as app_module  # noqa: E402
from tui_upsample.app import UpsampleApp  # noqa: E402
from tui_upsample.scene import Scene, random_grid  # noqa: E402
from tui_upsample.widgets.panes.grid_editor import GridEditor  # noqa: E402

SIZE = (120, 40)


def scene_of(side: int, method: str, channels: int = 1) -> Scene:
    """conv_transpose2d, stride 2, a 3×3 kernel, on a side×side seeded input (with
    ``channels`` > 1: that many planes in and out, a (C_in, C_out, 3, 3) weight)."""
    if channels > 1:
        return Scene.seed_example().replace(
            input=random_grid((channels, side, side), 1),
            kernel=random_grid((channels, channels, 3, 3), 2),
            stride=2,
            method=method,
        )
    return Scene.seed_example().replace(
        input=random_grid((side, side), 1),
        kernel=random_grid((3, 3), 2),
        stride=2,
        method=method,
    )


class TimedApp(UpsampleApp):
    """The app, noting when it last put a frame on the (headless) screen."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))
    last_frame = 0.0
    last_frame_cpu = 0.0
    frames = 0

    def _display(self, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        super()._display(screen, renderable)
        if renderable is not None:
            self.last_frame = time.perf_counter()
            self.last_frame_cpu = time.process_time()
            self.frames += 1


async def _latency(app: TimedApp, change) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds from ``change()`` to the last frame it caused (the loop is left free to run), in
    wall-clock time and in this process's CPU time."""
    frames = app.frames
    start = time.perf_counter()
    start_cpu = time.process_time()
    change()
    # Frames come at most 60 a second; wait until none has come for a while.
    await asyncio.sleep(0.05)
    while app.frames == frames or time.perf_counter() - app.last_frame < 0.06:
        await asyncio.sleep(0.02)
        if time.perf_counter() - start > 5:
            raise RuntimeError("no frame within 5 s")
    return app.last_frame - start, app.last_frame_cpu - start_cpu


async def measure(side: int, method: str, presses: int, channels: int = 1) -> dict[str, float]:
    """Median step and edit latency (ms) on a side×side input."""
    app = TimedApp(scene_of(side, method, channels), theme="textual-dark", cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await asyncio.sleep(0.3)
        steps: list[tuple[float, float]] = []
        n = len(app.trace)
        for i in range(presses):
            delta = 1 if (i // (n - 1)) % 2 == 0 else -1
            steps.append(await _latency(app, lambda d=delta: app.action_step(d)))
        editor = app.query_one("#input-editor", GridEditor)
        edits: list[tuple[float, float]] = []
        for i in range(max(presses // 3, 5)):

            def edit(i: int = i) -> None:
                editor.cursor = (i % side, (3 * i) % side)
                if channels > 1:
                    editor.cursor = (i % channels, *editor.cursor)
                editor._submit(str(i % 7 - 3 + 0.5))

            edits.append(await _latency(app, edit))
        assert app.error == ""
    return {
        "step_ms": statistics.median(s[0] for s in steps) * 1e3,
        "step_cpu_ms": statistics.median(s[1] for s in steps) * 1e3,
        "step_p90_ms": statistics.quantiles([s[0] for s in steps], n=10)[-1] * 1e3,
        "edit_ms": statistics.median(e[0] for e in edits) * 1e3,
        "edit_cpu_ms": statistics.median(e[1] for e in edits) * 1e3,
        "edit_p90_ms": statistics.quantiles([e[0] for e in edits], n=10)[-1] * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench_app")
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--method", default="matrix", choices=("scatter", "matrix", "direct"))
    parser.add_argument("--sides", default="16,64")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the largest side")
    parser.add_argument("--channels", type=int, default=1, help="planes in and out (default 1)")
    parser.add_argument(
        "--textual-compositor",
        action="store_true",
        help="draw partial frames with Textual's compositor instead of the app's BandScreen",
    )
    args = parser.parse_args()
    if args.textual_compositor:
        from textual.screen import Screen

        TimedApp.get_default_screen = lambda self: Screen(id="_default")  # type: ignore[method-assign]
    sides = [int(s) for s in args.sides.split(",")]
    import numpy
    import textual

    print(
        f"python {platform.python_version()}, numpy {numpy.__version__}, "
        f"textual {textual.__version__}, method {args.method}, {args.presses} presses,"
        f" {args.channels} channel(s)"
    )
    for side in sides:
        if args.profile and side == max(sides):
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="enabled")
            profiler.start()
            result = asyncio.run(measure(side, args.method, args.presses, args.channels))
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        else:
            result = asyncio.run(measure(side, args.method, args.presses, args.channels))
        print(
            f"{side}×{side}: step {result['step_ms']:.1f} ms (CPU {result['step_cpu_ms']:.1f},"
            f" p90 {result['step_p90_ms']:.1f}), edit {result['edit_ms']:.1f} ms"
            f" (CPU {result['edit_cpu_ms']:.1f}, p90 {result['edit_p90_ms']:.1f})"
        )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mb:.0f} MB (after the {max(sides)}×{max(sides)} scene)")


if __name__ == "__main__":
    main()
