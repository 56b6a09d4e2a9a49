"""Chinese first, English on request: the catalog is whole and the language is chosen.

* every message perfkit shows (each ``_()``/``ngettext()``/``N_()`` of ``perfkit/``, and
  click's own words) is in the catalog with a Chinese translation — a message in one
  language only fails here; the translation keeps the msgid's placeholders;
* the committed ``.po`` and ``.mo`` are what ``scripts/i18n_catalog.py`` writes (an
  install needs no build step, and the ``.mo`` is not older than the ``.po``);
* the language is ``--lang``, else ``PERFKIT_LANG``, else Chinese; a bad one is a usage
  error; reading the catalog loads no extra library (the command line stays fast).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from perfkit.cli import main
from perfkit.i18n import _, get_language, ngettext, set_language, use_language

ROOT = Path(__file__).resolve().parent.parent


def _script():  # scripts/ is not a package: load the catalog tool by path
    spec = importlib.util.spec_from_file_location("i18n_catalog", ROOT / "scripts/i18n_catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalog_tool = _script()

#: ``{name}``, ``{name!r}``, ``{0}``, ``%(name)s``, ``%s`` — what .format/% fill in
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdr]|%[sdr]")


def _placeholders(text: str) -> set[str]:
    return {p.replace("!r", "") for p in _PLACEHOLDER.findall(text)}


@pytest.fixture(scope="module")
def catalog():
    return catalog_tool.read_catalog()


@pytest.fixture(scope="module")
def extracted():
    return catalog_tool.extracted()


@pytest.fixture(autouse=True)
def _language_restored():
    yield
    set_language(None)


def test_every_message_shown_is_in_the_catalog_in_chinese(catalog, extracted) -> None:
    missing = []
    for msgid, places in extracted.items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(key)
        strings = entry.string if entry is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or not all(strings) or entry.fuzzy:
            missing.append(f"{key!r} ({places[0]})")
    assert not missing, "messages with no Chinese (run scripts/i18n_catalog.py, translate):\n" + (
        "\n".join(missing)
    )


def test_the_catalog_holds_no_message_that_is_no_longer_shown(catalog, extracted) -> None:
    keys = {m[0] if isinstance(m, tuple) else m for m in extracted}
    stale = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id)
    assert [k for k in stale if k not in keys] == []


def test_translations_keep_the_placeholders(catalog) -> None:
    wrong = []
    for entry in catalog:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set().union(*(_placeholders(i) for i in ids))
        for string in strings:
            # Chinese has one plural form: it may use the placeholders of either English form
            if not _placeholders(string) <= wanted or (
                len(ids) == 1 and _placeholders(string) != wanted
            ):
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "\n".join(wrong)


def test_the_committed_po_and_mo_are_up_to_date() -> None:
    assert catalog_tool.main(["--check"]) == 0


def test_a_message_missing_in_chinese_fails_the_completeness_check(catalog) -> None:
    # the check above is not vacuous: a msgid with an empty translation is found
    entry = next(m for m in catalog if m.id == "Missing option")
    saved = entry.string
    try:
        entry.string = ""
        strings = {m.id: m.string for m in catalog if m.id}
        assert strings["Missing option"] == ""
    finally:
        entry.string = saved
    assert saved == "缺少选项"


@pytest.mark.parametrize(
    ("msgid", "zh"),
    [
        ("Usage:", "用法："),
        ("Options", "选项"),
        ("Commands", "命令"),
        ("Missing option", "缺少选项"),
        ("Show this message and exit.", "显示本帮助后退出。"),
    ],
)
def test_a_sample_of_messages_in_both_languages(msgid: str, zh: str) -> None:
    with use_language("zh"):
        assert _(msgid) == zh
    with use_language("en"):
        assert _(msgid) == msgid


def test_plural_forms_in_both_languages() -> None:
    one, many = "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"
    with use_language("en"):
        assert ngettext(one, many, 1) == one
        assert ngettext(one, many, 2) == many
    with use_language("zh"):
        assert ngettext(one, many, 1) == ngettext(one, many, 2) == "多出了参数（{args}）"


def test_the_default_is_chinese_and_perfkit_lang_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERFKIT_LANG", raising=False)
    set_language(None)
    assert get_language() == "zh"
    monkeypatch.setenv("PERFKIT_LANG", "en_US.UTF-8")
    assert get_language() == "en"
    assert set_language("zh") == "zh"  # the command line's choice wins over the environment
    set_language(None)
    assert get_language() == "en"
    monkeypatch.setenv("PERFKIT_LANG", "fr")
    assert get_language() == "zh"  # a library stays quiet; the command line reports it


def test_help_is_chinese_by_default_and_english_on_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PERFKIT_LANG", raising=False)
    zh = CliRunner().invoke(main, ["--help"])
    assert zh.exit_code == 0
    assert zh.output.startswith("用法：")
    assert "显示本帮助后退出。" in zh.output and "\n命令:" in zh.output
    for args in (["--lang", "en", "--help"], ["--help", "--lang=en"]):
        en = CliRunner().invoke(main, args)
        assert en.exit_code == 0
        assert en.output.startswith("Usage:")
        assert "Show this message and exit." in en.output and "\nCommands:" in en.output
    env = CliRunner().invoke(main, ["--help"], env={"PERFKIT_LANG": "en"})
    assert env.output.startswith("Usage:")
    # the choice does not outlive the run: the next run is Chinese again
    assert CliRunner().invoke(main, ["--help"]).output.startswith("用法：")


def test_a_usage_error_is_in_the_chosen_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERFKIT_LANG", raising=False)
    zh = CliRunner().invoke(main, ["scor"])
    assert zh.exit_code == 2
    assert "错误：没有命令 'scor'。" in zh.output and "'score'" in zh.output
    en = CliRunner().invoke(main, ["--lang", "en", "scor"])
    assert en.exit_code == 2
    assert "Error: No such command 'scor'. Did you mean 'score'?" in en.output


def test_an_unknown_language_is_a_usage_error() -> None:
    for args, env in ((["--lang", "fr", "--help"], {}), (["--help"], {"PERFKIT_LANG": "fr"})):
        result = CliRunner().invoke(main, args, env=env)
        if env:  # --help runs before the environment is checked; a command shows it
            result = CliRunner().invoke(main, ["systems", "list"], env=env)
        assert result.exit_code == 2, result.output
        assert "'fr'" in result.output and "'zh', 'en'" in result.output


def test_the_version_line_is_the_same_in_both_languages() -> None:
    for lang in ("zh", "en"):
        result = CliRunner().invoke(main, ["--lang", lang, "--version"])
        assert result.output == "perfkit, version 0.1.0\n"


def test_reading_the_catalog_loads_no_library_beyond_gettext() -> None:
    code = (
        "import sys; from perfkit.i18n import _, use_language\n"
        "with use_language('zh'): assert _('Usage:') == '用法：'\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = set(done.stdout.split())
    assert {"babel", "click", "polars", "pandas"}.isdisjoint(loaded)


def _command_paths() -> list[list[str]]:
    """Every command and subcommand of ``perfkit`` as the words that name it."""
    paths: list[list[str]] = []
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        paths.append([name])
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in command.list_commands(click.Context(command))]
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_every_commands_help_in_both_languages(path: list[str]) -> None:
    from perfkit.cli._i18n import help_msgid

    command = main
    for name in path:
        command = command.get_command(click.Context(command), name)  # type: ignore[attr-defined]
    en = CliRunner().invoke(main, ["--lang", "en", *path, "--help"], terminal_width=100)
    zh = CliRunner().invoke(main, [*path, "--help"], terminal_width=100)
    assert en.exit_code == zh.exit_code == 0, (en.output, zh.output)
    assert en.output.startswith("Usage:") and zh.output.startswith("用法：")
    first_line = help_msgid(command.help or "").splitlines()[0]
    assert first_line in en.output
    with use_language("zh"):
        shown = _(help_msgid(command.help or ""))
    assert shown.splitlines()[0] in zh.output
    assert first_line not in zh.output
    for param in command.params:  # every option's help, in the language asked for
        text = getattr(param, "help", None)
        if not text:
            continue
        with use_language("zh"):
            zh_help = _(help_msgid(text))
        assert zh_help != help_msgid(text), f"{param.name}: no Chinese"
        assert " ".join(help_msgid(text).split())[:20] in " ".join(en.output.split())
        assert "".join(zh_help.split())[:12] in "".join(zh.output.split())


@pytest.mark.parametrize("width", [80, 100])
def test_chinese_help_fits_the_terminal(width: int) -> None:
    # a Chinese character takes two columns, and Chinese has no spaces to break at:
    # click alone would print lines twice too wide
    from perfkit.cli._i18n import display_width

    too_wide = []
    for path in [[], *_command_paths()]:
        result = CliRunner().invoke(main, [*path, "--help"], terminal_width=width)
        assert result.exit_code == 0
        too_wide += [line for line in result.output.splitlines() if display_width(line) > width]
    assert not too_wide, "\n".join(too_wide)


# ---------------------------------------------------------------- machine outputs are stable

CORPUS = ROOT / "tests" / "bad_inputs"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".csv"}


def test_a_chinese_run_and_an_english_run_write_byte_identical_csvs(tmp_path: Path) -> None:
    from perfkit.samples.region import write_sample

    data = tmp_path / "data"
    write_sample(data, n_departments=4, projects_per_year=16, years=(2024,))
    inputs = ["-p", str(data / "projects.csv"), "-i", str(data / "indicators.csv")]
    runs = {}
    for lang in ("zh", "en"):
        out = tmp_path / lang
        result = CliRunner().invoke(main, ["--lang", lang, "score", *inputs, "-o", str(out)])
        assert result.exit_code == 0, result.output
        runs[lang] = _files(out)
    assert sorted(runs["zh"]) == ["item_scores.csv", "unit_scores.csv"]
    assert runs["zh"] == runs["en"]
    # and the printed summary did change language: the run was not English twice
    zh = CliRunner().invoke(main, ["score", *inputs, "-o", str(tmp_path / "again")])
    assert "已写出：" in zh.output


def test_monitoring_in_both_languages_writes_byte_identical_csvs(tmp_path: Path) -> None:
    sample = ROOT / "data" / "sample"
    args = ["-p", str(sample / "projects.csv"), "-m", str(sample / "monitoring.csv")]
    runs = {}
    for lang in ("zh", "en"):
        out = tmp_path / lang
        command = ["--lang", lang, "monitor", *args, "--year", "2024", "--month", "8"]
        result = CliRunner().invoke(main, [*command, "-o", str(out)])
        assert result.exit_code == 0, result.output
        runs[lang] = _files(out)
    assert "alerts.csv" in runs["zh"]
    assert runs["zh"] == runs["en"]


def test_sample_data_writes_the_contracts_chinese_headers(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sample-data", "--out", str(tmp_path), "--headers", "zh"])
    assert result.exit_code == 0, result.output
    header = (tmp_path / "projects.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith(
        "年度,项目编码,项目名称,部门编码,部门名称,年初预算数,全年预算数,全年执行数"
    )
    for table in ("projects", "indicators", "departments", "assessments", "monitoring"):
        with open(tmp_path / f"{table}.csv", encoding="utf-8") as f:
            first = f.readline()
        assert not any("a" <= c <= "z" for c in first), f"{table}: {first}"


def test_csv_with_the_contracts_chinese_headers_is_read_back(tmp_path: Path) -> None:
    from perfkit.samples.region import write_sample

    folders = {h: tmp_path / f"data-{h}" for h in ("en", "zh")}
    for headers, folder in folders.items():
        write_sample(folder, headers=headers, n_departments=4, projects_per_year=16, years=(2024,))
    for table in ("projects", "indicators"):
        en = (folders["en"] / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        zh = (folders["zh"] / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        assert en[1:] == zh[1:] and en[0] != zh[0]  # the same values; only the header differs
    scored = {}
    for headers, folder in folders.items():
        inputs = ["-p", str(folder / "projects.csv"), "-i", str(folder / "indicators.csv")]
        out = tmp_path / f"scores-{headers}"
        result = CliRunner().invoke(main, ["score", *inputs, "-o", str(out)])
        assert result.exit_code == 0, result.output
        scored[headers] = _files(out)
    assert scored["zh"] == scored["en"]  # perfkit read the Chinese headers as the English


def test_import_forms_with_chinese_headers_is_read_back(tmp_path: Path) -> None:
    form = ROOT / "tests" / "data" / "forms" / "2023-民政局.xls"
    runs = {}
    for headers in ("en", "zh"):
        out = tmp_path / headers
        args = ["import-forms", str(form), "--out", str(out), "--headers", headers]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        runs[headers] = out
    zh_header = (runs["zh"] / "projects.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert zh_header.startswith("年度,项目编码,项目名称,部门编码,部门名称")
    for headers, out in runs.items():
        inputs = ["-p", str(out / "projects.csv"), "-i", str(out / "indicators.csv")]
        result = CliRunner().invoke(main, ["validate", *inputs])
        assert result.exit_code == 0, (headers, result.output)
    # Parquet is for programs: English names whatever the CSV headers
    import polars as pl

    assert pl.read_parquet(runs["zh"] / "projects.parquet").columns[0] == "year"


# ---------------------------------------------------------------- one term for one thing


def _glossary() -> list[tuple[str, str, list[str]]]:
    """(中文, English, columns) of each row of docs/glossary.md's table."""
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 4 and cells[0] not in ("中文", "---"):
            columns = [c.strip() for c in cells[2].split(",") if c.strip()]
            rows.append((cells[0], cells[1], columns))
    return rows


#: Glossary terms checked in every message: the domain's own words.  Ordinary words that
#: are also terms (year, total, grade, error …) mean other things in some sentences.
_CHECKED_IN_MESSAGES = 2  # words in a term (a term of two words or more), plus these:
_SINGLE_WORD_TERMS = {"weight", "self-score", "self-grade", "qualitative", "quantitative"}


def test_the_glossary_has_the_domains_terms() -> None:
    terms = {zh: en for zh, en, _ in _glossary()}
    for zh in ("预算执行率", "年度指标值", "自评得分", "实际完成值", "指标体系", "序时进度"):
        assert zh in terms


def test_the_label_registry_uses_the_glossarys_terms() -> None:
    from perfkit.present._labels import COLUMN_LABELS

    wrong = []
    for zh, _en, columns in _glossary():
        for column in columns:
            label = re.sub(r"（[^）]*）$", "", COLUMN_LABELS[column])
            if label != zh:
                wrong.append(f"{column}: registry {COLUMN_LABELS[column]!r}, glossary {zh!r}")
    assert not wrong, "\n".join(wrong)


def test_the_catalog_uses_the_glossarys_terms(catalog) -> None:
    wrong = []
    for zh, en, _columns in _glossary():
        if len(en.split()) < _CHECKED_IN_MESSAGES and en not in _SINGLE_WORD_TERMS:
            continue
        # the term as a word, not inside a file or column name (monitoring.xlsx, executed_to)
        term = re.compile(rf"(?<![\w.`-]){re.escape(en)}(?![\w.`-])", re.IGNORECASE)
        for entry in catalog:
            if not entry.id:
                continue
            msgid = entry.id if isinstance(entry.id, str) else entry.id[0]
            string = entry.string if isinstance(entry.string, str) else entry.string[0]
            if term.search(msgid) and zh not in string:
                wrong.append(f"{en} → {zh}: {msgid!r} → {string!r}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- notebooks


_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=str)
def test_notebook_parameters_are_documented_in_chinese(notebook: Path) -> None:
    import papermill

    parameters = papermill.inspect_notebook(str(notebook))
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    source = "".join(cell["source"]).splitlines()
    declared = [line.split(":")[0] for line in source if re.match(r"^\w+\s*:.*=", line)]
    assert list(parameters) == declared  # papermill read every line (it skips what it cannot)
    english = []
    for name, parameter in parameters.items():
        help_text = parameter["help"]
        # Chinese, with English only for names and values (projects, dept_code, "all" …)
        words = re.findall(
            r"[A-Za-z]{4,}", re.sub(r"[`\"'$][^`\"']*[`\"']?|\w+_\w+", "", help_text)
        )
        if not _CJK.search(help_text) or len(words) > 4:
            english.append(f"{name}: {help_text}")
    assert not english, "\n".join(english)


def test_check_forms_workbook_says_error_in_words_and_the_csv_keeps_the_code(
    tmp_path: Path,
) -> None:
    import openpyxl
    import polars as pl

    form = ROOT / "tests" / "data" / "forms" / "seed001_budget_mgmt.xlsx"
    xlsx, csv = tmp_path / "problems.xlsx", tmp_path / "problems.csv"
    for out in (xlsx, csv):
        assert CliRunner().invoke(main, ["check-forms", str(form), "--out", str(out)]).exit_code
    rows = list(openpyxl.load_workbook(xlsx)["问题清单"].iter_rows(values_only=True))
    levels = {dict(zip(rows[0], r, strict=True))["级别"] for r in rows[1:]}
    assert levels == {"错误", "警告"}
    machine = pl.read_csv(csv, infer_schema=False).get_column("severity")
    assert set(machine) == {"error", "warning"}
