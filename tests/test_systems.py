"""Indicator systems as data: built-ins load, bad YAML is reported with file and key path."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import perfkit
from perfkit.cli import main
from perfkit.systems import builtin_systems, system_from_dict
from perfkit.systems._model import QualitativeRule, ReverseRule

ROOT = Path(__file__).resolve().parents[1]
LOCAL_VARIANT = ROOT / "parameters" / "systems" / "local-variant.yaml"

BUILTIN_NAMES = [
    "budget-mgmt-assessment",
    "dept-overall",
    "dept-overall-national",
    "ex-ante",
    "project-evaluation",
    "project-self-eval",
    "target-review",
]


# ---------------------------------------------------------------- built-ins


def test_every_builtin_loads() -> None:
    systems = perfkit.list_systems()
    assert [s.name for s in systems] == BUILTIN_NAMES
    assert [s.kind for s in systems] == ["assessments"] * 5 + ["indicators", "assessments"]
    assert list(builtin_systems()) == BUILTIN_NAMES
    for system in systems:
        assert isinstance(system, perfkit.System)
        assert system.total == Decimal(100)
        base = sum(g.points for g in system.groups if not g.bonus)
        assert base == system.total
        assert perfkit.load_system(system.name) == system


def test_project_self_eval_groups_are_10_50_30_10() -> None:
    system = perfkit.load_system("project-self-eval")
    assert [(g.id, g.label, g.points) for g in system.groups] == [
        ("execution", "预算执行率", Decimal(10)),
        ("output", "产出指标", Decimal(50)),
        ("effect", "效益指标", Decimal(30)),
        ("satisfaction", "满意度指标", Decimal(10)),
    ]
    assert system.execution_group is not None
    assert system.execution_group.id == "execution"
    assert [g.id for g in system.data_groups] == ["output", "effect", "satisfaction"]
    assert system.indicator_points == Decimal(90)
    satisfaction = system.groups[3]
    assert satisfaction.if_absent == "redistribute"
    assert satisfaction.redistribute_to == ["output", "effect"]
    assert [(b.grade, b.min) for b in system.grades] == [
        ("优", Decimal(90)),
        ("良", Decimal(80)),
        ("中", Decimal(60)),
        ("差", Decimal(0)),
    ]
    qualitative = system.indicator_rules["qualitative"]
    assert isinstance(qualitative, QualitativeRule)
    assert [lv.default_pct for lv in qualitative.levels] == [100, 70, 30]
    assert system.over_completion.threshold_pct == 130
    assert system.over_completion.action == "flag"


def test_local_variant_loads_with_execution_weight_20() -> None:
    system = perfkit.load_system(LOCAL_VARIANT)
    assert system.name == "local-variant"
    assert system.execution_group is not None
    assert system.execution_group.points == Decimal(20)
    assert [g.points for g in system.groups] == [20, 40, 30, 10]
    assert system.indicator_points == Decimal(80)
    assert [(b.grade, b.min) for b in system.grades][:2] == [("优", 80), ("良", 70)]
    reverse = system.indicator_rules["reverse"]
    assert isinstance(reverse, ReverseRule)
    assert reverse.variant == "ratio"
    # unspecified rules fall back to the defaults
    assert system.indicator_rules["positive"].kind == "positive"
    assert system.over_completion.action == "deduct"
    assert system.over_completion.deduct_pct == Decimal(10)
    assert perfkit.load_system(str(LOCAL_VARIANT)) == system


# ---------------------------------------------------------------- malformed files

INDICATORS_OK = """\
name: tiny
title: 测试体系
kind: indicators
total: 100
groups:
  - {id: execution, label: 预算执行率, points: 10, rule: {kind: execution_rate}}
  - {id: output, label: 产出指标, points: 60, from_data: true}
  - {id: effect, label: 效益指标, points: 30, from_data: true}
grades:
  - {grade: 优, min: 90}
  - {grade: 良, min: 80}
  - {grade: 差, min: 0}
"""

CHILDREN_WRONG = """\
name: tiny
title: 测试体系
kind: assessments
total: 10
groups:
  - id: a
    label: 甲
    points: 4
    children:
      - {id: a1, label: 甲一, points: 2, rule: {kind: entered}}
      - {id: a2, label: 甲二, points: 2, rule: {kind: yes_no}}
  - id: b
    label: 乙
    points: 6
    children:
      - {id: b1, label: 乙一, points: 2, rule: {kind: entered}}
      - {id: b2, label: 乙二, points: 3, rule: {kind: yes_no}}
grades:
  - {grade: 优, min: 9}
  - {grade: 差, min: 0}
"""

STEPPED_DESCENDING = """\
name: tiny
title: 测试体系
kind: assessments
total: 3
groups:
  - id: a
    label: 甲
    points: 3
    children:
      - id: a1
        label: 偏离度
        points: 3
        rule:
          kind: stepped
          bands:
            - {upto: 20, points: 3}
            - {upto: 10, points: 2}
            - {points: 0}
grades:
  - {grade: 优, min: 2}
  - {grade: 差, min: 0}
"""


def write(tmp_path: Path, text: str, name: str = "system.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(perfkit.SystemDefinitionError) as excinfo:
        perfkit.load_system(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_the_valid_template_loads(tmp_path: Path) -> None:
    system = perfkit.load_system(write(tmp_path, INDICATORS_OK))
    assert [g.points for g in system.groups] == [10, 60, 30]


def test_children_not_adding_up(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, CHILDREN_WRONG))
    lines = message.splitlines()
    assert lines[0].endswith("invalid indicator system:")
    assert len(lines) == 2
    assert lines[1].startswith("  groups[1]")  # the second group, 乙
    assert "children's points add up to 5, not 6" in lines[1]


def test_nested_children_not_adding_up_names_the_nested_path(tmp_path: Path) -> None:
    text = CHILDREN_WRONG.replace(
        "      - {id: a2, label: 甲二, points: 2, rule: {kind: yes_no}}",
        "      - id: a2\n"
        "        label: 甲二\n"
        "        points: 2\n"
        "        children:\n"
        "          - {id: a21, label: 甲二一, points: 1.5, rule: {kind: entered}}",
    ).replace("{id: b2, label: 乙二, points: 3,", "{id: b2, label: 乙二, points: 4,")
    message = load_error(write(tmp_path, text))
    assert "  groups[0].children[1]" in message
    assert "children's points add up to 1.5, not 2" in message
    assert "groups[1]" not in message


def test_grade_bound_not_a_number(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, INDICATORS_OK.replace("min: 90}", "min: 九十}")))
    assert "\n  grades[0].min: " in message
    assert "must be a number, not '九十'" in message


def test_unknown_rule_kind(tmp_path: Path) -> None:
    text = INDICATORS_OK.replace("rule: {kind: execution_rate}", "rule: {kind: magic}")
    message = load_error(write(tmp_path, text))
    assert "\n  groups[0].rule: " in message
    assert "'magic'" in message
    assert "'execution_rate'" in message  # the accepted kinds are listed


def test_stepped_bands_must_ascend(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, STEPPED_DESCENDING))
    assert "\n  groups[0].children[0].rule.bands: band bounds must ascend" in message


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = INDICATORS_OK.replace("min: 90}", "min: 九十}").replace(
        "rule: {kind: execution_rate}", "rule: {kind: magic}"
    )
    message = load_error(write(tmp_path, text))
    assert "  grades[0].min: " in message
    assert "  groups[0].rule: " in message


def test_yaml_syntax_error(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, "name: tiny\ntitle: [unclosed\n  kind: x\n"))
    assert "not valid YAML" in message
    assert "line 2" in message


def test_python_tags_are_rejected_by_safe_loading(tmp_path: Path) -> None:
    marker = tmp_path / "executed.txt"
    text = f'name: !!python/object/apply:builtins.open ["{marker}", "w"]\ntitle: x\n'
    message = load_error(write(tmp_path, text))
    assert "not valid YAML" in message
    assert "python/object/apply:builtins.open" in message
    assert not marker.exists()  # nothing was constructed, let alone run
    message = load_error(write(tmp_path, "!!python/object:builtins.object {}\n", "obj.yaml"))
    assert "could not determine a constructor" in message


def test_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, "- just\n- a list\n"))
    assert "must hold a mapping" in message


def test_missing_required_keys(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, "name: tiny\nkind: indicators\n"))
    assert "\n  title: required, but not given" in message
    assert "\n  groups: required, but not given" in message
    assert "\n  grades: required, but not given" in message


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, INDICATORS_OK + "colour: red\n"))
    assert "\n  colour: " in message


def test_grades_must_descend(tmp_path: Path) -> None:
    text = INDICATORS_OK.replace("{grade: 优, min: 90}", "{grade: 优, min: 70}")
    message = load_error(write(tmp_path, text))
    assert "\n  grades: grade bands must be listed from the highest bound down" in message


def test_unknown_system_name() -> None:
    with pytest.raises(perfkit.SystemDefinitionError) as excinfo:
        perfkit.load_system("nonexistent")
    assert str(excinfo.value).startswith("unknown indicator system 'nonexistent'")
    for name in BUILTIN_NAMES:
        assert name in str(excinfo.value)


def test_system_from_dict_names_the_source() -> None:
    with pytest.raises(perfkit.SystemDefinitionError) as excinfo:
        system_from_dict({"name": "x"}, source="x.yaml")
    assert str(excinfo.value).startswith("x.yaml: invalid indicator system:\n  title: required")


# ---------------------------------------------------------------- CLI


def test_cli_systems_list() -> None:
    result = CliRunner().invoke(main, ["systems", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split()[0] for line in lines] == BUILTIN_NAMES
    assert "indicators" in lines[5]
    assert "项目支出绩效自评" in lines[5]


def test_cli_systems_show_project_self_eval() -> None:
    result = CliRunner().invoke(main, ["systems", "show", "project-self-eval"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(
        "项目支出绩效自评（财预〔2020〕10号） [project-self-eval, kind: indicators"
    )
    assert "execution 预算执行率: 10 points — execution_rate" in out
    assert "output 产出指标: 50 points" in out
    assert "优 ≥ 90" in out
    assert "良 ≥ 80" in out


def test_cli_systems_show_local_variant_file() -> None:
    result = CliRunner().invoke(main, ["systems", "show", str(LOCAL_VARIANT)])
    assert result.exit_code == 0, result.output
    assert "预算执行率: 20 points" in result.output
    assert "优 ≥ 80" in result.output
    assert "variant=ratio" in result.output


def test_cli_systems_show_unknown_exits_1_without_traceback() -> None:
    result = CliRunner().invoke(main, ["systems", "show", "nonexistent"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "unknown indicator system 'nonexistent'" in result.output
    assert "Traceback" not in result.output


def test_cli_systems_show_malformed_file_exits_1_with_key_path(tmp_path: Path) -> None:
    path = write(tmp_path, CHILDREN_WRONG)
    result = CliRunner().invoke(main, ["systems", "show", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert str(path) in result.output
    assert "groups[1]" in result.output
    assert "Traceback" not in result.output
