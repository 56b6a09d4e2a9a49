"""Processes: who owns a temporary folder or a lock, and whether it still lives (进程).

perfkit leaves traces of the process that writes: the name of a temporary
folder (:func:`owner_tag`) and the batch lock record the writer's process id
and start time.  A later process decides from them whether the writer is gone
(:func:`tag_is_dead`, :func:`is_alive`) before it cleans up or takes over.
The start time (Linux ``/proc/<pid>/stat``) tells a reused process id from the
original process; a zombie counts as dead.

Workers that must not outlive their parent call :func:`die_with_parent`:
``prctl(PR_SET_PDEATHSIG)`` on Linux, and everywhere a watchdog thread that
polls :func:`os.getppid`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

__all__ = [
    "ProcessId",
    "alive",
    "descendants",
    "die_with_parent",
    "host_tag",
    "is_alive",
    "kill_group",
    "owner_tag",
    "parent_death_signal",
    "process_id",
    "set_parent_death_signal_in_child",
    "start_time",
    "tag_is_dead",
]

#: A process as recorded: its id and its start time (clock ticks after boot; None if unknown).
ProcessId = tuple[int, int | None]

_PROC = Path("/proc")
_PR_SET_PDEATHSIG = 1


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or None."""
    try:
        text = (_PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    end = text.rfind(")")  # the command name may hold spaces and parentheses
    return text[end + 2 :].split() if end > 0 else None


def start_time(pid: int) -> int | None:
    """When a process started (clock ticks after boot, Linux), or None when unknown.

    Examples
    --------
    >>> t = start_time(os.getpid())
    >>> t is None or t == start_time(os.getpid())
    True
    """
    fields = _stat_fields(pid)
    try:
        return int(fields[19]) if fields else None  # field 22 of stat; [0] is field 3
    except (IndexError, ValueError):
        return None


def process_id(pid: int | None = None) -> ProcessId:
    """A process (this one by default) as ``(pid, start time)``.

    Examples
    --------
    >>> process_id()[0] == os.getpid()
    True
    """
    pid = os.getpid() if pid is None else pid
    return (pid, start_time(pid))


def is_alive(pid: int, started: int | None = None) -> bool:
    """True while the process lives (a zombie is dead; a reused pid is not the process).

    Parameters
    ----------
    pid : int
        The process id.
    started : int, optional
        Its start time as recorded by :func:`start_time`; when given and the
        system tells start times, a process with the same id but another start
        time is a different process (the id was reused), so the recorded one is
        dead.

    Examples
    --------
    >>> is_alive(os.getpid()), is_alive(os.getpid(), start_time(os.getpid()))
    (True, True)
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    except OSError:
        return False
    fields = _stat_fields(pid)
    if fields is None:
        return not _PROC.is_dir() or (_PROC / str(pid)).exists()
    if fields[0] in ("Z", "X", "x"):  # zombie or dead: it writes nothing any more
        return False
    if started is not None:
        now = start_time(pid)
        return now is None or now == started
    return True


def descendants(pid: int) -> list[ProcessId]:
    """Every live process below ``pid`` (children, grandchildren …), Linux only.

    Examples
    --------
    >>> import subprocess, sys
    >>> child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    >>> found = [p for p, _ in descendants(os.getpid())]
    >>> child.kill(); _ = child.wait()
    >>> child.pid in found or not Path("/proc").is_dir()
    True
    """
    parents = _parents()
    below: dict[int, list[ProcessId]] = {}
    for proc, parent in parents.items():
        below.setdefault(parent, []).append(proc)
    found: list[ProcessId] = []
    todo = [pid]
    while todo:
        for proc in below.get(todo.pop(), []):
            if proc not in found and is_alive(proc[0]):
                found.append(proc)
                todo.append(proc[0])
    return found


def _parents() -> dict[ProcessId, int]:
    """Every process → its parent's id (Linux ``/proc``)."""
    out: dict[ProcessId, int] = {}
    try:
        entries = [e for e in os.listdir(_PROC) if e.isdigit()]
    except OSError:
        return out
    for entry in entries:
        fields = _stat_fields(int(entry))
        try:
            if fields:
                out[(int(entry), int(fields[19]))] = int(fields[1])
        except (IndexError, ValueError):
            continue
    return out


def kill_group(pid: int, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the process group led by ``pid`` (a kernel and what it started).

    A process that is not a group leader gets the signal alone; one that is
    gone is ignored.
    """
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@cache
def host_tag() -> str:
    """Eight hex digits naming this machine (folders on a shared file system).

    Examples
    --------
    >>> len(host_tag())
    8
    """
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def owner_tag() -> str:
    """This process as it is written into temporary names: ``<host>-<pid>-<start>``.

    Examples
    --------
    >>> tag = owner_tag()
    >>> tag.split("-")[1] == str(os.getpid()), tag_is_dead(tag)
    (True, False)
    """
    pid, started = process_id()
    return f"{host_tag()}-{pid}-{'x' if started is None else started}"


_TAG = re.compile(r"^([0-9a-f]{8})-(\d+)-(\d+|x)$")


def tag_is_dead(tag: str) -> bool:
    """True when the process named by an :func:`owner_tag` is certainly gone.

    A tag of another machine, or one that cannot be read, is never dead: its
    owner cannot be checked from here.

    Examples
    --------
    >>> tag_is_dead(f"{host_tag()}-999999999-1"), tag_is_dead("0badc0de-1-1")
    (True, False)
    """
    match = _TAG.match(tag)
    if not match or match.group(1) != host_tag():
        return False
    started = None if match.group(3) == "x" else int(match.group(3))
    return not is_alive(int(match.group(2)), started)


@cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


def parent_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies (True if set)."""
    prctl = _prctl()
    return prctl is not None and prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def set_parent_death_signal_in_child() -> None:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child dies with its parent.

    It only calls an already-loaded C function (safe between fork and exec).
    """
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def die_with_parent(
    parent: int,
    *,
    on_death: Callable[[], None] | None = None,
    interval: float = 0.5,
    use_pdeathsig: bool = True,
) -> None:
    """Make this process exit when its parent ``parent`` dies.

    Linux: the kernel kills this process with SIGKILL the moment the parent
    dies (``PR_SET_PDEATHSIG``).  Everywhere (and as a second line): a daemon
    thread polls :func:`os.getppid` every ``interval`` seconds; when the parent
    has changed it calls ``on_death`` (to stop what this process started) and
    exits with status 1.

    Parameters
    ----------
    parent : int
        The parent's process id, as the parent knew itself (``os.getpid()``
        there, passed to the child).
    on_death : callable, optional
        Called by the watchdog before exiting.
    interval : float
        Seconds between two polls of the watchdog.
    use_pdeathsig : bool
        Set ``PR_SET_PDEATHSIG`` where available (False: the watchdog alone).
    """
    if use_pdeathsig:
        parent_death_signal(signal.SIGKILL)

    def gone() -> bool:
        return os.getppid() != parent

    def watch() -> None:
        while not gone():
            time.sleep(interval)
        try:
            if on_death is not None:
                on_death()
        finally:
            os._exit(1)

    if gone():  # the parent died before the signal was set up
        watch()
    threading.Thread(target=watch, name="perfkit-parent-watch", daemon=True).start()


def alive(processes: Iterable[ProcessId]) -> list[ProcessId]:
    """The processes of ``processes`` that still live.

    Examples
    --------
    >>> alive([process_id(), (999999999, None)]) == [process_id()]
    True
    """
    return [p for p in processes if is_alive(p[0], p[1])]
