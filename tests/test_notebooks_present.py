"""Notebooks are presentation only: parameters, one library call, then display.

The code cells of every notebook in ``notebooks/`` are parsed with :mod:`ast`:
no function, class or lambda is defined, no private attribute or private module
is touched, no label is re-mapped (``rename``/``alias``/``replace`` are the label
registry's job), and tables go through the one formatter, ``perfkit.present.table``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: The one library call of each notebook: it checks the parameters and computes.
ONE_CALL = {"report_for", "evaluate_department", "explorer_for"}
#: Methods that re-map labels or codes (the registry in perfkit.present does that).
RELABELLING = {"rename", "alias", "replace", "replace_strict", "map_elements"}
#: The people-table ways the one formatter replaced.
OLD_TABLES = {"people_table", "for_people", "sampling_label", "show"}


def code_of(path: Path) -> list[tuple[int, ast.Module]]:
    nb = nbformat.read(path, as_version=4)
    return [
        (i, ast.parse(cell.source, f"{path.name} cell {i}"))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
    ]


def test_there_are_seven_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "cross_year_comparison.ipynb", "department_evaluation.ipynb", "explore.ipynb",
        "key_evaluation.ipynb", "monitoring.ipynb", "sample_verification.ipynb",
        "target_review.ipynb",
    ]  # fmt: skip


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_presentation_only(path: Path) -> None:
    found = []
    calls = []
    for i, tree in code_of(path):
        for node in ast.walk(tree):
            where = f"{path.name} cell {i} line {getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
                found.append(f"{where}: defines {type(node).__name__}")
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                found.append(f"{where}: private attribute .{node.attr}")
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if any(part.startswith("_") for part in module.split(".")):
                    found.append(f"{where}: imports private module {module}")
                found += [
                    f"{where}: imports {a.name}" for a in node.names if a.name.startswith("_")
                ]
                found += [f"{where}: uses {a.name}" for a in node.names if a.name in OLD_TABLES]
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in RELABELLING:
                    found.append(f"{where}: re-maps labels with .{name}()")
                if name in ONE_CALL:
                    calls.append(name)
    assert not found, "\n".join(found)
    assert len(calls) == 1, f"{path.name}: one library call expected, found {calls}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_tables_go_through_the_one_formatter(path: Path) -> None:
    trees = [tree for _, tree in code_of(path)]
    imported = {
        (node.module, a.name)
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for a in node.names
    }
    assert ("perfkit.present", "table") in imported
    assert not any(module == "polars" or name == "polars" for module, name in imported)
    plain = [
        node
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Import) and any(a.name in ("polars", "pandas") for a in node.names)
    ]
    assert not plain, f"{path.name} imports a dataframe library: shape tables in the library"
