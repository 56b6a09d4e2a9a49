"""A sha256 manifest of what the demo and the README's commands write (输出清单).

Runs, in a temporary folder and on ``data/sample``, the commands that ``make demo``
and the README / ``docs/`` pages show, then prints one JSON object: for every
CSV, JSON and Parquet file written, its path (relative to the temporary folder)
and the sha256 of its bytes.  Two trees (before and after a refactoring) must
give the same manifest::

    .venv/bin/python scripts/compare_outputs.py > /tmp/before.json      # on main
    .venv/bin/python scripts/compare_outputs.py > /tmp/after.json       # on the branch
    .venv/bin/python scripts/compare_outputs.py --compare /tmp/before.json /tmp/after.json

The commands (the ``perfkit`` next to this interpreter, run from the repository root):

- ``perfkit demo --data data/sample`` (every year and system);
- ``perfkit run parameters/schedules/annual.yaml`` (40 department reports);
- ``perfkit sample-data`` and the seeded verification sample (``make sample``);
- ``perfkit export-forms`` of the 2024 scores, then ``import-forms`` and ``check-forms``
  on the exported workbooks;
- ``perfkit monitor`` (August 2024);
- ``perfkit sample plan --json``, ``sample draw`` (pps, risk rules), ``sample reperform``;
- ``perfkit verify`` on the committed filled field workbook;
- ``perfkit compare --years 2022-2024``.

JSON files are hashed after normalising the values that change from run to run
and say nothing about the results: keys naming times, durations and process ids (``started``,
``finished``, ``duration_s``, ``worker_pid``: :data:`VOLATILE_KEYS`), the batch
records' input fingerprint (modification times) and notebook hash (:data:`BATCH_KEYS`),
and the temporary folder and repository root inside paths (replaced by ``<tmp>`` and
``<repo>``: the batch run records the notebook's absolute path, a selection record the
relative path of its inputs).  Every other byte counts.  Each command's exit status is
in the manifest too (``reperform`` exits 0 when the redraw is identical).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PERFKIT = str(Path(sys.executable).with_name("perfkit"))
SAMPLE = "data/sample"

#: JSON keys whose values are times, durations or process ids (normalised to "<volatile>"):
#: the batch run's ``manifest.json`` and ``run.json``.
VOLATILE_KEYS = frozenset({"started", "finished", "duration_s", "worker_pid"})
#: Keys of the batch records normalised when their value is text: ``inputs`` (a fingerprint
#: of the input files' paths, sizes and modification times, so another checkout differs)
#: and ``notebook_sha256`` (the notebook's own bytes: a notebook whose import lines change
#: records another hash; notebooks are reviewed as code, their outputs are compared here).
BATCH_KEYS = frozenset({"inputs", "notebook_sha256"})


def _commands(tmp: Path) -> list[tuple[str, list[str]]]:
    t = str(tmp)
    return [
        ("demo", ["demo", "--data", SAMPLE, "--out", f"{t}/reports"]),
        (
            "run annual",
            ["run", "parameters/schedules/annual.yaml", "--out", f"{t}/annual", "--workers", "2"],
        ),
        ("sample-data", ["sample-data", "--out", f"{t}/sample"]),
        (
            "export-forms",
            [
                "export-forms",
                "--scores",
                f"{t}/reports/2024/project-self-eval",
                "--out",
                f"{t}/forms",
                "--by",
                "department",
            ],
        ),
        ("import-forms", ["import-forms", f"{t}/forms", "--out", f"{t}/imported"]),
        ("check-forms", ["check-forms", f"{t}/forms", "--out", f"{t}/check/problems.csv"]),
        (
            "monitor",
            [
                "monitor",
                "--projects",
                f"{SAMPLE}/projects.csv",
                "--monitoring",
                f"{SAMPLE}/monitoring.csv",
                "--indicator-progress",
                f"{SAMPLE}/indicator_progress.csv",
                "--indicators",
                f"{SAMPLE}/indicators.csv",
                "--month",
                "8",
                "--out",
                f"{t}/monitor",
            ],
        ),
        (
            "sample plan",
            [
                "sample",
                "plan",
                "--model",
                "binomial",
                "--confidence",
                "0.95",
                "--tolerable",
                "0.05",
                "--json",
            ],
        ),
        (
            "sample draw",
            [
                "sample",
                "draw",
                "--projects",
                f"{SAMPLE}/projects.csv",
                "--year",
                "2023",
                "--design",
                "pps",
                "--n",
                "46",
                "--risk",
                "self_100_low_execution",
                "--risk",
                "budget_zero",
                "--seed",
                "2023",
                "--out",
                f"{t}/draw",
            ],
        ),
        (
            "sample reperform",
            [
                "sample",
                "reperform",
                f"{t}/draw/selection.json",
                "--projects",
                f"{SAMPLE}/projects.csv",
            ],
        ),
        (
            "verify",
            [
                "verify",
                "--record",
                f"{SAMPLE}/verification_2023/selection.json",
                "--results",
                f"{SAMPLE}/verification_2023/field_workbook_filled.xlsx",
                "--out",
                f"{t}/verified",
            ],
        ),
        (
            "compare",
            ["compare", "--data", SAMPLE, "--years", "2022-2024", "--out", f"{t}/compare"],
        ),
    ]


def _sample_verifications(tmp: Path) -> tuple[str, list[str]]:
    """``make sample``'s second step, whichever module path this tree has."""
    import importlib.util

    for module in ("perfkit.samples.verifications", "perfkit.sample_verifications"):
        if importlib.util.find_spec(module.rsplit(".", 1)[0]) and importlib.util.find_spec(module):
            return "sample verifications", [sys.executable, "-m", module, f"{tmp}/sample"]
    raise SystemExit("no sample-verifications module in this tree")


def _normalise(value: Any, tmp: str) -> Any:
    if isinstance(value, dict):
        return {
            k: "<volatile>"
            if k in VOLATILE_KEYS or (k in BATCH_KEYS and isinstance(v, str))
            else _normalise(v, tmp)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_normalise(v, tmp) for v in value]
    if isinstance(value, str):
        return value.replace(tmp, "<tmp>").replace(str(REPO), "<repo>")
    return value


def _digest(path: Path, tmp: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".json":
        text = json.dumps(
            _normalise(json.loads(data), str(tmp)), ensure_ascii=False, sort_keys=True
        )
        data = text.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def manifest(keep: Path | None = None) -> dict[str, Any]:
    """Run every command in a fresh temporary folder; the exit statuses and file digests.

    With ``keep``, the files are written there (a new folder) and left for a look.
    """
    with tempfile.TemporaryDirectory(prefix="perfkit-outputs-") as name:
        tmp = Path(name)
        if keep is not None:
            keep.mkdir(parents=True)
            tmp = keep.resolve()
        status: dict[str, int] = {}
        runs = [(label, [PERFKIT, *args]) for label, args in _commands(tmp)]
        runs.insert(3, _sample_verifications(tmp))
        for label, argv in runs:
            done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True)
            status[label] = done.returncode
            if label == "sample plan":
                (tmp / "plan").mkdir()
                (tmp / "plan" / "plan.json").write_text(done.stdout, encoding="utf-8")
            print(f"{label}: exit {done.returncode}", file=sys.stderr)
        files = {
            path.relative_to(tmp).as_posix(): _digest(path, tmp)
            for path in sorted(tmp.rglob("*"))
            if path.is_file() and path.suffix in {".csv", ".json", ".parquet"}
        }
        return {"exit_status": status, "files": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--keep", type=Path, help="write the files into this new folder")
    parser.add_argument("--repo", type=Path, help="run in this checkout (default: this one)")
    args = parser.parse_args(argv)
    if args.repo:
        global REPO
        REPO = args.repo.resolve()
    if args.compare:
        before, after = (json.loads(Path(p).read_text(encoding="utf-8")) for p in args.compare)
        lines = [f"exit status differs: {before['exit_status']} / {after['exit_status']}"] * (
            before["exit_status"] != after["exit_status"]
        )
        for name in sorted(set(before["files"]) | set(after["files"])):
            old, new = before["files"].get(name), after["files"].get(name)
            if old != new:
                lines.append(f"{name}: {old} → {new}")
        print("\n".join(lines) or f"identical: {len(after['files'])} files")
        return 1 if lines else 0
    print(json.dumps(manifest(args.keep), indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
