"""What the teaching panes say about a scene, without a screen: the line under the title (what is
shown, and where the guided tour is) and the notes under the settings.

- every operator: the seed post's story of it first (what it does, whether it learns), with the
  scene's shapes in it;
- conv_transpose2d: what output_padding chooses (the sizes a stride makes ambiguous), and the
  adjoint identity ⟨conv2d(x, w), y⟩ = ⟨x, conv_transpose2d(y, w)⟩ with both numbers — why it is
  called "transposed", why it is the gradient of the convolution, and why it learns.
- conv2d: the same identity, seen from the convolution.
- max_unpool2d: which output_size MaxUnpool2d accepts (the bounds are strict, and every
  remembered index must fit).
- max_pool2d: the window ceil_mode adds, or drops because it would start in the padding.

Every number and sentence about numbers is the engine's; this module only chooses which lessons a
scene calls for and puts them in the order the pane shows them. The widgets render it.
"""

from __future__ import annotations

import numpy as np

from tui_upsample.engine.adjoint import Adjoint, adjoint_of_conv2d, adjoint_partner
from tui_upsample.engine.ceil_mode import ceil_mode_windows
from tui_upsample.engine.operators import TABLE
from tui_upsample.engine.output_padding import output_padding_choices
from tui_upsample.engine.text import format_number
from tui_upsample.engine.unpooling import unpool_output_size_note
from tui_upsample.scene import OPERATOR_NAMES, Scene

WHY_TRANSPOSED = (
    "Equal for every x and y, because W2 = W1ᵀ: so conv_transpose2d is the gradient of conv2d "
    "with respect to its input, and as a layer its w is learned in the backward pass — max "
    "unpooling has no weights to learn."
)
"""Why the adjoint identity matters (the seed's paragraphs 4 and 6)."""


def _size(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def is_seed_example(scene: Scene) -> bool:
    """Whether ``scene`` is the one the app opens on, the seed post's own example (stepped by
    any face, at any step)."""
    seed = Scene.seed_example()
    return scene.op == seed.op and scene.replace(method=seed.method, step=0, seed=seed.seed) == seed


def intro(scene: Scene, output_shape: tuple[int, ...]) -> tuple[str, str, str]:
    """The line under the title: (what is shown, the same in fewer words, the tour's key line).

    For the app's first scene, the seed post's example (r taken back to 3×3 by r · W2 with
    W2 = W1ᵀ); for any other, the operator and its sizes. ``output_shape`` is the last valid
    trace's (empty while there is none)."""
    grid = scene.x.shape[-2:]
    out = tuple(output_shape[-2:])
    if is_seed_example(scene) and len(out) == 2:
        h, w = grid
        w2 = f"{h * w}×{out[0] * out[1]}"
        return (
            f"The blog post's example: r ({_size(grid)}) taken back to {_size(out)} by"
            f" y = r · W2, with W2 = W1ᵀ ({w2})",
            f"The post's example: r {_size(grid)} back to {_size(out)}, y = r · W2, W2 = W1ᵀ",
            "t guided tour",
        )
    sizes = f"{_size(grid)} → {_size(out)}" if len(out) == 2 else _size(grid)
    what = f"{scene.op}: {OPERATOR_NAMES[scene.op]}, {sizes}"
    return what, what, "t guided tour of the blog post"


def story(scene: Scene, output_shape: tuple[int, ...] = ()) -> str:
    """What the seed post says the scene's operator is for, with the scene's sizes."""
    text = TABLE[scene.op].story
    h, w = scene.x.shape[-2:]
    out = tuple(output_shape[-2:])
    if len(out) != 2:
        return text.format(w1="", w2="")
    if scene.op == "conv_transpose2d":
        big, small = out[0] * out[1], h * w  # W1 takes y's size to r's
    else:
        big, small = h * w, out[0] * out[1]
    return text.format(w1=f" (W1: {big}×{small})", w2=f" ({small}×{big})")


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
    return (
        f"{adjoint.lhs_text} = {format_number(adjoint.lhs)}",
        f"{adjoint.rhs_text} = {format_number(adjoint.rhs)}",
    )


NOTE_PARTS = (
    "story-head",
    "story-text",
    "notes-head",
    "notes-text",
    "adjoint-head",
    "adjoint-lhs",
    "adjoint-rhs",
    "adjoint-note",
)
"""The notes' paragraphs, top to bottom; an empty one takes no line."""


def scene_adjoint(scene: Scene) -> Adjoint | str | None:
    """The scene's adjoint identity (conv2d / conv_transpose2d), the engine's message if it
    has none, or None for the other operators."""
    # Values near 1e308 can overflow the two inner products: say so rather than warn.
    with np.errstate(all="ignore"):
        found = _adjoint(scene)
    if isinstance(found, Adjoint) and not np.isfinite([found.lhs, found.rhs]).all():
        return "the adjoint's two inner products overflow: the values are too large"
    return found


def _adjoint(scene: Scene) -> Adjoint | str | None:
    try:
        if scene.op == "conv_transpose2d":
            return adjoint_partner(
                scene.input,
                scene.kernel,
                scene.stride,
                scene.padding,
                scene.output_padding,
                scene.dilation,
                groups=scene.groups,
            ).identity
        if scene.op == "conv2d":
            return adjoint_of_conv2d(
                scene.input,
                scene.kernel,
                scene.stride,
                scene.padding,
                scene.dilation,
                groups=scene.groups,
            )
    except ValueError as exc:
        return str(exc)
    return None


def parameter_note(scene: Scene) -> tuple[str, str]:
    """(heading, text) about the operator's most misread parameter, or ("", "")."""
    h, w = scene.x.shape[-2:]
    try:
        if scene.op == "conv_transpose2d":
            if isinstance(scene.padding, str):
                return (
                    "output_padding",
                    f"padding='{scene.padding}' fixes the size itself: output_padding must be 0",
                )
            kh, kw = scene.kernel.shape[-2:]
            rows = output_padding_choices(h, kh, scene.stride, scene.padding, scene.dilation)
            cols = output_padding_choices(w, kw, scene.stride, scene.padding, scene.dilation)
            text = rows.text if rows.text == cols.text else f"rows: {rows.text}; columns: "
            if rows.text != cols.text:
                text += cols.text
            return "output_padding chooses a size", text
        if scene.op == "max_unpool2d":
            assert isinstance(scene.padding, int)
            k, s = scene.kernel_size, scene.stride
            note = unpool_output_size_note(scene.input, k, s, scene.padding)
            return "MaxUnpool2d output_size", note
        if scene.op == "max_pool2d":
            assert isinstance(scene.padding, int)
            k, s, d = scene.kernel_size, scene.stride, scene.dilation
            rows_c = ceil_mode_windows(h, k, s, scene.padding, d)
            cols_c = ceil_mode_windows(w, k, s, scene.padding, d)
            text = f"rows: {rows_c.text}"
            if cols_c.text != rows_c.text:
                text += f"; columns: {cols_c.text}"
            return "ceil_mode", text
    except (ValueError, AssertionError) as exc:
        return "", str(exc)
    return "", ""


def scene_notes(scene: Scene, output_shape: tuple[int, ...] = ()) -> dict[str, str]:
    """The text of every paragraph of the notes (see NOTE_PARTS) for ``scene``; "" for none."""
    parts = dict.fromkeys(NOTE_PARTS, "")
    parts["story-text"] = story(scene, output_shape)
    if parts["story-text"]:
        parts["story-head"] = "the blog post's story"
    parts["notes-head"], parts["notes-text"] = parameter_note(scene)
    adjoint = scene_adjoint(scene)
    if adjoint:
        parts["adjoint-head"] = "why “transposed”: the adjoint"
    if isinstance(adjoint, Adjoint):
        parts["adjoint-lhs"], parts["adjoint-rhs"] = adjoint_lines(adjoint)
        if scene.op == "conv_transpose2d":
            who = "y = r; x: fixed small integers."
        else:
            who = "x = the input; y: fixed small integers."
        parts["adjoint-note"] = f"{who} {WHY_TRANSPOSED}"
    else:
        parts["adjoint-note"] = adjoint or ""
    return parts
