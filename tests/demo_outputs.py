"""Column-by-column fingerprints of the CSV files ``perfkit demo`` writes (输出比对).

Scoring must not drift: a change to the readers or the reports may add a
column or show a value differently, but every other byte of
``unit_scores.csv`` and ``item_scores.csv`` stays as it was.  This module
records, for every CSV under a results folder, the SHA-256 of the whole file
and of each column's values, and compares two such records column by column.

    python -m tests.demo_outputs snapshot reports/ > tests/data/demo_columns.json
    python -m tests.demo_outputs compare OLD_RESULTS/ NEW_RESULTS/

``tests/test_demo_outputs.py`` runs the demo and compares it with the
committed snapshot ``tests/data/demo_columns.json`` (taken before issue 13).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from pathlib import Path

__all__ = ["column_table", "compare", "snapshot"]


def _digest(values: list[str]) -> str:
    return hashlib.sha256("\n".join(values).encode("utf-8")).hexdigest()


def column_table(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """A CSV's header and its columns as the text written (BOM dropped)."""
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    return header, {name: [row[i] for row in body] for i, name in enumerate(header)}


def snapshot(folder: Path) -> dict[str, dict[str, object]]:
    """Per CSV (relative path): file digest, header, and one digest per column."""
    out: dict[str, dict[str, object]] = {}
    for path in sorted(folder.rglob("*.csv")):
        header, columns = column_table(path)
        out[path.relative_to(folder).as_posix()] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "header": header,
            "columns": {name: _digest(values) for name, values in columns.items()},
        }
    return out


def compare(old: dict, new: dict) -> list[str]:
    """Differences as lines: files and columns added, removed or changed."""
    lines = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            lines.append(f"{name}: file removed")
            continue
        if name not in old:
            lines.append(f"{name}: file added")
            continue
        a, b = old[name], new[name]
        if a["sha256"] == b["sha256"]:
            continue
        for column in b["header"]:
            if column not in a["columns"]:
                lines.append(f"{name}: column {column} added")
            elif a["columns"][column] != b["columns"][column]:
                lines.append(f"{name}: column {column} changed")
        gone = [column for column in a["header"] if column not in b["columns"]]
        lines += [f"{name}: column {column} removed" for column in gone]
        kept = [c for c in b["header"] if c in a["columns"]]
        if kept != [c for c in a["header"] if c in b["columns"]]:
            lines.append(f"{name}: columns reordered")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "snapshot":
        json.dump(snapshot(Path(argv[1])), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        old, new = (_load(Path(a)) for a in argv[1:])
        lines = compare(old, new)
        print("\n".join(lines) if lines else "identical")
        return 0
    print(__doc__)
    return 2


def _load(path: Path) -> dict:
    return snapshot(path) if path.is_dir() else json.loads(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
