"""The quiz bar: the round and the score, the question, a field for the answer, and what the last
answer earned.

It shows the app's :class:`~tui_upsample.quiz.Card` and reports what the learner does with
messages: an answer (Enter), a pick moved with the arrows. It checks nothing itself: the app
hands the answer to the engine.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input, Static

from tui_upsample.engine.quiz import POSITION
from tui_upsample.quiz import Card

ARROWS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


class AnswerInput(Input):
    """The answer field. It takes only the characters an answer can have (a number, a cell, a
    size), so the stepping keys (n, p, o, q…) still work while it has the focus; while a cell
    is asked for, the arrows move the pick instead of the text cursor."""

    ANSWER_CHARACTERS = frozenset("0123456789-+.eE,;:() []x×*−")

    picking = False
    """Whether the question asks for a cell (the arrows move the pick)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if self.picking and key in ARROWS:
            return True
        if character is None or not character.isprintable():
            return False
        return character in self.ANSWER_CHARACTERS

    async def _on_key(self, event: events.Key) -> None:
        if self.picking and event.key in ARROWS:
            event.stop()
            event.prevent_default()
            self.post_message(QuizBar.PickMoved(*ARROWS[event.key]))
            return
        if event.character is not None and event.character.isprintable():
            if not self.check_consume_key(event.key, event.character):
                return  # not ours: let it bubble up to the app's keys
        await super()._on_key(event)


class QuizBar(Vertical):
    """The quiz: what is asked, the answer field, and the verdict."""

    DEFAULT_CSS = """
    QuizBar {
        height: auto;
        border: round $warning 70%;
        border-title-color: $text-warning;
        padding: 0 1;
        & > #quiz-status { height: auto; color: $text-accent; text-style: bold; }
        & > #quiz-prompt { height: auto; color: $text; text-style: bold; }
        & > #quiz-answer-row { height: auto; }
        & #quiz-hint { width: 1fr; height: auto; color: $text-muted; padding-left: 1; }
        & AnswerInput {
            width: 18; height: 1; border: none; padding: 0 1; background: $boost;
            &:focus { border: none; background: $accent 35%; }
        }
        & > #quiz-verdict { height: auto; }
        & > #quiz-verdict.-right { color: $text-success; text-style: bold; }
        & > #quiz-verdict.-wrong { color: $text-error; text-style: bold; }
        & > #quiz-verdict.-refused { color: $text-warning; }
        & > #quiz-formula { height: auto; color: $text; }
    }
    """

    card: var[Card | None] = var(None, always_update=True)
    """What the bar says (bound to the app's)."""

    class Answered(Message):
        """The learner pressed Enter in the answer field: ``text`` is what was typed."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class PickMoved(Message):
        """An arrow moved the pick by ``rows``, ``cols``."""

        def __init__(self, rows: int, cols: int) -> None:
            super().__init__()
            self.rows = rows
            self.cols = cols

    def compose(self) -> ComposeResult:
        yield Static("", id="quiz-status", markup=False)
        yield Static("", id="quiz-prompt", markup=False)
        with Horizontal(id="quiz-answer-row"):
            yield AnswerInput(placeholder="your answer", id="quiz-answer")
            yield Static("", id="quiz-hint", markup=False)
        yield Static("", id="quiz-verdict", markup=False)
        yield Static("", id="quiz-formula", markup=False)

    def on_mount(self) -> None:
        self.border_title = "quiz"
        self.watch_card(self.card)
        self.call_after_refresh(lambda: self.watch_card(self.card))  # once its lines are up

    def watch_card(self, card: Card | None) -> None:
        if not self.is_mounted or card is None:
            return
        statics = {s.id: s for s in self.query(Static)}
        if len(statics) < 5:  # mounted, but its lines not yet: on_mount shows the card
            return
        statics["quiz-status"].update(card.status)
        statics["quiz-prompt"].update(card.prompt)
        statics["quiz-hint"].update(card.hint)
        verdict = statics["quiz-verdict"]
        verdict.update(card.verdict)
        verdict.set_class(card.right is True, "-right")
        verdict.set_class(card.right is False, "-wrong")
        verdict.set_class(card.right is None and bool(card.verdict), "-refused")
        verdict.display = bool(card.verdict)
        formula = statics["quiz-formula"]
        formula.update("\n".join(card.formula))
        formula.display = bool(card.formula)
        answer = self.answer
        if answer is not None:
            answer.picking = card.kind == POSITION

    @property
    def answer(self) -> AnswerInput | None:
        """The answer field (None until the bar's lines are mounted)."""
        found = self.query(AnswerInput)
        return found.first() if found else None

    def show_pick(self, text: str) -> None:
        """Put the picked cell into the field, as the learner would have typed it."""
        answer = self.answer
        if answer is not None:
            answer.value = text
            answer.cursor_position = len(text)

    def clear(self) -> None:
        answer = self.answer
        if answer is not None:
            answer.value = ""

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Answered(event.value))
