"""The field workbook round trip, re-scoring verified values, and the evaluation."""

from __future__ import annotations

import json
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from scipy import stats

from perfkit.cli import main
from perfkit.errors import InputError
from perfkit.sampling import Design, SelectionRecord, draw_sample, load_population
from perfkit.sampling._evaluate import evaluate, stringer_bound
from perfkit.sampling._verify import Verification, verify
from tests.by_hand import grade_of, read_rows

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
VERIFIED = SAMPLE / "verification_2023"
COLUMNS = {"复核完成值": 12, "复核得分": 13, "备注": 14}


def half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture()
def drawn(tmp_path: Path) -> Path:
    pop = load_population(SAMPLE / "projects.csv", year=2023)
    selection = draw_sample(pop, Design("srs", n=6), seed=42)
    out = tmp_path / "draw"
    selection.write(out)
    return out


def rows_of(sheet) -> list[dict]:
    header = [c.value for c in sheet[4]]
    return [
        {"row": r[0].row, **dict(zip(header, (c.value for c in r), strict=True))}
        for r in sheet.iter_rows(min_row=5)
    ]


def test_the_workbook_has_a_summary_notes_and_a_sheet_per_unit(drawn: Path) -> None:
    book = openpyxl.load_workbook(drawn / "field_workbook.xlsx")
    record = SelectionRecord.load(drawn / "selection.json")
    codes = [p["unit_code"] for p in record.picks]
    assert book.sheetnames == ["汇总", "说明", *codes]
    summary = book["汇总"]
    assert [c.value for c in summary[1]][:8] == [
        "序号",
        "单位编码",
        "名称",
        "部门编码",
        "部门名称",
        "层",
        "抽取原因",
        "入样概率",
    ]
    assert [summary.cell(r, 2).value for r in range(2, 8)] == codes
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert notes["随机数种子"] == "42"
    assert notes["总体指纹（SHA-256）"] == record.population["fingerprint"]
    sheet = book[codes[0]]
    assert sheet["A1"].value == "单位编码" and sheet["B1"].value == codes[0]
    rows = rows_of(sheet)
    assert rows[0]["三级指标"] == "预算执行率"
    assert all(r["复核完成值"] is None and r["复核得分"] is None for r in rows)


def test_filled_workbook_is_rescored_by_the_engine(drawn: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(drawn / "field_workbook.xlsx")
    record = SelectionRecord.load(drawn / "selection.json")
    code = record.picks[0]["unit_code"]
    sheet = book[code]
    rows = rows_of(sheet)
    execution = rows[0]
    positive = next(r for r in rows if r["指标方向"] == "正向" and Decimal(r["实际完成值"]) > 0)
    qualitative = next((r for r in rows if r["指标方向"] == "定性"), None)
    # the verifiers: half the positive indicator's result, 80 % of the spending, and a
    # qualitative indicator only partly achieved with 65 % of its points
    half = Decimal(positive["实际完成值"]) / 2
    sheet.cell(positive["row"], COLUMNS["复核完成值"]).value = str(half)
    sheet.cell(positive["row"], COLUMNS["备注"]).value = "佐证不足"
    spent = half_up(Decimal(execution["实际完成值"]) * Decimal("0.8"))
    sheet.cell(execution["row"], COLUMNS["复核完成值"]).value = float(spent)
    expected_points = {}
    if qualitative is not None:
        weight = Decimal(str(qualitative["分值"]))
        entered = half_up(weight * Decimal("0.65"))
        sheet.cell(
            qualitative["row"], COLUMNS["复核完成值"]
        ).value = "部分达成年度指标并具有一定效果"
        sheet.cell(qualitative["row"], COLUMNS["复核得分"]).value = float(entered)
        expected_points[qualitative["三级指标"]] = entered
    book.save(tmp_path / "filled.xlsx")

    v = verify(drawn / "selection.json", tmp_path / "filled.xlsx")
    items = v.items.filter(pl.col("unit_code") == code)
    points = {i: Decimal(str(p)) for i, p in items.select("item", "verified_points").iter_rows()}
    target, weight = Decimal(positive["年度指标值"]), Decimal(str(positive["分值"]))
    expected_points[positive["三级指标"]] = (
        weight if half >= target else half_up(weight * half / target)
    )
    budget = Decimal(execution["年度指标值"])
    expected_points["预算执行率"] = half_up(10 * min(spent / budget, Decimal(1)))
    for item, value in expected_points.items():
        assert points[item] == value, item
    recomputed = {
        i: Decimal(str(p)) for i, p in items.select("item", "recomputed_points").iter_rows()
    }
    unit = v.units.filter(pl.col("unit_code") == code).row(0, named=True)
    moved = sum(points[i] - recomputed[i] for i in points)
    assert Decimal(str(unit["verified_score"])) == Decimal(str(unit["total"])) + moved
    assert Decimal(str(unit["verified_diff"])) == Decimal(str(unit["self_score"])) - Decimal(
        str(unit["verified_score"])
    )
    assert positive["三级指标"] in unit["items_moved"]
    assert unit["note"] == "佐证不足"
    # the other units were confirmed as reported
    others = v.units.filter(pl.col("unit_code") != code)
    assert (others["verified_score"] == others["total"]).all()
    assert (others["items_changed"] == 0).all()
    table = v.verifications_table()
    assert table.columns == [
        "year",
        "unit_code",
        "verified_score",
        "name",
        "verified_actual",
        "verified_points",
        "note",
    ]
    assert table.height == v.items.height


def test_every_problem_in_the_workbook_at_once(drawn: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(drawn / "field_workbook.xlsx")
    record = SelectionRecord.load(drawn / "selection.json")
    codes = [p["unit_code"] for p in record.picks]
    first = book[codes[0]]
    rows = rows_of(first)
    quantitative = next(r for r in rows if r["指标方向"] in ("正向", "反向"))
    first.cell(quantitative["row"], COLUMNS["复核完成值"]).value = "九成"
    first.cell(quantitative["row"], COLUMNS["复核得分"]).value = "满分"
    second = book[codes[1]]
    qualitative = [r for r in rows_of(second) if r["指标方向"] == "定性"]
    if qualitative:
        q = qualitative[0]
        second.cell(q["row"], COLUMNS["复核完成值"]).value = "还行"
    book[codes[2]]["B1"] = "P9999-D99-999"
    del book[codes[3]]
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(InputError) as err:
        verify(drawn / "selection.json", tmp_path / "bad.xlsx")
    messages = [str(p) for p in err.value.problems]
    r = quantitative["row"]
    assert f"bad.xlsx [{codes[0]}]:{r}: M{r} 复核得分: '满分' is not a number" in messages
    assert f"bad.xlsx [{codes[2]}]:1: B1: unit 'P9999-D99-999' is not in the selection record" in (
        messages
    )
    assert f"bad.xlsx: no sheet for picked unit {codes[3]}" in messages
    assert f"bad.xlsx: no sheet for picked unit {codes[2]}" in messages
    # the values of the sheets that could be read are checked in the same pass
    assert f"bad.xlsx [{codes[0]}]:{r}: L{r} 复核完成值: '九成' is not a number" in messages
    if qualitative:
        q = qualitative[0]["row"]
        assert any(
            m.startswith(f"bad.xlsx [{codes[1]}]:{q}: L{q} 复核完成值: '还行' is not one of")
            for m in messages
        )
    assert not any("lacks the row" in m for m in messages)


def test_values_that_cannot_be_right_name_their_cells(drawn: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(drawn / "field_workbook.xlsx")
    record = SelectionRecord.load(drawn / "selection.json")
    code = record.picks[0]["unit_code"]
    sheet = book[code]
    rows = rows_of(sheet)
    quantitative = next(r for r in rows if r["指标方向"] in ("正向", "反向"))
    sheet.cell(quantitative["row"], COLUMNS["复核完成值"]).value = "九成"
    sheet.cell(rows[0]["row"], COLUMNS["复核完成值"]).value = -3
    qual_code, q = next(
        (p["unit_code"], r)
        for p in record.picks
        for r in rows_of(book[p["unit_code"]])
        if r["指标方向"] == "定性"
    )
    book[qual_code].cell(q["row"], COLUMNS["复核完成值"]).value = "达成年度指标"
    book[qual_code].cell(q["row"], COLUMNS["复核得分"]).value = float(q["分值"]) * 0.5
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(InputError) as err:
        verify(drawn / "selection.json", tmp_path / "bad.xlsx")
    messages = [str(p) for p in err.value.problems]
    r = quantitative["row"]
    assert f"bad.xlsx [{code}]:{r}: L{r} 复核完成值: '九成' is not a number" in messages
    assert f"bad.xlsx [{code}]:5: L5 复核完成值: negative amount -3" in messages
    assert any(
        m.startswith(f"bad.xlsx [{qual_code}]:{q['row']}: M{q['row']} 复核得分:")
        and "outside the band of 达成年度指标" in m
        for m in messages
    )


def test_verifications_table_gives_the_same_scores_as_the_workbook() -> None:
    from_book = verify(VERIFIED / "selection.json", VERIFIED / "field_workbook_filled.xlsx")
    from_table = verify(VERIFIED / "selection.json", SAMPLE / "verifications.csv")
    assert from_book.units.select("unit_code", "verified_score").equals(
        from_table.units.select("unit_code", "verified_score")
    )
    saved = pl.read_csv(SAMPLE / "verifications.csv", infer_schema=False)
    scores = saved.unique("unit_code").select(
        "unit_code", pl.col("verified_score").cast(pl.Float64)
    )
    joined = from_book.units.join(scores, on="unit_code", suffix="_saved")
    assert joined.height == 46
    assert (joined["verified_score"] == joined["verified_score_saved"]).all()


def test_a_verifications_table_with_a_stranger_is_refused(tmp_path: Path) -> None:
    table = pl.read_csv(SAMPLE / "verifications.csv", infer_schema=False)
    stray = table.head(1).with_columns(pl.lit("P0000-D00-000").alias("unit_code"))
    pl.concat([table, stray]).write_csv(tmp_path / "v.csv")
    with pytest.raises(InputError) as err:
        verify(VERIFIED / "selection.json", tmp_path / "v.csv")
    assert [str(p) for p in err.value.problems] == [
        f"v.csv:{table.height + 2}: unit_code: unit 'P0000-D00-000' is not in the selection record"
    ]


def test_verify_refuses_inputs_that_changed_since_the_draw(drawn: Path, tmp_path: Path) -> None:
    text = (SAMPLE / "projects.csv").read_text(encoding="utf-8")
    record = SelectionRecord.load(drawn / "selection.json")
    code = record.picks[0]["unit_code"]
    lines = text.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith(f"2023,{code},"))
    parts = lines[i].split(",")
    parts[6] = "1.00"  # budget_full_year
    lines[i] = ",".join(parts)
    (tmp_path / "projects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match="the inputs changed since the draw"):
        verify(
            record,
            drawn / "field_workbook.xlsx",
            projects=tmp_path / "projects.csv",
            indicators=SAMPLE / "indicators.csv",
        )


def test_cli_verify_writes_results_and_says_it_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "verified"
    result = CliRunner().invoke(
        main,
        [
            "verify",
            "--record",
            str(VERIFIED / "selection.json"),
            "--results",
            str(VERIFIED / "field_workbook_filled.xlsx"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "evaluation.json",
        "verification.xlsx",
        "verifications.csv",
        "verified_items.csv",
        "verified_units.csv",
    ]
    assert (
        "At 95% confidence, the share of inflated projects among all 606 projects is at most"
        in result.output
    )
    assert "Stringer" in result.output
    sheets = openpyxl.load_workbook(out / "verification.xlsx").sheetnames
    assert sheets == ["复核结果", "复核明细"]
    bad = CliRunner().invoke(
        main,
        [
            "verify",
            "--record",
            str(VERIFIED / "selection.json"),
            "--results",
            str(tmp_path / "missing.xlsx"),
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert bad.exit_code == 1 and "file not found" in bad.output
    assert not (tmp_path / "x").exists()


def test_departments_are_verified_through_their_projects(tmp_path: Path) -> None:
    pop = load_population(SAMPLE / "projects.csv", year=2023, kind="departments")
    selection = draw_sample(pop, Design("srs", n=2), seed=3)
    selection.write(tmp_path / "d")
    book = openpyxl.load_workbook(tmp_path / "d" / "field_workbook.xlsx")
    code = selection.picks["unit_code"][0]
    sheet = book[code]
    assert [c.value for c in sheet[4]] == [
        "序号",
        "项目编码",
        "项目名称",
        "全年预算数（万元）",
        "全年执行数（万元）",
        "自评得分",
        "复算得分",
        "复核得分",
        "备注",
    ]
    rows = rows_of(sheet)
    sheet.cell(rows[0]["row"], 8).value = 50
    book.save(tmp_path / "filled.xlsx")
    v = verify(tmp_path / "d" / "selection.json", tmp_path / "filled.xlsx")
    budgets = [Decimal(str(r["全年预算数（万元）"])) for r in rows]
    scores = [Decimal(50)] + [Decimal(str(r["复算得分"])) for r in rows[1:]]
    expected = half_up(sum(b * s for b, s in zip(budgets, scores, strict=True)) / sum(budgets))
    got = v.units.filter(pl.col("unit_code") == code)["verified_score"].item()
    assert Decimal(str(got)) == expected


# ---------------------------------------------------------------- evaluation


def _verification(design: Design, self_scores, verified, money=None, seed=1) -> Verification:
    """A verification of a toy population with given self/verified scores of the picks."""
    from tests.test_sampling_draw import _toy

    n_units = 40
    amounts = money or [str(10 + 7 * i) for i in range(n_units)]
    pop = _toy(amounts)
    s = draw_sample(pop, design, seed)
    picks = s.picks
    units = picks.select(
        "unit_code",
        "reason",
        "stratum",
        "inclusion_probability",
        "budget_full_year",
        pl.Series("self_score", self_scores[: picks.height], pl.Float64),
        pl.Series("verified_score", verified[: picks.height], pl.Float64),
        pl.lit(False).alias("grade_better_than_verified"),
    )
    return Verification(units, pl.DataFrame(), s.record)


def test_srs_evaluation_matches_hand_computation() -> None:
    self_scores = [95, 90, 88, 92, 99, 80, 85, 91, 93, 97]
    verified = [88, 90, 87.5, 85, 99, 70, 85, 90.99, 87.99, 97]
    v = _verification(Design("srs", n=10), self_scores, verified)
    e = evaluate(v)
    d = np.array(self_scores) - np.array(verified)
    k = int((np.round(d * 100) > 500).sum())  # 7, 7, 10, 6.01: inflated; 5.01? no: exactly > 5
    assert e.inflated == k == 4
    upper = stats.beta.ppf(0.95, k + 1, 10 - k)
    assert e.share_upper == pytest.approx(upper, rel=1e-12)  # N_r = N: no must-include units
    assert e.share_estimate == pytest.approx(k / 10)
    mean, s2 = d.mean(), d.var(ddof=1)
    half = stats.t.ppf(0.975, 9) * np.sqrt(40**2 * (1 - 10 / 40) * s2 / 10) / 40
    assert e.mean_inflation == pytest.approx(mean)
    assert (e.mean_low, e.mean_high) == pytest.approx((mean - half, mean + half))
    assert e.stringer_rate is None
    text = "\n".join(e.sentences())
    assert "At 95% confidence, the share of inflated projects among all 40 projects" in text
    assert f"{upper * 100:.2f}%" in text


def test_threshold_is_exact_at_5_points() -> None:
    v = _verification(Design("srs", n=3), [95, 95, 95], [90, 89.99, 90.01])
    assert evaluate(v).inflated == 1  # 5.00 is not above 5; 5.01 is


def test_pps_evaluation_uses_inclusion_probabilities_and_stringer() -> None:
    money = [str(5 + 13 * i) for i in range(39)] + ["900"]
    selfs = [90.0] * 12
    verified = [81, 90, 90, 85.5, 90, 90, 72, 90, 90, 90, 88, 90]
    v = _verification(Design("pps", n=12), selfs, verified, money=money, seed=2)
    e = evaluate(v)
    units = v.units
    fixed = units.filter(pl.col("reason") != "random")
    rand = units.filter(pl.col("reason") == "random")
    assert fixed["unit_code"].to_list() == ["U039"]  # 900 reaches the interval
    y = (rand["self_score"] - rand["verified_score"]).to_numpy()
    pi = rand["inclusion_probability"].to_numpy()
    total = (fixed["self_score"] - fixed["verified_score"]).sum() + (y / pi).sum()
    assert e.mean_inflation == pytest.approx(total / 40)
    taints = ((rand["self_score"] - rand["verified_score"]) / rand["self_score"]).to_numpy()
    rest = sum(Decimal(m) for m in money[:39])
    fixed_taint = (fixed["self_score"] - fixed["verified_score"]) / fixed["self_score"]
    expected = float(fixed_taint[0]) * 900 + stringer_bound(taints, rand.height) * float(rest)
    assert e.stringer_money == pytest.approx(expected)
    assert e.stringer_rate == pytest.approx(expected / float(rest + 900))


def test_evaluation_of_the_sample_data() -> None:
    v = verify(VERIFIED / "selection.json", SAMPLE / "verifications.csv")
    e = v.evaluate()
    assert (e.verified, e.fixed, e.random) == (46, 11, 35)
    assert 0 < e.share_estimate < e.share_upper < 1
    assert e.mean_low < e.mean_inflation < e.mean_high
    # the generator inflated most self-scores by 2–8 points (data/README.md): the mean is there
    assert 2 < e.mean_inflation < 8
    assert e.stringer_rate is not None and 0 < e.stringer_rate < 1


def test_sample_verification_data_is_regenerated_byte_for_byte(tmp_path: Path) -> None:
    from perfkit.i18n import use_language
    from perfkit.samples.verifications import write_verifications

    for name in ("projects.csv", "indicators.csv"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    with use_language("zh"):  # the sample is written in the default language (workbook footers)
        written = write_verifications(tmp_path)
    for path in written:
        original = SAMPLE / path.relative_to(tmp_path)
        assert path.read_bytes() == original.read_bytes(), path.name


def _inflated_by_hand(threshold: Decimal) -> int:
    """Self-evaluations of the 2023 verification sample scored more than ``threshold`` points
    above the verified score, or graded better than it, counted from the CSV rows."""
    rank = {"优": 3, "良": 2, "中": 1, "差": 0}
    verified: dict[str, Decimal] = {}
    for row in read_rows(SAMPLE / "verifications.csv"):
        verified.setdefault(row["unit_code"], Decimal(row["verified_score"]))
    projects = {
        r["project_code"]: r for r in read_rows(SAMPLE / "projects.csv") if r["year"] == "2023"
    }
    inflated = 0
    for code, score in verified.items():
        own = projects[code]
        higher = Decimal(own["self_score"]) - score > threshold
        inflated += higher or rank[own["self_grade"]] > rank[grade_of(score)]
    return inflated


@pytest.mark.parametrize("threshold", [None, "2", "2.06"])
def test_cli_verify_threshold(tmp_path: Path, threshold: str | None) -> None:
    out = tmp_path / "verified"
    args = [
        "verify", "--record", str(VERIFIED / "selection.json"),
        "--results", str(SAMPLE / "verifications.csv"), "--out", str(out),
    ] + (["--threshold", threshold] if threshold else [])  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    evaluation = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    limit = Decimal(threshold or "5")
    assert Decimal(str(evaluation["threshold"])) == limit
    assert evaluation["inflated"] == _inflated_by_hand(limit)
    assert f"verified score by more than {limit.normalize():f} points" in result.output
    assert evaluation["inflated"] == {None: 17, "2": 32, "2.06": 31}[threshold]


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        ("abc", "the inflation threshold 'abc' is not a number of points"),
        ("nan", "the inflation threshold 'nan' is not a number of points"),
        ("-1", "the inflation threshold must not be negative"),
    ],
)
def test_cli_verify_bad_threshold(tmp_path: Path, threshold: str, message: str) -> None:
    out = tmp_path / "verified"
    args = [
        "verify", "--record", str(VERIFIED / "selection.json"),
        "--results", str(SAMPLE / "verifications.csv"), "--out", str(out),
        "--threshold", threshold,
    ]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output and not out.exists()
