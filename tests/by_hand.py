"""Scores worked out by hand from the CSV rows: independent values for the tests.

This module reads the contract tables with :mod:`csv` and applies, with
:mod:`decimal` (``ROUND_HALF_UP``, divisions last so that a quotient is exact
whenever it terminates), the rules of the built-in system ``project-self-eval``
as a person with a calculator would, one row at a time.  It imports nothing
from perfkit, so a test comparing perfkit's output with these values fails when
perfkit is wrong.

The rules (project self-evaluation, 财预〔2020〕10号; ``perfkit systems show
project-self-eval``):

* 预算执行率 10 points: ``min(executed / budget_full_year, 1) × 10``; 0 when the
  budget is 0;
* 产出 50, 效益 30, 满意度 10; without 满意度 indicators its 10 points go to 产出
  and 效益 as 50:30 (56.25 / 33.75); weights given by the unit are used as given,
  otherwise each group's points are split equally in cents, the extra cents to
  the first indicators in file order;
* 正向: full when actual ≥ target (or target ≤ 0), else weight × actual / target;
  反向: full when actual ≤ target, 0 when actual ≥ 2 × target, else
  weight × (1 − (actual − target) / target); 等于: target 0 → full when actual ≤ 0
  else 0, target > 0 → as 正向; 定性: the entered score when there is one, else
  100 % / 70 % / 30 % of the weight for the three level phrases;
* every item rounded half-up to cents, the total is the sum of the items, graded
  优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CENT = Decimal("0.01")
#: level1 as written (short and long names) → its group
GROUPS = {
    **dict.fromkeys(["产出指标", "产出"], "产出指标"),
    **dict.fromkeys(["效益指标", "效益"], "效益指标"),
    **dict.fromkeys(["满意度指标", "满意度", "服务对象满意度指标", "服务对象满意度"], "满意度指标"),
}
GROUP_POINTS = {"产出指标": Decimal(50), "效益指标": Decimal(30), "满意度指标": Decimal(10)}
QUALITATIVE = {
    "达成年度指标": Decimal("1.00"),
    "部分达成年度指标并具有一定效果": Decimal("0.70"),
    "未达成年度指标且效果较差": Decimal("0.30"),
}
RESULT_USE = {"优": "support", "良": "support", "中": "improve", "差": "cut"}


def half_up(value: Decimal) -> Decimal:
    """Round half-up to cents: ``half_up(Decimal("2.675"))`` is ``Decimal("2.68")``."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def grade_of(total: Decimal) -> str:
    """The default grade bands (lower bounds inclusive)."""
    if total >= 90:
        return "优"
    if total >= 80:
        return "良"
    if total >= 60:
        return "中"
    return "差"


@dataclass
class Item:
    """One scored line of a project: its group, weight and points."""

    group: str
    name: str
    weight: Decimal
    points: Decimal


@dataclass
class Project:
    """One project-year scored by hand."""

    year: int
    code: str
    dept_code: str
    budget: Decimal
    executed: Decimal
    items: list[Item] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))

    @property
    def grade(self) -> str:
        return grade_of(self.total)

    @property
    def execution_rate(self) -> Decimal | None:
        if self.budget == 0:
            return None
        return half_up(self.executed * 100 / self.budget)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file as dicts of text."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _equal_split(points: Decimal, n: int) -> list[Decimal]:
    cents = int(points * 100)
    base, extra = divmod(cents, n)
    return [Decimal(base + (k < extra)) / 100 for k in range(n)]


def _indicator_points(row: dict[str, str], weight: Decimal) -> Decimal:
    direction = row["direction"]
    if direction == "定性":
        if row.get("self_points"):
            return Decimal(row["self_points"])
        return half_up(weight * QUALITATIVE[row["actual"]])
    target, actual = Decimal(row["target"]), Decimal(row["actual"])
    if direction == "反向":
        if actual <= target:
            return weight
        if actual >= 2 * target:
            return Decimal(0)
        return half_up(weight * (2 * target - actual) / target)  # = w × (1 − (a − t) / t)
    if direction == "等于" and target == 0:
        return weight if actual <= 0 else Decimal(0)
    if direction not in ("正向", "等于"):
        raise ValueError(f"direction {direction!r} is not in the sample data")
    if target <= 0 or actual >= target:
        return weight
    return half_up(weight * actual / target)


def score_by_hand(data_dir: Path, year: int | None = None) -> dict[tuple[int, str], Project]:
    """Every project-year of ``data_dir`` (or of one ``year``) scored row by row.

    Returns a mapping ``(year, project_code) → Project``.
    """
    projects: dict[tuple[int, str], Project] = {}
    for row in read_rows(data_dir / "projects.csv"):
        key = (int(row["year"]), row["project_code"])
        if year is not None and key[0] != year:
            continue
        budget, executed = Decimal(row["budget_full_year"]), Decimal(row["executed"])
        p = Project(key[0], key[1], row["dept_code"], budget, executed)
        rate_points = Decimal(0) if budget == 0 else half_up(min(executed, budget) * 10 / budget)
        p.items.append(Item("预算执行率", "预算执行率", Decimal(10), rate_points))
        projects[key] = p
    rows_of: dict[tuple[int, str], list[dict[str, str]]] = defaultdict(list)
    for row in read_rows(data_dir / "indicators.csv"):
        key = (int(row["year"]), row["unit_code"])
        if key in projects:
            rows_of[key].append(row)
    for key, rows in rows_of.items():
        groups = [GROUPS[r["level1"]] for r in rows]
        if any(r["weight"] for r in rows):
            weights = [Decimal(r["weight"]) for r in rows]
        else:
            points = dict(GROUP_POINTS)
            if "满意度指标" not in groups:
                points = {"产出指标": Decimal("56.25"), "效益指标": Decimal("33.75")}
            weights = [Decimal(0)] * len(rows)
            for group, group_points in points.items():
                at = [k for k, g in enumerate(groups) if g == group]
                for k, w in zip(at, _equal_split(group_points, len(at)), strict=True):
                    weights[k] = w
        for row, group, weight in zip(rows, groups, weights, strict=True):
            points = _indicator_points(row, weight)
            projects[key].items.append(Item(group, row["name"], weight, points))
    return projects
