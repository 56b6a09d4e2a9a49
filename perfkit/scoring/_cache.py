"""Scores computed once per schedule (评分结果缓存): a data folder's year checked and scored once.

A batch run of the annual schedule evaluates every department of one data folder and
year.  Instead of each report reading, checking and scoring its department, the runner
calls :func:`build_cache` once: the year's projects are checked and scored together
(vectorised), and the scored ``units`` and ``items`` are written as Parquet into
``<root>/<key>/`` (atomically, :class:`perfkit.tables._write.atomic_output`).  The key is
a SHA-256 of perfkit's version, the system, the year and the *bytes* of the data files:
a changed input file gives another key, and the old entry is simply not found.

:func:`perfkit.evaluation.evaluate_department` reads its department's rows from the
entry when the key matches, and otherwise computes as without a cache; the results are
identical (``risk_order`` is ranked again within the department).

Per-department isolation of problems: when the year does not pass its checks as a whole
(a bad row anywhere) or gives warnings, the builder scores department by department
and keeps only the departments that pass cleanly; a department left out computes its
own evaluation in its report, which fails with its own problems exactly as without the
cache.  A department is also left out when its rows in the scores do not match its
rows in the projects file one for one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from perfkit._version import __version__
from perfkit.errors import PerfkitError
from perfkit.scoring._engine import score_projects
from perfkit.scoring._flags import add_risk_order
from perfkit.scoring._result import ScoreResult
from perfkit.systems import System, load_system
from perfkit.tables._contract import text_key
from perfkit.tables._read import RawTable, find_table, read_table
from perfkit.tables._write import atomic_output, file_sha256

__all__ = [
    "CACHE_VARIABLE",
    "build_cache",
    "cache_key",
    "cached_scores",
    "code_key",
    "subset",
    "year_key",
]

log = logging.getLogger(__name__)

#: The environment variable naming the cache folder (the batch runner sets it in its kernels).
CACHE_VARIABLE = "PERFKIT_EVALUATION_CACHE"

_UNITS, _ITEMS, _META = "units.parquet", "items.parquet", "meta.json"
_KEY_COL = "_dept_key"
_TABLES = ("projects", "indicators")


@dataclass
class _Inputs:
    system: System
    paths: dict[str, Path]
    key: str


def _system_text(system: System) -> str:
    return system.model_dump_json()


def _inputs(data_dir: str | Path, year: int, system: str | Path | System) -> _Inputs | None:
    """The system and data files of an evaluation and their key; None when files are missing."""
    loaded = system if isinstance(system, System) else load_system(system)
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return None
    paths: dict[str, Path] = {}
    for name in _TABLES:
        path = find_table(data_dir, name)
        if path is None:
            return None
        paths[name] = path
    digest = hashlib.sha256()
    digest.update(f"perfkit {__version__}\0year {int(year)}\0".encode())
    digest.update(_system_text(loaded).encode())
    for name, path in paths.items():
        digest.update(f"\0{name}\0{path.suffix}\0{file_sha256(path)}".encode())
    return _Inputs(loaded, paths, digest.hexdigest()[:32])


def cache_key(data_dir: str | Path, year: int, system: str | Path | System) -> str | None:
    """The key of an evaluation's cache entry: version, system, year and the data files' bytes.

    None when the data folder or one of its tables is missing (nothing to cache).

    Examples
    --------
    >>> k = cache_key("data/sample", 2024, "project-self-eval")
    >>> len(k), k == cache_key("data/sample", 2024, "project-self-eval")
    (32, True)
    >>> k == cache_key("data/sample", 2023, "project-self-eval")
    False
    """
    found = _inputs(data_dir, year, system)
    return None if found is None else found.key


def year_key(expr: pl.Expr) -> pl.Expr:
    """A year as text for matching (``2024``, ``2024年``, ``2024年度``, ``2024.0`` → ``2024``).

    Examples
    --------
    >>> pl.select(year_key(pl.lit("2024年度"))).item()
    '2024'
    """
    return (
        expr.cast(pl.String)
        .str.strip_chars()
        .str.strip_suffix("年")
        .str.strip_suffix("年度")
        .str.replace(r"\.0+$", "")
    )


def code_key(expr: pl.Expr) -> pl.Expr:
    """A code as a matching key (:func:`perfkit.tables._contract.text_key`).

    Examples
    --------
    >>> pl.select(code_key(pl.lit(" Ｄ01 "))).item()
    'd01'
    """
    return expr.cast(pl.String).map_elements(text_key, return_dtype=pl.String, skip_nulls=True)


def subset(raw: RawTable, mask: pl.Expr) -> RawTable:
    """The rows of a table as read that ``mask`` keeps (source rows and problems kept).

    Examples
    --------
    >>> raw = read_table("data/sample/projects.csv", "projects")
    >>> subset(raw, year_key(pl.col("year")) == "2024").frame.height < raw.frame.height
    True
    """
    return _with_frame(raw, raw.frame.filter(mask))


def _with_frame(raw: RawTable, frame: pl.DataFrame) -> RawTable:
    """``raw`` with another frame (its source, headers and problems kept)."""
    return RawTable(
        name=raw.name,
        frame=frame,
        source=raw.source,
        headers=raw.headers,
        problems=list(raw.problems),
        from_pandas=raw.from_pandas,
    )


def build_cache(
    data_dir: str | Path, year: int, system: str | Path | System, root: str | Path
) -> Path | None:
    """Check and score a data folder's year once; write the scores under ``root/<key>/``.

    Parameters
    ----------
    data_dir : path
        The data folder (``projects`` and ``indicators`` tables).
    year : int
        The evaluation year.
    system : str, Path or System
        The indicator system (``kind: indicators``).
    root : path
        The cache folder (the batch runner uses ``<output_dir>/.cache``).

    Returns
    -------
    Path or None
        The entry's folder (already there when the key matched), or None when
        there is nothing to cache (no data folder, no such year, another kind of system).

    Examples
    --------
    >>> import tempfile
    >>> entry = build_cache("data/sample", 2024, "project-self-eval", tempfile.mkdtemp())
    >>> sorted(p.name for p in entry.iterdir())
    ['items.parquet', 'meta.json', 'units.parquet']
    """
    found = _inputs(data_dir, year, system)
    if found is None or found.system.kind != "indicators":
        return None
    entry = Path(root) / found.key
    if (entry / _META).is_file():
        return entry
    p_raw = read_table(found.paths["projects"], "projects")
    i_raw = read_table(found.paths["indicators"], "indicators")
    year_text = str(int(year))
    p_year = subset(p_raw, year_key(pl.col("year")) == year_text)
    if p_year.frame.height == 0:
        return None
    p_year = _with_frame(
        p_year, p_year.frame.with_columns(code_key(pl.col("dept_code")).alias(_KEY_COL))
    )
    depts = p_year.frame.get_column(_KEY_COL).drop_nulls().unique().sort().to_list()
    i_year = subset(i_raw, year_key(pl.col("year")) == year_text)
    parts: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    mode = "year"
    try:
        whole = _keyed(score_projects(_drop_key(p_year), i_year, found.system))
        if whole is None:
            raise PerfkitError("warnings, or a project code twice in the year")
        parts.append(whole)
    except BaseException as exc:  # a bad row somewhere (or a polars panic): dept by dept
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        mode = "department"
        for dept in depts:
            projects = subset(p_year, pl.col(_KEY_COL) == dept)
            codes = projects.frame.select(code_key(pl.col("project_code"))).to_series()
            indicators = subset(i_year, code_key(pl.col("unit_code")).is_in(codes.implode()))
            try:
                scored = _keyed(score_projects(_drop_key(projects), indicators, found.system))
            except BaseException as exc:  # it computes (and fails) in its own report
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                continue
            if scored is not None:
                parts.append(scored)
    kept: list[str] = []
    units = items = None
    if parts:
        units = pl.concat([u for u, _ in parts])
        items = pl.concat([i for _, i in parts])
        expected = p_year.frame.group_by(_KEY_COL).len()
        same = expected.join(units.group_by(_KEY_COL).len(), on=[_KEY_COL, "len"], how="inner")
        kept = sorted(same.get_column(_KEY_COL).drop_nulls().to_list())
        units = units.filter(pl.col(_KEY_COL).is_in(kept))
        items = items.filter(pl.col(_KEY_COL).is_in(kept))
    left_out = [d for d in depts if d not in kept]
    meta = {
        "key": found.key,
        "perfkit_version": __version__,
        "year": int(year),
        "system": found.system.name,
        "mode": mode,
        "departments": kept,
        "left_out": left_out,
    }
    with atomic_output(entry) as tmp:
        if units is not None and items is not None:
            units.write_parquet(tmp / _UNITS)
            items.write_parquet(tmp / _ITEMS)
        (tmp / _META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
    log.info(
        "cache %s: %d department(s) scored (%s), %d left to their reports",
        entry,
        len(kept),
        mode,
        len(left_out),
    )
    return entry


def _keyed(scored: ScoreResult) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """Units and items with their department's key; None when not cacheable as they are.

    Not cacheable: warnings (they belong to the department's own report), or a project
    code twice (items could not be told apart by department).
    """
    units = scored.units
    if scored.warnings or units.get_column("unit_code").is_duplicated().any():
        return None
    units = units.with_columns(code_key(pl.col("dept_code")).alias(_KEY_COL))
    owner = units.select("unit_code", _KEY_COL)
    items = scored.items.join(owner, on="unit_code", how="left", maintain_order="left")
    return units, items


def _drop_key(raw: RawTable) -> RawTable:
    if _KEY_COL not in raw.frame.columns:
        return raw
    return _with_frame(raw, raw.frame.drop(_KEY_COL))


def cached_scores(
    root: str | Path | None,
    data_dir: str | Path,
    year: int,
    dept_code: str,
    system: System,
) -> ScoreResult | None:
    """A department's scores from the cache under ``root``, or None (no entry, key or department).

    ``root`` None reads the folder named by ``PERFKIT_EVALUATION_CACHE`` (unset: None).

    Examples
    --------
    >>> import tempfile
    >>> from perfkit.systems import load_system
    >>> root = tempfile.mkdtemp()
    >>> system = load_system("project-self-eval")
    >>> cached_scores(root, "data/sample", 2024, "D01", system) is None
    True
    >>> _ = build_cache("data/sample", 2024, system, root)
    >>> cached_scores(root, "data/sample", 2024, "D01", system).units.height > 0
    True
    """
    if root is None:
        root = os.environ.get(CACHE_VARIABLE) or None
    if root is None or not Path(root).is_dir():
        return None
    found = _inputs(data_dir, year, system)
    if found is None:
        return None
    entry = Path(root) / found.key
    try:
        meta = json.loads((entry / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    dept = text_key(str(dept_code))
    if meta.get("key") != found.key or dept not in meta.get("departments", []):
        return None
    try:
        units = pl.scan_parquet(entry / _UNITS).filter(pl.col(_KEY_COL) == dept).collect()
        items = pl.scan_parquet(entry / _ITEMS).filter(pl.col(_KEY_COL) == dept).collect()
    except (OSError, pl.exceptions.PolarsError):
        return None
    if units.height == 0:
        return None
    units = add_risk_order(units.drop(_KEY_COL, "risk_order"))
    return ScoreResult(system=system, units=units, items=items.drop(_KEY_COL))
