"""The floor plan holds: layers, no import cycles, UI-free modules free of textual and rich,
rooms of a readable size, and one table of operators that nothing else repeats."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from tui_upsample.engine.operators import OPERATORS, TABLE, all_parameters

PACKAGE = Path(__file__).resolve().parents[1] / "tui_upsample"

UI_FREE = (
    "tui_upsample.scene",
    "tui_upsample.number_format",
    "tui_upsample.grid_files",
    "tui_upsample.session",
    "tui_upsample.tour",
    "tui_upsample.export",
    "tui_upsample.teaching",
    "tui_upsample.file_reading",
    "tui_upsample.file_writing",
    "tui_upsample.safe_text",
    "tui_upsample.preferences",
    "tui_upsample.transcript",
    "tui_upsample.recording.cell_runs",
    "tui_upsample.recording.cast",
    "tui_upsample.recording.svg",
    "tui_upsample.recording.gif",
    "tui_upsample.recording.progress",
    "tui_upsample.recording.notebook",
    "tui_upsample.language",
    "tui_upsample.quiz",
)
"""The modules outside the engine that must work without a screen (the notebook's show() loads
the app only when a picture is drawn)."""

ENGINE_MODULES = tuple(
    f"tui_upsample.engine.{p.stem}"
    for p in sorted((PACKAGE / "engine").glob("*.py"))
    if p.stem != "__init__"
)


def test_the_import_contracts_are_kept() -> None:
    """The layers and the no-textual rule of pyproject.toml, checked by import-linter."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports; raise SystemExit(lint_imports())",
        ],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_no_module_imports_itself_round_a_cycle() -> None:
    graph = grimp.build_graph("tui_upsample")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == module or imported.startswith(module + "."):
                continue  # a package importing its own submodules
            if module.startswith(imported + "."):
                continue  # a submodule importing its parent package
            if graph.chain_exists(importer=imported, imported=module):
                cycles.append((module, imported))
    assert not cycles, cycles


@pytest.mark.parametrize("module", UI_FREE + ENGINE_MODULES + ("tui_upsample.engine",))
def test_a_ui_free_module_loads_without_textual_or_rich(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", sorted((PACKAGE / "engine").glob("*.py")), ids=lambda p: p.name)
def test_no_engine_file_is_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 600, f"{path.name} has {lines} lines: split it by topic"


def test_the_table_lists_every_operator_once_with_what_the_app_needs() -> None:
    assert OPERATORS == tuple(TABLE)
    for name, op in TABLE.items():
        assert op.name == name and op.words and op.step and op.pytorch
        assert callable(op.function) and callable(op.trace) and callable(op.formula)
        assert op.function.__name__ == name
        fields = op.fields
        assert len(set(fields)) == len(fields), name
        assert ("method" in fields) == bool(op.methods), name
    aliases = [a for op in TABLE.values() for a in op.aliases]
    assert len(aliases) == len(set(aliases)) and not set(aliases) & set(TABLE)


def test_the_settings_order_keeps_every_operators_own_order() -> None:
    order = [p.field for p in all_parameters()]
    assert len(order) == len(set(order))
    for op in TABLE.values():
        positions = [order.index(f) for f in op.fields]
        assert positions == sorted(positions), op.name


def test_every_parameter_field_is_a_scene_field() -> None:
    from dataclasses import fields

    from tui_upsample.scene import Scene

    names = {f.name for f in fields(Scene)}
    for p in all_parameters():
        assert p.field in names, p.field


def test_the_ui_free_modules_type_check() -> None:
    """mypy over the files pyproject.toml names: the engine and every UI-free module."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_outside_the_engine_lists_operators_by_hand() -> None:
    """A module-level tuple, list, set or dict naming three or more operators is a second
    operator table (a tour stop about three operators is content, and may name them)."""
    names = set(OPERATORS)
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "engine" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for stmt in tree.body:
            value = getattr(stmt, "value", None)
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or value is None:
                continue
            items = value.keys if isinstance(value, ast.Dict) else getattr(value, "elts", [])
            listed = [n.value for n in items if isinstance(n, ast.Constant) and n.value in names]
            if len(listed) >= 3:
                found.append(f"{path.relative_to(PACKAGE)}:{stmt.lineno} {listed}")
    assert not found, found
