"""Checking submitted forms against themselves and the rules (自评表审核).

:func:`check_forms` reads the forms (:func:`perfkit.read_forms`), rescores
every project form with the scoring engine and lists each place where a form
disagrees with itself or with the rules — with the cell, the stated value, the
recomputed value and the rule:

* an item's 得分 above its 分值; 分值 not totalling 100 (90 for the indicators,
  10 for 预算执行率); 年度资金总额 not the sum of its parts;
* stated 执行率 or 执行率得分 wrong; an item's stated 得分 differing from the
  rule's result; 总分 not the sum of its parts, or not the recomputed total;
  a stated grade that does not match the score; a qualitative score outside
  its level's band (reported by the engine);
* for the 部门预算管理绩效考核自评表 layout: item scores above their maxima,
  section maxima and scores against their items, the 合计 against the sections.

All comparisons are exact (fixed point / integer cents).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem
from perfkit.forms._assessment_form import AssessmentForm
from perfkit.forms._read import INDICATOR_COLUMNS, PROJECT_COLUMNS, FormSet, read_forms
from perfkit.i18n import _
from perfkit.numbers import SCALE, cents_text, div_half_up, fixed_text, to_cents
from perfkit.present import translate_for_people
from perfkit.scoring._api import score
from perfkit.scoring._grading import grade_expr
from perfkit.systems import System, load_system
from perfkit.tables._write import atomic_output, write_csv, write_excel

__all__ = ["FINDING_COLUMNS", "FormCheck", "check_forms"]

FINDING_COLUMNS = {
    "file": pl.String,
    "sheet": pl.String,
    "cell": pl.String,
    "address": pl.String,
    "subject": pl.String,
    "field": pl.String,
    "stated": pl.String,
    "recomputed": pl.String,
    "check": pl.String,
    "message": pl.String,
    "severity": pl.String,
}


@dataclass
class FormCheck:
    """The findings of :func:`check_forms`, one row each, in file/sheet/cell order.

    Attributes
    ----------
    findings : polars.DataFrame
        file, sheet, cell, address (``file!sheet!cell``), subject (project or
        item), field, stated, recomputed, check (the rule), message, severity.
    forms : FormSet
        What was read (tables, manifest, reading problems).
    scores : ScoreResult or None
        The engine's result for the forms it could score.
    """

    findings: pl.DataFrame
    forms: FormSet
    scores: object = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return self.findings.filter(pl.col("severity") == "error").height == 0

    def write(self, path: str | Path) -> Path:
        """Write the findings (and the forms read) to an ``.xlsx`` or ``.csv`` file, atomically."""
        path = Path(path)
        output = atomic_output(path.parent)
        with output as tmp:
            if path.suffix.lower() == ".csv":
                write_csv(self.findings, tmp / path.name)
            else:
                findings = translate_for_people(self.findings)  # 级别: 错误/警告, not error
                write_excel(tmp / path.name, {"问题清单": findings, "表单": self.forms.forms})
        return path


def check_forms(
    inputs: str | Path | Iterable[str | Path],
    *,
    system: str | Path | System = "project-self-eval",
    assessment_system: str | Path | System = "budget-mgmt-assessment",
    engine: str = "auto",
    year: int | None = None,
) -> FormCheck:
    """Recompute every submitted form and list where it disagrees with itself or the rules.

    Parameters
    ----------
    inputs : path or list of paths
        Workbooks or folders, as for :func:`perfkit.read_forms`.
    system : str, Path or System
        The indicator system project forms are scored with.
    assessment_system : str, Path or System
        The system 部门预算管理绩效考核自评表 forms are compared with: where a
        section has as many items as the system's, each item's 指标值 is
        compared with the system's maximum (a warning when they differ).
    engine, year
        As for :func:`perfkit.read_forms`.

    Returns
    -------
    FormCheck

    Examples
    --------
    >>> import perfkit
    >>> c = perfkit.check_forms("tests/data/forms/seed001_budget_mgmt.xlsx")
    >>> c.findings.filter(pl.col("field") == "合计 得分").select("stated", "recomputed").row(0)
    ('90.5', '104.5')
    """
    loaded = load_system(system)
    forms = read_forms(inputs, engine=engine, year=year)
    rows: list[dict[str, object]] = [_from_problem(p) for p in forms.problems]
    scores = None
    if forms.projects.height:
        project_rows, scores = _check_projects(forms, loaded)
        rows += project_rows
    reference = _system_maxima(load_system(assessment_system)) if forms.assessment_forms else []
    for form in forms.assessment_forms:
        rows += _check_assessment(form)
        rows += _against_system(form, reference, str(assessment_system))
    findings = pl.DataFrame(rows, schema=FINDING_COLUMNS)
    order = pl.col("cell").str.extract(r"(\d+)$").cast(pl.Int64)
    findings = findings.with_columns(order.alias("_r")).sort(
        "file", "sheet", "_r", "cell", nulls_last=False, maintain_order=True
    )
    return FormCheck(findings.drop("_r"), forms, scores)


def _finding(
    file: str,
    sheet: str | None,
    cell: str | None,
    subject: str | None,
    field_name: str,
    stated: object,
    recomputed: object,
    check: str,
    message: str,
    severity: str = "error",
) -> dict[str, object]:
    address = "!".join(str(x) for x in (file, sheet, cell) if x)
    return {
        "file": file,
        "sheet": sheet,
        "cell": cell,
        "address": address,
        "subject": subject,
        "field": field_name,
        "stated": None if stated is None else str(stated),
        "recomputed": None if recomputed is None else str(recomputed),
        "check": check,
        "message": message,
        "severity": severity,
    }


def _from_problem(p: Problem) -> dict[str, object]:
    return _finding(
        p.file, p.sheet, p.cell, None, p.column or "", None, None, "读取", p.message, p.severity
    )


# ------------------------------------------------------------------ project forms


def _cents_text(cents: pl.Expr) -> pl.Expr:
    return cents_text(cents).str.replace(r"\.00$", "").str.replace(r"(\.\d)0$", "$1")


def _emit(
    frame: pl.DataFrame,
    mask: pl.Expr,
    *,
    cell: str,
    subject: str,
    field_name: str,
    stated: pl.Expr,
    recomputed: pl.Expr,
    check: str,
    message: pl.Expr | str,
    severity: str = "error",
) -> list[dict[str, object]]:
    msg = message if isinstance(message, pl.Expr) else pl.lit(message)
    hits = frame.filter(mask.fill_null(False)).select(
        "source_file",
        "source_sheet",
        pl.col(cell).alias("_cell"),
        pl.col(subject).alias("_subject"),
        stated.cast(pl.String).alias("_stated"),
        recomputed.cast(pl.String).alias("_recomputed"),
        msg.alias("_msg"),
    )
    return [
        _finding(f, s, c, subj, field_name, st, rc, check, m, severity)
        for f, s, c, subj, st, rc, m in hits.iter_rows()
    ]


def _check_projects(forms: FormSet, system: System) -> tuple[list[dict[str, object]], object]:
    clean = set(forms.projects.select("source_file", "source_sheet").iter_rows())
    in_clean = pl.struct("source_file", "source_sheet").is_in(
        [{"source_file": f, "source_sheet": s} for f, s in clean]
    )
    detail = forms.detail.filter(in_clean)
    ind = forms.indicator_detail.filter(in_clean)
    out: list[dict[str, object]] = []
    exec_points = system.total - system.indicator_points
    exec_cents = int(exec_points * 100)
    need_ind = int(system.indicator_points * SCALE)
    w, p = pl.col("weight_fixed"), pl.col("points_fixed")
    # item 得分 above its 分值
    out += _emit(
        ind,
        p > w,
        cell="points_cell",
        subject="name",
        field_name="得分",
        stated=fixed_text(p),
        recomputed=fixed_text(w),
        check="得分不超过分值",
        message=format_expr("得分 {} is above the item's 分值 {}", fixed_text(p), fixed_text(w)),
    )
    # weights: indicators total 90, 预算执行率 10, everything 100
    sums = ind.group_by("source_file", "source_sheet", maintain_order=True).agg(
        w.sum().alias("_wsum"),
        p.sum().alias("_psum"),
        p.is_null().any().alias("_pmissing"),
        pl.col("weight_cell").first().alias("_first_weight"),
    )
    d = detail.join(sums, on=["source_file", "source_sheet"], how="left")
    out += _emit(
        d,
        pl.col("_wsum") != need_ind,
        cell="_first_weight",
        subject="project_name",
        field_name="分值",
        stated=fixed_text(pl.col("_wsum")),
        recomputed=pl.lit(str(system.indicator_points)),
        check=f"绩效指标分值合计 {system.indicator_points}",
        message=format_expr(
            _("the indicators' 分值 add up to {{}}, not {points}").format(
                points=system.indicator_points
            ),
            fixed_text(pl.col("_wsum")),
        ),
    )
    ew = pl.col("money_total_weight_fixed")
    out += _emit(
        d,
        ew.is_not_null() & (ew != exec_cents * (SCALE // 100)),
        cell="money_total_weight_cell",
        subject="project_name",
        field_name="预算执行率 分值",
        stated=fixed_text(ew),
        recomputed=pl.lit(str(exec_points)),
        check=f"预算执行率分值 {exec_points}",
        message=format_expr(
            _("预算执行率 分值 {{}} is not {points}").format(points=exec_points), fixed_text(ew)
        ),
    )
    tw = pl.col("total_weight_fixed")
    total_need = int(system.total * SCALE)
    out += _emit(
        d,
        tw.is_not_null() & (tw != total_need),
        cell="total_weight_cell",
        subject="project_name",
        field_name="总分 分值",
        stated=fixed_text(tw),
        recomputed=pl.lit(str(system.total)),
        check=f"分值合计 {system.total}",
        message=format_expr(
            _("总分 分值 {{}} is not {points}").format(points=system.total), fixed_text(tw)
        ),
    )
    # 年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金
    for col, label in (
        ("budget_initial", "年初预算数"),
        ("budget_full_year", "全年预算数"),
        ("executed", "全年执行数"),
    ):
        parts = [pl.col(f"money_{r}_{col}_fixed") for r in ("fiscal", "carryover", "other")]
        total = pl.col(f"money_total_{col}_fixed")
        known = pl.all_horizontal([x.is_not_null() for x in [*parts, total]])
        added = pl.sum_horizontal(parts)
        out += _emit(
            d,
            known & (added != total),
            cell=f"money_total_{col}_cell",
            subject="project_name",
            field_name=f"年度资金总额 {label}",
            stated=fixed_text(total),
            recomputed=fixed_text(added),
            check="年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金",
            message=format_expr(
                _("年度资金总额 {label} {{}} is not the sum of its parts {{}}").format(label=label),
                fixed_text(total),
                fixed_text(added),
            ),
        )
    # stated 执行率: a percent, or a bare number read either as percent or as fraction;
    # it matches when it is the exact rate rounded to the decimals it is written with
    b, e = pl.col("money_total_budget_full_year_fixed"), pl.col("money_total_executed_fixed")
    stated = pl.col("money_total_rate_fixed")
    decimals = (
        pl.col("money_total_rate").str.extract(r"\.(\d+)").str.len_chars().fill_null(0).clip(0, 5)
    )
    half = pl.lit(5, pl.Int128) * pl.lit(10, pl.Int128).pow(5 - decimals).cast(pl.Int128)
    exact = e * (100 * SCALE)  # rate × b, in fixed-point percent
    near = (stated * b - exact).abs() <= half * b
    near_fraction = (stated * 100 * b - exact).abs() <= half * 100 * b
    rate_ok = near | (~pl.col("money_total_rate_pct").fill_null(False) & near_fraction)
    rate_cents = div_half_up(e * 10_000, b)  # Int128: rates are unbounded
    out += _emit(
        d,
        stated.is_not_null() & (b > 0) & ~rate_ok,
        cell="money_total_rate_cell",
        subject="project_name",
        field_name="执行率",
        stated=pl.col("money_total_rate"),
        recomputed=format_expr("{}%", cents_text(rate_cents)),
        check="执行率 = 全年执行数 / 全年预算数",
        message=format_expr(
            _("执行率 '{}' differs from 全年执行数 / 全年预算数 = {}%"),
            pl.col("money_total_rate"),
            cents_text(rate_cents),
        ),
    )
    # the engine: recompute every form that it accepts
    result, engine_rows, scored_forms = _engine(detail, ind, system)
    out += engine_rows
    if result is None:
        return out, None
    units = result.units.select(
        "source_file",
        "source_sheet",
        pl.col("预算执行率").alias("_exec"),
        pl.col("total").alias("_total"),
        pl.col("grade").alias("_grade"),
    )
    d = d.join(units, on=["source_file", "source_sheet"], how="inner")
    exec_stated = pl.col("money_total_points_fixed")
    exec_rec = (pl.col("_exec") * 100).round(0).cast(pl.Int64)
    out += _emit(
        d,
        exec_stated.is_not_null() & (to_cents(exec_stated) != exec_rec),
        cell="money_total_points_cell",
        subject="project_name",
        field_name="预算执行率 得分",
        stated=fixed_text(exec_stated),
        recomputed=_cents_text(exec_rec),
        check="预算执行率得分 = 分值 × min(执行率, 1)",
        message=format_expr(
            _("预算执行率 得分 {} differs from the rule's {}"),
            fixed_text(exec_stated),
            _cents_text(exec_rec),
        ),
    )
    total_stated = pl.col("total_points_fixed")
    parts = to_cents(pl.col("_psum")) + to_cents(exec_stated.fill_null(0))
    out += _emit(
        d,
        total_stated.is_not_null()
        & ~pl.col("_pmissing")
        & exec_stated.is_not_null()
        & (to_cents(total_stated) != parts),
        cell="total_points_cell",
        subject="project_name",
        field_name="总分 得分",
        stated=fixed_text(total_stated),
        recomputed=_cents_text(parts),
        check="总分 = 各项得分之和",
        message=format_expr(
            _("总分 {} is not the sum of the form's own 得分 ({})"),
            fixed_text(total_stated),
            _cents_text(parts),
        ),
    )
    total_rec = (pl.col("_total") * 100).round(0).cast(pl.Int64)
    out += _emit(
        d,
        total_stated.is_not_null() & (to_cents(total_stated) != total_rec),
        cell="total_points_cell",
        subject="project_name",
        field_name="总分 得分",
        stated=fixed_text(total_stated),
        recomputed=_cents_text(total_rec),
        check="复算总分",
        message=format_expr(
            _("总分 {} differs from the recomputed total {}"),
            fixed_text(total_stated),
            _cents_text(total_rec),
        ),
    )
    stated_grade = pl.col("self_grade").str.strip_chars()
    d = d.with_columns(
        grade_expr(to_cents(total_stated), system).alias("_stated_total_grade"),
    )
    out += _emit(
        d,
        stated_grade.is_not_null()
        & total_stated.is_not_null()
        & (stated_grade != pl.col("_stated_total_grade")),
        cell="self_grade_cell",
        subject="project_name",
        field_name="自评等级",
        stated=stated_grade,
        recomputed=pl.col("_stated_total_grade"),
        check="等级按总分确定",
        message=format_expr(
            _("自评等级 '{}' does not match the form's own 总分 {} ({})"),
            stated_grade,
            fixed_text(total_stated),
            pl.col("_stated_total_grade"),
        ),
    )
    out += _emit(
        d,
        stated_grade.is_not_null() & (stated_grade != pl.col("_grade")),
        cell="self_grade_cell",
        subject="project_name",
        field_name="自评等级",
        stated=stated_grade,
        recomputed=pl.col("_grade"),
        check="复算等级",
        message=format_expr(
            _("自评等级 '{}' differs from the recomputed grade {} (total {})"),
            stated_grade,
            pl.col("_grade"),
            pl.col("_total"),
        ),
    )
    items = result.items.filter(pl.col("rule") != "execution_rate").select(
        "source_file",
        "source_sheet",
        "source_cell",
        "rule",
        pl.col("points").alias("_rec"),
    )
    joined = ind.join(items, on=["source_file", "source_sheet", "source_cell"], how="inner")
    rec = (pl.col("_rec") * 100).round(0).cast(pl.Int64)
    out += _emit(
        joined,
        p.is_not_null() & (to_cents(p) != rec),
        cell="points_cell",
        subject="name",
        field_name="得分",
        stated=fixed_text(p),
        recomputed=_cents_text(rec),
        check="规则复算",
        message=format_expr(
            "得分 {} differs from the rule's result {} ({})",
            fixed_text(p),
            _cents_text(rec),
            pl.col("rule"),
        ),
    )
    del scored_forms
    return out, result


_FIELD_CELLS = {
    "self_points": ("points_cell", "得分"),
    "weight": ("weight_cell", "分值"),
    "actual": ("actual_cell", "实际完成值"),
    "target": ("target_cell", "年度指标值"),
    "level1": ("level1_cell", "一级指标"),
    "direction": ("target_cell", "年度指标值"),
    "budget_full_year": ("money_total_budget_full_year_cell", "全年预算数"),
    "budget_initial": ("money_total_budget_initial_cell", "年初预算数"),
    "executed": ("money_total_executed_cell", "全年执行数"),
    "self_score": ("total_points_cell", "总分 得分"),
    "self_grade": ("self_grade_cell", "自评等级"),
}


def _engine(
    detail: pl.DataFrame, ind: pl.DataFrame, system: System
) -> tuple[object, list[dict[str, object]], set[tuple[str, str]]]:
    """Score the forms; forms the engine rejects are reported and left out, the rest scored."""

    out: list[dict[str, object]] = []
    excluded: set[tuple[str, str]] = set()
    for _attempt in range(3):
        keep = ~pl.struct("source_file", "source_sheet").is_in(
            [{"source_file": f, "source_sheet": s} for f, s in excluded]
        )
        d, i = detail.filter(keep), ind.filter(keep)
        if d.height == 0:
            return None, out, excluded
        # the engine gets what scoring needs; stated totals, grades and quantitative items'
        # 得分 are compared with its result here (so that a wrong one does not stop it)
        entered = (pl.col("direction") == "定性") & (
            pl.col("points_fixed") <= pl.col("weight_fixed")
        )
        projects = d.select(PROJECT_COLUMNS).with_columns(
            pl.lit(None, pl.String).alias("self_score"), pl.lit(None, pl.String).alias("self_grade")
        )
        indicators = i.with_columns(
            pl.when(entered).then(pl.col("self_points")).alias("self_points")
        ).select(INDICATOR_COLUMNS)
        try:
            result = score(projects, indicators, system=system)
        except InputError as exc:
            for problem in exc.problems:
                if problem.severity != "error" or problem.row is None:
                    continue
                table = d if problem.file == "<projects>" else i
                row = table.row(problem.row - 1, named=True)
                excluded.add((row["source_file"], row["source_sheet"]))
                cell_col, label = _FIELD_CELLS.get(problem.column or "", ("source_cell", ""))
                cell = row.get(cell_col) or row.get("source_cell")
                subject = row.get("name") or row.get("project_name")
                out.append(
                    _finding(
                        row["source_file"],
                        row["source_sheet"],
                        cell,
                        subject,
                        label or (problem.column or ""),
                        None,
                        None,
                        "评分规则",
                        problem.message + _(" (form not recomputed)"),
                    )
                )
            continue
        for problem in result.warnings:
            if problem.row is None:
                continue
            table = d if problem.file == "<projects>" else i
            row = table.row(problem.row - 1, named=True)
            cell_col, label = _FIELD_CELLS.get(problem.column or "", ("source_cell", ""))
            out.append(
                _finding(
                    row["source_file"],
                    row["source_sheet"],
                    row.get(cell_col) or row.get("source_cell"),
                    row.get("name") or row.get("project_name"),
                    label or (problem.column or ""),
                    None,
                    None,
                    "评分规则",
                    problem.message,
                    "warning",
                )
            )
        return result, out, excluded
    return None, out, excluded


# ------------------------------------------------------------------ assessment forms


def _dec(text: str) -> Decimal | None:
    cleaned = re.sub(r"[,，\s]", "", text or "")
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _show(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _check_assessment(form: AssessmentForm) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []

    def add(cell, subject, field_name, stated, recomputed, check, message, severity="error"):
        out.append(
            _finding(
                form.file,
                form.sheet,
                cell,
                subject,
                field_name,
                stated,
                recomputed,
                check,
                message,
                severity,
            )
        )

    def number(c, subject, field_name) -> Decimal | None:
        if c is None or not c.text:
            return None
        value = _dec(c.text)
        if value is None:
            add(
                c.address,
                subject,
                field_name,
                c.text,
                None,
                "数字",
                _("{field} '{text}' is not a number").format(field=field_name, text=c.text),
            )
        return value

    section_scores: list[tuple[str, Decimal]] = []
    section_max: list[Decimal] = []
    for section in form.sections:
        name = section.label.text
        s_max = number(section.maximum, name, "分值")
        s_score = number(section.score, name, "得分")
        item_max, item_score = [], []
        for item in section.items:
            label = item["label"].text
            i_max = number(item["maximum"], label, "指标值")
            i_score = number(item["score"], label, "考核结果")
            if i_max is not None:
                item_max.append(i_max)
            if i_score is not None:
                item_score.append(i_score)
            if i_max is not None and i_score is not None and i_score > i_max:
                add(
                    item["score"].address,
                    label,
                    "考核结果",
                    _show(i_score),
                    _show(i_max),
                    "得分不超过分值",
                    _("考核结果 {score} is above the item's 指标值 {maximum}").format(
                        score=_show(i_score), maximum=_show(i_max)
                    ),
                )
        if section.items and s_max is not None and sum(item_max) != s_max:
            add(
                section.maximum.address,
                name,
                "分值",
                _show(s_max),
                _show(sum(item_max)),
                "部分分值 = 各项指标值之和",
                _(
                    "section {name} has 分值 {maximum} but its items' 指标值 add up to {added}"
                ).format(name=name, maximum=_show(s_max), added=_show(sum(item_max))),
            )
        complete = len(item_score) == len(section.items)
        if section.items and s_score is not None and complete and sum(item_score) != s_score:
            add(
                section.score.address,
                name,
                "得分",
                _show(s_score),
                _show(sum(item_score)),
                "部分得分 = 各项考核结果之和",
                _("section {name} scores {score} but its items add up to {added}").format(
                    name=name, score=_show(s_score), added=_show(sum(item_score))
                ),
            )
        if s_score is not None:
            section_scores.append((name, s_score))
        if s_max is not None:
            section_max.append(s_max)
    if form.total_score is not None:
        total = number(form.total_score, "合计", "合计 得分")
        added = sum(v for _, v in section_scores)
        if total is not None and section_scores and added != total:
            terms = " + ".join(_show(v) for _, v in section_scores)
            add(
                form.total_score.address,
                "合计",
                "合计 得分",
                _show(total),
                _show(added),
                "合计 = 各部分得分之和",
                _("合计 {stated} is not the sum of the section scores ({terms} = {added})").format(
                    stated=_show(total), terms=terms, added=_show(added)
                ),
            )
        t_max = number(form.total_maximum, "合计", "合计 分值")
        if t_max is not None and section_max and sum(section_max) != t_max:
            add(
                form.total_maximum.address,
                "合计",
                "合计 分值",
                _show(t_max),
                _show(sum(section_max)),
                "合计分值 = 各部分分值之和",
                _("合计 分值 {stated} is not the sum of the sections' 分值 ({added})").format(
                    stated=_show(t_max), added=_show(sum(section_max))
                ),
            )
    return out


def _leaves(node, out: list[tuple[str, str, Decimal]]) -> list[tuple[str, str, Decimal]]:
    if node.children:
        for child in node.children:
            _leaves(child, out)
    else:
        out.append((node.id, node.label, Decimal(str(node.points))))
    return out


def _system_maxima(system: System) -> list[list[tuple[str, str, Decimal]]]:
    """Per top-level section of an assessments system: (id, label, maximum) of its leaves."""
    return [_leaves(group, []) for group in system.groups]


def _against_system(
    form: AssessmentForm, reference: list[list[tuple[str, str, Decimal]]], name: str
) -> list[dict[str, object]]:
    """Item maxima that differ from the system's (sections matched in order, same item count)."""
    out = []
    for section, leaves in zip(form.sections, reference, strict=False):
        if len(section.items) != len(leaves) or not section.items:
            continue
        for item, (item_id, label, maximum) in zip(section.items, leaves, strict=True):
            stated = _dec(item["maximum"].text)
            if stated is not None and stated != maximum:
                out.append(
                    _finding(
                        form.file,
                        form.sheet,
                        item["maximum"].address,
                        item["label"].text,
                        "指标值",
                        _show(stated),
                        _show(maximum),
                        f"指标体系 {name}",
                        _(
                            "指标值 {stated} differs from item {item_id} ({label}) of system "
                            "{name}: {maximum}"
                        ).format(
                            stated=_show(stated),
                            item_id=item_id,
                            label=label,
                            name=name,
                            maximum=_show(maximum),
                        ),
                        "warning",
                    )
                )
    return out
