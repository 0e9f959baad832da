"""The captions of a matrix's channel blocks, in words: what the engine's blocks say, named.

The engine gives each block of im2col, of the kernel as columns and of W2 as data (its rows,
columns, channels and the index of its kernel slice in PyTorch's layout); this module words
them, longest first, for :class:`~tui_upsample.widgets.blocks.grid_view.BlockFrame`, which
draws the longest wording that fits the block.
"""

from __future__ import annotations

from tui_upsample.engine.steps import Block, Blocks
from tui_upsample.language import _
from tui_upsample.widgets.blocks.grid_view import BlockFrame


def block_captions(block: Block) -> tuple[str, ...]:
    """A block's caption, longest first: ``w[0,1]: c=0 → o=1`` names the kernel slice in
    PyTorch's layout of the operator, then the input and output channel it joins."""
    c, o = block.input_channel, block.output_channel
    if o is None:  # im2col: the windows of one input channel
        return (_("input channel {c}").format(c=c), f"c={c}", f"{c}")
    if block.weight is None:
        return (
            _("input channel {c} → output channel {o}: another group, absent").format(c=c, o=o),
            _("c={c} → o={o}: absent").format(c=c, o=o),
            _("absent"),
            "·",
        )
    a, b = block.weight
    return (
        _("w[{a},{b}]: input channel {c} → output channel {o}").format(a=a, b=b, c=c, o=o),
        f"w[{a},{b}]: c={c} → o={o}",
        f"w[{a},{b}]",
        f"{a},{b}",
    )


def block_frame(blocks: Blocks | None) -> BlockFrame | None:
    """How a grid view draws ``blocks`` (None for a grid without channel blocks)."""
    if blocks is None:
        return None
    rows, cols = max(blocks.row_size, 1), max(blocks.col_size, 1)
    bands: dict[int, tuple[str, ...]] = {}
    for band in range(len({b.rows.start for b in blocks.cells})):
        channel = blocks.band_channel(band)
        if channel is not None:
            bands[band] = band_captions(blocks.rows_are, channel)
    return BlockFrame(
        blocks.row_size,
        blocks.col_size,
        {(b.rows.start // rows, b.cols.start // cols): block_captions(b) for b in blocks.cells},
        bands,
    )


def band_captions(side: str, channel: int) -> tuple[str, ...]:
    """A band's caption, longest first: the input (or output) channel whose rows it holds."""
    if side == "input":
        return (_("input channel {c}").format(c=channel), f"c={channel}")
    return (_("output channel {o}").format(o=channel), f"o={channel}")
