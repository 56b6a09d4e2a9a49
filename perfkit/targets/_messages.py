# ruff: noqa: E501
"""Every user-facing text of target review (绩效目标审核), in one place.

The texts are English msgids marked with :func:`~perfkit.i18n.N_`; the Chinese is in
the catalog (``perfkit/i18n/locale/zh/LC_MESSAGES/perfkit.po``, docs/i18n.md) and a
text is translated with :func:`~perfkit.i18n._` where it is used (:func:`message`,
:func:`suggestion`, :func:`text`).  Templates use ``{}`` placeholders filled by
``polars.format`` (one per row, vectorised), in the same order in both languages.
"""

from __future__ import annotations

from perfkit.i18n import N_, _

__all__ = ["MESSAGES", "SUGGESTIONS", "TEXTS", "message", "suggestion", "text"]

# the labels of rules, families and severities are people's words for codes: they live in
# the one label registry (perfkit/present/_labels.py: TARGET_RULE_LABELS …)

#: Rule id → message template (``{}`` filled per row, in the order the rule gives).
MESSAGES = {
    "completeness.missing_level1": N_("Project {} has no {} indicators"),
    "completeness.missing_output_kind": N_("The output indicators of project {} lack {}"),
    "completeness.duplicate_name": N_("Indicator “{}” repeats in project {} (see also row {})"),
    "clarity.no_number": N_("The quantitative indicator “{}” has no number in its target “{}”"),
    "clarity.no_unit": N_("The quantitative indicator “{}” has no unit (target {})"),
    "clarity.qualitative_share": N_(
        "Project {}: of its {} indicators {} are qualitative, {}%, more than {}%"
    ),
    "clarity.direction_contradiction": N_(
        "The target of indicator “{}”, “{}”, contradicts its direction “{}”"
    ),
    "clarity.reverse_zero": N_("The reverse indicator “{}” has a target of 0"),
    "relevance.vague_benefit": N_(
        "The benefit indicator “{}” is a vague phrase (“{}”) that cannot be measured"
    ),
    "relevance.unit_category": N_(
        "The benefit indicator “{}” has the unit “{}”, which {} projects do not use ({})"
    ),
    "relevance.cost_over_budget": N_(
        "The cost targets add up to {} 万元, more than the project's budget of {} 万元"
    ),
    "relevance.outside_library": N_("Indicator “{}” is not in the common indicator library of {}"),
    "relevance.missing_common": N_("The project lacks common indicators of {}: {}"),
    "ambition.target_low": N_("The target of “{}”, {}, is not above the actual value of {}, {}"),
    "ambition.overachieved_not_raised": N_(
        "“{}”: in {} the actual value {} reached its target {} at {}%, yet the target {} is not raised"
    ),
    "ambition.raised_after_shortfall": N_(
        "“{}”: in {} the target {} was reached at only {}% (actual {}), yet the target is raised to {}"
    ),
    "ambition.budget_up_chronic_low": N_(
        "Execution was low {} years in a row (below {}%; {}: {}%), yet the budget rises from {} to {} 万元"
    ),
}

#: Rule id → suggestion (fixed text; the message carries the figures).
SUGGESTIONS = {
    "completeness.missing_level1": N_(
        "Add indicators of this kind: output, benefit and satisfaction indicators are all required"
    ),
    "completeness.missing_output_kind": N_(
        "Output indicators should cover quantity, quality, timeliness and cost"
    ),
    "completeness.duplicate_name": N_(
        "Merge the repeated indicators or give them names that tell them apart"
    ),
    "clarity.no_number": N_("Write a measurable value, such as “≥95%” or “1200人次”"),
    "clarity.no_unit": N_("Add the unit (人次, %, 万元, 天 …)"),
    "clarity.qualitative_share": N_(
        "Turn the indicators that can be quantified into quantitative ones"
    ),
    "clarity.direction_contradiction": N_("Make the direction agree with the target's symbol"),
    "clarity.reverse_zero": N_(
        "A target of 0 is an “equal” indicator (=0); a reverse indicator needs an upper bound"
    ),
    "relevance.vague_benefit": N_(
        "Use a measurable benefit indicator directly related to the project (see the common indicator library)"
    ),
    "relevance.unit_category": N_(
        "Choose a benefit indicator and unit that fit the project's category"
    ),
    "relevance.cost_over_budget": N_(
        "Check the cost indicators: together they must not exceed the project's budget"
    ),
    "relevance.outside_library": N_(
        "Prefer the indicators of the common indicator library, or state why this one is set"
    ),
    "relevance.missing_common": N_(
        "Add the indicators that projects of this category commonly use (see the library)"
    ),
    "ambition.target_low": N_("The target should not be below last year's actual level"),
    "ambition.overachieved_not_raised": N_("Last year's target was far exceeded: raise the target"),
    "ambition.raised_after_shortfall": N_(
        "Less than 60 % was reached last year: state the grounds before raising the target"
    ),
    "ambition.budget_up_chronic_low": N_(
        "A project with persistently low execution should not get more money: state why, or cut it"
    ),
}

#: Other texts (input problems, words in messages, the command line).
TEXTS = {
    "unknown_project": N_("Project {} is not among the projects of {} for year {}"),
    "plan_year_mixed": N_("A plan holds one planning year, not {}"),
    "history_not_earlier": N_(
        "The history holds year {}, not earlier than the planning year {}: the history holds earlier years only"
    ),
    "library_missing_column": N_("The indicator library lacks the column(s): {}"),
    "library_bad_kind": N_("Kind “{}” must be “指标” or “模糊表述”"),
    "library_range": N_("The typical low {} is above the typical high {}"),
    "library_missing_value": N_("missing value (required for a common indicator)"),
    "library_problems": N_("{} problem(s) in the indicator library"),
    "approved_over_request": N_("Approved {} is more than requested {}"),
    "history_missing": N_("The history folder {} has no {} table"),
    "blank": N_("(blank)"),
    "none": N_("none"),
    "uncategorised": N_("(no category)"),
    "used_by": N_("used by {} projects"),
    "cli_review_counts": N_(
        "{year}: {projects} projects, {findings} findings ({errors} errors, {warnings} warnings, {infos} notes)"
    ),
    "cli_conclusions": N_("Conclusions: {}"),
    "cli_conclusion_count": N_("{conclusion} {n}"),
    "cli_derived": N_(
        "Proposed common indicators (category, indicator, projects using it, typical values):"
    ),
    "cli_library": N_("Common indicator library ({categories} categories, {entries} entries):"),
    "cli_typical": N_("typical {}"),
    "cli_projects_using": N_("{n} projects"),
    "cli_reductions": N_(
        "Requested {requested} 万元, approved {approved} 万元, cut {reduced} 万元, reduction rate {rate}%"
    ),
    "cli_region_rate": N_("{region}: reduction rate {rate}%"),
    "cli_not_a_folder": N_("{option} {path}: no such folder"),
}


def message(rule: str) -> str:
    """The message template of ``rule`` in the user's language.

    Examples
    --------
    >>> from perfkit.i18n import use_language
    >>> with use_language("zh"):
    ...     message("clarity.reverse_zero")
    '反向指标“{}”的目标值为 0'
    """
    return _(MESSAGES[rule])


def suggestion(rule: str) -> str:
    """The suggestion of ``rule`` in the user's language."""
    return _(SUGGESTIONS[rule])


def text(key: str) -> str:
    """One of :data:`TEXTS` in the user's language."""
    return _(TEXTS[key])
