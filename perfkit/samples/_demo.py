"""The main job on a data folder (``make demo``): validate and score every year."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from perfkit.errors import InputError, Problem
from perfkit.scoring._api import score
from perfkit.tables._read import find_table

__all__ = ["run_demo"]


def run_demo(data_dir: Path, out_dir: Path) -> Iterator[str]:
    """Score projects (project-self-eval) and departments (dept-overall) year by year.

    Writes ``OUT/<year>/project-self-eval/`` and ``OUT/<year>/dept-overall/``
    and yields progress lines.  Input problems are raised before anything is
    written.

    Examples
    --------
    >>> import tempfile
    >>> lines = list(run_demo(Path("data/sample"), Path(tempfile.mkdtemp())))
    >>> lines[-1].startswith("done:")
    True
    """
    projects, indicators = find_table(data_dir, "projects"), find_table(data_dir, "indicators")
    assessments = find_table(data_dir, "assessments")
    if projects is None or indicators is None:
        raise InputError(
            [
                Problem(
                    str(data_dir),
                    None,
                    None,
                    "needs projects and indicators tables (.csv, .xlsx or .parquet)",
                )
            ],
            summary="nothing to score",
        )
    jobs = [("project-self-eval", score(projects, indicators, system="project-self-eval"))]
    if assessments is not None:
        jobs.append(("dept-overall", score(system="dept-overall", assessments=assessments)))
    names = ", ".join(p.name for p in (projects, indicators, assessments) if p)
    yield f"validated {data_dir}: {names}"
    for name, result in jobs:
        for year in result.units.get_column("year").unique().sort().to_list():
            part = result.for_year(year)
            target = out_dir / str(year) / name
            part.write(target)
            grades = part.grade_counts().select("grade", "units").iter_rows()
            mix = "  ".join(f"{g} {n}" for g, n in grades)
            flagged = (
                part.units.filter(pl.col("flags") != "").height
                if "flags" in part.units.columns
                else 0
            )
            extra = f", {flagged} flagged for checking" if "flags" in part.units.columns else ""
            yield f"{year} {name}: {part.units.height} units — {mix}{extra} → {target}/"
    yield f"done: results are under {out_dir}/ (unit_scores.csv, item_scores.csv, scores.xlsx)"
