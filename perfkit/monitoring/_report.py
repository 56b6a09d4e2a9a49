"""The monitoring report's one call (监控报告): check the parameters, monitor, write.

``notebooks/monitoring.ipynb`` calls :func:`report_for` and only presents what it
returns; the parameter checks live here, not in the notebook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.monitoring._api import monitor
from perfkit.monitoring._result import MonitoringResult
from perfkit.tables._read import find_table

__all__ = ["MonitoringReport", "report_for"]

_TABLES = ("projects", "monitoring", "indicator_progress", "indicators")
#: The departments' columns a report shows (indicator columns when there are indicators).
_DEPARTMENT_COLUMNS = (
    "dept_code", "dept_name", "projects", "budget_full_year", "executed_to_date",
    "overall_progress", "time_progress", "relation", "execution_alert",
    "red_projects", "red_budget", "yellow_projects", "green_projects",
    "indicator_red_projects", "indicator_blue_projects",
)  # fmt: skip


@dataclass(eq=False)
class MonitoringReport:
    """What a monitoring report shows: the result, the files written and its sentences."""

    result: MonitoringResult
    written: list[Path]
    scope: str

    @property
    def title(self) -> str:
        """The report's title: year, month and scope (``2024年8月绩效运行监控报告（全区）``)."""
        time = self.result.time
        return _("Performance monitoring report, {year}-{month} ({scope})").format(
            year=time.year, month=time.month, scope=self.scope
        )

    @property
    def departments(self) -> pl.DataFrame:
        """The departments' figures a report shows (polars)."""
        frame = self.result.departments_pl
        return frame.select([c for c in _DEPARTMENT_COLUMNS if c in frame.columns])

    @property
    def red_sentence(self) -> str:
        """``红色预警项目 N 个（执行红色 M 个）``."""
        red = self.result.red_list_pl
        n_execution = red.filter(pl.col("execution_alert") == "red").height
        return f"红色预警项目 {red.height} 个（执行红色 {n_execution} 个）"

    @property
    def review_sentence(self) -> str:
        """How many projects to review and the money behind schedule and unspent."""
        review = self.result.review_pl
        behind = review.get_column("behind_schedule").sum()
        unspent = review.get_column("unspent_to_date").sum()
        return (
            f"{review.height} 个项目，滞后金额合计 {behind:,.2f} 万元，尚未执行 {unspent:,.2f} 万元"
        )


def _problems(
    year: object,
    month: object,
    as_of: object,
    dept_code: object,
    data_dir: object,
    output_dir: object,
) -> tuple[list[str], dict[str, Path | None]]:
    problems = []
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        problems.append(_("year must be a year like 2024, not {year!r}").format(year=year))
    if month is not None and (
        isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12
    ):
        problems.append(
            _("month must be a whole number from 1 to 12, not {month!r}").format(month=month)
        )
    if month is None and not as_of:
        problems.append(_("give month (1–12) or as_of (YYYY-MM-DD)"))
    if as_of:
        try:
            dt.date.fromisoformat(str(as_of))
        except ValueError:
            problems.append(
                _("as_of must be a date like 2024-08-31, not {as_of!r}").format(as_of=as_of)
            )
    if not isinstance(dept_code, str) or not dept_code.strip():
        problems.append(
            _('dept_code must be a department code or "all", not {dept_code!r}').format(
                dept_code=dept_code
            )
        )
    if not output_dir:
        problems.append(_("output_dir must be a folder"))
    data = Path(str(data_dir))
    tables = {name: find_table(data, name) for name in _TABLES}
    if not data.is_dir():
        problems.append(_("data_dir {data_dir!r} is not a folder").format(data_dir=data_dir))
    else:
        for name in ("projects", "monitoring"):
            if tables[name] is None:
                problems.append(
                    _(
                        "data_dir {data_dir!r} has no {name} table ({name}.csv, .xlsx or .parquet)"
                    ).format(data_dir=data_dir, name=name)
                )
        if (tables["indicator_progress"] is None) != (tables["indicators"] is None):
            problems.append(
                _("indicator_progress needs indicators (the annual targets) and vice versa")
            )
    return problems, tables


def report_for(
    *,
    year: int,
    month: int | None,
    as_of: str | None = None,
    dept_code: str = "all",
    data_dir: str | Path = "data/sample",
    output_dir: str | Path,
) -> MonitoringReport:
    """Check a monitoring report's parameters, monitor, and write the files.

    Parameters
    ----------
    year, month : int
        The budget year and the month monitored (1–12).
    as_of : str, optional
        ``YYYY-MM-DD``: count time progress in days instead of ``month / 12``.
    dept_code : str
        A department's ``dept_code``, or ``"all"`` for the whole region.
    data_dir : str or Path
        The folder with ``projects`` and ``monitoring`` (and ``indicator_progress``
        with ``indicators``), each as ``.csv``, ``.xlsx`` or ``.parquet``.
    output_dir : str or Path
        Where :meth:`MonitoringResult.write` writes the files.

    Returns
    -------
    MonitoringReport

    Raises
    ------
    PerfkitError
        ``参数错误：`` (``bad parameters:``) with every bad parameter, before anything is
        read or written; the input's own problems as :func:`perfkit.monitor` lists them.

    Examples
    --------
    >>> report_for(year=2024, month=13, data_dir="data/sample", output_dir="out")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: 参数错误：
    month 应为 1 到 12 的整数，而不是 13
    """
    problems, tables = _problems(year, month, as_of, dept_code, data_dir, output_dir)
    if problems:
        raise PerfkitError(_("bad parameters:") + "\n" + "\n".join(problems))
    dept = None if dept_code.strip().lower() == "all" else dept_code.strip()
    result = monitor(
        tables["projects"],  # type: ignore[arg-type]
        tables["monitoring"],  # type: ignore[arg-type]
        tables["indicator_progress"],
        indicators=tables["indicators"],
        year=year,
        month=month,
        as_of=as_of or None,
        dept=dept,
    )
    written = result.write(output_dir)
    scope = "全区" if dept is None else result.departments_pl.get_column("dept_name")[0]
    return MonitoringReport(result, written, scope)
