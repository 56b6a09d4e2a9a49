"""Budget policy (YAML, validated) and next year's budget suggestions (exact, adding up)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import perfkit.compare as cmp
from perfkit.compare._policy import PolicyError
from perfkit.errors import PerfkitError
from tests.compare_builders import scores

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
POLICY = ROOT / "parameters" / "policies" / "budget-policy.yaml"


@pytest.fixture(scope="module")
def sample() -> cmp.Panel:
    return cmp.panel(SAMPLE)


# ------------------------------------------------------------------ policy


def test_policy_file_is_the_default_policy() -> None:
    loaded = cmp.load_policy(POLICY)
    rules = {"title", "description"}
    assert loaded.model_dump(exclude=rules) == cmp.BudgetPolicy().model_dump(exclude=rules)
    assert loaded.grades["中"].ratio_pct == Decimal(10)
    assert loaded.grades["差"].ratio_pct == Decimal(30)
    assert loaded.low_efficiency.threshold_pct == Decimal(60)
    assert loaded.low_efficiency.money_line_pct == Decimal(10)
    assert loaded.idle.action == "recover"


def _policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_policy_errors_name_the_file_and_key_path(tmp_path: Path) -> None:
    text = POLICY.read_text(encoding="utf-8")
    text = text.replace("差: {action: cut, ratio_pct: 30}", "差: {action: cut, ratio_pct: 130}")
    text = text.replace("consecutive: 2", "consecutive: 0")
    text = text.replace("combine: largest_cut", "combine: largest_cut\nextra_key: 1")
    with pytest.raises(PolicyError) as info:
        cmp.load_policy(_policy(tmp_path, text))
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'my-policy.yaml'}: invalid budget policy:")
    assert "grades.差: ratio_pct 130 must be above 0 and at most 100" in message
    assert "low_efficiency.consecutive:" in message
    assert "extra_key: not an allowed key" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("grades: [1, 2", "not valid YAML"),
        ("- a\n- b\n", "must hold a mapping"),
        ("grades:\n  中: {action: cut}\n", "grades.中: action cut needs ratio_pct"),
        ("grades:\n  中: {action: keep, ratio_pct: 5}\n", "ratio_pct is only for action cut"),
        ("grades:\n  中: {action: cut, ratio_pct: 12.345}\n", "more than two decimals"),
        ("grades:\n  中: {action: shrink}\n", "grades.中.action"),
        ("low_efficiency: {action: cut, ratio_pct: 20, threshold_pct: 160}\n", "threshold_pct"),
        ("base: budget_other\n", "base:"),
        ("grades: {}\n", "give an action for every grade"),
        ("!!python/object/apply:os.system ['echo unsafe']\n", "not valid YAML"),
    ],
)
def test_policy_rejects(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(PolicyError, match=r"my-policy\.yaml") as info:
        cmp.load_policy(_policy(tmp_path, text))
    assert fragment in str(info.value)


def test_policy_missing_file() -> None:
    with pytest.raises(PolicyError, match="budget policy file not found"):
        cmp.load_policy("parameters/policies/nope.yaml")


def test_policy_grades_must_match_the_system(sample: cmp.Panel) -> None:
    policy = {"grades": {"A": {"action": "keep"}, "中": {"action": "cancel"}}}
    with pytest.raises(PolicyError, match="no action for 优, 良, 差; A is not a grade"):
        cmp.budget_suggestions(sample, policy)


# ------------------------------------------------------------------ suggestions


def _amounts(s: cmp.BudgetSuggestions) -> dict[str, tuple[float, float, float]]:
    cols = ["unit_code", "base_amount", "suggested_amount", "change"]
    return {u: (b, a, c) for u, b, a, c in s.projects.select(cols).iter_rows()}


def test_cut_amounts_are_rounded_half_up_exactly() -> None:
    p = cmp.panel(
        scores(
            (2024, "P1", "D1", "70", "33.33", "33.33", "0"),  # 中 −10 %: 29.997 → 30.00
            (2024, "P2", "D1", "70", "0.05", "0.05", "0"),  # 中 −10 %: 0.045 → 0.05 (half-up)
            (2024, "P3", "D1", "50", "100.01", "100", "0"),  # 差 −30 %: 70.007 → 70.01
            (2024, "P4", "D1", "95", "12.34", "12", "0"),  # 优 keep
            (2024, "P5", "D1", "50", "0", "0", "0"),  # 差, base 0
        )
    )
    s = cmp.budget_suggestions(p)
    assert _amounts(s) == {
        "P1": (33.33, 30.0, -3.33),
        "P2": (0.05, 0.05, 0.0),
        "P3": (100.01, 70.01, -30.0),
        "P4": (12.34, 12.34, 0.0),
        "P5": (0.0, 0.0, 0.0),
    }
    reasons = dict(s.projects.select("unit_code", "reason").iter_rows())
    assert reasons["P1"] == "2024年评价等级为中：压减10%"
    assert reasons["P4"] == "2024年评价等级为优：优先保障"
    assert reasons["P5"] == "2024年评价等级为差：压减30%（基数为0）"
    assert s.totals.row(0, named=True)["freed"] == 33.33
    assert s.base_year == 2024
    assert s.projects.get_column("budget_year").unique().to_list() == [2025]


def test_chronic_rules_and_the_largest_cut() -> None:
    rows = [
        # 良, low two years running → low-efficiency rule −20 % beats keep
        (2023, "P1", "D1", "85", "100", "50", "0"),
        (2024, "P1", "D1", "85", "150", "60", "50"),
        # 差 and idle → recover (0) beats −30 %
        (2023, "P2", "D1", "40", "80", "0", "0"),
        (2024, "P2", "D1", "40", "80", "0", "80"),
        # 中, spent 40 of 100 only in 2024 → −10 % (one low year is not chronic)
        (2024, "P3", "D2", "70", "100", "40", "0"),
    ]
    policy = {
        "grades": {
            "优": {"action": "keep"},
            "良": {"action": "keep"},
            "中": {"action": "cut", "ratio_pct": 10},
            "差": {"action": "cancel"},
        },
        "low_efficiency": {"action": "to_executed"},
        "idle": {"action": "recover"},
    }
    s = cmp.budget_suggestions(cmp.panel(scores(*rows)), policy)
    lines = {r["unit_code"]: r for r in s.projects.iter_rows(named=True)}
    assert (lines["P1"]["suggested_amount"], lines["P1"]["applied_rule"]) == (
        60.0,
        "low_efficiency",
    )
    assert lines["P1"]["action"] == "to_executed"
    assert lines["P1"]["low_efficiency_years"] == "2023-2024"
    assert lines["P1"]["reason"] == (
        "2024年评价等级为良：维持预算；执行率连续2年低于60%（2023—2024）：按实际执行数核定；"
        "多项适用，取压减最多者（低效项目）"
    )
    assert (lines["P2"]["suggested_amount"], lines["P2"]["applied_rule"]) == (0.0, "idle")
    assert lines["P2"]["idle_years"] == "2023-2024"
    assert lines["P3"]["suggested_amount"] == 90.0 and lines["P3"]["applied_rule"] == "grade"
    # the chronic thresholds can be overridden: with 3 years required nothing is chronic
    strict = cmp.budget_suggestions(cmp.panel(scores(*rows)), policy, consecutive=3, idle_years=3)
    assert set(strict.projects.get_column("applied_rule").to_list()) == {"grade"}


def test_base_initial_budget_and_base_year(sample: cmp.Panel) -> None:
    policy = cmp.BudgetPolicy(base="budget_initial")
    s = cmp.budget_suggestions(sample, policy, base_year=2023)
    assert s.base_year == 2023
    line = s.projects.filter(pl.col("unit_code") == "P2020-D01-005").row(0, named=True)
    assert line["base_amount"] == 0.0  # idle money lives on carry-over, not on a new budget
    with pytest.raises(PerfkitError, match="base year 2021 is not in the panel"):
        cmp.budget_suggestions(sample, base_year=2021)
    no_initial = cmp.panel(scores((2024, "P1", "D1", "70", "10", "10", "0")))
    with pytest.raises(PerfkitError, match="base budget_initial is not known"):
        cmp.budget_suggestions(no_initial, policy)


def test_sample_suggestions_cover_the_planted_projects(sample: cmp.Panel) -> None:
    s = cmp.budget_suggestions(sample, POLICY)
    lines = s.projects
    assert lines.height == sample.frame.filter(pl.col("year") == 2024).height
    by_rule = lines.group_by("applied_rule").len()
    counts = dict(by_rule.iter_rows())
    assert counts["idle"] == 8 and counts["low_efficiency"] == 15
    idle = lines.filter(pl.col("applied_rule") == "idle")
    assert (idle.get_column("suggested_amount") == 0).all()
    assert idle.get_column("action").unique().to_list() == ["recover"]
    renamed = lines.filter(pl.col("unit_code") == "P2020-D12-006").row(0, named=True)
    assert renamed["dept_code"] == "D41"
    assert renamed["low_efficiency_years"] == "2022-2024"


def test_sample_totals_add_up_exactly(sample: cmp.Panel) -> None:
    """Every project line, department total and region total is exact to the cent."""
    s = cmp.budget_suggestions(sample)
    d = Decimal
    per_dept: dict[str, list[Decimal]] = {}
    for row in s.projects.iter_rows(named=True):
        base, suggested, change = (
            d(str(row["base_amount"])),
            d(str(row["suggested_amount"])),
            d(str(row["change"])),
        )
        assert suggested - base == change
        assert suggested == suggested.quantize(d("0.01"))
        sums = per_dept.setdefault(row["dept_code"], [d(0), d(0), d(0)])
        sums[0] += base
        sums[1] += suggested
        sums[2] += change
    region = [d(0), d(0), d(0), d(0)]
    for row in s.departments.iter_rows(named=True):
        got = [d(str(row[k])) for k in ("base_amount", "suggested_amount", "change", "freed")]
        assert got[:3] == per_dept[row["dept_code"]]
        assert got[3] == -got[2]
        region = [a + b for a, b in zip(region, got, strict=True)]
    totals = s.totals.row(0, named=True)
    assert [
        d(str(totals[k])) for k in ("base_amount", "suggested_amount", "change", "freed")
    ] == region
    assert totals["projects"] == s.projects.height
    assert totals["freed"] > 0
