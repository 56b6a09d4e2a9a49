"""perfkit run: schedules, failures, resume, --force, stale inputs, atomic runs, Dask."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from perfkit.batch import _execute as execute_mod
from perfkit.batch import expand_runs, load_schedule, run_schedule
from perfkit.batch._schedule import Schedule
from perfkit.cli import main
from perfkit.errors import PerfkitError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "department_evaluation.ipynb"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample data where department D02's data is broken."""
    data = tmp_path_factory.mktemp("data")
    for name in ("projects.csv", "indicators.csv", "departments.csv"):
        shutil.copy(ROOT / "data" / "sample" / name, data / name)
    lines = (data / "indicators.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    actual = header.index("actual")
    for i, line in enumerate(lines):
        if line.startswith("2024,P") and "-D02-" in line.split(",")[1]:
            cells = line.split(",")
            cells[actual] = "九成"
            lines[i] = ",".join(cells)
            break
    (data / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def schedule_file(tmp: Path, data: Path, depts: list[str], **extra: object) -> Path:
    body = {
        "notebook": str(NOTEBOOK),
        "output_dir": str(tmp / "out"),
        "workers": 2,
        "parameters": {"year": 2024, "data_dir": str(data)},
        "runs": [{"dept_code": d} for d in depts],
        "run_name": "{year}-{dept_code}",
        **extra,
    }
    path = tmp / "schedule.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, data_dir: Path):
    tmp = tmp_path_factory.mktemp("batch")
    path = schedule_file(tmp, data_dir, ["D01", "D02", "D03"])
    result = CliRunner().invoke(main, ["run", str(path), "--quiet"])
    for name in ("manifest.json", "index.html"):  # as the first run wrote them: reruns rewrite
        shutil.copy(tmp / "out" / name, tmp / f"first-{name}")
    return tmp, path, result


def test_one_broken_department_never_stops_the_others(first_run) -> None:
    tmp, _, result = first_run
    out = tmp / "out"
    assert result.exit_code == 3, result.output
    assert "1 failed" in result.output
    # the failure names the cell and the bad file/row/column
    assert "2024-D02" in result.output and "InputError" in result.output
    for ok in ("2024-D01", "2024-D03"):
        record = json.loads((out / ok / "run.json").read_text(encoding="utf-8"))
        assert record["status"] == "ok"
        assert {"report.html", "report.ipynb", "summary.json", "run.json"} <= set(
            os.listdir(out / ok)
        )
        workbook = openpyxl.load_workbook(out / ok / f"{ok}-评价结果.xlsx", read_only=True)
        assert workbook.sheetnames[:2] == ["概况", "项目得分"]
    failed = json.loads((out / "2024-D02" / "run.json").read_text(encoding="utf-8"))
    assert failed["status"] == "failed"
    assert failed["error"]["ename"] == "InputError"
    assert "evaluate_department" in failed["error"]["source"]
    # the executed notebook keeps the traceback naming file, row and column
    assert "九成" in (out / "2024-D02" / "report.ipynb").read_text(encoding="utf-8")


def test_manifest_and_index(first_run, data_dir: Path) -> None:
    tmp, _, _ = first_run
    manifest = json.loads((tmp / "first-manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"total": 3, "ok": 2, "skipped": 0, "failed": 1}
    runs = {r["name"]: r for r in manifest["runs"]}
    assert runs["2024-D01"]["parameters"] == {
        "year": 2024,
        "data_dir": str(data_dir),
        "dept_code": "D01",
    }
    assert runs["2024-D01"]["summary"]["dept_name"] == "教育局"
    assert runs["2024-D01"]["perfkit_version"] and runs["2024-D01"]["notebook_sha256"]
    assert "duration_s" in runs["2024-D01"]
    assert manifest["notebook_version"] == "1.0"
    index = (tmp / "first-index.html").read_text(encoding="utf-8")
    assert index.count("<tr class=") == 3
    assert 'href="2024-D01/report.html"' in index and "教育局" in index
    assert "失败" in index and "InputError" in index
    assert "http://" not in index and "https://" not in index


def test_rerun_skips_complete_reports_and_redoes_failed(first_run) -> None:
    tmp, path, _ = first_run
    out = tmp / "out"
    before = (out / "2024-D01" / "run.json").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "--quiet"])
    assert result.exit_code == 3
    assert "0 written, 2 up to date, 1 failed" in result.output
    assert (out / "2024-D01" / "run.json").read_text(encoding="utf-8") == before
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    statuses = {r["name"]: r["status"] for r in manifest["runs"]}
    assert statuses == {"2024-D01": "skipped", "2024-D02": "failed", "2024-D03": "skipped"}


def test_force_redoes_everything(tmp_path: Path) -> None:
    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D05"])
    assert CliRunner().invoke(main, ["run", str(path), "-q", "-w", "1"]).exit_code == 0
    first = json.loads((tmp_path / "out" / "2024-D05" / "run.json").read_text(encoding="utf-8"))
    report = tmp_path / "out" / "2024-D05" / "report.html"
    report.write_text("stale", encoding="utf-8")  # kept by a resume, replaced by a redo
    resumed = CliRunner().invoke(main, ["run", str(path), "-q", "-w", "1"])
    assert "0 written, 1 up to date" in resumed.output
    assert report.read_text(encoding="utf-8") == "stale"
    result = CliRunner().invoke(main, ["run", str(path), "-q", "-w", "1", "--force"])
    assert result.exit_code == 0 and "1 written, 0 up to date" in result.output
    assert "交通运输局（D05）" in report.read_text(encoding="utf-8")  # a real report again
    again = json.loads((tmp_path / "out" / "2024-D05" / "run.json").read_text(encoding="utf-8"))
    assert again["started"] >= first["started"]
    assert again["summary"] == first["summary"]


def test_changed_input_makes_a_report_stale(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sample", data)
    path = schedule_file(tmp_path, data, ["D06"])
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(path), "-q", "-w", "1"]).exit_code == 0
    assert "1 up to date" in runner.invoke(main, ["run", str(path), "-q", "-w", "1"]).output
    projects = data / "projects.csv"
    stat = projects.stat()
    os.utime(projects, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert "1 written, 0 up to date" in runner.invoke(main, ["run", str(path), "-q"]).output


def test_an_interrupted_run_leaves_no_report_that_looks_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D07"])

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("perfkit.batch._html.notebook_to_html", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_schedule(path, workers=1)
    out = tmp_path / "out"
    assert not (out / "2024-D07").exists()
    assert not [p for p in out.iterdir() if ".partial" in p.name]
    monkeypatch.undo()
    result = run_schedule(path, workers=1)
    assert result.ok == 1 and (out / "2024-D07" / "report.html").is_file()


def test_leftovers_of_a_killed_run_are_cleared(tmp_path: Path) -> None:
    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D08"])
    out = tmp_path / "out"
    (out / ".partial-2024-D08-deadbeef").mkdir(parents=True)
    (out / ".partial-2024-D08-deadbeef" / "report.html").write_text("half")
    (out / "2024-D08").mkdir()  # a folder without run.json is not a complete report
    (out / "2024-D08" / "report.html").write_text("stale")
    result = run_schedule(path, workers=1)
    assert result.ok == 1 and not [p for p in out.iterdir() if ".partial" in p.name]
    assert (out / "2024-D08" / "report.html").read_text(encoding="utf-8") != "stale"


def test_dask_executor_gives_identical_reports(tmp_path: Path) -> None:
    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D09", "D10"])
    local = run_schedule(path, output_dir=tmp_path / "local", workers=2)
    dask = run_schedule(path, output_dir=tmp_path / "dask", workers=2, executor="dask")
    assert local.ok == dask.ok == 2
    for name in ("2024-D09", "2024-D10"):
        for file in ("report.html", "summary.json"):
            assert (tmp_path / "local" / name / file).read_bytes() == (
                tmp_path / "dask" / name / file
            ).read_bytes(), f"{name}/{file}"
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["executor"] == "dask"


def test_cli_runs_on_dask(tmp_path: Path) -> None:
    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D13"])
    out = tmp_path / "dask-cli"
    result = CliRunner().invoke(
        main, ["run", str(path), "--executor", "dask", "-w", "1", "-q", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1 report(s): 1 written, 0 up to date, 0 failed" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["executor"], manifest["workers"], manifest["scheduler"]) == ("dask", 1, None)
    assert manifest["runs"][0]["status"] == "ok"
    assert "（D13）" in (out / "2024-D13" / "report.html").read_text(encoding="utf-8")
    usage = CliRunner().invoke(main, ["run", str(path), "--scheduler", "tcp://127.0.0.1:9"])
    assert usage.exit_code == 2 and "--scheduler needs --executor dask" in usage.output


def test_an_unreachable_dask_scheduler_is_a_clean_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D13"])
    args = ["run", str(path), "--executor", "dask", "--scheduler", address, "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert f"cannot reach the Dask scheduler {address}" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "manifest.json").exists()
    assert not (tmp_path / "out" / "2024-D13").exists()


def test_matrix_all_expands_every_department_of_the_year() -> None:
    runs = expand_runs(load_schedule(ROOT / "parameters" / "schedules" / "annual.yaml"))
    assert len(runs) == 40
    assert runs[0].parameters == {
        "year": 2024,
        "system": "project-self-eval",
        "data_dir": "data/sample",
        "dept_code": "D01",
    }
    assert "2024-D12" not in {r.name for r in runs}  # D12 was renamed to D41 in 2024
    assert "2024-D41" in {r.name for r in runs}


def test_matrix_order_and_year_all() -> None:
    s = Schedule(
        notebook="n.ipynb",
        output_dir="o",
        parameters={"data_dir": str(ROOT / "data" / "sample")},
        matrix={"year": "all", "dept_code": ["D02", "D01"]},
    )
    names = [r.name for r in expand_runs(s)]
    assert names[:4] == ["2022-D02", "2022-D01", "2023-D02", "2023-D01"]
    assert len(names) == 6


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"notebook": "n.ipynb", "output_dir": "o"}, "give either `matrix:` or `runs:`"),
        (
            {"notebook": "n.ipynb", "output_dir": "o", "runs": [{}], "matrix": {"a": [1]}},
            "exactly one",
        ),
        ({"notebook": "n.ipynb", "output_dir": "o", "runs": [], "workers": 0}, "workers"),
        ({"notebook": "n.ipynb", "output_dir": "o", "matrix": {"dept_code": "every"}}, "`all`"),
        ({"notebook": "n.ipynb", "output_dir": "o", "runs": [{}], "wrokers": 2}, "wrokers"),
    ],
)
def test_bad_schedules_are_explained(tmp_path: Path, body: dict, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    with pytest.raises(PerfkitError, match=message) as info:
        load_schedule(path)
    assert str(path) in str(info.value)
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_run_names_must_differ(tmp_path: Path) -> None:
    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D01", "D01"])
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 1 and "share a folder name" in result.output


def test_missing_notebook_and_unknown_all(tmp_path: Path) -> None:
    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D01"], notebook="nope.ipynb")
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 1 and "notebook not found" in result.output
    s = Schedule(
        notebook="n.ipynb",
        output_dir="o",
        matrix={"system": "all"},
        parameters={"data_dir": str(ROOT / "data" / "sample")},
    )
    with pytest.raises(PerfkitError, match="only defined for year and dept_code"):
        expand_runs(s)


def test_log_file_and_overlapping_runs(tmp_path: Path) -> None:
    import fcntl

    path = schedule_file(tmp_path, ROOT / "data" / "sample", ["D11"])
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".perfkit-run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = CliRunner().invoke(main, ["run", str(path), "-q"])
        assert result.exit_code == 1 and "another perfkit run" in result.output
    log = tmp_path / "run.log"
    result = CliRunner().invoke(main, ["run", str(path), "-q", "--log", str(log)])
    assert result.exit_code == 0
    assert "2024-D11 ok" in log.read_text(encoding="utf-8")


def test_execute_run_records_a_failure_without_raising(tmp_path: Path) -> None:
    task = execute_mod.RunTask(
        name="x",
        notebook=str(NOTEBOOK),
        run_dir=str(tmp_path / "x"),
        parameters={"year": 1999, "dept_code": "D01", "data_dir": str(ROOT / "data" / "sample")},
        cwd=str(ROOT),
    )
    record = execute_mod.execute_run(task)
    assert record["status"] == "failed"
    assert "no project data for 1999" in record["error"]["evalue"]
    assert (tmp_path / "x" / "report.html").is_file()


def test_the_monthly_monitoring_schedule_runs(tmp_path: Path) -> None:
    schedule = load_schedule(ROOT / "parameters" / "schedules" / "monitoring.yaml")
    assert len(expand_runs(schedule)) == 40
    one = schedule.model_copy(update={"matrix": {"dept_code": ["D27"]}})
    result = run_schedule(one, output_dir=tmp_path / "mon", workers=1, cwd=ROOT)
    assert result.ok == 1, result.failed
    report = (tmp_path / "mon" / "D27" / "report.html").read_text(encoding="utf-8")
    assert "序时进度" in report and "<svg" in report


def test_the_verification_schedule_runs(tmp_path: Path) -> None:
    schedule = load_schedule(ROOT / "parameters" / "schedules" / "verification.yaml")
    result = run_schedule(schedule, output_dir=tmp_path / "ver", cwd=ROOT)
    assert result.ok == 2, result.failed
    for name in ("2023-pps", "2023-stratified"):
        assert {"picks.csv", "selection.json", "field_workbook.xlsx"} <= set(
            os.listdir(tmp_path / "ver" / name)
        )
