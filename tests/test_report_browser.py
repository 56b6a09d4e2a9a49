"""An HTML report opened in a real browser (Debian's Chromium) with the network cut off.

Skips, saying why, when Chromium or Playwright is missing; `.ci/run` installs
both, so in CI it always runs.  The screenshot is kept in tests/artifacts/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perfkit.batch import _execute as execute_mod

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian package `chromium`; .ci/run installs it)",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    task = execute_mod.RunTask(
        name="2024-D01",
        notebook=str(ROOT / "notebooks" / "department_evaluation.ipynb"),
        run_dir=str(tmp / "2024-D01"),
        parameters={"year": 2024, "dept_code": "D01", "data_dir": "data/sample"},
        cwd=str(ROOT),
    )
    record = execute_mod.execute_run(task)
    assert record["status"] == "ok", record["error"]
    return tmp / "2024-D01" / "report.html"


def test_report_renders_offline_with_its_charts(report: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})

        def block(route, request) -> None:  # type: ignore[no-untyped-def]
            if not request.url.startswith(("file://", "data:", "about:")):
                requests.append(request.url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", block)
        page = context.new_page()
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        charts = page.locator("div.jp-RenderedSVG svg")
        assert charts.count() >= 2
        box = charts.first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        marks = page.locator("div.jp-RenderedSVG svg path, div.jp-RenderedSVG svg rect").count()
        assert marks > 20
        chart_text = charts.first.text_content() or ""
        assert "等级" in chart_text
        assert "教育局" in page.locator("body").inner_text()
        # the code is hidden; the tables are there
        assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0
        assert page.locator("table.pk-table").count() >= 5
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "department_report.png"), full_page=False)
        browser.close()
    assert requests == [], f"the report asked the network for: {requests}"
