"""Regenerate the committed form workbooks of this folder.

    python tests/data/forms/make_forms.py            # needs LibreOffice (for the .xls)

* ``seed001_budget_mgmt.xlsx`` — the 2022年度自治区本级部门预算管理绩效考核自评表 of seed 001
  (``seed001_table.txt`` in this folder: the table as an OCR transcription of the published
  report gives it, tab-separated), row by row.  The OCR put each section's
  score two columns right of 考核结果; it is written under 考核结果 here.  Everything else is
  as printed, including the 合计 row's 指标值 ``10`` and 得分 ``90.5`` — the section scores
  (10 + 24 + 34 + 14 + 4.5 + 5 + 5 + 8) add up to 104.5, which check-forms must report.
* ``2023-民政局.xls`` — a 项目支出绩效自评表 (header one row down, full-width spaced labels)
  built with ``tests/form_builder.py`` and converted to Excel 97-2003 by LibreOffice
  (``soffice --headless --convert-to xls``): a real .xls as older offices send.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from form_builder import FormSpec, save_forms  # noqa: E402

HEADER = [
    "考核内容",
    "指标",
    "指标值",
    "计算方法",
    "指标性质",
    "考核方式",
    "数据来源",
    "考核结果(以待督办意见为打分)",
    "扣罚分",
    "备注",
]


#: The committed transcription of seed 001's table (see the module docstring).
SEED_TABLE = HERE / "seed001_table.txt"


def seed_rows(seed: Path) -> list[list[str]]:
    """The table's rows (after its header) as printed in the seed."""
    lines = seed.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("考核内容\t"))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        fields = line.split("\t")
        first = fields[0]
        if first.startswith(("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、")):
            # section row: the OCR put the score under 扣罚分
            rows.append([first, fields[1], fields[2], "", "", "", "", fields[8], "", ""])
        elif first == "合计":
            rows.append([first, "", fields[2], fields[3], "", "", "", fields[8], "", ""])
            break
        else:
            rows.append((fields + [""] * 10)[:10])
    return rows


def write_seed001(seed: Path, out: Path) -> None:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "附件1"
    ws["A1"] = "附件1"
    ws["A2"] = "2022年度自治区本级部门预算管理绩效考核自评表"
    ws.merge_cells("A2:J2")
    ws.append(HEADER)
    for row in seed_rows(seed):
        ws.append([_number(v) for v in row])
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    workbook.save(out)


def _number(text: str) -> object:
    try:
        value = float(text)
    except ValueError:
        return text or None
    return int(value) if value.is_integer() else value


def write_xls(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = save_forms(
            Path(tmp) / f"{out.stem}.xlsx",
            {"城乡低保": FormSpec(row_offset=1, fullwidth=True)},
        )
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "xls", "--outdir", str(out.parent), source],
            check=True,
            capture_output=True,
            timeout=180,
        )


if __name__ == "__main__":
    write_seed001(SEED_TABLE, HERE / "seed001_budget_mgmt.xlsx")
    write_xls(HERE / "2023-民政局.xls")
    print("wrote", HERE / "seed001_budget_mgmt.xlsx", HERE / "2023-民政局.xls")
