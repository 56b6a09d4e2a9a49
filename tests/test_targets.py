"""Target review (绩效目标审核), the indicator library, 审减 and the ex-ante system.

Every rule is planted on one project of a hand-made planning year and must fire there
and nowhere else; a good target set gets no finding at all.  The history rules run
across a department renamed between the years (D12 → D41).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from perfkit.cli import main
from perfkit.errors import InputError
from perfkit.targets import RULES, load_library, reductions, review_targets
from perfkit.targets._rules import prepare

YEAR = "2025"
GOOD = [
    # level1, level2, name, direction, target, unit
    ("产出指标", "数量指标", "完成检查次数", "正向", "12", "次"),
    ("产出指标", "质量指标", "验收合格率", "正向", "95", "%"),
    ("产出指标", "时效指标", "按期完成率", "正向", "90", "%"),
    ("产出指标", "成本指标", "支出控制数", "反向", "80", "万元"),
    ("效益指标", "社会效益指标", "群众安全感", "正向", "90", "%"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "正向", "90", "%"),
]


def _replace(rows: list[tuple], which: str, **changes: str) -> list[tuple]:
    fields = ("level1", "level2", "name", "direction", "target", "unit")
    out = []
    for row in rows:
        if row[2] == which:
            values = dict(zip(fields, row, strict=True)) | changes
            row = tuple(values[f] for f in fields)
        out.append(row)
    return out


#: project → (dept, category, budget, indicators): one planted defect each (B…), goods (G…)
PLAN: dict[str, tuple[str, str, str, list[tuple]]] = {
    "G1": ("D01", "其他", "100", GOOD),
    "G2": ("D41", "其他", "100", GOOD),  # history under D12, renamed D41 in 2025: all good
    "B01": ("D01", "其他", "100", [r for r in GOOD if r[0] != "满意度指标"]),
    "B02": ("D01", "其他", "100", [r for r in GOOD if r[1] != "成本指标"]),
    "B03": (
        "D01",
        "其他",
        "100",
        _replace(GOOD, "验收合格率", name="完成检查次数", target="12", unit="次"),
    ),
    "B04": ("D01", "其他", "100", _replace(GOOD, "群众安全感", target="明显提升")),
    "B05": ("D01", "其他", "100", _replace(GOOD, "完成检查次数", unit="")),
    "B06": (
        "D01",
        "其他",
        "100",
        [  # 4 of 6 qualitative: 67 % > 50 %
            ("产出指标", "数量指标", "完成检查次数", "定性", "完成", ""),
            ("产出指标", "质量指标", "验收合格率", "定性", "合格", ""),
            ("产出指标", "时效指标", "按期完成率", "定性", "按期", ""),
            GOOD[3],
            ("效益指标", "社会效益指标", "群众安全感", "定性", "提升", ""),
            GOOD[5],
        ],
    ),
    "B07": ("D01", "其他", "100", _replace(GOOD, "按期完成率", target="≤3天", unit="天")),
    "B08": ("D01", "其他", "100", [*GOOD, ("产出指标", "时效指标", "整改天数", "反向", "0", "天")]),
    "B09": (
        "D01",
        "其他",
        "100",
        [*GOOD, ("效益指标", "经济效益指标", "带动经济发展", "正向", "60", "%")],
    ),
    "B11": ("D01", "其他", "50", GOOD),  # cost target 80 万元 > budget 50
    "B12": ("D41", "其他", "100", GOOD),  # history: 完成检查次数 10 → 12 done; target 12 ≤ 12
    "B13": ("D41", "其他", "100", _replace(GOOD, "完成检查次数", target="10")),  # 14 of 10 done
    "B14": ("D41", "其他", "100", _replace(GOOD, "完成检查次数", target="15")),  # 5 of 10 done
    "B15": ("D41", "其他", "120", GOOD),  # executed < 60 % in 2023 and 2024, budget up
}
#: rule → the one project it is planted on
PLANTED = {
    "completeness.missing_level1": "B01",
    "completeness.missing_output_kind": "B02",
    "completeness.duplicate_name": "B03",
    "clarity.no_number": "B04",
    "clarity.no_unit": "B05",
    "clarity.qualitative_share": "B06",
    "clarity.direction_contradiction": "B07",
    "clarity.reverse_zero": "B08",
    "relevance.vague_benefit": "B09",
    "relevance.cost_over_budget": "B11",
    "ambition.target_low": "B12",
    "ambition.overachieved_not_raised": "B13",
    "ambition.raised_after_shortfall": "B14",
    "ambition.budget_up_chronic_low": "B15",
}
DEPT_NAMES = {"D01": "教育局", "D41": "农业农村局", "D12": "农牧局"}


def _projects(
    year: str, budgets: dict[str, str], depts: dict[str, str], executed=None
) -> pl.DataFrame:
    codes = list(budgets)
    frame = {
        "year": [year] * len(codes),
        "project_code": codes,
        "project_name": [f"项目{c}" for c in codes],
        "dept_code": [depts[c] for c in codes],
        "dept_name": [DEPT_NAMES[depts[c]] for c in codes],
        "budget_full_year": [budgets[c] for c in codes],
        "category": [PLAN[c][1] if c in PLAN else "其他" for c in codes],
    }
    if executed is not None:
        frame["budget_initial"] = [budgets[c] for c in codes]
        frame["executed"] = [executed[c] for c in codes]
    return pl.DataFrame(frame)


def _indicators(
    rows: dict[str, list[tuple]], year: str, actuals: dict | None = None
) -> pl.DataFrame:
    records = []
    for code, indicators in rows.items():
        for level1, level2, name, direction, target, unit in indicators:
            record = {
                "year": year, "unit_code": code, "level1": level1, "level2": level2,
                "name": name, "direction": direction, "target": target, "unit": unit or None,
            }  # fmt: skip
            if actuals is not None:
                record["actual"] = actuals.get((code, name), target)
            records.append(record)
    return pl.DataFrame(records)


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("targets")
    plan_dir, history = root / "plan", root / "history"
    plan_dir.mkdir()
    history.mkdir()
    _projects(
        YEAR, {c: v[2] for c, v in PLAN.items()}, {c: v[0] for c, v in PLAN.items()}
    ).write_csv(plan_dir / "projects.csv")
    _indicators({c: v[3] for c, v in PLAN.items()}, YEAR).write_csv(plan_dir / "indicators.csv")
    # history: 2023 and 2024, the D41 projects were D12's then
    old = ["G2", "B12", "B13", "B14", "B15"]
    depts = dict.fromkeys(old, "D12")
    frames, indicators = [], []
    for year in ("2023", "2024"):
        executed = {c: "100" for c in old} | {"B15": "50"}
        frames.append(_projects(year, dict.fromkeys(old, "100"), depts, executed))
        done = {"验收合格率": "94", "按期完成率": "89", "群众安全感": "89", "服务对象满意度": "89"}
        actuals = {(c, n): v for c in old for n, v in done.items()} | {
            ("G2", "完成检查次数"): "11",
            ("B12", "完成检查次数"): "12",
            ("B13", "完成检查次数"): "14",
            ("B14", "完成检查次数"): "5",
        }
        rows = {c: _replace(GOOD, "完成检查次数", target="10") for c in old}
        indicators.append(_indicators(rows, year, actuals))
    pl.concat(frames).select(
        "year", "project_code", "project_name", "dept_code", "dept_name", "budget_initial",
        "budget_full_year", "executed", "category",
    ).write_csv(history / "projects.csv")  # fmt: skip
    pl.concat(indicators).write_csv(history / "indicators.csv")
    pl.DataFrame(
        {
            "year": ["2024"],
            "dept_code": ["D41"],
            "dept_name": ["农业农村局"],
            "previous_code": ["D12"],
        }
    ).write_csv(history / "departments.csv")
    return {
        "projects": plan_dir / "projects.csv",
        "plan": plan_dir / "indicators.csv",
        "history": history,
    }


@pytest.fixture(scope="module")
def reviewed(case: dict[str, Path]):
    return review_targets(case["projects"], case["plan"], history=case["history"])


@pytest.mark.parametrize("rule", sorted(PLANTED))
def test_every_rule_fires_exactly_on_its_planted_project(reviewed, rule: str) -> None:
    hits = reviewed.findings_pl.filter(pl.col("rule") == rule)
    assert sorted(set(hits.get_column("unit_code"))) == [PLANTED[rule]]
    assert hits.get_column("severity").to_list()[0] == RULES[rule]
    assert hits.get_column("suggestion").null_count() == 0


def test_good_sets_get_no_finding_even_across_a_renamed_department(reviewed) -> None:
    good = reviewed.findings_pl.filter(pl.col("unit_code").is_in(["G1", "G2"]))
    assert good.height == 0, good.rows()
    row = reviewed.review_pl.filter(pl.col("unit_code") == "G2").row(0, named=True)
    assert (row["score"], row["conclusion"], row["dept_code"]) == (100.0, "通过", "D41")


def test_findings_point_at_the_row_and_column(reviewed, case) -> None:
    plan = pl.read_csv(case["plan"], infer_schema=False)
    hit = reviewed.findings_pl.filter(pl.col("rule") == "clarity.no_number").row(0, named=True)
    assert hit["file"] == case["plan"].name and hit["column"] == "target"
    source = plan.row(hit["row"] - 2, named=True)  # the header is row 1
    assert (source["unit_code"], source["name"], source["target"]) == (
        "B04",
        "群众安全感",
        "明显提升",
    )
    low = reviewed.findings_pl.filter(pl.col("rule") == "ambition.target_low").row(0, named=True)
    assert "2024 年的实际完成值 12" in low["message"]
    chronic = reviewed.findings_pl.filter(pl.col("rule") == "ambition.budget_up_chronic_low")
    assert chronic.item(0, "file") == case["projects"].name
    assert chronic.item(0, "column") == "budget_full_year"


def test_overachievement_is_not_also_a_low_target(reviewed) -> None:
    b13 = reviewed.findings_pl.filter(pl.col("unit_code") == "B13").get_column("rule").to_list()
    assert b13 == ["ambition.overachieved_not_raised"]


def test_review_score_and_conclusion_bands(reviewed) -> None:
    review = reviewed.review_pl
    assert review.height == len(PLAN)
    b01 = review.filter(pl.col("unit_code") == "B01").row(0, named=True)
    assert (b01["score"], b01["conclusion"], b01["n_error"]) == (90.0, "通过", 1)
    assert set(review.get_column("conclusion")) <= {"通过", "修改后通过", "退回"}


def test_rules_edge_cases() -> None:
    """A 100 % target after 100 % done is not low; an equal-to-0 target is not reverse-0."""
    projects = _projects(YEAR, {"E1": "100"}, {"E1": "D01"})
    rows = [*GOOD, ("产出指标", "质量指标", "安全事故数", "等于", "0", "起")]
    plan = _indicators({"E1": rows}, YEAR)
    result = review_targets(projects, plan)
    assert result.findings_pl.height == 0
    share = _replace(GOOD, "验收合格率", direction="定性", target="合格", unit="")
    share = _replace(share, "按期完成率", direction="定性", target="按期", unit="")
    share = _replace(share, "群众安全感", direction="定性", target="提升", unit="")
    result = review_targets(projects, _indicators({"E1": share}, YEAR))  # 3 of 6: exactly 50 %
    assert "clarity.qualitative_share" not in result.findings_pl.get_column("rule").to_list()


def test_library_matcher_full_width_blank_and_alias(tmp_path: Path) -> None:
    user = tmp_path / "mine.csv"
    pl.DataFrame(
        {
            "类别": ["培训"],
            "一级指标": ["产出指标"],
            "二级指标": ["数量指标"],
            "三级指标": ["IT系统运维次数"],
            "指标方向": ["正向"],
            "计量单位": ["次"],
            "指标解释": ["运维次数"],
            "别名": ["系统维护次数"],
        }
    ).write_csv(user)
    library = load_library(user)
    plan = pl.DataFrame(
        {
            "unit_code": ["P1"] * 5,
            "level1": ["产出指标"] * 5,
            "level2": ["数量指标"] * 5,
            "name": ["培训 人次", "参训人次", "ＩＴ系统 运维次数", "系统维护次数", "自定义指标"],
            "unit": ["人次"] * 5,
        }
    )
    projects = pl.DataFrame(
        {"project_code": ["P1"], "category": ["培 训"], "budget_full_year": [1]}
    )
    matched = prepare(plan, projects, library).get_column("lib_name").to_list()
    assert matched == ["培训人次", "培训人次", "IT系统运维次数", "IT系统运维次数", None]


def test_library_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "lib.csv"
    bad.write_text(
        "类别,一级指标,二级指标,三级指标,指标方向,指标解释\n培训,产出指标,数量指标,x,正向,y\n"
    )
    with pytest.raises(InputError) as caught:
        load_library(bad)
    assert any("计量单位" in p.message or "unit" in p.message for p in caught.value.problems)
    assert caught.value.problems[0].file == bad.name


def test_cli_review_writes_outputs_and_workbook(case, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["targets", "review", "--projects", str(case["projects"]), "--indicators",
         str(case["plan"]), "--history", str(case["history"]), "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    findings = pl.read_csv(out / "findings.csv", infer_schema=False)
    assert {"unit_code", "name", "rule", "severity", "message", "suggestion"} <= set(
        findings.columns
    )
    assert set(findings.get_column("severity")) <= {"error", "warning", "info"}
    review = pl.read_csv(out / "review.csv", infer_schema=False)
    assert {"unit_code", "score", "conclusion", "n_error", "n_warning", "n_info"} <= set(
        review.columns
    )
    book = openpyxl.load_workbook(out / "review.xlsx")
    assert book.sheetnames == ["审核结论", "D01 教育局", "D41 农业农村局"]
    sheet = book["D01 教育局"]
    header = [c.value for c in sheet[1]]
    severity = header.index("严重程度")
    errors = [row for row in sheet.iter_rows(min_row=2) if row[severity].value == "错误"]
    assert errors and errors[0][severity].fill.fgColor.rgb.endswith("D32F2F")
    units = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert "B01" in units and "B12" not in units


def test_plan_row_for_unknown_project_is_a_clear_error(case, tmp_path: Path) -> None:
    plan = pl.read_csv(case["plan"], infer_schema=False)
    bad = tmp_path / "plan.csv"
    plan.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("NOPE"))
        .otherwise(pl.col("unit_code"))
        .alias("unit_code")
    ).write_csv(bad)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["targets", "review", "--projects", str(case["projects"]), "--indicators", str(bad),
               "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        "plan.csv 第5行 unit_code：项目 NOPE 不在项目表 projects.csv 的 2025 年项目中"
        in result.output
    )
    assert "Traceback" not in result.output and not out.exists()


def test_reductions_to_the_cent() -> None:
    r = reductions(
        pl.DataFrame(
            {
                "year": ["2025"] * 4,
                "project_code": ["P1", "P2", "P3", "P4"],
                "dept_code": ["D1", "D1", "D2", "D3"],
                "region": ["州本级", "州本级", "县级", "县级"],
                "requested": ["500000.00", "488909.67", "1000000.00", "620714.11"],
                "approved": ["250000.00", "234317.36", "800000.00", "461951.91"],
            }
        )
    )
    assert r.total_pl.row(0) == (2609623.78, 1746269.27, 863354.51, 33.08)
    assert r.regions_pl.rows() == [
        (2025, "州本级", 988909.67, 484317.36, 504592.31, 51.03),
        (2025, "县级", 1620714.11, 1261951.91, 358762.2, 22.14),
    ]
    assert r.departments_pl.filter(pl.col("dept_code") == "D1").item(0, "reduced") == 504592.31


def test_request_below_zero_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "budget_requests.csv"
    path.write_text(
        "年度,项目编码,部门编码,申报数,审定数\n2025,P1,D1,-5,1\n2025,P2,D1,10,12\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["targets", "reductions", "--requests", str(path), "--out",
                                       str(tmp_path / "o")])  # fmt: skip
    assert result.exit_code == 1
    assert "budget_requests.csv 第2行 申报数：金额为负数 -5" in result.output
    assert "budget_requests.csv 第3行 审定数：审定数 12 大于申报数 10" in result.output
    assert "审定数 1 大于" not in result.output  # a negative request is reported once
    assert not (tmp_path / "o").exists()


def test_ex_ante_scored_through_the_assessments_engine(tmp_path: Path) -> None:
    path = tmp_path / "assessments.csv"
    items = ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2"]
    scores = ["9", "8", "5", "8", "7", "9", "8", "8", "7", "10", "5"]  # 84
    pl.DataFrame(
        {"year": ["2025"] * 11, "unit_code": ["N1"] * 11, "item": items, "score": scores}
    ).write_csv(path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["score", "--assessments", str(path), "--system", "ex-ante", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    units = pl.read_csv(out / "unit_scores.csv", infer_schema=False)
    assert units.select("total", "grade").row(0) == ("84.0", "予以支持")


def test_library_command_lists_a_category_and_derives() -> None:
    result = CliRunner().invoke(main, ["targets", "library", "--category", "培训"])
    assert (
        result.exit_code == 0
        and "培训人次" in result.output
        and "系统正常运行率" not in result.output
    )
    result = CliRunner().invoke(main, ["targets", "library", "--derive", "data/sample"])
    assert result.exit_code == 0, result.output
    assert "运维信息系统数量" in result.output and "个项目" in result.output


# ------------------------------------------------------------------ the sample's plan 2025

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_sample_plan_is_reproduced_from_its_own_stream(tmp_path: Path) -> None:
    from perfkit.samples.plan import write_plan

    for name in ("projects.csv", "indicators.csv", "departments.csv"):
        (tmp_path / name).write_bytes((SAMPLE / name).read_bytes())
    for path in write_plan(tmp_path):
        assert path.read_bytes() == (SAMPLE / "plan_2025" / path.name).read_bytes(), path.name


@pytest.fixture(scope="module")
def sample_review():
    plan = SAMPLE / "plan_2025"
    return review_targets(plan / "projects.csv", plan / "indicators.csv", history=SAMPLE)


def test_sample_plan_planted_weak_targets_are_found(sample_review) -> None:
    from perfkit.samples.plan import PLANTED

    found = sample_review.findings_pl
    for rule, code in PLANTED.items():
        assert found.filter((pl.col("rule") == rule) & (pl.col("unit_code") == code)).height, rule
    ambition = found.filter(pl.col("family") == "ambition")
    planted = {PLANTED[r] for r in PLANTED if r.startswith("ambition")}
    assert set(ambition.get_column("unit_code")) == planted  # the clean targets stay silent


def test_sample_budget_requests_and_ex_ante(tmp_path: Path) -> None:
    plan = SAMPLE / "plan_2025"
    r = reductions(plan / "budget_requests.csv")
    total = r.total_pl.row(0, named=True)
    assert round(total["requested"] - total["approved"], 2) == total["reduced"]
    assert set(r.regions_pl.get_column("region")) >= {"州本级"}
    result = CliRunner().invoke(
        main,
        ["score", "--assessments", str(plan / "assessments_exante.csv"), "--system", "ex-ante",
         "--out", str(tmp_path / "o")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    units = pl.read_csv(tmp_path / "o" / "unit_scores.csv", infer_schema=False)
    assert units.height == 20
    assert set(units.get_column("grade")) <= {"予以支持", "调整后予以支持", "不予支持"}


# ------------------------------------------------------------------ notebook and schedule

ROOT = Path(__file__).resolve().parents[1]


def test_target_review_notebook_runs_for_a_department(tmp_path: Path) -> None:
    import nbformat
    import papermill

    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "target_review.ipynb"),
        str(out),
        parameters={
            "data_dir": str(SAMPLE / "plan_2025"),
            "history_dir": str(SAMPLE),
            "dept_code": "D41",
            "output_dir": str(tmp_path / "out"),
        },
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    html = "\n".join(
        o["data"]["text/html"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "text/html" in o.get("data", {})
    )
    assert "P2021-D12-006" in html and "持续超额未调高目标" in html  # D12's project, now D41
    book = openpyxl.load_workbook(tmp_path / "out" / "review.xlsx")
    assert book.sheetnames == ["审核结论", "D41 农业农村局"]


def test_target_review_schedule_runs_every_department_of_the_plan() -> None:
    from perfkit.batch import expand_runs, load_schedule

    runs = expand_runs(load_schedule(ROOT / "parameters" / "schedules" / "target_review.yaml"))
    plan = pl.read_csv(SAMPLE / "plan_2025" / "projects.csv", infer_schema=False)
    depts = sorted(set(plan.get_column("dept_code")))
    assert [r.parameters["dept_code"] for r in runs] == depts


def test_pandas_in_pandas_out_and_hostile_names(tmp_path: Path) -> None:
    import pandas as pd

    projects = _projects(YEAR, {"H1": "100"}, {"H1": "D01"}).with_columns(
        pl.lit('=HYPERLINK("x")').alias("project_name"),
        pl.lit("局[1]/:*?<b>").alias("dept_name"),
    )
    plan = _indicators({"H1": [r for r in GOOD if r[0] != "满意度指标"]}, YEAR)
    result = review_targets(projects.to_pandas(), plan.to_pandas())
    assert isinstance(result.findings, pd.DataFrame) and isinstance(result.review, pd.DataFrame)
    result.write(tmp_path)
    book = openpyxl.load_workbook(tmp_path / "review.xlsx")
    assert book.sheetnames == ["审核结论", "D01 局_1_____<b>"]
    cell = book["D01 局_1_____<b>"]["B2"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"
    assert "'=HYPERLINK" in (tmp_path / "findings.csv").read_text(encoding="utf-8-sig")


def test_derived_proposal_is_a_library(tmp_path: Path) -> None:
    out = tmp_path / "proposal.csv"
    result = CliRunner().invoke(
        main,
        ["targets", "library", "--derive", str(SAMPLE), "--min-projects", "30", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    library = load_library(out, builtin=False)  # the proposal reads back as a library
    assert library.entries.height == pl.read_csv(out, infer_schema=False).height > 0


def test_messages_follow_the_language(case) -> None:
    from perfkit.i18n import use_language

    with use_language("en"):
        en = review_targets(case["projects"], case["plan"]).findings_pl
    with use_language("zh"):
        zh = review_targets(case["projects"], case["plan"]).findings_pl
    pick = pl.col("rule") == "completeness.missing_level1"
    assert en.filter(pick).item(0, "message") == "Project B01 has no 满意度 indicators"
    assert zh.filter(pick).item(0, "message") == "项目 B01 缺少满意度指标"


def test_workbook_lists_projects_without_findings(reviewed, tmp_path: Path) -> None:
    reviewed.write(tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "review.xlsx")["D01 教育局"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    header = [c.value for c in sheet[1]]
    g1 = rows["G1"]
    assert (
        g1[header.index("审核结论")].value == "通过" and g1[header.index("审核规则")].value is None
    )
