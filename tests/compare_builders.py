"""Small hand-made panels for the cross-year comparison tests."""

from __future__ import annotations

import polars as pl

COLUMNS = ["year", "unit_code", "dept_code", "total", "budget_full_year", "executed", "carryover"]


def scores(*rows: tuple, **extra: list) -> pl.DataFrame:
    """A unit-level scores frame from ``(year, unit, dept, total, budget, executed, carryover)``.

    Amounts and totals are given as text, so that they are exact; the grade is
    computed from the total when no ``grade`` column is given in ``extra``.
    """
    frame = pl.DataFrame(
        list(rows),
        schema={c: (pl.Int64 if c == "year" else pl.String) for c in COLUMNS},
        orient="row",
    )
    return frame.with_columns(pl.Series(k, v) for k, v in extra.items())
