"""Readers on real files: encodings, Chinese headers, Excel, Parquet, frames, numbers, rows.

The reference is the valid pair of ``tests/bad_inputs/`` read as UTF-8 CSV with
English headers; every other way of handing in the same data must score
identically.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import perfkit
from perfkit.tables._read import detect_encoding, read_table

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_inputs"
VALID_P = CORPUS / "valid_projects.csv"
VALID_I = CORPUS / "valid_indicators.csv"
MERGED = HERE / "data" / "merged_projects.xlsx"

CHINESE_PROJECTS = {
    "year": "年度",
    "project_code": "项目编码",
    "project_name": "项目名称",
    "dept_code": "部门编码",
    "dept_name": "部门名称",
    "budget_initial": "年初预算数",
    "budget_full_year": "全年预算数",
    "executed": "全年执行数",
}
CHINESE_INDICATORS = {
    "year": "年度",
    "unit_code": "项目编码",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "direction": "指标方向",
    "target": "年度指标值",
    "actual": "实际完成值",
    "unit": "计量单位",
    "weight": "分值",
    "self_points": "自评得分",
}


def _text_frame(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def reference() -> perfkit.ScoreResult:
    return perfkit.score(VALID_P, VALID_I)


def assert_same_scores(result: perfkit.ScoreResult, reference: perfkit.ScoreResult) -> None:
    assert_frame_equal(result.units, reference.units)
    assert_frame_equal(result.items, reference.items)


def _csv_text(frame: pl.DataFrame) -> str:
    return frame.write_csv()


def _write_xlsx(path: Path, frame: pl.DataFrame, sheet: str, *, blank_after: int | None = None):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(frame.columns)
    for i, row in enumerate(frame.iter_rows()):
        ws.append(list(row))
        if blank_after == i:
            ws.append([])
    workbook.save(path)


# ---------------------------------------------------------------- encodings and headers


def test_gbk_csv_with_chinese_headers_scores_like_utf8(tmp_path: Path, reference) -> None:
    projects = _text_frame(VALID_P).rename(CHINESE_PROJECTS)
    indicators = _text_frame(VALID_I).rename(CHINESE_INDICATORS)
    p_path, i_path = tmp_path / "项目.csv", tmp_path / "指标.csv"
    p_path.write_bytes(_csv_text(projects).encode("gbk"))
    i_path.write_bytes(_csv_text(indicators).encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        p_path.read_bytes().decode("utf-8")  # really GBK, not UTF-8
    assert detect_encoding(i_path.read_bytes()) == "gb18030"
    raw = read_table(p_path, "projects")
    assert raw.header("project_code") == "项目编码"
    assert raw.frame.get_column("project_name").to_list() == ["校舍维修", "道路养护"]
    assert_same_scores(perfkit.score(p_path, i_path), reference)


def test_utf8_with_bom_scores_like_utf8(tmp_path: Path, reference) -> None:
    p_path, i_path = tmp_path / "p.csv", tmp_path / "i.csv"
    p_path.write_text(VALID_P.read_text(encoding="utf-8"), encoding="utf-8-sig")
    i_path.write_text(VALID_I.read_text(encoding="utf-8"), encoding="utf-8-sig")
    assert p_path.read_bytes().startswith(b"\xef\xbb\xbf")
    raw = read_table(p_path, "projects")
    assert raw.frame.columns[:2] == ["_row", "year"]  # the BOM is not part of the header
    assert raw.problems == []  # no "unknown column '\ufeffyear'" warning
    assert_same_scores(perfkit.score(p_path, i_path), reference)


# ---------------------------------------------------------------- Excel and Parquet


def test_xlsx_written_with_openpyxl(tmp_path: Path, reference) -> None:
    p_path, i_path = tmp_path / "p.xlsx", tmp_path / "i.xlsx"
    _write_xlsx(p_path, _text_frame(VALID_P), "projects")
    _write_xlsx(i_path, _text_frame(VALID_I), "indicators")
    assert_same_scores(perfkit.score(p_path, i_path), reference)


def test_xlsx_with_numeric_cells_and_chinese_headers(tmp_path: Path, reference) -> None:
    typed = pl.read_csv(VALID_P).rename(CHINESE_PROJECTS)
    assert typed.schema["全年预算数"].is_numeric()
    p_path, i_path = tmp_path / "p.xlsx", tmp_path / "i.xlsx"
    _write_xlsx(p_path, typed, "项目")  # the table's Chinese label as sheet name
    _write_xlsx(i_path, pl.read_csv(VALID_I).rename(CHINESE_INDICATORS), "Sheet1")
    assert_same_scores(perfkit.score(p_path, i_path), reference)


def test_one_workbook_with_both_sheets(tmp_path: Path, reference) -> None:
    path = tmp_path / "both.xlsx"
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, source in (("indicators", VALID_I), ("projects", VALID_P)):
        ws = workbook.create_sheet(name)
        frame = _text_frame(source)
        ws.append(frame.columns)
        for row in frame.iter_rows():
            ws.append(list(row))
    workbook.save(path)
    assert_same_scores(perfkit.score(path, path), reference)


@pytest.mark.parametrize("typed", [False, True], ids=["text", "typed"])
def test_parquet(tmp_path: Path, reference, typed: bool) -> None:
    p_path, i_path = tmp_path / "p.parquet", tmp_path / "i.parquet"
    read = pl.read_csv if typed else _text_frame
    read(VALID_P).write_parquet(p_path)
    read(VALID_I).write_parquet(i_path)
    assert_same_scores(perfkit.score(p_path, i_path), reference)


def test_merged_cells_are_filled_and_score() -> None:
    projects = read_table(MERGED, "projects").frame
    assert projects.select("project_code", "dept_code", "dept_name").rows() == [
        ("P001", "D01", "民政局"),
        ("P002", "D01", "民政局"),
    ]
    indicators = read_table(MERGED, "indicators").frame
    assert indicators.get_column("level1").to_list() == [
        "产出指标",
        "效益指标",
        "产出指标",
        "产出指标",
        "效益指标",
        "效益指标",
    ]
    assert indicators.get_column("_row").to_list() == [2, 3, 4, 5, 6, 7]
    report = perfkit.validate(MERGED, MERGED)
    assert report.ok, str(report)
    units = perfkit.score(MERGED, MERGED).units
    # P001: 100/120.5 → 8.30 + 56.25 + 33.75; P002: 59.99/60 → 10.00 + 25.32 + 28.12
    # + 16.88 + 16.87 (no 满意度 group: 产出 56.25, 效益 33.75, split equally)
    assert units.select("unit_code", "dept_name", "total", "grade").rows() == [
        ("P001", "民政局", 98.3, "优"),
        ("P002", "民政局", 97.19, "优"),
    ]


# ---------------------------------------------------------------- frames


def test_frames_give_the_outputs_of_the_files(df_module, reference) -> None:
    """Text frames and frames with the library's own dtypes score as the files do."""
    text = perfkit.score(df_module.read_csv_text(VALID_P), df_module.read_csv_text(VALID_I))
    typed = perfkit.score(df_module.read_csv_typed(VALID_P), df_module.read_csv_typed(VALID_I))
    for result in (text, typed):
        assert_frame_equal(result.units, reference.units)
        # a frame's rows are numbered from 1; a file's from its header line
        assert_frame_equal(
            result.items,
            reference.items.with_columns(pl.col("source_row") - 1),
        )
        assert result.from_pandas == (df_module.name == "pandas")
    units, items = text.to_pandas()
    assert isinstance(units, pd.DataFrame) and isinstance(items, pd.DataFrame)
    assert units["total"].tolist() == [97.67, 92.5]
    assert len(items) == reference.items.height


def test_frames_score_like_files(reference) -> None:
    result = perfkit.score(_text_frame(VALID_P), _text_frame(VALID_I))
    assert_frame_equal(result.units, reference.units)
    # items differ only in source_row: frames count from 1, files from 2 (header row)
    assert_frame_equal(result.items.drop("source_row"), reference.items.drop("source_row"))
    assert (
        result.items.get_column("source_row") + 1 == reference.items.get_column("source_row")
    ).all()


# ---------------------------------------------------------------- numbers


def _projects_with(tmp_path: Path, budget: str, executed: str) -> Path:
    lines = VALID_P.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[6], cells[7] = f'"{budget}"', f'"{executed}"'
    lines[1] = ",".join(cells)
    path = tmp_path / "projects.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("budget", "executed", "expected"),
    [
        ("1,234.50", "１２", (1234.5, 12.0)),
        ("１,２３４.５０", " 12 ", (1234.5, 12.0)),
        ("1,234,567.5", "１２０", (1234567.5, 120.0)),
        ("１２０", "1,100", (120.0, 1100.0)),
        ("1，234.50", "１２．５", (1234.5, 12.5)),
    ],
)
def test_full_width_digits_and_thousands_separators_parse(
    tmp_path: Path, budget: str, executed: str, expected: tuple[float, float]
) -> None:
    path = _projects_with(tmp_path, budget, executed)
    result = perfkit.score(path, VALID_I)
    row = result.units.filter(pl.col("unit_code") == "P001")
    assert row.select("budget_full_year", "executed").row(0) == expected


def test_full_width_numbers_score_like_ascii(tmp_path: Path, reference) -> None:
    path = _projects_with(tmp_path, "１２０", "１１０")
    assert_same_scores(perfkit.score(path, VALID_I), reference)


@pytest.mark.parametrize("bad", ["1,23", "12,34.5", "1.234,5", ",123"])
def test_malformed_thousands_separators_are_rejected(tmp_path: Path, bad: str) -> None:
    path = _projects_with(tmp_path, "120", bad)
    report = perfkit.validate(path, VALID_I)
    assert [(p.file, p.row, p.column) for p in report.errors] == [("projects.csv", 2, "executed")]
    assert f"'{bad}' is not a number" in report.errors[0].message


# ---------------------------------------------------------------- row numbers


def _bad_executed(frame: pl.DataFrame) -> pl.DataFrame:
    """P002's executed made negative (it is the second data row)."""
    return frame.with_columns(
        pl.when(pl.col("project_code") == "P002")
        .then(pl.lit("-1"))
        .otherwise(pl.col("executed"))
        .alias("executed")
    )


def test_csv_row_numbers_are_spreadsheet_rows(tmp_path: Path) -> None:
    lines = _bad_executed(_text_frame(VALID_P)).write_csv().splitlines()
    # a blank line and a quoted two-line name before the bad row: the spreadsheet
    # shows the header on row 1, P001 on row 2, an empty row 3, P002 on row 4
    lines[1] = lines[1].replace("校舍维修", '"校舍\n维修"')
    path = tmp_path / "projects.csv"
    path.write_text("\n".join([lines[0], lines[1], "", lines[2]]) + "\n", encoding="utf-8")
    report = perfkit.validate(path, VALID_I)
    assert [(p.file, p.row, p.column) for p in report.errors] == [("projects.csv", 4, "executed")]
    assert read_table(path, "projects").frame.get_column("_row").to_list() == [2, 4]


def test_csv_row_numbers_with_crlf_and_gbk(tmp_path: Path) -> None:
    frame = _bad_executed(_text_frame(VALID_P)).rename(CHINESE_PROJECTS)
    path = tmp_path / "projects.csv"
    path.write_bytes(frame.write_csv(line_terminator="\r\n").encode("gbk"))
    report = perfkit.validate(path, VALID_I)
    assert [(p.file, p.row, p.column) for p in report.errors] == [("projects.csv", 3, "全年执行数")]


def test_xlsx_row_numbers_are_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "projects.xlsx"
    _write_xlsx(path, _bad_executed(_text_frame(VALID_P)), "projects", blank_after=0)
    workbook = openpyxl.load_workbook(path)
    assert workbook["projects"]["B4"].value == "P002"  # the bad row is spreadsheet row 4
    report = perfkit.validate(path, VALID_I)
    assert [(p.file, p.row, p.column) for p in report.errors] == [("projects.xlsx", 4, "executed")]


def test_indicator_row_numbers_in_xlsx(tmp_path: Path) -> None:
    indicators = _text_frame(VALID_I).with_columns(
        pl.when(pl.col("name") == "群众满意度")
        .then(pl.lit("上升"))
        .otherwise(pl.col("direction"))
        .alias("direction")
    )
    path = tmp_path / "indicators.xlsx"
    _write_xlsx(path, indicators, "indicators")
    report = perfkit.validate(VALID_P, path)
    assert [(p.file, p.row, p.column) for p in report.errors] == [
        ("indicators.xlsx", 8, "direction")
    ]


def test_problems_in_frames_name_their_rows(df_module) -> None:
    """Every problem of the files, at the same data row of the frames (counted from 1)."""
    p, i = CORPUS / "many_problems_projects.csv", CORPUS / "many_problems_indicators.csv"
    files = perfkit.validate(p, i).problems
    frames = perfkit.validate(df_module.read_csv_text(p), df_module.read_csv_text(i)).problems
    names = {p.name: "<projects>", i.name: "<indicators>"}
    assert len(frames) == len(files) == 9
    assert [(x.file, x.row, x.column) for x in frames] == [
        (names[x.file], x.row - 1, x.column) for x in files
    ]
