"""Benchmark: batch department reports, sequential against 2 workers, with the floor.

Prints figures; asserts nothing about time.  Run with ``make bench`` or::

    python benchmarks/bench_batch.py --reports 40 --workers 2

What it measures, in one run on the bundled sample data (2024)
----------------------------------------------------------------
1. The floor: papermill executing an *empty* notebook with the same kernel
   (kernel start, one empty cell, shutdown), averaged over a few runs.  No
   report can cost less.
2. ``perfkit run`` of N department reports with 1 worker (in-process,
   sequential) and with W workers (separate processes); wall time of each and
   the speed-up.
3. Per-report overhead: the sequential wall time per report minus the time the
   notebook's own cells took (papermill records each cell's duration) — that is
   kernel start, papermill, the HTML export and the runner's bookkeeping — and
   its ratio to the floor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from perfkit.batch import Schedule, run_schedule

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "department_evaluation.ipynb"


def floor(tmp: Path, repeats: int) -> float:
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

    depts = _expand_all("dept_code", {"year": 2024, "data_dir": str(ROOT / "data" / "sample")})
    depts = (depts * (n // len(depts) + 1))[:n]
    return Schedule(
        notebook=NOTEBOOK,
        output_dir=Path("unused"),
        parameters={"year": 2024, "data_dir": str(ROOT / "data" / "sample")},
        runs=[{"dept_code": d, "copy": i} for i, d in enumerate(depts)],
        run_name="{copy:03d}-{dept_code}",
    )


def cell_seconds(run_dir: Path) -> float:
    nb = nbformat.read(str(run_dir / "report.ipynb"), as_version=4)
    return sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=40, help="number of reports (default 40)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--floor-repeats", type=int, default=5)
    args = parser.parse_args()
    sched = schedule(args.reports)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        floor_s = floor(tmp, args.floor_repeats)

        t0 = time.perf_counter()
        seq = run_schedule(sched, output_dir=tmp / "seq", workers=1, cwd=ROOT)
        seq_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        par = run_schedule(sched, output_dir=tmp / "par", workers=args.workers, cwd=ROOT)
        par_s = time.perf_counter() - t0

        assert seq.ok == par.ok == args.reports, (seq.failed, par.failed)
        cells = statistics.mean(cell_seconds(tmp / "seq" / r["name"]) for r in seq.records)
    per_report = seq_s / args.reports
    overhead = per_report - cells
    figures = {
        "reports": args.reports,
        "workers": args.workers,
        "floor_empty_notebook_s": round(floor_s, 3),
        "sequential_wall_s": round(seq_s, 2),
        "parallel_wall_s": round(par_s, 2),
        "speed_up": round(seq_s / par_s, 2),
        "per_report_s": round(per_report, 3),
        "notebook_cells_s": round(cells, 3),
        "per_report_overhead_s": round(overhead, 3),
        "overhead_over_floor": round(overhead / floor_s, 2),
    }
    print(f"floor (papermill, empty notebook):   {floor_s:6.2f} s")
    print(
        f"{args.reports} reports, 1 worker:            {seq_s:6.1f} s  ({per_report:.2f} s/report)"
    )
    print(f"{args.reports} reports, {args.workers} workers:           {par_s:6.1f} s")
    print(f"speed-up:                            {seq_s / par_s:6.2f}×  (target ≥ 1.7)")
    print(f"notebook cells per report:           {cells:6.2f} s")
    print(
        f"per-report overhead:                 {overhead:6.2f} s = "
        f"{overhead / floor_s:.2f}× the floor (target ≤ 2×)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
