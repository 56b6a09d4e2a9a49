"""What ``perfkit compare`` prints after a comparison: a few lines on what was found."""

from __future__ import annotations

import polars as pl

from perfkit.compare._report import Comparison
from perfkit.i18n import _

__all__ = ["comparison_summary"]


def comparison_summary(result: Comparison) -> list[str]:
    """The comparison in a few lines: units and years, movements, chronic problems, budget.

    Examples
    --------
    >>> from perfkit.compare import compare_years
    >>> from perfkit.i18n import use_language
    >>> result = compare_years("data/sample")
    >>> with use_language("en"):
    ...     lines = comparison_summary(result)
    >>> lines[0].startswith("compared 2022–2024: "), lines[-1].startswith("budget 2025: base ")
    (True, True)
    >>> with use_language("zh"):
    ...     comparison_summary(result)[0].startswith("已比较 2022–2024 年度：")
    True
    """
    p, c, s = result.panel, result.chronic, result.suggestions
    lines = [
        _(
            "compared {first}–{last}: {units} units, {missing} missing in some years, "
            "{renames} department rename(s) followed"
        ).format(
            first=p.years[0],
            last=p.years[-1],
            units=f"{p.frame.get_column('unit_code').n_unique():,}",
            missing=f"{p.missing_units.height:,}",
            renames=p.department_map.renames.height,
        )
    ]
    for row in result.transitions._distribution.iter_rows(named=True):
        lines.append(
            _(
                "{from_year}→{to_year}: {units} units — {improved} improved, "
                "{declined} declined, {stayed} stayed"
            ).format(**{**row, "units": f"{row['units']:,}"})
        )
    kinds = dict(c._projects.group_by("kind").len().iter_rows())
    over = c._money_share.filter((pl.col("year") == s.base_year) & pl.col("over_line"))
    lines.append(
        _(
            "chronic: {low} low-efficiency, {idle} idle; "
            "{over} department(s) above the {line}% line in {year}"
        ).format(
            low=kinds.get("low_efficiency", 0),
            idle=kinds.get("idle", 0),
            over=over.height,
            line=c.money_line,
            year=s.base_year,
        )
    )
    total = s._totals.row(0, named=True)
    lines.append(
        _(
            "budget {year}: base {base} 万元 → suggested {suggested} "
            "(freed {freed}, {cut} projects cut)"
        ).format(
            year=s.base_year + 1,
            base=f"{total['base_amount']:,.2f}",
            suggested=f"{total['suggested_amount']:,.2f}",
            freed=f"{total['freed']:,.2f}",
            cut=total["projects_cut"],
        )
    )
    return lines
