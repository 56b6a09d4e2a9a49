"""Kernels and workers that never outlive the run that started them (进程清理).

* :class:`PerfkitKernelManager` is the kernel manager papermill gets for every
  report: on Linux the kernel is started with ``PR_SET_PDEATHSIG`` (it is
  killed the moment the process that started it dies), and every kernel it
  starts is remembered in this process (:func:`kill_kernels` stops them, with
  their process groups).  ipykernel's own parent poller (``JPY_PARENT_PID``)
  is the second line on every system.
* :func:`worker_start` is the initializer of the runner's pool workers: each
  worker gets its own process group (a Ctrl-C in the terminal reaches the
  runner only, which then stops the workers itself) and exits when the runner
  dies (:func:`perfkit._processes.die_with_parent`), stopping its kernel first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Any

from jupyter_client import AsyncKernelManager

from perfkit._processes import (
    ProcessId,
    die_with_parent,
    is_alive,
    kill_group,
    process_id,
    set_parent_death_signal_in_child,
)

__all__ = ["PerfkitKernelManager", "kill_kernels", "live_kernels", "stopping", "worker_start"]

_kernels: set[ProcessId] = set()
_guard = threading.Lock()
#: Set by :func:`kill_kernels`: the run is being stopped, so no report is retried on a
#: fresh kernel and no kernel is started (the runner clears it when a run starts).
stopping = threading.Event()


class PerfkitKernelManager(AsyncKernelManager):
    """An :class:`~jupyter_client.AsyncKernelManager` whose kernels die with their parent.

    Examples
    --------
    >>> issubclass(PerfkitKernelManager, AsyncKernelManager)
    True
    """

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        # jupyter_client's documented hook "to launch kernel subprocesses differently";
        # its keywords reach subprocess.Popen
        if sys.platform.startswith("linux"):
            kw.setdefault("preexec_fn", set_parent_death_signal_in_child)
        await super()._async_launch_kernel(kernel_cmd, **kw)
        pid = getattr(self.provisioner, "pid", None)
        if pid:
            self._perfkit_kernel = process_id(pid)
            with _guard:
                _kernels.add(self._perfkit_kernel)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        kernel = getattr(self, "_perfkit_kernel", None)
        if kernel is not None:
            with _guard:
                _kernels.discard(kernel)


def live_kernels() -> list[ProcessId]:
    """Kernels this process started and has not shut down yet."""
    with _guard:
        return sorted(_kernels)


def kill_kernels() -> None:
    """Kill every kernel this process started (with its process group); see :data:`stopping`."""
    stopping.set()
    for pid, started in live_kernels():
        if is_alive(pid, started):
            kill_group(pid, signal.SIGKILL)


def worker_start(parent: int) -> None:
    """Initializer of a pool worker: own process group; exit (and stop the kernel) with the runner.

    Parameters
    ----------
    parent : int
        The runner's process id.
    """
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    die_with_parent(parent, on_death=kill_kernels)
