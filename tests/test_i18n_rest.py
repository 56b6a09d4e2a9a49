"""The domains' own checks speak the chosen language (issue 18, the rest; docs/i18n.md).

Each test runs a real path through the command line (or the library where no command
shows the message) once in Chinese (the default) and once with ``--lang en``, and checks
that the structure is kept: the file, the sheet and cell, or the key path stay named.
"""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner, Result

from perfkit.cli import main
from perfkit.errors import PerfkitError
from perfkit.i18n import use_language
from perfkit.numbers import parse_decimal

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
SEED001 = ROOT / "tests" / "data" / "forms" / "seed001_budget_mgmt.xlsx"


def run(*args: object, lang: str | None = None) -> Result:
    head = ["--lang", lang] if lang else []
    return CliRunner().invoke(main, [*head, *(str(a) for a in args)])


def test_a_malformed_system_file_is_reported_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ngroups: [1, 2\n", encoding="utf-8")
    zh = run("systems", "show", path)
    assert zh.exit_code == 1, zh.output
    assert f"{path}：不是有效的 YAML：" in zh.output and "（第2行第9列）" in zh.output
    assert "Traceback" not in zh.output
    en = run("systems", "show", path, lang="en")
    assert en.exit_code == 1, en.output
    assert f"{path}: not valid YAML: " in en.output and " (line 2, column 9)" in en.output


def test_a_system_that_breaks_the_model_names_the_key_path_in_both_languages(
    tmp_path: Path,
) -> None:
    path = tmp_path / "thin.yaml"
    path.write_text("name: thin\n", encoding="utf-8")
    zh = run("systems", "show", path)
    assert zh.exit_code == 1
    assert f"{path}：指标体系有误：" in zh.output and "  groups:" in zh.output
    en = run("systems", "show", path, lang="en")
    assert f"{path}: invalid indicator system:" in en.output and "  groups:" in en.output


def test_an_unknown_system_in_both_languages() -> None:
    zh = run("systems", "show", "no-such-system")
    assert zh.exit_code == 1
    assert "未知的指标体系 'no-such-system'：既不是内置指标体系" in zh.output
    en = run("systems", "show", "no-such-system", lang="en")
    assert "unknown indicator system 'no-such-system': not a built-in" in en.output


def test_parse_decimal_in_both_languages() -> None:
    with use_language("zh"), pytest.raises(PerfkitError, match=r"^--low 'x' 不是数字$"):
        parse_decimal("x", "--low")
    with use_language("en"), pytest.raises(PerfkitError, match=r"^--low 'x' is not a number$"):
        parse_decimal("x", "--low")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "风险规则 'amount >= lots'： 'lots' 不是数字"),
        ("en", "risk rule 'amount >= lots': 'lots' is not a number"),
    ],
)
def test_a_bad_risk_rule_in_sample_draw(tmp_path: Path, lang: str | None, expected: str) -> None:
    out = tmp_path / "draw"
    result = run(
        "sample", "draw", "-p", SAMPLE / "projects.csv", "--year", "2023",
        "--design", "srs", "--n", "5", "--risk", "amount >= lots", "--seed", "1", "-o", out,
        lang=lang,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "不等于各部分得分之和"),
        ("en", "is not the sum of the section scores"),
    ],
)
def test_check_forms_findings_in_both_languages(
    tmp_path: Path, lang: str | None, expected: str
) -> None:
    out = tmp_path / "findings.csv"
    result = run("check-forms", SEED001, "--out", out, lang=lang)
    assert result.exit_code == 1  # the seed's 合计 is wrong
    line = next(x for x in result.output.splitlines() if expected in x)
    assert "seed001_budget_mgmt.xlsx" in line or "合计" in line
    other = "is not the sum" if lang is None else "不等于"
    assert other not in result.output


# ------------------------------------------- perfkit run: the ✗ line and the stopped line


def _schedule(tmp: Path, year: int) -> Path:
    body = {
        "notebook": str(ROOT / "notebooks" / "department_evaluation.ipynb"),
        "output_dir": str(tmp / "out"),
        "workers": 1,
        "parameters": {"year": year, "data_dir": str(SAMPLE)},
        "runs": [{"dept_code": "D01"}],
        "run_name": "{year}-{dept_code}",
    }
    path = tmp / "schedule.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")  # JSON is YAML
    return path


@pytest.mark.parametrize(
    ("lang", "line", "reason", "summary"),
    [
        (None, "✗ 1999-D01：", "1999 年没有项目数据", "1 份报告："),
        ("en", "✗ 1999-D01: ", "no project data for 1999", "1 report(s): "),
    ],
)
def test_a_failing_report_in_perfkit_run_in_both_languages(
    tmp_path: Path, lang: str | None, line: str, reason: str, summary: str
) -> None:
    result = run("run", _schedule(tmp_path, 1999), "-q", lang=lang)
    assert result.exit_code == 3, result.output
    output = click.unstyle(result.output)
    failed = next(x for x in output.splitlines() if x.startswith(line))
    assert reason in failed and "PerfkitError" in failed
    assert summary in output
    # the report's own error is in the run's language: the kernel is told --lang
    other = "no project data" if lang is None else "没有项目数据"
    assert other not in output


@pytest.mark.parametrize(
    ("lang", "expected", "index"),
    [
        ("zh", "✗ 运行被 SIGTERM 中断：2 份已写出，1 份已是最新，1 份失败，3 份未完成", "索引页："),
        ("en", "✗ the run was interrupted by SIGTERM: 2 written, 1 up to date, 1 failed, "
               "3 not", "index: "),
    ],
)  # fmt: skip
def test_the_stopped_line_of_perfkit_run_in_both_languages(
    lang: str, expected: str, index: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from perfkit.cli.batch import _stopped

    result = SimpleNamespace(
        ok=2, skipped=1, failed=[{}], interrupted=[{}, {}, {}],
        index=Path("out/index.html"), manifest=Path("out/manifest.json"),
    )  # fmt: skip
    with use_language(lang):
        _stopped(SimpleNamespace(result=result, signum=signal.SIGTERM))
    out, err = capsys.readouterr()
    assert err.startswith(expected), err
    assert out.startswith(f"{index}out/index.html"), out
    assert ("stopped —" not in err) and ("运行被" in err) == (lang == "zh")


def test_the_progress_lines_of_the_runs_log_in_both_languages() -> None:
    from perfkit.batch._runner import RunInterrupted

    with use_language("zh"):
        assert str(RunInterrupted(signal.SIGINT)) == "被 SIGINT 中断"
    with use_language("en"):
        assert str(RunInterrupted(signal.SIGINT)) == "interrupted by SIGINT"


# ------------------------------------------- the sample plan and the options' numbers


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "在95%置信水平、可容忍偏差率5%、预期偏差0的条件下（二项分布），"
               "至少需抽取59个单位。"),
        ("en", "At 95% confidence, with a tolerable deviation rate of 5% and expected deviations "
               "of 0 (binomial distribution), at least 59 units must be drawn."),
    ],
)  # fmt: skip
def test_the_sample_plan_in_both_languages(lang: str | None, expected: str) -> None:
    result = run("sample", "plan", "--confidence", "0.95", "--tolerable", "0.05", lang=lang)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == expected


@pytest.mark.parametrize(
    ("lang", "args", "expected"),
    [
        (None, ["sample", "plan", "--confidence", "1.5", "--tolerable", "0.05"],
         "✗ 置信水平须在 0 和 1 之间（不含两端），而这里是 1.5"),
        ("en", ["sample", "plan", "--confidence", "1.5", "--tolerable", "0.05"],
         "✗ confidence must be between 0 and 1 (exclusive), not 1.5"),
        (None, ["compare", "--data", SAMPLE, "--low-threshold", "abc"],
         "✗ --low-threshold 'abc' 不是数字（如 60 或 62.5）"),
        ("en", ["compare", "--data", SAMPLE, "--low-threshold", "abc"],
         "✗ --low-threshold 'abc' is not a number (e.g. 60 or 62.5)"),
    ],
)  # fmt: skip
def test_an_options_number_in_both_languages(
    tmp_path: Path, lang: str | None, args: list[object], expected: str
) -> None:
    extra = ["--out", tmp_path / "out"] if args[0] == "compare" else []
    result = run(*args, *extra, lang=lang)
    assert result.exit_code == 1, result.output
    assert expected in result.output.splitlines()
    assert not (tmp_path / "out").exists()


def test_the_what_of_a_panels_money_check_is_translated() -> None:
    import perfkit
    from perfkit import compare

    result = perfkit.score(system="dept-overall", assessments=SAMPLE / "assessments.csv")
    scores = compare.panel(result, departments=SAMPLE / "departments.csv")  # no money
    for lang, expected in (
        ("zh", "^长期问题分析需要每个单位的 budget_full_year 和 executed"),
        ("en", "^the chronic-problem analysis needs each unit's budget_full_year and executed"),
    ):
        with use_language(lang), pytest.raises(PerfkitError, match=expected):
            compare.chronic(scores)


# ------------------------------------------- pydantic's errors and the parser's, translated

BAD_SYSTEM = "name: x\nkind: indicators\ntotal: abc\ngrades: [{grade: 优, min: 90}]\ncolour: red\n"


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (None, ["  title: 必填，但未给出", "  total: 应为数字，而不是 'abc'",
                "  colour: 不允许的键（拼写有误，或此处不能用这个键）"]),
        ("en", ["  title: required, but not given", "  total: must be a number, not 'abc'",
                "  colour: not an allowed key (a misspelling, or a key not allowed here)"]),
    ],
)  # fmt: skip
def test_pydantics_errors_are_sentences_of_the_catalog(
    tmp_path: Path, lang: str | None, lines: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_SYSTEM, encoding="utf-8")
    result = run("systems", "show", path, lang=lang)
    assert result.exit_code == 1, result.output
    shown = result.output.splitlines()
    assert all(line in shown for line in lines), result.output
    for english in ("Field required", "Extra inputs", "Input should"):
        assert english not in result.output


def test_a_pydantic_error_the_catalog_does_not_know_keeps_its_field_and_a_label() -> None:
    from perfkit.config import pydantic_problem

    err = {"type": "some_new_type", "msg": "Input is odd", "input": 1}
    with use_language("zh"):
        assert pydantic_problem(err) == "值无效（pydantic：Input is odd）"
    with use_language("en"):
        assert pydantic_problem(err) == "invalid value (pydantic: Input is odd)"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "children's points add up to 5, not 6"),
        ("en", "children's points add up to 5, not 6"),
    ],
)
def test_the_models_own_checks_in_both_languages(lang: str | None, expected: str) -> None:
    from perfkit.systems import system_from_dict

    data = {
        "name": "x", "title": "X", "kind": "assessments", "total": 6,
        "groups": [{"id": "a", "label": "甲", "points": 6, "children": [
            {"id": "a1", "label": "甲一", "points": 5, "rule": {"kind": "entered"}}]}],
        "grades": [{"grade": "优", "min": 0}],
    }  # fmt: skip
    with use_language(lang or "zh"), pytest.raises(PerfkitError) as info:
        system_from_dict(data, source="x.yaml")
    message = str(info.value)
    if lang is None:
        assert "指标 'a'（甲）：下级指标分值合计 5，而不是 6" in message
    else:
        assert "node 'a' (甲): " + expected in message


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "：不是有效的 YAML：（YAML 解析器：while parsing a flow sequence（第2行第9列）"),
        ("en", ": not valid YAML: (YAML parser: while parsing a flow sequence (line 2, column 9)"),
    ],
)
def test_the_yaml_parsers_words_are_labelled(
    tmp_path: Path, lang: str | None, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ngroups: [1, 2\n", encoding="utf-8")
    result = run("systems", "show", path, lang=lang)
    assert result.exit_code == 1 and expected in result.output, result.output


# ------------------------------------------- Chinese-only messages now have an English msgid


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "f.xlsx!S!H14：公式 '=G14' 没有计算值（请在 Excel 中重新计算并保存）"),
        ("en", "f.xlsx!S!H14: formula '=G14' has no computed value "
               "(recalculate and save it in Excel)"),
    ],
)  # fmt: skip
def test_a_formula_without_a_value_in_both_languages(
    tmp_path: Path, lang: str | None, expected: str
) -> None:
    from tests.form_builder import FormSpec, save_forms

    path = save_forms(tmp_path / "f.xlsx", {"S": FormSpec(formulas={"H14": "=G14"})})
    result = run("check-forms", path, "--out", tmp_path / "problems.csv", lang=lang)
    assert result.exit_code == 1
    assert expected in result.output.splitlines()


MONITOR = ["monitor", "-p", SAMPLE / "projects.csv", "-m", SAMPLE / "monitoring.csv",
           "--year", "2024", "--month", "8"]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "sentence", "detail"),
    [
        (None, "2024年8月项目绩效监控602个137,893.79万元，总体进度68%，略高于序时进度66.67%",
         "执行预警红色51个（"),
        ("en", "2024-8 performance monitoring: 602 project(s), 137,893.79 (10k yuan); overall "
               "progress 68%, slightly above the time progress 66.67%",
         "execution alerts: red 51 ("),
    ],
)  # fmt: skip
def test_monitorings_summary_follows_the_language_and_its_tables_do_not(
    tmp_path: Path, lang: str | None, sentence: str, detail: str
) -> None:
    out = tmp_path / "out"
    result = run(*MONITOR, "-o", out, lang=lang)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == sentence
    assert lines[1].startswith(detail)
    # the summary table is data: its sentence is the Chinese one in both languages
    region = (out / "summary_region.csv").read_text(encoding="utf-8")
    assert "2024年8月项目绩效监控602个" in region and "performance monitoring" not in region


@pytest.mark.parametrize(
    ("lang", "expected", "other"),
    [
        (None, "在95%置信水平下，全部606个项目中自评虚高的项目比例不超过", "At 95%"),
        ("en", "At 95% confidence, the share of inflated projects among all 606 projects",
         "置信水平"),
    ],
)  # fmt: skip
def test_the_verifications_sentences_in_both_languages(
    tmp_path: Path, lang: str | None, expected: str, other: str
) -> None:
    verified = SAMPLE / "verification_2023"
    result = run(
        "verify", "--record", verified / "selection.json",
        "--results", verified / "field_workbook_filled.xlsx", "--out", tmp_path / "out",
        lang=lang,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert expected in result.output and other not in result.output


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "共抽取5个项目：风险必选0个，金额达到抽样间隔必选0个，随机抽取5个"),
        ("en", "5 projects drawn: 0 must-include by risk, 0 must-include by an amount reaching"),
    ],
)
def test_the_draws_description_in_both_languages(
    tmp_path: Path, lang: str | None, expected: str
) -> None:
    out = tmp_path / "draw"
    result = run(
        "sample", "draw", "-p", SAMPLE / "projects.csv", "--year", "2023",
        "--design", "srs", "--n", "5", "--seed", "1", "-o", out, lang=lang,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert expected in result.output
    # the field workbook's notes stay Chinese, as its other labels
    import openpyxl

    book = openpyxl.load_workbook(out / "field_workbook.xlsx", read_only=True)
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert "简单随机抽样，样本量5个" in cells


# ------------------------------------------- no message left outside the catalog


def test_no_message_has_a_generic_placeholder() -> None:
    from babel.messages.pofile import read_po

    po = ROOT / "perfkit" / "i18n" / "locale" / "zh" / "LC_MESSAGES" / "perfkit.po"
    with open(po, "rb") as f:
        catalog = read_po(f)
    # ``{}`` is polars' pl.format (a message filled in column-wise) and stays; a name such as
    # {v1} or {ENGINES} says nothing to the translator
    generic = re.compile(r"\{(v\d+|[A-Z_]+)(![rs])?(:[^}]*)?\}")
    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id]
    assert [i for i in ids if generic.search(i)] == []


#: Calls whose first argument a person reads: an error raised or a line printed.
_SHOWN = re.compile(r"(Error|Exception)$|^(echo|secho|UsageError|BadParameter)$")
#: Modules that write HTML or Excel markup, not messages; the dashboard's own Chinese page;
#: the language's own check (before any catalog; the command line reports it as a usage
#: error of --lang); an internal signal caught where it is raised (the scores cache).
_NOT_MESSAGES = (
    "perfkit/documents/",
    "perfkit/explorer/",
    "perfkit/i18n/__init__.py",
    "perfkit/scoring/_cache.py",
)


def test_no_user_facing_literal_bypasses_the_catalog() -> None:
    """A raised error or a printed line with words in it goes through ``_()``."""
    import ast

    found = []
    for path in sorted((ROOT / "perfkit").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        if where.startswith(_NOT_MESSAGES):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", "")
            if not _SHOWN.search(name) or name in ("AttributeError", "TypeError"):
                continue
            text = node.args[0]
            if isinstance(text, ast.JoinedStr):
                words = "".join(v.value for v in text.values if isinstance(v, ast.Constant))
            elif isinstance(text, ast.Constant) and isinstance(text.value, str):
                words = text.value
            else:
                continue
            if re.search(r"[A-Za-z]{3,}|[\u4e00-\u9fff]", words):
                found.append(f"{where}:{node.lineno}: {words[:60]!r}")
    assert found == [], "\n".join(found)
