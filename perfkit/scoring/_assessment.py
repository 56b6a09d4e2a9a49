"""Scoring evaluator-entered items against an assessments system (考核打分复算).

For systems such as 部门预算管理绩效考核 (``budget-mgmt-assessment``) and
部门整体支出绩效评价 (``dept-overall``), each row of the ``assessments`` table is
one item of one unit: an entered ``score`` and/or a ``value`` that a computed
rule turns into points.  Read → check → compute, in two steps
(docs/architecture.md#how-a-score-is-computed): :func:`check_assessments` resolves
item names and checks every entered score against its item's maximum (and step, or
checklist sums) and every value against its rule; :func:`compute_assessments`, given
only a clean table, applies the computed rules (stepped bands, yes/no, deductions,
positive/reverse/equal on a target), recomputes section totals and the grand total,
and grades.  Vectorised: the system's items become a small table joined to the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem, SystemDefinitionError, problem_order
from perfkit.i18n import _
from perfkit.numbers import (
    FIXED,
    SCALE,
    cents_text,
    cents_to_float,
    fixed_text,
    map_unique,
    to_cents,
)
from perfkit.scoring._grading import grade_expr
from perfkit.scoring._result import ScoreResult
from perfkit.scoring._rules import equal_cents, positive_cents, reverse_cents
from perfkit.systems import Node, System
from perfkit.systems._model import (
    ChecklistRule,
    QualitativeRule,
    SteppedRule,
)
from perfkit.tables._contract import text_key
from perfkit.tables._read import RawTable
from perfkit.tables._validate import check_table, problems_from_mask

__all__ = [
    "CheckedAssessments",
    "check_assessments",
    "compute_assessments",
    "score_assessments",
    "system_items",
]

_UNIT = ["year", "unit_code"]
_COMPUTED = ("stepped", "yes_no", "deduction", "positive", "reverse", "equal")


def _fx(value: Decimal | None) -> int | None:
    return None if value is None else int(value * SCALE)


def system_items(system: System) -> pl.DataFrame:
    """The system's leaf items as a table: id, label, section, parent, points, rule fields.

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> items = system_items(load_system("budget-mgmt-assessment"))
    >>> items.select("item_id", "section", "max_cents").head(1).to_dicts()[0]["section"]
    '重大决策部署落实'
    """
    rows = []
    for order, (section, parent, leaf) in enumerate(_leaves_with_context(system)):
        rule = leaf.rule
        rows.append(
            {
                "item_id": leaf.id,
                "item_label": leaf.label,
                "section": section.label,
                "parent": parent.label if parent is not section else None,
                "bonus": section.bonus or leaf.bonus,
                "max_cents": int(leaf.points * 100),
                "kind": rule.kind if rule else None,
                "variant": getattr(rule, "variant", None),
                "target": _fx(getattr(rule, "target", None)),
                "step": _fx(getattr(rule, "step", None)),
                "per": _fx(getattr(rule, "per_occurrence", None)),
                "absolute": getattr(rule, "absolute", None),
                "_order": order,
            }
        )
    schema = {
        "item_id": pl.String,
        "item_label": pl.String,
        "section": pl.String,
        "parent": pl.String,
        "bonus": pl.Boolean,
        "max_cents": pl.Int64,
        "kind": pl.String,
        "variant": pl.String,
        "target": FIXED,
        "step": FIXED,
        "per": FIXED,
        "absolute": pl.Boolean,
        "_order": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)


def _leaves_with_context(system: System) -> list[tuple[Node, Node, Node]]:
    out = []

    def walk(section: Node, parent: Node, node: Node) -> None:
        if node.children:
            for child in node.children:
                walk(section, node, child)
        else:
            out.append((section, parent, node))

    for group in system.groups:
        walk(group, group, group)
    return out


def _bands(system: System) -> pl.DataFrame:
    rows = []
    for *_path, leaf in _leaves_with_context(system):
        if isinstance(leaf.rule, SteppedRule):
            for i, band in enumerate(leaf.rule.bands):
                rows.append(
                    {
                        "item_id": leaf.id,
                        "band": i,
                        "upto": _fx(band.upto),
                        "band_cents": int(band.points * 100),
                    }
                )
    return pl.DataFrame(
        rows, schema={"item_id": pl.String, "band": pl.Int64, "upto": FIXED, "band_cents": pl.Int64}
    )


def _checklist_sums(system: System) -> pl.DataFrame:
    rows = []
    for *_path, leaf in _leaves_with_context(system):
        if isinstance(leaf.rule, ChecklistRule):
            cents = [int(s.points * 100) for s in leaf.rule.items]
            sums = {sum(c) for r in range(len(cents) + 1) for c in combinations(cents, r)}
            rows += [{"item_id": leaf.id, "ok_cents": s} for s in sorted(sums)]
    return pl.DataFrame(rows, schema={"item_id": pl.String, "ok_cents": pl.Int64})


_AMBIGUOUS = "\x00ambiguous"


def _item_lookup(system: System) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every way an item may be named in data (id, label, aliases) → id.

    A label shared by several items (the seed's table has three 资产管理) is
    ambiguous: data must name such items by id.  Returns the lookup and the
    ambiguous names with their ids.
    """
    names: dict[str, set[str]] = {}
    ids = {leaf.id for leaf in system.leaves()}
    for *_path, leaf in _leaves_with_context(system):
        for word in (leaf.id, leaf.label, *leaf.aliases):
            names.setdefault(text_key(word), set()).add(leaf.id)
    by_key = {text_key(i): i for i in ids}
    lookup, ambiguous = {}, {}
    for name, found in names.items():
        if len(found) == 1 or name in by_key:  # an id always names its own item
            lookup[name] = next(iter(found)) if len(found) == 1 else by_key[name]
        else:
            lookup[name] = _AMBIGUOUS
            ambiguous[name] = sorted(found)
    return lookup, ambiguous


def score_assessments(raw: RawTable, system: System) -> ScoreResult:
    """Validate and score an ``assessments`` table (all problems at once).

    Parameters
    ----------
    raw : RawTable
        The ``assessments`` table as read.
    system : System
        A ``kind: assessments`` system.

    Returns
    -------
    ScoreResult

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> from perfkit.systems import load_system
    >>> r = score_assessments(read_table("tests/data/seed001_assessment.csv", "assessments"),
    ...                       load_system("budget-mgmt-assessment"))
    >>> r.units.select("unit_code", "grade").row(0)
    ('XZWB', '优')
    """
    return compute_assessments(check_assessments(raw, system), system)


@dataclass(frozen=True)
class CheckedAssessments:
    """An ``assessments`` table known to be clean, its items resolved to the system's ids.

    ``items`` holds one row per unit and item, joined with the system's item table
    (``kind``, ``max_cents``, …); ``warnings`` the problems that do not block scoring.
    """

    items: pl.DataFrame
    warnings: list[Problem]
    from_pandas: bool


def check_assessments(raw: RawTable, system: System) -> CheckedAssessments:
    """Resolve item names and check an ``assessments`` table; every problem at once.

    The check step of read → check → compute → write (docs/architecture.md).

    Raises
    ------
    SystemDefinitionError
        When the system holds a rule an assessments system cannot use.
    InputError
        With every problem found when any is an error.

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> from perfkit.systems import load_system
    >>> checked = check_assessments(read_table("tests/data/seed001_assessment.csv",
    ...                             "assessments"), load_system("budget-mgmt-assessment"))
    >>> checked.items.height, checked.warnings
    (48, [])
    """
    if system.kind != "assessments":
        raise ValueError(
            _("system {name} is of kind {kind}, not assessments").format(
                name=system.name, kind=system.kind
            )
        )
    qualitative = [leaf for leaf in system.leaves() if isinstance(leaf.rule, QualitativeRule)]
    if qualitative:  # the loader refuses these; a System built around it is refused here
        raise SystemDefinitionError(
            _(
                "{name}: item {id!r} ({label}): a qualitative rule is not "
                "allowed in an assessments system; use 'entered'"
            ).format(name=system.name, id=qualitative[0].id, label=qualitative[0].label)
        )
    typed, problems = check_table(raw)
    # ``score`` and ``value`` are optional columns: a table may give only one of them
    absent = [c for c in ("score", "value") if c not in typed.columns]
    typed = typed.with_columns(pl.lit(None, FIXED).alias(c) for c in absent)
    items = system_items(system)
    lookup, ambiguous = _item_lookup(system)
    typed = typed.with_columns(map_unique(typed, "item", text_key, pl.String).alias("_key"))
    name = pl.col("_key")
    data = typed.with_columns(
        name.replace_strict(lookup, default=None, return_dtype=pl.String).alias("item_id")
    )
    hint = {k: ", ".join(v) for k, v in ambiguous.items()}
    problems += problems_from_mask(
        data,
        pl.col("item_id") == _AMBIGUOUS,
        raw,
        "item",
        format_expr(
            "item '{}' is ambiguous in system " + system.name + " (items {}); name it by id",
            pl.col("item"),
            name.replace_strict(hint, default=""),
        ),
    )
    data = data.with_columns(
        pl.when(pl.col("item_id") == _AMBIGUOUS)
        .then(None)
        .otherwise(pl.col("item_id"))
        .alias("item_id")
    )
    known = _(", ").join(items.get_column("item_id").head(12).to_list())
    problems += problems_from_mask(
        data,
        pl.col("item").is_not_null() & pl.col("item_id").is_null() & ~name.is_in(list(ambiguous)),
        raw,
        "item",
        format_expr(
            _(
                "item '{{}}' is not in system {system} (items are named by id or "
                "label, e.g. {known}, …)"
            ).format(system=system.name, known=known),
            pl.col("item"),
        ),
    )
    # the same item twice for a unit under different names
    dup = pl.len().over([*_UNIT, "item_id"]) > 1
    first = pl.col("_row").min().over([*_UNIT, "item_id"])
    problems += problems_from_mask(
        data,
        pl.col("item_id").is_not_null() & dup & (pl.col("_row") != first),
        raw,
        "item",
        format_expr(
            "item {} of unit {} appears again (first on row {})",
            pl.col("item_id"),
            pl.col("unit_code"),
            first,
        ),
    )
    data = data.join(items, on="item_id", how="left")
    problems += _missing_items(data, items, raw)
    problems += _entered_problems(data, raw, system)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)

    return CheckedAssessments(
        items=data.filter(pl.col("item_id").is_not_null()),
        warnings=sorted(problems, key=problem_order),
        from_pandas=raw.from_pandas,
    )


def compute_assessments(checked: CheckedAssessments, system: System) -> ScoreResult:
    """Score an ``assessments`` table already checked clean (no checks here).

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> from perfkit.systems import load_system
    >>> system = load_system("budget-mgmt-assessment")
    >>> checked = check_assessments(read_table("tests/data/seed001_assessment.csv",
    ...                             "assessments"), system)
    >>> compute_assessments(checked, system).units.get_column("grade").to_list()
    ['优']
    """
    scored = _points(checked.items, system)
    return ScoreResult(
        system=system,
        units=_unit_table(scored, system),
        items=_item_table(scored),
        warnings=list(checked.warnings),
        from_pandas=checked.from_pandas,
    )


def _missing_items(data: pl.DataFrame, items: pl.DataFrame, raw: RawTable) -> list[Problem]:
    units = (
        data.filter(pl.col("year").is_not_null() & pl.col("unit_code").is_not_null())
        .group_by(_UNIT)
        .agg(pl.col("_row").min(), pl.col("item_id").drop_nulls().alias("_have"))
    )
    expected = units.join(items.select("item_id", "_order"), how="cross")
    missing = (
        expected.filter(~pl.col("item_id").is_in(pl.col("_have")).fill_null(False))
        .sort("_order")
        .group_by(_UNIT, maintain_order=True)
        .agg(
            pl.col("_row").first(),
            pl.col("item_id").str.join(", ").alias("_ids"),
            pl.len().alias("_n"),
        )
    )
    return problems_from_mask(
        missing,
        pl.lit(True),
        raw,
        "item",
        format_expr(
            "unit {} ({}) lacks {} item(s) of the system: {}",
            pl.col("unit_code"),
            pl.col("year"),
            pl.col("_n"),
            pl.col("_ids"),
        ),
    )


def _entered_problems(data: pl.DataFrame, raw: RawTable, system: System) -> list[Problem]:
    score, value = pl.col("score"), pl.col("value")
    score_cents = score // (SCALE // 100)
    kind = pl.col("kind")
    known = pl.col("item_id").is_not_null()
    problems = problems_from_mask(
        data,
        known & (score < 0),
        raw,
        "score",
        format_expr("entered score {} must not be negative", fixed_text(score)),
    )
    problems += problems_from_mask(
        data,
        known & (score_cents > pl.col("max_cents")),
        raw,
        "score",
        format_expr(
            _("entered score {} is above the maximum {} of item {} ({})"),
            fixed_text(score),
            cents_text(pl.col("max_cents")),
            pl.col("item_id"),
            pl.col("item_label"),
        ),
    )
    problems += problems_from_mask(
        data,
        known & (score % (SCALE // 100) != 0),
        raw,
        "score",
        "entered score has more than two decimals",
    )
    problems += problems_from_mask(
        data,
        known & pl.col("step").is_not_null() & (score % pl.col("step") != 0),
        raw,
        "score",
        format_expr(
            "entered score {} is not a multiple of the item's step {}",
            fixed_text(score),
            fixed_text(pl.col("step")),
        ),
    )
    needs_value_or_score = known & score.is_null() & value.is_null()
    problems += problems_from_mask(
        data,
        needs_value_or_score & kind.is_in(_COMPUTED),
        raw,
        "value",
        format_expr(
            "item {} ({}) is computed by rule '{}': give its value (or a score)",
            pl.col("item_id"),
            pl.col("item_label"),
            kind,
        ),
    )
    # an entered or checklist item is scored from its score only: a value alone is not used
    # (docs/scoring.md), so it must not pass as 0 points
    needs_score = known & score.is_null() & ~kind.is_in(_COMPUTED)
    problems += problems_from_mask(
        data,
        needs_score,
        raw,
        "score",
        pl.when(value.is_null())
        .then(
            format_expr(
                "item {} ({}) needs an entered score", pl.col("item_id"), pl.col("item_label")
            )
        )
        .otherwise(
            format_expr(
                "item {} ({}) needs an entered score: rule '{}' does not use the value {}",
                pl.col("item_id"),
                pl.col("item_label"),
                kind,
                fixed_text(value),
            )
        ),
    )
    problems += problems_from_mask(
        data,
        known & (kind == "yes_no") & value.is_not_null() & ~value.is_in([0, SCALE]),
        raw,
        "value",
        format_expr("a yes/no item takes value 1 (是) or 0 (否), not {}", fixed_text(value)),
    )
    problems += problems_from_mask(
        data,
        known
        & (kind == "yes_no")
        & value.is_null()
        & score.is_not_null()
        & (score_cents != 0)
        & (score_cents != pl.col("max_cents")),
        raw,
        "score",
        format_expr(
            "a yes/no item scores 0 or its maximum {}, not {}",
            cents_text(pl.col("max_cents")),
            fixed_text(score),
        ),
    )
    problems += problems_from_mask(
        data,
        known & kind.is_in(["deduction", "positive"]) & (value < 0),
        raw,
        "value",
        format_expr("value {} must not be negative for rule '{}'", fixed_text(value), kind),
    )
    sums = _checklist_sums(system)
    if sums.height:
        allowed = sums.group_by("item_id").agg(pl.col("ok_cents"))
        check = data.join(allowed, on="item_id", how="left")
        bad = (
            (kind == "checklist")
            & score.is_not_null()
            & ~score_cents.is_in(pl.col("ok_cents")).fill_null(True)
        )
        problems += problems_from_mask(
            check,
            bad,
            raw,
            "score",
            format_expr(
                "entered score {} is not a sum of the checklist's sub-items ({})",
                fixed_text(score),
                pl.col("ok_cents").list.eval((pl.element() / 100).cast(pl.String)).list.join(", "),
            ),
        )
    return problems


def _points(data: pl.DataFrame, system: System) -> pl.DataFrame:
    """Points in cents per item; computed rules on ``value``, entered scores otherwise."""
    bands = _bands(system)
    value = pl.col("value")
    if bands.height:
        probe = data.select(
            "_row",
            "item_id",
            pl.when(pl.col("absolute")).then(value.abs()).otherwise(value).alias("_v"),
        ).filter(pl.col("_v").is_not_null())
        picked = (
            probe.join(bands, on="item_id")
            .filter(pl.col("upto").is_null() | (pl.col("_v") <= pl.col("upto")))
            .group_by("_row")
            .agg(pl.col("band_cents").sort_by("band").first())
        )
        data = data.join(picked, on="_row", how="left")
    else:
        data = data.with_columns(pl.lit(None, pl.Int64).alias("band_cents"))
    w, kind, t = pl.col("max_cents"), pl.col("kind"), pl.col("target")
    per_cents = pl.col("per") // (SCALE // 100)
    deducted = (
        pl.when(pl.col("per").is_not_null())
        .then((value * per_cents) // SCALE)
        .otherwise(value // (SCALE // 100))
    )
    computed = (
        pl.when(kind == "stepped")
        .then(pl.col("band_cents"))
        .when(kind == "yes_no")
        .then(pl.when(value == SCALE).then(w).otherwise(0))
        .when(kind == "deduction")
        .then(pl.max_horizontal(w - deducted, pl.lit(0)))
        .when(kind == "positive")
        .then(positive_cents(w, value, t))
        .when((kind == "reverse") & (pl.col("variant") == "ratio"))
        .then(reverse_cents(w, value, t, "ratio"))
        .when(kind == "reverse")
        .then(reverse_cents(w, value, t, "linear"))
        .when(kind == "equal")
        .then(equal_cents(w, value, t))
    ).cast(pl.Int64)
    entered = to_cents(pl.col("score"))
    use_computed = kind.is_in(_COMPUTED) & value.is_not_null()
    return data.with_columns(
        pl.when(use_computed).then(computed).otherwise(entered).alias("points_cents"),
        pl.when(use_computed).then(kind).otherwise(pl.lit("entered")).alias("rule"),
    )


def _item_table(scored: pl.DataFrame) -> pl.DataFrame:
    stated = to_cents(pl.col("score"))
    return scored.sort([*_UNIT, "_order"]).select(
        "year",
        "unit_code",
        "section",
        pl.col("parent").alias("level2"),
        "item_id",
        pl.col("item_label").alias("item"),
        "rule",
        "bonus",
        cents_to_float(pl.col("max_cents")).alias("max_points"),
        (pl.col("value").cast(pl.Float64) / SCALE).alias("value"),
        (pl.col("score").cast(pl.Float64) / SCALE).alias("stated_score"),
        cents_to_float(pl.col("points_cents")).alias("points"),
        pl.when(pl.col("score").is_not_null())
        .then(cents_to_float(pl.col("points_cents") - stated))
        .alias("points_diff"),
        *[pl.col(c) for c in ("note",) if c in scored.columns],
        pl.col("_row").alias("source_row"),
    )


def _unit_table(scored: pl.DataFrame, system: System) -> pl.DataFrame:
    sections = [g.label for g in system.groups]
    wide = (
        scored.group_by([*_UNIT, "section"])
        .agg(pl.col("points_cents").sum())
        .pivot(on="section", index=_UNIT, values="points_cents")
    )
    present = [s for s in sections if s in wide.columns]
    bonus = [g.label for g in system.groups if g.bonus and g.label in present]
    base = [s for s in present if s not in bonus]
    units = wide.with_columns(
        pl.sum_horizontal([pl.col(s).fill_null(0) for s in base]).alias("_base"),
        pl.sum_horizontal([pl.col(s).fill_null(0) for s in bonus] or [pl.lit(0)]).alias("_bonus"),
    )
    units = units.with_columns((pl.col("_base") + pl.col("_bonus")).alias("_total"))
    units = units.with_columns(grade_expr(pl.col("_total"), system))
    use = {g: r.label for g, r in system.result_use.items()}
    counts = scored.group_by(_UNIT).agg(pl.len().alias("n_items"))
    return (
        units.join(counts, on=_UNIT)
        .sort(_UNIT)
        .select(
            "year",
            "unit_code",
            *[cents_to_float(pl.col(s)).alias(s) for s in present],
            cents_to_float(pl.col("_base")).alias("base_total"),
            cents_to_float(pl.col("_bonus")).alias("bonus"),
            cents_to_float(pl.col("_total")).alias("total"),
            "grade",
            pl.col("grade").replace_strict(use, default=None).alias("result_use"),
            "n_items",
        )
    )
