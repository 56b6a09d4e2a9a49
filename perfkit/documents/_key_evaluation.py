"""The key-evaluation report (重点评价报告) of one object, in the official outline.

:func:`key_evaluation_report` renders one object of a scored key evaluation
(:class:`perfkit.keyeval.KeyEvaluation`: leaves with points, score, 评分标准, evidence,
reason and trace; group score rates; total; grade) as a :class:`Document`:

封面 · 目录 · 一、基本情况 · 二、绩效评价工作开展情况 · 三、综合评价情况及评价结论 ·
四、绩效评价指标分析 (one part per group of the framework: 决策/过程/产出/效益 or
投入/过程/产出/效果, its score rate, the deductions with their reasons and evidence, the
computed items with their data trace; the satisfaction survey where present) ·
五、主要经验及做法、存在的问题及原因分析 · 六、有关建议 · 七、其他需要说明的问题 ·
附件 (附表1 评分表: every leaf with its points, 评分标准, score, evidence and reason).

Every number comes from the result; the evaluator's text comes from the notes file, and a
missing note is a visible ``【待填写：…】``.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import polars as pl

from perfkit.documents._common import (
    CN_NUMBERS,
    EVALUATION_REPORT_OUTLINE,
    pct,
    system_tables,
)
from perfkit.documents._docx import write_docx
from perfkit.documents._model import Document, Paragraph, Section, Table, placeholder
from perfkit.documents._notes import NOTE_TITLES, Notes
from perfkit.documents._save import FORMATS, UnfinishedDocument, save_document
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.keyeval import KeyEvaluation
from perfkit.keyeval._result import LeafResult, ObjectResult
from perfkit.tables import safe_filename
from perfkit.tables._office import NO_SOFFICE, convert_to_pdf, soffice
from perfkit.tables._write import atomic_write_bytes, file_sha256

__all__ = [
    "KEY_EVALUATION_OUTLINE",
    "key_evaluation_documents",
    "key_evaluation_report",
    "report_name",
    "save_key_evaluation_documents",
]

#: The level-1 headings of the key-evaluation report, in order.
KEY_EVALUATION_OUTLINE = EVALUATION_REPORT_OUTLINE

_KIND = {"project": "项目支出", "department": "部门整体支出"}


def _pts(value: Decimal) -> str:
    return f"{value:.2f}"


def _note(notes: Notes, key: str, section: Section) -> None:
    section.add(*(notes.paragraphs(key) or [placeholder(NOTE_TITLES[key])]))


def _object(result: KeyEvaluation, unit_code: str | None) -> ObjectResult:
    codes = [o.unit_code for o in result.objects]
    if unit_code is None:
        if len(codes) != 1:
            raise PerfkitError(
                _("the evaluation has {n} objects ({codes}): name one").format(
                    n=len(codes), codes=", ".join(codes)
                )
            )
        return result.objects[0]
    for obj in result.objects:
        if obj.unit_code == unit_code:
            return obj
    raise PerfkitError(
        _("{code} is not an object of the evaluation (it has {codes})").format(
            code=unit_code, codes=", ".join(codes)
        )
    )


def _basic(doc: Document, obj: ObjectResult, result: KeyEvaluation) -> None:
    s = doc.section("一、基本情况")
    kind = "项目" if obj.kind == "project" else "部门"
    s.add(
        Paragraph(
            f"{obj.name}（编码{obj.unit_code}）是{obj.year}年度重点绩效评价对象之一，"
            f"按{kind}{'支出' if obj.kind == 'project' else '整体支出'}绩效评价，"
            f"适用指标体系“{result.system.title}”。",
            lead="（一）评价对象。",
        )
    )
    computed = [leaf for leaf in obj.leaves if leaf.source == "computed" and leaf.trace]
    if computed:
        s.add(Paragraph("由数据计算的主要情况如下：", lead="（二）资金及绩效目标完成情况。"))
        for leaf in computed:
            s.add(f"{leaf.label}：{leaf.trace}。")
    else:
        s.add(
            Paragraph(
                "评价数据未提供可计算的资金及产出指标，相关指标由评价人员依据佐证材料评分。",
                lead="（二）资金及绩效目标完成情况。",
            )
        )


def _work(
    doc: Document,
    obj: ObjectResult,
    result: KeyEvaluation,
    notes: Notes,
    sources: list[Path],
) -> None:
    system = result.system
    s = doc.section("二、绩效评价工作开展情况")
    s.add(
        Paragraph(
            "通过第三方重点评价，了解预算资金的使用效率和效果，检查绩效目标的完成情况，"
            "为改进预算管理、优化资源配置和结果应用提供依据。",
            lead="（一）评价目的。",
        ),
        Paragraph(
            f"评价对象为{obj.name}（{obj.unit_code}）{obj.year}年度{_KIND.get(obj.kind, '')}，"
            f"共评价三级指标{len(obj.leaves)}项。",
            lead="（二）评价对象和范围。",
        ),
        Paragraph(
            "《财政部关于印发〈项目支出绩效评价管理办法〉的通知》（财预〔2020〕10号）；"
            f"指标体系“{system.title}”，一级指标及分值见表1，评价等级划分见表2。",
            lead="（三）评价依据。",
        ),
    )
    s.add(*system_tables(system, 1))
    n_computed = sum(1 for leaf in obj.leaves if leaf.source == "computed")
    s.add(
        Paragraph(
            f"{len(obj.leaves)}项三级指标中，{n_computed}项由数据计算"
            "（计算值、公式和数据所在行见附表1），"
            f"{len(obj.leaves) - n_computed}项由评价人员按评分标准逐项评分"
            "并注明佐证材料和扣分理由；"
            "每项得分四舍五入保留两位小数，总分为各项得分之和。",
            lead="（四）评价方法。",
        )
    )
    s.add(
        Paragraph(
            "本报告的数据均取自以下文件，指纹可用于核对数据未被改动：", lead="（五）数据来源。"
        )
    )
    rows = [(p.name, file_sha256(p)[:16]) for p in sources if p.is_file()]
    s.add(
        Table.from_frame(
            pl.DataFrame(rows, schema=["文件", "SHA-256（前16位）"], orient="row"), "表3 数据来源"
        )
    )
    s.add(
        Paragraph(
            " ".join(notes.paragraphs("process")) or placeholder(NOTE_TITLES["process"]),
            lead="（六）评价工作过程。",
        )
    )


def _group_table(obj: ObjectResult) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "一级指标": [g.label for g in obj.groups],
            "分值": [float(g.points) for g in obj.groups],
            "得分": [float(g.score) for g in obj.groups],
            "得分率（%）": [float(g.rate) for g in obj.groups],
        }
    )


def _conclusion(doc: Document, obj: ObjectResult, notes: Notes) -> None:
    s = doc.section("三、综合评价情况及评价结论")
    rates = "；".join(
        f"{g.label}{_pts(g.score)}分（满分{_pts(g.points)}分，得分率{pct(g.rate)}）"
        for g in obj.groups
    )
    s.add(
        f"经评价，{obj.name}{obj.year}年度绩效评价得分{_pts(obj.total)}分，"
        f"评价等级为“{obj.grade}”。其中{rates}。"
    )
    s.add(Table.from_frame(_group_table(obj), "表4 各一级指标得分情况"))
    weakest = min(obj.groups, key=lambda g: g.rate) if obj.groups else None
    text = f"{obj.name}总体绩效{'较好' if obj.grade in ('优', '良') else '一般'}"
    if weakest is not None:
        text += f"，得分率最低的一级指标为{weakest.label}（{pct(weakest.rate)}）"
    s.add(Paragraph(text + "。" + " ".join(notes.paragraphs("conclusion")), lead="评价结论："))


def _deduction(leaf: LeafResult) -> str:
    lost = leaf.points - leaf.score
    text = (
        f"“{leaf.label}”（分值{_pts(leaf.points)}分，得分{_pts(leaf.score)}分，扣{_pts(lost)}分）"
    )
    if leaf.source == "computed":
        return text + f"：{leaf.trace or '由数据计算'}。"
    text += f"：{leaf.reason or '未注明扣分理由'}"
    return text + (f"；佐证材料：{leaf.evidence}。" if leaf.evidence else "。")


def _survey_part(s: Section, obj: ObjectResult, survey: pl.DataFrame | None) -> bool:
    if survey is None or not survey.height:
        return False
    mine = survey
    if "unit_code" in survey.columns:
        mine = survey.filter(pl.col("unit_code") == obj.unit_code)
    if not mine.height:
        return False
    pooled = mine.filter(pl.col("question") == "ALL")
    if pooled.height:
        p = pooled.row(0, named=True)
        s.add(
            f"满意度调查共收集有效回答{p['n']}个（各问题合计），满意及非常满意{p['satisfied']}个，"
            f"满意率{pct(p['rate'])}，95%置信区间（Wilson）{pct(p['ci_low'])}至{pct(p['ci_high'])}。"
        )
    shown = mine.select("question", "n", "satisfied", "rate", "ci_low", "ci_high").with_columns(
        pl.col("question").replace({"ALL": "全部"})
    )
    s.add(
        Table.from_frame(
            shown,
            "表5 满意度调查结果",
            labels={
                "question": "问题",
                "n": "有效回答",
                "satisfied": "满意数",
                "rate": "满意率（%）",
                "ci_low": "置信下限（%）",
                "ci_high": "置信上限（%）",
            },
        )
    )
    return True


def _indicators(doc: Document, obj: ObjectResult, survey: pl.DataFrame | None) -> None:
    doc.section("四、绩效评价指标分析").add(
        "各一级指标得分率（得分 ÷ 分值 × 100%）："
        + "；".join(f"{g.label}{pct(g.rate)}" for g in obj.groups)
        + "。"
    )
    for i, group in enumerate(obj.groups):
        s = doc.section(f"（{CN_NUMBERS[i % 10]}）{group.label}指标分析", level=2)
        leaves = [leaf for leaf in obj.leaves if leaf.group == group.label]
        lost = [leaf for leaf in leaves if leaf.score < leaf.points]
        s.add(
            f"{group.label}类指标{len(leaves)}项，分值{_pts(group.points)}分，"
            f"得分{_pts(group.score)}分，得分率{pct(group.rate)}；"
            + (f"扣分指标{len(lost)}项：" if lost else "各项指标均得满分。")
        )
        for n, leaf in enumerate(lost, start=1):
            s.add(f"{n}. {_deduction(leaf)}")
        for leaf in leaves:
            if leaf.source == "computed" and leaf.score >= leaf.points and leaf.trace:
                s.add(f"“{leaf.label}”得满分{_pts(leaf.points)}分：{leaf.trace}。")
    n = len(obj.groups)
    s = doc.section(f"（{CN_NUMBERS[n % 10]}）满意度调查", level=2)
    if not _survey_part(s, obj, survey):
        s.add("本次评价未提供该对象的满意度调查数据，满意度指标由评价人员评分。")


def _problems(doc: Document, obj: ObjectResult, notes: Notes) -> None:
    s = doc.section("五、主要经验及做法、存在的问题及原因分析")
    s.add(Paragraph("", lead="（一）主要经验及做法。", indent=False))
    _note(notes, "experience", s)
    s.add(Paragraph("", lead="（二）存在的问题。", indent=False))
    lost = sorted(
        (leaf for leaf in obj.leaves if leaf.score < leaf.points),
        key=lambda leaf: leaf.score - leaf.points,
    )
    if lost:
        total_lost = sum((leaf.points - leaf.score for leaf in lost), Decimal("0.00"))
        s.add(f"共{len(lost)}项指标扣分，合计扣{_pts(total_lost)}分，按扣分从多到少：")
        for n, leaf in enumerate(lost, start=1):
            s.add(f"{n}. {_deduction(leaf)}")
    else:
        s.add("各项指标均得满分，未发现扣分问题。")
    s.add(Paragraph("", lead="（三）原因分析。", indent=False))
    _note(notes, "causes", s)


def _suggestions(doc: Document, obj: ObjectResult, notes: Notes) -> None:
    s = doc.section("六、有关建议")
    if obj.result_use:
        s.add(
            Paragraph(
                f"评价等级为“{obj.grade}”，按指标体系的结果应用规定：{obj.result_use}。",
                lead="（一）结果应用。",
            )
        )
    s.add(Paragraph("", lead=f"（{'二' if obj.result_use else '一'}）改进建议。", indent=False))
    _note(notes, "suggestions", s)


def _other(doc: Document, obj: ObjectResult, notes: Notes) -> None:
    s = doc.section("七、其他需要说明的问题")
    judged = [leaf for leaf in obj.leaves if leaf.source == "judged"]
    bare = [leaf for leaf in judged if not leaf.evidence]
    s.add(
        f"本报告{len(judged)}项评价人员评分的指标以其注明的佐证材料为依据，"
        + (
            f"其中{len(bare)}项未注明佐证材料（{'、'.join(leaf.label for leaf in bare)}）。"
            if bare
            else "每项均注明了佐证材料。"
        )
        + "由数据计算的指标取自被评价单位报送的数据，其真实性以报送数据为准。"
    )
    _note(notes, "other", s)


def _annex(doc: Document, obj: ObjectResult) -> None:
    s = doc.section("附件")
    s.add(Paragraph("附件1：评分表", indent=False))
    rows = [
        [
            leaf.item_id,
            "／".join(x for x in (leaf.group, leaf.level2, leaf.label) if x),
            _pts(leaf.points),
            _pts(leaf.score),
            leaf.criterion or "—",
            f"〔数据计算〕{leaf.trace}" if leaf.source == "computed" else leaf.evidence or "—",
            leaf.reason or "—",
        ]
        for leaf in obj.leaves
    ]
    headers = ["编号", "指标", "分值", "得分", "评分标准", "佐证材料／数据来源", "扣分理由"]
    numeric = [h in {"编号", "分值", "得分"} for h in headers]
    points = sum((leaf.points for leaf in obj.leaves), Decimal("0.00"))
    rows.append(["", "合计", _pts(points), _pts(obj.total), "", "", ""])
    s.add(Table("附表1 评分表", headers, rows, numeric))


def key_evaluation_report(
    result: KeyEvaluation,
    unit_code: str | None = None,
    *,
    notes: Notes | None = None,
    survey: pl.DataFrame | None = None,
    sources: list[str | Path] | None = None,
) -> Document:
    """The evaluation report of one key-evaluation object as a :class:`Document`.

    Parameters
    ----------
    result : KeyEvaluation
        The scored working paper (:func:`perfkit.keyeval.evaluate_paper`).
    unit_code : str, optional
        The object; may be left out when the evaluation has one object only.
    notes : Notes, optional
        The evaluator's text (:func:`perfkit.documents.load_notes`); missing notes
        show as ``【待填写：…】``.
    survey : polars.DataFrame, optional
        The survey summary (:func:`perfkit.keyeval.summarise_survey`) for the
        satisfaction part of 四、.
    sources : list of path, optional
        The files read (working paper, survey), listed with their fingerprints.

    Raises
    ------
    PerfkitError
        ``unit_code`` is not an object of the evaluation (or is needed and missing).

    Examples
    --------
    >>> from perfkit.keyeval import evaluate_paper, read_survey, summarise_survey
    >>> key = "data/sample/key_evaluation_2024/"
    >>> survey = summarise_survey(read_survey(key + "survey.csv"))
    >>> ev = evaluate_paper(key + "working_paper_filled.xlsx", satisfaction=survey)
    >>> doc = key_evaluation_report(ev, ev.objects[0].unit_code)
    >>> [t for level, t in doc.headings() if level == 1] == KEY_EVALUATION_OUTLINE
    True
    """
    notes = notes or Notes()
    obj = _object(result, unit_code)
    doc = Document(
        title=f"{obj.name}{obj.year}年度{_KIND.get(obj.kind, '')}绩效评价报告",
        subtitle=f"（评价对象编码：{obj.unit_code}）",
        cover=[
            f"评价机构：{notes.organisation or placeholder('评价机构')}",
            f"报告日期：{notes.date or placeholder('报告日期')}",
        ],
        kind="key-evaluation",
    )
    _basic(doc, obj, result)
    _work(doc, obj, result, notes, [Path(p) for p in sources or []])
    _conclusion(doc, obj, notes)
    _indicators(doc, obj, survey)
    _problems(doc, obj, notes)
    _suggestions(doc, obj, notes)
    _other(doc, obj, notes)
    _annex(doc, obj)
    return doc


def report_name(out: str | Path, obj: ObjectResult, several: bool) -> Path:
    """The document's path: ``out`` itself for one object, ``STEM-CODE-NAME.SUFFIX`` for several.

    Names from the data are made safe by :func:`perfkit.tables.safe_filename`.

    Examples
    --------
    >>> from decimal import Decimal
    >>> o = ObjectResult("P1", "学前/教育", "project", 2024, Decimal(90), "优", None, (), ())
    >>> report_name("out/report.docx", o, True).name
    'report-P1-学前_教育.docx'
    """

    out = Path(out)
    if not several:
        return out
    return out.parent / safe_filename(f"{out.stem}-{obj.unit_code}-{obj.name}", suffix=out.suffix)


def key_evaluation_documents(
    result: KeyEvaluation,
    out: str | Path,
    *,
    notes: Notes | None = None,
    survey: pl.DataFrame | None = None,
    sources: list[str | Path] | None = None,
    final: bool = False,
) -> list[tuple[Document, Path]]:
    """One report per object with the path it goes to; checked before anything is written.

    Raises
    ------
    PerfkitError
        ``out`` is not .docx, .pdf or .html, a .pdf without LibreOffice, or ``final``
        with placeholders left (each document's listed).

    Examples
    --------
    >>> from perfkit.keyeval import evaluate_paper, read_survey, summarise_survey
    >>> key = "data/sample/key_evaluation_2024/"
    >>> survey = summarise_survey(read_survey(key + "survey.csv"))
    >>> ev = evaluate_paper(key + "working_paper_filled.xlsx", satisfaction=survey)
    >>> [p.name for _d, p in key_evaluation_documents(ev, "r.docx")][0]
    'r-P2022-D31-005-学前教育发展专项资金.docx'
    """

    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise PerfkitError(
            _("{file}: the output must end in {suffixes}").format(
                file=out, suffixes=", ".join(FORMATS)
            )
        )
    if out.suffix.lower() == ".pdf" and soffice() is None:
        raise PerfkitError(_(NO_SOFFICE))
    several = len(result.objects) > 1
    documents = [
        (
            key_evaluation_report(
                result, obj.unit_code, notes=notes, survey=survey, sources=sources
            ),
            report_name(out, obj, several),
        )
        for obj in result.objects
    ]
    if final:
        left = [f"{path.name} {where}" for doc, path in documents for where in doc.placeholders()]
        if left:
            raise UnfinishedDocument(left)
    return documents


def save_key_evaluation_documents(
    documents: list[tuple[Document, Path]], *, template: str | Path | None = None
) -> list[Path]:
    """Write the documents of :func:`key_evaluation_documents`; the files written.

    PDFs are converted together, by one LibreOffice process; each keeps its .docx beside
    it (never over an existing file).
    """

    written: list[Path] = []
    pdfs = [(doc, path) for doc, path in documents if path.suffix.lower() == ".pdf"]
    for doc, path in documents:
        if path.suffix.lower() != ".pdf":
            written += save_document(doc, path, template=template)
    if not pdfs:
        return written
    with tempfile.TemporaryDirectory(prefix="perfkit-doc-") as tmp:
        sources = {
            write_docx(doc, Path(tmp) / f"{i}.docx", template=template): path
            for i, (doc, path) in enumerate(pdfs)
        }
        convert_to_pdf(sources)
        for source, path in sources.items():
            written.append(path)
            if not path.with_suffix(".docx").exists():
                written.append(atomic_write_bytes(path.with_suffix(".docx"), source.read_bytes()))
    return written
