"""`perfkit dashboard` on the sample data, driven in a real browser (Debian's Chromium).

The test starts the command (Voila) on a free localhost port, opens the page in
headless Chromium through Playwright, waits for the explorer's widgets, picks
the grade 差, and checks that the selection line, the table and the scatter
chart changed.  A screenshot is kept as tests/artifacts/explorer.png.  Skips,
saying why, when Chromium or Playwright is missing (`.ci/run` installs both).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfkit.explorer import explorer_data
from tests.dashboard_server import running_dashboard

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
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
RENDER_MS = 180_000


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian package `chromium`; .ci/run installs it)",
)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`perfkit dashboard` serving the sample data; yields its URL and export folder."""
    with running_dashboard(tmp_path_factory.mktemp("dashboard")) as server:
        yield server.url, server.exports


def _count(text: str) -> int:
    found = re.search(r"已选 ([\d,]+) /", text)
    assert found, text
    return int(found.group(1).replace(",", ""))


def test_dashboard_filters_redraw_table_and_chart(dashboard: tuple[str, Path]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    url, _exports = dashboard
    units = explorer_data(ROOT / "data" / "sample").units
    latest = units.filter(units["year"] == units["year"].max())
    poor = latest.filter(latest["grade"] == "差").height
    assert 0 < poor < latest.height

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(RENDER_MS)
            # the page must work on a closed network: nothing may leave localhost
            outside: list[str] = []

            def block_outside(route, request) -> None:  # type: ignore[no-untyped-def]
                if request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:")):
                    route.continue_()
                else:
                    outside.append(request.url)
                    route.abort()

            page.route("**/*", block_outside)
            page.goto(url, timeout=RENDER_MS)
            summary = page.locator(".pk-summary")
            summary.wait_for()
            page.wait_for_selector(".pk-scatter svg .mark-symbol path")
            page.wait_for_selector(".pk-selection table.pk-table")
            before_summary = summary.inner_text()
            assert _count(before_summary) == latest.height
            before_points = page.locator(".pk-scatter svg .mark-symbol path").count()
            before_title = page.locator(".pk-scatter svg").first.text_content() or ""
            assert f"{latest.height - latest['execution_rate'].null_count():,} 个项目" in (
                before_title
            )
            before_rows = page.locator(".pk-selection tbody tr").count()
            assert before_rows == 50  # one page of the 602 projects

            # no code on the page: sources stripped, the how-to-run cells removed
            body = page.locator("body").inner_text()
            assert "explorer_data(" not in body and "import" not in body
            assert "笔记本说明" not in body

            page.locator(".pk-grade select").select_option("差")
            page.wait_for_function(
                "(n) => document.querySelector('.pk-summary').innerText.includes(`已选 ${n} /`)",
                arg=f"{poor:,}",
            )
            assert _count(summary.inner_text()) == poor
            page.wait_for_function(
                "(n) => document.querySelectorAll('.pk-selection tbody tr').length === n",
                arg=poor,
            )
            cells = page.locator(".pk-selection tbody tr td").all_inner_texts()
            assert "差" in cells and "优" not in cells
            page.wait_for_function(
                "(n) => document.querySelectorAll('.pk-scatter svg .mark-symbol path').length < n",
                arg=before_points,
            )
            after_title = page.locator(".pk-scatter svg").first.text_content() or ""
            assert after_title != before_title
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=True)
            assert outside == [], f"the page asked outside localhost for: {outside}"
        finally:
            browser.close()
