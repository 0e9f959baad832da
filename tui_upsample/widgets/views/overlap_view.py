"""Checkerboard artifacts: how many kernel footprints land on each output cell.

A transposed convolution scatters one copy of the kernel per input value, ``stride`` apart.
Where the copies overlap, cells collect more of them; when the kernel size is not divisible by
the stride they overlap unevenly, and the output shows a checkerboard (Distill, "Deconvolution
and Checkerboard Artifacts"). Beside it, the remedy: nearest upsampling, then a stride-1
convolution, which visits every cell the same way.

The counts, the rule and the remedy are the engine's (:func:`footprint_overlap`,
:func:`resize_conv_overlap`, :func:`shuffle_overlap`). Counts are shaded by how many footprints
they are, and told apart without colour too: the most footprints reverse-bold, the next bold,
the next underlined, the rest plain; the legend under each grid draws those words in those looks.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from tui_upsample.engine.overlap import (
    Overlap,
    footprint_overlap,
    resize_conv_overlap,
    shuffle_overlap,
)
from tui_upsample.engine.steps import READ, WINDOW, WRITTEN
from tui_upsample.number_format import format_number
from tui_upsample.scene import Scene
from tui_upsample.widgets.blocks.grid_card import GridCard
from tui_upsample.widgets.blocks.role_legend import RoleLegend
from tui_upsample.widgets.blocks.role_styles import LOOKS
from tui_upsample.widgets.views.drawn_when_shown import DrawnWhenShown

LEVELS: tuple[str, ...] = (WRITTEN, READ, WINDOW)
"""The roles whose looks draw the most, second most and third most footprints (reverse bold,
bold, underlined: the one table every grid draws from)."""


def level_marks(
    overlap: Overlap,
) -> tuple[dict[str, list[tuple[int, int]]], tuple[tuple[str, str, str], ...]]:
    """Highlights by count (most footprints strongest) and a legend that says which is which:
    entries (role, the look in words, " = count"), the words drawn in that look."""
    counts = overlap.counts
    values = sorted({int(v) for v in counts.ravel()}, reverse=True)
    marks: dict[str, list[tuple[int, int]]] = {}
    if len(values) == 1:
        return marks, (("", "every cell", f": {values[0]}"),)
    legend: list[tuple[str, str, str]] = []
    for role, value in zip(LEVELS, values, strict=False):
        rows, cols = (counts == value).nonzero()
        marks[LOOKS[role].style] = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]
        legend.append((role, LOOKS[role].words, f" = {value}"))
    rest = values[len(LEVELS) :]
    if rest:
        legend.append(("", "plain", " = " + ", ".join(str(v) for v in rest)))
    return marks, tuple(legend)


def _pattern(values: tuple[int, ...]) -> str:
    return ", ".join(str(v) for v in values)


class OverlapView(DrawnWhenShown, VerticalScroll):
    """Footprint counts of the scene's transposed convolution, and the resize-convolution
    remedy, side by side."""

    """Whether the scene changed while the view was hidden (it is drawn again when shown)."""

    DEFAULT_CSS = """
    OverlapView {
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        padding: 0 1;
        &:focus-within { border: round $accent; }
        & .overlap-head { height: auto; color: $text; margin-bottom: 1; }
        & #overlap-cards { height: auto; }
        & .overlap-side { width: 1fr; height: auto; margin-right: 1; }
        & .overlap-title { height: auto; text-style: bold; color: $text-accent; }
        & .overlap-rule { height: auto; color: $text; }
        & .overlap-even { color: $text-success; }
        & .overlap-uneven { color: $text-warning; text-style: bold; }
        & .overlap-legend { height: auto; color: $text-muted; }
        & #overlap-note { height: auto; color: $text-muted; margin-top: 1; }
    }
    """

    scene: reactive[Scene] = reactive(Scene.seed_example, always_update=True)
    """The scene whose overlap is shown (bound to the app's)."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static("", classes="overlap-head", id="overlap-head")
        with Horizontal(id="overlap-cards"):
            for side in ("op", "remedy"):
                with Vertical(classes="overlap-side", id=f"overlap-{side}"):
                    yield Static("", classes="overlap-title")
                    yield Static("", classes="overlap-rule")
                    yield RoleLegend(classes="overlap-legend")
        yield Static("", id="overlap-note")

    def on_mount(self) -> None:
        self.border_title = "overlap: kernel footprints per output cell (checkerboard artifacts)"
        self._draw()

    def watch_scene(self, scene: Scene) -> None:
        self._draw()

    # What is on screen ----------------------------------------------------------------------
    def overlaps(self) -> tuple[Overlap | None, Overlap | None, str]:
        """(the operator's overlap, the remedy's, a message) for the scene, from the engine."""
        scene = self.scene
        try:
            if scene.op == "conv_transpose2d":
                kh, kw = scene.kernel.shape
                mine = footprint_overlap(
                    scene.input.shape,
                    (kh, kw),
                    scene.stride,
                    scene.padding,
                    scene.output_padding,
                    scene.dilation,
                )
                remedy = resize_conv_overlap(scene.input.shape, scene.stride, (kh, kw))
                return mine, remedy, ""
            if scene.op == "pixel_shuffle":
                return shuffle_overlap(scene.channels.shape[-2:], scene.upscale), None, ""
        except ValueError as exc:
            return None, None, str(exc)
        return None, None, ""

    def _draw(self) -> None:
        if not self._ready_to_draw():
            return
        scene = self.scene
        mine, remedy, problem = self.overlaps()
        head = self.query_one("#overlap-head", Static)
        note = self.query_one("#overlap-note", Static)
        cards = self.query_one("#overlap-cards")
        if mine is None:
            cards.display = False
            head.update(problem or self._not_applicable(scene.op))
            note.display = False
            return
        cards.display = True
        note.display = True
        if scene.op == "pixel_shuffle":
            r = scene.upscale
            head.update(
                f"pixel_shuffle ×{r}: where each input value goes. Every output cell takes "
                "exactly one: no footprints overlap, so the counts are even."
            )
            self._side("op", "pixel_shuffle: inputs per output cell", mine)
            self.query_one("#overlap-remedy").display = False
            note.update(
                "Compare conv_transpose2d (o until it, then k): its footprints overlap unevenly "
                "whenever the kernel size is not divisible by the stride."
            )
            return
        assert remedy is not None
        kh, kw = scene.kernel.shape
        s = scene.stride
        h, w = scene.input.shape
        head.update(
            f"Each input value scatters one {kh}×{kw} footprint of the kernel, {s} apart "
            f"(stride {s}), onto the output of this {h}×{w} input. The count in a cell is how "
            "many footprints land on it: uneven counts print an uneven pattern — a "
            "checkerboard — even where the input is flat."
        )
        self.query_one("#overlap-remedy").display = True
        self._side("op", f"conv_transpose2d, k={kh}×{kw}, stride {s}", mine)
        self._side("remedy", f"remedy: nearest ×{s}, then a stride-1 {kh}×{kw} conv", remedy)
        ratio = mine.ratio
        if ratio is None:
            spread = "Some interior cells get no footprint at all (holes)"
        elif mine.even:
            spread = "Most / fewest in the interior: 1× (even)"
        else:
            spread = f"Most / fewest in the interior: {format_number(ratio)}×"
        note.update(
            f"Along the rows the interior repeats {_pattern(mine.row_pattern)}, along the "
            f"columns {_pattern(mine.col_pattern)} (every {s}); a cell gets the product. "
            f"{spread}. Border cells get fewer because the input ends. The remedy's interior "
            "cells all get every tap of its kernel, whatever the kernel size."
        )

    def _side(self, side: str, title: str, overlap: Overlap) -> None:
        box = self.query_one(f"#overlap-{side}", Vertical)
        box.query_one(".overlap-title", Static).update(title)
        rule = box.query_one(".overlap-rule", Static)
        rule.update(("✓ " if overlap.even else "✗ ") + overlap.rule)
        rule.set_class(overlap.even, "overlap-even")
        rule.set_class(not overlap.even, "overlap-uneven")
        marks, legend = level_marks(overlap)
        box.query_one(".overlap-legend", RoleLegend).entries = legend
        oh, ow = overlap.counts.shape
        existing = box.query(GridCard)
        if existing:
            card = existing.first(GridCard)
            card.border_title = f"footprints per cell  {oh}×{ow}"
            card.update(overlap.counts, marks)
        else:
            card = GridCard(
                f"footprints per cell  {oh}×{ow}", overlap.counts, id=f"overlap-{side}-counts"
            )
            card.show(overlap.counts, marks, follow=False)
            box.mount(card, before=box.query_one(".overlap-rule"))

    def counts_card(self, side: str = "op") -> GridCard:
        """The grid of counts of ``side`` ("op" or "remedy"), for tests."""
        return self.query_one(f"#overlap-{side}-counts", GridCard)

    @staticmethod
    def _not_applicable(op: str) -> str:
        return (
            f"The overlap view counts kernel footprints per output cell for the operators that "
            f"scatter: conv_transpose2d (uneven when the kernel size is not divisible by the "
            f"stride: checkerboard artifacts) and pixel_shuffle (always even). {op} does not "
            "scatter kernels; press o until conv_transpose2d, or k to go back to the steps."
        )
