"""Hostile output folders: what a dead writer, a squatting file or a stale lock leaves behind.

:func:`build` writes, under ``dest``, folders in the states perfkit must cope
with when it writes results (see ``docs/security.md``, "Faults: interrupted
runs and unwritable folders"):

``scored-blocked/``
    an earlier ``perfkit score`` output whose ``scores.xlsx`` is now a folder
    with a file in it: nothing can replace it, so a new score must fail
    whole and leave the old ``unit_scores.csv`` and ``item_scores.csv`` as
    they are.
``out-is-a-file``
    a regular file where an output folder is expected.
``leftovers/``
    what writers killed with ``kill -9`` leave: a temporary folder of a dead
    ``perfkit score`` (``.kscore.<owner>.<random>.partial``), a whole-folder
    swap cut between its two renames (``.report.<owner>.<random>.old`` with no
    ``report/``), a temporary file of a dead single-file write, and a
    temporary folder of a writer that still lives (this machine's pid 1),
    which must never be touched.
``stale-lock/``
    an output folder whose ``.perfkit-run.lock`` records a run that died
    without ending cleanly (its processes are all gone).

Owners are written as perfkit writes them (``<host>-<pid>-<start>``); the dead
one is a real process that ran and exited while :func:`build` ran.

Run it by hand to look at the files: ``python tests/hostile/gen_faults.py DEST``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from perfkit._processes import host_tag, process_id

#: Text of the files an "earlier run" left (a new run must not leave them mixed with its own).
OLD = "旧结果,old\n"


def dead_owner() -> tuple[str, tuple[int, int | None]]:
    """The owner tag of a process that has exited, and its (pid, start)."""
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from perfkit._processes import owner_tag, process_id; "
            "print(owner_tag()); print(*process_id())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    tag, ident = child.stdout.split("\n")[:2]
    pid, started = ident.split()
    return tag, (int(pid), None if started == "None" else int(started))


def build(dest: Path) -> list[Path]:
    """Write the fault fixtures under ``dest``; return the paths made."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []

    blocked = dest / "scored-blocked"
    blocked.mkdir(exist_ok=True)
    for name in ("unit_scores.csv", "item_scores.csv"):
        (blocked / name).write_text(OLD, encoding="utf-8")
    (blocked / "scores.xlsx").mkdir(exist_ok=True)
    (blocked / "scores.xlsx" / "留着.txt").write_text("a folder in the way", encoding="utf-8")
    (blocked / "笔记.txt").write_text("not perfkit's: must stay", encoding="utf-8")
    made.append(blocked)

    squatter = dest / "out-is-a-file"
    squatter.write_text("a file, not a folder", encoding="utf-8")
    made.append(squatter)

    tag, _ = dead_owner()
    leftovers = dest / "leftovers"
    leftovers.mkdir(exist_ok=True)
    partial = leftovers / f".kscore.{tag}.a1b2c3d4.partial"
    partial.mkdir(exist_ok=True)
    (partial / "unit_scores.csv").write_text("半截", encoding="utf-8")
    cut = leftovers / f".report.{tag}.0f0f0f0f.old"
    cut.mkdir(exist_ok=True)
    (cut / "run.json").write_text('{"status": "ok"}', encoding="utf-8")
    (leftovers / f".index.html.{tag}.99999999.tmp").write_text("<p>半截", encoding="utf-8")
    live = leftovers / f".kscore.{host_tag()}-1-{process_id(1)[1] or 'x'}.5e5e5e5e.partial"
    live.mkdir(exist_ok=True)  # pid 1 never dies: a writer still at work
    made += [partial, cut, live]

    stale = dest / "stale-lock"
    _, (pid, started) = dead_owner()
    write_lock(stale, pid, started, [[pid, started]])
    made.append(stale)
    return made


def write_lock(out: Path, pid: int, started: int | None, processes: list[list[int | None]]) -> Path:
    """A ``.perfkit-run.lock`` record of a run that did not end cleanly (as perfkit writes it)."""
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "state": "running",
        "host": socket.gethostname(),
        "pid": pid,
        "start": started,
        "started": "2024-04-01T02:00:00+00:00",
        "processes": processes,
    }
    path = out / ".perfkit-run.lock"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    for path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "faults")):
        print(path)
