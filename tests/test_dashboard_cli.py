"""``perfkit dashboard --notebook``: another notebook served by Voila, and a missing one refused.

The served notebook prints what ``perfkit dashboard`` hands it through the
environment (data folder, system); the test reads the page over HTTP from the
command started on a free localhost port, then stops the command's whole
process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from perfkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
STARTUP_SECONDS = 120
PAGE_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    source = [
        "import os",
        "from pathlib import Path",
        'data, system = Path(os.environ["PERFKIT_DATA"]), os.environ["PERFKIT_SYSTEM"]',
        'print("自定义页面", data.name, system)',
    ]
    nb.cells = [nbformat.v4.new_code_cell("\n".join(source))]
    nbformat.write(nb, str(path))
    return path


def _serve(args: list[str], cwd: Path, log: Path) -> str:
    """Start ``perfkit dashboard ARGS``, wait until it listens, return its page's HTML.

    Voila runs the notebook for each page request, so the page is asked for once,
    with a generous timeout, after the port accepts connections.
    """
    port = _free_port()
    command = [sys.executable, "-m", "perfkit.cli", "dashboard", *args]
    command += ["--port", str(port), "--no-browser"]
    with log.open("w") as out:
        server = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if server.poll() is not None:
                    pytest.fail(f"perfkit dashboard exited: {log.read_text()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"Voila did not listen in {STARTUP_SECONDS} s")
                    time.sleep(0.5)
            url = f"http://127.0.0.1:{port}/"
            with urllib.request.urlopen(url, timeout=PAGE_SECONDS) as page:
                return page.read().decode("utf-8")
        finally:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def test_dashboard_serves_the_notebook_given(tmp_path: Path) -> None:
    _page_notebook(tmp_path / "page.ipynb")
    args = ["--data", str(SAMPLE), "--notebook", "page.ipynb", "--system", "dept-overall"]
    html = _serve(args, cwd=tmp_path, log=tmp_path / "voila.log")  # a path relative to cwd
    assert "自定义页面 sample dept-overall" in html
    assert "print(" not in html  # sources are stripped


def test_dashboard_refuses_a_notebook_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ipynb"
    result = CliRunner().invoke(
        main, ["dashboard", "--data", str(SAMPLE), "--notebook", str(missing), "--no-browser"]
    )
    assert result.exit_code == 1
    assert f"{missing}: notebook not found (give --notebook PATH)" in result.output
    assert "Traceback" not in result.output
