"""Transitions, trends and chronic problems: hand-made panels with known answers + the sample."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import perfkit.compare as cmp
from perfkit.compare import charts
from perfkit.errors import PerfkitError
from tests.compare_builders import scores

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

#: data/README.md section 3: the planted chronically low projects and idle projects.
PLANTED_LOW = {
    "P2019-D05-003",
    "P2019-D08-001",
    "P2020-D01-004",
    "P2020-D12-006",
    "P2020-D13-006",
    "P2020-D33-001",
    "P2021-D08-004",
    "P2022-D01-002",
    "P2022-D02-003",
    "P2022-D02-017",
    "P2022-D09-001",
    "P2022-D23-005",
    "P2022-D25-003",
    "P2022-D28-003",
    "P2022-D31-005",
}
IDLE_ALL_THREE = {"P2020-D01-005", "P2021-D06-002", "P2022-D02-006", "P2022-D23-008"}
IDLE_TWO = {"P2020-D03-003", "P2021-D11-003", "P2021-D33-001", "P2022-D08-008"}


@pytest.fixture(scope="module")
def sample() -> cmp.Panel:
    return cmp.panel(SAMPLE)


# ------------------------------------------------------------------ transitions


@pytest.fixture()
def small() -> cmp.Panel:
    """Four units over 2022–2023 (P4 only in 2022, P5 only in 2023)."""
    return cmp.panel(
        scores(
            (2022, "P1", "D1", "91.00", "100", "100", "0"),  # 优 → 良   declined
            (2023, "P1", "D1", "89.99", "100", "100", "0"),
            (2022, "P2", "D1", "59.99", "100", "100", "0"),  # 差 → 中   improved
            (2023, "P2", "D1", "60.00", "100", "100", "0"),
            (2022, "P3", "D2", "85.00", "100", "100", "0"),  # 良 → 良   stayed, +4.99
            (2023, "P3", "D2", "89.99", "100", "100", "0"),
            (2022, "P4", "D2", "70.00", "100", "100", "0"),
            (2023, "P5", "D2", "70.00", "100", "100", "0"),
        )
    )


def test_transition_matrix_known_answer(small: cmp.Panel) -> None:
    t = cmp.transitions(small)
    m = t.matrix
    assert m.height == 16  # every grade pair, zeros included
    nonzero = m.filter(pl.col("units") > 0).select("from_grade", "to_grade", "units", "share")
    assert sorted(nonzero.rows()) == [
        ("优", "良", 1, 100.0),
        ("差", "中", 1, 100.0),
        ("良", "良", 1, 100.0),
    ]
    assert m.filter(pl.col("from_grade") == "中").get_column("share").to_list() == [None] * 4
    assert t.wide().filter(pl.col("from_grade") == "优").row(0) == ("优", 0, 1, 0, 0, 1)
    assert t.improved.get_column("unit_code").to_list() == ["P2"]
    assert t.declined.get_column("unit_code").to_list() == ["P1"]
    assert t.stayed.get_column("unit_code").to_list() == ["P3"]
    changes = dict(t.changes.select("unit_code", "change").iter_rows())
    assert changes == {"P1": -1.01, "P2": 0.01, "P3": 4.99}  # exact cents, no float noise
    d = t.distribution.row(0, named=True)
    assert (d["units"], d["improved"], d["declined"], d["stayed"]) == (3, 1, 1, 1)
    assert (d["score_up"], d["score_down"], d["score_same"]) == (2, 1, 0)
    assert (d["min_change"], d["median"], d["max_change"]) == (-1.01, 0.01, 4.99)
    bins = t.histogram.select("bin_start", "bin_end", "units").rows()
    assert bins == [(-5, 0, 1), (0, 5, 2)]  # −1.01 falls in [−5, 0); 4.99 in [0, 5)


def test_transition_pairs(small: cmp.Panel) -> None:
    with pytest.raises(PerfkitError, match="pair 2023→2022"):
        cmp.transitions(small, pairs=[(2023, 2022)])
    with pytest.raises(PerfkitError, match="at least two years"):
        cmp.transitions(cmp.panel(SAMPLE, years="2024"))


def test_sample_transitions_count_the_units_present_in_both_years(sample: cmp.Panel) -> None:
    t = cmp.transitions(sample, pairs="consecutive")
    frame = sample.frame
    for a, b in t.pairs:
        both = (
            frame.filter(pl.col("year") == a)
            .join(frame.filter(pl.col("year") == b), on="unit_code")
            .height
        )
        in_matrix = t.matrix.filter(pl.col("from_year") == a).get_column("units").sum()
        assert in_matrix == both
        shares = t.matrix.filter((pl.col("from_year") == a) & (pl.col("from_units") > 0))
        sums = shares.group_by("from_grade").agg(pl.col("share").sum())
        assert sums.get_column("share").is_between(99.97, 100.03).all()
    first_last = cmp.transitions(sample, pairs="first_last")
    assert first_last.pairs == [(2022, 2024)]


# ------------------------------------------------------------------ trends


def test_trend_figures_known_answer() -> None:
    p = cmp.panel(
        scores(
            (2022, "P1", "D1", "80.00", "300", "150", "0"),
            (2022, "P2", "D1", "90.01", "100", "100", "0"),
            (2022, "P3", "D2", "60.00", "0", "0", "0"),
            (2023, "P1", "D1", "70.00", "100", "100", "0"),
        )
    )
    t = cmp.trends(p)
    d1 = t.department("D1").row(0, named=True)
    assert d1["units"] == 2
    assert d1["mean_score"] == 85.01  # (80 + 90.01) / 2 = 85.005 → half-up 85.01
    assert d1["weighted_score"] == 82.5  # (80·300 + 90.01·100) / 400 = 82.5025 → 82.50
    assert (d1["grade_优"], d1["grade_良"], d1["share_优"], d1["share_良"]) == (1, 1, 50.0, 50.0)
    assert d1["execution_rate"] == 62.5  # 250 / 400
    assert d1["score_change"] is None
    d1_2023 = t.department("D1").row(1, named=True)
    assert d1_2023["score_change"] == -15.01
    d2 = t.department("D2").row(0, named=True)
    assert d2["weighted_score"] is None and d2["execution_rate"] is None  # no money at all
    region = t.region.row(0, named=True)
    assert (region["departments"], region["units"], region["mean_score"]) == (2, 3, 76.67)
    with pytest.raises(PerfkitError, match="'D9' is not in the panel"):
        t.department("D9")


def test_movers_rank_and_ties() -> None:
    rows = []
    for dept, before, after in [
        ("D1", "80", "90"),
        ("D2", "80", "85"),
        ("D3", "90", "80"),
        ("D4", "80", "90"),
        ("D5", "85", "85"),
    ]:
        rows += [
            (2022, f"P{dept}", dept, before, "1", "1", "0"),
            (2023, f"P{dept}", dept, after, "1", "1", "0"),
        ]
    m = cmp.trends(cmp.panel(scores(*rows))).movers(n=2)
    assert m.select("dept_code", "change", "direction").rows() == [
        ("D1", 10.0, "上升"),
        ("D4", 10.0, "上升"),
        ("D3", -10.0, "下降"),
    ]
    with pytest.raises(PerfkitError, match="movers by"):
        cmp.trends(cmp.panel(scores(*rows))).movers(by="total")


def test_sample_trends_one_row_per_department_and_year(sample: cmp.Panel) -> None:
    t = cmp.trends(sample)
    d = t.departments
    assert d.height == 40 * 3
    assert d.select("dept_code", "year").is_unique().all()
    d41 = t.department("D41")
    assert d41.get_column("dept_code_then").to_list() == ["D12", "D12", "D41"]
    assert d41.get_column("dept_name").unique().to_list() == ["农业农村局"]
    region_units = dict(t.region.select("year", "units").iter_rows())
    per_year = sample.frame.group_by("year").len()
    assert region_units == dict(per_year.iter_rows())
    # the department figures add up to the region's money exactly
    for year in sample.years:
        region = t.region.filter(pl.col("year") == year).row(0, named=True)
        budget = sum(Decimal(str(v)) for v in d.filter(pl.col("year") == year)["budget_full_year"])
        assert budget == Decimal(str(region["budget_full_year"]))


# ------------------------------------------------------------------ chronic


def test_sample_chronic_finds_exactly_the_planted_projects(sample: cmp.Panel) -> None:
    c = cmp.chronic(sample)
    low = set(c.low_efficiency.get_column("unit_code").to_list())
    idle = c.idle
    assert low == PLANTED_LOW
    assert set(idle.get_column("unit_code").to_list()) == IDLE_ALL_THREE | IDLE_TWO
    years = dict(idle.select("unit_code", "years").iter_rows())
    assert {years[u] for u in IDLE_ALL_THREE} == {"2022-2024"}
    assert {years[u] for u in IDLE_TWO} == {"2023-2024"}
    renamed = c.projects.filter(pl.col("unit_code") == "P2020-D12-006").row(0, named=True)
    assert (renamed["dept_code"], renamed["years"], renamed["n_years"]) == ("D41", "2022-2024", 3)
    assert renamed["execution_rates"] == "32.34%;38.11%;23.62%"
    assert c.idle_rule.startswith("idle: full-year budget > 0 and executed = 0")


def test_sample_chronic_with_three_consecutive_years(sample: cmp.Panel) -> None:
    c = cmp.chronic(sample, consecutive=3, idle_years=3)
    assert set(c.idle.get_column("unit_code").to_list()) == IDLE_ALL_THREE
    # two idle years no longer make an idle project: those years count as low again
    # (10–40 % in 2022, 0 % in 2023–2024), so nothing found with 2 years is lost with 3
    low = set(c.low_efficiency.get_column("unit_code").to_list())
    assert low == PLANTED_LOW | IDLE_TWO


def _rate_case(executed: str, budget: str = "100") -> bool:
    p = cmp.panel(
        scores(
            (2022, "P1", "D1", "80", budget, executed, "0"),
            (2023, "P1", "D1", "80", budget, executed, "0"),
        )
    )
    return cmp.chronic(p).low_efficiency.height == 1


def test_threshold_is_exact_on_the_reported_rate() -> None:
    assert not _rate_case("60")  # exactly 60.00 %: not low
    assert _rate_case("59.99")  # 59.99 %: low
    assert not _rate_case("59.995")  # reported as 60.00 % (half-up): not low
    assert _rate_case("59.994999")  # reported as 59.99 %: low
    assert not _rate_case("0", budget="0")  # no budget, no rate: never low
    # a threshold with decimals, given as text
    p = cmp.panel(
        scores(
            (2022, "P1", "D1", "80", "100", "62.49", "0"),
            (2023, "P1", "D1", "80", "100", "62.49", "0"),
        )
    )
    assert cmp.chronic(p, low_threshold="62.5").low_efficiency.height == 1
    assert cmp.chronic(p, low_threshold=Decimal("62.49")).low_efficiency.height == 0


def test_runs_need_consecutive_years() -> None:
    p = cmp.panel(
        scores(
            (2021, "P1", "D1", "80", "100", "10", "0"),
            (2022, "P1", "D1", "80", "100", "90", "0"),  # breaks the run
            (2023, "P1", "D1", "80", "100", "10", "0"),
            (2024, "P1", "D1", "80", "100", "10", "0"),
            (2021, "P2", "D1", "80", "100", "10", "0"),  # absent in 2022: no run
            (2023, "P2", "D1", "80", "100", "10", "0"),
        )
    )
    c = cmp.chronic(p)
    assert c.low_efficiency.select("unit_code", "years", "ongoing").rows() == [
        ("P1", "2023-2024", True)
    ]
    assert cmp.chronic(p, consecutive=1).low_efficiency.height == 4


def test_idle_needs_money_carried_over() -> None:
    frame = scores(
        # carried over and untouched: idle 2022-2024
        (2022, "P1", "D1", "30", "50", "0", "0"),
        (2023, "P1", "D1", "30", "50", "0", "50"),
        (2024, "P1", "D1", "30", "50", "0", "50"),
        # nothing spent, but no carry-over into 2023: two separate years, so not idle
        (2022, "P2", "D1", "30", "40", "0", "0"),
        (2023, "P2", "D1", "30", "40", "0", "0"),
        # budget 0 is not idle money
        (2022, "P3", "D1", "30", "0", "0", "0"),
        (2023, "P3", "D1", "30", "0", "0", "0"),
    )
    c = cmp.chronic(cmp.panel(frame))
    assert c.idle.select("unit_code", "years").rows() == [("P1", "2022-2024")]
    # P2 spent nothing twice without carry-over: it is low-efficient, not idle
    assert c.low_efficiency.get_column("unit_code").to_list() == ["P2"]
    # without a carryover column the carry-over condition cannot be checked
    bare = cmp.chronic(cmp.panel(frame.drop("carryover")))
    assert bare.idle.get_column("unit_code").to_list() == ["P1", "P2"]
    assert "not checked" in bare.idle_rule


def test_money_share_against_the_line() -> None:
    def dept(low_budget: str, other_budget: str) -> cmp.Chronic:
        return cmp.chronic(
            cmp.panel(
                scores(
                    (2022, "P1", "D1", "80", low_budget, "0.01", "0"),
                    (2023, "P1", "D1", "80", low_budget, "0.01", "0"),
                    (2022, "P2", "D1", "95", other_budget, other_budget, "0"),
                    (2023, "P2", "D1", "95", other_budget, other_budget, "0"),
                )
            )
        )

    at_line = dept("10", "90").money_share.filter(pl.col("year") == 2023).row(0, named=True)
    assert at_line["low_efficiency_share"] == 10.0
    assert at_line["over_line"] is False  # exactly 10.00 % is not over the line
    above = dept("10.01", "89.99").money_share.filter(pl.col("year") == 2023).row(0, named=True)
    assert (above["low_efficiency_share"], above["over_line"]) == (10.01, True)
    first_year = dept("10.01", "89.99").money_share.filter(pl.col("year") == 2022).row(0)
    assert first_year[-1] is False  # one low year is not yet chronic


def test_sample_money_share(sample: cmp.Panel) -> None:
    c = cmp.chronic(sample)
    share = c.money_share
    assert share.height == 40 * 3
    d25 = share.filter((pl.col("dept_code") == "D25") & (pl.col("year") == 2024)).row(0, named=True)
    assert (d25["low_efficiency_money"], d25["budget_full_year"]) == (105.48, 517.22)
    assert d25["low_efficiency_share"] == 20.39 and d25["over_line"]
    assert c.over_line(2024).get_column("dept_code").to_list() == [
        "D01",
        "D08",
        "D23",
        "D25",
        "D33",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low_threshold": "abc"}, "low_threshold"),
        ({"low_threshold": 101}, "between 0 and 100"),
        ({"low_threshold": "60.001"}, "at most two decimals"),
        ({"consecutive": 0}, "consecutive"),
        ({"idle_years": 1.5}, "idle_years"),
        ({"money_line": -1}, "between 0 and 100"),
    ],
)
def test_chronic_rejects_bad_parameters(sample: cmp.Panel, kwargs: dict, message: str) -> None:
    with pytest.raises(PerfkitError, match=message):
        cmp.chronic(sample, **kwargs)


# ------------------------------------------------------------------ charts


def test_charts_show_the_computed_figures(sample: cmp.Panel) -> None:
    t, tr, c = cmp.trends(sample), cmp.transitions(sample), cmp.chronic(sample)
    heat = charts.transition_heatmap(tr, 2023, 2024).to_dict()
    values = next(iter(heat["datasets"].values()))
    cell = next(v for v in values if v["from_grade"] == "差" and v["to_grade"] == "差")
    expected = tr.matrix.filter(
        (pl.col("from_year") == 2023)
        & (pl.col("from_grade") == "差")
        & (pl.col("to_grade") == "差")
    )
    assert cell["units"] == expected.get_column("units").item()
    mix = charts.grade_mix_chart(t, "D41").to_dict()
    rows = next(iter(mix["datasets"].values()))
    assert {(r["year"], r["grade"]) for r in rows} == {
        (y, g) for y in (2022, 2023, 2024) for g in ("优", "良", "中", "差")
    }
    title = mix["title"]["text"] if isinstance(mix["title"], dict) else mix["title"]
    assert "农业农村局（D41）" in title
    share = charts.low_efficiency_share_chart(c).to_dict()
    bars = next(iter(share["datasets"].values()))
    assert {b["dept_code"] for b in bars if b["over_line"]} == {"D01", "D08", "D23", "D25", "D33"}
    assert len(charts.execution_rate_chart(t, "D41", threshold=60).to_dict()["layer"]) == 4
    assert len(charts.score_slopes(t, ["D01", "D41"]).to_dict()["layer"]) == 2
    with pytest.raises(PerfkitError, match="D99"):
        charts.score_slopes(t, ["D99"])
    with pytest.raises(PerfkitError, match="D99"):
        charts.grade_mix_chart(t, "D99")


def test_idle_where_some_carryover_amounts_are_missing() -> None:
    frame = scores(
        (2022, "P1", "D1", "30", "50", "0", "0"),
        (2023, "P1", "D1", "30", "50", "0", None),  # not given: cannot be checked, counts
        (2022, "P2", "D1", "30", "40", "0", "0"),
        (2023, "P2", "D1", "30", "40", "0", "0"),  # given as 0: nothing carried, no run
    )
    c = cmp.chronic(cmp.panel(frame))
    assert c.idle.get_column("unit_code").to_list() == ["P1"]
    assert "not checked on 1 unit-year(s)" in c.idle_rule
