"""Executed notebook → a self-contained HTML report that opens offline (离线报告).

The export uses perfkit's ``perfkit_report`` template, which extends
JupyterLab's HTML template and drops every script it would fetch from a CDN
(require.js, MathJax, Mermaid, widget managers).  CSS is inlined, charts are
inline SVG (see :func:`perfkit.present.charts.setup_charts`) and images are embedded,
so the single ``.html`` file is all a reader needs, on a closed network too.
No script runs in a report: the template sets a Content-Security-Policy that
forbids scripts and fetches, and shows widget and JavaScript outputs as a note
(``docs/security.md``).
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from perfkit.present import TEMPLATES
from perfkit.tables._write import atomic_write_text

__all__ = ["HIDE_TAG", "TEMPLATES", "notebook_to_html"]

#: Cells with this tag (e.g. "how to run this notebook") are left out of reports.
HIDE_TAG = "hide-in-report"

_guard = threading.Lock()


@cache
def _exporter(hide_code: bool) -> Any:
    """The HTML exporter, built once per process and setting: its template is loaded once."""
    from nbconvert import HTMLExporter  # nbconvert is heavy: loaded only to export
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="perfkit_report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=hide_code,
        exclude_input_prompt=hide_code,
        exclude_output_prompt=hide_code,
        embed_images=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={HIDE_TAG}, enabled=True), enabled=True
    )
    return exporter


def notebook_to_html(
    notebook: str | Path | nbformat.NotebookNode,
    html_path: str | Path,
    *,
    hide_code: bool = True,
    title: str | None = None,
) -> Path:
    """Write an executed notebook as an offline HTML report.

    Parameters
    ----------
    notebook : path or NotebookNode
        The executed notebook.
    html_path : path
        The ``.html`` file to write (written to a temporary name, then renamed).
    hide_code : bool
        Hide code cells and prompts (default), showing Markdown and outputs only.
        Cells tagged ``hide-in-report`` (instructions for notebook users) are
        always left out.
    title : str, optional
        The page title; defaults to the notebook's ``metadata.title``.

    Examples
    --------
    >>> import tempfile
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 报告")])
    >>> p = notebook_to_html(nb, Path(tempfile.mkdtemp()) / "r.html")
    >>> text = p.read_text(encoding="utf-8")
    >>> "报告" in text, "cdnjs" in text, "<script src=" in text
    (True, False, False)
    """
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    assert isinstance(notebook, nbformat.NotebookNode)
    resources = {
        "metadata": {"name": title or notebook.metadata.get("title", "perfkit 报告")},
    }
    with _guard:  # one exporter (and its loaded template) per setting, for every report
        exporter = _exporter(hide_code)
        body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return atomic_write_text(Path(html_path), body)
