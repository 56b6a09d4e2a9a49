"""Nothing that scored before scores differently (issue 13).

``tests/data/demo_columns.json`` fingerprints every CSV ``perfkit demo`` wrote
on ``data/sample`` before issue 13 (see :mod:`tests.demo_outputs`).  The demo
must write the same bytes today, except for the changes the issue asks for:

* ``unit_scores.csv`` of ``project-self-eval``: ``满意度指标`` is empty (not
  applicable) instead of ``0.0`` for a project without 满意度 indicators — and
  nowhere else; ``risk_level`` and ``risk_order`` are new.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfkit.samples._demo import run_demo
from tests.demo_outputs import _digest, column_table, compare, snapshot

ROOT = Path(__file__).resolve().parents[1]
BEFORE = json.loads((ROOT / "tests" / "data" / "demo_columns.json").read_text(encoding="utf-8"))
YEARS = (2022, 2023, 2024)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    for _ in run_demo(ROOT / "data" / "sample", out):
        pass
    return out


def test_only_the_announced_columns_change(demo: Path) -> None:
    expected = []
    for year in YEARS:
        name = f"{year}/project-self-eval/unit_scores.csv"
        expected += [
            f"{name}: column 满意度指标 changed",
            f"{name}: column risk_level added",
            f"{name}: column risk_order added",
        ]
    assert compare(BEFORE, snapshot(demo)) == expected


@pytest.mark.parametrize("year", YEARS)
def test_satisfaction_is_empty_exactly_where_the_group_has_no_indicator(
    demo: Path, year: int
) -> None:
    folder = demo / str(year) / "project-self-eval"
    _, units = column_table(folder / "unit_scores.csv")
    _, items = column_table(folder / "item_scores.csv")
    shown = units["满意度指标"]
    # the old bytes come back when the empty cells are read as the 0.0 they used to be
    before = BEFORE[f"{year}/project-self-eval/unit_scores.csv"]["columns"]["满意度指标"]
    assert _digest([v or "0.0" for v in shown]) == before
    with_satisfaction = {
        code for code, group in zip(items["unit_code"], items["group"], strict=True)
        if group == "满意度指标"
    }  # fmt: skip
    empty = {code for code, v in zip(units["unit_code"], shown, strict=True) if v == ""}
    assert empty == set(units["unit_code"]) - with_satisfaction
    assert empty  # the sample has projects whose 满意度 points moved to 产出/效益


@pytest.mark.parametrize("year", YEARS)
def test_risk_columns_rank_the_flagged_projects(demo: Path, year: int) -> None:
    _, units = column_table(demo / str(year) / "project-self-eval" / "unit_scores.csv")
    flagged = [f != "" for f in units["flags"]]
    assert [lv != "" for lv in units["risk_level"]] == flagged
    assert [o != "" for o in units["risk_order"]] == flagged
    orders = sorted(int(o) for o in units["risk_order"] if o)
    assert orders == list(range(1, sum(flagged) + 1))
