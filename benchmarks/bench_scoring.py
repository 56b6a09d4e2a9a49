"""Benchmark: scoring speed and memory against two baselines, in one run.

Prints figures; asserts nothing about time.  Run with ``make bench`` or::

    python benchmarks/bench_scoring.py --projects 1000000

What it measures
----------------
1. ``perfkit score`` end to end (CLI in a child process: read, validate, score,
   write CSVs), its wall time and peak memory (max RSS of the child).
2. The same phases in-process: reading, the engine alone (validation and
   scoring of already-read tables), writing.
3. Baseline A — what polars alone needs to read the two input CSVs and write
   the two output CSVs (same files, same sizes), in a child process.
4. Baseline B — a straightforward row-by-row pandas implementation of the same
   rules (``DataFrame.apply`` per indicator row) on a subset, checked to give
   the same points as perfkit, and its per-row speed compared with the engine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]


def generate(n_projects: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """N projects with about 6 indicators each, every direction, half with given weights."""
    rng = np.random.default_rng(seed)
    budget = np.round(rng.lognormal(5, 1.2, n_projects), 2)
    executed = np.round(budget * rng.beta(6, 1.5, n_projects), 2)
    projects = pl.DataFrame(
        {
            "year": np.full(n_projects, 2024),
            "project_code": [f"P{i:08d}" for i in range(n_projects)],
            "project_name": "项目",
            "dept_code": [f"D{i % 500:03d}" for i in range(n_projects)],
            "dept_name": "部门",
            "budget_initial": budget,
            "budget_full_year": budget,
            "executed": executed,
            "self_score": np.round(rng.uniform(70, 100, n_projects), 2),
        }
    )
    # fixed shape: 3 output, 2 effect, 1 satisfaction indicator per project
    groups = ["产出指标", "产出指标", "产出指标", "效益指标", "效益指标", "满意度指标"]
    weights = ["20", "15", "15", "15", "15", "10"]
    k = len(groups)
    n = n_projects * k
    direction = rng.choice(["正向", "反向", "等于", "定性"], n, p=[0.6, 0.2, 0.05, 0.15])
    target = np.round(rng.uniform(1, 1000, n), 1)
    actual = np.round(target * rng.uniform(0.3, 1.6, n), 1)
    phrases = ["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差"]
    level = rng.choice(phrases, n, p=[0.7, 0.2, 0.1])
    with_weights = np.repeat(np.arange(n_projects) % 2 == 0, k)
    indicators = pl.DataFrame(
        {
            "year": np.full(n, 2024),
            "unit_code": np.repeat(projects["project_code"].to_numpy(), k),
            "level1": np.tile(groups, n_projects),
            "level2": "二级",
            "name": np.tile([f"指标{i}" for i in range(k)], n_projects),
            "direction": direction,
            "target": np.where(direction == "定性", "有效", target.astype(str)),
            "actual": np.where(direction == "定性", level, actual.astype(str)),
            "weight": np.where(with_weights, np.tile(weights, n_projects), None),
        }
    )
    return projects, indicators


# ------------------------------------------------------------------ baseline B
def _half_up(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rowwise_pandas(projects, indicators) -> dict[tuple[str, str], float]:
    """The same rules, written as a person would in pandas: one Python call per row."""
    import pandas as pd

    ind = indicators.copy()
    share = {
        "达成年度指标": Decimal(1),
        "部分达成年度指标并具有一定效果": Decimal("0.7"),
        "未达成年度指标且效果较差": Decimal("0.3"),
    }
    group_points = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    counts = ind.groupby(["unit_code", "level1"])["name"].transform("count")
    ind["_n"] = counts
    ind["_k"] = ind.groupby(["unit_code", "level1"]).cumcount()

    def weight(row: pd.Series) -> Decimal:
        if isinstance(row["weight"], str):
            return Decimal(row["weight"])
        cents = group_points[row["level1"]] * 100
        base, extra = divmod(cents, int(row["_n"]))
        return Decimal(base + (row["_k"] < extra)) / 100

    def points(row: pd.Series) -> float:
        w = weight(row)
        d = row["direction"]
        if d == "定性":
            return float(_half_up(w * share[row["actual"]]))
        t, a = Decimal(row["target"]), Decimal(row["actual"])
        if d in ("正向", "等于"):
            value = w if a >= t else w * a / t
        else:  # 反向, linear
            value = w if a <= t else (Decimal(0) if a >= 2 * t else w * (2 * t - a) / t)
        return float(_half_up(value))

    ind["points"] = ind.apply(points, axis=1)
    return {(u, n): p for u, n, p in zip(ind["unit_code"], ind["name"], ind["points"], strict=True)}


# ------------------------------------------------------------------ helpers
def _child(code: str) -> tuple[float, float]:
    """Run Python code in a child; return (wall seconds, peak RSS MiB of that child alone)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise subprocess.CalledProcessError(status, code)
    return wall, usage.ru_maxrss / 1024


def _cli(args: list[str]) -> tuple[float, float]:
    code = (
        "import sys; from perfkit.cli import main; sys.argv = ['perfkit'] + "
        f"{json.dumps(args)}; main()"
    )
    try:
        return _child(code)
    except subprocess.CalledProcessError:
        return float("nan"), float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1_000_000)
    parser.add_argument(
        "--pandas-subset",
        type=int,
        default=20_000,
        help="projects scored by the row-wise pandas baseline",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()

    from perfkit.scoring._engine import score_projects
    from perfkit.systems import load_system
    from perfkit.tables._read import read_table

    work = args.out
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    projects, indicators = generate(args.projects)
    projects.write_csv(work / "projects.csv")
    indicators.write_csv(work / "indicators.csv")
    print(
        f"data: {projects.height:,} projects, {indicators.height:,} indicators "
        f"({(work / 'indicators.csv').stat().st_size / 2**20:,.0f} MiB CSV), "
        f"generated in {time.perf_counter() - t0:.1f} s"
    )

    # 1. end to end, CLI in a child process (measures peak memory too)
    e2e, e2e_mem = _cli(
        [
            "score",
            "--projects",
            str(work / "projects.csv"),
            "--indicators",
            str(work / "indicators.csv"),
            "--out",
            str(work / "result"),
        ]
    )

    # 3. baseline A: polars reads the inputs and writes outputs of the same size
    result_dir = work / "result"
    base_code = f"""
import time, polars as pl
u = pl.read_csv(r'{result_dir / "unit_scores.csv"}', infer_schema=False)
s = pl.read_csv(r'{result_dir / "item_scores.csv"}', infer_schema=False)
t = time.perf_counter()
p = pl.read_csv(r'{work / "projects.csv"}', infer_schema=False)
i = pl.read_csv(r'{work / "indicators.csv"}', infer_schema=False)
u.write_csv(r'{work / "base_u.csv"}')
s.write_csv(r'{work / "base_s.csv"}')
open(r'{work / "base_time.txt"}', 'w').write(str(time.perf_counter() - t))
"""
    _, base_mem = _child(base_code)
    base = float((work / "base_time.txt").read_text())

    # 2. in-process phases
    system = load_system("project-self-eval")
    t = time.perf_counter()
    p_raw = read_table(work / "projects.csv", "projects")
    i_raw = read_table(work / "indicators.csv", "indicators")
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    result = score_projects(p_raw, i_raw, system)
    engine_s = time.perf_counter() - t
    t = time.perf_counter()
    result.write(work / "result2")
    write_s = time.perf_counter() - t

    # the scoring core alone (weights + points), the same work as baseline B
    from perfkit.scoring import _check as check
    from perfkit.scoring import _engine as engine
    from perfkit.tables._validate import check_table

    proj, _ = check_table(p_raw)
    ind, _ = check.check_indicators(proj, check_table(i_raw)[0], p_raw, i_raw, system)
    t = time.perf_counter()
    weighted, _ = check._assign_weights(ind, system, i_raw)
    engine._indicator_points(weighted, system)
    core_s = time.perf_counter() - t

    # 4. baseline B: row-wise pandas on a subset, checked against perfkit
    sub_codes = projects.head(args.pandas_subset).get_column("project_code")
    sub_ind = indicators.filter(pl.col("unit_code").is_in(sub_codes.implode()))
    t = time.perf_counter()
    expected = rowwise_pandas(projects.head(args.pandas_subset).to_pandas(), sub_ind.to_pandas())
    pandas_s = time.perf_counter() - t
    got = result.items.filter(
        pl.col("unit_code").is_in(sub_codes.implode()) & (pl.col("rule") != "execution_rate")
    ).select("unit_code", "item", "points")
    mismatches = sum(expected[(u, n)] != p for u, n, p in got.iter_rows())
    per_row_pandas = pandas_s / sub_ind.height
    per_row_engine = engine_s / indicators.height

    n_items = result.items.height
    print()
    print(f"{'measure':<48}{'seconds':>10}")
    print(
        f"{'perfkit score, end to end (CLI, child process)':<48}{e2e:>10.2f}"
        f"   peak RSS {e2e_mem:,.0f} MiB"
    )
    print(f"{'  read (in-process)':<48}{read_s:>10.2f}")
    print(
        f"{'  engine alone: validate + score':<48}{engine_s:>10.2f}"
        f"   ({n_items / engine_s:,.0f} items/s)"
    )
    print(f"{'  write CSVs (in-process)':<48}{write_s:>10.2f}")
    print(
        f"{'baseline A: polars read inputs + write outputs':<48}{base:>10.2f}"
        f"   peak RSS {base_mem:,.0f} MiB"
    )
    print(
        f"{'baseline B: row-wise pandas, per indicator row':<48}{per_row_pandas:>10.2e}"
        f"   on {sub_ind.height:,} rows, {mismatches} mismatches with perfkit"
    )
    print(f"{'engine (validate + score), per indicator row':<48}{per_row_engine:>10.2e}")
    per_row_core = core_s / indicators.height
    print(f"{'engine core (weights + points), per row':<48}{per_row_core:>10.2e}")
    print()
    print(
        f"engine speed-up over row-wise pandas:  {per_row_pandas / per_row_engine:,.0f}x "
        "(validation, flags and tables included; target ≥ 50x)"
    )
    print(
        f"scoring-core speed-up, like for like:  {per_row_pandas / per_row_core:,.0f}x "
        "(weights + points, the work baseline B does)"
    )
    print(f"end to end / polars read+write:       {e2e / base:.2f}x (target ≤ 3x)")
    if mismatches:
        sys.exit(f"{mismatches} points differ between perfkit and the pandas baseline")


if __name__ == "__main__":
    main()
