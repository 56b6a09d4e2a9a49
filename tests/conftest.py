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


#: Test modules that check perfkit in its default language, Chinese (issue 18). The others
#: were written against the English messages and run with PERFKIT_LANG=en (the English is
#: the msgid: those assertions still hold word for word); a module joins this set when its
#: assertions are turned to Chinese.
CHINESE_DEFAULT = {
    "test_i18n",
    "test_i18n_rest",
    "test_cli_lazy",
    "test_bad_inputs",
    "test_indicator_notation",
    # written after issue 18's infrastructure, against the Chinese default:
    "test_batch_engines",
    "test_reports_presentable",
    "test_documents",
    "test_keyeval_notebook",
    "test_keyeval_paper",
    "test_keyeval_sample",
    "test_keyeval_survey",
    "test_keyeval_systems",
    "test_targets",
    "test_panics",  # tests/hostile: a polars panic is a Problem or a clean error
}


@pytest.fixture(autouse=True, scope="module")
def _module_language(request: pytest.FixtureRequest):
    """Each test module runs in its language, whatever the shell has set (module-scoped, so
    that a module's own fixtures that run perfkit once for all its tests use it too)."""
    from perfkit.i18n import set_language

    name = request.module.__name__.rpartition(".")[2]
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PERFKIT_LANG", raising=False)
        if name not in CHINESE_DEFAULT:
            patch.setenv("PERFKIT_LANG", "en")
        set_language(None)
        yield
    set_language(None)


@pytest.fixture(autouse=True)
def _default_language(_module_language: None):
    """A language chosen in one test (``set_language``) does not leak into the next."""
    from perfkit.i18n import set_language

    set_language(None)
    yield
    set_language(None)
