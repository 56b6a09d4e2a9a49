"""Run a schedule: fan notebook runs out over processes or a Dask cluster (批量运行).

* Each run executes in a separate process (a local process pool, or Dask
  workers); one failing report never stops the others.
* Re-running skips runs that are complete and up to date (same parameters,
  notebook, perfkit version and input files); failed and stale runs are redone;
  ``force=True`` redoes all.
* At the end ``index.html`` (every report with department, year, score, grade,
  status and links) and ``manifest.json`` (parameters, times, status, errors,
  versions) are written atomically in the output folder.
* A report whose folder cannot be written is a failed report (the error names
  the path); the others go on.
* SIGINT or SIGTERM stops the run cleanly: nothing more is dispatched, the
  workers and their kernels are killed (and confirmed gone), the index and the
  manifest are written with the unfinished reports marked ``interrupted``, and
  :class:`RunInterrupted` is raised (the CLI exits 130 or 143).  Workers and
  kernels also die on their own when the runner is killed outright
  (:mod:`perfkit.batch._kernels`), and the folder's lock is not taken over while
  any of them lives (:mod:`perfkit.batch._lock`).
* Outputs are identical whichever executor runs them: the same task function
  produces every run folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import nbformat

from perfkit._processes import ProcessId, alive, descendants, kill_group, process_id
from perfkit._version import __version__
from perfkit.batch._engines import ENGINES, close_warm_kernels
from perfkit.batch._execute import (
    RunTask,
    crashed_record,
    execute_run,
    fingerprint_inputs,
    interrupted_record,
    is_current,
    read_record,
)
from perfkit.batch._formats import convert_reports, with_formats
from perfkit.batch._index import write_index
from perfkit.batch._kernels import kill_kernels, worker_start
from perfkit.batch._kernels import stopping as kernels_stopping
from perfkit.batch._lock import RunLock
from perfkit.batch._schedule import Schedule, expand_runs, load_schedule
from perfkit.errors import OutputError, PerfkitError
from perfkit.i18n import _, get_language
from perfkit.scoring._cache import build_cache
from perfkit.tables._filenames import inside
from perfkit.tables._write import atomic_write_text, clean_leftovers, file_sha256

__all__ = ["BatchResult", "RunInterrupted", "run_schedule"]

log = logging.getLogger("perfkit.batch")

EXECUTORS = ("local", "dask")


@dataclass
class BatchResult:
    """What a schedule run did."""

    output_dir: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    index: Path | None = None
    manifest: Path | None = None
    notes: list[str] = field(default_factory=list)  # e.g. a stale lock taken over

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
    def interrupted(self) -> list[dict[str, Any]]:
        """Records of the runs a signal stopped before they were complete."""
        return [r for r in self.records if r["status"] == "interrupted"]

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
        raise PerfkitError(
            _("{path}: not a readable notebook ({exc})").format(path=path, exc=exc)
        ) from None
    return str(nb.metadata.get("perfkit", {}).get("notebook_version", ""))


def plan_tasks(
    schedule: Schedule, *, output_dir: Path, cwd: Path, engine: str = "warm"
) -> list[RunTask]:
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
        raise PerfkitError(_("notebook not found: {notebook}").format(notebook=schedule.notebook))
    sha = file_sha256(notebook)
    version = _notebook_version(notebook)
    # values `all` took from the data (department codes) are not paths to fingerprint: a code
    # such as "/" must not make the runner walk the file system
    from_data = {k for k, v in (schedule.matrix or {}).items() if v == "all"}
    tasks = []
    for run in expand_runs(schedule):
        given = {k: v for k, v in run.parameters.items() if k not in from_data}
        run = run.model_copy(update={"parameters": with_formats(run.parameters, schedule.formats)})
        tasks.append(
            RunTask(
                name=run.name,
                notebook=str(notebook),
                run_dir=str(inside(output_dir, output_dir / run.name)),
                parameters=dict(run.parameters),
                cwd=str(cwd),
                kernel=schedule.kernel,
                timeout=schedule.timeout,
                hide_code=schedule.hide_code,
                notebook_sha256=sha,
                notebook_version=version,
                inputs=fingerprint_inputs(given, cwd),
                engine=engine,
                language=get_language(),
            )
        )
    return tasks


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by SIGINT or SIGTERM, after its workers and kernels were stopped.

    ``index.html`` and ``manifest.json`` are written, with the reports that were
    not complete marked ``interrupted``; ``result`` holds the records and
    ``exit_code`` is 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
    A subclass of :class:`KeyboardInterrupt`, so code that stops on Ctrl-C
    stops on it too.

    Examples
    --------
    >>> RunInterrupted(signal.SIGTERM).exit_code, str(RunInterrupted(signal.SIGINT))
    (143, '被 SIGINT 中断')
    """

    def __init__(self, signum: int, result: BatchResult | None = None) -> None:
        self.signum = int(signum)
        self.result = result
        super().__init__(_("interrupted by {signal}").format(signal=_signal_name(self.signum)))

    @property
    def exit_code(self) -> int:
        """The conventional exit status of a process stopped by this signal."""
        return 128 + self.signum


class _Stop(Exception):
    """Internal: a signal asked the run to stop."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@contextmanager
def _signals_noted() -> Iterator[list[int]]:
    """SIGINT and SIGTERM only note that the run must stop (main thread; restored after)."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous: dict[int, Any] = {}

    def note(signum: int, _frame: object) -> None:
        caught.append(signum)

    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, note)
        yield caught
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Watch:
    """What the runner does while it waits: record its processes in the lock, notice signals."""

    def __init__(self, lock: RunLock, caught: list[int]) -> None:
        self.lock = lock
        self.caught = caught
        self.survivors: list[ProcessId] = []
        self._last = 0.0
        self._before = set(descendants(os.getpid()))  # not this run's (run_schedule in a kernel)

    def tick(self, started: Callable[[], list[ProcessId]] = list) -> None:
        now = time.monotonic()
        if now - self._last >= 1.0:
            self._last = now
            # every process the run started (workers, kernels); elsewhere than Linux the workers
            ours = [p for p in descendants(os.getpid()) if p not in self._before]
            self.lock.record(ours or started())
        if self.caught:
            raise _Stop(self.caught[0])


def _stop_processes(pids: list[int], wait: float = 30.0) -> list[ProcessId]:
    """Kill workers and every process below them (kernels: their process groups); wait for them.

    Returns the processes still alive after ``wait`` seconds (normally none).
    """
    targets = []
    for pid in pids:
        targets.append(process_id(pid))
        targets += descendants(pid)  # kernels, before the workers die and they are re-parented
    for pid, _started in targets:
        kill_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + wait
    living = alive(targets)
    while living and time.monotonic() < deadline:
        time.sleep(0.05)
        living = alive(living)
    return living


def _outcome(future: Any, task: RunTask) -> dict[str, Any]:
    try:
        return future.result()
    except Exception as exc:  # the worker raised or died: this report failed, the others go on
        return crashed_record(task, exc)


def _in_process(
    tasks: list[RunTask], watch: _Watch, deliver: Callable[[dict[str, Any]], None]
) -> None:
    """One run at a time in this process (``workers: 1``).

    The runs execute in one helper thread, so that this thread keeps the signal
    handlers (nbclient replaces them in the thread that runs a notebook); one
    thread for all of them, because a warm kernel's client belongs to the event
    loop of the thread that started it.  That thread's warm kernel is shut down
    at the end.
    """
    cancelled = threading.Event()
    kernels_stopping.clear()  # a run stopped earlier in this process set it
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfkit-run")
    try:
        for task in tasks:
            future = helper.submit(execute_run, task, cancelled)
            try:
                while not future.done():
                    wait([future], timeout=0.5)
                    watch.tick()
            except _Stop:
                cancelled.set()
                kill_kernels()
                wait([future], timeout=60)
                raise
            try:
                record = future.result()
            except KeyboardInterrupt as error:
                raise _Stop(signal.SIGINT) from error
            except BaseException as error:  # the run raised: this report failed, the others go on
                record = crashed_record(task, error)
            deliver(record)
            watch.tick()
    finally:
        with contextlib.suppress(Exception):
            helper.submit(close_warm_kernels).result(timeout=60)
        helper.shutdown(wait=False)


def _pool(
    tasks: list[RunTask],
    workers: int,
    watch: _Watch,
    deliver: Callable[[dict[str, Any]], None],
) -> None:
    """A pool of spawned worker processes that die with the runner (perfkit.batch._kernels)."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=worker_start,
        initargs=(os.getpid(),),
    )

    def started() -> list[ProcessId]:
        return [process_id(pid) for pid in list(getattr(pool, "_processes", None) or {})]

    try:
        futures = {pool.submit(execute_run, task): task for task in tasks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                deliver(_outcome(future, futures[future]))
            watch.tick(started)
    except BaseException:
        processes = dict(getattr(pool, "_processes", None) or {})
        pool.shutdown(wait=False, cancel_futures=True)  # nothing more is dispatched
        watch.survivors = _stop_processes(list(processes))
        for process in processes.values():
            process.join(1)
        raise
    pool.shutdown(wait=True)


def _dask(
    tasks: list[RunTask],
    workers: int,
    scheduler: str | None,
    watch: _Watch,
    deliver: Callable[[dict[str, Any]], None],
) -> None:
    try:
        from distributed import Client, LocalCluster  # dask is heavy: only for --executor dask
    except ImportError:  # pragma: no cover - a dependency
        raise PerfkitError(_("--executor dask needs dask[distributed]")) from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:  # unreachable or not a scheduler: a user error, no traceback
            raise PerfkitError(
                _("cannot reach the Dask scheduler {scheduler}: {exc}").format(
                    scheduler=scheduler, exc=exc
                )
            ) from None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    futures: dict[Any, RunTask] = {}
    try:
        futures = {
            client.submit(execute_run, t, key=f"perfkit-run-{t.name}-{os.getpid()}", pure=False): t
            for t in tasks
        }
        pending = set(futures)
        while pending:
            done = {f for f in pending if f.done()}
            pending -= done
            for future in done:
                deliver(_outcome(future, futures[future]))
            watch.tick()
            if not done:
                time.sleep(0.2)
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        raise
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
    engine: str = "warm",
    on_progress: Callable[[dict[str, Any], int, int], None] | None = None,
    cache: bool = True,
) -> BatchResult:
    """Run every report of a schedule; failures are recorded, never raised.

    Parameters
    ----------
    schedule : path or Schedule
        The schedule YAML (see :mod:`perfkit.batch._schedule`).
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
    engine : {"warm", "cold"}
        ``warm``: each worker keeps a live kernel and runs report after report
        in it, each from a clean state; ``cold``: a new kernel per report
        (:mod:`perfkit.batch._engines`).  The reports are the same.
    cache : bool
        Check and score each (data folder, year, system) of a department schedule once,
        into ``<output_dir>/.cache`` (:mod:`perfkit.scoring._cache`), and let the
        reports read their department from it.  The reports are the same.

    Returns
    -------
    BatchResult
        Records of every run (``ok``, ``failed`` or ``skipped``), and the paths
        of ``index.html`` and ``manifest.json``.

    Raises
    ------
    RunInterrupted
        SIGINT or SIGTERM arrived (main thread only): the workers and their
        kernels were stopped, the unfinished reports are marked
        ``interrupted`` in the index and manifest that were written.
    PerfkitError
        A bad schedule, another run holding the folder's lock, or a previous
        run's processes still alive; :class:`~perfkit.errors.OutputError` when
        the output folder, the index or the manifest cannot be written.

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
        raise PerfkitError(
            _("unknown executor {executor!r}; choose one of {executors}").format(
                executor=executor, executors=", ".join(EXECUTORS)
            )
        )
    if engine not in ENGINES:
        raise PerfkitError(
            _("unknown engine {engine!r}; choose one of {engines}").format(
                engine=engine, engines=", ".join(ENGINES)
            )
        )
    if not isinstance(schedule, Schedule):
        schedule = load_schedule(schedule)
    base = Path(cwd) if cwd is not None else Path.cwd()
    out = (base / (output_dir if output_dir is not None else schedule.output_dir)).resolve()
    n_workers = workers if workers is not None else schedule.workers
    if n_workers < 1:
        raise PerfkitError(_("workers must be at least 1"))
    tasks = plan_tasks(schedule, output_dir=out, cwd=base.resolve(), engine=engine)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(out, exc) from None
    lock = RunLock(out).acquire()
    watch = _Watch(lock, [])
    try:
        _clear_leftovers(out)
        return _run(
            schedule, tasks, out, n_workers, force, executor, scheduler, on_progress, watch, cache
        )
    finally:
        if watch.survivors:  # could not be stopped: the next run waits for them
            lock.record(watch.survivors)
        lock.release(finished=not watch.survivors)


def _clear_leftovers(out: Path) -> None:
    """Folders and files of runs that died earlier (never complete; never taken for reports)."""
    clean_leftovers(out)  # perfkit.tables._write's temporary names, of dead writers only
    for leftover in [*out.glob(".partial-*"), *out.glob(".old-*")]:  # names of perfkit <= 0.1
        shutil.rmtree(leftover, ignore_errors=True)


def _run(
    schedule: Schedule,
    tasks: list[RunTask],
    out: Path,
    n_workers: int,
    force: bool,
    executor: str,
    scheduler: str | None,
    on_progress: Callable[[dict[str, Any], int, int], None] | None,
    watch: _Watch,
    cache: bool = True,
) -> BatchResult:
    started = _now()
    result = BatchResult(output_dir=out, notes=list(watch.lock.notes))
    for note in result.notes:
        log.warning("%s", note)
    todo = []
    records: dict[str, dict[str, Any]] = {}
    for task in tasks:
        if not force and is_current(task):
            previous = read_record(task.run_dir) or {}
            records[task.name] = dict(previous, status="skipped", previous_status="ok")
            log.info("%s", _("skip {name}: complete and up to date").format(name=task.name))
        else:
            todo.append(task)
    if todo and cache:
        todo = _with_scores_cache(todo, out)
    done = len(records)
    for record in records.values():
        if on_progress:
            on_progress(record, done, len(tasks))
    log.info(
        "%s",
        _(
            "{todo} run(s) to do, {done} up to date, {workers} worker(s), executor {executor}"
        ).format(todo=len(todo), done=done, workers=n_workers, executor=executor),
    )

    def deliver(record: dict[str, Any]) -> None:
        nonlocal done
        records[record["name"]] = record
        done += 1
        if record["status"] == "failed":
            err = record["error"] or {}
            log.error(
                "%s",
                _("{name} failed at cell {cell}: {ename}: {evalue}").format(
                    name=record["name"],
                    cell=err.get("cell"),
                    ename=err.get("ename"),
                    evalue=err.get("evalue"),
                ),
            )
        else:
            log.info(
                "%s",
                _("{name} ok in {seconds:.1f} s").format(
                    name=record["name"], seconds=record["duration_s"]
                ),
            )
        if on_progress:
            on_progress(record, done, len(tasks))

    stopped: int | None = None
    with _signals_noted() as caught:
        watch.caught = caught
        try:
            if todo and executor == "dask":
                _dask(todo, n_workers, scheduler, watch, deliver)
            elif todo and n_workers == 1:
                _in_process(todo, watch, deliver)
            elif todo:
                _pool(todo, n_workers, watch, deliver)
        except _Stop as stop:
            stopped = stop.signum
    if stopped is not None:
        name = _signal_name(stopped)
        log.error(
            "%s",
            _("stopped by {signal}: {n} report(s) not complete").format(
                signal=name, n=len(tasks) - done
            ),
        )
        for task in tasks:
            records.setdefault(task.name, interrupted_record(task, name))
        if not watch.survivors:
            clean_leftovers(out)  # the stopped runs' temporary folders: their writers are dead
    result.records = [records[t.name] for t in tasks]
    pdf_skipped = convert_reports(
        result.records, {t.name: Path(t.run_dir) for t in tasks}, schedule.formats
    )
    interrupted = sum(r["status"] == "interrupted" for r in result.records)
    manifest = {
        "schedule": str(schedule.source) if schedule.source else None,
        "notebook": str(schedule.notebook),
        "notebook_sha256": tasks[0].notebook_sha256 if tasks else None,
        "notebook_version": tasks[0].notebook_version if tasks else None,
        "perfkit_version": _version(),
        "python": sys.version.split()[0],
        "executor": executor,
        "engine": tasks[0].engine if tasks else None,
        "scheduler": scheduler,
        "workers": n_workers,
        "forced": force,
        "started": started,
        "finished": _now(),
        "interrupted_by": _signal_name(stopped) if stopped is not None else None,
        "counts": {
            "total": len(tasks),
            "ok": result.ok,
            "skipped": result.skipped,
            "failed": len(result.failed),
            **({"interrupted": interrupted} if interrupted else {}),
        },
        "runs": result.records,
        **({"formats": schedule.formats} if schedule.formats != ["html"] else {}),
        **({"pdf_skipped": pdf_skipped} if pdf_skipped else {}),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
    result.manifest = atomic_write_text(out / "manifest.json", text)
    result.index = write_index(out / "index.html", manifest)
    if stopped is not None:
        raise RunInterrupted(stopped, result)
    return result


#: The folder of the scores cache inside the output folder (docs/batch.md, "Scores cache").
CACHE_DIR = ".cache"


def _with_scores_cache(todo: list[RunTask], out: Path) -> list[RunTask]:
    """Check and score each (data folder, year, system) of the department runs once.

    Only runs of a notebook calling ``evaluate_department`` with ``data_dir``, ``year`` and
    ``dept_code`` parameters take part.  The cache lives in ``<out>/.cache/<key>/``; entries
    of other keys (older data) are removed.  Anything going wrong here only means no
    cache: each report then computes its own evaluation, as without it.
    """
    try:
        source = Path(todo[0].notebook).read_text(encoding="utf-8")
    except OSError:
        return todo
    if "evaluate_department" not in source:
        return todo
    root = out / CACHE_DIR
    entries: dict[tuple[str, str, str], str] = {}
    tasks = []
    for task in todo:
        params = task.parameters
        if not {"data_dir", "year", "dept_code"} <= params.keys():
            tasks.append(task)
            continue
        data_dir = str(Path(task.cwd) / str(params["data_dir"]))
        system = str(params.get("system", "project-self-eval"))
        key = (data_dir, str(params["year"]), system)
        if key not in entries:
            try:
                t0 = time.perf_counter()
                entry = build_cache(data_dir, int(params["year"]), system, root)
                log.info(
                    "%s",
                    _("scores cache {entry} in {seconds:.2f} s").format(
                        entry=entry, seconds=time.perf_counter() - t0
                    ),
                )
            except Exception as exc:  # no cache: every report computes its own
                log.warning(
                    "%s",
                    _("no scores cache for {data_dir} {year}: {reason}").format(
                        data_dir=data_dir, year=params["year"], reason=exc
                    ),
                )
                entry = None
            entries[key] = entry.name if entry is not None else ""
        tasks.append(replace(task, evaluation_cache=str(root) if entries[key] else ""))
    keep = {name for name in entries.values() if name}
    if root.is_dir():
        for old in root.iterdir():
            if old.name not in keep and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
    return tasks


def _version() -> str:
    return __version__
