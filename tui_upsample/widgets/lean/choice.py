"""A drop-down choice (the operator, the method, the fill) that costs two widgets until opened.

Textual's ``Select`` is five widgets from the start: the select, the line showing the current
value (itself a label, a down arrow and an up arrow) and the list that drops down. Each widget is
styled and laid out with the first screen, which matters when the settings show two of them.
``Choice`` is a ``Select`` in every way a caller sees — the same messages, keys, value and look —
whose current-value line draws its label and arrow itself, and whose drop-down list is built the
first time it opens.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay


class ChoiceLine(SelectCurrent):
    """The current value and the arrow, drawn as one line of text."""

    # ``arrow`` is the class Select's own CSS gives its arrows: a component class of that name
    # takes the same colour.
    COMPONENT_CLASSES = {"arrow"}

    def compose(self) -> Any:
        return ()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1  # one line of text, though SelectCurrent is laid out as a container

    def update(self, label: Any) -> None:
        self.label = label
        self.has_value = not isinstance(label, NoSelection)
        self.refresh()

    def render(self) -> Text:
        width = self.content_region.width
        label = self.placeholder if isinstance(self.label, NoSelection) else self.label
        text = label.copy() if isinstance(label, Text) else Text(str(label))
        text.truncate(max(width - 2, 0), pad=True)  # the arrow takes two columns, as in Select
        if not self.has_value:
            text.stylize(self.get_component_rich_style("arrow"))  # the placeholder is faint
        expanded = isinstance(self.parent, Select) and self.parent.expanded
        arrow = self.get_component_rich_style("arrow")
        text.append(" ", Style(bgcolor=arrow.bgcolor))
        text.append("▲" if expanded else "▼", arrow)
        return text

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        event.prevent_default()  # SelectCurrent's own handler would toggle it a second time
        if isinstance(self.parent, Choice):
            await self.parent.toggle()


class Choice(Select[str]):
    """A compact ``Select`` whose drop-down list is built when first opened.

    Once its list closes (an option chosen, or escape), and on escape while it is closed, it
    posts :class:`Choice.Done`: the app gives the focus back to the pane the learner came from,
    so space plays again instead of reopening the list.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "done", "Leave the drop-down", show=False, id="choice-leave"),
    ]

    class Done(Message):
        """The learner is finished with the drop-down."""

        def __init__(self, choice: Choice) -> None:
            super().__init__()
            self.choice = choice

        @property
        def control(self) -> Choice:
            return self.choice

    def action_done(self) -> None:
        """Leave the drop-down (escape while it is closed)."""
        self.post_message(self.Done(self))

    def compose(self) -> Any:
        yield ChoiceLine(self.prompt)

    def _overlay(self) -> SelectOverlay | None:
        try:
            return self.query_one(SelectOverlay)
        except NoMatches:
            return None

    async def _build_overlay(self) -> None:
        if self._overlay() is None:
            overlay = SelectOverlay(type_to_search=self._type_to_search)
            overlay.compact = self.compact  # fixed for a Choice's life: no binding needed
            await self.mount(overlay)
            super()._setup_options_renderables()

    def _setup_options_renderables(self) -> None:
        if self._overlay() is not None:  # otherwise built with the list, from self._options
            super()._setup_options_renderables()

    def _watch_value(self, value: Any) -> None:
        self._value = value
        try:
            line = self.query_one(ChoiceLine)
        except NoMatches:
            return
        for index, (prompt, option) in enumerate(self._options):
            if option == value:
                overlay = self._overlay()
                if overlay is not None:
                    overlay.highlighted = index
                line.update(prompt)
                break
        else:
            line.update(self.NULL)
        self.post_message(self.Changed(self, value))

    def _watch_expanded(self, expanded: bool) -> None:
        opened = self._overlay() is not None
        if opened:
            super()._watch_expanded(expanded)
        self.query_one(ChoiceLine).refresh()  # the arrow turns
        if opened and not expanded:
            self.post_message(self.Done(self))

    async def action_show_overlay(self) -> None:
        await self._build_overlay()
        super().action_show_overlay()

    async def toggle(self) -> None:
        """Open the list, or close it (a click on the line)."""
        if self.expanded:
            self.expanded = False
        else:
            await self.action_show_overlay()
