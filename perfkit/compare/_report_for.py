"""The cross-year report's one call (跨年度比较报告): check the parameters, compare, write.

``notebooks/cross_year_comparison.ipynb`` calls :func:`report_for` and only presents
what it returns; the parameter checks live here, not in the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from perfkit.compare._policy import load_policy
from perfkit.compare._report import Comparison, compare_years
from perfkit.compare._years import parse_years
from perfkit.errors import PerfkitError
from perfkit.i18n import _

__all__ = ["ComparisonReport", "report_for"]

#: Rows of the longer lists a report shows.
DECLINED_SHOWN = 15
DEPARTMENTS_SHOWN = 20
MISSING_SHOWN = 10
_CUT_COLUMNS = (
    "unit_code", "unit_name", "dept_code", "grade", "base_amount", "suggested_amount",
    "change", "action", "reason",
)  # fmt: skip


def _path(text: object, what: str) -> Path:
    """A path as given, else from the repository root when run from ``notebooks/``."""
    path = Path(str(text))
    if path.is_absolute() or path.exists():
        return path
    for base in (Path(".."), Path("../..")):
        if (base / path).exists():
            return base / path
    raise PerfkitError(
        _("{what} {text!r}: not found (relative paths are taken from the repository root)").format(
            what=what, text=text
        )
    )


def _percent(value: object, what: str) -> Decimal | None:
    if value in ("", None):
        return None
    try:
        parsed = Decimal(str(value).strip().removesuffix("%"))
    except InvalidOperation:
        raise PerfkitError(
            _("{what} {value!r} is not a number (e.g. 60 or 62.5)").format(what=what, value=value)
        ) from None
    if not parsed.is_finite() or not 0 <= parsed <= 100:
        raise PerfkitError(
            _("{what} {value!r} must be a percentage between 0 and 100").format(
                what=what, value=value
            )
        )
    return parsed


def _years(value: object, what: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PerfkitError(
            _("{what} {value!r} must be a whole number of years (0 = from the policy)").format(
                what=what, value=value
            )
        )
    return value or None


def _in_dept(frame: pl.DataFrame, dept: str | None) -> pl.DataFrame:
    return frame if dept is None else frame.filter(pl.col("dept_code") == dept)


@dataclass(eq=False)
class ComparisonReport:
    """What a cross-year report shows: the comparison, narrowed to one department if asked."""

    result: Comparison
    dept: str | None
    intro: str
    written: list[str]

    def _pl(self, frame: Any) -> pl.DataFrame:
        return frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)

    @property
    def title(self) -> str:
        """The report's title: ``跨年度绩效比较报告（全地区）`` or ``（D41 部门）``."""
        scope = (
            _("department {dept}").format(dept=self.dept) if self.dept else _("the whole region")
        )
        return _("Cross-year performance comparison ({scope})").format(scope=scope)

    @property
    def parameters(self) -> pl.DataFrame:
        """The run's parameters and rules (项目, 内容)."""
        return pl.DataFrame(self.result.parameters(), schema=["项目", "内容"], orient="row")

    @property
    def grade_mix(self) -> pl.DataFrame:
        """Grade structure per year: the region's, or the department's."""
        trends = self.result.trends
        rows = trends.region if self.dept is None else trends.department(self.dept)
        return self._pl(rows)

    @property
    def declined(self) -> pl.DataFrame:
        """The projects whose grade fell most (the first 15)."""
        frame = _in_dept(self._pl(self.result.transitions.declined), self.dept)
        return frame.head(DECLINED_SHOWN)

    @property
    def chronic(self) -> pl.DataFrame:
        """Chronically low-efficiency and idle projects (``kind_label`` says which)."""
        return _in_dept(self._pl(self.result.chronic.projects), self.dept)

    @property
    def chronic_sentence(self) -> str:
        """``低效项目 N 个，闲置项目 M 个``."""
        kinds = self.chronic.get_column("kind")
        low, idle = (kinds == "low_efficiency").sum(), (kinds == "idle").sum()
        return f"低效项目 {low} 个，闲置项目 {idle} 个"

    @property
    def departments_freed(self) -> pl.DataFrame:
        """Departments by money cut or recovered, most first (the first 20)."""
        frame = _in_dept(self._pl(self.result.suggestions.departments), self.dept)
        return frame.sort("freed", descending=True).head(DEPARTMENTS_SHOWN)

    @property
    def cuts(self) -> pl.DataFrame:
        """Projects whose budget is cut, cancelled or recovered, largest cut first."""
        frame = self._pl(self.result.suggestions.projects).filter(pl.col("change") < 0)
        return _in_dept(frame, self.dept).sort("change").select(_CUT_COLUMNS)

    @property
    def missing_sentence(self) -> str:
        """How many units lack some years, and why."""
        m = self._pl(self.result.panel.missing)
        return (
            f"{m.height} 个单位在部分年度没有数据（新增 {m.filter(pl.col('entered')).height}，"
            f"结束 {m.filter(pl.col('ended')).height}，中间缺年 {m.filter(pl.col('gap')).height}）"
        )


def report_for(
    *,
    data_dir: str | Path = "data/sample",
    years: str = "",
    dept_code: str = "",
    low_threshold: object = "",
    consecutive: int = 0,
    idle_years: int = 0,
    money_line: object = "",
    policy_path: str | Path = "",
    output_dir: str | Path = "",
) -> ComparisonReport:
    """Check a cross-year report's parameters, compare the years, and write the files.

    Parameters
    ----------
    data_dir : str or Path
        The folder with ``projects`` and ``indicators`` (``departments`` optional),
        years stacked; a relative path is also looked up from the repository root.
    years : str
        ``"2022-2024"`` or ``"2022,2024"``; ``""`` for every year in the data.
    dept_code : str
        A department's current code to look at; ``""`` for the whole region.
    low_threshold, money_line : str or number
        Percentages (0–100) overriding the policy's; ``""`` keeps the policy's.
    consecutive, idle_years : int
        Years in a row overriding the policy's; 0 keeps the policy's.
    policy_path : str or Path
        The budget-policy YAML; ``""`` for the default policy.
    output_dir : str or Path
        Where the CSVs and ``comparison.xlsx`` go; ``""`` writes nothing.

    Returns
    -------
    ComparisonReport

    Raises
    ------
    PerfkitError
        A bad parameter (named, with its value) or a department not in the data.

    Examples
    --------
    >>> report_for(low_threshold="abc")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: low_threshold 'abc' 不是数字（如 60 或 62.5）
    """
    threshold = _percent(low_threshold, "low_threshold")
    line = _percent(money_line, "money_line")
    runs = _years(consecutive, "consecutive")
    idle_runs = _years(idle_years, "idle_years")
    data = _path(data_dir, "data_dir")
    wanted = parse_years(str(years)) if str(years).strip() else None
    policy = load_policy(_path(policy_path, "policy_path")) if policy_path else load_policy()
    dept = str(dept_code).strip() or None
    result = compare_years(
        data,
        years=wanted,
        policy=policy,
        low_threshold=threshold,
        consecutive=runs,
        idle_years=idle_runs,
        money_line=line,
    )
    departments = pl.DataFrame(result.trends.departments).get_column("dept_code").to_list()
    if dept is not None and dept not in departments:
        known = ", ".join(sorted(set(departments)))
        raise PerfkitError(
            _("dept_code {dept!r} is not in the data; departments (current codes): {known}").format(
                dept=dept, known=known
            )
        )
    written: list[str] = []
    if output_dir:
        outputs = result.write(Path(output_dir))
        written = [str(path) for path in outputs.files]
        written += [
            f"{name}：{rows} 行，超过工作簿上限，完整数据见 CSV"
            for name, rows in outputs.left_out_of_excel.items()
        ]
    shown = "、".join(str(y) for y in wanted) if wanted else "全部"
    intro = f"数据：{data}；年度：{shown}；政策：{policy.title}"
    return ComparisonReport(result, dept, intro, written)
