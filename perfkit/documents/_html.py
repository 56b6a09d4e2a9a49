"""A :class:`~perfkit.documents.Document` as HTML: the notebook's view and a printable A4 page.

Every text is escaped (a department or project name is data, never markup); figures are
embedded PNG (``data:`` URIs, no network); ``@page`` sets A4 portrait with the official
margins, table headers repeat on every printed page, and no column is squeezed to one
character (cells wrap at word boundaries of long text only).
"""

from __future__ import annotations

import base64
import html
import re

from perfkit.documents._model import Document, Figure, Paragraph, Table
from perfkit.present import HtmlText

__all__ = ["CSS", "to_html"]

_TODO = re.compile(r"【待填写：[^】]*】")

CSS = """
@page{size:A4 portrait;margin:37mm 26mm 35mm 28mm}
.pk-doc{font-family:"FangSong","仿宋","STFangsong","Noto Serif CJK SC","Source Han Serif SC",serif;
font-size:16px;line-height:1.75;color:#000;max-width:760px}
.pk-doc h1.pk-title{font-family:"方正小标宋简体","SimHei","黑体","Noto Sans CJK SC",sans-serif;
font-size:26px;text-align:center;font-weight:normal;margin:24px 0 8px}
.pk-doc p.pk-cover{text-align:center;margin:2px 0}
.pk-doc h2{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:18px;
font-weight:normal;margin:20px 0 6px;break-after:avoid}
.pk-doc h3{font-family:"KaiTi","楷体","STKaiti","Noto Serif CJK SC",serif;font-size:17px;
font-weight:bold;margin:14px 0 4px;break-after:avoid}
.pk-doc p{margin:4px 0;text-indent:2em}
.pk-doc p.pk-flat{text-indent:0}
.pk-doc table{border-collapse:collapse;font-family:"SimSun","宋体","Noto Serif CJK SC",serif;
font-size:13px;margin:4px auto 14px;line-height:1.4}
.pk-doc th,.pk-doc td{border:1px solid #000;padding:2px 6px;vertical-align:top;
word-break:keep-all;overflow-wrap:break-word}
.pk-doc th{font-weight:bold;text-align:center}
.pk-doc td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.pk-doc thead{display:table-header-group}
.pk-doc caption{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:14px;
padding:4px 0}
.pk-doc tr{break-inside:avoid}
.pk-doc figure{text-align:center;margin:8px 0;break-inside:avoid}
.pk-doc figure img{max-width:100%}
.pk-doc figcaption{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:14px}
.pk-doc .pk-todo{background:#fff3bf;color:#8a4b00}
.pk-doc p.pk-note{font-size:13px;text-indent:0}
"""


def _e(text: str) -> str:
    # placeholders stand out on screen (their characters stay as they are)
    return _TODO.sub(r'<span class="pk-todo">\g<0></span>', html.escape(text))


def _table(block: Table) -> str:
    numeric = block.numeric or [False] * len(block.headers)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(v)}</td>' if right else f"<td>{html.escape(v)}</td>"
            for v, right in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in block.rows
    )
    note = f'<p class="pk-note">{_e(block.note)}</p>' if block.note else ""
    return (
        f"<table><caption>{html.escape(block.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>{note}"
    )


def _body(doc: Document) -> str:
    parts = [f'<h1 class="pk-title">{html.escape(doc.title)}</h1>']
    if doc.subtitle:
        parts.append(f'<p class="pk-cover">{html.escape(doc.subtitle)}</p>')
    parts += [f'<p class="pk-cover">{_e(line)}</p>' for line in doc.cover]
    for section in doc.sections:
        tag = "h2" if section.level == 1 else "h3"
        parts.append(f"<{tag}>{html.escape(section.title)}</{tag}>")
        for block in section.blocks:
            if isinstance(block, Paragraph):
                css = "" if block.indent else ' class="pk-flat"'
                lead = f"<strong>{html.escape(block.lead)}</strong>" if block.lead else ""
                parts.append(f"<p{css}>{lead}{_e(block.text)}</p>")
            elif isinstance(block, Table):
                parts.append(_table(block))
            elif isinstance(block, Figure):
                data = base64.b64encode(block.png).decode("ascii")
                parts.append(
                    f'<figure><img alt="{html.escape(block.caption)}" '
                    f'src="data:image/png;base64,{data}" style="width:{block.width_cm:.1f}cm">'
                    f"<figcaption>{html.escape(block.caption)}</figcaption></figure>"
                )
    return "\n".join(parts)


def to_html(doc: Document, *, standalone: bool = False) -> HtmlText:
    """The document as HTML: a fragment for a notebook, or a whole page (``standalone``).

    Examples
    --------
    >>> d = Document("<b>局</b>报告")
    >>> out = d.section("一、基本情况").add("共<3>个项目。")
    >>> s = str(to_html(d))
    >>> "&lt;b&gt;局&lt;/b&gt;报告" in s, "共&lt;3&gt;个项目。" in s, "@page{size:A4" in s
    (True, True, True)
    """
    body = f'<style>{CSS}</style><div class="pk-doc">{_body(doc)}</div>'
    if standalone:
        body = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(doc.title)}</title></head><body>{body}</body></html>"
        )
    plain = "\n".join(text for _, text in doc.texts())
    return HtmlText(body, plain)
