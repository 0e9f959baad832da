"""The settings' drop-down choices: two widgets until opened, then a Select in every way."""

from __future__ import annotations

from textual.widgets._select import SelectOverlay

from tui_upsample.widgets.lean.choice import Choice, ChoiceLine

SIZE = (120, 40)


def line_text(choice: Choice) -> str:
    return choice.query_one(ChoiceLine).render().plain


async def test_a_choice_shows_its_value_and_builds_no_list_until_opened(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        op = app.query_one("#op", Choice)
        assert op.value == "conv_transpose2d"
        assert (
            line_text(op) == "conv_transpose2d".ljust(19) + " ▼"
        )  # the side keeps a scrollbar column
        assert list(op.query(SelectOverlay)) == []
        assert len(list(op.walk_children())) == 1  # the line only


async def test_keys_open_the_list_and_pick_an_operator(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        op = app.query_one("#op", Choice)
        op.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert op.expanded and line_text(op).endswith(" ▲")
        overlay = op.query_one(SelectOverlay)
        seed = op._options.index(("conv_transpose2d", "conv_transpose2d"))
        assert overlay.has_focus and overlay.highlighted == seed
        await pilot.press("up", "enter")
        await pilot.pause()
        assert not op.expanded and line_text(op).endswith(" ▼")
        before = op._options[op._options.index(("conv_transpose2d",) * 2) - 1][1]
        assert op.value == before and app.scene.op == before
        assert app.trace is not None and app.trace.op == before


async def test_escape_closes_the_list_and_keeps_the_value(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        op = app.query_one("#op", Choice)
        op.focus()
        await pilot.press("down", "down", "escape")
        await pilot.pause()
        assert not op.expanded  # and the focus is back on the grid it came from
        assert app.focused is app.query_one("#input-editor GridView")
        assert op.value == "conv_transpose2d" and app.scene.op == "conv_transpose2d"


async def test_a_click_opens_the_list_and_a_click_on_an_option_picks_it(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        method = app.query_one("#method", Choice)
        await pilot.click(method.query_one(ChoiceLine))
        await pilot.pause()
        assert method.expanded
        overlay = method.query_one(SelectOverlay)
        labels = [str(option.prompt) for option in overlay.options]
        assert labels == [prompt for prompt, _ in method._options]
        target = labels.index("scatter")
        await pilot.click(overlay, offset=(2, target))
        await pilot.pause()
        assert not method.expanded
        assert method.value == "scatter" and app.scene.method == "scatter"
        assert line_text(method).startswith("scatter ")


async def test_the_method_list_follows_the_operator(app_factory) -> None:
    app = app_factory(op="conv2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        method = app.query_one("#method", Choice)
        conv2d_methods = [value for _, value in method._options]
        app.scene = app.scene.replace(op="conv_transpose2d")
        await pilot.pause()
        methods = [value for _, value in method._options]
        assert methods != conv2d_methods and "scatter" in methods
        method.focus()
        await pilot.press("enter")
        await pilot.pause()
        overlay = method.query_one(SelectOverlay)
        assert [str(option.prompt) for option in overlay.options] == methods
