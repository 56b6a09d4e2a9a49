"""Tables (数据表): the data contract, reading, validation and writing — floor 2.

What lives here, one module each (private; the names below are the surface):

- ``_contract``: the contract's tables, columns, Chinese header aliases, number range;
- ``_read``: CSV (UTF-8/GB18030), ``.xlsx`` (merged cells), Parquet, frames → raw tables;
- ``_validate``: typing and checking a table, every problem with file, row and column;
- ``_write``: CSV, ``.xlsx`` and Parquet writing, atomic files and folders, formula
  neutralising;
- ``_filenames``: file names from data (the one sanitiser, the inside-the-folder guard);
- ``_workbook_guard``: an ``.xlsx`` measured before a reader opens it;
- ``_targets_notation``: indicator target notation (``≥95%``, ``≤3天`` …).

Imports point down only: this package uses the foundation (``perfkit.errors``,
``perfkit.numbers``, ``perfkit._limits``, ``perfkit._processes``) and the labels of
``perfkit.present``; nothing here knows indicator systems or scoring.

Examples
--------
>>> from perfkit.tables import read_table
>>> read_table("data/sample/projects.csv", "projects").frame.height > 0
True
"""

from perfkit.tables._contract import (
    HEADERS,
    TABLES,
    Column,
    TableSpec,
    contract_headers,
    table_spec,
)
from perfkit.tables._filenames import inside, safe_filename, unique_filename
from perfkit.tables._read import RawTable, TableInput, detect_encoding, find_table, read_table
from perfkit.tables._targets_notation import Target, parse_target, parse_targets
from perfkit.tables._validate import Check, check_table, run_checks
from perfkit.tables._workbook_guard import inspect_workbook, workbook_problems
from perfkit.tables._write import (
    CellTextCut,
    atomic_output,
    atomic_write_bytes,
    atomic_write_text,
    neutralise_formulas,
    write_csv,
    write_excel,
)

__all__ = [
    "HEADERS",
    "TABLES",
    "CellTextCut",
    "Check",
    "Column",
    "RawTable",
    "TableInput",
    "TableSpec",
    "Target",
    "atomic_output",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_table",
    "contract_headers",
    "detect_encoding",
    "find_table",
    "inside",
    "inspect_workbook",
    "neutralise_formulas",
    "parse_target",
    "parse_targets",
    "read_table",
    "run_checks",
    "safe_filename",
    "table_spec",
    "unique_filename",
    "workbook_problems",
    "write_csv",
    "write_excel",
]
