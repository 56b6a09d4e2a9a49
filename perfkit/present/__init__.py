"""Presentation (呈现): words and shapes for people — the lowest layer above the foundation.

- ``_labels``: Chinese labels for output columns and codes (flags, severities, rules,
  directions); the Excel writer of ``perfkit.tables`` translates headers with them,
  so they sit below the tables;
- ``_table``: escaped HTML tables and text for reports;
- ``_charts``: offline altair charts (inline SVG), grade and alert colours.

Nothing here computes a result or reads a file.  The chart names load altair, which
takes seconds to import: they are resolved on first use (PEP 562), so that reading and
scoring never pay for it.

Examples
--------
>>> from perfkit.present import column_label
>>> column_label("total")
'总分'
"""

import importlib
from typing import Any

from perfkit.present._labels import (
    COLUMN_LABELS,
    DIRECTION_LABELS,
    FLAG_LABELS,
    SEVERITY_LABELS,
    column_label,
    translate_for_people,
)
from perfkit.present._table import HtmlTable, HtmlText, heading, table, text

#: Chart names → the module that defines them (altair is imported on first use).
_CHARTS = {
    name: "perfkit.present._charts"
    for name in (
        "ALERT_COLOURS",
        "FONT",
        "GRADE_COLOURS",
        "GRADE_ORDER",
        "grade_distribution_chart",
        "grade_scale",
        "points_lost_chart",
        "score_vs_execution_chart",
        "setup_charts",
    )
}


def __getattr__(name: str) -> Any:
    if name in _CHARTS:
        return getattr(importlib.import_module(_CHARTS[name]), name)
    raise AttributeError(f"module 'perfkit.present' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "COLUMN_LABELS",
    "DIRECTION_LABELS",
    "FLAG_LABELS",
    "SEVERITY_LABELS",
    "HtmlTable",
    "HtmlText",
    "column_label",
    "heading",
    "table",
    "text",
    "translate_for_people",
    *_CHARTS,
]
