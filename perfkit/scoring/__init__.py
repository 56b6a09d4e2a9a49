"""Scoring (计分): the engines, rules, weights, grades, flags and results — floor 3.

``score`` and ``validate`` are the entry points (read → check → compute); the
project engine (``_engine``) and the assessment engine (``_assessment``) score
clean tables with one vectorised expression per rule kind (``_rules``), weights
split and redistributed in cents (``_weights``, ``_segments``), grade bands
(``_grading``), flags and risk order (``_flags``), and return a
:class:`ScoreResult` (``_result``) that writes itself atomically.
``execution_rate`` / ``reduction_rate`` (``_metrics``) are the published ratios.
Uses the foundation, ``perfkit.present``, ``perfkit.tables`` and ``perfkit.systems``.

Examples
--------
>>> from perfkit.scoring import grade, execution_rate
>>> grade(86.23), str(execution_rate(4229.50, 18966.53))
('良', '22.30')
"""

from perfkit.scoring._api import ValidationReport, score, validate
from perfkit.scoring._assessment import score_assessments
from perfkit.scoring._engine import score_projects
from perfkit.scoring._flags import risk_level, sort_by_risk, unit_flags
from perfkit.scoring._grading import grade, grade_expr
from perfkit.scoring._metrics import execution_rate, reduction_rate
from perfkit.scoring._result import PandasScores, ScoreResult, WrittenOutputs

__all__ = [
    "PandasScores",
    "ScoreResult",
    "ValidationReport",
    "WrittenOutputs",
    "execution_rate",
    "grade",
    "grade_expr",
    "reduction_rate",
    "risk_level",
    "score",
    "score_assessments",
    "score_projects",
    "sort_by_risk",
    "unit_flags",
    "validate",
]
