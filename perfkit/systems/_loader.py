"""Loading indicator systems from YAML (safe loading, errors with file and key path)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from perfkit.config import load_yaml_model, validate_model
from perfkit.errors import SystemDefinitionError
from perfkit.i18n import _
from perfkit.systems._model import System

__all__ = ["builtin_systems", "list_systems", "load_system", "system_from_dict"]

_BUILTIN_PACKAGE = "perfkit.systems.builtin"


def builtin_systems() -> dict[str, Path]:
    """Built-in system names → their YAML files, sorted by name.

    Examples
    --------
    >>> sorted(builtin_systems())[:3]
    ['budget-mgmt-assessment', 'dept-overall', 'dept-overall-national']
    """
    root = resources.files(_BUILTIN_PACKAGE)
    found = {}
    for entry in root.iterdir():
        if entry.name.endswith(".yaml"):
            found[entry.name[: -len(".yaml")]] = Path(str(entry))
    return dict(sorted(found.items()))


def list_systems() -> list[System]:
    """Every built-in system, loaded and validated.

    Examples
    --------
    >>> [s.kind for s in list_systems()].count("assessments"), len(list_systems())
    (6, 7)
    """
    return [load_system(path) for path in builtin_systems().values()]


def load_system(system: str | Path | System) -> System:
    """Load a system by built-in name (``project-self-eval``) or from a YAML path.

    Parameters
    ----------
    system : str, Path or System
        A built-in name, a path to a YAML file, or an already loaded system.

    Returns
    -------
    System
        The validated system.

    Raises
    ------
    SystemDefinitionError
        The file is missing, is not YAML, or breaks the model; the message
        names the file and every offending key path.

    Examples
    --------
    >>> s = load_system("project-self-eval")
    >>> [(g.label, float(g.points)) for g in s.groups]
    [('预算执行率', 10.0), ('产出指标', 50.0), ('效益指标', 30.0), ('满意度指标', 10.0)]
    """
    if isinstance(system, System):
        return system
    builtins = builtin_systems()
    if isinstance(system, str) and system in builtins:
        return _load_builtin(system)
    path = Path(system)
    if not path.is_file():
        raise SystemDefinitionError(
            _(
                "unknown indicator system {system!r}: not a built-in ({builtins}) and no such file"
            ).format(system=str(system), builtins=", ".join(builtins))
        )
    return _load_file(path)


@cache
def _load_builtin(name: str) -> System:
    """Built-in systems are immutable package data: load each once."""
    return _load_file(builtin_systems()[name])


def _load_file(path: Path) -> System:
    return load_yaml_model(path, System, **_HOW)


def system_from_dict(data: object, source: str = "<dict>") -> System:
    """Validate a mapping (already parsed YAML) as a system.

    Examples
    --------
    >>> system_from_dict({"name": "x"}, source="x.yaml")
    Traceback (most recent call last):
    ...
    perfkit.errors.SystemDefinitionError: x.yaml：指标体系有误：
      title: 必填，但未给出
    ...
    """
    return validate_model(data, System, source=source, **_HOW)


_RULE_KINDS = (
    "positive",
    "reverse",
    "equal",
    "qualitative",
    "execution_rate",
    "stepped",
    "yes_no",
    "checklist",
    "deduction",
    "entered",
)


def _is_tag(loc: tuple, i: int) -> bool:
    """pydantic's discriminator tags (a rule's kind) say nothing to a user."""
    return loc[i] in _RULE_KINDS and i > 0 and loc[i - 1] in ("rule", *_RULE_KINDS)


_HOW: dict[str, Any] = {
    "what": "indicator system",
    "shape": "name, title, ...",
    "error": SystemDefinitionError,
    "hide": _is_tag,
}
