"""Schedules (批量运行计划): which notebook, which parameter sets, where, how many workers.

A schedule is a YAML file::

    notebook: notebooks/department_evaluation.ipynb
    output_dir: reports/annual
    workers: 2
    parameters:            # shared by every run
      year: 2024
      data_dir: data/sample
    matrix:                # every combination of these lists
      dept_code: all       # `all`: every department with projects in `year`
    # or instead of matrix:
    # runs:
    #   - {dept_code: D01}
    #   - {dept_code: D02, year: 2023}
    run_name: "{year}-{dept_code}"   # optional: the folder name of each run
                                     # ({parameter} fields only; made safe, docs/security.md)
    formats: [html, docx, pdf]       # optional: report.docx / report.pdf beside report.html
                                     # (docs/documents.md; pdf needs LibreOffice)

``all`` expands ``dept_code`` to every department with projects in the run's
``year`` (read from ``data_dir``'s projects table) and ``year`` to every year
in the data.  Relative paths are relative to the folder the command runs in.
The runner passes each run its own ``output_dir``.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from perfkit.batch._formats import Format
from perfkit.config import StrictModel, load_yaml_model
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.tables._filenames import safe_filename
from perfkit.tables._read import find_table, read_table

__all__ = ["Run", "Schedule", "expand_runs", "load_schedule"]

_ALL = "all"
# a run_name field: a plain parameter name, optionally with a short format such as :02d
_FIELD = re.compile(r"[A-Za-z_]\w*")
_SPEC = re.compile(r"0?\d{0,2}[ds]?")


def _html_only() -> list[Format]:
    return ["html"]


class Schedule(StrictModel):
    """A validated schedule (see the module docstring for the YAML form)."""

    notebook: Path
    output_dir: Path
    workers: int = Field(default=1, ge=1, le=256)
    parameters: dict[str, Any] = Field(default_factory=dict)
    matrix: dict[str, list[Any] | str] | None = None
    runs: list[dict[str, Any]] | None = None
    run_name: str | None = None
    hide_code: bool = True
    kernel: str = "python3"
    timeout: int | None = Field(default=600, ge=1)
    formats: list[Format] = Field(default_factory=_html_only, min_length=1)
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("matrix")
    @classmethod
    def _matrix_values(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        for key, values in (value or {}).items():
            if isinstance(values, str) and values != _ALL:
                raise ValueError(
                    _("{key}: give a list of values or `all`, not {values!r}").format(
                        key=key, values=values
                    )
                )
            if isinstance(values, list) and not values:
                raise ValueError(_("{key}: the list of values is empty").format(key=key))
        return value

    @model_validator(mode="after")
    def _one_source_of_runs(self) -> Schedule:
        if (self.matrix is None) == (self.runs is None):
            raise ValueError(_("give either `matrix:` or `runs:` (exactly one)"))
        if self.runs is not None and not self.runs:
            raise ValueError(_("runs: the list is empty"))
        return self


class Run(BaseModel):
    """One notebook execution: its name (folder) and its parameters."""

    model_config = ConfigDict(frozen=True)

    name: str
    parameters: dict[str, Any]


def load_schedule(path: str | Path) -> Schedule:
    """Read and validate a schedule YAML (safe loading; errors name the file and key).

    Examples
    --------
    >>> s = load_schedule("parameters/schedules/annual.yaml")
    >>> s.notebook.name, s.matrix
    ('department_evaluation.ipynb', {'dept_code': 'all'})
    """
    path = Path(path)
    schedule = load_yaml_model(path, Schedule, what="schedule", shape="notebook, output_dir, ...")
    return schedule.model_copy(update={"source": path})


def _projects(data_dir: Any) -> pl.DataFrame:
    if data_dir is None:
        raise PerfkitError(_("`all` needs a data_dir parameter to list departments or years"))
    path = find_table(data_dir, "projects")
    if path is None:
        raise PerfkitError(
            _("{data_dir}: no projects table to expand `all` from").format(data_dir=data_dir)
        )
    frame = read_table(path, "projects").frame
    return frame.select(
        pl.col("year").cast(pl.String).str.strip_chars().str.strip_suffix("年").alias("year"),
        pl.col("dept_code").cast(pl.String).str.strip_chars().alias("dept_code"),
    ).unique()


def _expand_all(key: str, params: dict[str, Any]) -> list[Any]:
    projects = _projects(params.get("data_dir"))
    if key == "year":
        return sorted(int(y) for y in projects.get_column("year").drop_nulls().unique())
    if key == "dept_code":
        if "year" not in params:
            raise PerfkitError(_("dept_code: all needs a year parameter"))
        codes = (
            projects.filter(pl.col("year") == str(params["year"]))
            .get_column("dept_code")
            .drop_nulls()
            .unique()
            .sort()
            .to_list()
        )
        if not codes:
            raise PerfkitError(
                _("dept_code: all — no department has projects in {year}").format(
                    year=params["year"]
                )
            )
        return codes
    raise PerfkitError(_("{key}: `all` is only defined for year and dept_code").format(key=key))


def _check_template(template: str) -> None:
    """Only ``{parameter}`` and ``{parameter:02d}`` fields: no attribute, index or conversion."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PerfkitError(
            _("run_name {template!r}: {exc}").format(template=template, exc=exc)
        ) from None
    for _text, field, spec, conversion in fields:
        if field is None:
            continue
        if not _FIELD.fullmatch(field) or conversion or not _SPEC.fullmatch(spec or ""):
            raise PerfkitError(
                _(
                    "run_name {template!r}: {field} — use plain parameter names such as "
                    "{example} (a width such as {width} is allowed)"
                ).format(
                    template=template,
                    field="{"
                    + field
                    + ("!" + conversion if conversion else "")
                    + (":" + spec if spec else "")
                    + "}",
                    example="{year}-{dept_code}",
                    width="{month:02d}",
                )
            )


def _name(template: str | None, params: dict[str, Any], varying: list[str]) -> str:
    """The run's folder name: the template filled, then :func:`perfkit.tables.safe_filename`."""
    if template:
        _check_template(template)
        try:
            name = template.format(**params)
        except (KeyError, IndexError, ValueError) as exc:
            raise PerfkitError(
                _("run_name {template!r}: {exc}").format(template=template, exc=exc)
            ) from None
    else:
        name = "-".join(str(params[k]) for k in varying) or "run"
    # department codes come from the data: "X/../../PWNED" becomes one harmless folder name
    return safe_filename(name)


def expand_runs(schedule: Schedule) -> list[Run]:
    """Every run of a schedule: shared parameters, then the matrix or the run list.

    Matrix keys vary in the order written, the last fastest; ``year: all``
    is expanded before ``dept_code: all`` so each year gets its departments.

    Examples
    --------
    >>> s = Schedule(notebook="n.ipynb", output_dir="out",
    ...              parameters={"data_dir": "data/sample"},
    ...              matrix={"year": [2023, 2024], "dept_code": ["D01", "D02"]})
    >>> [r.name for r in expand_runs(s)]
    ['2023-D01', '2023-D02', '2024-D01', '2024-D02']
    """
    if schedule.runs is not None:
        combos = [dict(schedule.parameters, **run) for run in schedule.runs]
        varying = list(dict.fromkeys(k for run in schedule.runs for k in run))
    else:
        assert schedule.matrix is not None
        varying = list(schedule.matrix)
        # `dept_code: all` needs the year, so it is expanded after the other keys;
        # the runs are then ordered as written (the last key varies fastest).
        order = sorted(varying, key=lambda k: k == "dept_code")
        partial: list[tuple[dict[str, Any], dict[str, int]]] = [(dict(schedule.parameters), {})]
        for key in order:
            values = schedule.matrix[key]
            partial = [
                (dict(p, **{key: v}), dict(rank, **{key: i}))
                for p, rank in partial
                for i, v in enumerate(_expand_all(key, p) if values == _ALL else values)
            ]
        partial.sort(key=lambda pr: tuple(pr[1][k] for k in varying))
        combos = [p for p, _ in partial]
    runs = [Run(name=_name(schedule.run_name, p, varying), parameters=p) for p in combos]
    seen: dict[str, list[Run]] = {}
    for run in runs:  # case-insensitively: D01 and d01 are one folder on Windows and macOS
        seen.setdefault(run.name.casefold(), []).append(run)
    twins = [
        ", ".join(dict.fromkeys(r.name for r in group))
        + " ("
        + " | ".join(", ".join(f"{k}={r.parameters.get(k)!r}" for k in varying) for r in group)
        + ")"
        for group in seen.values()
        if len(group) > 1
    ]
    if twins:
        raise PerfkitError(
            _(
                "two or more runs share a folder name: {twins} — set run_name "
                "to a template that tells them apart"
            ).format(twins="; ".join(twins))
        )
    return runs
