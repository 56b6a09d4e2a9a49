"""perfkit run's engines: warm kernels give the cold reports, isolate reports, survive kernels
that die, and kernel starts that lose a port race (perfkit.batch._engines)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import nbformat
import openpyxl
import pytest
import yaml

from perfkit.batch import _engines, load_schedule, run_schedule
from perfkit.batch import _execute as execute_mod

ROOT = Path(__file__).resolve().parent.parent


def _normalised_notebook(path: Path, out: Path) -> dict[str, Any]:
    """An executed notebook without what differs between any two runs: times, the run folder."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["papermill"] = {
        k: v
        for k, v in nb["metadata"]["papermill"].items()
        if k not in {"start_time", "end_time", "duration", "input_path", "output_path"}
    }
    for cell in nb["cells"]:
        cell["metadata"].pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell["metadata"].get("papermill", {}).pop(key, None)
    text = json.dumps(nb, ensure_ascii=False)
    # the injected output_dir is the run's temporary folder: its name is the only other difference
    text = text.replace(str(out), "OUT")
    text = re.sub(r"OUT/\.[^\"\\]*partial", "OUT/RUN", text)
    # an object's repr names its address, different in any two runs (cold and cold too)
    return json.loads(re.sub(r" at 0x[0-9a-f]+", " at 0x…", text))


def _cells(path: Path) -> list[list[list[Any]]]:
    book = openpyxl.load_workbook(path)
    return [[[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets]


def test_warm_reports_are_the_cold_reports_for_the_whole_annual_schedule(tmp_path: Path) -> None:
    # the engines, not the documents: HTML only (tests/test_documents.py covers .docx and PDF)
    schedule = load_schedule(ROOT / "parameters" / "schedules" / "annual.yaml").model_copy(
        update={"formats": ["html"]}
    )
    cold = run_schedule(schedule, output_dir=tmp_path / "cold", workers=2, engine="cold", cwd=ROOT)
    warm = run_schedule(schedule, output_dir=tmp_path / "warm", workers=2, engine="warm", cwd=ROOT)
    assert len(cold.records) == len(warm.records) == 40
    assert cold.ok == warm.ok == 40
    # the warm kernels really ran report after report
    assert max(r["kernel"]["reports_in_kernel"] for r in warm.records) > 1
    assert {r["kernel"]["engine"] for r in warm.records} == {"warm"}
    for record in warm.records:
        name = record["name"]
        a, b = tmp_path / "warm" / name, tmp_path / "cold" / name
        assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
        for file in ("report.html", "summary.json"):
            assert (a / file).read_bytes() == (b / file).read_bytes(), f"{name}/{file}"
        assert _normalised_notebook(a / "report.ipynb", tmp_path / "warm") == (
            _normalised_notebook(b / "report.ipynb", tmp_path / "cold")
        ), name
        (book,) = a.glob("*.xlsx")
        assert _cells(book) == _cells(b / book.name), f"{name}/{book.name}"
    manifest = json.loads((tmp_path / "warm" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "warm"


ISOLATION_CELLS = [
    'role = "check"\nmarker = ""\noutput_dir = "."',
    """
import os, statistics, sys
if role == "dirty":
    leaked = 42
    statistics.mean = lambda values: -1           # a monkey-patch
    statistics.added_by_a_report = True            # a name added to a module
    os.environ["PERFKIT_LEAK"] = "1"
    sys.path.insert(0, "/nowhere")
    os.chdir("/")
    raise RuntimeError("this report fails on purpose")
if role == "kill":
    if marker == "always" or not os.path.exists(marker):  # the first attempt kills its kernel
        if marker != "always":
            open(marker, "w").close()
        os.kill(os.getpid(), 9)
""",
    """
import json, os, statistics, sys
state = {
    "leaked": "leaked" in dir(),
    "mean": statistics.mean([1, 3]),
    "added": hasattr(statistics, "added_by_a_report"),
    "env": os.environ.get("PERFKIT_LEAK"),
    "path": "/nowhere" in sys.path,
    "cwd": os.getcwd(),
    "count": get_ipython().execution_count,
    "pid": os.getpid(),
}
with open(os.path.join(output_dir, "summary.json"), "w") as f:
    json.dump(state, f)
""",
]


def _notebook(tmp: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src.strip()) for src in ISOLATION_CELLS]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp / "isolation.ipynb"
    nbformat.write(nb, str(path))
    return path


def _schedule(tmp: Path, runs: list[dict[str, Any]]) -> Path:
    body = {
        "notebook": str(_notebook(tmp)),
        "output_dir": str(tmp / "out"),
        "workers": 1,
        "runs": runs,
        "run_name": "{name}",
    }
    path = tmp / "schedule.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


def test_a_report_leaves_nothing_behind_in_its_warm_kernel(tmp_path: Path) -> None:
    runs = [{"name": "first", "role": "check"}, {"name": "dirty", "role": "dirty"}]
    runs.append({"name": "after", "role": "check"})
    result = run_schedule(_schedule(tmp_path, runs), cwd=tmp_path)
    by_name = {r["name"]: r for r in result.records}
    assert by_name["dirty"]["status"] == "failed"
    assert by_name["dirty"]["error"]["evalue"] == "this report fails on purpose"
    first, after = by_name["first"], by_name["after"]
    assert first["status"] == after["status"] == "ok"
    # the same kernel ran all three, one after the other
    assert after["summary"]["pid"] == first["summary"]["pid"]
    assert after["kernel"]["reports_in_kernel"] == 3
    # ... and the third saw exactly what the first saw
    assert after["summary"] == first["summary"]
    state = after["summary"]
    assert (state["leaked"], state["mean"], state["added"]) == (False, 2, False)
    assert (state["env"], state["path"], state["cwd"]) == (None, False, str(tmp_path))


def test_a_report_that_kills_its_kernel_is_retried_once_on_a_fresh_kernel(tmp_path: Path) -> None:
    marker = tmp_path / "killed-once"
    runs = [
        {"name": "before", "role": "check"},
        {"name": "killer", "role": "kill", "marker": str(marker)},
        {"name": "after", "role": "check"},
    ]
    result = run_schedule(_schedule(tmp_path, runs), cwd=tmp_path)
    by_name = {r["name"]: r for r in result.records}
    assert marker.is_file()
    killer = by_name["killer"]
    assert killer["status"] == "ok", killer["error"]
    assert killer["kernel"]["retried"]["ename"] == "DeadKernelError"
    assert killer["kernel"]["starts"] == 1 and killer["kernel"]["reports_in_kernel"] == 1
    run_json = json.loads((tmp_path / "out" / "killer" / "run.json").read_text(encoding="utf-8"))
    assert run_json["kernel"]["retried"]["ename"] == "DeadKernelError"
    after = by_name["after"]
    assert (
        after["status"] == "ok" and after["summary"]["pid"] != by_name["before"]["summary"]["pid"]
    )


def test_a_report_that_always_kills_its_kernel_fails_after_one_retry(tmp_path: Path) -> None:
    runs = [{"name": "killer", "role": "kill", "marker": "always"}]
    result = run_schedule(_schedule(tmp_path, runs), cwd=tmp_path)
    (record,) = result.records
    assert record["status"] == "failed" and record["error"]["ename"] == "DeadKernelError"
    assert record["kernel"]["retried"]["ename"] == "DeadKernelError"


@pytest.fixture
def taken_port(monkeypatch: pytest.MonkeyPatch) -> int:
    """A port held by someone else, handed out as a kernel's first port (the race, on purpose)."""
    from jupyter_client.provisioning.local_provisioner import LocalPortCache

    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    original = LocalPortCache.find_available_port
    handed: list[int] = []

    def racing(self: Any, ip: str) -> int:
        if not handed:  # the first port chosen is taken before the kernel binds it
            handed.append(port)
            return port
        return original(self, ip)

    monkeypatch.setattr(LocalPortCache, "find_available_port", racing)
    yield port
    holder.close()


@pytest.mark.parametrize("engine", ["warm", "cold"])
def test_a_kernel_that_loses_the_port_race_is_started_again(
    tmp_path: Path, taken_port: int, engine: str
) -> None:
    _engines.close_warm_kernels()  # a warm kernel of an earlier test would be reused
    task = execute_mod.RunTask(
        name="2024-D05",
        notebook=str(ROOT / "notebooks" / "department_evaluation.ipynb"),
        run_dir=str(tmp_path / "2024-D05"),
        parameters={"year": 2024, "dept_code": "D05", "data_dir": "data/sample"},
        cwd=str(ROOT),
        engine=engine,
    )
    record = execute_mod.execute_run(task)
    _engines.close_warm_kernels()
    assert record["status"] == "ok", record["error"]
    assert record["kernel"]["starts"] == 2
    (failure,) = record["kernel"]["start_failures"]
    assert "died before replying" in failure or "Address already in use" in failure
    assert (tmp_path / "2024-D05" / "report.html").is_file()


def test_the_port_race_fails_a_report_without_a_second_start(
    taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race above is real: one start only, and the kernel does not come up."""
    with pytest.raises(_engines.KernelStartError, match=r"python3.*1"):
        _engines.start_kernel("python3", str(ROOT), attempts=1)


def test_unknown_engine_is_a_clean_error(tmp_path: Path) -> None:
    from perfkit.errors import PerfkitError

    with pytest.raises(PerfkitError, match="tepid"):
        run_schedule(_schedule(tmp_path, [{"name": "x"}]), cwd=tmp_path, engine="tepid")


def test_the_html_exporter_is_built_once_and_exports_as_a_new_one(tmp_path: Path) -> None:
    from perfkit.batch import _html

    def notebook(title: str) -> nbformat.NotebookNode:
        code = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
        code.outputs = [
            nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)
        ]
        hidden = nbformat.v4.new_markdown_cell("只给笔记本用户看的说明")
        hidden.metadata["tags"] = [_html.HIDE_TAG]
        return nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell(f"# {title}"), code, hidden]
        )

    a = notebook("甲")  # cell ids are random: the same notebook object each time
    first = _html.notebook_to_html(a, tmp_path / "a.html").read_bytes()
    _html.notebook_to_html(notebook("乙"), tmp_path / "b.html")
    again = _html.notebook_to_html(a, tmp_path / "c.html").read_bytes()
    assert _html._exporter(True) is _html._exporter(True)
    fresh = _html._exporter.__wrapped__(True)
    body, _ = fresh.from_notebook_node(a, resources={"metadata": {"name": "perfkit 报告"}})
    assert first == again == body.encode("utf-8")
    assert "只给笔记本用户看的说明" not in body and "甲" in body


def test_the_command_line_chooses_the_engine(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from perfkit.cli import main

    path = _schedule(tmp_path, [{"name": "a", "role": "check"}])
    result = CliRunner().invoke(main, ["run", str(path), "-q", "--engine", "cold"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "cold"
    assert manifest["runs"][0]["kernel"]["engine"] == "cold"
    assert CliRunner().invoke(main, ["run", str(path), "--engine", "tepid"]).exit_code == 2


def test_no_kernel_is_started_while_the_run_is_stopping(tmp_path: Path) -> None:
    """A run being stopped kills its kernels: none is started again, no report retried."""
    from perfkit.batch import _kernels

    _engines.close_warm_kernels()
    try:
        _kernels.kill_kernels()  # what the runner does on Ctrl-C / SIGTERM
        assert _kernels.stopping.is_set()
        with pytest.raises(_engines.KernelStartError, match="运行正在停止"):
            _engines.start_kernel("python3", str(ROOT))
        assert not _kernels.live_kernels()
        # the next run in this process starts afresh
        result = run_schedule(
            _schedule(tmp_path, [{"name": "again", "role": "check"}]), cwd=tmp_path, workers=1
        )
        assert result.records[0]["status"] == "ok", result.records[0]["error"]
        assert not _kernels.stopping.is_set()
    finally:
        _kernels.stopping.clear()


def test_a_process_that_imports_perfkit_does_not_build_the_iri_parser() -> None:
    """jsonschema's rfc3987_syntax (1.2–1.6 s at import) is deferred; IRI checks still work."""
    import subprocess
    import sys

    code = (
        "import sys, perfkit, nbformat, altair, jsonschema\n"
        "print('rfc3987_syntax.syntax_helpers' in sys.modules)\n"
        "c = jsonschema.FormatChecker()\n"
        "print(c.conforms('https://例子.中国/路径?查询', 'iri'), c.conforms('不是 iri', 'iri'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == ["False", "True", "False"]
