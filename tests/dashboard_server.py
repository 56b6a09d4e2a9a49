"""A real `perfkit dashboard` for tests: started in a session of its own, always stopped.

``running_dashboard(tmp, *options)`` starts the command on a free localhost port with
the sample data, waits until it answers (on ``/logout``, which starts no kernel), and
at the end stops its process group and then any kernel left (kernels run in sessions of
their own, so the group alone does not reach them).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
STARTUP_SECONDS = 180  # Voila's start on a loaded 2-core machine
PAGE_SECONDS = 300  # one page render: a kernel starts, scores the sample, builds the widgets


def free_port() -> int:
    """A localhost port free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dashboard:
    """A running `perfkit dashboard` (its own session) and what it writes."""

    process: subprocess.Popen
    port: int
    log: Path
    exports: Path
    pages: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def request(
        self,
        path: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """One request, redirects not followed: status, headers, body text.

        Bounded in total, not only per read: Voila keeps a page load alive with
        heartbeats, so a render that never ends would otherwise never time out.
        """
        deadline = time.monotonic() + PAGE_SECONDS
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PAGE_SECONDS)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            chunks = []
            while chunk := resp.read1(65536):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    pytest.fail(f"{path}: no complete answer in {PAGE_SECONDS} s")
            text = b"".join(chunks).decode("utf-8", errors="replace")
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text
        finally:
            conn.close()

    def kernels(self) -> list[psutil.Process]:
        """The kernel processes the dashboard runs now."""
        found = []
        for proc in psutil.Process(self.process.pid).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                if "ipykernel_launcher" in " ".join(proc.cmdline()):
                    found.append(proc)
        return found

    def log_text(self) -> str:
        """What the dashboard (Voila and its kernels) wrote to its terminal."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def kernel_id(page: str) -> str:
    """The kernel id a Voila page carries."""
    found = re.search(r'"kernelId": *"([0-9a-f-]{36})"', page)
    assert found, page[:2000]
    return found.group(1)


@contextlib.contextmanager
def running_dashboard(tmp: Path, *options: str) -> Iterator[Dashboard]:
    """`perfkit dashboard --data data/sample [options]`, logging to ``tmp/voila.log``."""
    port = free_port()
    log = tmp / "voila.log"
    exports = tmp / "exports"
    command = [
        sys.executable,
        "-m",
        "perfkit.cli",
        "dashboard",
        "--data",
        str(SAMPLE),
        "--port",
        str(port),
        "--no-browser",
        "--export-dir",
        str(exports),
        *options,
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Dashboard(process, port, log, exports)
    started: set[int] = set()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:  # /logout answers without starting a kernel: the server is up
            if process.poll() is not None:
                pytest.fail(f"perfkit dashboard exited: {server.log_text()}")
            try:
                server.request("/logout")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the dashboard did not answer in {STARTUP_SECONDS} s")
                time.sleep(0.5)
        yield server
    finally:
        # kernels run in sessions of their own: note them, stop the group, then any survivor
        with contextlib.suppress(psutil.NoSuchProcess):
            started = {p.pid for p in psutil.Process(process.pid).children(recursive=True)}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        for pid in started:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc = psutil.Process(pid)
                proc.kill()
                proc.wait(timeout=30)
