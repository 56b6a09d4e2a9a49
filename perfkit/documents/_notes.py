"""The evaluator's notes file (评价人员说明): the text no data can give.

A small YAML or Markdown file per report.  YAML keys (all optional, plain text; a blank
line starts a new paragraph)::

    organisation: 某某会计师事务所        # 评价机构 (cover)
    date: 2025年3月31日                   # 报告日期 (cover)
    process: …                            # 二、（五）评价工作过程
    conclusion: …                         # 三、a word added to the computed conclusion
    experience: …                         # 五、主要经验及做法
    causes: …                             # 五、存在问题的原因分析
    suggestions: …                        # 六、建议 beyond the policy's result use
    other: …                              # 七、其他需要说明的问题
    next_steps: …                         # annual work report: 下一步工作打算

The Markdown form uses one ``## key`` heading per note (the key or its Chinese name, e.g.
``## 主要经验及做法``); text before the first heading is an error.  Unknown keys, a
non-text value and an over-long note are errors naming the file and the key, all at once
(:func:`perfkit.config.load_yaml_model`).  See ``docs/documents.md``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, field_validator

from perfkit.config import MAX_YAML_BYTES, StrictModel, load_yaml_model, validate_model
from perfkit.errors import PerfkitError
from perfkit.i18n import _

__all__ = ["NOTE_TITLES", "Notes", "load_notes"]

#: The longest note (characters): a few pages of text.
MAX_NOTE = 20_000

#: Note key → its Chinese name (Markdown headings may use either).
NOTE_TITLES = {
    "organisation": "评价机构",
    "date": "报告日期",
    "process": "评价工作过程",
    "conclusion": "评价结论补充",
    "experience": "主要经验及做法",
    "causes": "存在问题的原因分析",
    "suggestions": "有关建议",
    "other": "其他需要说明的问题",
    "next_steps": "下一步工作打算",
}


class Notes(StrictModel):
    """The evaluator's notes; a missing one becomes a visible placeholder in the document.

    Examples
    --------
    >>> Notes(experience="建立了项目库。").experience
    '建立了项目库。'
    >>> Notes().causes is None
    True
    """

    organisation: str | None = Field(default=None, max_length=200)
    date: str | None = Field(default=None, max_length=50)
    process: str | None = Field(default=None, max_length=MAX_NOTE)
    conclusion: str | None = Field(default=None, max_length=MAX_NOTE)
    experience: str | None = Field(default=None, max_length=MAX_NOTE)
    causes: str | None = Field(default=None, max_length=MAX_NOTE)
    suggestions: str | None = Field(default=None, max_length=MAX_NOTE)
    other: str | None = Field(default=None, max_length=MAX_NOTE)
    next_steps: str | None = Field(default=None, max_length=MAX_NOTE)

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: object) -> object:
        # YAML reads 2025-03-31 as a date: keep it as the text 2025年3月31日
        if isinstance(value, dt.date):
            return f"{value.year}年{value.month}月{value.day}日"
        return value

    def paragraphs(self, key: str) -> list[str]:
        """The note ``key`` split into paragraphs at blank lines (empty when missing)."""
        value = getattr(self, key) or ""
        return [" ".join(p.split()) for p in value.split("\n\n") if p.strip()]


_BY_TITLE = {**{v: k for k, v in NOTE_TITLES.items()}, **{k: k for k in NOTE_TITLES}}


def _markdown(path: Path) -> dict[str, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PerfkitError(
            _("{file}: cannot read the notes file ({reason})").format(
                file=path, reason=exc.strerror or exc
            )
        ) from None
    if len(raw) > MAX_YAML_BYTES:
        raise PerfkitError(
            _("{file}: the notes file is larger than {limit} bytes").format(
                file=path, limit=f"{MAX_YAML_BYTES:,}"
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PerfkitError(
            _("{file}: the notes file is not UTF-8 text").format(file=path)
        ) from None
    notes: dict[str, list[str]] = {}
    problems: list[str] = []
    key: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            title = line[3:].strip()
            key = _BY_TITLE.get(title)
            if key is None:
                problems.append(
                    "  "
                    + _("line {line}: unknown heading {heading} — one of: {known}").format(
                        line=number,
                        heading=repr(title[:60]),
                        known=", ".join(f"{k} ({v})" for k, v in NOTE_TITLES.items()),
                    )
                )
            elif key in notes:
                problems.append(
                    "  "
                    + _("line {line}: {heading} is given twice").format(line=number, heading=title)
                )
                key = None
            else:
                notes[key] = []
        elif key is not None:
            notes[key].append(line)
        elif line.strip() and not line.startswith("# "):
            problems.append(
                "  " + _("line {line}: text before the first ## heading").format(line=number)
            )
    if problems:
        raise PerfkitError(
            _("{file}: invalid notes file:").format(file=path) + "\n" + "\n".join(problems)
        )
    return {k: "\n".join(v).strip() for k, v in notes.items() if "\n".join(v).strip()}


def load_notes(path: str | Path | None) -> Notes:
    """Read and validate a notes file (``.yaml``/``.yml`` or ``.md``); ``None`` → no notes.

    Raises
    ------
    PerfkitError
        The file is missing, unreadable, not valid YAML/Markdown, or has unknown keys,
        non-text values or over-long notes (every problem, with the file and key).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "notes.md"
    >>> out = p.write_text("## 主要经验及做法\\n建立了项目库。\\n", encoding="utf-8")
    >>> load_notes(p).experience
    '建立了项目库。'
    >>> out = p.with_suffix(".yaml").write_text("experiense: x\\n", encoding="utf-8")
    >>> load_notes(p.with_suffix(".yaml"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: .../notes.yaml：说明文字有误：
      experiense: ...
    """
    if path is None:
        return Notes()
    path = Path(path)
    if path.suffix.lower() in {".md", ".markdown", ".txt"}:
        if not path.is_file():
            raise PerfkitError(_("{file}: notes file not found").format(file=path))
        return validate_model(
            _markdown(path), Notes, what="notes file", source=str(path), shape="key: text"
        )
    if path.suffix.lower() not in {".yaml", ".yml"}:
        raise PerfkitError(_("{file}: a notes file is .yaml, .yml or .md").format(file=path))
    return load_yaml_model(path, Notes, what="notes file", shape="key: text")
