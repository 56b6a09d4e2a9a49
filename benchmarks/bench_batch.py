"""Benchmark: batch department reports, cold kernels against warm kernels, with the floor.

Prints figures; asserts nothing about time.  Run with ``make bench`` or::

    python benchmarks/bench_batch.py --reports 40 --workers 2
    python benchmarks/bench_batch.py --skip-annual --province 1000   # the generated province

What it measures, in one run on the bundled sample data (2024)
----------------------------------------------------------------
1. The floor: papermill executing an *empty* notebook with the same kernel
   (kernel start, one empty cell, shutdown), the median of a few runs.  A cold
   report cannot cost less.
2. ``perfkit run`` of N department reports on W workers with ``--engine cold``
   (a kernel per report, no scores cache), ``--engine warm --no-cache`` (a live
   kernel per worker) and ``--engine warm`` (with the scores cache, the default);
   wall time of each and the speed-ups (``--skip-cold``: the two warm runs only).
3. Per report: wall time × workers / reports (the time a worker spends on one
   report), the notebook's own cells (papermill records each cell's duration),
   the overhead (the difference: kernel start or reset, papermill, the HTML
   export, the runner's bookkeeping) and its ratio to the floor.  Target: the
   warm schedule in at most half of reports × floor.
4. ``--province N``: N departments of a generated province (seeded; each
   prefecture of 40 departments has its own data folder, as a province's
   prefectures do), warm on a W-worker Dask LocalCluster: wall time, time per
   report, and the peak memory of a worker process and of a kernel.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from perfkit.batch import Schedule, run_schedule

# nbformat, numpy, papermill, polars and psutil are imported inside the functions that use
# them: the pool's workers are spawned, and a spawned worker imports this file again (as
# ``__mp_main__``); heavy imports here would be counted as the runner's start-up

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "department_evaluation.ipynb"
SAMPLE = ROOT / "data" / "sample"


def floor(tmp: Path, repeats: int) -> float:
    import nbformat
    import papermill

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    empty = tmp / "empty.ipynb"
    nbformat.write(nb, str(empty))
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        papermill.execute_notebook(
            str(empty), str(tmp / f"empty-{i}.ipynb"), kernel_name="python3", progress_bar=False
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def schedule(n: int) -> Schedule:
    from perfkit.batch._schedule import _expand_all

    depts = _expand_all("dept_code", {"year": 2024, "data_dir": str(SAMPLE)})
    depts = (depts * (n // len(depts) + 1))[:n]
    return Schedule(
        notebook=NOTEBOOK,
        output_dir=Path("unused"),
        parameters={"year": 2024, "data_dir": str(SAMPLE)},
        runs=[{"dept_code": d, "copy": i} for i, d in enumerate(depts)],
        run_name="{copy:03d}-{dept_code}",
    )


def cell_seconds(run_dir: Path) -> float:
    import nbformat

    nb = nbformat.read(str(run_dir / "report.ipynb"), as_version=4)
    return sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)


def generate_province(folder: Path, departments: int, seed: int = 2024) -> list[dict[str, Any]]:
    """A province of ``departments`` departments: prefectures of the sample's 2024 departments.

    Prefecture k is a copy of the sample region's 2024 data in ``folder/pk``, its
    executed amounts drawn again (seeded: 85–100 % of the sample's), its names
    marked with the prefecture.  Returns the runs (data_dir, dept_code).
    """
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    projects = pl.read_csv(SAMPLE / "projects.csv", infer_schema=False)
    indicators = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False)
    depts = pl.read_csv(SAMPLE / "departments.csv", infer_schema=False)
    projects, indicators, depts = (
        t.filter(pl.col("year") == "2024") for t in (projects, indicators, depts)
    )
    codes = sorted(projects["dept_code"].unique().to_list())
    runs: list[dict[str, Any]] = []
    k = 0
    while len(runs) < departments:
        k += 1
        data = folder / f"p{k:02d}"
        data.mkdir(parents=True, exist_ok=True)
        factor = rng.uniform(0.85, 1.0, projects.height)
        executed = (projects["executed"].cast(pl.Float64) * factor).round(2)
        executed = pl.min_horizontal(executed, projects["budget_full_year"].cast(pl.Float64))
        p = projects.with_columns(
            executed=executed.map_elements(lambda v: f"{v:.2f}", return_dtype=pl.String),
            dept_name=pl.col("dept_name") + f"（第{k}州）",
        )
        p.write_csv(data / "projects.csv")
        indicators.write_csv(data / "indicators.csv")
        depts.with_columns(dept_name=pl.col("dept_name") + f"（第{k}州）").write_csv(
            data / "departments.csv"
        )
        runs += [{"data_dir": str(data), "dept_code": c, "pref": k} for c in codes]
    return runs[:departments]


class PeakMemory:
    """Peak resident memory of this process's descendants: workers and kernels apart."""

    def __init__(self) -> None:
        self.worker = 0
        self.kernel = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        import psutil

        me = psutil.Process(os.getpid())
        while not self._stop.is_set():
            for proc in me.children(recursive=True):
                try:
                    rss = proc.memory_info().rss
                    kernel = any("ipykernel" in part for part in proc.cmdline())
                except psutil.Error:
                    continue
                if kernel:
                    self.kernel = max(self.kernel, rss)
                else:
                    self.worker = max(self.worker, rss)
            self._stop.wait(0.5)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def annual(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    sched = schedule(args.reports)
    floor_s = floor(tmp, args.floor_repeats)
    out: dict[str, Any] = {
        "reports": args.reports,
        "workers": args.workers,
        "floor_s": round(floor_s, 3),
    }
    variants = [("warm_no_cache", "warm", False), ("warm", "warm", True)]
    if not args.skip_cold:
        variants.insert(0, ("cold", "cold", False))
    for label, engine, cache in variants:
        t0 = time.perf_counter()
        res = run_schedule(
            sched,
            output_dir=tmp / label,
            workers=args.workers,
            cwd=ROOT,
            engine=engine,
            cache=cache,
        )
        wall = time.perf_counter() - t0
        assert res.ok == args.reports, res.failed
        cells = statistics.mean(cell_seconds(tmp / label / r["name"]) for r in res.records)
        per_report = wall * args.workers / args.reports
        out[label] = {
            "wall_s": round(wall, 2),
            "per_report_s": round(per_report, 3),
            "cells_s": round(cells, 3),
            "overhead_s": round(per_report - cells, 3),
            "overhead_over_floor": round((per_report - cells) / floor_s, 2),
        }
    if "cold" in out:
        out["speed_up"] = round(out["cold"]["wall_s"] / out["warm"]["wall_s"], 2)
    out["cache_speed_up"] = round(out["warm_no_cache"]["wall_s"] / out["warm"]["wall_s"], 2)
    out["target_s"] = round(args.reports * floor_s / 2, 1)
    n, w = args.reports, args.workers
    print(f"floor (papermill, empty notebook):     {floor_s:6.2f} s")
    for label, _, _ in variants:
        e = out[label]
        print(
            f"{n} reports, {w} workers, {label}:     {e['wall_s']:6.1f} s  "
            f"({e['per_report_s']:.2f} s per report per worker; cells {e['cells_s']:.2f} s, "
            f"overhead {e['overhead_s']:.2f} s = {e['overhead_over_floor']:.2f}× the floor)"
        )
    if "speed_up" in out:
        print(f"speed-up warm over cold:               {out['speed_up']:6.2f}×")
    print(f"speed-up of the scores cache (warm):   {out['cache_speed_up']:6.2f}×")
    print(
        f"target: warm ≤ reports × floor / 2 = {out['target_s']:.1f} s "
        f"({'met' if out['warm']['wall_s'] <= out['target_s'] else 'not met'}); "
        f"stretch ≤ 12 s for 40"
    )
    return out


def province(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    runs = generate_province(tmp / "province", args.province)
    sched = Schedule(
        notebook=NOTEBOOK,
        output_dir=Path("unused"),
        parameters={"year": 2024},
        runs=runs,
        run_name="p{pref:02d}-{dept_code}",
    )
    with PeakMemory() as peak:
        t0 = time.perf_counter()
        res = run_schedule(
            sched, output_dir=tmp / "prov", workers=args.workers, executor="dask", cwd=ROOT
        )
        wall = time.perf_counter() - t0
    assert res.ok == len(runs), res.failed[:3]
    out = {
        "departments": len(runs),
        "workers": args.workers,
        "wall_s": round(wall, 1),
        "per_report_s": round(wall * args.workers / len(runs), 3),
        "peak_worker_mb": round(peak.worker / 2**20),
        "peak_kernel_mb": round(peak.kernel / 2**20),
    }
    print(
        f"province of {len(runs)} departments, warm, Dask {args.workers} workers: "
        f"{wall:.1f} s ({out['per_report_s']:.2f} s per report per worker); peak memory: "
        f"worker {out['peak_worker_mb']} MB + its kernel {out['peak_kernel_mb']} MB"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=40, help="number of reports (default 40)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--floor-repeats", type=int, default=5)
    parser.add_argument("--province", type=int, default=0, help="departments of a province run")
    parser.add_argument("--skip-annual", action="store_true", help="only the province run")
    parser.add_argument(
        "--skip-cold", action="store_true", help="warm only, with and without cache"
    )
    args = parser.parse_args()
    figures: dict[str, Any] = {"load_average": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_annual:
            figures["annual"] = annual(args, tmp)
        if args.province:
            figures["province"] = province(args, tmp)
    figures["load_average_after"] = os.getloadavg()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
