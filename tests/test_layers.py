"""The layout shows the layers, and the code keeps to it (docs/index.md, "Where the code lives").

Every module of ``perfkit/`` is parsed with :mod:`ast` (nothing is imported) and mapped
to its floor.  An import may point to a lower floor or stay inside its own group
(a package, or the foundation); never up, never sideways between two domains, never
in a circle.  Imports of perfkit's own modules sit at module top (a function-level
import hides a cycle), and no part of the house imports the facade ``perfkit`` itself.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

import perfkit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "perfkit"

#: Floors, bottom to top: group → floor.  A group is a package or the foundation.
FLOORS = {
    "foundation": 0,  # _version, _deferred, errors, numbers, config, _frames, _limits, …
    "present": 1,  # labels, HTML tables, charts: words and shapes for people
    "tables": 2,  # the data contract, reading, validation, writing
    "systems": 2,  # indicator systems: model and loader
    "scoring": 3,  # engines, rules, weights, grading, flags, results, score/validate
    "evaluation": 4,  # the domains: each imports the layers, never another domain
    "forms": 4,
    "monitoring": 4,
    "sampling": 4,
    "compare": 4,
    "targets": 4,
    "explorer": 4,
    "batch": 4,
    "keyeval": 4,
    "samples": 5,  # the sample region and the demo
    "documents": 5,  # deliverable documents: compose the domains' results
    "widgets": 5,
    "facade": 5,  # perfkit/__init__.py: the public API, lazy
    "cli": 6,  # the command line
}
FOUNDATION = {
    "_version",
    "_deferred",  # slow third-party imports deferred (standard library only)
    "errors",
    "numbers",
    "config",
    "_frames",
    "_limits",
    "_processes",
    "i18n",  # messages in the users' language (docs/i18n.md)
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, ast.Module]:
    return {
        module_name(path): ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def is_cli(module: str) -> bool:
    """The command line: perfkit.cli (module or package), cli_support, every <domain>.cli."""
    parts = module.split(".")
    return parts[1:2] in (["cli"], ["cli_support"]) or parts[-1] == "cli"


def group(module: str) -> str:
    parts = module.split(".")
    if module == "perfkit":
        return "facade"
    if is_cli(module):
        return "cli"
    if parts[1] in FOUNDATION:
        return "foundation"
    return parts[1]


def imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """perfkit modules an import statement loads (``from pkg import _mod`` names the module)."""
    known = modules()
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "perfkit"]
    if node.level:  # relative: resolve against the importing module's package
        base = module.split(".")
        if not (PACKAGE / Path(*base[1:]) / "__init__.py").is_file():
            base = base[:-1]
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if target.split(".")[0] != "perfkit":
        return []
    subs = [f"{target}.{alias.name}" for alias in node.names]
    modules_named = [sub for sub in subs if sub in known]
    return modules_named if len(modules_named) == len(subs) else [target, *modules_named]


def imports(module: str, *, in_functions: bool) -> list[tuple[int, str]]:
    """(line, imported module) for the imports at module level or inside functions."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            here = inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom) and inside == in_functions:
                found.extend((child.lineno, target) for target in imported(module, child))
            visit(child, here)

    visit(modules()[module], False)
    return found


def test_every_module_has_a_floor() -> None:
    unknown = sorted(m for m in modules() if group(m) not in FLOORS)
    assert not unknown, f"modules outside the layout (give them a floor): {unknown}"


def test_imports_point_down_only() -> None:
    upward = [
        f"{m}:{line} imports {target} ({group(m)} → {group(target)})"
        for m in modules()
        for line, target in imports(m, in_functions=False)
        if group(target) != group(m) and FLOORS[group(target)] >= FLOORS[group(m)]
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles() -> None:
    # an import inside a function still ties two modules: it counts
    graph = {
        m: {
            t
            for _, t in imports(m, in_functions=False) + imports(m, in_functions=True)
            if t in modules()
        }
        for m in modules()
    }
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cycles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            walk(start, [start])
    assert not cycles, "\n".join(" → ".join(cycle) for cycle in cycles)


def test_no_function_level_import_of_perfkit_modules() -> None:
    # The command line (perfkit/cli.py and <domain>/cli.py) loads a command's domain when
    # the command runs; it moves to the lazy perfkit/cli/ package (issue 14, i14-cli).
    inner = [
        f"{m}:{line} imports {target} inside a function"
        for m in modules()
        if not is_cli(m)
        for line, target in imports(m, in_functions=True)
    ]
    assert not inner, "\n".join(inner)


def test_no_part_of_the_house_imports_the_facade() -> None:
    facade = [
        f"{m}:{line} imports perfkit itself"
        for m in modules()
        if m != "perfkit"
        for line, target in imports(m, in_functions=False) + imports(m, in_functions=True)
        if target == "perfkit"
    ]
    assert not facade, "\n".join(facade)


@pytest.mark.parametrize("name", perfkit.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(perfkit, name) is not None
    assert name in dir(perfkit)


def test_the_api_gains_the_department_evaluation_and_the_verification() -> None:
    from perfkit.evaluation import evaluate_department
    from perfkit.sampling import verify

    assert perfkit.evaluate_department is evaluate_department
    assert perfkit.verify is verify


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'scoring_engine'"):
        perfkit.scoring_engine  # noqa: B018


def loaded_after(statement: str) -> set[str]:
    """The perfkit groups a fresh interpreter has loaded after ``statement``."""
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {group(m) for m in done.stdout.split() if m.split(".")[0] == "perfkit"}


def test_import_perfkit_loads_only_the_version() -> None:
    assert loaded_after("import perfkit") == {"facade", "foundation"}


def test_a_layer_loads_what_is_below_it_and_no_domain() -> None:
    assert loaded_after("import perfkit.tables") == {"facade", "foundation", "present", "tables"}
    assert loaded_after("from perfkit import score; score") == {
        "facade",
        "foundation",
        "present",
        "tables",
        "systems",
        "scoring",
    }
