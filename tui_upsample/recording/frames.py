"""The frames of a recording, from one headless run of the app.

The app is started once without a terminal (as ``--screenshot`` does), and after each step (or
each key of a ``--press`` walk) its screen is read back as rows of styled runs: what Textual's
own SVG screenshot reads, kept as data so the same run gives the cast's ANSI text, the SVG's
pieces and the GIF.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region

from tui_upsample.app import UpsampleApp
from tui_upsample.recording.cell_runs import Frame, Run
from tui_upsample.scene import Scene

THEME = "textual-dark"
"""The theme of every recording (the screenshots' own), whatever the preferences say."""
DEFAULT_FG = "#e0e0e0"
DEFAULT_BG = "#121212"


@dataclass(frozen=True)
class Recording:
    """The frames of one walk and the title the app gives the scene."""

    frames: tuple[Frame, ...]
    title: str


def _colour(style: Style, foreground: bool) -> str:
    colour = style.color if foreground else style.bgcolor
    if colour is None:
        return DEFAULT_FG if foreground else DEFAULT_BG
    return colour.get_truecolor(foreground=foreground).hex


def _look(run: Run) -> tuple[object, ...]:
    return (run.fg, run.bg, run.bold, run.dim, run.italic, run.underline, run.strike)


def _runs(line: Sequence[Segment]) -> tuple[Run, ...]:
    """One screen row as runs: neighbouring segments of the same look joined."""
    runs: list[Run] = []
    x = 0
    for segment in line:
        if segment.control or not segment.text:
            continue
        style = segment.style or Style()
        fg, bg = _colour(style, True), _colour(style, False)
        if style.reverse:
            fg, bg = bg, fg
        cells = cell_len(segment.text)
        run = Run(
            x,
            cells,
            segment.text,
            fg,
            bg,
            bold=bool(style.bold),
            dim=bool(style.dim),
            italic=bool(style.italic),
            underline=bool(style.underline),
            strike=bool(style.strike),
        )
        if runs and _look(runs[-1]) == _look(run):
            last = runs[-1]
            joined = last.text + run.text
            runs[-1] = dataclasses.replace(last, cells=last.cells + cells, text=joined)
        else:
            runs.append(run)
        x += cells
    return tuple(runs)


def _label(app: UpsampleApp) -> tuple[int, int, str]:
    """The step on screen (from 1), the number of steps, and the step's line."""
    trace = app.trace
    if app.error or trace is None or len(trace) == 0:
        return 0, 0 if trace is None else len(trace), app.error
    return app.step + 1, len(trace), trace[app.step].text


def screen_frame(app: UpsampleApp, crop: Region | None = None) -> Frame:
    """What the app's screen shows now (only ``crop`` of it, if given)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        safe_box=False,
    )
    # What App.export_screenshot renders, read as segments instead of written as an SVG.
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    lines = list(Segment.split_lines(console.render(update)))[:height]
    if crop is not None:
        lines = lines[crop.y : crop.bottom]
        lines = [list(Segment.divide(line, [crop.x, crop.right]))[1] for line in lines]
        width, height = crop.width, len(lines)
    step, steps, label = _label(app)
    rows = tuple(_runs(line) for line in lines)
    return Frame(width, height, rows, step, steps, label)


T = TypeVar("T")


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the headless app to completion: here, or, where an event loop is already running
    in this thread (a Jupyter cell), in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


def _app(scene: Scene, tour_stop: int | None) -> UpsampleApp:
    return UpsampleApp(
        scene, theme=THEME, cursor_blink=False, tour_stop=tour_stop, preferences=False
    )


def frame_count(app: UpsampleApp, keys: Sequence[str]) -> int:
    """How many frames a recording takes: the screen before each key and after the last, or
    one per step from the one on screen to the last."""
    if keys or app.trace is None:
        return len(keys) + 1
    return max(len(app.trace) - app.step, 1)


def record(
    scene: Scene,
    keys: Sequence[str],
    size: tuple[int, int],
    tour_stop: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Recording:
    """The frames of ``scene`` in a ``size`` terminal: with ``keys``, the screen before them
    and after each; without, every step from the one on screen to the last."""
    app = _app(scene, tour_stop)
    total = frame_count(app, keys)

    async def walk() -> Recording:
        frames: list[Frame] = []

        def take() -> None:
            frames.append(screen_frame(app))
            if progress is not None:
                progress(len(frames), total)

        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            title = f"upsample-tui: {app.sub_title}"
            take()
            if keys:
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause()
                    take()
            else:
                for step in range(app.step + 1, app.step + total):
                    app.step = step
                    await pilot.pause()
                    take()
        return Recording(tuple(frames), title)

    return _run(walk)


def step_view(scene: Scene, size: tuple[int, int]) -> Frame:
    """The app's step view (the pane with the grids and the step's line) at ``scene.step``."""
    app = _app(scene, None)

    async def shoot() -> Frame:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            pane = app.screen.query_one("#steps")
            return _without_empty_rows(screen_frame(app, crop=pane.region))

    return _run(shoot)


def _without_empty_rows(frame: Frame) -> Frame:
    """The pane with the empty rows below its content left out (its bottom border kept): the
    picture is as tall as what the step shows."""
    rows = frame.rows
    texts = ["".join(run.text for run in row).strip(" │") for row in rows]
    last = max((i for i, text in enumerate(texts[:-1]) if text), default=len(rows) - 2)
    kept = (*rows[: last + 2], rows[-1]) if last + 2 < len(rows) else rows
    return dataclasses.replace(frame, rows=kept, height=len(kept))
