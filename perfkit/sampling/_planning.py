"""Planning a sample size (样本量测算): attribute sampling and monetary-unit sampling.

The sizes are the classical (frequentist) audit-sampling sizes that the R
package jfa computes and that the AICPA *Audit Sampling* guide tabulates
(Appendix A for attributes, Appendix C for monetary units).  For each candidate
size ``n = 1, 2, …`` the upper confidence bound on the error rate, given the
errors one expects to find, is computed; the answer is the smallest ``n`` whose
bound is below the tolerable rate:

* binomial: ``beta.ppf(confidence, 1 + k, n - k)`` (Clopper–Pearson), with
  ``k = ⌈expected · n⌉`` expected errors;
* Poisson: ``gamma.ppf(confidence, 1 + expected · n) / n`` (the expected errors
  need not be whole);
* hypergeometric (finite population ``N``): the bound is the largest number of
  errors ``K`` in the population for which seeing at most ``k`` errors is still
  more likely than ``1 − confidence``, divided by ``N``.

``expected`` is a rate when below 1 and a number of errors in the sample when
1 or more (jfa's convention).  The expected count ``⌈expected · n⌉`` is computed
in exact rational arithmetic: jfa computes it in binary floating point, which
makes two cells of AICPA Table A-2 (90 % confidence) come out differently
(5 % tolerable / 3.5 % expected: jfa 423, perfkit 400; 8 % / 6 %: jfa 1313,
perfkit 1300, the AICPA value), because ``0.035 × 400`` is ``14.000000000000002``
in floating point.

Monetary-unit sampling (MUS, 货币单位抽样) plans with the Poisson model on the
rates ``tolerable misstatement / population money`` and ``expected misstatement /
population money``; the sampling interval is ``money / n``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from fractions import Fraction

import numpy as np
from scipy import stats

from perfkit.errors import PerfkitError
from perfkit.i18n import N_, _
from perfkit.numbers import round_half_up
from perfkit.tables._contract import MAX_AMOUNT

__all__ = ["MODELS", "Plan", "attribute_upper_bound", "plan_attribute", "plan_mus"]

#: Models of the number of errors in a sample.
MODELS = ("binomial", "poisson", "hypergeometric")

Number = int | float | str | Decimal | Fraction


@dataclass(frozen=True)
class Plan:
    """A planned sample size and what it rests on.

    Attributes
    ----------
    n : int
        The smallest sample size that meets the requirement.
    model : str
        ``binomial``, ``poisson`` or ``hypergeometric``.
    confidence, tolerable : float
        Confidence level and tolerable error rate (可容忍偏差率 / 重要性水平).
    expected : float
        The ``expected`` input (a rate below 1, or a count of errors).
    expected_errors : float
        Errors the sample may contain and still meet the requirement.
    upper_bound : float
        The upper confidence bound on the rate if the sample shows exactly
        ``expected_errors`` errors (below ``tolerable``).
    population : int or None
        Population size (hypergeometric model).
    money, tolerable_misstatement, expected_misstatement : str or None
        Monetary-unit sampling inputs (万元, exact decimal text).
    interval : str or None
        Monetary-unit sampling interval ``money / n`` (万元, six decimals).
    """

    n: int
    model: str
    confidence: float
    tolerable: float
    expected: float
    expected_errors: float
    upper_bound: float
    population: int | None = None
    money: str | None = None
    tolerable_misstatement: str | None = None
    expected_misstatement: str | None = None
    interval: str | None = None

    def to_dict(self) -> dict[str, object]:
        """The plan as a JSON-ready dict (``n`` is the size)."""
        return asdict(self)

    def describe(self) -> str:
        """The plan in one sentence (in the chosen language).

        Examples
        --------
        >>> print(plan_attribute(0.95, 0.05).describe())
        在95%置信水平、可容忍偏差率5%、预期偏差0的条件下（二项分布），至少需抽取59个单位。
        """
        model = _(_MODELS[self.model])
        if self.money is not None:
            return _(
                "At {confidence} confidence, with population money of {money} (10k yuan), a "
                "tolerable misstatement of {tolerable} (10k yuan) and an expected misstatement "
                "of {expected} (10k yuan) (monetary-unit sampling, {model}), at least {n} "
                "monetary units must be drawn, at a sampling interval of {interval} (10k yuan)."
            ).format(
                confidence=_pct(self.confidence),
                money=self.money,
                tolerable=self.tolerable_misstatement,
                expected=self.expected_misstatement,
                model=model,
                n=self.n,
                interval=_trim(self.interval),
            )
        if not self.expected:
            expected = "0"
        elif self.expected < 1:  # a rate
            expected = _pct(self.expected)
        else:  # a count of deviations
            expected = _("{count:g} (a count)").format(count=self.expected)
        return _(
            "At {confidence} confidence, with a tolerable deviation rate of {tolerable} and "
            "expected deviations of {expected} ({model}), at least {n} units must be drawn."
        ).format(
            confidence=_pct(self.confidence),
            tolerable=_pct(self.tolerable),
            expected=expected,
            model=model,
            n=self.n,
        )


#: The statistical models of a plan, for its description.
_MODELS = {
    "binomial": N_("binomial distribution"),
    "poisson": N_("Poisson distribution"),
    "hypergeometric": N_("hypergeometric distribution"),
}


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


def _trim(text: str | None) -> str:
    if text is None:
        return ""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fraction(value: Number, what: str) -> Fraction:
    try:
        if isinstance(value, float):
            return Fraction(str(value))  # the decimal the user typed, not the binary double
        return Fraction(str(value)) if isinstance(value, Decimal) else Fraction(value)
    except (ValueError, ZeroDivisionError, TypeError):
        raise PerfkitError(
            _("{what} must be a number, not {value!r}").format(what=what, value=value)
        ) from None


def _check_rate(value: Fraction, what: str) -> None:
    if not 0 < value < 1:
        raise PerfkitError(
            _("{what} must be between 0 and 1 (exclusive), not {value:g}").format(
                what=what, value=float(value)
            )
        )


def attribute_upper_bound(
    errors: float, n: int, confidence: float = 0.95, model: str = "binomial"
) -> float:
    """One-sided upper confidence bound on an error rate after ``errors`` in ``n``.

    ``binomial`` is the Clopper–Pearson bound (AICPA Table A-3), ``poisson`` the
    gamma bound used for monetary units (AICPA confidence factors / n).

    Examples
    --------
    >>> round(attribute_upper_bound(0, 59), 4), round(attribute_upper_bound(2, 100), 4)
    (0.0495, 0.0616)
    >>> round(attribute_upper_bound(0, 1, model="poisson"), 4)   # AICPA factor 3.00
    2.9957
    """
    if model == "binomial":
        if errors >= n:
            return 1.0
        return float(stats.beta.ppf(confidence, errors + 1, n - errors))
    if model == "poisson":
        return float(stats.gamma.ppf(confidence, errors + 1) / n)
    raise PerfkitError(
        _("unknown model {model!r} for a bound; use binomial or poisson").format(model=model)
    )


def _ceil_times(rate: Fraction, n: np.ndarray) -> np.ndarray:
    """⌈rate · n⌉ exactly, for every n (integer arithmetic on numerator/denominator)."""
    num, den = rate.numerator, rate.denominator
    return -((-num * n) // den)


def plan_attribute(
    confidence: Number = 0.95,
    tolerable: Number = 0.05,
    expected: Number = 0,
    *,
    model: str = "binomial",
    population: int | None = None,
    max_n: int = 5000,
) -> Plan:
    """Smallest attribute-sampling size (属性抽样样本量) for a tolerable error rate.

    Parameters
    ----------
    confidence : number
        Confidence level, e.g. 0.95 (1 − risk of over-reliance).
    tolerable : number
        Tolerable rate of wrong self-evaluations in the population, e.g. 0.05.
    expected : number
        Expected errors: a rate below 1 (0.01 = 1 % of the sample) or a count
        of errors (≥ 1).  Default 0.
    model : {"binomial", "poisson", "hypergeometric"}
        Error-count model; ``hypergeometric`` needs ``population``.
    population : int, optional
        Number of units in the population (hypergeometric model).
    max_n : int
        Largest size searched (jfa's ``max``).

    Returns
    -------
    Plan

    Raises
    ------
    PerfkitError
        For rates outside (0, 1), an expected rate not below the tolerable one,
        a missing population, or no size up to ``max_n`` sufficing.

    Examples
    --------
    >>> plan_attribute(0.95, 0.05).n, plan_attribute(0.95, 0.05, model="poisson").n
    (59, 60)
    >>> plan_attribute(0.95, 0.05, 0.01).n     # AICPA Table A-1
    93
    >>> plan_attribute(0.95, 0.05, model="hypergeometric", population=600).n
    56
    """
    if model not in MODELS:
        raise PerfkitError(
            _("unknown model {model!r}; choose one of {choices}").format(
                model=model, choices=", ".join(MODELS)
            )
        )
    conf, tol, exp = (
        _fraction(confidence, _("confidence")),
        _fraction(tolerable, _("tolerable")),
        _fraction(expected, _("expected")),
    )
    _check_rate(conf, _("confidence"))
    _check_rate(tol, _("the tolerable rate"))
    if exp < 0:
        raise PerfkitError(
            _("expected errors must not be negative, not {value:g}").format(value=float(exp))
        )
    if exp < 1 and exp >= tol:
        raise PerfkitError(
            _(
                "the expected rate {expected:g} must be below the tolerable rate {tolerable:g}"
            ).format(expected=float(exp), tolerable=float(tol))
        )
    if model == "hypergeometric" and (population is None or population < 1):
        raise PerfkitError(_("the hypergeometric model needs the population size (--population)"))
    n = np.arange(1, max_n + 1, dtype=np.int64)
    if exp >= 1:
        whole = math.ceil(exp) if model != "poisson" else None
        k = np.full(n.shape, whole if whole is not None else float(exp), dtype=float)
    elif model == "poisson":
        k = float(exp) * n.astype(float)
    else:
        k = _ceil_times(exp, n).astype(float)
    valid = n > k
    cl = float(conf)
    if model == "binomial":
        bound = stats.beta.ppf(cl, 1 + k, np.where(valid, n - k, 1))
        enough = valid & (bound < float(tol))
    elif model == "poisson":
        bound = stats.gamma.ppf(cl, 1 + k) / n
        enough = valid & (bound < float(tol))
    else:
        assert population is not None
        bad = -((-tol.numerator * population) // tol.denominator)  # ⌈tol · N⌉ errors
        expected_bad = (
            math.ceil(exp) if exp >= 1 else -((-exp.numerator * population) // exp.denominator)
        )
        if expected_bad >= bad:
            raise PerfkitError(_("the expected errors must be below tolerable rate × population"))
        valid &= n <= population
        # the bound is below the tolerable rate exactly when a population with ⌈tol·N⌉
        # errors would show at most k errors with probability ≤ 1 − confidence
        # (the hypergeometric cdf falls as the population's errors rise)
        tail = stats.hypergeom.cdf(k, population, bad, np.minimum(n, population))
        enough = valid & (k < bad) & (tail <= 1 - cl)
        bound = np.full(n.shape, np.nan)
    if not enough.any():
        raise PerfkitError(
            _("no sample size up to {max_n} meets the requirement").format(max_n=max_n)
        )
    i = int(np.argmax(enough))
    size = int(n[i])
    ub = float(bound[i]) if model != "hypergeometric" else _hyper_bound(cl, population, size, k[i])
    return Plan(
        n=size,
        model=model,
        confidence=float(conf),
        tolerable=float(tol),
        expected=float(exp),
        expected_errors=float(k[i]),
        upper_bound=ub,
        population=population,
    )


def _hyper_bound(confidence: float, population: int | None, n: int, k: float) -> float:
    """jfa's hypergeometric bound: the largest K with P(X ≤ k | K) > 1 − confidence, over N."""
    assert population is not None
    errors = np.arange(int(k), population + 1)
    tail = stats.hypergeom.cdf(int(k), population, errors, n)
    return float(errors[tail > 1 - confidence].max()) / population


#: Largest population money (万元) a monetary-unit plan takes: a million units of the data
#: contract's largest amount (its interval, with six decimals, stays within Decimal's 28 digits).
MAX_MONEY = MAX_AMOUNT * 10**6


def plan_mus(
    money: Number,
    tolerable_misstatement: Number,
    expected_misstatement: Number = 0,
    *,
    confidence: Number = 0.95,
    model: str = "poisson",
    max_n: int = 5000,
) -> Plan:
    """Monetary-unit sample size (货币单位抽样样本量) and sampling interval.

    Parameters
    ----------
    money : number
        The population's money (万元), e.g. the sum of 全年预算数.
    tolerable_misstatement, expected_misstatement : number
        In the same unit as ``money``.
    confidence : number
        Confidence level (1 − risk of incorrect acceptance).
    model : {"poisson", "binomial"}
        Poisson is the AICPA convention for monetary units.

    Examples
    --------
    >>> p = plan_mus(100_000, 5_000)             # 5 % tolerable, none expected
    >>> p.n, p.interval
    (60, '1666.666667')
    >>> plan_mus(100_000, 5_000, 1_000).n         # AICPA Table C-1: ratio 0.2
    93
    """
    x = _fraction(money, _("the population's money"))
    tm = _fraction(tolerable_misstatement, _("the tolerable misstatement"))
    em = _fraction(expected_misstatement, _("the expected misstatement"))
    if x <= 0:
        raise PerfkitError(_("the population's money must be above 0"))
    if x > MAX_MONEY:
        raise PerfkitError(
            _(
                "the population's money must be at most {limit:,} 万元 (a million units of "
                "the largest amount the data contract accepts)"
            ).format(limit=MAX_MONEY)
        )
    if not 0 < tm < x:
        raise PerfkitError(_("the tolerable misstatement must be above 0 and below the money"))
    if em < 0:
        raise PerfkitError(_("the expected misstatement must not be negative"))
    if model not in ("poisson", "binomial"):
        raise PerfkitError(_("monetary-unit sampling plans with the poisson or binomial model"))
    base = plan_attribute(confidence, tm / x, em / x, model=model, max_n=max_n)
    interval = round_half_up(Decimal(x.numerator) / Decimal(x.denominator) / base.n, 6)
    return replace(
        base,
        money=_decimal_text(x),
        tolerable_misstatement=_decimal_text(tm),
        expected_misstatement=_decimal_text(em),
        interval=f"{interval:f}",
    )


def _decimal_text(value: Fraction) -> str:
    d = Decimal(value.numerator) / Decimal(value.denominator)
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
