"""Benchmark: the explorer's filter-update latency on a province-sized year.

Prints figures; asserts nothing about time.  Run with ``make bench`` or::

    python benchmarks/bench_explorer.py --projects 100000 --changes 50

What it measures, in one run
----------------------------
1. Setup: N synthetic projects with 6 indicators each (the generator of
   ``bench_scoring.py`` plus a project category), *scored for real* with
   ``perfkit.score`` (units and items), then ``Explorer(result)`` built once.
2. Update latency: ``Explorer.set_filters(f)`` for a fixed sequence of filter
   changes (department, grade, category, risk flags, execution-rate and score
   ranges, combinations, and "everything", which draws the 5,000-point
   sample), each followed by serialising what would go to the browser (the
   three chart specs as JSON, the table page HTML).  This is everything the
   kernel does for a change except the websocket send; no browser.
3. Baseline: the bare polars filter underneath — ``units.filter(f.expression())``
   on the same frame, same filters.

Median and 95th percentile of each, and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_scoring import generate  # noqa: E402

import perfkit  # noqa: E402
from perfkit.explorer import Explorer, Filters  # noqa: E402

CATEGORIES = ["民生保障", "基础设施", "产业发展", "运转保障", "其他"]


def filter_changes(depts: list[str], n: int) -> list[Filters]:
    """A fixed, varied sequence of ``n`` filter changes."""
    shapes = [
        lambda i: Filters(),
        lambda i: Filters(depts=(depts[i % len(depts)],)),
        lambda i: Filters(grades=(("优", "良", "中", "差")[i % 4],)),
        lambda i: Filters(categories=(CATEGORIES[i % 5],)),
        lambda i: Filters(flags=("unspent_over_20",)),
        lambda i: Filters(execution_rate=(40 + i % 30, 90 + i % 10)),
        lambda i: Filters(score=(50 + i % 20, 95)),
        lambda i: Filters(grades=("中", "差"), flags=("score_rate_above_execution",)),
        lambda i: Filters(
            categories=(CATEGORIES[i % 5],), score=(60, 90), execution_rate=(50, 100)
        ),
        lambda i: Filters(depts=(depts[(7 * i) % len(depts)],), grades=("差",)),
    ]
    return [shapes[i % len(shapes)](i) for i in range(n)]


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()

    start = time.perf_counter()
    projects, indicators = generate(args.projects)
    projects = projects.with_columns(
        pl.Series("category", np.array(CATEGORIES)[np.arange(args.projects) % 5])
    )
    generated = time.perf_counter() - start
    start = time.perf_counter()
    result = perfkit.score(projects, indicators)
    scored = time.perf_counter() - start
    start = time.perf_counter()
    explorer = Explorer(result, offline=False)
    built = time.perf_counter() - start
    units = explorer.data.units
    print(
        f"{units.height:,} projects, {result.items.height:,} scored items "
        f"(generated {generated:.1f} s, perfkit.score {scored:.1f} s, Explorer built {built:.1f} s)"
    )

    changes = filter_changes(sorted(units["dept_code"].unique().to_list()), args.changes)
    updates, bare, sizes, drawn, selected = [], [], [], [], []
    for filters in changes:
        t0 = time.perf_counter()
        explorer.set_filters(filters)
        payload = [
            json.dumps(chart.spec, ensure_ascii=False)
            for chart in (explorer.scatter, explorer.grade_chart, explorer.money_chart)
        ]
        payload.append(explorer.table.value)
        updates.append(time.perf_counter() - t0)
        sizes.append(sum(map(len, payload)))
        drawn.append(len(next(iter(explorer.scatter.spec["datasets"].values()))))
        selected.append(explorer.selected.height)
        t0 = time.perf_counter()
        units.filter(filters.expression())
        bare.append(time.perf_counter() - t0)

    med_u, med_b = statistics.median(updates), statistics.median(bare)
    print(
        f"{len(changes)} filter changes: {min(selected):,}–{max(selected):,} projects selected, "
        f"{min(drawn):,}–{max(drawn):,} drawn on the scatter chart"
    )
    print(
        f"explorer update (filter + 3 charts + table page + drill-down lists + JSON): "
        f"median {med_u * 1000:.1f} ms, p95 {_p95(updates) * 1000:.1f} ms, "
        f"max {max(updates) * 1000:.1f} ms"
    )
    print(
        f"bare polars filter:                                                  "
        f"median {med_b * 1000:.2f} ms, p95 {_p95(bare) * 1000:.2f} ms"
    )
    print(f"ratio of medians (explorer / bare filter): {med_u / med_b:.0f}x")
    print(f"payload per update: median {statistics.median(sizes) / 1e6:.2f} MB of JSON + HTML")


if __name__ == "__main__":
    main()
