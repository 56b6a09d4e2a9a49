"""Where the report and dashboard templates live (``perfkit/templates/``).

``perfkit_report`` is the nbconvert template of offline HTML reports
(:mod:`perfkit.batch`); ``voila`` holds the dashboard's page templates
(:mod:`perfkit.explorer`).  Both packages import the folder from here.

Examples
--------
>>> from perfkit.present import TEMPLATES
>>> sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir())
['perfkit_report', 'voila']
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["TEMPLATES"]

#: The folder of perfkit's nbconvert and Voila templates (package data).
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
