"""perfkit run's scores cache: each (data folder, year, system) checked and scored once per
schedule; the reports read their department from it and are the reports without it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import polars as pl
import yaml
from click.testing import CliRunner

from perfkit.batch import run_schedule
from perfkit.cli import main
from tests.test_batch_engines import _cells, _normalised_notebook

ROOT = Path(__file__).resolve().parent.parent


def _annual(tmp: Path, **changes: object) -> Path:
    body = yaml.safe_load((ROOT / "parameters" / "schedules" / "annual.yaml").read_text("utf-8"))
    body["formats"] = ["html", "docx"]  # the PDF is converted from the docx: nothing to compare
    body.update(changes)
    path = tmp / "annual.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def _docx_text(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml")


def test_every_annual_report_is_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    schedule = _annual(tmp_path)
    plain = run_schedule(schedule, output_dir=tmp_path / "plain", workers=2, cwd=ROOT, cache=False)
    fast = run_schedule(schedule, output_dir=tmp_path / "fast", workers=2, cwd=ROOT)
    assert plain.ok == fast.ok == len(fast.records) == 40
    assert not (tmp_path / "plain" / ".cache").exists()
    (entry,) = (tmp_path / "fast" / ".cache").iterdir()
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    assert meta["mode"] == "year" and len(meta["departments"]) == 40
    for record in fast.records:
        name = record["name"]
        a, b = tmp_path / "fast" / name, tmp_path / "plain" / name
        assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
        for file in ("report.html", "summary.json"):
            assert (a / file).read_bytes() == (b / file).read_bytes(), f"{name}/{file}"
        assert _normalised_notebook(a / "report.ipynb", tmp_path / "fast") == (
            _normalised_notebook(b / "report.ipynb", tmp_path / "plain")
        ), name
        (book,) = a.glob("*.xlsx")
        assert _cells(book) == _cells(b / book.name), f"{name}/{book.name}"
        assert _docx_text(a / "report.docx") == _docx_text(b / "report.docx"), name


def test_the_reports_read_the_cache_and_a_changed_file_replaces_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("projects.csv", "indicators.csv", "departments.csv"):
        (data / name).write_bytes((ROOT / "data" / "sample" / name).read_bytes())
    schedule = _annual(
        tmp_path,
        formats=["html"],
        workers=1,
        parameters={"year": 2024, "system": "project-self-eval", "data_dir": str(data)},
        matrix={"dept_code": ["D01"]},
        output_dir=str(tmp_path / "out"),
    )
    out = tmp_path / "out"
    first = run_schedule(schedule, cwd=ROOT)
    assert first.ok == 1
    score = json.loads((out / "2024-D01" / "summary.json").read_text("utf-8"))["score"]
    # tamper with the cached scores: a report that reads the cache shows them
    (entry,) = (out / ".cache").iterdir()
    units = pl.read_parquet(entry / "units.parquet")
    units.with_columns(pl.lit(1.0).alias("total")).write_parquet(entry / "units.parquet")
    run_schedule(schedule, cwd=ROOT, force=True)
    summary = json.loads((out / "2024-D01" / "summary.json").read_text("utf-8"))
    assert summary["score"] == 1.0 != score
    # without the cache, the report computes its own
    result = CliRunner().invoke(main, ["run", str(schedule), "--force", "--no-cache", "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "2024-D01" / "summary.json").read_text("utf-8"))["score"] == score
    # a changed data file: another key; the old entry is removed, the report is right again
    lines = (data / "projects.csv").read_text("utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("2024,") and ",D03," in line)
    cells = lines[row].split(",")
    cells[-1] = "0.00"  # another department's carry-over
    lines[row] = ",".join(cells)
    (data / "projects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = run_schedule(schedule, cwd=ROOT)  # resume: the input changed, the report is redone
    assert again.ok == 1 and again.skipped == 0
    (new_entry,) = (out / ".cache").iterdir()
    assert new_entry.name != entry.name
    assert json.loads((out / "2024-D01" / "summary.json").read_text("utf-8"))["score"] == score
    assert run_schedule(schedule, cwd=ROOT).skipped == 1  # up to date: nothing redone
