"""Speed as the user feels it: key to screen in a real terminal, against a bare Textual app.

Each command runs in its own tmux pane (a private tmux server, 120×40). A key is sent with
``tmux send-keys`` and the pane is polled (``tmux capture-pane``) until its text changes; the
same is done for ``bare_app.py``, whose ``n`` changes one label, in the same run, alternating, so
the figures that matter are differences and ratios against it (the polling, tmux and the
machine's load are in both). Every byte the pane's program writes is also time-stamped
(``tmux pipe-pane``) to count the frames a key causes: writes closer than ``--gap`` ms apart are
one frame.

    python benchmarks/bench_keys.py                     # every figure, 5 rounds
    python benchmarks/bench_keys.py --rounds 9 --presses 20
    python benchmarks/bench_keys.py --only start,step16
    python benchmarks/bench_keys.py --only edit,edit4x32   # committed edits, 64×64 and 4×32×32

The timed processes start from compiled bytecode (the package is compiled first, and
``PYTHONDONTWRITEBYTECODE`` is unset for them), as an installed program does from its second run.
Figures, not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOCKET = f"bench-keys-{os.getpid()}"
SIZE = (120, 40)

STAMP = r"""
import os, sys, time
out = open(sys.argv[1], "w", buffering=1)
while True:
    chunk = os.read(0, 1 << 16)
    if not chunk:
        break
    out.write(f"{time.monotonic():.6f} {len(chunk)}\n")
"""
"""The pipe-pane reader: one line per write the pane's program made (time, bytes)."""


def tmux(*args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False
    )
    if check and done.returncode:
        raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def capture(name: str) -> str:
    return tmux("capture-pane", "-p", "-t", name, check=False)


@dataclass
class Pane:
    """One program in a tmux pane, with every write it makes time-stamped."""

    name: str
    command: list[str]
    stamps: Path = field(init=False)
    started: float = 0.0
    first_screen: float = 0.0

    def start(self, ready: Callable[[str], bool], timeout: float = 30.0) -> None:
        """Start the program and wait for its first screen (``ready`` true of the pane's text)."""
        self.stamps = Path(tempfile.mkstemp(prefix=f"{self.name}-", suffix=".stamps")[1])
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env_args = [arg for k, v in env.items() if k in KEEP_ENV for arg in ("-e", f"{k}={v}")]
        # The pane starts with a shell-less command; pipe-pane is attached before it draws: the
        # command waits for a line on a FIFO, written once the pipe is in place.
        gate = Path(tempfile.mkdtemp()) / "gate"
        os.mkfifo(gate)
        script = f"read _ < {shlex.quote(str(gate))}; exec {shlex.join(self.command)}"
        tmux(
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(SIZE[0]),
            "-y",
            str(SIZE[1]),
            *env_args,
            "sh",
            "-c",
            script,
        )
        reader = f"{shlex.quote(sys.executable)} -c {shlex.quote(STAMP)} {self.stamps}"
        tmux("pipe-pane", "-O", "-t", self.name, reader)
        time.sleep(0.2)  # the reader is running
        self.started = time.monotonic()
        with open(gate, "w") as f:
            f.write("go\n")
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if ready(capture(self.name)):
                self.first_screen = time.monotonic()
                return
        raise RuntimeError(
            f"{self.name}: no first screen within {timeout} s:\n{capture(self.name)}"
        )

    def settle(self, quiet: float = 0.25, timeout: float = 10.0) -> str:
        """Wait until the pane has not changed for ``quiet`` seconds; its text."""
        text, since = capture(self.name), time.monotonic()
        deadline = since + timeout
        while time.monotonic() < deadline:
            time.sleep(0.01)
            now = capture(self.name)
            if now != text:
                text, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return text
        return text

    def key(self, *keys: str, timeout: float = 5.0) -> tuple[float, float]:
        """Send ``keys`` (the last one timed); (seconds until the pane's text changed, when the
        key was sent, on the monotonic clock)."""
        for k in keys[:-1]:
            tmux("send-keys", "-t", self.name, k)
        if keys[:-1]:
            self.settle(quiet=0.1)
        before = capture(self.name)
        sent = time.monotonic()
        tmux("send-keys", "-t", self.name, keys[-1])
        deadline = sent + timeout
        while time.monotonic() < deadline:
            if capture(self.name) != before:
                return time.monotonic() - sent, sent
        raise RuntimeError(f"{self.name}: {keys[-1]!r} changed nothing within {timeout} s")

    def frames_after(self, sent: float, window: float, gap: float) -> int:
        """Bursts of writes in ``window`` seconds after ``sent`` (writes < ``gap`` apart: one)."""
        times = []
        for line in self.stamps.read_text().splitlines():
            t = float(line.split()[0])
            if sent <= t <= sent + window:
                times.append(t)
        if not times:
            return 0
        return 1 + sum(1 for a, b in zip(times, times[1:], strict=False) if b - a > gap)

    def stop(self) -> None:
        tmux("kill-session", "-t", self.name, check=False)


KEEP_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "VIRTUAL_ENV", "OPENBLAS_NUM_THREADS")


def app_command(*flags: str) -> list[str]:
    exe = shutil.which("upsample-tui", path=str(Path(sys.executable).parent))
    if exe is None:
        sys.exit("upsample-tui is not installed in this environment")
    return [exe, *flags]


BARE = [sys.executable, str(HERE / "bare_app.py"), "--interactive"]


def app_ready(text: str) -> bool:
    return "step 1 /" in text and "Next" in text


def bare_ready(text: str) -> bool:
    return "step 1" in text and "Next" in text


def median_ms(values: Sequence[float]) -> float:
    return statistics.median(values) * 1e3


@dataclass
class Figure:
    name: str
    app: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)

    def line(self, ratio: bool = False) -> str:
        if not self.app:
            frames = f"{statistics.median(self.frames):g} ({min(self.frames)}–{max(self.frames)})"
            return f"{self.name:<44}{frames:>12}"
        a = median_ms(self.app)
        spread = f"{min(self.app) * 1e3:.1f}–{max(self.app) * 1e3:.1f}"
        text = f"{self.name:<44}{a:>9.1f} ms  ({spread})"
        if self.bare:
            b = median_ms(self.bare)
            text += f"   bare {b:6.1f} ms   "
            text += f"{a / b:.2f}×" if ratio else f"{a - b:+.1f} ms"
        if self.frames:
            text += f"   frames {statistics.median(self.frames):g} ({min(self.frames)}–"
            text += f"{max(self.frames)})"
        return text


def run(args: argparse.Namespace) -> None:
    import tui_upsample

    for source in (Path(tui_upsample.__file__).parent, HERE):
        compileall.compile_dir(source, quiet=1)
    only = set(args.only.split(",")) if args.only else None

    def wanted(name: str) -> bool:
        return only is None or name in only

    figures: dict[str, Figure] = {}

    def fig(name: str) -> Figure:
        return figures.setdefault(name, Figure(name))

    step = ["--op", "conv_transpose2d", "--stride", "2", "--kernel-size", "3", "--method", "matrix"]
    # 4 input planes of 32×32 and a (4, 4, 3, 3) weight: the matrix face's largest block grid.
    channels = ["--in-channels", "4", "--out-channels", "4"]
    scenes = {"step16": [*step, "--size", "16x16"], "step64": [*step, "--size", "64x64"]}
    for round_ in range(args.rounds):
        print(f"# round {round_ + 1} / {args.rounds}", file=sys.stderr, flush=True)
        if wanted("start"):
            for label, command, ready in (
                ("bare", BARE, bare_ready),
                ("app", app_command(), app_ready),
            ):
                pane = Pane(f"start-{label}-{round_}", command)
                try:
                    pane.start(ready)
                    f = fig("start to first screen")
                    (f.bare if label == "bare" else f.app).append(pane.first_screen - pane.started)
                finally:
                    pane.stop()
        for key, flags in scenes.items():
            if not wanted(key):
                continue
            name = f"n key-to-screen, {flags[-1]} (convT s2 3×3 matrix)"
            bare = Pane(f"bare-{key}-{round_}", BARE)
            app = Pane(f"app-{key}-{round_}", app_command(*flags))
            try:
                bare.start(bare_ready)
                app.start(app_ready)
                bare.settle()
                app.settle()
                for _ in range(args.presses):
                    for pane, into in ((bare, fig(name).bare), (app, fig(name).app)):
                        took, sent = pane.key("n")
                        into.append(took)
                        time.sleep(args.window)
                        if pane is app:
                            fig(f"frames per n, {flags[-1]}").frames.append(
                                app.frames_after(sent, args.window, args.gap / 1e3)
                            )
            finally:
                bare.stop()
                app.stop()
        if wanted("views"):
            app = Pane(f"views-{round_}", app_command(*step, "--size", "64x64"))
            try:
                app.start(app_ready)
                app.settle()
                # c: compare on, c: off; k, f: the overlap and conventions views and back.
                for label, key in (
                    ("compare on (c), 64×64", "c"),
                    ("compare off (c), 64×64", "c"),
                    ("overlap view (k), 64×64", "k"),
                    ("back from overlap (k), 64×64", "k"),
                    ("conventions view (f), 64×64", "f"),
                    ("back from conventions (f), 64×64", "f"),
                    ("next face (m), 64×64", "m"),
                ):
                    took, _ = app.key(key)
                    fig(label).app.append(took)
                    app.settle(quiet=0.15)
            finally:
                app.stop()
        for key, label, flags in (
            ("edit", "64×64", [*step, "--size", "64x64"]),
            ("edit4x32", "4×32×32", [*step, *channels, "--size", "32x32"]),
        ):
            if not wanted(key):
                continue
            app = Pane(f"{key}-{round_}", app_command(*flags))
            try:
                app.start(app_ready)
                app.settle()
                for value in ("7", "3", "5"):
                    took, _ = app.key(value, "Enter")
                    fig(f"committed cell edit (Enter), {label}").app.append(took)
                    app.settle(quiet=0.15)
            finally:
                app.stop()

    print(
        f"# {SIZE[0]}×{SIZE[1]} tmux pane, {args.rounds} rounds, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    for f in figures.values():
        print(f.line(ratio=f.name.startswith("start")))


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench_keys", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--presses", type=int, default=10, help="n presses per pane per round")
    parser.add_argument("--window", type=float, default=0.15, help="seconds watched after a key")
    parser.add_argument("--gap", type=float, default=8.0, help="ms between writes of two frames")
    parser.add_argument("--only", default="", help="start,step16,step64,views,edit,edit4x32")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("bench_keys needs tmux")
    # An idle session keeps the private server up between the measured ones.
    tmux("new-session", "-d", "-s", "keeper", "sleep 100000")
    try:
        run(args)
    finally:
        tmux("kill-server", check=False)


if __name__ == "__main__":
    main()
