"""A department's evaluation against figures worked out by hand from the CSV rows.

Department D06 (2024) of the sample region: 13 projects of every grade, weights
given by the unit on some and split equally on others, three projects without
满意度 indicators.  Every expected value below is computed in this file (or in
``tests/by_hand.py``) with :mod:`decimal`, half-up, straight from
``data/sample/projects.csv`` and ``indicators.csv`` — never by calling perfkit.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from perfkit.evaluation._department import DepartmentEvaluation, evaluate_department
from tests.by_hand import RESULT_USE, Project, grade_of, half_up, score_by_hand

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
YEAR, DEPT = 2024, "D06"
GROUPS = ["预算执行率", "产出指标", "效益指标", "满意度指标"]


@pytest.fixture(scope="module")
def by_hand() -> list[Project]:
    projects = [p for p in score_by_hand(SAMPLE, YEAR).values() if p.dept_code == DEPT]
    assert len(projects) == 13
    return projects


@pytest.fixture(scope="module")
def evaluation() -> DepartmentEvaluation:
    return evaluate_department(SAMPLE, YEAR, DEPT)


def _dec(value: float) -> Decimal:
    return Decimal(str(value))


def test_money_weighted_score_and_grade(by_hand: list[Project], evaluation) -> None:
    budget = sum(p.budget for p in by_hand)
    weighted = sum(p.total * p.budget for p in by_hand) / budget
    score = half_up(weighted)
    assert (score, grade_of(score)) == (Decimal("85.74"), "良")  # the hand computation's result
    assert _dec(evaluation.score) == score
    assert evaluation.grade == grade_of(score)
    # the plain mean of the totals is another figure: the weighting matters here
    plain = half_up(sum(p.total for p in by_hand) / len(by_hand))
    assert plain != score
    assert f"项目加权平均分{score}，等级为“{grade_of(score)}”" in evaluation.headline()


def test_money_and_execution_rate(by_hand: list[Project], evaluation) -> None:
    money = evaluation.money.row(0, named=True)
    budget = sum(p.budget for p in by_hand)
    executed = sum(p.executed for p in by_hand)
    assert money["n_projects"] == len(by_hand)
    assert _dec(money["budget_full_year"]) == budget
    assert _dec(money["executed"]) == executed
    assert _dec(money["execution_rate"]) == half_up(executed * 100 / budget)


def test_every_project_total_and_grade(by_hand: list[Project], evaluation) -> None:
    got = {
        code: (_dec(total), grade)
        for code, total, grade in evaluation.projects.select("unit_code", "total", "grade").rows()
    }
    assert got == {p.code: (p.total, p.grade) for p in by_hand}


def test_points_lost_per_level1_indicator(by_hand: list[Project], evaluation) -> None:
    """Per group: projects, those losing points, points lost, 失分率, mean score rate, share.

    Never the group's 分值 summed over the projects (预算执行率 10 × 13 = 130 says nothing).
    """
    available: dict[str, Decimal] = defaultdict(Decimal)
    scored: dict[str, Decimal] = defaultdict(Decimal)
    rates: dict[str, list[Decimal]] = defaultdict(list)
    losing: dict[str, int] = defaultdict(int)
    for project in by_hand:
        weight: dict[str, Decimal] = defaultdict(Decimal)
        points: dict[str, Decimal] = defaultdict(Decimal)
        for item in project.items:
            weight[item.group] += item.weight
            points[item.group] += item.points
        for group in weight:
            available[group] += weight[group]
            scored[group] += points[group]
            losing[group] += weight[group] > points[group]
            rates[group].append(half_up(points[group] * 100 / weight[group]))
    lost = {g: available[g] - scored[g] for g in GROUPS}
    all_lost = sum(lost.values())
    expected = [
        (
            g,
            len(rates[g]),
            losing[g],
            lost[g],
            half_up(lost[g] * 100 / available[g]),
            half_up(sum(rates[g]) / len(rates[g])),
            half_up(lost[g] * 100 / all_lost),
        )
        for g in GROUPS
    ]
    got = [
        (group, projects, n_losing, _dec(points_lost), _dec(rate), _dec(mean), _dec(share))
        for group, projects, n_losing, points_lost, rate, mean, share in (
            evaluation.points_lost.rows()
        )
    ]
    assert got == expected
    # 10 projects with 满意度 indicators and 3 without (their 10 points moved to 产出/效益)
    assert [row[1] for row in got] == [13, 13, 13, 10]
    assert available["产出指标"] == 10 * 50 + 3 * Decimal("56.25")
    assert evaluation.points_lost.columns == [
        "group", "projects", "projects_losing", "points_lost", "lost_rate", "mean_score_rate",
        "lost_share",
    ]  # fmt: skip


def test_result_use_recommendation(by_hand: list[Project], evaluation) -> None:
    per_action: dict[str, list[Project]] = defaultdict(list)
    for project in by_hand:
        per_action[RESULT_USE[project.grade]].append(project)
    expected = {
        action: (
            len(projects),
            sum(p.budget for p in projects),
            "、".join(sorted(p.code for p in projects)),
        )
        for action, projects in per_action.items()
    }
    assert set(expected) == {"support", "improve", "cut"}
    got = {
        action: (n, _dec(money), codes)
        for action, n, money, codes in evaluation.recommendation.select(
            "action", "projects", "money", "unit_codes"
        ).rows()
    }
    assert got == expected
    labels = dict(evaluation.recommendation.select("action", "action_label").rows())
    assert labels == {"support": "支持", "improve": "整改", "cut": "压减"}
