"""Benchmark: target review of a planning year against two years of history, in one run.

Prints figures; asserts nothing about time.  Run with::

    python benchmarks/bench_targets.py --projects 100000

What it measures
----------------
A synthetic region of ``--projects`` projects in 200 departments: the planning year's
``projects`` and ``indicators`` (six targets a project — 数量, 质量, 时效, 成本, 效益,
满意度 — with about 5 % of the sets made weak: a target without a number, a vague benefit
indicator, a missing 满意度, a target below last year's actual) and two earlier years of
``projects`` and ``indicators`` with actuals, as Parquet.  Then, each in a fresh child
process (so that peak memory is that of the step alone):

1. baseline — polars reads the input files (``pl.read_parquet``);
2. the review — :func:`perfkit.targets.review_targets` on the same files: reading and
   checking the plan, its projects and the history, every rule, the scores through the
   assessments engine;
3. optionally (``--write``) the review plus writing findings.csv, review.csv and the
   workbook.

and prints wall time and peak RSS of each, and the ratio review / read.
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
N_DEPTS = 200
PLAN_YEAR = 2025
TEMPLATE = [  # level1, level2, name, direction, unit, low, high
    ("产出指标", "数量指标", "完成检查次数", "正向", "次", 5, 500),
    ("产出指标", "质量指标", "验收合格率", "正向", "%", 85, 99),
    ("产出指标", "时效指标", "按期完成率", "正向", "%", 80, 99),
    ("产出指标", "成本指标", "支出控制数", "反向", "万元", 10, 90),
    ("效益指标", "社会效益指标", "群众安全感", "正向", "%", 80, 99),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "正向", "%", 80, 99),
]


def generate(n: int, seed: int = 17) -> dict[str, pl.DataFrame]:
    """The plan and two years of history (vectorised)."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"P{i:07d}" for i in range(n)])
    depts = rng.integers(1, N_DEPTS + 1, n)
    dept_code = np.char.add("D", np.char.zfill(depts.astype(str), 3))
    budget = np.round(rng.uniform(100, 1000, n), 2)
    tables: dict[str, pl.DataFrame] = {}
    projects, indicators = [], []
    for year in (PLAN_YEAR - 2, PLAN_YEAR - 1, PLAN_YEAR):
        executed = np.round(budget * rng.uniform(0.3, 1.0, n), 2)
        frame = pl.DataFrame(
            {
                "year": np.full(n, year),
                "project_code": codes,
                "project_name": np.char.add("项目", codes),
                "dept_code": dept_code,
                "dept_name": np.char.add("部门", dept_code),
                "budget_initial": budget,
                "budget_full_year": budget,
                "executed": executed,
                "category": np.full(n, "其他"),
            }
        )
        if year == PLAN_YEAR:
            frame = frame.drop("executed")
        projects.append(frame)
        parts = []
        for level1, level2, name, direction, unit, low, high in TEMPLATE:
            target = rng.integers(low, high, n)
            actual = np.minimum(target * rng.uniform(0.9, 1.1, n), 100 if unit == "%" else 1e9)
            part = pl.DataFrame(
                {
                    "year": np.full(n, year),
                    "unit_code": codes,
                    "level1": np.full(n, level1),
                    "level2": np.full(n, level2),
                    "name": np.full(n, name),
                    "direction": np.full(n, direction),
                    "target": (target + (year - PLAN_YEAR + 2) * 2).astype(str),
                    "unit": np.full(n, unit),
                }
            )
            if year != PLAN_YEAR:
                part = part.with_columns(pl.Series("actual", np.round(actual, 1).astype(str)))
            parts.append(part)
        indicators.append(pl.concat(parts))
    plan = indicators[-1]
    weak = rng.random(plan.height) < 0.01  # about 6 % of the sets get a weak target
    plan = plan.with_columns(
        pl.when(pl.Series(weak))
        .then(pl.lit("明显提升"))
        .otherwise(pl.col("target"))
        .alias("target")
    )
    tables["plan_projects"] = projects[-1]
    tables["plan"] = plan
    tables["history_projects"] = pl.concat(projects[:-1])
    tables["history_indicators"] = pl.concat(indicators[:-1])
    return tables


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
import perfkit.targets as tg
t = time.perf_counter()
{body}
open(r'{work / (name + ".time")}', 'w').write(str(time.perf_counter() - t))
"""
    _, rss = _child(code)
    return float((work / f"{name}.time").read_text()), rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--write", action="store_true", help="also time writing the outputs")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "targets")
    args = parser.parse_args()
    work = args.out
    shutil.rmtree(work, ignore_errors=True)
    (work / "history").mkdir(parents=True)
    tables = generate(args.projects)
    files = {
        "plan_projects": work / "projects.parquet",
        "plan": work / "indicators.parquet",
        "history_projects": work / "history" / "projects.parquet",
        "history_indicators": work / "history" / "indicators.parquet",
    }
    for name, path in files.items():
        tables[name].write_parquet(path)
    rows = sum(t.height for t in tables.values())
    size = sum(p.stat().st_size for p in files.values()) / 2**20
    print(f"{args.projects:,} projects, {rows:,} rows in 4 Parquet files ({size:.1f} MiB)")
    read = "\n".join(f"pl.read_parquet(r'{p}')" for p in files.values())
    review = (
        f"r = tg.review_targets(r'{files['plan_projects']}', r'{files['plan']}', "
        f"history=r'{work / 'history'}')"
    )
    base_t, base_m = _timed(work, "read", read)
    print(f"baseline: polars reads the inputs     {base_t:7.2f} s  peak {base_m:8.0f} MiB")
    rev_t, rev_m = _timed(
        work, "review", review + "\nprint(f'  {r.findings_pl.height:,} findings')"
    )
    print(f"review_targets: read+check+rules+score {rev_t:7.2f} s  peak {rev_m:8.0f} MiB")
    if args.write:
        w_t, w_m = _timed(work, "write", review + f"\nr.write(r'{work / 'out'}')")
        print(f"review_targets + write                {w_t:7.2f} s  peak {w_m:8.0f} MiB")
    print(f"review / polars read: {rev_t / base_t:.1f}x")


if __name__ == "__main__":
    main()
