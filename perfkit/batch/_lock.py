"""The batch lock (运行锁): one run per output folder, never beside a previous run's processes.

``OUT/.perfkit-run.lock`` is held with ``flock`` while a run lives, and records
who holds it: host, process id and start time of the runner, and the processes
it started (pool workers, kernels), refreshed as they come and go.  The kernel
releases the ``flock`` the moment the runner dies, even by ``kill -9``; the
record is what lets the next run see that the dead runner's workers or kernels
may still be writing.  A new run therefore

* refuses while another run holds the lock (cron runs that overlap);
* refuses while any process recorded by a previous run that did not end
  cleanly still lives (checked by process id *and* start time, so a reused id
  is not mistaken for the old process);
* otherwise takes the lock over, and says so in a note.

A run that ends (normally, with failures, or stopped by a signal after its
workers are confirmed dead) marks the record ``finished``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from perfkit._processes import ProcessId, alive, process_id
from perfkit.errors import OutputError, PerfkitError
from perfkit.i18n import _

__all__ = ["LOCK_NAME", "RunLock"]

LOCK_NAME = ".perfkit-run.lock"
_MAX_RECORDED = 4096  # a tampered record cannot make the check run for ever


def _decode(raw: bytes) -> dict[str, Any]:
    """The record at the start of the file (a killed writer may leave bytes after it)."""
    try:
        value, _ = json.JSONDecoder().raw_decode(raw.decode("utf-8", "replace").lstrip())
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _processes(record: dict[str, Any]) -> list[ProcessId]:
    """The processes a record names: the runner and those it started (malformed entries skipped)."""
    started = record.get("processes") or []
    if not isinstance(started, list):
        started = []
    entries = [[record.get("pid"), record.get("start")], *started[:_MAX_RECORDED]]
    out: list[ProcessId] = []
    for entry in entries:
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            continue
        pid, started = entry
        if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0:
            out.append((pid, started if isinstance(started, int) else None))
    return out


class RunLock:
    """Hold ``OUT/.perfkit-run.lock`` for a run (see the module's description).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> lock = RunLock(out).acquire()
    >>> RunLock(out).acquire()
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: ...：另一个 perfkit 运行正在写入此文件夹；请在它结束后再试
    >>> lock.release()
    >>> RunLock(out).acquire().release()
    """

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.path = self.out / LOCK_NAME
        self.notes: list[str] = []
        self._fd: int | None = None
        self._record: dict[str, Any] = {}

    def acquire(self) -> RunLock:
        """Take the lock, or raise :class:`~perfkit.errors.PerfkitError` saying who holds it."""
        import fcntl  # Unix only

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(self.path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PerfkitError(
                _(
                    "{out}: another perfkit run is writing to this folder; try again when it ends"
                ).format(out=self.out)
            ) from None
        except OSError as exc:
            os.close(fd)
            raise OutputError(self.path, exc) from None
        try:
            previous = _decode(os.pread(fd, 1 << 16, 0))
            if previous.get("state") == "running":
                self._take_over(previous)
            pid, started = process_id()
            self._fd = fd
            self._record = {
                "state": "running",
                "host": socket.gethostname(),
                "pid": pid,
                "start": started,
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
                "processes": [],
            }
            self._write(strict=True)
        except BaseException:
            self._fd = None
            os.close(fd)
            raise
        return self

    def _take_over(self, previous: dict[str, Any]) -> None:
        who = _("pid {pid}, started {started}").format(
            pid=previous.get("pid"), started=previous.get("started")
        )
        if previous.get("host") != socket.gethostname():
            self.notes.append(
                _(
                    "the previous run ({who} on {host}) did not end normally; its processes "
                    "cannot be checked from this machine; the run lock was taken over"
                ).format(who=who, host=previous.get("host"))
            )
            return
        me = process_id()
        living = [p for p in alive(_processes(previous)) if p != me]
        if living:
            pids = ", ".join(str(pid) for pid, _start in living[:20])
            raise PerfkitError(
                _(
                    "{out}: the previous run's processes ({who}) still live (pid {pids}); "
                    "a new run cannot start before they end"
                ).format(out=self.out, who=who, pids=pids)
            )
        self.notes.append(
            _(
                "the previous run ({who}) did not end normally; its processes have all ended; "
                "the run lock was taken over and its temporary files cleaned up"
            ).format(who=who)
        )

    def record(self, processes: list[ProcessId]) -> None:
        """Record the processes this run started (workers, kernels)."""
        entries = [list(p) for p in processes]
        if self._fd is None or entries == self._record.get("processes"):
            return
        self._record["processes"] = entries
        self._write()

    def release(self, *, finished: bool = True) -> None:
        """Let the lock go (``finished=False``: the record of live processes stays for the next)."""
        import fcntl  # Unix only

        if self._fd is None:
            return
        if finished:
            self._record["state"] = "finished"
            self._record["processes"] = []
            self._write()
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def _write(self, *, strict: bool = False) -> None:
        # in place, on the locked file (a rename would give the next run another file to lock);
        # one write then a truncate: a killed writer leaves a readable record
        data = (json.dumps(self._record, ensure_ascii=False) + "\n").encode("utf-8")
        assert self._fd is not None
        try:
            os.pwrite(self._fd, data, 0)
            os.ftruncate(self._fd, len(data))
        except OSError as exc:
            if strict:
                raise OutputError(self.path, exc) from None
