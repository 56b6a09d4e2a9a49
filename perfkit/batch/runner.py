"""Run a schedule: fan notebook runs out over processes or a Dask cluster (批量运行).

* Each run executes in a separate process (a local process pool, or Dask
  workers); one failing report never stops the others.
* Re-running skips runs that are complete and up to date (same parameters,
  notebook, perfkit version and input files); failed and stale runs are redone;
  ``force=True`` redoes all.
* At the end ``index.html`` (every report with department, year, score, grade,
  status and links) and ``manifest.json`` (parameters, times, status, errors,
  versions) are written atomically in the output folder.
* Outputs are identical whichever executor runs them: the same task function
  produces every run folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import nbformat

from perfkit.batch.execute import RunTask, execute_run, file_sha256, fingerprint_inputs, is_current
from perfkit.batch.index import write_index
from perfkit.batch.schedule import Schedule, expand_runs, load_schedule
from perfkit.errors import PerfkitError

__all__ = ["BatchResult", "run_schedule"]

log = logging.getLogger("perfkit.batch")

EXECUTORS = ("local", "dask")


@dataclass
class BatchResult:
    """What a schedule run did."""

    output_dir: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    index: Path | None = None
    manifest: Path | None = None

    def _count(self, status: str) -> int:
        return sum(r["status"] == status for r in self.records)

    @property
    def ok(self) -> int:
        """Runs that succeeded now."""
        return self._count("ok")

    @property
    def skipped(self) -> int:
        """Runs already complete and up to date (not redone)."""
        return self._count("skipped")

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Records of the runs that failed."""
        return [r for r in self.records if r["status"] == "failed"]

    @property
    def succeeded(self) -> bool:
        """True when no run failed."""
        return not self.failed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _notebook_version(path: Path) -> str:
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:
        raise PerfkitError(f"{path}: not a readable notebook ({exc})") from None
    return str(nb.metadata.get("perfkit", {}).get("notebook_version", ""))


def plan_tasks(schedule: Schedule, *, output_dir: Path, cwd: Path) -> list[RunTask]:
    """The tasks of a schedule with absolute paths (nothing is executed).

    Examples
    --------
    >>> s = load_schedule("parameters/schedules/annual.yaml")
    >>> tasks = plan_tasks(s, output_dir=Path("/tmp/out"), cwd=Path.cwd())
    >>> tasks[0].name, tasks[0].parameters["year"]
    ('2024-D01', 2024)
    """
    notebook = (cwd / schedule.notebook).resolve()
    if not notebook.is_file():
        raise PerfkitError(f"notebook not found: {schedule.notebook}")
    sha = file_sha256(notebook)
    version = _notebook_version(notebook)
    tasks = []
    for run in expand_runs(schedule):
        tasks.append(
            RunTask(
                name=run.name,
                notebook=str(notebook),
                run_dir=str(output_dir / run.name),
                parameters=dict(run.parameters),
                cwd=str(cwd),
                kernel=schedule.kernel,
                timeout=schedule.timeout,
                hide_code=schedule.hide_code,
                notebook_sha256=sha,
                notebook_version=version,
                inputs=fingerprint_inputs(run.parameters, cwd),
            )
        )
    return tasks


def _local(tasks: list[RunTask], workers: int) -> Iterator[dict[str, Any]]:
    if workers == 1:
        for task in tasks:
            yield execute_run(task)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(execute_run, t) for t in tasks]
        for future in as_completed(futures):
            yield future.result()


def _dask(tasks: list[RunTask], workers: int, scheduler: str | None) -> Iterator[dict[str, Any]]:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - a dependency
        raise PerfkitError("--executor dask needs dask[distributed]") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:  # unreachable or not a scheduler: a user error, no traceback
            raise PerfkitError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    try:
        futures = [
            client.submit(execute_run, t, key=f"perfkit-run-{t.name}-{os.getpid()}", pure=False)
            for t in tasks
        ]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_schedule(
    schedule: str | Path | Schedule,
    *,
    output_dir: str | Path | None = None,
    workers: int | None = None,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    cwd: str | Path | None = None,
    on_progress: Callable[[dict[str, Any], int, int], None] | None = None,
) -> BatchResult:
    """Run every report of a schedule; failures are recorded, never raised.

    Parameters
    ----------
    schedule : path or Schedule
        The schedule YAML (see :mod:`perfkit.batch.schedule`).
    output_dir : path, optional
        Overrides the schedule's ``output_dir``.
    workers : int, optional
        Overrides the schedule's ``workers``.
    force : bool
        Redo every run, even those complete and up to date.
    executor : {"local", "dask"}
        Local processes, or a Dask distributed cluster.
    scheduler : str, optional
        A Dask scheduler address (``tcp://host:8786``); without it a
        LocalCluster of ``workers`` processes is started.  The workers must see
        the same files (shared file system) as this machine.
    cwd : path, optional
        Folder relative paths are resolved against (default: the current one).
    on_progress : callable, optional
        Called with (record, done, total) after each run (for a progress bar).

    Returns
    -------
    BatchResult
        Records of every run (``ok``, ``failed`` or ``skipped``), and the paths
        of ``index.html`` and ``manifest.json``.

    Examples
    --------
    >>> import tempfile
    >>> s = load_schedule("parameters/schedules/annual.yaml")
    >>> s = s.model_copy(update={"runs": [{"dept_code": "D99"}], "matrix": None})
    >>> r = run_schedule(s, output_dir=tempfile.mkdtemp())   # doctest: +SKIP
    >>> r.failed[0]["error"]["ename"]                           # doctest: +SKIP
    'PerfkitError'
    """
    if executor not in EXECUTORS:
        raise PerfkitError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if not isinstance(schedule, Schedule):
        schedule = load_schedule(schedule)
    base = Path(cwd) if cwd is not None else Path.cwd()
    out = (base / (output_dir if output_dir is not None else schedule.output_dir)).resolve()
    n_workers = workers if workers is not None else schedule.workers
    if n_workers < 1:
        raise PerfkitError("workers must be at least 1")
    tasks = plan_tasks(schedule, output_dir=out, cwd=base.resolve())
    out.mkdir(parents=True, exist_ok=True)
    with _exclusive(out):
        return _run(schedule, tasks, out, n_workers, force, executor, scheduler, on_progress)


@contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """One run per output folder at a time (cron runs may overlap); clear leftovers."""
    import fcntl

    with open(out / ".perfkit-run.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PerfkitError(
                f"{out}: another perfkit run is writing to this folder; try again when it ends"
            ) from None
        # folders of runs interrupted earlier (never complete; never mistaken for reports)
        for leftover in [*out.glob(".partial-*"), *out.glob(".old-*")]:
            shutil.rmtree(leftover, ignore_errors=True)
        yield


def _run(
    schedule: Schedule,
    tasks: list[RunTask],
    out: Path,
    n_workers: int,
    force: bool,
    executor: str,
    scheduler: str | None,
    on_progress: Callable[[dict[str, Any], int, int], None] | None,
) -> BatchResult:
    started = _now()
    result = BatchResult(output_dir=out)
    todo = []
    records: dict[str, dict[str, Any]] = {}
    for task in tasks:
        if not force and is_current(task):
            from perfkit.batch.execute import read_record

            previous = read_record(task.run_dir) or {}
            records[task.name] = dict(previous, status="skipped", previous_status="ok")
            log.info("skip %s: complete and up to date", task.name)
        else:
            todo.append(task)
    done = len(records)
    for record in records.values():
        if on_progress:
            on_progress(record, done, len(tasks))
    log.info(
        "%d run(s) to do, %d up to date, %d worker(s), executor %s",
        len(todo),
        done,
        n_workers,
        executor,
    )
    stream = _dask(todo, n_workers, scheduler) if executor == "dask" else _local(todo, n_workers)
    for record in stream:
        records[record["name"]] = record
        done += 1
        if record["status"] == "failed":
            err = record["error"] or {}
            log.error(
                "%s failed at cell %s: %s: %s",
                record["name"],
                err.get("cell"),
                err.get("ename"),
                err.get("evalue"),
            )
        else:
            log.info("%s ok in %.1f s", record["name"], record["duration_s"])
        if on_progress:
            on_progress(record, done, len(tasks))
    result.records = [records[t.name] for t in tasks]
    manifest = {
        "schedule": str(schedule.source) if schedule.source else None,
        "notebook": str(schedule.notebook),
        "notebook_sha256": tasks[0].notebook_sha256 if tasks else None,
        "notebook_version": tasks[0].notebook_version if tasks else None,
        "perfkit_version": _version(),
        "python": sys.version.split()[0],
        "executor": executor,
        "scheduler": scheduler,
        "workers": n_workers,
        "forced": force,
        "started": started,
        "finished": _now(),
        "counts": {
            "total": len(tasks),
            "ok": result.ok,
            "skipped": result.skipped,
            "failed": len(result.failed),
        },
        "runs": result.records,
    }
    result.manifest = _write_json_atomic(out / "manifest.json", manifest)
    result.index = write_index(out / "index.html", manifest)
    return result


def _version() -> str:
    from perfkit import __version__

    return __version__


def _write_json_atomic(path: Path, data: Any) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path
