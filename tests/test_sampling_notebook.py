"""The sample-verification notebook runs through plain papermill on the sample data."""

from __future__ import annotations

import json
from pathlib import Path

import papermill as pm
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "sample_verification.ipynb"


def _text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        data = output.get("data", {})
        for kind in ("text/markdown", "text/plain"):
            parts.append("".join(data.get(kind, "")))
    return "\n".join(parts)


def test_stored_notebook_is_clean_and_documented() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["cells"][0]["cell_type"] == "markdown" and "papermill" in "".join(
        nb["cells"][0]["source"]
    )
    params = nb["cells"][1]
    assert params["metadata"]["tags"] == ["parameters"]
    lines = [line for line in "".join(params["source"]).splitlines() if line.strip()]
    assert all("  # " in line for line in lines)  # one parameter a line, each documented
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_notebook_draws_and_evaluates_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "draw"
    executed = tmp_path / "executed.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={"output_dir": str(out)},
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
    )
    assert {p.name for p in out.iterdir()} == {
        "picks.csv",
        "strata.csv",
        "selection.json",
        "field_workbook.xlsx",
    }
    # the default parameters repeat the sample's draw: the record re-performs identically
    assert (
        json.loads((out / "selection.json").read_text(encoding="utf-8"))["picks"]
        == json.loads(
            (ROOT / "data/sample/verification_2023/selection.json").read_text(encoding="utf-8")
        )["picks"]
    )
    text = "\n".join(_text(c) for c in json.loads(executed.read_text(encoding="utf-8"))["cells"])
    assert "at least 59 units must be drawn" in text
    assert (
        "46 projects drawn: 10 must-include by risk, 1 must-include by an amount reaching "
        "the sampling interval, 35 at random" in text
    )
    assert "identical: the redraw gives the same picks" in text
    assert "At 95% confidence, the share of inflated projects among all 606 projects" in text
    assert "Stringer" in text
    svgs = sum(
        "image/svg+xml" in o.get("data", {})
        for c in json.loads(executed.read_text(encoding="utf-8"))["cells"]
        for o in c.get("outputs", [])
    )
    assert svgs == 2


def test_bad_parameters_stop_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "bad.ipynb"),
            parameters={"design": "stratified", "output_dir": str(tmp_path / "o")},
            kernel_name="python3",
            cwd=str(ROOT),
            progress_bar=False,
        )
    assert "PerfkitError" in err.value.ename
    assert "stratified sampling needs strata" in err.value.evalue
    assert not (tmp_path / "o").exists()
