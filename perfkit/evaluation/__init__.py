"""Department evaluation (部门评价): one department's evaluation for a year — a domain (floor 4).

``evaluate_department`` scores the department's projects (through ``perfkit.scoring``)
and gathers what the department report shows: the budget-weighted score and grade,
points lost by indicator, flagged projects, the result-use recommendation; it writes
the report's workbook and ``summary.json``.  ``notebooks/department_evaluation.ipynb``
calls it once and presents the result.

Examples
--------
>>> from perfkit.evaluation import evaluate_department
>>> ev = evaluate_department("data/sample", year=2024, dept_code="D01")
>>> ev.dept_name, ev.score, ev.grade
('教育局', 88.31, '良')
"""

from perfkit.evaluation._department import DepartmentEvaluation, evaluate_department

__all__ = ["DepartmentEvaluation", "evaluate_department"]
