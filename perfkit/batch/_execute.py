"""Execute one run of a schedule: notebook → executed notebook + HTML report, atomically.

:func:`execute_run` is what every executor (local processes, Dask) calls.  It
runs papermill into a private temporary folder beside the run's final folder,
exports the offline HTML report, writes ``run.json`` (the completion record)
last, and only then swaps the folder into place with a rename
(:class:`perfkit.tables._write.atomic_output` with ``whole=True``).  An interrupted
run therefore never leaves a folder that looks complete: a run folder either
has a ``run.json`` written after everything else, or it is the previous
complete run.  A swap that fails (the folder cannot be written) is a failed
run whose error names the path; the previous folder stays.

A failing notebook is a result, not an exception: ``run.json`` records the
failing cell and its error, the executed notebook (with the traceback) and its
HTML are kept for reading, and the other runs go on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from perfkit._version import __version__
from perfkit.batch import _html  # called as _html.notebook_to_html: tests replace it
from perfkit.batch._engines import execute_notebook
from perfkit.errors import OutputError
from perfkit.tables._write import atomic_output

__all__ = [
    "RunCancelled",
    "RunTask",
    "crashed_record",
    "execute_run",
    "fingerprint_inputs",
    "interrupted_record",
    "is_current",
    "read_record",
]

RECORD = "run.json"
NOTEBOOK = "report.ipynb"
HTML = "report.html"


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs to execute one run (picklable, absolute paths)."""

    name: str
    notebook: str
    run_dir: str
    parameters: dict[str, Any]
    cwd: str
    kernel: str = "python3"
    timeout: int | None = 600
    hide_code: bool = True
    notebook_sha256: str = ""
    notebook_version: str = ""
    inputs: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    engine: str = "warm"
    evaluation_cache: str = ""  # the scores cache folder the kernel is told of (may be "")
    language: str = ""  # the language of the run's messages (perfkit --lang), told to the kernel


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def fingerprint_inputs(parameters: dict[str, Any], cwd: str | Path) -> str:
    """A fingerprint of the files a run's parameters point to (path, size, mtime).

    Every string parameter naming an existing file or folder (relative to
    ``cwd``) counts; folders count every file inside them.  ``output_dir`` is
    not an input.  When a data file changes, the fingerprint changes and the
    run is stale.

    Examples
    --------
    >>> a = fingerprint_inputs({"data_dir": "data/sample", "year": 2024}, ".")
    >>> a == fingerprint_inputs({"data_dir": "data/sample", "year": 2024}, "."), len(a)
    (True, 64)
    """
    digest = hashlib.sha256()
    base = Path(cwd)
    for key in sorted(parameters):
        value = parameters[key]
        if key == "output_dir" or not isinstance(value, str) or not value:
            continue
        path = base / value
        try:
            if path.is_file():
                files = [path]
            elif path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file())
            else:
                continue
        except OSError:
            continue
        for file in files:
            stat = file.stat()
            digest.update(f"{key}\0{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read_record(run_dir: str | Path) -> dict[str, Any] | None:
    """The ``run.json`` of a run folder, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((Path(run_dir) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(task: RunTask) -> bool:
    """True when the run folder holds a complete, successful run of exactly this task.

    Same parameters, same notebook bytes, same perfkit version, same input
    files (size and modification time), status ``ok`` and the report files
    present.
    """
    record = read_record(task.run_dir)
    if not record or record.get("status") != "ok":
        return False
    same = (
        record.get("parameters") == _public_parameters(task)
        and record.get("notebook_sha256") == task.notebook_sha256
        and record.get("perfkit_version") == __version__
        and record.get("inputs") == task.inputs
    )
    run_dir = Path(task.run_dir)
    return same and (run_dir / NOTEBOOK).is_file() and (run_dir / HTML).is_file()


def _public_parameters(task: RunTask) -> dict[str, Any]:
    params = dict(task.parameters)
    params.pop("output_dir", None)
    return json.loads(json.dumps(params, default=str))


def _cell_source(notebook: Path | None, execution_count: int | None) -> str | None:
    """The last line of code of the failing cell (papermill adds cells, so find it by count)."""
    if notebook is None or not notebook.is_file() or execution_count is None:
        return None
    try:
        cells = nbformat.read(str(notebook), as_version=4).cells
    except (OSError, ValueError):
        return None
    found = [c for c in cells if c.cell_type == "code" and c.execution_count == execution_count]
    if not found:
        return None
    cell = found[0]
    lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")]
    return lines[-1].strip()[:120] if lines else None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _failing_line(traceback_lines: list[str] | None) -> str | None:
    """The notebook line that raised, from IPython's traceback (``----> 12 ev = …``)."""
    for block in traceback_lines or []:
        for line in _ANSI.sub("", block).splitlines():
            match = re.match(r"\s*-+>\s*\d+\s+(.*\S)", line)
            if match:
                return match.group(1)[:120]
    return None


def _failure(exc: BaseException, notebook: Path | None = None) -> dict[str, Any]:
    from papermill.exceptions import (
        PapermillExecutionError,  # papermill is heavy: loaded only when a run failed
    )

    if isinstance(exc, PapermillExecutionError):
        return {
            "cell": exc.cell_index,
            "execution_count": exc.exec_count,
            "source": _failing_line(exc.traceback) or _cell_source(notebook, exc.exec_count),
            "ename": exc.ename,
            "evalue": exc.evalue,
        }
    return {
        "cell": None,
        "execution_count": None,
        "ename": type(exc).__name__,
        "evalue": str(exc),
        "traceback": traceback.format_exc(limit=5),
    }


def _stable_cell_ids(path: Path) -> nbformat.NotebookNode:
    """Give the cells papermill adds fixed ids (it draws random ones), so reports are identical.

    Returns the notebook as written (the HTML export reads it from here, not the disk).
    """
    nb = nbformat.read(str(path), as_version=4)
    changed = False
    for i, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        for tag in ("injected-parameters", "papermill-error-cell-tag"):
            if tag in tags and cell.get("id") != f"{tag}-{i}":
                cell["id"] = f"{tag}-{i}"
                changed = True
    if changed:
        nbformat.write(nb, str(path))
    return nb


class RunCancelled(Exception):
    """The runner was stopped while this run executed: nothing is put in place."""


def execute_run(task: RunTask, cancelled: threading.Event | None = None) -> dict[str, Any]:
    """Execute one run; return its record (also written as ``run.json``).

    Never raises for a failing notebook: the record's ``status`` is ``ok``
    or ``failed`` with ``error`` naming the failing cell and its error.  When
    the run folder cannot be written (the swap into place fails) the record
    is ``failed`` with an ``OutputError`` naming the path, and the previous
    folder, if any, is left as it was.

    Parameters
    ----------
    task : RunTask
        The run: notebook, parameters, final folder.
    cancelled : threading.Event, optional
        Set by a runner that is being stopped: the run is then not put in
        place (:class:`RunCancelled` is raised instead).

    Returns
    -------
    dict
        The record: name, parameters, status, error, started, finished,
        duration_s, outputs, summary (the notebook's ``summary.json``, if it
        wrote one), versions.
    """
    started, t0 = _now(), time.perf_counter()
    record: dict[str, Any] | None = None
    try:
        # the run's folder is swapped in whole, after run.json: see perfkit.tables.atomic_output
        with atomic_output(Path(task.run_dir), whole=True) as tmp:
            record = _execute(task, tmp, started, t0)
            if cancelled is not None and cancelled.is_set():
                raise RunCancelled(task.name)
        return record
    except OutputError as exc:
        return _unwritten(task, record, exc, started, t0)


def _unwritten(
    task: RunTask, record: dict[str, Any] | None, exc: OutputError, started: str, t0: float
) -> dict[str, Any]:
    """The record of a run whose folder could not be put in place."""
    out = dict(record) if record else _base_record(task, started, __version__)
    out.update(
        status="failed",
        error={"cell": None, "execution_count": None, "ename": "OutputError", "evalue": str(exc)},
        finished=_now(),
        duration_s=round(time.perf_counter() - t0, 3),
        outputs=[],
    )
    return out


def _base_record(task: RunTask, started: str | None, version: str) -> dict[str, Any]:
    return {
        "name": task.name,
        "parameters": _public_parameters(task),
        "status": None,
        "error": None,
        "started": started,
        "finished": None,
        "duration_s": None,
        "outputs": [],
        "summary": None,
        "notebook": task.notebook,
        "notebook_sha256": task.notebook_sha256,
        "notebook_version": task.notebook_version,
        "perfkit_version": version,
        "inputs": task.inputs,
        "worker_pid": os.getpid(),
    }


def _unexecuted(task: RunTask, status: str, ename: str, evalue: str) -> dict[str, Any]:
    """The record of a run that has no executed notebook to show (stopped, crashed)."""
    record = _base_record(task, None, __version__)
    record.update(
        status=status,
        error={"cell": None, "execution_count": None, "ename": ename, "evalue": evalue},
        finished=_now(),
        worker_pid=None,
    )
    return record


def interrupted_record(task: RunTask, signal_name: str) -> dict[str, Any]:
    """The record of a run the runner stopped before it was complete.

    Examples
    --------
    >>> t = RunTask(name="2024-D01", notebook="n.ipynb", run_dir="o/2024-D01",
    ...             parameters={"year": 2024}, cwd=".")
    >>> r = interrupted_record(t, "SIGTERM")
    >>> r["status"], r["error"]["ename"], r["outputs"]
    ('interrupted', 'Interrupted', [])
    """
    message = f"运行被 {signal_name} 中断，本报告未完成（stopped before it was complete）"
    return _unexecuted(task, "interrupted", "Interrupted", message)


def crashed_record(task: RunTask, exc: BaseException) -> dict[str, Any]:
    """The record of a run whose worker raised or died (the other runs go on).

    Examples
    --------
    >>> t = RunTask(name="x", notebook="n.ipynb", run_dir="o/x", parameters={}, cwd=".")
    >>> crashed_record(t, MemoryError("out of memory"))["error"]["ename"]
    'MemoryError'
    """
    return _unexecuted(task, "failed", type(exc).__name__, str(exc))


def _execute(task: RunTask, tmp: Path, started: str, t0: float) -> dict[str, Any]:
    """Run the notebook into ``tmp``, export its HTML and write ``run.json`` there (last)."""
    params = dict(task.parameters)
    params["output_dir"] = str(tmp)
    error: dict[str, Any] | None = None
    kernel: dict[str, Any] = {}
    try:
        # warm or cold kernel, started again when it dies before answering (perfkit.batch._engines)
        execute_notebook(task, tmp / NOTEBOOK, params, kernel)
    except Exception as exc:  # a failing notebook is a result
        error = _failure(exc, tmp / NOTEBOOK)
    if (tmp / NOTEBOOK).is_file():
        try:
            executed = _stable_cell_ids(tmp / NOTEBOOK)
            _html.notebook_to_html(executed, tmp / HTML, hide_code=task.hide_code)
        except Exception as exc:
            error = error or _failure(exc)
    summary = None
    if (tmp / "summary.json").is_file():
        try:
            summary = json.loads((tmp / "summary.json").read_text(encoding="utf-8"))
        except ValueError:
            summary = None
    record = _base_record(task, started, __version__)
    record.update(
        status="failed" if error else "ok",
        error=error,
        finished=_now(),
        duration_s=round(time.perf_counter() - t0, 3),
        outputs=[*sorted(p.name for p in tmp.iterdir()), RECORD],
        summary=summary,
        kernel=kernel,
    )
    (tmp / RECORD).write_text(
        json.dumps(record, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return record


def task_dict(task: RunTask) -> dict[str, Any]:
    """A task as a plain dict (for logs)."""
    return asdict(task)
