"""Configuration files: YAML read safely, validated by a pydantic model (配置文件).

Indicator systems (``perfkit.systems``), budget policies (``perfkit.compare``)
and batch schedules (``perfkit.batch``) are YAML files that a user writes.  All
three load through :func:`load_yaml_model` and share one strict base model,
:class:`StrictModel` (unknown keys are errors, loaded values are frozen).

Every file is hostile input: it is read with ``yaml.safe_load`` (no Python
objects, no code), and only up to :data:`MAX_YAML_BYTES`.  Every problem is
reported at once, each line naming the file and the key path
(``policy.yaml: invalid budget policy:`` then ``  grades.中: …``); see
``docs/systems.md`` and ``docs/comparison.md`` for the files themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from perfkit.errors import PerfkitError
from perfkit.i18n import N_, _

__all__ = [
    "MAX_YAML_BYTES",
    "StrictModel",
    "key_path",
    "load_yaml_model",
    "pydantic_problem",
    "validate_model",
]

#: Largest configuration file read (1 MiB); a system of hundreds of indicators is ~100 KiB.
MAX_YAML_BYTES = 1 << 20

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of every configuration model: unknown keys are errors, values are frozen.

    Examples
    --------
    >>> class Band(StrictModel):
    ...     low: int
    >>> Band(low=1).low
    1
    >>> Band(low=1, hgih=2)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Band
    hgih
      Extra inputs are not permitted ...
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


def key_path(loc: tuple[int | str, ...], hide: Callable[[tuple, int], bool] | None = None) -> str:
    """A pydantic error location as a key path a user can find in the file.

    ``("groups", 0, "points")`` → ``groups[0].points``; pydantic's validator
    names (``function-after[…]``) and the items ``hide(loc, i)`` is true for
    (e.g. the tags of a tagged union) are left out.

    Examples
    --------
    >>> key_path(("groups", 0, "indicators", 2, "rule", "function-after[x]", "max"))
    'groups[0].indicators[2].rule.max'
    >>> key_path(())
    '（顶层）'
    """
    parts: list[str] = []
    for i, item in enumerate(loc):
        if str(item).startswith("function-") or (hide is not None and hide(loc, i)):
            continue
        parts.append(f"[{item}]" if isinstance(item, int) else ("." if parts else "") + str(item))
    return "".join(parts) or _("(top level)")


def validate_model(
    data: object,
    model: type[M],
    *,
    what: str,
    source: str = "<dict>",
    shape: str = "",
    error: type[PerfkitError] = PerfkitError,
    hide: Callable[[tuple, int], bool] | None = None,
) -> M:
    """Validate parsed data (a mapping) as ``model``; every problem in one ``error``.

    Parameters
    ----------
    data : object
        The parsed YAML (or a mapping a user handed in).
    model : type
        The pydantic model.
    what : str
        What the file is, for the message ("budget policy").
    source : str
        The file (or ``<dict>``) named at the start of every message.
    shape : str
        The top-level keys, shown when the data is no mapping ("name, grades, ...").
    error : type
        The :class:`~perfkit.errors.PerfkitError` subclass raised.
    hide : callable, optional
        Which key-path items to leave out (:func:`key_path`).

    Examples
    --------
    >>> class Policy(StrictModel):
    ...     ratio: int
    >>> validate_model({"ratio": "x", "extra": 1}, Policy, what="budget policy", source="p.yaml")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: p.yaml：预算政策有误：
      ratio: 应为整数，而不是 'x'
      extra: 不允许的键（拼写有误，或此处不能用这个键）
    """
    if not isinstance(data, Mapping):
        hint = f" ({shape})" if shape else ""
        raise error(
            _("{source}: the file must hold a mapping{hint}").format(source=source, hint=hint)
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [f"  {key_path(err['loc'], hide)}: {pydantic_problem(err)}" for err in exc.errors()]
        head = _("{source}: invalid {what}:").format(source=source, what=_(what))
        raise error(head + "\n" + "\n".join(lines)) from None


#: pydantic's error types, as sentences of the catalog (``{value}``: the value given;
#: the other fields come from the error's ``ctx``).
_PYDANTIC_PROBLEMS: dict[str, str] = {
    "missing": N_("required, but not given"),
    "extra_forbidden": N_("not an allowed key (a misspelling, or a key not allowed here)"),
    "int_parsing": N_("must be a whole number, not {value!r}"),
    "int_type": N_("must be a whole number, not {value!r}"),
    "int_from_float": N_("must be a whole number, not {value!r}"),
    "float_parsing": N_("must be a number, not {value!r}"),
    "float_type": N_("must be a number, not {value!r}"),
    "decimal_parsing": N_("must be a number, not {value!r}"),
    "decimal_type": N_("must be a number, not {value!r}"),
    "decimal_max_places": N_("must have at most {decimal_places} decimal places, not {value!r}"),
    "bool_parsing": N_("must be true or false, not {value!r}"),
    "bool_type": N_("must be true or false, not {value!r}"),
    "string_type": N_("must be text, not {value!r}"),
    "list_type": N_("must be a list, not {value!r}"),
    "dict_type": N_("must be a mapping (key: value), not {value!r}"),
    "model_type": N_("must be a mapping (key: value), not {value!r}"),
    "model_attributes_type": N_("must be a mapping (key: value), not {value!r}"),
    "literal_error": N_("must be one of {expected}, not {value!r}"),
    "enum": N_("must be one of {expected}, not {value!r}"),
    "greater_than": N_("must be greater than {gt}, not {value!r}"),
    "greater_than_equal": N_("must be at least {ge}, not {value!r}"),
    "less_than": N_("must be less than {lt}, not {value!r}"),
    "less_than_equal": N_("must be at most {le}, not {value!r}"),
    "too_short": N_("must have at least {min_length} item(s), not {actual_length}"),
    "too_long": N_("must have at most {max_length} item(s), not {actual_length}"),
    "string_too_short": N_("must have at least {min_length} character(s)"),
    "string_too_long": N_("must have at most {max_length} character(s)"),
    "date_parsing": N_("must be a date such as 2024-08-31, not {value!r}"),
    "date_from_datetime_parsing": N_("must be a date such as 2024-08-31, not {value!r}"),
    "path_type": N_("must be a path, not {value!r}"),
    "union_tag_invalid": N_("{tag!r} is not one of {expected_tags}"),
    "union_tag_not_found": N_("the key {discriminator} is required"),
}


def pydantic_problem(err: Mapping[str, object]) -> str:
    """One pydantic error (of ``ValidationError.errors()``) as a sentence of the catalog.

    The model's own checks (``ValueError``) are already in the chosen language; a type
    of error the catalog does not know keeps pydantic's sentence, labelled as such.

    Examples
    --------
    >>> from perfkit.i18n import use_language
    >>> with use_language("en"):
    ...     pydantic_problem({"type": "int_parsing", "input": "x", "msg": "..."})
    "must be a whole number, not 'x'"
    >>> with use_language("en"):
    ...     pydantic_problem({"type": "new_kind", "msg": "Input is odd", "input": 1})
    'invalid value (pydantic: Input is odd)'
    """
    kind = str(err.get("type", ""))
    message = str(err.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    template = _PYDANTIC_PROBLEMS.get(kind)
    if template is None:
        return _("invalid value (pydantic: {message})").format(message=message)
    ctx = dict(err.get("ctx") or {})  # type: ignore[call-overload]
    for key in ("expected", "expected_tags"):
        if isinstance(ctx.get(key), str):
            ctx[key] = ctx[key].replace(" or ", _(" or "))
    try:
        return _(template).format(value=err.get("input"), **ctx)
    except (KeyError, IndexError, ValueError):  # a context pydantic did not give
        return _("invalid value (pydantic: {message})").format(message=message)


def load_yaml_model(
    source: str | Path | Mapping,
    model: type[M],
    *,
    what: str,
    shape: str = "",
    error: type[PerfkitError] = PerfkitError,
    hide: Callable[[tuple, int], bool] | None = None,
    max_bytes: int = MAX_YAML_BYTES,
) -> M:
    """Load a YAML file (or take a mapping) and validate it as ``model``.

    The file is read with ``yaml.safe_load`` and at most ``max_bytes`` long.
    A missing, unreadable, oversized or malformed file raises ``error`` (a
    :class:`~perfkit.errors.PerfkitError`: exit status 1, no traceback) whose
    message starts with the file's path; a file that breaks the model names
    every offending key path (:func:`validate_model`).

    Parameters
    ----------
    source : str, Path or mapping
        The YAML file, or data already parsed.
    model : type
        The pydantic model (usually a :class:`StrictModel`).
    what : str
        What the file is ("indicator system", "budget policy", "schedule").
    shape, error, hide
        As in :func:`validate_model`.
    max_bytes : int
        The largest file read.

    Returns
    -------
    model
        The validated model.

    Examples
    --------
    >>> import tempfile
    >>> class Schedule(StrictModel):
    ...     workers: int = 1
    >>> path = Path(tempfile.mkdtemp()) / "s.yaml"
    >>> _ = path.write_text("workers: 2\\n", encoding="utf-8")
    >>> load_yaml_model(path, Schedule, what="schedule").workers
    2
    >>> _ = path.write_text("workers: [1, 2\\n", encoding="utf-8")
    >>> load_yaml_model(path, Schedule, what="schedule")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: .../s.yaml：不是有效的 YAML：...
    """
    if isinstance(source, Mapping):
        return validate_model(source, model, what=what, shape=shape, error=error, hide=hide)
    path = Path(source)
    data = _read_yaml(path, what, error, max_bytes)
    return validate_model(
        data, model, what=what, source=str(path), shape=shape, error=error, hide=hide
    )


#: What the YAML files read here are (``what=``), translated when shown.
_KINDS = (N_("indicator system"), N_("budget policy"), N_("schedule"), N_("notes file"))


def _read_yaml(path: Path, what: str, error: type[PerfkitError], max_bytes: int) -> object:
    """The parsed YAML of ``path``; ``error`` naming the file for every way it can fail."""
    if not path.is_file():
        raise error(_("{path}: {what} file not found").format(path=path, what=_(what)))
    try:
        with open(path, "rb") as stream:
            raw = stream.read(max_bytes + 1)
    except OSError as exc:
        raise error(
            _("{path}: cannot read the {what} file: {reason}").format(
                path=path, what=_(what), reason=exc.strerror or exc
            )
        ) from None
    if len(raw) > max_bytes:
        raise error(
            _("{path}: the {what} file is larger than {size} KiB").format(
                path=path, what=_(what), size=max_bytes // 1024
            )
        )
    try:
        return yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error(
            _("{path}: not valid YAML: not UTF-8 text ({reason})").format(
                path=path, reason=exc.reason
            )
        ) from None
    except yaml.YAMLError as exc:
        raise error(
            _("{path}: not valid YAML: {problem}").format(path=path, problem=_yaml_problem(exc))
        ) from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The parser's complaint on one line, with lines and columns in the file (1-based)."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    parts = []
    for text, mark in ((exc.context, exc.context_mark), (exc.problem, exc.problem_mark)):
        if text:
            where = (
                _(" (line {line}, column {column})").format(
                    line=mark.line + 1, column=mark.column + 1
                )
                if mark
                else ""
            )
            parts.append(f"{text}{where}")
    # the parser's own words stay English, labelled; the frame and the places are translated
    return _("(YAML parser: {problem})").format(problem=": ".join(parts) or type(exc).__name__)
