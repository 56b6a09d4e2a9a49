"""Tables and text for people in notebooks and HTML reports (报表呈现).

:func:`table` is the one "table for people": it turns a frame into a small,
self-contained HTML table with Chinese headers from the label registry
(:func:`perfkit.present._labels.column_label`, per domain), codes translated to
words, exact numbers shown as written (two decimals, a fixed-point decimal with
its own scale, years without a thousands separator) and every cell escaped — a
project name can never inject markup into a report.  :func:`people_frame` gives
the same headers and words as a frame (for a workbook or a plain display).
:func:`text` and :func:`heading` are the one way a notebook shows a sentence
or a title made from data: escaped HTML, never Markdown (a department named
``[点我](javascript:…)`` or ``<img onerror=…>`` is shown as those characters).
See ``docs/security.md``.
"""

from __future__ import annotations

import html
from typing import Any

import polars as pl

from perfkit._frames import to_polars
from perfkit.i18n import _
from perfkit.present._labels import people_headers, translate_for_people

__all__ = [
    "LONG_TEXT",
    "WIDE_COLUMNS",
    "HtmlTable",
    "HtmlText",
    "heading",
    "people_frame",
    "people_words",
    "table",
    "text",
]

#: A table with this many columns or more is "wide": it prints on a landscape A4 page in a
#: smaller font (class ``pk-wide``; the report template's print rules, docs/reports.md).
WIDE_COLUMNS = 10
#: Text columns with values longer than this (characters) get a minimum width (class
#: ``long``), so a long Chinese name wraps into lines of words, not one character a line.
LONG_TEXT = 12

_STYLE = (
    "<style>.pk-table{border-collapse:collapse;font-size:13px;margin:6px 0 14px}"
    ".pk-table th,.pk-table td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;"
    "min-width:3em;overflow-wrap:normal;word-break:normal}"
    ".pk-table th{background:#f3f5f7;font-weight:600;text-align:center;min-width:4em}"
    ".pk-table td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".pk-table th.long{min-width:8em}"
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


class HtmlText:
    """Escaped text as HTML (``_repr_html_`` for Jupyter); ``str()`` gives the HTML.

    The notebook's plain-text output (``repr``) is the text itself.
    """

    def __init__(self, markup: str, plain: str) -> None:
        self.markup = markup
        self.plain = plain

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.plain


def _text(value: object) -> str:
    return "" if value is None else str(value)


_STYLES = ("p", "list", "pre")


def text(
    *parts: object, lead: object | None = None, strong: bool = False, style: str = "p"
) -> HtmlText:
    """Sentences made from data, shown in a report as text (escaped HTML, never Markdown).

    Parameters
    ----------
    *parts : object
        The text; ``str()`` of each, ``None`` as nothing.
    lead : object, optional
        Bold words before the first part (``全区：``).
    strong : bool
        Every paragraph in bold (style ``"p"``).
    style : {"p", "list", "pre"}
        One paragraph per part, a bulleted list (one item per part), or one
        preformatted block (one line per part, for aligned text).

    Examples
    --------
    >>> str(text("教育局<img src=x onerror=alert(1)>", lead="部门："))
    '<p><b>部门：</b>教育局&lt;img src=x onerror=alert(1)&gt;</p>'
    >>> str(text("[点我](javascript:x)", "b", style="list"))
    '<ul><li>[点我](javascript:x)</li><li>b</li></ul>'
    >>> t = text("良", strong=True)
    >>> str(t), t
    ('<p><b>良</b></p>', 良)
    """
    if style not in _STYLES:
        raise ValueError(
            _("style must be one of {styles}, not {style!r}").format(styles=_STYLES, style=style)
        )
    items = [_text(p) for p in parts]
    plain = "\n".join(items) if lead is None else _text(lead) + "\n".join(items)
    escaped = [html.escape(i) for i in items]
    if style == "pre":
        markup = f"<pre>{chr(10).join(escaped)}</pre>"
    elif style == "list":
        markup = "<ul>" + "".join(f"<li>{i}</li>" for i in escaped) + "</ul>"
    else:
        if strong:
            escaped = [f"<b>{i}</b>" for i in escaped]
        if lead is not None:
            escaped[0:1] = [f"<b>{html.escape(_text(lead))}</b>{escaped[0] if escaped else ''}"]
        markup = "".join(f"<p>{i}</p>" for i in escaped)
    return HtmlText(markup, plain)


def heading(title: object, level: int = 2) -> HtmlText:
    """A title made from data, escaped (``<h1>`` … ``<h4>``; ``<h1>`` for a report's title).

    Examples
    --------
    >>> str(heading("2024年 <script>x</script>", level=3))
    '<h3>2024年 &lt;script&gt;x&lt;/script&gt;</h3>'
    """
    if level not in (1, 2, 3, 4):
        raise ValueError(_("level must be 1, 2, 3 or 4, not {level!r}").format(level=level))
    return HtmlText(f"<h{level}>{html.escape(_text(title))}</h{level}>", _text(title))


def _plain_integer(name: str) -> bool:
    """Integer columns shown without a thousands separator (years, months, row numbers)."""
    return name.endswith(("year", "_row", "month")) or name in ("row", "order")


def _cell(value: Any, dtype: pl.DataType, decimals: int, plain: bool) -> tuple[str, bool]:
    if value is None:
        return "—", False
    if dtype == pl.Boolean:
        return ("是" if value else "否"), False
    if isinstance(dtype, pl.Decimal):
        return f"{value:,}", True  # exact, with the column's own scale
    if dtype.is_float():
        return f"{value:,.{decimals}f}", True
    if dtype.is_integer():
        return (str(value) if plain else f"{value:,}"), True
    if isinstance(dtype, pl.List):
        return html.escape("、".join("—" if v is None else str(v) for v in value)), False
    return html.escape(str(value)), False


def people_words(frame: pl.DataFrame, domain: str = "general") -> pl.DataFrame:
    """Codes → words and dates → ISO text; the column names are kept (for a workbook).

    Examples
    --------
    >>> people_words(pl.DataFrame({"basis": ["qualitative"]}), "monitoring").row(0)
    ('定性：达成绿、部分达成黄、未达成红',)
    """
    shown = translate_for_people(frame, domain)
    dates = [pl.col(c).cast(pl.String) for c, t in shown.schema.items() if t == pl.Date]
    return shown.with_columns(dates) if dates else shown


def people_frame(frame: Any, domain: str = "general") -> pl.DataFrame:
    """A frame as people read it: Chinese headers (unique), codes as words, dates as text.

    Parameters
    ----------
    frame : polars.DataFrame or pandas.DataFrame
        The rows to show.
    domain : {"general", "compare", "explorer", "monitoring", "sampling", "targets"}
        Whose wording of headers and codes to use (see :data:`perfkit.present.DOMAINS`).

    Examples
    --------
    >>> people_frame(pl.DataFrame({"unit_code": ["P1"], "execution_alert": ["red"]}),
    ...              "monitoring").to_dicts()
    [{'单位编码': 'P1', '执行预警': '红'}]
    """
    shown = people_words(to_polars(frame), domain)
    return shown.rename(people_headers(shown.columns, domain))


def table(
    frame: Any,
    *,
    caption: str | None = None,
    max_rows: int = 200,
    decimals: int = 2,
    labels: dict[str, str] | None = None,
    domain: str = "general",
) -> HtmlTable:
    """The one table for people (HTML): Chinese headers, exact numbers, codes as words, escaped.

    Parameters
    ----------
    frame : polars.DataFrame or pandas.DataFrame
        The rows to show.
    caption : str, optional
        A title above the table.
    max_rows : int
        Rows shown; a note says how many more there are.
    decimals : int
        Decimals for floating-point columns (a fixed-point decimal column keeps its scale).
    labels : dict, optional
        Extra column → header labels (override the registry's).
    domain : {"general", "compare", "explorer", "monitoring", "sampling", "targets"}
        Whose wording of headers and codes to use.

    Examples
    --------
    >>> t = table(pl.DataFrame({"unit_name": ["<b>x</b>"], "total": [870.0], "year": [2024]}))
    >>> "<th>名称</th><th>总分</th><th>年度</th>" in str(t), "&lt;b&gt;x&lt;/b&gt;" in str(t)
    (True, True)
    >>> ">870.00<" in str(t), ">2024<" in str(t)
    (True, True)
    >>> "<td>红</td>" in str(table(pl.DataFrame({"execution_alert": ["red"]}), domain="monitoring"))
    True
    """
    frame = to_polars(frame)
    shown = people_words(frame.head(max_rows), domain)
    headers = people_headers(shown.columns, domain)
    names = [html.escape((labels or {}).get(c) or headers[c]) for c in shown.columns]
    plain = [_plain_integer(c) for c in shown.columns]
    lengths = shown.select(
        pl.col(c).str.len_chars().max() for c, t in shown.schema.items() if t == pl.String
    )
    long = {
        c
        for c, n in (lengths.row(0, named=True) if lengths.width else {}).items()
        if (n or 0) > LONG_TEXT
    }
    rows = []
    for row in shown.iter_rows():
        cells = []
        for value, dtype, bare in zip(row, shown.dtypes, plain, strict=True):
            text, numeric = _cell(value, dtype, decimals, bare)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    head = (  # a column's minimum width is set on its header cell (its class "long")
        "<tr>"
        + "".join(
            f'<th class="long">{n}</th>' if c in long else f"<th>{n}</th>"
            for c, n in zip(shown.columns, names, strict=True)
        )
        + "</tr>"
    )
    more = (
        f'<p class="pk-more">另有 {frame.height - max_rows:,} 行未显示'
        f"（共 {frame.height:,} 行）。</p>"
        if frame.height > max_rows
        else ""
    )
    kind = "pk-table pk-wide" if shown.width >= WIDE_COLUMNS else "pk-table"
    markup = (
        f'{_STYLE}<table class="{kind}">{cap}<thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )
    return HtmlTable(markup, frame)
