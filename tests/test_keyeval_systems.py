"""The key-evaluation frameworks (project-evaluation, dept-overall-national) as built-in systems.

Every leaf is scored at its edges through the assessments engine: a judged leaf at 0
and at its points, above its points an error; a computed leaf at 0 %, at its target
(full points) and just below it (proportional, half-up).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import perfkit
from perfkit.errors import InputError
from perfkit.scoring import score_assessments
from perfkit.systems import MEASURES, system_from_dict
from perfkit.tables import read_table

FRAMEWORKS = {
    "project-evaluation": ["决策", "过程", "产出", "效益"],
    "dept-overall-national": ["投入", "过程", "产出", "效果"],
}

PROJECT_LEAVES = [
    "立项依据充分性", "立项程序规范性", "绩效目标合理性", "绩效指标明确性", "预算编制科学性",
    "资金分配合理性", "资金到位率", "预算执行率", "资金使用合规性", "管理制度健全性",
    "制度执行有效性", "产出数量", "产出质量", "产出时效", "产出成本", "社会效益", "经济效益",
    "生态效益", "可持续影响", "服务对象满意度",
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_framework_loads_with_criteria_and_measures(name: str) -> None:
    system = perfkit.load_system(name)
    assert system.kind == "assessments"
    assert [g.label for g in system.groups] == FRAMEWORKS[name]
    assert sum(g.points for g in system.groups) == Decimal(100)
    for leaf in system.leaves():
        assert leaf.criteria.strip(), f"{leaf.id} {leaf.label} has no 评分标准"
        if leaf.measure is None:
            assert leaf.rule is not None and leaf.rule.kind == "entered"
    measures = {leaf.measure for leaf in system.leaves()} - {None}
    assert {"execution_rate", "satisfaction_rate", "output_quantity"} <= measures
    assert "示例" in system.source  # the weights are examples


def test_project_evaluation_has_the_issue_leaves() -> None:
    system = perfkit.load_system("project-evaluation")
    assert [leaf.label for leaf in system.leaves()] == PROJECT_LEAVES
    computed = {leaf.label: leaf.measure for leaf in system.leaves() if leaf.measure}
    assert computed == {
        "资金到位率": "funds_in_place_rate",
        "预算执行率": "execution_rate",
        "产出数量": "output_quantity",
        "产出质量": "output_quality",
        "产出时效": "output_timeliness",
        "产出成本": "output_cost",
        "服务对象满意度": "satisfaction_rate",
    }


def _minimal(leaf: dict) -> dict:
    return {
        "name": "x",
        "title": "x",
        "kind": "assessments",
        "groups": [{"id": "1", "label": "g", "points": 100, "children": [leaf]}],
        "grades": [{"grade": "优", "min": 90}, {"grade": "差", "min": 0}],
    }


def test_a_measure_needs_a_rule_that_scores_a_value() -> None:
    leaf = {"id": "a", "label": "a", "points": 100, "measure": "execution_rate",
            "rule": {"kind": "entered"}}  # fmt: skip
    with pytest.raises(perfkit.SystemDefinitionError, match="计算型末级指标"):
        system_from_dict(_minimal(leaf), source="x.yaml")
    leaf["rule"] = {"kind": "positive", "target": 100}
    assert system_from_dict(_minimal(leaf)).leaves()[0].measure == "execution_rate"
    leaf["measure"] = "typed_by_hand"
    with pytest.raises(perfkit.SystemDefinitionError, match="measure"):
        system_from_dict(_minimal(leaf), source="x.yaml")
    assert "satisfaction_index" in MEASURES


def _score(system: perfkit.System, rows: list[tuple[str, str | None, str | None]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "year": ["2024"] * len(rows),
            "unit_code": ["P1"] * len(rows),
            "item": [r[0] for r in rows],
            "score": [r[1] for r in rows],
            "value": [r[2] for r in rows],
        }
    )
    return score_assessments(read_table(frame, "assessments"), system).items


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_every_leaf_at_its_edges(name: str) -> None:
    system = perfkit.load_system(name)
    leaves = system.leaves()

    def edge(at: str) -> dict[str, float]:
        rows = []
        for leaf in leaves:
            if leaf.measure:
                target = leaf.rule.target  # type: ignore[union-attr]
                value = {"zero": "0", "full": str(target), "below": str(target - Decimal("0.5"))}
                rows.append((leaf.id, None, value[at]))
            else:
                score = {
                    "zero": "0",
                    "full": str(leaf.points),
                    "below": str(leaf.points - Decimal("0.5")),
                }
                rows.append((leaf.id, score[at], None))
        items = _score(system, rows)
        return dict(zip(items.get_column("item_id"), items.get_column("points"), strict=True))

    zero, full, below = edge("zero"), edge("full"), edge("below")
    for leaf in leaves:
        points = float(leaf.points)
        assert zero[leaf.id] == 0, leaf.id
        assert full[leaf.id] == points, leaf.id
        if leaf.measure:  # points × value / target, half-up to cents
            target = leaf.rule.target  # type: ignore[union-attr]
            expected = (leaf.points * (target - Decimal("0.5")) / target).quantize(
                Decimal("0.01"), rounding="ROUND_HALF_UP"
            )
            assert Decimal(str(below[leaf.id])) == expected, leaf.id
        else:
            assert below[leaf.id] == points - 0.5, leaf.id
    assert sum(full.values()) == 100


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_a_judged_score_above_its_points_is_an_error(name: str) -> None:
    system = perfkit.load_system(name)
    leaf = next(leaf for leaf in system.leaves() if not leaf.measure)
    rows = [
        (x.id, str(x.points + Decimal("0.5")) if x is leaf else str(x.points), None)
        if not x.measure
        else (x.id, None, "100")
        for x in system.leaves()
    ]
    with pytest.raises(InputError) as excinfo:
        _score(system, rows)
    assert f"高于 {leaf.points:.2f} 分" in str(excinfo.value)


def test_systems_show_marks_computed_leaves(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from perfkit.cli import main

    result = CliRunner().invoke(main, ["systems", "show", "project-evaluation"])
    assert result.exit_code == 0, result.output
    assert (
        "2.1.2 预算执行率: 5 分 — positive (target=100) [由数据计算: execution_rate]"
        in result.output
    )
