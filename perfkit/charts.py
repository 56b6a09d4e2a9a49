"""Chart setup shared by notebooks and reports (图表): offline, Chinese, consistent colours.

Reports must open on closed government networks, so charts are rendered to
inline SVG by ``vl-convert`` (no JavaScript, no CDN); the SVG text uses a
Chinese-capable font stack.  Grade and alert colours are the same everywhere.
"""

from __future__ import annotations

import altair as alt

__all__ = ["ALERT_COLOURS", "FONT", "GRADE_COLOURS", "GRADE_ORDER", "grade_scale", "setup_charts"]

#: Font stack for chart text; the first one installed on the reader's machine wins.
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, SimHei, PingFang SC, sans-serif"
#: Grades best first.
GRADE_ORDER = ["优", "良", "中", "差"]
#: One colour per grade (优 green … 差 red).
GRADE_COLOURS = {"优": "#2e7d32", "良": "#1e88e5", "中": "#f9a825", "差": "#c62828"}
#: Monitoring alert colours (红/黄/绿/蓝).
ALERT_COLOURS = {"red": "#d32f2f", "yellow": "#fbc02d", "green": "#388e3c", "blue": "#1976d2"}


def _theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(
        config={
            "font": FONT,
            "title": {"font": FONT, "fontSize": 14, "anchor": "start"},
            "axis": {"labelFont": FONT, "titleFont": FONT},
            "legend": {"labelFont": FONT, "titleFont": FONT},
            "header": {"labelFont": FONT, "titleFont": FONT},
            "view": {"stroke": None},
        }
    )


alt.theme.register("perfkit", enable=False)(_theme)


def setup_charts(renderer: str = "svg") -> None:
    """Render altair charts offline with perfkit's theme.

    ``"svg"`` (the default) draws each chart to inline SVG in the notebook, so
    an executed notebook and its HTML export need nothing from the network.
    Pass ``"default"`` in an interactive JupyterLab session to keep tooltips
    and zoom.

    Examples
    --------
    >>> setup_charts()
    >>> alt.renderers.active, alt.theme.active
    ('svg', 'perfkit')
    """
    alt.renderers.enable(renderer)
    alt.theme.enable("perfkit")
    alt.data_transformers.disable_max_rows()


def grade_scale() -> alt.Scale:
    """A colour scale that gives each grade its colour, best first.

    Examples
    --------
    >>> grade_scale().to_dict()["domain"]
    ['优', '良', '中', '差']
    """
    return alt.Scale(domain=GRADE_ORDER, range=[GRADE_COLOURS[g] for g in GRADE_ORDER])
