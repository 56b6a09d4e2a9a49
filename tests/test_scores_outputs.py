"""Small things a user hits in the scoring outputs (issue 13, part 7).

* ``scores.xlsx`` headed two columns 预算执行率 (the rate and the points): the
  points are now 预算执行率得分 (every group's points column says 得分).
* A project whose 满意度指标 points moved to 产出/效益 showed 满意度指标 ``0.0``:
  it is empty in the CSV and 不适用 in the workbook.
* A weight of ``1e-9`` was reported as "weight 0 must be above 0".
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
from click.testing import CliRunner

import perfkit
from perfkit.cli import main
from tests.builders import project

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "bad_inputs"


def _indicators(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "indicators.csv"
    path.write_text("year,unit_code,level1,level2,name,direction,target,actual,weight\n" + body)
    return path


def test_workbook_headers_name_the_rate_and_the_points_apart(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["-p", str(CORPUS / "valid_projects.csv"), "-i", str(CORPUS / "valid_indicators.csv")]
    result = CliRunner().invoke(main, ["score", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out / "scores.xlsx")["单位得分"]
    header = [c.value for c in sheet[1]]
    assert len(set(header)) == len(header)
    assert "预算执行率（%）" in header and "预算执行率得分" in header
    assert [h for h in header if h.startswith("预算执行率")] == [
        "预算执行率（%）",
        "预算执行率得分",
    ]
    for group in ("产出指标得分", "效益指标得分", "满意度指标得分"):
        assert group in header
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    rate, points = header.index("预算执行率（%）"), header.index("预算执行率得分")
    assert (rows["P001"][rate], rows["P001"][points]) == (91.67, 9.17)  # 110 / 120; × 10


def test_satisfaction_not_applicable_instead_of_zero(tmp_path: Path) -> None:
    # P1 has no 满意度 indicator: its 10 points moved to 产出/效益 (56.25 / 33.75)
    indicators = _indicators(
        tmp_path,
        "2024,P1,产出指标,数量指标,甲,正向,100,100,\n2024,P1,效益指标,社会效益指标,乙,正向,100,50,\n",
    )
    result = perfkit.score(project(), indicators)
    unit = result.units.row(0, named=True)
    assert (unit["产出指标"], unit["效益指标"], unit["满意度指标"]) == (56.25, 16.88, None)
    assert unit["total"] == 83.13  # 10 + 56.25 + 16.88: the total is unchanged
    result.write(tmp_path / "out")
    csv = pl.read_csv(tmp_path / "out" / "unit_scores.csv", infer_schema=False)
    assert csv["满意度指标"].to_list() == [None]
    sheet = openpyxl.load_workbook(tmp_path / "out" / "scores.xlsx")["单位得分"]
    header = [c.value for c in sheet[1]]
    values = [c.value for c in sheet[2]]
    assert values[header.index("满意度指标得分")] == "不适用"
    assert values[header.index("产出指标得分")] == 56.25
    about = openpyxl.load_workbook(tmp_path / "out" / "scores.xlsx")["说明"]
    notes = {r[0]: r[1] for r in about.iter_rows(values_only=True)}
    assert "满意度指标的分值已按比例并入产出、效益指标" in notes["不适用"]


def test_a_tiny_weight_is_reported_as_given(tmp_path: Path) -> None:
    indicators = _indicators(
        tmp_path,
        "2024,P1,产出指标,数量指标,甲,正向,100,100,1e-9\n"
        "2024,P1,效益指标,社会效益指标,乙,正向,100,100,0\n"
        "2024,P1,满意度指标,满意度指标,丙,正向,100,100,89.999\n",
    )
    report = perfkit.validate(project(), indicators)
    messages = {(p.row, p.message) for p in report.errors if p.column == "weight"}
    assert (2, "weight 1e-9 has more than two decimals") in messages
    assert (3, "weight 0 must be above 0") in messages
    assert (4, "weight 89.999 has more than two decimals") in messages
    assert not any("weight 0 must" in m for r, m in messages if r == 2)
