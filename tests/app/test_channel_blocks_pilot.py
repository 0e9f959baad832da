"""Channel blocks on screen, and the cell the other shuffle order reads.

The matrices of a scene with channels (im2col, the kernel as columns, W2 and W1) are drawn in
their channel blocks: a caption line above each band of rows, naming each block by its kernel
slice in PyTorch's layout and the channels it joins, and a ``│`` before each block. What is
checked here is that the captions stand where the engine's blocks are, that the cells keep their
numbers, highlights and clicks under the added lines, and that pixel shuffle lights the input cell
the other channel order reads, named so by the legend, in English and in Korean.
"""

from __future__ import annotations

import numpy as np

from tests.app.conftest import THEME
from tui_upsample.app import UpsampleApp
from tui_upsample.cli import build_parser, scene_from_args
from tui_upsample.engine.steps import IM2COL, INPUT, KERNEL_VECTOR, MATRIX, OTHER_READ, OUTPUT
from tui_upsample.number_format import format_to_width
from tui_upsample.widgets.blocks.block_captions import block_frame
from tui_upsample.widgets.blocks.grid_view import SEPARATOR, GridView
from tui_upsample.widgets.blocks.role_legend import RoleLegend, SourceLegend
from tui_upsample.widgets.blocks.role_styles import LOOKS
from tui_upsample.widgets.panes.step_view import StepView

SIZE = (120, 40)


def _scene(*argv: str):
    return scene_from_args(build_parser().parse_args(list(argv)))


def _lines(view: GridView) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


def _view(app, name: str) -> GridView:
    return app.query_one(StepView).query_one(f"#grid-{name}", GridView)


def _text_at(view: GridView, cell: tuple[int, ...]) -> str:
    """What the view draws over ``cell``'s slot (its gap, then its number)."""
    region = view.cell_region(cell)
    x, y = region.x - view.scroll_offset.x, region.y - view.scroll_offset.y
    line = view.render_line(y).text
    return line[x : x + region.width]


async def test_w2_blocks_are_captioned_where_the_engine_puts_them(app_factory) -> None:
    app = app_factory(_scene("--op", "convT", "--in-channels", "2", "--out-channels", "2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["n"] * 10)  # output channel 1: a column of the second block
        await pilot.pause()
        view = _view(app, MATRIX)
        blocks = app.trace.grid(MATRIX).blocks
        assert view.size.width >= view.content_width  # the whole of W2 is on screen
        lines = _lines(view)
        slot = view.cell_width + 1
        gutter = view._gutter
        for block in blocks.cells:
            # the caption line of its band: just above the band's first row
            top = view.cell_region((block.rows.start, block.cols.start)).y - 1
            a, b = block.weight
            caption = f"w[{a},{b}]: c={block.input_channel} → o={block.output_channel}"
            x = gutter + block.cols.start * slot + 2  # after the separator and one rule
            assert lines[top][x : x + len(caption)] == caption, lines[top]
            if block.cols.start:
                for row in block.rows:
                    assert _text_at(view, (row, block.cols.start))[0] == SEPARATOR
        # the cells keep their numbers and the step's column stays lit under the added lines
        values = np.asarray(app.trace.grid(MATRIX).values)
        column = app.trace[app.step].matrix_column
        assert column >= blocks.col_size  # in output channel 1's block
        for row in range(values.shape[0]):
            shown = _text_at(view, (row, column))[1:]
            assert shown == format_to_width(values[row, column], view.cell_width)
            assert view.style_at((row, column)) == LOOKS["read"].style
            region = view.cell_region((row, column))
            assert view.cell_at(region.x + 1, region.y) == (row, column)
        band_line = view.cell_region((blocks.row_size, 0)).y - 1
        assert view.cell_at(gutter + 1, band_line) is None  # a caption line is no cell


async def test_blocks_of_another_group_are_captioned_absent(app_factory) -> None:
    app = app_factory(
        _scene("--op", "convT", "--in-channels", "2", "--out-channels", "2", "--groups", "2")
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = "\n".join(_lines(_view(app, MATRIX)))
        assert "w[0,0]: c=0 → o=0" in text and "w[1,0]: c=1 → o=1" in text
        assert "c=0 → o=1: absent" in text and "c=1 → o=0: absent" in text


async def test_conv2d_matrices_name_their_channels(app_factory) -> None:
    app = app_factory(_scene("--op", "conv", "--in-channels", "2", "--out-channels", "2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        windows = _lines(_view(app, IM2COL))
        assert "c=0" in windows[1] and "c=1" in windows[1]  # one band: its blocks named
        assert windows[1].index("c=1") > windows[1].index("c=0")
        kernel = _view(app, KERNEL_VECTOR)
        blocks = app.trace.grid(KERNEL_VECTOR).blocks
        lines = _lines(kernel)
        for band in range(2):
            # the columns are one cell wide: the band is named instead, input channel c's rows
            top = kernel.cell_region((band * blocks.row_size, 0)).y - kernel.scroll_offset.y - 1
            assert f"input channel {band}" in lines[top]
        assert _text_at(kernel, (0, 1))[0] == SEPARATOR  # output channel 1's column


async def test_a_scrolled_w2_shows_the_caption_of_the_block_in_view(app_factory) -> None:
    scene = _scene("--op", "convT", "--in-channels", "2", "--out-channels", "2", "--size", "6x6")
    app = app_factory(scene)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")  # the last output cell: the last block of W2
        await pilot.pause()
        view = _view(app, MATRIX)
        column = app.trace[app.step].matrix_column
        assert view.scroll_offset.x > 0  # scrolled sideways to the lit column
        region = view.cell_region((0, column))
        assert view.scroll_offset.x <= region.x < view.scroll_offset.x + view.size.width
        view.scroll_to(x=view.scroll_offset.x, y=0, animate=False, immediate=True)
        await pilot.pause()
        block = app.trace.grid(MATRIX).blocks.at(0, column)
        assert (block.input_channel, block.output_channel) == (0, 1)
        caption = "w[0,1]: c=0 → o=1"
        line = view.render_line(1).text  # band 0's caption line, under the column numbers
        gutter = view._gutter
        # its start is scrolled off: the caption stays in view, after one rule at the left
        assert block.cols.start * (view.cell_width + 1) < view.scroll_offset.x
        assert line[gutter : gutter + 2 + len(caption)] == "─" + caption + "─", line
        assert line[:gutter] == "─" * gutter  # the row numbers' column stays put


def test_w1s_blocks_are_w2s_transposed_and_named_by_output_channel() -> None:
    from tui_upsample.engine import trace

    t = trace(
        "conv_transpose2d",
        np.ones((2, 2, 2)),
        weight=np.arange(16.0).reshape(2, 2, 2, 2),
        method="matrix",
    )
    frame = block_frame(t.grid(MATRIX).blocks.T)
    assert (frame.row_size, frame.col_size) == (9, 4)
    # W1's band o holds output channel o's rows; its block c the slice w[c, o]
    assert frame.captions[(0, 1)][1] == "w[1,0]: c=1 → o=0"
    assert frame.captions[(1, 0)][1] == "w[0,1]: c=0 → o=1"
    assert frame.bands[1][0] == "output channel 1"
    assert frame.caption(0, 1, 6) == "w[1,0]" and frame.caption(0, 1, 2) == ""


async def test_the_cell_the_other_order_reads_is_lit_at_every_step(app_factory) -> None:
    for order, other in (("crd", "dcr"), ("dcr", "crd")):
        app = app_factory(_scene("--op", "shuffle", "--out-channels", "2", "--order", order))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            legend = app.query_one(StepView).query_one(RoleLegend)
            assert str(legend.render()) == f"read read by {other} written"
            view = _view(app, INPUT)
            r = app.trace.params["upscale_factor"]
            c_out = app.trace.result.shape[0]
            for k in range(len(app.trace)):
                app.step = k
                await pilot.pause()
                step = app.trace[k]
                ((c, oh, ow),) = step.cells(OUTPUT)
                i, j = oh % r, ow % r
                crd, dcr = c * r * r + i * r + j, (i * r + j) * c_out + c
                theirs = (dcr if order == "crd" else crd, oh // r, ow // r)
                mine = (crd if order == "crd" else dcr, oh // r, ow // r)
                assert step.cells(INPUT, OTHER_READ) == (theirs,)
                expected = LOOKS["read"].style if theirs == mine else "other-read"
                assert view.style_at(theirs) == expected, (order, k)
                assert view.style_at(mine) == LOOKS["read"].style


async def test_the_legends_and_captions_speak_korean() -> None:
    app = UpsampleApp(
        _scene("--op", "shuffle", "--out-channels", "2"),
        theme=THEME,
        cursor_blink=False,
        language="ko",
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        step_view = app.query_one(StepView)
        assert str(step_view.query_one(SourceLegend).render()).startswith("원본 채널: ")
        assert "dcr가 읽음" in str(step_view.query_one(RoleLegend).render())
    app = UpsampleApp(
        _scene("--op", "convT", "--in-channels", "2", "--out-channels", "2", "--groups", "2"),
        theme=THEME,
        cursor_blink=False,
        language="ko",
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = "\n".join(_lines(_view(app, MATRIX)))
        assert "c=0 → o=1: 없음" in text


async def test_a_language_chosen_in_the_app_rewords_the_legends_and_captions(app_factory) -> None:
    app = app_factory(
        _scene("--op", "convT", "--in-channels", "2", "--out-channels", "2", "--groups", "2")
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "c=0 → o=1: absent" in "\n".join(_lines(_view(app, MATRIX)))
        app.action_set_language("ko")
        await pilot.pause()
        assert "c=0 → o=1: 없음" in "\n".join(_lines(_view(app, MATRIX)))
        assert str(app.query_one(StepView).query_one(RoleLegend).render()) == "읽음 씀"


async def test_w1_stands_beside_w2_in_its_blocks(app_factory) -> None:
    scene = _scene("--op", "convT", "--in-channels", "2", "--out-channels", "1", "--size", "2x2")
    app = app_factory(scene)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        w1 = _view(app, "w1")
        w2 = np.asarray(app.trace.grid(MATRIX).values)
        assert w1.values.shape == w2.T.shape == (9, 8)
        lines = _lines(w1)
        # one band (output channel 0), its blocks input channel 0 and 1: w[0,0] and w[1,0]
        assert "w[0,0]" in lines[1] and "w[1,0]" in lines[1]
        assert _text_at(w1, (0, 4))[0] == SEPARATOR
        for col in range(8):  # row 0 of W1 (column 0 of W2) lit, with W2's numbers
            assert w1.style_at((0, col)) == LOOKS["read"].style
            assert _text_at(w1, (0, col))[1:] == format_to_width(w2[col, 0], w1.cell_width)
