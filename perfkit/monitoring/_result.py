"""The result of a monitoring run (监控结果): alerts, summaries, money to review.

A result writes itself (:meth:`MonitoringResult.write`, :func:`write_outputs`): the
CSVs, ``summary.txt`` and ``monitoring.xlsx``, its cells formatted by
:mod:`perfkit.monitoring._export`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from perfkit._frames import like_input
from perfkit.errors import Problem
from perfkit.monitoring._bands import GREEN_FROM, YELLOW_FROM
from perfkit.monitoring._export import (
    ALERT_CELL_FORMATS,
    ALERT_COLUMNS,
    FILES,
)
from perfkit.monitoring._summary import SLIGHT_POINTS
from perfkit.monitoring._timeprogress import TimeProgress
from perfkit.present import people_words
from perfkit.present._labels import BASIS_LABELS
from perfkit.tables._write import atomic_output, write_csv, write_excel

__all__ = ["MonitoringResult", "write_outputs"]


@dataclass
class MonitoringResult:
    """Alerts of one monitoring run, per project, per indicator, per department and region.

    The frames are polars, or pandas when the inputs were pandas frames
    (``*_pl`` attributes always hold the polars originals).

    Attributes
    ----------
    time : TimeProgress
        Year, month, as-of date and the exact time progress.
    dept : str or None
        The department the run was restricted to.
    alerts : frame
        One row per monitored project: ``time_progress``, ``execution_rate``,
        ``execution_progress`` (the ratio compared with 60/80),
        ``execution_alert`` (red/yellow/green; empty with
        ``execution_note = budget_zero``), ``indicator_alert`` (the project's
        worst indicator: red, yellow, blue, green), counts, ``reasons``.
    indicator_alerts : frame
        One row per indicator with progress reported at the month.
    departments, region : frame
        Summaries: projects and money by colour, overall progress against
        time progress, and the sentence (“总体进度46%，略高于序时进度41.67%”).
    review : frame
        Projects whose money should be reviewed (red execution alert), the
        largest shortfall against time progress first.
    not_reported : frame
        Projects of the year (and department) with no monitoring row at the
        month; they are not monitored and are counted in the summaries.
    warnings : list of Problem
        Non-blocking remarks.
    shown : tuple of str
        The region's sentence and detail in the language chosen for the run
        (:attr:`summary_lines`).
    """

    time: TimeProgress
    dept: str | None
    alerts_pl: pl.DataFrame
    indicator_alerts_pl: pl.DataFrame
    departments_pl: pl.DataFrame
    region_pl: pl.DataFrame
    not_reported_pl: pl.DataFrame
    with_indicators: bool = False
    warnings: list[Problem] = field(default_factory=list)
    from_pandas: bool = False
    shown: tuple[str, str] = ("", "")

    def _out(self, frame: pl.DataFrame) -> Any:
        return like_input(frame, self.from_pandas)

    @property
    def alerts(self) -> Any:
        """Project alerts (polars, or pandas when pandas was handed in)."""
        return self._out(self.alerts_pl)

    @property
    def indicator_alerts(self) -> Any:
        """Indicator alerts (polars, or pandas when pandas was handed in)."""
        return self._out(self.indicator_alerts_pl)

    @property
    def departments(self) -> Any:
        """Department summary (polars, or pandas when pandas was handed in)."""
        return self._out(self.departments_pl)

    @property
    def region(self) -> Any:
        """Region summary, one row (polars, or pandas when pandas was handed in)."""
        return self._out(self.region_pl)

    @property
    def not_reported(self) -> Any:
        """Projects with no monitoring row at the month (polars or pandas)."""
        return self._out(self.not_reported_pl)

    @property
    def review_pl(self) -> pl.DataFrame:
        """Money to review (polars): red execution alerts, largest shortfall first."""
        return (
            self.alerts_pl.filter(pl.col("execution_alert") == "red")
            .with_columns(
                (pl.col("budget_full_year") - pl.col("executed_to_date"))
                .round(2)
                .alias("unspent_to_date")
            )
            .select(
                "year",
                "month",
                "dept_code",
                "dept_name",
                "unit_code",
                "project_name",
                "budget_full_year",
                "executed_to_date",
                "unspent_to_date",
                "execution_rate",
                "time_progress",
                "execution_progress",
                "expected_to_date",
                "behind_schedule",
                "indicator_alert",
                "reasons",
            )
            .sort(["behind_schedule", "unit_code"], descending=[True, False])
        )

    @property
    def review(self) -> Any:
        """Projects whose money should be reviewed (收回/调整): red execution alerts.

        A project whose execution rate is below 60 % of time progress is
        seriously lagging; the bureau considers withholding or recovering its
        money.  ``behind_schedule`` is how much less was spent than
        ``budget × time progress``; the list is sorted by it, largest first.
        """
        return self._out(self.review_pl)

    @property
    def red_list_pl(self) -> pl.DataFrame:
        """The red list (polars): projects with a red execution or indicator alert."""
        red = (pl.col("execution_alert") == "red").fill_null(False)
        any_red = red | (pl.col("indicator_alert") == "red").fill_null(False)
        return (
            self.alerts_pl.filter(any_red)
            .sort(red.not_(), "dept_code", "unit_code")
            .select(
                "dept_code",
                "dept_name",
                "unit_code",
                "project_name",
                "budget_full_year",
                "executed_to_date",
                "execution_rate",
                "time_progress",
                "execution_alert",
                "indicator_alert",
                "indicators_red",
                "reasons",
            )
        )

    @property
    def red_list(self) -> Any:
        """红色预警清单: projects red on money or on an indicator, with the reasons.

        Projects with a red execution alert come first, then those red only
        on an indicator; within each, by department and code.
        """
        return self._out(self.red_list_pl)

    @property
    def region_sentence(self) -> str:
        """The region's sentence: “…总体进度46%，略高于序时进度41.67%”."""
        return str(self.region_pl.get_column("sentence")[0])

    @property
    def summary_lines(self) -> list[str]:
        """The region's sentence and alerts in the language chosen when the run was made.

        What the command line prints; :attr:`region_sentence` and the summary
        tables keep the Chinese (data that does not change with the language).
        """
        return [text for text in self.shown if text] or [self.region_sentence, self.region_detail]

    @property
    def region_detail(self) -> str:
        """The region's alerts by colour, in words."""
        return str(self.region_pl.get_column("detail")[0])

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write the CSVs, ``summary.txt`` and ``monitoring.xlsx`` into ``out_dir`` atomically.

        Files: ``alerts.csv``, ``indicator_alerts.csv``,
        ``summary_departments.csv``, ``summary_region.csv``, ``review.csv``,
        ``summary.txt`` (the sentences) and ``monitoring.xlsx`` (alert cells
        coloured, labelled 红/黄/绿/蓝).  Nothing is written if any fails.

        Returns
        -------
        list of Path
            The files written.
        """
        return write_outputs(self, Path(out_dir))


def _rules(result: MonitoringResult) -> pl.DataFrame:
    time = result.time
    lines = [
        ("监控期间", time.period + (f"（{result.dept}）" if result.dept else "")),
        (
            "序时进度",
            f"{time.percent}% = {time.numerator}/{time.denominator}"
            + ("（截至日在本年中的天数 / 全年天数）" if time.as_of else "（月份 / 12）"),
        ),
        (
            "执行进度",
            "预算执行率 = 累计执行数 / 全年预算数 × 100；"
            "执行进度/序时进度 = 预算执行率 / 序时进度 × 100",
        ),
        (
            "预警等级",
            f"执行进度/序时进度 < {YELLOW_FROM} 红；{YELLOW_FROM}–<{GREEN_FROM} 黄；"
            f"≥ {GREEN_FROM} 绿（精确比较，恰为{YELLOW_FROM}为黄、恰为{GREEN_FROM}为绿）",
        ),
        (
            "指标预警",
            "累计完成值 ≥ 年度指标值的120% 为蓝；项目的指标预警取其最差指标（红 > 黄 > 蓝 > 绿）",
        ),
        *[(f"判定方法：{code}", text) for code, text in BASIS_LABELS.items()],
        ("预算为0", "全年预算数为0的项目执行率无法计算，不设执行预警，单独计数"),
        (
            "总体进度",
            f"累计执行数合计 / 全年预算数合计；"
            f"与序时进度相差 {SLIGHT_POINTS} 个百分点以内为“略高于/略低于”",
        ),
        ("显示", "比值截尾保留两位小数，显示值与预警颜色一致；金额单位万元"),
    ]
    return pl.DataFrame({"项目": [k for k, _ in lines], "说明": [v for _, v in lines]})


def write_outputs(result: MonitoringResult, out_dir: Path) -> list[Path]:
    """Write every monitoring output into ``out_dir`` atomically; return the files written."""
    tables = {
        "alerts": result.alerts_pl,
        "indicator_alerts": result.indicator_alerts_pl,
        "summary_departments": result.departments_pl,
        "summary_region": result.region_pl,
        "review": result.review_pl,
    }
    sentences = [result.region_sentence, result.region_detail, ""]
    for sentence, detail in result.departments_pl.select("sentence", "detail").iter_rows():
        sentences += [sentence, detail, ""]
    output = atomic_output(out_dir, owns=FILES)
    with output as tmp:
        for name, table in tables.items():
            write_csv(table, tmp / f"{name}.csv")
        (tmp / "summary.txt").write_text("\n".join(sentences), encoding="utf-8")
        sheets = {
            "全区汇总": result.region_pl,
            "部门汇总": result.departments_pl,
            "项目预警": result.alerts_pl,
            "指标预警": result.indicator_alerts_pl,
            "需复核资金": result.review_pl,
        }
        if result.not_reported_pl.height:
            sheets["未报送项目"] = result.not_reported_pl
        cells = dict.fromkeys(ALERT_COLUMNS, ALERT_CELL_FORMATS)
        write_excel(
            tmp / "monitoring.xlsx",
            {name: people_words(frame, "monitoring") for name, frame in sheets.items()},
            notes={"说明": _rules(result)},
            cell_formats=cells,
        )
    return output.written
