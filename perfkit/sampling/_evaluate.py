"""What the verified sample says about the population (样本评价与推断).

A unit's self-evaluation is **inflated** (自评虚高) when its self-score exceeds the
verified score by more than a threshold (default 5 points, compared exactly in
cents) or its self-grade is better than the verified grade.  Its **inflation**
is self-score − verified score (points; negative when the unit under-scored).

Must-include units (risk rules, certainty units of PPS designs) have inclusion
probability 1: they are counted exactly and represent only themselves.  The
randomly drawn units represent the rest of the population through their
inclusion probabilities π (Horvitz–Thompson, design-based):

* **share of inflated units** — for a simple random sample, the one-sided
  Clopper–Pearson (binomial) upper bound on the rest's rate, as jfa and AICPA
  Table A-3 do; for stratified and PPS designs the Horvitz–Thompson estimate
  with its design variance turned into an effective sample size
  (Korn & Graubard 1998) and the Clopper–Pearson bound on that;
* **mean inflation** — Horvitz–Thompson total of the random part plus the
  must-include units' exact total, over all units, with a t interval; the
  variance is the stratified variance with finite-population correction
  (strata with one random pick borrow the pooled within-stratum variance) or,
  for PPS designs, the with-replacement (Hansen–Hurwitz) approximation;
* **Stringer bound** (money-weighted designs ``pps`` and ``cell``) — each
  random pick's *taint* is the share of its self-score the verification did not
  support, ``(self − verified) / self`` clipped to [0, 1]; the Stringer bound
  (binomial factors, jfa's ``stringer``) bounds the money-weighted overstatement
  of the random part, and the must-include units add their exact tainted money.

PPS designs cannot draw units with no money (π = 0): the projections then
cover the units with money, which the sentences say.  For cell selection a unit
hit twice counts once (n = distinct random picks) in the Stringer bound and the
variance, an approximation on the conservative side.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal

import numpy as np
import polars as pl
from scipy import stats

from perfkit.errors import PerfkitError
from perfkit.i18n import N_, _
from perfkit.numbers import parse_decimal

__all__ = ["Evaluation", "evaluate", "stringer_bound"]


def stringer_bound(
    taints: list[float] | np.ndarray, n: int, confidence: float = 0.95, model: str = "binomial"
) -> float:
    """Stringer upper bound on the misstatement rate from the taints of a sample of n.

    ``p₀ + Σⱼ (pⱼ − pⱼ₋₁) · t₍ⱼ₎`` with the taints sorted from the largest and
    ``pⱼ`` the upper bound for ``j`` errors: binomial (``beta.ppf(c, j + 1, n − j)``,
    jfa's ``stringer``) or Poisson (``gamma.ppf(c, j + 1) / n``, AICPA's factors).
    Taints are clipped to [0, 1].

    Examples
    --------
    >>> round(stringer_bound([], 100), 4)                  # no errors: 1 − 0.05^(1/100)
    0.0295
    >>> round(stringer_bound([1, 1], 100), 4) == round(float(stats.beta.ppf(0.95, 3, 98)), 4)
    True
    >>> round(stringer_bound([0.5], 100, model="poisson") * 100, 4)   # 3.00 + 0.5 × 1.75
    3.8698
    """
    if n < 1:
        raise PerfkitError(_("the Stringer bound needs a sample of at least one unit"))
    t = np.sort(np.clip(np.asarray(taints, dtype=float), 0, 1))[::-1]
    t = t[t > 0]
    j = np.arange(0, len(t) + 1)
    if model == "binomial":
        p = np.where(j < n, stats.beta.ppf(confidence, j + 1, np.maximum(n - j, 1)), 1.0)
    elif model == "poisson":
        p = stats.gamma.ppf(confidence, j + 1) / n
    else:
        raise PerfkitError(_("unknown model {model!r} for the Stringer bound").format(model=model))
    return float(p[0] + np.sum(np.diff(p) * t))


@dataclass
class Evaluation:
    """The evaluation of a verified sample; :meth:`sentences` says it in Chinese.

    Rates are fractions (0.12 = 12 %), inflation in points, money in 万元.
    """

    confidence: float
    threshold: float
    kind: str
    design: str
    verified: int
    fixed: int
    random: int
    inflated: int
    inflated_fixed: int
    population: int
    share_estimate: float | None = None
    share_upper: float | None = None
    share_method: str = ""
    mean_inflation: float | None = None
    mean_low: float | None = None
    mean_high: float | None = None
    stringer_rate: float | None = None
    stringer_money: float | None = None
    population_money: float | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict, with the sentences."""
        return {**asdict(self), "sentences": self.sentences()}

    def sentences(self) -> list[str]:
        """The results in plain sentences (in the chosen language).

        Examples
        --------
        >>> e = Evaluation(0.95, 5.0, "projects", "srs", 20, 0, 20, 3, 0, 600,
        ...                share_estimate=0.15, share_upper=0.3433, mean_inflation=2.5,
        ...                mean_low=1.2, mean_high=3.8)
        >>> print(e.sentences()[1])
        在95%置信水平下，全部600个项目中自评虚高的项目比例不超过34.33%（点估计15.00%）。
        """
        unit = _("projects") if self.kind == "projects" else _("departments")
        conf = f"{self.confidence * 100:g}%"
        out = [
            _(
                "This verification covered {verified} {unit} ({fixed} must-include, {random} "
                "drawn at random); {inflated} of them inflated their self-evaluation (their own "
                "score above the verified score by more than {threshold} points, or their own "
                "grade above the verified grade), {share}."
            ).format(
                verified=self.verified,
                unit=unit,
                fixed=self.fixed,
                random=self.random,
                threshold=f"{self.threshold:g}",
                inflated=self.inflated,
                share=_pct(self.inflated / self.verified if self.verified else 0),
            )
        ]
        if self.share_upper is not None:
            out.append(
                _(
                    "At {confidence} confidence, the share of inflated {unit} among all "
                    "{population} {unit} is at most {upper} (point estimate {estimate})."
                ).format(
                    confidence=conf,
                    unit=unit,
                    population=self.population,
                    upper=_pct(self.share_upper),
                    estimate=_pct(self.share_estimate or 0),
                )
            )
        else:
            out.append(
                _(
                    "The sample holds no {unit} drawn at random: the share of inflated "
                    "self-evaluations in the population cannot be inferred."
                ).format(unit=unit)
            )
        if self.mean_inflation is not None:
            if self.mean_low is not None and self.mean_high is not None:
                text = _(
                    "Weighted by the inclusion probabilities, the self-scores of all {unit} "
                    "exceed the verified scores by {mean:.2f} points on average, "
                    "{confidence} confidence interval [{low:.2f}, {high:.2f}] points."
                ).format(
                    unit=unit,
                    mean=self.mean_inflation,
                    confidence=conf,
                    low=self.mean_low,
                    high=self.mean_high,
                )
            else:
                text = _(
                    "Weighted by the inclusion probabilities, the self-scores of all {unit} "
                    "exceed the verified scores by {mean:.2f} points on average."
                ).format(unit=unit, mean=self.mean_inflation)
            out.append(text)
        if self.stringer_rate is not None:
            out.append(
                _(
                    "Weighted by money (Stringer bound), at {confidence} confidence the "
                    "money-weighted share of overstated self-scores is at most {rate}, "
                    "{money:.2f} (10k yuan) (population money {population:.2f} (10k yuan))."
                ).format(
                    confidence=conf,
                    rate=_pct(self.stringer_rate),
                    money=self.stringer_money,
                    population=self.population_money,
                )
            )
        return out + self.notes


def _pct(rate: float) -> str:
    return f"{rate * 100:.2f}%"


def _cents(expr: pl.Expr) -> pl.Expr:
    return (expr * 100).round(0).cast(pl.Int64)


def evaluate(verification, *, threshold: float | str = 5, confidence: float = 0.95) -> Evaluation:
    """Evaluate a verified sample: share of inflated units, mean inflation, Stringer bound.

    Parameters
    ----------
    verification : Verification
        From :func:`~perfkit.sampling._verify.verify`.
    threshold : number
        Points by which a self-score must exceed the verified score to count as
        inflated (exact, in cents); default 5.
    confidence : float
        Confidence level of the bounds; default 0.95.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> from perfkit.sampling._workbook import write_field_workbook
    >>> from perfkit.sampling._verify import verify
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> s = draw_sample(pop, Design("srs", n=10), seed=1)
    >>> v = verify(s.record, write_field_workbook(s, Path(tempfile.mkdtemp()) / "w.xlsx"))
    >>> e = evaluate(v)
    >>> e.verified, e.random, 0 <= e.share_estimate <= e.share_upper < 1
    (10, 10, True)
    """
    if not 0 < confidence < 1:
        raise PerfkitError(
            _("the confidence level must be between 0 and 1, not {confidence}").format(
                confidence=confidence
            )
        )
    points = parse_decimal(threshold, _("the inflation threshold"), hint=N_(" of points"))
    limit = int(points * 100)
    if limit < 0:
        raise PerfkitError(_("the inflation threshold must not be negative"))
    record = verification.record
    units = verification.units
    if units["self_score"].null_count():
        raise PerfkitError(_("the units have no self-score (自评得分): nothing to compare"))
    if units["verified_score"].null_count():
        missing = units.filter(pl.col("verified_score").is_null())["unit_code"].to_list()
        raise PerfkitError(_("no verified score for {units}").format(units=", ".join(missing[:10])))
    diff = _cents(pl.col("self_score")) - _cents(pl.col("verified_score"))
    work = units.with_columns(
        ((diff > limit) | pl.col("grade_better_than_verified")).alias("inflated"),
        (diff.cast(pl.Float64) / 100).alias("y"),
        (pl.col("reason") != "random").alias("fixed"),
        pl.when(pl.col("self_score") > 0)
        .then(((pl.col("self_score") - pl.col("verified_score")) / pl.col("self_score")).clip(0, 1))
        .otherwise(0.0)
        .alias("taint"),
    )
    fixed, rand = work.filter(pl.col("fixed")), work.filter(~pl.col("fixed"))
    design = record.design["method"]
    draw = record.draw
    zero = int(draw.get("zero_money_units") or 0) if design in ("pps", "cell") else 0
    population = int(record.population["units"]) - zero
    ev = Evaluation(
        confidence=confidence,
        threshold=limit / 100,
        kind=record.kind,
        design=design,
        verified=work.height,
        fixed=fixed.height,
        random=rand.height,
        inflated=int(work["inflated"].sum()),
        inflated_fixed=int(fixed["inflated"].sum()),
        population=population,
    )
    if zero:
        ev.notes.append(
            _(
                "A draw by money cannot pick the units with a full-year budget of 0 ({zero}): "
                "the inference covers the other {population} units."
            ).format(zero=zero, population=population)
        )
    strata = pl.DataFrame(draw["strata"]).select(
        "stratum", pl.col("available").cast(pl.Int64), pl.col("random").cast(pl.Int64)
    )
    n_rest = int(strata["available"].sum()) - zero
    if rand.height == 0:
        ev.notes.append(_("Every unit of the sample is a must-include: it stands only for itself."))
        ev.mean_inflation = float(fixed["y"].sum()) / population if population else None
        return ev
    y = rand["inflated"].cast(pl.Float64).to_numpy()
    total_k, var_k = _ht_total(rand, "inflated", strata, design, zero)
    p_hat = min(max(total_k / n_rest, 0.0), 1.0) if n_rest else 0.0
    if design == "srs":
        k = int(y.sum())
        upper = (
            float(stats.beta.ppf(confidence, k + 1, rand.height - k)) if k < rand.height else 1.0
        )
        ev.share_method = "Clopper–Pearson（二项分布）"
    else:
        var_p = var_k / n_rest**2 if n_rest else 0.0
        n_eff = rand.height if var_p <= 0 or p_hat in (0.0, 1.0) else p_hat * (1 - p_hat) / var_p
        n_eff = min(n_eff, float(rand.height))
        k_eff = n_eff * p_hat
        upper = (
            float(stats.beta.ppf(confidence, k_eff + 1, n_eff - k_eff)) if k_eff < n_eff else 1.0
        )
        ev.share_method = "Horvitz–Thompson + Korn–Graubard 有效样本量 + Clopper–Pearson"
    ev.share_estimate = (ev.inflated_fixed + n_rest * p_hat) / population
    ev.share_upper = min((ev.inflated_fixed + n_rest * upper) / population, 1.0)
    total_y, var_y = _ht_total(rand, "y", strata, design, zero)
    mean = (float(fixed["y"].sum()) + total_y) / population
    ev.mean_inflation = mean
    groups = strata.filter(pl.col("random") > 0).height if design == "stratified" else 1
    df = rand.height - groups
    if df >= 1 and var_y >= 0:
        half = float(stats.t.ppf(0.5 + confidence / 2, df)) * math.sqrt(var_y) / population
        ev.mean_low, ev.mean_high = mean - half, mean + half
    if design in ("pps", "cell"):
        money_rest = float(Decimal(draw.get("random_money", "0")))
        rate = stringer_bound(rand["taint"].to_numpy(), rand.height, confidence)
        fixed_money = float((fixed["taint"] * fixed["budget_full_year"]).sum())
        total_money = float(Decimal(record.population["money"]))
        ev.stringer_money = fixed_money + rate * money_rest
        ev.population_money = total_money
        ev.stringer_rate = ev.stringer_money / total_money if total_money else None
    return ev


def _ht_total(
    rand: pl.DataFrame, column: str, strata: pl.DataFrame, design: str, zero: int
) -> tuple[float, float]:
    """Horvitz–Thompson total of a column over the random part, and its variance."""
    y = rand[column].cast(pl.Float64).to_numpy()
    pi = rand["inclusion_probability"].to_numpy()
    total = float(np.sum(y / pi))
    n = len(y)
    if design in ("pps", "cell"):
        if n < 2:
            return total, -1.0
        z = n * y / pi
        return total, float(np.sum((z - total) ** 2) / (n * (n - 1)))
    per = (
        rand.with_columns(pl.col(column).cast(pl.Float64).alias("_y"))
        .group_by("stratum")
        .agg(pl.col("_y").var(ddof=1).alias("s2"), pl.len().alias("n_h"))
        .join(strata, on="stratum", how="left")
    )
    pooled_parts = per.filter(pl.col("n_h") >= 2)
    pooled = (
        float(
            ((pooled_parts["n_h"] - 1) * pooled_parts["s2"]).sum() / (pooled_parts["n_h"] - 1).sum()
        )
        if pooled_parts.height
        else float(np.var(y, ddof=1))
        if n >= 2
        else -1.0
    )
    if pooled < 0:
        return total, -1.0
    s2 = per.select(pl.when(pl.col("n_h") >= 2).then(pl.col("s2")).otherwise(pooled)).to_series()
    big = per["available"].cast(pl.Float64)
    small = per["n_h"].cast(pl.Float64)
    var = float((big**2 * (1 - small / big) * s2 / small).sum())
    return total, max(var, 0.0)
