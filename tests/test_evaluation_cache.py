"""The scores cache of a schedule (perfkit.scoring._cache): same results, per-department
isolation of problems, invalidated by a changed input file."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest

from perfkit.errors import PerfkitError
from perfkit.evaluation import evaluate_department
from perfkit.scoring._cache import CACHE_VARIABLE, build_cache, cache_key, cached_scores
from perfkit.systems import load_system

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SYSTEM = "project-self-eval"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("projects.csv", "indicators.csv", "departments.csv"):
        shutil.copy(SAMPLE / name, folder / name)
    return folder


def _workbook(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:  # docProps/core.xml holds the time it was written
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_every_department_is_identical_with_and_without_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    entry = build_cache(SAMPLE, 2024, SYSTEM, root)
    assert entry is not None
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    assert meta["mode"] == "year" and meta["left_out"] == []
    depts = (
        pl.read_csv(SAMPLE / "projects.csv", infer_schema=False)
        .filter(pl.col("year") == "2024")
        .get_column("dept_code")
        .unique()
        .sort()
        .to_list()
    )
    assert len(meta["departments"]) == len(depts) == 40
    system = load_system(SYSTEM)
    for dept in depts:
        assert cached_scores(root, SAMPLE, 2024, dept, system) is not None, dept
        plain = evaluate_department(SAMPLE, 2024, dept, system=SYSTEM)
        fast = evaluate_department(SAMPLE, 2024, dept, system=SYSTEM, cache=root)
        assert fast.scores.units.equals(plain.scores.units), dept  # risk_order re-ranked
        assert fast.scores.items.equals(plain.scores.items), dept
        assert fast.scores.units.schema == plain.scores.units.schema
        for name in ("money", "projects", "points_lost", "flagged", "lowest_indicators"):
            assert getattr(fast, name).equals(getattr(plain, name)), (dept, name)
        a, b = tmp_path / "a" / dept, tmp_path / "b" / dept
        a.mkdir(parents=True)
        b.mkdir(parents=True)
        plain.save_summary(a)
        fast.save_summary(b)
        assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
        assert _workbook(plain.save_workbook(a)) == _workbook(fast.save_workbook(b))


def test_the_environment_variable_names_the_cache(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "cache"
    build_cache(SAMPLE, 2024, SYSTEM, root)
    system = load_system(SYSTEM)
    assert cached_scores(None, SAMPLE, 2024, "D01", system) is None
    monkeypatch.setenv(CACHE_VARIABLE, str(root))
    assert cached_scores(None, SAMPLE, 2024, "D01", system) is not None
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "missing"))
    assert cached_scores(None, SAMPLE, 2024, "D01", system) is None


def test_a_changed_input_file_invalidates_the_cache(data: Path, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    build_cache(data, 2024, SYSTEM, root)
    system = load_system(SYSTEM)
    before = evaluate_department(data, 2024, "D01", cache=root)
    assert cached_scores(root, data, 2024, "D01", system) is not None
    projects = pl.read_csv(data / "projects.csv", infer_schema=False)
    first = projects.with_row_index().filter(
        (pl.col("year") == "2024") & (pl.col("dept_code") == "D01")
    )["index"][0]
    changed = projects.with_columns(
        pl.when(pl.int_range(pl.len()) == first)
        .then(pl.lit("0.00"))
        .otherwise(pl.col("executed"))
        .alias("executed")
    )
    changed.write_csv(data / "projects.csv")
    assert cached_scores(root, data, 2024, "D01", system) is None  # another key
    after = evaluate_department(data, 2024, "D01", cache=root)
    assert after.summary() != before.summary()
    assert after.summary() == evaluate_department(data, 2024, "D01").summary()


def test_a_bad_row_in_another_department_stays_there(data: Path, tmp_path: Path) -> None:
    indicators = pl.read_csv(data / "indicators.csv", infer_schema=False).with_row_index()
    first = indicators.filter(
        (pl.col("year") == "2024") & pl.col("unit_code").str.contains("-D02-")
    )["index"][0]
    indicators.with_columns(
        pl.when(pl.col("index") == first)
        .then(pl.lit("九成"))
        .otherwise(pl.col("actual"))
        .alias("actual")
    ).drop("index").write_csv(data / "indicators.csv")
    root = tmp_path / "cache"
    entry = build_cache(data, 2024, SYSTEM, root)
    assert entry is not None
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    assert meta["mode"] == "department"
    assert meta["left_out"] == ["d02"] and len(meta["departments"]) == 39
    system = load_system(SYSTEM)
    assert cached_scores(root, data, 2024, "D01", system) is not None
    assert cached_scores(root, data, 2024, "D02", system) is None
    ok = evaluate_department(data, 2024, "D01", cache=root)
    assert ok.summary() == evaluate_department(data, 2024, "D01").summary()
    with pytest.raises(PerfkitError) as plain:
        evaluate_department(data, 2024, "D02")
    with pytest.raises(PerfkitError) as cached:
        evaluate_department(data, 2024, "D02", cache=root)
    assert str(cached.value) == str(plain.value)
    assert "九成" in str(plain.value)


def test_nothing_to_cache(tmp_path: Path) -> None:
    assert build_cache(tmp_path / "none", 2024, SYSTEM, tmp_path / "c") is None
    assert build_cache(SAMPLE, 1999, SYSTEM, tmp_path / "c") is None
    assert cache_key(tmp_path / "none", 2024, SYSTEM) is None
