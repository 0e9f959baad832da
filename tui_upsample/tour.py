"""The guided tour: the seed post, paragraph by paragraph, one scene per stop.

Each :class:`TourStop` names the seed paragraph it follows, the :class:`~tui_upsample.scene.Scene`
to show (a learner may edit it like any other), which view of the app shows it, and how to explain
it. The explanation is written from the live trace, so every number in it is the engine's and
stays right while the learner edits: ``stop.explain(trace)`` returns its sentences.

Every sentence goes through the message catalogs (:mod:`tui_upsample.language`): written in
English with named fields for the numbers, shown in the language chosen (``--lang``).

UI-free (Python, NumPy and the engine only): the app's tour panel renders what this module says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tui_upsample.engine import conv2d, conv_transpose2d
from tui_upsample.engine.conv_matrix import ConvMatrix
from tui_upsample.engine.overlap import footprint_overlap, resize_conv_overlap
from tui_upsample.engine.steps import Trace
from tui_upsample.engine.text import format_number as num
from tui_upsample.language import _
from tui_upsample.scene import (
    OPERATOR_NAMES,
    SEED_KERNEL,
    SEED_RAMP,
    SEED_SMALL,
    Scene,
)

SEED_PARAGRAPHS: Mapping[int, str] = {
    1: "Prologue",
    2: "Upsampling",
    3: "Unpooling",
    4: "Deconvolution",
    5: "im2col",
    6: "Transposed convolution",
    7: "Epilogue",
}
"""The seed post's paragraphs (``/work/shared/seed/README.md``), by number."""

Explain = Callable[[Trace], list[str]]

METHODS_SHOWN = ("scatter", "matrix", "direct")
"""The transposed convolution's methods a stop is built around (a note says when another shows)."""


@dataclass(frozen=True, eq=False)
class Aside:
    """A grid the explanation shows beside its words (the engine's numbers), e.g. the seed's W1.

    With ``column_per_step`` the column of the step on screen is highlighted (step k of conv2d
    computes r's entry k, which is x times column k of W1).
    """

    title: str
    values: Any
    column_per_step: bool = True


@dataclass(frozen=True, eq=False)
class TourStop:
    """One stop of the tour: a scene to step through and what it teaches.

    ``paragraph`` is the seed paragraph the stop follows (``None``: beyond the seed, from the
    literature it points to). ``view`` is the app view that shows it ("steps", "compare",
    "overlap", "conventions"). ``variants`` are changes ``v`` cycles through (e.g. unpooling's
    fill), applied to the scene on screen so the learner's edits stay. ``ops`` are the operators
    the explanation is written for; on any other the panel says so.
    """

    title: str
    paragraph: int | None
    scene: Scene
    explainer: Explain
    ops: tuple[str, ...]
    view: str = "steps"
    variants: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    aside: Callable[[Trace], Aside] | None = None

    @property
    def heading(self) -> str:
        """The stop's title in the language on screen (``title`` is its English message id)."""
        return _(self.title)

    @property
    def source(self) -> str:
        """Which part of the seed post this stop follows, in words."""
        if self.paragraph is None:
            return _("beyond the seed post")
        return _("after the seed's paragraph {number}: {name}").format(
            number=self.paragraph, name=SEED_PARAGRAPHS[self.paragraph]
        )

    def explain(self, trace: Trace | None) -> list[str]:
        """The stop's explanation for ``trace`` (the scene on screen), numbers from the engine."""
        if trace is None:
            return [
                _("The scene has no valid trace yet: fix it in the settings, or press ] then [.")
            ]
        if trace.op not in self.ops:
            return [
                _("This stop is about {ops}; the screen now shows {op} ({name}).").format(
                    ops=_words(self.ops), op=trace.op, name=OPERATOR_NAMES.get(trace.op, trace.op)
                ),
                _("Everything works as usual; [ then ] brings this stop's own scene back."),
            ]
        text = self.explainer(trace)
        # The last stop's last sentence ends the tour: a note on the method goes before it.
        closing = [text.pop()] if self is STOPS[-1] and text else []
        method = getattr(trace, "method", None)
        if method and self.scene.method in METHODS_SHOWN and method != self.scene.method:
            other = next(
                (
                    k
                    for k, s in enumerate(STOPS, 1)
                    if s.scene.op == trace.op and s.scene.method == method
                ),
                None,
            )
            if method in METHODS_SHOWN:
                if other:
                    note = _(
                        "The screen now steps by {method} (m changes it) — stop {other} explains"
                        " that way."
                    )
                else:
                    note = _("The screen now steps by {method} (m changes it).")
                text.append(note.format(method=method, other=other))
            else:
                text.append(
                    _("The compare view (c) shows scatter, matrix and direct side by side.")
                )
        return text + closing

    def aside_for(self, trace: Trace | None) -> Aside | None:
        """The grid to show beside the words for ``trace``, if the stop has one for it."""
        if self.aside is None or trace is None or trace.op not in self.ops:
            return None
        return self.aside(trace)

    def next_variant(self, scene: Scene) -> Scene:
        """``scene`` with the stop's next variant applied (the first after the last)."""
        if not self.variants:
            return scene
        index = next(
            (i for i, v in enumerate(self.variants) if _matches(scene, v)), len(self.variants) - 1
        )
        return apply_variant(scene, self.variants[(index + 1) % len(self.variants)], own=self.scene)

    def variant_label(self, scene: Scene) -> str:
        """The variant on screen, e.g. ``fill=max`` (empty when the stop has none)."""
        for variant in self.variants:
            if _matches(scene, variant):
                return ", ".join(f"{k}={v}" for k, v in variant.items())
        return ""


def apply_variant(scene: Scene, variant: Mapping[str, Any], own: Scene | None = None) -> Scene:
    """``scene`` with ``variant``'s fields set (an "op" switches operator, keeping the grids).

    "groups" reshapes the kernel as the settings' groups row does (the slices both shapes share
    stay); slices it adds back come from ``own`` (the stop's scene) where its kernel has that
    shape, so the stop's numbers return rather than random ones. ValueError when the scene's
    channels do not split into that many groups.
    """
    changes = dict(variant)
    op = changes.pop("op", None)
    if op is not None:
        scene = scene.with_op(op)
    groups = changes.pop("groups", None)
    if groups is not None and groups != scene.groups:
        regrouped = scene.with_channels(scene.in_channels, scene.out_channels, groups)
        if regrouped.groups != groups:  # pixel shuffle keeps its channels and has no groups
            raise ValueError(f"groups={groups}: only conv2d and conv_transpose2d take groups")
        scene = _refilled(regrouped, scene.kernel, own)
    return scene.replace(**changes, step=0) if changes else scene.replace(step=0)


def _refilled(scene: Scene, before: np.ndarray, own: Scene | None) -> Scene:
    """``scene`` whose kernel slices beyond ``before``'s are ``own``'s, where the shapes agree."""
    kernel = scene.kernel
    if own is None or own.kernel.shape != kernel.shape or before.ndim != kernel.ndim:
        return scene
    refilled = own.kernel.copy()
    kept = tuple(slice(0, min(a, b)) for a, b in zip(before.shape, kernel.shape, strict=True))
    refilled[kept] = kernel[kept]
    return scene.replace(kernel=refilled)


def _matches(scene: Scene, variant: Mapping[str, Any]) -> bool:
    return all(getattr(scene, k) == v for k, v in variant.items())


# Writing numbers ------------------------------------------------------------------------------


def _words(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) == 1:
        return items[0]
    return _("{some} or {last}").format(some=", ".join(items[:-1]), last=items[-1])


def _shape(arr: Any) -> str:
    return "×".join(str(int(s)) for s in np.shape(arr))


def _vector(values: Any, limit: int = 9) -> str:
    flat = [num(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]
    if len(flat) > limit:
        flat = [*flat[: limit - 2], "…", flat[-1]]
    return "(" + ", ".join(flat) + ")"


def _superscript(n: int) -> str:
    """``9`` as ``⁹`` (ℝ⁹)."""
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _cell(cell: Sequence[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in cell) + "]"


def _pair_text(value: Any) -> str:
    a, b = value
    return str(a) if a == b else f"{a}×{b}"


# The explanations -----------------------------------------------------------------------------


def _prologue(trace: Trace) -> list[str]:
    x, y = trace.input, trace.result
    return [
        _(
            "Networks such as FCN and FPN shrink feature maps on the way in and must grow them"
            " back on the way out, to label every pixel or to merge coarse and fine features."
        ),
        _(
            "Here max pooling shrinks the {x} map x to the {y} map y: {n} numbers become {m}."
        ).format(x=_shape(x), y=_shape(y), n=x.size, m=y.size),
        _(
            "Everything after this stop grows a map like y back to {x}. The seed post calls every"
            " way of doing that upsampling; under it sit unpooling, which learns nothing, and"
            " transposed convolution (loosely 'deconvolution'), which learns a kernel."
        ).format(x=_shape(x)),
        _("Press ] for the next stop, n / p to step through this one."),
    ]


def _argmax_list(trace: Trace, limit: int = 6) -> str:
    items = []
    for step in trace[: min(len(trace), limit)]:
        (cell,) = step.output_cells
        if step.argmax is not None:
            items.append(
                _("y{cell} = {value} from x{argmax}").format(
                    cell=_cell(cell), value=num(trace.result[cell]), argmax=_cell(step.argmax)
                )
            )
    more = "" if len(trace) <= limit else _(", … ({count} windows)").format(count=len(trace))
    return ", ".join(items) + more


def _pooling(trace: Trace) -> list[str]:
    k = _pair_text(trace.params["kernel_size"])
    s = _pair_text(trace.params["stride"])
    return [
        _(
            "Max pooling ({k}×{k} windows, stride {s}) keeps the largest value of each window of"
            " x — good for classification, says the seed; average pooling is said to suit tasks"
            " where exact location matters."
        ).format(k=k, s=s),
        _("While pooling, remember where each maximum was — the argmax: {argmaxes}.").format(
            argmaxes=_argmax_list(trace)
        ),
        _(
            "A tie goes to the first maximum in reading order, as in PyTorch; the indices are"
            " flat positions in this one plane of x."
        ),
        _("Unpooling, the next stop, puts each value back at exactly these positions."),
    ]


def _unpooling(trace: Trace) -> list[str]:
    y = trace.result
    fill = trace.params["fill"]
    first = trace[0]
    pooled = getattr(trace, "pooled", None)
    value = num(pooled[first.pooled_cell]) if pooled is not None and first.pooled_cell else "?"
    text = [
        _(
            "Unpooling reverses max pooling: each pooled value goes back to the position its"
            " maximum came from (pooled{cell} = {value} goes to y{argmax})."
        ).format(
            cell=_cell(first.pooled_cell or (0, 0)),
            value=value,
            argmax=_cell(first.argmax or (0, 0)),
        ),
    ]
    if fill == "zeros":
        zeros = int(np.count_nonzero(y == 0))
        text.append(
            _(
                "With fill=zeros (PyTorch's MaxUnpool2d, SegNet) every other cell stays 0:"
                " {zeros} of the {size} cells of y here."
            ).format(zeros=zeros, size=y.size)
        )
        text.append(_("The seed post fills them with the window's maximum instead: press v."))
    else:
        text.append(
            _(
                "With fill=max (the seed post's reading) the rest of each window gets that"
                " window's maximum too, so no cell of the {y} y is left empty."
            ).format(y=_shape(y))
        )
        text.append(_("PyTorch's MaxUnpool2d and SegNet fill with zeros instead: press v."))
    text.append(_("No weights take part either way: 'unlearnable upsampling'."))
    return text


def _unlearnable(trace: Trace) -> list[str]:
    x, y = trace.input, trace.result
    text = []
    if trace.op == "upsample_nearest":
        example = trace[1].arithmetic if len(trace) > 1 else trace[0].arithmetic
        text.append(
            _(
                "Nearest neighbour copies every cell of x into a block: x {x} becomes y {y},"
                " e.g. {example}."
            ).format(x=_shape(x), y=_shape(y), example=example)
        )
    elif trace.op == "bed_of_nails":
        sh, sw = trace.params["scale_factor"]
        text.append(
            _(
                "Bed of nails puts each x[i,j] at the top-left corner of its {sh}×{sw} block and"
                " zeros in the other {others} cells: x {x} becomes y {y}, like unpooling with"
                " every argmax in the corner."
            ).format(sh=sh, sw=sw, others=sh * sw - 1, x=_shape(x), y=_shape(y))
        )
    else:
        example = trace[1].arithmetic if len(trace) > 1 else trace[0].arithmetic
        corners = "True" if trace.params["align_corners"] else "False"
        text.append(
            _(
                "Bilinear mixes the four x cells nearest to each output position, weighted by"
                " distance (align_corners={corners}): x {x} becomes y {y}, e.g. {example}."
            ).format(corners=corners, x=_shape(x), y=_shape(y), example=example)
        )
    text += [
        _(
            "None of the three has weights: the same x always gives the same y, so there is"
            " nothing to learn — 'unlearnable upsampling', like unpooling."
        ),
        _("Press v for the next of nearest, bed of nails and bilinear (your x stays)."),
    ]
    return text


def _w1(trace: Trace) -> ConvMatrix:
    p = trace.params
    assert trace.kernel is not None
    return ConvMatrix(trace.kernel, trace.input.shape, p["stride"], p["padding"], p["dilation"])


def _w1_aside(trace: Trace) -> Aside:
    w1 = _w1(trace)
    return Aside(f"W1 ∈ ℝ^({w1.shape[0]}×{w1.shape[1]})", w1)


def _im2col(trace: Trace) -> list[str]:
    x, w, r = trace.input, trace.kernel, trace.result
    assert w is not None
    w1 = _w1(trace)
    n_in, n_out = w1.shape
    return [
        _(
            "The seed's convolution takes X ({x}) and W ({w}); each entry of the {r} output R is"
            " the inner product of one {w} window of X with W."
        ).format(x=_shape(x), w=_shape(w), r=_shape(r)),
        _(
            "im2col flattens X into x ∈ ℝ{power} = {vector} and lays W into W1 ∈ ℝ^({n}×{m}),"
            " one column per window."
        ).format(power=_superscript(n_in), vector=_vector(x), n=n_in, m=n_out),
        _(
            "Then r = xᵀ·W1 = {r}, rearranged into the {shape} R; step k is x times W1's column k."
        ).format(r=_vector(r), shape=_shape(r)),
        _(
            "Below, the same product runs row by row: im2col(x) holds each window's {size}"
            " values, times W as a column."
        ).format(size=w.size),
    ]


def _matrix_method(trace: Trace) -> list[str]:
    r, y = trace.input, trace.result
    w2 = trace.matrix  # type: ignore[attr-defined]
    rows, cols = w2.shape
    text = [
        _(
            "To go back from r ∈ ℝ^(1×{size}) to a {y} shape, the seed multiplies r · W2 with"
            " W2 ∈ ℝ^({rows}×{cols})."
        ).format(size=r.size, y=_shape(y), rows=rows, cols=cols),
        _(
            "W2 has exactly the shape of W1ᵀ (W1 was {cols}×{rows}), hence the name transposed"
            " convolution. Column k of W2 gathers what flows into y's cell k: one step per"
            " column."
        ).format(cols=cols, rows=rows),
    ]
    if r.shape == SEED_CONV_R.shape and np.array_equal(r, SEED_CONV_R):
        same_shape = y.shape == SEED_RAMP.shape
        diff = np.argwhere(y != SEED_RAMP) if same_shape else np.zeros((0, 2), dtype=int)
        if len(diff):
            cell = tuple(int(i) for i in diff[0])
            text.append(
                _(
                    "r is the R of the last stop, {r}, yet y{cell} = {value} where X had {had}:"
                    " the shape comes back, not the values — 'deconvolution' is no inverse."
                ).format(
                    r=_vector(r), cell=_cell(cell), value=num(y[cell]), had=num(SEED_RAMP[cell])
                )
            )
    else:
        text.append(
            _(
                "y = r · W2 = {y}: a {shape} map again, though not the X a convolution started"
                " from — the shape comes back, not the values."
            ).format(y=_vector(y), shape=_shape(y))
        )
    text.append(_("Press m to see the same y by scatter or as a direct convolution."))
    return text


def _scatter_method(trace: Trace) -> list[str]:
    r, w, y = trace.input, trace.kernel, trace.result
    assert w is not None
    p = trace.params
    overlap = footprint_overlap(
        r.shape, w.shape, p["stride"], p["padding"], p["output_padding"], p["dilation"]
    )
    most = int(overlap.counts.max())
    where = tuple(int(i) for i in np.argwhere(overlap.counts == most)[0])
    first = trace[0]
    return [
        _(
            "The epilogue's promise: a transposed convolution can be computed directly — each"
            " input value scales the kernel, and the scaled kernel is added into the output."
        ),
        _(
            "Step 1: r[0,0] = {value} times w gives {scaled}, added into y at its footprint;"
            " each next footprint starts stride {stride} further on."
        ).format(
            value=num(r[0, 0]),
            scaled=_vector(first.scaled_kernel),
            stride=_pair_text(p["stride"]),
        ),
        _(
            "Where footprints overlap they add up: y{cell} collects {most} of the {count}"
            " footprints."
        ).format(cell=_cell(where), most=most, count=r.size),
        _(
            "The finished y = {y} is the same as r · W2: row i of W2 is just r's cell i's"
            " footprint, laid out flat."
        ).format(y=_vector(y)),
    ]


def _direct_method(trace: Trace) -> list[str]:
    w, y = trace.kernel, trace.result
    assert w is not None
    g = trace.geometry  # type: ignore[attr-defined]
    # In the compare layout (c) the trace holds all three faces: the padded grid is the direct's.
    padded = getattr(trace, "faces", {}).get("direct", trace).padded
    s = g.stride
    if s[0] == s[1]:
        inserted = f"{s[0] - 1}"
    else:
        inserted = _("{rows} (rows), {cols} (columns)").format(rows=s[0] - 1, cols=s[1] - 1)
    pad = _pair_text((g.padded_offset(0), g.padded_offset(1)))
    if inserted == "1":
        insert = _(
            "Insert s−1 = {inserted} zero between r's values, pad by d(k−1)−p = {pad} on each"
            " side — the {shape} grid on screen — and slide the kernel over it."
        )
    else:
        insert = _(
            "Insert s−1 = {inserted} zeros between r's values, pad by d(k−1)−p = {pad} on each"
            " side — the {shape} grid on screen — and slide the kernel over it."
        )
    return [
        _(
            "The same transposed convolution is also an ordinary stride-1 convolution"
            " (Dumoulin & Visin, Relationship 14)."
        ),
        insert.format(inserted=inserted, pad=pad, shape=_shape(padded)),
        _(
            "But turned 180°: w = {w} becomes {turned}; the rotation is the step people miss,"
            " and without it the result is different."
        ).format(w=_vector(w), turned=_vector(w[::-1, ::-1])),
        _(
            "Each step is one window's inner product, and y = {y} matches the scatter and"
            " r · W2 exactly."
        ).format(y=_vector(y, 8)),
    ]


def _checkerboard(trace: Trace) -> list[str]:
    r, w = trace.input, trace.kernel
    assert w is not None
    p = trace.params
    overlap = footprint_overlap(
        r.shape, w.shape, p["stride"], p["padding"], p["output_padding"], p["dilation"]
    )
    s = p["stride"]
    scale = s if s[0] == s[1] else (s[0], s[1])
    remedy = resize_conv_overlap(r.shape, scale, w.shape)
    text = [
        _(
            "Each r[i,j] stamps the {w} kernel into y, stride {s} apart, and overlapping stamps"
            " add up: {rule}."
        ).format(w=_shape(w), s=_pair_text(s), rule=overlap.rule),
    ]
    ones = bool(np.all(r == 1) and np.all(w == 1))
    if not overlap.even and overlap.ratio is not None:
        if ones:
            uneven = _(
                "With r and w all ones, y counts the stamps: {ratio}× more on some cells than on"
                " their neighbours — the checkerboard artifacts of trained networks (Odena et"
                " al., Distill 2016)."
            )
        else:
            uneven = _(
                "With all-ones r and w: {ratio}× more on some cells than on their neighbours —"
                " the checkerboard artifacts of trained networks (Odena et al., Distill 2016)."
            )
        text.append(uneven.format(ratio=num(overlap.ratio)))
    elif overlap.even:
        text.append(_("Every interior cell gets the same number of stamps: no checkerboard."))
    text += [
        _(
            "The remedy: resize, then convolve — {rule}; or a kernel size divisible by the"
            " stride (4 at stride 2)."
        ).format(rule=remedy.rule),
        _("Press k to switch between this overlap view and the step-by-step scatter."),
    ]
    return text


def _pixel_shuffle(trace: Trace) -> list[str]:
    x, y = trace.input, trace.result
    r = trace.params["upscale_factor"]
    example = trace[1].arithmetic if len(trace) > 1 else trace[0].arithmetic
    return [
        _(
            "Pixel shuffle (sub-pixel convolution) grows a map without zeros or overlap: a"
            " convolution makes r² = {channels} channels of {x}, and pixel shuffle interleaves"
            " them into one {y} map."
        ).format(channels=r * r, x=_shape(x[0]), y=_shape(y[0])),
        _(
            "Output cell [i,j] takes channel (i mod {r})·{r} + (j mod {r}) at [i div {r},"
            " j div {r}]: {example}."
        ).format(r=r, example=example),
        _(
            "Every output cell gets exactly one value, so the shuffle itself adds no uneven"
            " overlap; the convolution before it can still start out checkered (ICNR"
            " initialisation avoids that)."
        ),
    ]


def _planes_of(trace: Trace) -> tuple[np.ndarray, np.ndarray]:
    """The trace's input as (C_in, H, W) and its weight as (C_in, C_out/g, kH, kW), a one-plane
    scene included."""
    x, w = trace.input, trace.kernel
    assert w is not None
    return (x if x.ndim == 3 else x[None]), (w if w.ndim == 4 else w[None, None])


def _plane_terms(trace: Trace, o: int) -> list[float]:
    """What each input plane of output channel ``o``'s group adds to y[o,0,0]: one engine
    transposed convolution per plane, with that plane's own kernel slice."""
    x, w = _planes_of(trace)
    groups = int(trace.params.get("groups", 1))
    in_per, out_per = x.shape[0] // groups, w.shape[1]
    group = o // out_per
    p = trace.params
    return [
        float(
            conv_transpose2d(
                x[c],
                w[c, o - group * out_per],
                stride=p["stride"],
                padding=p["padding"],
                output_padding=p["output_padding"],
                dilation=p["dilation"],
            )[0, 0]
        )
        for c in range(group * in_per, (group + 1) * in_per)
    ]


def _sum_text(terms: Sequence[float], total: float) -> str:
    if len(terms) == 1:
        return num(total)
    shown = [num(t) if t >= 0 else f"({num(t)})" for t in terms]
    return " + ".join(shown) + f" = {num(total)}"


def _channels(trace: Trace) -> list[str]:
    x, w = _planes_of(trace)
    y = trace.result if trace.result.ndim == 3 else trace.result[None]
    groups = int(trace.params.get("groups", 1))
    c_in, per_out = x.shape[0], w.shape[1]
    c_out = y.shape[0]
    kh, kw = w.shape[2:]
    sums = ", ".join(
        f"y[{o},0,0] = {_sum_text(_plane_terms(trace, o), y[o, 0, 0])}" for o in range(c_out)
    )
    text = [
        _(
            "Real layers are 3-D: r is now {x} (C_in = {planes}, planes of {plane}), y is {y}"
            " (C_out = {out}), and the weight, one {k} kernel per input and output plane it"
            " links, is {w}."
        ).format(
            x=_shape(x),
            planes=c_in,
            plane=_shape(x[0]),
            y=_shape(y),
            out=c_out,
            k=f"{kh}×{kw}",
            w=_shape(w),
        ),
        _(
            "PyTorch's ConvTranspose2d keeps it as (C_in, C_out/groups, kH, kW) = ({a}, {b}, {kh},"
            " {kw}), input channel first; Conv2d's weight is the other way round, (C_out,"
            " C_in/groups, kH, kW)."
        ).format(a=c_in, b=per_out, kh=kh, kw=kw),
        _("Each output cell adds one term per input plane of its group: {sums}.").format(sums=sums),
    ]
    if groups == 1:
        text.append(
            _(
                "With groups = 1 every input plane feeds every output plane; v switches to"
                " groups = 2, where each plane keeps a kernel of its own."
            )
        )
    elif c_in == groups and per_out == 1:
        if getattr(trace, "method", None) == "matrix":
            depthwise = _(
                "With groups = {groups} each input plane has its own kernel and feeds only its"
                " own output plane (depthwise): the weight shrinks to {w}, and W2 has no"
                " entries (·) where a row and a column belong to different planes."
            )
        else:
            depthwise = _(
                "With groups = {groups} each input plane has its own kernel and feeds only its"
                " own output plane (depthwise): the weight shrinks to {w}."
            )
        text.append(depthwise.format(groups=groups, w=_shape(w)))
    else:
        text.append(
            _(
                "With groups = {groups} the {planes} input planes split into {groups} groups of"
                " {per}, and each group feeds only its own output planes ({out} each): the weight"
                " is {w}."
            ).format(groups=groups, planes=c_in, per=c_in // groups, out=per_out, w=_shape(w))
        )
    text += [
        _(
            "a / A add or remove an input plane, > / < move the plane cursor, and the palette's"
            ' (ctrl+p) "Channels:" presets leave the tour for depthwise, grouped and pixel'
            " shuffle scenes."
        ),
        _("The end of the tour: t or escape leaves it, and your own scene comes back."),
    ]
    return text


# The stops ------------------------------------------------------------------------------------

SEED_CONV_R = conv2d(SEED_RAMP, SEED_KERNEL)
"""The seed's R: its 3×3 X convolved with its 2×2 W (computed by the engine)."""

SEED_TWO_PLANES = np.stack([SEED_CONV_R, SEED_SMALL])
"""The seed's r grown to two input planes: r itself, then the seed's small 2×2 (1, 2, 3, 4)."""

SEED_TWO_CHANNEL_KERNEL = np.array(
    [
        [SEED_KERNEL, [[1, 0], [0, 1]]],
        [[[1, 1], [1, 1]], [[0, 1], [1, 0]]],
    ],
    dtype=np.float64,
)
"""A ConvTranspose2d weight (C_in=2, C_out=2, 2, 2): slice [0,0] is the seed's kernel, the
others 0s and 1s, so the sums over the planes stay easy to follow. Slices [:,0] are what
groups = 2 keeps: the seed's kernel for plane 0, all ones for plane 1."""

_POOL = Scene.seed_example("max_pool2d")

STOPS: tuple[TourStop, ...] = (
    TourStop(
        title="Why grow a feature map back?",
        paragraph=1,
        scene=_POOL,
        explainer=_prologue,
        ops=("max_pool2d",),
    ),
    TourStop(
        title="Max pooling remembers where",
        paragraph=3,
        scene=_POOL,
        explainer=_pooling,
        ops=("max_pool2d",),
    ),
    TourStop(
        title="Max unpooling: zeros, or the seed's maximum",
        paragraph=3,
        scene=Scene.seed_example("max_unpool2d"),
        explainer=_unpooling,
        ops=("max_unpool2d",),
        variants=({"fill": "zeros"}, {"fill": "max"}),
    ),
    TourStop(
        title="Nearest, bed of nails, bilinear: nothing to learn",
        paragraph=3,
        scene=Scene.seed_example("upsample_nearest"),
        explainer=_unlearnable,
        ops=("upsample_nearest", "bed_of_nails", "upsample_bilinear"),
        variants=(
            {"op": "upsample_nearest"},
            {"op": "bed_of_nails"},
            {"op": "upsample_bilinear"},
        ),
    ),
    TourStop(
        title="Convolution as a matrix product: im2col",
        paragraph=5,
        scene=Scene.seed_example("conv2d"),
        explainer=_im2col,
        ops=("conv2d",),
        aside=_w1_aside,
    ),
    TourStop(
        title="Transposed convolution: r · W2, with W2 shaped like W1ᵀ",
        paragraph=6,
        scene=Scene.seed_example("conv_transpose2d").replace(input=SEED_CONV_R.copy()),
        explainer=_matrix_method,
        ops=("conv_transpose2d",),
    ),
    TourStop(
        title="The scatter view: each value stamps the kernel",
        paragraph=7,
        scene=Scene.seed_example("conv_transpose2d").replace(
            input=SEED_CONV_R.copy(), method="scatter"
        ),
        explainer=_scatter_method,
        ops=("conv_transpose2d",),
    ),
    TourStop(
        title="The direct way: zeros inserted, kernel turned 180°",
        paragraph=7,
        scene=Scene.seed_example("conv_transpose2d").replace(
            input=SEED_SMALL.copy(), stride=2, method="direct"
        ),
        explainer=_direct_method,
        ops=("conv_transpose2d",),
    ),
    TourStop(
        title="Checkerboard artifacts: uneven overlap",
        paragraph=None,
        scene=Scene.seed_example("conv_transpose2d").replace(
            input=np.ones((3, 3)),
            kernel=np.ones((3, 3)),
            stride=2,
            method="scatter",
        ),
        explainer=_checkerboard,
        ops=("conv_transpose2d",),
        view="overlap",
    ),
    TourStop(
        title="Pixel shuffle: channels into space",
        paragraph=None,
        scene=Scene.seed_example("pixel_shuffle"),
        explainer=_pixel_shuffle,
        ops=("pixel_shuffle",),
    ),
    TourStop(
        title="Real layers are 3-D: the post's example in two channels",
        paragraph=7,
        scene=Scene.seed_example("conv_transpose2d").replace(
            input=SEED_TWO_PLANES.copy(), kernel=SEED_TWO_CHANNEL_KERNEL.copy()
        ),
        explainer=_channels,
        ops=("conv_transpose2d",),
        variants=({"groups": 1}, {"groups": 2}),
    ),
)
"""The tour, in order: stop k (1-based on screen) is ``STOPS[k - 1]``. Every stop opens at its
first step, so its text's "n / p to step" starts from the beginning."""


def stop(number: int) -> TourStop:
    """Tour stop ``number`` as on screen (1 … len(STOPS)); ValueError outside."""
    if not 1 <= number <= len(STOPS):
        raise ValueError(f"tour stop {number}: choose 1 to {len(STOPS)}")
    return STOPS[number - 1]
