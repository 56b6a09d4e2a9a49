"""Fixtures shared by the test modules.

``df_module`` runs a test once with polars and once with pandas inputs, as skrub's
fixture of the same name does: perfkit's API takes either kind of frame, works in
polars inside, and hands pandas back where it was handed pandas.  A test asks for
``df_module`` and builds its inputs with ``df_module.make`` (from a polars frame)
or ``df_module.read_csv``; ``df_module.DataFrame`` is the kind it must get back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest


@dataclass(frozen=True)
class DataFrameModule:
    """One dataframe library as the tests see it.

    Attributes
    ----------
    name : {"polars", "pandas"}
    DataFrame : type
        The library's frame class (what perfkit must give back for such inputs).
    make : callable
        A polars frame → the same data as this library's frame.
    read_csv_text : callable
        A CSV path → a frame with every column as text (nothing inferred).
    read_csv_typed : callable
        A CSV path → a frame with the library's own inferred dtypes (int years,
        float weights, missing values as null or NaN).
    """

    name: str
    DataFrame: type
    make: Callable[[pl.DataFrame], Any]
    read_csv_text: Callable[[Path], Any]
    read_csv_typed: Callable[[Path], Any]

    def to_polars(self, frame: Any) -> pl.DataFrame:
        """This library's frame → polars, to compare values across libraries."""
        return frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)

    def __repr__(self) -> str:
        return self.name


DATAFRAME_MODULES = {
    "polars": DataFrameModule(
        name="polars",
        DataFrame=pl.DataFrame,
        make=lambda frame: frame,
        read_csv_text=lambda path: pl.read_csv(path, infer_schema=False),
        read_csv_typed=pl.read_csv,
    ),
    "pandas": DataFrameModule(
        name="pandas",
        DataFrame=pd.DataFrame,
        make=lambda frame: frame.to_pandas(),
        read_csv_text=lambda path: pd.read_csv(path, dtype=str),  # empty cells are NaN
        read_csv_typed=pd.read_csv,
    ),
}


@pytest.fixture(params=list(DATAFRAME_MODULES))
def df_module(request: pytest.FixtureRequest) -> DataFrameModule:
    """The test runs once per dataframe library (polars, pandas); see :class:`DataFrameModule`."""
    return DATAFRAME_MODULES[request.param]


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch):
    """Each test starts in the default language (Chinese), whatever the shell has set."""
    from perfkit.i18n import set_language

    monkeypatch.delenv("PERFKIT_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)
