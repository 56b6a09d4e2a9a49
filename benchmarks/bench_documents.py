"""Benchmark: the deliverable documents — cost per report, PDF batching, the annual schedule.

Prints figures; asserts nothing about time.  Run with ``make bench`` or::

    python benchmarks/bench_documents.py --reports 40 --workers 2

What it measures, in one run on the bundled sample data (2024)
----------------------------------------------------------------
1. Per department report, in this process: building the content (the evaluation given,
   as the notebook does; with and without the two figures) and rendering the .docx —
   the cost a report's .docx adds to its HTML (target ≤ 0.3 s).
2. PDF: the .docx of K reports converted by ONE LibreOffice process (two passes: the
   second writes the pages into the contents) against one process per file.
3. The annual schedule of N departments with ``formats: [html]``, ``[html, docx]`` and
   ``[html, docx, pdf]``: wall time of each and the cost per report of the documents.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from perfkit.batch import Schedule, run_schedule
from perfkit.batch._schedule import _expand_all
from perfkit.documents import department_report, docx_bytes, write_docx
from perfkit.evaluation import evaluate_department
from perfkit.tables._office import convert_to_pdf, soffice

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "sample"


def departments(n: int) -> list[str]:
    return _expand_all("dept_code", {"data_dir": str(DATA), "year": 2024})[:n]


def per_report(codes: list[str]) -> dict[str, float]:
    build, build_fig, render = [], [], []
    for code in codes:
        ev = evaluate_department(DATA, 2024, code)
        t0 = time.perf_counter()
        doc = department_report(DATA, 2024, code, evaluation=ev, figures=False)
        build.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        doc = department_report(DATA, 2024, code, evaluation=ev, figures=True)
        build_fig.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        docx_bytes(doc)
        render.append(time.perf_counter() - t0)
    return {
        "content (no figures)": statistics.median(build),
        "content (2 figures)": statistics.median(build_fig),
        ".docx rendering": statistics.median(render),
    }


def pdf_batching(codes: list[str], tmp: Path) -> dict[str, float]:
    files = {}
    for code in codes:
        doc = department_report(DATA, 2024, code, figures=True)
        files[write_docx(doc, tmp / code / "report.docx")] = tmp / code / "report.pdf"
    t0 = time.perf_counter()
    convert_to_pdf(files)
    one_process = time.perf_counter() - t0
    single = list(files.items())[:3]
    t0 = time.perf_counter()
    for source, target in single:
        convert_to_pdf({source: target})
    per_file = (time.perf_counter() - t0) / len(single)
    return {
        f"one process, {len(files)} files (per file)": one_process / len(files),
        "one process per file (per file, 3 files)": per_file,
    }


def schedule_runs(n: int, workers: int, tmp: Path) -> dict[str, float]:
    codes = departments(n)
    times = {}
    for formats in (["html"], ["html", "docx"], ["html", "docx", "pdf"]):
        schedule = Schedule(
            notebook=ROOT / "notebooks" / "department_evaluation.ipynb",
            output_dir=tmp / "-".join(formats),
            workers=workers,
            formats=formats,
            parameters={"year": 2024, "data_dir": str(DATA)},
            runs=[{"dept_code": c} for c in codes],
            run_name="{year}-{dept_code}",
        )
        t0 = time.perf_counter()
        result = run_schedule(schedule, cwd=ROOT)
        times["+".join(formats)] = time.perf_counter() - t0
        assert result.ok == len(codes), result.failed
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=40, help="departments in the schedule")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-report", type=int, default=10, help="departments timed in-process")
    parser.add_argument("--pdf-files", type=int, default=10, help="reports converted in one go")
    parser.add_argument("--skip-schedule", action="store_true")
    parser.add_argument("--only-schedule", action="store_true")
    args = parser.parse_args()
    if not args.only_schedule:
        print("1. per department report, in process (median):")
        for what, seconds in per_report(departments(args.per_report)).items():
            print(f"   {what:<28} {seconds:6.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        if args.only_schedule:
            pass
        elif soffice() is None:
            print("2. PDF: LibreOffice missing, skipped")
        else:
            print("2. PDF conversion (LibreOffice headless, two passes for the page numbers):")
            for what, seconds in pdf_batching(departments(args.pdf_files), Path(tmp)).items():
                print(f"   {what:<44} {seconds:6.2f} s")
        if args.skip_schedule:
            return
        print(f"3. annual schedule, {args.reports} departments, {args.workers} workers:")
        times = schedule_runs(args.reports, args.workers, Path(tmp))
        base = times["html"]
        for what, seconds in times.items():
            extra = (seconds - base) / args.reports
            print(f"   {what:<16} {seconds:7.1f} s   (+{extra:.2f} s per report over html)")


if __name__ == "__main__":
    main()
