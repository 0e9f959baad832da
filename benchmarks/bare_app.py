"""The yardstick for start-up and key costs: a bare Textual app with the same frame as
``upsample-tui`` (a header, two panes side by side, a footer), rendered headless the same way.

    python benchmarks/bare_app.py --screenshot /tmp/bare.svg
    python benchmarks/bare_app.py --screenshot /tmp/bare.svg --press n,n,n --terminal-size 120x40
    python benchmarks/bare_app.py --interactive      # in a terminal (bench_keys.py's yardstick)

Whatever ``upsample-tui --screenshot`` costs beyond this is the app's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Static


class BareApp(App[int]):
    """A header, two panes and a footer; ``n`` counts steps."""

    CSS = """
    #body { height: 1fr; }
    #side { width: 42; border: round $panel-lighten-2; }
    #steps { width: 1fr; border: round $panel-lighten-2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next"),
        Binding("p", "step(-1)", "Prev"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.theme = "textual-dark"
        self.step = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Static("input", id="side")
            yield Static("step 1", id="steps")
        yield Footer()

    def action_step(self, delta: int) -> None:
        self.step += delta
        self.query_one("#steps", Static).update(f"step {self.step + 1}")


def screenshot(keys: list[str], size: tuple[int, int]) -> str:
    """An SVG of the bare app after ``keys``, exactly as ``upsample-tui --screenshot`` does it."""
    app = BareApp()

    async def shoot() -> str:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            return app.export_screenshot(title="bare")

    return asyncio.run(shoot())


def main() -> None:
    parser = argparse.ArgumentParser(prog="bare_app")
    out = parser.add_mutually_exclusive_group(required=True)
    out.add_argument("--screenshot", metavar="OUT.svg")
    out.add_argument("--interactive", action="store_true", help="run in the terminal")
    parser.add_argument("--press", default="")
    parser.add_argument("--terminal-size", default="120x40")
    args = parser.parse_args()
    if args.interactive:
        BareApp().run()
        return
    width, height = (int(v) for v in args.terminal_size.split("x"))
    keys = [k for k in args.press.split(",") if k]
    Path(args.screenshot).write_text(screenshot(keys, (width, height)), encoding="utf-8")


if __name__ == "__main__":
    main()
