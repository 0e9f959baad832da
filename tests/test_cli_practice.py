"""The practice flags: ``--solve I:O [--op …] [--json]`` and ``--quiz [shapes]``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui_upsample.cli import main
from tui_upsample.engine.shapes import conv_output_size, conv_transpose_output_size


def run(capsys, argv: list[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


def error_of(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("upsample-tui: error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(("op", "flag"), [("conv_transpose2d", []), ("conv2d", ["--op", "conv"])])
def test_solve_json_lists_every_combination_and_each_gives_the_size(capsys, op, flag) -> None:
    i, o = (4, 8) if op == "conv_transpose2d" else (8, 4)
    rows = json.loads(run(capsys, ["--solve", f"{i}:{o}", *flag, "--json"]))
    assert rows and all(
        set(r) == {"kernel_size", "stride", "padding", "output_padding", "dilation"} for r in rows
    )
    assert all(isinstance(v, int) and not isinstance(v, bool) for r in rows for v in r.values())
    for r in rows:
        k, s, p, a, d = (
            r[n] for n in ("kernel_size", "stride", "padding", "output_padding", "dilation")
        )
        if op == "conv2d":
            assert a == 0 and conv_output_size(i, k, s, p, d) == o
        else:
            assert a < max(s, d) and conv_transpose_output_size(i, k, s, p, a, d) == o
    # the equivalent ones are listed too: a 1×1 kernel under every dilation
    ones = [r for r in rows if r["kernel_size"] == 1 and r["stride"] == 2 and r["padding"] == 0]
    if op == "conv_transpose2d":
        assert {r["dilation"] for r in ones} == {1, 2, 3}


def test_solve_prints_a_table_grouped_by_kernel_and_stride_with_keras(capsys) -> None:
    out = run(capsys, ["--solve", "4:8"])
    lines = out.splitlines()
    assert (
        lines[0]
        == "conv_transpose2d: 88 settings take a side of 4 to 8 (27 kernel and stride pairs)"
    )
    assert lines[2].split() == [
        "kernel",
        "stride",
        "padding",
        "output_padding",
        "dilation",
        "Keras",
        "(same",
        "size)",
    ]
    assert any("Conv2DTranspose(2, strides=2, padding='same')" in line for line in lines)
    out = run(capsys, ["--solve", "5:3", "--op", "conv2d"])
    assert "Conv2D(3, strides=2, padding='same')" in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--solve", "4"], "I:O"),
        (["--solve", "0:3"], "at least 1"),
        (["--solve", "4:8", "--op", "pool"], "conv_transpose2d or conv2d"),
        (["--solve", "4:8", "--stride", "2"], "drop --stride"),
        (["--solve", "4:8", "--tour"], "drop --tour"),
        (["--solve", "200000:3"], "at most 100,000"),
        (["--json"], "only with --solve"),
        (["--quiz", "faces"], "--quiz"),
        (["--quiz", "--export", "session"], "--quiz: not with --export"),
    ],
)
def test_bad_practice_flags_exit_2_with_one_line(capsys, argv, says) -> None:
    assert says in error_of(capsys, argv)


def test_quiz_screenshot_shows_the_question_and_the_score(tmp_path) -> None:
    out = tmp_path / "quiz.svg"
    assert main(["--quiz", "--screenshot", str(out), "--press", "5,enter"]) == 0
    svg = out.read_text().replace("&#160;", " ")
    assert "score 0/1" in svg and "not 5: y[0,0] = 0" in svg
    out = tmp_path / "shapes.svg"
    assert main(["--quiz", "shapes", "--screenshot", str(out)]) == 0
    assert "question 1 of 5" in out.read_text().replace("&#160;", " ")


def test_load_opens_the_quiz_a_session_kept(tmp_path, monkeypatch) -> None:
    from tui_upsample.quiz import Quiz
    from tui_upsample.scene import Scene
    from tui_upsample.session import save_session

    path = save_session(
        Scene.seed_example().replace(step=2), tmp_path / "s.json", Quiz(right=2, asked=3, step=2)
    )
    out = tmp_path / "loaded.svg"
    assert main(["--load", str(path), "--screenshot", str(out)]) == 0
    svg = out.read_text().replace("&#160;", " ")
    assert "score 2/3" in svg and "y[0,2] = ?" in svg


def test_solve_is_quick_and_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from tui_upsample import cli\n"
        "assert cli.main(['--solve', '2:3', '--json']) == 0\n"
        "assert 'textual' not in sys.modules, 'textual imported by --solve'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
