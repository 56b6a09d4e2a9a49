"""Presentation (呈现): words and shapes for people — floor 1, right above the foundation.

- ``_labels``: the one label registry — Chinese headers for output columns and words
  for codes (flags, severities, rules, directions, alerts, movements …), general and per
  domain; the Excel writer of ``perfkit.tables`` translates headers with them, so they
  sit below the tables;
- ``_table``: the one table for people (:func:`table`, HTML; :func:`people_frame`, a
  frame), escaped text and headings for reports;
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
    CODE_LABELS,
    COLUMN_LABELS,
    DIRECTION_LABELS,
    DOMAIN_COLUMN_LABELS,
    DOMAINS,
    FLAG_LABELS,
    SEVERITY_LABELS,
    column_label,
    people_headers,
    translate_for_people,
)
from perfkit.present._table import (
    HtmlTable,
    HtmlText,
    heading,
    people_frame,
    people_words,
    table,
    text,
)
from perfkit.present._templates import TEMPLATES

__all__ = [
    "ALERT_COLOURS",
    "CODE_LABELS",
    "COLUMN_LABELS",
    "DIRECTION_LABELS",
    "DOMAINS",
    "DOMAIN_COLUMN_LABELS",
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
    "people_frame",
    "people_headers",
    "people_words",
    "table",
    "text",
    "translate_for_people",
]
