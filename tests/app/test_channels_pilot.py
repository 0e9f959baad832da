"""Scenes with channels, driven by keys: the planes are drawn and titled, a 4-D kernel is edited
slice by slice, and every number on screen is still the engine's."""

from __future__ import annotations

import numpy as np

from tui_upsample.cli import build_parser, scene_from_args
from tui_upsample.engine import trace as engine_trace
from tui_upsample.engine.steps import INPUT, KERNEL, OUTPUT
from tui_upsample.widgets.blocks.grid_view import GridView
from tui_upsample.widgets.panes.step_view import StepView

SIZE = (120, 40)


def _scene(*argv: str):
    return scene_from_args(build_parser().parse_args(list(argv)))


def _lines(view: GridView) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


async def test_every_plane_and_kernel_slice_is_titled(app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "2", "--out-channels", "2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        step_view = app.query_one(StepView)
        x_lines = _lines(step_view.query_one(f"#grid-{INPUT}", GridView))
        assert any(line.startswith("channel 0") for line in x_lines)
        assert any(line.startswith("channel 1") for line in x_lines)
        kernel = step_view.query_one(f"#grid-{KERNEL}", GridView)
        assert kernel.values.shape == (2, 2, 2, 2)
        assert "(C_out, C_in/g, kH, kW)" in str(kernel.border_title)
        text = "\n".join(_lines(kernel))
        for slice_ in ("slice [0,0]", "slice [0,1]", "slice [1,0]", "slice [1,1]"):
            assert slice_ in text


async def test_a_step_highlights_every_plane_it_reads(app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "2", "--out-channels", "2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["n"] * 5)  # output channel 1, cell (0, 1)
        await pilot.pause()
        step = app.trace[app.step]
        view = app.query_one(StepView).query_one(f"#grid-{INPUT}", GridView)
        assert {c for c, _, _ in view.highlighted("current")} == {0, 1}
        kernel = app.query_one(StepView).query_one(f"#grid-{KERNEL}", GridView)
        # slices [1,0] and [1,1] (output channel 1) are drawn as planes 2 and 3
        assert {p for p, _, _ in kernel.highlighted("current")} == {2, 3}
        assert step.cells(OUTPUT) == ((1, 0, 1),)


async def test_editing_a_kernel_slice_changes_that_slice(app_factory) -> None:
    scene = _scene(
        "--op", "convT", "--in-channels", "2", "--out-channels", "2", "--method", "scatter"
    )
    app = app_factory(scene)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")  # the kernel's editor
        # down past slice [0,0] (2 rows) and [0,1] to slice [1,0], row 0
        await pilot.press("down", "down", "down", "down", "right", "7", "enter", "end")
        await pilot.pause()
        assert app.scene.kernel[1, 0, 0, 1] == 7.0
        expected = engine_trace(
            "conv_transpose2d", app.scene.input, weight=app.scene.kernel, method="scatter"
        ).result
        np.testing.assert_array_equal(app.trace.result, expected)


async def test_pooling_shows_each_planes_own_indices(app_factory) -> None:
    app = app_factory(_scene("--op", "unpool", "--in-channels", "2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["n"] * 5)
        await pilot.pause()
        indices = app.query_one(StepView).query_one("#grid-indices", GridView)
        values = np.asarray(indices.values[:])
        assert values.shape == (2, 2, 2) and values.max() < 16  # within a 4×4 plane
        assert "within plane 1" in app.trace[app.step].text


async def test_every_view_and_operator_takes_a_scene_with_channels(app_factory) -> None:
    scene = _scene("--op", "convT", "--in-channels", "2", "--out-channels", "4", "--groups", "2")
    app = app_factory(scene)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("k", "k", "f", "f", "m", "m", "m", "n", "c"):
            await pilot.press(key)
            await pilot.pause()
        # the three faces side by side, with channels
        assert app.scene.in_channels == 2 and app.view == "compare"
        await pilot.press("c")
        for _ in range(len(app.scene.takes) + 3):
            await pilot.press("o")
            await pilot.pause()
            assert app.trace is not None
            np.testing.assert_array_equal(app.trace.result.shape[0], app.scene.out_channels)


async def test_compare_steps_the_three_faces_of_every_channel(app_factory) -> None:
    from tui_upsample.engine.channel_transposed import ChannelConvTranspose2dTrace
    from tui_upsample.engine.faces import FACES, ChannelThreeFacesTrace
    from tui_upsample.engine.steps import MATRIX, PADDED, ROTATED_KERNEL, SCALED_KERNEL
    from tui_upsample.widgets.blocks.block_captions import block_frame
    from tui_upsample.widgets.views.compare_view import CompareView

    argv = ("--op", "convT", "--in-channels", "2", "--out-channels", "4", "--groups", "2")
    scene = _scene(*argv, "--stride", "2")
    app = app_factory(scene)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.scene
        await pilot.press("c")
        await pilot.pause()
        assert app.view == "compare" and app.scene.method == "all"
        trace = app.trace
        assert isinstance(trace, ChannelThreeFacesTrace) and trace.result.shape == (4, 4, 4)
        want = engine_trace(
            "conv_transpose2d", scene.input, weight=scene.kernel, stride=2, groups=2
        )
        for face in FACES:
            np.testing.assert_array_equal(trace.agreement.outputs[face], want.result)
        view = app.query_one(CompareView)
        assert view.query_one("#faces").display and not view.query_one("#compare-note").display
        assert "identical" in str(view.query_one("#compare-agreement").render())
        for _ in range(18):  # into output channel 1: y[1,0,2]
            await pilot.press("n")
        await pilot.pause()
        step = trace.at(18)
        assert view.current is not None and view.current.index == 18 and step.cell == (1, 0, 2)
        assert "output cell y[1,0,2]" in str(view.query_one("#compare-counter").render())
        assert str(view.query_one("#compare-text").render()) == step.text
        shown = view.outputs_shown()
        np.testing.assert_array_equal(shown["scatter"], step.scatter.partial)
        np.testing.assert_array_equal(shown["matrix"], step.matrix.partial)
        np.testing.assert_array_equal(shown["direct"], step.direct.partial)
        flat = want.result.ravel()[:19]
        for face in FACES:  # every cell up to the step: the engine's number in all three faces
            np.testing.assert_array_equal(shown[face].ravel()[:19], flat)
        # each face's grids plane by plane, the step's cells highlighted in them
        r = view.card("scatter", "input")
        assert r.values.shape == (2, 2, 2) and any(
            line.startswith("channel 1") for line in _lines(r)
        )
        assert r.highlighted("current") == set(step.contributors) - set(step.scatter.input_cells)
        assert r.highlighted("argmax") == set(step.scatter.input_cells)
        scaled = view.card("scatter", SCALED_KERNEL)
        assert scaled.values.shape == (4, 2, 2)
        assert scaled.border_title == "r[0,1,1]·w[0,o]"  # the last input value y[1,0,2] needs
        assert scaled.highlighted("current") == set(step.scatter.cells(SCALED_KERNEL))
        assert view.card("matrix", "matrix").highlighted("current") == set()  # column 18, whole
        assert view.card("matrix", "vector_out").highlighted("written") == {(0, 18)}
        assert view.card("matrix", "grid_out").highlighted("written") == {(1, 0, 2)}
        padded = view.card("direct", PADDED)
        assert padded.values.shape == (2, 5, 5)
        assert {c[0] for c in padded.highlighted("current")} == {0}  # group 0's plane only
        turned = view.card("direct", ROTATED_KERNEL)
        assert turned.values.shape == (4, 1, 2, 2)  # conv2d's layout: channel axes swapped
        # drawn as its slices [o, c']: slice o·(C_in/g) + c'
        assert (
            turned.highlighted("current")
            == {(o * 1 + c, a, b) for o, c, a, b in step.direct.cells(ROTATED_KERNEL)}
            == {(1, 1, 1)}
        )
        # the titles and captions say what channels change
        title = str(view.query_one("#face-scatter").border_title).replace("\\[", "[")
        assert title in (
            "scatter: each r[c,i,j]·w[c,o] added at its footprint",
            "scatter: r[c,i,j]·w[c,o]",
        )
        assert "channel axes swapped" in str(view.query_one("#face-direct").border_title)
        assert turned.border_title == "w turned 180°, channel axes swapped"
        w2 = view.card("matrix", "matrix")
        assert w2.border_title == "W2 = W1ᵀ  8×64"
        assert w2.border_subtitle == "row: cell of r, column: of y; 4×16 blocks; · absent"
        # drawn in the engine's channel blocks, each captioned, as the step view draws them
        blocks = trace.faces["matrix"].grid(MATRIX).blocks
        assert w2.blocks is not None and w2.blocks == block_frame(blocks)
        w2_lines = _lines(w2)
        assert "w[0,0]" in w2_lines[1], w2_lines  # the first band's caption, over its blocks
        assert "│" in w2_lines[0]  # a separator before output channel 1's block of columns
        texts = [str(t.render()) for t in view.query(".face-text")]
        assert texts[1] == step.matrix.text and texts[2] == step.direct.text
        # W1 = W2ᵀ with its channel blocks
        await pilot.press("w")
        await pilot.pause()
        w1 = view.card("matrix", "matrix")
        assert w1.values.shape == (64, 8)  # C_out·16 × C_in·4
        assert w1.border_subtitle == "row: cell of x, column: of r′; 16×4 blocks; · absent"
        assert w1.blocks == block_frame(blocks.T)  # W1's blocks: W2's, transposed
        assert np.isnan(w1.values[16:32, 4:8]).all()  # output channel 1 and input channel 1
        np.testing.assert_array_equal(
            view.card("matrix", "grid_out").values, trace.w1_face.r_back_grid
        )
        await pilot.press("w", "c")
        await pilot.pause()
        # back to the steps: the scene as it was, on the same output cell
        assert app.view == "steps" and app.scene.method == before.method == "matrix"
        assert app.scene.replace(method="all") == before.replace(method="all")
        assert isinstance(app.trace, ChannelConvTranspose2dTrace) and app.step == 18
        await pilot.press("m", "m")  # matrix → direct → scatter: the input value finishing it
        await pilot.pause()
        assert app.scene.method == "scatter"
        assert app.step == trace.scatter_step_for(18) == 3  # r[0,1,1]: group 0 is plane 0
        await pilot.press("c")  # and back: the last output cell r[0,1,1] finishes, y[1,3,3]
        await pilot.pause()
        assert app.view == "compare" and app.step == 31 and trace.at(31).cell == (1, 3, 3)


async def test_an_edit_typed_into_a_grid_since_replaced_is_not_written(app_factory) -> None:
    from tui_upsample.widgets.panes.grid_editor import GridEditor

    app = app_factory(op="pixel_unshuffle")  # a 2-D input; the edit names a plane of channels
    async with app.run_test(size=SIZE) as pilot:
        before = app.scene
        editor = app.query_one("#input-editor", GridEditor)
        editor.post_message(GridEditor.CellEdited("input", (0, 2, 1), 5.0))
        await pilot.pause()
        assert app.is_running and app.scene == before
        assert "not written" in str(editor.query_one("#message").render())
