"""Highlights a learner can read: each role looks as its legend says, in every theme.

Cells are rendered as the screen gets them (``render_line``) and the style they come out with is
held against the look table: the attributes it names (bold, underline, …), the theme colour its
background is a tint of, readable text on it, and the written cell the strongest of all. The
legend of the step view is drawn in the very styles the grids use, and names the trace's roles.
"""

from __future__ import annotations

import numpy as np
import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.color import Color, rgb_to_lab

from tui_upsample.engine.steps import (
    ARGMAX,
    FILLED,
    INSERTED,
    OTHER_READ,
    OUTPUT,
    PADDED,
    PADDING,
    READ,
    ROLES,
    WINDOW,
    WRITTEN,
)
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.blocks.role_legend import RoleLegend
from tui_upsample.widgets.blocks.role_styles import LOOKS, SOURCE_LOOKS
from tui_upsample.widgets.panes.step_view import StepView
from tui_upsample.widgets.views.compare_view import CompareView
from tui_upsample.widgets.views.overlap_view import OverlapView

THEMES = ("textual-dark", "textual-light", "nord", "solarized-light", "gruvbox", "dracula")


class Cells(App[None]):
    """One row of cells, one per role, and the legend of every role."""

    def compose(self) -> ComposeResult:
        yield GridView(np.arange(len(ROLES), dtype=float).reshape(1, -1), id="cells")
        yield RoleLegend(id="legend")


def _shown(style: Style) -> tuple[Color, Color]:
    """(text, background) as they show on screen: the reverse attribute swaps them."""
    fg, bg = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
    return (bg, fg) if style.reverse else (fg, bg)


def _contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = (_luminance(c) for c in (a, b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def _distance(a: Color, b: Color) -> float:
    """How far apart two colours look (CIE76 ΔE: Euclidean distance in Lab)."""
    la, lb = rgb_to_lab(a), rgb_to_lab(b)
    return ((la.L - lb.L) ** 2 + (la.a - lb.a) ** 2 + (la.b - lb.b) ** 2) ** 0.5


def _luminance(c: Color) -> float:
    def channel(v: int) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


async def _cell_styles(theme: str) -> tuple[dict[str, Style], dict[str, Style], Color, dict]:
    """The style each role's cell is drawn in, the legend's label styles, the grid's own
    background, and the theme's variables."""
    app = Cells()
    app.theme = theme
    async with app.run_test(size=(60, 6)) as pilot:
        await pilot.pause()
        view = app.query_one("#cells", GridView)
        legend = app.query_one("#legend", RoleLegend)
        view.show(view.values, {LOOKS[r].style: [(0, k)] for k, r in enumerate(ROLES)})
        legend.roles = ROLES
        await pilot.pause()
        strip = list(view.render_line(1))  # line 0: the column numbers
        # the row number, then a gap and a value per cell
        values = [seg for seg in strip[1:] if seg.text.strip()]
        assert [seg.text.strip() for seg in values] == [str(k) for k in range(len(ROLES))]
        styles = {role: values[k].style for k, role in enumerate(ROLES)}
        labels = {role: legend.style_of(role) for role in ROLES}
        return styles, labels, Color.from_rich_color(view.rich_style.bgcolor), app.theme_variables


def _tint(variables: dict, name: str, percent: int, base: Color) -> Color:
    return base.blend(Color.parse(variables[name.removeprefix("$")]), percent / 100)


@pytest.mark.parametrize("theme", THEMES)
async def test_every_role_looks_as_its_legend_says(theme: str) -> None:
    styles, labels, base, variables = await _cell_styles(theme)
    strength = {}
    for role in ROLES:
        look, style = LOOKS[role], styles[role]
        words = set(look.text_style.split())
        for attribute in ("bold", "italic", "underline", "dim"):
            assert bool(getattr(style, attribute)) == (attribute in words), (role, attribute)
        assert bool(style.reverse) == look.reverse, role
        fg, bg = _shown(style)
        if look.background:
            assert bg == _tint(variables, look.background, look.tint, base), role
        else:
            assert bg == base, role
        # Readable: text on the highlight at least 4.5:1 (WCAG AA), bold text 3:1 (WCAG's bold
        # text), the muted zeros of the padded input 2.5:1.
        least = 2.5 if look.color == "$text-muted" else 3.0 if style.bold else 4.5
        assert _contrast(fg, bg) >= least, (role, fg.hex, bg.hex, _contrast(fg, bg))
        strength[role] = _distance(bg, base)
        # The legend draws each role's label in exactly the style its cells have.
        label = labels[role]
        for attribute in ("color", "bgcolor", "bold", "italic", "underline", "dim", "reverse"):
            assert getattr(label, attribute) == getattr(style, attribute), (role, attribute)
    # The written cell is the strongest highlight: a solid block of $warning under its text,
    # further from the pane's background than any other role's.
    assert _shown(styles[WRITTEN])[1] == Color.parse(variables["warning"])
    assert strength[WRITTEN] == max(strength.values()), strength
    assert strength[WRITTEN] > strength[READ] and strength[WRITTEN] > strength[ARGMAX]


@pytest.mark.parametrize("theme", THEMES)
async def test_roles_stay_apart_without_colour(theme: str) -> None:
    """NO_COLOR terminals keep the attributes: roles that can meet in one grid differ there."""
    styles, *_ = await _cell_styles(theme)

    def attributes(role: str) -> tuple[bool, ...]:
        s = styles[role]
        return tuple(bool(getattr(s, a)) for a in ("bold", "italic", "underline", "dim", "reverse"))

    # Roles seen together: output (written, filled, window), input (read, argmax), padded input
    # (read, padding, inserted),
    # pixel shuffle's input (read, read by the other order).
    groups = (
        (WRITTEN, FILLED, WINDOW),
        (READ, ARGMAX),
        (READ, PADDING, INSERTED),
        (READ, OTHER_READ),
    )
    for group in groups:
        looks = [attributes(r) for r in group]
        assert len(set(looks)) == len(group), group


# --------------------------------------------------------------------------------------------
# In the app
# --------------------------------------------------------------------------------------------


def _legend_text(app) -> str:
    return str(app.query_one(StepView).query_one(RoleLegend).render())


async def test_step_view_legend_names_the_trace_roles_on_one_line(app_factory) -> None:
    unpool = Scene.seed_example("max_unpool2d")
    direct = Scene.seed_example().replace(method="direct")
    cases = [
        (Scene.seed_example(), "read written"),
        (Scene.seed_example("max_pool2d"), "read argmax written"),
        (unpool, "read argmax written window"),
        (unpool.replace(fill="max"), "read argmax written filled with max"),
        (direct.replace(stride=2), "read written inserted 0 padding 0"),
        (direct, "read written padding 0"),
    ]
    for scene, expected in cases:
        app = app_factory(scene)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert _legend_text(app) == expected
            legend = app.query_one(StepView).query_one(RoleLegend)
            assert legend.size.height == 1 and legend.size.width >= len(expected)


async def test_max_fill_is_told_apart_from_the_argmax_put_back(app_factory) -> None:
    app = app_factory(Scene.seed_example("max_unpool2d").replace(fill="max"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        step = app.trace[1]
        out = app.query_one(f"#grid-{OUTPUT}", GridView)
        (target,) = step.output_cells
        assert out.style_at(target) == LOOKS[WRITTEN].style
        assert step.filled_cells and step.window_cells == ()
        for cell in step.filled_cells:
            assert out.style_at(cell) == LOOKS[FILLED].style
        # Drawn differently: background and text style both.
        written = out._style("grid-view--cell", "grid-view--written")
        filled = out._style("grid-view--cell", "grid-view--filled")
        assert _shown(written)[1] != _shown(filled)[1]
        assert (written.bold, written.italic) != (filled.bold, filled.italic)


def _kinds(view: GridView, shape: tuple[int, int]) -> list[str]:
    letter = {LOOKS[PADDING].style: "p", LOOKS[INSERTED].style: "i", LOOKS[READ].style: "r"}
    letter[None] = "v"  # one of r's values
    return [
        "".join(letter[view.style_at((r, c))] for c in range(shape[1])) for r in range(shape[0])
    ]


async def test_direct_face_titles_and_draws_its_zeros_by_kind(app_factory) -> None:
    # Stride 1: nothing inserted; the grid is "padded", its frame of zeros drawn as padding.
    app = app_factory(Scene.seed_example().replace(method="direct"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("end")  # the last window: away from the top-left, so marks show
        await pilot.pause()
        view = app.query_one(f"#grid-{PADDED}", GridView)
        assert view.border_title == "padded  4×4"
        assert not view.dim_zeros  # zeros of r's own are values, drawn as values
        assert _kinds(view, (2, 4)) == ["pppp", "pvvp"]  # the last step reads rows 2-3
        assert view.style_at((3, 0)) == LOOKS[PADDING].style
    # Stride 2: zeros inserted between r's values, then the padding frame.
    app = app_factory(Scene.seed_example().replace(method="direct", stride=2))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.query_one(f"#grid-{PADDED}", GridView)
        assert view.border_title == "zeros inserted, then padded  5×5"
        read = set(app.trace[0].padded_cells)
        kinds = _kinds(view, (5, 5))
        expected = ["ppppp", "pvivp", "piiip", "pvivp", "ppppp"]
        for r in range(5):
            for c in range(5):
                if (r, c) in read:
                    assert view.style_at((r, c)) == LOOKS[READ].style
                else:
                    assert kinds[r][c] == expected[r][c], (r, c)


@pytest.mark.parametrize(("stride", "title"), [(1, "padded"), (2, "zeros inserted, then padded")])
async def test_compare_direct_face_is_titled_by_what_was_done(app_factory, stride, title) -> None:
    app = app_factory(Scene.seed_example().replace(method="all", stride=stride))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.query_one(CompareView)
        assert app.query_one("#face-direct").border_title == f"direct: {title}, w turned 180°"
        card = view.card("direct", PADDED)
        assert card.border_title == title
        assert card.style_at((0, 4 if stride == 2 else 3)) == LOOKS[PADDING].style
        if stride == 2:
            assert card.style_at((2, 2)) == LOOKS[INSERTED].style
        legend = app.query_one("#face-direct > RoleLegend", RoleLegend)
        expected = "read written inserted 0 padding 0" if stride == 2 else "read written padding 0"
        assert str(legend.render()) == expected


async def test_overlap_legend_draws_its_words_in_the_looks_it_names(app_factory) -> None:
    ones = np.ones((3, 3))
    app = app_factory(Scene.seed_example().replace(stride=2, kernel=ones))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await pilot.pause()
        view = app.query_one(OverlapView)
        legend = view.query_one("#overlap-op .overlap-legend", RoleLegend)
        assert str(legend.render()) == "reverse bold = 4; bold = 2; underlined = 1"
        card = view.counts_card("op")
        assert card.style_at((2, 2)) == LOOKS[WRITTEN].style  # 4 footprints: the strongest
        for role in (WRITTEN, READ, WINDOW):
            cell = card._style("grid-view--cell", f"grid-view--{LOOKS[role].style}")
            words = legend.style_of(role)
            for attribute in ("color", "bgcolor", "bold", "underline", "reverse"):
                assert getattr(words, attribute) == getattr(cell, attribute), (role, attribute)


@pytest.mark.parametrize("theme", THEMES)
async def test_source_channel_tints_are_readable_and_apart(theme: str) -> None:
    """Pixel shuffle's tints: each channel's cells on its own tint, the text readable on it, a
    highlighted cell in its role's look over the tint, the legend in the same tints."""
    from tui_upsample.widgets.blocks.role_legend import SourceLegend

    n = len(SOURCE_LOOKS)

    class Tinted(App[None]):
        def compose(self) -> ComposeResult:
            yield GridView(np.arange(n + 1, dtype=float).reshape(1, 1, -1), id="cells")
            yield SourceLegend(id="sources")

    app = Tinted()
    app.theme = theme
    async with app.run_test(size=(60, 6)) as pilot:
        view = app.query_one("#cells", GridView)
        tints = np.arange(n + 1).reshape(1, 1, -1)  # the last cell: channel n, tinted as 0
        view.show(view.values, {LOOKS[READ].style: [(0, 0, 1)]}, tints=tints)
        app.query_one(SourceLegend).channels = n
        await pilot.pause()
        strip = [seg for seg in list(view.render_line(1))[1:] if seg.text.strip()]
        base = Color.from_rich_color(view.rich_style.bgcolor)
        variables = app.theme_variables
        legend = app.query_one(SourceLegend)
        backgrounds = []
        for k, look in enumerate(SOURCE_LOOKS):
            fg, bg = _shown(strip[k].style)
            if k == 1:  # read: the role's look wins over the tint
                assert strip[k].style.bold
                assert bg == _tint(variables, LOOKS[READ].background, LOOKS[READ].tint, base)
                continue
            assert bg == _tint(variables, look.background, look.tint, base), (k, bg.hex)
            assert _contrast(fg, bg) >= 4.5, (k, fg.hex, bg.hex)
            assert not strip[k].style.bold
            assert Color.from_rich_color(legend.style_of(k).bgcolor) == bg
            backgrounds.append(bg)
        assert _shown(strip[n].style)[1] == _shown(strip[0].style)[1]
        assert len(set(backgrounds)) == len(backgrounds), "every tint its own colour"
