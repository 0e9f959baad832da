"""The largest scenes the app accepts, and a few it refuses: whole process, time and peak memory.

Each scene runs as ``upsample-tui … --press n,end --screenshot OUT.svg`` (headless: the first
screen, a step and the last step), alternating with the default scene, whose figures are the
yardstick of the same run (the machine's load is in both). A refused scene must be refused at
once, with one line, before anything large is made.

    python benchmarks/bench_scenes.py            # every scene, 3 runs each
    python benchmarks/bench_scenes.py --runs 5 --only all

Goal: every accepted scene opens within 1.5 s and 300 MB (on an unloaded 2-core machine).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

SCENES = {
    "default": "",
    # Scenes that took seconds and gigabytes before this round.
    "bed_of_nails ×64": "--op bed_of_nails --size 64x64 --scale 64",
    "pixel_shuffle r=64": "--op pixel_shuffle --size 64x64 --scale 64",
    "convT k64 s64": "--op conv_transpose2d --size 64x64 --kernel-size 64 --stride 64",
    "convT k7 s7 all": "--op conv_transpose2d --size 64x64 --kernel-size 7 --stride 7 --method all",
    "pixel_shuffle r=100": "--op pixel_shuffle --scale 100",
    # The largest accepted, operator by operator.
    "max_pool2d k64 p32": "--op max_pool2d --size 64x64 --kernel-size 64 --padding 32 --stride 1",
    "avg_pool2d k64 p32": "--op avg_pool2d --size 64x64 --kernel-size 64 --padding 32 --stride 1",
    "max_unpool2d k16 s16 max": "--op max_unpool2d --size 64x64 --kernel-size 16 --stride 16 "
    "--fill max",
    "nearest ×16": "--op upsample_nearest --size 64x64 --scale 16",
    "bed_of_nails ×16": "--op bed_of_nails --size 64x64 --scale 16",
    "bilinear ×16 corners": "--op upsample_bilinear --size 64x64 --scale 16 --align-corners",
    "conv2d k3 p480": "--op conv2d --size 64x64 --kernel-size 3 --padding 480",
    "convT k16 s16 matrix": "--op conv_transpose2d --size 64x64 --kernel-size 16 --stride 16 "
    "--method matrix",
    "convT k16 s16 scatter": "--op conv_transpose2d --size 64x64 --kernel-size 16 --stride 16 "
    "--method scatter",
    "convT k16 s16 direct": "--op conv_transpose2d --size 64x64 --kernel-size 16 --stride 16 "
    "--method direct",
    "convT k11 s16 all": "--op conv_transpose2d --size 64x64 --kernel-size 11 --stride 16 "
    "--method all",
    "convT k64 d15 matrix": "--op conv_transpose2d --size 64x64 --kernel-size 64 --dilation 15 "
    "--method matrix",
    "convT k64 d15 scatter": "--op conv_transpose2d --size 64x64 --kernel-size 64 --dilation 15 "
    "--method scatter",
    "convT k64 d15 direct": "--op conv_transpose2d --size 64x64 --kernel-size 64 --dilation 15 "
    "--method direct",
    "pixel_shuffle r=16": "--op pixel_shuffle --size 64x64 --scale 16",
    "pixel_shuffle 2×2 r=500": "--op pixel_shuffle --size 2x2 --scale 500",
    # Refused with one line.
    "convT k16 s16 all": "--op conv_transpose2d --size 64x64 --kernel-size 16 --stride 16 "
    "--method all",
    "conv2d k3 p510": "--op conv2d --size 64x64 --kernel-size 3 --padding 510",
}


def run_once(exe: str, flags: str, out: Path) -> tuple[float, float, int, str]:
    """(wall s, peak RSS MB, exit status, last stderr line) of one whole process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmd = [exe, *flags.split(), "--press", "n,end", "--screenshot", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = err.strip().splitlines()
    return wall, usage.ru_maxrss / 1024, proc.returncode, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench_scenes", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="scenes whose name holds this text")
    args = parser.parse_args()
    exe = shutil.which("upsample-tui", path=str(Path(sys.executable).parent))
    if exe is None:
        sys.exit("upsample-tui is not installed in this environment")
    import tui_upsample

    compileall.compile_dir(Path(tui_upsample.__file__).parent, quiet=1)
    out = Path(tempfile.mkdtemp()) / "shot.svg"
    names = [n for n in SCENES if n != "default" and args.only in n]
    base: list[float] = []
    print(f"# {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; median of {args.runs} runs")
    print(f"{'scene':<26}{'wall s':>8}{'default s':>11}{'extra s':>9}{'peak MB':>9}  outcome")
    for name in names:
        walls, peaks, status, said = [], [], 0, ""
        for _ in range(args.runs):
            base.append(run_once(exe, SCENES["default"], out)[0])
            wall, peak, status, said = run_once(exe, SCENES[name], out)
            walls.append(wall)
            peaks.append(peak)
        w, b = statistics.median(walls), statistics.median(base[-args.runs :])
        outcome = "opens" if status == 0 else f"exit {status}: {said[:90]}"
        print(f"{name:<26}{w:>8.2f}{b:>11.2f}{w - b:>+9.2f}{max(peaks):>9.0f}  {outcome}")


if __name__ == "__main__":
    main()
