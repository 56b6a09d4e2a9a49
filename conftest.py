"""Doctests run in perfkit's default language (Chinese), whatever ran before them.

tests/conftest.py gives each test module its own language; this file applies to the
doctests under perfkit/ too, which that one does not reach.
"""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _doctest_language(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if type(request.node).__name__ != "DoctestItem":
        yield
        return
    from perfkit.i18n import set_language

    monkeypatch.delenv("PERFKIT_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)
