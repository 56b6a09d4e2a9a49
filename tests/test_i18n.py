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
import re
import subprocess
import sys
from pathlib import Path

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
