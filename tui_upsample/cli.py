"""The ``upsample-tui`` command: build a scene from flags, check it with the engine, start the app.

With ``--screenshot OUT.svg`` the app runs without a terminal, presses the given keys, writes an SVG
of the screen and exits. A bad flag, value or file (engine rule violations included) ends with
argparse's ``upsample-tui: error: …`` line and status 2, never a traceback. Textual is imported only
when the app is actually started, so ``--help`` and errors are quick.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

# The grids are at most 64×64: OpenBLAS's thread pool would only cost start-up time. Set before
# NumPy loads it; a value the user exported wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from tui_upsample import __version__
from tui_upsample.engine.channels import layout_error
from tui_upsample.engine.operators import ALIASES, TABLE, all_parameters
from tui_upsample.engine.parameters import CHOICE, FLAG
from tui_upsample.language import languages
from tui_upsample.safe_text import has_control, quoted, shown
from tui_upsample.scene import (
    FILLS,
    MAX_CHANNELS,
    MAX_SIDE,
    METHODS,
    OPERATORS,
    PRESETS,
    Scene,
    build_trace,
    check_output_size,
    preset_grid,
    random_grid,
    resolve_operator,
)

if TYPE_CHECKING:
    from tui_upsample.app import UpsampleApp

PROG = "upsample-tui"
HOST = "127.0.0.1"
PORT = 8000
"""Where ``--serve`` listens unless told otherwise (this machine only)."""
SERVE_FLAGS = ("--serve", "--host", "--port", "--public-url")
"""The flags about serving; every other flag given with ``--serve`` goes to each visitor's app."""
EXPORT_FORMATS = ("pytorch", "keras", "numpy", "session")
"""What ``--export`` writes (tui_upsample.export.FORMATS, repeated so --help stays quick)."""
SCREENSHOT_THEME = "textual-dark"
RECORD_FORMATS = (".cast", ".svg", ".gif")
"""What ``--record`` writes, by the file's extension."""
TRANSCRIPT_FORMATS = ("text", "markdown")
"""What ``--transcript`` writes (tui_upsample.transcript.FORMATS, repeated so --help stays
quick)."""
FRAME_TIME = (0.05, 60.0)
"""The shortest and longest time one frame of a recording may show, in seconds."""
MAX_FRAMES = 2000
"""The most frames a recording takes (a 64×64 scene has thousands of steps: --step and --press
choose a part)."""
PROGRESS_FROM = 10
"""Recordings of this many frames or more show a progress bar (on a terminal)."""

EPILOG = f"""\
operators: {", ".join(OPERATORS)}
  (also: {", ".join(ALIASES)})
presets: {", ".join(PRESETS)}; FILE: .csv (rows of comma-separated numbers), .npy or .json (a list
  of rows); --input also takes a 3-D .npy/.json of (C, H, W) channels (pixel_shuffle: C_out·r²
  of them), --kernel a 4-D one in PyTorch's layout: (C_out, C_in/groups, kH, kW) for conv2d,
  (C_in, C_out/groups, kH, kW) for conv_transpose2d.
channels: --in-channels / --out-channels / --groups (1 to {MAX_CHANNELS}) without files keep the
  planes and kernel slice there are and add seeded random ones.

keys: n/p next/previous step, space play/pause, home/end first/last step, o next operator,
  m next face (scatter, matrix, direct), tab between panes, F1 or ? help, ctrl+p command
  palette, q quit (the scene is kept: --resume opens it);
  t guided tour (] / [ next / previous stop, v variant, t or escape to leave);
  c compare (w: W1 / W2), k footprint overlap, f Keras vs PyTorch conventions;
  g quiz (G: shape questions), s solver for the output size, i max_unpool2d's indices.
  Theme and keys (by binding id) persist in a config.toml: F1 says where.

examples:
  upsample-tui                                  the seed's example: r (2×2) back to 3×3
  upsample-tui --op pool --size 6x6 --kernel-size 3 --stride 2
  upsample-tui --op convT --stride 2 --kernel-size 3 --method scatter
  upsample-tui --screenshot out.svg --press n,n,n --terminal-size 120x40
  upsample-tui --tour                           the seed post, paragraph by paragraph
  upsample-tui --stride 2 --export pytorch > t.py   the scene as a checked PyTorch script
  upsample-tui --load s.json --stride 3         a saved session (ctrl+s), stride changed
  upsample-tui --resume                         the scene on screen when the app last quit
  upsample-tui --tour-stop 6 --screenshot w2.svg
  upsample-tui --stride 2 --record steps.svg    every step, one animated SVG (.cast, .gif too)
  upsample-tui --transcript --format markdown > sheet.md   a worksheet of every step
  upsample-tui --lang ko --tour                 the tour in Korean, the post's language
  upsample-tui --serve --stride 2               in browser pages (the web extra), one app each
  upsample-tui --solve 4:8 --op convT           every setting that doubles a side of 4
"""

# Engine parameter names → the flag that sets them, to say which flag a rule violation is about.
ENGINE_FLAGS = {
    "weight": "--kernel",
    "x": "--input",
    **{p.keyword: p.flag for op in TABLE.values() for p in op.parameters if p.keyword},
    "kernel_size": "--kernel-size",
}
"""Engine parameter names → the flag that sets them, to say which flag a rule violation is
about (read from the operator table)."""


LARGEST_COUNT = 10**18
"""No count or seed a flag takes is larger (a 400-digit step is refused, not echoed)."""


def _integer(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not an integer") from None
    if value > LARGEST_COUNT:
        raise argparse.ArgumentTypeError(f"{quoted(text)}: too large (at most 10^18)")
    return value


def _positive(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return value


def _side(text: str) -> int:
    """A kernel or window side: 1 to MAX_SIDE, like the grids."""
    value = _positive(text)
    if value > MAX_SIDE:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at most {MAX_SIDE}")
    return value


def _non_negative(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must not be negative")
    return value


def _padding(text: str) -> int | str:
    if text.lower() in ("same", "valid"):
        return text.lower()
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer, 'same' or 'valid'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must not be negative")
    return value


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be a finite number greater than 0")
    return value


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not HxW (e.g. 4x4)")
    rows, cols = int(match.group(1)), int(match.group(2))
    if not (1 <= rows <= MAX_SIDE and 1 <= cols <= MAX_SIDE):
        raise argparse.ArgumentTypeError(f"{text!r}: rows and columns must be 1 to {MAX_SIDE}")
    return rows, cols


def _sizes(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not I:O (e.g. 2:3)")
    i, o = int(match.group(1)), int(match.group(2))
    if min(i, o) < 1:
        raise argparse.ArgumentTypeError(f"{quoted(text)}: both sizes must be at least 1")
    return i, o


def _frame_time(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a number of seconds") from None
    if not FRAME_TIME[0] <= value <= FRAME_TIME[1]:
        low, high = FRAME_TIME
        raise argparse.ArgumentTypeError(f"{quoted(text)}: between {low:g} and {high:g} seconds")
    return value


def _language(text: str) -> str:
    known = languages()
    if text not in known:
        raise argparse.ArgumentTypeError(
            f"{quoted(text)}: no such language (known: {', '.join(known)})"
        )
    return text


def _port(text: str) -> int:
    value = _integer(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: a port is 1 to 65535")
    return value


def _channel_count(text: str) -> int:
    """A number of channels or groups: 1 to MAX_CHANNELS."""
    value = _positive(text)
    if value > MAX_CHANNELS:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at most {MAX_CHANNELS}")
    return value


def _terminal_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not WxH (e.g. 120x40)")
    width, height = int(match.group(1)), int(match.group(2))
    if width < 20 or height < 10 or width > 1000 or height > 500:
        raise argparse.ArgumentTypeError(f"{text!r}: between 20x10 and 1000x500")
    return width, height


_HAND_MADE = frozenset(
    {
        "kernel_size",
        "stride",
        "padding",
        "output_padding",
        "dilation",
        "scale",
        "upscale",
        "downscale",
        "align_corners",
        "ceil_mode",
        "method",
        "fill",
    }
)
"""The parameters whose flags are written out below (their values need more than a type:
presets, 'same', a factor shared by two operators); every other parameter of the operator
table gets its flag from its entry."""


def _table_flags(group: argparse._ArgumentGroup) -> None:
    """A flag for each table parameter not in _HAND_MADE, by its kind."""
    for p in all_parameters():
        if p.field in _HAND_MADE:
            continue
        ops = ", ".join(op.name for op in TABLE.values() if p.field in op.fields)
        if p.kind == FLAG:
            group.add_argument(
                p.flag,
                dest=p.field,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=f"{ops}: {p.rule}",
            )
        elif p.kind == CHOICE:
            group.add_argument(
                p.flag, dest=p.field, choices=p.choices, default=None, help=f"{ops}: {p.rule}"
            )
        else:
            group.add_argument(
                p.flag, dest=p.field, type=_positive, metavar="N", help=f"{ops}: {p.rule}"
            )


SCENE_FLAGS = (
    "op",
    "input",
    "kernel",
    "size",
    "kernel_size",
    "stride",
    "padding",
    "output_padding",
    "dilation",
    "scale",
    "align_corners",
    "ceil_mode",
    "method",
    "fill",
    "seed",
    "step",
    "in_channels",
    "out_channels",
    "groups",
    *(p.field for p in all_parameters() if p.field not in _HAND_MADE),
)
"""The destinations of the scene flags (the guided tour brings its own scenes)."""


def _operator(text: str) -> str:
    try:
        return resolve_operator(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake prints one short usage line and then one safe error line, not
    every flag: the values a user gave are echoed in it, and a control character among them
    (ESC, BEL, CR, newline, C1) is written as its escape."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            2,
            f"usage: {self.prog} [flags]  ({self.prog} --help lists them)\n"
            f"{self.prog}: error: {shown(message)}\n",
        )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``upsample-tui``."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Step, key by key, through the operators that make feature maps bigger again:"
            " unpooling, upsampling, transposed convolution, pixel shuffle."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scene = parser.add_argument_group("scene")
    scene.add_argument(
        "--op",
        type=_operator,
        default=None,
        metavar="OP",
        help="operator (engine name or alias; default conv_transpose2d)",
    )
    scene.add_argument(
        "--input",
        metavar="PRESET|FILE",
        help=f"input grid: a preset ({', '.join(PRESETS)}) or a file",
    )
    scene.add_argument(
        "--kernel",
        metavar="PRESET|FILE",
        help="kernel of conv2d / conv_transpose2d: a preset or a file",
    )
    scene.add_argument(
        "--size",
        type=_size,
        metavar="HxW",
        help=f"input size (1 to {MAX_SIDE} each); alone: a seeded random grid",
    )
    scene.add_argument(
        "--kernel-size",
        type=_side,
        metavar="K",
        help="window size (pooling) or kernel size K×K (convolutions)",
    )
    scene.add_argument("--stride", type=_positive, metavar="S")
    scene.add_argument("--padding", type=_padding, metavar="P|same|valid")
    scene.add_argument(
        "--output-padding",
        type=_non_negative,
        metavar="A",
        help="conv_transpose2d: picks among the sizes a stride makes ambiguous",
    )
    scene.add_argument("--dilation", type=_positive, metavar="D")
    scene.add_argument(
        "--scale",
        type=_scale,
        metavar="F",
        help="scale factor (upsampling), upscale factor r (pixel_shuffle) or downscale factor r"
        " (pixel_unshuffle)",
    )
    scene.add_argument(
        "--align-corners",
        action="store_true",
        default=None,
        help="upsample_bilinear: align the corner pixels",
    )
    scene.add_argument(
        "--ceil-mode",
        action="store_true",
        default=None,
        help="max_pool2d: round the output size up",
    )
    scene.add_argument(
        "--method",
        metavar="M",
        help="conv2d: im2col; conv_transpose2d: scatter, matrix, direct, or all (the three "
        "side by side)",
    )
    scene.add_argument("--fill", choices=FILLS, help="max_unpool2d: fill with zeros or the max")
    scene.add_argument(
        "--in-channels",
        type=_channel_count,
        metavar="C",
        help=f"planes of the input (1 to {MAX_CHANNELS}; pixel_shuffle: C_out·r²)",
    )
    scene.add_argument(
        "--out-channels",
        type=_channel_count,
        metavar="C",
        help=f"planes of the output (1 to {MAX_CHANNELS}): the convolutions and pixel_shuffle",
    )
    scene.add_argument(
        "--groups",
        type=_channel_count,
        metavar="G",
        help="conv2d / conv_transpose2d: groups of channels (G = C_in: depthwise); it divides"
        " both channel counts",
    )
    _table_flags(scene)
    scene.add_argument(
        "--seed",
        type=_non_negative,
        default=None,
        metavar="N",
        help="seed of the random grids (default 0)",
    )
    scene.add_argument(
        "--step", type=_positive, metavar="N", help="start at step N (1 is the first, as on screen)"
    )
    guided = parser.add_argument_group("guided tour")
    guided.add_argument(
        "--tour",
        action="store_true",
        help="walk through the seed post, one scene per paragraph (t in the app)",
    )
    guided.add_argument(
        "--tour-stop",
        type=_positive,
        metavar="N",
        help="start the tour at stop N (1 is the first, as on screen)",
    )
    practice = parser.add_argument_group("practice")
    practice.add_argument(
        "--quiz",
        nargs="?",
        const="cells",
        choices=("cells", "shapes"),
        metavar="shapes",
        help="predict each step's result before it is shown (g in the app); --quiz shapes:"
        " what size is the output? (G)",
    )
    files = parser.add_argument_group("export and sessions")
    files.add_argument(
        "--export",
        choices=EXPORT_FORMATS,
        metavar="FORMAT",
        help="print the scene as a runnable pytorch, keras or numpy script (it checks its result"
        " against tui-upsample's and prints it as JSON), or as a session; then exit",
    )
    files.add_argument(
        "--load",
        metavar="FILE",
        help="open a saved session (ctrl+s in the app); scene flags given with it override it",
    )
    files.add_argument(
        "--resume",
        action="store_true",
        help="open the scene the app kept when it last quit (scene flags override it)",
    )
    solve = parser.add_argument_group("solve for the shape")
    solve.add_argument(
        "--solve",
        type=_sizes,
        metavar="I:O",
        help="list every kernel_size 1-7, stride 1-4, padding 0-6, dilation 1-3 and"
        " output_padding that take a side of I to O (--op conv_transpose2d, the default, or"
        " conv2d), with the Keras 'same'/'valid' layer of the same size; then exit",
    )
    solve.add_argument(
        "--json", action="store_true", help="with --solve: print the settings as a JSON list"
    )
    shot = parser.add_argument_group("headless screenshot")
    shot.add_argument(
        "--screenshot",
        metavar="OUT.svg",
        help="render the scene without a terminal, write an SVG and exit",
    )
    shot.add_argument(
        "--press",
        default="",
        metavar="KEYS",
        help="comma-separated Textual key names to press first, e.g. n,n,right,5,enter"
        " (with --record: a frame after each, instead of one per step)",
    )
    shot.add_argument(
        "--terminal-size",
        type=_terminal_size,
        default=(120, 40),
        metavar="WxH",
        help="screenshot or recording size in cells (default 120x40)",
    )
    course = parser.add_argument_group("recordings and transcripts")
    course.add_argument(
        "--record",
        metavar="FILE",
        help="render every step (from --step on) headless, one frame each, and write by the"
        " extension: .cast (asciicast v2, a marker per step), .svg (animated), .gif (needs"
        ' pip install -e ".[gif]"); then exit',
    )
    course.add_argument(
        "--frame-time",
        type=_frame_time,
        default=1.0,
        metavar="SECONDS",
        help="how long each frame of a recording shows (default 1; the last twice as long)",
    )
    course.add_argument(
        "--transcript",
        action="store_true",
        help="print every step as one plain line (its number and the engine's line); then exit",
    )
    course.add_argument(
        "--format",
        choices=TRANSCRIPT_FORMATS,
        default=None,
        help="--transcript as plain text (default) or as a Markdown worksheet: parameters,"
        " output-size formula, grids as tables, every step",
    )
    web = parser.add_argument_group("in a browser (the [web] extra)")
    web.add_argument(
        "--serve",
        action="store_true",
        help="serve the app to browser pages with textual-serve: each visitor gets an app of"
        " their own, on the scene the other flags give; files become downloads",
    )
    web.add_argument(
        "--host", metavar="HOST", help=f"with --serve: the address to listen on (default {HOST})"
    )
    web.add_argument(
        "--port", type=_port, metavar="PORT", help=f"with --serve: the port (default {PORT})"
    )
    web.add_argument(
        "--public-url",
        metavar="URL",
        help="with --serve: the address browsers reach the server by, when it is not"
        " http://HOST:PORT (behind a proxy, or on 0.0.0.0)",
    )
    parser.add_argument(
        "--lang",
        type=_language,
        metavar="CODE",
        help=f"the guided tour and the help screen in this language ({', '.join(languages())};"
        ' default: language = "…" in the preferences file, else en)',
    )
    parser.add_argument(
        "--version", action="store_true", help="show the version and exit (takes no other flags)"
    )
    return parser


def load_grid(text: str, flag: str, allow_3d: bool = False, allow_4d: bool = False) -> np.ndarray:
    """The grid in file ``text`` (.csv, .npy or .json); ValueError naming the flag, the file and
    what is wrong with it if it can't be used."""
    from tui_upsample.grid_files import read_grid

    if text.strip() and not _exists(text):
        raise ValueError(f"{flag} {text}: no such preset or file (presets: {', '.join(PRESETS)})")
    try:
        return read_grid(text, allow_3d=allow_3d, allow_4d=allow_4d)
    except ValueError as exc:
        raise ValueError(f"{flag} {text!r}: {exc}") from None


def _exists(path: str) -> bool:
    """Whether anything is at ``path``: a name too long or a directory that can't be searched
    is not "no such file" (the file reader says what it is)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return True
    return True


def scene_from_args(args: argparse.Namespace, base: Scene | None = None) -> Scene:
    """The scene the flags describe (ValueError naming the flag if they do not make one).

    ``base`` is a loaded session: the flags that were given change it, the rest keep its values.
    """
    if base is None:
        scene = Scene.seed_example(args.op or "conv_transpose2d")
    else:
        scene = base.with_op(args.op) if args.op else base
    if args.seed is not None:
        scene = scene.replace(seed=args.seed)
    op = scene.op
    seed = scene.seed
    changes: dict[str, object] = {}
    for name in (
        "stride",
        "padding",
        "output_padding",
        "dilation",
        "align_corners",
        "ceil_mode",
        "fill",
        *(p.field for p in all_parameters() if p.field not in _HAND_MADE),
    ):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    if args.scale is not None:
        if op == "pixel_shuffle":
            if not float(args.scale).is_integer():
                raise ValueError(
                    f"--scale {args.scale:g}: pixel_shuffle's upscale factor must be an integer"
                )
            scene = scene.with_param("upscale", int(args.scale))
        elif op == "pixel_unshuffle":
            if not float(args.scale).is_integer():
                raise ValueError(
                    f"--scale {args.scale:g}: pixel_unshuffle's downscale factor must be an integer"
                )
            changes["downscale"] = int(args.scale)
        else:
            changes["scale"] = float(args.scale)
    if args.method is not None:
        methods = METHODS.get(op)
        if methods is None:
            raise ValueError(
                f"--method {args.method}: {op} has no methods (only conv2d and conv_transpose2d do)"
            )
        if args.method not in methods:
            raise ValueError(f"--method {args.method}: {op} steps by {', '.join(methods)}")
        changes["method"] = args.method
    scene = scene.replace(**changes)

    # The input: its size, then a preset, a file or a random grid.
    if args.size is not None:
        rows, cols = args.size
        shape = (scene.upscale**2, rows, cols) if op == "pixel_shuffle" else (rows, cols)
        if op == "pixel_shuffle":  # r² channels of this size: refused before they are made
            check_output_size(scene, (1, rows * scene.upscale, cols * scene.upscale))
        if args.input is None:
            scene = scene.with_x(random_grid(shape, seed)).replace(seed=seed + 1)
        else:
            scene = scene.with_x(np.zeros(shape))
    if args.input is not None:
        if args.input in PRESETS:
            scene = scene.with_preset("input", args.input)
            if args.input == "seed" and args.size is not None:
                raise ValueError("--input seed: the seed's example has its own size; drop --size")
        else:
            grid = load_grid(args.input, "--input", allow_3d=True)
            if grid.ndim == 3 and op != "pixel_shuffle" and grid.shape[0] > MAX_CHANNELS:
                raise ValueError(
                    f"--input {args.input}: has {grid.shape[0]} channels; at most {MAX_CHANNELS}"
                )
            scene = scene.with_x(grid)
    if op == "pixel_shuffle" and scene.channels.shape[0] % scene.upscale**2:
        raise ValueError(
            f"--input: pixel_shuffle with upscale factor {scene.upscale} needs a multiple of"
            f" r² = {scene.upscale**2} channels, not {scene.channels.shape[0]}"
        )

    # The kernel (convolutions) or the window size (pooling).
    if args.kernel is not None:
        if not scene.has_kernel:
            raise ValueError(f"--kernel: {op} has no kernel (only conv2d and conv_transpose2d do)")
        if args.kernel in PRESETS:
            if args.kernel_size is not None:
                k = args.kernel_size
                scene = scene.replace(kernel=np.zeros((k, k)))
            if args.kernel == "seed":
                scene = scene.with_preset("kernel", "seed")
            else:
                scene = scene.replace(kernel=preset_grid(args.kernel, scene.kernel.shape, seed))
        else:
            scene = scene.replace(kernel=load_grid(args.kernel, "--kernel", allow_4d=True))
            if scene.kernel.ndim == 3:
                raise ValueError(
                    f"--kernel {args.kernel}: has shape {tuple(scene.kernel.shape)}; want 2-D"
                    " (kH, kW) or 4-D in PyTorch's layout: (C_out, C_in/groups, kH, kW) for"
                    " conv2d, (C_in, C_out/groups, kH, kW) for conv_transpose2d"
                )
            size = tuple(scene.kernel.shape[-2:])
            if args.kernel_size is not None and size != (args.kernel_size,) * 2:
                raise ValueError(
                    f"--kernel-size {args.kernel_size}: the kernel file is {size[0]}×{size[1]}"
                )
    elif args.kernel_size is not None:
        if scene.has_kernel:
            k = args.kernel_size
            scene = scene.replace(kernel=preset_grid("ramp", (k, k)))
        else:
            scene = scene.replace(kernel_size=args.kernel_size)
    return _channels_from_args(args, scene)


def _channels_from_args(args: argparse.Namespace, scene: Scene) -> Scene:
    """The scene with the planes ``--in-channels``, ``--out-channels`` and ``--groups`` ask for,
    and that the input and kernel files hold (ValueError naming the flag that does not fit)."""
    asked = {name: getattr(args, name, None) for name in ("in_channels", "out_channels", "groups")}
    if all(v is None for v in asked.values()) and not scene.multichannel:
        return scene
    op = scene.op
    if asked["groups"] not in (None, 1) and not scene.has_kernel:
        raise ValueError(
            f"--groups {asked['groups']}: only conv2d and conv_transpose2d take groups"
        )
    groups = asked["groups"] or scene.groups
    if op == "pixel_shuffle":
        r2 = scene.upscale**2
        c_in = asked["in_channels"]
        out = asked["out_channels"]
        if c_in is not None:
            if c_in % r2:
                raise ValueError(
                    f"--in-channels {c_in}: pixel_shuffle with upscale factor {scene.upscale}"
                    f" needs a multiple of r² = {r2}"
                )
            if out is not None and out * r2 != c_in:
                raise ValueError(
                    f"--out-channels {out}: pixel_shuffle makes C_in/r² = {c_in}/{r2} ="
                    f" {c_in // r2}"
                )
            out = c_in // r2
        return scene.with_channels(1, out or scene.out_channels)
    x = scene.input
    file_planes = int(x.shape[0]) if x.ndim == 3 else None
    c_in = asked["in_channels"]
    if (
        c_in is not None
        and file_planes is not None
        and args.input is not None
        and args.input not in PRESETS
    ):
        if c_in != file_planes:
            raise ValueError(f"--in-channels {c_in}: the --input file has {file_planes} channels")
    w = scene.kernel
    kernel_file = scene.has_kernel and w.ndim == 4 and args.kernel not in (*PRESETS, None)
    if c_in is None:
        if file_planes is not None:
            c_in = file_planes
        elif kernel_file:
            c_in = int(w.shape[1]) * groups if op == "conv2d" else int(w.shape[0])
        else:
            c_in = 1
    out = asked["out_channels"]
    if kernel_file:
        expected_in = int(w.shape[1]) * groups if op == "conv2d" else int(w.shape[0])
        if expected_in != c_in or (op == "conv2d" and w.shape[0] % groups):
            raise ValueError(f"--kernel: {layout_error(op, w.shape, c_in, groups)}")
        from_file = int(w.shape[0]) if op == "conv2d" else int(w.shape[1]) * groups
        if out is not None and out != from_file:
            raise ValueError(
                f"--out-channels {out}: the --kernel file gives {from_file} output channels"
                f" ({op}'s weight is "
                + (
                    "(C_out, C_in/groups, kH, kW))"
                    if op == "conv2d"
                    else "(C_in, C_out/groups, kH, kW))"
                )
            )
        out = from_file
    elif scene.has_kernel and out is None:
        out = scene.out_channels if w.ndim == 4 else c_in
    try:
        return scene.with_channels(c_in, out, groups)
    except ValueError as exc:  # "out_channels=3: rule" → "--out-channels 3: rule"
        head, _, rule = str(exc).partition(": ")
        name, _, value = head.partition("=")
        raise ValueError(f"--{name.replace('_', '-')} {value}: {rule}") from None


def _flag_of(message: str) -> str:
    """The flag an engine message is about (it starts with the parameter's name)."""
    match = re.match(r"\s*([a-z_]+)", message)
    if match and match.group(1) in ENGINE_FLAGS:
        return ENGINE_FLAGS[match.group(1)]
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``upsample-tui`` with ``argv`` (default: the process's arguments); the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.version:
        others = [a for a in argv if a != "--version"]
        if others:
            parser.error(f"argument --version: takes no other arguments (got {' '.join(others)})")
        sys.stdout.write(f"{PROG} {__version__}\n")
        return 0
    try:
        return _run(parser, args, argv)
    except (RecursionError, OverflowError, MemoryError) as exc:
        # Every input is checked before it gets here; this is the last net, never a traceback.
        parser.error(f"{type(exc).__name__}: {exc}")


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str]) -> int:
    if args.solve is not None or args.json:
        return _solve(parser, args)
    _check_serve_flags(parser, args)
    tour_stop = _tour_stop(parser, args)
    base = None
    quiz = None
    if args.resume:
        base = _kept_scene(parser, args, tour_stop)
    elif args.load is not None:
        from tui_upsample.session import SessionError, read_session

        if tour_stop is not None:
            parser.error("argument --load: the tour brings its own scenes; drop --load")
        try:
            base, quiz = read_session(args.load)
        except SessionError as exc:
            parser.error(f"argument --load: {exc}")
    try:
        scene = scene_from_args(args, base)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        trace = build_trace(scene)
    except ValueError as exc:  # the engine's rule, as it says it
        flag = _flag_of(str(exc))
        parser.error(f"argument {flag}: {exc}" if flag else str(exc))
    if args.step is not None:
        if args.step > len(trace):
            parser.error(f"argument --step: {args.step}: this trace has {len(trace)} steps")
        scene = scene.replace(step=args.step - 1)
    else:
        scene = scene.clamp_step(len(trace))
    if args.press and args.screenshot is None and args.record is None:
        parser.error("argument --press: only with --screenshot or --record")
    if args.frame_time != parser.get_default("frame_time") and args.record is None:
        parser.error("argument --frame-time: only with --record")
    if args.quiz is not None:
        from tui_upsample.quiz import Quiz

        quiz = Quiz(round=args.quiz, step=scene.step if args.quiz == "cells" else 0)
        if args.export is not None:
            parser.error("argument --quiz: not with --export (one output at a time)")
    if args.transcript or args.format is not None:
        _write_transcript(parser, args, scene, trace, tour_stop)
        return 0
    if args.record is not None:
        _write_recording(parser, args, scene, tour_stop)
        return 0
    if args.export is not None:
        _only_output(parser, args, "--export")
        if tour_stop is not None:
            parser.error("argument --export: not with the tour (export a scene, not a stop)")
        from tui_upsample.export import ExportError, export

        try:
            text = export(scene, args.export)
        except ExportError as exc:
            parser.error(f"argument --export: {args.export}: {exc}")
        sys.stdout.write(text)
        return 0

    if args.screenshot is not None:
        _write_screenshot(parser, args, scene, tour_stop, trace, quiz)
        return 0
    if args.serve:
        return _serve(parser, args, argv)

    app = _app_class()(scene, tour_stop=tour_stop, language=args.lang, trace=trace, quiz=quiz)
    if args.load is not None:
        app.session_path = Path(args.load)  # ctrl+s saves back to the file it came from
    app.run()
    if app.quit_notice:  # where the scene was kept, now that the terminal is the shell's again
        print(app.quit_notice, file=sys.stderr)
    # A crash inside the app is shown by Textual and sets its return code: pass it on.
    return app.return_code or 0


def _write_screenshot(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    scene: Scene,
    tour_stop: int | None,
    trace: Any = None,
    quiz: Any = None,
) -> None:
    """Render the screenshot and write it as a save does (atomically, replacing a link rather
    than writing through it); any problem with the path is one error line."""
    from tui_upsample.file_reading import describe_os_error
    from tui_upsample.file_writing import check_writable, write_atomic

    if not args.screenshot.strip():
        parser.error("argument --screenshot: expected the path of an .svg file to write")
    # Checked on the text as given: Path("d/.") and Path("d/") both read as "d".
    folder, name = os.path.split(args.screenshot)
    if not os.path.isdir(folder or "."):
        parser.error(f"argument --screenshot: no directory {folder!r}")
    if name in ("", ".", "..") or os.path.isdir(args.screenshot):
        parser.error(f"argument --screenshot: {args.screenshot!r} is a directory")
    out = Path(args.screenshot)

    def write(action: Callable[[Path], object]) -> None:
        try:
            action(out)
        except OSError as exc:
            why = describe_os_error(exc)
            parser.error(f"argument --screenshot: can't write {str(out)!r}: {why}")

    write(check_writable)  # before the seconds of rendering
    keys = _press_keys(parser, args)
    try:
        svg = screenshot(
            scene,
            keys,
            args.terminal_size,
            tour_stop=tour_stop,
            language=args.lang,
            trace=trace,
            quiz=quiz,
        )
    except Exception as exc:  # noqa: BLE001 (a crash while rendering: one line, status 2)
        parser.error(f"argument --screenshot: the app failed: {type(exc).__name__}: {exc}")
    write(lambda path: write_atomic(path, svg))


def _press_keys(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    """The key names of ``--press``, each one Textual knows (else exits naming it)."""
    keys = [k.strip() for k in args.press.split(",") if k.strip()]
    for key in keys:
        if has_control(key):
            parser.error(f"argument --press: {quoted(key)} is not a key name (a control character)")

    from tui_upsample.key_names import is_key_name

    unknown = [k for k in keys if not is_key_name(k)]
    if unknown:
        parser.error(
            f"argument --press: {shown(unknown[0])!r} is not a Textual key name"
            " (e.g. n, enter, shift+down, question_mark)"
        )
    return keys


def _only_output(parser: argparse.ArgumentParser, args: argparse.Namespace, flag: str) -> None:
    """Exits if another output flag comes with ``flag`` (one output at a time)."""
    given = {
        "--screenshot": args.screenshot is not None,
        "--export": args.export is not None,
        "--record": args.record is not None,
        "--transcript": args.transcript or args.format is not None,
    }
    others = [other for other, on in given.items() if on and other != flag]
    if others:
        parser.error(f"argument {flag}: not with {others[0]} (one output at a time)")


def _write_transcript(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    scene: Scene,
    trace: Any,
    tour_stop: int | None,
) -> None:
    """Print every step of the scene (or of the tour stop's own), plain or as a worksheet."""
    if not args.transcript:
        parser.error("argument --format: only with --transcript")
    _only_output(parser, args, "--transcript")
    if args.step is not None:
        parser.error("argument --step: not with --transcript (it prints every step)")
    from tui_upsample.transcript import transcript_lines, worksheet_lines

    if tour_stop is not None:
        from tui_upsample.tour import stop

        scene = stop(tour_stop).scene
        trace = build_trace(scene)
    lines = worksheet_lines(scene, trace) if args.format == "markdown" else transcript_lines(trace)
    try:
        for line in lines:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _write_recording(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    scene: Scene,
    tour_stop: int | None,
) -> None:
    """Render the scene's frames headless and write them as the file's extension says, as a
    save does (atomically); any problem is one error line."""
    from tui_upsample.file_reading import describe_os_error
    from tui_upsample.file_writing import check_writable, write_atomic

    _only_output(parser, args, "--record")
    text = args.record
    if not text.strip():
        parser.error("argument --record: expected the path of a .cast, .svg or .gif file")
    folder, name = os.path.split(text)
    if not os.path.isdir(folder or "."):
        parser.error(f"argument --record: no directory {folder!r}")
    if name in ("", ".", "..") or os.path.isdir(text):
        parser.error(f"argument --record: {text!r} is a directory")
    extension = os.path.splitext(name)[1].lower()
    if extension not in RECORD_FORMATS:
        parser.error(
            f"argument --record: {text!r}: the extension says what to write:"
            f" {', '.join(RECORD_FORMATS)}"
        )
    out = Path(text)

    def write(action: Callable[[Path], object]) -> None:
        try:
            action(out)
        except OSError as exc:
            parser.error(f"argument --record: can't write {text!r}: {describe_os_error(exc)}")

    if extension == ".gif":
        from tui_upsample.recording.gif import INSTALL, agg_path

        if agg_path() is None:
            parser.error(f"argument --record: a .gif needs the gif extra: {INSTALL}")
    from tui_upsample.widgets.blocks.too_small import MIN_SIZE

    width, height = args.terminal_size
    if width < MIN_SIZE.width or height < MIN_SIZE.height:
        parser.error(
            f"argument --terminal-size: {width}x{height}: a recording needs at least"
            f" {MIN_SIZE.width}x{MIN_SIZE.height}, the smallest screen the app draws its panes in"
        )
    write(check_writable)  # before the seconds of rendering
    keys = _press_keys(parser, args)
    shown_scene = scene
    if tour_stop is not None:
        from tui_upsample.tour import stop

        shown_scene = stop(tour_stop).scene
    steps = len(build_trace(shown_scene)) if not keys else 0
    frames = len(keys) + 1 if keys else max(steps - shown_scene.step, 1)
    if frames > MAX_FRAMES:
        parser.error(
            f"argument --record: {frames:,} frames: a recording takes at most {MAX_FRAMES:,};"
            " start later with --step N, walk with --press, or take a smaller input"
        )

    from tui_upsample.recording.frames import record
    from tui_upsample.recording.progress import Progress

    progress = Progress("recording", enabled=frames >= PROGRESS_FROM and sys.stderr.isatty())
    try:
        recording = record(scene, keys, args.terminal_size, tour_stop=tour_stop, progress=progress)
    except KeyboardInterrupt:
        progress.done()
        sys.stderr.write(f"{PROG}: recording stopped; nothing written\n")
        raise SystemExit(130) from None
    except Exception as exc:  # noqa: BLE001 (a crash while rendering: one line, status 2)
        progress.done()
        parser.error(f"argument --record: the app failed: {type(exc).__name__}: {exc}")
    durations = [args.frame_time] * len(recording.frames)
    durations[-1] *= 2  # the last frame lingers before the loop starts again
    if extension == ".cast":
        from tui_upsample.recording.cast import cast_text

        data: str | bytes = cast_text(recording.frames, durations, recording.title)
    elif extension == ".svg":
        from tui_upsample.recording.svg import animated_svg

        data = animated_svg(recording.frames, durations, recording.title)
    else:
        from tui_upsample.recording.gif import GifError, gif_bytes

        progress.say("encoding the GIF (agg)")
        try:
            data = gif_bytes(recording.frames, durations, recording.title)
        except GifError as exc:
            progress.done()
            parser.error(f"argument --record: {exc}")
    progress.done()
    write(lambda path: write_atomic(path, data))


def _check_serve_flags(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exits if the serving flags come without ``--serve``, or ``--serve`` with a flag that
    makes no app to serve."""
    if not args.serve:
        for flag in SERVE_FLAGS[1:]:
            if getattr(args, flag[2:].replace("-", "_")) is not None:
                parser.error(f"argument {flag}: only with --serve")
        return
    for flag, given in (
        ("--export", args.export is not None),
        ("--screenshot", args.screenshot is not None),
        ("--record", args.record is not None),
        ("--transcript", args.transcript or args.format is not None),
        ("--resume", args.resume),
    ):
        if given:
            why = "each visitor starts afresh" if flag == "--resume" else "one output at a time"
            parser.error(f"argument --serve: not with {flag} ({why})")


def visitor_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str:
    """The shell command textual-serve runs for each visitor: this program with every flag of
    ``argv`` but the serving ones, each quoted for the shell. ValueError if a serving flag was
    abbreviated (it could not be told from the others)."""
    import shlex

    forwarded: list[str] = []
    skip_value = False
    for arg in argv:
        if skip_value:
            skip_value = False
            continue
        name = arg.split("=", 1)[0]
        if name in SERVE_FLAGS:
            skip_value = name != "--serve" and "=" not in arg
            continue
        forwarded.append(arg)
    # Checked by parsing both: what the visitors run is what was asked, less the serving.
    served = dict(vars(parser.parse_args(list(argv))))
    visitor = dict(vars(parser.parse_args(forwarded)))
    for flag in SERVE_FLAGS:
        served.pop(flag[2:].replace("-", "_"))
        if visitor.pop(flag[2:].replace("-", "_")) not in (None, False):
            raise ValueError(f"write {', '.join(SERVE_FLAGS)} in full")
    if served != visitor:
        raise ValueError(f"write {', '.join(SERVE_FLAGS)} in full")
    return shlex.join([sys.executable, "-m", "tui_upsample", *forwarded])


def _serve(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str]) -> int:
    """Serve the app with textual-serve until interrupted (ctrl+c); the exit status."""
    try:
        from textual_serve.server import Server
    except ImportError:
        parser.exit(
            2,
            f'{PROG}: error: --serve needs textual-serve, the web extra: pip install -e ".[web]"\n',
        )
    try:
        command = visitor_command(parser, argv)
    except ValueError as exc:
        parser.error(f"argument --serve: {exc}")
    host = args.host or HOST
    port = args.port or PORT
    server = Server(command, host=host, port=port, title=PROG, public_url=args.public_url)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the address is not this machine's
        parser.exit(2, f"{PROG}: error: argument --serve: can't listen on {host}:{port}: {exc}\n")
    return 0


_OTHER_FLAGS = (
    "tour",
    "tour_stop",
    "export",
    "load",
    "resume",
    "screenshot",
    "press",
    "record",
    "frame_time",
    "transcript",
    "format",
    "serve",
    "host",
    "port",
)
"""Flags that are not the scene's and do nothing with --solve."""


def _solve(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``--solve I:O``: the settings that take a side of I to O, as a table or JSON."""
    from tui_upsample.engine.solve import SOLVED_OPERATORS, solution_table, solve_shape

    if args.solve is None:
        parser.error("argument --json: only with --solve I:O")
    given = [
        "--" + dest.replace("_", "-")
        for dest in (*SCENE_FLAGS, *_OTHER_FLAGS)
        if dest != "op" and getattr(args, dest) != parser.get_default(dest)
    ]
    if given:
        parser.error(f"argument --solve: takes only --op and --json; drop {', '.join(given)}")
    op = args.op or "conv_transpose2d"
    if op not in SOLVED_OPERATORS:
        parser.error(f"argument --op: --solve solves {' or '.join(SOLVED_OPERATORS)}, not {op}")
    try:
        solution = solve_shape(*args.solve, op=op)
    except ValueError as exc:
        parser.error(f"argument --solve: {exc}")
    if args.json:
        import json

        sys.stdout.write(json.dumps([s.as_dict() for s in solution.settings]) + "\n")
    else:
        sys.stdout.write(solution_table(solution))
    return 0


def _kept_scene(
    parser: argparse.ArgumentParser, args: argparse.Namespace, tour_stop: int | None
) -> Scene:
    """The scene ``--resume`` opens (the one kept at the last quit); exits if there is none."""
    from tui_upsample.preferences import PreferencesError, kept_scene

    if args.load is not None:
        parser.error("argument --resume: not with --load (one scene to open)")
    if tour_stop is not None:
        parser.error("argument --resume: the tour brings its own scenes; drop --resume")
    try:
        return kept_scene()
    except PreferencesError as exc:
        parser.error(f"argument --resume: {exc}")


def _tour_stop(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int | None:
    """The tour stop to start at (``--tour``: 1), or None; exits if scene flags come with it."""
    if not args.tour and args.tour_stop is None:
        return None
    from tui_upsample.tour import STOPS

    flag = "--tour-stop" if args.tour_stop is not None else "--tour"
    given = [
        "--" + dest.replace("_", "-")
        for dest in SCENE_FLAGS
        if getattr(args, dest) != parser.get_default(dest)
    ]
    if given:
        parser.error(f"argument {flag}: the tour brings its own scenes; drop {', '.join(given)}")
    number = args.tour_stop if args.tour_stop is not None else 1
    if number > len(STOPS):
        parser.error(f"argument --tour-stop: {number}: the tour has {len(STOPS)} stops")
    return number


def _app_class() -> type[UpsampleApp]:
    """The app, imported only now: ``--help`` and errors stay fast without Textual."""
    from tui_upsample.app import UpsampleApp

    return UpsampleApp


def screenshot(
    scene: Scene,
    keys: Sequence[str],
    size: tuple[int, int],
    tour_stop: int | None = None,
    quiz: Any = None,
    language: str | None = None,
    trace: Any = None,
) -> str:
    """An SVG of the app showing ``scene`` (or tour stop ``tour_stop``'s own scene) after
    ``keys`` are pressed, in a ``size`` terminal, its words in ``language`` (default English:
    screenshots ignore the preferences); ``trace``: the scene's, if built already."""
    import asyncio

    app = _app_class()(
        scene,
        theme=SCREENSHOT_THEME,
        cursor_blink=False,
        tour_stop=tour_stop,
        preferences=False,
        quiz=quiz,
        language=language or "en",
        trace=trace,
    )

    async def shoot() -> str:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            return app.export_screenshot(title=f"{PROG}: {app.scene.op}")

    return asyncio.run(shoot())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
