"""The domains' own checks speak the chosen language (issue 18, the rest; docs/i18n.md).

Each test runs a real path through the command line (or the library where no command
shows the message) once in Chinese (the default) and once with ``--lang en``, and checks
that the structure is kept: the file, the sheet and cell, or the key path stay named.
"""

from __future__ import annotations

from pathlib import Path

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
