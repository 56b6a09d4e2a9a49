"""Names from the data never write outside the output folder (path traversal).

The data of :mod:`tests.hostile.gen_paths` carry department codes such as
``X/../../../../PWNED``, ``..``, ``/tmp/…``, ``CON``, a NUL byte and 300
characters.  ``perfkit run`` of the department report, ``perfkit export-forms``
(by department and by project) and the explorer's export run on them; after
each, every file under the test's folder is either input or inside the output
folder, under a safe name, and no two outputs were written to one file.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.batch import expand_runs
from perfkit.batch._runner import plan_tasks
from perfkit.batch._schedule import Schedule
from perfkit.cli import main
from perfkit.errors import PerfkitError
from perfkit.tables._filenames import MAX_NAME_BYTES, inside, safe_filename
from tests.hostile import gen_paths

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "department_evaluation.ipynb"
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(10)}
HOSTILE = [
    "X/../../PWNED",
    "..",
    ".",
    "",
    "/tmp/x",
    "C:\\Windows\\x",
    "CON",
    "con.xlsx",
    "LPT¹",
    "A\x00B",
    "a\nb\rc\td",
    "\u202egpj.exe",
    "a\u200bb",
    "  .hidden",
    "-rf",
    'a:b|c?d*e"f<g>h',
    "x" * 300,
    "长" * 300,
    "～／..／",
]


def assert_safe(name: str, max_bytes: int = MAX_NAME_BYTES) -> None:
    assert name and name not in (".", "..")
    assert not any(c in name for c in '/\\:*?"<>|')
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp") for c in name)
    assert not name.startswith((".", "-")), name
    assert not name.endswith((".", " "))
    assert len(name.encode("utf-8")) <= max_bytes
    assert unicodedata.normalize("NFKC", name.split(".")[0]).upper() not in RESERVED


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_texts_make_safe_names(text: str, tmp_path: Path) -> None:
    name = safe_filename(text, suffix=".xlsx")
    assert_safe(name)
    assert name.endswith(".xlsx")
    inside(tmp_path, tmp_path / name)  # one component inside the folder
    (tmp_path / name).write_bytes(b"ok")  # and the file system takes it
    assert [p.name for p in tmp_path.iterdir()] == [name]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_any_text_makes_a_safe_name(text: str) -> None:
    assert_safe(safe_filename(text))
    assert_safe(safe_filename(text, suffix=".xlsx"))


def test_long_names_stay_apart() -> None:
    a, b = safe_filename("长" * 299 + "甲"), safe_filename("长" * 299 + "乙")
    assert a != b and a[:40] == b[:40]


def test_inside_refuses_what_leaves_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert inside(out, out / "a" / "b.xlsx") == (out / "a" / "b.xlsx").resolve()
    (out / "link").symlink_to(tmp_path)
    for path in (
        out / "x" / ".." / ".." / "PWNED.xlsx",
        out / "..",
        out,
        Path("/tmp/PWNED.xlsx"),
        out / "link" / "PWNED.xlsx",
    ):
        with pytest.raises(PerfkitError, match="not inside the output folder"):
            inside(out, path)


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return gen_paths.build(tmp_path / "input")[0].parent


def _without_twin(data: Path, tmp_path: Path) -> Path:
    """The data without D_7 (whose run folder would be D/7's: that is a test of its own)."""
    folder = tmp_path / "input2"
    folder.mkdir()
    for name in ("projects", "indicators"):
        frame = pl.read_csv(data / f"{name}.csv", infer_schema=False)
        if name == "projects":
            frame = frame.filter(pl.col("dept_code") != "D_7")
        frame.write_csv(folder / f"{name}.csv")
    return folder


def _schedule(tmp_path: Path, data: Path, out: Path, **extra: object) -> Path:
    body = {
        "notebook": str(NOTEBOOK),
        "output_dir": str(out),
        "workers": 2,
        "parameters": {"year": gen_paths.YEAR, "data_dir": str(data)},
        "matrix": {"dept_code": "all"},
        "run_name": "{dept_code}",
        **extra,
    }
    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def test_department_reports_stay_in_the_output_folder(
    data: Path, tmp_path: Path, monkeypatch
) -> None:
    data = _without_twin(data, tmp_path)
    out = tmp_path / "a" / "b" / "out"
    schedule = _schedule(tmp_path, data, out)
    before = _files(tmp_path)
    work = tmp_path / "cwd"  # relative paths (and "..") are taken from here: the test's folder
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(main, ["run", str(schedule), "-q"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    written = _files(tmp_path) - before
    outside = [p for p in written if not p.resolve().is_relative_to(out.resolve())]
    assert outside == []
    codes = [c for c, _ in gen_paths.DEPARTMENTS.values() if c != "D_7"]
    runs = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert runs == sorted(safe_filename(c) for c in codes)  # .cache: the scores cache
    for run in runs:
        assert_safe(run)
        books = [p.name for p in (out / run).iterdir() if p.suffix == ".xlsx"]
        assert len(books) == 1
        assert_safe(books[0])
        assert openpyxl.load_workbook(out / run / books[0], read_only=True).sheetnames[0] == "概况"


def test_run_folders_that_would_coincide_are_refused(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(_schedule(tmp_path, data, out))])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "share a folder name: D_7 (dept_code='D/7' | dept_code='D_7')" in result.output
    assert not out.exists()
    twins = Schedule(
        notebook="n.ipynb", output_dir="o", parameters={}, runs=[{"d": "D01"}, {"d": "d01"}]
    )
    with pytest.raises(PerfkitError, match="share a folder name: D01, d01"):
        expand_runs(twins)


@pytest.mark.parametrize(
    "template", ["{dept_code.__class__}", "{dept_code!r}", "{year:>10000000}", "{dept_code[0]}"]
)
def test_run_name_templates_are_plain_fields(template: str) -> None:
    s = Schedule(
        notebook="n.ipynb", output_dir="o", runs=[{"dept_code": "D01", "year": 2024}],
        run_name=template,
    )  # fmt: skip
    with pytest.raises(PerfkitError, match="plain parameter names"):
        expand_runs(s)


def test_run_name_keeps_widths() -> None:
    s = Schedule(
        notebook="n.ipynb", output_dir="o", runs=[{"month": 8, "dept_code": "D/1"}],
        run_name="{month:02d}-{dept_code}",
    )  # fmt: skip
    assert [r.name for r in expand_runs(s)] == ["08-D_1"]


def test_codes_from_the_data_are_not_input_files(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text("1", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    projects = pl.read_csv(ROOT / "data" / "sample" / "projects.csv", infer_schema=False)
    projects.filter((pl.col("year") == "2024") & (pl.col("dept_code") == "D01")).with_columns(
        pl.lit(str(elsewhere)).alias("dept_code")
    ).write_csv(data / "projects.csv")
    s = Schedule(
        notebook=NOTEBOOK, output_dir=tmp_path / "out", matrix={"dept_code": "all"},
        parameters={"year": 2024, "data_dir": str(data)},
    )  # fmt: skip
    first = plan_tasks(s, output_dir=tmp_path / "out", cwd=tmp_path)[0].inputs
    (elsewhere / "secret.txt").write_text("22", encoding="utf-8")  # the size changes
    assert plan_tasks(s, output_dir=tmp_path / "out", cwd=tmp_path)[0].inputs == first
    (data / "projects.csv").write_bytes((data / "projects.csv").read_bytes() + b"\n")
    assert plan_tasks(s, output_dir=tmp_path / "out", cwd=tmp_path)[0].inputs != first


@pytest.mark.parametrize("by", ["department", "project"])
def test_export_forms_names_stay_in_the_folder(data: Path, tmp_path: Path, by: str) -> None:
    runner = CliRunner()
    scores = tmp_path / "scores"
    result = runner.invoke(
        main,
        ["score", "-p", str(data / "projects.csv"), "-i", str(data / "indicators.csv"),
         "--out", str(scores)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    forms = tmp_path / "a" / "b" / "forms"
    before = _files(tmp_path)
    result = runner.invoke(
        main, ["export-forms", "--scores", str(scores), "--out", str(forms), "--by", by]
    )
    assert result.exit_code == 0, result.output
    written = _files(tmp_path) - before
    assert written and all(p.parent == forms for p in written)
    for path in written:
        assert_safe(path.name)
    projects = pl.read_csv(data / "projects.csv", infer_schema=False)
    expected = projects.height if by == "project" else projects.n_unique(["dept_code", "dept_name"])
    assert len(written) == expected  # no two departments (D/7, D_7) in one file
    sheets = sum(len(openpyxl.load_workbook(p, read_only=True).sheetnames) for p in written)
    assert sheets == projects.height


def test_explorer_export_stays_in_its_folder(data: Path, tmp_path: Path) -> None:
    from perfkit.explorer import Explorer

    exports = tmp_path / "exports"
    explorer = Explorer(data, offline=False, export_dir=exports)
    before = _files(tmp_path)
    written = [explorer.export(), explorer.export()]
    assert _files(tmp_path) - before == set(written)  # two files, both new
    for path in written:
        assert path.resolve().parent == exports.resolve()
        assert_safe(path.name)
    assert os.path.getsize(written[0]) > 0
