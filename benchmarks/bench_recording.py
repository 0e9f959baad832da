"""What a recording costs: one headless run of the app, a frame per step, then the writers.

Times the frames (the app rendered and read back after each step) and each writer on the same
frames, in one process, as CPU time (a busy machine disturbs it less than the clock), and says
how large each file is.

    python benchmarks/bench_recording.py                 # conv2d on 8×8: 49 frames
    python benchmarks/bench_recording.py --size 16x16    # 196 frames
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

from tui_upsample.recording.cast import cast_text
from tui_upsample.recording.frames import record
from tui_upsample.recording.svg import animated_svg, still_svg
from tui_upsample.scene import Scene, random_grid

T = TypeVar("T")


def cpu(work: Callable[[], T]) -> tuple[T, float]:
    """What ``work`` returns, and the CPU seconds it took."""
    start = time.process_time()
    result = work()
    return result, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="8x8", help="conv2d input HxW (default 8x8)")
    args = parser.parse_args()
    rows, cols = (int(n) for n in args.size.lower().split("x"))
    scene = Scene.seed_example("conv2d").with_x(random_grid((rows, cols), 0))
    recording, seconds = cpu(lambda: record(scene, [], (120, 40)))
    frames = recording.frames
    n = len(frames)
    print(f"{n} frames of conv2d on {rows}×{cols}, 120×40")
    print(f"  frames (one app run): {seconds:.2f} s CPU, {1000 * seconds / n:.0f} ms a frame")
    durations = [1.0] * n
    for name, write in (
        ("cast", lambda: cast_text(frames, durations)),
        ("animated svg", lambda: animated_svg(frames, durations)),
        ("one still svg", lambda: still_svg(frames[0])),
    ):
        text, took = cpu(write)
        print(f"  {name}: {took * 1000:.0f} ms CPU, {len(text.encode()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
