"""The department evaluation report (部门评价报告) in the official outline, every figure computed.

:func:`department_report` evaluates the department (:func:`perfkit.evaluation.evaluate_department`),
reads its ``dept-overall`` assessment when the data has one, its other years when there are
several (chronic low efficiency and idle money, budget suggestions of the cross-year policy),
and the verification sample, and writes the outline of 财预〔2020〕10号's reference report:

封面 · 目录 · 一、基本情况 · 二、绩效评价工作开展情况 · 三、综合评价情况及评价结论 ·
四、绩效评价指标分析 · 五、主要经验及做法、存在的问题及原因分析 · 六、有关建议 ·
七、其他需要说明的问题 · 附件

Amounts are in 万元 to two decimals, rates in percent to two decimals, sums exact.  The
evaluator's text comes from the notes file (:mod:`perfkit.documents._notes`); a missing
note is a visible ``【待填写：…】``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

import perfkit.compare as cmp
from perfkit.documents._common import (
    EVALUATION_REPORT_OUTLINE,
    bar_chart,
    chart_png,
    grade_figure,
    money,
    pct,
    rate,
    sources_table,
    system_tables,
    total,
)
from perfkit.documents._model import Document, Figure, Paragraph, Section, Table, placeholder
from perfkit.documents._notes import NOTE_TITLES, Notes
from perfkit.errors import PerfkitError
from perfkit.evaluation import DepartmentEvaluation, evaluate_department
from perfkit.numbers import round_half_up
from perfkit.scoring import score
from perfkit.systems import System
from perfkit.tables._read import find_table, read_table

__all__ = ["DEPARTMENT_OUTLINE", "department_report"]

#: The level-1 headings of the department report, in order.
DEPARTMENT_OUTLINE = EVALUATION_REPORT_OUTLINE


def _note(notes: Notes, key: str, section: Section) -> None:
    paragraphs = notes.paragraphs(key)
    section.add(*(paragraphs or [placeholder(NOTE_TITLES[key])]))


def _dept_overall(data_dir: Path, year: int, dept_code: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The department's ``dept-overall`` units and items for the year (empty frames if none)."""
    path = find_table(data_dir, "assessments")
    if path is None:
        return pl.DataFrame(), pl.DataFrame()
    try:
        result = score(assessments=path, system="dept-overall")
    except PerfkitError:  # items of another system (预算管理考核) or bad rows: no overall total
        return pl.DataFrame(), pl.DataFrame()
    key = (pl.col("year").cast(pl.String) == str(year)) & (pl.col("unit_code") == dept_code)
    return result.units.filter(key), result.items.filter(key)


def _years(data_dir: Path) -> list[int]:
    path = find_table(data_dir, "projects")
    assert path is not None
    years = read_table(path, "projects").frame.select(
        pl.col("year").cast(pl.String).str.strip_chars().str.strip_suffix("年")
    )
    return sorted({int(y) for y in years.to_series().drop_nulls() if y.isdigit()})


def _cover(ev: DepartmentEvaluation, notes: Notes) -> Document:
    return Document(
        title=f"{ev.dept_name}{ev.year}年度项目支出绩效评价报告",
        subtitle=f"（部门编码：{ev.dept_code}）",
        cover=[
            f"评价机构：{notes.organisation or placeholder('评价机构')}",
            f"报告日期：{notes.date or placeholder('报告日期')}",
        ],
        kind="department",
    )


def _basic(doc: Document, ev: DepartmentEvaluation, units: pl.DataFrame) -> None:
    m = ev.money.row(0, named=True)
    initial = total(units.get_column("budget_initial").to_list())
    full = total(units.get_column("budget_full_year").to_list())
    executed = total(units.get_column("executed").to_list())
    unspent = full - executed
    s = doc.section("一、基本情况")
    s.add(
        Paragraph(
            f"{ev.dept_name}（部门编码{ev.dept_code}）{ev.year}年度纳入本次评价的项目支出共"
            f"{m['n_projects']}个，年初预算{money(initial)}万元，全年预算（含调整及结转）"
            f"{money(full)}万元，全年执行{money(executed)}万元，预算执行率"
            f"{pct(rate(executed, full))}，未执行{money(unspent)}万元。",
            lead="（一）部门项目及资金情况。",
        )
    )
    if "carryover" in units.columns and units.get_column("carryover").is_not_null().any():
        s.add(
            f"各项目填报的结转结余合计{money(total(units.get_column('carryover').to_list()))}万元。"
        )
    by_cat = (
        units.with_columns(pl.col("category").fill_null("未分类"))
        .group_by("category")
        .agg(
            pl.len().alias("n_projects"),
            pl.col("budget_full_year").sum().round(2),
            pl.col("executed").sum().round(2),
        )
        .with_columns(
            (pl.col("executed") * 100 / pl.col("budget_full_year")).round(2).alias("execution_rate")
        )
        .sort("budget_full_year", descending=True)
    )
    s.add(Table.from_frame(by_cat, "表1 项目资金按类别", labels={"category": "项目类别"}))
    s.add(
        Paragraph(
            "本次评价的数据未列示资金来源构成（财政拨款、其他资金），本报告不分析资金来源。",
            lead="（二）资金来源。",
        )
    )
    n_ind = ev.scores.items.filter(pl.col("rule") != "execution_rate")
    counts = n_ind.group_by("group").len().sort("group")
    parts = "、".join(f"{g}{n}个" for g, n in counts.iter_rows())
    s.add(
        Paragraph(
            f"各项目共设置三级绩效指标{n_ind.height}个（{parts}），年度指标值与实际完成值见附件1。",
            lead="（三）绩效目标。",
        )
    )


def _work(
    doc: Document, ev: DepartmentEvaluation, data_dir: Path, notes: Notes, overall: bool
) -> None:
    system: System = ev.system
    m = ev.money.row(0, named=True)
    s = doc.section("二、绩效评价工作开展情况")
    s.add(
        Paragraph(
            "通过对部门项目支出的复算评价，了解预算资金的使用效率和效果，检查绩效目标的完成情况，"
            "为改进预算管理、优化资源配置和结果应用提供依据。",
            lead="（一）评价目的。",
        ),
        Paragraph(
            f"评价对象为{ev.dept_name}{ev.year}年度的全部项目支出，共{m['n_projects']}个项目，"
            f"全年预算{money(m['budget_full_year'])}万元"
            + ("；并按部门整体支出绩效评价指标体系对部门整体进行评价。" if overall else "。"),
            lead="（二）评价对象和范围。",
        ),
        Paragraph(
            f"《财政部关于印发〈项目支出绩效评价管理办法〉的通知》（财预〔2020〕10号）；指标体系"
            f"“{system.title}”，一级指标及分值见表2，评价等级划分见表3。",
            lead="（三）评价依据。",
        ),
    )
    s.add(*system_tables(system, 2))
    s.add(
        Paragraph(
            "采用比较法和因素分析法，按指标体系逐项复算：预算执行率得分为执行数除以全年预算数"
            "（不超过1）乘以分值；定量指标按完成值与年度指标值比较计分，定性指标按达成程度分档计分；"
            "每项得分四舍五入保留两位小数，总分为各项得分之和。部门得分为各项目总分按全年预算数加权的平均分。",
            lead="（四）评价方法。",
        )
    )
    names = ["projects", "indicators", "departments", "assessments", "verifications"]
    s.add(
        Paragraph(
            "本报告的数据均取自以下文件，指纹可用于核对数据未被改动：", lead="（五）数据来源。"
        )
    )
    s.add(Table.from_frame(sources_table(data_dir, names), "表4 数据来源"))
    process = Paragraph(
        " ".join(notes.paragraphs("process")) or placeholder(NOTE_TITLES["process"]),
        lead="（六）评价工作过程。",
    )
    s.add(process)


def _conclusion(
    doc: Document,
    ev: DepartmentEvaluation,
    units: pl.DataFrame,
    overall_units: pl.DataFrame,
    notes: Notes,
    figures: bool,
) -> None:
    s = doc.section("三、综合评价情况及评价结论")
    totals = units.get_column("total").to_list()
    plain_mean = round_half_up(total(totals) / len(totals)) if totals else None
    if overall_units.height:
        o = overall_units.row(0, named=True)
        s.add(
            f"经评价，{ev.dept_name}{ev.year}年度部门整体支出绩效评价得分{o['total']:.2f}分，"
            f"评价等级为“{o['grade']}”。"
        )
    s.add(
        f"{ev.dept_name}{ev.year}年度{len(totals)}个项目的复算得分按全年预算数加权平均为"
        f"{ev.score:.2f}分，等级为“{ev.grade}”；简单平均为{plain_mean}分。"
    )
    dist = ev.grade_distribution
    words = "，".join(
        f"{g}的项目{n}个（资金{money(mo)}万元）"
        for g, n, mo in dist.select("grade", "projects", "money").iter_rows()
    )
    s.add(f"评价结果等级为{words}。")
    s.add(Table.from_frame(dist, "表5 项目评价等级分布"))
    if figures:
        s.add(grade_figure(dist, "图1 项目评价等级分布", "项目评价等级分布"))
    m = ev.money.row(0, named=True)
    overall_word = "较好" if ev.grade in ("优", "良") else "一般"
    good = dist.filter(pl.col("grade").is_in(["优", "良"])).get_column("projects").sum()
    s.add(
        Paragraph(
            f"{ev.dept_name}{ev.year}年度项目支出总体绩效{overall_word}，"
            f"预算执行率{pct(m['execution_rate'])}，{len(totals)}个项目中{good}个达到良及以上。"
            + " ".join(notes.paragraphs("conclusion")),
            lead="评价结论：",
        )
    )


def _indicators(
    doc: Document,
    ev: DepartmentEvaluation,
    overall_items: pl.DataFrame,
    figures: bool,
) -> None:
    s = doc.section("四、绩效评价指标分析")
    lost = ev.points_lost  # per group: projects, those losing points, exact rates (evaluation)
    s.add(
        Paragraph(
            "各一级指标的项目平均得分率如下："
            + "；".join(
                f"{g}{pct(r)}" for g, r in lost.select("group", "mean_score_rate").iter_rows()
            )
            + "。",
            lead="（一）项目支出指标。",
        )
    )
    s.add(
        Table.from_frame(
            lost.select(
                "group", "projects", "projects_losing", "mean_score_rate", "lost_rate", "lost_share"
            ),
            "表6 各一级指标得分率与失分",
        )
    )
    if figures:
        s.add(
            Figure(
                "图2 各一级指标项目平均得分率",
                chart_png(
                    bar_chart(
                        lost.get_column("group").to_list(),
                        lost.get_column("mean_score_rate").to_list(),
                        title="各一级指标项目平均得分率",
                        axis="平均得分率（%）",
                        percent=True,
                    )
                ),
                13.0,
            )
        )
    if overall_items.height:
        sec = (
            overall_items.group_by("section", maintain_order=True)
            .agg(pl.col("max_points").sum(), pl.col("points").sum())
            .with_columns(
                (pl.col("points") * 100 / pl.col("max_points")).round(2).alias("score_rate")
            )
        )
        s.add(
            Paragraph(
                "部门整体支出绩效评价各部分得分率："
                + "；".join(
                    f"{n}{pct(rate(p, mx))}（{p:.2f}/{mx:.2f}分）"
                    for n, mx, p in sec.select("section", "max_points", "points").iter_rows()
                )
                + "。",
                lead="（二）部门整体指标。",
            )
        )
    low = ev.lowest_indicators
    if low.height:
        s.add(
            Paragraph(
                f"得分率最低的{low.height}个指标见表7，偏差原因为单位填报。",
                lead=f"（{'三' if overall_items.height else '二'}）得分率较低的指标。",
            )
        )
        s.add(
            Table.from_frame(
                low.select(
                    "unit_name",
                    "item",
                    "target",
                    "actual",
                    "weight",
                    "points",
                    "score_rate",
                    "reason",
                ),
                "表7 得分率最低的指标",
                labels={"unit_name": "项目名称"},
            )
        )


def _problems(
    doc: Document,
    ev: DepartmentEvaluation,
    units: pl.DataFrame,
    chronic: cmp.Chronic | None,
    notes: Notes,
) -> None:
    s = doc.section("五、主要经验及做法、存在的问题及原因分析")
    s.add(Paragraph("", lead="（一）主要经验及做法。", indent=False))
    _note(notes, "experience", s)
    s.add(Paragraph("", lead="（二）存在的问题。", indent=False))
    flagged = ev.flagged
    number = 1
    if flagged.height:
        s.add(
            f"{number}. 风险标记。共有{flagged.height}个项目触发风险标记，"
            "见表8（每个项目一行，列出其全部标记）。"
        )
        s.add(
            Table.from_frame(
                flagged.select(
                    "risk_order",
                    "unit_name",
                    "budget_full_year",
                    "execution_rate",
                    "total",
                    "flag_labels",
                ),
                "表8 风险标记项目（按风险从高到低，每个项目一行）",
                labels={"unit_name": "项目名称", "total": "复算得分"},
            )
        )
        number += 1
    full = total(units.get_column("budget_full_year").to_list())
    executed = total(units.get_column("executed").to_list())
    over = units.filter(
        pl.col("budget_full_year") > 0,
        (pl.col("budget_full_year") - pl.col("executed")) > pl.col("budget_full_year") * 0.2,
    )
    s.add(
        f"{number}. 资金未执行。全年预算未执行{money(full - executed)}万元，占全年预算的"
        f"{pct(rate(full - executed, full))}；结余超过20%的项目{over.height}个，涉及全年预算"
        f"{money(total(over.get_column('budget_full_year').to_list()))}万元。"
    )
    number += 1
    weak = units.filter(pl.col("grade").is_in(["中", "差"]))
    if weak.height:
        s.add(
            f"{number}. 绩效较差。评价等级为中或差的项目{weak.height}个："
            + "、".join(
                f"{n}（{g}，{t:.2f}分）"
                for n, g, t in weak.select("unit_name", "grade", "total").iter_rows()
            )
            + "。"
        )
        number += 1
    if chronic is not None:
        low = chronic.low_efficiency.filter(pl.col("dept_code") == ev.dept_code)
        idle = chronic.idle.filter(pl.col("dept_code") == ev.dept_code)
        if low.height or idle.height:
            s.add(
                f"{number}. 低效和闲置资金。连续低效项目{low.height}个"
                + (f"（{'、'.join(low.get_column('unit_name').to_list())}）" if low.height else "")
                + f"，闲置项目{idle.height}个"
                + (
                    f"（{'、'.join(idle.get_column('unit_name').to_list())}）"
                    if idle.height
                    else ""
                )
                + "。"
            )
        else:
            s.add(f"{number}. 低效和闲置资金。多年数据中未发现连续低效或闲置的项目。")
    s.add(Paragraph("", lead="（三）原因分析。", indent=False))
    reasons = ev.lowest_indicators.filter(pl.col("reason").is_not_null())
    if reasons.height:
        s.add(
            "单位填报的偏差原因："
            + "；".join(
                f"{n}“{i}”：{r}"
                for n, i, r in reasons.select("unit_name", "item", "reason")
                .unique(maintain_order=True)
                .iter_rows()
            )
            + "。"
        )
    _note(notes, "causes", s)


def _suggestions(
    doc: Document,
    ev: DepartmentEvaluation,
    suggestions: cmp.BudgetSuggestions | None,
    notes: Notes,
) -> None:
    s = doc.section("六、有关建议")
    rec = ev.recommendation
    s.add(
        "按指标体系的结果应用规则："
        + "；".join(
            f"{lab}项目{n}个、资金{money(mo)}万元（{rule}）"
            for lab, rule, n, mo in rec.select(
                "action_label", "rule", "projects", "money"
            ).iter_rows()
        )
        + "。"
    )
    if suggestions is not None:
        mine = suggestions.projects.filter(pl.col("dept_code") == ev.dept_code)
        cut = mine.filter(pl.col("change") < 0) if "change" in mine.columns else mine.head(0)
        if "change" in mine.columns:
            s.add(
                f"按跨年度预算政策，建议{suggestions.base_year + 1}年度"
                f"压减{cut.height}个项目的预算，"
                f"合计{money(-total(cut.get_column('change').to_list()))}万元。"
            )
    _note(notes, "suggestions", s)


def _other(
    doc: Document, ev: DepartmentEvaluation, data_dir: Path, notes: Notes, cross_year: str
) -> None:
    s = doc.section("七、其他需要说明的问题")
    if cross_year:
        s.add(cross_year)
    s.add("各项目的实际完成值、自评得分和偏差原因为单位自报数据，本次复算未逐项核实原始凭证。")
    path = find_table(data_dir, "verifications")
    codes = ev.projects.get_column("unit_code").to_list()
    verified = 0
    if path is not None:
        v = read_table(path, "verifications").frame.filter(
            pl.col("year").cast(pl.String).str.strip_chars() == str(ev.year),
            pl.col("unit_code").cast(pl.String).str.strip_chars().is_in(codes),
        )
        verified = v.get_column("unit_code").n_unique() if v.height else 0
    s.add(
        f"{ev.year}年度本部门有{verified}个项目经自评复核（抽查）"
        + ("，复核结果见复核报告。" if verified else "，其余项目的数据未经复核。")
    )
    _note(notes, "other", s)


def _annex(doc: Document, ev: DepartmentEvaluation) -> None:
    s = doc.section("附件")
    s.add(Paragraph("附件1：项目评分表", indent=False))
    shown = ev.projects.select(
        "unit_code",
        "unit_name",
        "budget_full_year",
        "executed",
        "execution_rate",
        "total",
        "grade",
        "self_score",
        "self_grade",
    )
    s.add(Table.from_frame(shown, "附表1 项目评分表", labels={"unit_name": "项目名称"}))
    s.add(
        Paragraph(
            f"附件2：部门项目支出绩效自评表（由 perfkit export-forms --dept {ev.dept_code} 导出，"
            "每个项目一张，另行装订）",
            indent=False,
        )
    )


def department_report(
    data_dir: str | Path,
    year: int,
    dept_code: str,
    *,
    notes: Notes | None = None,
    system: str | Path | System = "project-self-eval",
    figures: bool = True,
    evaluation: DepartmentEvaluation | None = None,
) -> Document:
    """The department evaluation report as a :class:`~perfkit.documents.Document`.

    Parameters
    ----------
    data_dir : path
        The data folder (``projects``, ``indicators``; ``departments``, ``assessments``,
        ``verifications`` when present; several years stacked for the cross-year parts).
    year, dept_code : the evaluation year and the department.
    notes : Notes, optional
        The evaluator's text (:func:`perfkit.documents.load_notes`); missing notes are
        placeholders.
    system : the project system (default ``project-self-eval``).
    figures : bool
        Draw the charts (PNG); ``False`` leaves them out (faster).
    evaluation : DepartmentEvaluation, optional
        An evaluation already computed (a notebook that shows it too).

    Examples
    --------
    >>> doc = department_report("data/sample", 2024, "D01", figures=False)
    >>> doc.title
    '教育局2024年度项目支出绩效评价报告'
    >>> [t for level, t in doc.headings() if level == 1] == DEPARTMENT_OUTLINE
    True
    >>> len(doc.placeholders()) > 0
    True
    """
    notes = notes or Notes()
    data_dir = Path(data_dir)
    ev = evaluation or evaluate_department(data_dir, year, dept_code, system=system)
    units = ev.scores.units
    overall_units, overall_items = _dept_overall(data_dir, ev.year, ev.dept_code)
    chronic = suggestions = None
    cross_year = ""
    years = [y for y in _years(data_dir) if y <= ev.year]
    if len(years) > 1:
        try:
            panel = cmp.panel(data_dir, years=f"{years[0]}-{years[-1]}", system=ev.system)
            chronic = cmp.chronic(panel)
            suggestions = cmp.budget_suggestions(panel)
        except PerfkitError as exc:  # another department's or year's rows: not this report's
            problems = getattr(exc, "problems", None)
            cross_year = (
                f"{years[0]}—{years[-1]}年的数据有{len(problems) if problems else 1}处问题"
                "（见 perfkit validate），本报告未作跨年度分析"
                "（连续低效、闲置资金、下年度预算建议）。"
            )
    doc = _cover(ev, notes)
    _basic(doc, ev, units)
    _work(doc, ev, data_dir, notes, bool(overall_units.height))
    _conclusion(doc, ev, units, overall_units, notes, figures)
    _indicators(doc, ev, overall_items, figures)
    _problems(doc, ev, units, chronic, notes)
    _suggestions(doc, ev, suggestions, notes)
    _other(doc, ev, data_dir, notes, cross_year)
    _annex(doc, ev)
    return doc
