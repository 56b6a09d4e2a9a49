"""The explorer's filters as one polars expression (筛选条件).

A :class:`Filters` value holds what the analyst picked — years, departments,
grades, categories, risk flags, an execution-rate range and a score range —
and :meth:`Filters.expression` turns it into one vectorised polars
expression over the frame prepared by :func:`perfkit.explorer._data.explorer_data`.
A :class:`Brush` is the rectangle drawn on the scatter chart.

Ranges are compared in integer cents (``_total_c``, ``_rate_c``): a range
60–80 keeps a project scored exactly 60.00 and one scored exactly 80.00,
whatever binary floating point would say.  A project whose execution rate is
undefined (budget 0) is kept unless an execution-rate range is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from perfkit.numbers import round_half_up
from perfkit.scoring._flags import FLAG_LABELS

__all__ = ["Brush", "Filters", "to_cents"]


def to_cents(value: float | int | str | Decimal) -> int:
    """A bound in integer cents, rounded half-up from its decimal text.

    Examples
    --------
    >>> to_cents(60), to_cents(89.995), to_cents("0.1")
    (6000, 9000, 10)
    """
    return int(round_half_up(value) * 100)


def _within(column: str, bounds: tuple[float, float]) -> pl.Expr:
    low, high = sorted((to_cents(bounds[0]), to_cents(bounds[1])))
    return pl.col(column).is_between(low, high, closed="both")


@dataclass(frozen=True)
class Filters:
    """What the analyst picked; an empty tuple or ``None`` means "all".

    Attributes
    ----------
    years : tuple of int
        Evaluation years (年度).
    depts : tuple of str
        Department codes (部门).
    grades : tuple of str
        Grades (等级), e.g. ``("中", "差")``.
    categories : tuple of str
        Project categories (项目类别).
    flags : tuple of str
        Risk-flag codes (风险提示, e.g. ``"unspent_over_20"``); a project is
        kept when it carries any of them.
    execution_rate : (low, high) or None
        Execution-rate range in % (预算执行率), both ends included.
    score : (low, high) or None
        Score range (总分), both ends included.

    Examples
    --------
    >>> f = Filters(grades=("差",), score=(50, 60))
    >>> df = pl.DataFrame({"grade": ["差", "差", "中"], "_total_c": [5000, 4999, 6000]})
    >>> df.filter(f.expression())["_total_c"].to_list()
    [5000]
    >>> Filters().is_empty(), f.describe()
    (True, ['等级：差', '总分：50.00–60.00'])
    """

    years: tuple[int, ...] = ()
    depts: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    execution_rate: tuple[float, float] | None = None
    score: tuple[float, float] | None = None

    def expression(self) -> pl.Expr:
        """One polars expression that keeps the rows matching every filter."""
        parts: list[pl.Expr] = []
        if self.years:
            parts.append(pl.col("year").is_in(list(self.years)))
        if self.depts:
            parts.append(pl.col("dept_code").is_in(list(self.depts)))
        if self.grades:
            parts.append(pl.col("grade").is_in(list(self.grades)))
        if self.categories:
            parts.append(pl.col("category").is_in(list(self.categories)))
        if self.flags:
            parts.append(pl.any_horizontal(pl.col(f"flag_{code}") for code in self.flags))
        if self.execution_rate is not None:
            parts.append(_within("_rate_c", self.execution_rate))
        if self.score is not None:
            parts.append(_within("_total_c", self.score))
        if not parts:
            return pl.lit(True)
        return pl.all_horizontal(parts).fill_null(False)

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()

    def describe(self) -> list[str]:
        """The filters in words (for the export's 筛选条件 sheet)."""
        lines = []
        if self.years:
            lines.append("年度：" + "、".join(map(str, self.years)))
        if self.depts:
            lines.append("部门：" + "、".join(self.depts))
        if self.grades:
            lines.append("等级：" + "、".join(self.grades))
        if self.categories:
            lines.append("项目类别：" + "、".join(self.categories))
        if self.flags:
            lines.append("风险提示（任一）：" + "、".join(FLAG_LABELS[f] for f in self.flags))
        if self.execution_rate is not None:
            low, high = sorted(self.execution_rate)
            lines.append(f"预算执行率（%）：{low:.2f}–{high:.2f}")
        if self.score is not None:
            low, high = sorted(self.score)
            lines.append(f"总分：{low:.2f}–{high:.2f}")
        return lines


@dataclass(frozen=True)
class Brush:
    """A rectangle drawn on the execution-rate/score scatter chart.

    ``ranges`` maps ``"execution_rate"`` and/or ``"total"`` to ``(low, high)``;
    an empty brush selects everything.  It is applied to all filtered
    projects, not only the points drawn.

    Examples
    --------
    >>> b = Brush.from_selection({"execution_rate": [40, 60.5], "total": [70, 95]})
    >>> df = pl.DataFrame({"_rate_c": [4000, 6051, None], "_total_c": [7000, 8000, 8000]})
    >>> df.filter(b.expression())["_rate_c"].to_list()
    [4000]
    >>> Brush.from_selection(None).is_empty()
    True
    """

    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def from_selection(cls, value: dict | None) -> Brush:
        """From the value of an altair interval selection (``{field: [low, high]}``)."""
        ranges = {}
        for name in ("execution_rate", "total"):
            bounds = (value or {}).get(name)
            if bounds is not None and len(bounds) == 2:
                ranges[name] = (float(bounds[0]), float(bounds[1]))
        return cls(ranges)

    def is_empty(self) -> bool:
        """True when nothing is brushed."""
        return not self.ranges

    def expression(self) -> pl.Expr:
        """The rows inside the rectangle."""
        columns = {"execution_rate": "_rate_c", "total": "_total_c"}
        parts = [_within(columns[name], bounds) for name, bounds in self.ranges.items()]
        return pl.all_horizontal(parts).fill_null(False) if parts else pl.lit(True)

    def describe(self) -> list[str]:
        """The brush in words."""
        names = {"execution_rate": "图中框选 预算执行率（%）", "total": "图中框选 总分"}
        return [
            f"{names[n]}：{min(b):.2f}–{max(b):.2f}"
            for n, b in sorted(self.ranges.items(), key=lambda kv: kv[0])
        ]
