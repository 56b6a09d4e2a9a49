"""Every report is presentable (issue 15, point 7): what a reader gets, printed or on screen.

The five notebooks are executed through papermill on the sample data (the department
report through ``perfkit run``, as users get it) and exported to HTML with perfkit's
report template; then:

* no raw dataframe or Python output anywhere (``shape:``, dtype rows, box drawing,
  ``<class …>``, a list's brackets, ``print`` text): every table comes from the one
  people-table formatter, every sentence from :func:`perfkit.present.text`;
* the department report's title names the department and the year, its flag table lists
  each project once (caption count = rows), its 失分 table never sums 分值 over projects;
* the department report prints on A4 in headless Chromium (``pdfinfo``), and in print
  layout no table column is squeezed to one character a line (Playwright);
* every workbook written on the way prints on A4, one page wide, header rows repeated,
  frozen header, landscape where wide, no two columns with one header (openpyxl);
* ``index.html`` shows local times with the zone and the region's totals.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import nbformat
import openpyxl
import papermill
import pytest
import yaml
from click.testing import CliRunner

from perfkit.batch._html import notebook_to_html
from perfkit.cli import main
from perfkit.evaluation._department import evaluate_department
from perfkit.tables._write import PORTRAIT_WIDTH

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFINFO = shutil.which("pdfinfo")
DEPTS = ["D01", "D06"]

#: Each notebook with the parameters it runs with here (outputs into the test's folder).
NOTEBOOKS = {
    "monitoring": {"year": 2024, "month": 8, "data_dir": str(SAMPLE)},
    "sample_verification": {"data_dir": str(SAMPLE)},
    "cross_year_comparison": {"data_dir": str(SAMPLE), "dept_code": "D41"},
    "explore": {"data_dir": str(SAMPLE), "year": 2024},
}
OUTPUT_PARAMETER = {
    "monitoring": "output_dir",
    "sample_verification": "output_dir",
    "cross_year_comparison": "output_dir",
    "explore": "export_dir",
}
#: What a polars or pandas frame, or a Python object, looks like when printed raw.
RAW = ["shape: (", "dtype", "┌", "│ str", "<class", "&lt;class", "object at 0x", "Name: ", "[20"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name → exported HTML report; ``tmp/out`` holds every file the runs wrote."""
    tmp = tmp_path_factory.mktemp("presentable")
    found: dict[str, Path] = {}
    for name, parameters in NOTEBOOKS.items():
        out = tmp / "out" / name
        out.mkdir(parents=True)
        executed = tmp / f"{name}.ipynb"
        papermill.execute_notebook(
            str(ROOT / "notebooks" / f"{name}.ipynb"),
            str(executed),
            parameters={**parameters, OUTPUT_PARAMETER[name]: str(out)},
            kernel_name="python3",
            cwd=str(ROOT),
            progress_bar=False,
        )
        found[name] = notebook_to_html(executed, tmp / f"{name}.html")
    schedule = yaml.safe_load((ROOT / "parameters" / "schedules" / "annual.yaml").read_text())
    schedule.update(
        notebook=str(ROOT / schedule["notebook"]),
        output_dir=str(tmp / "out" / "annual"),
        matrix=None,
        runs=[{"dept_code": d} for d in DEPTS],
        formats=["html"],  # what prints here is the HTML (documents: tests/test_documents.py)
    )
    schedule["parameters"]["data_dir"] = str(SAMPLE)
    schedule = {k: v for k, v in schedule.items() if v is not None}
    path = tmp / "annual.yaml"
    path.write_text(yaml.safe_dump(schedule, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PERFKIT_TIMEZONE", "Asia/Shanghai")
        run = CliRunner().invoke(main, ["run", str(path), "--quiet"])
    assert run.exit_code == 0, run.output
    found["department_evaluation"] = tmp / "out" / "annual" / "2024-D01" / "report.html"
    score = CliRunner().invoke(
        main,
        [
            "score",
            "-p", str(SAMPLE / "projects.csv"),
            "-i", str(SAMPLE / "indicators.csv"),
            "-o", str(tmp / "out" / "score"),
        ],
    )  # fmt: skip
    assert score.exit_code == 0, score.output
    return found


REPORTS = ["department_evaluation", *NOTEBOOKS]


@pytest.mark.parametrize("name", REPORTS)
def test_no_raw_dataframe_in_the_html_report(reports: dict[str, Path], name: str) -> None:
    page = reports[name].read_text(encoding="utf-8")
    body = re.sub(r"<style.*?</style>", "", page, flags=re.S)  # CSS is not content
    assert not [raw for raw in RAW if raw in body], f"{name}: raw output in the report"
    # every number in a table is formatted: thousands separators, 2 (or the table's) decimals
    numbers = re.findall(r'<td class="num">([^<]*)</td>', body)
    assert numbers or name == "explore"
    odd = [n for n in numbers if not re.fullmatch(r"—|-?\d{1,3}(,\d{3})*(\.\d{2,4})?|\d{4}", n)]
    assert not odd, f"{name}: numbers not formatted for people: {odd[:5]}"
    one_decimal = re.findall(r"<td[^>]*>\s*(-?[\d,]+\.\d)\s*</td>", body)
    assert not one_decimal, f"{name}: numbers with one decimal: {one_decimal[:5]}"


@pytest.mark.parametrize("name", REPORTS)
def test_every_output_is_for_people(reports: dict[str, Path], name: str) -> None:
    """No ``print`` text (a ``<pre>`` of raw output) and nothing shown only as plain text."""
    executed = reports[name].with_suffix(".ipynb")
    if name == "department_evaluation":
        executed = reports[name].with_name("report.ipynb")
    nb = nbformat.read(executed, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                found.append(f"cell {i}: printed {out.text[:60]!r}")
            elif out.output_type in ("display_data", "execute_result"):
                kinds = set(out.get("data", {}))
                if not kinds & {"text/html", "image/svg+xml", "image/png"} and not any(
                    k.startswith("application/vnd.jupyter.widget") for k in kinds
                ):
                    found.append(f"cell {i}: plain output {str(out.data)[:60]!r}")
    assert not found, f"{name}: " + "; ".join(found)


def test_department_report_title_flags_and_points_lost(reports: dict[str, Path]) -> None:
    page = reports["department_evaluation"].read_text(encoding="utf-8")
    ev = evaluate_department(SAMPLE, 2024, "D01")
    assert re.search(r"<h1[^>]*>教育局2024年度项目支出绩效评价报告", page)
    # the flag table: one row per project, all its flags; the caption's count is the rows'
    table = re.search(r"<caption>风险标记（(\d+) 个项目[^<]*</caption>(.*?)</table>", page, re.S)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(2), re.S)[1:]  # after the header row
    codes = [re.findall(r"<td[^>]*>([^<]*)</td>", r)[1] for r in rows]
    assert int(table.group(1)) == len(rows) == len(set(codes)) == ev.flagged.height
    # the points-lost table: per group, projects losing points and rates, never 分值 summed
    lost = re.search(r"<caption>失分分布</caption>(.*?)</table>", page, re.S)
    assert lost is not None
    headers = re.findall(r"<th>([^<]*)</th>", lost.group(1))
    assert headers == [
        "一级指标", "项目个数", "失分项目数", "失分", "失分率（%）", "平均得分率（%）",
        "失分占比（%）",
    ]  # fmt: skip
    assert "380.00" not in lost.group(1) and "分值" not in headers


@pytest.mark.skipif(
    CHROMIUM is None or PDFINFO is None,
    reason="Chromium or poppler-utils is missing (Debian packages `chromium`, `poppler-utils`)",
)
def test_department_report_prints_on_a4(reports: dict[str, Path], tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}", reports["department_evaluation"].as_uri(),
        ],
        check=True, capture_output=True, timeout=600, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    info = subprocess.run(
        [str(PDFINFO), "-f", "1", "-l", "9999", str(pdf)],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes, info
    a4 = {(595, 842), (842, 595)}  # portrait, and landscape for the widest tables
    assert {(round(float(w)), round(float(h))) for w, h in sizes} <= a4, info
    assert (round(float(sizes[0][0])), round(float(sizes[0][1]))) == (595, 842)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian `chromium`)")
def test_no_column_is_squeezed_in_print(reports: dict[str, Path]) -> None:
    """Print layout at A4 portrait width: every table cell holds at least two characters a line."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 718, "height": 1000})  # A4 less margins
        page.emulate_media(media="print")
        page.goto(reports["department_evaluation"].as_uri())
        squeezed = page.evaluate(
            """() => [...document.querySelectorAll('table.pk-table td, table.pk-table th')]
            .filter(c => c.innerText.trim().length >= 2)
            .filter(c => {
              const s = getComputedStyle(c);
              const inner = c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
              return inner < 1.9 * parseFloat(s.fontSize);
            }).map(c => c.innerText.trim())"""
        )
        browser.close()
    assert squeezed == [], f"cells narrower than two characters: {squeezed[:8]}"


def _header_row(sheet) -> int:  # type: ignore[no-untyped-def]
    titles = sheet.print_title_rows  # "$1:$1" or "$1:$4": the last repeated row is the header
    return int(titles.split(":")[-1].lstrip("$")) if titles else 1


def test_every_workbook_prints_on_a4(reports: dict[str, Path]) -> None:
    out = reports["department_evaluation"].parents[2]
    books = sorted(out.rglob("*.xlsx"))
    names = {b.name for b in books}
    assert {"scores.xlsx", "2024-D01-评价结果.xlsx", "monitoring.xlsx", "comparison.xlsx"} <= names
    assert "field_workbook.xlsx" in names
    problems = []
    for book in books:
        wb = openpyxl.load_workbook(book)
        for sheet in wb.worksheets:
            where = f"{book.name}!{sheet.title}"
            setup = sheet.page_setup
            if setup.paperSize != 9:
                problems.append(f"{where}: paper {setup.paperSize}, not A4 (9)")
            fit = sheet.sheet_properties.pageSetUpPr
            if not (
                fit and fit.fitToPage and (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0
            ):
                problems.append(f"{where}: not fitted to one page wide")
            if sheet.max_row < 2 or sheet.max_column < 2:
                continue
            # a dimension spans columns min..max; Excel stores each width padded by 0.71
            width = sum(
                ((d.width or 9.14) - 0.71) * ((d.max or d.min or 1) - (d.min or 1) + 1)
                for d in sheet.column_dimensions.values()
            )
            if width > PORTRAIT_WIDTH + 1 and setup.orientation != "landscape":
                problems.append(f"{where}: {setup.orientation} for width {width:.0f}")
            if width < PORTRAIT_WIDTH - 1 and setup.orientation != "portrait":
                problems.append(f"{where}: {setup.orientation} for width {width:.0f}")
            if sheet.freeze_panes is None and sheet.print_title_rows is None:
                continue  # a notes sheet: label and text, no table
            if not sheet.print_title_rows:
                problems.append(f"{where}: the header row is not repeated on every page")
            if sheet.freeze_panes is None:
                problems.append(f"{where}: the header is not frozen")
            header = [c.value for c in sheet[_header_row(sheet)] if c.value is not None]
            twins = {h for h in header if header.count(h) > 1}
            if twins:
                problems.append(f"{where}: columns with the same header {sorted(twins)}")
    assert not problems, "\n".join(problems)


def test_index_shows_local_times_and_region_totals(reports: dict[str, Path]) -> None:
    out = reports["department_evaluation"].parents[1]
    page = (out / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    started = manifest["started"]  # UTC, as recorded
    assert started.endswith("+00:00")
    from datetime import datetime, timedelta

    local = datetime.fromisoformat(started) + timedelta(hours=8)
    assert f"开始 {local:%Y-%m-%d %H:%M} (UTC+08:00)" in page  # PERFKIT_TIMEZONE=Asia/Shanghai
    assert started not in page
    evs = [evaluate_department(SAMPLE, 2024, d) for d in DEPTS]
    budget = sum(Decimal(str(e.money["budget_full_year"][0])) for e in evs)
    mean = (sum(Decimal(str(e.score)) for e in evs) / len(evs)).quantize(
        Decimal("0.01"), "ROUND_HALF_UP"
    )
    foot = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S)
    assert foot is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", foot.group(1))
    assert cells[0] == "合计" and cells[1].startswith(f"{len(DEPTS)} 份报告")
    assert f"{budget:,.2f}" in cells and str(mean) in cells
    grades = {e.grade for e in evs}
    assert all(f"{g} {sum(e.grade == g for e in evs)}" in cells[-1] for g in grades)
    assert f"全地区合计：{len(DEPTS)} 份报告" in page
