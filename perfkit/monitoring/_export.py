"""Writing monitoring results (监控结果导出): CSVs, the sentences and a coloured workbook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from perfkit.monitoring._bands import ALERT_LABELS, GREEN_FROM, YELLOW_FROM
from perfkit.monitoring._execution import BUDGET_ZERO
from perfkit.monitoring._indicators import BASIS_LABELS
from perfkit.monitoring._summary import RELATION_LABELS, SLIGHT_POINTS
from perfkit.present._labels import DIRECTION_LABELS, column_label
from perfkit.present.charts import ALERT_COLOURS
from perfkit.tables._write import atomic_output, write_csv, write_excel

if TYPE_CHECKING:
    from perfkit.monitoring._result import MonitoringResult

__all__ = ["ALERT_CELL_FORMATS", "FILES", "people_table", "write_outputs"]

#: Every file a monitoring run writes (older copies not rewritten are removed).
FILES = (
    "alerts.csv",
    "indicator_alerts.csv",
    "summary_departments.csv",
    "summary_region.csv",
    "review.csv",
    "summary.txt",
    "monitoring.xlsx",
)
ALERT_COLUMNS = ("execution_alert", "indicator_alert")
#: Cell styles of the Chinese alert labels in ``monitoring.xlsx``.
ALERT_CELL_FORMATS = {
    ALERT_LABELS[code]: {
        "bg_color": colour,
        "font_color": "#000000" if code == "yellow" else "#FFFFFF",
        "bold": True,
        "align": "center",
    }
    for code, colour in ALERT_COLOURS.items()
}
_NOTE_LABELS = {BUDGET_ZERO: "全年预算数为0，执行率无法计算"}


def _for_people(frame: pl.DataFrame) -> pl.DataFrame:
    """Alert codes → 红/黄/绿/蓝, codes → words, dates → text (for the workbook)."""
    exprs = [pl.col(c).replace(ALERT_LABELS) for c in ALERT_COLUMNS if c in frame.columns]
    if "direction" in frame.columns:
        exprs.append(pl.col("direction").replace(DIRECTION_LABELS))
    if "execution_note" in frame.columns:
        exprs.append(pl.col("execution_note").replace(_NOTE_LABELS))
    if "relation" in frame.columns:
        exprs.append(pl.col("relation").replace(RELATION_LABELS))
    if "basis" in frame.columns:
        exprs.append(pl.col("basis").replace(BASIS_LABELS))
    exprs += [pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns(exprs) if exprs else frame


def people_table(frame: pl.DataFrame) -> pl.DataFrame:
    """A result table for people: Chinese headers, 红/黄/绿/蓝, codes as words.

    Examples
    --------
    >>> people_table(pl.DataFrame({"unit_code": ["P1"], "execution_alert": ["red"]})).row(0)
    ('P1', '红')
    >>> people_table(pl.DataFrame({"unit_code": ["P1"]})).columns
    ['单位编码']
    """
    out = _for_people(frame)
    return out.rename({c: column_label(c) for c in out.columns})


def _rules(result: MonitoringResult) -> pl.DataFrame:
    time = result.time
    lines = [
        ("监控期间", time.period + (f"（{result.dept}）" if result.dept else "")),
        (
            "序时进度",
            f"{time.percent}% = {time.numerator}/{time.denominator}"
            + ("（截至日在本年中的天数 / 全年天数）" if time.as_of else "（月份 / 12）"),
        ),
        (
            "执行进度",
            "预算执行率 = 累计执行数 / 全年预算数 × 100；"
            "执行进度/序时进度 = 预算执行率 / 序时进度 × 100",
        ),
        (
            "预警等级",
            f"执行进度/序时进度 < {YELLOW_FROM} 红；{YELLOW_FROM}–<{GREEN_FROM} 黄；"
            f"≥ {GREEN_FROM} 绿（精确比较，恰为{YELLOW_FROM}为黄、恰为{GREEN_FROM}为绿）",
        ),
        (
            "指标预警",
            "累计完成值 ≥ 年度指标值的120% 为蓝；项目的指标预警取其最差指标（红 > 黄 > 蓝 > 绿）",
        ),
        *[(f"判定方法：{code}", text) for code, text in BASIS_LABELS.items()],
        ("预算为0", "全年预算数为0的项目执行率无法计算，不设执行预警，单独计数"),
        (
            "总体进度",
            f"累计执行数合计 / 全年预算数合计；"
            f"与序时进度相差 {SLIGHT_POINTS} 个百分点以内为“略高于/略低于”",
        ),
        ("显示", "比值截尾保留两位小数，显示值与预警颜色一致；金额单位万元"),
    ]
    return pl.DataFrame({"项目": [k for k, _ in lines], "说明": [v for _, v in lines]})


def write_outputs(result: MonitoringResult, out_dir: Path) -> list[Path]:
    """Write every monitoring output into ``out_dir`` atomically; return the files written."""
    tables = {
        "alerts": result.alerts_pl,
        "indicator_alerts": result.indicator_alerts_pl,
        "summary_departments": result.departments_pl,
        "summary_region": result.region_pl,
        "review": result.review_pl,
    }
    sentences = [result.region_sentence, result.region_detail, ""]
    for sentence, detail in result.departments_pl.select("sentence", "detail").iter_rows():
        sentences += [sentence, detail, ""]
    output = atomic_output(out_dir, owns=FILES)
    with output as tmp:
        for name, table in tables.items():
            write_csv(table, tmp / f"{name}.csv")
        (tmp / "summary.txt").write_text("\n".join(sentences), encoding="utf-8")
        sheets = {
            "全区汇总": result.region_pl,
            "部门汇总": result.departments_pl,
            "项目预警": result.alerts_pl,
            "指标预警": result.indicator_alerts_pl,
            "需复核资金": result.review_pl,
        }
        if result.not_reported_pl.height:
            sheets["未报送项目"] = result.not_reported_pl
        cells = dict.fromkeys(ALERT_COLUMNS, ALERT_CELL_FORMATS)
        write_excel(
            tmp / "monitoring.xlsx",
            {name: _for_people(frame) for name, frame in sheets.items()},
            notes={"说明": _rules(result)},
            cell_formats=cells,
        )
    return output.written
