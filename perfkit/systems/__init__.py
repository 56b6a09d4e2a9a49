"""Indicator systems (指标体系): the model and its YAML loader — floor 2.

``_model`` holds the pydantic model (tree of nodes, the closed set of rule kinds, grade
bands, flags, result use); ``_loader`` reads the built-in systems (``builtin/*.yaml``)
and users' YAML files through ``perfkit.config.load_yaml_model`` (``yaml.safe_load``,
errors with file and key path).  Uses only the foundation (errors, numbers, config).

Examples
--------
>>> from perfkit.systems import list_systems
>>> [system.name for system in list_systems()][-3:]
['project-evaluation', 'project-self-eval', 'target-review']
"""

from perfkit.systems._loader import builtin_systems, list_systems, load_system, system_from_dict
from perfkit.systems._model import (
    FLAG_CODES,
    MEASURES,
    SEVERITIES,
    ChecklistRule,
    DeductionRule,
    EnteredRule,
    EqualRule,
    ExecutionRateRule,
    GradeBand,
    Node,
    OverCompletion,
    PositiveRule,
    QualitativeLevel,
    QualitativeRule,
    ReverseRule,
    Rule,
    SteppedRule,
    System,
    YesNoRule,
    qualitative_levels,
    qualitative_rule,
)
from perfkit.systems._render import render_system

__all__ = [
    "FLAG_CODES",
    "MEASURES",
    "SEVERITIES",
    "ChecklistRule",
    "DeductionRule",
    "EnteredRule",
    "EqualRule",
    "ExecutionRateRule",
    "GradeBand",
    "Node",
    "OverCompletion",
    "PositiveRule",
    "QualitativeLevel",
    "QualitativeRule",
    "ReverseRule",
    "Rule",
    "SteppedRule",
    "System",
    "YesNoRule",
    "builtin_systems",
    "list_systems",
    "load_system",
    "qualitative_levels",
    "qualitative_rule",
    "render_system",
    "system_from_dict",
]
