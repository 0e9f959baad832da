"""Scenes with channels a learner can start from, by name: each keeps one point about the third
dimension on screen (the weight's layout, depthwise, groups, pixel shuffle's channel order,
pooling's per-plane indices)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tui_upsample.scene import Scene


@dataclass(frozen=True)
class ChannelPreset:
    """A named scene with channels: what it shows, and how it is made from the seed's examples."""

    name: str
    point: str
    make: Callable[[int], Scene]


def _conv(op: str, c_in: int, c_out: int, groups: int) -> Callable[[int], Scene]:
    def make(seed: int) -> Scene:
        base = Scene.seed_example(op).replace(seed=seed)
        return base.with_channels(c_in, c_out, groups)

    return make


def _planes(
    op: str, c_in: int, c_out: int | None = None, **changes: object
) -> Callable[[int], Scene]:
    def make(seed: int) -> Scene:
        base = Scene.seed_example(op).replace(seed=seed, **changes)
        return base.with_channels(c_in, c_out)

    return make


CHANNEL_PRESETS: Mapping[str, ChannelPreset] = {
    p.name: p
    for p in (
        ChannelPreset(
            "2 channels in, 2 out",
            "conv2d: each output channel sums the windows of both input planes;"
            " weight (C_out, C_in, kH, kW)",
            _conv("conv2d", 2, 2, 1),
        ),
        ChannelPreset(
            "depthwise (groups = C_in = 3)",
            "conv2d with one kernel per plane: each output channel sees only its own input plane",
            _conv("conv2d", 3, 3, 3),
        ),
        ChannelPreset(
            "grouped: 4 → 4, groups = 2",
            "conv2d: channels 0-1 feed outputs 0-1, channels 2-3 outputs 2-3;"
            " weight (4, 2, kH, kW)",
            _conv("conv2d", 4, 4, 2),
        ),
        ChannelPreset(
            "transposed: 2 → 2, weight (C_in, C_out, kH, kW)",
            "conv_transpose2d: input channel c scales kernel slice [c, o] into output channel o",
            _conv("conv_transpose2d", 2, 2, 1),
        ),
        ChannelPreset(
            "pixel shuffle: 1 channel out, r = 2 (4 in)",
            "pixel_shuffle: the r² = 4 input channels become the 4 cells of each 2×2 block",
            _planes("pixel_shuffle", 1, 1, upscale=2, order="crd"),
        ),
        ChannelPreset(
            "pixel shuffle: 2 channels out, r = 2, crd vs dcr",
            "pixel_shuffle of 8 channels: PyTorch reads c·r² + i·r + j (crd),"
            " TensorFlow (i·r + j)·C + c (dcr)",
            _planes("pixel_shuffle", 1, 2, upscale=2, order="crd"),
        ),
        ChannelPreset(
            "pixel unshuffle: 1 plane → 4 channels",
            "pixel_unshuffle (space to depth), the inverse of pixel shuffle",
            _planes("pixel_unshuffle", 1),
        ),
        ChannelPreset(
            "max pooling over 2 planes: indices per plane",
            "max_pool2d plane by plane: each argmax index is row·W + col within its own plane",
            _planes("max_pool2d", 2),
        ),
    )
}
"""The channel presets, in the order the palette lists them."""
