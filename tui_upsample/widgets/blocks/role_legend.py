"""One line that names the roles a step view highlights, each drawn in the look it names.

The looks come from :mod:`role_styles`, the table every grid draws its highlights from, so the
legend cannot say one thing and the grids show another.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui_upsample.language import _
from tui_upsample.widgets.blocks.role_styles import (
    LOOKS,
    SOURCE_LOOKS,
    css_rules,
    drawn,
    legend_roles,
    source_look,
)


class RoleLegend(Widget):
    """``read argmax written …``: the roles of the trace on screen, in their own looks."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        f"role-legend--{look.style}" for look in LOOKS.values()
    }
    """One per look, with the rules the grid's component class of the same look has."""

    DEFAULT_CSS = (
        """
    RoleLegend {
        height: 1;
        width: 1fr;
        color: $text-muted;
"""
        + css_rules("role-legend--")
        + "    }\n"
    )

    roles: reactive[tuple[str, ...]] = reactive(())
    """The roles to name (the trace's, strongest first); shown in the legend's own order."""
    names: reactive[dict[str, str]] = reactive(dict)
    """Words that name a role for this trace instead of its look's label ("read by dcr")."""
    entries: reactive[tuple[tuple[str, str, str], ...]] = reactive(())
    """Instead of role names, entries (role, words, what follows): the words are drawn in the
    role's look ("" for plain), e.g. ("written", "reverse bold", " = 4"); they may wrap."""

    def style_of(self, role: str) -> Style:
        """The style the legend draws ``role``'s label in (the grids draw its cells in it)."""
        look = LOOKS[role]
        return drawn(self.get_component_rich_style(f"role-legend--{look.style}"), look.style)

    def render(self) -> Text:
        if self.entries:
            text = Text(end="")
            for n, (role, words, after) in enumerate(self.entries):
                if n:
                    text.append("; ")
                text.append(words, self.style_of(role) if role else None)
                text.append(after)
            return text
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for n, role in enumerate(legend_roles(self.roles)):
            if n:
                text.append(" ")
            text.append(self.names.get(role) or _(LOOKS[role].label), self.style_of(role))
        return text


class SourceLegend(Widget):
    """``source channel: 0 1 2 …``, each number in the tint its cells have."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        f"source-legend--{look.style}" for look in SOURCE_LOOKS
    }
    """One per tint, with the rules of the grid's component class of the same tint."""

    DEFAULT_CSS = (
        """
    SourceLegend {
        height: 1;
        width: 1fr;
        color: $text-muted;
"""
        + "".join(
            f"        & > .source-legend--{look.style} {{ {look.css} }}\n" for look in SOURCE_LOOKS
        )
        + "    }\n"
    )

    channels: reactive[int] = reactive(0)
    """How many source channels to name (0: none, the legend is hidden)."""

    def style_of(self, channel: int) -> Style:
        """The style channel ``channel``'s number is drawn in (its cells' tint)."""
        return self.get_component_rich_style(f"source-legend--{source_look(channel).style}")

    def watch_channels(self, channels: int) -> None:
        self.display = channels > 0

    def render(self) -> Text:
        text = Text(_("source channel:") + " ", no_wrap=True, overflow="ellipsis", end="")
        for k in range(self.channels):  # side by side: each block its own tint
            text.append(f" {k} ", self.style_of(k))
        return text
