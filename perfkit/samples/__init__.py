"""The sample region (示例数据): its generators and the demo — floor 5, the top of the house.

- ``region``: the seeded fictional prefecture behind ``data/sample`` (``perfkit
  sample-data``; ``python -m perfkit.samples.region DIR``), its themes table in
  ``themes.yaml`` (package data);
- ``_monitoring``: the region's mid-year monitoring snapshots;
- ``verifications``: the seeded 2023 verification sample (``python -m
  perfkit.samples.verifications DIR``, the second step of ``make sample``);
- ``keyeval``: the seeded 2024 key-evaluation year (``python -m perfkit.samples.keyeval
  DIR``, the third step of ``make sample``);
- ``_demo``: ``perfkit demo``, every year and system of a data folder scored.

``region`` and ``verifications`` are public because they are run as scripts.  The
names below resolve on first use (PEP 562): ``python -m perfkit.samples.region``
imports this package first, and a module that the package had already imported
would be run twice.

Examples
--------
>>> from perfkit.samples import generate_sample
>>> tables = generate_sample(years=(2024,))
>>> sorted(tables)[:2]
['assessments', 'departments']
"""

import importlib
from typing import Any

#: Public name → the module that defines it.
_NAMES = {
    "generate_sample": "perfkit.samples.region",
    "write_sample": "perfkit.samples.region",
    "write_verifications": "perfkit.samples.verifications",
    "write_key_evaluation": "perfkit.samples.keyeval",
    "run_demo": "perfkit.samples._demo",
}


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'perfkit.samples' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "generate_sample",
    "run_demo",
    "write_key_evaluation",
    "write_sample",
    "write_verifications",
]
