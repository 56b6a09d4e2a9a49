"""Hostile tables and workbooks through the command line (issue 12, parts 2, 4, 7, 9).

Each case of :data:`tests.hostile.gen_tables.CASES` runs ``perfkit`` in a
child process whose address space is limited to 4 GiB (a limit, not a
timing: a reader that tries to allocate 512 GiB, or a frame of a million
columns, fails the test instead of the machine).  The command must exit with
the case's status — never killed by a signal, never 134 (an abort) — print no
traceback, say what the case says it must, and write nothing when it fails.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from perfkit._limits import MAX_PRINTED_PROBLEMS
from perfkit.tables._write import EXCEL_CELL_CHARS
from tests.hostile.gen_tables import CASES, Case, build

PERFKIT = Path(sys.executable).with_name("perfkit")
ADDRESS_SPACE = 4 * 1024**3


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("hostile-tables")
    build(dest)
    return dest


def _limit_memory() -> None:  # runs in the child, before perfkit starts
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_case(case: Case, corpus: Path, out: Path) -> subprocess.CompletedProcess[str]:
    args = [a.format(case=corpus / case.folder, valid=corpus / "valid", out=out) for a in case.args]
    env = {**os.environ, "PYTHONWARNINGS": "default", "NO_COLOR": "1"}
    return subprocess.run(
        [str(PERFKIT), *args],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=_limit_memory,
        check=False,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_table(case: Case, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_case(case, corpus, out)
    output = result.stdout + result.stderr
    assert result.returncode >= 0, f"killed by signal {-result.returncode}:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    assert "panicked" not in output and "memory allocation" not in output, output[-3000:]
    assert result.returncode == case.exit, output[-3000:]
    for fragment in case.expect:
        assert fragment in output, f"{fragment!r} not in:\n{output[-3000:]}"
    written = out.exists() or out.with_suffix(".csv").exists()
    assert written == case.written, f"written: {written}\n{output[-3000:]}"
    for check in case.checks:
        CHECKS[check](out, result)


def _two_forms_imported(out: Path, result: subprocess.CompletedProcess[str]) -> None:
    with (out / "projects.csv").open(encoding="utf-8-sig") as stream:
        names = sorted(row["project_name"] for row in csv.DictReader(stream))
    assert names == ["临时救助", "城乡低保资金"]  # the good form, and the form beside a bad sheet


def _extreme_rate(out: Path, result: subprocess.CompletedProcess[str]) -> None:
    with (out / "unit_scores.csv").open(encoding="utf-8-sig") as stream:
        rows = {(r["year"], r["unit_code"]): r for r in csv.DictReader(stream)}
    p001 = rows[("2024", "P001")]  # 10⁹ 万元 spent of a budget of 0.000001: 10¹⁷ %
    assert float(p001["execution_rate"]) == 1e17
    assert p001["预算执行率"] == "10.0"  # capped at the weight


def _short_output(out: Path, result: subprocess.CompletedProcess[str]) -> None:
    assert len(result.stdout) + len(result.stderr) < 20_000


def _at_most_500_lines(out: Path, result: subprocess.CompletedProcess[str]) -> None:
    lines = result.stderr.splitlines()
    assert MAX_PRINTED_PROBLEMS < 600 and len(lines) <= MAX_PRINTED_PROBLEMS + 2, len(lines)
    assert "3,000" in lines[-2] or "more problem(s) not shown" in lines[-2], lines[-3:]


def _name_cut_in_workbook(out: Path, result: subprocess.CompletedProcess[str]) -> None:
    book = openpyxl.load_workbook(out / "scores.xlsx", read_only=True)
    sheet = book.worksheets[0]
    lengths = [len(str(v)) for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert max(lengths) == EXCEL_CELL_CHARS
    with (out / "unit_scores.csv").open(encoding="utf-8-sig") as stream:
        names = [row["unit_name"] for row in csv.DictReader(stream)]
    assert max(map(len, names)) == 40_000  # the CSV keeps the whole name


CHECKS = {
    "two_forms_imported": _two_forms_imported,
    "extreme_rate": _extreme_rate,
    "short_output": _short_output,
    "at_most_500_lines": _at_most_500_lines,
    "name_cut_in_workbook": _name_cut_in_workbook,
}


def test_every_case_is_built(corpus: Path) -> None:
    folders = {c.folder for c in CASES} | {"valid"}
    assert folders == {p.name for p in corpus.iterdir()}


def test_out_of_range_in_pandas_frames() -> None:
    """Typed numbers (a pandas frame from a notebook) get the same range as text."""
    pd = pytest.importorskip("pandas")
    import perfkit

    projects = pd.DataFrame(
        {
            "year": [2024, 2024],
            "project_code": ["P001", "P002"],
            "project_name": ["校舍维修", "道路养护"],
            "dept_code": ["D01", "D02"],
            "dept_name": ["教育局", "交通局"],
            "budget_initial": [100, 200],
            "budget_full_year": [120, 10**15],
            "executed": [1e30, 150.0],
        }
    )
    indicators = pd.read_csv(Path(__file__).parent.parent / "bad_inputs" / "valid_indicators.csv")
    problems = [str(p) for p in perfkit.validate(projects, indicators).problems]
    assert "<projects>:1: executed: '1e+30' is out of range: an amount is at most " in problems[0]
    assert "<projects>:2: budget_full_year: '1000000000000000' is out of range" in problems[1]


def test_a_lock_file_named_on_the_command_line_is_skipped(corpus: Path) -> None:
    from perfkit.forms._workbook import expand_inputs

    forms = corpus / "forms_folder" / "forms"
    files, problems = expand_inputs([forms / "~$good.xlsx", forms / "good.xlsx"])
    assert files == [forms / "good.xlsx"]
    assert [p.severity for p in problems] == ["warning"]
    assert "skipped 1 Excel lock file(s) (~$good.xlsx)" in problems[0].message
