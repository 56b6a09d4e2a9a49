"""Hostile data for the HTML reports: names that are markup, scripts and ``javascript:`` links.

:func:`build` writes a small data folder (four departments of the sample
region, 2023 and 2024, with their monitoring snapshots) in which department
names and codes, project names and codes, indicator names and deviation
reasons carry the payloads of :data:`PAYLOADS`.  Every payload that could run
sets ``window.__pwned`` (the canary) to its own number, so a test that opens a
report in a browser can tell which one ran.

Run it by hand to look at the files: ``python tests/hostile/gen_html.py DEST``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

#: The browser global a payload sets when it runs.
CANARY = "__pwned"

#: Text that would run, inject an element or a link if it reached HTML or Markdown unescaped.
PAYLOADS: tuple[str, ...] = (
    '<img src=x onerror="window.__pwned=1">',
    '<svg onload="window.__pwned=2"></svg>',
    '<iframe src="javascript:parent.__pwned=3"></iframe>',
    "[点我](javascript:window.__pwned=4)",
    "<script>window.__pwned=5</script>",
    '"><img src=x onerror=window.__pwned=6>',
    "'><svg onload=window.__pwned=7>",
    '<a href="javascript:window.__pwned=8">链接</a>',
    "javascript:window.__pwned=9",
    '<details open ontoggle="window.__pwned=10">x</details>',
    "<style>body{display:none}</style>",
    "**粗体** _斜体_ `代码` | 表格 | <!-- 注释",
)

#: Sample departments used, and what their codes and names become.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "D01": ('D1"><img src=x onerror=window.__pwned=11>', "教育局" + PAYLOADS[0] + PAYLOADS[3]),
    "D02": ("javascript:window.__pwned=12", "卫健委" + PAYLOADS[1] + PAYLOADS[2]),
    "D03": ("D3<svg onload=window.__pwned=13>", "公安局" + PAYLOADS[4] + PAYLOADS[5]),
    "D04": ("D4'x", "民政局" + PAYLOADS[7] + PAYLOADS[9] + PAYLOADS[11]),
}
YEARS = (2023, 2024)
#: Payloads in the names of the single departments (each appears in a report headline).
NAMES = {code: name for code, name in DEPARTMENTS.values()}


def _payload(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def _read(name: str) -> pl.DataFrame:
    return pl.read_csv(SAMPLE / f"{name}.csv", infer_schema=False)


def hostile_tables() -> dict[str, pl.DataFrame]:
    """The hostile tables (text columns), keyed by contract table name."""
    codes = {old: new for old, (new, _) in DEPARTMENTS.items()}
    names = {old: name for old, (_, name) in DEPARTMENTS.items()}
    years = [str(y) for y in YEARS]
    projects = _read("projects").filter(
        pl.col("dept_code").is_in(list(DEPARTMENTS)) & pl.col("year").is_in(years)
    )
    units = projects.get_column("project_code").unique().sort().to_list()
    # every second project gets a hostile code too; codes stay unique
    unit_codes = {
        code: (f'{code}"><svg onload=window.__pwned={100 + i}>' if i % 2 else code)
        for i, code in enumerate(units)
    }
    project_names = {code: f"项目{i}{_payload(i)}" for i, code in enumerate(units)}
    projects = projects.with_columns(
        pl.col("project_code").replace_strict(unit_codes),
        pl.col("project_code").replace_strict(project_names).alias("project_name"),
        pl.col("dept_code").replace_strict(names).alias("dept_name"),
        pl.col("dept_code").replace_strict(codes),
    )
    departments = _read("departments").filter(
        pl.col("dept_code").is_in(list(DEPARTMENTS)) & pl.col("year").is_in(years)
    )
    departments = departments.with_columns(
        pl.col("dept_code").replace_strict(names).alias("dept_name"),
        pl.col("dept_code").replace_strict(codes),
        pl.col("previous_code").replace_strict(codes, default=pl.col("previous_code")),
    )
    indicators = _read("indicators").filter(
        pl.col("unit_code").is_in(units) & pl.col("year").is_in(years)
    )
    indicator_names = sorted(indicators.get_column("name").unique().to_list())
    hostile_names = {n: f"{n}{_payload(i)}" for i, n in enumerate(indicator_names)}
    indicators = indicators.with_columns(
        pl.col("unit_code").replace_strict(unit_codes),
        pl.col("name").replace_strict(hostile_names),
        pl.when(pl.col("reason").is_not_null())
        .then(pl.col("reason") + pl.lit(PAYLOADS[0]))
        .alias("reason"),
    )
    monitoring = _read("monitoring").filter(pl.col("unit_code").is_in(units))
    monitoring = monitoring.with_columns(pl.col("unit_code").replace_strict(unit_codes))
    progress = _read("indicator_progress").filter(pl.col("unit_code").is_in(units))
    progress = progress.with_columns(
        pl.col("unit_code").replace_strict(unit_codes),
        pl.col("name").replace_strict(hostile_names),
    )
    return {
        "projects": projects,
        "departments": departments,
        "indicators": indicators,
        "monitoring": monitoring,
        "indicator_progress": progress,
    }


def build(dest: Path) -> list[Path]:
    """Write the hostile data folder ``dest/html_names/``; return the files written.

    Examples
    --------
    >>> import tempfile
    >>> files = build(Path(tempfile.mkdtemp()))
    >>> sorted(p.name for p in files)[:2]
    ['departments.csv', 'indicator_progress.csv']
    """
    return write_tables(Path(dest) / "html_names", hostile_tables())


def write_tables(folder: Path, tables: dict[str, pl.DataFrame]) -> list[Path]:
    """Write each table as ``folder/<name>.csv``; return the paths, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        frame.write_csv(path)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a convenience for looking at the files
    for path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")):
        print(path)
