"""Small input builders shared by the rule and rounding tests."""

from __future__ import annotations

import polars as pl


def project(**overrides: object) -> pl.DataFrame:
    """One project P1 (2024), budget 100, fully executed; overrides as text (None = empty)."""
    row = {
        "year": "2024",
        "project_code": "P1",
        "project_name": "测试项目",
        "dept_code": "D1",
        "dept_name": "测试部门",
        "budget_initial": "100",
        "budget_full_year": "100",
        "executed": "100",
    }
    row.update({k: None if v is None else str(v) for k, v in overrides.items()})
    return pl.DataFrame([row], schema=dict.fromkeys(row, pl.String))
