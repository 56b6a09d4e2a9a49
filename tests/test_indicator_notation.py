"""Indicators tables as they really come (issue 13, parts 1 and 4).

* A qualitative indicator's 年度指标值 is descriptive text that scoring never
  reads: a blank one is accepted (one warning in ``warnings.csv``); a blank
  quantitative target is still an error.
* Tables accept the target notations the forms reader accepts (``≥95%``,
  ``≤100万元``, ``=0起``, ``≥ 1 次``, ``不超过3天``, ``98%以上`` …) and a unit in
  the actual (``96%``); the symbol gives the direction when 指标方向 is blank,
  the unit goes to the unit column; contradictions are errors naming both.
* In an ``.xlsx`` table a percent-formatted number (Excel's 96 %, stored as
  0.96) is read as 96 with unit %.

The sample data are rewritten in these notations, as CSV and as ``.xlsx``, and
must score exactly as the plain file does.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

import perfkit
from perfkit.cli import main
from perfkit.forms._targets import parse_target as forms_parse_target
from perfkit.tables._targets_notation import parse_target

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
YEAR = 2024

HEADERS_CN = [
    "年度",
    "项目编码",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标方向",
    "年度指标值",
    "实际完成值",
    "计量单位",
]
HEADERS_CN += ["分值", "自评得分", "偏差原因"]
#: other ways of writing a direction, cycled through the rows (prefix, suffix)
WORDS = {
    "正向": [("≥ ", ""), ("不低于", ""), ("", "以上"), ("＞＝", ""), (">=", "")],
    "反向": [("≤", ""), ("不超过", ""), ("", "以内"), ("", "以下"), ("不高于", "")],
    "等于": [("=", ""), ("＝", ""), ("等于", "")],
}


def _sample(name: str) -> pl.DataFrame:
    frame = pl.read_csv(SAMPLE / f"{name}.csv", infer_schema=False)
    return frame.filter(pl.col("year") == str(YEAR))


@pytest.fixture(scope="module")
def projects() -> pl.DataFrame:
    return _sample("projects")


@pytest.fixture(scope="module")
def indicators() -> pl.DataFrame:
    return _sample("indicators")


@pytest.fixture(scope="module")
def plain(projects: pl.DataFrame, indicators: pl.DataFrame) -> perfkit.ScoreResult:
    return perfkit.score(projects, indicators)


def _written(direction: str, number: str, unit: str | None, i: int) -> str:
    prefix, suffix = WORDS[direction][i % len(WORDS[direction])]
    return f"{prefix}{number}{unit or ''}{suffix}"


def in_notation(indicators: pl.DataFrame) -> pl.DataFrame:
    """Every quantitative target as one text (direction, number, unit), the unit column and
    (every other row) the direction column left blank, the actual with its unit."""
    rows = []
    for i, row in enumerate(indicators.iter_rows(named=True)):
        if row["direction"] != "定性":
            unit = row["unit"]
            row["target"] = _written(row["direction"], row["target"], unit, i)
            row["actual"] = f"{row['actual']}{unit or ''}"
            row["unit"] = None
            if i % 2:
                row["direction"] = None
        rows.append(row)
    return pl.DataFrame(rows, schema=indicators.schema)


# ---------------------------------------------------------------- the splitter is shared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥95%", ("正向", "95", "%")),
        ("≤100万元", ("反向", "100", "万元")),
        ("=0起", ("等于", "0", "起")),
        ("≥ 1 次", ("正向", "1", "次")),
        ("不超过3天", ("反向", "3", "天")),
        ("98%以上", ("正向", "98", "%")),
        ("＞＝９５％", ("正向", "95", "%")),
        ("1,000人次以上", ("正向", "1000", "人次")),
    ],
)
def test_forms_and_tables_share_one_splitter(text: str, expected: tuple) -> None:
    assert forms_parse_target is parse_target  # the forms module re-exports it
    assert tuple(parse_target(text)) == expected


# ---------------------------------------------------------------- blank qualitative targets


def test_blank_qualitative_targets_score_with_one_warning(tmp_path: Path) -> None:
    indicators = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False)
    qualitative = pl.col("direction") == "定性"
    blanked = indicators.with_columns(
        pl.when(qualitative).then(None).otherwise(pl.col("target")).alias("target")
    )
    path = tmp_path / "indicators.csv"
    blanked.write_csv(path)

    def score(indicators: Path, out: str) -> object:
        args = [
            "-p",
            str(SAMPLE / "projects.csv"),
            "-i",
            str(indicators),
            "-o",
            str(tmp_path / out),
        ]
        return CliRunner().invoke(main, ["score", *args])

    before = score(SAMPLE / "indicators.csv", "a")
    after = score(path, "b")
    assert before.exit_code == 0, before.output
    assert after.exit_code == 0, after.output
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "unit_scores.csv").read_bytes() == (b / "unit_scores.csv").read_bytes()
    items_a = pl.read_csv(a / "item_scores.csv", infer_schema=False)
    items_b = pl.read_csv(b / "item_scores.csv", infer_schema=False)
    assert items_a.drop("target").equals(items_b.drop("target"))
    assert items_b.filter(pl.col("direction") == "qualitative")["target"].null_count() > 0
    # one warning for the whole file, saying how many and where
    assert not (a / "warnings.csv").exists()
    warnings = pl.read_csv(b / "warnings.csv")
    n = indicators.filter(qualitative).height
    assert warnings.height == 1
    (row,) = warnings.iter_rows(named=True)
    assert (row["file"], row["row"], row["column"], row["severity"]) == (
        "indicators.csv",
        None,
        "target",
        "warning",
    )
    first = indicators.with_row_index("r", offset=2).filter(qualitative)["r"][0]
    assert f"{n} 个定性指标的年度指标值为空（第 {first}、" in row["message"]
    assert "（警告）" in after.output and "个定性指标的年度指标值为空" in after.output


def test_blank_quantitative_target_is_still_an_error(
    projects: pl.DataFrame, indicators: pl.DataFrame
) -> None:
    quantitative = indicators.with_row_index("_i").filter(pl.col("direction") == "反向")["_i"][0]
    blanked = indicators.with_columns(
        pl.when(pl.int_range(pl.len()) == quantitative)
        .then(None)
        .otherwise(pl.col("target"))
        .alias("target")
    )
    report = perfkit.validate(projects, blanked)
    assert [(p.row, p.column, p.message) for p in report.errors] == [
        (quantitative + 1, "target", "缺少值")
    ]


def test_blank_target_and_unknown_phrase_are_both_listed(tmp_path: Path) -> None:
    path = tmp_path / "indicators.csv"
    path.write_text(
        "year,unit_code,level1,level2,name,direction,target,actual\n"
        "2024,P001,产出指标,数量指标,维修面积,正向,,950\n"
        "2024,P001,效益指标,社会效益指标,安全状况,定性,,大部分达成\n",
        encoding="utf-8",
    )
    report = perfkit.validate(ROOT / "tests" / "bad_inputs" / "valid_projects.csv", path)
    errors = [(p.row, p.column) for p in report.errors if p.file == "indicators.csv"]
    assert errors == [(2, "target"), (3, "actual")]
    (phrase,) = [p.message for p in report.errors if p.column == "actual"]
    for level, short in [
        ("达成年度指标", "达成、已达成、完成"),
        ("部分达成年度指标并具有一定效果", "部分达成、基本达成"),
        ("未达成年度指标且效果较差", "未达成、未完成"),
    ]:
        assert f"{level}（简写：{short}）" in phrase


# ---------------------------------------------------------------- notations in tables


def test_a_table_in_notation_scores_as_the_plain_table(
    projects: pl.DataFrame, indicators: pl.DataFrame, plain: perfkit.ScoreResult, tmp_path: Path
) -> None:
    written = in_notation(indicators)
    assert written["direction"].null_count() > 1000 and written["unit"].null_count() == len(written)
    path = tmp_path / "indicators.csv"
    written.write_csv(path)
    scored = perfkit.score(projects, path)
    assert scored.units.equals(plain.units)
    # the items show the number, the direction and the unit as the plain table does (a unit
    # split from a value is normalised as the forms reader does it: 台（套） → 台(套))
    nfkc = pl.col("unit").str.normalize("NFKC")
    # the indicators' file has its header on row 1 (the projects are a frame in both runs)
    in_file = (
        pl.when(pl.col("rule") == "execution_rate")
        .then(pl.col("source_row"))
        .otherwise(pl.col("source_row") + 1)
    )
    assert_frame_equal(scored.items, plain.items.with_columns(nfkc, in_file))
    assert scored.warnings == plain.warnings


def test_an_xlsx_table_in_notation_and_percent_cells_scores_as_the_plain_table(
    projects: pl.DataFrame, indicators: pl.DataFrame, tmp_path: Path
) -> None:
    dept = projects.filter(pl.col("dept_code") == "D01")
    own = indicators.filter(pl.col("unit_code").is_in(dept["project_code"].implode()))
    plain = perfkit.score(dept, own)
    written = in_notation(own)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "indicators"
    sheet.append(HEADERS_CN)
    percent = 0
    for i, (row, original) in enumerate(
        zip(written.iter_rows(), own.iter_rows(named=True), strict=True), start=2
    ):
        sheet.append(list(row))
        for cell in sheet[i]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text such as =0起, not a formula
        if original["unit"] == "%" and i % 3 == 0:
            # as Excel stores 96 % typed into a cell: the number 0.96, shown as a percentage
            sheet.cell(i, 8, float(original["actual"]) / 100).number_format = "0.00%"
            percent += 1
    book.save(tmp_path / "indicators.xlsx")
    assert percent > 10
    scored = perfkit.score(dept, tmp_path / "indicators.xlsx")
    assert scored.units.equals(plain.units)
    points = ["unit_code", "item", "direction", "target", "actual", "unit", "points"]
    nfkc = pl.col("unit").str.normalize("NFKC")
    assert_frame_equal(scored.items.select(points), plain.items.select(points).with_columns(nfkc))


def test_percent_cell_against_a_plain_number_is_read_as_percent(tmp_path: Path) -> None:
    # target 95 (%, in the unit column) and an actual typed as 96 % in Excel: before issue 13
    # the actual was read as 0.96 and the indicator scored 0.5 of 50 points
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["year", "unit_code", "level1", "level2", "name", "direction", "target"])
    sheet["H1"], sheet["I1"] = "actual", "unit"
    sheet.append([2024, "P1", "产出指标", "质量指标", "验收合格率", "正向", 95, 0.96, "%"])
    sheet["H2"].number_format = "0%"
    sheet.append([2024, "P1", "效益指标", "社会效益指标", "知晓率", "正向", 90, 88, "%"])
    book.save(tmp_path / "indicators.xlsx")
    from tests.builders import project

    scored = perfkit.score(project(), tmp_path / "indicators.xlsx")
    items = scored.items.filter(pl.col("rule") != "execution_rate")
    assert items.select("actual", "unit", "points").rows() == [
        ("96", "%", 56.25),
        ("88", "%", 33.0),
    ]


@pytest.mark.parametrize(
    ("direction", "target", "actual", "unit", "column", "message"),
    [
        ("反向", "≥95%", "96", None, "target", "'≥95%' 表示正向，与指标方向 '反向' 矛盾"),
        ("≤", "不低于3天", "2", None, "target", "'不低于3天' 表示正向，与指标方向 '≤' 矛盾"),
        ("正向", "95%", "96", "人次", "target", "'95%' 的单位 '%' 与计量单位 '人次' 不一致"),
        ("正向", "95", "96%", "人次", "actual", "'96%' 的单位 '%' 与计量单位 '人次' 不一致"),
        (None, "≥95%", "96人", None, "actual", "'96人' 的单位 '人' 与年度指标值的单位 '%' 不一致"),
        ("正向", "95%", "≥96%", None, "actual", "实际完成值 '≥96%' 带有方向（正向）"),
        (None, "95", "96", None, "direction", "缺少值"),
        ("正向", "九成五", "96", None, "target", "'九成五' 不是数字"),
    ],
)
def test_notation_contradictions_are_errors_naming_both(
    direction: str | None,
    target: str,
    actual: str,
    unit: str | None,
    column: str,
    message: str,
    tmp_path: Path,
) -> None:
    frame = pl.DataFrame(
        {
            "year": ["2024", "2024"],
            "unit_code": ["P1", "P1"],
            "level1": ["产出指标", "效益指标"],
            "level2": ["数量指标", "社会效益指标"],
            "name": ["甲", "乙"],
            "direction": [direction, "正向"],
            "target": [target, "90"],
            "actual": [actual, "90"],
            "unit": [unit, None],
        },
        schema_overrides={"direction": pl.String, "unit": pl.String},
    )
    path = tmp_path / "indicators.csv"
    frame.write_csv(path)
    from tests.builders import project

    report = perfkit.validate(project(), path)
    assert [(p.file, p.row, p.column) for p in report.errors] == [("indicators.csv", 2, column)]
    assert message in report.errors[0].message


def test_equal_symbol_and_units_agree(tmp_path: Path) -> None:
    path = tmp_path / "indicators.csv"
    path.write_text(
        "year,unit_code,level1,level2,name,direction,target,actual,unit\n"
        "2024,P1,产出指标,质量指标,安全事故,,=0起,0,起\n"
        "2024,P1,效益指标,社会效益指标,办结时限,反向,不超过3天,4天,天\n"
        "2024,P1,满意度指标,满意度指标,群众满意度,≥,≥ 90 %,95％,％\n",
        encoding="utf-8",
    )
    from tests.builders import project

    items = perfkit.score(project(), path).items.filter(pl.col("rule") != "execution_rate")
    assert items.select("direction", "target", "actual", "unit", "points").rows() == [
        ("equal", "0", "0", "起", 50.0),
        ("reverse", "3", "4", "天", 20.0),  # 30 × (1 − (4 − 3) / 3)
        ("positive", "90", "95", "％", 10.0),
    ]


def test_monitoring_reads_the_same_notation(tmp_path: Path) -> None:
    indicators = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False)
    written = in_notation(indicators)
    path = tmp_path / "indicators.csv"
    written.write_csv(path)
    args = (SAMPLE / "projects.csv", SAMPLE / "monitoring.csv", SAMPLE / "indicator_progress.csv")
    plain = perfkit.monitor(*args, indicators=SAMPLE / "indicators.csv", month=8)
    noted = perfkit.monitor(*args, indicators=path, month=8)
    keep = ["unit_code", "name", "indicator_alert", "progress"]
    assert noted.indicator_alerts.select(keep).equals(plain.indicator_alerts.select(keep))
    assert noted.alerts.equals(plain.alerts)
