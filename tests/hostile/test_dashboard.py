"""`perfkit dashboard` under attack: kernels capped and culled, forged widget messages, exports.

Two real dashboards run on free localhost ports (started as `perfkit dashboard`, in a
session of their own, killed as a process group at the end):

* ``capped`` — at most 2 kernels, no culling during the tests, exports limited to one an
  hour.  Plain HTTP GETs of the page start kernels (Voila renders the notebook in a new
  kernel for each GET), so the third GET must be refused with the Chinese busy page.  The
  tests then talk to the two pages' kernels over their websockets, as a visitor's script
  could: forged widget values, an ``execute_request``, the export button clicked in a loop;
* ``culling`` — idle timeout 3 s: kernels of pages never connected and of pages still
  connected are both shut down, within a bounded poll.

The API paths, /login and /logout are probed on the capped server; the busy page is opened
in headless Chromium (skipped, saying why, without Chromium or Playwright).  The export
limits and the widget guard are also checked in-process on an :class:`Explorer`.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import perfkit
from perfkit.cli import main
from perfkit.errors import PerfkitError
from perfkit.explorer import Explorer, Filters
from perfkit.explorer._guard import USER_MESSAGE
from perfkit.explorer._limits import LIMITS_ENV, ExportLimits, dashboard_limits
from tests.dashboard_server import (
    PAGE_SECONDS,
    ROOT,
    SAMPLE,
    Dashboard,
    kernel_id,
    running_dashboard,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
POLL_SECONDS = 180  # bound on waiting for culled kernels to exit
BUSY_TITLE = "当前浏览人数已满"


# ------------------------------------------------------------------ helpers
class Channel:
    """A kernel's websocket, as a visitor's script would open it (JSON messages)."""

    def __init__(self, port: int, kernel: str) -> None:
        websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/api/kernels/{kernel}/channels?session_id={self.session}",
            timeout=PAGE_SECONDS,
        )
        self.seen: list[dict[str, Any]] = []

    def close(self) -> None:
        self.ws.close()

    def send(self, msg_type: str, content: dict[str, Any]) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "visitor",
            "date": "",
            "version": "5.3",
        }
        self.ws.send(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        return msg_id

    def comm(self, comm_id: str, data: dict[str, Any]) -> str:
        return self.send("comm_msg", {"comm_id": comm_id, "data": data})

    def until(self, done: Any) -> list[dict[str, Any]]:
        """Messages received until ``done(message)`` (bounded by the socket's timeout)."""
        got = []
        while True:
            message = json.loads(self.ws.recv())
            got.append(message)
            self.seen.append(message)
            if done(message):
                return got

    def until_idle(self, msg_id: str) -> list[dict[str, Any]]:
        """Messages until the kernel is idle after ``msg_id``: all its output came before."""
        return self.until(
            lambda m: (
                m["header"]["msg_type"] == "status"
                and m["parent_header"].get("msg_id") == msg_id
                and m["content"].get("execution_state") == "idle"
            )
        )

    def widgets(self) -> dict[str, dict[str, Any]]:
        """Every widget of the page: comm id → state."""
        ask = self.send("comm_info_request", {"target_name": "jupyter.widget"})
        # the reply (shell) and the idle status (iopub) may come in either order
        got = self.until_idle(ask)
        if not any(m["header"]["msg_type"] == "comm_info_reply" for m in got):
            got += self.until(lambda m: m["header"]["msg_type"] == "comm_info_reply")
        (reply,) = [m for m in got if m["header"]["msg_type"] == "comm_info_reply"]
        ids = list(reply["content"]["comms"])
        last = ""
        for comm_id in ids:
            last = self.comm(comm_id, {"method": "request_state"})
        states = {}
        for m in self.until_idle(last):
            data = m.get("content", {}).get("data", {})
            if m["header"]["msg_type"] == "comm_msg" and data.get("method") == "update":
                states[m["content"]["comm_id"]] = data["state"]
        assert set(states) == set(ids)
        return states


def _with_class(states: dict[str, dict[str, Any]], css: str) -> str:
    (comm_id,) = [c for c, s in states.items() if css in s.get("_dom_classes", [])]
    return comm_id


def _updates(messages: list[dict[str, Any]], comm_id: str) -> list[Any]:
    """Values the kernel sent to widget ``comm_id``."""
    return [
        m["content"]["data"]["state"]["value"]
        for m in messages
        if m["header"]["msg_type"] == "comm_msg"
        and m["content"].get("comm_id") == comm_id
        and "value" in m["content"]["data"].get("state", {})
    ]


def _leaks(messages: list[dict[str, Any]]) -> list[str]:
    """Messages that carry a traceback, a source file or a server path."""
    bad = []
    for m in messages:
        text = json.dumps(m, ensure_ascii=False)
        if (
            m["header"]["msg_type"] in ("error", "stream")
            or "Traceback" in text
            or str(ROOT) in text
            or "site-packages" in text
            or re.search(r"\.py\b", text)
        ):
            bad.append(text[:500])
    return bad


# ------------------------------------------------------------------ servers
@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A dashboard serving 2 pages at most, with both pages loaded (plain GETs)."""
    tmp = tmp_path_factory.mktemp("capped")
    options = ["--max-kernels", "2", "--idle-timeout", "3600"]
    options += ["--export-interval", "3600", "--max-exports", "5"]
    with running_dashboard(tmp, *options) as server:
        for path in ("/", "/?template=lab&theme=dark"):
            status, _headers, page = server.request(path)
            assert status == 200, page[:2000]
            server.pages.append(page)
        yield server


@pytest.fixture(scope="module")
def culling(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A dashboard whose kernels are culled after 3 idle seconds."""
    with running_dashboard(
        tmp_path_factory.mktemp("culling"), "--max-kernels", "2", "--idle-timeout", "3"
    ) as server:
        yield server


# ------------------------------------------------------------ kernel cap
def test_page_loads_beyond_the_cap_get_a_chinese_busy_page(capped: Dashboard) -> None:
    assert len(capped.kernels()) == 2
    status, headers, page = capped.request("/")
    assert status == 503, page[:2000]
    assert headers["retry-after"] == "60"
    assert BUSY_TITLE in page and "最多同时打开 2 个页面" in page
    assert "Traceback" not in page and str(ROOT) not in page
    assert len(capped.kernels()) == 2  # the refused load started nothing
    # each kernel is a whole Python with the sample scored: what the cap protects
    for proc in capped.kernels():
        assert proc.memory_info().rss > 50 * 2**20


def test_the_page_is_the_offline_template_whatever_the_address_asks(capped: Dashboard) -> None:
    # the second page was asked for with ?template=lab (Voila's own page loads CDN stylesheets)
    for page in capped.pages:
        assert "cdn.jsdelivr" not in page
        external = re.findall(r"""(?:src|href)=["'](https?:)?//(?!127\.0\.0\.1)""", page)
        assert external == []
        assert "theme-dark" not in page


def test_closed_and_idle_pages_are_culled(culling: Dashboard) -> None:
    # page 1: loaded and never connected (a script, or a tab whose unload beacon was lost)
    status, _, page = culling.request("/")
    assert status == 200
    first = kernel_id(page)
    # page 2: connected while its kernel is still rendering, and left connected
    deadline = time.monotonic() + PAGE_SECONDS
    conn = http.client.HTTPConnection("127.0.0.1", culling.port, timeout=PAGE_SECONDS)
    conn.request("GET", "/")
    resp = conn.getresponse()
    head = b""
    while not re.search(rb'"kernelId": *"[0-9a-f-]{36}"', head):  # sent before the cells run
        chunk = resp.read1(65536)
        assert chunk and time.monotonic() < deadline, head[-2000:]
        head += chunk
    second = kernel_id(head.decode("utf-8", errors="replace"))
    channel = Channel(culling.port, second)
    try:
        while resp.read1(65536):  # the rest of the page
            assert time.monotonic() < deadline, "the page did not finish loading"
        assert resp.status == 200
        conn.close()
        deadline = time.monotonic() + POLL_SECONDS
        while culling.kernels():
            assert time.monotonic() < deadline, "kernels still alive: " + culling.log_text()[-3000:]
            time.sleep(0.5)
    finally:
        channel.close()
    log = culling.log_text()
    assert re.search(rf"Culling 'idle' kernel 'python3' \({first}\) with 0 connections", log)
    assert re.search(rf"Culling 'idle' kernel 'python3' \({second}\) with 1 connections", log)
    # the freed slots serve new pages
    status, _, page = culling.request("/")
    assert status == 200 and BUSY_TITLE not in page


# --------------------------------------------------------- refused paths
API_PATHS = [
    "/api",
    "/api/kernels",
    "/api/kernelspecs",
    "/api/contents",
    "/api/contents/explore.ipynb",
    "/api/sessions",
    "/api/terminals",
    "/api/status",
    "/api/config/notebook",
    "/api/kernels/00000000-0000-0000-0000-000000000000",
    "/terminals/websocket/1",
    "/lab",
    "/tree",
    "/voila/tree",
    "/voila/render/explore.ipynb",
    "/voila/api/contents",
    "/voila/files/explore.ipynb",
    "/voila/files/../../README.md",
    "/voila/files/%2e%2e/%2e%2e/pyproject.toml",
]


def test_api_paths_login_logout_and_foreign_hosts_are_refused_without_a_500(
    capped: Dashboard,
) -> None:
    before = {p.pid for p in capped.kernels()}
    for path in API_PATHS:
        status, headers, body = capped.request(path)
        hops = 0
        while status in (301, 302, 303, 307) and hops < 3:  # Voila sends unknown paths to files
            location = headers["location"]
            assert location.startswith(("/", f"http://127.0.0.1:{capped.port}/")), location
            status, headers, body = capped.request(re.sub(r"^http://[^/]+", "", location))
            hops += 1
        assert status in (403, 404, 405), (path, status, body[:500])
        assert '"kernels"' not in body and '"content"' not in body and "[project]" not in body
    for method in ("POST", "DELETE", "PATCH"):
        status, _, body = capped.request("/api/kernels", method=method, body=b"{}")
        assert status in (403, 404, 405), (method, status, body[:500])
    for path in ("/logout", "/login"):
        status, _, body = capped.request(path)
        assert status == 404 and "无需登录" in body and "Traceback" not in body
    # a web page elsewhere reaching 127.0.0.1 through a rebound DNS name, or a cross-site socket
    for path in ("/", "/logout"):
        status, _, body = capped.request(path, headers={"Host": f"evil.example:{capped.port}"})
        assert status == 403, (path, status, body[:500])
    websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")
    with pytest.raises(websocket.WebSocketBadStatusException, match="403"):
        websocket.create_connection(
            f"ws://127.0.0.1:{capped.port}/api/kernels/{kernel_id(capped.pages[0])}/channels",
            origin="http://evil.example",
            timeout=60,
        )
    assert {p.pid for p in capped.kernels()} == before  # none of this started a kernel
    assert " 500 " not in capped.log_text()


# ----------------------------------------------------- websocket visitors
def test_execute_request_over_the_websocket_runs_nothing(capped: Dashboard, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    channel = Channel(capped.port, kernel_id(capped.pages[1]))
    try:
        code = f"open({str(marker)!r}, 'w').write('x')"
        run = channel.send(
            "execute_request",
            {"code": code, "silent": False, "store_history": True, "allow_stdin": False},
        )
        ask = channel.send("kernel_info_request", {})
        # the kernel answers in order: an executed request would reply before kernel_info
        got = channel.until(lambda m: m["parent_header"].get("msg_id") == ask)
    finally:
        channel.close()
    about_run = [m for m in got if m["parent_header"].get("msg_id") == run]
    assert about_run == []
    assert not marker.exists()
    assert "which is not allowed" in capped.log_text()


def test_forged_widget_values_get_a_short_message_and_no_traceback(capped: Dashboard) -> None:
    channel = Channel(capped.port, kernel_id(capped.pages[0]))
    try:
        states = channel.widgets()
        notice = _with_class(states, "pk-notice")
        summary = _with_class(states, "pk-summary")
        year = _with_class(states, "pk-year")
        by_model: dict[str, list[str]] = {}
        for comm_id, state in states.items():
            by_model.setdefault(state["_model_name"], []).append(comm_id)
        forged: list[tuple[str, dict[str, Any]]] = []
        for comm_id in by_model["DropdownModel"]:
            forged += [(comm_id, {"index": 9999}), (comm_id, {"index": -3})]
            forged += [(comm_id, {"index": "二〇二四"})]
        for comm_id in by_model["SelectMultipleModel"]:
            forged += [(comm_id, {"index": [9999]}), (comm_id, {"index": "x"})]
        for comm_id in by_model["FloatRangeSliderModel"]:
            forged += [(comm_id, {"value": ["a", "b"]}), (comm_id, {"value": [5]})]
            forged += [(comm_id, {"value": [1e308, -1e308]})]
        for comm_id in by_model["AnyModel"]:  # the charts: a brush made of text
            forged += [(comm_id, {"_vl_selections": {"brush": {"value": {"total": ["x", 1]}}}})]
            forged += [(comm_id, {"_vl_selections": {"brush": 5}})]
        forged += [(by_model["LayoutModel"][0], {"width": 123})]
        sent = []
        for comm_id, state in forged:
            data = {"method": "update", "state": state, "buffer_paths": []}
            sent.append(channel.comm(comm_id, data))
        channel.send(
            "comm_open",
            {"comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget", "data": {"state": {}}},
        )
        last = channel.send(
            "comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "no.such", "data": {}}
        )
        answered = channel.until_idle(last)
        assert _leaks(answered) == []
        assert any(USER_MESSAGE in str(v) for v in _updates(answered, notice))
        # the page still works, and a good change clears the message
        good = channel.comm(year, {"method": "update", "state": {"index": 2}, "buffer_paths": []})
        after = channel.until_idle(good)
    finally:
        channel.close()
    assert _leaks(after) == []
    assert any("已选" in str(v) for v in _updates(after, summary))
    assert _updates(after, notice)[-1] == ""
    log = capped.log_text()
    assert "Traceback" in log and "TraitError" in log  # the details stay on the server


def test_the_export_button_driven_in_a_loop_is_rate_limited(capped: Dashboard) -> None:
    channel = Channel(capped.port, kernel_id(capped.pages[1]))
    try:
        states = channel.widgets()
        button = _with_class(states, "pk-export")
        status = _with_class(states, "pk-export-status")
        clicks = [
            channel.comm(button, {"method": "custom", "content": {"event": "click"}})
            for _ in range(5)
        ]
        answered = channel.until_idle(clicks[-1])
    finally:
        channel.close()
    shown = _updates(answered, status)
    assert len(shown) >= 2 and "已导出" in shown[0]  # an unchanged status is not re-sent
    assert all("导出过于频繁" in s and "3600 秒" in s for s in shown[1:])
    assert _leaks(answered) == []
    (written,) = capped.exports.glob("绩效评价筛选结果-*.xlsx")
    assert openpyxl.load_workbook(written, read_only=True).sheetnames[0] == "所选项目"


def test_the_busy_page_in_a_browser_is_chinese_and_offline(capped: Dashboard) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()

            def block_outside(route, request) -> None:  # type: ignore[no-untyped-def]
                if request.url.startswith(f"http://127.0.0.1:{capped.port}/"):
                    route.continue_()
                else:
                    outside.append(request.url)
                    route.abort()

            page.route("**/*", block_outside)
            response = page.goto(f"http://127.0.0.1:{capped.port}/", timeout=PAGE_SECONDS * 1000)
            assert response is not None and response.status == 503
            assert BUSY_TITLE in page.title()
            assert "关闭不用的浏览器标签页" in page.locator("body").inner_text()
        finally:
            browser.close()
    assert outside == []
    assert len(capped.kernels()) == 2


# ------------------------------------------------------------- in-process
@pytest.fixture(scope="module")
def result() -> perfkit.ScoreResult:
    return perfkit.score(SAMPLE / "projects.csv", SAMPLE / "indicators.csv")


def test_export_limits_refuse_and_say_why(result: perfkit.ScoreResult, tmp_path: Path) -> None:
    now = [1000.0]
    limits = ExportLimits(min_interval=5, max_exports=2, max_rows=50, max_bytes=20 * 2**20)
    ex = Explorer(result, offline=False, export_dir=tmp_path, export_limits=limits)
    assert ex.export_gate is not None
    ex.export_gate.clock = lambda: now[0]
    ex.set_filters(Filters(years=(2024,), depts=("D01",)))
    assert 0 < ex.selected.height <= 50

    ex.export_button.click()
    assert "已导出" in ex.export_status.value
    now[0] += 4.2
    ex.export_button.click()
    assert "导出过于频繁" in ex.export_status.value and "请 1 秒后再试" in ex.export_status.value
    now[0] += 1
    ex.export_button.click()
    assert "已导出" in ex.export_status.value
    now[0] += 60
    ex.export_button.click()
    assert "达到每页上限 2 次" in ex.export_status.value
    assert len(list(tmp_path.glob("绩效评价筛选结果-*.xlsx"))) == 2

    rows = Explorer(result, offline=False, export_dir=tmp_path / "r", export_limits=limits)
    rows.set_filters(Filters(years=(2024,)))
    rows.export_button.click()
    assert f"所选项目 {rows.selected.height:,} 个，超过单次导出上限 50 个" in (
        rows.export_status.value
    )
    assert not (tmp_path / "r").exists()

    small = ExportLimits(max_bytes=4096)
    big = Explorer(result, offline=False, export_dir=tmp_path / "b", export_limits=small)
    big.export_button.click()
    assert "超过单次导出上限 4.0 KB，未保存" in big.export_status.value
    assert list((tmp_path / "b").glob("*.xlsx")) == []

    quota = ExportLimits(max_folder_bytes=1)
    full = Explorer(result, offline=False, export_dir=tmp_path, export_limits=quota)
    full.export_button.click()
    assert "导出文件夹中的工作簿已达" in full.export_status.value
    assert len(list(tmp_path.glob("绩效评价筛选结果-*.xlsx"))) == 2


def test_a_failing_callback_is_logged_and_the_page_gets_one_short_sentence(
    result: perfkit.ScoreResult, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ex = Explorer(result, offline=False, export_dir=tmp_path)
    before = ex.selected.height
    with caplog.at_level(logging.ERROR, logger="perfkit.explorer"):
        forged = {"execution_rate": ["九成", 80]}
        ex.scatter._vl_selections = {"brush": {"value": forged, "store": []}}
    assert USER_MESSAGE in ex.notice.value and "Traceback" not in ex.notice.value
    assert "九成" not in ex.notice.value and ex.selected.height == before
    assert any(r.exc_info and "could not convert" in str(r.exc_info[1]) for r in caplog.records)
    ex.scatter._vl_selections = {"brush": {"value": {"execution_rate": [0, 200]}, "store": []}}
    assert ex.notice.value == "" and 0 < ex.selected.height <= before  # brushed, message gone

    # an export that fails for an unforeseen reason: no exception text on the page
    def boom(*_args: Any, **_kwargs: Any) -> Path:
        raise OSError(f"[Errno 28] No space left on device: '{tmp_path}/x.xlsx'")

    ex.export = boom  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="perfkit.explorer"):
        ex.export_button.click()
    assert "导出失败：服务器出错" in ex.export_status.value
    assert str(tmp_path) not in ex.export_status.value
    assert any("No space left" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_dashboard_options_reach_voila_and_the_kernels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    class FakeServer:
        def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
            seen.update(command=command, env=env)

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    args = ["dashboard", "--data", str(SAMPLE), "--no-browser", "--max-kernels", "3"]
    args += ["--idle-timeout", "120", "--export-interval", "2.5", "--max-exports", "7"]
    args += ["--export-max-rows", "1000", "--export-max-mb", "5", "--export-quota-mb", "64"]
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 0, outcome.output
    command = seen["command"]
    assert command[1:3] == ["-m", "perfkit.explorer.server"]
    for expected in (
        "--CappedKernelManager.max_kernels=3",
        "--CappedKernelManager.cull_idle_timeout=120",
        "--CappedKernelManager.cull_interval=12",
        "--CappedKernelManager.cull_connected=True",
        "--Voila.ip=127.0.0.1",
        "--show_tracebacks=False",
    ):
        assert expected in command
    limits = dashboard_limits(seen["env"])
    assert limits == ExportLimits(
        min_interval=2.5,
        max_exports=7,
        max_rows=1000,
        max_bytes=5 * 2**20,
        max_folder_bytes=64 * 2**20,
    )
    bad = CliRunner().invoke(main, ["dashboard", "--data", str(SAMPLE), "--max-kernels", "0"])
    assert bad.exit_code == 2 and "--max-kernels" in bad.output
    with pytest.raises(PerfkitError, match="unknown export limit"):
        dashboard_limits({LIMITS_ENV: '{"max_rowz": 1}'})
