"""The whole comparison in one call, and its files (跨年度比较结果输出).

:func:`compare_years` builds the panel and runs transitions, trends, chronic
problems and budget suggestions with one set of parameters;
:meth:`Comparison.write` writes them as CSV files (UTF-8 with BOM, formulas
neutralised) and one formatted workbook, ``comparison.xlsx``, all at once or
not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from perfkit._frames import to_polars
from perfkit.compare._chronic import Chronic, chronic
from perfkit.compare._panel import Panel, panel
from perfkit.compare._policy import BudgetPolicy, load_policy
from perfkit.compare._suggestions import BudgetSuggestions, budget_suggestions
from perfkit.compare._transitions import Transitions, transitions
from perfkit.compare._trends import Trends, trends
from perfkit.compare._years import YearsSpec
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.present import people_frame
from perfkit.present._labels import column_label, translate_for_people
from perfkit.scoring._result import WrittenOutputs
from perfkit.systems import System
from perfkit.tables._read import TableInput
from perfkit.tables._write import (
    DEFAULT_EXCEL_MAX_ROWS,
    EXCEL_ROW_LIMIT,
    atomic_output,
    write_csv,
    write_excel,
)

__all__ = ["OUTPUT_FILES", "Comparison", "compare_years"]

#: CSV file → (Excel sheet, what it holds).
OUTPUT_FILES: dict[str, tuple[str, str]] = {
    "transitions.csv": ("等级转移矩阵", "grade transition matrix, every pair of years (long form)"),
    "score_changes.csv": ("得分变化", "each unit's grade and score change per pair of years"),
    "trends.csv": ("部门趋势", "one row per department (current code) and year"),
    "region_trends.csv": ("全地区趋势", "one row per year for the whole region"),
    "movers.csv": ("升降最大部门", "departments whose mean score rose or fell most"),
    "chronic.csv": ("持续问题项目", "low-efficiency and idle projects, one row per run"),
    "low_efficiency_share.csv": ("低效资金占比", "per department and year, against the line"),
    "budget_suggestions.csv": ("预算建议（项目）", "next year's budget per project, with reason"),
    "budget_by_department.csv": ("预算建议（部门）", "totals per department"),
    "budget_totals.csv": ("预算建议（合计）", "totals for the region"),
    "missing_units.csv": ("缺失单位", "units absent in some of the years"),
}
WORKBOOK = "comparison.xlsx"


@dataclass(eq=False)
class Comparison:
    """Every part of a cross-year comparison, computed with one set of parameters."""

    panel: Panel
    transitions: Transitions
    trends: Trends
    chronic: Chronic
    suggestions: BudgetSuggestions
    policy: BudgetPolicy
    policy_source: str
    movers_n: int = 5

    def tables(self) -> dict[str, pl.DataFrame]:
        """The output tables as polars frames, by CSV file name."""
        return {
            "transitions.csv": self.transitions._matrix,
            "score_changes.csv": self.transitions._changes,
            "trends.csv": self.trends._departments,
            "region_trends.csv": self.trends._region,
            "movers.csv": _polars(self.trends.movers(self.movers_n)),
            "chronic.csv": self.chronic._projects,
            "low_efficiency_share.csv": self.chronic._money_share,
            "budget_suggestions.csv": self.suggestions._projects,
            "budget_by_department.csv": self.suggestions._departments,
            "budget_totals.csv": self.suggestions._totals,
            "missing_units.csv": self.panel.missing_units,
        }

    def parameters(self) -> list[tuple[str, str]]:
        """The parameters and rules of the run, as (item, value) pairs for the notes."""
        p, c, s = self.panel, self.chronic, self.suggestions
        policy = self.policy
        grade_rules = "；".join(f"{g}：{a.describe()}" for g, a in policy.grades.items())
        return [
            ("数据来源", p.source),
            ("比较年度", ", ".join(map(str, p.years))),
            ("指标体系", f"{p.system.title}（{p.system.name}）"),
            ("等级标准", "，".join(f"{b.grade} ≥ {b.min}" for b in p.system.grades)),
            (
                "单位数",
                f"{p.frame.get_column('unit_code').n_unique()}（单位×年度 {p.frame.height} 行）",
            ),
            ("部分年度缺失的单位", f"{p.missing_units.height} 个，见“缺失单位”"),
            (
                "部门更名/重新编码",
                "；".join(
                    f"{old} → {new} {name or ''}（{year}年起）"
                    for year, old, new, name in p.department_map.renames.iter_rows()
                )
                or "无",
            ),
            (
                "部门编码口径",
                "各年度均使用部门现编码和现名称（依 departments.previous_code 追溯），"
                "当年编码见“当年部门编码”",
            ),
            (
                "低效项目",
                "预算执行率（执行数/全年预算数×100，四舍五入至0.01%）"
                f"低于 {_pct(c.low_threshold)}% 连续 {c.consecutive} 年及以上；"
                "全年预算为0的年度不计",
            ),
            (
                "闲置项目",
                f"连续 {c.idle_years} 年及以上全年预算大于0而执行数为0"
                + (
                    "，且第二年起有上年结转"
                    if p.has_carryover
                    else "，且第二年起有上年结转（无结转结余数的年度未核对结转）"
                    if p.carryover_known
                    else "（数据无结转结余列，未核对结转）"
                ),
            ),
            ("两类问题的关系", "属于闲置期间的年度只计为闲置，不重复计为低效"),
            (
                "低效无效资金占比",
                f"截至当年已构成低效或闲置的项目全年预算数 / 部门项目全年预算数；"
                f"高于 {_pct(c.money_line)}% 为超过控制线",
            ),
            ("预算建议政策", f"{policy.title}（{self.policy_source}）"),
            ("基准年度", f"{s.base_year}（为 {s.base_year + 1} 年预算提出建议）"),
            ("基数", "全年预算数" if policy.base == "budget_full_year" else "年初预算数"),
            ("按等级", grade_rules),
            ("低效项目处理", policy.low_efficiency.describe()),
            ("闲置项目处理", policy.idle.describe()),
            ("多项适用", "取建议金额最小者（压减最多），理由列出全部适用规则"),
            ("金额精度", "定点数精确计算，建议金额四舍五入至0.01万元；部门与全地区合计为逐项之和"),
        ]

    def write(
        self, out_dir: str | Path, *, excel_max_rows: int = DEFAULT_EXCEL_MAX_ROWS
    ) -> WrittenOutputs:
        """Write the CSV files and ``comparison.xlsx`` into ``out_dir`` atomically.

        Tables longer than ``excel_max_rows`` stay out of the workbook (their
        CSV holds them; the notes sheet says so).

        Returns
        -------
        WrittenOutputs
            The files written (``files``) and the tables left out of the
            workbook (``left_out_of_excel``: CSV name → rows).

        Examples
        --------
        >>> import tempfile
        >>> c = compare_years("data/sample")
        >>> written = c.write(tempfile.mkdtemp(), excel_max_rows=500)
        >>> sorted(written.left_out_of_excel)
        ['budget_suggestions.csv', 'score_changes.csv']
        """
        limit = min(excel_max_rows, EXCEL_ROW_LIMIT - 1)
        tables = self.tables()
        left_out = {name: t.height for name, t in tables.items() if t.height > limit}
        owned = (*OUTPUT_FILES, WORKBOOK)
        output = atomic_output(out_dir, owns=owned)
        with output as tmp:
            for name, table in tables.items():
                write_csv(table, tmp / name)
            sheets = {
                OUTPUT_FILES[name][0]: translate_for_people(table, "compare")
                for name, table in tables.items()
                if name not in left_out
            }
            write_excel(tmp / WORKBOOK, sheets, notes=self._notes(left_out), label=_compare_label)
        return WrittenOutputs(output.written, left_out)

    def _notes(self, left_out: dict[str, int]) -> dict[str, pl.DataFrame]:
        info = self.parameters()
        info += [
            (f"未放入工作簿：{name}", f"{rows} 行，超过表格上限，完整数据见 {name}")
            for name, rows in left_out.items()
        ]
        about = pl.DataFrame({"项目": [k for k, _ in info], "内容": [v for _, v in info]})
        files = pl.DataFrame(
            {
                "文件": list(OUTPUT_FILES),
                "工作表": [v[0] for v in OUTPUT_FILES.values()],
                "内容": [v[1] for v in OUTPUT_FILES.values()],
            }
        )
        return {"说明": about, "文件清单": files}


def _pct(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _polars(frame: Any) -> pl.DataFrame:
    return to_polars(frame)


def compare_years(
    source: Any = None,
    *,
    years: YearsSpec = None,
    policy: str | Path | BudgetPolicy | dict[str, Any] | None = None,
    low_threshold: Decimal | int | str | None = None,
    consecutive: int | None = None,
    idle_years: int | None = None,
    money_line: Decimal | int | str | None = None,
    base_year: int | None = None,
    projects: TableInput | None = None,
    indicators: TableInput | None = None,
    departments: TableInput | None = None,
    system: str | Path | System | None = None,
    movers_n: int = 5,
) -> Comparison:
    """Run the whole cross-year comparison (what ``perfkit compare`` does).

    Parameters
    ----------
    source, projects, indicators, departments, years, system
        As for :func:`perfkit.compare.panel` (or a ready :class:`Panel`).
    policy
        The budget policy (:func:`perfkit.compare.load_policy`); its
        thresholds are used unless given here.
    low_threshold, consecutive, idle_years, money_line : optional
        Override the policy's thresholds for the chronic analysis.
    base_year : int, optional
        Base year of the budget suggestions (default: the last year).
    movers_n : int
        Departments listed as largest risers and fallers.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from perfkit.compare import compare_years
    >>> c = compare_years("data/sample", years="2022-2024")
    >>> sorted(c.tables())[:3]
    ['budget_by_department.csv', 'budget_suggestions.csv', 'budget_totals.csv']
    """
    built = (
        source
        if isinstance(source, Panel)
        else panel(
            source,
            projects=projects,
            indicators=indicators,
            departments=departments,
            years=years,
            system=system,
        )
    )
    if len(built.years) < 2:
        raise PerfkitError(
            _("a cross-year comparison needs at least two years; {source} gives {years}").format(
                source=built.source, years=", ".join(map(str, built.years))
            )
        )
    rules = load_policy(policy)
    low = rules.low_efficiency
    found = chronic(
        built,
        low_threshold=low.threshold_pct if low_threshold is None else low_threshold,
        consecutive=low.consecutive if consecutive is None else consecutive,
        idle_years=rules.idle.min_years if idle_years is None else idle_years,
        money_line=low.money_line_pct if money_line is None else money_line,
    )
    source_name = str(policy) if isinstance(policy, (str, Path)) else "默认政策"
    suggestions = budget_suggestions(
        built,
        policy if isinstance(policy, (str, Path)) else rules,
        base_year=base_year,
        chronic_result=found,
    )
    return Comparison(
        panel=built,
        transitions=transitions(built),
        trends=trends(built),
        chronic=found,
        suggestions=suggestions,
        policy=rules,
        policy_source=source_name,
        movers_n=movers_n,
    )


def _compare_label(name: str) -> str:
    """The comparison workbook's header for a column (the registry, in compare's words)."""
    return column_label(name, "compare")


def for_people(frame: Any) -> pl.DataFrame:
    """A comparison table as a frame people read: :func:`perfkit.present.people_frame`.

    Notebooks show tables with :func:`perfkit.present.table` (``domain="compare"``).

    Examples
    --------
    >>> for_people(pl.DataFrame({"dept_code": ["D41"], "movement": ["declined"]})).columns
    ['部门编码（现）', '等级变动']
    """
    return people_frame(frame, "compare")
