"""A frame as the writers see it: rows of runs of text in one style, with their colours resolved.

The headless app's screen is turned into these once (:mod:`.frames`); the cast, SVG and GIF
writers read only them, so none of them needs Textual or Rich.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """Cells ``x`` … ``x + cells - 1`` of a row: ``text`` in one style.

    ``fg`` and ``bg`` are ``#rrggbb``, already swapped where the style is reversed.
    """

    x: int
    cells: int
    text: str
    fg: str
    bg: str
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False


Row = tuple[Run, ...]


@dataclass(frozen=True)
class Frame:
    """One picture of the screen: ``rows`` of runs, what step it shows and that step's line.

    ``step`` counts from 1 as on screen (0 when there is no trace to show); ``label`` is the
    engine's line of the step (or the message on screen when the scene is invalid).
    """

    width: int
    height: int
    rows: tuple[Row, ...]
    step: int
    steps: int
    label: str

    def text(self) -> str:
        """The frame's characters, row by row (no styles)."""
        return "\n".join("".join(run.text for run in row) for row in self.rows)


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three numbers."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def blend(fg: str, bg: str, amount: float = 0.5) -> str:
    """``fg`` moved ``amount`` of the way towards ``bg`` (how a dim colour is drawn)."""
    a, b = rgb(fg), rgb(bg)
    r, g, bl = (round(x + (y - x) * amount) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"
