"""Monitoring tables for people (监控结果导出): the files, Chinese labels, alert cell colours.

:func:`perfkit.monitoring._result.write_outputs` writes them (a result writes itself).
"""

from __future__ import annotations

import polars as pl

from perfkit.present import ALERT_COLOURS, people_frame
from perfkit.present._labels import ALERT_LABELS

__all__ = ["ALERT_CELL_FORMATS", "ALERT_COLUMNS", "FILES", "people_table"]

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


def people_table(frame: pl.DataFrame) -> pl.DataFrame:
    """A result table for people: :func:`perfkit.present.people_frame` in monitoring's words.

    Notebooks show tables with :func:`perfkit.present.table` (``domain="monitoring"``).

    Examples
    --------
    >>> people_table(pl.DataFrame({"unit_code": ["P1"], "execution_alert": ["red"]})).row(0)
    ('P1', '红')
    >>> people_table(pl.DataFrame({"unit_code": ["P1"]})).columns
    ['单位编码']
    """
    return people_frame(frame, "monitoring")
