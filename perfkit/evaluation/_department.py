"""One department's evaluation for one year (部门项目支出绩效评价): the numbers behind a report.

:func:`evaluate_department` reads the contract tables of a data folder, keeps
the department's projects of the year (with their indicators), scores them
with an indicator system and returns a :class:`DepartmentEvaluation` holding
every table a report shows: the money, each project's score and grade, the
grade distribution, points lost by indicator group, the flagged projects and
why, the lowest-scoring indicators and the result-use recommendation.

Only the department's own rows are validated, so a problem in another
department's data never stops this department's report, and the rows named
in a problem are the rows of the source file.

The department's score is the budget-weighted mean of its projects' totals
(按全年预算数加权的项目平均分), computed exactly in integer cents and graded
with the system's bands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import round_half_up
from perfkit.scoring._cache import cached_scores
from perfkit.scoring._cache import code_key as _code_key
from perfkit.scoring._cache import subset as _subset
from perfkit.scoring._cache import year_key as _year_key
from perfkit.scoring._engine import score_projects
from perfkit.scoring._flags import flag_labels, sort_by_risk
from perfkit.scoring._grading import grade
from perfkit.scoring._result import ScoreResult
from perfkit.systems import System, load_system
from perfkit.tables._contract import text_key
from perfkit.tables._filenames import inside, safe_filename
from perfkit.tables._read import find_table, read_table
from perfkit.tables._write import atomic_output, atomic_write_text, write_excel

__all__ = ["DepartmentEvaluation", "evaluate_department"]

_RESULT_USE_ACTIONS = {"support": "支持", "improve": "整改", "cut": "压减"}


@dataclass
class DepartmentEvaluation:
    """Everything a department's evaluation report shows.

    Attributes
    ----------
    year, dept_code, dept_name : the department and year.
    system : System
        The indicator system used.
    scores : ScoreResult
        The department's projects scored (units and items).
    money : polars.DataFrame
        One row: 项目数, 年初预算数, 全年预算数, 执行数, 执行率 (万元, %).
    projects : polars.DataFrame
        One row per project: money, execution rate, score, grade, self-score,
        self-grade, the result use and the flags in words; best first.
    grade_distribution : polars.DataFrame
        Projects and money per grade (all grades of the system, zeros kept).
    points_lost : polars.DataFrame
        Per indicator group: the projects that have it, those losing points in it,
        the points lost in total and as a share of the points available (失分率, %),
        the projects' mean score rate in the group (%) and the group's share of all
        points lost (%).
    flagged : polars.DataFrame
        One row per flagged project with all its flags in words (most severe
        first), risk ordered: the most severe flag first, then the largest
        全年预算数 (``risk_order`` 1, 2, … within the department).
    lowest_indicators : polars.DataFrame
        The indicators with the lowest score rate (points / weight).
    recommendation : polars.DataFrame
        Per result-use action (support / improve / cut): projects and money.
    score : float
        The budget-weighted mean of the project totals (2 decimals).
    grade : str
        ``score`` graded with the system's bands.
    """

    year: int
    dept_code: str
    dept_name: str
    system: System
    scores: ScoreResult
    money: pl.DataFrame
    projects: pl.DataFrame
    grade_distribution: pl.DataFrame
    points_lost: pl.DataFrame
    flagged: pl.DataFrame
    lowest_indicators: pl.DataFrame
    recommendation: pl.DataFrame
    score: float
    grade: str

    def summary(self) -> dict[str, Any]:
        """The headline figures (for a batch run's index), JSON-ready.

        Examples
        --------
        >>> ev = evaluate_department("data/sample", 2024, "D01")
        >>> s = ev.summary()
        >>> s["dept_code"], s["grade"] == ev.grade, s["n_projects"] == ev.projects.height
        ('D01', True, True)
        """
        money = self.money.row(0, named=True)
        return {
            "year": self.year,
            "dept_code": self.dept_code,
            "dept_name": self.dept_name,
            "system": self.system.name,
            "score": self.score,
            "grade": self.grade,
            "n_projects": self.projects.height,
            "budget_full_year": money["budget_full_year"],
            "executed": money["executed"],
            "execution_rate": money["execution_rate"],
            "n_flagged": self.flagged.get_column("unit_code").n_unique(),
        }

    def title(self) -> str:
        """The report's title: the department and the year (部门 + 年度 + 项目支出绩效评价报告).

        Examples
        --------
        >>> evaluate_department("data/sample", 2024, "D01").title()
        '教育局2024年度项目支出绩效评价报告'
        """
        return _("{dept_name}: project expenditure performance evaluation, {year}").format(
            dept_name=self.dept_name, year=self.year
        )

    def headline(self) -> str:
        """One Chinese sentence summing up the department.

        Examples
        --------
        >>> print(evaluate_department("data/sample", 2024, "D01").headline())  # doctest: +ELLIPSIS
        2024年度教育局（D01）共评价项目...个，全年预算...万元，执行率...%，项目加权平均分...，等级为“...”。
        """
        m = self.money.row(0, named=True)
        rate = "—" if m["execution_rate"] is None else f"{m['execution_rate']:.2f}"
        return (
            f"{self.year}年度{self.dept_name}（{self.dept_code}）共评价项目{self.projects.height}个，"
            f"全年预算{m['budget_full_year']:,.2f}万元，执行率{rate}%，"
            f"项目加权平均分{self.score:.2f}，等级为“{self.grade}”。"
        )

    def write_excel(self, path: str | Path) -> Path:
        """Write the department's workbook (概况, 项目得分, 指标得分, 风险标记, 扣分分布).

        The file appears complete or not at all.

        Examples
        --------
        >>> import tempfile, openpyxl
        >>> ev = evaluate_department("data/sample", 2024, "D01")
        >>> p = ev.write_excel(Path(tempfile.mkdtemp()) / "D01.xlsx")
        >>> openpyxl.load_workbook(p).sheetnames[:3]
        ['概况', '项目得分', '指标得分']
        """
        path = Path(path)
        overview = pl.DataFrame(
            {
                "项目": [
                    "年度",
                    "部门",
                    "指标体系",
                    "项目数",
                    "全年预算数（万元）",
                    "执行数（万元）",
                    "执行率（%）",
                    "项目加权平均分",
                    "等级",
                    "结论",
                ],
                "内容": [
                    str(self.year),
                    f"{self.dept_name}（{self.dept_code}）",
                    self.system.title,
                    str(self.projects.height),
                    f"{self.money['budget_full_year'][0]:,.2f}",
                    f"{self.money['executed'][0]:,.2f}",
                    _fmt(self.money["execution_rate"][0]),
                    f"{self.score:.2f}",
                    self.grade,
                    self.headline(),
                ],
            }
        )
        items = self.scores.items.join(
            self.scores.units.select("year", "unit_code", "unit_name"),
            on=["year", "unit_code"],
            how="left",
        ).sort("unit_code", "source_row")
        with atomic_output(path.parent) as tmp:
            write_excel(
                tmp / path.name,
                {
                    "概况": overview,
                    "项目得分": self.projects,
                    "指标得分": items.drop("source_row"),
                    "风险标记": self.flagged,
                    "扣分分布": self.points_lost,
                    "结果应用": self.recommendation,
                },
            )
        return path

    def workbook_name(self) -> str:
        """The workbook's file name, ``<year>-<dept_code>-评价结果.xlsx``, safe whatever the code.

        The code comes from the data: it goes through
        :func:`perfkit.tables._filenames.safe_filename` (no ``/``, ``..``, device names …).

        Examples
        --------
        >>> ev = evaluate_department("data/sample", 2024, "D01")
        >>> ev.workbook_name()
        '2024-D01-评价结果.xlsx'
        >>> ev.dept_code = "X/../../PWNED"
        >>> ev.workbook_name()
        '2024-X_.._.._PWNED-评价结果.xlsx'
        """
        return safe_filename(f"{self.year}-{self.dept_code}-评价结果", suffix=".xlsx")

    def save_workbook(self, output_dir: str | Path) -> Path:
        """Write the workbook (:meth:`write_excel`) as :meth:`workbook_name` inside ``output_dir``.

        Examples
        --------
        >>> import tempfile
        >>> p = evaluate_department("data/sample", 2024, "D01").save_workbook(tempfile.mkdtemp())
        >>> p.name
        '2024-D01-评价结果.xlsx'
        """
        out = Path(output_dir)
        return self.write_excel(inside(out, out / self.workbook_name()))

    def save_summary(self, output_dir: str | Path) -> Path:
        """Write ``summary.json`` (see :meth:`summary`) for the batch runner's index.

        Examples
        --------
        >>> import tempfile
        >>> p = evaluate_department("data/sample", 2024, "D01").save_summary(tempfile.mkdtemp())
        >>> json.loads(p.read_text(encoding="utf-8"))["dept_code"]
        'D01'
        """
        text = json.dumps(self.summary(), ensure_ascii=False, indent=2)
        return atomic_write_text(Path(output_dir) / "summary.json", text)


def _half_up_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """``num / den`` of non-negative integers, half-up to an integer (null when ``den`` is 0)."""
    return pl.when(den > 0).then((num * 2 + den) // (den * 2))


def _points_lost(items: pl.DataFrame, order: list[str]) -> pl.DataFrame:
    """Per indicator group: how many projects lose points there, and how much of what they could.

    Summing a group's 分值 over the projects (预算执行率 10 × 38 = 380) means nothing to a
    reader; what does: the projects that have the group, those losing points in it, the
    points lost in total and as a share of the points available (失分率), the projects' mean
    score rate in the group, and the group's share of all points lost.  Exact: integer
    cents and basis points, rates half-up to 2 decimals.
    """
    w = (pl.col("weight") * 100).round().cast(pl.Int64)
    p = (pl.col("points") * 100).round().cast(pl.Int64)
    per_project = (
        items.group_by("group", "unit_code")
        .agg(w.sum().alias("max_c"), p.sum().alias("pts_c"))
        .with_columns((pl.col("max_c") - pl.col("pts_c")).alias("lost_c"))
        .with_columns(_half_up_div(pl.col("pts_c") * 10_000, pl.col("max_c")).alias("rate_bp"))
    )
    lost = per_project.group_by("group").agg(
        pl.len().alias("projects"),
        (pl.col("lost_c") > 0).sum().cast(pl.Int64).alias("projects_losing"),
        pl.col("max_c").sum(),
        pl.col("lost_c").sum(),
        pl.col("rate_bp").sum().alias("rate_sum"),
        pl.col("rate_bp").count().cast(pl.Int64).alias("rate_n"),
    )
    total_lost = lost.get_column("lost_c").sum()
    rank = {g: i for i, g in enumerate(order)}
    return (
        lost.with_columns(
            pl.col("group")
            .replace_strict(rank, default=len(order), return_dtype=pl.Int64)
            .alias("_order")
        )
        .sort("_order", "group")
        .select(
            "group",
            "projects",
            "projects_losing",
            (pl.col("lost_c") / 100).alias("points_lost"),
            (_half_up_div(pl.col("lost_c") * 10_000, pl.col("max_c")) / 100).alias("lost_rate"),
            (_half_up_div(pl.col("rate_sum"), pl.col("rate_n")) / 100).alias("mean_score_rate"),
            (
                _half_up_div(pl.col("lost_c") * 10_000, pl.lit(total_lost)) / 100
                if total_lost
                else pl.lit(0.0)
            ).alias("lost_share"),
        )
    )


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _table_path(data_dir: Path, name: str, required: bool = True) -> Path | None:
    path = find_table(data_dir, name)
    if path is None and required:
        raise PerfkitError(
            _(
                "{data_dir}: no {name} table ({name}.csv, .xlsx or .parquet) in the data folder"
            ).format(data_dir=data_dir, name=name)
        )
    return path


def evaluate_department(
    data_dir: str | Path,
    year: int,
    dept_code: str,
    *,
    system: str | Path | System = "project-self-eval",
    lowest: int = 10,
    cache: str | Path | None = None,
) -> DepartmentEvaluation:
    """Evaluate one department's projects for one year (部门项目支出绩效评价).

    Parameters
    ----------
    data_dir : path
        A folder holding the contract's ``projects`` and ``indicators`` tables
        (and optionally ``departments``), years stacked.
    year : int
        The evaluation year.
    dept_code : str
        The department's code (部门编码) in that year.
    system : str, Path or System
        Indicator system (built-in name or YAML); default ``project-self-eval``.
    lowest : int
        How many of the lowest-scoring indicators to list.
    cache : path, optional
        A cache folder written by :func:`perfkit.scoring._cache.build_cache`
        (default: the folder named by ``PERFKIT_EVALUATION_CACHE``, which the batch
        runner sets).  Used only when it holds this department under the key of the
        current data files, system and year; otherwise the evaluation is computed
        as without it.  The result is the same either way.

    Returns
    -------
    DepartmentEvaluation

    Raises
    ------
    PerfkitError
        The year has no data, the department has no projects that year (the
        message lists the years it has), or the system is unknown.
    InputError
        The department's own rows break the data contract (file, row, column).

    Examples
    --------
    >>> ev = evaluate_department("data/sample", 2024, "D01")
    >>> ev.dept_name, ev.grade in {"优", "良", "中", "差"}
    ('教育局', True)
    >>> evaluate_department("data/sample", 2024, "D99")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: 部门 D99 在 2024 年没有项目数据；该年有数据的部门：D01, D02, ...
    """

    loaded = load_system(system)
    if loaded.kind != "indicators":
        raise PerfkitError(
            _(
                "system {name} scores evaluator-entered items (kind {kind}); a "
                "department's project evaluation needs a system of kind "
                "indicators"
            ).format(name=loaded.name, kind=loaded.kind)
        )
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise PerfkitError(_("data folder not found: {data_dir}").format(data_dir=data_dir))
    cached = cached_scores(cache, data_dir, year, dept_code, loaded)
    if cached is not None:
        return _evaluation(cached, loaded, int(year), str(dept_code).strip(), lowest)
    p_raw = read_table(_table_path(data_dir, "projects"), "projects")
    year_text = str(int(year))
    code = text_key(str(dept_code))
    p_year = _year_key(pl.col("year")) == year_text
    years = sorted(
        p_raw.frame.select(_year_key(pl.col("year")).unique().drop_nulls()).to_series().to_list()
    )
    if year_text not in years:
        raise PerfkitError(
            _("no project data for {year} (the years in {source}: {years})").format(
                year=year_text, source=p_raw.source, years=", ".join(years) or _("none")
            )
        )
    in_dept = _code_key(pl.col("dept_code")) == code
    projects = _subset(p_raw, p_year & in_dept)
    if projects.frame.height == 0:
        depts = (
            p_raw.frame.filter(p_year)
            .select(pl.col("dept_code").cast(pl.String).str.strip_chars().unique().sort())
            .to_series()
            .to_list()
        )
        other_years = (
            p_raw.frame.filter(in_dept)
            .select(_year_key(pl.col("year")).unique().sort())
            .to_series()
            .to_list()
        )
        if other_years:
            hint = _(" (the years with data for this department: {years})").format(
                years=", ".join(other_years)
            )
        elif len(depts) > 8:
            hint = _("; departments with data in that year: {codes} and others, {n} in all").format(
                codes=", ".join(depts[:8]), n=len(depts)
            )
        else:
            hint = _("; departments with data in that year: {codes}").format(codes=", ".join(depts))
        raise PerfkitError(
            _("department {dept} has no project data for {year}{hint}").format(
                dept=dept_code, year=year_text, hint=hint
            )
        )
    codes = projects.frame.select(_code_key(pl.col("project_code"))).to_series().implode()
    i_raw = read_table(_table_path(data_dir, "indicators"), "indicators")
    indicators = _subset(
        i_raw,
        (_year_key(pl.col("year")) == year_text) & _code_key(pl.col("unit_code")).is_in(codes),
    )
    scores = score_projects(projects, indicators, loaded)
    return _evaluation(scores, loaded, int(year), str(dept_code).strip(), lowest)


def _evaluation(
    scores: ScoreResult, system: System, year: int, dept_code: str, lowest: int
) -> DepartmentEvaluation:
    units, items = scores.units, scores.items
    dept_name = units.get_column("dept_name")[0]
    cents = (pl.col("total") * 100).round().cast(pl.Int64)
    money_fx = (pl.col("budget_full_year") * 1_000_000).round().cast(pl.Int64)
    weighted = units.select(
        (cents.cast(pl.Int128) * money_fx.cast(pl.Int128)).sum().alias("n"),
        money_fx.sum().alias("d"),
        cents.sum().alias("plain"),
        pl.len().alias("count"),
    ).row(0, named=True)
    if weighted["d"]:
        mean = Decimal(weighted["n"]) / Decimal(weighted["d"]) / 100
    else:  # every budget 0: plain mean
        mean = Decimal(weighted["plain"]) / weighted["count"] / 100
    score = round_half_up(mean)

    budget = units.get_column("budget_full_year").sum()
    executed = units.get_column("executed").sum()
    money = pl.DataFrame(
        {
            "n_projects": [units.height],
            "budget_full_year": [round(budget, 2)],
            "executed": [round(executed, 2)],
            "execution_rate": [
                float(round_half_up(Decimal(str(executed)) / Decimal(str(budget)) * 100))
                if budget
                else None
            ],
        }
    )
    flag_text = flag_labels(system.flags.severity, units.columns)  # most severe first
    projects = units.select(
        "unit_code",
        "unit_name",
        "category",
        "budget_full_year",
        "executed",
        "execution_rate",
        "total",
        "grade",
        "self_score",
        "self_grade",
        "score_diff",
        "result_use",
        flag_text.alias("flag_labels"),
    ).sort(["total", "unit_code"], descending=[True, False])

    grades = [b.grade for b in system.grades]
    grade_distribution = (
        pl.DataFrame({"grade": grades})
        .join(
            units.group_by("grade").agg(
                pl.len().alias("projects"), pl.col("budget_full_year").sum().alias("money")
            ),
            on="grade",
            how="left",
        )
        .with_columns(
            pl.col("projects").fill_null(0).cast(pl.Int64),
            pl.col("money").fill_null(0.0).round(2),
        )
        .with_columns((pl.col("projects") / units.height * 100).round(2).alias("share"))
    )

    w = (pl.col("weight") * 100).round().cast(pl.Int64)
    p = (pl.col("points") * 100).round().cast(pl.Int64)
    points_lost = _points_lost(items, [g.label for g in system.groups])

    # one row per flagged project with all its flags, the riskiest (most severe flag, then
    # most money) first
    shown = ["unit_code", "unit_name", "budget_full_year", "execution_rate", "total", "grade"]
    shown += [c for c in ("self_score", "self_grade") if c in units.columns]
    flagged = sort_by_risk(units.filter(pl.col("risk_level").is_not_null())).select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("risk_order"),
        *shown,
        "risk_level",
        flag_text.alias("flag_labels"),
    )

    indicators = items.filter(pl.col("weight") > 0, pl.col("rule") != "execution_rate").join(
        units.select("unit_code", "unit_name"), on="unit_code", how="left"
    )
    lowest_indicators = (
        indicators.with_columns((p * 10_000 // w).alias("_rate_bp"))
        .sort(["_rate_bp", "unit_code", "source_row"])
        .head(lowest)
        .select(
            "unit_code",
            "unit_name",
            "group",
            "item",
            "direction",
            "target",
            "actual",
            "weight",
            "points",
            (pl.col("_rate_bp") / 100).alias("score_rate"),
            "reason",
        )
    )

    actions = {g: r for g, r in system.result_use.items()}
    rec = units.with_columns(
        pl.col("grade")
        .replace_strict({g: r.action for g, r in actions.items()}, default=None)
        .alias("action")
    )
    recommendation = (
        pl.DataFrame({"action": list(dict.fromkeys(r.action for r in actions.values()))})
        .join(
            rec.group_by("action").agg(
                pl.len().alias("projects"),
                pl.col("budget_full_year").sum().round(2).alias("money"),
                pl.col("unit_code").sort().str.join("、").alias("unit_codes"),
            ),
            on="action",
            how="left",
        )
        .with_columns(
            pl.col("action")
            .replace_strict(_RESULT_USE_ACTIONS, default=pl.col("action"))
            .alias("action_label"),
            pl.col("action")
            .replace_strict(
                {
                    r.action: "、".join(
                        f"{g}：{x.label}" for g, x in actions.items() if x.action == r.action
                    )
                    for r in actions.values()
                },
                default=None,
            )
            .alias("rule"),
            pl.col("projects").fill_null(0).cast(pl.Int64),
            pl.col("money").fill_null(0.0),
        )
        .select("action", "action_label", "rule", "projects", "money", "unit_codes")
    )
    return DepartmentEvaluation(
        year=year,
        dept_code=dept_code,
        dept_name=dept_name,
        system=system,
        scores=scores,
        money=money,
        projects=projects,
        grade_distribution=grade_distribution,
        points_lost=points_lost,
        flagged=flagged,
        lowest_indicators=lowest_indicators,
        recommendation=recommendation,
        score=float(score),
        grade=grade(score, system),
    )
