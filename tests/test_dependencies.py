"""What perfkit imports is what it declares (docs/benchmarks.md, "Tooling").

Every module of ``perfkit/`` is parsed with :mod:`ast` (nothing is imported); every
import of a library outside the standard library, at module top or inside a function,
must come from a distribution that ``pyproject.toml`` names itself in
``[project.dependencies]`` or in an optional extra other than ``dev`` (the tools).
Arriving through another package's requirements is not enough: numpy did, and was
used in nine modules without being declared.  ``environment.yml`` (the conda route)
mirrors ``pyproject.toml``: the same names and the same lower bounds.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "perfkit"
#: extras that hold tools (tests, linters, the type checker), not what perfkit runs with
TOOL_EXTRAS = {"dev"}
#: a pip requirement with an extra that conda-forge ships as separate packages
CONDA_SPLITS = {"dask[distributed]": ["dask", "distributed"]}
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*([^;#]*)")


def normalise(name: str) -> str:
    """A distribution's name as PEP 503 compares names (``PyYAML`` → ``pyyaml``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(requirement: str) -> tuple[str, list[str], str]:
    """``"dask[distributed]>=2024.8"`` → ``("dask", ["distributed"], ">=2024.8")``."""
    match = _REQUIREMENT.match(requirement)
    assert match, f"pyproject.toml: cannot read the requirement {requirement!r}"
    name, extras, spec = match.groups()
    return (
        normalise(name),
        [e.strip() for e in (extras or "").split(",") if e.strip()],
        spec.strip(),
    )


@cache
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def runtime_requirements() -> list[str]:
    project = pyproject()["project"]
    requirements = list(project["dependencies"])
    for extra, listed in project.get("optional-dependencies", {}).items():
        if extra not in TOOL_EXTRAS:
            requirements += listed
    return requirements


def brought_by_extra(distribution: str, extra: str) -> set[str]:
    """The distributions that ``distribution[extra]`` adds (from its installed metadata)."""
    brought = set()
    for requirement in importlib.metadata.requires(distribution) or []:
        if re.search(rf"extra\s*==\s*['\"]{re.escape(extra)}['\"]", requirement):
            brought.add(parse(requirement)[0])
    return brought


def declared() -> set[str]:
    names = set()
    for requirement in runtime_requirements():
        name, extras, _ = parse(requirement)
        names.add(name)
        for extra in extras:
            names |= brought_by_extra(name, extra)
    return names


def third_party_imports() -> dict[str, list[str]]:
    """Top-level name of each non-stdlib import → the places (``file:line``) importing it."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in {"perfkit", "__future__"}:
                    continue
                place = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.setdefault(top, []).append(place)
    return found


def test_every_library_perfkit_imports_is_declared() -> None:
    providers = importlib.metadata.packages_distributions()
    runtime = declared()
    imports = third_party_imports()
    assert "polars" in imports and "numpy" in imports  # the scan sees real imports
    missing = []
    for module, places in sorted(imports.items()):
        distributions = {normalise(d) for d in providers.get(module, [])}
        if not distributions:
            missing.append(f"{module} (no installed distribution provides it): {places[0]}")
        elif not distributions & runtime:
            missing.append(f"{module} ({', '.join(sorted(distributions))}): {', '.join(places)}")
    assert not missing, "imported by perfkit but not declared in pyproject.toml:\n" + "\n".join(
        missing
    )


def conda_entries() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    entries = {}
    for item in env["dependencies"]:
        if not isinstance(item, str):
            continue  # a `pip:` section
        name, _, spec = parse(item)
        if name not in {"python", "pip"}:
            assert name not in entries, f"environment.yml: {name} listed twice"
            entries[name] = spec
    return entries


def pip_entries() -> dict[str, str]:
    project = pyproject()["project"]
    entries = {}
    listed = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        listed += extra
    for requirement in listed:
        name, extras, spec = parse(requirement)
        key = f"{name}[{','.join(extras)}]" if extras else name
        for conda_name in CONDA_SPLITS.get(key, [name]):
            entries[normalise(conda_name)] = spec
    return entries


def test_environment_yml_mirrors_pyproject() -> None:
    conda, pip = conda_entries(), pip_entries()
    only_pip = sorted(set(pip) - set(conda))
    only_conda = sorted(set(conda) - set(pip))
    other_bounds = sorted(
        f"{n}: {pip[n]} ≠ {conda[n]}" for n in set(pip) & set(conda) if pip[n] != conda[n]
    )
    assert (only_pip, only_conda, other_bounds) == ([], [], [])


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ("dask[distributed]>=2024.8", ("dask", ["distributed"], ">=2024.8")),
        ("PyYAML>=6", ("pyyaml", [], ">=6")),
        ("python_calamine>=0.4  # forms", ("python-calamine", [], ">=0.4")),
        ("types-PyYAML; python_version >= '3.11'", ("types-pyyaml", [], "")),
    ],
)
def test_requirements_are_read_as_pip_reads_them(requirement: str, expected: tuple) -> None:
    assert parse(requirement) == expected
