"""Cross-year comparison (跨年度比较): panels, transitions, trends, chronic problems, budgets.

Result use (结果应用) needs every year side by side: which units moved up or
down a grade, how each department's scores, grades and execution developed,
which projects are chronically low-efficient or idle, and what next year's
budget should do about it under a budget policy that is data, not code.

Examples
--------
>>> import perfkit.compare as cmp
>>> p = cmp.panel("data/sample", years="2022-2024")
>>> cmp.transitions(p).pairs
[(2022, 2023), (2023, 2024)]
>>> cmp.chronic(p).low_efficiency.height
15
>>> s = cmp.budget_suggestions(p, "parameters/policies/budget-policy.yaml")
>>> s.totals.get_column("freed").item()
3107.65

Charts are in :mod:`perfkit.compare.charts` (altair), the command line in
:mod:`perfkit.cli.compare` (``perfkit compare``).
"""

from perfkit.compare._chronic import Chronic, chronic
from perfkit.compare._panel import Panel, panel
from perfkit.compare._policy import BudgetPolicy, PolicyError, load_policy
from perfkit.compare._report import Comparison, compare_years, for_people
from perfkit.compare._report_for import ComparisonReport, report_for
from perfkit.compare._suggestions import BudgetSuggestions, budget_suggestions
from perfkit.compare._summary import comparison_summary
from perfkit.compare._transitions import Transitions, transitions
from perfkit.compare._trends import Trends, movers, trends
from perfkit.compare._years import parse_years

__all__ = [
    "BudgetPolicy",
    "BudgetSuggestions",
    "Chronic",
    "Comparison",
    "ComparisonReport",
    "Panel",
    "PolicyError",
    "Transitions",
    "Trends",
    "budget_suggestions",
    "chronic",
    "compare_years",
    "comparison_summary",
    "for_people",
    "load_policy",
    "movers",
    "panel",
    "parse_years",
    "report_for",
    "transitions",
    "trends",
]
