"""The app's own cost per key: step latency, edit latency and peak memory, measured inside.

Step latency is the time from the step action (what ``n`` runs) to the refreshed screen: the
action, every message and watcher it sets off, the layout, and the repaint of what changed (the
same repaint ``pilot.pause()`` triggers). Edit latency is the same from a committed cell edit.
Peak memory is the process's maximum RSS after a 64×64 scene was stepped and edited.

    python benchmarks/bench_app.py                  # 16×16 and 64×64 (convT, stride 2, 3×3)
    python benchmarks/bench_app.py --presses 200 --method scatter
    python benchmarks/bench_app.py --profile        # pyinstrument (dev venv) of the 64×64 steps

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

from tui_upsample.app import UpsampleApp  # noqa: E402
from tui_upsample.scene import Scene, random_grid  # noqa: E402
from tui_upsample.widgets.grid_editor import GridEditor  # noqa: E402

SIZE = (120, 40)


def scene_of(side: int, method: str) -> Scene:
    """conv_transpose2d, stride 2, a 3×3 kernel, on a side×side seeded input."""
    return Scene.seed_example().replace(
        input=random_grid((side, side), 1),
        kernel=random_grid((3, 3), 2),
        stride=2,
        method=method,
    )


async def _refreshed(app: UpsampleApp, pilot) -> None:
    """Wait until every message the change set off is handled and the screen is repainted
    (twice: a view that scrolls to the step does so after the first refresh)."""
    for _ in range(2):
        await pilot._wait_for_screen()
        app.screen._on_timer_update()


async def measure(side: int, method: str, presses: int) -> dict[str, float]:
    """Median step and edit latency (ms) on a side×side input."""
    app = UpsampleApp(scene_of(side, method), theme="textual-dark", cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        steps: list[float] = []
        n = len(app.trace)
        for i in range(presses):
            start = time.perf_counter()
            app.action_step(1 if (i // (n - 1)) % 2 == 0 else -1)
            await _refreshed(app, pilot)
            steps.append(time.perf_counter() - start)
        editor = app.query_one("#input-editor", GridEditor)
        edits: list[float] = []
        for i in range(max(presses // 4, 5)):
            editor.cursor = (i % side, (3 * i) % side)
            start = time.perf_counter()
            editor._submit(str(i % 7 - 3))
            await _refreshed(app, pilot)
            edits.append(time.perf_counter() - start)
        assert app.error == ""
    return {
        "step_ms": statistics.median(steps) * 1e3,
        "step_p90_ms": statistics.quantiles(steps, n=10)[-1] * 1e3,
        "edit_ms": statistics.median(edits) * 1e3,
        "edit_p90_ms": statistics.quantiles(edits, n=10)[-1] * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench_app")
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--method", default="matrix", choices=("scatter", "matrix", "direct"))
    parser.add_argument("--sides", default="16,64")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the largest side")
    args = parser.parse_args()
    sides = [int(s) for s in args.sides.split(",")]
    import numpy
    import textual

    print(
        f"python {platform.python_version()}, numpy {numpy.__version__}, "
        f"textual {textual.__version__}, method {args.method}, {args.presses} presses"
    )
    for side in sides:
        if args.profile and side == max(sides):
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="enabled")
            profiler.start()
            result = asyncio.run(measure(side, args.method, args.presses))
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        else:
            result = asyncio.run(measure(side, args.method, args.presses))
        print(
            f"{side}×{side}: step {result['step_ms']:.1f} ms (p90 {result['step_p90_ms']:.1f}),"
            f" edit {result['edit_ms']:.1f} ms (p90 {result['edit_p90_ms']:.1f})"
        )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mb:.0f} MB (after the {max(sides)}×{max(sides)} scene)")


if __name__ == "__main__":
    main()
