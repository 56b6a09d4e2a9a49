"""Sample verification (自评复核抽样): plan, draw, record, field workbook, verify, evaluate.

The steps of a verification, each a small module:

* :mod:`~perfkit.sampling._planning` — sample sizes (attribute and monetary-unit sampling);
* :mod:`~perfkit.sampling._population` — one year's projects or departments to sample from;
* :mod:`~perfkit.sampling._risk` — must-include rules (flags, thresholds);
* :mod:`~perfkit.sampling._designs` and :mod:`~perfkit.sampling._selection` — the draw;
* :mod:`~perfkit.sampling._record` — the selection record and re-performing it;
* :mod:`~perfkit.sampling._workbook` — the field workbook for the verifiers;
* :mod:`~perfkit.sampling._verify` — re-scoring the verified values;
* :mod:`~perfkit.sampling._evaluate` — what the sample says about the population.
"""

from perfkit.sampling._planning import Plan, attribute_upper_bound, plan_attribute, plan_mus
from perfkit.sampling._population import Population, load_population, population_from_scores
from perfkit.sampling._record import SelectionRecord
from perfkit.sampling._reperform import ReperformReport, reperform
from perfkit.sampling._report import draw_summary
from perfkit.sampling._report_for import SamplingReport, report_for
from perfkit.sampling._risk import RiskRule, parse_rule
from perfkit.sampling._selection import Design, Selection, draw_sample
from perfkit.sampling._verify import Verification, sampling_label, verify
from perfkit.sampling._workbook import reason_label

__all__ = [
    "Design",
    "Plan",
    "Population",
    "ReperformReport",
    "RiskRule",
    "SamplingReport",
    "Selection",
    "SelectionRecord",
    "Verification",
    "attribute_upper_bound",
    "draw_sample",
    "draw_summary",
    "load_population",
    "parse_rule",
    "plan_attribute",
    "plan_mus",
    "population_from_scores",
    "reason_label",
    "reperform",
    "report_for",
    "sampling_label",
    "verify",
]
