"""Recordings: the cast's header, events and one marker per step; the animated SVG parses, plays
by CSS alone and holds every step; the GIF when the gif extra is there; the errors, one line."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pytest

from tui_upsample.cli import main
from tui_upsample.recording import gif
from tui_upsample.recording.cast import cast_text
from tui_upsample.recording.cell_runs import Frame, Run
from tui_upsample.recording.progress import Progress
from tui_upsample.recording.svg import animated_svg, still_svg
from tui_upsample.scene import Scene, build_trace

SVG = "{http://www.w3.org/2000/svg}"
SEED_STEPS = [step.text for step in build_trace(Scene.seed_example())]
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def error_of(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("upsample-tui: error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def seed_cast(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("cast") / "seed.cast"
    assert main(["--record", str(out), "--frame-time", "0.5"]) == 0
    return out.read_text(encoding="utf-8").splitlines()


def test_the_cast_header_is_asciicast_v2(seed_cast) -> None:
    header = json.loads(seed_cast[0])
    assert header["version"] == 2
    assert (header["width"], header["height"]) == (120, 40)
    assert "conv_transpose2d" in header["title"]


def test_the_cast_has_one_marker_per_step_labelled_with_its_line(seed_cast) -> None:
    events = [json.loads(line) for line in seed_cast[1:]]
    assert all(len(e) == 3 and e[1] in ("o", "m") for e in events)
    times = [e[0] for e in events]
    assert times == sorted(times)
    markers = [e for e in events if e[1] == "m"]
    assert [m[2] for m in markers] == SEED_STEPS
    assert [m[0] for m in markers] == [0.5 * k for k in range(9)]
    # The last frame stays twice as long: a closing write at its end.
    assert events[-1] == [0.5 * 8 + 1.0, "o", ""]


def test_each_frame_writes_its_step_and_only_the_rows_that_changed(seed_cast) -> None:
    outputs = [e[2] for e in map(json.loads, seed_cast[1:]) if e[1] == "o" and e[2]]
    assert len(outputs) == 9
    assert outputs[0].startswith("\x1b[?25l\x1b[2J")  # hide the cursor, clear
    assert outputs[0].count(";1H") == 40  # the first frame draws every row
    for k, output in enumerate(outputs, start=1):
        assert f"step {k} / 9" in ESCAPES.sub("", output)
        assert "\x1b[38;2;" in output or ";38;2;" in output  # truecolour styles
    assert all(output.count(";1H") < 40 for output in outputs[1:])


def test_press_records_a_walk_a_frame_per_key(tmp_path) -> None:
    out = tmp_path / "walk.cast"
    argv = ["--op", "pool", "--record", str(out), "--press", "n,n,end", "--terminal-size", "80x24"]
    assert main(argv) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert (header["width"], header["height"]) == (80, 24)
    pool = [step.text for step in build_trace(Scene.seed_example("max_pool2d"))]
    markers = [e[2] for e in map(json.loads, lines[1:]) if e[1] == "m"]
    assert markers == [pool[0], pool[1], pool[2], pool[3]]


def test_the_svg_parses_plays_by_css_and_holds_every_step(tmp_path) -> None:
    out = tmp_path / "seed.svg"
    assert main(["--record", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in text and "href" not in text and "url(" not in text
    assert "@keyframes" in text and "steps(1,end) infinite" in text
    assert " 10s " in text  # nine frames of 1 s, the last one twice as long
    words = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for k, line in enumerate(SEED_STEPS, start=1):
        assert f"step {k} / 9" in words
        assert line.split("   ")[0] in words  # the arithmetic, before the rule's gap


def _frame(text: str, label: str) -> Frame:
    row = (Run(0, len(text), text, "#ffffff", "#000000"),)
    return Frame(len(text), 1, (row,), 1, 2, label)


def test_a_piece_is_written_once_and_visible_exactly_in_its_frames() -> None:
    frames = [_frame("same  one", "a"), _frame("same  two", "b")]
    svg = animated_svg(frames, [1.0, 1.0])
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts.count("same") == 1 and "one" in texts and "two" in texts
    rules = dict(re.findall(r"\.(a\d+)\{visibility:(\w+);", svg))
    groups = {g.get("class"): [t.text for t in g] for g in root.iter(f"{SVG}g") if g.get("class")}
    shown_first = {name for name, start in rules.items() if start == "visible"}
    assert [w for n in shown_first for w in groups[n] if w in ("one", "two")] == ["one"]
    # "two" turns visible half-way through the 2 s loop, "one" hidden there.
    assert "0%{visibility:hidden}50%{visibility:visible}100%{visibility:visible}" in svg
    assert "0%{visibility:visible}50%{visibility:hidden}100%{visibility:hidden}" in svg
    assert "animation:k" in svg and " 2s " in svg


def test_text_is_escaped_and_a_still_frame_parses() -> None:
    svg = still_svg(_frame("a<b & [c]\x07", "x"), title="t <1>")
    root = ET.fromstring(svg)
    assert "a<b & [c]\ufffd" in [t.text for t in root.iter(f"{SVG}text")]


def test_cast_text_needs_a_frame() -> None:
    with pytest.raises(ValueError):
        cast_text([], [])


@pytest.mark.skipif(
    gif.agg_path() is None, reason='the gif extra is not installed: pip install -e ".[gif]"'
)
def test_a_gif_is_recorded_with_a_frame_per_step(tmp_path) -> None:
    out = tmp_path / "seed.gif"
    assert main(["--record", str(out), "--frame-time", "0.25", "--terminal-size", "80x24"]) == 0
    data = out.read_bytes()
    assert data[:6] == b"GIF89a"
    delays = [
        struct.unpack("<H", data[m.start() + 4 : m.start() + 6])[0]
        for m in re.finditer(re.escape(b"\x21\xf9\x04"), data)
    ]
    assert delays == [25] * 8 + [50]


def test_without_the_gif_extra_one_line_names_it(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(gif, "agg_path", lambda: None)
    out = tmp_path / "seed.gif"
    line = error_of(capsys, ["--record", str(out)])
    assert 'pip install -e ".[gif]"' in line
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--record", "out.txt"], "the extension says what to write: .cast, .svg, .gif"),
        (["--record", " "], "expected the path"),
        (["--record", "no/such/dir/x.svg"], "no directory"),
        (["--record", "x.svg", "--frame-time", "0"], "--frame-time"),
        (["--record", "x.svg", "--frame-time", "soon"], "--frame-time"),
        (["--frame-time", "2"], "argument --frame-time: only with --record"),
        (["--record", "x.svg", "--screenshot", "y.svg"], "one output at a time"),
        (["--record", "x.svg", "--export", "pytorch"], "one output at a time"),
        (["--record", "x.svg", "--press", "n,nokey"], "--press"),
        (["--record", "x.svg", "--terminal-size", "60x20"], "a recording needs at least 80x24"),
    ],
)
def test_bad_recording_flags_exit_2(capsys, tmp_path, monkeypatch, argv, says) -> None:
    monkeypatch.chdir(tmp_path)
    assert says in error_of(capsys, argv)
    assert not list(Path(tmp_path).glob("x.*"))


def test_too_many_frames_are_refused_before_rendering(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("tui_upsample.cli.MAX_FRAMES", 5)
    line = error_of(capsys, ["--record", str(tmp_path / "x.svg")])
    assert "9 frames" in line and "--step" in line and "--press" in line


def test_a_recording_replaces_a_link_rather_than_writing_through_it(tmp_path) -> None:
    target = tmp_path / "kept.txt"
    target.write_text("mine")
    link = tmp_path / "out.cast"
    link.symlink_to(target)
    assert main(["--op", "nails", "--record", str(link)]) == 0
    assert target.read_text() == "mine"
    assert not link.is_symlink() and link.read_text().startswith('{"version": 2')


def test_the_progress_bar_redraws_in_place_and_ends_its_line() -> None:
    stream = StringIO()
    progress = Progress("recording", stream=stream)
    progress(1, 4)
    progress(4, 4)
    progress.done()
    text = stream.getvalue()
    assert text.startswith("\rrecording: [") and "1/4" in text and text.endswith("4/4\n")
    quiet = StringIO()
    Progress("recording", enabled=False, stream=quiet)(1, 4)
    assert quiet.getvalue() == ""


def _replay(events: list[list], width: int, height: int) -> list[str]:
    """The screen after each output event, as a terminal would draw the cast (cursor moves and
    text; styles ignored): every frame's characters."""
    screen = [[" "] * width for _ in range(height)]
    row = col = 0
    shown = []
    for _, kind, data in events:
        if kind != "o" or not data:
            continue
        for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|[^\x1b]", data):
            if token.startswith("\x1b"):
                if token.endswith("H"):
                    row, col = (int(n) - 1 for n in token[2:-1].split(";"))
                elif token == "\x1b[2J":
                    screen = [[" "] * width for _ in range(height)]
                continue
            screen[row][col] = token
            col += 1
        shown.append("\n".join("".join(r) for r in screen))
    return shown


def test_replaying_the_cast_draws_every_frame_exactly() -> None:
    from tui_upsample.recording.frames import record

    recording = record(Scene.seed_example("max_pool2d"), [], (80, 24))
    frames = recording.frames
    lines = cast_text(frames, [1.0] * len(frames)).splitlines()
    events = [json.loads(line) for line in lines[1:]]
    assert _replay(events, 80, 24) == [frame.text() for frame in frames]


def test_only_the_runs_that_changed_are_written_again() -> None:
    def frame(middle: str) -> Frame:
        runs = (
            Run(0, 4, "left", "#ffffff", "#000000"),
            Run(4, 3, middle, "#ff0000", "#000000"),
            Run(7, 5, "right", "#ffffff", "#000000"),
        )
        return Frame(12, 1, (runs,), 1, 2, middle)

    first, second = frame("one"), frame("two")
    events = [json.loads(line) for line in cast_text([first, second], [1, 1]).splitlines()[1:]]
    redraw = events[2][2]
    assert redraw.startswith("\x1b[1;5H") and "two" in redraw
    assert "left" not in redraw and "right" not in redraw
    assert _replay(events, 12, 1) == ["leftoneright", "lefttworight"]
