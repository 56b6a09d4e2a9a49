"""The monitoring report (绩效运行监控报告): the region or one department at a month.

Every figure comes from :func:`perfkit.monitoring.monitor` on the data folder's
``projects``, ``monitoring`` (and ``indicator_progress`` with ``indicators`` when present):
the overall progress against time progress (序时进度), the alert bands, the departments
furthest behind, the red projects and their reasons.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from perfkit.documents._common import bar_chart, chart_png, money, pct, sources_table
from perfkit.documents._model import Document, Figure, Paragraph, Section, Table, placeholder
from perfkit.documents._notes import NOTE_TITLES, Notes
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.monitoring import MonitoringResult, monitor
from perfkit.present import ALERT_COLOURS
from perfkit.tables._read import find_table

__all__ = ["MONITORING_OUTLINE", "against_time", "monitoring_report", "monitoring_result"]

#: The level-1 headings of the monitoring report, in order.
MONITORING_OUTLINE = [
    "一、监控工作基本情况",
    "二、预算执行进度",
    "三、绩效目标实现进度",
    "四、发现的主要问题",
    "五、下一步工作及建议",
    "六、其他需要说明的问题",
]

_ALERTS = [("red", "红色"), ("yellow", "黄色"), ("green", "绿色")]
_LISTED = 20


def _note(notes: Notes, key: str, section: Section) -> None:
    section.add(*(notes.paragraphs(key) or [placeholder(NOTE_TITLES[key])]))


_RELATION = {
    "above": "高于",
    "slightly_above": "略高于",
    "slightly_below": "略低于",
    "below": "低于",
}


def against_time(relation: object, time_progress: float) -> str:
    """The words comparing overall progress with time progress (序时进度).

    Examples
    --------
    >>> against_time("slightly_above", 41.67), against_time("equal", 50.0)
    ('略高于序时进度41.67%', '与序时进度50.00%持平')
    """
    if relation == "equal":
        return f"与序时进度{pct(time_progress)}持平"
    return f"{_RELATION.get(str(relation), '对比')}序时进度{pct(time_progress)}"


def monitoring_result(
    data_dir: str | Path, year: int, month: int, dept_code: str | None = None
) -> MonitoringResult:
    """:func:`perfkit.monitoring.monitor` on a data folder's tables (indicators when present).

    Examples
    --------
    >>> monitoring_result("data/sample", 2024, 5).region_pl.get_column("projects").item()
    602
    """
    data = Path(data_dir)
    tables = {n: find_table(data, n) for n in ("projects", "monitoring", "indicator_progress")}
    indicators = find_table(data, "indicators")
    if tables["projects"] is None or tables["monitoring"] is None:
        raise PerfkitError(
            _("{folder}: a monitoring report needs the projects and monitoring tables").format(
                folder=data
            )
        )
    with_progress = tables["indicator_progress"] is not None and indicators is not None
    return monitor(
        tables["projects"],
        tables["monitoring"],
        tables["indicator_progress"] if with_progress else None,
        indicators=indicators if with_progress else None,
        year=year,
        month=month,
        dept=dept_code,
    )


def monitoring_report(
    data_dir: str | Path,
    year: int,
    month: int,
    *,
    dept_code: str | None = None,
    notes: Notes | None = None,
    figures: bool = True,
) -> Document:
    """The monitoring report of the region (or of ``dept_code``) at ``month`` of ``year``.

    Examples
    --------
    >>> doc = monitoring_report("data/sample", 2024, 5, figures=False)
    >>> [t for level, t in doc.headings() if level == 1] == MONITORING_OUTLINE
    True
    >>> "总体进度46.00%" in doc.sections[0].blocks[0].text
    True
    """
    notes = notes or Notes()
    result = monitoring_result(data_dir, year, month, dept_code)
    region = result.region_pl.row(0, named=True)
    depts = result.departments_pl
    alerts = result.alerts_pl
    if dept_code:
        if depts.height == 0:
            raise PerfkitError(
                _("department {dept} has no monitoring data for {year}-{month:02d}").format(
                    dept=dept_code, year=year, month=month
                )
            )
        scope = str(depts.get_column("dept_name")[0])
    else:
        scope = "全地区"
    doc = Document(
        title=f"{scope}{year}年{month}月预算绩效运行监控报告",
        cover=[
            f"编制单位：{notes.organisation or placeholder('编制单位')}",
            f"报告日期：{notes.date or placeholder('报告日期')}",
        ],
        kind="monitoring",
    )
    s = doc.section(MONITORING_OUTLINE[0])
    s.add(
        f"{year}年{month}月，{scope}开展项目绩效监控{region['projects']}个，"
        + ("" if dept_code else f"涉及{region['departments']}个部门、")
        + f"全年预算{money(region['budget_full_year'])}万元，"
        f"累计执行{money(region['executed_to_date'])}万元，总体进度{pct(region['overall_progress'])}，"
        f"{against_time(region['relation'], region['time_progress'])}。"
    )
    s.add(
        "序时进度为月份除以12；执行进度为预算执行率除以序时进度，低于60%为红色预警，"
        "60%至80%为黄色预警，80%及以上为绿色。数据来源："
    )
    s.add(
        Table.from_frame(
            sources_table(Path(data_dir), ["projects", "monitoring", "indicator_progress"]),
            "表1 数据来源",
        )
    )
    s = doc.section(MONITORING_OUTLINE[1])
    bands = pl.DataFrame(
        {
            "预警": [label for _, label in _ALERTS],
            "项目个数": [int(region[f"{a}_projects"]) for a, _ in _ALERTS],
            "全年预算数（万元）": [float(region[f"{a}_budget"]) for a, _ in _ALERTS],
        }
    )
    s.add(
        "执行预警："
        + "，".join(f"{label}{n}个（{money(b)}万元）" for label, n, b in bands.iter_rows())
        + (
            f"；全年预算数为0的项目{region['budget_zero_projects']}个。"
            if region["budget_zero_projects"]
            else "。"
        )
    )
    s.add(Table.from_frame(bands, "表2 执行预警分布"))
    if figures:
        s.add(
            Figure(
                "图1 执行预警项目数",
                chart_png(
                    bar_chart(
                        bands.get_column("预警").to_list(),
                        bands.get_column("项目个数").to_list(),
                        title="执行预警项目数",
                        axis="项目数（个）",
                        colours=[ALERT_COLOURS[a] for a, _ in _ALERTS],
                    )
                ),
                11.0,
            )
        )
    if not dept_code:
        slow = depts.sort("overall_progress").head(10)
        s.add(f"总体进度最低的{slow.height}个部门见表3。")
        s.add(
            Table.from_frame(
                slow.select(
                    "dept_code",
                    "dept_name",
                    "projects",
                    "budget_full_year",
                    "executed_to_date",
                    "overall_progress",
                    "execution_alert",
                ),
                "表3 总体进度最低的部门",
                domain="monitoring",
            )
        )
    s = doc.section(MONITORING_OUTLINE[2])
    if result.with_indicators:
        s.add(
            f"按项目最差指标统计，指标进度红色{region['indicator_red_projects']}个、黄色"
            f"{region['indicator_yellow_projects']}个、绿色{region['indicator_green_projects']}个、"
            f"蓝色（超过年度目标120%）{region['indicator_blue_projects']}个。"
        )
    else:
        s.add("数据未提供指标进度（indicator_progress），本报告不分析绩效目标实现进度。")
    s = doc.section(MONITORING_OUTLINE[3])
    red = alerts.filter(pl.col("execution_alert") == "red").sort(
        "budget_full_year", descending=True
    )
    s.add(
        f"执行预警为红色的项目{red.height}个，全年预算"
        f"{money(red.get_column('budget_full_year').sum())}万元，"
        f"按序时进度应执行而未执行{money(red.get_column('behind_schedule').sum())}万元。"
        + (f"资金最多的{min(red.height, _LISTED)}个见表4。" if red.height else "")
    )
    if red.height:
        s.add(
            Table.from_frame(
                red.head(_LISTED).select(
                    "dept_name",
                    "project_name",
                    "budget_full_year",
                    "executed_to_date",
                    "execution_rate",
                    "execution_progress",
                    "reasons",
                ),
                "表4 执行预警为红色的项目",
                domain="monitoring",
            )
        )
    if result.not_reported_pl.height:
        s.add(f"未报送监控数据的项目{result.not_reported_pl.height}个。")
    s = doc.section(MONITORING_OUTLINE[4])
    s.add(
        Paragraph(
            f"对执行预警为红色的{red.height}个项目，督促主管部门分析原因、加快执行；"
            f"对黄色预警的{region['yellow_projects']}个项目跟踪进度。"
        )
    )
    _note(notes, "suggestions", s)
    s = doc.section(MONITORING_OUTLINE[5])
    s.add("累计执行数和指标完成值为单位报送数据，未经现场核实。")
    _note(notes, "other", s)
    return doc
