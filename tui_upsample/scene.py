"""What is on screen, without a screen: the operator, its parameters, the input, kernel and step.

A :class:`Scene` is a plain, immutable value (Python and NumPy only). The command line builds one
from its flags, the app shows one and replaces it on every edit, and a saved session or an export
only has to write one down. :func:`build_trace` hands it to the engine.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tui_upsample.engine.operators import METHODS, OPERATORS, TABLE, operator
from tui_upsample.engine.parameters import FILL, NUMBER, WINDOW_SIZE
from tui_upsample.engine.pixel_shuffle import pixel_shuffle
from tui_upsample.engine.validation import room_for

OPERATOR_NAMES: Mapping[str, str] = {name: op.words for name, op in TABLE.items()}
"""What each operator is called in words."""

PARAMETERS: Mapping[str, tuple[str, ...]] = {name: op.fields for name, op in TABLE.items()}
"""The scene fields each operator takes, in the order the settings pane lists them."""

KERNEL_OPERATORS = frozenset(name for name, op in TABLE.items() if op.kernel)
"""Operators with a learned kernel (the kernel grid is theirs); the others have a window size."""

FILLS = FILL.choices
"""How max unpooling fills the cells no maximum goes back to: PyTorch's zeros, or the seed's max."""

PADDING_WORDS = ("same", "valid")

PRESETS: Mapping[str, str] = {
    "seed": "the seed's example",
    "impulse": "an impulse: a single 1 (shows the kernel's footprint)",
    "ramp": "a ramp: 1, 2, 3, … row by row",
    "checkerboard": "a checkerboard of 1s and 0s",
    "small": "a 5×5 grid of small integers",
}
"""Grids a learner can start from, by name."""

MAX_SIDE = 64
"""Largest number of rows or columns of an edited grid."""

MAX_CHANNELS = 8
"""Most input or output channels (planes) a scene has."""

NEW_CELL: Mapping[str, int] = {"input": 0, "kernel": 1}
"""What a grid grown by a row or column holds in its new cells: the input 0, the kernel 1 (a new
kernel row of zeros would silently drop the inputs it covers from every sum)."""


def resolve_operator(name: str) -> str:
    """The engine name of operator ``name`` (an engine name or an alias); ValueError if none."""
    return operator(name).name


def _grid(rows: list[list[float]]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


SEED_RAMP = _grid([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
SEED_SMALL = _grid([[1, 2], [3, 4]])
SEED_KERNEL = _grid([[0, 1], [2, 3]])
SEED_POOL = _grid([[1, 3, 2, 0], [4, 6, 5, 1], [3, 1, 1, 2], [0, 2, 8, 7]])


def random_grid(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Small integers (−4 … 9), the same for the same seed."""
    rng = np.random.default_rng(seed)
    return rng.integers(-4, 10, size=shape).astype(np.float64)


def preset_grid(name: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Preset ``name`` (not "seed", which depends on the operator) in the given shape.

    ``shape`` is (H, W), or (C, H, W) for the channels of pixel shuffle; "small" ignores H and W
    and is always 5×5.
    """
    if name == "impulse":
        grid = np.zeros(shape)
        centre = tuple(s // 2 for s in shape[-2:])
        grid[(0,) * (len(shape) - 2) + centre] = 1.0
        return grid
    if name == "ramp":
        return np.arange(1, math.prod(shape) + 1, dtype=np.float64).reshape(shape)
    if name == "checkerboard":
        idx = np.indices(shape[-2:]).sum(axis=0) % 2 == 0
        return np.broadcast_to(idx, shape).astype(np.float64).copy()
    if name == "small":
        return random_grid((*shape[:-2], 5, 5), seed)
    raise ValueError(f"unknown preset {name!r} (choose from {', '.join(PRESETS)})")


def resize_grid(grid: np.ndarray, rows: int, cols: int, fill: float = 0.0) -> np.ndarray:
    """``grid`` cut or extended to rows × cols (the top-left part kept, new cells ``fill``)."""
    rows = min(max(int(rows), 1), MAX_SIDE)
    cols = min(max(int(cols), 1), MAX_SIDE)
    out = np.full((*grid.shape[:-2], rows, cols), float(fill))
    r, c = min(rows, grid.shape[-2]), min(cols, grid.shape[-1])
    out[..., :r, :c] = grid[..., :r, :c]
    return out


@dataclass(frozen=True, eq=False)
class Scene:
    """One operator with its parameters, applied to one input, seen at one step.

    The parameters an operator does not take are kept (so switching back restores them) but not
    passed to the engine. ``input`` is the grid every operator but pixel shuffle takes: 2-D for
    one plane, or the (C, H, W) planes of one image; ``channels`` is pixel shuffle's
    (C_out·r², H, W) input. ``kernel`` is 2-D for one plane, or 4-D in PyTorch's layout for the
    operator: (C_out, C_in/groups, kH, kW) for conv2d, (C_in, C_out/groups, kH, kW) for
    conv_transpose2d.
    """

    op: str = "conv_transpose2d"
    input: np.ndarray = field(default_factory=lambda: SEED_SMALL.copy())
    kernel: np.ndarray = field(default_factory=lambda: SEED_KERNEL.copy())
    channels: np.ndarray = field(
        default_factory=lambda: np.arange(1, 17, dtype=np.float64).reshape(4, 2, 2)
    )
    kernel_size: int = 2
    """Window size of max pooling / unpooling (a convolution's comes from its kernel)."""
    stride: int = 1
    padding: int | str = 0
    """An integer, or "same" / "valid" for the convolutions."""
    output_padding: int = 0
    dilation: int = 1
    scale: float = 2.0
    """scale_factor of nearest, bilinear and bed-of-nails upsampling."""
    upscale: int = 2
    """upscale_factor r of pixel shuffle (its input has r² channels per output channel)."""
    downscale: int = 2
    """downscale_factor r of pixel unshuffle (each input channel becomes r² channels)."""
    order: str = "crd"
    """Which channel pixel shuffle reads: PyTorch's "crd" or TensorFlow's / ONNX's "dcr"."""
    groups: int = 1
    """groups of the convolutions: each group of input channels feeds its own output channels."""
    align_corners: bool = False
    ceil_mode: bool = False
    count_include_pad: bool = True
    """avg_pool2d: divide by the whole window, padding included, or only by the cells of x."""
    divisor_override: int | None = None
    """avg_pool2d: divide every window's sum by this instead (None: the window's own count)."""
    exact: bool = False
    """upsample_nearest: PyTorch's "nearest-exact" (the cell under each output cell's centre)."""
    method: str = "matrix"
    """How a convolution is stepped through (see METHODS); ignored by the other operators."""
    fill: str = "zeros"
    seed: int = 0
    """Seed of the next random grid."""
    step: int = 0
    """Index of the step on screen (0 is the first)."""

    # Equality by value, arrays included (dataclass equality would compare arrays elementwise).
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scene):
            return NotImplemented
        for f in dataclasses.fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
                    return False
                if a.shape != b.shape or not np.array_equal(a, b):
                    return False
            elif a != b:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def seed_example(cls, op: str = "conv_transpose2d") -> Scene:
        """The seed post's example for ``op``: r (2×2) back to 3×3 for transposed convolution,
        X (3×3) to r (2×2) for convolution, a 4×4 map for pooling, a 2×2 map for upsampling."""
        op = resolve_operator(op)
        # The seed post's transposed convolution is r · W2, so its example starts on "matrix".
        base = cls(op=op, method="matrix" if op == "conv_transpose2d" else "im2col")
        if op == "conv2d":
            return base.replace(input=SEED_RAMP.copy())
        if op == "pixel_unshuffle":
            # pixel shuffle's seed channels, shuffled: unshuffling gives them back
            return base.replace(input=pixel_shuffle(base.channels, base.upscale)[0])
        if TABLE[op].parameter("kernel_size") is WINDOW_SIZE:  # the pooling family
            return base.replace(input=SEED_POOL.copy(), kernel_size=2, stride=2)
        return base

    # Reading -----------------------------------------------------------------------------------
    @property
    def x(self) -> np.ndarray:
        """The grid the operator is applied to (``channels`` for pixel shuffle)."""
        return self.channels if self.op == "pixel_shuffle" else self.input

    @property
    def plane(self) -> np.ndarray:
        """The input's first plane (the input itself in a one-plane scene): the lessons about
        sizes and crops, which channels do not change, read it."""
        return self.input if self.input.ndim == 2 else self.input[0]

    @property
    def kernel_slice(self) -> np.ndarray:
        """The kernel's first kH×kW slice (the kernel itself in a one-plane scene)."""
        return self.kernel if self.kernel.ndim == 2 else self.kernel[0, 0]

    @property
    def multichannel(self) -> bool:
        """Whether the scene has channels beyond one plane (a 3-D input or a 4-D kernel); pixel
        shuffle's input is channels in any case."""
        return self.input.ndim == 3 or self.kernel.ndim == 4 or self.groups != 1

    @property
    def in_channels(self) -> int:
        """How many planes the operator's input has."""
        x = self.x
        return int(x.shape[0]) if x.ndim == 3 else 1

    @property
    def out_channels(self) -> int:
        """How many planes the operator's output has."""
        if self.op == "pixel_shuffle":
            return max(self.channels.shape[0] // max(self.upscale, 1) ** 2, 1)
        if self.op == "pixel_unshuffle":
            return self.in_channels * self.downscale**2
        if self.has_kernel and self.kernel.ndim == 4:
            if self.op == "conv2d":
                return int(self.kernel.shape[0])
            return int(self.kernel.shape[1]) * self.groups
        return self.in_channels

    @property
    def compare(self) -> bool:
        """Whether the scene is a transposed convolution stepped through its three faces at once
        (method "all"): the one source of the app's compare layout."""
        return self.op == "conv_transpose2d" and self.method == "all"

    @property
    def has_kernel(self) -> bool:
        """Whether the operator has a kernel grid to edit."""
        return self.op in KERNEL_OPERATORS

    @property
    def takes(self) -> tuple[str, ...]:
        """The parameters (scene fields) this operator takes."""
        return PARAMETERS[self.op]

    @property
    def effective_kernel_size(self) -> int | tuple[int, int]:
        """The kernel size as the operator sees it (a convolution's kernel shape)."""
        if self.has_kernel:
            h, w = self.kernel.shape[-2:]
            return h if h == w else (h, w)
        return self.kernel_size

    def is_seed_example(self) -> bool:
        """Whether this is still the seed's example for its operator (only the step moved)."""
        return self.replace(step=0, seed=0) == Scene.seed_example(self.op)

    def engine_params(self) -> dict[str, Any]:
        """The keyword arguments of ``trace(op, x, **params)`` for this scene."""
        entry = TABLE[self.op]
        params: dict[str, Any] = {"weight": self.kernel} if entry.kernel else {}
        for p in entry.parameters:
            if p.keyword is None:
                continue
            value = getattr(self, p.field)
            if p.field == "method" and value not in entry.methods:
                value = entry.methods[0]
            elif p.kind == NUMBER:
                value = _number(value)
            params[p.keyword] = value
        if entry.grouped and self.multichannel:
            params["groups"] = self.groups
        return params

    # Changing (every change returns a new scene) ----------------------------------------------
    def replace(self, **changes: Any) -> Scene:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def with_op(self, op: str) -> Scene:
        """The same scene under another operator.

        An untouched seed example becomes the new operator's seed example; anything the learner
        edited is kept.
        """
        op = resolve_operator(op)
        if op == self.op:
            return self
        if self.is_seed_example():
            return Scene.seed_example(op).replace(seed=self.seed)
        method = self.method if self.method in METHODS.get(op, ()) else METHODS.get(op, ("",))[0]
        padding = self.padding
        if isinstance(padding, str) and op not in KERNEL_OPERATORS:
            padding = 0
        moved = self.replace(op=op, method=method or self.method, padding=padding, step=0)
        if self.multichannel and op in KERNEL_OPERATORS:
            planes = int(self.input.shape[0]) if self.input.ndim == 3 else 1
            out = planes
            if self.has_kernel and self.kernel.ndim == 4:
                # The same weights, in the other convolution's layout: the channel counts stay.
                out = self.out_channels
                moved = moved.replace(kernel=swap_layout(self.kernel, self.groups))
            moved = moved.with_channels(planes, out, self.groups)
        return moved

    def next_op(self, offset: int = 1) -> Scene:
        """The scene under the next (or, with -1, previous) operator of :data:`OPERATORS`."""
        i = OPERATORS.index(self.op)
        return self.with_op(OPERATORS[(i + offset) % len(OPERATORS)])

    def next_method(self) -> Scene:
        """The scene stepped through by the operator's next method (unchanged if it has one)."""
        methods = METHODS.get(self.op, ())
        if len(methods) < 2:
            return self
        i = methods.index(self.method) if self.method in methods else -1
        return self.replace(method=methods[(i + 1) % len(methods)])

    def with_x(self, grid: np.ndarray) -> Scene:
        """The scene with a new input grid (the channels for pixel shuffle)."""
        grid = np.array(grid, dtype=np.float64)
        if self.op == "pixel_shuffle":
            if grid.ndim == 2:
                grid = np.broadcast_to(grid, (self.upscale**2, *grid.shape)).copy()
            return self.replace(channels=grid)
        if grid.ndim == 3 and grid.shape[0] == 1 and self.kernel.ndim == 2 and self.groups == 1:
            grid = grid[0]  # one plane, as every one-plane scene holds it
        return self.replace(input=grid)

    def with_grid(self, which: str, grid: np.ndarray) -> Scene:
        """The scene with its "input" or "kernel" grid replaced."""
        if which == "kernel":
            return self.replace(kernel=np.array(grid, dtype=np.float64))
        return self.with_x(grid)

    def grid(self, which: str) -> np.ndarray:
        """The "input" grid (channels for pixel shuffle) or the "kernel" grid."""
        return self.kernel if which == "kernel" else self.x

    def with_cell(self, which: str, cell: tuple[int, ...], value: float) -> Scene:
        """The scene with one cell of the "input" or "kernel" grid set to ``value``."""
        grid = self.grid(which).copy()
        grid[cell] = float(value)
        return self.with_grid(which, grid)

    def with_preset(self, which: str, name: str) -> Scene:
        """The scene with grid ``which`` ("input" or "kernel") set to preset ``name``.

        "seed" restores the seed example's grid for this operator (both grids, for "input").
        """
        if name == "seed":
            seed = Scene.seed_example(self.op)
            if which == "kernel":
                return self.replace(kernel=seed.kernel.copy())
            return self.replace(
                input=seed.input.copy(), kernel=seed.kernel.copy(), channels=seed.channels.copy()
            )
        grid = preset_grid(name, self.grid(which).shape, self.seed)
        return self.with_grid(which, grid).replace(seed=self.seed + (name == "small"))

    def randomised(self, which: str) -> Scene:
        """Grid ``which`` filled with small seeded random integers (the seed then moves on)."""
        grid = random_grid(self.grid(which).shape, self.seed)
        return self.with_grid(which, grid).replace(seed=self.seed + 1)

    def zeroed(self, which: str) -> Scene:
        """Grid ``which`` set to zeros."""
        return self.with_grid(which, np.zeros_like(self.grid(which)))

    def resized(self, which: str, rows: int, cols: int) -> Scene:
        """Grid ``which`` cut or extended to rows × cols (1 … 64 each); new input cells are 0,
        new kernel cells 1."""
        return self.with_grid(which, resize_grid(self.grid(which), rows, cols, NEW_CELL[which]))

    def with_param(self, name: str, value: Any) -> Scene:
        """The scene with parameter ``name`` set. A convolution's kernel_size resizes its kernel;
        pixel shuffle's upscale factor changes its number of channels to r²."""
        if name == "kernel_size" and self.has_kernel:
            k = int(value)
            return self.resized("kernel", k, k)
        if name == "upscale":
            r = int(value)
            out = self.out_channels
            if r >= 1 and out * r**2 != self.channels.shape[0]:
                c, h, w = self.channels.shape
                # r² channels are made here, before the engine sees them: refuse what it would,
                # and an output (as many cells) larger than the app steps through.
                room_for("upscale_factor", r, (out * r * r, h, w), "the r² input channels")
                check_output_size(self.replace(op="pixel_shuffle"), (out, h * r, w * r))
                channels = np.zeros((out * r * r, h, w))
                n = min(c, out * r * r)
                channels[:n] = self.channels[:n]
                if out * r * r > c:
                    extra = np.arange(c * h * w + 1, out * r * r * h * w + 1, dtype=np.float64)
                    channels[c:] = extra.reshape(out * r * r - c, h, w)
                return self.replace(upscale=r, channels=channels)
            return self.replace(upscale=r)
        if name == "method" and value not in METHODS.get(self.op, (value,)):
            raise ValueError(f"method={value!r}: {self.op} steps by {', '.join(METHODS[self.op])}")
        return self.replace(**{name: value})

    def with_channels(
        self, in_channels: int, out_channels: int | None = None, groups: int = 1
    ) -> Scene:
        """The scene with ``in_channels`` input planes, ``out_channels`` output planes (None:
        what the operator makes of the input) and ``groups`` groups (1 … MAX_CHANNELS each).

        The planes and kernel slices it had are kept; new ones are seeded random. The kernel
        takes the operator's layout; pixel shuffle's input becomes C_out·r² channels (there
        ``in_channels`` is not asked for: it is C_out·r²). ValueError naming the count that does
        not fit the operator. One input and one output plane in one group give back a one-plane
        scene (2-D grids).
        """
        if self.op == "pixel_unshuffle":
            wanted = in_channels * self.downscale**2
            if out_channels not in (None, wanted):
                raise ValueError(
                    f"out_channels={out_channels}: pixel_unshuffle makes C_in·r² ="
                    f" {in_channels}·{self.downscale**2} = {wanted} channels"
                )
            out_channels = in_channels
        elif out_channels is None:
            out_channels = self.out_channels if self.op == "pixel_shuffle" else in_channels
        for name, n in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not 1 <= n <= MAX_CHANNELS:
                raise ValueError(f"{name}={n}: must be 1 to {MAX_CHANNELS}")
        if not 1 <= groups <= MAX_CHANNELS:
            raise ValueError(f"groups={groups}: must be 1 to {MAX_CHANNELS}")
        rng_seed = self.seed
        if self.op == "pixel_shuffle":
            r2 = self.upscale**2
            channels = _grown(
                self.channels, (out_channels * r2, *self.channels.shape[1:]), rng_seed
            )
            return self.replace(channels=channels)
        takes_groups = self.has_kernel
        if not takes_groups and groups != 1:
            raise ValueError(f"groups={groups}: only conv2d and conv_transpose2d take groups")
        if not takes_groups and out_channels != in_channels:
            raise ValueError(
                f"out_channels={out_channels}: {self.op} works plane by plane, so it keeps the"
                f" {in_channels} input channels"
            )
        if takes_groups and (in_channels % groups or out_channels % groups):
            raise ValueError(
                f"groups={groups}: must divide both the {in_channels} input and the"
                f" {out_channels} output channels"
            )
        plane = self.input if self.input.ndim == 2 else self.input[0]
        one = in_channels == 1 and out_channels == 1 and groups == 1
        if one and not (self.op == "pixel_unshuffle" and self.input.ndim == 3):
            kernel = self.kernel if self.kernel.ndim == 2 else self.kernel[0, 0]
            return self.replace(input=plane.copy(), kernel=kernel.copy(), groups=1)
        planes = self.input if self.input.ndim == 3 else self.input[None]
        x = _grown(planes, (in_channels, *plane.shape), rng_seed)
        changes: dict[str, Any] = {"input": x, "groups": groups if takes_groups else 1}
        if takes_groups:
            changes["kernel"] = _grown(
                self._kernel_slices(),
                _kernel_shape(self.op, in_channels, out_channels, groups, self.kernel.shape[-2:]),
                rng_seed + 1,
            )
        return self.replace(**changes)

    def _kernel_slices(self) -> np.ndarray:
        """The kernel as 4-D in this operator's layout (a 2-D kernel is one slice). A kernel in
        the other convolution's layout (after an operator switch) is read as that one's."""
        return self.kernel if self.kernel.ndim == 4 else self.kernel[None, None]

    def clamp_step(self, count: int) -> Scene:
        """The scene with its step kept where it still exists among ``count`` steps."""
        step = min(max(self.step, 0), max(count - 1, 0))
        return self if step == self.step else self.replace(step=step)


def swap_layout(weight: np.ndarray, groups: int) -> np.ndarray:
    """A 4-D weight moved between conv2d's layout (C_out, C_in/g, kH, kW) and conv_transpose2d's
    (C_in, C_out/g, kH, kW), keeping each group's slices: the two middle axes swap per group."""
    a, b = weight.shape[:2]
    per = weight.reshape(groups, a // groups, b, *weight.shape[2:])
    return np.ascontiguousarray(per.swapaxes(1, 2)).reshape(
        groups * b, a // groups, *weight.shape[2:]
    )


def _kernel_shape(
    op: str, in_channels: int, out_channels: int, groups: int, size: tuple[int, ...]
) -> tuple[int, ...]:
    """The 4-D weight shape of ``op`` in PyTorch's layout."""
    if op == "conv2d":
        return (out_channels, in_channels // groups, *size)
    return (in_channels, out_channels // groups, *size)


def _grown(grid: np.ndarray, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """``grid`` cut or grown to ``shape`` (every axis from the front): the part both share kept,
    the rest small seeded random integers."""
    out = random_grid(shape, seed)
    keep = tuple(slice(0, min(a, b)) for a, b in zip(grid.shape, shape, strict=True))
    out[keep] = grid[keep]
    return out


def _number(value: float) -> float | int:
    """A whole float as an int (scale 2.0 → 2), anything else as it is."""
    return int(value) if float(value).is_integer() else float(value)


MAX_PARAMETER = 10_000
"""Largest stride, padding, dilation, output padding or factor a scene takes: far beyond any
64×64 grid, and small enough that no size computed from it overflows."""

MAX_OUTPUT_CELLS = 1 << 20
"""The largest output the app steps through: 1,048,576 cells (1024 × 1024). The engine goes far
further, but a screen of a million cells is already more than anyone reads, and a bigger one
would take seconds and gigabytes to open. Scenes past it are refused with this number named."""


MAX_COMPARE_PRODUCTS = 1 << 27
"""The most products (output cells × kernel taps) the compare layout's direct face may make:
134,217,728. Its zero-inserted convolution multiplies every tap by every output cell, zeros and
all; past this it would take seconds. Each face alone steps through such a scene."""


class ValueOverflow(ValueError):
    """The grids' values are finite but so large that the operator's output overflows."""


INTEGER_PARAMETERS = (
    "kernel_size",
    "stride",
    "padding",
    "output_padding",
    "dilation",
    "upscale",
    "downscale",
)


def check_output_size(scene: Scene, shape: tuple[int, ...]) -> None:
    """ValueError naming the cap if an output of ``shape`` is more than the app steps through."""
    cells = math.prod(shape)
    if cells > MAX_OUTPUT_CELLS:
        size = "×".join(str(n) for n in shape)
        cause = TABLE[scene.op].grows_with or "the input"
        raise ValueError(
            f"the output would be {size} = {cells:,} cells: the app steps through at most"
            f" {MAX_OUTPUT_CELLS:,} (1024 × 1024); lower {cause}"
        )


def check_compare_size(scene: Scene, shape: tuple[int, ...]) -> None:
    """ValueError naming the cap if the three faces side by side would make more products
    than :data:`MAX_COMPARE_PRODUCTS`."""
    kernel = scene.kernel
    # Each output cell reads C_in/g·kH·kW taps: a (C_in, C_out/g, kH, kW) weight's size / C_out.
    taps = int(kernel.size) // (kernel.shape[1] * scene.groups) if kernel.ndim == 4 else kernel.size
    products = math.prod(shape) * taps
    if products > MAX_COMPARE_PRODUCTS:
        size = "×".join(str(n) for n in shape)
        raise ValueError(
            f"method=all: the direct face would multiply {size} output cells by {taps} kernel"
            f" taps = {products:,} products, more than the compare view makes"
            f" ({MAX_COMPARE_PRODUCTS:,}); lower the stride or the kernel, or step one face"
        )


def build_trace(scene: Scene) -> Any:
    """The engine's step-by-step trace of the scene.

    ValueError (EngineError from the engine) for invalid parameters, one larger than
    :data:`MAX_PARAMETER`, an output larger than :data:`MAX_OUTPUT_CELLS` (refused before it is
    built), or values so large that the output overflows (no inf is shown or exported as if it
    were a result).
    """
    from tui_upsample.engine import trace

    for name in INTEGER_PARAMETERS:
        value = getattr(scene, name)
        if name in scene.takes and isinstance(value, int) and value > MAX_PARAMETER:
            shown = value if value < 10**20 else f"an integer of {len(str(value))} digits"
            raise ValueError(f"{name}={shown}: must be at most {MAX_PARAMETER:,}")
    entry = TABLE[scene.op]
    params = scene.engine_params()
    try:
        shape = entry.output_shape(tuple(scene.x.shape), params)
    except (ValueError, TypeError, OverflowError):
        shape = None  # the parameters are invalid: the engine says which rule they break
    if shape is not None:
        check_output_size(scene, shape)
        if scene.compare:
            check_compare_size(scene, shape)
    with np.errstate(all="ignore"):  # an overflow is refused below, not warned about
        result = trace(scene.op, scene.x, **params)
        finite = np.isfinite(result.result)
    if not finite.all():
        cell = ",".join(str(int(i)) for i in np.argwhere(~finite)[0])
        raise ValueOverflow(
            f"output[{cell}] overflows to ±inf: the {_values_of(scene)} are too large for"
            f" {scene.op}"
        )
    return result


def _values_of(scene: Scene) -> str:
    return "input and kernel values" if scene.has_kernel else "input values"
