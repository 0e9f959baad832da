"""The quiz, without a screen: where the learner is in it, the score, and the shape round.

Stepping turns into predicting: at each step the engine's question
(:func:`tui_upsample.engine.quiz.question`) is asked, part by part, and each answer checked. A
:class:`Quiz` is a plain immutable value, like the scene: the app replaces it on every answer,
and a session saves it beside the scene (:meth:`Quiz.to_dict`, :func:`quiz_from_dict`).

The shape round asks "what size is the output?" for the scene and for variations of its
parameters (each one changed by one), and after each answer shows the output-size formula with
the numbers put in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tui_upsample.engine.operators import TABLE, output_size_lines
from tui_upsample.engine.parameters import INT, NUMBER, PADDING
from tui_upsample.engine.quiz import POSITION, VALUE, Ask, Question, Verdict, size_ask
from tui_upsample.engine.steps import INPUT, OUTPUT, Cell
from tui_upsample.engine.text import size_text
from tui_upsample.scene import Scene, build_trace

CELLS = "cells"
"""The round that predicts each step's cell."""
SHAPES = "shapes"
"""The round that predicts the output's size."""
ROUNDS = (CELLS, SHAPES)


class QuizError(ValueError):
    """A saved quiz that cannot be read (the message says which field and why)."""


@dataclass(frozen=True)
class Quiz:
    """Where the learner is in the quiz.

    ``right`` of ``asked`` answers were right (refused answers are not counted). ``step`` is
    the step (cells round) or shape question (shapes round) being asked, ``part`` which of its
    asks; ``revealed`` whether its answer is on screen (after a wrong answer, or the last part);
    ``verdict`` what the last answer earned, in words, and ``last_right`` whether it was right.
    """

    round: str = CELLS
    right: int = 0
    asked: int = 0
    step: int = 0
    part: int = 0
    revealed: bool = False
    verdict: str = ""
    last_right: bool | None = None

    @property
    def score(self) -> str:
        """``score k/n``, as the status line says it."""
        return f"score {self.right}/{self.asked}"

    def at(self, step: int) -> Quiz:
        """The quiz on step (or shape question) ``step``: asked afresh unless it is this one."""
        if step == self.step:
            return self
        return self.replace(step=step, part=0, revealed=False, verdict="", last_right=None)

    def answered(self, verdict: Verdict, parts: int) -> Quiz:
        """The quiz after an answer earned ``verdict`` on a question of ``parts`` asks: a right
        answer goes on to the next part (or reveals the last), a wrong one reveals everything,
        a refused one changes nothing but what is said."""
        if verdict.right is None:
            return self.replace(verdict=verdict.text, last_right=None)
        done = not verdict.right or self.part + 1 >= parts
        return self.replace(
            right=self.right + int(verdict.right),
            asked=self.asked + 1,
            part=self.part if done else self.part + 1,
            revealed=done,
            verdict=verdict.text,
            last_right=verdict.right,
        )

    def replace(self, **changes: Any) -> Quiz:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The quiz as JSON-ready values, for a session."""
        return dataclasses.asdict(self)


_FIELDS = {f.name: f for f in dataclasses.fields(Quiz)}


def quiz_from_dict(data: Any) -> Quiz:
    """The quiz a session holds; QuizError naming the field if it is not one."""
    if not isinstance(data, Mapping):
        raise QuizError('"quiz" must be an object')
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise QuizError("unknown quiz field " + ", ".join(f'"{u}"' for u in unknown))
    values: dict[str, Any] = {}
    for name, value in data.items():
        where = f'"quiz"."{name}"'
        if name == "round":
            if value not in ROUNDS:
                raise QuizError(f"{where} must be {' or '.join(ROUNDS)}")
        elif name in ("right", "asked", "step", "part"):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**9:
                raise QuizError(f"{where} must be a whole number from 0 to 10^9")
        elif name == "revealed":
            if not isinstance(value, bool):
                raise QuizError(f"{where} must be true or false")
        elif name == "verdict":
            if not isinstance(value, str) or len(value) > 400:
                raise QuizError(f"{where} must be a short text")
        elif name == "last_right" and value is not None and not isinstance(value, bool):
            raise QuizError(f"{where} must be true, false or null")
        values[name] = value
    quiz = Quiz(**values)
    if quiz.right > quiz.asked:
        raise QuizError('"quiz": "right" cannot be more than "asked"')
    return quiz


# --------------------------------------------------------------------------------------------
# The shape round
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeQuestion:
    """ "What size is the output?" for one scene: the ask, what changed, and the formula with
    the numbers put in (shown once it is answered)."""

    scene: Scene
    ask: Ask
    changed: str
    formula: tuple[str, ...]


def _settings_text(scene: Scene) -> str:
    entry = TABLE[scene.op]
    parts = []
    for p in entry.parameters:
        if p.kind not in (INT, PADDING, NUMBER) or p.optional:
            continue
        value = scene.effective_kernel_size if p.field == "kernel_size" else getattr(scene, p.field)
        if p.field == "kernel_size" and isinstance(value, tuple):
            value = f"{value[0]}×{value[1]}"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append(f"{p.label.rsplit(' ', 1)[0]} {value}")
    return ", ".join(parts)


def _question(scene: Scene, changed: str) -> ShapeQuestion | None:
    """The question for ``scene`` (None if the engine refuses its parameters)."""
    entry = TABLE[scene.op]
    params = scene.engine_params()
    try:
        shape = build_trace(scene).result.shape
    except (ValueError, TypeError, OverflowError):
        return None
    out = tuple(int(n) for n in shape[-2:])
    if min(out) < 1:
        return None
    if "kernel_size" in entry.fields and "kernel_size" not in params:
        params["kernel_size"] = scene.effective_kernel_size
    lines = tuple(output_size_lines(scene.op, scene.x.shape[-2:], params, out))
    what = f"{scene.op} of a {size_text(scene.x.shape)} input, {_settings_text(scene)}"
    prompt = f"{what}: what size is the output? (rows×cols)"
    return ShapeQuestion(scene, size_ask(prompt, (out[0], out[1])), changed, lines)


def shape_questions(scene: Scene) -> tuple[ShapeQuestion, ...]:
    """The shape round for ``scene``: the scene itself, then the scene with each whole-number
    parameter (or scale) one larger, as far as the engine accepts it."""
    found = []
    first = _question(scene, "the scene as it is")
    if first is not None:
        found.append(first)
    entry = TABLE[scene.op]
    for p in entry.parameters:
        if p.kind not in (INT, PADDING, NUMBER) or p.optional:
            continue
        value = getattr(scene, p.field)
        if p.field == "kernel_size" and scene.has_kernel:
            value = scene.kernel.shape[0]
        if isinstance(value, str):
            continue  # 'same' / 'valid': the size is the rule's, not the formula's
        bigger = value + 1
        try:
            variant = scene.with_param(p.field, bigger)
        except ValueError:
            continue
        shown = int(bigger) if float(bigger).is_integer() else bigger
        asked = _question(variant, f"{p.label.rsplit(' ', 1)[0]} {shown} (was {value:g})")
        if asked is not None:
            found.append(asked)
    return tuple(found)


# --------------------------------------------------------------------------------------------
# What the screen shows of a question
# --------------------------------------------------------------------------------------------

ROUND_WORDS = {CELLS: "each step", SHAPES: "output sizes"}


@dataclass(frozen=True)
class Masking:
    """What the step view hides while step ``step`` is being predicted.

    ``before`` is the output drawn instead of the step's own (None: the step's, as usual);
    ``hidden`` the cells drawn as ``?`` by grid; ``unmarked`` the (grid, role) highlights left
    out; ``pick`` the cell the learner points at in grid ``pick_grid``. In the shape round
    (``shapes``) the grids are out of sight: their sizes are the answer.
    """

    step: int
    before: Any = None
    hidden: Mapping[str, tuple[Cell, ...]] = dataclasses.field(default_factory=dict)
    unmarked: frozenset[tuple[str, str]] = frozenset()
    pick_grid: str = ""
    pick: Cell | None = None
    shapes: bool = False


def masking(quiz: Quiz | None, question: Question | None, pick: Cell | None) -> Masking | None:
    """What to hide for ``quiz`` at ``question`` (None: nothing, the step is shown whole)."""
    if quiz is None:
        return None
    if quiz.round == SHAPES:
        return Masking(step=-1, shapes=True)
    if question is None or quiz.revealed or quiz.part >= len(question.asks):
        return None
    hidden = dict(question.hidden)
    before = question.before
    if quiz.part > 0:  # the value is answered: it is on screen, the rest is still asked
        hidden.pop(OUTPUT, None)
        before = None
    ask = question.asks[quiz.part]
    grid = ask.grid if ask.kind == POSITION else ""
    return Masking(question.step, before, hidden, question.unmarked, grid, pick if grid else None)


@dataclass(frozen=True)
class Card:
    """The quiz bar's lines: the status (round and score), the question, how to answer, what
    the last answer earned (``right``: True, False, or None when refused or none yet), and in
    the shape round the formula once answered."""

    status: str
    prompt: str
    hint: str
    verdict: str = ""
    right: bool | None = None
    formula: tuple[str, ...] = ()
    kind: str = ""


def _status(quiz: Quiz) -> str:
    other = "G: output sizes" if quiz.round == CELLS else "G: back to the steps"
    return f"quiz · {ROUND_WORDS[quiz.round]} · {quiz.score}   g: stop · {other}"


def _hint(ask: Ask) -> str:
    if ask.kind == VALUE:
        if ask.tolerance:
            return "type its value (to the digits the grids show), then Enter"
        return "type its value, then Enter"
    if ask.kind == POSITION:
        grid = "x" if ask.grid == INPUT else "y"
        return f"pick the cell of {grid}: arrows (or type row,col, or click it), then Enter"
    return "type rows×cols (e.g. 3x3, or 3 when both agree), then Enter"


def cells_card(quiz: Quiz, question: Question | None, steps: int) -> Card:
    """The bar while the steps are predicted."""
    status = _status(quiz)
    last = quiz.step >= steps - 1
    onward = "this is the last step: p goes back" if last else "Enter or n: the next step"
    if question is None:
        return Card(status, f"step {quiz.step + 1} has nothing to predict", onward)
    if quiz.revealed or quiz.part >= len(question.asks):
        return Card(status, "the answer is on screen", onward, quiz.verdict, quiz.last_right)
    ask = question.asks[quiz.part]
    part = f"({quiz.part + 1} of {len(question.asks)}) " if len(question.asks) > 1 else ""
    return Card(status, part + ask.prompt, _hint(ask), quiz.verdict, quiz.last_right, (), ask.kind)


def shapes_card(quiz: Quiz, questions: tuple[ShapeQuestion, ...]) -> Card:
    """The bar in the shape round."""
    status = _status(quiz)
    if not questions:
        return Card(status, "the scene is invalid: there is no size to ask about", "")
    n = min(quiz.step, len(questions) - 1)
    shape = questions[n]
    head = f"question {n + 1} of {len(questions)} ({shape.changed}): "
    if quiz.revealed:
        last = n == len(questions) - 1
        onward = "Enter: the first question again" if last else "Enter: the next question"
        return Card(
            status, head + shape.ask.prompt, onward, quiz.verdict, quiz.last_right, shape.formula
        )
    return Card(
        status,
        head + shape.ask.prompt,
        _hint(shape.ask),
        quiz.verdict,
        quiz.last_right,
        (),
        shape.ask.kind,
    )
