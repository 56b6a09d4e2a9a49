"""perfkit — 预算绩效评价分析工作台 (budget performance evaluation workbench).

The curated public API.  Everything here is documented and tested; modules not
named here are internal.

Examples
--------
>>> import perfkit
>>> r = perfkit.score("data/sample/projects.csv", "data/sample/indicators.csv")
>>> perfkit.grade(86.23), perfkit.grade(91.11)
('良', '优')

Subpackages load on first use: ``perfkit.compare`` (cross-year comparison).
"""

import importlib
from typing import Any

from perfkit._version import __version__
from perfkit.errors import InputError, PerfkitError, Problem, SystemDefinitionError
from perfkit.forms import check_forms, read_forms, write_forms
from perfkit.monitoring import MonitoringResult, monitor
from perfkit.scoring._api import ValidationReport, score, validate
from perfkit.scoring._grading import grade
from perfkit.scoring._metrics import execution_rate, reduction_rate
from perfkit.scoring._result import ScoreResult
from perfkit.systems import System, list_systems, load_system
from perfkit.tables._read import read_table

#: Subpackages imported on first attribute access, so ``import perfkit`` stays light.
_SUBMODULES = {"compare"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"perfkit.{name}")
    raise AttributeError(f"module 'perfkit' has no attribute {name!r}")


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
    "execution_rate",
    "grade",
    "list_systems",
    "load_system",
    "monitor",
    "read_forms",
    "read_table",
    "reduction_rate",
    "score",
    "validate",
    "write_forms",
]
