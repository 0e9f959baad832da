"""What the app keeps between runs: the learner's preferences and the scene left at quit.

Preferences live in a TOML file in the user's config directory (on Linux
``$XDG_CONFIG_HOME/tui-upsample/config.toml``)::

    theme = "nord"
    language = "ko"   # the guided tour and the help screen in Korean (--lang beats it)

    [keys]            # binding id = keys, comma-separated (F1 lists every id)
    cell-left = "h,left"
    cell-down = "j,down"
    cell-up = "k,up"
    cell-right = "l,right"

A key given to one binding is taken from any other that had it (``k`` above leaves the overlap
view on the command palette), and the app says so. A file that cannot be used gives one line
saying why, and the defaults. The scene on screen at quit is written to the user's state
directory (``$XDG_STATE_HOME/tui-upsample/last-scene.json``), which ``--resume`` opens.

No Textual here: the command line reads the resume path without starting the app.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

if TYPE_CHECKING:
    from tui_upsample.scene import Scene


APP_DIR = "tui-upsample"
CONFIG_NAME = "config.toml"
RESUME_NAME = "last-scene.json"

UNBOUND = "unbound"
"""The key a binding gets when the learner gave all of its keys to other bindings: no key is
called that, so it never fires (the footer and help say it has no key)."""


def _toml() -> Any:
    """The TOML reader, imported only when there is a file to read (start-up time)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def config_path() -> Path:
    """The preferences file (it may not exist yet)."""
    return platformdirs.user_config_path(APP_DIR) / CONFIG_NAME


def resume_path() -> Path:
    """Where quitting keeps the scene on screen, for ``--resume``."""
    return platformdirs.user_state_path(APP_DIR) / RESUME_NAME


class PreferencesError(Exception):
    """The preferences file cannot be read or written; the message is one line."""


@dataclass(frozen=True)
class Preferences:
    """The learner's preferences, and what was wrong with the file (one line, or "")."""

    theme: str | None = None
    keys: Mapping[str, str] = field(default_factory=dict)
    problem: str = ""
    language: str | None = None


def _split_keys(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",") if key.strip()]


def read_preferences(
    path: Path | None = None,
    *,
    binding_ids: Collection[str] = (),
    themes: Collection[str] = (),
    is_key: Any = None,
    languages: Collection[str] = (),
) -> Preferences:
    """The preferences in ``path`` (default :func:`config_path`): the defaults if there is no
    file; if it cannot be used, the defaults with one line saying why. Keys for ids not in
    ``binding_ids``, themes not in ``themes``, languages not in ``languages`` and key names
    ``is_key`` refuses are left out (and said)."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Preferences()
    except (OSError, UnicodeDecodeError) as exc:
        return Preferences(problem=f"{path}: cannot be read ({_reason(exc)}); using the defaults")
    toml = _toml()
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        return Preferences(problem=f"{path}: not valid TOML ({exc}); using the defaults")
    problems: list[str] = []
    theme = data.get("theme")
    if theme is not None and not (isinstance(theme, str) and (not themes or theme in themes)):
        problems.append(f"theme {theme!r} is not a theme (ctrl+p, 'theme' lists them)")
        theme = None
    language = data.get("language")
    if language is not None and not (
        isinstance(language, str) and (not languages or language in languages)
    ):
        known = f" (there are {', '.join(languages)})" if languages else ""
        problems.append(f"language {language!r} is not a language of the app{known}")
        language = None
    raw_keys = data.get("keys", {})
    keys: dict[str, str] = {}
    if not isinstance(raw_keys, dict):
        problems.append('[keys] must be a table of binding id = "keys"')
        raw_keys = {}
    for binding_id, value in raw_keys.items():
        if binding_ids and binding_id not in binding_ids:
            problems.append(f"keys: no binding has the id {binding_id!r} (F1 lists them)")
        elif not isinstance(value, str) or not _split_keys(value):
            problems.append(f'keys.{binding_id}: give the keys as a string, e.g. "k,up"')
        elif is_key is not None and (bad := [k for k in _split_keys(value) if not is_key(k)]):
            problems.append(f"keys.{binding_id}: {bad[0]!r} is not a key name")
        else:
            keys[binding_id] = ",".join(_split_keys(value))
    unknown = sorted(set(data) - {"theme", "language", "keys"})
    if unknown:
        problems.append(f"unknown setting {unknown[0]!r} (there are theme, language and [keys])")
    problem = ""
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        problem = f"{path}: {problems[0]}{more}; the rest is used"
    return Preferences(
        theme if isinstance(theme, str) else None,
        keys,
        problem,
        language if isinstance(language, str) else None,
    )


def resolve_keymap(
    overrides: Mapping[str, str], scopes: Iterable[Mapping[str, str]]
) -> tuple[dict[str, str], list[str]]:
    """The keymap to give Textual for the learner's ``overrides`` (binding id → keys), and a
    line for each binding that lost a key to them. ``scopes`` are the bindings active together
    (the main screen's; each dialog's), each binding id → its default keys.

    Textual replaces an overridden binding's keys but leaves other bindings on the same key (and
    a priority binding of the app would still win): a key the learner gives one binding is taken
    from every other binding of its scope.
    """
    keymap = dict(overrides)
    notes: list[str] = []
    for scope in scopes:
        claimed = {
            key: binding_id
            for binding_id, keys in overrides.items()
            if binding_id in scope
            for key in _split_keys(keys)
        }
        for binding_id, keys in scope.items():
            if binding_id in overrides:
                continue
            own = _split_keys(keys)
            taken = [key for key in own if key in claimed]
            if not taken:
                continue
            left = [key for key in own if key not in taken]
            keymap[binding_id] = ",".join(left) if left else UNBOUND
            lost = ", ".join(f"{key} is {claimed[key]}'s" for key in taken)
            notes.append(
                f"{lost} now: {binding_id} keeps {', '.join(left)}"
                if left
                else f"{lost} now: {binding_id} has no key left (the command palette has it)"
            )
    return keymap, notes


def save_theme(theme: str, path: Path | None = None) -> Path:
    """Set ``theme`` in the preferences file, keeping everything else in it as written.

    PreferencesError (and the file untouched) if the file is not valid TOML or cannot be written.
    """
    return _save_setting("theme", theme, path)


def save_language(language: str, path: Path | None = None) -> Path:
    """Set ``language`` in the preferences file, as :func:`save_theme` sets the theme."""
    return _save_setting("language", language, path)


def _save_setting(name: str, value: str, path: Path | None) -> Path:
    """Set the top-level ``name = "value"`` of the preferences file, the rest kept as written."""
    from tui_upsample.file_reading import describe_os_error
    from tui_upsample.file_writing import write_atomic

    path = path or config_path()
    line = f'{name} = "{value}"'
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = "# tui-upsample's preferences (F1 in the app says where this file is)\n"
    except (OSError, UnicodeDecodeError) as exc:
        raise PreferencesError(f"{path}: cannot be read ({_reason(exc)})") from None
    toml = _toml()
    try:
        toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise PreferencesError(f"{path}: not valid TOML ({exc}): left as it is") from None
    text = _with_top_level(text, name, line)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except OSError as exc:
        raise PreferencesError(f"{path}: {describe_os_error(exc)}") from None
    return path


def _with_top_level(text: str, name: str, line: str) -> str:
    """``text`` with its top-level ``name = …`` line replaced by ``line`` (or ``line`` added
    before the first table)."""
    lines = text.splitlines()
    setting = re.compile(rf"\s*{re.escape(name)}\s*=")
    first_table = next(
        (i for i, text_line in enumerate(lines) if text_line.lstrip().startswith("[")), len(lines)
    )
    for i in range(first_table):
        if setting.match(lines[i]):
            lines[i] = line
            break
    else:
        lines.insert(first_table, line)
    return "\n".join(lines) + "\n"


def keep_scene(scene: Scene) -> Path:
    """Write ``scene`` (atomically) where ``--resume`` finds it; PreferencesError if it cannot."""
    from tui_upsample.session import SessionError, save_session

    path = resume_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PreferencesError(f"{path.parent}: {_reason(exc)}") from None
    try:
        return save_session(scene, path)
    except SessionError as exc:
        raise PreferencesError(str(exc)) from None


def kept_scene() -> Scene:
    """The scene quitting kept; PreferencesError if there is none, or it cannot be read."""
    from tui_upsample.session import SessionError, load_session

    path = resume_path()
    if not path.exists():
        raise PreferencesError(f"no scene kept yet ({path} is made when the app quits)")
    try:
        return load_session(path)
    except SessionError as exc:
        raise PreferencesError(str(exc)) from None


def binding_keys(bindings: Iterable[Any]) -> dict[str, str]:
    """Binding id → its default keys, for the bindings that have an id."""
    return {b.id: b.key for b in bindings if getattr(b, "id", None)}


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
