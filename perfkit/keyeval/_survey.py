"""Satisfaction surveys (满意度调查): answers checked, summarised, sample sizes planned.

A ``survey`` table (data contract: respondent, question, answer; optional year and
unit_code) is checked against a :class:`SurveyScale` (answers 1–5, or the five
phrases 非常满意 … 非常不满意), every problem at once with file, row and column.
The summary per question and for the whole survey (``question`` = ``ALL``, every
answer pooled) gives n, the satisfied count, the satisfaction rate and a Wilson
confidence interval (percent), and the weighted satisfaction index.  The rate and
the index are exact (integer half-up to cents, :mod:`perfkit.numbers`); the
interval's bounds are statistics, computed in floating point and rounded half-up
to two decimals.  Vectorised: one polars expression per column, no loop per row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import NormalDist

import polars as pl

from perfkit._frames import like_input
from perfkit._limits import format_expr
from perfkit.errors import InputError, PerfkitError
from perfkit.i18n import _
from perfkit.numbers import cents_to_float, div_half_up, map_unique
from perfkit.tables._contract import text_key
from perfkit.tables._read import RawTable, TableInput, read_table
from perfkit.tables._validate import check_table, problems_from_mask

__all__ = [
    "ALL",
    "CheckedSurvey",
    "SurveyScale",
    "check_survey",
    "read_survey",
    "sample_size",
    "summarise_survey",
    "z_value",
]

#: The ``question`` of the summary row that pools every answer.
ALL = "ALL"


@dataclass(frozen=True)
class SurveyScale:
    """The answer scale: five levels, 5 (非常满意) down to 1 (非常不满意).

    Parameters
    ----------
    phrases : tuple of str
        The phrases of levels 5, 4, 3, 2, 1 (answers may also be the digits 1–5).
    satisfied_from : int
        The lowest level counted as satisfied (4: 满意 and 非常满意).
    index_weights : tuple of int
        The weighted index's points per level 5 … 1 (100, 80, 60, 40, 20 by default).

    Examples
    --------
    >>> SurveyScale().level("满意"), SurveyScale().level(" 5 "), SurveyScale().level("还行")
    (4, 5, None)
    """

    phrases: tuple[str, ...] = ("非常满意", "满意", "一般", "不满意", "非常不满意")
    satisfied_from: int = 4
    index_weights: tuple[int, ...] = (100, 80, 60, 40, 20)
    _words: dict[str, int] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.phrases) != 5 or len(self.index_weights) != 5:
            raise PerfkitError(_("a survey scale has five phrases and five index weights"))
        if not 1 <= self.satisfied_from <= 5:
            raise PerfkitError(_("satisfied_from is a level from 1 to 5"))
        words = {text_key(p): 5 - i for i, p in enumerate(self.phrases)}
        words.update({str(level): level for level in range(1, 6)})
        self._words.update(words)

    def level(self, answer: object) -> int | None:
        """The level 1–5 of an answer, or None when it is not on the scale."""
        return self._words.get(text_key(answer))

    def accepted_text(self) -> str:
        """The accepted answers, for messages."""
        return _("1–5 or {phrases}").format(phrases=" / ".join(self.phrases))


@dataclass(frozen=True)
class CheckedSurvey:
    """A survey known to be clean: one row per answer with its ``level`` (1–5)."""

    answers: pl.DataFrame
    scale: SurveyScale
    source: str
    from_pandas: bool = False


def z_value(confidence: float | Decimal) -> float:
    """The two-sided normal quantile for a confidence level (0.95 → 1.96).

    Examples
    --------
    >>> round(z_value(0.95), 4), round(z_value(0.99), 4)
    (1.96, 2.5758)
    """
    c = float(confidence)
    if not 0 < c < 1:
        raise PerfkitError(
            _("--confidence must be between 0 and 1 (e.g. 0.95), not {value}").format(
                value=confidence
            )
        )
    return NormalDist().inv_cdf(0.5 + c / 2)


def sample_size(
    margin_pct: float | Decimal = 5,
    confidence: float | Decimal = 0.95,
    population: int | None = None,
) -> int:
    """Respondents needed for a margin (percentage points) at a confidence level.

    ``n0 = z² · p(1 − p) / e²`` with the conservative ``p = 0.5``; for a finite
    population of ``N`` beneficiaries ``n = n0 / (1 + (n0 − 1) / N)``; rounded up.

    Examples
    --------
    >>> sample_size(5, 0.95), sample_size(5, 0.95, population=500), sample_size(3, 0.95, 20)
    (385, 218, 20)
    """
    e = float(margin_pct) / 100
    if not 0 < e < 1:
        raise PerfkitError(
            _("--margin must be between 0 and 100 percentage points, not {value}").format(
                value=margin_pct
            )
        )
    if population is not None and population < 1:
        raise PerfkitError(
            _("--population must be a whole number ≥ 1, not {value}").format(value=population)
        )
    n0 = z_value(confidence) ** 2 * 0.25 / e**2
    n = n0 if population is None else n0 / (1 + (n0 - 1) / population)
    # a hair below an integer is that integer (binary floating point), never one more
    return max(1, math.ceil(round(n, 9)))


def read_survey(
    source: TableInput | RawTable,
    scale: SurveyScale | None = None,
    questions: Sequence[str] | None = None,
) -> CheckedSurvey:
    """Read and check a ``survey`` table (see :func:`check_survey`).

    Examples
    --------
    >>> s = read_survey(pl.DataFrame({"respondent": ["r1", "r2"], "question": ["q", "q"],
    ...                               "answer": ["满意", "2"]}))
    >>> s.answers.get_column("level").to_list()
    [4, 2]
    """
    raw = source if isinstance(source, RawTable) else read_table(source, "survey")
    return check_survey(raw, scale, questions)


def check_survey(
    raw: RawTable, scale: SurveyScale | None = None, questions: Sequence[str] | None = None
) -> CheckedSurvey:
    """Check a survey: the contract, answers on the scale, known questions; all at once.

    A respondent answering the same question twice is a duplicate key of the contract.

    Raises
    ------
    InputError
        Every problem with file, row and column.

    Examples
    --------
    >>> raw = read_table(pl.DataFrame({"respondent": ["r1", "r1"], "question": ["q", "q"],
    ...                                "answer": ["6", "满意"]}), "survey")
    >>> try:
    ...     check_survey(raw)
    ... except InputError as err:
    ...     print("\\n".join(str(p) for p in err.problems))
    <survey> 第1行 answer：答案 '6' 不在量表中（1–5 或 ...）
    <survey> 第2行 question：重复的键（respondent=r1, question=q），第 1 行已有
    """
    scale = scale or SurveyScale()
    typed, problems = check_table(raw)
    typed = typed.with_columns(map_unique(typed, "answer", scale.level, pl.Int8).alias("level"))
    off_scale = _("answer '{answer}' is not on the scale ({accepted})")
    problems += problems_from_mask(
        typed,
        pl.col("answer").is_not_null() & pl.col("level").is_null(),
        raw,
        "answer",
        format_expr(
            off_scale.format(answer="{}", accepted="{}"),
            pl.col("answer"),
            pl.lit(scale.accepted_text()),
        ),
    )
    if questions is not None:
        known = sorted({text_key(q) for q in questions})
        unknown = _("question '{question}' is not one of the survey's questions ({listed})")
        problems += problems_from_mask(
            typed,
            pl.col("question").is_not_null()
            & ~map_unique(typed, "question", text_key, pl.String).is_in(known),
            raw,
            "question",
            format_expr(
                unknown.format(question="{}", listed="{}"),
                pl.col("question"),
                pl.lit(", ".join(questions)),
            ),
        )
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    for name in ("year", "unit_code"):
        if name not in typed.columns:
            typed = typed.with_columns(
                pl.lit(None, pl.Int32 if name == "year" else pl.String).alias(name)
            )
    return CheckedSurvey(
        answers=typed.select(
            "_row", "year", "unit_code", "respondent", "question", "answer", "level"
        ),
        scale=scale,
        source=raw.source,
        from_pandas=raw.from_pandas,
    )


def _half_up_2(x: pl.Expr) -> pl.Expr:
    """A non-negative float rounded half-up to two decimals (statistics, not money)."""
    return cents_to_float((x * 100 + 0.5).floor().cast(pl.Int64))


def summarise_survey(
    survey: CheckedSurvey,
    *,
    confidence: float | Decimal = 0.95,
    population: int | None = None,
    margin_pct: float | Decimal = 5,
) -> pl.DataFrame:
    """Per question and for the whole survey (``ALL``): n, satisfied, rate, Wilson interval.

    Columns: ``unit_code`` (when the survey names objects), ``question``, ``n``,
    ``satisfied``, ``rate`` (%), ``ci_low``, ``ci_high`` (Wilson, %), ``index`` (the
    weighted satisfaction index, 0–100), ``needed_n`` (respondents needed for
    ``margin_pct`` at ``confidence``, finite population when ``population`` is given)
    and ``enough`` (n ≥ needed_n).  Questions in first-seen order, ``ALL`` last.
    A survey read from a pandas frame gives a pandas frame.

    Examples
    --------
    >>> s = read_survey(pl.DataFrame({"respondent": ["r1", "r2", "r3", "r1"],
    ...     "question": ["q1", "q1", "q1", "q2"], "answer": ["5", "4", "1", "满意"]}))
    >>> summarise_survey(s).select("question", "n", "satisfied", "rate", "ci_low").rows()
    [('q1', 3, 2, 66.67, 20.77), ('q2', 1, 1, 100.0, 20.65), ('ALL', 4, 3, 75.0, 30.06)]
    """
    z = z_value(confidence)
    needed = sample_size(margin_pct, confidence, population)
    scale = survey.scale
    answers = survey.answers.with_columns(
        (pl.col("level") >= scale.satisfied_from).cast(pl.Int64).alias("_sat"),
        pl.col("level")
        .replace_strict(
            {5 - i: w for i, w in enumerate(scale.index_weights)}, return_dtype=pl.Int64
        )
        .alias("_w"),
    )
    has_units = answers.get_column("unit_code").is_not_null().any()
    by = ["unit_code"] if has_units else []
    aggs = [
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("_sat").sum().alias("satisfied"),
        pl.col("_w").sum().alias("_wsum"),
        pl.col("_row").min().alias("_first"),
    ]
    per_q = answers.group_by([*by, "question"]).agg(aggs)
    pooled = answers.group_by(by or pl.lit(0).alias("_all")).agg(aggs)
    pooled = pooled.drop("_all", strict=False).with_columns(
        pl.lit(ALL).alias("question"), pl.lit(None, pl.Int64).alias("_first")
    )
    table = pl.concat([per_q, pooled.select(per_q.columns)], how="vertical")
    n, s = pl.col("n"), pl.col("satisfied")
    p = s / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * (p * (1 - p) / n + z2n / (4 * n)).sqrt()
    table = table.with_columns(
        cents_to_float(div_half_up(s * 10_000, n)).alias("rate"),
        _half_up_2(((centre - half) * 100).clip(0, 100)).alias("ci_low"),
        _half_up_2(((centre + half) * 100).clip(0, 100)).alias("ci_high"),
        cents_to_float(div_half_up(pl.col("_wsum") * 100, n)).alias("index"),
        pl.lit(needed, pl.Int64).alias("needed_n"),
        (n >= needed).alias("enough"),
    )
    order = [*by, pl.col("_first").is_null(), "_first"]
    result = table.sort(order).select(
        *by,
        "question",
        "n",
        "satisfied",
        "rate",
        "ci_low",
        "ci_high",
        "index",
        "needed_n",
        "enough",
    )
    return like_input(result, survey.from_pandas)
