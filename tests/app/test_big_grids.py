"""Big grids: a 64×64 input (7×7 kernels) in every operator.

The panes scroll, the highlighted step stays in view (the view follows the step to the last one
and back), traces build their steps lazily (no copy per step is kept), and the big matrices
(W2 of a 64×64 input is 4096 × 17689 here) are only ever sliced as far as the screen shows.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from typing import Any

import numpy as np
import pytest
from textual.geometry import Region

from tui_upsample.engine.steps import MATRIX, OUTPUT
from tui_upsample.scene import Scene, build_trace, random_grid
from tui_upsample.widgets.blocks.grid_view import HIGHLIGHT_ORDER, GridView
from tui_upsample.widgets.panes.grid_editor import GridEditor
from tui_upsample.widgets.panes.step_view import StepView

SIZE = (120, 40)
BIG = random_grid((64, 64), 7)
KERNEL = random_grid((7, 7), 8)

BIG_SCENES: dict[str, Scene] = {
    "max_pool2d": Scene.seed_example("max_pool2d").replace(input=BIG, kernel_size=3, stride=2),
    "max_unpool2d": Scene.seed_example("max_unpool2d").replace(input=BIG, kernel_size=2, stride=2),
    "upsample_nearest": Scene.seed_example("upsample_nearest").replace(input=BIG),
    "bed_of_nails": Scene.seed_example("bed_of_nails").replace(input=BIG),
    "upsample_bilinear": Scene.seed_example("upsample_bilinear").replace(input=BIG),
    "conv2d": Scene.seed_example("conv2d").replace(input=BIG, kernel=KERNEL),
    "conv_transpose2d-scatter": Scene.seed_example().replace(
        input=BIG, kernel=KERNEL, stride=2, method="scatter"
    ),
    "conv_transpose2d-matrix": Scene.seed_example().replace(
        input=BIG, kernel=KERNEL, stride=2, method="matrix"
    ),
    "conv_transpose2d-direct": Scene.seed_example().replace(
        input=BIG, kernel=KERNEL, stride=2, method="direct"
    ),
    "pixel_shuffle": Scene.seed_example("pixel_shuffle").replace(
        channels=random_grid((4, 64, 64), 9)
    ),
}


def visible_cells(view: GridView) -> Region:
    """The part of the virtual canvas (``cell_region``'s coordinates) whose cells are on screen:
    right of the row numbers, below the column numbers."""
    sx, sy = view.scroll_offset
    width, height = view.scrollable_content_region.size
    gutter = view._gutter
    return Region(sx + gutter, sy + 1, max(width - gutter, 0), max(height - 1, 0))


def in_view(view: GridView, cell: tuple[int, ...]) -> bool:
    """Whether cell ``cell`` is wholly inside the visible part of ``view``."""
    return visible_cells(view).contains_region(view.cell_region(cell))


def strongest_cells(view: GridView) -> list[tuple[int, ...]]:
    """The cells of the strongest highlight style ``view`` follows (whole rows/columns: one cell
    of them on the visible axis)."""
    for style in HIGHLIGHT_ORDER:
        marks = view._marks.get(style)
        if not marks:
            continue
        cells = sorted(marks.cells)
        x0 = view.scroll_offset.x // (view.cell_width + 1)
        y0 = view.scroll_offset.y
        cells += [(r, min(x0 + 1, view.values.shape[-1] - 1)) for r in sorted(marks.rows)]
        cells += [(min(y0, view.values.shape[0] - 1), c) for c in sorted(marks.cols)]
        return cells
    return []


def assert_highlight_in_view(app) -> None:
    """Every grid of the step view shows (some of) its strongest highlighted cells."""
    checked = 0
    for view in app.query_one(StepView).query(GridView):
        cells = strongest_cells(view)
        if not cells or view.size.area == 0:
            continue
        seen = [c for c in cells if in_view(view, c)]
        union = Region.from_union([view.cell_region(c) for c in cells])
        fits = (
            union.width <= visible_cells(view).width and union.height <= visible_cells(view).height
        )
        if fits:
            assert len(seen) == len(cells), (view.id, cells, view.scroll_offset)
        else:
            assert seen, (view.id, cells[:4], view.scroll_offset, view.size)
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("name", sorted(BIG_SCENES))
async def test_the_view_follows_the_step_through_a_64x64_input(name: str, app_factory) -> None:
    scene = BIG_SCENES[name]
    app = app_factory(scene)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.error == "" and len(app.trace) > 100
        out = app.query_one(f"#grid-{OUTPUT}", GridView)
        assert out.virtual_size.height > out.size.height  # the output scrolls
        await pilot.press("end")
        await pilot.pause()
        assert app.step == len(app.trace) - 1
        out = app.query_one(f"#grid-{OUTPUT}", GridView)
        assert out.scroll_offset.y > 0
        assert_highlight_in_view(app)
        await pilot.press("p", "p", "p")
        await pilot.pause()
        assert_highlight_in_view(app)
        await pilot.press("home", "n", "n")
        await pilot.pause()
        assert app.query_one(f"#grid-{OUTPUT}", GridView).scroll_offset.y == 0
        assert_highlight_in_view(app)
        # The step in the middle, reached with the step action (as "n" held down would).
        app.step = len(app.trace) // 2
        await pilot.pause()
        assert_highlight_in_view(app)


async def test_the_input_pane_scrolls_to_the_cursor(app_factory) -> None:
    app = app_factory(BIG_SCENES["upsample_nearest"])
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one("#input-editor", GridEditor)
        view = editor.query_one(GridView)
        assert view.virtual_size.height > view.size.height
        editor.action_move(63, 63)
        await pilot.pause()
        assert editor.cursor == (63, 63)
        assert view.scroll_offset.y > 0 and view.scroll_offset.x > 0
        assert in_view(view, (63, 63))
        await pilot.press("7", "enter")
        await pilot.pause()
        assert app.scene.input[63, 63] == 7.0
        assert in_view(view, (63, 63))


class CountingSource:
    """A grid source that counts the cells each slice asks for (and remembers the biggest)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.shape = tuple(source.shape)
        self.cells = 0
        self.slices = 0

    def __getitem__(self, key: Any) -> np.ndarray:
        block = np.asarray(self.source[key])
        self.cells += block.size
        self.slices += 1
        return block


async def test_a_huge_matrix_reads_only_the_visible_block(app_factory) -> None:
    """W2 of a 64×64 input, 7×7 kernel, stride 2 is 4096 × 17689 (72 million cells): a frame
    reads only about what fits on screen."""
    app = app_factory(BIG_SCENES["conv_transpose2d-matrix"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await pilot.pause()
        view = app.query_one(f"#grid-{MATRIX}", GridView)
        app.query_one(StepView).query_one("#grids").scroll_to_widget(view, animate=False)
        await pilot.pause()
        matrix = view.values
        assert matrix.shape == (64 * 64, 133 * 133)
        counting = CountingSource(matrix)
        marks = view._marks
        view.show(counting, width=view.cell_width, follow=False)
        view._marks = marks
        await pilot.pause()
        view.refresh()
        await pilot.pause()
        width, height = view.size
        on_screen = (height + 1) * (width // (view.cell_width + 1) + 2)
        assert 0 < counting.cells <= on_screen, (counting.cells, on_screen)
        assert counting.cells < matrix.shape[0] * matrix.shape[1] / 10_000


def test_w1_of_a_64x64_input_is_a_lazy_4096_by_3844_matrix() -> None:
    scene = Scene.seed_example("conv2d").replace(input=BIG, kernel=KERNEL[:3, :3])
    trace = build_trace(scene.replace(method="im2col"))
    from tui_upsample.engine.conv_matrix import ConvMatrix

    w1 = ConvMatrix(KERNEL[:3, :3], (64, 64))
    assert w1.shape == (4096, 3844)
    tracemalloc.start()
    block = w1[4000:4010, 3800:3844]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert block.shape == (10, 44)
    assert peak < 1_000_000  # the whole W1 would be 126 MB
    assert len(trace) == 62 * 62


@pytest.mark.parametrize("name", sorted(BIG_SCENES))
def test_traces_are_lazy(name: str) -> None:
    """Building a 64×64 trace is quick and small, and stepping through it keeps no copies."""
    scene = BIG_SCENES[name]
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    trace = build_trace(scene)
    built = time.perf_counter() - start
    after_build, _ = tracemalloc.get_traced_memory()
    n = len(trace)
    for k in range(0, n, max(n // 200, 1)):
        step = trace[k]
        assert step.index == k
    del step
    gc.collect()
    after_steps, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = trace.result.nbytes
    # The trace holds its grids and result, not one partial output per step.
    assert after_build < 40 * out + 4_000_000, (after_build, n)
    assert after_steps - after_build < 4 * out + 1_000_000, (after_steps - after_build, n)
    assert n > 100
    del built  # timing is for the benchmarks, not the tests
