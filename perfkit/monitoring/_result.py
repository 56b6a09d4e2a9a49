"""The result of a monitoring run (监控结果): alerts, summaries, money to review."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from perfkit.errors import Problem
from perfkit.monitoring._timeprogress import TimeProgress

__all__ = ["MonitoringResult"]


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

    def _out(self, frame: pl.DataFrame) -> Any:
        return frame.to_pandas() if self.from_pandas else frame

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
        from perfkit.monitoring._export import write_outputs

        return write_outputs(self, Path(out_dir))
