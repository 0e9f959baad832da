"""Transcripts: one plain line per step, equal to the trace's; the Markdown worksheet has the
parameters, the formula with the numbers, the grids as tables and every step."""

from __future__ import annotations

import pytest

from tui_upsample.cli import main
from tui_upsample.engine.operators import OPERATORS, output_size_lines
from tui_upsample.scene import Scene, build_trace
from tui_upsample.transcript import grid_table, markdown_text, worksheet_lines


@pytest.mark.parametrize("op", OPERATORS)
def test_the_transcript_lines_are_the_traces(capsys, op: str) -> None:
    assert main(["--op", op, "--transcript"]) == 0
    out = capsys.readouterr().out.splitlines()
    trace = build_trace(Scene.seed_example(op))
    assert out == [f"{step.index + 1}. {step.text}" for step in trace]


def test_scene_flags_and_the_compare_method_reach_the_transcript(capsys) -> None:
    argv = ["--stride", "2", "--kernel-size", "3", "--method", "all", "--transcript"]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    scene = Scene.seed_example().replace(stride=2, method="all")
    scene = scene.with_param("kernel_size", 3).replace(kernel=Scene().kernel)
    assert len(out) == 25  # a 5×5 output, one step per cell
    assert out[0].startswith("1. y[0,0]") and out[-1].startswith("25. y[4,4]")


def test_the_tour_stop_has_its_own_transcript(capsys) -> None:
    from tui_upsample.tour import stop

    assert main(["--tour-stop", "6", "--transcript"]) == 0
    trace = build_trace(stop(6).scene)
    assert capsys.readouterr().out.splitlines()[0] == f"1. {trace[0].text}"


def test_the_worksheet_has_the_scene_the_formula_the_grids_and_every_step(capsys) -> None:
    assert main(["--transcript", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    scene = Scene.seed_example()
    trace = build_trace(scene)
    assert text.startswith("# conv_transpose2d · matrix: transposed convolution\n")
    assert "| stride s | 1 |" in text and "| method | matrix |" in text
    params = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "kernel_size": (2, 2)}
    formula = output_size_lines("conv_transpose2d", (2, 2), params, (3, 3))
    assert formula and all(f"- {line}" in text for line in formula)
    assert "= 3" in formula[0]
    for step in trace:
        assert f"{step.index + 1}. {markdown_text(step.text)}\n" in text
    # r, w, W2 and the result as tables: W2's first row, the result's last.
    assert "| **0** | 0 | 1 | 0 | 2 | 3 | 0 | 0 | 0 | 0 |" in text
    assert "| **2** | 6 | 17 | 12 |" in text
    assert "### W2 = W1ᵀ (4×9)\n" in text  # the size once, not twice


def test_a_large_grid_table_says_what_it_leaves_out() -> None:
    import numpy as np

    lines = grid_table(np.arange(40 * 3, dtype=float).reshape(40, 3), side=4)
    assert len([line for line in lines if line.startswith("| **")]) == 4
    assert lines[-1] == "(the first 4 rows and 3 columns of 40×3)"


def test_markdown_characters_in_lines_are_escaped() -> None:
    assert markdown_text("a*b_c|d<e") == "a\\*b\\_c\\|d\\<e"


def test_pixel_shuffle_worksheet_has_a_table_per_channel() -> None:
    scene = Scene.seed_example("pixel_shuffle")
    text = "\n".join(worksheet_lines(scene, build_trace(scene)))
    assert text.count("channel ") >= 4
    assert "### y = pixel\\_shuffle(x) (4×4)" in text


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--format", "markdown"], "argument --format: only with --transcript"),
        (["--format", "html", "--transcript"], "--format"),
        (["--transcript", "--step", "2"], "argument --step: not with --transcript"),
        (["--transcript", "--export", "pytorch"], "one output at a time"),
    ],
)
def test_bad_transcript_flags_exit_2(capsys, argv, says) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert says in capsys.readouterr().err


def test_the_command_lines_formats_are_the_transcripts() -> None:
    from tui_upsample.cli import TRANSCRIPT_FORMATS
    from tui_upsample.transcript import FORMATS

    assert TRANSCRIPT_FORMATS == FORMATS
