"""The selection record and re-performing a draw (CLI and Python)."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from perfkit.cli import main
from perfkit.errors import PerfkitError
from perfkit.sampling import Design, SelectionRecord, draw_sample, load_population, reperform
from tests.by_hand import half_up, read_rows, score_by_hand

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
BOM = b"\xef\xbb\xbf"


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("draw") / "out"
    result = run(
        "sample",
        "draw",
        "--projects",
        SAMPLE / "projects.csv",
        "--year",
        2023,
        "--design",
        "stratified",
        "--strata",
        "dept_code",
        "--allocation",
        "minimum",
        "--minimum",
        1,
        "--n",
        60,
        "--risk",
        "self_100_low_execution",
        "--risk",
        "amount>=3000",
        "--seed",
        20230,
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    return out


def test_draw_writes_picks_record_and_workbook(drawn: Path) -> None:
    assert sorted(p.name for p in drawn.iterdir()) == [
        "field_workbook.xlsx",
        "picks.csv",
        "selection.json",
        "strata.csv",
    ]
    data = (drawn / "picks.csv").read_bytes()
    assert data.startswith(BOM)
    picks = pl.read_csv(drawn / "picks.csv", encoding="utf8-lossy")
    picks = picks.rename({picks.columns[0]: picks.columns[0].lstrip("\ufeff")})
    assert {"unit_code", "stratum", "reason", "inclusion_probability"} <= set(picks.columns)
    assert picks.height == 60
    assert picks["reason"].str.contains(r"^(risk:.+|random)$").all()
    risk = picks.filter(pl.col("reason").str.starts_with("risk:"))
    assert (risk["inclusion_probability"] == 1.0).all()
    assert picks["reason"].to_list()[: risk.height] == risk["reason"].to_list()  # listed first
    record = json.loads((drawn / "selection.json").read_text(encoding="utf-8"))
    assert record["seed"] == 20230
    assert record["rng"]["bit_generator"] == "PCG64"
    assert record["design"]["strata"] == "dept_code"
    assert record["population"]["fingerprint_columns"] == [
        "unit_code",
        "money",
        "dept_code",
        "flag_self_100_low_execution",
    ]
    assert record["inputs"]["projects"]["path"].endswith("data/sample/projects.csv")
    assert not Path(record["inputs"]["projects"]["path"]).is_absolute()
    assert [p["unit_code"] for p in record["picks"]] == picks["unit_code"].to_list()


def test_reperform_identical_exits_0(drawn: Path) -> None:
    result = run(
        "sample", "reperform", drawn / "selection.json", "--projects", SAMPLE / "projects.csv"
    )
    assert result.exit_code == 0, result.output
    assert "identical" in result.output
    # the record alone knows where its inputs were
    assert run("sample", "reperform", drawn / "selection.json").exit_code == 0


def test_reperform_reports_a_changed_population(drawn: Path, tmp_path: Path) -> None:
    projects = pl.read_csv(SAMPLE / "projects.csv", infer_schema=False)
    changed = projects.with_columns(
        pl.when((pl.col("year") == "2023") & (pl.col("project_code") == "P2019-D01-001"))
        .then(pl.lit("999.99"))
        .otherwise(pl.col("budget_full_year"))
        .alias("budget_full_year")
    ).filter(~((pl.col("year") == "2023") & (pl.col("project_code") == "P2019-D02-002")))
    changed.write_csv(tmp_path / "projects.csv")
    indicators = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False)
    indicators.filter(
        ~((pl.col("year") == "2023") & (pl.col("unit_code") == "P2019-D02-002"))
    ).write_csv(tmp_path / "indicators.csv")
    result = run(
        "sample", "reperform", drawn / "selection.json", "--projects", tmp_path / "projects.csv"
    )
    assert result.exit_code == 3, result.output
    out = result.output
    assert "DIFFERENT" in out
    assert "population fingerprint differs" in out
    assert "units: recorded 606, now 605" in out
    assert "1 unit(s) no longer in the population: P2019-D02-002" in out
    assert "money changed for 1 unit(s): P2019-D01-001" in out and "→ 999.99" in out
    assert "note: input projects file differs" in out


def test_reperform_in_python_and_record_round_trip(tmp_path: Path) -> None:
    pop = load_population(SAMPLE / "projects.csv", year=2023)
    selection = draw_sample(pop, Design("cell", n=25, risk=("budget_zero",)), seed=8)
    path = selection.record.save(tmp_path / "selection.json")
    loaded = SelectionRecord.load(path)
    assert loaded.input_path("projects").resolve() == (SAMPLE / "projects.csv").resolve()
    loaded.inputs = selection.record.inputs
    assert loaded == selection.record
    report = reperform(loaded, pop)
    assert report.identical and report.differences == []
    other = SelectionRecord.load(path)
    other.seed = 9
    report = reperform(other, pop)
    assert not report.identical
    assert any("recorded pick(s) not drawn now" in d for d in report.differences)


def test_a_record_that_is_not_one(tmp_path: Path) -> None:
    bad = tmp_path / "selection.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PerfkitError, match="is not valid JSON"):
        SelectionRecord.load(bad)
    bad.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    with pytest.raises(PerfkitError, match="is not a perfkit selection record"):
        SelectionRecord.load(bad)
    result = run("sample", "reperform", bad)
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--design", "stratified", "--strata", "colour", "--n", "5"], "unknown stratum column"),
        (["--design", "srs", "--n", "5000"], "larger than the population"),
        (["--design", "pps", "--coverage", "1.5"], "at most 1 (100 %)"),
        (["--design", "srs", "--n", "5", "--risk", "amount>=lots"], "'lots' is not a number"),
        (["--design", "srs"], "exactly one target"),
    ],
)
def test_cli_bad_draws(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    result = run(
        "sample",
        "draw",
        "-p",
        SAMPLE / "projects.csv",
        "--year",
        "2023",
        *args,
        "--seed",
        "1",
        "--out",
        out,
    )
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_needs_a_year_for_stacked_data(tmp_path: Path) -> None:
    result = run(
        "sample",
        "draw",
        "-p",
        SAMPLE / "projects.csv",
        "--design",
        "srs",
        "--n",
        "5",
        "--seed",
        "1",
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 1
    assert "choose one (--year)" in result.output


def test_saved_scores_give_the_same_draw(tmp_path: Path) -> None:
    scores = tmp_path / "scores"
    done = run(
        "score", "-p", SAMPLE / "projects.csv", "-i", SAMPLE / "indicators.csv", "--out", scores
    )
    assert done.exit_code == 0, done.output
    design = Design("pps", n=30, risk=("budget_zero",))
    plain = draw_sample(load_population(SAMPLE / "projects.csv", year=2023), design, 4)
    saved = draw_sample(
        load_population(SAMPLE / "projects.csv", year=2023, scores=scores), design, 4
    )
    assert saved.picks.equals(plain.picks)
    assert "scores" in saved.record.inputs


def test_frames_give_the_same_draw_as_the_files(df_module) -> None:
    design = Design("pps", n=30, risk=("budget_zero",))
    plain = draw_sample(load_population(SAMPLE / "projects.csv", year=2023), design, 4)
    frames = load_population(
        df_module.read_csv_text(SAMPLE / "projects.csv"),
        df_module.read_csv_text(SAMPLE / "indicators.csv"),
        year=2023,
    )
    drawn = draw_sample(frames, design, 4)
    assert drawn.picks.equals(plain.picks)
    assert drawn.record.population["fingerprint"] == plain.record.population["fingerprint"]


# ------------------------------------------------------------ draw options, against the CSV rows


def _draw(out: Path, *options: object) -> Result:
    args = ["sample", "draw", "--projects", SAMPLE / "projects.csv", "--year", 2023, *options]
    result = run(*args, "--seed", 1, "--out", out)
    assert result.exit_code == 0, result.output
    return result


def test_cli_draws_whole_departments(tmp_path: Path) -> None:
    result = _draw(tmp_path / "out", "--units", "departments", "--design", "srs", "--n", 5)
    by_hand = score_by_hand(SAMPLE, 2023).values()
    budget: dict[str, Decimal] = {}
    weighted: dict[str, Decimal] = {}
    for p in by_hand:
        budget[p.dept_code] = budget.get(p.dept_code, Decimal(0)) + p.budget
        weighted[p.dept_code] = weighted.get(p.dept_code, Decimal(0)) + p.total * p.budget
    assert f"2023: {len(budget)} departments, full-year budget" in result.output
    assert len(budget) == 40
    picks = read_rows(tmp_path / "out" / "picks.csv")
    assert len(picks) == 5
    for pick in picks:
        code = pick["unit_code"]
        assert code == pick["dept_code"] and code in budget
        assert Decimal(pick["budget_full_year"]) == budget[code]
        assert Decimal(pick["total"]) == half_up(weighted[code] / budget[code])
        assert float(pick["inclusion_probability"]) == 5 / 40
    record = json.loads((tmp_path / "out" / "selection.json").read_text(encoding="utf-8"))
    assert record["population"]["kind"] == "departments"


def _band(amount: Decimal) -> str:
    return "<100万元" if amount < 100 else "100–<500万元" if amount < 500 else "≥500万元"


def test_cli_share_and_bands(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _draw(
        out, "--design", "stratified", "--strata", "amount_band", "--bands", "100,500",
        "--share", "0.1",
    )  # fmt: skip
    budgets = [
        Decimal(r["budget_full_year"])
        for r in read_rows(SAMPLE / "projects.csv")
        if r["year"] == "2023"
    ]
    n = math.ceil(Fraction(len(budgets)) / 10)  # ⌈0.1 × N⌉
    bands = ["<100万元", "100–<500万元", "≥500万元"]
    units = [sum(_band(b) == band for b in budgets) for band in bands]
    money = [sum((b for b in budgets if _band(b) == band), Decimal(0)) for band in bands]
    # proportional allocation, largest remainder (Hamilton), ties to the first stratum
    quotas = [Fraction(n * u, len(budgets)) for u in units]
    picked = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(3), key=lambda i: (-(quotas[i] - picked[i]), i))
    for i in by_remainder[: n - sum(picked)]:
        picked[i] += 1
    strata = read_rows(out / "strata.csv")
    assert [
        (s["stratum"], int(s["units"]), Decimal(s["money"]), int(s["picked"])) for s in strata
    ] == list(zip(bands, units, money, picked, strict=True))
    picks = read_rows(out / "picks.csv")
    assert len(picks) == n == 61
    assert all(p["stratum"] == _band(Decimal(p["budget_full_year"])) for p in picks)
    record = json.loads((out / "selection.json").read_text(encoding="utf-8"))
    assert record["design"]["bands"] == ["100", "500"]
    assert record["design"]["target"] == {"kind": "share", "value": "0.1"}
