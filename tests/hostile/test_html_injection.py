"""Names that are markup never become markup: every report opened in headless Chromium.

The data of :mod:`tests.hostile.gen_html` carry ``<img onerror>``, ``<svg onload>``,
``<iframe src=javascript:>``, Markdown ``javascript:`` links, ``<script>``,
attribute break-outs and CSS in department names and codes, project names and
codes, indicator names and reasons.  The department report and the monitoring
report run through the batch runner (papermill + the offline HTML export,
``index.html``); the sampling, cross-year and explorer notebooks run the same
way one by one; the explorer widget's HTML is put on a page of its own.  In
every page: the canary ``window.__pwned`` is unset, no element or event
handler or ``javascript:`` link came from the data, and the names are there
as text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import polars as pl
import pytest

from perfkit.batch import run_schedule
from perfkit.batch._execute import RunTask, execute_run
from perfkit.batch._schedule import Schedule
from tests.hostile import gen_html
from tests.test_report_browser import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian package `chromium`; .ci/run installs it)",
)

#: What a page may hold only when it did not come from the data (run in the page).
_INSPECT = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
      if (['href', 'src', 'xlink:href', 'action', 'formaction', 'data'].includes(name)
          && /^\\s*javascript:/i.test(a.value)) found.push(`${el.tagName} ${name}=${a.value}`);
    }
  }
  for (const tag of ['script', 'iframe', 'img', 'details', 'object', 'embed', 'form']) {
    for (const el of document.querySelectorAll(tag)) found.push(`<${tag}>`);
  }
  for (const el of document.querySelectorAll('svg')) {
    if (!el.closest('.jp-RenderedSVG')) found.push('<svg> outside a chart');
  }
  for (const el of document.querySelectorAll('a[href]')) {
    if (!/^(#|[^:]*$)/.test(el.getAttribute('href'))) found.push(`link ${el.getAttribute('href')}`);
  }
  return {pwned: window.__pwned === undefined ? null : String(window.__pwned), found: found,
          text: document.body.innerText};
}"""


#: The report's policy, as the page's own meta tag (its attributes in any order).
_CSP_META = (
    r"<meta (?=[^>]*http-equiv=\"Content-Security-Policy\")[^>]*content=\"default-src 'none';"
)


def inspect(page_path: Path) -> dict[str, Any]:
    """Open a page offline in Chromium; what ran, what was injected, and its text."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            return page.evaluate(_INSPECT)
        finally:
            browser.close()


def assert_inert(page_path: Path, *texts: str) -> str:
    """No payload ran or became an element; every text in ``texts`` is shown as text."""
    seen = inspect(page_path)
    assert seen["pwned"] is None, f"{page_path.name}: payload {seen['pwned']} ran"
    assert seen["found"] == [], f"{page_path.name}: injected {seen['found'][:10]}"
    missing = [t for t in texts if t not in seen["text"]]
    assert missing == [], f"{page_path.name}: not shown as text: {missing}"
    return seen["text"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = gen_html.build(tmp_path_factory.mktemp("hostile"))
    return files[0].parent


def _projects(data: Path, dept_code: str) -> list[str]:
    frame = pl.read_csv(data / "projects.csv", infer_schema=False)
    return (
        frame.filter((pl.col("year") == "2024") & (pl.col("dept_code") == dept_code))
        .get_column("project_name")
        .to_list()
    )


def _schedule(notebook: str, out: Path, **parameters: Any) -> Schedule:
    return Schedule(
        notebook=NOTEBOOKS / notebook,
        output_dir=out,
        workers=2,
        parameters=parameters,
        matrix={"dept_code": "all"},
        run_name="{year}-{dept_code}",
    )


@pytest.fixture(scope="module")
def department_reports(data: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("department")
    schedule = _schedule("department_evaluation.ipynb", out, year=2024, data_dir=str(data))
    return run_schedule(schedule, cwd=ROOT)


@pytest.fixture(scope="module")
def monitoring_reports(data: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("monitoring")
    schedule = _schedule("monitoring.ipynb", out, year=2024, month=8, data_dir=str(data))
    return run_schedule(schedule, cwd=ROOT)


def _ok(result) -> None:
    failed = {r["name"]: r["error"] for r in result.failed}
    assert failed == {}
    assert len(result.records) == len(gen_html.DEPARTMENTS)


def test_department_reports_show_names_as_text(department_reports, data: Path) -> None:
    _ok(department_reports)
    for record in department_reports.records:
        code = record["parameters"]["dept_code"]
        name = gen_html.NAMES[code]
        report = department_reports.output_dir / record["name"] / "report.html"
        text = assert_inert(report, name, *_projects(data, code))
        assert f"2024年度{name}（{code}）" in text  # the headline, as plain text
        markup = report.read_text(encoding="utf-8")  # and no script may run at all
        assert re.search(_CSP_META, markup)


def test_index_shows_names_as_text_and_links_stay_in_the_folder(department_reports) -> None:
    _ok(department_reports)
    index = department_reports.index
    assert_inert(index, *gen_html.NAMES, *gen_html.NAMES.values())
    out = department_reports.output_dir.resolve()
    markup = index.read_text(encoding="utf-8")
    assert "Content-Security-Policy\" content=\"default-src 'none';" in markup
    # every link is relative and names a file of a run folder inside the output folder
    hrefs = re.findall(r'href="([^"]*)"', markup)
    assert hrefs
    for href in hrefs:
        target = (out / unquote(href)).resolve()
        assert target.is_relative_to(out) and target.is_file(), href


def test_monitoring_reports_show_names_as_text(monitoring_reports, data: Path) -> None:
    _ok(monitoring_reports)
    for record in monitoring_reports.records:
        code = record["parameters"]["dept_code"]
        report = monitoring_reports.output_dir / record["name"] / "report.html"
        assert_inert(report, gen_html.NAMES[code])


def _run_one(notebook: str, out: Path, **parameters: Any) -> Path:
    task = RunTask(
        name="run",
        notebook=str(NOTEBOOKS / notebook),
        run_dir=str(out / "run"),
        parameters=parameters,
        cwd=str(ROOT),
    )
    record = execute_run(task)
    assert record["status"] == "ok", json.dumps(record["error"], ensure_ascii=False)
    return out / "run" / "report.html"


def test_sampling_report_shows_names_as_text(data: Path, tmp_path: Path) -> None:
    report = _run_one(
        "sample_verification.ipynb",
        tmp_path,
        data_dir=str(data),
        year=2024,
        design="srs",
        n=8,
        risk=[],
        record=None,
        results=None,
    )
    assert_inert(report)


def test_cross_year_report_shows_names_as_text(data: Path, tmp_path: Path) -> None:
    code = next(iter(gen_html.NAMES))
    report = _run_one(
        "cross_year_comparison.ipynb",
        tmp_path,
        data_dir=str(data),
        years="2023-2024",
        dept_code=code,
        policy_path="",
    )
    assert_inert(report, code)


def test_explore_report_shows_names_as_text(data: Path, tmp_path: Path) -> None:
    report = _run_one(
        "explore.ipynb", tmp_path, data_dir=str(data), year=2024, export_dir=str(tmp_path / "x")
    )
    assert_inert(report, *gen_html.NAMES.values())


def test_explorer_widget_html_shows_names_as_text(data: Path, tmp_path: Path) -> None:
    from perfkit.explorer import Explorer

    explorer = Explorer(data, offline=False, export_dir=tmp_path / "exports")
    parts = []
    for code in gen_html.NAMES:
        explorer.drill(code)
        unit_code = explorer.drill_project.options[1][1][1]
        explorer.drill(code, 2024, unit_code)
        parts += [explorer.drill_dept_summary.value, explorer.drill_items.value]
    written = explorer.export()
    parts += [explorer.summary.value, explorer.table.value, explorer.export_status.value]
    page = tmp_path / "widgets.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        + "\n".join(parts)
        + "</body></html>",
        encoding="utf-8",
    )
    assert_inert(page, *gen_html.NAMES.values())
    assert written.resolve().parent == (tmp_path / "exports").resolve()
