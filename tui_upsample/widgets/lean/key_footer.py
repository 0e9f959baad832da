"""The row of keys at the bottom of the screen, drawn by one widget.

Textual's ``Footer`` is a container with a widget per key (ten here, each styled, laid out and
rebuilt whenever the screen's bindings may have changed: on every focus change, twice while the
first screen settles). This footer looks the same — key, description, the command palette's key
at the right edge behind a thin rule, disabled keys dimmed, the key under the mouse highlighted —
but is one line of text, drawn again only when what it shows changes. A click on a key presses
it.

When the terminal is too narrow for every key, the least important ones give way (``priority``,
by binding id, most important first; the command palette's key goes first), so the keys that
matter most, help and quit, always show; the others are on the help screen. Only if even those
do not fit is the row cut, and the mouse wheel scrolls it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import var
from textual.screen import Screen
from textual.widget import Widget

from tui_upsample.preferences import UNBOUND


class ShownKey(NamedTuple):
    """One key as the footer shows it."""

    key: str
    """The key pressed when it is clicked."""
    display: str
    """How the key is written (``^p`` for ctrl+p)."""
    description: str
    enabled: bool
    tooltip: str
    binding_id: str = ""
    """The binding's id (what ``priority`` names)."""


class KeyFooter(Widget, can_focus=False):
    """The screen's shown bindings on one line, the command palette's key at the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--item",
        "key-footer--item-disabled",
        "key-footer--item-hover",
        "key-footer--key",
        "key-footer--description",
        "key-footer--rule",
    }
    # The look of Textual's Footer and FooterKey, with the same theme variables.
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--item { background: $footer-item-background; }
        .key-footer--item-disabled { background: $footer-item-background; text-style: dim; }
        .key-footer--item-hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--rule { color: $foreground 20%; }
    }
    """

    keys: var[tuple[ShownKey, ...]] = var(())
    """The keys shown left to right, without the command palette's."""
    palette: var[ShownKey | None] = var(None)
    """The command palette's key, shown at the right edge."""
    offset_keys: var[int] = var(0)
    """Keys scrolled out at the left (the mouse wheel moves them when the row is cut off)."""
    hovered: var[str | None] = var(None)
    """The key under the mouse."""

    def __init__(
        self,
        *,
        priority: tuple[str, ...] = (),
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id)
        self.priority = priority
        """Binding ids from the most important key to the least: on a narrow terminal the keys
        at the end (and those not named, and the palette's) give way first."""
        self._spans: list[tuple[int, int, ShownKey]] = []
        """Where each drawn key is: (first column, column after the last, key)."""
        self._cut_off = False
        """Whether the last key did not fit."""

    def on_mount(self) -> None:
        self._read_bindings()
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self._read_bindings()

    def _read_bindings(self) -> None:
        """Take the keys to show from the screen's active bindings (each action once)."""
        app = self.app
        palette_key = app.COMMAND_PALETTE_BINDING
        keys: list[ShownKey] = []
        actions: set[str] = set()
        palette: ShownKey | None = None
        for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if key == palette_key and app.ENABLE_COMMAND_PALETTE:
                shown = binding.tooltip or binding.description
                palette = ShownKey(
                    binding.key, app.get_key_display(binding), binding.description, enabled, shown
                )
            elif binding.show and binding.action not in actions and key != UNBOUND:
                actions.add(binding.action)
                keys.append(
                    ShownKey(
                        binding.key,
                        app.get_key_display(binding),
                        binding.description,
                        enabled,
                        tooltip,
                        binding.id or "",
                    )
                )
        # vars compare before they repaint: nothing is drawn when nothing shown changed
        self.keys = tuple(keys)
        self.palette = palette

    def watch_keys(self) -> None:
        self.offset_keys = 0  # a new row of keys starts unscrolled
        self.refresh()

    def watch_palette(self) -> None:
        self.refresh()

    def watch_offset_keys(self) -> None:
        self.refresh()

    def watch_hovered(self, key: str | None) -> None:
        shown = next((k for k in (*self.keys, self.palette) if k and k.key == key), None)
        self.tooltip = shown.tooltip if shown and shown.tooltip else None
        self.styles.pointer = "pointer" if shown else "default"
        self.refresh()

    # Drawing -----------------------------------------------------------------------------------
    def _item(self, key: ShownKey) -> Style:
        """The style under a key and its description: plain, dimmed or under the mouse."""
        if key.key == self.hovered:
            return self.get_component_rich_style("key-footer--item-hover")
        if not key.enabled:
            return self.get_component_rich_style("key-footer--item-disabled")
        return self.get_component_rich_style("key-footer--item")

    def _on_item(self, component: str, item: Style) -> Style:
        """The style of ``component`` drawn on ``item`` (a transparent background lets it show)."""
        style = self.get_component_rich_style(component)
        if self.get_component_styles(component).background.a == 0:
            style += Style(bgcolor=item.bgcolor)
        return style

    def _label(self, key: ShownKey, *, compact: bool = False) -> Text:
        """`` n Next `` as Textual's FooterKey draws it (``^p palette`` when ``compact``)."""
        item = self._item(key)
        key_style = self._on_item("key-footer--key", item)
        description_style = self._on_item("key-footer--description", item)
        if compact:
            text = Text.assemble(
                (key.display, key_style), (f" {key.description}", description_style)
            )
        else:
            text = Text.assemble(
                (f" {key.display} ", key_style), (f"{key.description} ", description_style)
            )
        text.stylize_before(item)
        return text

    def _rank(self, key: ShownKey) -> int:
        """How important ``key`` is: its place in ``priority`` (unnamed keys after those)."""
        try:
            return self.priority.index(key.binding_id)
        except ValueError:
            return len(self.priority)

    def _fitting(self, width: int, palette: Text | None) -> tuple[list[ShownKey], bool]:
        """The keys to draw in ``width`` columns, left to right, and whether the palette's key
        has room too: the least important give way first, the palette's before any."""
        keys = list(self.keys[self.offset_keys :])
        widths = {key: self._label(key).cell_len for key in keys}
        need = sum(widths.values())
        palette_width = palette.cell_len if palette is not None else 0
        if need + palette_width <= width:
            return keys, palette is not None
        if self.offset_keys:
            return keys, palette is not None  # scrolled by the wheel: cut, not thinned
        by_rank = sorted(keys, key=self._rank)
        while need > width and len(by_rank) > 1:
            need -= widths[by_rank.pop()]
        kept = set(by_rank)
        return [key for key in keys if key in kept], False

    def render(self) -> Text:
        width = self.size.width
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        palette = None
        if self.palette is not None:
            item = self._item(self.palette)
            rule = self.get_component_rich_style("key-footer--rule") + Style(bgcolor=item.bgcolor)
            palette = Text.assemble(
                ("▏", rule),
                self._label(self.palette, compact=True),
                (" ", Style(bgcolor=item.bgcolor)),  # FooterKey's right padding
            )
        keys, with_palette = self._fitting(width, palette)
        if not with_palette:
            palette = None
        room = width - (palette.cell_len if palette is not None else 0)
        x = 0
        self._cut_off = False
        for key in keys:
            if x >= room:
                self._cut_off = True
                break
            label = self._label(key)
            if x + label.cell_len > room:
                self._cut_off = True
                label.truncate(room - x)
            self._spans.append((x, x + label.cell_len, key))
            line.append_text(label)
            x += label.cell_len
        if palette is not None and room >= 0:
            line.append(" " * (room - x))
            self._spans.append((room, width, self.palette))  # type: ignore[arg-type]
            line.append_text(palette)
        return line

    # Mouse -------------------------------------------------------------------------------------
    def _key_at(self, x: int) -> ShownKey | None:
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        self.hovered = key.key if key else None

    def on_leave(self) -> None:
        self.hovered = None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if self._cut_off:
            self.offset_keys += 1
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.offset_keys = max(self.offset_keys - 1, 0)
        event.stop()
