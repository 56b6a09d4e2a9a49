"""notebooks/monitoring.ipynb through papermill on the sample: the region and one department."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "monitoring.ipynb"
SAMPLE = ROOT / "data" / "sample"
SCHEDULE = ROOT / "parameters" / "schedules" / "monitoring.yaml"


def execute(tmp_path: Path, **parameters: object) -> tuple[nbformat.NotebookNode, Path]:
    import papermill

    out_dir = tmp_path / "out"
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={"data_dir": str(SAMPLE), "output_dir": str(out_dir), **parameters},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    return nbformat.read(executed, as_version=4), out_dir


def text_of(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            for kind in ("text/markdown", "text/plain", "text/html"):
                if kind in output.get("data", {}):
                    parts.append(output["data"][kind])
    return "\n".join(parts)


def has_svg(nb: nbformat.NotebookNode) -> bool:
    return any(
        "image/svg+xml" in output.get("data", {})
        for cell in nb.cells
        for output in cell.get("outputs", [])
    )


def test_stored_notebook_is_clean_and_documented() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown" and "papermill" in nb.cells[0].source
    params = nb.cells[1]
    assert params.metadata.get("tags") == ["parameters"]
    lines = [line for line in params.source.splitlines() if line.strip()]
    assert [line.split(":")[0] for line in lines] == [
        "year", "month", "as_of", "dept_code", "data_dir", "output_dir",
    ]  # fmt: skip
    assert all("  # " in line for line in lines)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")


def test_region(tmp_path) -> None:
    nb, out = execute(tmp_path, year=2024, month=8, dept_code="all")
    text = text_of(nb)
    assert (
        "全区：2024年8月项目绩效监控602个137,893.79万元，总体进度68%，略高于序时进度66.67%" in text
    )
    assert "红色预警项目 144 个（执行红色 51 个）" in text
    assert "51 个项目，滞后金额合计" in text
    assert has_svg(nb)
    assert sorted(p.name for p in out.iterdir()) == [
        "alerts.csv", "indicator_alerts.csv", "monitoring.xlsx", "review.csv", "summary.txt",
        "summary_departments.csv", "summary_region.csv",
    ]  # fmt: skip


def test_one_department_as_of(tmp_path) -> None:
    nb, out = execute(tmp_path, year=2024, month=8, as_of="2024-08-31", dept_code="D27")
    text = text_of(nb)
    assert "外事办公室：截至2024年8月31日项目绩效监控" in text
    assert "序时进度66.67%" in text
    assert has_svg(nb)
    alerts = (out / "alerts.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(alerts) > 1 and all(",D27," in line for line in alerts[1:])


def test_bad_parameters_fail_clearly(tmp_path) -> None:
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as info:
        execute(tmp_path, year=2024, month=13, dept_code="all")
    assert info.value.ename == "PerfkitError"
    assert "month must be a whole number from 1 to 12, not 13" in info.value.evalue
    assert not (tmp_path / "out").exists()


def test_schedule_runs_the_notebook_for_every_department() -> None:
    schedule = yaml.safe_load(SCHEDULE.read_text(encoding="utf-8"))
    assert schedule["notebook"] == "notebooks/monitoring.ipynb"
    assert (ROOT / schedule["notebook"]).is_file()
    assert schedule["output_dir"] == "reports/monitoring"
    assert schedule["workers"] == 2
    assert schedule["parameters"] == {"year": 2024, "month": 8, "data_dir": "data/sample"}
    assert schedule["matrix"] == {"dept_code": "all"}
    params = nbformat.read(NOTEBOOK, as_version=4).cells[1].source
    for name in [*schedule["parameters"], *schedule["matrix"], "output_dir"]:
        assert f"{name}:" in params
