"""Solving for the shape: every setting that takes a side of size i to size o, and the sizes a
stride makes ambiguous.

The forward question (which size does this setting give?) is the output-size formula of
:mod:`.shapes`. Here it is asked backwards, by enumeration over the settings a learner would try
(kernel_size 1–7, stride 1–4, padding 0–6, dilation 1–3, every output_padding PyTorch allows),
each checked by PyTorch's own rules:

* ``conv2d``: the padded input must hold the dilated kernel, i + 2p ≥ d(k−1) + 1 (PyTorch:
  "Kernel size can't be greater than actual input size"); then o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1.
* ``conv_transpose2d``: output_padding a < max(stride, dilation) ("output padding must be
  smaller than either stride or dilation") and the output at least 1 long;
  o = (i−1)s − 2p + d(k−1) + a + 1.

Beside each kernel and stride, the Keras layer with ``padding='same'`` or ``'valid'`` that gives
the same size, where one does (Keras refuses strides > 1 together with dilation_rate > 1).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from tui_upsample.engine.geometry import reach
from tui_upsample.engine.validation import fail, whole_number

KERNEL_SIZES = range(1, 8)
STRIDES = range(1, 5)
PADDINGS = range(0, 7)
DILATIONS = range(1, 4)
"""The settings searched: kernel_size 1–7, stride 1–4, padding 0–6, dilation 1–3."""

SOLVED_OPERATORS = ("conv_transpose2d", "conv2d")
"""The operators whose settings are solved for (their sizes depend on all five settings)."""

LAYERS = {"conv_transpose2d": "Conv2DTranspose", "conv2d": "Conv2D"}
"""Each operator's Keras layer."""

LARGEST_SIDE = 100_000
"""The largest side solved for: far beyond any grid, and the search stays instant."""


@dataclass(frozen=True)
class ShapeSetting:
    """One PyTorch setting of a side: kernel size, stride, padding, output_padding, dilation."""

    kernel_size: int
    stride: int
    padding: int
    output_padding: int
    dilation: int

    def as_dict(self) -> dict[str, int]:
        """The setting as plain integers, by PyTorch's keyword names."""
        return asdict(self)


@dataclass(frozen=True)
class SettingGroup:
    """The settings of one kernel size and stride, and the Keras layers that give the same size
    (``'same'`` / ``'valid'``, per dilation), written as a learner would type them."""

    kernel_size: int
    stride: int
    settings: tuple[ShapeSetting, ...]
    keras: tuple[str, ...]


@dataclass(frozen=True)
class ShapeSolution:
    """Every setting that takes a side of ``input_size`` to ``output_size`` under ``op``."""

    op: str
    input_size: int
    output_size: int
    settings: tuple[ShapeSetting, ...]
    groups: tuple[SettingGroup, ...]
    text: str


def output_size(op: str, i: int, setting: ShapeSetting) -> int | None:
    """The side PyTorch's ``op`` gives an i-long side under ``setting``, or None if PyTorch
    refuses the setting for this input."""
    k, s, p, a, d = (
        setting.kernel_size,
        setting.stride,
        setting.padding,
        setting.output_padding,
        setting.dilation,
    )
    if op == "conv2d":
        if a != 0 or i + 2 * p < reach(k, d):
            return None
        return (i + 2 * p - reach(k, d)) // s + 1
    if a >= max(s, d):
        return None
    o = (i - 1) * s - 2 * p + d * (k - 1) + a + 1
    return o if o >= 1 else None


def keras_size(
    op: str, i: int, kernel_size: int, stride: int, padding: str, dilation: int = 1
) -> int | None:
    """The side Keras's layer gives with ``padding='same'`` or ``'valid'`` (None if Keras
    refuses: strides > 1 with dilation_rate > 1, or a 'valid' kernel longer than the input)."""
    if stride > 1 and dilation > 1:
        return None
    span = reach(kernel_size, dilation)
    if op == "conv2d":
        if padding == "same":
            return -(-i // stride)
        return (i - span) // stride + 1 if i >= span else None
    if padding == "same":
        return i * stride
    return i * stride + max(span - stride, 0)


def _keras_layer(op: str, k: int, s: int, padding: str, d: int) -> str:
    dilation = f", dilation_rate={d}" if d > 1 else ""
    return f"{LAYERS[op]}({k}, strides={s}, padding='{padding}'{dilation})"


def _check(op: str, i: int, o: int) -> tuple[str, int, int]:
    if op not in SOLVED_OPERATORS:
        raise fail("op", op, "must be " + " or ".join(SOLVED_OPERATORS))
    i = whole_number("input size", i, 1)
    o = whole_number("output size", o, 1)
    for name, value in (("input size", i), ("output size", o)):
        if value > LARGEST_SIDE:
            raise fail(name, value, f"must be at most {LARGEST_SIDE:,}")
    return op, i, o


def solve_shape(i: int, o: int, op: str = "conv_transpose2d") -> ShapeSolution:
    """Every setting within the searched ranges that takes a side of ``i`` to ``o`` under
    ``op``, grouped by kernel size and stride, each group with its Keras equivalents.

    >>> [s.as_dict() for s in solve_shape(2, 3).settings][:1]
    [{'kernel_size': 1, 'stride': 2, 'padding': 0, 'output_padding': 0, 'dilation': 1}]
    """
    op, i, o = _check(op, i, o)
    found: list[ShapeSetting] = []
    groups: list[SettingGroup] = []
    for k in KERNEL_SIZES:
        for s in STRIDES:
            here: list[ShapeSetting] = []
            for d in DILATIONS:
                for p in PADDINGS:
                    pads = range(max(s, d)) if op == "conv_transpose2d" else range(1)
                    for a in pads:
                        setting = ShapeSetting(k, s, p, a, d)
                        if output_size(op, i, setting) == o:
                            here.append(setting)
            if not here:
                continue
            keras = tuple(
                _keras_layer(op, k, s, mode, d)
                for d in DILATIONS
                for mode in ("same", "valid")
                if (k > 1 or d == 1) and keras_size(op, i, k, s, mode, d) == o
            )
            found.extend(here)
            groups.append(SettingGroup(k, s, tuple(here), keras))
    if found:
        text = (
            f"{op}: {len(found)} settings take a side of {i} to {o}"
            f" ({len(groups)} kernel and stride pairs)"
        )
    else:
        text = f"{op}: no setting within the ranges searched takes a side of {i} to {o}"
    return ShapeSolution(op, i, o, tuple(found), tuple(groups), text)


def _span(values: list[int]) -> str:
    """``0``, ``0, 2``, ``1–3`` for a run."""
    if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values)


def group_rows(group: SettingGroup) -> list[tuple[str, str, str]]:
    """The group's settings as (padding, output_padding, dilation) rows for reading, by padding:
    a kernel of 1 computes the same for every dilation (which only widens the output_padding
    allowed), so its rows list the dilations together."""
    by_pa: dict[tuple[int, int], list[int]] = {}
    for st in group.settings:
        by_pa.setdefault((st.padding, st.output_padding), []).append(st.dilation)
    rows: list[tuple[str, str, str]] = []
    for (p, a), ds in sorted(by_pa.items()):
        if group.kernel_size == 1:
            rows.append((str(p), str(a), _span(sorted(ds))))
        else:
            rows.extend((str(p), str(a), str(d)) for d in sorted(ds))
    return rows


def solution_table(solution: ShapeSolution) -> str:
    """The solution as a table a learner reads in a terminal, one block per kernel and stride."""
    lines = [solution.text]
    if not solution.groups:
        lines.append(
            "searched: kernel_size 1–7, stride 1–4, padding 0–6, dilation 1–3"
            + (", every output_padding PyTorch allows" if solution.op == "conv_transpose2d" else "")
        )
        return "\n".join(lines) + "\n"
    table: list[tuple[str, ...]] = [("kernel", "stride", "padding", "output_padding", "dilation")]
    keras_column = ["Keras (same size)"]
    for group in solution.groups:
        rows = group_rows(group)
        keras = list(group.keras) or ["—"]
        for n in range(max(len(rows), len(keras))):
            cells: tuple[str, ...] = rows[n] if n < len(rows) else ("", "", "")
            first = (str(group.kernel_size), str(group.stride)) if n == 0 else ("", "")
            table.append((*first, *cells))
            keras_column.append(keras[n] if n < len(keras) else "")
    widths = [max(len(row[c]) for row in table) for c in range(5)]
    lines.append("")
    for n, (row, keras_text) in enumerate(zip(table, keras_column, strict=True)):
        if row[0] and n > 1:
            lines.append("")
        text = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        lines.append((text + "  " + keras_text).rstrip())
    if any(g.kernel_size == 1 for g in solution.groups):
        lines += [
            "",
            "a kernel of 1 computes the same under every dilation: its rows list them together",
        ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# output_padding is not padding of the output
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collapse:
    """The conv2d input sizes that all give ``output`` rows, and how each comes back.

    ``inputs`` are (input size, output_padding) pairs: conv_transpose2d of an ``output``-long
    side, same kernel, stride, padding and dilation, with that output_padding, gives that input
    size back. ``text`` says it in a sentence.
    """

    output: int
    inputs: tuple[tuple[int, int], ...]
    text: str


@dataclass(frozen=True)
class Ambiguity:
    """For one stride (with a kernel, padding and dilation): conv2d's sizes that collapse."""

    kernel_size: int
    stride: int
    padding: int
    dilation: int
    collapses: tuple[Collapse, ...]
    text: str


def output_padding_ambiguity(
    stride: int, kernel_size: int = 3, padding: int = 0, dilation: int = 1, outputs: int = 6
) -> Ambiguity:
    """For conv2d outputs of 1 … ``outputs`` rows: every input size that collapses to each, and
    the output_padding that brings each back through conv_transpose2d.

    A stride-s convolution rounds (i + 2p − d(k−1) − 1)/s down, so s neighbouring input sizes
    give the same output; conv_transpose2d of that output gives back the smallest of them, and
    output_padding a = 0 … s−1 picks which. It adds no padding to the output: it only says which
    of the sizes that collapsed was meant.
    """
    s = whole_number("stride", stride, 1)
    k = whole_number("kernel_size", kernel_size, 1)
    p = whole_number("padding", padding, 0)
    d = whole_number("dilation", dilation, 1)
    count = whole_number("outputs", outputs, 1)
    for name, value, top in (("stride", s, 64), ("kernel_size", k, 64), ("outputs", count, 64)):
        if value > top:
            raise fail(name, value, f"must be at most {top}")
    p = min(p, 10_000)
    d = min(d, 10_000)
    collapses = []
    for n in range(1, count + 1):
        first = (n - 1) * s - 2 * p + reach(k, d)
        sizes = [first + a for a in range(s) if first + a >= 1]
        pairs = tuple((i, i - first) for i in sizes)
        if not pairs:
            continue
        if len(pairs) == 1:
            text = f"only {pairs[0][0]} gives {n}: output_padding 0 brings it back"
        else:
            back = ", ".join(f"{i} with output_padding {a}" for i, a in pairs)
            listed = ", ".join(str(i) for i, _ in pairs[:-1]) + f" and {pairs[-1][0]}"
            every = "both" if len(pairs) == 2 else "all"
            text = f"{listed} {every} give {n}; conv_transpose2d gives back {back}"
        collapses.append(Collapse(n, pairs, text))
    if s == 1:
        text = (
            "stride 1: every input size gives its own output size, so there is nothing for"
            " output_padding to choose (it must be 0, unless the dilation allows more)"
        )
    else:
        text = (
            f"stride {s}: conv2d rounds down, so {s} input sizes give each output size;"
            f" conv_transpose2d cannot know which was meant, and output_padding 0 … {s - 1}"
            " picks one. It is not padding of the output: no row of zeros is added"
        )
    return Ambiguity(k, s, p, d, tuple(collapses), text)
