"""Shared pieces of the three documents: number words, data sources, charts as PNG."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import polars as pl

from perfkit.documents._model import Figure, Table
from perfkit.numbers import round_half_up
from perfkit.present import FONT, GRADE_COLOURS
from perfkit.systems import System
from perfkit.tables._read import find_table
from perfkit.tables._write import file_sha256

__all__ = [
    "CN_NUMBERS",
    "EVALUATION_REPORT_OUTLINE",
    "GRADE_COLOURS",
    "bar_chart",
    "chart_png",
    "money",
    "pct",
    "rate",
    "sources_table",
    "total",
]

#: 一、二、… for headings (the official outline numbers its sections this way).
CN_NUMBERS = "一二三四五六七八九十"

#: The level-1 headings of an evaluation report, in order: the official outline of the
#: department report and of the key-evaluation report alike (docs/documents.md).
EVALUATION_REPORT_OUTLINE = [
    "一、基本情况",
    "二、绩效评价工作开展情况",
    "三、综合评价情况及评价结论",
    "四、绩效评价指标分析",
    "五、主要经验及做法、存在的问题及原因分析",
    "六、有关建议",
    "七、其他需要说明的问题",
    "附件",
]


def money(value: float | Decimal | None) -> str:
    """An amount in 万元 as a sentence shows it: thousands separators, two decimals.

    Examples
    --------
    >>> money(24066.0), money(None)
    ('24,066.00', '—')
    """
    if value is None:
        return "—"
    return f"{round_half_up(Decimal(str(value))):,.2f}"


def rate(part: float | Decimal | None, whole: float | Decimal | None) -> Decimal | None:
    """``part / whole × 100`` half-up to two decimals, exactly; ``None`` for a zero whole.

    Examples
    --------
    >>> rate(4229.50, 18966.53)
    Decimal('22.30')
    >>> rate(1, 0) is None
    True
    """
    if part is None or whole is None or Decimal(str(whole)) == 0:
        return None
    return round_half_up(Decimal(str(part)) * 100 / Decimal(str(whole)))


def pct(value: Decimal | float | None) -> str:
    """A rate in percent as a sentence shows it (``46.00%``; ``—`` when undefined).

    Examples
    --------
    >>> pct(Decimal("46")), pct(None)
    ('46.00%', '—')
    """
    return "—" if value is None else f"{round_half_up(Decimal(str(value))):.2f}%"


def total(values: Iterable[float | None]) -> Decimal:
    """The exact sum of two-decimal amounts (through their text, no float drift).

    Examples
    --------
    >>> total([0.1, 0.2, None])
    Decimal('0.30')
    """
    return sum((round_half_up(Decimal(str(v))) for v in values if v is not None), Decimal("0.00"))


def sources_table(data_dir: Path, names: Iterable[str]) -> pl.DataFrame:
    """The data files read (file name, SHA-256 fingerprint), for 数据来源.

    Examples
    --------
    >>> sources_table(Path("data/sample"), ["projects"]).columns
    ['数据表', '文件', 'SHA-256（前16位）']
    """
    rows = []
    for name in names:
        path = find_table(data_dir, name)
        if path is not None:
            rows.append((name, path.name, file_sha256(path)[:16]))
    return pl.DataFrame(rows, schema=["数据表", "文件", "SHA-256（前16位）"], orient="row")


def bar_chart(
    labels: list[str],
    values: list[float],
    *,
    title: str,
    axis: str,
    colours: list[str] | None = None,
    percent: bool = False,
) -> dict:
    """A horizontal bar chart as a Vega-Lite spec (no altair: a document loads no chart library).

    Examples
    --------
    >>> bar_chart(["优", "良"], [3, 1], title="等级分布", axis="项目数")["mark"]["type"]
    'bar'
    """
    data = [
        {"label": label, "value": value, "colour": (colours or ["#1e88e5"] * len(labels))[i]}
        for i, (label, value) in enumerate(zip(labels, values, strict=True))
    ]
    x: dict = {"field": "value", "type": "quantitative", "title": axis}
    if percent:
        x["scale"] = {"domain": [0, 100]}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "font": FONT, "fontSize": 14},
        "width": 420,
        "height": 30 * max(len(labels), 1),
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": labels, "title": None},
            "x": x,
            "color": {"field": "colour", "type": "nominal", "scale": None, "legend": None},
        },
        "config": {
            "font": FONT,
            "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12},
            "view": {"stroke": None},
        },
    }


def chart_png(spec: dict, scale: float = 3.0) -> bytes:
    """A Vega-Lite spec as PNG bytes at print resolution (``scale`` 3 ≈ 300 dpi at 15 cm)."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(spec, scale=scale))


def system_tables(system: System, first: int) -> list[Table]:
    """The basis of an evaluation as two tables: the system's groups and points, its grade bands.

    Numbered 表``first`` and 表``first + 1`` (``first`` is where the report's numbering is).

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> groups, bands = system_tables(load_system("project-self-eval"), 2)
    >>> groups.caption, bands.caption
    ('表2 指标体系一级指标及分值', '表3 评价等级')
    """
    groups = pl.DataFrame(
        {
            "一级指标": [g.label for g in system.groups],
            "分值": [float(g.points) for g in system.groups],
        }
    )
    lows = [b.min for b in system.grades]
    highs: list[Decimal | None] = [None, *lows[:-1]]
    bands = [
        f"{low}分及以上" if high is None else f"{low}分（含）至{high}分"
        for low, high in zip(lows, highs, strict=True)
    ]
    return [
        Table.from_frame(groups, f"表{first} 指标体系一级指标及分值"),
        Table.from_frame(
            pl.DataFrame({"等级": [b.grade for b in system.grades], "得分区间": bands}),
            f"表{first + 1} 评价等级",
        ),
    ]


def grade_figure(dist: pl.DataFrame, caption: str, title: str) -> Figure:
    """A bar chart of projects per grade (columns ``grade``, ``projects``) in the grades' colours.

    Examples
    --------
    >>> fig = grade_figure(pl.DataFrame({"grade": ["优"], "projects": [3]}), "图1", "等级分布")
    >>> fig.caption, fig.png[:4]
    ('图1', b'\\x89PNG')
    """
    grades = dist.get_column("grade").to_list()
    spec = bar_chart(
        grades,
        dist.get_column("projects").to_list(),
        title=title,
        axis="项目数（个）",
        colours=[GRADE_COLOURS.get(g, "#1e88e5") for g in grades],
    )
    return Figure(caption, chart_png(spec), 11.0)
