"""The preferences file and the scene kept at quit, without the app."""

from __future__ import annotations

import pytest

from tui_upsample.preferences import (
    UNBOUND,
    PreferencesError,
    config_path,
    keep_scene,
    kept_scene,
    read_preferences,
    resolve_keymap,
    resume_path,
    save_theme,
)
from tui_upsample.scene import Scene


def test_the_files_live_in_the_xdg_directories(tmp_path) -> None:
    assert config_path() == tmp_path / "config" / "tui-upsample" / "config.toml"
    assert resume_path() == tmp_path / "state" / "tui-upsample" / "last-scene.json"


def test_no_file_is_the_defaults() -> None:
    prefs = read_preferences()
    assert prefs.theme is None and dict(prefs.keys) == {} and prefs.problem == ""


def test_saving_a_theme_keeps_the_rest_of_the_file_as_written() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('# mine\ntheme = "nord"  # dark\n\n[keys]\ncell-up = "k,up"\n')
    save_theme("gruvbox")
    assert path.read_text() == '# mine\ntheme = "gruvbox"\n\n[keys]\ncell-up = "k,up"\n'
    path.write_text('[keys]\ncell-up = "k,up"\n')  # no theme yet: it goes above the table
    save_theme("nord")
    assert read_preferences(path).theme == "nord"
    assert dict(read_preferences(path).keys) == {"cell-up": "k,up"}


def test_a_theme_is_saved_where_there_was_no_file_yet() -> None:
    save_theme("nord")
    assert read_preferences().theme == "nord"


def test_a_broken_file_is_never_overwritten() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("theme = [\n")
    with pytest.raises(PreferencesError, match="not valid TOML"):
        save_theme("nord")
    assert path.read_text() == "theme = [\n"


def test_a_key_taken_by_another_binding_is_taken_only_on_its_screen() -> None:
    main = {"cell-up": "up", "cell-down": "down", "view-overlap": "k", "step-next": "n,j"}
    dialog = {"export-keras": "k"}
    keymap, notes = resolve_keymap({"cell-up": "k,up", "cell-down": "j"}, [main, dialog])
    assert keymap["view-overlap"] == UNBOUND and keymap["step-next"] == "n"
    assert "export-keras" not in keymap  # the export dialog keeps its k
    assert len(notes) == 2 and any("view-overlap has no key left" in n for n in notes)


def test_the_kept_scene_round_trips() -> None:
    with pytest.raises(PreferencesError, match="no scene kept yet"):
        kept_scene()
    scene = Scene.seed_example("max_pool2d").replace(step=2)
    keep_scene(scene)
    assert kept_scene() == scene
