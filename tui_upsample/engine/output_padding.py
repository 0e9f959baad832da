"""output_padding as a choice: a stride makes several output sizes map back to the same input
size under conv2d, and output_padding picks among them (PyTorch allows a < max(stride, dilation)).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_upsample.engine.shapes import conv_output_size, conv_transpose_output_size
from tui_upsample.engine.text import all_of, counted, either, int_text
from tui_upsample.engine.validation import fail, whole_number


@dataclass(frozen=True)
class SizeChoice:
    """One output_padding a: the transposed output size, and what conv2d maps it back to.

    ``inverts`` is whether conv2d (same kernel, stride, padding, dilation) maps ``size`` back to
    the input length i — true for every a < stride. ``zero_rows`` counts the rows past the end
    of the full output (a − padding of them, when positive): no kernel footprint reaches them,
    so they hold only the bias.
    """

    output_padding: int
    size: int
    conv_size: int
    inverts: bool
    zero_rows: int


@dataclass(frozen=True)
class OutputPaddingChoices:
    """Every output_padding PyTorch allows for one axis (a < max(stride, dilation))."""

    input_size: int
    choices: tuple[SizeChoice, ...]
    text: str

    @property
    def sizes(self) -> tuple[int, ...]:
        """The output sizes that conv2d maps back to the input size: the real choice."""
        return tuple(c.size for c in self.choices if c.inverts)


def output_padding_choices(
    i: int, k: int, stride: int, padding: int = 0, dilation: int = 1
) -> OutputPaddingChoices:
    """Which output sizes a transposed convolution of an i-long input can have (one axis).

    A stride-s convolution maps s neighbouring input sizes to the same output size, since it
    rounds down; so its transposed convolution cannot know which one to give back.
    output_padding a (0 ≤ a < stride) picks: o = (i−1)s − 2p + d(k−1) + a + 1. It pads nothing
    with zeros — it keeps a rows that padding would otherwise have cropped at the bottom; only
    rows beyond the full output (when a > padding) hold nothing but the bias. PyTorch also
    allows a < dilation; such an a ≥ stride gives a size conv2d does not map back to i.
    """
    i = whole_number("i", i, 1)
    k = whole_number("k", k, 1)
    s = whole_number("stride", stride, 1)
    p = whole_number("padding", padding, 0)
    d = whole_number("dilation", dilation, 1)
    o0 = conv_transpose_output_size(i, k, s, p, 0, d)
    if o0 < 1:
        raise fail(
            "padding",
            p,
            f"gives an output of size {int_text(o0)}: (i−1)·stride − 2·padding"
            " + dilation·(k−1) + 1 "
            "must be at least 1",
        )
    if max(s, d) > LISTED:
        return _many_choices(i, k, s, p, d, o0)
    choices = []
    for a in range(max(s, d)):
        o = o0 + a
        back = conv_output_size(o, k, s, p, d)
        choices.append(SizeChoice(a, o, back, back == i, max(a - p, 0)))
    good = [c for c in choices if c.inverts]
    sizes = [str(c.size) for c in good]
    if len(good) == 1:
        text = (
            f"stride {s} maps only {good[0].size} back to {i}: output_padding has nothing to pick"
        )
    else:
        picks = either([f"{c.size} (a={c.output_padding})" for c in good])
        text = (
            f"stride {s} maps {all_of(sizes)} to {i}: output_padding picks {picks}; "
            "it pads nothing with zeros"
        )
        zero = [c for c in good if c.zero_rows]
        if zero:
            text += (
                f", though with padding {p}, a={zero[-1].output_padding} keeps "
                f"{counted(zero[-1].zero_rows, 'row')} past every kernel footprint, holding only "
                "the bias"
            )
    bad = [c for c in choices if not c.inverts]
    if bad:
        listed = either([f"a={c.output_padding} (size {c.size})" for c in bad])
        backs = either(sorted({str(c.conv_size) for c in bad}, key=int))
        text += (
            f"; dilation {d} also allows {listed}, but conv2d maps that back to {backs}, not {i}"
        )
    return OutputPaddingChoices(input_size=i, choices=tuple(choices), text=text)


LISTED = 16
"""The most output_padding choices listed one by one; past that (a stride or dilation of 10**9,
say) the lesson speaks of them as a range, in the same few words and time whatever their number."""


def _many_choices(i: int, k: int, s: int, p: int, d: int, o0: int) -> OutputPaddingChoices:
    """output_padding_choices for a stride or dilation too large to list: every a < s gives a
    size conv2d maps back to i ((i−1)s + a over s rounds down to i − 1), every s ≤ a < d one it
    does not. ``choices`` holds the first and last few of each kind."""
    shown = sorted(
        {a for a in (0, 1, 2, s - 2, s - 1, s, s + 1, d - 2, d - 1) if 0 <= a < max(s, d)}
    )
    choices = tuple(
        SizeChoice(a, o0 + a, conv_output_size(o0 + a, k, s, p, d), a < s, max(a - p, 0))
        for a in shown
    )
    if s == 1:
        text = f"stride 1 maps only {o0} back to {i}: output_padding has nothing to pick"
    else:
        text = (
            f"stride {s} maps {s} sizes, {o0} to {o0 + s - 1}, to {i}: output_padding picks one"
            f" of them (a = 0 … {s - 1}); it pads nothing with zeros"
        )
        if s - 1 > p:
            text += (
                f", though with padding {p}, a={s - 1} keeps {counted(s - 1 - p, 'row')} past"
                " every kernel footprint, holding only the bias"
            )
    if d > s:
        text += (
            f"; dilation {d} also allows a = {s} … {d - 1} (sizes {o0 + s} to {o0 + d - 1}), but"
            f" conv2d maps those back to other sizes, not {i}"
        )
    return OutputPaddingChoices(input_size=i, choices=choices, text=text)
