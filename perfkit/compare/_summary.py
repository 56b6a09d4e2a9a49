"""What ``perfkit compare`` prints after a comparison: a few lines on what was found."""

from __future__ import annotations

import polars as pl

from perfkit.compare._report import Comparison

__all__ = ["comparison_summary"]


def comparison_summary(result: Comparison) -> list[str]:
    """The comparison in a few lines: units and years, movements, chronic problems, budget.

    Examples
    --------
    >>> from perfkit.compare import compare_years
    >>> lines = comparison_summary(compare_years("data/sample"))
    >>> lines[0].startswith("compared 2022–2024: ")
    True
    >>> lines[-1].startswith("budget 2025: base ")
    True
    """
    p, c, s = result.panel, result.chronic, result.suggestions
    lines = [
        f"compared {p.years[0]}–{p.years[-1]}: "
        f"{p.frame.get_column('unit_code').n_unique():,} units, "
        f"{p.missing_units.height:,} missing in some years, "
        f"{p.department_map.renames.height} department rename(s) followed"
    ]
    for row in result.transitions._distribution.iter_rows(named=True):
        lines.append(
            f"{row['from_year']}→{row['to_year']}: {row['units']:,} units — "
            f"{row['improved']} improved, {row['declined']} declined, {row['stayed']} stayed"
        )
    kinds = dict(c._projects.group_by("kind").len().iter_rows())
    over = c._money_share.filter((pl.col("year") == s.base_year) & pl.col("over_line"))
    lines.append(
        f"chronic: {kinds.get('low_efficiency', 0)} low-efficiency, {kinds.get('idle', 0)} idle; "
        f"{over.height} department(s) above the {c.money_line}% line in {s.base_year}"
    )
    total = s._totals.row(0, named=True)
    lines.append(
        f"budget {s.base_year + 1}: base {total['base_amount']:,.2f} 万元 → suggested "
        f"{total['suggested_amount']:,.2f} (freed {total['freed']:,.2f}, "
        f"{total['projects_cut']} projects cut)"
    )
    return lines
