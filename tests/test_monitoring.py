"""Mid-year monitoring (双监控): time progress, the exact bands, every direction, the summaries.

Small hand-made cases with known answers.  Several boundary cases are chosen
so that binary floating point gets them wrong (``1 / 3 ÷ 5/12 × 100`` is
79.99999999999999 in floats, exactly 80 in fact): perfkit must not.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

import perfkit
from perfkit.errors import InputError
from perfkit.monitoring import time_progress
from perfkit.tables._contract import MIDYEAR_PROJECTS
from perfkit.tables._read import read_table
from perfkit.tables._validate import check_table

YEAR = "2024"


def projects(*budgets: object, dept: str = "D1", year: str = YEAR) -> pl.DataFrame:
    """Projects P1, P2 … with the given full-year budgets and no executed column."""
    n = len(budgets)
    return pl.DataFrame(
        {
            "year": [year] * n,
            "project_code": [f"P{i + 1}" for i in range(n)],
            "project_name": [f"项目{i + 1}" for i in range(n)],
            "dept_code": [dept] * n,
            "dept_name": ["测试部门"] * n,
            "budget_full_year": [str(b) for b in budgets],
        }
    )


def spending(month: int, *executed: object, year: str = YEAR) -> pl.DataFrame:
    """Monitoring rows of P1, P2 … at ``month``."""
    n = len(executed)
    return pl.DataFrame(
        {
            "year": [year] * n,
            "month": [str(month)] * n,
            "unit_code": [f"P{i + 1}" for i in range(n)],
            "executed_to_date": [str(e) for e in executed],
        }
    )


def alerts_of(result: perfkit.MonitoringResult) -> list[str | None]:
    return result.alerts_pl.sort("unit_code").get_column("execution_alert").to_list()


# ---------------------------------------------------------------- time progress


@pytest.mark.parametrize(
    ("month", "as_of", "fraction", "percent"),
    [
        (5, None, (5, 12), "41.67"),
        (8, None, (8, 12), "66.67"),
        (12, None, (12, 12), "100.00"),
        (None, dt.date(2024, 2, 29), (60, 366), "16.39"),  # leap year: 366 days
        (None, dt.date(2023, 3, 1), (60, 365), "16.44"),
        (None, dt.date(2024, 8, 31), (244, 366), "66.67"),
        (None, dt.date(2024, 12, 31), (366, 366), "100.00"),
        (None, dt.date(2024, 1, 1), (1, 366), "0.27"),
    ],
)
def test_time_progress(month, as_of, fraction, percent) -> None:
    year = as_of.year if as_of else 2024
    tp = time_progress(year, month, as_of)
    assert (tp.numerator, tp.denominator) == fraction
    assert str(tp.percent) == percent


def test_time_progress_refuses_bad_months_and_dates() -> None:
    for bad in (0, 13, -1):
        with pytest.raises(ValueError, match="month must be a whole number from 1 to 12"):
            time_progress(2024, bad)
    with pytest.raises(ValueError, match="not in the year 2024"):
        time_progress(2024, as_of=dt.date(2023, 8, 31))
    with pytest.raises(ValueError, match="not in month 7"):
        time_progress(2024, 7, dt.date(2024, 8, 31))


# ---------------------------------------------------------------- execution bands


@pytest.mark.parametrize(
    ("month", "as_of", "budget", "executed", "alert", "shown"),
    [
        # exactly 60 → yellow; a cent less → red (0.35 / 1 ÷ 7/12 is 59.999… in floats)
        (7, None, "1", "0.35", "yellow", 60.0),
        (7, None, "100", "34.99", "red", 59.98),
        # exactly 80 → green (1/3 ÷ 5/12 is 79.999… in floats); a cent less → yellow
        (5, None, "3", "1", "green", 80.0),
        (5, None, "3", "0.99", "yellow", 79.2),
        # leap-year as-of date: 2024-02-29 is day 60 of 366
        (None, "2024-02-29", "61", "6", "yellow", 60.0),
        (None, "2024-02-29", "61", "5.99", "red", 59.9),
        (None, "2024-02-29", "61", "8", "green", 80.0),
        (None, "2024-02-29", "61", "7.99", "yellow", 79.9),
        # not a leap year: 2023-02-28 is day 59 of 365 (9.44 / 73 ÷ 59/365 is 79.999… in floats)
        (None, "2023-02-28", "73", "9.44", "green", 80.0),
        # month 12: time progress 100 %, the execution rate is the ratio
        (12, None, "100", "60", "yellow", 60.0),
        (12, None, "100", "59.99", "red", 59.99),
        (12, None, "100", "80", "green", 80.0),
        (12, None, "100", "100", "green", 100.0),
    ],
)
def test_execution_alert_boundaries(month, as_of, budget, executed, alert, shown) -> None:
    year = as_of[:4] if as_of else YEAR
    r = perfkit.monitor(
        projects(budget, year=year), spending(month or int(as_of[5:7]), executed, year=year),
        month=month, as_of=as_of,
    )  # fmt: skip
    row = r.alerts_pl.row(0, named=True)
    assert row["execution_alert"] == alert
    assert row["execution_progress"] == shown  # truncated: on the same side of the band as the fact


def test_month_12_time_progress_is_100() -> None:
    r = perfkit.monitor(projects(100), spending(12, 100))
    assert r.alerts_pl.get_column("time_progress").to_list() == [100.0]
    assert r.region_sentence.endswith("总体进度100%，与序时进度100%持平")


def test_budget_zero_is_a_state_not_an_error() -> None:
    r = perfkit.monitor(projects(0, 100), spending(6, 0, 50))
    zero = r.alerts_pl.filter(pl.col("unit_code") == "P1").row(0, named=True)
    assert zero["execution_alert"] is None
    assert zero["execution_note"] == "budget_zero"
    assert zero["execution_rate"] is None and zero["execution_progress"] is None
    assert zero["reasons"] == "全年预算数为0，执行率无法计算"
    region = r.region_pl.row(0, named=True)
    assert region["budget_zero_projects"] == 1
    assert region["green_projects"] == 1
    assert "全年预算数为0的1个" in region["detail"]
    only_zero = perfkit.monitor(projects(0), spending(6, 0))
    assert "总体进度无法计算" in only_zero.region_sentence
    assert only_zero.region_pl.get_column("relation").to_list() == [None]


def test_execution_alerts_and_reasons() -> None:
    r = perfkit.monitor(projects(100, 100, 100), spending(6, 10, 35, 70))  # time progress 50 %
    assert alerts_of(r) == ["red", "yellow", "green"]
    red = r.alerts_pl.row(0, named=True)
    assert red["execution_rate"] == 10.0 and red["execution_progress"] == 20.0
    assert red["expected_to_date"] == 50.0 and red["behind_schedule"] == 40.0
    assert red["reasons"] == "预算执行率10%，低于序时进度50%（为序时进度的20%）"
    review = r.review_pl
    assert review.get_column("unit_code").to_list() == ["P1"]
    assert review.get_column("unspent_to_date").to_list() == [90.0]


def test_review_lists_red_projects_largest_shortfall_first() -> None:
    r = perfkit.monitor(projects(100, 1000, 10, 100), spending(6, 10, 100, 0, 50))
    assert r.review_pl.get_column("unit_code").to_list() == ["P2", "P1", "P3"]
    assert r.review_pl.get_column("behind_schedule").to_list() == [400.0, 40.0, 5.0]


# ---------------------------------------------------------------- indicator bands

INDICATOR_ROWS = [
    # name, direction, target, actual at the month, expected alert
    ("正向60", "正向", "1", "0.35", "yellow"),  # month 7: exactly 60
    ("正向低", "≥", "100", "34.99", "red"),
    ("正向80", "正向", "12", "7", "green"),  # 7 / (12 × 7/12) = 100
    ("蓝", "正向", "100", "120", "blue"),  # exactly 120 % of the annual target
    ("非蓝", "正向", "100", "119.99", "green"),
    ("蓝小数", "正向", "0.03", "0.036", "blue"),
    ("目标0", "正向", "0", "0", "green"),
    ("等于0", "等于", "0", "0", "green"),
    ("等于0超", "=", "0", "1", "red"),
    ("等于标准", "等于", "1200", "1200", "green"),
    ("等于超", "等于", "100", "125", "blue"),  # an equal target > 0 follows the 正向 rule
    ("反向绿", "反向", "120", "70", "green"),  # month 7 ceiling 70: ratio 100
    ("反向80", "反向", "120", "87.5", "green"),  # 70 / 87.5 = 80 %
    ("反向黄", "≤", "120", "87.51", "yellow"),
    ("反向60", "反向", "60", "70", "red"),  # 60 × 7/12 = 35; 35/70 = 50 %
    ("反向超上限", "反向", "100", "100.01", "red"),
    ("反向零", "反向", "100", "0", "green"),
    ("反向目标0", "反向", "0", "0", "green"),
    ("反向目标0超", "反向", "0", "2", "red"),
    ("达成", "定性", "有效", "达成年度指标", "green"),
    ("部分达成", "定性", "有效", "部分达成年度指标并具有一定效果", "yellow"),
    ("未达成", "定性", "有效", "未达成年度指标且效果较差", "red"),
    ("短达成", "定性", "有效", "达成", "green"),
    ("短部分", "定性", "有效", "部分达成", "yellow"),
    ("短未达成", "定性", "有效", "未达成", "red"),
]


def indicator_tables(rows=INDICATOR_ROWS, month: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = len(rows)
    targets = pl.DataFrame(
        {
            "year": [YEAR] * n,
            "unit_code": ["P1"] * n,
            "level1": ["产出指标"] * n,
            "level2": ["数量指标"] * n,
            "name": [r[0] for r in rows],
            "direction": [r[1] for r in rows],
            "target": [r[2] for r in rows],
            "actual": [None] * n,  # mid-year: no year-end actual yet
        },
        schema_overrides={"actual": pl.String},
    )
    progress = pl.DataFrame(
        {
            "year": [YEAR] * n,
            "month": [str(month)] * n,
            "unit_code": ["P1"] * n,
            "name": [r[0] for r in rows],
            "actual_to_date": [r[3] for r in rows],
        }
    )
    return targets, progress


def test_indicator_alerts_every_direction_and_boundary() -> None:
    targets, progress = indicator_tables()
    r = perfkit.monitor(projects(100), spending(7, 60), progress, indicators=targets)
    got = dict(r.indicator_alerts_pl.select("name", "indicator_alert").iter_rows())
    assert got == {row[0]: row[4] for row in INDICATOR_ROWS}
    by_name = {row["name"]: row for row in r.indicator_alerts_pl.iter_rows(named=True)}
    assert by_name["正向60"]["progress"] == 60.0
    assert by_name["反向80"]["progress"] == 80.0
    assert by_name["反向超上限"]["note"] == "累计值已超过全年上限"
    assert by_name["蓝"]["completion"] == 120.0
    assert by_name["目标0"]["basis"] == "target_zero"
    assert by_name["等于0超"]["basis"] == "equal_zero"
    assert by_name["等于超"]["basis"] == "equal"
    assert by_name["达成"]["progress"] is None


def test_project_indicator_alert_is_its_worst() -> None:
    rows = [
        ("a", "正向", "100", "120", "blue"),
        ("b", "正向", "100", "100", "green"),
        ("c", "定性", "x", "部分达成", "yellow"),
        ("d", "正向", "100", "10", "red"),
        ("e", "正向", "100", "11", "red"),
        ("f", "正向", "100", "12", "red"),
        ("g", "正向", "100", "13", "red"),
    ]
    targets, progress = indicator_tables(rows, month=6)
    both = pl.concat([projects(100), projects(100, 100).slice(1)])
    more = pl.concat(
        [
            progress,
            pl.DataFrame(
                {"year": [YEAR] * 2, "month": ["6"] * 2, "unit_code": ["P2"] * 2,
                 "name": ["a", "b"], "actual_to_date": ["200", "100"]}
            ),
        ]
    )  # fmt: skip
    more_targets = pl.concat(
        [targets, targets.head(2).with_columns(pl.lit("P2").alias("unit_code"))]
    )
    r = perfkit.monitor(both, spending(6, 50, 50), more, indicators=more_targets)
    p1, p2 = r.alerts_pl.sort("unit_code").iter_rows(named=True)
    assert p1["indicator_alert"] == "red"
    assert (p1["indicators_red"], p1["indicators_yellow"], p1["indicators_blue"]) == (4, 1, 1)
    assert p1["indicators_reported"] == 7
    assert "红色指标：d、e、f等4项" in p1["reasons"]
    assert p2["indicator_alert"] == "blue"  # blue ranks worse than green
    assert p2["reasons"] == "超年度目标120%的指标：a"
    region = r.region_pl.row(0, named=True)
    assert (region["indicator_red_projects"], region["indicator_blue_projects"]) == (1, 1)


# ---------------------------------------------------------------- the seed's figures


def seed_county(month: int, share: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """130 projects, 24,066 万元 (129 × 185 + 201), each spent ``share`` of its budget."""
    budgets = ["185"] * 129 + ["201"]
    from decimal import Decimal

    spent = [str(Decimal(b) * Decimal(share)) for b in budgets]
    return projects(*budgets), spending(month, *spent)


@pytest.mark.parametrize(
    ("month", "share", "sentence"),
    [
        (5, "0.46", "2024年5月项目绩效监控130个24,066万元，总体进度46%，略高于序时进度41.67%"),
        (8, "0.68", "2024年8月项目绩效监控130个24,066万元，总体进度68%，略高于序时进度66.67%"),
    ],
)
def test_the_seed_county_sentence(month, share, sentence) -> None:
    """“5月项目绩效监控130个24,066万元，总体进度46%，略高于序时进度” (and 68 % in August)."""
    p, m = seed_county(month, share)
    r = perfkit.monitor(p, m, month=month)
    assert r.region_sentence == sentence
    region = r.region_pl.row(0, named=True)
    assert region["overall_progress"] == float(share) * 100
    assert region["relation"] == "slightly_above"
    assert region["projects"] == 130 and region["budget_full_year"] == 24066.0


@pytest.mark.parametrize(
    ("executed", "words"),
    [
        ("5.6", "略高于"),  # 5.6 / 12 = 46.666…%: exactly 5 points above 41.666…%, still 略
        ("5.61", "高于"),
        ("4.4", "略低于"),  # 36.666…%: exactly 5 points below
        ("4.39", "低于"),
    ],
)
def test_slightly_means_within_five_points(executed, words) -> None:
    p, m = projects("12"), spending(5, executed)
    r = perfkit.monitor(p, m)
    assert f"，{words}序时进度41.67%" in r.region_sentence


def test_departments_and_region_count_money_by_colour() -> None:
    p = pl.concat([projects(100, 200), projects(50, 0, dept="D2").with_columns(
        pl.Series("project_code", ["P3", "P4"]))])  # fmt: skip
    m = spending(6, 10, 70, 50, 0).with_columns(pl.Series("unit_code", ["P1", "P2", "P3", "P4"]))
    r = perfkit.monitor(p, m)
    d1, d2 = r.departments_pl.iter_rows(named=True)
    assert (d1["dept_code"], d1["red_projects"], d1["red_budget"]) == ("D1", 1, 100.0)
    assert (d1["yellow_projects"], d1["yellow_budget"]) == (1, 200.0)
    assert d1["overall_progress"] == 26.67
    assert d1["relation"] == "below"
    assert (d2["green_projects"], d2["green_budget"], d2["budget_zero_projects"]) == (1, 50.0, 1)
    assert (
        d2["sentence"] == "测试部门：2024年6月项目绩效监控2个50万元，总体进度100%，高于序时进度50%"
    )
    region = r.region_pl.row(0, named=True)
    assert (region["departments"], region["projects"], region["budget_full_year"]) == (2, 4, 350.0)
    assert (region["red_projects"], region["yellow_projects"], region["green_projects"]) == (
        1,
        1,
        1,
    )


def test_dept_restricts_the_run() -> None:
    p = pl.concat([projects(100), projects(50, dept="D2").with_columns(
        pl.Series("project_code", ["P2"]))])  # fmt: skip
    m = spending(6, 10, 50)
    r = perfkit.monitor(p, m, dept="D2")
    assert r.alerts_pl.get_column("unit_code").to_list() == ["P2"]
    assert r.region_pl.get_column("projects").to_list() == [1]


def test_projects_without_a_row_are_not_monitored_but_counted() -> None:
    r = perfkit.monitor(projects(100, 100), spending(6, 50))
    assert r.alerts_pl.get_column("unit_code").to_list() == ["P1"]
    assert r.not_reported_pl.get_column("unit_code").to_list() == ["P2"]
    assert r.region_pl.get_column("not_reported").to_list() == [1]
    assert any("not monitored" in w.message for w in r.warnings)


def test_several_months_pick_the_month_asked_or_the_latest() -> None:
    m = pl.concat([spending(5, 10), spending(8, 60)])
    assert perfkit.monitor(projects(100), m).time.month == 8
    may = perfkit.monitor(projects(100), m, month=5)
    assert may.alerts_pl.get_column("executed_to_date").to_list() == [10.0]
    dated = perfkit.monitor(projects(100), m, as_of="2024-05-31")
    assert (dated.time.month, dated.time.numerator, dated.time.denominator) == (5, 152, 366)
    assert "截至2024年5月31日" in dated.region_sentence


# ---------------------------------------------------------------- mid-year projects


def test_midyear_projects_may_omit_or_leave_executed_empty() -> None:
    p = projects(100).with_columns(pl.lit(None, pl.String).alias("executed"))
    r = perfkit.monitor(p, spending(6, 50))
    assert alerts_of(r) == ["green"]
    raw = read_table(projects(100), MIDYEAR_PROJECTS)
    typed, problems = check_table(raw)
    assert problems == [] and "executed" not in typed.columns


def test_a_given_executed_is_still_checked_midyear() -> None:
    p = projects(100).with_columns(pl.lit("很多").alias("executed"))
    with pytest.raises(InputError) as info:
        perfkit.monitor(p, spending(6, 50))
    assert [str(x) for x in info.value.problems] == [
        "<projects>:1: executed: '很多' is not a number"
    ]


def test_year_end_validation_still_requires_executed() -> None:
    with pytest.raises(InputError, match="required column missing"):
        read_table(projects(100), "projects")
    p = projects(100).with_columns(
        pl.lit(None, pl.String).alias("executed"), pl.lit("100").alias("budget_initial")
    )
    _, problems = check_table(read_table(p, "projects"))
    assert [str(x) for x in problems] == ["<projects>:1: executed: missing value"]


# ---------------------------------------------------------------- pandas in, pandas out


def test_the_kind_of_frame_given_comes_back(df_module) -> None:
    targets, progress = indicator_tables(INDICATOR_ROWS[:3])
    make = df_module.make
    r = perfkit.monitor(
        make(projects(100)), make(spending(7, 60)), make(progress), indicators=make(targets)
    )
    for frame in (r.alerts, r.indicator_alerts, r.departments, r.region, r.review):
        assert isinstance(frame, df_module.DataFrame)
    assert df_module.to_polars(r.alerts).get_column("execution_alert").to_list() == ["green"]
    reference = perfkit.monitor(projects(100), spending(7, 60), progress, indicators=targets)
    assert r.alerts_pl.equals(reference.alerts_pl)
    assert r.indicator_alerts_pl.equals(reference.indicator_alerts_pl)


_MONITOR_SAMPLE = """
import sys
from pathlib import Path

import perfkit

sample, out = Path(sys.argv[1]), Path(sys.argv[2])
r = perfkit.monitor(
    sample / "projects.csv", sample / "monitoring.csv", sample / "indicator_progress.csv",
    indicators=sample / "indicators.csv", month=8,
)
for name in ("alerts_pl", "indicator_alerts_pl", "departments_pl", "region_pl"):
    getattr(r, name).write_parquet(out / f"{name}.parquet")
"""


def test_deterministic(tmp_path: Path) -> None:
    """The sample's August run here equals a run in another process on one polars thread."""
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    args = [sys.executable, "-c", _MONITOR_SAMPLE, str(sample), str(tmp_path)]
    subprocess.run(args, env=env, check=True, capture_output=True)
    here = perfkit.monitor(
        sample / "projects.csv", sample / "monitoring.csv", sample / "indicator_progress.csv",
        indicators=sample / "indicators.csv", month=8,
    )  # fmt: skip
    assert here.alerts_pl.height == 602 and here.indicator_alerts_pl.height > 4000
    for name in ("alerts_pl", "indicator_alerts_pl", "departments_pl", "region_pl"):
        theirs = pl.read_parquet(tmp_path / f"{name}.parquet")
        assert getattr(here, name).equals(theirs), name


# ---------------------------------------------------------------- a system's own phrases


def custom_phrase_system() -> perfkit.System:
    """project-self-eval whose 定性 levels say 优 / 中 / 差 (none of the built-in phrases)."""
    data = perfkit.load_system("project-self-eval").model_dump(mode="json")
    levels = data["indicator_rules"]["qualitative"]["levels"]
    for level, phrase in zip(levels, ["优", "中", "差"], strict=True):
        level["phrase"], level["aliases"] = phrase, [f"{phrase}等"]
    return perfkit.systems.system_from_dict(data, source="custom.yaml")


def test_qualitative_progress_uses_the_systems_own_phrases() -> None:
    rows = [("甲", "定性", "有效", "优", "green"), ("乙", "定性", "有效", "中等", "yellow"),
            ("丙", "定性", "有效", "差", "red")]  # fmt: skip
    targets, progress = indicator_tables(rows)
    r = perfkit.monitor(
        projects(100), spending(7, 60), progress, indicators=targets, system=custom_phrase_system()
    )
    got = dict(r.indicator_alerts_pl.select("name", "indicator_alert").iter_rows())
    assert got == {"甲": "green", "乙": "yellow", "丙": "red"}


def test_a_built_in_phrase_is_refused_under_a_system_without_it() -> None:
    targets, progress = indicator_tables([("甲", "定性", "有效", "达成", "green")])
    with pytest.raises(InputError) as caught:
        perfkit.monitor(
            projects(100), spending(7, 60), progress, indicators=targets,
            system=custom_phrase_system(),
        )  # fmt: skip
    assert "优 / 中 / 差" in str(caught.value)


def test_the_command_takes_the_system(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from perfkit.cli import main

    system = tmp_path / "custom.yaml"
    system.write_text(
        yaml.safe_dump(custom_phrase_system().model_dump(mode="json"), allow_unicode=True),
        encoding="utf-8",
    )
    targets, progress = indicator_tables([("甲", "定性", "有效", "中等", "yellow")])
    paths = {}
    for name, frame in (("projects", projects(100)), ("monitoring", spending(7, 60)),
                        ("indicators", targets), ("progress", progress)):  # fmt: skip
        paths[name] = tmp_path / f"{name}.csv"
        frame.write_csv(paths[name])
    args = ["monitor", "-p", paths["projects"], "-m", paths["monitoring"], "-i",
            paths["indicators"], "--indicator-progress", paths["progress"]]  # fmt: skip
    refused = CliRunner().invoke(main, [*map(str, args), "-o", str(tmp_path / "a")])
    assert refused.exit_code == 1 and "中等" in refused.output
    run = CliRunner().invoke(
        main, [*map(str, args), "--system", str(system), "-o", str(tmp_path / "b")]
    )
    assert run.exit_code == 0, run.output
    alerts = pl.read_csv(tmp_path / "b" / "indicator_alerts.csv")
    assert alerts.get_column("indicator_alert").to_list() == ["yellow"]
