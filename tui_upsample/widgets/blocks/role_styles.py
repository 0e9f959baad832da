"""How each role of a step's cells looks: one table, read by every grid and every legend.

The engine says what a cell *means* (:data:`~tui_upsample.engine.steps.ROLES`: read, argmax,
written, …); this table says how it *looks*, in theme variables only, so every theme keeps the
same order of strength, and by text style as well as colour, so the roles stay apart where
colours are off (``NO_COLOR``).

The written cell is the strongest: a solid block of ``$warning`` with readable text on it. It is
drawn with the terminal's reverse attribute, too, and that attribute swaps colours: so the block's
colours are given the other way round first (:func:`drawn`). Reverse on top of the colours as
written would show ``$warning`` as text on the text's colour, the weakest highlight instead of
the strongest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.style import Style

from tui_upsample.engine.steps import (
    ARGMAX,
    FILLED,
    INPUT,
    INSERTED,
    OTHER_READ,
    PADDING,
    READ,
    ROLES,
    WINDOW,
    WRITTEN,
    Step,
    Trace,
)
from tui_upsample.language import N_


@dataclass(frozen=True)
class Look:
    """How the cells of one role are drawn."""

    style: str
    """Its name as a style: the grid's component class is ``grid-view--<style>``."""
    label: str
    """What a legend calls the role, drawn in this look."""
    words: str
    """The look in words, for legends that describe rather than show ("reverse bold")."""
    background: str = ""
    """The theme variable the cell's background is a tint of ("" for none)."""
    tint: int = 100
    """How much of that colour, in percent, over the pane's background."""
    color: str = "$text"
    """The text's colour (``auto …`` picks black or white, whichever reads on the background)."""
    text_style: str = "none"
    reverse: bool = False
    """Drawn with the reverse attribute (its colours swapped beforehand, see :func:`drawn`)."""

    @property
    def css(self) -> str:
        """The look's rules, as the grid's and the legend's component classes both take them."""
        rules = [f"color: {self.color};", f"text-style: {self.text_style};"]
        if self.background:
            rules.append(f"background: {self.background} {self.tint}%;")
        return " ".join(rules)


LOOKS: dict[str, Look] = {
    WRITTEN: Look(
        "written",
        N_("written"),
        "reverse bold",
        background="$warning",
        color="auto 90%",
        text_style="bold",
        reverse=True,
    ),
    ARGMAX: Look(
        "argmax",
        N_("argmax"),
        "bold underline",
        background="$success",
        tint=55,
        color="auto 90%",
        text_style="bold underline",
    ),
    FILLED: Look(
        "filled",
        N_("filled with max"),
        "italic",
        background="$success",
        tint=30,
        text_style="italic",
    ),
    READ: Look(
        "current",
        N_("read"),
        "bold",
        background="$accent",
        tint=45,
        color="auto 90%",
        text_style="bold",
    ),
    OTHER_READ: Look(
        "other-read",
        N_("read by the other order"),
        "bold italic",
        background="$foreground",
        tint=55,
        color="auto 90%",
        text_style="bold italic",
    ),
    WINDOW: Look("window", N_("window"), "underlined", text_style="underline"),
    PADDING: Look(
        "padding",
        N_("padding 0"),
        "dim",
        background="$panel",
        color="$text-muted",
        text_style="dim",
    ),
    INSERTED: Look(
        "inserted",
        N_("inserted 0"),
        "italic",
        background="$primary",
        tint=30,
        color="$text-muted",
        text_style="italic",
    ),
}
"""Each role's look, strongest first (the engine's order: a cell in several roles shows the
first)."""

assert tuple(LOOKS) == ROLES, "one look per role, in the engine's order"

ROLE_STYLES: dict[str, str] = {role: look.style for role, look in LOOKS.items()}
"""The style (a grid component class) that draws each role."""

STYLE_LOOKS: dict[str, Look] = {look.style: look for look in LOOKS.values()}

LEGEND_ORDER: tuple[str, ...] = (
    READ,
    OTHER_READ,
    ARGMAX,
    WRITTEN,
    FILLED,
    WINDOW,
    INSERTED,
    PADDING,
)
"""The order a legend names roles in: what a step reads, then what it writes, then the zeros."""


SOURCE_LOOKS: tuple[Look, ...] = tuple(
    Look(f"source-{k}", f"channel {k}", "tinted", background=colour, tint=tint)
    for k, (colour, tint) in enumerate(
        (
            ("$primary", 30),
            ("$success", 25),
            ("$error", 25),
            ("$secondary", 30),
            ("$warning", 20),
            ("$foreground", 12),
        )
    )
)
"""Pixel shuffle's cells tinted by the channel they come from (channel k in look k mod 6): a
faint background only, under every role's look, so a highlighted cell still shows its role."""


def source_look(channel: int) -> Look:
    """The tint of cells that come from ``channel``."""
    return SOURCE_LOOKS[channel % len(SOURCE_LOOKS)]


def css_rules(prefix: str) -> str:
    """Every look's rules (the source-channel tints too), for component classes
    ``<prefix><style>``."""
    return "".join(
        f"        & > .{prefix}{look.style} {{ {look.css} }}\n"
        for look in (*LOOKS.values(), *SOURCE_LOOKS)
    )


def drawn(style: Style, look_style: str) -> Style:
    """``style`` (a look's component style, as the CSS gives it) as it is drawn: a reversed look
    gets its colours swapped, then the reverse attribute, so the screen shows the CSS colours."""
    look = STYLE_LOOKS.get(look_style)
    if look is None or not look.reverse:
        return style
    return style + Style(color=style.bgcolor, bgcolor=style.color, reverse=True)


def legend_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """``roles`` in the order a legend names them."""
    found = set(roles)
    return tuple(role for role in LEGEND_ORDER if role in found)


def highlights(
    trace: Trace,
    step: Step,
    name: str,
    unmarked: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, Iterable[tuple[int, ...]]]:
    """Which cells of grid ``name`` to draw in which highlight style at ``step`` (the grid's own
    marks, such as the padded input's zeros, under the step's), leaving out the ``unmarked``
    (grid, role) pairs (what a quiz question would give away)."""
    marks: dict[str, list[tuple[int, ...]]] = {}
    shape = trace.input.shape
    grid = trace.grid(name)
    for mark in (*step.marks, *(grid.marks if grid is not None else ())):
        if mark.grid != name or (mark.grid, mark.role) in unmarked:
            continue
        cells = mark.cells
        if name == INPUT and mark.role == ARGMAX:
            # max_unpool2d's argmax is an output cell: on x only where x has that cell
            cells = tuple(
                c for c in cells if all(0 <= i < n for i, n in zip(c, shape, strict=False))
            )
        marks.setdefault(LOOKS[mark.role].style, []).extend(cells)
    return {style: cells for style, cells in marks.items() if cells}
