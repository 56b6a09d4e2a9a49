"""The index page of a batch run (报告索引): one self-contained, offline HTML table.

Every run is a row: department, year, score, grade, status, duration, links
to its HTML report, executed notebook and workbook, and for a failed run the
failing cell and error.  All text is escaped (quotes too, for attributes);
links are relative, percent-encoded paths into the run folders (never a
``javascript:`` or any other scheme), so the folder can be copied or zipped as
a whole; a Content-Security-Policy forbids every script and fetch.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import quote

from perfkit.tables._write import atomic_write_text

__all__ = ["write_index"]

_STATUS = {
    "ok": ("完成", "ok"),
    "skipped": ("已是最新（跳过）", "skipped"),
    "failed": ("失败", "failed"),
    "interrupted": ("中断（未完成）", "interrupted"),
}

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",SimHei,
sans-serif;margin:24px;color:#1f2328}
h1{font-size:20px;margin:0 0 6px}
p.meta{color:#57606a;font-size:13px;margin:2px 0}
table{border-collapse:collapse;font-size:13px;margin-top:14px}
th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top}
th{background:#f3f5f7}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td,tr.interrupted td{background:#fff1f0}
span.ok{color:#1a7f37}span.skipped{color:#57606a}span.failed{color:#cf222e;font-weight:600}
span.interrupted{color:#9a6700;font-weight:600}
code{font-size:12px;white-space:pre-wrap}
"""


#: No script, frame, form or fetch on the page: only its own styles (docs/security.md).
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _e(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def _link(run: str, name: str, label: str) -> str:
    # every character but letters, digits and "_.-~" percent-encoded: "/", ":" and quotes too,
    # so the link is always run/file inside the output folder, never a scheme or another folder
    return f'<a href="{quote(run, safe="")}/{quote(name, safe="")}">{_e(label)}</a>'


def _row(record: dict[str, Any]) -> str:
    params = record.get("parameters") or {}
    summary = record.get("summary") or {}
    status, css = _STATUS.get(record["status"], (record["status"], ""))
    name = record["name"]
    outputs = record.get("outputs") or []
    links = []
    if "report.html" in outputs:
        links.append(_link(name, "report.html", "报告"))
    if "report.docx" in outputs:
        links.append(_link(name, "report.docx", "Word"))
    if "report.pdf" in outputs:
        links.append(_link(name, "report.pdf", "PDF"))
    if "report.ipynb" in outputs:
        links.append(_link(name, "report.ipynb", "笔记本"))
    links += [_link(name, f, "工作簿") for f in outputs if f.endswith(".xlsx")]
    error = record.get("error")
    err = ""
    if error:
        where = (
            f"In [{error['execution_count']}] {error.get('source') or ''}"
            if error.get("execution_count") is not None
            else ""
        )
        err = f"<code>{_e(where)}\n{_e(error.get('ename'))}: {_e(error.get('evalue'))}</code>"
    score = summary.get("score")
    cells = [
        f"<td>{_e(name)}</td>",
        f"<td>{_e(summary.get('dept_code', params.get('dept_code')))}</td>",
        f"<td>{_e(summary.get('dept_name'))}</td>",
        f"<td>{_e(summary.get('year', params.get('year')))}</td>",
        f'<td class="num">{"" if score is None else f"{score:.2f}"}</td>',
        f"<td>{_e(summary.get('grade'))}</td>",
        f'<td><span class="{css}">{_e(status)}</span></td>',
        f'<td class="num">{_e(record.get("duration_s"))}</td>',
        f"<td>{' · '.join(links)}</td>",
        f"<td>{err}</td>",
    ]
    return f'<tr class="{css}">' + "".join(cells) + "</tr>"


def write_index(path: str | Path, manifest: dict[str, Any]) -> Path:
    """Write ``index.html`` for a batch run's manifest (atomically).

    Examples
    --------
    >>> import tempfile
    >>> m = {"notebook": "n.ipynb", "started": "s", "finished": "f", "perfkit_version": "0",
    ...      "counts": {"total": 1, "ok": 0, "skipped": 0, "failed": 1},
    ...      "runs": [{"name": "2024-D01", "status": "failed", "parameters": {"year": 2024},
    ...                "error": {"execution_count": 3, "ename": "PerfkitError", "evalue": "<bad>"},
    ...                "outputs": ["report.html"]}]}
    >>> text = write_index(Path(tempfile.mkdtemp()) / "index.html", m).read_text()
    >>> "失败" in text, "&lt;bad&gt;" in text, 'href="2024-D01/report.html"' in text
    (True, True, True)
    """
    counts = manifest.get("counts", {})
    stopped = (
        f"，中断未完成 {_e(counts.get('interrupted'))}（运行被 {_e(manifest.get('interrupted_by'))}"
        " 中断）"
        if manifest.get("interrupted_by")
        else ""
    )
    rows = "\n".join(_row(r) for r in manifest.get("runs", []))
    skipped = manifest.get("pdf_skipped")
    pdf_note = f'\n<p class="meta">未生成 PDF：{_e(skipped)}</p>' if skipped else ""
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>评价报告索引</title><style>{_CSS}</style></head>
<body>
<h1>评价报告索引</h1>
<p class="meta">模板：{_e(manifest.get("notebook"))} · perfkit {_e(manifest.get("perfkit_version"))}
 · 开始 {_e(manifest.get("started"))} · 结束 {_e(manifest.get("finished"))}</p>
<p class="meta">共 {_e(counts.get("total"))} 份：完成 {_e(counts.get("ok"))}，
已是最新 {_e(counts.get("skipped"))}，失败 {_e(counts.get("failed"))}{stopped}</p>{pdf_note}
<table>
<thead><tr><th>报告</th><th>部门编码</th><th>部门名称</th><th>年度</th><th>得分</th><th>等级</th>
<th>状态</th><th>用时（秒）</th><th>文件</th><th>错误</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""
    return atomic_write_text(Path(path), page)
