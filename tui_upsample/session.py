"""Sessions: a whole scene as JSON, to save and open again exactly as it was.

A session holds everything on screen: the operator and every parameter (those the operator does
not take too, so switching back restores them), the input, kernel and pixel-shuffle channels with
their exact values, the method, the step and the seed of the next random grid; and, when a quiz
is under way, its round, score and question (``"quiz"``). It carries a
``version``; a file from a newer tui-upsample, a corrupt or hand-broken one is refused with a
message that says what is wrong, and nothing is changed.

Saving is atomic: the text goes to a temporary file in the same directory, which then replaces
the target in one step (``os.replace``), so a crash or a full disk never leaves half a file, and
a failed save leaves any earlier file as it was.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from tui_upsample.engine.operators import all_parameters
from tui_upsample.engine.parameters import FLAG, INT, NUMBER, PADDING, Parameter
from tui_upsample.file_reading import FileRefused, describe_os_error, read_small_file
from tui_upsample.file_writing import write_atomic
from tui_upsample.quiz import Quiz, QuizError, quiz_from_dict
from tui_upsample.scene import (
    MAX_CHANNELS,
    MAX_PARAMETER,
    MAX_SIDE,
    METHODS,
    OPERATORS,
    PADDING_WORDS,
    Scene,
)

SESSION_VERSION = 2
"""The session format this tui-upsample writes, and the newest it reads. Version 2 adds
``groups`` and grids with channels (a (C, H, W) input, a 4-D kernel); version 1 files, which have
neither, load as one-plane scenes."""

FORMAT = "tui-upsample session"
"""The ``format`` field every session file carries, to tell it from other JSON."""

MAX_SESSION_BYTES = 32_000_000
"""Larger files are refused before they are read: a session of 64×64 grids (and r² such
channels, r up to 12) is far smaller."""

_LARGEST = int(np.finfo(np.float64).max)
"""Integers beyond this have no float64: refused rather than an OverflowError."""

DEFAULT_PATH = "upsample-session.json"
"""Where the app saves a session it did not open from a file."""

ALL_METHODS: tuple[str, ...] = tuple(dict.fromkeys(m for ms in METHODS.values() for m in ms))

SETTINGS: Mapping[str, Parameter] = {p.field: p for p in all_parameters() if p.field != "method"}
"""Every operator parameter the table names (the method is kept at the top level)."""

PARAMETER_FIELDS: tuple[str, ...] = tuple(SETTINGS)
"""The scene fields kept under ``parameters``."""

FIRST_FIELDS: frozenset[str] = frozenset(
    {
        "kernel_size",
        "stride",
        "padding",
        "output_padding",
        "dilation",
        "scale",
        "upscale",
        "align_corners",
        "ceil_mode",
        "fill",
    }
)
"""The parameters every session has held; a session written before a later one existed
(avg_pool2d's, nearest-exact) loads with that parameter at its default."""

TOP_FIELDS: tuple[str, ...] = (
    "op",
    "method",
    "step",
    "seed",
    "input",
    "kernel",
    "channels",
    "groups",
)
"""The scene fields kept at the top level of a session."""

LATER_FIELDS: tuple[str, ...] = ("groups",)
"""Top-level fields a session written before them lacks (it loads with their defaults)."""


class SessionError(ValueError):
    """A session that cannot be read or written (the message says why, for a learner)."""


# --------------------------------------------------------------------------------------------
# Scene → JSON
# --------------------------------------------------------------------------------------------


def scene_to_dict(scene: Scene) -> dict[str, Any]:
    """The scene as a JSON-ready dict (plain Python numbers and lists)."""
    parameters: dict[str, Any] = {}
    for name in PARAMETER_FIELDS:
        value = getattr(scene, name)
        if isinstance(value, (bool, np.bool_)):
            value = bool(value)
        elif isinstance(value, (int, np.integer)):
            value = int(value)
        elif isinstance(value, (float, np.floating)):
            value = float(value)
        parameters[name] = value
    return {
        "format": FORMAT,
        "version": SESSION_VERSION,
        "op": scene.op,
        "method": scene.method,
        "step": int(scene.step),
        "seed": int(scene.seed),
        "parameters": parameters,
        "input": _plain(scene.input),
        "kernel": _plain(scene.kernel),
        "channels": _plain(scene.channels),
        "groups": int(scene.groups),
    }


def _plain(grid: np.ndarray) -> list[Any]:
    """A grid as nested lists of floats (-0.0 kept, so the values come back bit for bit)."""
    return np.asarray(grid, dtype=np.float64).tolist()


def dumps(scene: Scene, quiz: Quiz | None = None) -> str:
    """The session text of ``scene`` (and the quiz under way, if any): JSON, one grid row per
    line, ending in a newline."""
    data = scene_to_dict(scene)
    if quiz is not None:
        data["quiz"] = quiz.to_dict()
    lines = ["{"]
    items = list(data.items())
    for n, (key, value) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        if key in ("input", "kernel") and np.ndim(value) == 2:
            text = _rows_json(value, "  ")
        elif key in ("input", "kernel") and np.ndim(value) == 4:
            slices = [
                "[\n" + ",\n".join(f"      {_rows_json(k, '      ')}" for k in row) + "\n    ]"
                for row in value
            ]
            text = "[\n" + ",\n".join(f"    {row}" for row in slices) + "\n  ]"
        elif key in ("input", "channels"):
            planes = [_rows_json(plane, "    ") for plane in value]
            text = "[\n" + ",\n".join(f"    {p}" for p in planes) + "\n  ]"
        elif key in ("parameters", "quiz"):
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = json.dumps(value)
        lines.append(f"  {json.dumps(key)}: {text}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _rows_json(rows: list[list[float]], indent: str) -> str:
    body = ",\n".join(f"{indent}  {json.dumps(row)}" for row in rows)
    return "[\n" + body + f"\n{indent}]"


# --------------------------------------------------------------------------------------------
# JSON → scene
# --------------------------------------------------------------------------------------------


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value: Any) -> str:
    if _is_int(value) and abs(value) >= 10**40:
        return f"an integer of {len(str(abs(value)))} digits"
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _int_field(where: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    if not _is_int(value) or value < minimum:
        raise SessionError(f"{where} must be a whole number ≥ {minimum}, not {_show(value)}")
    if maximum is not None and value > maximum:
        raise SessionError(f"{where} must be at most {maximum:,}, not {_show(value)}")
    return int(value)


def _parameter(name: str, setting: Parameter, value: Any) -> Any:
    """Parameter ``name``'s value, checked against the rule its kind has in the table."""
    where = f'"{name}"'
    if setting.optional:  # divisor_override: None, or any whole number but 0 (as PyTorch)
        if value is None:
            return None
        if not _is_int(value) or value == 0 or abs(value) > MAX_PARAMETER:
            raise SessionError(
                f"{where} must be null or a whole number other than 0, at most"
                f" {MAX_PARAMETER:,} either way, not {_show(value)}"
            )
        return int(value)
    if setting.kind == INT:
        return _int_field(where, value, setting.minimum, MAX_PARAMETER)
    if setting.kind == PADDING:
        if isinstance(value, str):
            if value not in PADDING_WORDS:
                raise SessionError(
                    f'{where} must be a whole number ≥ 0, "same" or "valid", not {_show(value)}'
                )
            return value
        return _int_field(where, value, 0, MAX_PARAMETER)
    if setting.kind == NUMBER:
        if not _is_number(value) or not math.isfinite(value) or value <= 0:
            raise SessionError(
                f"{where} must be a finite number greater than 0, not {_show(value)}"
            )
        return float(value)
    if setting.kind == FLAG:
        if not isinstance(value, bool):
            raise SessionError(f"{where} must be true or false, not {_show(value)}")
        return value
    if value not in setting.choices:
        raise SessionError(
            f"{where} must be one of {', '.join(setting.choices)}, not {_show(value)}"
        )
    return value


def _grid_field(where: str, value: Any, dims: int) -> np.ndarray:
    """A rectangular grid of finite numbers, ``dims``-D, sides 1 … MAX_SIDE (channels: any)."""
    if dims == 4:
        if not isinstance(value, list) or not value:
            raise SessionError(f"{where} must be a non-empty list of lists of 2-D grids")
        blocks = [_grid_field(f"{where}[{i}]", block, 3) for i, block in enumerate(value)]
        shapes = {b.shape for b in blocks}
        if len(shapes) > 1:
            raise SessionError(f"{where}: its slices have different shapes {sorted(shapes)}")
        return np.stack(blocks)
    if dims == 3:
        if not isinstance(value, list) or not value:
            raise SessionError(f"{where} must be a non-empty list of 2-D grids")
        planes = [_grid_field(f"{where}[{i}]", plane, 2) for i, plane in enumerate(value)]
        shapes = {p.shape for p in planes}
        if len(shapes) > 1:
            raise SessionError(f"{where}: its planes have different shapes {sorted(shapes)}")
        return np.stack(planes)
    if not isinstance(value, list) or not value:
        raise SessionError(f"{where} must be a non-empty list of rows")
    width = None
    for r, row in enumerate(value):
        if not isinstance(row, list) or not row:
            raise SessionError(f"{where}[{r}] must be a non-empty list of numbers")
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise SessionError(
                f"{where} is ragged: row {r} has {len(row)} numbers, row 0 has {width}"
            )
        for c, cell in enumerate(row):
            if not _is_number(cell):
                raise SessionError(f"{where}[{r}][{c}] must be a number, not {_show(cell)}")
            if isinstance(cell, int) and abs(cell) > _LARGEST:
                raise SessionError(f"{where}[{r}][{c}] is too large for a number on screen")
            if not math.isfinite(cell):
                raise SessionError(f"{where}[{r}][{c}] must be a finite number, not {cell}")
    assert width is not None
    if len(value) > MAX_SIDE or width > MAX_SIDE:
        raise SessionError(
            f"{where} is {len(value)}×{width}: rows and columns must be 1 to {MAX_SIDE}"
        )
    return np.array(value, dtype=np.float64)


def _depth(value: Any, allowed: tuple[int, ...]) -> int:
    """How deep the lists of ``value`` go (its number of axes), if one of ``allowed``; else the
    smallest, so that the grid's own check says what is wrong."""
    depth, item = 0, value
    while isinstance(item, list) and item:
        depth, item = depth + 1, item[0]
    return depth if depth in allowed else allowed[0]


def scene_from_dict(data: Any) -> Scene:
    """The scene a session dict describes; SessionError saying what is wrong if it is not one."""
    if not isinstance(data, Mapping):
        raise SessionError(f"not a session: the file holds a {type(data).__name__}, not an object")
    if data.get("format") != FORMAT:
        raise SessionError(f'not a session: its "format" is {_show(data.get("format"))}')
    version = data.get("version")
    if not _is_int(version) or version < 1:
        raise SessionError(f'"version" must be a whole number ≥ 1, not {_show(version)}')
    if version > SESSION_VERSION:
        raise SessionError(
            f"session version {version} was written by a newer tui-upsample; this one reads "
            f"up to version {SESSION_VERSION}"
        )
    expected = {"format", "version", "parameters", *TOP_FIELDS}
    missing = sorted(expected - set(data) - set(LATER_FIELDS))
    if missing:
        raise SessionError("missing " + ", ".join(f'"{m}"' for m in missing))
    unknown = sorted(set(data) - expected - {"quiz"})
    if unknown:
        raise SessionError("unknown field " + ", ".join(f'"{u}"' for u in unknown))
    params = data["parameters"]
    if not isinstance(params, Mapping):
        raise SessionError('"parameters" must be an object')
    missing = sorted(FIRST_FIELDS - set(params))
    if missing:
        raise SessionError("missing parameter " + ", ".join(f'"{m}"' for m in missing))
    unknown = sorted(set(params) - set(PARAMETER_FIELDS))
    if unknown:
        raise SessionError("unknown parameter " + ", ".join(f'"{u}"' for u in unknown))

    op = data["op"]
    if op not in OPERATORS:
        raise SessionError(f'"op" must be one of {", ".join(OPERATORS)}, not {_show(op)}')
    method = data["method"]
    if method not in ALL_METHODS:
        raise SessionError(f'"method" must be one of {", ".join(ALL_METHODS)}, not {_show(method)}')
    changes: dict[str, Any] = {
        "op": op,
        "method": method,
        "step": _int_field('"step"', data["step"], 0),
        "seed": _int_field('"seed"', data["seed"], 0),
        "input": _grid_field('"input"', data["input"], _depth(data["input"], (2, 3))),
        "kernel": _grid_field('"kernel"', data["kernel"], _depth(data["kernel"], (2, 4))),
        "channels": _grid_field('"channels"', data["channels"], 3),
        "groups": _int_field('"groups"', data.get("groups", 1), 1, MAX_CHANNELS),
    }
    for name, grid in (("input", changes["input"]), ("kernel", changes["kernel"])):
        lead = grid.shape[:-2]
        if lead and max(lead) > MAX_CHANNELS:
            raise SessionError(
                f'"{name}" has shape {tuple(grid.shape)}: at most {MAX_CHANNELS} channels'
            )
    defaults = Scene()
    for name, setting in SETTINGS.items():
        if name not in params:
            changes[name] = getattr(defaults, name)
            continue
        changes[name] = _parameter(name, setting, params[name])
    r = changes["upscale"]
    planes = changes["channels"].shape[0]
    if planes % (r * r) or planes // (r * r) > MAX_CHANNELS:
        raise SessionError(
            f'"channels" has {planes} planes, but pixel shuffle with "upscale" {r} needs'
            f" C_out·r² = C_out·{r * r} of them (C_out 1 to {MAX_CHANNELS})"
        )
    if changes["channels"].shape[1] > MAX_SIDE or changes["channels"].shape[2] > MAX_SIDE:
        raise SessionError(f'"channels" planes must be 1 to {MAX_SIDE} on each side')
    known = {f.name for f in dataclasses.fields(Scene)}
    return Scene(**{k: v for k, v in changes.items() if k in known})


def quiz_of(data: Any) -> Quiz | None:
    """The quiz a session dict holds (None if it holds none); SessionError if it is broken."""
    if not isinstance(data, Mapping) or data.get("quiz") is None:
        return None
    try:
        return quiz_from_dict(data["quiz"])
    except QuizError as exc:
        raise SessionError(str(exc)) from None


def loads(text: str) -> Scene:
    """The scene in session text ``text`` (SessionError if it is not a valid session)."""
    return loads_with_quiz(text)[0]


def loads_with_quiz(text: str) -> tuple[Scene, Quiz | None]:
    """The scene and the quiz (if any) in session text ``text``."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise SessionError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except _ConstantError as exc:
        raise SessionError(str(exc)) from None
    except RecursionError:
        raise SessionError("not a session: nested too deeply") from None
    except ValueError:  # an integer of more digits than Python converts
        raise SessionError("not a session: it holds a number too large") from None
    return scene_from_dict(data), quiz_of(data)


class _ConstantError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _ConstantError(f"{name} is not a number a session can hold (every value must be finite)")


def load_session(path: str | os.PathLike[str]) -> Scene:
    """The scene saved in file ``path``; SessionError naming the file and the problem."""
    return read_session(path)[0]


def read_session(path: str | os.PathLike[str]) -> tuple[Scene, Quiz | None]:
    """The scene and the quiz (if one was under way) saved in file ``path``."""
    p = Path(path)
    try:
        raw = read_small_file(p, MAX_SESSION_BYTES, "a session")
    except FileRefused as exc:
        raise SessionError(f"{p}: {exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SessionError(f"{p}: not a session (not UTF-8 text)") from None
    try:
        return loads_with_quiz(text)
    except SessionError as exc:
        raise SessionError(f"{p}: {exc}") from None


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def save_session(scene: Scene, path: str | os.PathLike[str], quiz: Quiz | None = None) -> Path:
    """Save ``scene`` (and ``quiz``) to ``path`` atomically; SessionError with the reason if it
    cannot."""
    try:
        return write_atomic(path, dumps(scene, quiz))
    except OSError as exc:
        raise SessionError(f"{path}: {describe_os_error(exc)}") from None
