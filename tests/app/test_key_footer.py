"""The footer: one widget that shows the keys, repaints only when they change, and presses a
key that is clicked."""

from __future__ import annotations

from textual import events

from tui_upsample.widgets.lean.key_footer import KeyFooter

SIZE = (120, 40)


def keys_shown(app) -> list[tuple[str, str]]:
    return [(key.display, key.description) for key in app.query_one(KeyFooter).keys]


def wheel(widget, kind: type[events.MouseEvent]) -> events.MouseEvent:
    """One turn of the mouse wheel over ``widget``."""
    return kind(widget, 10, 0, 0, 1, 0, False, False, False)


def footer_line(app) -> str:
    return app.query_one(KeyFooter).render().plain


async def test_the_footer_shows_the_keys_and_the_palette_at_the_right(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = keys_shown(app)
        assert shown[:3] == [("n", "Next"), ("p", "Prev"), ("space", "Play")]
        assert ("m", "Method") in shown and ("q", "Quit") in shown
        line = footer_line(app)
        assert len(line) == SIZE[0]
        assert line.startswith(" n Next  p Prev  space Play  o Operator ")
        assert line.endswith("▏^p palette ")


async def test_the_footer_does_not_repaint_when_nothing_shown_changes(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        drawn = []
        original = footer.render
        footer.render = lambda: drawn.append(1) or original()  # type: ignore[method-assign]
        app.screen.refresh_bindings()  # as a focus change does
        await pilot.pause()
        assert drawn == []


async def test_the_footer_shows_a_key_that_changed(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.update_keymap({"step-next": "j"})  # a learner's own key map
        await pilot.pause()
        shown = keys_shown(app)
        assert ("j", "Next") in shown and ("n", "Next") not in shown
        await pilot.press("j")
        await pilot.pause()
        assert app.step == 1


async def test_clicking_a_key_presses_it(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.step == 0
        await pilot.click(KeyFooter, offset=(2, 0))  # " n Next"
        await pilot.pause()
        assert app.step == 1
        await pilot.click(KeyFooter, offset=(9, 0))  # " p Prev"
        await pilot.pause()
        assert app.step == 0


async def test_the_stepping_keys_leave_the_footer_while_a_value_is_typed(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right", "1")  # starts typing into the input's cell [0, 1]
        await pilot.pause()
        assert app.typing
        shown = dict(keys_shown(app))
        assert shown == {"esc": "Cancel edit"}  # every other key is a character now
        await pilot.press("escape")
        await pilot.pause()
        assert dict(keys_shown(app))["n"] == "Next"


async def test_the_mouse_wheel_scrolls_keys_cut_off_by_a_narrow_terminal(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        assert "Quit" not in footer_line(app)  # 97 columns of keys, 68 beside the palette's key
        for _ in range(6):  # the row stops once its last key shows
            footer.post_message(wheel(footer, events.MouseScrollDown))
            await pilot.pause()
        line = footer_line(app)
        assert line.startswith(" m Method ") and "q Quit" in line
        assert line.endswith("▏^p palette ")
        assert footer.offset_keys == 4
        footer.post_message(wheel(footer, events.MouseScrollUp))
        await pilot.pause()
        assert footer_line(app).startswith(" o Operator ")
        await pilot.press("right", "1")  # typing: a row of one key, shown from its start
        await pilot.pause()
        assert footer.offset_keys == 0 and footer_line(app).startswith(" esc Cancel edit ")


async def test_the_key_under_the_mouse_is_highlighted_and_tells_its_tooltip(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        await pilot.hover(KeyFooter, offset=(SIZE[0] - 5, 0))
        await pilot.pause()
        assert footer.hovered == "ctrl+p"
        assert footer.tooltip == "Open the command palette"
        await pilot.hover(KeyFooter, offset=(2, 0))
        await pilot.pause()
        assert footer.hovered == "n"
        text = footer.render()
        hover = footer.get_component_rich_style("key-footer--item-hover")
        assert any(span.style == hover and span.start == 0 for span in text.spans)
