"""The pane where a learner edits a grid (the input, or a convolution's kernel) cell by cell.

A cell cursor moves with the arrow keys; typing a number opens a one-line editor under the grid,
Enter commits it, Escape cancels it. Text that is not a finite number is refused with a message and
the cell keeps its value. The pane never changes the scene itself: it reports what the learner did
with :class:`GridEditor.CellEdited`, :class:`GridEditor.Filled` and :class:`GridEditor.Resized`.
An input with channels (pixel shuffle's r², or the planes of a scene with channels) is drawn one
plane under the other, and so is a 4-D kernel, slice by slice; the cursor walks through all of
them.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from tui_upsample.number_format import format_number
from tui_upsample.safe_text import quoted
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.blocks.quiet_text import plain, set_text

NUMBER_KEYS = frozenset("0123456789-+.e")
"""Keys that start editing the cell under the cursor (the key is the first character typed)."""


MAX_TYPED = 400
"""The longest text a cell's edit line takes (a number needs far fewer characters)."""


def parse_number(text: str) -> float | None:
    """The finite number ``text`` spells, or None."""
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _cell_name(cell: tuple[int, ...]) -> str:
    return "[" + ",".join(str(i) for i in cell) + "]"


class GridEditor(Vertical):
    """An editable grid of numbers: the input, or the kernel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", "Cursor up", show=False, id="cell-up"),
        Binding("down", "move(1, 0)", "Cursor down", show=False, id="cell-down"),
        Binding("left", "move(0, -1)", "Cursor left", show=False, id="cell-left"),
        Binding("right", "move(0, 1)", "Cursor right", show=False, id="cell-right"),
        Binding("enter", "edit", "Edit cell", show=False, id="cell-edit"),
        # Shown (in the footer) only while a value is typed: check_action hides it otherwise.
        Binding("escape", "cancel", "Cancel edit", id="cell-cancel"),
        Binding(
            "r", "fill('random')", "Random small integers (seeded)", show=False, id="grid-random"
        ),
        Binding("z", "fill('zeros')", "All zeros", show=False, id="grid-zero"),
        Binding(
            "shift+down",
            "resize(1, 0)",
            "Add row (new input cells 0, new kernel cells 1)",
            show=False,
            id="grid-add-row",
        ),
        Binding("shift+up", "resize(-1, 0)", "Remove row", show=False, id="grid-remove-row"),
        Binding(
            "shift+right",
            "resize(0, 1)",
            "Add column (new input cells 0, new kernel cells 1)",
            show=False,
            id="grid-add-col",
        ),
        Binding("shift+left", "resize(0, -1)", "Remove column", show=False, id="grid-remove-col"),
        Binding(
            "greater_than_sign",
            "plane(1)",
            "Cursor to the next plane (channel or kernel slice)",
            show=False,
            id="plane-next",
        ),
        Binding(
            "less_than_sign",
            "plane(-1)",
            "Cursor to the previous plane (channel or kernel slice)",
            show=False,
            id="plane-previous",
        ),
    ]
    """
    | Key | Description |
    | :- | :- |
    | arrows | Move the cell cursor. |
    | 0-9 - + . e | Start typing a new value for the cell. |
    | enter | Edit the cell (commit, while editing). |
    | escape | Cancel the edit. |
    | r | Fill the grid with small random integers (seeded). |
    | z | Set every cell to 0. |
    | shift+down / shift+up | Add / remove a row. |
    | shift+right / shift+left | Add / remove a column. |
    | > / < | Cursor to the next / previous plane: input channel, or kernel slice. |
    """

    DEFAULT_CSS = """
    GridEditor {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & > GridView { max-height: 14; max-width: 100%; }
        & > #edit-line {
            height: 1; display: none;
            background: $boost; color: $text; text-style: bold;
        }
        & > #edit-line.-editing { display: block; }
        & > #message { color: $text-muted; height: auto; display: none; }
        & > #message.-shown { display: block; }
        & > #message.-refused { color: $text-error; }
    }
    """

    # var, not reactive: an edit repaints only the cells and lines it changes (``_draw``), not
    # the whole pane (a full repaint of one pane redraws every pane beside it in the frame).
    scene: var[Scene] = var(Scene.seed_example, always_update=True)
    """The scene whose grid this pane edits (bound to the app's)."""

    class CellEdited(Message):
        """The learner committed a new value for one cell."""

        def __init__(self, which: str, cell: tuple[int, ...], value: float) -> None:
            super().__init__()
            self.which = which
            """"input" or "kernel"."""
            self.cell = cell
            """(row, col), (channel, row, col) in an input with channels, or (a, b, row, col) in
            a 4-D kernel."""
            self.value = value

    class Filled(Message):
        """The learner asked for the whole grid to be refilled ("random", "zeros" or a preset)."""

        def __init__(self, which: str, how: str) -> None:
            super().__init__()
            self.which = which
            self.how = how

    class Resized(Message):
        """The learner asked for ``rows`` more rows and ``cols`` more columns (negative: fewer).

        A change, not a size: presses that come faster than the app redraws each count, where a
        size computed from this pane's (not yet updated) grid would repeat the same one.
        """

        def __init__(self, which: str, rows: int, cols: int) -> None:
            super().__init__()
            self.which = which
            self.rows = rows
            self.cols = cols

    def __init__(self, which: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.which = which
        """"input" or "kernel": which grid of the scene this pane edits."""
        self.cursor: tuple[int, ...] = (0, 0)
        """The cell under the cursor."""
        self.editing = False
        """Whether a value is being typed."""
        self.typed = ""
        """What has been typed so far."""
        self._keyed: tuple[dict[str, str], BindingsMap] | None = None

    def compose(self) -> ComposeResult:
        # The edit line and the message line are made when first needed (_line): most of the
        # time neither shows, and every widget costs start-up time.
        yield GridView(focusable=True, id="grid")

    def _line(self, name: str) -> Static:
        """The ``edit-line`` (over the message) or the ``message`` line, made when first asked."""
        try:
            return self.query_one(f"#{name}", Static)
        except NoMatches:
            line = Static("", id=name)
            messages = self.query("#message")
            self.mount(line, before=messages.first() if name == "edit-line" and messages else None)
            return line

    # Scene → screen ----------------------------------------------------------------------------
    @property
    def grid(self) -> np.ndarray:
        """The grid being edited."""
        return self.scene.grid(self.which)

    def watch_scene(self, scene: Scene) -> None:
        self.display = self.which == "input" or scene.has_kernel
        grid = scene.grid(self.which)
        self.cursor = tuple(
            min(c, s - 1) for c, s in zip(self._cursor3(grid), grid.shape, strict=False)
        )
        self.cursor = self._cursor3(grid)
        self._draw()

    def _cursor3(self, grid: np.ndarray) -> tuple[int, ...]:
        """The cursor as a cell of ``grid``, whatever grid it was on before."""
        lead = len(self.cursor) - 2
        if grid.ndim == 2:
            return self.cursor[-2:]
        if lead != grid.ndim - 2:
            return (0,) * (grid.ndim - 2) + self.cursor[-2:]
        return self.cursor

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        grid = self.grid
        what = "kernel w" if self.which == "kernel" else "input"
        if self.which == "input" and grid.ndim == 3:
            what = f"input: {grid.shape[0]} channels"
        title = f"{what}  {'×'.join(str(s) for s in grid.shape)}"
        if self.border_title != title:  # setting a title repaints the whole pane
            self.border_title = title
        where = self._where(grid)
        if self.border_subtitle != where:
            self.border_subtitle = where
        view = self.query_one("#grid", GridView)
        view.show(grid, {"cursor": [self.cursor]})

    def _where(self, grid: np.ndarray) -> str:
        """Which plane the cursor is in ("" for a single plane)."""
        cell = self._cursor3(grid)
        if grid.ndim == 3:
            return f"channel {cell[0]} of {grid.shape[0]}  (> <)"
        if grid.ndim == 4:
            first, second = ("i", "o") if self.scene.op == "conv_transpose2d" else ("o", "i")
            return f"slice [{cell[0]},{cell[1]}]: {first}={cell[0]}, {second}={cell[1]}  (> <)"
        return ""

    def _say(self, text: str, refused: bool = False) -> None:
        if not text and not self.query("#message"):
            return  # nothing said yet, nothing to clear
        message = self._line("message")
        set_text(message, plain(text))
        message.set_class(refused, "-refused")
        message.set_class(bool(text), "-shown")

    # Keys --------------------------------------------------------------------------------------
    def action_move(self, rows: int, cols: int) -> None:
        """Move the cursor; in a stack of channels, down from the last row goes to the next one."""
        grid = self.grid
        if grid.ndim == 4:  # slice by slice, as drawn: slice [a,b] is plane a·B + b
            a, b, r, col = self._cursor3(grid)
            _, per, h, w = grid.shape
            flat_row = min(max((a * per + b) * h + r + rows, 0), grid.shape[0] * per * h - 1)
            plane, r = divmod(flat_row, h)
            self.cursor = (*divmod(plane, per), r, min(max(col + cols, 0), w - 1))
        elif grid.ndim == 3:
            c, r, col = self._cursor3(grid)
            channels, h, w = grid.shape
            flat_row = c * h + r + rows
            flat_row = min(max(flat_row, 0), channels * h - 1)
            c, r = divmod(flat_row, h)
            self.cursor = (c, r, min(max(col + cols, 0), w - 1))
        else:
            r, col = self.cursor[-2:]
            h, w = grid.shape
            self.cursor = (min(max(r + rows, 0), h - 1), min(max(col + cols, 0), w - 1))
        self._draw()

    def action_plane(self, delta: int) -> None:
        """Move the cursor to the same cell of the next (or previous) plane: an input channel,
        or a kernel slice in the order drawn; at the first or last plane, say so."""
        grid = self.grid
        if grid.ndim < 3:
            self._say("one plane: > and < move between channels", refused=True)
            return
        cell = self._cursor3(grid)
        planes = int(np.prod(grid.shape[:-2]))
        at = int(np.ravel_multi_index(cell[:-2], grid.shape[:-2])) + delta
        if not 0 <= at < planes:
            self._say(f"{'last' if delta > 0 else 'first'} of {planes} planes", refused=True)
            return
        lead = tuple(int(i) for i in np.unravel_index(at, grid.shape[:-2]))
        self.cursor = (*lead, *cell[-2:])
        self._say("")
        self._draw()

    def on_grid_view_cell_clicked(self, event: GridView.CellClicked) -> None:
        """A click on a cell puts the cursor there (not while a value is typed: Enter or
        Escape first)."""
        event.stop()
        if self.editing:
            self._say("Enter keeps the value being typed, Escape cancels it")
            return
        self.cursor = event.cell
        self._draw()

    def _editing_cell(self) -> tuple[int, ...]:
        return self._cursor3(self.grid)

    def action_edit(self, first: str | None = None) -> None:
        """Start typing a value for the cell under the cursor (``first`` is its first character;
        without it, the cell's value is there to change)."""
        self.editing = True
        self.refresh_bindings()  # the footer drops the keys that are characters now
        self.typed = first if first is not None else format_number(self.grid[self._editing_cell()])
        self._line("edit-line").add_class("-editing")
        self._show_typed()
        self._say("Enter keeps it, Escape cancels")

    def _show_typed(self) -> None:
        name = ("w" if self.which == "kernel" else "x") + _cell_name(self._editing_cell())
        self._line("edit-line").update(plain(f"{name} = {self.typed}▏"))

    def action_cancel(self) -> None:
        """Stop typing; the cell keeps its value."""
        if self.editing:
            self._close()
            self._say("edit cancelled")

    def _close(self) -> None:
        self.editing = False
        self.refresh_bindings()
        self.typed = ""
        self._line("edit-line").remove_class("-editing")

    def action_fill(self, how: str) -> None:
        """Ask for the grid to be refilled."""
        self.post_message(self.Filled(self.which, how))

    def action_resize(self, rows: int, cols: int) -> None:
        """Ask for one row/column more or fewer (1 to 64 each; the app checks the limits)."""
        self.post_message(self.Resized(self.which, rows, cols))

    def say(self, text: str, refused: bool = False) -> None:
        """Show ``text`` on the pane's message line (in the error colour if ``refused``)."""
        self._say(text, refused)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a value is typed, the keys belong to the editor line.
        if self.editing and action not in ("cancel",):
            return False
        if not self.editing and action == "cancel":
            return False
        return True

    async def on_key(self, event: events.Key) -> None:
        # Keys are handled here, in the order they come, rather than by the usual binding look-up
        # (which happens later, at the app): typing "down 9 enter" quickly must edit the cell below.
        if self.editing:
            # While typing, every key but Escape is the editor's.
            if event.key == "escape":
                return
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                self._submit(self.typed)
            elif event.key == "backspace":
                self.typed = self.typed[:-1]
                self._show_typed()
            elif event.is_printable and event.character and len(self.typed) < MAX_TYPED:
                self.typed += event.character
                self._show_typed()
            return
        if event.character is not None and event.character in NUMBER_KEYS:
            event.stop()
            event.prevent_default()
            self.action_edit(event.character)
            return
        for binding in self._keyed_bindings().key_to_bindings.get(event.key, ()):
            event.stop()
            event.prevent_default()
            await self.run_action(binding.action)
            return

    def on_paste(self, event: events.Paste) -> None:
        """Pasted text is typed into the cell's edit line (its first line: Enter commits)."""
        event.stop()
        text = event.text.split("\n", 1)[0].strip()[:MAX_TYPED]
        if not text:
            return
        if not self.editing:
            self.action_edit("")
        self.typed = (self.typed + text)[:MAX_TYPED]
        self._show_typed()

    def _keyed_bindings(self) -> BindingsMap:
        """This pane's bindings with the learner's keys (the preferences file) in place."""
        keymap = getattr(self.app, "keymap", None)
        if not keymap:
            return self._bindings
        if self._keyed is None or self._keyed[0] is not keymap:
            bindings = self._bindings.copy()
            bindings.apply_keymap(keymap)
            self._keyed = (keymap, bindings)
        return self._keyed[1]

    def _submit(self, text: str) -> None:
        """Commit ``text`` as the cell's value, or refuse it if it is not a finite number."""
        grid = self.grid
        cell = self._cursor3(grid)
        name = ("w" if self.which == "kernel" else "x") + _cell_name(cell)
        value = parse_number(text)
        self._close()
        if value is None:
            self._say(
                f"{quoted(text.strip())} is not a finite number: {name} stays"
                f" {format_number(grid[cell])}",
                refused=True,
            )
            return
        self._say(f"{name} = {format_number(value)}")
        cell = tuple(int(i) for i in cell)
        # Show the new value at once; the app's scene, bound back to this pane, agrees.
        self.scene = self.scene.with_cell(self.which, cell, value)
        self.post_message(self.CellEdited(self.which, cell, value))

    def refuse(self, scene: Scene, cell: tuple[int, ...], value: float, reason: str) -> None:
        """The app refused the edit of ``cell`` to ``value``: show ``scene`` (the old value) again
        and say why."""
        self.scene = scene
        name = ("w" if self.which == "kernel" else "x") + _cell_name(cell)
        self._say(
            f"{format_number(value)} refused: {reason}; {name} stays"
            f" {format_number(self.grid[cell])}",
            refused=True,
        )
