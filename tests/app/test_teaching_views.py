"""The teaching views: compare (three faces), overlap (checkerboard), conventions (Keras vs
PyTorch) and the notes under the settings (output_padding, the adjoint, unpool bounds,
ceil_mode). Pilot tests assert the engine's numbers on screen; snapshots show the layouts."""

from __future__ import annotations

import numpy as np
import pytest
from textual.geometry import Region
from textual.widgets import ContentSwitcher, Static

from tui_upsample.engine import conv_transpose2d
from tui_upsample.engine.adjoint import adjoint_of_conv2d, adjoint_partner
from tui_upsample.engine.conventions import keras_vs_pytorch
from tui_upsample.engine.faces import FACES, ThreeFacesTrace
from tui_upsample.engine.overlap import footprint_overlap
from tui_upsample.engine.unpooling import unpool_size_bounds
from tui_upsample.number_format import format_number
from tui_upsample.scene import Scene
from tui_upsample.widgets.panes.lesson_notes import LessonNotes
from tui_upsample.widgets.views.compare_view import CompareView
from tui_upsample.widgets.views.conventions_view import ConventionsView
from tui_upsample.widgets.views.overlap_view import OverlapView

SIZE = (120, 40)
SEED_Y = np.array([[0, 1, 2], [2, 10, 10], [6, 17, 12]], dtype=float)
ANCHOR = dict(input=np.array([[1.0, 2.0], [3.0, 4.0]]), kernel=np.ones((3, 3)), stride=2)
"""ANCHORS.md's Keras/PyTorch example: [[1,2],[3,4]], a 3×3 ones kernel, stride 2."""


def _text(app, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def _note(app, part: str) -> str:
    """The text of one paragraph of the lesson notes (see lesson_notes.NOTE_PARTS)."""
    return app.query_one(LessonNotes).parts[part]


def _adjoint_rows(app) -> range:
    """The screen rows the adjoint's lines take (its heading to the notes' last line), read off
    the notes' own rendering: they may lie outside the screen."""
    notes = app.query_one(LessonNotes)
    lines = [strip.text for strip in notes.render_lines(Region(0, 0, *notes.outer_size))]
    first = next(r for r, line in enumerate(lines) if "why “transposed”" in line)
    return range(notes.region.y + first, notes.region.bottom - 1)  # the border left out


def _adjoint_on_screen(app) -> bool:
    """Whether a line of the adjoint is inside the side pane's visible area."""
    visible = app.query_one("#side").scrollable_content_region
    return any(visible.y <= row < visible.bottom for row in _adjoint_rows(app))


# --------------------------------------------------------------------------------------------
# Compare: one operator, three faces
# --------------------------------------------------------------------------------------------


async def test_conv_transpose2d_compare_three_faces(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert app.view == "compare" and app.scene.method == "all"
        assert app.query_one("#views", ContentSwitcher).current == "compare"
        trace = app.trace
        assert isinstance(trace, ThreeFacesTrace) and len(trace) == 9  # one step per output cell
        assert trace.agreement.identical
        for face in FACES:
            np.testing.assert_array_equal(trace.agreement.outputs[face], SEED_Y)
        assert "identical" in _text(app, "#compare-agreement")
        view = app.query_one(CompareView)
        for k in range(9):
            shown = view.outputs_shown()
            for face in FACES:  # every cell up to the step: the same number in all three faces
                np.testing.assert_array_equal(shown[face].ravel()[: k + 1], SEED_Y.ravel()[: k + 1])
            cell = divmod(k, 3)
            assert f"y[{cell[0]},{cell[1]}]" in _text(app, "#compare-counter")
            await pilot.press("n")
            await pilot.pause()
        # the last step: the scatter face has added all 4 input values
        assert view.current is not None and view.current.scattered == 4
        await pilot.press("c")
        await pilot.pause()
        assert app.view == "steps" and app.scene.method == "matrix"  # the method it had before


async def test_conv_transpose2d_compare_matrix_face_w1(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "n", "w")
        await pilot.pause()
        assert app.matrix_face == "W1"
        view = app.query_one(CompareView)
        w1 = view.card("matrix", "matrix")
        assert w1.values.shape == (9, 4)  # W1 = W2ᵀ: 9×4, as the seed writes it
        assert w1.highlighted("current") == set()  # a whole row: row 1 of W1 = column 1 of W2
        np.testing.assert_array_equal(view.card("matrix", "vector_in").values, SEED_Y.reshape(1, 9))
        np.testing.assert_array_equal(view.card("matrix", "grid_out").values, [[35, 52], [73, 80]])
        await pilot.press("w")
        await pilot.pause()
        assert app.matrix_face == "W2"
        assert view.card("matrix", "matrix").values.shape == (4, 9)


async def test_conv_transpose2d_method_all_opens_compare_and_m_leaves_it(app_factory) -> None:
    app = app_factory(method="all")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.view == "compare"
        await pilot.press("m")  # all → scatter: one face again
        await pilot.pause()
        assert app.scene.method == "scatter" and app.view == "steps"
        await pilot.press("m", "m", "m")  # scatter → matrix → direct → scatter: m is the faces
        await pilot.pause()
        assert app.scene.method == "scatter" and app.view == "steps"
        await pilot.press("c")  # c is the compare layout
        await pilot.pause()
        assert app.scene.method == "all" and app.view == "compare"


async def test_conv2d_compare_explains_and_view_names_are_checked(app_factory) -> None:
    app = app_factory(op="conv2d")
    async with app.run_test(size=SIZE) as pilot:
        app.view = "compare"  # as the tour would
        await pilot.pause()
        assert app.query_one("#views", ContentSwitcher).current == "compare"
        assert "three faces of conv_transpose2d" in _text(app, "#compare-note")
        app.view = "nonsense"
        await pilot.pause()
        assert app.view == "steps"
        for name in ("steps", "compare", "overlap", "conventions"):
            app.view = name
            await pilot.pause()
            assert app.query_one("#views", ContentSwitcher).current == name


# --------------------------------------------------------------------------------------------
# Overlap: checkerboard artifacts
# --------------------------------------------------------------------------------------------


async def test_conv_transpose2d_overlap_k3_s2(app_factory) -> None:
    app = app_factory(**ANCHOR)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")
        await pilot.pause()
        assert app.view == "overlap"
        view = app.query_one(OverlapView)
        counts = np.asarray(view.counts_card("op").values)
        want = footprint_overlap((2, 2), 3, 2)
        np.testing.assert_array_equal(counts, want.counts)
        np.testing.assert_array_equal(
            counts,
            [[1, 1, 2, 1, 1], [1, 1, 2, 1, 1], [2, 2, 4, 2, 2], [1, 1, 2, 1, 1], [1, 1, 2, 1, 1]],
        )
        card = view.counts_card("op")
        assert card.highlighted("written") == {(2, 2)}  # the most footprints: 4, reverse bold
        assert card.highlighted("current") == {
            (0, 2),
            (1, 2),
            (2, 0),
            (2, 1),
            (2, 3),
            (2, 4),
            (3, 2),
            (4, 2),
        }
        rule = str(view.query_one("#overlap-op .overlap-rule", Static).render())
        assert "not divisible by stride 2" in rule and "1, 2 or 4" in rule
        assert "4×" in str(view.query_one("#overlap-note", Static).render())
        remedy = np.asarray(view.counts_card("remedy").values)
        assert remedy.shape == (4, 4) and remedy[1:3, 1:3].tolist() == [[9, 9], [9, 9]]
        assert "even, no checkerboard" in str(
            view.query_one("#overlap-remedy .overlap-rule", Static).render()
        )


async def test_pixel_shuffle_overlap_is_even(app_factory) -> None:
    app = app_factory(op="pixel_shuffle")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")
        await pilot.pause()
        counts = np.asarray(app.query_one(OverlapView).counts_card("op").values)
        assert counts.shape == (4, 4) and (counts == 1).all()
        assert "exactly one" in _text(app, "#overlap-head")


# --------------------------------------------------------------------------------------------
# Conventions: Keras vs PyTorch
# --------------------------------------------------------------------------------------------


async def test_conv_transpose2d_keras_same_vs_pytorch(app_factory) -> None:
    app = app_factory(**ANCHOR)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await pilot.pause()
        assert app.view == "conventions"
        view = app.query_one(ConventionsView)
        found = keras_vs_pytorch(ANCHOR["input"], ANCHOR["kernel"], 2, "same")
        box = view.query_one("#convention-same")
        keras = np.asarray(box.query(".keras-card").last().values)
        torch = np.asarray(box.query(".pytorch-card").last().values)
        # ANCHORS.md: TensorFlow's 'same' and PyTorch's padding=1, output_padding=1
        np.testing.assert_array_equal(
            keras, [[1, 1, 3, 2], [1, 1, 3, 2], [4, 4, 10, 6], [3, 3, 7, 4]]
        )
        np.testing.assert_array_equal(
            torch, [[1, 3, 2, 2], [4, 10, 6, 6], [3, 7, 4, 4], [3, 7, 4, 4]]
        )
        assert view.differing_cells("same") == set(found.differ) and len(found.differ) == 12
        text = str(box.query_one(".convention-fix", Static).render())
        assert "no (padding, output_padding) gives it" in text and "y[0:4, 0:4]" in text
        valid = view.query_one("#convention-valid")
        assert "reproduces Keras padding='valid' exactly" in str(
            valid.query_one(".convention-fix", Static).render()
        )
        assert "output_padding picks 5 (a=0) or 6 (a=1)" in _text(app, "#conventions-padding")


# --------------------------------------------------------------------------------------------
# The notes under the settings
# --------------------------------------------------------------------------------------------


async def test_conv2d_adjoint_line(app_factory) -> None:
    app = app_factory(op="conv2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        scene = app.scene
        want = adjoint_of_conv2d(scene.input, scene.kernel)
        # conv2d(x, w) = [[25, 31], [43, 49]], y = [[-2, 1], [2, -2]] (small_nonzero_integers)
        assert want.lhs == want.rhs == 25 * -2 + 31 * 1 + 43 * 2 + 49 * -2
        lhs, rhs = _note(app, "adjoint-lhs"), _note(app, "adjoint-rhs")
        assert lhs.startswith("⟨conv2d(x, w), y⟩") and lhs.endswith(f"= {format_number(want.lhs)}")
        assert rhs.startswith("⟨x, conv_transpose2d(y, w)⟩")
        assert rhs.endswith(f"= {format_number(want.rhs)}")
        assert "gradient of conv2d" in _note(app, "adjoint-note")


async def test_conv_transpose2d_adjoint_line_and_output_padding(app_factory) -> None:
    app = app_factory(stride=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        scene = app.scene
        want = adjoint_partner(scene.input, scene.kernel, stride=2).identity
        assert want.lhs == want.rhs
        assert _note(app, "adjoint-lhs").endswith(f"= {format_number(want.lhs)}")
        assert _note(app, "adjoint-rhs").endswith(f"= {format_number(want.rhs)}")
        np.testing.assert_array_equal(
            want.backward, conv_transpose2d(scene.input, scene.kernel, stride=2)
        )
        notes = _note(app, "notes-text")
        assert "stride 2 maps both 4 and 5 to 2" in notes and "pads nothing with zeros" in notes


def _adjoint_shown(app) -> tuple[str, str]:
    return _note(app, "adjoint-lhs"), _note(app, "adjoint-rhs")


def _adjoint_wanted(app) -> tuple[str, str]:
    """The two numbers the engine gives for the app's scene, as the notes end their lines."""
    scene = app.scene
    want = adjoint_partner(scene.input, scene.kernel, stride=scene.stride).identity
    assert want.lhs == want.rhs
    return f"= {format_number(want.lhs)}", f"= {format_number(want.rhs)}"


def _shows_wanted(app) -> bool:
    (lhs, rhs), (want_lhs, want_rhs) = _adjoint_shown(app), _adjoint_wanted(app)
    return lhs.endswith(want_lhs) and rhs.endswith(want_rhs)


async def test_adjoint_out_of_view_catches_up_before_it_is_seen(app_factory) -> None:
    """An edit while the adjoint lines are scrolled out of view leaves them for later; they show
    the engine's numbers for the edited scene as soon as they scroll, or grow, into view."""
    big = np.arange(256.0).reshape(16, 16) % 7 - 3
    app = app_factory(input=big, kernel=np.ones((3, 3)), stride=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        side = app.query_one("#side")
        assert not _adjoint_on_screen(app)  # below the fold at 120×40
        assert _shows_wanted(app)
        first = _adjoint_shown(app)

        app.query_one("#input-editor GridView").focus()
        await pilot.press("9", "enter")  # typed: the edit line opens, then closes
        await pilot.pause()
        assert app.scene.input[0, 0] == 9.0
        assert _adjoint_shown(app) == first  # out of view: left as it was, not recomputed
        assert not _shows_wanted(app)

        side.scroll_y = side.max_scroll_y  # the lines are drawn now, before the frame
        assert _shows_wanted(app)
        await pilot.pause()
        assert _adjoint_on_screen(app) and _shows_wanted(app)
        assert _adjoint_shown(app)[0] in app.export_screenshot().replace("&#160;", " ")

        await pilot.press("right", "5", "enter")  # in view: drawn with the edit
        await pilot.pause()
        assert app.scene.input[0, 1] == 5.0 and _shows_wanted(app)

        side.scroll_y = 0
        await pilot.pause()
        await pilot.press("right", "8", "enter")
        await pilot.pause()
        assert not _adjoint_on_screen(app) and not _shows_wanted(app)
        await pilot.resize_terminal(120, 66)  # taller: the lines come into view unscrolled
        await pilot.pause()
        assert side.scroll_y == 0 and side.max_scroll_y > 0  # the pane still scrolls
        assert _adjoint_on_screen(app)
        assert app.scene.input[0, 2] == 8.0 and _shows_wanted(app)


async def test_adjoint_catches_up_when_the_pane_above_it_shrinks(app_factory) -> None:
    """A typo in a parameter swaps the settings' formula for a one-line message, and the notes
    move up: an adjoint line left behind just below the fold shows its numbers as it rises."""
    big = np.arange(256.0).reshape(16, 16) % 7 - 3
    app = app_factory(input=big, kernel=np.ones((3, 3)), stride=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        side = app.query_one("#side")
        app.query_one("#input-editor GridView").focus()
        await pilot.press("1", "enter")  # the message line under the grid is open from now on
        await pilot.pause()
        # Scroll so that the adjoint's first line is the first one below the fold.
        content_y = _adjoint_rows(app)[0] - side.region.y + round(side.scroll_y)
        side.scroll_y = content_y - side.scrollable_content_region.height
        await pilot.pause()
        assert not _adjoint_on_screen(app) and _shows_wanted(app)
        await pilot.press("right", "6", "enter")
        await pilot.pause()
        assert app.scene.input[0, 1] == 6.0
        assert not _adjoint_on_screen(app) and not _shows_wanted(app)  # left behind

        app.query_one("#stride").focus(scroll_visible=False)
        await pilot.press("-")  # "2-": not an integer
        await pilot.pause()
        assert "is not an integer" in _text(app, "#problem")
        assert _adjoint_on_screen(app) and _shows_wanted(app)


async def test_max_unpool2d_size_bounds_and_max_pool2d_ceil_mode(app_factory) -> None:
    app = app_factory(op="max_unpool2d")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # 4×4 pools to 2×2: the bounds are the pooled map's (PyTorch refuses 7, 8 and 9 here),
        # and a remembered index that does not fit the chosen size is refused too.
        bounds = unpool_size_bounds(2, 2, 2)
        assert bounds.allowed == (3, 4, 5)
        assert bounds.text in _note(app, "notes-text")
        assert "strictly between 2 and 6" in _note(app, "notes-text")
        assert "the largest is 14, so output_size needs more than 14 cells" in _note(
            app, "notes-text"
        )
        app.scene = Scene.seed_example("max_pool2d").replace(input=np.ones((5, 5)), ceil_mode=True)
        await pilot.pause()
        assert "adds a window over cells 4 to 5" in _note(app, "notes-text")
        app.scene = Scene.seed_example("upsample_nearest")
        await pilot.pause()
        notes = app.query_one(LessonNotes)  # only the seed post's story: no parameter to explain
        assert notes.display and notes.parts["story-text"] and not _note(app, "notes-text")


# --------------------------------------------------------------------------------------------
# Snapshots (look at each as PNG before updating)
# --------------------------------------------------------------------------------------------


def test_conv_transpose2d_compare_snapshot(snap_compare, app_factory) -> None:
    """The seed's transposed convolution, three faces on output cell y[1,1]."""
    assert snap_compare(app_factory(), press=["c", "n", "n", "n", "n"], terminal_size=SIZE)


def test_conv_transpose2d_compare_w1_snapshot(snap_compare, app_factory) -> None:
    """The matrix face turned to the convolution: xᵀ · W1 = r′ ≠ r."""
    assert snap_compare(app_factory(), press=["c", "n", "w"], terminal_size=SIZE)


def test_conv_transpose2d_compare_80x24(snap_compare, app_factory) -> None:
    assert snap_compare(app_factory(), press=["c"], terminal_size=(80, 24))


def test_conv_transpose2d_overlap_k3_s2_snapshot(snap_compare, app_factory) -> None:
    """k=3, stride 2: 1, 2 and 4 footprints (a checkerboard) beside resize-convolution."""
    assert snap_compare(app_factory(**ANCHOR), press=["k"], terminal_size=SIZE)


def test_conv_transpose2d_conventions_snapshot(snap_compare, app_factory) -> None:
    """ANCHORS.md's example: Keras 'same' and PyTorch p=1, a=1 differ in 12 cells."""
    assert snap_compare(app_factory(**ANCHOR), press=["f"], terminal_size=SIZE)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_conv_transpose2d_start_screen_with_notes(snap_compare, size, app_factory) -> None:
    """The default start screen, with the notes under the settings, at both sizes."""
    assert snap_compare(app_factory(), terminal_size=size)


async def test_the_scene_is_the_one_source_of_the_compare_layout(app_factory) -> None:
    """A transposed convolution shows its three faces exactly when its scene is stepped by
    "all": the view follows the scene, and nothing sets the view against it."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert app.scene.compare and app.view == "compare"
        app.scene = app.scene.replace(method="direct")  # the settings' drop-down, say
        await pilot.pause()
        assert app.view == "steps"
        app.view = "compare"  # a view alone cannot put the faces on screen
        await pilot.pause()
        assert app.view == "steps" and not app.scene.compare
        app.scene = app.scene.replace(method="all")
        await pilot.pause()
        assert app.view == "compare"
        assert app.query_one("#views", ContentSwitcher).current == "compare"
        await pilot.press("k")  # another view leaves the faces, and the scene with them
        await pilot.pause()
        assert app.view == "overlap" and app.scene.method == "direct"
