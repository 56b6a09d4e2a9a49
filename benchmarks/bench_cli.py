"""Benchmark: how fast the ``perfkit`` command starts, against Python's own imports.

Prints figures; asserts nothing about time.  Run with ``make bench`` or::

    python benchmarks/bench_cli.py [--repeat 3] [--perfkit PATH]

What it measures (wall time of a child process, the median of ``--repeat`` runs,
after one warm-up run of each so that every figure is a warm start):

1. the baseline: ``python -c "import polars, click, yaml, pydantic"`` — what any
   command built on perfkit's light dependencies needs to start;
2. ``perfkit --help``, ``perfkit systems list`` and ``perfkit score --help``;

and prints each one's ratio to the baseline (the goal: ``--help`` and
``systems list`` within 3×).  The runs are interleaved (one of each, three
times) so that other jobs on the machine weigh on every figure alike.
``--perfkit`` times another installation's command (e.g. an older checkout's
``.venv/bin/perfkit``) against the same baseline.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "import polars, click, yaml, pydantic"
COMMANDS = (["--help"], ["systems", "list"], ["score", "--help"])


def _perfkit() -> list[str]:
    """The ``perfkit`` console script beside this Python, else ``python -m perfkit.cli``."""
    script = Path(sys.executable).with_name("perfkit")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "perfkit.cli"]


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--perfkit", help="the perfkit command to time [this installation's]")
    args = parser.parse_args()

    perfkit = [args.perfkit] if args.perfkit else _perfkit()
    measures = {"python -c " + repr(BASELINE): [sys.executable, "-c", BASELINE]}
    for extra in COMMANDS:
        measures["perfkit " + " ".join(extra)] = [*perfkit, *extra]

    for command in measures.values():  # warm-up: files in the page cache, .pyc written
        _wall(command)
    times: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(args.repeat):
        for name, command in measures.items():
            times[name].append(_wall(command))

    medians = {name: statistics.median(runs) for name, runs in times.items()}
    base = next(iter(medians.values()))
    print(f"command start-up, median of {args.repeat} (warm), {' '.join(perfkit)}")
    width = max(map(len, medians))
    for name, median in medians.items():
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"  {name:<{width}}  {median:6.2f} s  {median / base:5.1f}× baseline  ({runs})")


if __name__ == "__main__":
    main()
