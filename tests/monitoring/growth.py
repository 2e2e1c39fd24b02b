"""A cell's (or a region's) published table growing quarter by quarter, version by version.

Frozen quarter figures are built directly (the shape ``indicators.figures_for`` returns: every
breakdown with its total, flows, the open stock following its identity), then each version is
protected through ``publication.protect_table`` as the services do — from scratch, or keeping
what the earlier versions published.
"""

import random
from collections.abc import Mapping, Sequence
from typing import Any

from casus.monitoring.catalog import SUMS
from casus.monitoring.indicators import Figures, add, empty
from casus.monitoring.periods import Quarter
from casus.monitoring.publication import as_published, protect_table, values_and_relations
from casus.monitoring.suppression import THRESHOLD, Published, audit

FLOWS = ("actions.done_on_time", "actions.done_late", "feedback.proposed", "feedback.sent")


def quarter_figures(rng: random.Random, mean: float, open_before: int) -> Figures:
    """One quarter's counts, about ``mean`` per count, consistent with the stock before it."""

    def draw(scale: float = 1) -> int:
        return sum(rng.random() < 1 / 3 for _ in range(round(3 * mean * scale)))

    counts: dict[str, int] = {"structure.invited": draw(3)}  # not suppressed: left out
    for total, parts in SUMS:
        if total != "signals.not_retained":
            counts.update({part: draw(rng.uniform(0.2, 1.5)) for part in parts})
    counts["cases.opened"], counts["cases.reopened"] = draw(), draw(0.3)
    available = open_before + counts["cases.opened"] + counts["cases.reopened"]
    for _total, parts in SUMS:
        if _total == "cases.closed":
            for part in parts:  # no more closures than open cases
                counts[part] = min(counts[part], available)
                available -= counts[part]
    for total, parts in SUMS:
        counts[total] = sum(counts[part] for part in parts)
    counts["cases.open_end"] = (
        open_before + counts["cases.opened"] + counts["cases.reopened"] - counts["cases.closed"]
    )
    counts.update({flow: draw() for flow in FLOWS})
    counts["actions.overdue_end"] = draw(0.5)
    return {"counts": counts, "durations": {}}


FIRST = Quarter(2024, 1)


def history(seed: int, quarters: int, mean: float, first: Quarter = FIRST) -> dict:
    """``quarters`` consecutive frozen quarters of one cell."""
    rng = random.Random(seed)
    result: dict[Quarter, Figures] = {}
    stock, quarter = rng.randrange(0, 8), first
    for _ in range(quarters):
        result[quarter] = quarter_figures(rng, mean, stock)
        stock, quarter = result[quarter]["counts"]["cases.open_end"], quarter.next()
    return result


def region(cells: Sequence[Mapping[Quarter, Figures]]) -> dict[Quarter, Figures]:
    """A region's quarters: the sum of its cells' frozen quarters."""
    result: dict[Quarter, Figures] = {}
    for quarter in sorted(set().union(*cells)):
        total = empty()
        for cell in cells:
            total = add(total, cell.get(quarter, empty()))
        result[quarter] = total
    return result


def known(versions: Sequence[Mapping[str, list[Any]]]) -> dict[str, list[Any]]:
    """What someone who kept every version knows: a figure shown in any version is known."""
    union: dict[str, list[Any]] = {}
    for version in versions:
        for key, (value, mark) in version.items():
            if key not in union or union[key][0] is None:
                union[key] = [value, mark]
    return union


def versions(quarters: Mapping[Quarter, Figures], *, incremental: bool) -> list[dict]:
    """Every version of the table, one per frozen quarter, as ``services`` would store them."""
    result: list[dict[str, list[Any]]] = []
    for last in sorted(quarters):
        upto = {q: f for q, f in quarters.items() if q <= last}
        result.append(protect_table(upto, known(result) if incremental else None))
    return result


def pinned_in_union(
    quarters: Mapping[Quarter, Figures], tables: Sequence[Mapping[str, list[Any]]]
) -> dict[str, tuple[int, int | None]]:
    """The small figures withheld in every version that all versions together give away,
    checked by the attacker with every relation of the last version."""
    values, relations = values_and_relations(quarters)
    union: dict[str, Published] = as_published(known(tables))
    return {
        str(key): bounds
        for key, bounds in audit(union, relations).items()
        if values[key] < THRESHOLD and bounds[0] == bounds[1]
    }
