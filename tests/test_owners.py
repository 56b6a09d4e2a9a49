"""One owner for each shared concern: half-up, atomic writes, YAML configuration, pandas.

See docs/architecture.md ("Shared machinery and its owners").
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
import yaml

from perfkit import _frames, config
from perfkit.batch import _runner, load_schedule
from perfkit.batch._schedule import Schedule
from perfkit.compare import BudgetPolicy, load_policy
from perfkit.compare._policy import PolicyError
from perfkit.errors import OutputError, PerfkitError, SystemDefinitionError
from perfkit.evaluation import evaluate_department
from perfkit.numbers import div_half_up, parse_decimal, round_half_up
from perfkit.sampling import _population
from perfkit.systems import System, load_system
from perfkit.tables import _write

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


# ---------------------------------------------------------------- half-up


def _decimal_half_up(n: int, d: int) -> int:
    """The reference: decimal's ROUND_HALF_UP (half away from zero)."""
    return int((Decimal(n) / Decimal(d)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_div_half_up_rounds_halves_away_from_zero_like_decimal() -> None:
    pairs = [(n, d) for n, d in itertools.product(range(-41, 42), range(1, 9))]
    frame = pl.DataFrame({"n": [n for n, _ in pairs], "d": [d for _, d in pairs]})
    got = frame.select(div_half_up(pl.col("n"), pl.col("d"))).to_series().to_list()
    assert got == [_decimal_half_up(n, d) for n, d in pairs]
    halves = pl.DataFrame({"n": [5, -5, 15, -15, -1, 1]})
    assert halves.select(div_half_up(pl.col("n"), 2)).to_series().to_list() == [3, -3, 8, -8, -1, 1]


def test_div_half_up_is_exact_beyond_float_and_null_without_a_denominator() -> None:
    big = 10**30 + 5  # / 10 is ….5: half-up gives …1, a float cannot tell
    frame = pl.DataFrame(
        {"n": [big, -big, 7, 7], "d": [10, 10, 0, -3]}, schema={"n": pl.Int128, "d": pl.Int128}
    )
    got = frame.select(div_half_up(pl.col("n"), pl.col("d"))).to_series().to_list()
    assert got == [10**29 + 1, -(10**29 + 1), None, None]


def test_round_half_up_of_scalars_matches_the_columns() -> None:
    for n, d in itertools.product(range(-25, 26), range(1, 7)):
        expected = _decimal_half_up(n, d)
        assert round_half_up(Fraction(n, d), 0) == expected
        column = pl.DataFrame({"n": [n]}).select(div_half_up(pl.col("n"), d)).item()
        assert column == expected
    assert round_half_up(-2.675) == Decimal("-2.68")
    assert round_half_up(Fraction(-1, 8), 2) == Decimal("-0.13")
    assert str(round_half_up(Fraction(0, 1), 2)) == "0.00"


def test_parse_decimal_names_the_option() -> None:
    assert parse_decimal(" 62.5 % ", "--low-threshold", percent=True) == Decimal("62.5")
    for bad in ["lots", "nan", "inf", "", "6%"]:
        with pytest.raises(PerfkitError, match=r"^--threshold '.*' is not a number$"):
            parse_decimal(bad, "--threshold")


# ---------------------------------------------------------------- atomic writes


def test_an_interrupted_summary_leaves_the_old_file_whole(tmp_path, monkeypatch) -> None:
    evaluation = evaluate_department(SAMPLE, 2024, "D01")
    old = '{"dept_code": "old run"}'
    (tmp_path / "summary.json").write_text(old, encoding="utf-8")
    real_open = open

    class HalfWritten:
        """A file whose write puts half the bytes down, then fails (disk full)."""

        def __init__(self, *args, **kwargs) -> None:
            self.handle = real_open(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_write, "open", HalfWritten, raising=False)
    with pytest.raises(OutputError, match=r"summary\.json"):
        evaluation.save_summary(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]
    assert (tmp_path / "summary.json").read_text(encoding="utf-8") == old
    monkeypatch.undo()
    written = json.loads(evaluation.save_summary(tmp_path).read_text(encoding="utf-8"))
    assert written["dept_code"] == "D01"


def test_one_file_sha256() -> None:
    assert _runner.file_sha256 is _write.file_sha256 is _population.file_sha256
    data = (SAMPLE / "projects.csv").read_bytes()
    assert _write.file_sha256(SAMPLE / "projects.csv") == hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- YAML configuration


def test_the_three_kinds_of_file_share_one_strict_model() -> None:
    for model in (System, BudgetPolicy, Schedule):
        assert issubclass(model, config.StrictModel)


def _system_body() -> dict:
    builtin = ROOT / "perfkit" / "systems" / "builtin" / "project-self-eval.yaml"
    data = yaml.safe_load(builtin.read_text(encoding="utf-8"))
    data["groups"][1]["points"] = "many"
    return {**data, "colour": "blue"}


@pytest.mark.parametrize(
    ("load", "error", "body", "what", "key", "extra"),
    [
        (load_system, SystemDefinitionError, _system_body(), "indicator system",
         "groups[1].points", "colour"),
        (load_policy, PolicyError, {"grades": {"中": {"action": "cut", "ratio_pct": 150}},
         "thresholds": 1}, "budget policy", "grades.中", "thresholds"),
        (load_schedule, PerfkitError, {"notebook": "n.ipynb", "output_dir": "o", "runs": [{}],
         "workers": 0, "wrokers": 2}, "schedule", "workers", "wrokers"),
    ],
)  # fmt: skip
def test_an_invalid_file_names_the_file_and_every_key_path(
    tmp_path, load, error, body: dict, what: str, key: str, extra: str
) -> None:
    path = tmp_path / "my-file.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    with pytest.raises(error) as info:
        load(path)
    lines = str(info.value).splitlines()
    assert lines[0] == f"{path}: invalid {what}:"
    assert any(line.startswith(f"  {key}: ") for line in lines)  # every problem at once
    assert f"  {extra}: not an allowed key (a misspelling, or a key not allowed here)" in lines


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grades: [1, 2\n", "not valid YAML: "),
        ("!!python/object/apply:os.system ['echo unsafe']\n", "not valid YAML: "),
        ("- a\n- b\n", "the file must hold a mapping"),
        ("name: x\n" + "#" * (config.MAX_YAML_BYTES + 1), "larger than 1024 KiB"),
    ],
)
def test_bad_yaml_files_are_named(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    for load, error in [
        (load_system, SystemDefinitionError),
        (load_policy, PolicyError),
        (load_schedule, PerfkitError),
    ]:
        with pytest.raises(error) as info:
            load(path)
        assert str(info.value).startswith(f"{path}: ")
        assert message in str(info.value)


def test_a_missing_file_is_named(tmp_path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(PolicyError, match=f"^{path}: budget policy file not found$"):
        load_policy(path)
    with pytest.raises(PerfkitError, match=f"^{path}: schedule file not found$"):
        load_schedule(path)


# ---------------------------------------------------------------- pandas in, pandas out


def test_pandas_in_pandas_out() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    polars = _frames.to_polars(frame)
    assert isinstance(polars, pl.DataFrame) and polars["a"].to_list() == [1, 2]
    assert isinstance(_frames.like_input(polars, True), pd.DataFrame)
    assert _frames.like_input(polars, False) is polars
    with pytest.raises(PerfkitError, match=r"^items: expected a polars or pandas DataFrame"):
        _frames.to_polars({"a": [1]}, "items")
