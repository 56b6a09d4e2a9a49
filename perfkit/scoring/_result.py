"""The result of a scoring run (评分结果): unit and item tables, warnings, writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from perfkit.errors import Problem, problems_frame
from perfkit.present._labels import RULE_LABELS, column_label
from perfkit.scoring._flags import FLAG_LABELS, SEVERITY_LABELS
from perfkit.scoring._rules import RULE_FORMULAS
from perfkit.systems import System
from perfkit.tables._write import (
    DEFAULT_EXCEL_MAX_ROWS,
    EXCEL_ROW_LIMIT,
    atomic_output,
    write_csv,
    write_excel,
)

__all__ = ["PandasScores", "ScoreResult", "WrittenOutputs"]


class PandasScores(NamedTuple):
    """The two result tables as pandas frames."""

    units: Any
    items: Any


@dataclass
class WrittenOutputs:
    """What :meth:`ScoreResult.write` wrote, and what it left out of the workbook."""

    files: list[Path]
    left_out_of_excel: dict[str, int] = field(default_factory=dict)


@dataclass
class ScoreResult:
    """Scores of every unit and every item, with the system that produced them.

    Attributes
    ----------
    system : System
        The indicator system used.
    units : polars.DataFrame
        One row per unit and year: group subtotals, ``total``, ``grade``,
        self-score comparison, ``result_use`` and flags.
    items : polars.DataFrame
        One row per scored item: rule, weight, inputs (target, actual,
        ratio) and points, so any number can be redone by hand.  Order: the
        预算执行率 items (projects order), then the indicators (by project,
        file order within); ``scores.xlsx`` shows each unit's items together.
    warnings : list of Problem
        Non-blocking problems (for example group weights that differ from the
        system's 50/30/10).

    Examples
    --------
    >>> import perfkit
    >>> r = perfkit.score("data/sample/projects.csv", "data/sample/indicators.csv")
    >>> r.units.select("total", "grade").dtypes
    [Float64, String]
    >>> type(r.to_pandas().units).__name__
    'DataFrame'
    """

    system: System
    units: pl.DataFrame
    items: pl.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    from_pandas: bool = False

    def to_pandas(self) -> PandasScores:
        """Both tables as pandas frames (``units``, ``items``)."""
        return PandasScores(self.units.to_pandas(), self.items.to_pandas())

    def for_year(self, year: int) -> ScoreResult:
        """The same result restricted to one year.

        Examples
        --------
        >>> import perfkit
        >>> r = perfkit.score("data/sample/projects.csv", "data/sample/indicators.csv")
        >>> r.for_year(2024).units["year"].unique().to_list()
        [2024]
        """
        keep = pl.col("year") == year
        return ScoreResult(
            self.system,
            self.units.filter(keep),
            self.items.filter(keep),
            self.warnings,
            self.from_pandas,
        )

    def grade_counts(self) -> pl.DataFrame:
        """Units per year and grade.

        Examples
        --------
        >>> import perfkit
        >>> r = perfkit.score("data/sample/projects.csv", "data/sample/indicators.csv")
        >>> r.grade_counts().columns
        ['year', 'grade', 'units']
        """
        order = {b.grade: i for i, b in enumerate(self.system.grades)}
        return (
            self.units.group_by("year", "grade")
            .agg(pl.len().alias("units"))
            .sort("year", pl.col("grade").replace_strict(order, default=99))
        )

    def write(
        self,
        out_dir: str | Path,
        *,
        parquet: bool = False,
        excel_max_rows: int = DEFAULT_EXCEL_MAX_ROWS,
    ) -> WrittenOutputs:
        """Write ``unit_scores.csv``, ``item_scores.csv`` and ``scores.xlsx`` atomically.

        Parameters
        ----------
        out_dir : path
            Destination folder (created if needed).
        parquet : bool
            Also write ``unit_scores.parquet`` and ``item_scores.parquet``.
        excel_max_rows : int
            Tables longer than this are left out of ``scores.xlsx`` (the CSV is
            the full record); capped at Excel's sheet limit.

        Returns
        -------
        WrittenOutputs
            The files written and the tables left out of the workbook.
        """
        limit = min(excel_max_rows, EXCEL_ROW_LIMIT - 1)
        tables = {"unit_scores": self.units, "item_scores": self.items}
        sheet_names = {"unit_scores": "单位得分", "item_scores": "指标得分"}
        left_out = {name: t.height for name, t in tables.items() if t.height > limit}
        owned = [f"{n}.{ext}" for n in tables for ext in ("csv", "parquet")]
        owned += ["scores.xlsx", "warnings.csv"]
        output = atomic_output(out_dir, owns=tuple(owned))
        with output as tmp:
            for name, table in tables.items():
                write_csv(table, tmp / f"{name}.csv")
                if parquet:
                    table.write_parquet(tmp / f"{name}.parquet")
            for_people = {  # each unit's items together (stable: 预算执行率 first)
                "unit_scores": self.units,
                "item_scores": self.items.sort("year", "unit_code", maintain_order=True),
            }
            sheets = {sheet_names[n]: t for n, t in for_people.items() if n not in left_out}
            if sheets:
                write_excel(
                    tmp / "scores.xlsx",
                    sheets,
                    notes=self._notes(left_out),
                    label=self._label,
                    null_text={g.label: "不适用" for g in self.system.groups if g.from_data},
                )
            if self.warnings:
                write_csv(problems_frame(self.warnings), tmp / "warnings.csv")
        return WrittenOutputs(output.written, left_out)

    def _label(self, column: str) -> str:
        """Workbook headers: a group's points are ``预算执行率得分``, apart from the rate's
        ``预算执行率（%）``."""
        if column in {g.label for g in self.system.groups}:
            return f"{column}得分"
        return column_label(column)

    def _notes(self, left_out: dict[str, int]) -> dict[str, pl.DataFrame]:
        rules = pl.DataFrame(
            {
                "计分规则": [RULE_LABELS.get(k, k) for k in RULE_FORMULAS],
                "代码": list(RULE_FORMULAS),
                "说明": list(RULE_FORMULAS.values()),
            }
        )
        severity = self.system.flags.severity
        flags = pl.DataFrame(
            {
                "标记": list(FLAG_LABELS),
                "说明": list(FLAG_LABELS.values()),
                "风险等级": [SEVERITY_LABELS[severity[code]] for code in FLAG_LABELS],
            }
        )
        bands = pl.DataFrame(
            {
                "等级": [b.grade for b in self.system.grades],
                "下限（含）": [float(b.min) for b in self.system.grades],
            }
        )
        info = [
            ("指标体系", f"{self.system.title}（{self.system.name}）"),
            ("舍入规则", "每项得分四舍五入保留两位小数，总分为各项得分之和，等级按总分确定"),
        ]
        if self.system.kind == "indicators":
            info += [
                ("不适用", "项目未设该一级指标（如满意度指标的分值已按比例并入产出、效益指标）"),
                (
                    "风险等级与排序",
                    "风险等级取项目所触发标记中最高的等级（见“风险标记”表）；风险排序在同一年度内"
                    "先按风险等级从高到低，再按全年预算数从大到小",
                ),
            ]
        info += [
            (f"未放入工作簿：{name}", f"{rows} 行，超过表格上限，完整数据见 {name}.csv")
            for name, rows in left_out.items()
        ]
        about = pl.DataFrame({"项目": [k for k, _ in info], "内容": [v for _, v in info]})
        return {"说明": about, "等级标准": bands, "计分规则": rules, "风险标记": flags}
