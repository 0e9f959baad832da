"""What an entry of the operator table says: an operator's name, its parameters and their rules,
its methods, its output-size formula and its step trace.

Every family module (:mod:`.pooling`, :mod:`.convolution`, …) describes its operators with an
:class:`Operator`; :mod:`.operators` gathers them into the one table that the scene, the command
line, the settings pane, sessions, export, the tour and the palette read. The parameters shared by
several operators are defined once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_upsample.engine.steps import Trace
    from tui_upsample.engine.text import Formula

INT = "int"
"""A whole number typed in a field."""
PADDING = "padding"
"""A whole number, or "same" / "valid" (the convolutions)."""
NUMBER = "number"
"""Any positive number (a scale factor)."""
FLAG = "flag"
"""True or False, a switch."""
CHOICE = "choice"
"""One of a few words, a drop-down."""
KINDS = (INT, PADDING, NUMBER, FLAG, CHOICE)


@dataclass(frozen=True)
class Parameter:
    """One setting of an operator, as the learner sees it and as the engine takes it.

    ``field`` is the scene's name for it (a saved session's key), ``keyword`` the engine function's
    (None when the setting is not passed as such: a convolution's kernel size is its kernel's
    shape). ``label`` is what the settings pane calls it, with the formula's letter, ``flag`` the
    command line's, ``rule`` what a valid value is, ``minimum`` the smallest whole number allowed.
    """

    field: str
    label: str
    kind: str = INT
    keyword: str | None = ""
    flag: str = ""
    rule: str = ""
    minimum: int = 1
    choices: tuple[str, ...] = ()
    optional: bool = False
    """Whether the setting may be left empty (None: the operator's own default)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.field}: kind {self.kind!r} is not one of {KINDS}")
        if self.keyword == "":
            object.__setattr__(self, "keyword", self.field)
        if not self.flag:
            object.__setattr__(self, "flag", "--" + self.field.replace("_", "-"))


@dataclass(frozen=True)
class Operator:
    """One operator: what it is called, what it takes, and how it is stepped through.

    ``function`` is the engine's operator (exact to ``pytorch``, the PyTorch call it mirrors),
    ``trace`` builds its steps, ``formula`` writes its output size out with the numbers put in.
    ``parameters`` are listed in the order the settings pane shows them. ``kernel`` says whether
    it has a learned kernel (a grid of its own to edit); ``channels`` whether its input is the
    (r², H, W) channels of one image rather than one plane. ``methods`` are the ways a trace can
    follow it, the default first. ``step`` says in a few words what one step shows.
    """

    name: str
    words: str
    pytorch: str
    function: Callable[..., Any]
    trace: Callable[..., Trace]
    formula: Callable[..., list[Formula]]
    parameters: tuple[Parameter, ...]
    step: str
    aliases: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    kernel: bool = False
    channels: bool = False
    grows_with: str = ""
    """What makes the output large, in words a learner can act on (to say what to lower)."""
    planewise: bool = False
    """Whether it acts on each plane alone: a (C, H, W) input is traced plane by plane."""
    grouped: bool = False
    """Whether it takes ``groups=`` and a 4-D weight in its own layout (the convolutions)."""
    shape: Callable[..., tuple[int, ...]] | None = None
    """The output's shape from the input's and the keyword arguments, computed without running
    the operator (None: the trace's output has the input's shape)."""
    story: str = ""
    """What the seed post says the operator is for, in a sentence or three (the notes lead with
    it); ``{w1}`` and ``{w2}`` stand for the sizes of the scene's W1 and W2, where it has them."""

    def output_shape(self, in_shape: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
        """What shape the trace's output will have (raises on invalid parameters)."""
        return in_shape if self.shape is None else self.shape(in_shape, params)

    @property
    def fields(self) -> tuple[str, ...]:
        """The scene fields this operator takes, in the settings pane's order."""
        return tuple(p.field for p in self.parameters)

    def parameter(self, field: str) -> Parameter | None:
        """The parameter whose scene field is ``field``, if this operator takes it."""
        return next((p for p in self.parameters if p.field == field), None)


# The parameters several operators share ---------------------------------------------------------

WINDOW_SIZE = Parameter("kernel_size", "kernel size k", rule="a window side of at least 1")
KERNEL_SIZE = Parameter(
    "kernel_size", "kernel size k", keyword=None, rule="the kernel's side (it resizes the kernel)"
)
STRIDE = Parameter("stride", "stride s", rule="at least 1")
WINDOW_PADDING = Parameter(
    "padding", "padding p", minimum=0, rule="0 or more, at most half the window"
)
CONV_PADDING = Parameter(
    "padding", "padding p", kind=PADDING, minimum=0, rule="0 or more, or 'same' / 'valid'"
)
OUTPUT_PADDING = Parameter(
    "output_padding",
    "output pad a",
    minimum=0,
    rule="smaller than stride or dilation",
)
DILATION = Parameter("dilation", "dilation d", rule="at least 1")
SCALE = Parameter("scale", "scale f", kind=NUMBER, keyword="scale_factor", rule="a number above 0")
CEIL_MODE = Parameter("ceil_mode", "ceil_mode", kind=FLAG)
ALIGN_CORNERS = Parameter("align_corners", "align_corners", kind=FLAG)
COUNT_INCLUDE_PAD = Parameter(
    "count_include_pad",
    "count pad",
    kind=FLAG,
    flag="--count-include-pad",
    rule="divide by the whole window, padding included (True) or only the cells of x (False)",
)
DIVISOR_OVERRIDE = Parameter(
    "divisor_override",
    "divisor",
    optional=True,
    rule="a whole number other than 0 to divide by (without it: the window's own count)",
)
FILL = Parameter(
    "fill", "unpool fill", kind=CHOICE, choices=("zeros", "max"), rule="'zeros' or 'max'"
)


def method_parameter(methods: Sequence[str]) -> Parameter:
    """The drop-down that picks how an operator is stepped through."""
    return Parameter(
        "method", "method", kind=CHOICE, choices=tuple(methods), rule="one of " + ", ".join(methods)
    )
