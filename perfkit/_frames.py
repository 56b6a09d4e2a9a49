"""pandas in, pandas out: the one place that converts between pandas and polars.

perfkit computes in polars.  A user who hands in pandas frames gets pandas
frames back (results remember ``from_pandas``); everyone else gets polars.
pandas itself is never imported here: a frame is recognised by its type's
module, so a polars-only caller pays nothing.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _

__all__ = ["is_pandas", "like_input", "to_polars"]


def is_pandas(obj: object) -> bool:
    """True for a pandas DataFrame (without importing pandas).

    Examples
    --------
    >>> import pandas as pd
    >>> is_pandas(pd.DataFrame({"a": [1]})), is_pandas(pl.DataFrame({"a": [1]})), is_pandas("x")
    (True, False, False)
    """
    return type(obj).__module__.startswith("pandas") and hasattr(obj, "columns")


def to_polars(frame: Any, what: str = "the table") -> pl.DataFrame:
    """A polars frame as it is, a pandas frame converted; anything else is a user error.

    Examples
    --------
    >>> import pandas as pd
    >>> to_polars(pd.DataFrame({"a": [1, 2]})).shape
    (2, 1)
    >>> to_polars([1, 2], "items")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: items：应为 polars 或 pandas DataFrame，而不是 list
    """
    if isinstance(frame, pl.DataFrame):
        return frame
    if is_pandas(frame):
        return pl.from_pandas(frame)
    raise PerfkitError(
        _("{what}: expected a polars or pandas DataFrame, got {name}").format(
            what=what, name=type(frame).__name__
        )
    )


def like_input(frame: pl.DataFrame, pandas: bool) -> Any:
    """The result as the user handed data in: pandas when they gave pandas, else polars.

    Examples
    --------
    >>> df = pl.DataFrame({"a": [1]})
    >>> type(like_input(df, True)).__name__, type(like_input(df, False)).__name__
    ('DataFrame', 'DataFrame')
    >>> type(like_input(df, True)).__module__.split(".")[0]
    'pandas'
    """
    return frame.to_pandas() if pandas else frame
