"""perfkit — 预算绩效评价分析工作台 (budget performance evaluation workbench).

The curated public API.  Everything here is documented and tested; the layers
and domains behind it are described in ``docs/index.md`` ("Where the code lives").

Names load on first use (PEP 562): ``import perfkit`` imports nothing but the
version, and ``import perfkit.tables`` (or any other part) does not import every
domain package.  ``perfkit.score`` imports the scoring layer the first time it is
touched, ``perfkit.monitor`` the monitoring package, and so on.

Examples
--------
>>> import perfkit
>>> r = perfkit.score("data/sample/projects.csv", "data/sample/indicators.csv")
>>> perfkit.grade(86.23), perfkit.grade(91.11)
('良', '优')
>>> ev = perfkit.evaluate_department("data/sample", 2024, "D01")   # one department's report
>>> ev.dept_code, ev.grade in ("优", "良", "中", "差")
('D01', True)
>>> perfkit.verify.__module__                 # re-score a verified sample (自评复核)
'perfkit.sampling._verify'
"""

import importlib
from typing import Any

from perfkit._deferred import defer_slow_imports
from perfkit._version import __version__

defer_slow_imports()  # before anything imports jsonschema (altair, nbformat): perfkit/_deferred.py

#: Public name → the module that defines it (imported on first access).
_NAMES = {
    "InputError": "perfkit.errors",
    "PerfkitError": "perfkit.errors",
    "Problem": "perfkit.errors",
    "SystemDefinitionError": "perfkit.errors",
    "read_table": "perfkit.tables",
    "System": "perfkit.systems",
    "list_systems": "perfkit.systems",
    "load_system": "perfkit.systems",
    "ScoreResult": "perfkit.scoring",
    "ValidationReport": "perfkit.scoring",
    "execution_rate": "perfkit.scoring",
    "grade": "perfkit.scoring",
    "reduction_rate": "perfkit.scoring",
    "score": "perfkit.scoring",
    "validate": "perfkit.scoring",
    "evaluate_department": "perfkit.evaluation",
    "check_forms": "perfkit.forms",
    "read_forms": "perfkit.forms",
    "write_forms": "perfkit.forms",
    "MonitoringResult": "perfkit.monitoring",
    "monitor": "perfkit.monitoring",
    "verify": "perfkit.sampling",
    "review_targets": "perfkit.targets",
}

#: Subpackages reachable as attributes (``perfkit.compare.panel(...)``).
_SUBMODULES = {"compare"}


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value  # the next access is a plain attribute
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"perfkit.{name}")
    raise AttributeError(f"module 'perfkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "InputError",
    "MonitoringResult",
    "PerfkitError",
    "Problem",
    "ScoreResult",
    "System",
    "SystemDefinitionError",
    "ValidationReport",
    "__version__",
    "check_forms",
    "compare",
    "evaluate_department",
    "execution_rate",
    "grade",
    "list_systems",
    "load_system",
    "monitor",
    "read_forms",
    "read_table",
    "reduction_rate",
    "review_targets",
    "score",
    "validate",
    "verify",
    "write_forms",
]
