"""Satisfaction surveys: validation, the summary against an independent computation, the CLI."""

from __future__ import annotations

import csv
import math
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, getcontext
from fractions import Fraction
from pathlib import Path
from statistics import NormalDist

import polars as pl
import pytest
from click.testing import CliRunner

from perfkit.cli import main
from perfkit.errors import InputError
from perfkit.keyeval import SurveyScale, read_survey, sample_size, summarise_survey

getcontext().prec = 50


def wilson_by_hand(s: int, n: int, confidence: str = "0.95") -> tuple[Decimal, Decimal]:
    """Wilson score interval in percent, half-up to 2 decimals, with Decimal arithmetic."""
    z = Decimal(repr(NormalDist().inv_cdf(0.5 + float(confidence) / 2)))
    p = Decimal(s) / Decimal(n)
    n_ = Decimal(n)
    denom = 1 + z * z / n_
    centre = (p + z * z / (2 * n_)) / denom
    half = z / denom * (p * (1 - p) / n_ + z * z / (4 * n_ * n_)).sqrt()
    q = Decimal("0.01")
    low = max(Decimal(0), (centre - half) * 100).quantize(q, ROUND_HALF_UP)
    high = min(Decimal(100), (centre + half) * 100).quantize(q, ROUND_HALF_UP)
    return low, high


def size_by_hand(margin: str, confidence: str, population: int | None) -> int:
    z = Decimal(repr(NormalDist().inv_cdf(0.5 + float(confidence) / 2)))
    e = Decimal(margin) / 100
    n0 = z * z * Decimal("0.25") / (e * e)
    n = n0 if population is None else n0 / (1 + (n0 - 1) / population)
    return int(n.quantize(Decimal(1), ROUND_CEILING))


def write_survey(path: Path, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


ANSWERS = ["非常满意", "满意", "一般", "不满意", "非常不满意"]


def survey_rows() -> list[tuple[str, str, str]]:
    """Three questions, 37 respondents; answers cycle through the five levels unevenly."""
    rows = []
    for r in range(37):
        for q, shift in (("服务态度", 0), ("补贴发放及时性", 2), ("政策知晓度", 4)):
            level = 5 - ((r * (shift + 1) + shift) % 7 % 5)  # 1..5, skewed high
            answer = ANSWERS[5 - level] if r % 2 else str(level)
            rows.append((f"R{r:03d}", q, answer))
    return rows


def test_summary_matches_an_independent_computation(tmp_path: Path) -> None:
    rows = survey_rows()
    path = write_survey(tmp_path / "survey.csv", rows, ("问卷编号", "题目", "答案"))
    summary = summarise_survey(read_survey(path), population=800, margin_pct=5)
    levels = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}
    by_q: dict[str, list[int]] = {}
    for _, q, a in rows:
        by_q.setdefault(q, []).append(levels.get(a) or int(a))
    by_q["ALL"] = [x for q in list(by_q) for x in by_q[q]]
    assert summary.get_column("question").to_list() == [
        "服务态度",
        "补贴发放及时性",
        "政策知晓度",
        "ALL",
    ]
    needed = size_by_hand("5", "0.95", 800)
    assert needed == 260
    for row in summary.iter_rows(named=True):
        answers = by_q[row["question"]]
        n, s = len(answers), sum(a >= 4 for a in answers)
        rate = (Fraction(s * 100, n)).limit_denominator()
        assert (row["n"], row["satisfied"]) == (n, s)
        assert Decimal(str(row["rate"])) == (Decimal(rate.numerator) / rate.denominator).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        low, high = wilson_by_hand(s, n)
        assert (Decimal(str(row["ci_low"])), Decimal(str(row["ci_high"]))) == (low, high)
        index = Decimal(sum(20 * a for a in answers)) / n
        assert Decimal(str(row["index"])) == index.quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert row["needed_n"] == needed
        assert row["enough"] is (n >= needed)


@pytest.mark.parametrize(
    ("margin", "confidence", "population"),
    [
        ("5", "0.95", None),
        ("5", "0.95", 500),
        ("3", "0.99", 2000),
        ("10", "0.9", 50),
        ("5", "0.95", 1),
    ],
)
def test_sample_size_for_a_finite_population(
    margin: str, confidence: str, population: int | None
) -> None:
    assert sample_size(Decimal(margin), Decimal(confidence), population) == size_by_hand(
        margin, confidence, population
    )


def test_wilson_at_the_edges() -> None:
    frame = pl.DataFrame({"respondent": [f"r{i}" for i in range(12)], "question": ["q"] * 12,
                          "answer": ["5"] * 12})  # fmt: skip
    row = summarise_survey(read_survey(frame)).row(0, named=True)
    assert (row["rate"], row["ci_high"]) == (100.0, 100.0)
    assert Decimal(str(row["ci_low"])) == wilson_by_hand(12, 12)[0]
    frame = frame.with_columns(pl.lit("非常不满意").alias("answer"))
    row = summarise_survey(read_survey(frame)).row(0, named=True)
    assert (row["rate"], row["ci_low"]) == (0.0, 0.0)
    assert Decimal(str(row["ci_high"])) == wilson_by_hand(0, 12)[1]


def test_every_bad_answer_at_once_with_file_row_and_column(tmp_path: Path) -> None:
    rows = [
        ("R1", "服务态度", "满意"),
        ("R1", "服务态度", "5"),  # answered twice
        ("R2", "服务态度", "6"),  # out of scale
        ("R3", "服务态度", "还行"),  # not a phrase of the scale
        ("R4", "天气", "满意"),  # unknown question
        ("R5", "服务态度", ""),  # missing
    ]
    path = write_survey(tmp_path / "s.csv", rows, ("respondent", "question", "answer"))
    with pytest.raises(InputError) as excinfo:
        read_survey(path, questions=["服务态度", "政策知晓度"])
    found = {(p.file, p.row, p.column) for p in excinfo.value.problems}
    assert found == {
        ("s.csv", 3, "question"),
        ("s.csv", 4, "answer"),
        ("s.csv", 5, "answer"),
        ("s.csv", 6, "question"),
        ("s.csv", 7, "answer"),
    }
    text = str(excinfo.value)
    assert "重复的键（respondent=R1, question=服务态度），第 2 行已有" in text
    assert "答案 '6' 不在量表中（1–5 或 非常满意 / 满意 / 一般 / 不满意 / 非常不满意）" in text
    assert "题目 '天气' 不是本次调查的题目（服务态度, 政策知晓度）" in text


def test_a_configured_scale() -> None:
    scale = SurveyScale(
        phrases=("很满意", "较满意", "基本满意", "不太满意", "很不满意"), satisfied_from=3
    )
    frame = pl.DataFrame({"respondent": ["a", "b", "c"], "question": ["q"] * 3,
                          "answer": ["很满意", "基本满意", "很不满意"]})  # fmt: skip
    row = summarise_survey(read_survey(frame, scale)).row(0, named=True)
    assert (row["satisfied"], row["rate"]) == (2, 66.67)
    with pytest.raises(InputError, match="不在量表中"):
        read_survey(frame.with_columns(pl.lit("满意").alias("answer")), scale)


def test_survey_per_object(tmp_path: Path) -> None:
    rows = [("P1", "a", "q", "5"), ("P1", "b", "q", "2"), ("P2", "a", "q", "4")]
    path = write_survey(tmp_path / "s.csv", rows, ("项目编码", "受访者", "问题", "满意程度"))
    summary = summarise_survey(read_survey(path))
    assert summary.select("unit_code", "question", "n", "rate").rows() == [
        ("P1", "q", 2, 50.0),
        ("P1", "ALL", 2, 50.0),
        ("P2", "q", 1, 100.0),
        ("P2", "ALL", 1, 100.0),
    ]


def test_cli_writes_the_summary(tmp_path: Path) -> None:
    path = write_survey(tmp_path / "s.csv", survey_rows(), ("respondent", "question", "answer"))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["survey", "summarise", "--survey", str(path), "--population", "800", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out / "survey_summary.csv")
    assert table.columns[:6] == ["question", "n", "satisfied", "rate", "ci_low", "ci_high"]
    assert table.get_column("question").to_list()[-1] == "ALL"
    assert table.get_column("n").to_list()[-1] == 111
    assert "所需样本量 260" in result.output


def test_cli_neutralises_a_formula_question(tmp_path: Path) -> None:
    rows = [("R1", '=HYPERLINK("http://x")', "5"), ("R2", '=HYPERLINK("http://x")', "4")]
    path = write_survey(tmp_path / "s.csv", rows, ("respondent", "question", "answer"))
    result = CliRunner().invoke(
        main, ["survey", "summarise", "--survey", str(path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "o" / "survey_summary.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith('"\'=HYPERLINK(""http://x"")",2,2,100.0')


def test_cli_bad_survey_writes_nothing(tmp_path: Path) -> None:
    path = write_survey(
        tmp_path / "s.csv", [("R1", "q", "9")], ("respondent", "question", "answer")
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["survey", "summarise", "--survey", str(path), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "s.csv 第2行 answer：答案 '9' 不在量表中" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    bad = CliRunner().invoke(
        main,
        ["survey", "summarise", "--survey", str(path), "--confidence", "95", "--out", str(out)],
    )
    assert (
        bad.exit_code == 1 and "--confidence 应在 0 与 1 之间（如 0.95），而不是 95" in bad.output
    )


def test_margin_bounds() -> None:
    assert math.isclose(sample_size(50, 0.95), 4, rel_tol=0)


def test_pandas_in_pandas_out() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"respondent": ["a", "b"], "question": ["q", "q"], "answer": ["5", "一般"]}
    )
    summary = summarise_survey(read_survey(frame))
    assert isinstance(summary, pd.DataFrame)
    assert summary["rate"].tolist() == [50.0, 50.0]
