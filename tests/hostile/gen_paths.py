"""Hostile data for file names: department and project codes and names that are paths.

:func:`build` writes a data folder (six sample departments of 2024) whose
department codes are ``X/../../../../PWNED``, ``..``, an absolute path, ``CON``,
a code with a NUL byte and one of 300 characters, two codes that differ only
by ``/`` against ``_``, and whose names are as hostile (300 characters,
Windows-reserved characters).  Every file perfkit builds from these must land
inside its output folder, under a safe name, and two of them never in one file.

Run it by hand to look at the files: ``python tests/hostile/gen_paths.py DEST``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

if __package__ in (None, ""):  # run as a script: make `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.hostile.gen_html import write_tables

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

#: The marker in every traversal attempt: no file named like this may appear outside the output.
MARKER = "PWNED"

#: Sample department → (hostile code, hostile name).
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "D01": (f"X/../../../../{MARKER}", f"../../{MARKER}教育局"),
    "D02": ("..", "卫健委"),
    "D03": (f"/tmp/{MARKER}-absolute", "公安局"),
    "D04": ("CON", 'a:b|c?d*e"f<g>h\\i'),
    "D05": ("A\x00B", "民政" * 150),  # a NUL byte; 300 characters, 900 bytes of UTF-8
    "D06": ("D" + "长" * 299, "财政局"),
    "D07": ("D/7", "同名局"),  # D/7 and D_7 sanitise alike: two workbooks, never one
    "D08": ("D_7", "同名局"),
}
YEAR = 2024


def hostile_tables() -> dict[str, pl.DataFrame]:
    """The hostile contract tables (text columns), keyed by table name."""
    codes = {old: new for old, (new, _) in DEPARTMENTS.items()}
    names = {old: name for old, (_, name) in DEPARTMENTS.items()}
    projects = pl.read_csv(SAMPLE / "projects.csv", infer_schema=False).filter(
        pl.col("dept_code").is_in(list(DEPARTMENTS)) & (pl.col("year") == str(YEAR))
    )
    # at most three projects a department keeps the reports quick
    projects = projects.group_by("dept_code", maintain_order=True).head(3)
    units = projects.get_column("project_code").to_list()
    # project codes are paths too (export-forms --by project names workbooks by them)
    unit_codes = {
        code: (f"{code}/../../../../{MARKER}" if i % 2 else code) for i, code in enumerate(units)
    }
    projects = projects.with_columns(
        pl.col("project_code").replace_strict(unit_codes),
        pl.col("dept_code").replace_strict(names).alias("dept_name"),
        pl.col("dept_code").replace_strict(codes),
    )
    indicators = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False).filter(
        pl.col("unit_code").is_in(units) & (pl.col("year") == str(YEAR))
    )
    indicators = indicators.with_columns(pl.col("unit_code").replace_strict(unit_codes))
    return {"projects": projects, "indicators": indicators}


def build(dest: Path) -> list[Path]:
    """Write the hostile data folder ``dest/path_names/``; return the files written.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in build(Path(tempfile.mkdtemp()))]
    ['projects.csv', 'indicators.csv']
    """
    return write_tables(Path(dest) / "path_names", hostile_tables())


if __name__ == "__main__":  # pragma: no cover - a convenience for looking at the files
    for path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")):
        print(path)
