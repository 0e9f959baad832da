"""Sessions: every scene comes back exactly, bad files are refused, saves are atomic."""

from __future__ import annotations

import dataclasses
import errno
import json
import os

import numpy as np
import pytest

from tui_upsample import file_writing
from tui_upsample.cli import main
from tui_upsample.export import export
from tui_upsample.file_writing import write_atomic
from tui_upsample.scene import OPERATORS, Scene, preset_grid
from tui_upsample.session import (
    PARAMETER_FIELDS,
    SESSION_VERSION,
    TOP_FIELDS,
    SessionError,
    dumps,
    load_session,
    loads,
    save_session,
    scene_from_dict,
    scene_to_dict,
)


def _edited(op: str) -> Scene:
    """``op``'s seed example with awkward values, a moved step and odd parameters."""
    scene = Scene.seed_example(op)
    x = scene.x.copy()
    x.flat[0] = 0.1
    x.flat[-1] = -0.0
    scene = scene.with_x(x).replace(step=1, seed=7)
    if op == "conv_transpose2d":
        scene = scene.replace(stride=2, padding="same", method="scatter")
    if op == "upsample_bilinear":
        scene = scene.replace(scale=1.5, align_corners=True)
    if op == "max_unpool2d":
        scene = scene.replace(fill="max")
    if op == "pixel_shuffle":
        scene = scene.with_param("upscale", 3)
    return scene


@pytest.mark.parametrize("op", OPERATORS)
def test_every_operator_round_trips_exactly(op: str) -> None:
    for scene in (Scene.seed_example(op), _edited(op)):
        text = dumps(scene)
        assert json.loads(text)["version"] == SESSION_VERSION
        back = loads(text)
        assert back == scene
        assert back.input.tobytes() == scene.input.tobytes()  # -0.0 too
        assert dumps(back) == text


@pytest.mark.parametrize("op", OPERATORS)
def test_load_then_export_prints_the_same_script(op: str, tmp_path, capsys) -> None:
    scene = _edited(op)
    path = tmp_path / "s.json"
    save_session(scene, path)
    assert main(["--load", str(path), "--export", "pytorch"]) == 0
    assert capsys.readouterr().out == export(scene, "pytorch")
    assert main(["--load", str(path), "--export", "session"]) == 0
    assert capsys.readouterr().out == dumps(scene)  # the step and the seed too


def test_flags_given_with_load_override_it(tmp_path, capsys) -> None:
    scene = _edited("conv_transpose2d").replace(kernel=preset_grid("ramp", (3, 3)))
    path = tmp_path / "s.json"
    save_session(scene, path)
    main(["--load", str(path), "--stride", "3", "--padding", "1", "--export", "session"])
    back = loads(capsys.readouterr().out)
    assert (back.stride, back.padding) == (3, 1)
    assert np.array_equal(back.kernel, scene.kernel) and back.input.tobytes() == (
        scene.input.tobytes()
    )
    main(["--load", str(path), "--step", "2", "--export", "session"])
    assert loads(capsys.readouterr().out).step == 1
    main(["--load", str(path), "--op", "pool", "--export", "session"])
    assert loads(capsys.readouterr().out).op == "max_pool2d"


def test_the_schema_covers_every_scene_field() -> None:
    fields = {f.name for f in dataclasses.fields(Scene)}
    assert fields == set(PARAMETER_FIELDS) | set(TOP_FIELDS)


def _good() -> dict:
    return scene_to_dict(_edited("conv_transpose2d"))


def _without(key: str) -> dict:
    data = _good()
    del data[key]
    return data


def _with(path: tuple, value) -> dict:
    data = _good()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


BAD = {
    "newer": (_with(("version",), SESSION_VERSION + 1), "newer tui-upsample"),
    "version-text": (_with(("version",), "1"), '"version"'),
    "no-version": (_without("version"), '"version"'),
    "not-a-session": (_with(("format",), "something else"), "not a session"),
    "missing-input": (_without("input"), 'missing "input"'),
    "missing-param": (
        _with(("parameters",), {k: v for k, v in _good()["parameters"].items() if k != "stride"}),
        'missing parameter "stride"',
    ),
    "unknown-field": (_with(("colour",), "red"), 'unknown field "colour"'),
    "op": (_with(("op",), "fft"), '"op"'),
    "method": (_with(("method",), "magic"), '"method"'),
    "stride-text": (_with(("parameters", "stride"), "two"), '"stride"'),
    "stride-zero": (_with(("parameters", "stride"), 0), '"stride"'),
    "stride-float": (_with(("parameters", "stride"), 2.0), '"stride"'),
    "stride-bool": (_with(("parameters", "stride"), True), '"stride"'),
    "padding-word": (_with(("parameters", "padding"), "wide"), '"padding"'),
    "padding-negative": (_with(("parameters", "padding"), -1), '"padding"'),
    "scale-zero": (_with(("parameters", "scale"), 0), '"scale"'),
    "corners-int": (_with(("parameters", "align_corners"), 1), '"align_corners"'),
    "fill": (_with(("parameters", "fill"), "mean"), '"fill"'),
    "step-negative": (_with(("step",), -1), '"step"'),
    "ragged": (_with(("input",), [[1.0, 2.0], [3.0]]), "ragged"),
    "empty-grid": (_with(("input",), []), '"input"'),
    "empty-row": (_with(("kernel",), [[]]), '"kernel"'),
    "flat-grid": (_with(("input",), [1.0, 2.0]), '"input"'),
    "text-cell": (_with(("input",), [[1.0, "2"]]), '"input"[0][1]'),
    "bool-cell": (_with(("kernel",), [[True]]), '"kernel"[0][0]'),
    "too-wide": (_with(("input",), [[1.0] * 65]), "1 to 64"),
    "channels-count": (
        _with(("channels",), [[[1.0]], [[2.0]], [[3.0]]]),
        '"channels" has 3 planes',
    ),
    "channels-ragged": (_with(("channels",), [[[1.0]], [[2.0, 3.0]]]), "different shapes"),
    "parameters-list": (_with(("parameters",), [1, 2]), '"parameters"'),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_sessions_are_refused_with_a_reason(name: str) -> None:
    data, says = BAD[name]
    with pytest.raises(SessionError) as info:
        scene_from_dict(json.loads(json.dumps(data)))
    assert says in str(info.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not JSON (line 1"),
        ("", "not JSON"),
        ("[1, 2]", "not a session"),
        ('"text"', "not a session"),
        ("[" * 100000, "not"),
    ],
)
def test_corrupt_text_is_refused(text: str, says: str) -> None:
    with pytest.raises(SessionError, match=r"not"):
        loads(text)
    with pytest.raises(SessionError) as info:
        loads(text)
    assert says in str(info.value)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused(constant: str) -> None:
    text = dumps(_edited("conv2d")).replace("0.1", constant, 1)
    assert constant in text
    with pytest.raises(SessionError, match="finite"):
        loads(text)


def test_not_utf8_and_missing_files_are_refused(tmp_path) -> None:
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SessionError, match="UTF-8"):
        load_session(binary)
    with pytest.raises(SessionError, match="no such file"):
        load_session(tmp_path / "nope.json")
    with pytest.raises(SessionError, match="directory"):
        load_session(tmp_path)


@pytest.mark.parametrize("name", ["newer", "ragged", "missing-input", "stride-text"])
def test_cli_refuses_bad_sessions_with_exit_2(name: str, tmp_path, capsys) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(BAD[name][0]))
    with pytest.raises(SystemExit) as info:
        main(["--load", str(path), "--export", "pytorch"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = [line for line in captured.err.splitlines() if line.startswith("upsample-tui: error:")]
    assert len(lines) == 1 and lines[0].startswith("upsample-tui: error: argument --load: ")
    assert "Traceback" not in captured.err


def test_cli_refuses_corrupt_json_with_exit_2(tmp_path, capsys) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "tui-upsample session", "version": 1,')
    with pytest.raises(SystemExit) as info:
        main(["--load", str(path)])
    assert info.value.code == 2
    assert "argument --load: " in capsys.readouterr().err


# Saving ----------------------------------------------------------------------------------------


def test_save_writes_a_session_and_leaves_no_temporary_file(tmp_path) -> None:
    path = tmp_path / "s.json"
    save_session(_edited("max_pool2d"), path)
    assert load_session(path) == _edited("max_pool2d")
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_a_failed_replace_leaves_the_earlier_file_intact(tmp_path, monkeypatch) -> None:
    path = tmp_path / "s.json"
    save_session(Scene.seed_example("conv2d"), path)
    before = path.read_bytes()

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(file_writing.os, "replace", disk_full)
    with pytest.raises(SessionError, match="No space left on device"):
        save_session(_edited("conv2d"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # the temporary file is gone


def test_a_failed_write_leaves_the_earlier_file_intact(tmp_path, monkeypatch) -> None:
    path = tmp_path / "s.json"
    save_session(Scene.seed_example("conv2d"), path)
    before = path.read_bytes()

    def crash(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(file_writing.os, "fsync", crash)
    with pytest.raises(SessionError, match="Input/output error"):
        save_session(_edited("conv2d"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_an_unwritable_place_is_reported(tmp_path, monkeypatch) -> None:
    with pytest.raises(SessionError, match="No such file or directory"):
        save_session(Scene(), tmp_path / "no" / "such" / "dir" / "s.json")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SessionError, match="Not a directory"):
        save_session(Scene(), blocker / "s.json")

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(file_writing.tempfile, "mkstemp", denied)
    with pytest.raises(SessionError, match="Permission denied"):
        save_session(Scene(), tmp_path / "s.json")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_directory_is_reported(tmp_path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(SessionError, match="Permission denied"):
            save_session(Scene(), ro / "s.json")
    finally:
        ro.chmod(0o700)


def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path) -> None:
    path = tmp_path / "s.json"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o640
