"""A server-rendered SVG bar chart of module means per year (no script, no inline style:
geometry and colours are SVG attributes). The page shows the same numbers as a table."""

from dataclasses import dataclass
from decimal import Decimal

from ..results import Comparison

#: Colours of the years, oldest first, distinguishable in greyscale too.
PALETTE = ("#9ecae1", "#4292c6", "#08519c", "#08306b", "#6baed6")
LABEL_WIDTH = 210
BAR_AREA = 360
BAR_HEIGHT = 12
GAP = 10


@dataclass(frozen=True)
class BarShape:
    x: int
    y: int
    width: int
    height: int
    fill: str
    year: int
    value: Decimal


@dataclass(frozen=True)
class Label:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[BarShape]
    labels: list[Label]
    legend: list[tuple[int, str]]
    ticks: list[Label]


def comparison_chart(comparison: Comparison) -> Chart | None:
    """The chart's shapes, or None when there is no closed self-evaluation to compare."""
    if not comparison.years:
        return None
    per_group = len(comparison.years) * BAR_HEIGHT + GAP
    bars: list[BarShape] = []
    labels: list[Label] = []
    top = 24
    for index, row in enumerate(comparison.rows):
        y0 = top + index * per_group
        labels.append(Label(4, y0 + per_group // 2, str(row.module.title)))
        for position, (year, value) in enumerate(zip(comparison.years, row.means, strict=True)):
            if value is None:
                continue
            bars.append(
                BarShape(
                    x=LABEL_WIDTH,
                    y=y0 + position * BAR_HEIGHT,
                    width=max(1, int(BAR_AREA * value / 5)),
                    height=BAR_HEIGHT - 2,
                    fill=PALETTE[position % len(PALETTE)],
                    year=year,
                    value=value,
                )
            )
    height = top + len(comparison.rows) * per_group + 8
    ticks = [Label(LABEL_WIDTH + BAR_AREA * score // 5, 16, str(score)) for score in range(6)]
    legend = [
        (year, PALETTE[position % len(PALETTE)]) for position, year in enumerate(comparison.years)
    ]
    return Chart(LABEL_WIDTH + BAR_AREA + 20, height, bars, labels, legend, ticks)
