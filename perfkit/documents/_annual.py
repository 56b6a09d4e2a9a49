"""The region's annual work report (年度预算绩效管理工作情况): the document the seeds are.

Every number is computed from the data folder: projects and money under performance
management, execution, self-evaluation coverage and grade counts (“评价结果等级为优的项目
18个，良的项目9个”), each monitoring month's overall progress against time progress
(“5月项目绩效监控130个24,066万元，总体进度46%，略高于序时进度”), the verification sample
and what it found, low-efficiency and idle money against the 10 % line, and the money
freed by result use (the cross-year budget policy).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

import perfkit.compare as cmp
from perfkit.documents._common import (
    grade_figure,
    money,
    pct,
    rate,
    sources_table,
    total,
)
from perfkit.documents._model import Document, Section, Table, placeholder
from perfkit.documents._monitoring import against_time, monitoring_result
from perfkit.documents._notes import NOTE_TITLES, Notes
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.scoring import grade
from perfkit.tables._read import find_table, read_table

__all__ = ["ANNUAL_OUTLINE", "annual_report"]

#: The level-1 headings of the annual work report, in order.
ANNUAL_OUTLINE = [
    "一、基本情况",
    "二、绩效运行监控",
    "三、绩效自评和评价结果",
    "四、自评复核（抽查）",
    "五、低效无效资金",
    "六、评价结果应用",
    "七、存在的问题和下一步工作打算",
]


def _note(notes: Notes, key: str, section: Section) -> None:
    section.add(*(notes.paragraphs(key) or [placeholder(NOTE_TITLES[key])]))


def _grade_words(counts: pl.DataFrame) -> str:
    """“等级为优的项目18个，良的项目9个…” (the seeds' wording)."""
    words = [f"{g}的项目{n}个" for g, n in counts.iter_rows()]
    return "等级为" + "，".join(words)


def _grade_counts(frame: pl.DataFrame, column: str, grades: list[str]) -> pl.DataFrame:
    counted = frame.group_by(column).len()
    return (
        pl.DataFrame({"grade": grades})
        .join(counted.rename({column: "grade", "len": "projects"}), on="grade", how="left")
        .with_columns(pl.col("projects").fill_null(0).cast(pl.Int64))
    )


def _months(data_dir: Path, year: int) -> list[int]:
    path = find_table(data_dir, "monitoring")
    if path is None:
        return []
    frame = read_table(path, "monitoring").frame.select(
        pl.col("year").cast(pl.String).str.strip_chars(), pl.col("month").cast(pl.String)
    )
    months = frame.filter(pl.col("year") == str(year)).get_column("month").unique().to_list()
    return sorted({int(m) for m in months if m and m.strip().isdigit()})


def annual_report(
    data_dir: str | Path,
    year: int,
    *,
    notes: Notes | None = None,
    figures: bool = True,
) -> Document:
    """The region's annual work report for ``year`` (years before it give the cross-year parts).

    Examples
    --------
    >>> doc = annual_report("data/sample", 2024, figures=False)
    >>> [t for level, t in doc.headings() if level == 1] == ANNUAL_OUTLINE
    True
    >>> doc.sections[1].blocks[0].text  # doctest: +ELLIPSIS
    '5月项目绩效监控602个137,893.79万元，总体进度46.00%，略高于序时进度41.67%...'
    """
    notes = notes or Notes()
    data = Path(data_dir)
    panel = cmp.panel(data)
    years = sorted(int(y) for y in panel.years)
    if year not in years:
        raise PerfkitError(
            _("no project data for {year} (years in the data: {years})").format(
                year=year, years=", ".join(map(str, years))
            )
        )
    first = years[0]
    panel = cmp.panel(data, years=f"{first}-{year}")
    units = panel.units.filter(pl.col("year") == year)
    system = panel.system
    grades = [b.grade for b in system.grades]
    doc = Document(
        title=f"{year}年度预算绩效管理工作情况报告",
        cover=[
            f"编制单位：{notes.organisation or placeholder('编制单位')}",
            f"报告日期：{notes.date or placeholder('报告日期')}",
        ],
        kind="annual",
    )

    full = total(units.get_column("budget_full_year").to_list())
    executed = total(units.get_column("executed").to_list())
    n_depts = units.get_column("dept_code").n_unique()
    s = doc.section(ANNUAL_OUTLINE[0])
    s.add(
        f"{year}年度，纳入预算绩效管理的部门{n_depts}个、项目{units.height}个，全年预算"
        f"{money(full)}万元，全年执行{money(executed)}万元，预算执行率{pct(rate(executed, full))}。"
    )
    s.add(
        Table.from_frame(
            sources_table(
                data, ["projects", "indicators", "monitoring", "verifications", "departments"]
            ),
            "表1 数据来源",
        )
    )

    s = doc.section(ANNUAL_OUTLINE[1])
    months = _months(data, year)
    if not months:
        s.add(f"数据未包含{year}年度的监控数据（monitoring），本部分从略。")
    for month in months:
        r = monitoring_result(data, year, month).region_pl.row(0, named=True)
        s.add(
            f"{month}月项目绩效监控{r['projects']}个{money(r['budget_full_year'])}万元，"
            f"总体进度{pct(r['overall_progress'])}，"
            f"{against_time(r['relation'], r['time_progress'])}；"
            f"执行预警红色{r['red_projects']}个（{money(r['red_budget'])}万元）、"
            f"黄色{r['yellow_projects']}个（{money(r['yellow_budget'])}万元）。"
        )

    s = doc.section(ANNUAL_OUTLINE[2])
    path = find_table(data, "projects")
    assert path is not None
    raw = read_table(path, "projects").frame.filter(
        pl.col("year").cast(pl.String).str.strip_chars() == str(year)
    )
    self_scored = (
        raw.filter(
            pl.col("self_score").cast(pl.String).str.strip_chars().str.len_chars() > 0
        ).height
        if "self_score" in raw.columns
        else 0
    )
    s.add(
        f"开展绩效自评的项目{self_scored}个，"
        f"占纳入管理项目的{pct(rate(self_scored, units.height))}。"
    )
    recomputed = _grade_counts(units, "grade", grades)
    s.add(f"经复算，评价结果{_grade_words(recomputed)}。")
    if "self_grade" in raw.columns:
        stated = _grade_counts(
            raw.with_columns(pl.col("self_grade").cast(pl.String).str.strip_chars()),
            "self_grade",
            grades,
        )
        s.add(f"单位自评{_grade_words(stated)}。")
    s.add(
        Table.from_frame(
            recomputed.rename({"grade": "等级", "projects": "项目个数"}), "表2 复算等级分布"
        )
    )
    if figures:
        s.add(grade_figure(recomputed, "图1 复算等级分布", "复算等级分布"))

    s = doc.section(ANNUAL_OUTLINE[3])
    vpath = find_table(data, "verifications")
    verified = pl.DataFrame()
    if vpath is not None:
        v = read_table(vpath, "verifications").frame
        verified = (
            v.filter(pl.col("year").cast(pl.String).str.strip_chars() == str(year))
            .select(
                pl.col("unit_code").cast(pl.String).str.strip_chars(),
                pl.col("verified_score").cast(pl.Float64, strict=False),
            )
            .unique("unit_code", keep="first")
        )
    if verified.height == 0:
        s.add(f"数据未包含{year}年度的自评复核结果（verifications）。")
    else:
        joined = verified.join(
            units.select("unit_code", "unit_name", "budget_full_year", "total", "grade"),
            on="unit_code",
            how="inner",
        ).join(
            raw.select(
                pl.col("project_code").cast(pl.String).str.strip_chars().alias("unit_code"),
                pl.col("self_score").cast(pl.Float64, strict=False),
            ),
            on="unit_code",
            how="left",
        )
        vg = [
            grade(x, system) if x is not None else None for x in joined.get_column("verified_score")
        ]
        joined = joined.with_columns(pl.Series("verified_grade", vg, dtype=pl.String))
        sg = [grade(x, system) if x is not None else None for x in joined.get_column("self_score")]
        joined = joined.with_columns(pl.Series("self_grade", sg, dtype=pl.String))
        changed = joined.filter(pl.col("verified_grade") != pl.col("self_grade"))
        lower = joined.filter(pl.col("verified_score") < pl.col("self_score"))
        s.add(
            f"抽取{joined.height}个项目进行自评复核，涉及全年预算"
            f"{money(total(joined.get_column('budget_full_year').to_list()))}万元。复核得分低于自评得分的"
            f"{lower.height}个，复核后等级与自评等级不一致的{changed.height}个。"
        )
    s = doc.section(ANNUAL_OUTLINE[4])
    chronic = cmp.chronic(panel)
    share = chronic.money_share.filter(pl.col("year") == year)
    over = share.filter(pl.col("over_line"))
    low = chronic.low_efficiency
    idle = chronic.idle
    s.add(
        f"按连续{chronic.consecutive}年预算执行率低于{chronic.low_threshold}%认定低效项目"
        f"{low.height}个，连续{chronic.idle_years}年未执行认定闲置项目{idle.height}个。"
        f"低效和闲置资金占部门项目预算超过{chronic.money_line}%的部门{over.height}个"
        + (f"：{'、'.join(over.get_column('dept_name').to_list())}。" if over.height else "。")
    )
    s = doc.section(ANNUAL_OUTLINE[5])
    t = cmp.budget_suggestions(panel).totals.row(0, named=True)
    s.add(
        f"按评价结果和预算政策，建议{t['budget_year']}年度压减{t['projects_cut']}个项目的预算"
        f"（其中取消{t['projects_to_zero']}个），收回统筹资金{money(t['freed'])}万元，"
        f"占基数{money(t['base_amount'])}万元的{pct(t['cut_pct'])}。"
    )
    s = doc.section(ANNUAL_OUTLINE[6])
    s.add("（一）存在的问题。")
    _note(notes, "causes", s)
    s.add("（二）下一步工作打算。")
    _note(notes, "next_steps", s)
    return doc
