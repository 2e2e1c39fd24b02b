"""Small-number suppression with complementary suppression (product.md §5).

Interface fixed for the monitoring app; the implementation is being written.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Relation:
    """A linear identity the published figures obey: ``Σ coefficient × value == 0``.

    E.g. a total and its parts: ``{total: 1, part1: -1, part2: -1}``; a year and its quarters;
    a stock and its flows: ``{open_q2: 1, open_q1: -1, opened_q2: -1, closed_q2: 1}``.
    """

    terms: Mapping[Hashable, int]


@dataclass(frozen=True)
class Published:
    """One published figure: ``value`` when shown, else ``None`` with ``mark`` "<5" (the value
    is under the threshold) or "x" (withheld to protect another figure; at least the threshold)."""

    value: int | None
    mark: str = ""


def protect(
    values: Mapping[Hashable, int],
    relations: Sequence[Relation],
    threshold: int = THRESHOLD,
) -> dict[Hashable, Published]:
    """Return what may be published of ``values`` so that no value under ``threshold`` can be
    recovered from the published ones and ``relations``."""
    raise NotImplementedError
