"""Faults: outputs that cannot be written, runs killed or stopped, writers that died.

Issue 12, parts 5 and 6 (docs/security.md, "Faults: interrupted runs and
unwritable folders").  The faults are set up so that they fail for root as for
any user: a folder where a file is expected, a file where a folder is
expected; ``chattr +i`` (root) or ``chmod`` (other users) only where a real
"permission denied" is the point, skipped when neither can be set up.

Processes of a ``perfkit run`` started here are found by a mark in their
environment (every child inherits it: workers, kernels), read from ``/proc``
independently of perfkit's own process code.  Waits poll with generous
timeouts; nothing asserts on time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner, Result

from perfkit.cli import main
from tests.hostile import gen_faults

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
NOTEBOOK = ROOT / "notebooks" / "department_evaluation.ipynb"
VALID_P = ROOT / "tests" / "bad_inputs" / "valid_projects.csv"
VALID_I = ROOT / "tests" / "bad_inputs" / "valid_indicators.csv"
FORM = ROOT / "tests" / "data" / "forms" / "2023-民政局.xls"
PROC = Path("/proc")

needs_proc = pytest.mark.skipif(
    not (PROC / "self" / "environ").exists(), reason="needs Linux /proc to find a run's processes"
)


# ---------------------------------------------------------------- helpers


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_cannot_write(result: Result, path: Path) -> None:
    """Exit 1, a message naming the path, and no traceback (no exception escaped)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"cannot write {path}" in result.output, result.output


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def hidden(folder: Path, keep: tuple[str, ...] = (".perfkit-run.lock", ".cache")) -> list[str]:
    """Hidden entries (temporary files and folders) of ``folder``; the run's lock and its
    scores cache (docs/batch.md) are meant to stay."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name not in keep)


def poll(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {timeout:.0f} s for {what}")
        time.sleep(0.2)


def state(pid: int) -> str | None:
    """The process state letter from /proc, or None when the process is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2]


def gone(pid: int) -> bool:
    return state(pid) in (None, "Z", "X", "x")


def start_of(pid: int) -> int:
    text = (PROC / str(pid) / "stat").read_text()
    return int(text[text.rfind(")") + 2 :].split()[19])


def marked(mark: str) -> dict[int, str]:
    """Live processes whose environment carries ``PERFKIT_FAULT_MARK=mark``: pid → command."""
    tag = f"PERFKIT_FAULT_MARK={mark}".encode()
    found = {}
    for entry in os.listdir(PROC):
        if not entry.isdigit():
            continue
        try:
            environ = (PROC / entry / "environ").read_bytes()
            command = (PROC / entry / "cmdline").read_bytes()
        except OSError:
            continue
        if tag in environ.split(b"\0") and not gone(int(entry)):
            found[int(entry)] = command.replace(b"\0", b" ").decode("utf-8", "replace")
    return found


def schedule_file(tmp: Path, depts: list[str], workers: int = 2) -> Path:
    body = {
        "notebook": str(NOTEBOOK),
        "output_dir": str(tmp / "out"),
        "workers": workers,
        "parameters": {"year": 2024, "data_dir": str(SAMPLE)},
        "runs": [{"dept_code": d} for d in depts],
        "run_name": "{year}-{dept_code}",
    }
    path = tmp / f"schedule-{workers}.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def manifest_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def complete_reports(out: Path) -> set[str]:
    """Report folders whose run.json says ok."""
    done = set()
    for record in out.glob("*/run.json"):
        if json.loads(record.read_text(encoding="utf-8")).get("status") == "ok":
            done.add(record.parent.name)
    return done


class Run:
    """``perfkit run`` in a child process whose every descendant carries a mark."""

    def __init__(self, tmp: Path, *args: object) -> None:
        self.mark = uuid.uuid4().hex
        self.log = tmp / f"run-{self.mark[:8]}.log"
        env = dict(os.environ, PERFKIT_FAULT_MARK=self.mark, PYTHONPATH=str(ROOT))
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "perfkit.cli", "run", *map(str, args)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def processes(self) -> dict[int, str]:
        return marked(self.mark)

    def wait_for_kernels(self, n: int = 1) -> dict[int, str]:
        def kernels() -> dict[int, str]:
            if self.proc.poll() is not None:
                pytest.fail(f"the run ended before its kernels started:\n{self.output()}")
            found = {p: c for p, c in self.processes().items() if "ipykernel_launcher" in c}
            return found if len(found) >= n else {}

        return poll(kernels, 600, f"{n} kernel(s) of the run")

    def cleanup(self) -> None:
        """Whatever a failed test left running dies here (never needed when the code is right)."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def faults(tmp_path: Path) -> Path:
    gen_faults.build(tmp_path)
    return tmp_path


@pytest.fixture
def immutable() -> Iterator[Callable[[Path], str]]:
    """Make a file or folder unchangeable: ``chattr +i`` as root, ``chmod`` otherwise."""
    undo: list[Callable[[], None]] = []

    def make(path: Path) -> str:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
            if done.returncode != 0:
                pytest.skip(f"root ignores permissions and chattr +i failed: {done.stderr!r}")
            undo.append(lambda: subprocess.run(["chattr", "-i", str(path)], check=False))
            return "operation not permitted"
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        undo.append(lambda: path.chmod(mode))
        return "permission denied"

    try:
        yield make
    finally:
        for step in reversed(undo):
            step()


# ---------------------------------------------------------------- output folders


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scored") / "scored"
    assert invoke("score", "-p", VALID_P, "-i", VALID_I, "--out", out).exit_code == 0
    return out


def command_args(name: str, scored: Path) -> list[object]:
    return {
        "score": ["score", "-p", VALID_P, "-i", VALID_I],
        "import-forms": ["import-forms", FORM],
        "export-forms": ["export-forms", "--scores", scored],
        "sample draw": [
            *("sample", "draw", "-p", SAMPLE / "projects.csv", "--year", 2023),
            *("--design", "srs", "--n", 3, "--seed", 1),
        ],
        "monitor": [
            *("monitor", "--projects", SAMPLE / "projects.csv"),
            *("--monitoring", SAMPLE / "monitoring.csv", "--month", 8),
        ],
        "compare": ["compare", "--data", SAMPLE, "--years", "2023-2024"],
    }[name]


COMMANDS = ["score", "import-forms", "export-forms", "sample draw", "monitor", "compare"]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_output_folder_that_is_a_file_is_a_clear_error(
    faults: Path, scored: Path, command: str
) -> None:
    squatter = faults / "out-is-a-file"
    result = invoke(*command_args(command, scored), "--out", squatter)
    # click's own check (exit 2, "Directory … is a file") or perfkit's (exit 1): never a traceback
    assert result.exit_code in (1, 2) and isinstance(result.exception, SystemExit), result.output
    assert str(squatter) in result.output
    result = invoke(*command_args(command, scored), "--out", squatter / "below")
    assert_cannot_write(result, squatter)
    assert "file exists" in result.output
    assert squatter.read_text(encoding="utf-8") == "a file, not a folder"
    assert not hidden(faults)


@pytest.mark.parametrize("command", ["score", "import-forms", "sample draw", "monitor", "compare"])
def test_a_file_that_cannot_be_replaced_leaves_the_old_results_whole(
    tmp_path: Path, scored: Path, command: str
) -> None:
    out = tmp_path / "out"
    assert invoke(*command_args(command, scored), "--out", out).exit_code == 0
    files = sorted(p.name for p in out.iterdir())
    for name in files:  # an earlier run with other data: every file differs from the new ones
        (out / name).write_bytes(gen_faults.OLD.encode())
    blocked = out / files[-1]  # the last one moved in: every other file was replaced before it
    blocked.unlink()
    blocked.mkdir()
    (blocked / "x").write_text("in the way", encoding="utf-8")
    (out / "笔记.txt").write_text("not perfkit's", encoding="utf-8")
    before = snapshot(out)
    result = invoke(*command_args(command, scored), "--out", out)
    assert_cannot_write(result, blocked)
    assert snapshot(out) == before  # nothing replaced, nothing removed, nothing mixed
    assert not hidden(tmp_path)


def test_score_into_the_blocked_fixture_changes_nothing(faults: Path) -> None:
    out = faults / "scored-blocked"
    before = snapshot(out)
    result = invoke("score", "-p", VALID_P, "-i", VALID_I, "--out", out)
    assert_cannot_write(result, out / "scores.xlsx")
    assert "is a directory" in result.output
    assert snapshot(out) == before
    (out / "scores.xlsx" / "留着.txt").unlink()
    (out / "scores.xlsx").rmdir()
    assert invoke("score", "-p", VALID_P, "-i", VALID_I, "--out", out).exit_code == 0
    assert openpyxl.load_workbook(out / "scores.xlsx").sheetnames[0] == "单位得分"
    assert (out / "笔记.txt").read_text(encoding="utf-8") == "not perfkit's: must stay"
    assert (out / "unit_scores.csv").read_text(encoding="utf-8-sig") != gen_faults.OLD


@pytest.mark.parametrize("command", ["score", "import-forms", "sample draw"])
def test_a_folder_without_write_permission_is_a_clear_error(
    tmp_path: Path, scored: Path, command: str, immutable: Callable[[Path], str]
) -> None:
    out = tmp_path / "out"
    assert invoke(*command_args(command, scored), "--out", out).exit_code == 0
    before = snapshot(out)
    reason = immutable(out)
    result = invoke(*command_args(command, scored), "--out", out)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "cannot write" in result.output and reason in result.output, result.output
    assert snapshot(out) == before


def test_a_log_file_that_cannot_be_opened_is_a_clear_error(faults: Path) -> None:
    log = faults / "out-is-a-file" / "run.log"
    result = invoke("run", schedule_file(faults, ["D01"]), "-q", "--log", log)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"{log}: not a directory" in result.output, result.output
    assert not (faults / "out").exists()


def test_the_department_summary_is_written_atomically(tmp_path: Path) -> None:
    from perfkit.errors import OutputError
    from perfkit.evaluation._department import evaluate_department

    evaluation = evaluate_department(SAMPLE, 2024, "D01")
    (tmp_path / "summary.json").mkdir()
    with pytest.raises(OutputError, match=r"summary\.json"):
        evaluation.save_summary(tmp_path)
    (tmp_path / "summary.json").rmdir()
    path = evaluation.save_summary(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8"))["dept_code"] == "D01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


# ---------------------------------------------------------------- dead writers


def test_a_writer_killed_with_sigkill_leaves_a_folder_the_next_write_removes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "kscore"
    killed = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from perfkit.tables._write import atomic_output\n"
        "with atomic_output(Path(sys.argv[1])) as tmp:\n"
        "    (tmp / 'unit_scores.csv').write_text('半截', encoding='utf-8')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", killed, str(out)], cwd=ROOT, check=False)
    assert done.returncode == -signal.SIGKILL
    dead = hidden(tmp_path)
    assert len(dead) == 1 and dead[0].startswith(".kscore.") and dead[0].endswith(".partial")
    waiting = (
        "import sys\n"
        "from pathlib import Path\n"
        "from perfkit.tables._write import atomic_output\n"
        "with atomic_output(Path(sys.argv[1])) as tmp:\n"
        "    (tmp / 'later.txt').write_text('still writing', encoding='utf-8')\n"
        "    print('ready', flush=True)\n"
        "    sys.stdin.read()\n"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", waiting, str(out)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        live = [name for name in hidden(tmp_path) if name not in dead]
        assert len(live) == 1
        result = invoke("score", "-p", VALID_P, "-i", VALID_I, "--out", out)
        assert result.exit_code == 0, result.output
        assert hidden(tmp_path) == live  # the dead writer's folder went; the live one's stayed
    finally:
        assert writer.stdin is not None
        writer.stdin.close()
        writer.wait()
    assert writer.returncode == 0
    assert not hidden(tmp_path)
    assert sorted(p.name for p in out.iterdir()) == [
        "item_scores.csv",
        "later.txt",
        "scores.xlsx",
        "unit_scores.csv",
    ]


def test_leftovers_of_dead_writers_are_cleaned_and_a_cut_swap_is_undone(faults: Path) -> None:
    from perfkit.tables._write import clean_leftovers

    folder = faults / "leftovers"
    before = hidden(folder)
    live = [n for n in before if n.startswith(".kscore.") and n.endswith(".5e5e5e5e.partial")]
    assert len(before) == 4 and len(live) == 1
    clean_leftovers(folder)
    assert hidden(folder) == live  # pid 1 lives: its folder is not touched
    assert json.loads((folder / "report" / "run.json").read_text(encoding="utf-8")) == {
        "status": "ok"
    }  # the whole folder a dead swap had moved aside is back


def test_single_file_writes_clean_their_dead_temporary_files(faults: Path) -> None:
    from perfkit.errors import OutputError
    from perfkit.tables._write import atomic_write_text

    folder = faults / "leftovers"
    atomic_write_text(folder / "index.html", "<p>完整</p>")
    assert (folder / "index.html").read_text(encoding="utf-8") == "<p>完整</p>"
    assert not [n for n in hidden(folder) if n.startswith(".index.html.")]
    (folder / "manifest.json").mkdir()
    with pytest.raises(OutputError, match=r"manifest\.json: is a directory"):
        atomic_write_text(folder / "manifest.json", "{}")
    assert not [n for n in hidden(folder) if n.startswith(".manifest.json.")]


# ---------------------------------------------------------------- workers die with their parent


@needs_proc
@pytest.mark.parametrize("pdeathsig", [True, False], ids=["prctl", "watchdog"])
def test_a_worker_exits_when_its_parent_is_killed(pdeathsig: bool) -> None:
    child = (
        "import sys, time\n"
        "from perfkit._processes import die_with_parent\n"
        "die_with_parent(int(sys.argv[1]), use_pdeathsig=sys.argv[2] == '1', interval=0.2)\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = (
        "import os, subprocess, sys, time\n"
        "c = subprocess.Popen([sys.executable, '-c', sys.argv[1], str(os.getpid()), sys.argv[2]],"
        " stdout=subprocess.PIPE, text=True)\n"
        "print(c.pid, flush=True)\n"
        "print(c.stdout.readline().strip(), flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", parent, child, "1" if pdeathsig else "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    try:
        assert proc.stdout.readline().strip() == "ready"
        assert not gone(worker)
        proc.kill()
        proc.wait()
        poll(lambda: gone(worker), 120, f"worker {worker} to exit after its parent died")
    finally:
        if not gone(worker):
            os.kill(worker, signal.SIGKILL)


# ---------------------------------------------------------------- the batch lock


@needs_proc
def test_the_lock_is_not_taken_over_while_a_previous_runs_process_lives(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    out = tmp_path / "out"
    try:
        _, (dead_pid, dead_start) = gen_faults.dead_owner()
        gen_faults.write_lock(out, dead_pid, dead_start, [[sleeper.pid, start_of(sleeper.pid)]])
        result = invoke("run", schedule_file(tmp_path, ["D01"]), "-q")
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert f"pid {sleeper.pid}" in result.output and "still live" in result.output
        assert sorted(p.name for p in out.iterdir()) == [".perfkit-run.lock"]  # nothing run
        from perfkit.batch._lock import RunLock

        # the same pid with another start time is another process (the pid was reused)
        gen_faults.write_lock(out, dead_pid, dead_start, [[sleeper.pid, start_of(sleeper.pid) + 1]])
        RunLock(out).acquire().release()
        gen_faults.write_lock(out, dead_pid, dead_start, [[sleeper.pid, start_of(sleeper.pid)]])
    finally:
        sleeper.kill()
        sleeper.wait()
    lock = RunLock(out).acquire()  # its processes are gone now: taken over, with a note
    try:
        assert len(lock.notes) == 1 and "the run lock was taken over" in lock.notes[0]
        assert f"pid {dead_pid}" in lock.notes[0]
    finally:
        lock.release()
    assert json.loads((out / ".perfkit-run.lock").read_text(encoding="utf-8"))["state"] == (
        "finished"
    )


def test_a_stale_lock_of_the_fixture_is_taken_over_with_a_note(faults: Path) -> None:
    from perfkit.batch._lock import RunLock

    lock = RunLock(faults / "stale-lock").acquire()
    lock.release()
    assert "did not end normally" in lock.notes[0]
    again = RunLock(faults / "stale-lock").acquire()  # ended cleanly: no note
    again.release()
    assert again.notes == []


# ---------------------------------------------------------------- reports that cannot be written


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """D01 and D02 run once, complete (each test copies them)."""
    tmp = tmp_path_factory.mktemp("reports")
    schedule = schedule_file(tmp, ["D01", "D02"])
    result = invoke("run", schedule, "-q")
    assert result.exit_code == 0, result.output
    return schedule, tmp / "out"


def copy_reports(two_reports: tuple[Path, Path], tmp: Path) -> Path:
    out = tmp / "out"
    shutil.copytree(two_reports[1], out)
    return out


def test_a_report_whose_folder_cannot_be_replaced_fails_alone(
    tmp_path: Path, two_reports: tuple[Path, Path], immutable: Callable[[Path], str]
) -> None:
    out = copy_reports(two_reports, tmp_path)
    before = snapshot(out / "2024-D01")
    first = manifest_of(out)["started"]
    reason = immutable(out / "2024-D01")
    result = invoke("run", two_reports[0], "--out", out, "--force", "-q")
    assert result.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    manifest = manifest_of(out)
    assert manifest["started"] != first or manifest["finished"] != first  # rewritten
    runs = {r["name"]: r for r in manifest["runs"]}
    assert runs["2024-D02"]["status"] == "ok"
    assert runs["2024-D01"]["status"] == "failed"
    assert runs["2024-D01"]["error"]["ename"] == "OutputError"
    assert str(out / "2024-D01") in runs["2024-D01"]["error"]["evalue"]
    assert reason in runs["2024-D01"]["error"]["evalue"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "cannot write" in index and "失败" in index
    assert snapshot(out / "2024-D01") == before  # the previous report is whole
    assert not hidden(out)


def test_a_file_where_a_report_folder_goes_is_kept_and_the_report_fails(
    tmp_path: Path, two_reports: tuple[Path, Path]
) -> None:
    out = copy_reports(two_reports, tmp_path)
    shutil.rmtree(out / "2024-D02")
    (out / "2024-D02").write_text("用户自己的文件", encoding="utf-8")
    result = invoke("run", two_reports[0], "--out", out, "-q")
    assert result.exit_code == 3, result.output
    runs = {r["name"]: r for r in manifest_of(out)["runs"]}
    assert runs["2024-D01"]["status"] == "skipped"  # resume still holds
    assert runs["2024-D02"]["status"] == "failed"
    assert f"cannot write {out / '2024-D02'}" in runs["2024-D02"]["error"]["evalue"]
    assert (out / "2024-D02").read_text(encoding="utf-8") == "用户自己的文件"
    assert not hidden(out)


def test_an_index_that_cannot_be_written_is_a_clear_error(
    tmp_path: Path, two_reports: tuple[Path, Path]
) -> None:
    out = copy_reports(two_reports, tmp_path)
    (out / "index.html").unlink()
    (out / "index.html").mkdir()
    (out / "index.html" / "x").write_text("in the way", encoding="utf-8")
    result = invoke("run", two_reports[0], "--out", out, "-q")  # both up to date: nothing runs
    assert_cannot_write(result, out / "index.html")
    assert json.loads((out / ".perfkit-run.lock").read_text(encoding="utf-8"))["state"] == (
        "finished"
    )
    shutil.rmtree(out / "index.html")
    result = invoke("run", two_reports[0], "--out", out, "-q")
    assert result.exit_code == 0 and "2 up to date" in result.output, result.output


# ---------------------------------------------------------------- killed and stopped runs

DEPTS = ["D01", "D02", "D03", "D04", "D05", "D06"]


@needs_proc
def test_kill_9_of_a_run_leaves_no_process_and_the_next_run_completes(tmp_path: Path) -> None:
    schedule = schedule_file(tmp_path, DEPTS)
    out = tmp_path / "out"
    run = Run(tmp_path, schedule, "-q")
    try:
        run.wait_for_kernels()
        os.kill(run.proc.pid, signal.SIGKILL)
        run.proc.wait()
        poll(lambda: not run.processes(), 120, "every process of the killed run to exit")
    finally:
        run.cleanup()
    written = complete_reports(out)
    assert len(written) < len(DEPTS)
    leftovers = hidden(out)
    assert leftovers  # the reports in progress had their temporary folders
    lock = json.loads((out / ".perfkit-run.lock").read_text(encoding="utf-8"))
    assert lock["state"] == "running" and lock["pid"] == run.proc.pid
    assert complete_reports(out) == written  # nothing appeared once they were gone

    again = Run(tmp_path, schedule, "-q")
    try:
        assert again.proc.wait(timeout=1800) == 0, again.output()
    finally:
        again.cleanup()
    assert "the run lock was taken over" in again.output()
    assert complete_reports(out) == {f"2024-{d}" for d in DEPTS}
    assert not hidden(out)
    counts = manifest_of(out)["counts"]
    assert counts == {"total": 6, "ok": 6 - len(written), "skipped": len(written), "failed": 0}

    # resume: nothing left to do; determinism: the same report as a run in one process
    result = invoke("run", schedule, "-q")
    assert result.exit_code == 0 and "6 up to date" in result.output, result.output
    single = tmp_path / "single"
    result = invoke("run", schedule_file(tmp_path, ["D01"], workers=1), "--out", single, "-q")
    assert result.exit_code == 0, result.output
    for name in ("report.html", "summary.json"):
        assert (single / "2024-D01" / name).read_bytes() == (out / "2024-D01" / name).read_bytes()


@needs_proc
@pytest.mark.parametrize(
    ("sig", "workers", "code"),
    [(signal.SIGTERM, 2, 143), (signal.SIGINT, 1, 130)],
    ids=["SIGTERM-pool", "SIGINT-in-process"],
)
def test_a_signal_stops_the_run_and_writes_what_it_has(
    tmp_path: Path, sig: int, workers: int, code: int
) -> None:
    schedule = schedule_file(tmp_path, DEPTS, workers=workers)
    out = tmp_path / "out"
    run = Run(tmp_path, schedule, "-q")
    try:
        run.wait_for_kernels()
        os.kill(run.proc.pid, sig)
        assert run.proc.wait(timeout=600) == code, run.output()
        poll(lambda: not run.processes(), 120, "every process of the stopped run to exit")
    finally:
        run.cleanup()
    output = run.output()
    assert "Traceback" not in output, output
    assert f"the run was interrupted by {signal.Signals(sig).name}" in output
    manifest = manifest_of(out)
    assert manifest["interrupted_by"] == signal.Signals(sig).name
    statuses = {r["name"]: r["status"] for r in manifest["runs"]}
    assert set(statuses.values()) <= {"ok", "interrupted"}
    assert "interrupted" in statuses.values()
    ok = {name for name, status in statuses.items() if status == "ok"}
    assert complete_reports(out) == ok  # no report appeared besides those the manifest lists
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("中断（未完成）") == manifest["counts"]["interrupted"]
    assert not hidden(out)
    assert json.loads((out / ".perfkit-run.lock").read_text(encoding="utf-8"))["state"] == (
        "finished"
    )
