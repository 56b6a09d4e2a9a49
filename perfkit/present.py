"""Tables for people in notebooks and HTML reports (报表呈现).

:func:`table` turns a frame into a small, self-contained HTML table with
Chinese headers (:func:`perfkit.labels.column_label`), codes translated to
words, numbers with two decimals and every cell escaped — a project name
can never inject markup into a report.
"""

from __future__ import annotations

import html
from typing import Any

import polars as pl

from perfkit.labels import column_label, translate_for_people

__all__ = ["HtmlTable", "table"]

_STYLE = (
    "<style>.pk-table{border-collapse:collapse;font-size:13px;margin:6px 0 14px}"
    ".pk-table th,.pk-table td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}"
    ".pk-table th{background:#f3f5f7;font-weight:600;text-align:center}"
    ".pk-table td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".pk-table caption{caption-side:top;text-align:left;font-weight:600;padding:4px 0}"
    ".pk-more{color:#666;font-size:12px}</style>"
)


class HtmlTable:
    """A frame rendered as HTML (``_repr_html_`` for Jupyter); ``str()`` gives the HTML."""

    def __init__(self, markup: str, frame: pl.DataFrame) -> None:
        self.markup = markup
        self.frame = frame

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def _cell(value: Any, dtype: pl.DataType, decimals: int) -> tuple[str, bool]:
    if value is None:
        return "—", False
    if dtype == pl.Boolean:
        return ("是" if value else "否"), False
    if dtype.is_float():
        return f"{value:,.{decimals}f}", True
    if dtype.is_integer():
        return f"{value:,}", True
    return html.escape(str(value)), False


def table(
    frame: Any,
    *,
    caption: str | None = None,
    max_rows: int = 200,
    decimals: int = 2,
    labels: dict[str, str] | None = None,
) -> HtmlTable:
    """An HTML table for people: Chinese headers, 2-decimal numbers, escaped text.

    Parameters
    ----------
    frame : polars.DataFrame or pandas.DataFrame
        The rows to show.
    caption : str, optional
        A title above the table.
    max_rows : int
        Rows shown; a note says how many more there are.
    decimals : int
        Decimals for floating-point columns.
    labels : dict, optional
        Extra column → header labels (override the defaults).

    Examples
    --------
    >>> t = table(pl.DataFrame({"unit_name": ["<b>x</b>"], "total": [86.2]}))
    >>> "<th>名称</th><th>总分</th>" in str(t), "&lt;b&gt;x&lt;/b&gt;" in str(t), "86.20" in str(t)
    (True, True, True)
    """
    if not isinstance(frame, pl.DataFrame):
        frame = pl.from_pandas(frame)
    shown = translate_for_people(frame.head(max_rows))
    names = [html.escape((labels or {}).get(c) or column_label(c)) for c in shown.columns]
    rows = []
    for row in shown.iter_rows():
        cells = []
        for value, dtype in zip(row, shown.dtypes, strict=True):
            text, numeric = _cell(value, dtype, decimals)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    head = "<tr>" + "".join(f"<th>{n}</th>" for n in names) + "</tr>"
    more = (
        f'<p class="pk-more">另有 {frame.height - max_rows:,} 行未显示'
        f"（共 {frame.height:,} 行）。</p>"
        if frame.height > max_rows
        else ""
    )
    markup = (
        f'{_STYLE}<table class="pk-table">{cap}<thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )
    return HtmlTable(markup, frame)
