"""Benchmark: import N official self-evaluation forms, calamine path vs openpyxl-only path.

    python benchmarks/bench_forms.py [--forms 1000] [--workdir DIR]

Generates N one-form workbooks (the sample region's projects, scored and written
in the official layout by ``perfkit.write_forms``), then imports the folder with
``perfkit.read_forms`` twice, each in a fresh child process: ``engine="auto"``
(calamine; openpyxl only for sheets that need number formats) and
``engine="openpyxl"`` (every workbook through openpyxl).  Prints forms/s, the
ratio and each child's peak RSS, and checks that both paths give identical tables.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(folder: Path, n: int) -> None:
    import polars as pl

    import perfkit

    result = perfkit.score(ROOT / "data/sample/projects.csv", ROOT / "data/sample/indicators.csv")
    units = result.units.head(n)
    if units.height < n:
        raise SystemExit(f"the sample has only {units.height} projects")
    keys = units.select("year", "unit_code")
    items = result.items.join(keys, on=["year", "unit_code"], how="semi")
    subset = perfkit.ScoreResult(result.system, units, items)
    perfkit.write_forms(subset, folder, by="project")
    assert len(list(folder.glob("*.xlsx"))) == n
    del pl


def child(folder: str, engine: str, out: str) -> None:
    import perfkit

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    start = time.perf_counter()
    found = perfkit.read_forms(folder, engine=engine)
    seconds = time.perf_counter() - start
    found.indicators.write_parquet(Path(out) / f"{engine}-indicators.parquet")
    found.projects.write_parquet(Path(out) / f"{engine}-projects.parquet")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    readers = found.forms.get_column("reader").value_counts().rows()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "forms": found.projects.height,
                "errors": len(found.errors),
                "peak_mib": peak,
                "baseline_mib": before,
                "readers": readers,
            }
        )
    )


def measure(folder: Path, engine: str, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(folder), engine, str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    import polars as pl
    from polars.testing import assert_frame_equal

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-forms-"))
    folder = work / "forms"
    start = time.perf_counter()
    generate(folder, args.forms)
    print(
        f"generated {args.forms} forms (one workbook each) in {time.perf_counter() - start:.1f} s"
    )
    runs = {engine: measure(folder, engine, work) for engine in ("auto", "openpyxl")}
    for engine in runs:
        r = runs[engine]
        print(
            f"{engine:>9}: {r['seconds']:.2f} s, {r['forms'] / r['seconds']:.0f} forms/s, "
            f"peak RSS {r['peak_mib']:.0f} MiB ({r['baseline_mib']:.0f} MiB after imports), "
            f"readers {r['readers']}, errors {r['errors']}"
        )
    for table in ("projects", "indicators"):
        assert_frame_equal(
            pl.read_parquet(work / f"auto-{table}.parquet"),
            pl.read_parquet(work / f"openpyxl-{table}.parquet"),
        )
    ratio = runs["openpyxl"]["seconds"] / runs["auto"]["seconds"]
    print(f"calamine path is {ratio:.1f}x faster than openpyxl only (identical tables)")


if __name__ == "__main__":
    main()
