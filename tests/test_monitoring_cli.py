"""``perfkit monitor``: files, the coloured workbook, exit codes and bad input.

Bad input never passes silently: every problem is listed at once with file,
row and column, the exit status is 1 without a traceback, and nothing is
written.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner, Result

import perfkit
from perfkit.cli import main
from perfkit.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
BOM = b"\xef\xbb\xbf"
FILES = [
    "alerts.csv",
    "indicator_alerts.csv",
    "monitoring.xlsx",
    "review.csv",
    "summary.txt",
    "summary_departments.csv",
    "summary_region.csv",
]
FILLS = {"红": "FFD32F2F", "黄": "FFFBC02D", "绿": "FF388E3C", "蓝": "FF1976D2"}


def run(*args: object) -> Result:
    return CliRunner().invoke(main, ["monitor", *[str(a) for a in args]])


def sample_args(*extra: object) -> list[object]:
    return [
        "--projects", SAMPLE / "projects.csv",
        "--monitoring", SAMPLE / "monitoring.csv",
        "--indicator-progress", SAMPLE / "indicator_progress.csv",
        "--indicators", SAMPLE / "indicators.csv",
        *extra,
    ]  # fmt: skip


def read_csv(path: Path) -> pl.DataFrame:
    data = path.read_bytes()
    assert data.startswith(BOM), f"{path.name} has no UTF-8 BOM"
    return pl.read_csv(io.BytesIO(data[len(BOM) :]), infer_schema=False)


@pytest.fixture(scope="module")
def august(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("monitor") / "out"
    result = run(*sample_args("--month", 8, "--out", out))
    assert result.exit_code == 0, result.output
    return out, result


# ---------------------------------------------------------------- files


def test_writes_every_file_and_prints_the_region_sentence(august) -> None:
    out, result = august
    assert sorted(p.name for p in out.iterdir()) == FILES
    assert (
        "2024-8 performance monitoring: 602 project(s), 137,893.79 (10k yuan); "
        "overall progress 68%, slightly above the time progress 66.67%" in result.output
    )
    assert "execution alerts: red 51 (" in result.output
    assert not [p for p in out.parent.iterdir() if ".partial" in p.name]


def test_alerts_csv(august) -> None:
    out, _ = august
    alerts = read_csv(out / "alerts.csv")
    required = [
        "unit_code",
        "time_progress",
        "execution_rate",
        "execution_alert",
        "indicator_alert",
    ]
    assert set(required) <= set(alerts.columns)
    assert alerts.height == 602
    assert set(alerts["execution_alert"].drop_nulls()) == {"red", "yellow", "green"}
    assert set(alerts["indicator_alert"].drop_nulls()) == {"red", "yellow", "green", "blue"}
    assert alerts["time_progress"].unique().to_list() == ["66.67"]
    seed = alerts.filter(pl.col("unit_code") == "P2020-D12-006").row(0, named=True)
    assert seed["dept_code"] == "D41" and seed["execution_alert"] == "red"
    assert seed["reasons"].startswith("预算执行率")
    result = perfkit.monitor(*[SAMPLE / f for f in ("projects.csv", "monitoring.csv")], month=8)
    assert alerts["execution_alert"].to_list() == result.alerts_pl["execution_alert"].to_list()


def test_indicator_alerts_and_summaries(august) -> None:
    out, _ = august
    ind = read_csv(out / "indicator_alerts.csv")
    assert ind.height == 4212
    assert {"name", "target", "actual_to_date", "progress", "indicator_alert", "basis"} <= set(
        ind.columns
    )
    departments = read_csv(out / "summary_departments.csv")
    assert departments.height == 40
    assert {"red_projects", "red_budget", "overall_progress", "sentence"} <= set(
        departments.columns
    )
    region = read_csv(out / "summary_region.csv")
    assert region["overall_progress"].to_list() == ["68.0"]
    text = (out / "summary.txt").read_text(encoding="utf-8")
    assert text.startswith("2024年8月项目绩效监控602个")
    assert "外事办公室：2024年8月项目绩效监控" in text
    review = read_csv(out / "review.csv")
    assert set(review["unit_code"]) == set(
        read_csv(out / "alerts.csv").filter(pl.col("execution_alert") == "red")["unit_code"]
    )


def test_workbook_has_chinese_coloured_alerts(august) -> None:
    out, _ = august
    book = openpyxl.load_workbook(out / "monitoring.xlsx")
    assert book.sheetnames == ["全区汇总", "部门汇总", "项目预警", "指标预警", "需复核资金", "说明"]
    seen: dict[str, set[str]] = {}
    for sheet_name, header in (("项目预警", "执行预警"), ("项目预警", "指标预警"),
                               ("指标预警", "指标预警")):  # fmt: skip
        sheet = book[sheet_name]
        headers = [c.value for c in sheet[1]]
        col = headers.index(header) + 1
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row, col)
            if cell.value is None:
                continue
            assert cell.value in FILLS, f"{sheet_name}!{cell.coordinate} = {cell.value!r}"
            assert cell.fill.fgColor.rgb == FILLS[cell.value], cell.coordinate
            seen.setdefault(sheet_name, set()).add(cell.value)
    assert seen["项目预警"] == {"红", "黄", "绿", "蓝"}
    assert seen["指标预警"] == {"红", "黄", "绿", "蓝"}
    alerts = book["项目预警"]
    headers = [c.value for c in alerts[1]]
    assert {"单位编码", "序时进度（%）", "预算执行率（%）", "预警原因"} <= set(headers)
    region = book["全区汇总"]
    sentence = region.cell(2, [c.value for c in region[1]].index("监控结论") + 1).value
    assert sentence.endswith("总体进度68%，略高于序时进度66.67%")
    rules = [c.value for c in book["说明"]["B"]]
    assert any("恰为60为黄、恰为80为绿" in str(v) for v in rules)


def test_department_and_as_of(tmp_path) -> None:
    out = tmp_path / "d27"
    result = run(*sample_args("--as-of", "2024-08-31", "--dept", "D27", "--out", out))
    assert result.exit_code == 0, result.output
    assert "as of 2024-8-31 performance monitoring" in result.output
    alerts = read_csv(out / "alerts.csv")
    assert alerts["dept_code"].unique().to_list() == ["D27"]
    assert alerts["as_of"].unique().to_list() == ["2024-08-31"]
    assert alerts["time_progress"].unique().to_list() == ["66.67"]  # 244 / 366


def test_without_indicator_progress(tmp_path) -> None:
    p = tmp_path / "p.csv"
    m = tmp_path / "m.csv"
    p.write_text(
        "年度,项目编码,项目名称,部门编码,部门名称,全年预算数\n2024,P1,项目,D1,部门,100\n",
        encoding="gb18030",
    )
    m.write_text("年度,月份,项目编码,累计执行数\n2024,12,P1,59.99\n", encoding="utf-8")
    result = run("-p", p, "-m", m, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    alerts = read_csv(tmp_path / "out" / "alerts.csv")
    assert alerts.select("time_progress", "execution_alert", "indicator_alert").row(0) == (
        "100.0",
        "red",
        None,
    )
    assert read_csv(tmp_path / "out" / "indicator_alerts.csv").height == 0


def test_rerun_replaces_the_outputs(tmp_path) -> None:
    p, m = tmp_path / "p.csv", tmp_path / "m.csv"
    p.write_text("year,project_code,project_name,dept_code,dept_name,budget_full_year\n"
                 "2024,P1,项目,D1,部门,100\n")  # fmt: skip
    m.write_text("year,month,unit_code,executed_to_date\n2024,6,P1,10\n2024,8,P1,80\n")
    out = tmp_path / "out"
    assert run("-p", p, "-m", m, "--month", 6, "--out", out).exit_code == 0
    (out / "mine.txt").write_text("keep")
    assert run("-p", p, "-m", m, "--month", 8, "--out", out).exit_code == 0
    assert read_csv(out / "alerts.csv")["execution_alert"].to_list() == ["green"]
    assert (out / "mine.txt").read_text() == "keep"
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, "mine.txt"])


def test_usage_errors_exit_2(tmp_path) -> None:
    result = run("--monitoring", tmp_path / "m.csv", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "--projects" in result.output


# ---------------------------------------------------------------- bad input


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    texts = {
        "projects.csv": "year,project_code,project_name,dept_code,dept_name,budget_full_year\n"
        "2024,P1,项目一,D1,部门一,100\n"
        "2024,P2,项目二,D1,部门一,100\n",
        "monitoring.csv": "year,month,unit_code,executed_to_date\n"
        "2024,5,P1,50\n"
        "2024,8,P1,40\n"  # row 3: lower than May
        "2024,13,P2,60\n"  # row 4: month 13
        "2024,8,P9,1\n",  # row 5: unknown project
        "indicators.csv": "year,unit_code,level1,level2,name,direction,target,actual\n"
        "2024,P1,产出指标,数量指标,人数,正向,100,\n"
        "2024,P1,效益指标,社会效益,效果,定性,有效,\n"
        "2024,P2,产出指标,数量指标,面积,正向,很多,\n",  # row 4: target not a number
        "indicator_progress.csv": "year,month,unit_code,name,actual_to_date\n"
        "2024,8,P1,人数,一半\n"  # row 2: not a number
        "2024,8,P1,效果,差不多\n"  # row 3: not a level phrase
        "2024,8,P1,不存在,1\n"  # row 4: no such indicator
        "2024,8,P2,面积,10\n"
        "2024,8,P7,人数,1\n",  # row 6: unknown project
    }
    out = {}
    for name, text in texts.items():
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    return out


IP, IND, MON = "indicator_progress.csv", "indicators.csv", "monitoring.csv"
EXPECTED = [
    "<parameters>: month: month must be a whole number from 1 to 12, not 13",
    f"{IP}:2: actual_to_date: '一半' is not a number (indicator '人数' is quantitative)",
    f"{IP}:3: actual_to_date: qualitative progress '差不多' of indicator '效果' is not one of",
    f"{IP}:4: name: indicator '不存在' is not an indicator of P1 in {IND} for year 2024",
    f"{IP}:6: unit_code: no project P7 in projects.csv for year 2024",
    f"{IND}:4: target: target '很多' is not a number (the indicator is quantitative)",
    f"{MON}:3: executed_to_date: executed_to_date 40 is below 50 of month 5 (row 2): "
    "cumulative spending cannot go down",
    f"{MON}:4: month: month must be a whole number from 1 to 12, not '13'",
    f"{MON}:5: unit_code: no project P9 in projects.csv for year 2024",
]


def test_every_problem_at_once(files, tmp_path) -> None:
    out = tmp_path / "out"
    result = run(
        "-p", files["projects.csv"], "-m", files["monitoring.csv"],
        "--indicator-progress", files["indicator_progress.csv"], "-i", files["indicators.csv"],
        "--month", 13, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Traceback" not in result.output and not isinstance(result.exception, InputError)
    lines = [line for line in result.output.splitlines() if not line.startswith("✗")]
    assert len(lines) == len(EXPECTED), result.output
    for line, expected in zip(lines, EXPECTED, strict=True):
        assert line.startswith(expected), (line, expected)
    assert "✗ 9 problem(s) in the input; nothing was written" in result.output
    assert not out.exists()


def test_the_api_raises_the_same_problems(files) -> None:
    with pytest.raises(InputError) as info:
        perfkit.monitor(
            files["projects.csv"], files["monitoring.csv"], files["indicator_progress.csv"],
            indicators=files["indicators.csv"], month=13,
        )  # fmt: skip
    problems = info.value.problems
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("<parameters>", None, "month"),
        ("indicator_progress.csv", 2, "actual_to_date"),
        ("indicator_progress.csv", 3, "actual_to_date"),
        ("indicator_progress.csv", 4, "name"),
        ("indicator_progress.csv", 6, "unit_code"),
        ("indicators.csv", 4, "target"),
        ("monitoring.csv", 3, "executed_to_date"),
        ("monitoring.csv", 4, "month"),
        ("monitoring.csv", 5, "unit_code"),
    ]


PARAMS = "<parameters>"
BAD_PARAMETERS = [
    (["--as-of", "2023-08-31"], f"{MON}:2: year: as-of date 2023-08-31 is not in the data's year"),
    (
        ["--year", "2024", "--as-of", "2023-08-31"],
        f"{PARAMS}: as_of: as-of date 2023-08-31 is not in the year 2024",
    ),
    (
        ["--month", "8", "--as-of", "2024-09-01"],
        f"{PARAMS}: as_of: as-of date 2024-09-01 is not in month 8",
    ),
    (["--as-of", "31/08/2024"], f"{PARAMS}: as_of: as-of date '31/08/2024' is not a date like"),
    (["--month", "0"], f"{PARAMS}: month: month must be a whole number from 1 to 12, not 0"),
    (
        ["--month", "6"],
        f"{MON}: month: no monitoring rows for 2024 month 6; the data has month(s) 5, 8 of 2024",
    ),
    (["--dept", "D9"], "projects.csv: dept_code: no project of department D9 in 2024"),
]


@pytest.mark.parametrize(("args", "expected"), BAD_PARAMETERS)
def test_bad_parameters(tmp_path, args, expected) -> None:
    p, m = tmp_path / "projects.csv", tmp_path / "monitoring.csv"
    p.write_text("year,project_code,project_name,dept_code,dept_name,budget_full_year\n"
                 "2024,P1,项目,D1,部门,100\n")  # fmt: skip
    m.write_text("year,month,unit_code,executed_to_date\n2024,5,P1,10\n2024,8,P1,80\n")
    result = run("-p", p, "-m", m, *args, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_indicator_progress_needs_indicators(files, tmp_path) -> None:
    result = run(
        "-p", files["projects.csv"], "-m", files["projects.csv"],
        "--indicator-progress", files["indicator_progress.csv"], "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "indicator progress needs the annual targets and directions" in result.output
    # the monitoring argument was the projects file: its missing columns are listed too
    assert "projects.csv: month: required column missing" in result.output


def test_missing_file_and_duplicate_rows(tmp_path) -> None:
    m = tmp_path / "m.csv"
    m.write_text("year,month,unit_code,executed_to_date\n2024,5,P1,10\n2024,5,P1,20\n")
    result = run("-p", tmp_path / "nope.csv", "-m", m, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "nope.csv: file not found" in result.output
    assert "m.csv:3: unit_code: duplicate key (year=2024, month=5, unit_code=P1) also on row 2" in (
        result.output
    )
