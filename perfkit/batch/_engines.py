"""How a run's notebook is executed: a warm kernel reused report after report, or a cold one.

The runner calls :func:`execute_notebook` only; the engine is a task's ``engine``:

``warm`` (the default)
    Each worker (process or thread) keeps one live kernel per kernel name.  The
    first report imports what the notebook imports and takes a snapshot of the
    kernel (:func:`perfkit.batch._isolation.warm_up`); every report starts by
    putting the kernel back to that snapshot, with an empty namespace and the
    execution counter at 1 (:func:`perfkit.batch._isolation.begin_report`).
    papermill itself runs the notebook against the live kernel (its ``km`` and
    ``kc`` are handed to nbclient, which then neither starts nor stops a
    kernel), so the injected parameters cell and the notebook's metadata are
    papermill's own.
``cold``
    A new kernel for every report, shut down after it (perfkit 0.1's path).

Both engines start kernels the same way (:func:`start_kernel`): a kernel that
dies before answering (a port taken between choosing and binding it, a slow
start under load) is started again, with new ports, up to
:data:`START_ATTEMPTS` times.  A report that kills its kernel or hangs (a cell
past the timeout) gets a fresh kernel and one retry.  The record says so
(``kernel`` in ``run.json``).
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.utils import run_sync  # jupyter_core's, one loop per thread

from perfkit.batch._kernels import PerfkitKernelManager, stopping
from perfkit.i18n import ENV_VARIABLE, _
from perfkit.scoring._cache import CACHE_VARIABLE

__all__ = [
    "ENGINES",
    "START_ATTEMPTS",
    "Kernel",
    "KernelStartError",
    "close_warm_kernels",
    "execute_notebook",
    "start_kernel",
]

ENGINES = ("warm", "cold")
#: How many times a kernel is started before the report is marked failed.
START_ATTEMPTS = 5
START_TIMEOUT = 60
# the kernel's own log (TCP notices, shutdown) is noise in cron mail; history in memory as
# nbclient does for the kernels it starts
EXTRA_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL", "--HistoryManager.hist_file=:memory:")
# a report that raised one of these lost its kernel (died, or hung past the cell timeout)
_KERNEL_LOST = ("DeadKernelError", "CellTimeoutError")


class KernelStartError(RuntimeError):
    """Every attempt to start a kernel failed."""


@dataclass
class Kernel:
    """A started kernel: its manager and client, and how it came about."""

    km: Any
    kc: Any
    kernel_name: str
    starts: int = 1
    start_failures: list[str] = field(default_factory=list)
    reports: int = 0
    warm: bool = False


async def _start_once(kernel_name: str, cwd: str) -> tuple[Any, Any]:
    km = PerfkitKernelManager(kernel_name=kernel_name)
    try:
        await km.start_kernel(extra_arguments=list(EXTRA_ARGUMENTS), cwd=cwd)
        kc = km.client()
        kc.allow_stdin = False
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=START_TIMEOUT)
        except BaseException:
            kc.stop_channels()
            raise
    except BaseException:
        if km.has_kernel:
            with contextlib.suppress(Exception):
                await km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()
        raise
    return km, kc


def start_kernel(kernel_name: str, cwd: str, attempts: int = START_ATTEMPTS) -> Kernel:
    """Start a kernel, again with new ports when it dies before answering.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel (``python3``).
    cwd : str
        The kernel's working folder.
    attempts : int
        At most this many starts.

    Returns
    -------
    Kernel
        ``starts`` is how many starts it took, ``start_failures`` why the
        earlier ones failed.

    Raises
    ------
    KernelStartError
        No start succeeded (the message lists every failure).
    jupyter_client.kernelspec.NoSuchKernel
        The kernel is not installed (not retried).

    Examples
    --------
    >>> k = start_kernel("python3", ".")   # doctest: +SKIP
    >>> k.starts                             # doctest: +SKIP
    1
    """
    failures: list[str] = []
    for attempt in range(1, attempts + 1):
        if stopping.is_set():  # the runner is stopping this process's kernels
            failures.append(_("the run is being stopped"))
            break
        try:
            km, kc = run_sync(_start_once)(kernel_name, cwd)
        except NoSuchKernel:
            raise
        except Exception as exc:  # died before answering, port taken, slow start
            failures.append(f"{type(exc).__name__}: {exc}"[:300])
            continue
        return Kernel(km, kc, kernel_name, starts=attempt, start_failures=failures)
    raise KernelStartError(
        _("kernel {kernel} did not start in {attempts} attempts: {failures}").format(
            kernel=kernel_name, attempts=attempts, failures="; ".join(failures)
        )
    )


def shutdown(kernel: Kernel) -> None:
    """Stop a kernel and its client (quietly: it may be dead already)."""
    with contextlib.suppress(Exception):
        kernel.kc.stop_channels()
    with contextlib.suppress(Exception):
        run_sync(kernel.km.shutdown_kernel)(now=True)


# warm kernels of this process, by (thread, kernel name): a kernel client belongs to the
# event loop of the thread that started it
_warm: dict[tuple[int, str], Kernel] = {}
_guard = threading.Lock()


def _key(kernel_name: str) -> tuple[int, str]:
    return threading.get_ident(), kernel_name


def close_warm_kernels() -> None:
    """Shut down the warm kernels this thread keeps (the runner calls it when a run ends)."""
    ident = threading.get_ident()
    with _guard:
        mine = [k for k in _warm if k[0] == ident]
        kernels = [_warm.pop(k) for k in mine]
    for kernel in kernels:
        shutdown(kernel)


def _close_all_at_exit() -> None:
    # other threads' kernels cannot be shut down politely from here: they are killed (with
    # their process group) by perfkit.batch._kernels when this process ends
    close_warm_kernels()


atexit.register(_close_all_at_exit)
with contextlib.suppress(Exception):  # pool workers end through multiprocessing, not atexit
    from multiprocessing import util as _mp_util

    _mp_util.Finalize(None, _close_all_at_exit, exitpriority=100)


def notebook_imports(notebook: str | Path) -> list[str]:
    """The modules a notebook's code cells import (read, never run), in order.

    Examples
    --------
    >>> notebook_imports("notebooks/department_evaluation.ipynb")[:2]
    ['IPython.display', 'perfkit.present.charts']
    """
    nb = nbformat.read(str(notebook), as_version=4)
    names: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # magics and the like: the notebook will say
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found = [node.module]
            else:
                continue
            names += [n for n in found if n not in names]
    return names


async def _silent(kc: Any, code: str, timeout: float) -> dict[str, Any]:
    reply: dict[str, Any] = await kc.execute_interactive(
        code,
        silent=True,
        store_history=False,
        timeout=timeout,
        output_hook=lambda msg: None,
    )
    return reply


def _prepare(kernel: Kernel, notebook: str, cwd: str) -> None:
    """Warm the kernel up (first report) and put it back to its snapshot (every report)."""
    iso = "__import__('perfkit.batch._isolation', fromlist=['_'])"
    code = ""
    if not kernel.warm:
        code = f"{iso}.warm_up({notebook_imports(notebook)!r})\n"
    code += f"{iso}.begin_report({cwd!r})"
    reply = run_sync(_silent)(kernel.kc, code, START_TIMEOUT * 2)
    content = reply.get("content", {})
    if content.get("status") != "ok":
        raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
    kernel.warm = True


def _warm_kernel(kernel_name: str, notebook: str, cwd: str) -> Kernel:
    """This thread's warm kernel, put back to its snapshot; a new one if it is gone or stuck."""
    with _guard:
        kernel = _warm.pop(_key(kernel_name), None)
    if kernel is not None:
        try:
            if not run_sync(kernel.km.is_alive)():
                raise RuntimeError(_("the kernel died"))
            _prepare(kernel, notebook, cwd)
        except Exception:
            shutdown(kernel)
            kernel = None
    if kernel is None:
        kernel = start_kernel(kernel_name, cwd)
        try:
            _prepare(kernel, notebook, cwd)
        except BaseException:
            shutdown(kernel)
            raise
    with _guard:
        _warm[_key(kernel_name)] = kernel
    return kernel


def _papermill_engine() -> str:
    """Register (once) and name the papermill engine that runs on a kernel it is given."""
    # papermill and nbclient are heavy: loaded only when a notebook runs
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    name = "perfkit-kernel"
    if name in papermill_engines._engines:
        return name

    class GivenKernelEngine(NBClientEngine):  # type: ignore[misc]
        """papermill's nbclient engine, on the kernel (``km``, ``kc``) it is handed."""

        @classmethod
        def execute_managed_notebook(  # as NBClientEngine's, plus the client
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            kc = kwargs.pop("kc")
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, **final_kwargs)
            # nbclient sets kc to None in __init__ and would open a second client on the
            # kernel, which takes the kernel's replies over (same session): hand it ours
            client.kc = kc
            return client.execute()

    papermill_engines.register(name, GivenKernelEngine)
    return name


def _papermill(task: Any, output: Path, parameters: dict[str, Any], kernel: Kernel) -> None:
    import papermill  # heavy (nbclient, jupyter_client): loaded only when a notebook runs

    papermill.execute_notebook(
        task.notebook,
        str(output),
        parameters=parameters,
        engine_name=_papermill_engine(),
        kernel_name=task.kernel,
        cwd=task.cwd,
        progress_bar=False,
        log_output=False,
        execution_timeout=task.timeout,
        request_save_on_cell_execute=False,
        km=kernel.km,  # nbclient neither starts nor stops a kernel it is given
        kc=kernel.kc,
    )


def _empty(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _acquire(task: Any) -> Kernel:
    if task.engine == "warm":
        return _warm_kernel(task.kernel, task.notebook, task.cwd)
    return start_kernel(task.kernel, task.cwd)


def _release(task: Any, kernel: Kernel, lost: bool) -> None:
    if task.engine != "warm" or lost:
        shutdown(kernel)
        if task.engine == "warm":
            with _guard:
                if _warm.get(_key(task.kernel)) is kernel:
                    del _warm[_key(task.kernel)]


def execute_notebook(
    task: Any, output: Path, parameters: dict[str, Any], info: dict[str, Any]
) -> None:
    """Execute ``task.notebook`` into ``output`` with papermill, on the task's engine.

    Raises what papermill raises when the notebook fails (the caller records
    it).  ``info`` is filled for the record: ``engine``, ``starts`` (kernel
    starts this report needed), ``start_failures``, ``reports_in_kernel`` (warm:
    this report's place in its kernel's life, 1 = a fresh kernel) and
    ``retried`` (the error that made the report run again on a fresh kernel).
    """
    if task.engine not in ENGINES:
        raise ValueError(
            _("unknown engine {engine!r}; choose one of {engines}").format(
                engine=task.engine, engines=", ".join(ENGINES)
            )
        )
    info.update(engine=task.engine, starts=0, start_failures=[], retried=None)
    for attempt in (1, 2):
        kernel = _acquire(task)
        fresh = kernel.reports == 0
        info["starts"] += kernel.starts if fresh else 0
        info["start_failures"] += kernel.start_failures if fresh else []
        kernel.reports += 1
        info["reports_in_kernel"] = kernel.reports
        lost = False
        try:
            _tell_kernel(kernel, task)
            _papermill(task, output, parameters, kernel)
            return
        except Exception as exc:
            lost = type(exc).__name__ in _KERNEL_LOST or not _alive(kernel)
            if not lost or attempt == 2 or stopping.is_set():
                raise
            info["retried"] = {"ename": type(exc).__name__, "evalue": str(exc)[:300]}
            _empty(output.parent)  # the retry starts from an empty run folder
        finally:
            _release(task, kernel, lost or not _alive(kernel))


def _tell_kernel(kernel: Kernel, task: Any) -> None:
    """Set the report's environment in the kernel (binding no name).

    The schedule's scores cache (``evaluation_cache``) and the run's language
    (``perfkit --lang``: the reports of a run speak the language of the command
    that ran them).  A warm kernel's environment goes back to its snapshot
    before the next report.
    """
    values = {
        CACHE_VARIABLE: getattr(task, "evaluation_cache", ""),
        ENV_VARIABLE: getattr(task, "language", ""),
    }
    settings = {name: value for name, value in values.items() if value}
    if not settings:
        return
    code = f"__import__('os').environ.update({settings!r})"
    reply = run_sync(_silent)(kernel.kc, code, START_TIMEOUT)
    content = reply.get("content", {})
    if content.get("status") != "ok":
        raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")


def _alive(kernel: Kernel) -> bool:
    try:
        return bool(run_sync(kernel.km.is_alive)())
    except Exception:
        return False
