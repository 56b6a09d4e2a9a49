"""Re-performing a draw (重新抽取): draw again from a record and say what differs.

A reviewer holds the selection record (``selection.json``, :mod:`perfkit.sampling._record`)
and the population; :func:`reperform` draws again with the record's design and seed
and reports ``identical`` or exactly what differs (population units, draw
parameters, picks), with notes for what does not change the draw (file hashes).
It lives apart from the record so that the record does not depend on the draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from perfkit.i18n import _
from perfkit.sampling._population import Population
from perfkit.sampling._record import SelectionRecord
from perfkit.sampling._selection import draw_sample

__all__ = ["ReperformReport", "reperform"]


@dataclass
class ReperformReport:
    """The outcome of re-performing a draw.

    Attributes
    ----------
    identical : bool
        Same population fingerprint, same draw parameters, same picks.
    differences : list of str
        What differs, one line each (population, parameters, picks).
    notes : list of str
        Differences that do not change the draw (file hashes, versions).
    """

    identical: bool
    differences: list[str]
    notes: list[str]
    redraw: Any = None

    def __str__(self) -> str:
        head = (
            _("identical: the redraw gives the same picks")
            if self.identical
            else _("DIFFERENT: {n} difference(s)").format(n=len(self.differences))
        )
        lines = [head, *(f"  - {d}" for d in self.differences)]
        lines += [_("  note: {note}").format(note=n) for n in self.notes]
        return "\n".join(lines)


def reperform(record: SelectionRecord, population: Population) -> ReperformReport:
    """Draw again with the record's design and seed and compare with the record.

    Examples
    --------
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> rec = draw_sample(pop, Design("pps", n=12), seed=5).record
    >>> reperform(rec, pop).identical
    True
    """
    differences: list[str] = []
    notes: list[str] = []
    if population.kind != record.kind or population.year != record.year:
        differences.append(
            _(
                "population is {kind} of {year}, the record drew {drawn_kind} of {drawn_year}"
            ).format(
                kind=population.kind,
                year=population.year,
                drawn_kind=record.kind,
                drawn_year=record.year,
            )
        )
    redraw = draw_sample(population, record.design_obj(), record.seed)
    new = redraw.record
    differences += _population_differences(record.population, new.population)
    for key in ("n", "risk_picks", "certain_picks", "random_picks", "m", "interval", "start"):
        old_v, new_v = record.draw.get(key), new.draw.get(key)
        if old_v != new_v:
            differences.append(
                _("draw {key}: recorded {old_v}, redraw {new_v}").format(
                    key=key, old_v=old_v, new_v=new_v
                )
            )
    differences += _pick_differences(record.picks, new.picks)
    for name, entry in record.inputs.items():
        now = new.inputs.get(name)
        if now and now.get("sha256") != entry.get("sha256"):
            notes.append(
                _("input {name} file differs from the recorded one (SHA-256)").format(name=name)
            )
    if record.perfkit_version != new.perfkit_version:
        notes.append(
            _("perfkit {perfkit_version} drew the record; this is {now}").format(
                perfkit_version=record.perfkit_version, now=new.perfkit_version
            )
        )
    if record.rng.get("numpy") != new.rng.get("numpy"):
        notes.append(
            _("numpy {numpy} drew the record; this is {now}").format(
                numpy=record.rng.get("numpy"), now=new.rng.get("numpy")
            )
        )
    return ReperformReport(not differences, differences, notes, redraw)


def _population_differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    if old.get("fingerprint") == new.get("fingerprint"):
        return []
    out = [
        f"population fingerprint differs (recorded {old.get('fingerprint', '')[:12]}…, "
        f"now {new.get('fingerprint', '')[:12]}…): the population changed since the draw"
    ]
    if old.get("units") != new.get("units"):
        out.append(
            _("units: recorded {units}, now {now}").format(
                units=old.get("units"), now=new.get("units")
            )
        )
    if old.get("money") != new.get("money"):
        out.append(f"money: recorded {old.get('money')} 万元, now {new.get('money')} 万元")
    old_data, new_data = old.get("data") or {}, new.get("data") or {}
    if "unit_code" not in old_data or "unit_code" not in new_data:
        return out
    before = pl.DataFrame({k: pl.Series(v, dtype=pl.String) for k, v in _as_text(old_data).items()})
    after = pl.DataFrame({k: pl.Series(v, dtype=pl.String) for k, v in _as_text(new_data).items()})
    removed = before.join(after, on="unit_code", how="anti")["unit_code"].to_list()
    added = after.join(before, on="unit_code", how="anti")["unit_code"].to_list()
    if removed:
        out.append(
            _("{n_removed} unit(s) no longer in the population: {removed}").format(
                n_removed=len(removed), removed=_few(removed)
            )
        )
    if added:
        out.append(
            _("{n_added} unit(s) new in the population: {added}").format(
                n_added=len(added), added=_few(added)
            )
        )
    both = before.join(after, on="unit_code", suffix="_now")
    for column in before.columns:
        if column == "unit_code" or f"{column}_now" not in both.columns:
            continue
        changed = both.filter(
            pl.col(column).fill_null("∅") != pl.col(f"{column}_now").fill_null("∅")
        )
        if changed.height:
            shown = [
                f"{code} {a} → {b}"
                for code, a, b in changed.select("unit_code", column, f"{column}_now")
                .head(10)
                .iter_rows()
            ]
            more = f" (and {changed.height - 10} more)" if changed.height > 10 else ""
            out.append(
                _("{column} changed for {height} unit(s): {shown}{more}").format(
                    column=column, height=changed.height, shown="; ".join(shown), more=more
                )
            )
    return out


def _as_text(data: dict[str, list[Any]]) -> dict[str, list[str | None]]:
    return {k: [None if v is None else str(v) for v in values] for k, values in data.items()}


def _few(codes: list[str], limit: int = 10) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f" … ({len(codes) - limit} more)" if len(codes) > limit else "")


def _pick_differences(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before = {p["unit_code"]: p for p in old}
    after = {p["unit_code"]: p for p in new}
    out = []
    dropped = [c for c in before if c not in after]
    extra = [c for c in after if c not in before]
    if dropped:
        out.append(
            _("{n_dropped} recorded pick(s) not drawn now: {dropped}").format(
                n_dropped=len(dropped), dropped=_few(dropped)
            )
        )
    if extra:
        out.append(
            _("{n_extra} pick(s) drawn now but not recorded: {extra}").format(
                n_extra=len(extra), extra=_few(extra)
            )
        )
    for code in sorted(set(before) & set(after)):
        a, b = before[code], after[code]
        for key in ("stratum", "reason"):
            if a.get(key) != b.get(key):
                out.append(
                    _("pick {code}: {key} recorded {before!r}, now {now!r}").format(
                        code=code, key=key, before=a.get(key), now=b.get(key)
                    )
                )
        pa, pb = a.get("inclusion_probability"), b.get("inclusion_probability")
        if (pa is None) != (pb is None) or (
            pa is not None and pb is not None and abs(float(pa) - float(pb)) > 1e-12
        ):
            out.append(
                _("pick {code}: inclusion probability recorded {pa}, now {pb}").format(
                    code=code, pa=pa, pb=pb
                )
            )
    return out
