"""Sample verification (自评复核抽样): plan, draw, record, field workbook, verify, evaluate.

The steps of a verification, each a small module:

* :mod:`~perfkit.sampling.planning` — sample sizes (attribute and monetary-unit sampling);
* :mod:`~perfkit.sampling.population` — one year's projects or departments to sample from;
* :mod:`~perfkit.sampling.risk` — must-include rules (flags, thresholds);
* :mod:`~perfkit.sampling.designs` and :mod:`~perfkit.sampling.selection` — the draw;
* :mod:`~perfkit.sampling.record` — the selection record and re-performing it;
* :mod:`~perfkit.sampling.workbook` — the field workbook for the verifiers;
* :mod:`~perfkit.sampling.verify` — re-scoring the verified values;
* :mod:`~perfkit.sampling.evaluate` — what the sample says about the population.
"""

from perfkit.sampling.planning import Plan, attribute_upper_bound, plan_attribute, plan_mus
from perfkit.sampling.population import Population, load_population, population_from_scores
from perfkit.sampling.record import ReperformReport, SelectionRecord, reperform
from perfkit.sampling.risk import RiskRule, parse_rule
from perfkit.sampling.selection import Design, Selection, draw_sample

__all__ = [
    "Design",
    "Plan",
    "Population",
    "ReperformReport",
    "RiskRule",
    "Selection",
    "SelectionRecord",
    "attribute_upper_bound",
    "draw_sample",
    "load_population",
    "parse_rule",
    "plan_attribute",
    "plan_mus",
    "population_from_scores",
    "reperform",
]
