"""What a page and its export show: one table (columns × indicator rows) and bar charts.

Pages and exports are built from the same ``TableView``, so an export holds exactly the
numbers and markers of the page.
"""

from dataclasses import dataclass, field
from statistics import median
from typing import Any

from django.utils.translation import gettext as _

from .catalog import BREAKDOWNS, FLAG, MEDIAN, SHARE, STOCKS, Row, Section, sections_for
from .indicators import Figures
from .periods import Quarter
from .publication import WITHHELD, as_published
from .suppression import THRESHOLD, Published

#: Shown where a figure does not exist for that column (e.g. a stock in a year column).
NONE = "—"
BAR_MAX = 220  # user units of the chart's viewBox
BAR_ROW = 26


@dataclass
class CellView:
    text: str
    value: int | float | None = None
    mark: str = ""


@dataclass
class RowView:
    key: str
    label: str
    indent: bool
    cells: list[CellView]


@dataclass
class SectionView:
    key: str
    title: str
    note: str
    rows: list[RowView]


@dataclass
class Bar:
    label: str
    text: str
    y: int
    width: int
    suppressed: bool


@dataclass
class ChartView:
    title: str
    column: str
    bars: list[Bar]
    height: int


@dataclass
class TableView:
    columns: list[str]
    sections: list[SectionView]
    charts: list[ChartView] = field(default_factory=list)
    published: bool = False

    @property
    def withheld(self) -> bool:
        """Whether figures are withheld because the table could not be protected."""
        return any(
            cell.mark == WITHHELD
            for section in self.sections
            for row in section.rows
            for cell in row.cells
        )

    def export_rows(self) -> list[list[Any]]:
        """Section, indicator and one value per column: numbers as numbers, markers as text."""
        return [
            [
                section.title,
                row.label,
                *(c.value if c.value is not None else c.text for c in row.cells),
            ]
            for section in self.sections
            for row in section.rows
        ]

    @property
    def export_header(self) -> list[str]:
        return [_("Section"), _("Indicator"), *self.columns]


def _number(value: int | float) -> CellView:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return CellView(str(value), value)


def _share(numerator: CellView, denominator: CellView) -> CellView:
    if numerator.value is None or not denominator.value:
        return CellView(NONE)
    return _number(round(100 * numerator.value / denominator.value))


def _median(values: list[int], minimum: int) -> CellView:
    if not values or len(values) < minimum:
        return CellView(NONE)
    return _number(median(values))


# --- Exact: one column, every figure -------------------------------------------------------


def exact_table(figures: Figures, column: str) -> TableView:
    def cell(row: Row) -> CellView:
        counts = figures["counts"]
        if row.kind == MEDIAN:
            return _median(figures["durations"].get(row.key, []), 1)
        if row.kind == SHARE:
            top, bottom = row.key.split("/")
            return _share(_number(counts[top]), _number(counts[bottom]))
        if row.kind == FLAG:
            return CellView(_("yes") if counts[row.key] else _("no"))
        return _number(counts[row.key])

    return _table([column], lambda row: [cell(row)], published=False)


# --- Published: frozen quarters of one year, and the year when complete ---------------------


def year_median_allowed(lists: list[list[int]]) -> bool:
    """A year median only when every quarter with values has at least ``THRESHOLD`` of them:
    with Q1 [10, 20, 30, 40, 50] (median 30) and Q2 [35] alone, the year median 32.5 gives 35
    away; a quarter with 1-4 values must not hide inside the year."""
    return all(len(values) >= THRESHOLD for values in lists if values)


def published_table(
    quarters: dict[Quarter, Figures],
    stored: dict[str, list[Any]],
    year: int,
    *,
    regional: bool = False,
) -> TableView:
    """One year of a published table; ``regional``: a region's structure rows (totals over
    its cells, ``catalog.REGIONAL_STRUCTURE``)."""
    published = as_published(stored)
    shown = sorted(q for q in quarters if q.year == year)
    complete = len(shown) == 4
    columns = [_("Q%(quarter)s %(year)s") % {"quarter": q.quarter, "year": q.year} for q in shown]
    if complete:
        columns.append(str(year))

    def count(key: str, column: str) -> CellView:
        item: Published | None = published.get(f"{key}@{column}")
        if item is None:
            return CellView(NONE)
        if item.value is None:
            return CellView(item.mark, None, item.mark)
        return _number(item.value)

    def structure(row: Row, q: Quarter) -> CellView:
        counts = quarters[q]["counts"]
        if row.kind == SHARE:
            top, bottom = row.key.split("/")
            return _share(_number(counts[top]), _number(counts[bottom]))
        if row.kind == FLAG:
            return CellView(_("yes") if counts[row.key] else _("no"))
        return _number(counts[row.key])

    def year_structure(row: Row) -> CellView:
        if row.year_is_last:
            return structure(row, shown[-1])
        if row.kind == SHARE:
            top, bottom = row.key.split("/")
            return _share(
                _number(sum(quarters[q]["counts"][top] for q in shown)),
                _number(sum(quarters[q]["counts"][bottom] for q in shown)),
            )
        return _number(sum(quarters[q]["counts"][row.key] for q in shown))

    def cells(row: Row) -> list[CellView]:
        if row.key.startswith("structure."):
            values = [structure(row, q) for q in shown]
            return [*values, year_structure(row)] if complete else values
        keys = [q.key for q in shown] + ([str(year)] if complete else [])
        if row.kind == MEDIAN:
            lists = [quarters[q]["durations"].get(row.key, []) for q in shown]
            values = [_median(v, THRESHOLD) for v in lists]
            if not complete:
                return values
            if not year_median_allowed(lists):
                return [*values, CellView(NONE)]
            return [*values, _median([d for v in lists for d in v], THRESHOLD)]
        if row.kind == SHARE:
            top, bottom = row.key.split("/")
            return [_share(count(top, k), count(bottom, k)) for k in keys]
        if row.key in STOCKS:
            values = [count(row.key, k) for k in keys[: len(shown)]]
            return [*values, CellView(NONE)] if complete else values
        return [count(row.key, k) for k in keys]

    return _table(columns, cells, published=True, sections=sections_for(regional=regional))


def _table(
    columns: list[str], cells: Any, *, published: bool, sections: list[Section] | None = None
) -> TableView:
    views = [
        SectionView(
            section.key,
            str(section.title),
            str(section.note),
            [RowView(row.key, str(row.label), row.indent, cells(row)) for row in section.rows],
        )
        for section in (sections if sections is not None else sections_for())
    ]
    table = TableView(columns, views, published=published)
    table.charts = _charts(table)
    return table


def _charts(table: TableView) -> list[ChartView]:
    """One bar chart per breakdown, of the table's last column."""
    if not table.columns:
        return []
    rows = {row.key: row for section in table.sections for row in section.rows}
    charts = []
    for breakdown in BREAKDOWNS:
        bars_data = [rows[f"{breakdown.prefix}.{code}"] for code, _label in breakdown.categories]
        last = [row.cells[-1] for row in bars_data]
        highest = max((c.value or 0 for c in last), default=0) or 1
        bars = [
            Bar(
                label=row.label,
                text=cell.text,
                y=index * BAR_ROW,
                width=round(BAR_MAX * (cell.value or 0) / highest)
                if cell.value is not None
                else BAR_MAX // 10,
                suppressed=cell.value is None,
            )
            for index, (row, cell) in enumerate(zip(bars_data, last, strict=True))
        ]
        charts.append(ChartView(str(breakdown.title), table.columns[-1], bars, len(bars) * BAR_ROW))
    return charts
