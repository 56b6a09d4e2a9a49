"""The department evaluation notebook, executed through papermill on the sample data."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import nbformat
import openpyxl
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from perfkit.evaluation._department import evaluate_department
from tests.by_hand import grade_of, half_up, score_by_hand

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "department_evaluation.ipynb"
SAMPLE = ROOT / "data" / "sample"


def execute(tmp_path: Path, **parameters: object) -> nbformat.NotebookNode:
    params = {"data_dir": str(ROOT / "data" / "sample"), "output_dir": str(tmp_path), **parameters}
    return papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "out.ipynb"),
        parameters=params,
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
    )


def outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts += [str(v) for v in out.get("data", {}).values()]
    return "\n".join(parts)


def test_department_report_shows_what_the_evaluation_computed(tmp_path: Path) -> None:
    nb = execute(tmp_path, year=2023, dept_code="D04")
    ev = evaluate_department(ROOT / "data" / "sample", 2023, "D04")
    text = outputs_text(nb)
    assert ev.headline() in text
    for project in ev.projects.get_column("unit_name").to_list():
        assert project in text
    assert text.count("<svg") >= 2  # grade mix + scatter, points lost: inline SVG charts
    for caption in (
        "项目资金",
        "项目复算得分",
        "等级分布",
        "失分分布",
        "风险标记",
        "得分率最低的指标",
    ):
        assert re.search(f"<caption>[^<]*{caption}", text), caption
    assert "<caption>结果应用建议</caption>" in text
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads(json.dumps(ev.summary()))
    book = openpyxl.load_workbook(tmp_path / "2023-D04-评价结果.xlsx", read_only=True)
    rows = list(book["项目得分"].iter_rows(values_only=True))
    assert rows[0][:2] == ("单位编码", "名称")
    assert len(rows) - 1 == ev.projects.height
    totals = sorted(r[rows[0].index("总分")] for r in rows[1:])
    assert totals == sorted(ev.projects.get_column("total").to_list())
    # and what it shows is right: the figures worked out by hand from the CSV rows
    by_hand = [p for p in score_by_hand(SAMPLE, 2023).values() if p.dept_code == "D04"]
    score = half_up(sum(p.total * p.budget for p in by_hand) / sum(p.budget for p in by_hand))
    assert f"项目加权平均分{score}，等级为“{grade_of(score)}”" in text
    assert summary["score"] == float(score) and summary["grade"] == grade_of(score)
    code, total = rows[0].index("单位编码"), rows[0].index("总分")
    assert {r[code]: Decimal(str(r[total])) for r in rows[1:]} == {p.code: p.total for p in by_hand}


def test_parameters_are_documented() -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for line in params[0].source.splitlines():
        assert "#" in line, f"undocumented parameter: {line}"
    assert nb.cells[0].cell_type == "markdown"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize(
    ("parameters", "ename", "message"),
    [
        (
            {"year": 2024, "dept_code": "D99"},
            "PerfkitError",
            "department D99 has no project data for 2024",
        ),
        (
            {"year": 2024, "dept_code": "D12"},
            "PerfkitError",
            "the years with data for this department: 2022, 2023",
        ),
        ({"year": 2030, "dept_code": "D01"}, "PerfkitError", "no project data for 2030"),
        (
            {"year": 2024, "dept_code": "D01", "system": "no-such-system"},
            "SystemDefinitionError",
            "no-such-system",
        ),
    ],
)
def test_bad_parameters_stop_at_the_first_cell(
    tmp_path: Path, parameters: dict, ename: str, message: str
) -> None:
    with pytest.raises(PapermillExecutionError) as info:
        execute(tmp_path, **parameters)
    assert info.value.ename == ename
    assert message in info.value.evalue
    template = nbformat.read(str(NOTEBOOK), as_version=4)
    first_code = next(
        i
        for i, c in enumerate(template.cells)
        if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    )
    # the executed notebook has the injected parameters cell just before it
    assert info.value.cell_index == first_code + 1
    assert not (tmp_path / "summary.json").exists()
