"""The monitoring verb: :func:`monitor` (绩效运行监控，“双监控”)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem
from perfkit.monitoring._bands import ALERT_RANK
from perfkit.monitoring._execution import BUDGET_ZERO, execution_alerts
from perfkit.monitoring._indicators import indicator_alerts
from perfkit.monitoring._inputs import MonitoringInputs, read_inputs
from perfkit.monitoring._result import MonitoringResult
from perfkit.monitoring._summary import summarise
from perfkit.monitoring._timeprogress import TimeProgress, parse_as_of, time_progress
from perfkit.numbers import fixed_to_float
from perfkit.systems import System, load_system
from perfkit.tables._read import TableInput

__all__ = ["monitor"]

PARAMETERS = "<parameters>"
_RANK_TO_ALERT = {rank: alert for alert, rank in ALERT_RANK.items()}
#: At most this many indicator names are quoted in a project's reasons.
_NAMES_SHOWN = 3


def monitor(
    projects: TableInput,
    monitoring: TableInput,
    indicator_progress: TableInput | None = None,
    *,
    indicators: TableInput | None = None,
    month: int | None = None,
    as_of: str | dt.date | None = None,
    year: int | None = None,
    dept: str | None = None,
    system: str | Path | System = "project-self-eval",
) -> MonitoringResult:
    """Mid-year monitoring (绩效运行监控): execution and indicator progress against time progress.

    Parameters
    ----------
    projects : path, polars.DataFrame or pandas.DataFrame
        The ``projects`` table.  Mid-year, ``executed`` (and
        ``budget_initial``) may be left out or empty; monitoring uses the
        codes, names and ``budget_full_year``.
    monitoring : path or frame
        ``monitoring``: cumulative ``executed_to_date`` per project and month
        (several months may be stacked; spending may not go down).
    indicator_progress : path or frame, optional
        ``indicator_progress``: cumulative ``actual_to_date`` per indicator
        and month (a level phrase for 定性 indicators).
    indicators : path or frame, optional
        The ``indicators`` table, for the annual targets and directions of
        ``indicator_progress`` (``actual`` may be empty).  Required with
        ``indicator_progress``.
    month : int, optional
        The month monitored (1–12); defaults to the as-of date's month, else
        the latest month in ``monitoring`` for the year.
    as_of : str or datetime.date, optional
        Count time progress in days (elapsed days, the as-of day included, /
        days in the year) instead of ``month / 12``.  Must lie in the year
        and the month.
    year : int, optional
        The budget year; defaults to the as-of date's year, else the latest
        year in ``monitoring``.
    dept : str, optional
        Restrict to one department (``dept_code``).
    system : str, Path or System
        The indicator system whose qualitative phrases (定性) grade the
        ``indicator_progress`` of 定性 indicators: a built-in name, a YAML
        file or a loaded :class:`~perfkit.systems.System`.

    Returns
    -------
    MonitoringResult
        ``.alerts`` (one row per project), ``.indicator_alerts``,
        ``.departments``, ``.region``, ``.review`` (money to review) and
        ``.write(out_dir)``; frames are pandas when pandas was handed in.

    Raises
    ------
    InputError
        Listing every problem at once — in the files (each with file, row and
        column) and in the parameters (month outside 1–12, an as-of date
        outside the data's year) — before anything is computed.

    Examples
    --------
    >>> import perfkit
    >>> r = perfkit.monitor("data/sample/projects.csv", "data/sample/monitoring.csv",
    ...                     "data/sample/indicator_progress.csv",
    ...                     indicators="data/sample/indicators.csv", month=5)
    >>> r.region_sentence
    '2024年5月项目绩效监控602个137,893.79万元，总体进度46%，略高于序时进度41.67%'
    >>> sorted(r.alerts["execution_alert"].drop_nulls().unique().to_list())
    ['green', 'red', 'yellow']
    """
    inputs, problems = read_inputs(
        projects, monitoring, indicator_progress, indicators, load_system(system)
    )
    params = _parameter_problems(inputs, month, as_of, year, dept)
    problems += params.problems
    errors = [p for p in problems if p.severity == "error"]
    if errors or inputs is None or params.time is None:
        n = len(errors)
        raise InputError(problems, summary=f"{n} problem(s) in the input; nothing was written")
    return _compute(inputs, params.time, dept)


class _Parameters:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.time: TimeProgress | None = None

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, row, column, message))


def _parameter_problems(
    inputs: MonitoringInputs | None,
    month: int | None,
    as_of: str | dt.date | None,
    year: int | None,
    dept: str | None,
) -> _Parameters:
    out = _Parameters()
    try:
        date = parse_as_of(as_of)
    except ValueError as exc:
        out.add(PARAMETERS, None, "as_of", str(exc))
        date = None
    if month is not None and (
        isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12
    ):
        out.add(
            PARAMETERS, None, "month", f"month must be a whole number from 1 to 12, not {month!r}"
        )
        month = None
        bad_month = True
    else:
        bad_month = False
    if inputs is None:
        return out
    raw = inputs.raws["monitoring"]
    data = inputs.monitoring.drop_nulls(["year", "month"])
    if data.height == 0:
        out.add(raw.source, None, None, "no monitoring rows")
        return out
    years = sorted(data.get_column("year").unique().to_list())
    first_row = int(data.get_column("_row").min())
    if year is None:
        year = date.year if date is not None else years[-1]
    if date is not None and date.year != year:
        out.add(
            PARAMETERS, None, "as_of", f"as-of date {date.isoformat()} is not in the year {year}"
        )
        date = None
    if year not in years:
        what = f"as-of date {as_of}" if date is not None else f"year {year}"
        out.add(
            raw.source,
            first_row,
            raw.header("year"),
            f"{what} is not in the data's year(s) {', '.join(map(str, years))}",
        )
        return out
    months = sorted(data.filter(pl.col("year") == year).get_column("month").unique().to_list())
    if month is None and not bad_month:
        month = date.month if date is not None else months[-1]
    if month is None:
        return out
    if date is not None and date.month != month:
        out.add(PARAMETERS, None, "as_of", f"as-of date {date.isoformat()} is not in month {month}")
        return out
    if month not in months:
        out.add(
            raw.source,
            None,
            raw.header("month"),
            f"no monitoring rows for {year} month {month}; "
            f"the data has month(s) {', '.join(map(str, months))} of {year}",
        )
        return out
    if dept is not None:
        depts = inputs.projects.filter(pl.col("year") == year).get_column("dept_code")
        if dept not in depts.to_list():
            p_raw = inputs.raws["projects"]
            out.add(
                p_raw.source,
                None,
                p_raw.header("dept_code"),
                f"no project of department {dept} in {year}",
            )
            return out
    out.time = time_progress(year, month, date)
    return out


def _compute(inputs: MonitoringInputs, time: TimeProgress, dept: str | None) -> MonitoringResult:
    year, month = time.year, time.month
    projects = inputs.projects.filter(pl.col("year") == year)
    if dept is not None:
        projects = projects.filter(pl.col("dept_code") == dept)
    projects = projects.select(
        "year",
        "dept_code",
        "dept_name",
        pl.col("project_code").alias("unit_code"),
        "project_name",
        "budget_full_year",
    )
    rows = inputs.monitoring.filter((pl.col("year") == year) & (pl.col("month") == month))
    monitored = (
        projects.join(
            rows.select(
                "year", "unit_code", "month", "executed_to_date", pl.col("_row").alias("source_row")
            ),
            on=["year", "unit_code"],
            how="inner",
            maintain_order="left",
        )
        .sort("dept_code", "unit_code")
        .with_columns(pl.lit(time.as_of, pl.Date).alias("as_of"))
    )
    not_reported = projects.join(
        rows.select("year", "unit_code"),
        on=["year", "unit_code"],
        how="anti",
        maintain_order="left",
    ).sort("dept_code", "unit_code")
    alerts = execution_alerts(monitored, time)
    with_indicators = inputs.progress is not None
    ind = _indicator_table(inputs, time, projects) if with_indicators else None
    alerts = _attach_indicators(alerts, ind)
    alerts = alerts.with_columns(_reasons()).select(*_ALERT_COLUMNS, "_budget", "_executed")
    departments = summarise(
        alerts, time, not_reported, by_department=True, with_indicators=with_indicators
    )
    region = summarise(
        alerts, time, not_reported, by_department=False, with_indicators=with_indicators
    )
    shown = summarise(  # the region's sentences in the chosen language, for the command line
        alerts,
        time,
        not_reported,
        by_department=False,
        with_indicators=with_indicators,
        language=None,
    ).row(0, named=True)
    warnings = list(inputs.warnings)
    if not_reported.height:
        warnings.append(
            Problem(
                inputs.raws["monitoring"].source,
                None,
                None,
                f"{not_reported.height} project(s) of {year}"
                f"{'' if dept is None else ' in ' + dept} have no row for month {month} "
                "and are not monitored (see not_reported)",
                severity="warning",
            )
        )
    return MonitoringResult(
        time=time,
        dept=dept,
        alerts_pl=alerts.drop("_budget", "_executed"),
        indicator_alerts_pl=ind if ind is not None else _empty_indicator_alerts(),
        departments_pl=departments,
        region_pl=region,
        not_reported_pl=not_reported.with_columns(
            fixed_to_float(pl.col("budget_full_year")).alias("budget_full_year")
        ).select("year", "dept_code", "dept_name", "unit_code", "project_name", "budget_full_year"),
        with_indicators=with_indicators,
        warnings=warnings,
        from_pandas=inputs.from_pandas,
        shown=(str(shown["sentence"]), str(shown["detail"])),
    )


_INDICATOR_COLUMNS = [
    "year",
    "month",
    "dept_code",
    "dept_name",
    "unit_code",
    "project_name",
    "level1",
    "level2",
    "name",
    "direction",
    "unit",
    "target",
    "actual_to_date",
    "time_progress",
    "expected_value",
    "progress",
    "completion",
    "indicator_alert",
    "basis",
    "note",
    "source_row",
]

_ALERT_COLUMNS = [
    "year",
    "month",
    "as_of",
    "dept_code",
    "dept_name",
    "unit_code",
    "project_name",
    "budget_full_year",
    "executed_to_date",
    "time_progress",
    "execution_rate",
    "execution_progress",
    "execution_alert",
    "execution_note",
    "expected_to_date",
    "behind_schedule",
    "indicators_reported",
    "indicators_red",
    "indicators_yellow",
    "indicators_green",
    "indicators_blue",
    "indicator_alert",
    "reasons",
    "source_row",
]


def _indicator_table(
    inputs: MonitoringInputs, time: TimeProgress, projects: pl.DataFrame
) -> pl.DataFrame:
    assert inputs.progress is not None
    rows = inputs.progress.filter(
        (pl.col("year") == time.year) & (pl.col("month") == time.month)
    ).join(
        projects.select("year", "unit_code", "dept_code", "dept_name", "project_name"),
        on=["year", "unit_code"],
        how="inner",
        maintain_order="left",
    )
    judged = indicator_alerts(rows, time)
    return (
        judged.with_columns(
            pl.col("target_text").alias("target"),
            pl.col("actual_to_date_text").alias("actual_to_date"),
            pl.col("_row").alias("source_row"),
        )
        .select(_INDICATOR_COLUMNS)
        .sort("dept_code", "unit_code", "source_row")
    )


def _empty_indicator_alerts() -> pl.DataFrame:
    schema = {c: pl.String for c in _INDICATOR_COLUMNS}
    schema.update(
        {
            "year": pl.Int32,
            "month": pl.Int32,
            "time_progress": pl.Float64,
            "expected_value": pl.Float64,
            "progress": pl.Float64,
            "completion": pl.Float64,
            "source_row": pl.Int64,
        }
    )
    return pl.DataFrame(schema=schema)


def _attach_indicators(alerts: pl.DataFrame, ind: pl.DataFrame | None) -> pl.DataFrame:
    colours = ("red", "yellow", "green", "blue")
    if ind is None:
        return alerts.with_columns(
            pl.lit(None, pl.UInt32).alias("indicators_reported"),
            *[pl.lit(None, pl.UInt32).alias(f"indicators_{c}") for c in colours],
            pl.lit(None, pl.String).alias("indicator_alert"),
            pl.lit(None, pl.String).alias("_red_names"),
            pl.lit(None, pl.String).alias("_blue_names"),
        )
    alert = pl.col("indicator_alert")

    def names(colour: str) -> pl.Expr:
        picked = pl.col("name").filter(alert == colour)
        shown = picked.head(_NAMES_SHOWN).str.join("、")
        more = picked.len().cast(pl.Int64) - _NAMES_SHOWN
        return (
            pl.when(picked.len() == 0)
            .then(None)
            .when(more > 0)
            .then(format_expr("{}等{}项", shown, picked.len()))
            .otherwise(shown)
            .alias(f"_{colour}_names")
        )

    per_project = ind.group_by("year", "unit_code", maintain_order=True).agg(
        pl.len().alias("indicators_reported"),
        *[(alert == c).sum().alias(f"indicators_{c}") for c in colours],
        alert.replace_strict(ALERT_RANK, return_dtype=pl.Int8).min().alias("_worst"),
        names("red"),
        names("blue"),
    )
    per_project = per_project.with_columns(
        pl.col("_worst")
        .replace_strict(_RANK_TO_ALERT, return_dtype=pl.String)
        .alias("indicator_alert")
    ).drop("_worst")
    joined = alerts.join(per_project, on=["year", "unit_code"], how="left", maintain_order="left")
    return joined.with_columns(
        pl.col("indicators_reported").fill_null(0),
        *[pl.col(f"indicators_{c}").fill_null(0) for c in colours],
    )


def _number_text(column: str) -> pl.Expr:
    """A float column as text for sentences: ``50`` not ``50.0``."""
    return pl.col(column).cast(pl.String).str.replace(r"\.0$", "")


def _reasons() -> pl.Expr:
    """预警原因: why a project is not green, in words (null when nothing to say)."""
    alert = pl.col("execution_alert")
    execution = (
        pl.when(pl.col("execution_note") == BUDGET_ZERO)
        .then(pl.lit("全年预算数为0，执行率无法计算"))
        .when(alert.is_in(["red", "yellow"]))
        .then(
            format_expr(
                "预算执行率{}%，低于序时进度{}%（为序时进度的{}%）",
                _number_text("execution_rate"),
                _number_text("time_progress"),
                _number_text("execution_progress"),
            )
        )
    )
    red = format_expr("红色指标：{}", pl.col("_red_names"))
    blue = format_expr("超年度目标120%的指标：{}", pl.col("_blue_names"))
    return (
        pl.concat_str([execution, red, blue], separator="；", ignore_nulls=True)
        .replace("", None)
        .alias("reasons")
    )
