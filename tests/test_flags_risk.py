"""Flags a reader can act on (issue 13, part 6).

Each flag has a severity in the system file (validated on load); each flagged
project a risk level (its most severe flag's) and a risk order (most severe
first, then the largest 全年预算数).  Every table lists a project once with all
its flags: unit_scores, the department report's flag table (and its
workbook), the explorer's table, which can be sorted by risk.

The expected orders are worked out here from the YAML file and the sample's
projects.csv directly (decimal money, Python sorting), not from perfkit.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import papermill
import polars as pl
import pytest
import yaml

import perfkit
from perfkit.errors import SystemDefinitionError
from perfkit.evaluation._department import evaluate_department
from perfkit.explorer._views import selection_page
from perfkit.scoring._flags import FLAG_LABELS
from perfkit.systems import load_system, system_from_dict
from perfkit.systems._model import FLAG_CODES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
YAML = ROOT / "perfkit" / "systems" / "builtin" / "project-self-eval.yaml"
RANK = {"high": 0, "medium": 1, "low": 2}


@pytest.fixture(scope="module")
def scored() -> perfkit.ScoreResult:
    return perfkit.score(SAMPLE / "projects.csv", SAMPLE / "indicators.csv")


def _severity() -> dict[str, str]:
    return yaml.safe_load(YAML.read_text(encoding="utf-8"))["flags"]["severity"]


def _budgets() -> dict[tuple[int, str], Decimal]:
    projects = pl.read_csv(SAMPLE / "projects.csv", infer_schema=False)
    return {
        (int(y), code): Decimal(b)
        for y, code, b in projects.select("year", "project_code", "budget_full_year").iter_rows()
    }


def _expected_order(units: pl.DataFrame, severity: dict[str, str]) -> list[str]:
    """Flagged unit codes of one year, riskiest first, computed without perfkit."""
    budgets = _budgets()
    keyed = []
    for row in units.iter_rows(named=True):
        raised = [c for c in FLAG_CODES if row[f"flag_{c}"]]
        if raised:
            worst = min(RANK[severity[c]] for c in raised)
            money = budgets[(row["year"], row["unit_code"])]
            keyed.append((worst, -money, row["unit_code"]))
    return [code for *_, code in sorted(keyed)]


# ---------------------------------------------------------------- severities are data


def test_every_flag_has_a_severity_in_the_system_file() -> None:
    assert set(FLAG_LABELS) == set(FLAG_CODES)
    severity = _severity()
    assert set(severity) == set(FLAG_CODES) and set(severity.values()) == set(RANK)
    assert load_system("project-self-eval").flags.severity == severity


@pytest.mark.parametrize(
    ("severity", "message"),
    [
        ({"budget_zer": "high"}, "flags.severity.budget_zer"),
        ({"budget_zero": "urgent"}, "flags.severity.budget_zero: must be one of 'high', 'medium'"),
    ],
)
def test_a_bad_severity_names_its_key(severity: dict, message: str) -> None:
    data = yaml.safe_load(YAML.read_text(encoding="utf-8"))
    data["flags"]["severity"] = severity
    with pytest.raises(SystemDefinitionError, match=re.escape(message)):
        system_from_dict(data, source="local.yaml")


def test_a_flag_left_out_keeps_the_default() -> None:
    data = yaml.safe_load(YAML.read_text(encoding="utf-8"))
    data["flags"]["severity"] = {"over_completion": "high"}
    system = system_from_dict(data)
    assert system.flags.severity["over_completion"] == "high"
    assert system.flags.severity["self_grade_better"] == "high"
    assert system.flags.severity["score_rate_above_execution"] == "low"


# ---------------------------------------------------------------- risk level and order


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_risk_order_is_most_severe_then_most_money(scored: perfkit.ScoreResult, year: int) -> None:
    units = scored.units.filter(pl.col("year") == year)
    ranked = units.filter(pl.col("risk_order").is_not_null()).sort("risk_order")
    assert ranked["unit_code"].to_list() == _expected_order(units, _severity())
    assert ranked["risk_order"].to_list() == list(range(1, ranked.height + 1))
    severity = _severity()
    for row in units.iter_rows(named=True):
        raised = [c for c in FLAG_CODES if row[f"flag_{c}"]]
        worst = min((RANK[severity[c]] for c in raised), default=None)
        assert row["risk_level"] == (None if worst is None else list(RANK)[worst])
        assert row["flags"].split(";") == (raised or [""])  # every flag, once


def test_a_local_severity_changes_the_order(scored: perfkit.ScoreResult) -> None:
    data = yaml.safe_load(YAML.read_text(encoding="utf-8"))
    data["flags"]["severity"] = {c: "low" for c in FLAG_CODES} | {"over_completion": "high"}
    local = perfkit.score(
        SAMPLE / "projects.csv", SAMPLE / "indicators.csv", system=system_from_dict(data)
    )
    units = local.units.filter(pl.col("year") == 2024)
    first = units.filter(pl.col("risk_order") == 1).row(0, named=True)
    assert first["flag_over_completion"] and first["risk_level"] == "high"
    assert units.sort("risk_order")["unit_code"].drop_nulls().to_list()[: units.height] != (
        scored.units.filter(pl.col("year") == 2024).sort("risk_order")["unit_code"].to_list()
    )
    assert local.units.select(pl.exclude("risk_level", "risk_order")).equals(
        scored.units.select(pl.exclude("risk_level", "risk_order"))
    )


# ---------------------------------------------------------------- the department report


def test_department_flag_table_lists_each_project_once_with_all_its_flags(
    tmp_path: Path,
) -> None:
    ev = evaluate_department(SAMPLE, 2024, "D01")
    units = ev.scores.units
    flagged = ev.flagged
    assert flagged["unit_code"].n_unique() == flagged.height
    assert flagged["unit_code"].to_list() == _expected_order(units, _severity())
    assert flagged["risk_order"].to_list() == list(range(1, flagged.height + 1))
    labels = dict(zip(flagged["unit_code"], flagged["flag_labels"], strict=True))
    severity = _severity()
    for row in units.iter_rows(named=True):
        raised = [c for c in FLAG_CODES if row[f"flag_{c}"]]
        if not raised:
            assert row["unit_code"] not in labels
            continue
        # all its flags, in words, most severe first
        shown = labels[row["unit_code"]].split("；")
        assert sorted(shown) == sorted(FLAG_LABELS[c] for c in raised)
        assert [RANK[severity[c]] for c in raised if FLAG_LABELS[c] == shown[0]] == [
            min(RANK[severity[c]] for c in raised)
        ]
    book = openpyxl.load_workbook(ev.write_excel(tmp_path / "D01.xlsx"), read_only=True)
    rows = list(book["风险标记"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("风险排序", "单位编码") and "风险等级" in header
    assert [r[1] for r in rows[1:]] == flagged["unit_code"].to_list()
    assert {r[header.index("风险等级")] for r in rows[1:]} <= {"高", "中", "低"}


def test_department_notebook_shows_one_row_per_flagged_project(tmp_path: Path) -> None:
    nb = papermill.execute_notebook(
        str(ROOT / "notebooks" / "department_evaluation.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={"data_dir": str(SAMPLE), "output_dir": str(tmp_path), "year": 2024},
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
    )
    html = "\n".join(
        str(out.get("data", {}).get("text/html", ""))
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )
    (table,) = re.findall(r"<caption>风险标记（[^<]*</caption>.*?</tbody>", html, re.S)
    ev = evaluate_department(SAMPLE, 2024, "D01")
    assert f"风险标记（{ev.flagged.height} 个项目" in table
    rows = re.findall(r"<tr><td[^>]*>.*?</tr>", table)
    assert len(rows) == ev.flagged.height
    codes = [re.findall(r"<td[^>]*>(.*?)</td>", r)[1] for r in rows]
    assert codes == ev.flagged["unit_code"].to_list()


# ---------------------------------------------------------------- the explorer


def test_explorer_table_sorts_by_risk(scored: perfkit.ScoreResult) -> None:
    from perfkit.explorer import Explorer, Filters

    units = scored.units.filter(pl.col("year") == 2024)
    markup, _ = selection_page(units, page=0, page_size=20, order="risk")
    cells = re.findall(r"<tr><td>\d{4}</td><td>([^<]*)</td>", markup)
    assert cells == _expected_order(units, _severity())[:20]
    assert "按风险从高到低" in markup
    ex = Explorer(scored, offline=False, page_size=20)
    ex.set_filters(Filters(years=(2024,)))
    ex.set_order("risk")
    assert ex.sort.value == "risk"
    assert re.findall(r"<tr><td>\d{4}</td><td>([^<]*)</td>", ex.table.value) == cells
    ex.sort.value = "score"  # the dropdown, as a user picks it
    assert "按总分从低到高" in ex.table.value
    # the flag filter lists the most severe flags first, with their level
    assert ex.flag.options[0][0].startswith("【高】")
    with pytest.raises(ValueError, match="order must be one of"):
        selection_page(units, order="money")
