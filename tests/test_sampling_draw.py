"""Drawing samples: determinism, allocations, certainty units, PPS frequencies, risk rules."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfkit
from perfkit.errors import PerfkitError
from perfkit.numbers import SCALE
from perfkit.sampling import Design, draw_sample, load_population, population_from_scores
from perfkit.sampling._designs import allocate, cell_draw, certainty_units, systematic_draw
from perfkit.sampling._population import Population
from perfkit.sampling._risk import parse_rule, risk_matches

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def scored() -> perfkit.ScoreResult:
    return perfkit.score(SAMPLE / "projects.csv", SAMPLE / "indicators.csv")


@pytest.fixture(scope="module")
def pop2023(scored) -> Population:
    return population_from_scores(scored, year=2023)


def _toy(money: list[str], **columns: list) -> Population:
    """A small population with the given 全年预算数 (万元) and extra columns."""
    n = len(money)
    frame = pl.DataFrame(
        {
            "unit_code": [f"U{i:03d}" for i in range(n)],
            "unit_name": [f"单位{i}" for i in range(n)],
            "dept_code": ["D1" if i % 2 else "D2" for i in range(n)],
            "dept_name": ["甲" if i % 2 else "乙" for i in range(n)],
            "category": [None] * n,
            "money": [int(Decimal(m) * SCALE) for m in money],
            "executed": [int(Decimal(m) * SCALE) for m in money],
            "total_cents": [9000] * n,
            "grade": ["优"] * n,
            "self_cents": [9500] * n,
            "self_grade": ["优"] * n,
            **columns,
        },
        schema_overrides={"money": pl.Int128, "executed": pl.Int128, "category": pl.String},
    )
    return Population(frame, "projects", 2024)


# ------------------------------------------------------------------ determinism


@pytest.mark.parametrize(
    "design",
    [
        Design("srs", n=20),
        Design("stratified", strata="dept_code", n=46, allocation="minimum", minimum=1),
        Design("pps", n=40, risk=("budget_zero", "self_100_low_execution")),
        Design("cell", coverage="0.3"),
    ],
    ids=["srs", "stratified", "pps", "cell"],
)
def test_same_seed_same_picks_whatever_the_row_order(pop2023: Population, design: Design) -> None:
    first = draw_sample(pop2023, design, seed=11)
    shuffled = Population(
        pop2023.frame.sample(fraction=1.0, shuffle=True, seed=3), "projects", 2023
    )
    again = draw_sample(shuffled, design, seed=11)
    assert first.picks.equals(again.picks)
    assert first.record.population["fingerprint"] == again.record.population["fingerprint"]
    other = draw_sample(pop2023, design, seed=12)
    assert not first.picks["unit_code"].equals(other.picks["unit_code"])


def test_reading_the_input_in_another_row_order_gives_the_same_draw(tmp_path: Path) -> None:
    projects = pl.read_csv(SAMPLE / "projects.csv", infer_schema=False)
    projects.reverse().write_csv(tmp_path / "projects.csv")
    (tmp_path / "indicators.csv").write_bytes((SAMPLE / "indicators.csv").read_bytes())
    design = Design("pps", n=30, risk=("budget_zero",))
    a = draw_sample(load_population(SAMPLE / "projects.csv", year=2023), design, 5)
    b = draw_sample(load_population(tmp_path / "projects.csv", year=2023), design, 5)
    assert a.picks.equals(b.picks)


# ------------------------------------------------------------------ allocations


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 60), min_size=1, max_size=8),
    data=st.data(),
    method=st.sampled_from(["proportional", "equal", "minimum"]),
)
def test_allocations_add_up_and_respect_stratum_sizes(sizes, data, method) -> None:
    total = sum(sizes)
    n = data.draw(st.integers(0, total))
    minimum = data.draw(st.integers(0, 5))
    if method == "minimum" and sum(min(minimum, s) for s in sizes) > n:
        with pytest.raises(PerfkitError, match="minimum of"):
            allocate(sizes, n, method, minimum)
        return
    out = allocate(sizes, n, method, minimum)
    assert sum(out) == n
    assert all(0 <= a <= s for a, s in zip(out, sizes, strict=True))
    if method == "minimum":
        assert all(a >= min(minimum, s) for a, s in zip(out, sizes, strict=True))


def test_proportional_allocation_is_hamilton_with_ties_to_the_first() -> None:
    assert allocate([10, 10, 10], 10) == [4, 3, 3]
    assert allocate([62, 25, 13], 7) == [4, 2, 1]  # quotas 4.34, 1.75, 0.91
    assert allocate([5, 1, 100], 20, "equal") == [5, 1, 14]  # capped strata pass their share on


def test_stratified_sample_follows_the_allocation(pop2023: Population) -> None:
    design = Design("stratified", strata="category", n=60)
    s = draw_sample(pop2023, design, seed=1)
    table = s.coverage()
    assert table["picked"].sum() == 60
    sizes = table["available"].to_list()
    assert table["random"].to_list() == allocate(sizes, 60)
    per = s.picks.group_by("stratum").len().sort("stratum")
    assert dict(per.iter_rows()) == dict(table.select("stratum", "picked").iter_rows())
    # every pick's probability is its stratum's n_h / N_h
    probs = s.picks.join(table, on="stratum").select(
        (pl.col("inclusion_probability") - pl.col("random") / pl.col("available")).abs().max()
    )
    assert probs.item() < 1e-15


def test_amount_bands_are_exact_at_the_boundary() -> None:
    pop = _toy(["99.999999", "100", "100.000001", "500", "2000"])
    s = draw_sample(pop, Design("stratified", strata="amount_band", n=5), seed=1)
    bands = dict(s.picks.select("unit_code", "stratum").iter_rows())
    assert bands == {
        "U000": "<100万元",
        "U001": "100–<500万元",
        "U002": "100–<500万元",
        "U003": "500–<1000万元",
        "U004": "≥1000万元",
    }


# ------------------------------------------------------------------ PPS


def test_certainty_units_are_always_picked_and_listed_apart() -> None:
    money = ["5000", "1200", "30", "40", "50", "60", "70", "80", "90", "100"] * 3
    pop = _toy(money)
    total = sum(Decimal(m) for m in money)
    for seed in range(25):
        s = draw_sample(pop, Design("pps", n=8), seed=seed)
        certain = s.picks.filter(pl.col("reason") == "certain")
        # 20160 / 8 = 2520: the 5000s; then 5160 / 5 = 1032: the 1200s; then 1560 / 2 = 780
        assert set(certain["unit_code"]) == {"U000", "U010", "U020", "U001", "U011", "U021"}
        assert (certain["inclusion_probability"] == 1.0).all()
        assert s.picks["reason"].to_list()[:6] == ["certain"] * 6  # listed first
        assert s.picks.height == 8
        assert Decimal(s.record.draw["random_money"]) == total - 3 * 6200
        assert Decimal(s.record.draw["interval"]) == Decimal("780")
        random = s.picks.filter(pl.col("reason") == "random")
        assert (random["budget_full_year"] < 780).all() and random.height == 2


def test_certainty_is_found_repeatedly() -> None:
    money = pl.Series([600, 300, 50, 30, 20], dtype=pl.Int128)
    certain, left = certainty_units(money, pl.Series([True] * 5), 3)
    # 1000/3 → 600 certain; 400/2 → 300 certain; 100/1 → none of 50, 30, 20
    assert certain.to_list() == [True, True, False, False, False] and left == 1


@pytest.mark.parametrize("method", [systematic_draw, cell_draw])
def test_pps_inclusion_frequencies_match_the_stated_probabilities(method) -> None:
    values = [3, 7, 12, 20, 25, 33, 41, 47, 55, 60, 64, 72, 80, 91, 99]
    money = pl.Series([v * SCALE for v in values], dtype=pl.Int128)
    eligible = pl.Series([True] * len(values))
    m, runs = 5, 2000
    hits = np.zeros(len(values))
    first = method(money, eligible, m, np.random.default_rng(0))
    stated = first.probability.to_numpy()
    pi = np.array([float(p) for p in _pps_probabilities(values, m, cells=method is cell_draw)])
    assert np.allclose(stated, pi, rtol=0, atol=1e-12), list(zip(stated, pi, strict=True))
    for seed in range(runs):
        drawn = method(money, eligible, m, np.random.default_rng(seed))
        hits += drawn.hits.to_numpy() > 0
        if method is systematic_draw:
            assert int(drawn.hits.sum()) == m  # exactly m points, one unit each
    freq = hits / runs
    se = np.sqrt(pi * (1 - pi) / runs)
    assert np.all(np.abs(freq - pi) <= 4 * se + 1e-9), list(zip(freq, pi, strict=True))


def test_pps_probability_of_a_unit_above_the_interval_is_capped_at_one() -> None:
    money = pl.Series([10 * SCALE, 20 * SCALE, 30 * SCALE, 400 * SCALE], dtype=pl.Int128)
    drawn = systematic_draw(money, pl.Series([True] * 4), 2, np.random.default_rng(3))
    expected = [float(p) for p in _pps_probabilities([10, 20, 30, 400], 2, cells=False)]
    assert expected == [20 / 460, 40 / 460, 60 / 460, 1.0]
    assert np.allclose(drawn.probability.to_numpy(), expected, rtol=0, atol=1e-12)
    assert drawn.hits[3] >= 1  # 2 × 400 > 460: the interval always lands in it


def _pps_probabilities(values: list[int], m: int, *, cells: bool) -> list[Fraction]:
    """Inclusion probabilities worked out by hand with fractions (no certainty units here).

    Systematic PPS: π = m·x/X, capped at 1.  Cell selection: the money line is cut
    into m cells of X/m; a unit inside one cell is hit with probability m·x/X, a unit
    across a cell boundary with 1 − (1 − a)(1 − b), where a and b are the shares of
    the two cells it covers.
    """
    total = sum(values)
    if not cells:
        return [min(Fraction(m * x, total), Fraction(1)) for x in values]
    width = Fraction(total, m)
    out, lo = [], Fraction(0)
    for x in values:
        hi = lo + x
        first, last = math.floor(lo / width), math.ceil(hi / width) - 1
        if first == last:
            out.append(Fraction(x) / width)
        else:
            assert last == first + 1, "a unit over more than two cells is not in this table"
            a = ((first + 1) * width - lo) / width
            b = (hi - (first + 1) * width) / width
            out.append(1 - (1 - a) * (1 - b))
        lo = hi
    return out


def test_srs_inclusion_frequencies_are_n_over_N() -> None:
    pop = _toy([str(10 + i) for i in range(12)])
    counts: dict[str, int] = {}
    runs = 400
    for seed in range(runs):
        for code in draw_sample(pop, Design("srs", n=4), seed).picks["unit_code"]:
            counts[code] = counts.get(code, 0) + 1
    expected, se = 4 / 12, np.sqrt(4 / 12 * 8 / 12 / runs)
    assert all(abs(c / runs - expected) <= 4 * se for c in counts.values())


def test_money_coverage_is_reached(pop2023: Population) -> None:
    for method in ("srs", "pps", "cell"):
        s = draw_sample(pop2023, Design(method, coverage="0.3", risk=("budget_zero",)), 9)
        picked = Decimal(s.record.draw["picked_money"])
        assert picked >= Decimal("0.3") * Decimal(s.record.population["money"]), method
        # one pick fewer with the same seed does not cover it
        smaller = draw_sample(
            pop2023, Design(method, n=s.picks.height - 1, risk=("budget_zero",)), 9
        )
        less = Decimal(smaller.record.draw["picked_money"])
        assert less < Decimal("0.3") * Decimal(s.record.population["money"]), method


def test_share_target_rounds_up(pop2023: Population) -> None:
    s = draw_sample(pop2023, Design("srs", share="0.1"), seed=1)
    assert s.picks.height == 61  # ⌈0.1 × 606⌉


# ------------------------------------------------------------------ risk rules


def test_risk_rules_fire_exactly_where_they_should(pop2023: Population) -> None:
    frame = pop2023.frame
    rules = ["self_100_low_execution", "budget_zero", "amount>=2000"]
    s = draw_sample(pop2023, Design("srs", n=60, risk=tuple(rules)), seed=4)
    risky = s.picks.filter(pl.col("reason").str.starts_with("risk:"))
    expected = frame.filter(
        pl.col("flag_self_100_low_execution")
        | pl.col("flag_budget_zero")
        | (pl.col("money") >= 2000 * SCALE)
    )["unit_code"]
    assert sorted(risky["unit_code"]) == sorted(expected)
    assert (risky["inclusion_probability"] == 1.0).all()
    # the planted 2023 budget-0 projects (data/README.md) are taken for that reason
    reasons = dict(risky.select("unit_code", "reason").iter_rows())
    assert reasons["P2023-D03-003"] == "risk:budget_zero"
    assert reasons["P2023-D07-001"] == "risk:budget_zero"
    # the December-money project of D27 (2023: its carried-over 14737.03 万元) is large
    assert "amount>=2000" in reasons["P2022-D27-001"]


def test_threshold_rules_are_exact() -> None:
    pop = _toy(["499.999999", "500", "500.01"])
    picked = risk_matches(pop.frame, [parse_rule("amount>=500")]).to_list()
    assert picked == ["", "amount>=500", "amount>=500"]
    assert risk_matches(pop.frame, [parse_rule("amount > 500")]).to_list() == ["", "", "amount>500"]
    scores = pop.frame.with_columns(pl.Series("self_cents", [10000, 9999, 6000]))
    assert risk_matches(scores, [parse_rule("self_score==100")]).to_list() == [
        "self_score==100",
        "",
        "",
    ]
    rate = pop.frame.with_columns(
        pl.Series("executed", [int(Decimal("399.9999992") * SCALE), 400 * SCALE, 0], pl.Int128)
    )
    # 399.999999 / 499.999999 = 79.99999996 % < 80 %;  400 / 500 = 80 % exactly
    assert risk_matches(rate, [parse_rule("execution_rate<80")]).to_list() == [
        "execution_rate<80",
        "",
        "execution_rate<80",
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("no_such_flag", "unknown flag 'no_such_flag'"),
        ("amount >= lots", "'lots' is not a number"),
        ("size > 5", "unknown field 'size'"),
        ("amount >= 1; import os", "is not a number"),
        ("__import__('os')", "write a flag name or FIELD OP VALUE"),
        ("grade > 优", "takes == or != only"),
        ("amount >= 0.0000001", "at most six decimals"),
        ("amount >= 1e40", "out of range"),
        ("self_score < -1e13", "out of range"),
    ],
)
def test_bad_rules_are_clear_errors(rule: str, message: str) -> None:
    with pytest.raises(PerfkitError, match=message):
        parse_rule(rule)


# ------------------------------------------------------------------ departments


def test_departments_are_money_weighted_means_of_their_projects(scored) -> None:
    depts = population_from_scores(scored, year=2023, kind="departments")
    assert depts.size == 40
    projects = scored.for_year(2023).units.filter(pl.col("dept_code") == "D27")
    row = depts.frame.filter(pl.col("unit_code") == "D27").row(0, named=True)
    budget = [Decimal(str(b)) for b in projects["budget_full_year"]]
    totals = [Decimal(str(t)) for t in projects["total"]]
    weighted = sum(b * t for b, t in zip(budget, totals, strict=True)) / sum(budget)
    assert row["total_cents"] == int((weighted * 100).quantize(Decimal(1), "ROUND_HALF_UP"))
    assert row["money"] == int(sum(budget) * SCALE)
    assert row["n_projects"] == projects.height
    s = draw_sample(depts, Design("srs", n=10), seed=1)
    assert s.picks["unit_code"].str.starts_with("D").all()


# ------------------------------------------------------------------ bad inputs


@pytest.mark.parametrize(
    ("design", "message"),
    [
        (Design("stratified", strata="colour", n=5), "unknown stratum column 'colour'"),
        (Design("srs", n=700), "larger than the population"),
        (Design("pps", coverage="1.2"), "at most 1"),
        (Design("srs", share="0"), "above 0"),
        (Design("srs"), "exactly one target"),
        (Design("srs", n=3, share="0.1"), "exactly one target"),
        (Design("stratified", n=3), "needs a stratum column"),
        (Design("pps", strata="dept_code", n=3), "--strata is for the stratified design"),
        (Design("srs", n=3, risk=("amount>=100",)), "risk rules take"),
        (Design("magic", n=3), "unknown design 'magic'"),
        (Design("stratified", strata="amount_band", bands=("500", "100"), n=3), "increasing"),
    ],
)
def test_bad_designs_are_clear_errors(pop2023: Population, design: Design, message: str) -> None:
    with pytest.raises(PerfkitError, match=message):
        draw_sample(pop2023, design, seed=1)


def test_negative_amounts_are_refused() -> None:
    pop = _toy(["10", "20"])
    pop.frame = pop.frame.with_columns(pl.Series("money", [-1, 20], pl.Int128))
    with pytest.raises(PerfkitError, match=r"negative amounts .* U000"):
        draw_sample(pop, Design("srs", n=1), seed=1)


def test_negative_amounts_in_the_input_file_name_file_row_and_column(tmp_path: Path) -> None:
    text = (SAMPLE / "projects.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = text[700].split(",")
    row[header.index("budget_full_year")] = "-5.00"
    text[700] = ",".join(row)
    (tmp_path / "projects.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    (tmp_path / "indicators.csv").write_bytes((SAMPLE / "indicators.csv").read_bytes())
    with pytest.raises(perfkit.InputError) as err:
        load_population(tmp_path / "projects.csv", year=2023)
    assert any(
        p.file == "projects.csv" and p.row == 701 and p.column == "budget_full_year"
        for p in err.value.problems
    )


def test_a_year_is_needed_when_the_data_hold_several(scored) -> None:
    with pytest.raises(PerfkitError, match="the data hold the years 2022, 2023, 2024"):
        population_from_scores(scored)
    with pytest.raises(PerfkitError, match="no units in year 2030"):
        population_from_scores(scored, year=2030)


def test_the_record_is_the_same_with_one_thread(tmp_path: Path, pop2023: Population) -> None:
    """Same picks and record whatever the number of worker threads (POLARS_MAX_THREADS=1)."""
    import os
    import subprocess
    import sys

    design = Design("stratified", strata="dept_code", n=60, risk=("budget_zero",))
    here = draw_sample(pop2023, design, seed=77).record.to_json()
    script = (
        "from perfkit.sampling import Design, draw_sample, load_population\n"
        f"pop = load_population({str(SAMPLE / 'projects.csv')!r}, year=2023)\n"
        "d = Design('stratified', strata='dept_code', n=60, risk=('budget_zero',))\n"
        "print(draw_sample(pop, d, seed=77).record.to_json(), end='')\n"
    )
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    mine = _record_from(here)
    theirs = _record_from(out)
    assert mine.picks == theirs.picks
    assert mine.population["fingerprint"] == theirs.population["fingerprint"]
    assert mine.draw == theirs.draw


def _record_from(text: str):
    from perfkit.sampling import SelectionRecord

    return SelectionRecord.from_json(text)
