"""Practice on screen, as SVG snapshots: the quiz (a wrong answer revealed, a cell picked, the
shape round), the solver view and max_unpool2d's indices view."""

from __future__ import annotations

import numpy as np

from tui_upsample.app import UpsampleApp
from tui_upsample.quiz import Quiz
from tui_upsample.scene import Scene

SIZE = (120, 40)


def app_on(scene: Scene, quiz: Quiz | None = None) -> UpsampleApp:
    return UpsampleApp(
        scene, theme="textual-dark", cursor_blink=False, preferences=False, quiz=quiz
    )


def test_quiz_wrong_answer_revealed(snap_compare) -> None:
    """upsample-tui --quiz, 5 Enter: score 0/1, the cell and the step's arithmetic revealed."""
    app = app_on(Scene.seed_example(), Quiz())
    assert snap_compare(app, press=["5", "enter"], terminal_size=SIZE)


def test_quiz_max_pool2d_argmax_picked(snap_compare) -> None:
    """The value answered, the argmax asked: x's window without its argmax, the pick on x."""
    app = app_on(Scene.seed_example("max_pool2d"), Quiz())
    assert snap_compare(app, press=["6", "enter", "right", "right", "down"], terminal_size=SIZE)


def test_quiz_shape_round_answered(snap_compare) -> None:
    """--quiz shapes, 3x3 Enter: right, and the formula with the numbers put in."""
    app = app_on(Scene.seed_example(), Quiz(round="shapes"))
    assert snap_compare(app, press=["3", "x", "3", "enter"], terminal_size=SIZE)


def test_solver_view(snap_compare) -> None:
    """s on a stride-2 transposed convolution: the settings that reach its output size."""
    scene = Scene.seed_example().replace(stride=2, kernel=np.ones((3, 3)), padding=1)
    assert snap_compare(app_on(scene), press=["s"], terminal_size=SIZE)


def test_indices_view(snap_compare) -> None:
    """i on max_unpool2d of a 5×5 input: index 18 does not fit the default 4×4 output."""
    scene = Scene.seed_example("max_unpool2d").replace(input=np.arange(25.0).reshape(5, 5))
    assert snap_compare(app_on(scene), press=["i"], terminal_size=SIZE)
