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

import re
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


# what nbconvert's HTMLExporter adds after rendering, for keyboard and screen-reader users
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)(?=[\s>/])")
_FOCUSABLE = re.compile(
    r'<div class="(?=[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b)'
    r'([^"]*)"(?![^>]*tabindex)'
)
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")
_KEEP_ESCAPED = frozenset(map(ord, "&<>\"'"))


def _character(match: re.Match[str]) -> str:
    code = int(match[1], 16) if match[1] else int(match[2])
    if (
        code in _KEEP_ESCAPED
        or code < 0x20
        or 0x7F <= code < 0xA0
        or 0xD800 <= code <= 0xDFFF
        or code > 0x10FFFF
    ):
        return match[0]
    return chr(code)


def _finish(html: str) -> str:
    """nbconvert's pass over the rendered report, done on the text instead of a parsed tree.

    nbconvert's ``HTMLExporter`` parses every rendered report with BeautifulSoup
    (html.parser, about 0.2 s for a department report) to give images without
    ``alt`` a text and make cell inputs and outputs focusable (``tabindex="0"``),
    and writes it out again, which also turns character references into the
    characters (a heading's ``&#30002;`` back into ``甲``).  The template writes
    those tags itself, so regular expressions over them do the same; ``&``, ``<``,
    ``>`` and quotes stay escaped.  Output text inside a cell is escaped by the
    template, so it never looks like one of those tags.

    Examples
    --------
    >>> _finish('<div class="jp-OutputArea-output x"><img src="data:,"><h1>&#30002;&#60;</h1>')
    '<div class="jp-OutputArea-output x" tabindex="0"><img alt="图" src="data:,"><h1>甲&#60;</h1>'
    """
    html = _IMG_WITHOUT_ALT.sub('<img alt="图"', html)
    html = _FOCUSABLE.sub(r'<div class="\1" tabindex="0"', html)
    return _NUMERIC_REFERENCE.sub(_character, html)


@cache
def _exporter(hide_code: bool) -> Any:
    """The HTML exporter, built once per process and setting: its template is loaded once."""
    from nbconvert import HTMLExporter  # nbconvert is heavy: loaded only to export
    from nbconvert.exporters import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class ReportExporter(HTMLExporter):  # type: ignore[misc]
        """nbconvert's HTML exporter without its BeautifulSoup round trip (:func:`_finish`)."""

        def from_notebook_node(  # type: ignore[override]  # as HTMLExporter's
            self, nb: nbformat.NotebookNode, resources: Any = None, **kw: Any
        ) -> tuple[str, Any]:
            # as HTMLExporter.from_notebook_node, up to its soup
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _finish(html), resources

        def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
            """Not after every preprocessor: the notebook was validated when it was read."""

    exporter = ReportExporter(
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
