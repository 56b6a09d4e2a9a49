"""Importing self-evaluation forms into the contract tables (自评表导入).

:func:`read_forms` reads every sheet of every workbook given (files or
folders; ``.xlsx``, ``.xlsm``, ``.xls``), finds the project forms on them
(:mod:`perfkit.forms._project_form`), and parses all forms' texts at once with
polars: numbers (full-width digits, thousands separators), targets (``≥95%`` →
正向, 95, %), percent cells.  Each output row keeps its source: ``source_file``,
``source_sheet`` and ``source_cell`` (the 年度资金总额 row of a project, the
indicator's row range).

Problems are located as ``file!sheet!cell``.  A form with an error is left out
of the tables (never half-imported) and the others still import; a file that
cannot be opened (broken, password-protected, not Excel) is one problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit._limits import format_expr, quoted_expr
from perfkit.errors import Problem, problem_order, problems_frame
from perfkit.forms._assessment_form import AssessmentForm, is_assessment_form, locate_assessment
from perfkit.forms._grid import Grid
from perfkit.forms._project_form import (
    MONEY_COLUMNS,
    MONEY_ROWS,
    ProjectForm,
    is_project_form,
    locate_project_form,
)
from perfkit.forms._targets import parse_targets
from perfkit.forms._workbook import ENGINES, expand_inputs, read_openpyxl_sheet, read_sheets
from perfkit.i18n import N_, _
from perfkit.numbers import beyond_limit, map_unique, normalise_number_text, parse_fixed
from perfkit.tables._contract import DIRECTIONS, MAX_AMOUNT, MAX_NUMBER, contract_headers, text_key
from perfkit.tables._write import atomic_output, write_csv

__all__ = ["FormSet", "read_forms"]

PROJECT_COLUMNS = [
    "year",
    "project_code",
    "project_name",
    "dept_code",
    "dept_name",
    "budget_initial",
    "budget_full_year",
    "executed",
    "carryover",
    "self_score",
    "self_grade",
    "source_file",
    "source_sheet",
    "source_cell",
]
INDICATOR_COLUMNS = [
    "year",
    "unit_code",
    "level1",
    "level2",
    "name",
    "direction",
    "target",
    "actual",
    "unit",
    "weight",
    "self_points",
    "reason",
    "source_file",
    "source_sheet",
    "source_cell",
]
_MONEY_FIELDS = [f"money_{r}_{c}" for r in MONEY_ROWS for c in MONEY_COLUMNS.values()]
_FORM_FIELDS = [
    "year",
    "project_code",
    "project_name",
    "dept_code",
    "dept_name",
    "implementing_unit",
    "self_grade",
    *_MONEY_FIELDS,
    *(f"money_{r}_label" for r in MONEY_ROWS),
    "total_weight",
    "total_points",
    "total_label",
]
_IND_FIELDS = ["level1", "level2", "name", "target", "actual", "weight", "points", "reason"]
_IND_OPTIONAL = ["direction", "unit"]
_LABEL = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "points": "得分",
    "project_name": "项目名称",
    "dept_name": "主管部门",
    "year": "年度",
    "money_total_budget_initial": "年初预算数",
    "money_total_budget_full_year": "全年预算数",
    "money_total_executed": "全年执行数",
    "total_points": "总分",
}


@dataclass
class FormSet:
    """What :func:`read_forms` found.

    Attributes
    ----------
    projects, indicators : polars.DataFrame
        The contract tables (text columns, as a reader expects them) with
        ``source_file``, ``source_sheet``, ``source_cell``; only forms without
        errors.
    forms : polars.DataFrame
        One row per sheet read: file, sheet, layout (项目支出绩效自评表 /
        部门预算管理绩效考核自评表 / none), reader (calamine, openpyxl, or
        calamine+openpyxl), status, project, indicators, errors, warnings.
    problems : list of Problem
        Every problem, located as ``file!sheet!cell``.
    detail : polars.DataFrame
        Per project form: every stated value (执行率, 得分, 总分 …) and its cell,
        for :func:`perfkit.check_forms`.
    indicator_detail : polars.DataFrame
        Per indicator row: parsed values and the cell of each field.
    assessment_forms : list of AssessmentForm
        Forms in the 部门预算管理绩效考核自评表 layout (checked, not imported).
    """

    projects: pl.DataFrame
    indicators: pl.DataFrame
    forms: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    detail: pl.DataFrame = field(default_factory=pl.DataFrame)
    indicator_detail: pl.DataFrame = field(default_factory=pl.DataFrame)
    assessment_forms: list[AssessmentForm] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that kept a file or form out of the tables."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return not self.errors

    def write(
        self, out_dir: str | Path, *, parquet: bool = True, headers: str = "en"
    ) -> list[Path]:
        """Write projects/indicators (.csv and .parquet), forms.csv and problems.csv atomically.

        ``headers="zh"`` heads the projects and indicators CSVs with the contract's
        Chinese headers (perfkit reads them back); Parquet keeps the English names.
        """
        tables = [f"{n}.{e}" for n in ("projects", "indicators") for e in ("csv", "parquet")]
        owned = (*tables, "forms.csv", "problems.csv")
        output = atomic_output(out_dir, owns=owned)
        with output as tmp:
            for name, table in (("projects", self.projects), ("indicators", self.indicators)):
                write_csv(contract_headers(table, name, headers), tmp / f"{name}.csv")
                if parquet:
                    table.write_parquet(tmp / f"{name}.parquet")
            write_csv(self.forms, tmp / "forms.csv")
            if self.problems:
                write_csv(problems_frame(self.problems), tmp / "problems.csv")
        return output.written


def read_forms(
    inputs: str | Path | Iterable[str | Path],
    *,
    engine: str = "auto",
    year: int | None = None,
) -> FormSet:
    """Read official self-evaluation forms into the contract's projects and indicators.

    Parameters
    ----------
    inputs : path or list of paths
        Workbooks (``.xlsx``, ``.xlsm``, ``.xls``) or folders of them; every
        sheet is looked at, one form per sheet.
    engine : {"auto", "calamine", "openpyxl"}
        ``auto``: calamine, and openpyxl again for the sheets where a bare
        number in a percentage field needs its number format (``0.96`` in a
        percent-formatted cell is 96 %).  ``calamine``: never openpyxl (such
        numbers are read as percent-formatted, with a warning).  ``openpyxl``:
        openpyxl for every ``.xlsx`` (slower; the benchmark's baseline).
    year : int, optional
        Year of forms whose title and cells give none.

    Returns
    -------
    FormSet

    Examples
    --------
    >>> import perfkit
    >>> fs = perfkit.read_forms("tests/data/forms/2023-民政局.xls")
    >>> fs.projects.select("project_name", "executed").row(0)
    ('城乡低保资金', '1180.50')
    >>> fs.indicators.select("direction", "target", "unit", "source_cell").row(0)
    ('正向', '12000', '人', 'B14:I14')
    """
    if engine not in ENGINES:
        raise ValueError(
            _("engine must be one of {engines}, not {engine!r}").format(
                engines=ENGINES, engine=engine
            )
        )
    paths = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    files, problems = expand_inputs(paths)
    found: list[ProjectForm] = []
    assessments: list[AssessmentForm] = []
    sheets: list[dict[str, object]] = []
    for path in files:
        for item in read_sheets(path, engine):
            if isinstance(item, Problem):
                problems.append(item)
                sheets.append(_sheet_row(path.name, None, None, None, "cannot be read"))
                continue
            name, grid = item
            if is_project_form(grid):
                form = _project_form(path, name, grid, engine)
                found.append(form)
                sheets.append(_sheet_row(path.name, name, "项目支出绩效自评表", form.reader, ""))
            elif is_assessment_form(grid):
                a_form = locate_assessment(grid, path.name, name)
                assessments.append(a_form)
                problems += a_form.problems
                sheets.append(
                    _sheet_row(
                        path.name,
                        name,
                        "部门预算管理绩效考核自评表",
                        grid.reader,
                        "checked by check-forms; not imported",
                    )
                )
            else:
                sheets.append(_sheet_row(path.name, name, None, grid.reader, "not a form"))
        no_form = not any(s["file"] == path.name and s["layout"] for s in sheets)
        if no_form and not any(p.file == path.name and p.sheet is None for p in problems):
            problems.append(
                Problem(path.name, None, None, _("no self-evaluation form found on any sheet"))
            )
    for form in found:
        problems += form.problems
    detail, ind_detail, parse_problems = _parse(found, year)
    # a formula cell with no computed value is reported as such (project_form), not as empty
    formula_cells = {(f.file, f.sheet, cell) for f in found for cell in f.formula_cells}
    problems += [p for p in parse_problems if (p.file, p.sheet, p.cell) not in formula_cells]
    problems = sorted(dict.fromkeys(problems), key=problem_order)
    bad = {(p.file, p.sheet) for p in problems if p.severity == "error" and p.sheet is not None}
    keep = ~pl.struct("source_file", "source_sheet").is_in(
        [{"source_file": f, "source_sheet": s} for f, s in bad]
    )
    projects = detail.filter(keep).select(PROJECT_COLUMNS)
    indicators = ind_detail.filter(keep).select(INDICATOR_COLUMNS)
    forms = _manifest(sheets, detail, ind_detail, problems, bad)
    return FormSet(projects, indicators, forms, problems, detail, ind_detail, assessments)


def _sheet_row(file: str, sheet, layout, reader, status: str) -> dict[str, object]:
    return {"file": file, "sheet": sheet, "layout": layout, "reader": reader, "status": status}


def _project_form(path: Path, sheet: str, grid: Grid, engine: str) -> ProjectForm:
    form = locate_project_form(grid, path.name, sheet)
    if not form.ambiguous_percent:
        return form
    if engine == "auto" and path.suffix.lower() in (".xlsx", ".xlsm"):
        again_grid = read_openpyxl_sheet(path, sheet, grid.formulas)
        again = locate_project_form(again_grid, path.name, sheet)
        again.reader = "calamine+openpyxl"
        return again
    form = locate_project_form(grid, path.name, sheet, assume_percent=True)
    form.problem(
        form.ambiguous_percent[0],
        "实际完成值",
        _(
            "number format not visible in this file: bare numbers ≤ 1 in a % field read as "
            "percent-formatted (0.96 → 96%): {cells}"
        ).format(cells=", ".join(form.ambiguous_percent)),
        severity="warning",
    )
    return form


def _column(forms: list[ProjectForm], name: str, part: int) -> list[str | None]:
    out = []
    for f in forms:
        value = f.fields.get(name)
        out.append(value[part] if value and value[part] != "" else None)
    return out


def _parse(
    forms: list[ProjectForm], default_year: int | None
) -> tuple[pl.DataFrame, pl.DataFrame, list[Problem]]:
    """Parse every form's texts at once (vectorised over all forms)."""
    base = {
        "source_file": [f.file for f in forms],
        "source_sheet": [f.sheet for f in forms],
        "source_cell": [f.source_cell or None for f in forms],
    }
    raw = pl.DataFrame(
        {
            **base,
            **{n: _column(forms, n, 0) for n in _FORM_FIELDS},
            **{f"{n}_cell": _column(forms, n, 1) for n in _FORM_FIELDS},
        },
        schema={
            **dict.fromkeys(base, pl.String),
            **{n: pl.String for n in _FORM_FIELDS},
            **{f"{n}_cell": pl.String for n in _FORM_FIELDS},
        },
    )
    problems: list[Problem] = []
    year_text = pl.col("year").str.extract(r"((?:19|20)\d{2})")
    if default_year is not None:
        year_text = year_text.fill_null(pl.lit(str(default_year)))
    numbers = [*_MONEY_FIELDS, "total_weight", "total_points"]
    detail = raw.with_columns(
        year_text.alias("year"),
        # a form without 项目编码: the department and the name identify the project
        pl.coalesce(
            "project_code", format_expr("{}/{}", pl.col("dept_name"), pl.col("project_name"))
        ).alias("project_code"),
        pl.coalesce("dept_code", "dept_name").alias("dept_code"),
        *[_number(n).alias(f"{n}_fixed") for n in numbers],
        *[
            pl.col(n).str.strip_chars().str.contains("[%％]$").alias(f"{n}_pct")
            for n in numbers
            if n.endswith("_rate")
        ],
    ).with_columns(
        _normalised("money_total_budget_initial").alias("budget_initial"),
        _normalised("money_total_budget_full_year").alias("budget_full_year"),
        _normalised("money_total_executed").alias("executed"),
        # 上年结转资金 of the 全年预算数 column: the carry-over into the year ("—": none given)
        pl.when(_dash(pl.col("money_carryover_budget_full_year")))
        .then(None)
        .otherwise(_normalised("money_carryover_budget_full_year"))
        .alias("carryover"),
        _normalised("total_points").alias("self_score"),
    )
    problems += _cell_problems(detail, pl.col("year").is_null(), "year", "年度", _no_year())
    for name, label in (("project_name", "项目名称"), ("dept_name", "主管部门")):
        problems += _cell_problems(
            detail,
            pl.col(name).is_null(),
            name,
            label,
            _("{label} is empty").format(label=label),
            label_cell=True,
        )
    for name in numbers:
        label = _money_label(name)
        text = pl.col(name)
        parsed = pl.col(f"{name}_fixed")
        amount = name.startswith("money_") and not name.endswith(("_weight", "_points", "_rate"))
        limit = MAX_AMOUNT if amount else MAX_NUMBER
        big = beyond_limit(_strip_unit(text), limit=limit) & ~_dash(text)
        problems += _cell_problems(
            detail,
            text.is_not_null() & parsed.is_null() & ~_dash(text) & ~big,
            name,
            label,
            format_expr(_("{label} '{{}}' is not a number").format(label=label), quoted_expr(text)),
        )
        problems += _cell_problems(
            detail,
            big,
            name,
            label,
            format_expr(
                _(_OUT_OF_RANGE[amount]).format(label=label, limit=limit), quoted_expr(text)
            ),
        )
        if name.startswith("money_") and not name.endswith(("_weight", "_points")):
            problems += _cell_problems(
                detail,
                parsed < 0,
                name,
                label,
                format_expr(_("{label} {{}} is negative").format(label=label), quoted_expr(text)),
            )
    for name in ("budget_initial", "budget_full_year", "executed"):
        field_name = f"money_total_{name}"
        label = _money_label(field_name)
        problems += _cell_problems(
            detail,
            pl.col(field_name).is_null() & pl.col("money_total_label").is_not_null(),
            field_name,
            label,
            _("{label} is empty").format(label=label),
        )
    problems += _duplicate_projects(detail)
    ind, ind_problems = _parse_indicators(forms, detail)
    return detail, ind, problems + ind_problems


_OUT_OF_RANGE = {
    True: N_("{label} '{{}}' is out of range: an amount is at most {limit:,} (10⁹ 万元)"),
    False: N_("{label} '{{}}' is out of range: a number is at most {limit:,} (10¹²) in magnitude"),
}


def _no_year() -> str:
    return _("no year found (a title like '2024年度…' or a 年度 cell); give --year")


def _dash(text: pl.Expr) -> pl.Expr:
    """Cells left blank on purpose: ``—``, ``-``, ``/``, ``／``, ``无``."""
    return text.str.strip_chars().is_in(["—", "-", "/", "／", "无", "——", "－"])


def _money_label(name: str) -> str:
    if name.startswith("money_"):
        part, col = name[6:].split("_", 1)
        column = {v: k for k, v in MONEY_COLUMNS.items()}[col]
        return f"{MONEY_ROWS[part]} {column}"
    return {"total_weight": "总分 分值", "total_points": "总分 得分"}.get(name, name)


def _strip_unit(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace(r"\s*(万元|元|%|％)$", "")


def _number(name: str) -> pl.Expr:
    return parse_fixed(_strip_unit(pl.col(name)))


def _normalised(name: str) -> pl.Expr:
    """The number as plain text, exact: full-width digits and thousands separators removed."""
    return normalise_number_text(_strip_unit(pl.col(name)))


def _cell_problems(
    frame: pl.DataFrame,
    mask: pl.Expr,
    name: str,
    label: str,
    message: str | pl.Expr,
    severity: str = "error",
    *,
    label_cell: bool = False,
) -> list[Problem]:
    """Problems for the rows where ``mask`` holds, at the cell of field ``name``."""
    msg = message if isinstance(message, pl.Expr) else pl.lit(message)
    cell = f"{name}_cell"
    where = pl.col(cell) if cell in frame.columns else pl.lit(None, pl.String)
    hits = frame.filter(mask.fill_null(False)).select(
        "source_file", "source_sheet", where.alias("_cell"), msg.alias("_msg")
    )
    out = []
    for file, sheet, address, text in hits.iter_rows():
        row = int("".join(ch for ch in address if ch.isdigit())) if address else None
        out.append(Problem(file, row, label, text, severity, sheet=sheet, cell=address))
    return out


def _duplicate_projects(detail: pl.DataFrame) -> list[Problem]:
    key = ["year", "project_code"]
    dup = detail.filter(pl.len().over(key) > 1, pl.col("project_code").is_not_null())
    if dup.height == 0:
        return []
    where = format_expr("{}!{}", pl.col("source_file"), pl.col("source_sheet"))
    others = dup.with_columns(where.alias("_where")).with_columns(
        pl.col("_where").str.join(", ").over(key).alias("_all")
    )
    return _cell_problems(
        others,
        pl.lit(True),
        "project_name",
        "项目名称",
        format_expr(
            _("project {} ({}) is on more than one form: {}"),
            pl.col("project_code"),
            pl.col("year"),
            pl.col("_all"),
        ),
    )


def _parse_indicators(
    forms: list[ProjectForm], detail: pl.DataFrame
) -> tuple[pl.DataFrame, list[Problem]]:
    records = [(i, rec) for i, f in enumerate(forms) for rec in f.indicators]
    names = _IND_FIELDS + _IND_OPTIONAL
    data: dict[str, list[object]] = {"_form": [i for i, _ in records]}
    for n in [*names, *(f"{n}_cell" for n in names), "range", "row"]:
        data[n] = [rec.get(n) or None for _, rec in records]
    schema = {n: pl.String for n in data}
    schema.update({"_form": pl.Int64, "row": pl.Int64})
    raw = pl.DataFrame(data, schema=schema)
    forms_frame = detail.select(
        pl.int_range(pl.len()).alias("_form"),
        "year",
        pl.col("project_code").alias("unit_code"),
        "source_file",
        "source_sheet",
    )
    raw = raw.join(forms_frame, on="_form", how="left", maintain_order="left")
    target = parse_targets(raw.get_column("target")).rename(
        {"direction": "_t_dir", "number": "_t_num", "unit": "_t_unit"}
    )
    actual = parse_targets(raw.get_column("actual")).rename(
        {"direction": "_a_dir", "number": "_a_num", "unit": "_a_unit"}
    )
    given_dir = map_unique(raw, "direction", _direction_word, pl.String)
    frame = pl.concat([raw, target, actual], how="horizontal").with_columns(
        given_dir.alias("_given_dir")
    )
    qualitative = (pl.col("_t_dir") == "定性") | (pl.col("_given_dir") == "定性")
    direction = (
        pl.when(qualitative)
        .then(pl.lit("定性"))
        .otherwise(pl.coalesce("_given_dir", "_t_dir", pl.lit("正向")))
    )
    unit = pl.coalesce(pl.col("unit"), pl.col("_t_unit"), pl.col("_a_unit"))
    frame = frame.with_columns(
        direction.alias("_direction"),
        pl.when(qualitative).then(None).otherwise(unit).alias("_unit"),
        pl.when(qualitative).then(pl.col("target")).otherwise(pl.col("_t_num")).alias("_target"),
        pl.when(qualitative).then(pl.col("actual")).otherwise(pl.col("_a_num")).alias("_actual"),
        parse_fixed(pl.col("weight")).alias("weight_fixed"),
        parse_fixed(pl.col("points")).alias("points_fixed"),
        pl.col("range").alias("source_cell"),
    )
    quant = ~qualitative.fill_null(False)
    problems: list[Problem] = []
    for name in ("level1", "level2", "name", "target", "actual"):
        label = _LABEL[name]
        problems += _cell_problems(
            frame, pl.col(name).is_null(), name, label, _("{label} is empty").format(label=label)
        )
    problems += _cell_problems(
        frame,
        quant & pl.col("actual").is_not_null() & pl.col("_a_num").is_null(),
        "actual",
        "实际完成值",
        format_expr(_("实际完成值 '{}' is not a number"), quoted_expr(pl.col("actual"))),
    )
    unit_clash = (
        quant
        & pl.col("_a_unit").is_not_null()
        & pl.col("_t_unit").is_not_null()
        & (pl.col("_a_unit") != pl.col("_t_unit"))
    )
    problems += _cell_problems(
        frame,
        unit_clash,
        "actual",
        "实际完成值",
        format_expr(
            _("实际完成值 '{}' is in {} but the target '{}' is in {}"),
            quoted_expr(pl.col("actual")),
            quoted_expr(pl.col("_a_unit")),
            quoted_expr(pl.col("target")),
            quoted_expr(pl.col("_t_unit")),
        ),
    )
    for name in ("weight", "points"):
        label = _LABEL[name]
        big = beyond_limit(pl.col(name))
        problems += _cell_problems(
            frame,
            pl.col(name).is_not_null() & pl.col(f"{name}_fixed").is_null() & ~big,
            name,
            label,
            format_expr(
                _("{label} '{{}}' is not a number").format(label=label), quoted_expr(pl.col(name))
            ),
        )
        problems += _cell_problems(
            frame,
            big,
            name,
            label,
            format_expr(
                _(_OUT_OF_RANGE[False]).format(label=label, limit=MAX_NUMBER),
                quoted_expr(pl.col(name)),
            ),
        )
    for name, number in (("target", "_t_num"), ("actual", "_a_num")):
        label = _LABEL[name]
        problems += _cell_problems(
            frame,
            quant & beyond_limit(pl.col(number)),
            name,
            label,
            format_expr(
                _(_OUT_OF_RANGE[False]).format(label=label, limit=MAX_NUMBER),
                quoted_expr(pl.col(name)),
            ),
        )
    defaulted = frame.filter(
        quant
        & pl.col("_given_dir").is_null()
        & pl.col("_t_dir").is_null()
        & pl.col("_t_num").is_not_null()
    )
    if defaulted.height:
        grouped = defaulted.group_by("source_file", "source_sheet", maintain_order=True).agg(
            pl.col("target_cell").first(), pl.col("target_cell").str.join(", ").alias("_cells")
        )
        problems += _cell_problems(
            grouped,
            pl.lit(True),
            "target",
            "年度指标值",
            format_expr("年度指标值 without ≥, ≤ or = read as 正向 (≥): {}", pl.col("_cells")),
            "warning",
        )
    out = frame.with_columns(
        pl.col("_direction").alias("direction"),
        pl.col("_target").alias("target"),
        pl.col("_actual").alias("actual"),
        pl.col("_unit").alias("unit"),
        pl.col("points").alias("self_points"),
        pl.col("target").alias("target_text"),
        pl.col("actual").alias("actual_text"),
    )
    return out, problems


def _direction_word(text: str | None) -> str | None:
    code = DIRECTIONS.get(text_key(text)) if text else None
    return {"positive": "正向", "reverse": "反向", "equal": "等于", "qualitative": "定性"}.get(
        code or ""
    )


def _manifest(
    sheets: list[dict[str, object]],
    detail: pl.DataFrame,
    ind: pl.DataFrame,
    problems: list[Problem],
    bad: set[tuple[str, str]],
) -> pl.DataFrame:
    counts: dict[tuple[str, str | None], list[int]] = {}
    for p in problems:
        entry = counts.setdefault((p.file, p.sheet), [0, 0])
        entry[0 if p.severity == "error" else 1] += 1
    n_ind = ind.group_by("source_file", "source_sheet").agg(pl.len().alias("n"))
    n_map = {(f, s): n for f, s, n in n_ind.iter_rows()}
    code = {
        (f, s): c
        for f, s, c in detail.select("source_file", "source_sheet", "project_code").iter_rows()
    }
    rows = []
    for s in sheets:
        key = (s["file"], s["sheet"])
        errors, warnings = counts.get(key, [0, 0])
        if s["sheet"] is None:
            errors += counts.get((s["file"], None), [0, 0])[0]
        status = s["status"]
        if s["layout"] == "项目支出绩效自评表":
            status = "not imported: errors" if key in bad else "imported"
        rows.append(
            {
                **s,
                "status": status,
                "project_code": code.get(key),
                "indicators": n_map.get(key),
                "errors": errors,
                "warnings": warnings,
            }
        )
    schema = {
        "file": pl.String,
        "sheet": pl.String,
        "layout": pl.String,
        "reader": pl.String,
        "status": pl.String,
        "project_code": pl.String,
        "indicators": pl.Int64,
        "errors": pl.Int64,
        "warnings": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)
