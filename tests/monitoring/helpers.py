"""Read back what a page shows, and check it with the suppression oracle."""

import html
import re
from typing import Any

from casus.monitoring.presentation import TableView
from casus.monitoring.suppression import THRESHOLD, Published, Relation, audit

QUARTER_LABEL = re.compile(r"^Q(\d) (\d{4})$")


def column_key(label: str) -> str:
    match = QUARTER_LABEL.match(label)
    return f"{match[2]}Q{match[1]}" if match else label


def shown(table: TableView) -> dict[str, Published]:
    """Every count the table shows, by its key in the protected table (medians, shares and
    structure rows left out: they are not suppressed counts)."""
    seen: dict[str, Published] = {}
    for section in table.sections:
        if section.key == "structure":
            continue
        for row in section.rows:
            if "/" in row.key or row.key.endswith("_days"):
                continue
            for label, cell in zip(table.columns, row.cells, strict=True):
                if cell.text == "—":
                    continue
                value = cell.value if cell.value is not None else None
                seen[f"{row.key}@{column_key(label)}"] = Published(value, cell.mark)
    return seen


def recoverable(
    published: dict[str, Published], relations: list[Relation], values: dict[str, int]
) -> dict[str, Any]:
    """Withheld values under the threshold that the attacker pins down exactly."""
    bounds = audit(published, relations)
    return {
        key: (values[key], bounds[key])
        for key in bounds
        if values[key] < THRESHOLD and bounds[key][0] == bounds[key][1]
    }


def page_cells(page: str) -> list[list[str]]:
    """The text of each indicator row of the page's figure tables (header cell excluded)."""
    rows = []
    for row in re.findall(r'<tr data-key="[^"]*">(.*?)</tr>', page, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows
