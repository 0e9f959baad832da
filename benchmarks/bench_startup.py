"""Start-up and per-key cost of ``upsample-tui --screenshot`` as a whole process, against a bare
Textual app that renders a header, two panes and a footer the same way (``bare_app.py``).

Both run alternately in fresh processes; the figures are medians of wall-clock and CPU time
(user + system, which a busy machine disturbs less). Ratios are within one run.

    python benchmarks/bench_startup.py               # 7 runs each
    python benchmarks/bench_startup.py --runs 15 --presses 40

Both start from compiled bytecode, as an installed program does from its second run on: the app's
package and the bare app are compiled first (``compileall``), since an editable install (or
``PYTHONDONTWRITEBYTECODE``) would otherwise recompile the app's ~11,000 lines on every start.

Goal: start-up ≤ 1.5× the bare app. Per key: (app with K presses − app without) / K, minus the
same for the bare app, is the app's own cost per rendered ``n``.
"""

from __future__ import annotations

import argparse
import compileall
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench_startup")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--size", default="16x16", help="the app's --size for the press runs")
    args = parser.parse_args()
    app = shutil.which("upsample-tui", path=str(Path(sys.executable).parent))
    if app is None:
        sys.exit("upsample-tui is not installed in this environment")
    import tui_upsample

    for source in (Path(tui_upsample.__file__).parent, HERE):
        compileall.compile_dir(source, quiet=1)
    out = Path(tempfile.mkdtemp()) / "shot.svg"
    keys = ",".join(["n"] * args.presses)
    commands = {
        "bare": [sys.executable, str(HERE / "bare_app.py"), "--screenshot", str(out)],
        "app": [app, "--screenshot", str(out)],
        "bare+keys": [
            sys.executable,
            str(HERE / "bare_app.py"),
            "--screenshot",
            str(out),
            "--press",
            keys,
        ],
        "app-size": [app, "--size", args.size, "--stride", "2", "--kernel-size", "3"]
        + ["--screenshot", str(out)],
        "app-size+keys": [app, "--size", args.size, "--stride", "2", "--kernel-size", "3"]
        + ["--screenshot", str(out), "--press", keys],
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            results[name].append(timed(cmd))
    wall = {k: statistics.median(w for w, _ in v) for k, v in results.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in results.items()}
    for name in commands:
        print(f"{name:14s} wall {wall[name]:6.2f} s   CPU {cpu[name]:6.2f} s")
    print(
        f"start-up ratio app / bare: wall {wall['app'] / wall['bare']:.2f}×,"
        f" CPU {cpu['app'] / cpu['bare']:.2f}×   (goal ≤ 1.5×)"
    )
    k = args.presses
    bare_key = (wall["bare+keys"] - wall["bare"]) / k
    app_key = (wall["app-size+keys"] - wall["app-size"]) / k
    bare_key_cpu = (cpu["bare+keys"] - cpu["bare"]) / k
    app_key_cpu = (cpu["app-size+keys"] - cpu["app-size"]) / k
    print(
        f"per n press at {args.size}: app {app_key * 1e3:.1f} ms, bare {bare_key * 1e3:.1f} ms"
        f" → the app's own {(app_key - bare_key) * 1e3:.1f} ms wall,"
        f" {(app_key_cpu - bare_key_cpu) * 1e3:.1f} ms CPU"
    )


if __name__ == "__main__":
    main()
