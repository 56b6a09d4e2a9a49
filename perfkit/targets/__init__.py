"""Targets (绩效目标): before the money is spent — floor 4, a domain.

Target review (绩效目标审核) of a planning year against the project's own history and
the common indicator library (共性指标库), the library itself (format, starter
library, proposals derived from earlier years) and the budget review's reductions
(预算评审审减).  The ex-ante assessment (事前绩效评估) is the built-in ``ex-ante``
assessments system, scored by ``perfkit score --assessments A --system ex-ante``.

- ``_inputs``: reading the plan, its projects and the history (every problem at once);
- ``_rules``: the review rules, vectorised; ``_review``: findings, scores, files;
- ``_library``: the library format and matcher; ``_derive``: proposals from history;
- ``_reductions``: 审减 and 审减率, exact; ``_messages``: the Chinese texts.

Uses the foundation, ``perfkit.present``, ``perfkit.tables``, ``perfkit.systems`` and
``perfkit.scoring``; never another domain.  docs/targets.md has the rules.

Examples
--------
>>> from perfkit.targets import reductions
>>> import polars as pl
>>> r = reductions(pl.DataFrame({"year": ["2025"], "project_code": ["P1"], "dept_code": ["D1"],
...     "requested": ["2609623.78"], "approved": ["1746269.27"]}))
>>> r.total_pl.item(0, "reduction_rate")
33.08
"""

from perfkit.targets._derive import derive_library
from perfkit.targets._inputs import PLAN_INDICATORS, ReviewInputs, read_review_inputs
from perfkit.targets._library import LIBRARY_SPEC, Library, load_library, starter_library_path
from perfkit.targets._reductions import BUDGET_REQUESTS, Reductions, reductions
from perfkit.targets._report_for import TargetReviewReport, report_for
from perfkit.targets._review import FILES, SEVERITY_WEIGHTS, TargetReview, review_targets
from perfkit.targets._rules import RULES, ReviewSettings

__all__ = [
    "BUDGET_REQUESTS",
    "FILES",
    "LIBRARY_SPEC",
    "PLAN_INDICATORS",
    "RULES",
    "SEVERITY_WEIGHTS",
    "Library",
    "Reductions",
    "ReviewInputs",
    "ReviewSettings",
    "TargetReview",
    "TargetReviewReport",
    "derive_library",
    "load_library",
    "read_review_inputs",
    "reductions",
    "report_for",
    "review_targets",
    "starter_library_path",
]
