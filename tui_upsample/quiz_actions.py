"""The app's quiz: stepping turned into predicting (g), and the shape round (G).

A mixin for :class:`~tui_upsample.app.UpsampleApp`, kept apart so the app stays about the
scene. The app owns the :class:`~tui_upsample.quiz.Quiz` (a plain value); the engine says what
each step asks and whether an answer is right (:mod:`tui_upsample.engine.quiz`); the quiz bar
and the step view only show what they are given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual._context import active_message_pump
from textual.css.query import NoMatches

# Only names here: the quiz's modules (its questions, cards, bar) are imported when a quiz
# starts, not with the app (most sessions never start one; start-up is felt).
CELLS = "cells"
"""tui_upsample.quiz.CELLS: the round that predicts each step."""
SHAPES = "shapes"
"""tui_upsample.quiz.SHAPES: the round of output-size questions."""
POSITION = "position"
"""tui_upsample.engine.quiz.POSITION: a question whose answer is a cell."""

if TYPE_CHECKING:
    from textual.app import App
    from textual.widgets import Input

    from tui_upsample.engine.quiz import Question
    from tui_upsample.engine.steps import Cell
    from tui_upsample.quiz import Quiz, ShapeQuestion
    from tui_upsample.widgets.blocks.grid_view import GridView
    from tui_upsample.widgets.panes.quiz_bar import QuizBar

    _Base = App[Any]
else:
    _Base = object


class QuizActions(_Base):
    """The quiz, for an app with ``scene``, ``trace``, ``step``, ``view``, a step view
    (``#steps``) and the reactives ``quiz``, ``masking``, ``quiz_card`` and ``hide_formula``."""

    _pick: Cell | None = None
    """The cell the learner points at, while a cell is asked for."""
    _shapes: tuple[Any, tuple[ShapeQuestion, ...]] | None = None
    """The shape round's questions, with the scene they were made for."""

    # Starting and stopping -------------------------------------------------------------------
    def action_toggle_quiz(self) -> None:
        """Start predicting the steps (the scene's score starts at 0/0), or stop."""
        app: Any = self
        if app.quiz is not None:
            app.quiz = None
            self.notify(f"quiz over: {self._last_score}", timeout=4)
            self._quiz_focus_grids()
            return
        from tui_upsample.quiz import Quiz

        self.start_quiz(Quiz(step=app.step))

    def start_quiz(self, quiz: Quiz) -> None:
        """Show ``quiz`` (a new one, or one a session kept)."""
        app: Any = self
        app.playing = False
        if app.view != "steps":
            app._choose_view("steps")
        if quiz.round == CELLS and app.trace is not None:
            step = min(quiz.step, len(app.trace) - 1)
            app.step = step
            quiz = quiz.at(step)
        app.quiz = quiz
        self.call_after_refresh(self._quiz_focus_answer)

    def action_quiz_round(self) -> None:
        """Switch between predicting the steps and the shape questions."""
        app: Any = self
        quiz: Quiz | None = app.quiz
        if quiz is None:
            self.notify("G: the shape questions, in the quiz (g starts it)", timeout=4)
            return
        if quiz.round == CELLS:
            app.quiz = quiz.replace(
                round=SHAPES, step=0, part=0, revealed=False, verdict="", last_right=None
            )
        else:
            app.quiz = quiz.replace(round=CELLS, step=-1).at(app.step)
        self._quiz_clear()
        self.call_after_refresh(self._quiz_focus_answer)

    @property
    def _last_score(self) -> str:
        card = getattr(self, "_score_said", "")
        return card or "score 0/0"

    # What is on screen ------------------------------------------------------------------------
    def _quiz_question(self) -> Question | None:
        app: Any = self
        if app.trace is None or app.quiz is None or app.quiz.round != CELLS:
            return None
        if app.scene.compare:
            return None  # the three faces side by side: the quiz asks in the step view
        step = min(max(app.step, 0), len(app.trace) - 1)
        from tui_upsample.engine.quiz import question

        try:
            return question(app.trace, step)
        except Exception:  # noqa: BLE001 - a question the engine cannot ask must not end the app
            return None

    def _shape_questions(self) -> tuple[ShapeQuestion, ...]:
        app: Any = self
        if self._shapes is None or self._shapes[0] is not app.scene:
            from tui_upsample.quiz import shape_questions

            self._shapes = (app.scene, shape_questions(app.scene))
        return self._shapes[1]

    def quiz_changed(self) -> None:
        """Show the quiz as it now is: the bar, what the step view hides, the status line."""
        app: Any = self
        if not app.screen_stack:
            return  # not on screen yet: on_mount starts the quiz
        quiz: Quiz | None = app.quiz
        bar = self._quiz_bar(create=quiz is not None)
        if quiz is None:
            if bar is not None:
                bar.display = False
            app.masking = None
            app.hide_formula = False
            app.quiz_card = None
            self._show_notes(True)
            self._name_quiz()
            return
        from tui_upsample.quiz import cells_card, masking, shapes_card

        if quiz.round == CELLS:
            asked = self._quiz_question()
            if asked is None or quiz.revealed:
                self._pick = None
            else:
                ask = asked.asks[min(quiz.part, len(asked.asks) - 1)]
                if ask.kind != POSITION:
                    self._pick = None
            steps = len(app.trace) if app.trace is not None else 0
            card = cells_card(quiz, asked, steps)
            app.masking = masking(quiz, asked, self._pick)
            app.hide_formula = False
        else:
            card = shapes_card(quiz, self._shape_questions())
            app.masking = masking(quiz, None, None)
            app.hide_formula = not quiz.revealed
        app.quiz_card = card
        self._show_notes(not app.hide_formula)
        if bar is not None:
            bar.display = True
        self._score_said = quiz.score
        self._name_quiz()

    def _show_notes(self, show: bool) -> None:
        """The lesson notes speak of the output's size: out of sight while it is asked."""
        for notes in self.query("#lesson-notes"):
            # visibility, not display: the notes keep their place and decide their own display
            visibility = "visible" if show else "hidden"
            if notes.styles.visibility != visibility:
                notes.styles.visibility = visibility
                if show:  # what they held back while out of sight is drawn now
                    self.call_after_refresh(self._renew_notes)

    def _renew_notes(self) -> None:
        app: Any = self
        for notes in self.query("#lesson-notes"):
            notes.scene = app.scene  # type: ignore[attr-defined]

    def _name_quiz(self) -> None:
        """The header's sub-title says the score while the quiz is on (_name_operator)."""
        app: Any = self
        app._name_operator()

    def _quiz_bar(self, create: bool) -> QuizBar | None:
        """The quiz bar in the step view (made the first time the quiz starts)."""
        app: Any = self
        for bar in app.query("#quiz-bar"):  # by id: QuizBar's module loads with the first quiz
            return bar  # type: ignore[no-any-return]
        if not create:
            return None
        try:
            steps = app.query_one("#steps")
        except NoMatches:
            return None
        from tui_upsample.widgets.panes.quiz_bar import QuizBar

        token = active_message_pump.set(self)  # data_bind binds to the app's reactives
        try:
            bar = QuizBar(id="quiz-bar").data_bind(card=type(app).quiz_card)
        finally:
            active_message_pump.reset(token)
        steps.mount(bar, before="#grids")
        return bar

    def _quiz_focus_answer(self) -> None:
        bar = self._quiz_bar(create=False)
        answer = bar.answer if bar is not None and bar.display else None
        if answer is not None:
            answer.focus()

    def _quiz_focus_grids(self) -> None:
        try:
            self.query_one("#input-editor GridView").focus()
        except NoMatches:
            pass

    def _quiz_clear(self) -> None:
        bar = self._quiz_bar(create=False)
        if bar is not None:
            bar.clear()

    # Answers ----------------------------------------------------------------------------------
    # A mixin's methods are found by their names (``@on`` registers only in a Textual class).
    def on_quiz_bar_answered(self, event: QuizBar.Answered) -> None:
        app: Any = self
        quiz: Quiz | None = app.quiz
        if quiz is None:
            return
        if quiz.round == SHAPES:
            self._shape_answered(quiz, event.text)
            return
        asked = self._quiz_question()
        if asked is None or quiz.revealed:
            self._quiz_clear()
            self._quiz_next()
            return
        from tui_upsample.engine.quiz import check

        verdict = check(asked.asks[quiz.part], event.text)
        after = quiz.answered(verdict, len(asked.asks))
        if verdict.right is None:
            app.quiz = after
            return  # refused: what was typed stays, to be mended
        self._quiz_clear()
        self._pick = None
        if verdict.right and after.revealed and app.step < len(app.trace) - 1:
            # right: the cell is revealed in the next step's output, and the quiz moves on
            app.step += 1
            app.quiz = after.at(app.step).replace(verdict=verdict.text, last_right=True)
        else:
            app.quiz = after

    def _quiz_next(self) -> None:
        app: Any = self
        if app.trace is not None and app.step < len(app.trace) - 1:
            app.step += 1
        else:
            self.notify("the last step: p goes back, g stops the quiz", timeout=3)

    def _shape_answered(self, quiz: Quiz, text: str) -> None:
        app: Any = self
        questions = self._shape_questions()
        if not questions:
            return
        n = min(quiz.step, len(questions) - 1)
        if quiz.revealed:
            self._quiz_clear()
            app.quiz = quiz.replace(
                step=(n + 1) % len(questions),
                part=0,
                revealed=False,
                verdict="",
                last_right=None,
            )
            return
        from tui_upsample.engine.quiz import check

        verdict = check(questions[n].ask, text)
        app.quiz = quiz.answered(verdict, 1)
        if verdict.right is not None:
            self._quiz_clear()

    def on_quiz_bar_pick_moved(self, event: QuizBar.PickMoved) -> None:
        asked = self._quiz_question()
        app: Any = self
        if asked is None or app.quiz is None or app.quiz.revealed:
            return
        ask = asked.asks[min(app.quiz.part, len(asked.asks) - 1)]
        if ask.kind != POSITION:
            return
        rows, cols = ask.grid_shape[-2:]
        if self._pick is None:
            step = app.trace[asked.step]
            start = step.input_cells[0] if ask.grid == "input" and step.input_cells else (0, 0)
            self._set_pick((start[-2], start[-1]))
            return
        r = min(max(self._pick[0] + event.rows, 0), rows - 1)
        c = min(max(self._pick[1] + event.cols, 0), cols - 1)
        self._set_pick((r, c))

    def _set_pick(self, cell: Cell, typed: bool = False) -> None:
        self._pick = cell
        bar = self._quiz_bar(create=False)
        if bar is not None and not typed:
            bar.show_pick(f"{cell[0]},{cell[1]}")
        self.quiz_changed()

    def on_input_changed(self, event: Input.Changed) -> None:
        """A cell typed in the answer field moves the pick there too."""
        if event.input.id != "quiz-answer" or self._quiz_question() is None:
            return
        from tui_upsample.engine.quiz import read_cell

        cell = read_cell(event.value)
        if cell is not None and cell != self._pick and self._asks_position():
            self._set_pick(cell, typed=True)

    def _asks_position(self) -> bool:
        app: Any = self
        asked = self._quiz_question()
        if asked is None or app.quiz is None or app.quiz.revealed:
            return False
        return asked.asks[min(app.quiz.part, len(asked.asks) - 1)].kind == POSITION

    def on_grid_view_cell_clicked(self, event: GridView.CellClicked) -> None:
        app: Any = self
        asked = self._quiz_question()
        if asked is None or app.quiz is None or app.quiz.revealed:
            return
        ask = asked.asks[min(app.quiz.part, len(asked.asks) - 1)]
        if ask.kind == POSITION and event.view.id == f"grid-{ask.grid}":
            self._set_pick((event.cell[-2], event.cell[-1]))
            self._quiz_focus_answer()

    # Watchers (the app's reactives) ----------------------------------------------------------
    def watch_quiz(self) -> None:
        self.quiz_changed()

    def watch_step(self, step: int) -> None:
        app: Any = self
        quiz: Quiz | None = app.quiz
        if quiz is not None and quiz.round == CELLS:
            if quiz.step != step:
                self._pick = None
                self._quiz_clear()
            app.quiz = quiz.at(step)
            self.quiz_changed()

    def watch_trace(self) -> None:
        app: Any = self
        quiz: Quiz | None = app.quiz
        if quiz is None:
            return
        if quiz.round == CELLS and (quiz.part or quiz.revealed):
            # new numbers (an edit, another operator): the step is asked afresh
            app.quiz = quiz.replace(part=0, revealed=False, verdict="", last_right=None)
        self.quiz_changed()
