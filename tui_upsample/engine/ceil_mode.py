"""ceil_mode: rounding the pooled size up adds a last window, unless that window would start in
the right padding (PyTorch drops it, so no window is ever made of padding alone).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_upsample.engine.geometry import Span, reach
from tui_upsample.engine.shapes import pool_output_size
from tui_upsample.engine.text import counted, int_text
from tui_upsample.engine.validation import fail, whole_number


@dataclass(frozen=True)
class CeilWindows:
    """The pooling windows along one axis with ceil_mode off and on.

    Windows are (start, stop) in input coordinates — stop exclusive, negative or past the input
    where they reach into padding — covering d·(k−1)+1 cells (with dilation, every d-th is
    read). ``added`` is the window ceil_mode adds (or ``None``); ``dropped`` the window rounding
    up would have added but PyTorch drops because it would start at or after the input's end,
    i.e. in the right padding or beyond (or ``None``).
    """

    floor: tuple[Span, ...]
    ceil: tuple[Span, ...]
    added: Span | None
    dropped: Span | None
    text: str


def ceil_mode_windows(i: int, k: int, s: int, p: int = 0, d: int = 1) -> CeilWindows:
    """Where max pooling's windows sit with ceil_mode False and True (one axis).

    The window count is (i + 2p − d(k−1) − 1)/s + 1 rounded down, or up with ceil_mode. Rounding
    up adds at most one window, hanging past the padded input; PyTorch keeps it only if it
    starts before the input ends (start < i), so that it pools at least one real cell. A window
    whose dilated taps read padding alone is refused, as max_pool2d refuses it.
    """
    i = whole_number("i", i, 1)
    k = whole_number("k", k, 1)
    s = whole_number("s", s, 1)
    p = whole_number("p", p, 0)
    d = whole_number("d", d, 1)
    if p > k // 2:
        raise fail("p", p, f"must be at most half of kernel_size={k}, rounded down ({k // 2})")
    span = reach(k, d)
    room = i + 2 * p - span
    o_floor = max(pool_output_size(i, k, s, p, d, False), 0)
    o_ceil = pool_output_size(i, k, s, p, d, True)
    if o_ceil < 1:
        raise fail(
            "k",
            k,
            f"with dilation={d} a window spans {span} cells, but the input has {i} plus padding "
            f"{p} on each side ({i + 2 * p}): no window fits",
        )

    def window(j: int) -> Span:
        return (j * s - p, j * s - p + span)

    floor = tuple(window(j) for j in range(o_floor))
    ceil = tuple(window(j) for j in range(o_ceil))
    for j, (start, _) in enumerate(ceil):
        # With dilation a window reads every d-th cell: one reading padding alone is refused by
        # max_pool2d too, so the lesson never describes it as a window.
        if not any(0 <= start + d * t < i for t in range(k)):
            raise fail(
                "d",
                d,
                f"the window of output cell {j} reads cells {start} to {start + span - 1} every"
                f" {d}: only padding, no input cell",
            )
    added = ceil[-1] if o_ceil > o_floor else None
    rounded = -(-room // s) + 1
    dropped = window(rounded - 1) if rounded > o_ceil else None
    frac = f"({i} + 2·{p} − {span - 1} − 1)/{s} = {int_text(room)}/{s}"

    def cells(w: Span) -> str:
        if w[1] - w[0] == 1:
            return f"cell {int_text(w[0])}"
        return f"cells {int_text(w[0])} to {int_text(w[1] - 1)}"

    if added is not None:
        text = (
            f"ceil_mode rounds {frac} up: it adds a window over {cells(added)}, which starts "
            f"before the input ends (last cell {i - 1}), so PyTorch keeps it: "
            f"{counted(o_floor, 'window')} {'becomes' if o_floor == 1 else 'become'} {o_ceil}"
        )
    elif dropped is not None:
        if dropped[0] < i + p:
            where = "in the right padding"
        else:
            where = "past the input and its padding" if p else "past the input"
        text = (
            f"ceil_mode rounds {frac} up to one more window, over {cells(dropped)}, but it "
            f"would start {where}, so PyTorch drops it: {counted(o_floor, 'window')} either way"
        )
    else:
        text = f"{frac} is whole, so ceil_mode changes nothing: {counted(o_floor, 'window')}"
    return CeilWindows(floor=floor, ceil=ceil, added=added, dropped=dropped, text=text)
