"""notebooks/key_evaluation.ipynb through papermill on the sample's key-evaluation year."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tests.test_monitoring_notebook import text_of

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "key_evaluation.ipynb"
KEY = ROOT / "data" / "sample" / "key_evaluation_2024"


def execute(tmp_path: Path, **parameters: object) -> tuple[nbformat.NotebookNode, Path]:
    import papermill

    out_dir = tmp_path / "out"
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={
            "workbook": str(KEY / "working_paper_filled.xlsx"),
            "survey": str(KEY / "survey.csv"),
            "data_dir": str(KEY),
            "output_dir": str(out_dir),
            **parameters,
        },
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    return nbformat.read(executed, as_version=4), out_dir


def test_stored_notebook_is_clean_and_documented() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "papermill" in nb.cells[0].source
    params = nb.cells[1]
    assert params.metadata.get("tags") == ["parameters"]
    names = [line.split(":")[0] for line in params.source.splitlines() if line.strip()]
    assert names == [
        "year", "units", "system", "workbook", "survey", "data_dir", "notes", "formats",
        "output_dir",
    ]  # fmt: skip
    for name in names:
        assert f"`{name}`" in nb.cells[0].source
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")


def test_the_notebook_on_the_sample(tmp_path: Path) -> None:
    nb, out = execute(tmp_path, units=["P2022-D31-005", "P2022-D12-006"])
    shown = text_of(nb)
    assert "2024 年度重点评价结果" in shown
    assert "学前教育发展专项资金" in shown and "农业产业化发展专项" in shown
    assert "森林草原防火专项" not in shown  # only the objects asked for
    for header in ("得分率（%）", "扣分理由", "佐证材料", "数据来源", "满意率（%）"):
        assert header in shown
    assert sorted(p.name for p in out.iterdir()) == [
        "key_evaluation.xlsx", "key_evaluation_items.csv", "key_evaluation_units.csv",
        "summary.json", "survey_summary.csv",
    ]  # fmt: skip
    record = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    budgets = {o["unit_code"]: o["budget_full_year"] for o in record["objects"]}
    assert budgets == {"P2022-D31-005": 60.8, "P2022-D12-006": 420.02}  # data/README.md's rows
    assert record["budget_full_year"] == 480.82


def test_bad_parameters_stop_with_every_reason(tmp_path: Path) -> None:
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as excinfo:
        execute(tmp_path, year=2023, system="dept-overall-national", units=["NOPE"])
    message = str(excinfo.value)
    assert "2023" in message and "dept-overall-national" in message and "NOPE" in message
    assert not (tmp_path / "out").exists()
