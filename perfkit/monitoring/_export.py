"""Monitoring tables for people (监控结果导出): the files, Chinese labels, alert cell colours.

:func:`perfkit.monitoring._result.write_outputs` writes them (a result writes itself).
"""

from __future__ import annotations

import polars as pl

from perfkit.monitoring._bands import ALERT_LABELS
from perfkit.monitoring._execution import BUDGET_ZERO
from perfkit.monitoring._indicators import BASIS_LABELS
from perfkit.monitoring._summary import RELATION_LABELS
from perfkit.present import ALERT_COLOURS
from perfkit.present._labels import DIRECTION_LABELS, column_label

__all__ = ["ALERT_CELL_FORMATS", "ALERT_COLUMNS", "FILES", "for_people", "people_table"]

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


def for_people(frame: pl.DataFrame) -> pl.DataFrame:
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
    out = for_people(frame)
    return out.rename({c: column_label(c) for c in out.columns})
