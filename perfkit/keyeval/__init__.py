"""Key evaluations (重点评价): frameworks, computed leaves, surveys, the working paper — floor 4.

An evaluator's own working method on the 决策/过程/产出/效益 frameworks
(``project-evaluation``, ``dept-overall-national``): surveys summarised (``_survey``),
computed leaves measured from the data (``_measures``), the working paper written and
read back (``_paper``), and the evaluation's result as a plain data object
(``_result``) that a report renders.  Imports only the floors below (numbers, config,
tables, present, systems, scoring); see docs/key-evaluations.md.
"""

from perfkit.keyeval._measures import OUTPUT_LEVEL2, measure_values, pick_objects
from perfkit.keyeval._paper import (
    FilledPaper,
    WorkingPaper,
    prepare_paper,
    read_paper,
    sheet_titles,
    write_paper,
)
from perfkit.keyeval._report_for import KeyEvaluationReport, report_for
from perfkit.keyeval._result import (
    GroupResult,
    KeyEvaluation,
    LeafResult,
    ObjectResult,
    evaluate_paper,
    score_paper,
)
from perfkit.keyeval._survey import (
    ALL,
    CheckedSurvey,
    SurveyScale,
    check_survey,
    read_survey,
    sample_size,
    summarise_survey,
    z_value,
)

__all__ = [
    "ALL",
    "OUTPUT_LEVEL2",
    "CheckedSurvey",
    "FilledPaper",
    "GroupResult",
    "KeyEvaluation",
    "KeyEvaluationReport",
    "LeafResult",
    "ObjectResult",
    "SurveyScale",
    "WorkingPaper",
    "check_survey",
    "evaluate_paper",
    "measure_values",
    "pick_objects",
    "prepare_paper",
    "read_paper",
    "read_survey",
    "report_for",
    "sample_size",
    "score_paper",
    "sheet_titles",
    "summarise_survey",
    "write_paper",
    "z_value",
]
