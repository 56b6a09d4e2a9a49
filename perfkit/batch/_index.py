"""The index page of a batch run (报告索引): one self-contained, offline HTML table.

Every run is a row: department, year, score, grade, status, duration, links
to its HTML report, executed notebook and workbook, and for a failed run the
failing cell and error.  All text is escaped (quotes too, for attributes);
links are relative, percent-encoded paths into the run folders (never a
``javascript:`` or any other scheme), so the folder can be copied or zipped as
a whole; a Content-Security-Policy forbids every script and fetch.

Times are shown in local time with the zone (``2026-12-02 13:05 (UTC+08:00)``):
the zone named by the ``PERFKIT_TIMEZONE`` environment variable (an IANA name
such as ``Asia/Shanghai``) or else the machine's own.  Below the runs, a totals
row sums the region: reports, money, the mean score and the grade counts
(``docs/reports.md``).
"""

from __future__ import annotations

import html
import os
from collections import Counter
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

from perfkit.i18n import _, ngettext
from perfkit.tables._write import atomic_write_text

__all__ = ["TIMEZONE_VARIABLE", "local_time", "write_index"]

#: The environment variable naming the zone of the index's times (IANA, e.g. Asia/Shanghai).
TIMEZONE_VARIABLE = "PERFKIT_TIMEZONE"

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
tfoot td{font-weight:600;background:#f6f8fa}
span.ok{color:#1a7f37}span.skipped{color:#57606a}span.failed{color:#cf222e;font-weight:600}
span.interrupted{color:#9a6700;font-weight:600}
code{font-size:12px;white-space:pre-wrap}
"""


#: No script, frame, form or fetch on the page: only its own styles (docs/security.md).
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _zone() -> tzinfo | None:
    name = os.environ.get(TIMEZONE_VARIABLE, "").strip()
    if name:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # an unknown name: the machine's zone (the index is written at a run's end)
    return None


def local_time(stamp: object, zone: tzinfo | None = None) -> str:
    """An ISO time stamp as local time with its zone, to the minute.

    ``zone`` None is the machine's zone.  Text that is not a time stamp is shown as it is.

    Examples
    --------
    >>> from zoneinfo import ZoneInfo
    >>> local_time("2026-12-02T05:05:09+00:00", ZoneInfo("Asia/Shanghai"))
    '2026-12-02 13:05 (UTC+08:00)'
    >>> local_time("2026-07-01T12:00:00+00:00", ZoneInfo("America/New_York"))
    '2026-07-01 08:00 (UTC-04:00)'
    >>> local_time("yesterday")
    'yesterday'
    """
    if not isinstance(stamp, str):
        return "" if stamp is None else str(stamp)
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:  # perfkit writes UTC stamps with their offset; a bare one is UTC
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    offset = local.strftime("%z") or "+0000"
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:5]})"


def _amount(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(Decimal('0.01')):,}"


def _totals(runs: list[dict[str, Any]]) -> tuple[str, str]:
    """The region's totals over the runs that have a summary: a sentence and a table row."""
    summaries = [r.get("summary") or {} for r in runs]
    summaries = [s for s in summaries if s]
    money = [m for m in (_amount(s.get("budget_full_year")) for s in summaries) if m is not None]
    executed = [m for m in (_amount(s.get("executed")) for s in summaries) if m is not None]
    scores = [m for m in (_amount(s.get("score")) for s in summaries) if m is not None]
    projects = sum(int(s.get("n_projects") or 0) for s in summaries)
    budget = sum(money, Decimal(0)) if money else None
    spent = sum(executed, Decimal(0)) if executed else None
    mean = (
        (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        if scores
        else None
    )
    grades = Counter(str(s["grade"]) for s in summaries if s.get("grade"))
    order = ["优", "良", "中", "差"]
    grade_text = _(", ").join(
        f"{g} {grades[g]}" for g in [*order, *sorted(set(grades) - set(order))] if grades[g]
    )
    reports = ngettext("{n} report", "{n} reports", len(summaries)).format(n=len(summaries))
    parts = [reports]
    if projects:
        parts.append(ngettext("{n} project", "{n} projects", projects).format(n=f"{projects:,}"))
    counted = _(", ").join(parts)  # reports and projects, for the totals row
    label = _("Total")
    if budget is not None:
        parts.append(_("full-year budget {money} (10k yuan)").format(money=_money(budget)))
    if budget and spent is not None:
        rate = (spent * 100 / budget).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        parts.append(
            _("executed {money} (10k yuan), execution rate {rate}%").format(
                money=_money(spent), rate=rate
            )
        )
    if mean is not None:
        parts.append(_("mean score {mean}").format(mean=mean))
    if grade_text:
        parts.append(_("grades: {grades}").format(grades=grade_text))
    total = _("Region total: {totals}.").format(totals=_("; ").join(parts))
    sentence = f'<p class="meta">{_e(total)}</p>'
    row = (
        "<tfoot><tr>"
        f'<td>{_e(label)}</td><td colspan="3">{_e(counted)}</td>'
        f'<td class="num">{_money(budget)}</td>'
        f'<td class="num">{"" if mean is None else mean}</td>'
        f'<td colspan="5">{_e(grade_text)}</td>'
        "</tr></tfoot>"
    )
    return sentence, row


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
        f'<td class="num">{_money(_amount(summary.get("budget_full_year")))}</td>',
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
    totals, foot = _totals(manifest.get("runs", []))
    budget_header = _e(_("Full-year budget (10k yuan)"))
    zone = _zone()
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>评价报告索引</title><style>{_CSS}</style></head>
<body>
<h1>评价报告索引</h1>
<p class="meta">模板：{_e(manifest.get("notebook"))} · perfkit {_e(manifest.get("perfkit_version"))}
 · 开始 {_e(local_time(manifest.get("started"), zone))}
 · 结束 {_e(local_time(manifest.get("finished"), zone))}</p>
<p class="meta">共 {_e(counts.get("total"))} 份：完成 {_e(counts.get("ok"))}，
已是最新 {_e(counts.get("skipped"))}，失败 {_e(counts.get("failed"))}{stopped}</p>{pdf_note}
{totals}
<table>
<thead><tr><th>报告</th><th>部门编码</th><th>部门名称</th><th>年度</th><th>{budget_header}</th>
<th>得分</th><th>等级</th>
<th>状态</th><th>用时（秒）</th><th>文件</th><th>错误</th></tr></thead>
<tbody>
{rows}
</tbody>{foot}</table>
</body></html>
"""
    return atomic_write_text(Path(path), page)
