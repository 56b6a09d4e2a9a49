"""Benchmark: the cross-year comparison against a bare polars read of its inputs, in one run.

Prints figures; asserts nothing about time.  Run with ``make bench`` or::

    python benchmarks/bench_compare.py --projects 1000000 --years 10

What it measures
----------------
A synthetic panel of ``--years`` years with ``--projects`` projects a year
(unit-level scores, as ``perfkit score`` writes them: year, unit_code,
unit_name, dept_code, dept_name, total, grade, budget_full_year, executed,
carryover, budget_initial), half the projects running every year and the other
half turning over (85 % of a year's projects continue into the next), 500
departments of which 10 are re-coded along the way (with ``previous_code`` in
a departments table), some projects chronically low and some idle.  The
inputs are written to Parquet first.  Then, each in a fresh child process (so
that peak memory is that of the step alone):

1. baseline — polars reads the two Parquet files (``pl.read_parquet``);
2. the comparison — :func:`perfkit.compare.compare_years` on the same files:
   reading and checking the scores, the panel with department chains and
   missing units, transitions, trends and movers, chronic problems and budget
   suggestions (the default policy);
3. optionally (``--write``) the comparison plus writing its CSV files.

and prints wall time and peak RSS of each, and the ratio comparison / read.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
N_DEPTS = 500
RENAMED = 10


def generate(n_projects: int, n_years: int, seed: int = 11) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Unit-level scores for ``n_years`` years and the departments table (vectorised)."""
    rng = np.random.default_rng(seed)
    first_year = 2025 - n_years
    # half the projects run every year; the other half turn over by 30 % a year, so that
    # 85 % of a year's projects continue into the next
    steady = n_projects // 2
    rolling = n_projects - steady
    turnover = int(rolling * 0.3)
    frames = []
    for i in range(n_years):
        year = first_year + i
        ids = np.concatenate(
            [
                np.arange(steady, dtype=np.int64),
                steady + np.arange(i * turnover, i * turnover + rolling, dtype=np.int64),
            ]
        )
        budget = np.round(rng.lognormal(4.5, 1.1, n_projects), 2)
        rate = rng.beta(6, 1.6, n_projects)
        chronic = ids % 97 == 0  # ~1 %: executes a third of its budget every year
        rate = np.where(chronic, rng.uniform(0.1, 0.55, n_projects), rate)
        idle = (ids % 211 == 0) & (i > 0)  # ~0.5 %: spends nothing, lives on carry-over
        executed = np.where(idle, 0.0, np.round(budget * rate, 2))
        carryover = np.where(idle | chronic, np.round(budget * 0.4, 2), 0.0)
        total = np.round(
            np.clip(rng.normal(86, 8, n_projects) - chronic * 15 - idle * 40, 0, 100), 2
        )
        frames.append(
            pl.DataFrame(
                {
                    "year": np.full(n_projects, year, dtype=np.int32),
                    "_id": ids,
                    "_dept": (ids % N_DEPTS).astype(np.int32),
                    "total": total,
                    "budget_full_year": budget,
                    "executed": executed,
                    "carryover": carryover,
                    "budget_initial": np.round(budget - carryover, 2),
                }
            )
        )
    scores = pl.concat(frames)
    # departments 0..9 are re-coded half way: D000 → D500 from the middle year on
    middle = first_year + n_years // 2
    renamed = (pl.col("_dept") < RENAMED) & (pl.col("year") >= middle)
    dept_no = pl.when(renamed).then(pl.col("_dept") + N_DEPTS).otherwise(pl.col("_dept"))
    scores = scores.with_columns(
        (pl.lit("P") + pl.col("_id").cast(pl.String).str.zfill(9)).alias("unit_code"),
        (pl.lit("D") + dept_no.cast(pl.String).str.zfill(3)).alias("dept_code"),
    ).with_columns(
        (pl.lit("项目") + pl.col("unit_code")).alias("unit_name"),
        (pl.lit("部门") + pl.col("dept_code")).alias("dept_name"),
        pl.when(pl.col("total") >= 90)
        .then(pl.lit("优"))
        .when(pl.col("total") >= 80)
        .then(pl.lit("良"))
        .when(pl.col("total") >= 60)
        .then(pl.lit("中"))
        .otherwise(pl.lit("差"))
        .alias("grade"),
    )
    scores = scores.select(
        "year",
        "unit_code",
        "unit_name",
        "dept_code",
        "dept_name",
        "total",
        "grade",
        "budget_full_year",
        "executed",
        "carryover",
        "budget_initial",
    )
    departments = (
        scores.group_by("year", "dept_code")
        .agg(pl.col("dept_name").first())
        .with_columns(
            pl.when((pl.col("year") == middle) & (pl.col("dept_code") >= f"D{N_DEPTS:03d}"))
            .then(
                pl.concat_str(  # not pl.format: it panics on a filtered frame (polars 2.1)
                    pl.lit("D"),
                    (pl.col("dept_code").str.slice(1).cast(pl.Int32) - N_DEPTS)
                    .cast(pl.String)
                    .str.zfill(3),
                )
            )
            .alias("previous_code")
        )
        .sort("year", "dept_code")
    )
    return scores, departments


def _child(code: str) -> tuple[float, float]:
    """Run Python code in a child; return (wall seconds, peak RSS MiB of that child alone)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise subprocess.CalledProcessError(status, code)
    return wall, usage.ru_maxrss / 1024


def _timed(work: Path, name: str, body: str) -> tuple[float, float]:
    """Time ``body`` inside a child (imports excluded); return (seconds, peak RSS MiB)."""
    code = f"""
import time
import polars as pl
import perfkit.compare as cmp
t = time.perf_counter()
{body}
open(r'{work / (name + ".time")}', 'w').write(str(time.perf_counter() - t))
"""
    _, rss = _child(code)
    return float((work / f"{name}.time").read_text()), rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1_000_000, help="projects per year")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="also time writing the CSV files")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "compare")
    args = parser.parse_args()
    if args.years < 2 or args.projects < 1000:
        parser.error("give at least 2 years and 1000 projects")

    work = args.out
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    scores, departments = generate(args.projects, args.years)
    scores_path, depts_path = work / "unit_scores.parquet", work / "departments.parquet"
    scores.write_parquet(scores_path)
    departments.write_parquet(depts_path)
    size = scores_path.stat().st_size / 2**20
    print(
        f"data: {args.years} years × {args.projects:,} projects = {scores.height:,} unit-years, "
        f"{scores.get_column('unit_code').n_unique():,} projects, "
        f"{departments.get_column('dept_code').n_unique()} department codes "
        f"({RENAMED} re-coded); {size:,.0f} MiB Parquet; generated in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    del scores, departments

    read_s, read_mem = _timed(
        work,
        "read",
        f"s = pl.read_parquet(r'{scores_path}'); d = pl.read_parquet(r'{depts_path}')",
    )
    compare_body = (
        f"c = cmp.compare_years(r'{scores_path}', departments=r'{depts_path}')\n"
        "print(f'  {c.panel!r}; chronic: {c.chronic._projects.height:,} runs; '\n"
        "      f'{c.transitions._changes.height:,} unit changes')"
    )
    compare_s, compare_mem = _timed(work, "compare", compare_body)
    if args.write:
        write_s, write_mem = _timed(
            work,
            "write",
            f"c = cmp.compare_years(r'{scores_path}', departments=r'{depts_path}')\n"
            f"c.write(r'{work / 'result'}', excel_max_rows=100_000)",
        )

    print()
    print(f"{'measure':<52}{'seconds':>9}{'peak RSS':>14}")
    print(
        f"{'baseline: polars reads the inputs (Parquet)':<52}{read_s:>9.2f}{read_mem:>10,.0f} MiB"
    )
    print(
        f"{'perfkit.compare.compare_years (read + analyse)':<52}{compare_s:>9.2f}"
        f"{compare_mem:>10,.0f} MiB"
    )
    if args.write:
        print(f"{'  … and write the CSV files':<52}{write_s:>9.2f}{write_mem:>10,.0f} MiB")
    print()
    print(f"comparison / polars read: {compare_s / read_s:,.1f}x")


if __name__ == "__main__":
    main()
