"""Frames as SVG: one still frame, or every frame in one self-contained animated SVG.

The animation is CSS only (no script, no external reference: GitHub shows it in a README, any
browser plays it), and the text is real ``<text>``, so it can be selected and read aloud. Each
piece of a frame (a run of background, a run of text) is written once, however many frames show
it, in a group that is visible exactly during those frames: ``visibility`` keyframes with a
``steps(1, end)`` timing, so nothing fades. Renderers without CSS animation (and readers who ask
for reduced motion) see the first frame.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from tui_upsample.recording.cell_runs import Frame, Run, blend

FONT_SIZE = 20
CELL_WIDTH = FONT_SIZE * 0.6
"""A cell's width in SVG units: a monospace font's advance at that size (browsers also stretch
each piece of text to its cells with ``textLength``; renderers that ignore it drift only within
a word, since every piece starts at its own cell)."""
LINE_HEIGHT = FONT_SIZE * 1.22
BASELINE = FONT_SIZE * 0.98
"""Where a row's text sits, from the top of its row."""
MARGIN = 12
TITLE_BAR = 34
FONTS = "'Fira Code', 'DejaVu Sans Mono', 'Cascadia Mono', Menlo, Consolas, monospace"
WINDOW = "#1e1e1e"
TITLE_COLOUR = "#c5c8c6"


def _n(value: float) -> str:
    """A coordinate, short: 12.2, 48, 24.4."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _safe(text: str) -> str:
    """``text`` for an XML text node: markup escaped, characters XML refuses replaced."""
    cleaned = "".join(
        ch if ch in "\t" or ord(ch) >= 0x20 and not 0xD800 <= ord(ch) <= 0xDFFF else "\ufffd"
        for ch in text
    )
    return escape(cleaned)


class _Styles:
    """The text styles of a picture as short CSS classes (one per colour and weight)."""

    def __init__(self) -> None:
        self.classes: dict[tuple[object, ...], str] = {}

    def of(self, run: Run) -> str:
        fg = blend(run.fg, run.bg, 0.4) if run.dim else run.fg
        key = (fg, run.bold, run.italic, run.underline, run.strike)
        if key not in self.classes:
            self.classes[key] = f"t{len(self.classes)}"
        return self.classes[key]

    def css(self) -> str:
        rules = []
        for (fg, bold, italic, underline, strike), name in self.classes.items():
            rule = f"fill:{fg}"
            if bold:
                rule += ";font-weight:bold"
            if italic:
                rule += ";font-style:italic"
            drawn = ((underline, "underline"), (strike, "line-through"))
            lines = [word for on, word in drawn if on]
            if lines:
                rule += ";text-decoration:" + " ".join(lines)
            rules.append(f".{name}{{{rule}}}")
        return "".join(rules)


def _pieces(frame: Frame, styles: _Styles) -> tuple[list[str], list[str]]:
    """The frame's background rectangles and its text, as SVG elements placed on the grid."""
    rects: list[str] = []
    texts: list[str] = []
    for number, row in enumerate(frame.rows):
        top = number * LINE_HEIGHT
        # Backgrounds: one rectangle per stretch of the same colour.
        start, colour, end = 0, None, 0
        for run in (*row, None):
            if run is not None and run.bg == colour:
                end = run.x + run.cells
                continue
            if colour is not None:
                rects.append(
                    f'<rect x="{_n(start * CELL_WIDTH)}" y="{_n(top)}"'
                    f' width="{_n((end - start) * CELL_WIDTH + 0.5)}"'
                    f' height="{_n(LINE_HEIGHT + 0.5)}" fill="{colour}"/>'
                )
            if run is not None:
                start, colour, end = run.x, run.bg, run.x + run.cells
        for run in row:
            if not run.text.strip() and not (run.underline or run.strike):
                continue
            style = styles.of(run)
            for x, cells, text in _words(run):
                texts.append(
                    f'<text x="{_n(x * CELL_WIDTH)}" y="{_n(top + BASELINE)}"'
                    f' textLength="{_n(cells * CELL_WIDTH)}" class="{style}">'
                    f"{_safe(text)}</text>"
                )
    return rects, texts


_GAP = re.compile(r"\s{2,}")


def _words(run: Run) -> list[tuple[int, int, str]]:
    """A run's text cut at its gaps of two spaces or more: (cell, cells, text) of each piece, so
    every piece starts exactly at its cell. Underlined or struck text is kept whole."""
    if run.underline or run.strike or len(run.text) != run.cells:  # wide characters: whole
        return [(run.x, run.cells, run.text)]
    pieces = []
    start = 0
    for gap in _GAP.finditer(run.text):
        if gap.start() > start:
            pieces.append((run.x + start, gap.start() - start, run.text[start : gap.start()]))
        start = gap.end()
    if start < len(run.text):
        pieces.append((run.x + start, len(run.text) - start, run.text[start:]))
    first = len(run.text) - len(run.text.lstrip())
    if pieces and first and pieces[0][0] == run.x:  # one leading space: not drawn
        x, cells, text = pieces[0]
        pieces[0] = (x + first, cells - first, text[first:])
    return pieces


def _window(width: int, height: int, title: str, body: str, style: str) -> str:
    """The picture: a window with a title bar around the terminal's grid."""
    grid_w, grid_h = width * CELL_WIDTH, height * LINE_HEIGHT
    total_w, total_h = grid_w + 2 * MARGIN, grid_h + TITLE_BAR + MARGIN
    dots = "".join(
        f'<circle cx="{MARGIN + 10 + 22 * i}" cy="{TITLE_BAR / 2:g}" r="7" fill="{c}"/>'
        for i, c in enumerate(("#ff5f57", "#febc2e", "#28c840"))
    )
    heading = (
        f'<text x="{_n(total_w / 2)}" y="{TITLE_BAR / 2 + 6:g}" text-anchor="middle"'
        f' class="title">{_safe(title)}</text>'
        if title
        else ""
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 0 {_n(total_w)} {_n(total_h)}" width="{_n(total_w)}"'
        f' height="{_n(total_h)}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">'
        + (f"<title>{_safe(title)}</title>" if title else "")
        + "<style>"
        + f"text{{font-family:{FONTS};font-size:{FONT_SIZE}px;white-space:pre}}"
        + f".title{{fill:{TITLE_COLOUR};font-size:16px}}"
        + style
        + "</style>"
        + f'<rect width="{_n(total_w)}" height="{_n(total_h)}" rx="8" fill="{WINDOW}"/>'
        + dots
        + heading
        + f'<g transform="translate({MARGIN} {TITLE_BAR})" xml:space="preserve">'
        + body
        + "</g></svg>\n"
    )


def still_svg(frame: Frame, title: str = "") -> str:
    """One frame as an SVG picture."""
    styles = _Styles()
    rects, texts = _pieces(frame, styles)
    return _window(frame.width, frame.height, title, "".join(rects + texts), styles.css())


def _percent(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return (text or "0") + "%"


def animated_svg(frames: Sequence[Frame], durations: Sequence[float], title: str = "") -> str:
    """Every frame in one SVG that plays them in a loop, frame i for ``durations[i]`` seconds."""
    if not frames:
        raise ValueError("a recording needs at least one frame")
    styles = _Styles()
    shown_in: dict[str, list[int]] = {}  # each piece → the frames that show it
    order: list[str] = []
    for index, frame in enumerate(frames):
        rects, texts = _pieces(frame, styles)
        for piece in rects + texts:
            frames_of = shown_in.get(piece)
            if frames_of is None:
                shown_in[piece] = [index]
                order.append(piece)
            else:
                frames_of.append(index)

    total = sum(durations)
    starts = [sum(durations[:i]) / total * 100 for i in range(len(frames))]
    every = tuple(range(len(frames)))
    groups: dict[tuple[int, ...], list[str]] = {}
    for piece in order:
        groups.setdefault(tuple(shown_in[piece]), []).append(piece)

    css = [styles.css()]
    body_rects: list[str] = []
    body_texts: list[str] = []
    for number, (members, pieces) in enumerate(groups.items()):
        rects = [p for p in pieces if p.startswith("<rect")]
        texts = [p for p in pieces if not p.startswith("<rect")]
        if members == every:
            body_rects += rects
            body_texts += texts
            continue
        name = f"a{number}"
        visible = set(members)
        keys = []
        state = None
        for i, start in enumerate(starts):
            now = i in visible
            if now != state:
                keys.append(f"{_percent(start)}{{visibility:{'visible' if now else 'hidden'}}}")
                state = now
        keys.append(f"100%{{visibility:{'visible' if state else 'hidden'}}}")
        at_start = "visible" if 0 in visible else "hidden"
        css.append(
            f"@keyframes k{number}{{{''.join(keys)}}}"
            f".{name}{{visibility:{at_start};"
            f"animation:k{number} {_n(total)}s steps(1,end) infinite}}"
        )
        if rects:
            body_rects.append(f'<g class="{name}">{"".join(rects)}</g>')
        if texts:
            body_texts.append(f'<g class="{name}">{"".join(texts)}</g>')
    css.append("@media (prefers-reduced-motion:reduce){g{animation:none!important}}")
    first = frames[0]
    return _window(first.width, first.height, title, "".join(body_rects + body_texts), "".join(css))
