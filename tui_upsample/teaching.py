"""What the teaching panes say about a scene, without a screen: the notes under the settings.

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
from tui_upsample.engine.output_padding import output_padding_choices
from tui_upsample.engine.text import format_number
from tui_upsample.engine.unpooling import unpool_output_size_note
from tui_upsample.scene import Scene

WHY_TRANSPOSED = (
    "Equal for every x and y, because W2 = W1ᵀ: so conv_transpose2d is the gradient of conv2d "
    "with respect to its input, and as a layer its w is learned in the backward pass — max "
    "unpooling has no weights to learn."
)
"""Why the adjoint identity matters (the seed's paragraphs 4 and 6)."""


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


def scene_notes(scene: Scene) -> dict[str, str]:
    """The text of every paragraph of the notes (see NOTE_PARTS) for ``scene``; "" for none."""
    parts = dict.fromkeys(NOTE_PARTS, "")
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
