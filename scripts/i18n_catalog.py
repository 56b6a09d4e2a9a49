"""Extract perfkit's messages into the catalog and compile it (docs/i18n.md).

    .venv/bin/python scripts/i18n_catalog.py          # update the .po, compile the .mo
    .venv/bin/python scripts/i18n_catalog.py --check  # exit 1 if either is out of date

The msgids are English and come from three places:

* every ``_()``, ``gettext()``, ``ngettext()`` and ``N_()`` call in ``perfkit/``
  (Babel's Python extractor);
* the help texts of the command line (each command's help and one-line help, each
  option's help), read from the click commands themselves;
* click's own messages (``Usage:``, ``Missing option …``), extracted from click.

New msgids enter the ``.po`` with an empty translation (``tests/test_i18n.py`` then
fails until it is written); msgids no longer used leave it.  The ``.mo`` is compiled
with Babel and committed, so that an install needs no build step.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import io
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "perfkit" / "i18n" / "locale" / "zh" / "LC_MESSAGES" / "perfkit.po"
MO = PO.with_suffix(".mo")

Msgid = str | tuple[str, str]
_FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _from_sources(folder: Path, prefix: str) -> Iterator[tuple[Msgid, str]]:
    keywords = {k: DEFAULT_KEYWORDS[k] for k in ("_", "gettext", "ngettext", "N_")}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(folder), method_map=[("**.py", "python")], keywords=keywords
    ):
        if isinstance(message, tuple):
            if any(m is None or m == "" for m in message):
                continue
            yield (message[0], message[1]), f"{prefix}/{filename}"
        elif message:
            yield message, f"{prefix}/{filename}"


def _commands() -> Iterator[tuple[str, click.Command]]:
    import perfkit.cli

    yield "perfkit", perfkit.cli.main
    for info in pkgutil.iter_modules(perfkit.cli.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"perfkit.cli.{info.name}")
        seen: set[int] = set()
        stack = [v for v in vars(module).values() if isinstance(v, click.Command)]
        while stack:
            command = stack.pop()
            if id(command) in seen:
                continue
            seen.add(id(command))
            yield f"perfkit/cli/{info.name}.py", command
            if isinstance(command, click.Group):
                stack.extend(command.commands.values())


def _from_commands() -> Iterator[tuple[Msgid, str]]:
    import perfkit.cli
    from perfkit.cli._i18n import help_msgid, short_help_msgid

    for _name, (_target, line) in perfkit.cli.COMMANDS.items():
        yield line, "perfkit/cli/__init__.py (COMMANDS)"
    for where, command in _commands():
        for text in (command.help, command.epilog):
            if text and help_msgid(text):
                yield help_msgid(text), f"{where} ({command.name})"
        if command.help or command.short_help:
            yield short_help_msgid(command), f"{where} ({command.name}, one line)"
        for param in command.params:
            text = getattr(param, "help", None)
            if text and help_msgid(text):
                yield help_msgid(text), f"{where} ({command.name} {param.name})"


#: The command line's help texts join the catalog with their translations (issue 18, step 2).
HELP_TEXTS = False


def extracted(help_texts: bool = HELP_TEXTS) -> dict[Msgid, list[str]]:
    """Every msgid perfkit shows, with where it comes from."""
    found: dict[Msgid, list[str]] = {}
    sources = [
        *_from_sources(ROOT / "perfkit", "perfkit"),
        *_from_sources(Path(click.__file__).parent, "click"),
        *(_from_commands() if help_texts else ()),
    ]
    for msgid, where in sources:
        found.setdefault(msgid, []).append(where)
    return found


def _key(msgid: Msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def updated(current: Catalog) -> Catalog:
    """``current`` with exactly the extracted msgids (translations kept)."""
    catalog = Catalog(
        locale="zh_Hans_CN",
        domain="perfkit",
        project="perfkit",
        msgid_bugs_address="the perfkit team",
        last_translator="the perfkit team",
        language_team="the perfkit team",
        fuzzy=False,
        creation_date=_FIXED_DATE,  # no date in the header: the same sources, the same bytes
        revision_date=_FIXED_DATE,
    )
    catalog.header_comment = "# perfkit: the Chinese of every message (docs/i18n.md)."
    for msgid, places in sorted(extracted().items(), key=lambda kv: _key(kv[0])):
        old = current.get(_key(msgid))
        string: str | tuple[str, ...] = ("",) if isinstance(msgid, tuple) else ""
        if old is not None and bool(old.pluralizable) == isinstance(msgid, tuple):
            string = old.string
        catalog.add(
            msgid,
            string,
            auto_comments=sorted(set(places))[:3],
            flags=[f for f in (old.flags if old is not None else ()) if f != "fuzzy"],
        )
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _strings(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def read_catalog(path: Path = PO) -> Catalog:
    """The catalog as committed."""
    with open(path, "rb") as f:
        return read_po(f, locale="zh_Hans_CN", domain="perfkit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    current = read_catalog() if PO.exists() else Catalog(locale="zh_Hans_CN")
    catalog = updated(current)
    po, mo = _po_bytes(catalog), _mo_bytes(catalog)
    stale = [p for p, b in ((PO, po), (MO, mo)) if not p.exists() or p.read_bytes() != b]
    missing = [m.id for m in catalog if m.id and not all(_strings(m.string))]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run scripts/i18n_catalog.py)")
        return 1 if stale else 0
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_bytes(po)
    MO.write_bytes(mo)
    print(f"{len(catalog)} messages, {len(missing)} without a translation: {PO.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
