"""Notes under the settings: the questions learners ask about the parameters on screen.

- conv_transpose2d: what output_padding chooses (the sizes a stride makes ambiguous), and the
  adjoint identity ⟨conv2d(x, w), y⟩ = ⟨x, conv_transpose2d(y, w)⟩ with both numbers — why it is
  called "transposed", why it is the gradient of the convolution, and why it learns.
- conv2d: the same identity, seen from the convolution.
- max_unpool2d: which output_size MaxUnpool2d accepts (the bounds are strict).
- max_pool2d: the window ceil_mode adds, or drops because it would start in the padding.

Every number and sentence about numbers is the engine's (``engine.lessons``).

The notes sit at the foot of the side pane, often scrolled out of view. An edit of a grid's numbers
changes only the adjoint's two numbers; while those lines are out of view, the notes wait (no
adjoint is computed, nothing off screen is repainted) and catch up before the lines can be seen.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.text import Text
from textual.containers import ScrollableContainer
from textual.geometry import Region
from textual.reactive import var
from textual.visual import visualize
from textual.widget import Widget

from tui_upsample.engine.lessons import (
    Adjoint,
    adjoint_of_conv2d,
    adjoint_partner,
    ceil_mode_windows,
    output_padding_choices,
    unpool_size_bounds,
)
from tui_upsample.number_format import format_number
from tui_upsample.scene import Scene
from tui_upsample.widgets.quiet_text import refresh_text

WHY_TRANSPOSED = (
    "Equal for every x and y, because W2 = W1ᵀ: so conv_transpose2d is the gradient of conv2d "
    "with respect to its input, and as a layer its w is learned in the backward pass — max "
    "unpooling has no weights to learn."
)
"""Why the adjoint identity matters (the seed's paragraphs 4 and 6)."""


def numbers_only(old: Scene, new: Scene) -> bool:
    """Whether ``new`` is ``old`` with other numbers in its grids: the same operator, parameters
    and grid shapes (an edited cell, a refilled grid). Of the notes, only the adjoint's numbers
    can then change."""
    grids = ("input", "kernel", "channels")
    if any(getattr(old, g).shape != getattr(new, g).shape for g in grids):
        return False
    same_grids = {g: getattr(old, g) for g in grids}
    return new.replace(**same_grids, step=old.step, seed=old.seed) == old


def adjoint_lines(adjoint: Adjoint) -> tuple[str, str]:
    """The identity's two sides, each with its own number: ``⟨conv2d(…), y⟩ = 63``."""
    parts = adjoint.text.split(" = ")
    left, right = parts[0], parts[-1]
    return (
        f"{left} = {format_number(adjoint.lhs)}",
        f"{right} = {format_number(adjoint.rhs)}",
    )


NOTE_PARTS = (
    "notes-head",
    "notes-text",
    "adjoint-head",
    "adjoint-lhs",
    "adjoint-rhs",
    "adjoint-note",
)
"""The notes' paragraphs, top to bottom; an empty one takes no line."""

PART_STYLE = {
    "notes-head": "notes--head",
    "notes-text": "notes--text",
    "adjoint-head": "notes--head",
    "adjoint-lhs": "notes--identity",
    "adjoint-rhs": "notes--identity",
    "adjoint-note": "notes--muted",
}
"""The component class that styles each paragraph."""


class LessonNotes(Widget):
    """What this operator's parameters mean, beyond the output-size formula.

    One widget draws every paragraph (six widgets cost six times the start-up styling and layout);
    ``parts`` holds their texts.
    """

    DEFAULT_CSS = """
    LessonNotes {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        & > .notes--head { color: $text-accent; text-style: bold; }
        & > .notes--text { color: $text; }
        & > .notes--muted { color: $text-muted; }
        & > .notes--identity { color: $text-success; text-style: bold; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "notes--head",
        "notes--text",
        "notes--muted",
        "notes--identity",
    }

    # var, not reactive: a change repaints the notes only if their text changes (``_draw``).
    scene: var[Scene] = var(Scene.seed_example, always_update=True)
    """The scene the notes are about (bound to the app's)."""

    _behind = False
    """Whether the adjoint lines still show an earlier scene's numbers (they were out of view)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.parts: dict[str, str] = dict.fromkeys(NOTE_PARTS, "")
        """The text of each paragraph on screen (see NOTE_PARTS)."""

    def render(self) -> Text:
        return self._text(NOTE_PARTS)

    def _text(self, names: tuple[str, ...]) -> Text:
        """The paragraphs ``names`` (the empty ones left out), one under the other."""
        lines = [
            Text(self.parts[name], style=self.get_component_rich_style(PART_STYLE[name]))
            for name in names
            if self.parts[name]
        ]
        return Text("\n").join(lines)

    def on_mount(self) -> None:
        self.border_title = "why"
        # The adjoint lines left behind out of view are drawn before they can come into view:
        # when the pane around them scrolls, holds more or less (its virtual size) or gets taller
        # (its scrollbar's window). Textual sets these before it paints the frame.
        for pane in self.ancestors:
            if isinstance(pane, ScrollableContainer):
                self.watch(pane, "scroll_y", self._catch_up, init=False)
                self.watch(pane, "virtual_size", self._catch_up_if_in_view, init=False)
                self.watch(pane.vertical_scrollbar, "window_size", self._catch_up, init=False)
        self._draw()

    def watch_scene(self, old: Scene, scene: Scene) -> None:
        if self.is_mounted and numbers_only(old, scene) and not self._adjoint_in_view():
            self._behind = True  # nothing else changes: the adjoint can wait until it is seen
            return
        self._draw()

    def _adjoint_in_view(self) -> bool:
        """Whether a line of the adjoint is on screen (in Textual's last layout)."""
        if not self.screen.can_view_partial(self):
            return False
        content = self.content_region
        above = self._text(NOTE_PARTS[:2])  # the parameter note, over the adjoint
        skip = visualize(self, above).get_height(self.styles, content.width) if above else 0
        lines = Region(content.x, content.y + skip, content.width, max(content.height - skip, 0))
        node: Widget = self
        while isinstance(node.parent, Widget):  # as Widget.can_view_partial, for a region
            if not lines.overlaps(node.parent.scrollable_content_region):
                return False
            node = node.parent
        return True

    def _catch_up(self) -> None:
        if self._behind:
            self._draw()

    def _catch_up_if_in_view(self) -> None:
        # Called after Textual laid the pane out again: the layout says what is in view.
        if self._behind and self._adjoint_in_view():
            self._draw()

    # What is on screen ----------------------------------------------------------------------
    def adjoint(self) -> Adjoint | str | None:
        """The scene's adjoint identity (conv2d / conv_transpose2d), the engine's message if it
        has none, or None for the other operators."""
        # Values near 1e308 can overflow the two inner products: say so rather than warn.
        with np.errstate(all="ignore"):
            found = self._adjoint()
        if isinstance(found, Adjoint) and not np.isfinite([found.lhs, found.rhs]).all():
            return "the adjoint's two inner products overflow: the values are too large"
        return found

    def _adjoint(self) -> Adjoint | str | None:
        scene = self.scene
        try:
            if scene.op == "conv_transpose2d":
                return adjoint_partner(
                    scene.input,
                    scene.kernel,
                    scene.stride,
                    scene.padding,
                    scene.output_padding,
                    scene.dilation,
                ).identity
            if scene.op == "conv2d":
                return adjoint_of_conv2d(
                    scene.input, scene.kernel, scene.stride, scene.padding, scene.dilation
                )
        except ValueError as exc:
            return str(exc)
        return None

    def parameter_note(self) -> tuple[str, str]:
        """(heading, text) about the operator's most misread parameter, or ("", "")."""
        scene = self.scene
        h, w = scene.x.shape[-2:]
        try:
            if scene.op == "conv_transpose2d":
                if isinstance(scene.padding, str):
                    return (
                        "output_padding",
                        f"padding='{scene.padding}' fixes the size itself: output_padding "
                        "must be 0",
                    )
                kh, kw = scene.kernel.shape
                rows = output_padding_choices(h, kh, scene.stride, scene.padding, scene.dilation)
                cols = output_padding_choices(w, kw, scene.stride, scene.padding, scene.dilation)
                text = rows.text if rows.text == cols.text else f"rows: {rows.text}; columns: "
                if rows.text != cols.text:
                    text += cols.text
                return "output_padding chooses a size", text
            if scene.op == "max_unpool2d":
                rows_b = unpool_size_bounds(h, scene.kernel_size, scene.stride, scene.padding)
                cols_b = unpool_size_bounds(w, scene.kernel_size, scene.stride, scene.padding)
                text = f"rows: {rows_b.text}"
                if cols_b.text != rows_b.text:
                    text += f"; columns: {cols_b.text}"
                return "MaxUnpool2d output_size", text
            if scene.op == "max_pool2d":
                k, s, p, d = scene.kernel_size, scene.stride, scene.padding, scene.dilation
                assert isinstance(p, int)
                rows_c = ceil_mode_windows(h, k, s, p, d)
                cols_c = ceil_mode_windows(w, k, s, p, d)
                text = f"rows: {rows_c.text}"
                if cols_c.text != rows_c.text:
                    text += f"; columns: {cols_c.text}"
                return "ceil_mode", text
        except (ValueError, AssertionError) as exc:
            return "", str(exc)
        return "", ""

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        self._behind = False
        parts = dict.fromkeys(NOTE_PARTS, "")
        parts["notes-head"], parts["notes-text"] = self.parameter_note()
        adjoint = self.adjoint()
        if adjoint:
            parts["adjoint-head"] = "why “transposed”: the adjoint"
        if isinstance(adjoint, Adjoint):
            parts["adjoint-lhs"], parts["adjoint-rhs"] = adjoint_lines(adjoint)
            if self.scene.op == "conv_transpose2d":
                who = "y = r; x: fixed small integers."
            else:
                who = "x = the input; y: fixed small integers."
            parts["adjoint-note"] = f"{who} {WHY_TRANSPOSED}"
        else:
            parts["adjoint-note"] = adjoint or ""
        shown = any(parts.values())
        if self.display != shown:
            self.display = shown
        if parts != self.parts:
            self.parts = parts
            refresh_text(self)
