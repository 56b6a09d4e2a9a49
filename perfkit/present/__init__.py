"""Presentation (呈现): words and shapes for people — floor 1, right above the foundation.

- ``_labels``: Chinese labels for output columns and codes (flags, severities, rules,
  directions); the Excel writer of ``perfkit.tables`` translates headers with them,
  so they sit below the tables;
- ``_table``: escaped HTML tables and text for reports;
- ``charts`` (public module, not imported here): offline altair charts (inline SVG),
  grade and alert colours.  altair takes seconds to import, so only a notebook or a
  report that draws imports ``perfkit.present.charts``.

Nothing here computes a result or reads a file.

Examples
--------
>>> from perfkit.present import column_label
>>> column_label("total")
'总分'
"""

from perfkit.present._colours import ALERT_COLOURS, FONT, GRADE_COLOURS, GRADE_ORDER
from perfkit.present._labels import (
    COLUMN_LABELS,
    DIRECTION_LABELS,
    FLAG_LABELS,
    SEVERITY_LABELS,
    column_label,
    translate_for_people,
)
from perfkit.present._table import HtmlTable, HtmlText, heading, table, text
from perfkit.present._templates import TEMPLATES

__all__ = [
    "ALERT_COLOURS",
    "COLUMN_LABELS",
    "DIRECTION_LABELS",
    "FLAG_LABELS",
    "FONT",
    "GRADE_COLOURS",
    "GRADE_ORDER",
    "SEVERITY_LABELS",
    "TEMPLATES",
    "HtmlTable",
    "HtmlText",
    "column_label",
    "heading",
    "table",
    "text",
    "translate_for_people",
]
