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

from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.reactive import var
from textual.widgets import Static

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
from tui_upsample.widgets.quiet_text import set_text

WHY_TRANSPOSED = (
    "Equal for every x and y, because W2 = W1ᵀ: so conv_transpose2d is the gradient of conv2d "
    "with respect to its input, and as a layer its w is learned in the backward pass — max "
    "unpooling has no weights to learn."
)
"""Why the adjoint identity matters (the seed's paragraphs 4 and 6)."""


ADJOINT_LINES = ("#adjoint-head", "#adjoint-lhs", "#adjoint-rhs", "#adjoint-note")
"""The lines an edit of a grid's numbers can change (the adjoint's)."""


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


class LessonNotes(Vertical):
    """What this operator's parameters mean, beyond the output-size formula."""

    DEFAULT_CSS = """
    LessonNotes {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        & > Static { height: auto; }
        & > .notes-head { color: $text-accent; text-style: bold; }
        & > .notes-text { color: $text; }
        & > .notes-muted { color: $text-muted; }
        & > #adjoint-lhs, & > #adjoint-rhs { color: $text-success; text-style: bold; }
    }
    """

    # var, not reactive: a change repaints only the lines whose text changes (``_draw``).
    scene: var[Scene] = var(Scene.seed_example, always_update=True)
    """The scene the notes are about (bound to the app's)."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="notes-head", id="notes-head")
        yield Static("", classes="notes-text", id="notes-text")
        yield Static("", classes="notes-head", id="adjoint-head")
        yield Static("", id="adjoint-lhs")
        yield Static("", id="adjoint-rhs")
        yield Static("", classes="notes-muted", id="adjoint-note")

    _behind = False
    """Whether the adjoint lines still show an earlier scene's numbers (they were out of view)."""

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
        """Whether any of the adjoint lines is on screen (in Textual's last layout)."""
        screen = self.screen
        return any(screen.can_view_partial(self.query_one(line)) for line in ADJOINT_LINES)

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
        head, text = self.parameter_note()
        self._set("#notes-head", head)
        self._set("#notes-text", text)
        adjoint = self.adjoint()
        if isinstance(adjoint, Adjoint):
            lhs, rhs = adjoint_lines(adjoint)
            self._set("#adjoint-head", "why “transposed”: the adjoint")
            self._set("#adjoint-lhs", lhs)
            self._set("#adjoint-rhs", rhs)
            if self.scene.op == "conv_transpose2d":
                who = "y = r; x: fixed small integers."
            else:
                who = "x = the input; y: fixed small integers."
            self._set("#adjoint-note", f"{who} {WHY_TRANSPOSED}")
        else:
            self._set("#adjoint-head", "why “transposed”: the adjoint" if adjoint else "")
            self._set("#adjoint-lhs", "")
            self._set("#adjoint-rhs", "")
            self._set("#adjoint-note", adjoint or "")
        self.display = bool(head or text or adjoint)

    def _set(self, selector: str, text: str) -> None:
        widget = self.query_one(selector, Static)
        set_text(widget, text)
        widget.display = bool(text)
