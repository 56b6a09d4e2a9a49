"""A polars panic is never what a user sees: a bad cell is a Problem, a real panic a clean error.

The bug (docs/security.md, "Polars panics"): in a department's rows of ``projects.csv``
(the rows of one year and department, filtered out of a CSV read in several
chunks) a ``budget_full_year`` such as ``七十二`` made ``pl.format`` panic while
the message "'七十二' 不是数字" was built, so ``evaluate_department``, the
department notebook and ``perfkit run`` died with a ``PanicException`` — a
``BaseException`` that ``except Exception`` lets through.  perfkit builds such
messages with :func:`perfkit._limits.format_expr` instead (and ruff bans
``pl.format``).  Should polars panic anyway, the panic becomes an
:class:`~perfkit.errors.InternalError` naming the file (``check_table``), a
"cannot be read" problem (``read_table``) or, in the command line, a message
naming the command's input files; never a traceback.

Written against the Chinese default (``tests/conftest.py``, ``CHINESE_DEFAULT``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml
from click.testing import CliRunner, Result

import perfkit.cli.scoring
import perfkit.tables._read
import perfkit.tables._validate
from perfkit._limits import format_expr
from perfkit.cli import main
from perfkit.errors import InputError, InternalError
from perfkit.evaluation import evaluate_department
from perfkit.scoring import validate
from perfkit.tables._read import read_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
NOTEBOOK = ROOT / "notebooks" / "department_evaluation.ipynb"
YEAR, BAD_DEPT, GOOD_DEPT = 2024, "D01", "D02"


def corrupt(data: Path, value: str) -> int:
    """Write ``value`` as ``budget_full_year`` of BAD_DEPT's second project of YEAR; its row."""
    path = data / "projects.csv"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    header = rows[0]
    year, dept = header.index("year"), header.index("dept_code")
    hits = [i for i, r in enumerate(rows) if r[year] == str(YEAR) and r[dept] == BAD_DEPT]
    index = hits[1]
    rows[index][header.index("budget_full_year")] = value
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return index + 1  # the header is row 1


@pytest.fixture(scope="module", params=["七十二", "abc"])
def corrupted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """data/sample with a non-numeric budget in one of BAD_DEPT's rows: (folder, row, value)."""
    data = tmp_path_factory.mktemp("corrupted") / "data"
    shutil.copytree(SAMPLE, data)
    return data, corrupt(data, request.param), request.param


def expected_line(row: int, value: str) -> str:
    return f"projects.csv 第{row}行 budget_full_year：'{value}' 不是数字"


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    """``perfkit`` in a child process: its whole stderr (a Rust panic prints there) is seen."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "RUST_BACKTRACE": "0"}
    env.pop("PERFKIT_LANG", None)
    return subprocess.run(
        [sys.executable, "-m", "perfkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def assert_clean(output: str) -> None:
    assert "Traceback" not in output, output[-3000:]
    assert "panicked" not in output and "PanicException" not in output, output[-3000:]


# ------------------------------------------------------------- the layout that panicked


def filtered_text_frame() -> pl.DataFrame:
    """Text in two chunks, filtered so that the first is empty: one department of a CSV."""
    text = pl.concat([pl.Series("s", ["a", "b"]), pl.Series("s", ["七十二", "d"])], rechunk=False)
    frame = pl.DataFrame({"r": [1, 2, 3, 4]}).with_columns(text).filter(pl.col("r") > 2)
    assert [len(c) for c in frame.get_column("s").get_chunks()] == [0, 2]
    return frame


@pytest.mark.parametrize(
    ("template", "args", "expected"),
    [
        ("'{}' 不是数字", [pl.col("s")], ["'七十二' 不是数字", "'d' 不是数字"]),
        ("{}-{}", [pl.col("r"), "s"], ["3-七十二", "4-d"]),
        ("{1}/{0} {{}}", [pl.col("s"), pl.col("r")], ["3/七十二 {}", "4/d {}"]),
        ("第{r}行", [], ["第3行", "第4行"]),
    ],
)
def test_format_expr_on_the_layout_that_made_pl_format_panic(
    template: str, args: list[pl.Expr | str], expected: list[str]
) -> None:
    frame = filtered_text_frame()
    out = frame.select(format_expr(template, *args).alias("m")).get_column("m").to_list()
    assert out == expected
    if args:  # the same text as pl.format gives on the same rows in one chunk
        same = frame.rechunk().select(pl.format(template, *args).alias("m"))  # noqa: TID251
        assert same.get_column("m").to_list() == expected


def test_format_expr_is_null_where_a_value_is_null_and_rejects_a_bad_template() -> None:
    frame = pl.DataFrame({"s": ["x", None]})
    assert frame.select(format_expr("<{}>", "s")).to_series().to_list() == ["<x>", None]
    for template, args in [("{}", []), ("{} {", ["s"]), ("}", ["s"]), ("x", ["s"])]:
        with pytest.raises(TypeError, match="format template"):
            format_expr(template, *args)


# ------------------------------------------------- the bad cell is a Problem everywhere


def test_evaluate_department_gives_the_problem_validate_gives(corrupted) -> None:
    data, row, value = corrupted
    with pytest.raises(InputError) as caught:
        evaluate_department(data, YEAR, BAD_DEPT)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert [str(p) for p in errors] == [expected_line(row, value)]
    (problem,) = errors
    assert (problem.file, problem.row, problem.column) == ("projects.csv", row, "budget_full_year")
    whole = validate(data / "projects.csv", data / "indicators.csv")
    assert problem in whole.problems  # the same one perfkit validate lists
    assert evaluate_department(data, YEAR, GOOD_DEPT).grade in {"优", "良", "中", "差"}


def test_validate_and_score_name_the_cell_and_write_nothing(corrupted, tmp_path: Path) -> None:
    data, row, value = corrupted
    tables = ["-p", data / "projects.csv", "-i", data / "indicators.csv"]
    checked = run_cli("validate", *tables)
    scored = run_cli("score", *tables, "-o", tmp_path / "out")
    for result in (checked, scored):
        output = result.stdout + result.stderr
        assert result.returncode == 1, output[-3000:]
        assert expected_line(row, value) in output, output[-3000:]
        assert_clean(output)
    assert not (tmp_path / "out").exists()


def test_run_fails_that_report_with_the_problem_and_writes_the_other(
    corrupted, tmp_path: Path
) -> None:
    data, row, value = corrupted
    out = tmp_path / "out"
    schedule = tmp_path / "schedule.yaml"
    body = {
        "notebook": str(NOTEBOOK),
        "output_dir": str(out),
        "workers": 2,
        "parameters": {"year": YEAR, "data_dir": str(data)},
        "runs": [{"dept_code": d} for d in (BAD_DEPT, GOOD_DEPT)],
        "run_name": "{year}-{dept_code}",
    }
    schedule.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    result = run_cli("run", schedule, "-q")
    output = result.stdout + result.stderr
    assert result.returncode == 3, output[-3000:]  # some reports failed (docs/batch.md)
    assert_clean(output)
    assert expected_line(row, value) in output, output[-3000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    runs = {r["name"]: r for r in manifest["runs"]}
    bad, good = runs[f"{YEAR}-{BAD_DEPT}"], runs[f"{YEAR}-{GOOD_DEPT}"]
    assert good["status"] == "ok"
    assert bad["status"] == "failed"
    assert bad["error"]["ename"] == "InputError"
    assert expected_line(row, value) in bad["error"]["evalue"]
    assert (out / f"{YEAR}-{GOOD_DEPT}" / "report.html").is_file()


# ------------------------------------------------ a panic anyway: a clean error


def panic(*args: object, **kwargs: object) -> None:
    # a BaseException, not an Exception: why perfkit converts it
    assert not issubclass(pl.exceptions.PanicException, Exception)
    raise pl.exceptions.PanicException("assertion failed: i < self.len()")


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_panic_in_checking_a_table_is_an_internal_error_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(perfkit.tables._validate, "_check_table", panic)
    with pytest.raises(InternalError) as caught:  # an Exception: a batch or notebook catches it
        evaluate_department(SAMPLE, YEAR, GOOD_DEPT)
    assert caught.value.file == "projects.csv"
    assert "读取 projects.csv 时发生内部错误（assertion failed: i < self.len()）" in str(
        caught.value
    )
    result = invoke(
        "score", "-p", SAMPLE / "projects.csv", "-i", SAMPLE / "indicators.csv", "-o", tmp_path
    )
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "✗ 读取 projects.csv 时发生内部错误" in result.output
    assert "perfkit 的缺陷" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_panic_in_reading_a_file_is_a_problem_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(perfkit.tables._read, "_read_csv", panic)
    with pytest.raises(InputError) as caught:
        read_table(SAMPLE / "projects.csv", "projects")
    (problem,) = caught.value.problems
    assert problem.file == "projects.csv"
    assert "assertion failed: i < self.len()" in problem.message


def test_the_command_line_turns_any_panic_into_a_message_naming_its_inputs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(perfkit.cli.scoring, "score_api", panic)
    projects, indicators = SAMPLE / "projects.csv", SAMPLE / "indicators.csv"
    result = invoke("score", "-p", projects, "-i", indicators, "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"✗ 读取 {projects}、{indicators} 时发生内部错误" in result.output
    assert str(tmp_path / "out") not in result.output  # an output is not an input
    assert not (tmp_path / "out").exists()
