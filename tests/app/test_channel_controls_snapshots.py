"""The channel controls as SVG snapshots: the settings pane's channel rows (in channels, out
channels, groups) at 120×40 and 80×24, a refused groups value with its rule, and the depthwise
preset (one kernel per plane)."""

from __future__ import annotations

from textual.widgets import Input

from tui_upsample.cli import build_parser, scene_from_args


async def settled(pilot) -> None:
    """Let the panes' scrolls (to the focused row, to the written cell) finish first."""
    await pilot.wait_for_scheduled_animations()
    for _ in range(3):
        await pilot.pause(0.1)


def _on_row(name: str, typed: str = ""):
    """Focus settings row ``name`` (the pane scrolls to it), then type ``typed`` over it."""

    async def run_before(pilot) -> None:
        box = pilot.app.query_one(f"#{name}", Input)
        box.focus()
        await pilot.pause()
        if typed:
            await pilot.press(*["backspace"] * len(box.value), *typed)
        await settled(pilot)

    return run_before


def _scene(*argv: str):
    return scene_from_args(build_parser().parse_args(list(argv)))


def test_channel_rows_120x40(snap_compare, app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "2", "--out-channels", "2"))
    assert snap_compare(app, run_before=_on_row("groups"), terminal_size=(120, 40))


def test_channel_rows_80x24(snap_compare, app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "2", "--out-channels", "2"))
    assert snap_compare(app, run_before=_on_row("groups"), terminal_size=(80, 24))


def test_groups_refused_with_its_rule(snap_compare, app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "4", "--out-channels", "2"))
    assert snap_compare(app, run_before=_on_row("groups", "4"), terminal_size=(120, 40))


def test_depthwise_preset(snap_compare, app_factory) -> None:
    async def run_before(pilot) -> None:
        await pilot.app.run_action("channel_preset('depthwise (groups = C_in = 3)')")
        await pilot.press("n", "n", "n", "n", "n")  # output channel 1: only input plane 1
        await pilot.pause()
        pilot.app.clear_notifications()
        await settled(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=(120, 40))
