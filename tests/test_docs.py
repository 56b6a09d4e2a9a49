"""The project documents itself: its docs, and no source that lives outside the repository.

* every relative link of ``README.md``, ``docs/*.md`` and the other READMEs points to a
  file of the repository, and every ``#anchor`` to a heading of that file (as GitHub
  makes anchors from headings);
* no committed file cites a primer that is not in the repository, or reads a path of
  one machine outside it;
* the seed-001 workbook of ``tests/data/forms/`` is built from the committed
  transcription ``seed001_table.txt``: rebuilding it gives the committed workbook's cells.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "tests" / "data" / "forms"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [
    ROOT / "README.md",
    *DOCS,
    ROOT / "data" / "README.md",
    ROOT / "tests" / "bad_inputs" / "README.md",
]
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, blanks → ``-``."""
    found: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        heading = re.match(r"#+\s+(.*)", line)
        if heading and not fenced:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            n = 1
            while (slug if n == 1 else f"{slug}-{n - 1}") in found:
                n += 1
            found.add(slug if n == 1 else f"{slug}-{n - 1}")
    return found


def test_the_docs_cover_the_rules_and_the_contract() -> None:
    names = {p.name for p in DOCS}
    assert {
        "index.md",
        "scoring.md",
        "systems.md",
        "data-contract.md",
        "monitoring.md",
        "comparison.md",
        "sampling.md",
        "forms.md",
        "batch.md",
        "explorer.md",
    } <= names
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert all(f"({name})" in index for name in names - {"index.md"})


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_resolve(page: Path) -> None:
    broken = []
    for link in _LINK.findall(page.read_text(encoding="utf-8")):
        if link.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(f"{link}: no heading #{anchor} in {target.name}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def _project_text_files() -> list[Path]:
    """The project's own source, docs, notebooks and parameters (not data, not .venv)."""
    folders = ["perfkit", "tests", "notebooks", "docs", "parameters", "benchmarks", ".ci"]
    suffixes = {".py", ".md", ".ipynb", ".yaml", ".yml", ".txt", ".j2", ".json", ".toml", ""}
    files = [ROOT / name for name in ("README.md", "Makefile", "pyproject.toml", "environment.yml")]
    files.append(ROOT / "data" / "README.md")
    for folder in folders:
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file()
            and p.suffix in suffixes
            and "__pycache__" not in p.parts
            and "artifacts" not in p.parts
        ]
    return [p for p in files if p.is_file() and p != Path(__file__)]


def test_nothing_cites_a_file_outside_the_repository() -> None:
    primer = "DESIGN" + ".md"  # spelled apart so that this file does not match itself
    # the primer, a sibling folder, or an absolute path of one machine (/home/…, /Users/…)
    machine = r"(?<![\w.~])/(?:home|Users|root|mnt|work)/\w"
    outside = re.compile(r"(\.\./shared|" + machine + "|" + re.escape(primer) + ")")
    hits = []
    files = _project_text_files()
    assert len(files) > 100  # the walk found the project
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if outside.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not hits, "\n".join(hits)


def _cells(path: Path) -> list[tuple]:
    workbook = openpyxl.load_workbook(path)
    return [
        (
            ws.title,
            sorted(str(r) for r in ws.merged_cells.ranges),
            [[(c.coordinate, c.value, c.data_type) for c in row] for row in ws.iter_rows()],
        )
        for ws in workbook.worksheets
    ]


def test_seed001_workbook_is_built_from_the_committed_transcription(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_forms", FORMS / "make_forms.py")
    assert spec is not None and spec.loader is not None
    make_forms = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_forms)
    assert make_forms.SEED_TABLE == FORMS / "seed001_table.txt"
    assert make_forms.SEED_TABLE.is_file()
    rebuilt = tmp_path / "seed001_budget_mgmt.xlsx"
    make_forms.write_seed001(make_forms.SEED_TABLE, rebuilt)
    assert _cells(rebuilt) == _cells(FORMS / "seed001_budget_mgmt.xlsx")
    rows = make_forms.seed_rows(make_forms.SEED_TABLE)
    assert rows[-1][0] == "合计" and rows[-1][7] == "90.5"  # the stated total check-forms disputes
