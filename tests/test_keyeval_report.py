"""The key-evaluation report (issue 19, items 4–5): the official outline through the documents
engine, ``perfkit evaluate score --report``, and the schedule over the year's plan.

The numbers are checked against the scored result and against sums worked out here from its
leaves; the .docx is opened with python-docx, the PDF measured with pdfinfo.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from perfkit.cli import main
from perfkit.documents import (
    KEY_EVALUATION_OUTLINE,
    Notes,
    docx_bytes,
    key_evaluation_report,
    save_document,
)
from perfkit.errors import PerfkitError
from perfkit.keyeval import (
    KeyEvaluation,
    KeyEvaluationReport,
    evaluate_paper,
    read_survey,
    report_for,
    summarise_survey,
)
from tests.test_documents import ALL_NOTES, NEEDS_PDF, _body_text, _headings

ROOT = Path(__file__).resolve().parent.parent
KEY = ROOT / "data" / "sample" / "key_evaluation_2024"
PAPER = KEY / "working_paper_filled.xlsx"
DEPT_PAPER = KEY / "working_paper_department_filled.xlsx"
SURVEY = KEY / "survey.csv"
SAMPLE_PROJECTS = ROOT / "data" / "sample" / "projects.csv"


@pytest.fixture(scope="module")
def summary() -> pl.DataFrame:
    return summarise_survey(read_survey(SURVEY))


@pytest.fixture(scope="module")
def projects(summary: pl.DataFrame) -> KeyEvaluation:
    return evaluate_paper(PAPER, satisfaction=summary)


def _money_by_hand(code: str, kind: str, year: int = 2024) -> tuple[Decimal, Decimal]:
    """An object's full-year budget and executed (万元), summed from data/sample's projects.csv."""
    key = "project_code" if kind == "project" else "dept_code"
    with SAMPLE_PROJECTS.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["year"] == str(year) and r[key] == code]
    assert rows, code
    return (
        sum((Decimal(r["budget_full_year"]) for r in rows), Decimal(0)),
        sum((Decimal(r["executed"]) for r in rows), Decimal(0)),
    )


def _grade_by_hand(ev: KeyEvaluation, total: Decimal) -> str:
    return next(band.grade for band in ev.system.grades if total >= band.min)


def _scoring_table(document: docx.document.Document) -> docx.table.Table:
    return next(t for t in document.tables if t.rows[0].cells[0].text == "编号")


def test_outline_name_total_and_grade(projects: KeyEvaluation, summary: pl.DataFrame) -> None:
    obj = projects.objects[0]
    doc = key_evaluation_report(projects, obj.unit_code, survey=summary, sources=[PAPER, SURVEY])
    made = docx.Document(io.BytesIO(docx_bytes(doc)))
    assert _headings(made) == KEY_EVALUATION_OUTLINE
    assert [g.label for g in projects.system.groups] == ["决策", "过程", "产出", "效益"]
    assert _headings(made, "Heading 2")[:4] == [
        "（一）决策指标分析", "（二）过程指标分析", "（三）产出指标分析", "（四）效益指标分析",
    ]  # fmt: skip
    title = next(p.text for p in made.paragraphs if p.style.name == "Title")
    assert title == f"{obj.name}2024年度项目支出绩效评价报告"
    # the total is the sum of the leaves' rounded scores; the grade its band
    total = sum((leaf.score for leaf in obj.leaves), Decimal("0.00"))
    assert total == obj.total
    grade = _grade_by_hand(projects, total)
    assert grade == obj.grade
    text = _body_text(made)
    assert f"绩效评价得分{total:.2f}分，评价等级为“{grade}”" in text
    for group in obj.groups:  # each group's score rate, worked out from its leaves
        leaves = [leaf for leaf in obj.leaves if leaf.group == group.label]
        score = sum((leaf.score for leaf in leaves), Decimal(0))
        points = sum((leaf.points for leaf in leaves), Decimal(0))
        rate = (score * 100 / points).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert f"得分{score:.2f}分，得分率{rate:.2f}%" in text
    # every deduction of a judged leaf with its reason and evidence
    lost = [leaf for leaf in obj.leaves if leaf.source == "judged" and leaf.score < leaf.points]
    assert lost
    for leaf in lost:
        assert (
            f"“{leaf.label}”（分值{leaf.points:.2f}分，得分{leaf.score:.2f}分，"
            f"扣{leaf.points - leaf.score:.2f}分）：{leaf.reason}；佐证材料：{leaf.evidence}。"
        ) in text


def test_the_scoring_table_has_every_leaf(projects: KeyEvaluation) -> None:
    for obj in projects.objects:
        made = docx.Document(io.BytesIO(docx_bytes(key_evaluation_report(projects, obj.unit_code))))
        table = _scoring_table(made)
        header = [c.text for c in table.rows[0].cells]
        assert header == [
            "编号",
            "指标",
            "分值",
            "得分",
            "评分标准",
            "佐证材料／数据来源",
            "扣分理由",
        ]
        body = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert len(body) == len(obj.leaves) + 1  # the leaves and the 合计 row
        assert [r[0] for r in body[:-1]] == [leaf.item_id for leaf in obj.leaves]
        assert [r[3] for r in body[:-1]] == [f"{leaf.score:.2f}" for leaf in obj.leaves]
        assert [r[4] for r in body[:-1]] == [leaf.criterion or "—" for leaf in obj.leaves]
        assert body[-1][1] == "合计" and body[-1][3] == f"{obj.total:.2f}"
        assert body[-1][2] == f"{sum(leaf.points for leaf in obj.leaves):.2f}"


def test_the_survey_part_states_n_rate_and_wilson_interval(
    projects: KeyEvaluation, summary: pl.DataFrame
) -> None:
    obj = projects.objects[1]
    row = summary.filter(
        (pl.col("unit_code") == obj.unit_code) & (pl.col("question") == "ALL")
    ).row(0, named=True)
    doc = key_evaluation_report(projects, obj.unit_code, survey=summary)
    text = _body_text(docx.Document(io.BytesIO(docx_bytes(doc))))
    assert (
        f"有效回答{row['n']}个（各问题合计），满意及非常满意{row['satisfied']}个，"
        f"满意率{row['rate']:.2f}%，"
        f"95%置信区间（Wilson）{row['ci_low']:.2f}%至{row['ci_high']:.2f}%"
    ) in text
    without = _body_text(
        docx.Document(io.BytesIO(docx_bytes(key_evaluation_report(projects, obj.unit_code))))
    )
    assert "未提供该对象的满意度调查数据" in without and "Wilson" not in without


def test_placeholders_without_notes_and_none_with_them(projects: KeyEvaluation) -> None:
    code = projects.objects[0].unit_code
    bare = key_evaluation_report(projects, code)
    assert "五、主要经验及做法、存在的问题及原因分析：主要经验及做法" in bare.placeholders()
    assert "【待填写：有关建议】" in _body_text(docx.Document(io.BytesIO(docx_bytes(bare))))
    done = key_evaluation_report(projects, code, notes=Notes(**ALL_NOTES))
    assert done.placeholders() == []
    text = _body_text(docx.Document(io.BytesIO(docx_bytes(done))))
    assert "【待填写" not in text
    assert "建立了项目库。" in text and "评价机构：某某会计师事务所" in text


def test_the_department_frame_is_analysed_by_its_own_groups(summary: pl.DataFrame) -> None:
    ev = evaluate_paper(DEPT_PAPER, satisfaction=summary)
    doc = key_evaluation_report(ev, survey=summary)  # one object: no code needed
    assert doc.title == "外事办公室2024年度部门整体支出绩效评价报告"
    assert [t for level, t in doc.headings() if level == 1] == KEY_EVALUATION_OUTLINE
    assert [t for level, t in doc.headings() if level == 2][:4] == [
        "（一）投入指标分析", "（二）过程指标分析", "（三）产出指标分析", "（四）效果指标分析",
    ]  # fmt: skip


def test_cli_writes_one_report_per_object_and_final_writes_nothing(tmp_path: Path) -> None:
    args = ["evaluate", "score", "--workbook", str(PAPER), "--survey", str(SURVEY)]
    refused = CliRunner().invoke(
        main, [*args, "--out", str(tmp_path / "t"), "--report", str(tmp_path / "r.docx"), "--final"]
    )
    assert refused.exit_code == 1, refused.output
    assert "待填写" in refused.output and "Traceback" not in refused.output
    assert list(tmp_path.iterdir()) == []  # neither the reports nor the tables
    notes = tmp_path / "notes.yaml"
    notes.write_text("\n".join(f"{k}: {v!r}" for k, v in ALL_NOTES.items()), encoding="utf-8")
    out = tmp_path / "reports" / "报告.docx"
    out.parent.mkdir()
    done = CliRunner().invoke(
        main,
        [
            *args,
            "--out",
            str(tmp_path / "t"),
            "--report",
            str(out),
            "--notes",
            str(notes),
            "--final",
        ],
    )
    assert done.exit_code == 0, done.output
    ev = evaluate_paper(PAPER, satisfaction=summarise_survey(read_survey(SURVEY)))
    names = sorted(p.name for p in out.parent.iterdir())
    assert len(names) == len(ev.objects) == 4
    for obj in ev.objects:
        # names from the data pass the one sanitiser (（州本级） stays, no path separators)
        name = next(n for n in names if obj.unit_code in n)
        made = docx.Document(str(out.parent / name))
        assert _headings(made) == KEY_EVALUATION_OUTLINE
        assert f"绩效评价得分{obj.total:.2f}分，评价等级为“{obj.grade}”" in _body_text(made)
    assert (tmp_path / "t" / "key_evaluation_units.csv").is_file()


def test_cli_refuses_report_options_without_report(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["evaluate", "score", "--workbook", str(PAPER), "--out", str(tmp_path), "--final"]
    )
    assert result.exit_code == 1 and "--report" in result.output
    assert list(tmp_path.iterdir()) == []


@NEEDS_PDF
def test_pdf_is_a4_and_holds_the_total(tmp_path: Path, projects: KeyEvaluation) -> None:
    obj = projects.objects[2]
    pdf = tmp_path / "r.pdf"
    save_document(key_evaluation_report(projects, obj.unit_code), pdf)
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [line for line in info.splitlines() if line.startswith("Page") and "size" in line]
    assert sizes and all("(A4)" in line for line in sizes)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert f"绩效评价得分{obj.total:.2f}分" in flat and "附表1评分表" in flat


def test_the_schedule_runs_every_object_and_the_index_shows_scores(
    tmp_path: Path, projects: KeyEvaluation, summary: pl.DataFrame
) -> None:
    from perfkit.batch import run_schedule
    from perfkit.batch._schedule import load_schedule

    schedule = load_schedule(ROOT / "parameters" / "schedules" / "key_evaluation.yaml")
    assert schedule.formats == ["html", "docx", "pdf"]
    schedule = schedule.model_copy(
        update={"output_dir": tmp_path / "out", "workers": 1, "formats": ["html", "docx"]}
    )
    result = run_schedule(schedule, cwd=ROOT)
    assert result.ok == 5, result.failed
    dept = evaluate_paper(DEPT_PAPER, satisfaction=summary)
    expected = {o.unit_code: o for o in (*projects.objects, *dept.objects)}
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    budgets: list[Decimal] = []
    for code, obj in expected.items():
        run = tmp_path / "out" / f"2024-{code}"
        record = json.loads((run / "summary.json").read_text(encoding="utf-8"))
        assert (record["dept_code"], record["score"], record["grade"]) == (
            code, float(obj.total), obj.grade,
        )  # fmt: skip
        budget, executed = _money_by_hand(code, obj.kind)
        assert (record["budget_full_year"], record["executed"]) == (float(budget), float(executed))
        assert (
            f"<td>{code}</td><td>{obj.name}</td><td>2024</td>"
            f'<td class="num">{budget:,.2f}</td>'
            f'<td class="num">{obj.total:.2f}</td><td>{obj.grade}</td>'
        ) in index
        budgets.append(budget)
        made = docx.Document(str(run / "report.docx"))
        assert _headings(made) == KEY_EVALUATION_OUTLINE
        assert f"评价等级为“{obj.grade}”" in _body_text(made)
    assert f"{sum(budgets, Decimal(0)):,.2f}" in index  # the region's total budget


def test_no_soffice_no_pdf_and_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERFKIT_SOFFICE", str(tmp_path / "no-soffice-here"))
    result = CliRunner().invoke(
        main,
        ["evaluate", "score", "--workbook", str(PAPER), "--survey", str(SURVEY),
         "--out", str(tmp_path / "t"), "--report", str(tmp_path / "r.pdf")],
    )  # fmt: skip
    assert result.exit_code == 1 and "LibreOffice" in result.output
    assert not (tmp_path / "t").exists()
    assert not (tmp_path / "r.pdf").exists()


def test_the_summary_gives_known_budgets_and_leaves_unknown_ones_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    lines = (KEY / "projects.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if "P2022-D08-001" not in line]  # no rows for this object
    assert len(kept) == len(lines) - 1
    (data / "projects.csv").write_text("".join(kept), encoding="utf-8")

    def run(out: str, **more: Any) -> KeyEvaluationReport:
        return report_for(
            year=2024, workbook=PAPER, survey=SURVEY, output_dir=tmp_path / out, **more
        )

    report = run("a", data_dir=data)
    summary = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    assert summary == report.summary()
    objects = {o["unit_code"]: o for o in summary["objects"]}
    assert "budget_full_year" not in objects["P2022-D08-001"]
    assert "executed" not in objects["P2022-D08-001"]
    for code in ("P2022-D31-005", "P2024-D04-004", "P2022-D12-006"):
        budget, executed = _money_by_hand(code, "project")
        assert (objects[code]["budget_full_year"], objects[code]["executed"]) == (
            float(budget), float(executed),
        )  # fmt: skip
        assert objects[code]["n_projects"] == 1
    assert "budget_full_year" not in summary  # one object unknown: no total, never a partial one
    # every object known: the top level holds the sum, each object its own
    whole = run("b", data_dir=KEY).summary()
    sums = [_money_by_hand(o["unit_code"], "project") for o in whole["objects"]]
    assert whole["budget_full_year"] == float(sum((b for b, _ in sums), Decimal(0)))
    assert whole["executed"] == float(sum((e for _, e in sums), Decimal(0)))
    assert whole["n_projects"] == 4
    # no data folder: no money at all
    bare = run("c", units="P2022-D31-005").summary()
    assert bare["dept_code"] == "P2022-D31-005"
    assert not {"budget_full_year", "executed", "n_projects"} & bare.keys()


def test_a_missing_data_folder_is_a_bad_parameter(tmp_path: Path) -> None:
    with pytest.raises(PerfkitError, match="data_dir"):
        report_for(
            year=2024, workbook=PAPER, output_dir=tmp_path / "o", data_dir=tmp_path / "nowhere"
        )
    assert not (tmp_path / "o").exists()


def _judged_full_marks(sheet: openpyxl.worksheet.worksheet.Worksheet, least: float) -> int:
    """The first judged leaf's row given full marks of at least ``least`` points."""
    return next(
        row
        for row in range(6, sheet.max_row + 1)
        if sheet.cell(row, 7).value == "评价人评分"
        and isinstance(sheet.cell(row, 10).value, int | float)
        and sheet.cell(row, 10).value == sheet.cell(row, 5).value >= least
    )


def test_one_changed_score_moves_the_total_grade_and_table_by_exactly_that(
    tmp_path: Path, projects: KeyEvaluation, summary: pl.DataFrame
) -> None:
    code = "P2022-D31-005"
    before = next(o for o in projects.objects if o.unit_code == code)
    paper = tmp_path / "filled.xlsx"
    shutil.copy(PAPER, paper)
    book = openpyxl.load_workbook(paper)
    sheet = next(ws for ws in book.worksheets if ws.title.startswith(code + " "))
    row = _judged_full_marks(sheet, 2)
    item = str(sheet.cell(row, 1).value)
    points = Decimal(str(sheet.cell(row, 5).value))
    old = Decimal(str(sheet.cell(row, 10).value))
    assert old == points
    cut = Decimal("2.0")
    sheet.cell(row, 10).value = float(old - cut)
    sheet.cell(row, 12).value = "论证材料不完整"  # a deduction needs its reason
    book.save(paper)

    after_ev = evaluate_paper(paper, satisfaction=summary)
    after = next(o for o in after_ev.objects if o.unit_code == code)
    assert after.total == before.total - cut
    assert before.grade == _grade_by_hand(projects, before.total)
    assert after.grade == _grade_by_hand(after_ev, after.total)
    # the sample's object sits within 2 points above a band: the grade drops with it
    assert after.grade != before.grade
    # the other objects of the paper are untouched
    others = [o for o in after_ev.objects if o.unit_code != code]
    assert [(o.total, o.grade) for o in others] == [
        (o.total, o.grade) for o in projects.objects if o.unit_code != code
    ]
    # the scored items: only that leaf's score and reason changed
    key = ["unit_code", "item_id"]
    was, now = projects.items.sort(key), after_ev.items.sort(key)
    changed = was.with_row_index("_i").join(now, on=key, suffix="_new")
    for column in was.columns:
        if column in key:
            continue
        diff = changed.filter(pl.col(column).ne_missing(pl.col(f"{column}_new")))
        moved = set(zip(diff.get_column("unit_code"), diff.get_column("item_id"), strict=True))
        assert moved <= {(code, item)}, column
    leaf = {(lf.item_id): lf for lf in after.leaves}[item]
    assert leaf.score == old - cut and leaf.reason == "论证材料不完整"

    def table(ev: KeyEvaluation) -> list[list[str]]:
        made = docx.Document(io.BytesIO(docx_bytes(key_evaluation_report(ev, code))))
        return [[c.text for c in r.cells] for r in _scoring_table(made).rows]

    old_rows, new_rows = table(projects), table(after_ev)
    assert len(old_rows) == len(new_rows)
    differ = [i for i, (a, b) in enumerate(zip(old_rows, new_rows, strict=True)) if a != b]
    at = next(i for i, r in enumerate(old_rows) if r[0] == item)
    assert differ == [at, len(old_rows) - 1]  # that leaf and the 合计 row, nothing else
    assert Decimal(old_rows[at][3]) - Decimal(new_rows[at][3]) == cut
    assert new_rows[at][6] == "论证材料不完整"
    cells = zip(old_rows[at], new_rows[at], strict=True)
    assert [i for i, (a, b) in enumerate(cells) if a != b] == [3, 6]  # 得分, 扣分理由
    assert Decimal(old_rows[-1][3]) - Decimal(new_rows[-1][3]) == cut
    assert new_rows[-1][3] == f"{after.total:.2f}" and old_rows[-1][2] == new_rows[-1][2]
    # the report's text follows
    text = _body_text(docx.Document(io.BytesIO(docx_bytes(key_evaluation_report(after_ev, code)))))
    assert f"绩效评价得分{after.total:.2f}分，评价等级为“{after.grade}”" in text
