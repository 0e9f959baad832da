"""The footer is rebuilt only when the keys it shows change, and then it shows the new ones."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tui_upsample.widgets.key_footer import KeyFooter

SIZE = (120, 40)


def keys_shown(app) -> list[tuple[str, str]]:
    return [(key.key_display, key.description) for key in app.query_one(KeyFooter).query(FooterKey)]


async def test_the_footer_keeps_its_keys_when_nothing_shown_changes(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = list(app.query_one(KeyFooter).query(FooterKey))
        assert ("n", "Next") in keys_shown(app) and ("m", "Method") in keys_shown(app)
        app.screen.refresh_bindings()  # as a focus change does
        await pilot.pause()
        assert list(app.query_one(KeyFooter).query(FooterKey)) == before


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
