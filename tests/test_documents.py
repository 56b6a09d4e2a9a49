"""The deliverable documents (issue 15): the .docx opened with python-docx, the PDF read back.

* the department report's outline (一 … 七, 附件) in order, its title naming the department
  and the year, its score and grade equal to the ones worked out by hand (tests/by_hand.py);
* the East Asian font (``w:eastAsia``) on every run of the body and the tables, A4 portrait,
  header rows repeated, a PAGE field and a TOC field;
* placeholders without notes, none with them; ``--final`` refuses and lists them, writing
  nothing; a bad notes file is a clear error (file and key), exit status 1;
* one input value changed → the sentence stating it changes to the value worked out by hand;
* the PDF (LibreOffice) is A4 on every page, holds the numbers and a numbered contents;
* a bureau's template replaces the styles and keeps its letterhead.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from docx.shared import Mm

from perfkit.batch import run_schedule
from perfkit.batch._schedule import Schedule
from perfkit.cli import main
from perfkit.documents import (
    ANNUAL_OUTLINE,
    DEPARTMENT_OUTLINE,
    MONITORING_OUTLINE,
    Document,
    Notes,
    Table,
    annual_report,
    department_report,
    docx_bytes,
    load_notes,
    monitoring_report,
    save_document,
    to_html,
)
from perfkit.errors import PerfkitError
from tests.by_hand import half_up, read_rows, score_by_hand

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"

NEEDS_PDF = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
    reason="LibreOffice (soffice) or poppler-utils (pdfinfo) missing; "
    ".ci/run installs libreoffice-writer-nogui and poppler-utils",
)

ALL_NOTES = {
    "organisation": "某某会计师事务所",
    "date": "2025年3月31日",
    "process": "前期准备、现场评价、撰写报告三个阶段。",
    "conclusion": "总体较好。",
    "experience": "建立了项目库。\n\n实行了绩效目标审核。",
    "causes": "部分项目前期论证不足。",
    "suggestions": "加强项目前期论证。",
    "other": "无。",
    "next_steps": "继续推进。",
}


@pytest.fixture(scope="module")
def d01() -> Document:
    return department_report(SAMPLE, 2024, "D01", figures=False)


@pytest.fixture(scope="module")
def d01_docx(d01: Document) -> docx.document.Document:
    return docx.Document(io.BytesIO(docx_bytes(d01)))


def _headings(document: docx.document.Document, style: str = "Heading 1") -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def _body_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_department_outline_title_and_name(d01_docx: docx.document.Document) -> None:
    assert _headings(d01_docx) == DEPARTMENT_OUTLINE
    title = next(p.text for p in d01_docx.paragraphs if p.style.name == "Title")
    assert title == "教育局2024年度项目支出绩效评价报告"
    assert "（部门编码：D01）" in _body_text(d01_docx)


def test_score_and_grade_are_the_ones_worked_out_by_hand(
    d01_docx: docx.document.Document,
) -> None:
    projects = [p for (y, _), p in score_by_hand(SAMPLE, 2024).items() if p.dept_code == "D01"]
    budget = sum(p.budget for p in projects)
    score = half_up(sum(p.total * p.budget for p in projects) / budget)
    grade = "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"
    plain = half_up(sum(p.total for p in projects) / len(projects))
    text = _body_text(d01_docx)
    assert f"加权平均为{score}分，等级为“{grade}”；简单平均为{plain}分" in text
    counts = {g: sum(p.grade == g for p in projects) for g in "优良中差"}
    assert f"评价结果等级为优的项目{counts['优']}个" in text
    assert f"差的项目{counts['差']}个" in text


def test_every_run_has_an_east_asian_font(d01_docx: docx.document.Document) -> None:
    runs = [r for p in d01_docx.paragraphs for r in p.runs]
    runs += [
        r
        for t in d01_docx.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    ]
    runs += [r for s in d01_docx.sections for p in s.footer.paragraphs for r in p.runs]
    assert len(runs) > 300
    missing = [
        r.text
        for r in runs
        if r._element.rPr is None
        or r._element.rPr.rFonts is None
        or not r._element.rPr.rFonts.get(qn("w:eastAsia"))
    ]
    assert missing == []
    body = [r for p in d01_docx.paragraphs if p.style.name == "Normal" for r in p.runs if r.text]
    assert {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in body} >= {"仿宋"}
    heads = [r for p in d01_docx.paragraphs if p.style.name == "Heading 1" for r in p.runs]
    assert {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in heads} == {"黑体"}


def test_a4_page_numbers_toc_and_repeated_header_rows(d01_docx: docx.document.Document) -> None:
    section = d01_docx.sections[0]
    # stored in twentieths of a point: A4 is 11906 × 16838
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    footer = section.footer.paragraphs[0]._p
    assert "PAGE" in "".join(t.text for t in footer.iter(qn("w:instrText")))
    body = d01_docx.element.body
    assert any((t.text or "").strip().startswith("TOC") for t in body.iter(qn("w:instrText")))
    assert d01_docx.tables
    for table in d01_docx.tables:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None


def test_placeholders_without_notes_and_none_with_them(d01: Document) -> None:
    assert "七、其他需要说明的问题：其他需要说明的问题" in d01.placeholders()
    text = _body_text(docx.Document(io.BytesIO(docx_bytes(d01))))
    assert "【待填写：主要经验及做法】" in text
    done = department_report(SAMPLE, 2024, "D01", notes=Notes(**ALL_NOTES), figures=False)
    assert done.placeholders() == []
    text = _body_text(docx.Document(io.BytesIO(docx_bytes(done))))
    assert "【待填写" not in text
    assert "建立了项目库。" in text and "实行了绩效目标审核。" in text
    assert "评价机构：某某会计师事务所" in text


def test_final_refuses_with_placeholders_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    args = ["report", "department", "--data", str(SAMPLE), "--year", "2024", "--dept", "D01"]
    result = CliRunner().invoke(main, [*args, "--no-figures", "--final", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "待填写" in result.output and "主要经验及做法" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
    notes = tmp_path / "notes.yaml"
    notes.write_text("\n".join(f"{k}: {v!r}" for k, v in ALL_NOTES.items()), encoding="utf-8")
    result = CliRunner().invoke(
        main, [*args, "--no-figures", "--final", "--notes", str(notes), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert _headings(docx.Document(str(out))) == DEPARTMENT_OUTLINE


def test_bad_notes_files_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "notes.yaml"
    bad.write_text("experiense: x\nother: [1, 2]\n", encoding="utf-8")
    with pytest.raises(PerfkitError) as info:
        load_notes(bad)
    message = str(info.value)
    assert str(bad) in message and "experiense" in message and "other" in message
    md = tmp_path / "notes.md"
    md.write_text("开头\n## 主要经验及做法\n好。\n## 经验\nx\n", encoding="utf-8")
    with pytest.raises(PerfkitError) as info:
        load_notes(md)
    assert "第 1 行" in str(info.value) and "第 4 行" in str(info.value)
    md.write_text("# 说明\n## 主要经验及做法\n建立了项目库。\n\n## other\n无。\n", encoding="utf-8")
    assert load_notes(md).paragraphs("experience") == ["建立了项目库。"]
    result = CliRunner().invoke(
        main,
        [
            "report",
            "annual",
            "--data",
            str(SAMPLE),
            "--year",
            "2024",
            "--notes",
            str(bad),
            "--out",
            str(tmp_path / "a.docx"),
        ],
    )
    assert result.exit_code == 1 and "experiense" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "a.docx").exists()


def _copy_sample(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("verification_*"))
    return data


def test_one_changed_value_changes_its_sentence(tmp_path: Path) -> None:
    data = _copy_sample(tmp_path)
    path = data / "projects.csv"
    rows = read_rows(path)
    target = next(r for r in rows if r["year"] == "2024" and r["dept_code"] == "D01")
    target["executed"] = str(Decimal(target["executed"]) - Decimal("100.01"))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    def sentence(folder: Path) -> str:
        doc = department_report(folder, 2024, "D01", figures=False)
        return doc.sections[0].blocks[0].text

    mine = [r for r in rows if r["year"] == "2024" and r["dept_code"] == "D01"]
    full = sum(Decimal(r["budget_full_year"]) for r in mine)
    executed = sum(Decimal(r["executed"]) for r in mine)
    expected = f"全年执行{executed:,.2f}万元，预算执行率{half_up(executed * 100 / full)}%"
    before, after = sentence(SAMPLE), sentence(data)
    assert before != after
    assert expected in after and expected not in before


def test_html_escapes_names_and_prints_on_a4() -> None:
    doc = Document("<script>alert(1)</script>局")
    doc.section("一、基本情况").add("项目<img src=x onerror=alert(1)>共3个。")
    page = str(to_html(doc, standalone=True))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page and "@page{size:A4 portrait" in page


def test_monitoring_report_numbers_from_the_data() -> None:
    doc = monitoring_report(SAMPLE, 2024, 5, figures=False)
    assert [t for level, t in doc.headings() if level == 1] == MONITORING_OUTLINE
    projects = {
        r["project_code"]: Decimal(r["budget_full_year"])
        for r in read_rows(SAMPLE / "projects.csv")
        if r["year"] == "2024"
    }
    rows = [
        r for r in read_rows(SAMPLE / "monitoring.csv") if r["year"] == "2024" and r["month"] == "5"
    ]
    budget = sum(projects.values())
    executed = sum(Decimal(r["executed_to_date"]) for r in rows)
    first = doc.sections[0].blocks[0].text
    assert f"开展项目绩效监控{len(projects)}个" in first
    assert f"全年预算{budget:,.2f}万元，累计执行{executed:,.2f}万元" in first
    assert f"总体进度{half_up(executed * 100 / budget)}%" in first
    one = monitoring_report(SAMPLE, 2024, 5, dept_code="D01", figures=False)
    assert one.title == "教育局2024年5月预算绩效运行监控报告"


def test_annual_report_sentences_from_the_data() -> None:
    doc = annual_report(SAMPLE, 2023, figures=False)
    assert [t for level, t in doc.headings() if level == 1] == ANNUAL_OUTLINE
    by_hand = [p for (y, _), p in score_by_hand(SAMPLE, 2023).items() if y == 2023]
    counts = {g: sum(p.grade == g for p in by_hand) for g in "优良中差"}
    text = "\n".join(t for _, t in doc.texts())
    assert (
        f"评价结果等级为优的项目{counts['优']}个，良的项目{counts['良']}个，"
        f"中的项目{counts['中']}个，差的项目{counts['差']}个" in text
    )
    verified = {
        r["unit_code"] for r in read_rows(SAMPLE / "verifications.csv") if r["year"] == "2023"
    }
    assert f"抽取{len(verified)}个项目进行自评复核" in text


def test_template_replaces_styles_and_keeps_the_letterhead(tmp_path: Path, d01: Document) -> None:
    template = docx.Document()
    normal = template.styles["Normal"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "楷体")
    template.sections[0].header.paragraphs[0].text = "某某市财政局"
    path = tmp_path / "bureau.docx"
    template.save(str(path))
    out = save_document(d01, tmp_path / "r.docx", template=path)[0]
    made = docx.Document(str(out))
    assert made.sections[0].header.paragraphs[0].text == "某某市财政局"
    body = [
        r
        for p in made.paragraphs
        if p.style.name == "Normal" and p.text != "目  录"
        for r in p.runs
        if r.text
    ]
    assert {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in body} == {"楷体"}
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(PerfkitError, match=r"Word \.docx"):
        save_document(d01, tmp_path / "x.docx", template=broken)
    assert not (tmp_path / "x.docx").exists()


@NEEDS_PDF
def test_pdf_is_a4_holds_the_numbers_and_a_numbered_contents(tmp_path: Path) -> None:
    doc = department_report(SAMPLE, 2024, "D01")  # with its figures
    pdf = tmp_path / "D01.pdf"
    written = save_document(doc, pdf)
    assert written == [pdf, tmp_path / "D01.docx"]
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [line for line in info.splitlines() if line.startswith("Page") and "size" in line]
    assert sizes and all("(A4)" in line for line in sizes)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    ev_score = next(t for _, t in doc.texts() if "加权平均为" in t)
    number = ev_score.split("加权平均为")[1].split("分")[0]
    assert number in flat and "11,079.29" in flat
    contents = text.split("\f")[1]
    assert "目" in contents and "录" in contents
    for heading in DEPARTMENT_OUTLINE:  # each heading with its page number
        line = next(x for x in contents.splitlines() if "".join(x.split()).startswith(heading))
        assert line.rstrip()[-1].isdigit(), line
    pictures = docx.Document(str(tmp_path / "D01.docx")).inline_shapes
    assert len(pictures) == 2


def test_control_characters_and_markup_in_names_do_not_break_the_docx() -> None:
    doc = Document("局\x01名<&>")
    doc.section("一、基本情况\x0b").add("项目\x00名<b>&")
    doc.sections[0].add(Table("表\x02", ["名称\x03"], [["<v\x04&>"]], [False]))
    made = docx.Document(io.BytesIO(docx_bytes(doc)))
    text = _body_text(made)
    assert "局名<&>" in text and "项目名<b>&" in text and "<v&>" in text
    assert _headings(made) == ["一、基本情况"]


def test_a_schedule_with_formats_writes_word_and_pdf_beside_the_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule = Schedule(
        notebook=ROOT / "notebooks" / "department_evaluation.ipynb",
        output_dir=tmp_path / "out",
        workers=1,
        formats=["html", "docx", "pdf"],
        parameters={"year": 2024, "data_dir": str(SAMPLE)},
        runs=[{"dept_code": "D03"}],
    )
    monkeypatch.setenv("PERFKIT_SOFFICE", str(tmp_path / "no-soffice-here"))
    result = run_schedule(schedule, cwd=ROOT)
    assert result.ok == 1, result.failed
    run = tmp_path / "out" / "D03"
    made = docx.Document(str(run / "report.docx"))
    assert _headings(made) == DEPARTMENT_OUTLINE
    assert not (run / "report.pdf").exists()
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="D03/report.docx"' in index and "未生成 PDF" in index and "LibreOffice" in index
    if shutil.which("soffice") is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice or poppler-utils missing: the PDF half is not checked")
    monkeypatch.delenv("PERFKIT_SOFFICE")
    again = run_schedule(schedule, cwd=ROOT)  # the run is current; only its PDF is made
    assert again.skipped == 1
    info = subprocess.run(["pdfinfo", str(run / "report.pdf")], capture_output=True, text=True)
    assert "(A4)" in info.stdout
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="D03/report.pdf"' in index and "未生成 PDF" not in index


def test_a_bad_row_of_another_department_does_not_stop_this_report(tmp_path: Path) -> None:
    data = _copy_sample(tmp_path)
    path = data / "indicators.csv"
    rows = read_rows(path)
    bad = next(r for r in rows if r["year"] == "2023" and "-D02-" in r["unit_code"])
    bad["actual"] = "九成"  # D02, 2023: the cross-year panel cannot score it
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    doc = department_report(data, 2024, "D01", figures=False)
    other = "\n".join(t for title, t in doc.texts() if title == "七、其他需要说明的问题")
    assert "本报告未作跨年度分析" in other
    assert [t for level, t in doc.headings() if level == 1] == DEPARTMENT_OUTLINE


def test_a_template_that_unpacks_to_too_much_is_refused_before_it_is_opened(
    tmp_path: Path, d01: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = tmp_path / "bomb.docx"
    docx.Document().save(str(bomb))  # a real template, with a part that unpacks to too much
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/huge.bin", b"\0" * 200_000)
    monkeypatch.setattr("perfkit.documents._docx.MAX_TEMPLATE_UNPACKED", 100_000)
    with pytest.raises(PerfkitError, match=r"bomb\.docx.*(模板过大|too large)"):
        save_document(d01, tmp_path / "r.docx", template=bomb)
    assert not (tmp_path / "r.docx").exists()
