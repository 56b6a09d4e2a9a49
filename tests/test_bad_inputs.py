"""Bad input never passes silently (docs/data-contract.md, "What bad input gets").

Every case of the corpus in ``tests/bad_inputs/`` (see its README) must make
``perfkit score`` and ``perfkit validate`` exit with status 1 and list exactly
the expected problems with file, row and column — without a traceback and
without writing anything — and ``perfkit.validate()`` must return the same
problems.  Each case is checked in both languages (issue 18): Chinese, the
default (``projects.csv 第3行 budget_full_year：'abc' 不是数字``), and English
with ``--lang en`` (``projects.csv:3: budget_full_year: 'abc' is not a number``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import perfkit
from perfkit.cli import main
from perfkit.i18n import use_language

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_inputs"
SEED_ASSESSMENT = HERE / "data" / "seed001_assessment.csv"
VALID_P = "valid_projects.csv"
VALID_I = "valid_indicators.csv"
ASSESSMENT_SYSTEM = "budget-mgmt-assessment"


@dataclass(frozen=True)
class Case:
    """One corpus case: its input files and the problems it must produce."""

    id: str
    #: (file, row, column, message fragment); row/column None = whole file/column
    problems: tuple[tuple[str, int | None, str | None, str], ...]
    projects: str | None = VALID_P
    indicators: str | None = VALID_I
    assessments: str | None = None
    system: str = "project-self-eval"
    #: a known perfkit bug that makes this case report something else (strict xfail)
    bug: str | None = None

    def inputs(self) -> dict[str, Path]:
        names = {"projects": self.projects, "indicators": self.indicators}
        if self.assessments:
            names = {"assessments": self.assessments}
        return {k: CORPUS / v for k, v in names.items() if v}

    def cli_args(self) -> list[str]:
        args = [f"--{k}={v}" for k, v in self.inputs().items()]
        return [*args, "--system", self.system]

    def file_names(self) -> set[str]:
        return {p.name for p in self.inputs().values()}


def _assessment_case(id_: str, file: str, problems: tuple) -> Case:
    return Case(
        id_,
        problems,
        projects=None,
        indicators=None,
        assessments=file,
        system=ASSESSMENT_SYSTEM,
    )


MANY_P = "many_problems_projects.csv"
MANY_I = "many_problems_indicators.csv"

CASES = [
    Case(
        "missing_column",
        (("missing_column_projects.csv", None, "executed", "required column missing"),),
        projects="missing_column_projects.csv",
    ),
    Case(
        "unparseable_actual",
        (("unparseable_actual_indicators.csv", 2, "actual", "'九成' is not a number"),),
        indicators="unparseable_actual_indicators.csv",
    ),
    Case(
        "unparseable_budget",
        (("unparseable_budget_projects.csv", 3, "budget_full_year", "'abc' is not a number"),),
        projects="unparseable_budget_projects.csv",
    ),
    Case(
        "negative_amount",
        (("negative_amount_projects.csv", 2, "executed", "negative amount -5"),),
        projects="negative_amount_projects.csv",
    ),
    Case(
        "duplicate_project",
        (("duplicate_project_projects.csv", 4, "project_code", "duplicate key"),),
        projects="duplicate_project_projects.csv",
    ),
    Case(
        "duplicate_indicator",
        (("duplicate_indicator_indicators.csv", 9, "name", "duplicate key"),),
        indicators="duplicate_indicator_indicators.csv",
    ),
    Case(
        "weight_total",
        (("weight_total_indicators.csv", 2, "weight", "add up to 95, not 90"),),
        indicators="weight_total_indicators.csv",
    ),
    Case(
        "mixed_weights",
        (("mixed_weights_indicators.csv", 3, "weight", "weight missing while other indicators"),),
        indicators="mixed_weights_indicators.csv",
    ),
    Case(
        "bad_qualitative",
        (("bad_qualitative_indicators.csv", 7, "actual", "is not one of the three levels"),),
        indicators="bad_qualitative_indicators.csv",
    ),
    Case(
        "self_points_above_weight",
        (("self_points_above_weight_indicators.csv", 2, "self_points", "above its maximum"),),
        indicators="self_points_above_weight_indicators.csv",
    ),
    Case(
        "orphan_indicator",
        (("orphan_indicator_indicators.csv", 9, "unit_code", "no project P003"),),
        indicators="orphan_indicator_indicators.csv",
    ),
    Case(
        "no_indicators",
        (("no_indicators_projects.csv", 4, "project_code", "has no indicators"),),
        projects="no_indicators_projects.csv",
    ),
    Case(
        "unknown_direction",
        (("unknown_direction_indicators.csv", 6, "direction", "is not one of"),),
        indicators="unknown_direction_indicators.csv",
    ),
    Case(
        "unknown_level1",
        (("unknown_level1_indicators.csv", 8, "level1", "is not one of"),),
        indicators="unknown_level1_indicators.csv",
    ),
    _assessment_case(
        "score_above_max",
        "score_above_max_assessments.csv",
        (("score_above_max_assessments.csv", 2, "score", "above the maximum 7.00 of item 1.1"),),
    ),
    _assessment_case(
        "unknown_item",
        "unknown_item_assessments.csv",
        (("unknown_item_assessments.csv", 50, "item", "'9.9' is not in system"),),
    ),
    Case(
        "bad_encoding",
        (("bad_encoding_projects.csv", None, None, "neither UTF-8 nor GB18030"),),
        projects="bad_encoding_projects.csv",
    ),
    Case(
        "broken_xlsx",
        (("broken_projects.xlsx", None, None, "cannot be read"),),
        projects="broken_projects.xlsx",
    ),
    Case(
        "many_problems",
        (
            (MANY_P, 2, "executed", "negative amount -5"),
            (MANY_P, 3, "budget_full_year", "'abc' is not a number"),
            (MANY_P, 4, "project_code", "project P004 has no indicators"),
            (MANY_I, 2, "actual", "'九成' is not a number"),
            (MANY_I, 3, "weight", "weight missing while other indicators"),
            (MANY_I, 6, "direction", "is not one of"),
            (MANY_I, 7, "actual", "is not one of the three levels"),
            (MANY_I, 8, "level1", "is not one of"),
            (MANY_I, 9, "unit_code", "no project P003"),
        ),
        projects=MANY_P,
        indicators=MANY_I,
    ),
]
EVERY_P = "every_kind_projects.csv"
EVERY_I = "every_kind_indicators.csv"
#: One row for each kind of problem the data contract names (and that the two tables can
#: carry): every one must be listed in one run, located by file, row and column.
EVERY_KIND = Case(
    "every_kind",
    (
        (EVERY_P, 3, "executed", "negative amount -5"),
        (EVERY_P, 4, "budget_full_year", "'abc' is not a number"),
        (EVERY_P, 5, "project_code", "duplicate key"),
        (EVERY_P, 6, "project_name", "missing value"),
        (EVERY_P, 7, "self_grade", "self-grade '甲' is not one of"),
        (EVERY_P, 8, "project_code", "project P006 has no indicators"),
        (EVERY_P, 9, "self_score", "self-score 120 is outside 0–100"),
        (EVERY_I, 2, "actual", "'九成' is not a number"),
        (EVERY_I, 3, "self_points", "entered score 25 is above its maximum"),
        (EVERY_I, 4, "actual", "is not one of the three levels"),
        (EVERY_I, 5, "target", "missing value"),
        (EVERY_I, 6, "direction", "direction '上升' is not one of"),
        (EVERY_I, 7, "level1", "一级指标 '满意指标' is not one of"),
        (EVERY_I, 8, "target", "target -5 must not be negative"),
        (EVERY_I, 10, "name", "duplicate key"),
        (EVERY_I, 14, "weight", "weight 0 must be above 0"),
        (EVERY_I, 16, "weight", "add up to 95, not 90"),
        (EVERY_I, 19, "weight", "weight missing while other indicators"),
        (EVERY_I, 20, "unit_code", "no project P009"),
        (EVERY_I, 21, "year", "year must be a whole number like 2024, not '二〇二四'"),
        (EVERY_I, 22, "level2", "missing value"),
        # notations in the target and actual columns (issue 13): contradictions name both
        (
            EVERY_I,
            23,
            "target",
            "annual target '≥95%' means 正向, which contradicts the direction '反向'",
        ),
        (
            EVERY_I,
            24,
            "target",
            "annual target '95%' has the unit '%', not the measurement unit '人次'",
        ),
        (EVERY_I, 25, "actual", "actual value '≥96%' carries a direction (正向)"),
    ),
    projects=EVERY_P,
    indicators=EVERY_I,
)
CASES.append(EVERY_KIND)

#: The Chinese of each expected fragment (the English is the catalog's msgid: Case.problems)
ZH = {
    "'9.9' is not in system": "'9.9' 不在指标体系",
    "'abc' is not a number": "'abc' 不是数字",
    "'九成' is not a number": "'九成' 不是数字",
    "above its maximum": "高于其满分",
    "above the maximum 7.00 of item 1.1": "高于 7.00 分，即项目 1.1",
    "add up to 95, not 90": "分值合计为 95，应为 90",
    "cannot be read": "无法读取",
    "direction '上升' is not one of": "指标方向 '上升' 不是",
    "duplicate key": "重复的键",
    "entered score 25 is above its maximum": "自评得分 25 高于其满分",
    "has no indicators": "没有指标",
    "is not one of": "之一",
    "is not one of the three levels": "不是三个等级之一",
    "missing value": "缺少值",
    "negative amount -5": "金额为负数 -5",
    "neither UTF-8 nor GB18030": "既不是 UTF-8 也不是 GB18030",
    "no project P003": "没有项目 P003",
    "no project P009": "没有项目 P009",
    "project P004 has no indicators": "项目 P004 在",
    "project P006 has no indicators": "项目 P006 在",
    "required column missing": "缺少必需的列",
    "self-grade '甲' is not one of": "自评等级 '甲' 不是",
    "self-score 120 is outside 0–100": "自评得分 120 超出 0–100",
    "target -5 must not be negative": "年度指标值 -5 不能为负数",
    "weight 0 must be above 0": "分值 0 必须大于 0",
    "weight missing while other indicators": "缺少分值，而",
    "year must be a whole number like 2024, not '二〇二四'": (
        "年度须为整数，如 2024，而不是 '二〇二四'"
    ),
    "一级指标 '满意指标' is not one of": "一级指标 '满意指标' 不是",
    "annual target '≥95%' means 正向, which contradicts the direction '反向'": (
        "年度指标值 '≥95%' 表示正向，与指标方向 '反向' 矛盾"
    ),
    "annual target '95%' has the unit '%', not the measurement unit '人次'": (
        "年度指标值 '95%' 的单位 '%' 与计量单位 '人次' 不一致"
    ),
    "actual value '≥96%' carries a direction (正向)": "实际完成值 '≥96%' 带有方向（正向）",
}
LANGUAGES = ["zh", "en"]

PARAMS = [
    pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=c.bug, strict=True)] if c.bug else [])
    for c in CASES
]


def _fragment(fragment: str, lang: str) -> str:
    return ZH[fragment] if lang == "zh" else fragment


def _lang_args(lang: str) -> list[str]:
    """``--lang en`` for English; nothing for Chinese (the default is checked)."""
    return [] if lang == "zh" else ["--lang", lang]


def _location(file: str, row: int | None, column: str | None, lang: str = "en") -> str:
    """How the CLI starts a problem line: ``file:row: column:`` / ``file 第row行 column：``."""
    if lang == "zh":
        where = file if row is None else f"{file} 第{row}行"
        return f"{where} {column}：" if column else f"{where}："
    where = file if row is None else f"{file}:{row}"
    return f"{where}: {column}:" if column else f"{where}:"


def _problem_lines(result: Result, files: set[str]) -> list[str]:
    """Error lines the CLI printed (one per problem): they start with an input file name."""
    lines = result.output.splitlines()
    return [
        line
        for line in lines
        if any(line.startswith((f"{name}:", f"{name} ", f"{name}：")) for name in files)
        and not line.endswith(("[warning]", "（警告）"))
    ]


def _assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    # an unexpected exception also gives exit code 1 under CliRunner: rule it out
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def _assert_reports(result: Result, case: Case, lang: str = "en") -> None:
    lines = _problem_lines(result, case.file_names())
    for file, row, column, english in case.problems:
        where, fragment = _location(file, row, column, lang), _fragment(english, lang)
        hits = [line for line in lines if line.startswith(where) and fragment in line]
        assert len(hits) == 1, f"expected one line {where} … {fragment!r} in:\n{result.output}"
    assert len(lines) == len(case.problems), result.output


# ---------------------------------------------------------------- the corpus itself


def test_corpus_has_every_case_file() -> None:
    named = {name for c in CASES for name in (c.projects, c.indicators, c.assessments) if name}
    on_disk = {p.name for p in CORPUS.iterdir() if p.name != "README.md"}
    assert named == on_disk
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for name in named:
        assert f"`{name}`" in readme, f"{name} is not described in bad_inputs/README.md"


def test_bad_encoding_file_is_neither_utf8_nor_gb18030() -> None:
    data = (CORPUS / "bad_encoding_projects.csv").read_bytes()
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)


def test_valid_pair_scores_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--projects", str(CORPUS / VALID_P), "--indicators", str(CORPUS / VALID_I)]
    result = CliRunner().invoke(main, ["score", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "item_scores.csv",
        "scores.xlsx",
        "unit_scores.csv",
    ]
    report = perfkit.validate(CORPUS / VALID_P, CORPUS / VALID_I)
    assert report.ok and report.problems == []
    units = perfkit.score(CORPUS / VALID_P, CORPUS / VALID_I).units
    assert units.select("unit_code", "total", "grade").rows() == [
        ("P001", 97.67, "优"),
        ("P002", 92.5, "优"),
    ]


def test_seed_assessment_base_is_valid() -> None:
    report = perfkit.validate(system=ASSESSMENT_SYSTEM, assessments=SEED_ASSESSMENT)
    assert report.ok and report.problems == []


# ---------------------------------------------------------------- each case


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", PARAMS)
def test_score_cli_reports_and_writes_nothing(case: Case, lang: str, tmp_path: Path) -> None:
    out = tmp_path / "results"
    args = [*_lang_args(lang), "score", *case.cli_args(), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    _assert_clean_failure(result)
    _assert_reports(result, case, lang)
    assert [line for line in result.output.splitlines() if line.startswith("✗ ")]
    assert not out.exists() or not any(out.iterdir())
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", PARAMS)
def test_validate_cli_reports_the_same_problems(case: Case, lang: str) -> None:
    result = CliRunner().invoke(main, [*_lang_args(lang), "validate", *case.cli_args()])
    _assert_clean_failure(result)
    _assert_reports(result, case, lang)
    assert "✓" not in result.output


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", PARAMS)
def test_validate_api_locates_every_problem(case: Case, lang: str) -> None:
    kwargs = {k: v for k, v in case.inputs().items()}
    with use_language(lang):  # the problems keep their fields; the message is in `lang`
        report = perfkit.validate(system=case.system, **kwargs)
    assert not report.ok
    found = sorted((p.file, p.row or 0, p.column or "") for p in report.errors)
    expected = sorted((f, r or 0, c or "") for f, r, c, _ in case.problems)
    assert found == expected
    for file, row, column, fragment in case.problems:
        (problem,) = [p for p in report.errors if (p.file, p.row, p.column) == (file, row, column)]
        assert _fragment(fragment, lang) in problem.message
    frame = report.to_frame()
    assert frame.height == len(report.problems)
    assert set(frame.get_column("file")) <= case.file_names()


@pytest.mark.parametrize("case", PARAMS)
def test_score_api_raises_input_error(case: Case) -> None:
    kwargs = {k: v for k, v in case.inputs().items()}
    with pytest.raises(perfkit.InputError) as caught:
        perfkit.score(system=case.system, **kwargs)
    located = sorted((p.file, p.row or 0, p.column or "") for p in caught.value.problems)
    assert located == sorted((f, r or 0, c or "") for f, r, c, _ in case.problems)


def test_duplicate_project_key_is_reported() -> None:
    # the duplicate_project case is a strict xfail because of an extra, wrong problem;
    # the duplicate key itself must still be found
    with use_language("en"):
        report = perfkit.validate(CORPUS / "duplicate_project_projects.csv", CORPUS / VALID_I)
    (dup,) = [p for p in report.errors if "duplicate key" in p.message]
    assert (dup.file, dup.row, dup.column) == ("duplicate_project_projects.csv", 4, "project_code")
    assert "also on row 3" in dup.message


def test_many_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.id == "many_problems"]
    kinds = {fragment for *_, fragment in case.problems}
    assert len(case.problems) == 9 and len(kinds) >= 4
    result = CliRunner().invoke(main, ["score", *case.cli_args(), "--out", str(tmp_path / "out")])
    _assert_clean_failure(result)
    assert len(_problem_lines(result, case.file_names())) == 9
    assert "✗ 输入中有 9 个问题，未写出任何文件" in result.output
    validated = CliRunner().invoke(main, ["validate", *case.cli_args()])
    assert "✗ 发现 9 个问题" in validated.output
    english = CliRunner().invoke(main, ["--lang", "en", "validate", *case.cli_args()])
    assert "✗ 9 problem(s) found" in english.output
    english = CliRunner().invoke(
        main, ["--lang", "en", "score", *case.cli_args(), "--out", str(tmp_path / "out")]
    )
    assert "9 problem(s) in the input; nothing was written" in english.output
    report = perfkit.validate(CORPUS / MANY_P, CORPUS / MANY_I)
    assert len(report.errors) == 9
    assert {p.file for p in report.errors} == {MANY_P, MANY_I}


def test_every_kind_of_problem_is_listed_in_one_run() -> None:
    # the case above is checked like every case (CLI score/validate, the API): here, that
    # it does carry one of each kind of problem, and that a missing column in one table
    # still leaves the other table's problems listed
    kinds = {
        "missing value",
        "is not a number",
        "negative",
        "duplicate key",
        "add up to",
        "is not one of the three levels",
        "above its maximum",
        "is not one of",
        "no project",
        "has no indicators",
        "weight missing",
        "must be above 0",
        "year must be",
        "outside 0–100",
        "contradicts",
        "has the unit",
        "carries a direction",
    }
    fragments = [fragment for *_, fragment in EVERY_KIND.problems]
    assert {k for k in kinds if any(k in f for f in fragments)} == kinds
    located = [(f, r, c) for f, r, c, _ in EVERY_KIND.problems]
    assert len(set(located)) == len(located)  # one problem per cell: none hides another

    lines = (CORPUS / EVERY_P).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("executed")
    cut = [",".join(v for i, v in enumerate(line.split(",")) if i != drop) for line in lines]
    with_missing_column = perfkit.validate(_write(cut, "every_kind_projects.csv"), CORPUS / EVERY_I)
    found = {(p.file, p.row, p.column) for p in with_missing_column.errors}
    assert (EVERY_P, None, "executed") in found
    contract_level = {  # checked on the indicators table alone (no projects needed)
        (EVERY_I, 5, "target"),
        (EVERY_I, 6, "direction"),
        (EVERY_I, 10, "name"),
        (EVERY_I, 21, "year"),
        (EVERY_I, 22, "level2"),
    }
    assert contract_level <= found


def _write(lines: list[str], name: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- all at once, located


def test_entered_score_above_weight_reported_with_other_problems(tmp_path: Path) -> None:
    lines = (CORPUS / "self_points_above_weight_indicators.csv").read_text(encoding="utf-8")
    lines = lines.splitlines()
    lines[5] = lines[5].replace(",正向,", ",上升,")  # row 6: unknown direction as well
    indicators = tmp_path / "indicators.csv"
    indicators.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = perfkit.validate(CORPUS / VALID_P, indicators)
    located = {(p.row, p.column) for p in report.errors}
    assert located == {(6, "direction"), (2, "self_points")}


def test_column_problem_in_one_file_does_not_hide_the_other_files_problems() -> None:
    report = perfkit.validate(
        CORPUS / "missing_column_projects.csv", CORPUS / "unknown_direction_indicators.csv"
    )
    located = {(p.file, p.row, p.column) for p in report.errors}
    assert located == {
        ("missing_column_projects.csv", None, "executed"),
        ("unknown_direction_indicators.csv", 6, "direction"),
    }


def test_ragged_csv_row_is_reported_with_its_row(tmp_path: Path) -> None:
    lines = (CORPUS / VALID_P).read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    projects = tmp_path / "projects.csv"
    projects.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = perfkit.validate(projects, CORPUS / VALID_I)
    assert not report.ok
    assert [p.row for p in report.errors] == [3]


def test_messages_quote_numbers_as_written(tmp_path: Path) -> None:
    # regression: fixed_text once divided a float by 10**6 (-22.919999999999998)
    assessments = tmp_path / "assessments.csv"
    assessments.write_text(
        "year,unit_code,item,score,value\n2024,D01,2.2.2,,-22.92\n2024,D01,2.1.1,,-8.96\n",
        encoding="utf-8",
    )
    report = perfkit.validate(system="dept-overall", assessments=assessments)
    values = [p.message for p in report.errors if p.column == "value"]
    assert len(values) == 2
    assert "value -22.92 must not be negative" in values[0]
    assert "value -8.96 must not be negative" in values[1]
