"""The published table: every frozen quarter and complete year of a cell (or a region) with
the identities that bind them, protected once by ``suppression.protect``.

Keys are ``"<count>@<column>"``, a column being a quarter ("2025Q1") or a complete year
("2025"). A year appears only once its four quarters are frozen: a year-to-date total would
change when the next quarter is added, and the difference would reveal that quarter.
"""

from collections.abc import Hashable, Mapping
from typing import Any

from . import suppression
from .catalog import STOCKS, SUMS, suppressed_keys
from .indicators import Figures
from .periods import Quarter
from .suppression import Published, Relation

#: The mark of a figure withheld because its table could not be protected: unlike "<5" and
#: "x" it says nothing about the value.
WITHHELD = "—"


def complete_years(quarters: Mapping[Quarter, Any]) -> list[int]:
    years = {q.year for q in quarters}
    return sorted(y for y in years if all(Quarter(y, n) in quarters for n in range(1, 5)))


def flow_keys(counts: Mapping[str, int]) -> list[str]:
    return [key for key in suppressed_keys(dict(counts)) if key not in STOCKS]


def stock_identity_holds(previous: Figures, current: Figures) -> bool:
    """open_end(q) = open_end(q−1) + opened(q) + reopened(q) − closed(q), on these figures
    (never for a region's figures: they have no ``cases.open_end``, ADR 0027)."""
    before, now = previous["counts"], current["counts"]
    if "cases.open_end" not in before or "cases.open_end" not in now:
        return False
    return now["cases.open_end"] == (
        before["cases.open_end"] + now["cases.opened"] + now["cases.reopened"] - now["cases.closed"]
    )


def values_and_relations(
    quarters: Mapping[Quarter, Figures],
) -> tuple[dict[Hashable, int], list[Relation]]:
    """Every suppressed count of the table, and every identity that holds between them."""
    values: dict[Hashable, int] = {}
    relations: list[Relation] = []
    columns: list[str] = []
    for quarter, figures in sorted(quarters.items()):
        counts = figures["counts"]
        for key in suppressed_keys(counts):
            values[f"{key}@{quarter.key}"] = counts[key]
        columns.append(quarter.key)
        previous = quarters.get(quarter.previous())
        if previous is not None and stock_identity_holds(previous, figures):
            q, p = quarter.key, quarter.previous().key
            relations.append(
                Relation(
                    {
                        f"cases.open_end@{q}": 1,
                        f"cases.open_end@{p}": -1,
                        f"cases.opened@{q}": -1,
                        f"cases.reopened@{q}": -1,
                        f"cases.closed@{q}": 1,
                    }
                )
            )
    for year in complete_years(quarters):
        parts = [Quarter(year, n) for n in range(1, 5)]
        for key in flow_keys(quarters[parts[0]]["counts"]):
            values[f"{key}@{year}"] = sum(quarters[q]["counts"][key] for q in parts)
            relations.append(
                Relation({f"{key}@{year}": 1, **{f"{key}@{q.key}": -1 for q in parts}})
            )
        columns.append(str(year))
    for column in columns:
        for total, categories in SUMS:
            names = [f"{part}@{column}" for part in categories]
            # Declared only when it holds exactly (a category the catalog no longer knows).
            key = f"{total}@{column}"
            if key in values and all(p in values for p in names):
                if values[key] != sum(values[p] for p in names):
                    continue
                terms: dict[Hashable, int] = {key: 1}
                terms.update(dict.fromkeys(names, -1))
                relations.append(Relation(terms))
    return values, relations


def protect_table(
    quarters: Mapping[Quarter, Figures], previous: Mapping[str, list[Any]] | None = None
) -> dict[str, list[Any]]:
    """The table as it may be published: ``{key: [value or None, mark]}``.

    ``previous``: what earlier versions of this table published (``{key: [value, mark]}``). A
    figure published before stays published, one withheld stays withheld with its mark, and
    complements are chosen among the new figures only — so keeping every version tells no
    more than the last one (ADR 0028). The table only grows forwards: a quarter older than the
    last one published before that is not in ``previous`` (a cell whose first quarter moved
    back) is left out, as its stock identity would tie it to figures already published.
    """
    if previous:
        quarters = _growing_forwards(quarters, previous)
    values, relations = values_and_relations(quarters)
    if not values:
        return {}
    # A figure earlier versions published that the table no longer has (a region's open
    # stock, no longer published) is known already and takes part in no relation declared now.
    earlier = as_published({k: v for k, v in (previous or {}).items() if k in values})
    published = suppression.protect(values, relations, previous=earlier)
    return {str(key): [p.value, p.mark] for key, p in published.items()}


def withheld_table(
    quarters: Mapping[Quarter, Figures], previous: Mapping[str, list[Any]]
) -> dict[str, list[Any]]:
    """The table when protecting it failed: what earlier versions published, and every other
    figure withheld with the neutral ``WITHHELD`` mark (it says nothing about the value)."""
    values, _relations = values_and_relations(quarters)
    return {str(key): list(previous.get(str(key), [None, WITHHELD])) for key in values}


def _growing_forwards(
    quarters: Mapping[Quarter, Figures], previous: Mapping[str, list[Any]]
) -> dict[Quarter, Figures]:
    columns = {key.rpartition("@")[2] for key in previous}
    last = max((q for q in quarters if q.key in columns), default=None)
    return {q: f for q, f in quarters.items() if last is None or q.key in columns or q > last}


def as_published(stored: Mapping[str, list[Any]]) -> dict[str, Published]:
    return {key: Published(value, mark) for key, (value, mark) in stored.items()}
