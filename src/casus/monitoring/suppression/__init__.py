"""Small-number suppression with complementary suppression (product.md §5, ADR 0028).

``protect`` withholds every figure under the threshold ("<5") and then as few other figures as
it can ("x") so that an attacker who knows every published figure, every relation between the
figures, that figures are non-negative integers, that "<5" means ``0..threshold-1`` and "x"
means ``>= threshold``, cannot compute any figure under the threshold exactly. "Exactly" is
checked with integer programming (HiGHS through ``scipy.optimize.milp``), not with row and
column rules, so it also covers chains of relations and what the marks themselves reveal.

A table that grows (a new frozen quarter) is protected *incrementally*: given the decisions of
the version published before (``previous``), every figure keeps its earlier state and only the
new figures are decided, so the union of all versions shows no more than the last one.

``audit`` is the attacker: from what was published only, the integer bounds of each withheld
figure, one minimum and one maximum at a time. It shares with ``protect`` only the relation
parsing, the component split and the solver call, so tests can use it as an independent oracle.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._system import System, count, groups, order, parse_rows
from ._table import ProtectionError, Table

__all__ = [
    "SECONDARY",
    "THRESHOLD",
    "ProtectionError",
    "Published",
    "Relation",
    "audit",
    "primary_mark",
    "protect",
]

THRESHOLD = 5
SECONDARY = "x"


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


def primary_mark(threshold: int = THRESHOLD) -> str:
    """Return the mark of a figure withheld because it is under ``threshold`` ("<5")."""
    return f"<{threshold}"


def protect(
    values: Mapping[Hashable, int],
    relations: Sequence[Relation],
    threshold: int = THRESHOLD,
    *,
    previous: Mapping[Any, Published] | None = None,
) -> dict[Hashable, Published]:
    """Return what may be published of ``values`` so that no value under ``threshold`` can be
    recovered from the published ones and ``relations``.

    ``previous``: what an earlier version of the table published (with the same threshold).
    Each of its figures keeps its state — published with the same value, or withheld with the
    same mark — and complementary suppressions are chosen among the new figures only. Raises
    ``ProtectionError`` (a ``ValueError``) when that cannot protect a figure under the
    threshold, rather than publish a table that would give it away. Relations between earlier
    figures only are taken to be those the earlier version was protected with: a component of
    withheld figures no new figure can join is not checked again (that is what makes a new
    version cheap).

    Deterministic: the result depends on the keys, values and relations, not on their order.
    Raises ``ValueError`` for a negative value, an unknown key, a relation the values break or
    an earlier decision the values contradict.
    """
    if threshold < 1:
        raise ValueError("The threshold must be at least 1.")
    keys = sorted(values, key=order)
    truth = [count(values[key]) for key in keys]
    rows = parse_rows(keys, relations)
    for row in rows:
        if sum(coefficient * truth[i] for i, coefficient in row):
            raise ValueError("A relation does not hold for the values given.")
    shown, hidden = _earlier(previous or {}, keys, truth, threshold)
    table = Table(truth, rows, threshold, shown=shown, hidden=hidden)
    try:
        table.protect()
    except ProtectionError as error:
        error.figures = [keys[i] for i in error.figures]
        error.args = (f"{error.args[0]} Figures: {', '.join(map(str, error.figures))}.",)
        raise
    mark = primary_mark(threshold)
    return {
        key: Published(None, mark if truth[i] < threshold else SECONDARY)
        if i in table.withheld
        else Published(truth[i])
        for i, key in enumerate(keys)
    }


def _earlier(
    previous: Mapping[Hashable, Published],
    keys: Sequence[Hashable],
    truth: Sequence[int],
    threshold: int,
) -> tuple[set[int], set[int]]:
    """Return the figures an earlier version published and withheld, checked against now."""
    index = {key: i for i, key in enumerate(keys)}
    shown: set[int] = set()
    hidden: set[int] = set()
    for key, figure in previous.items():
        if key not in index:
            raise ValueError(f"An earlier version names an unknown figure {key!r}.")
        value = truth[index[key]]
        if figure.value is not None:
            if figure.value != value or value < threshold:
                raise ValueError(f"An earlier version published {key!r} as {figure.value}.")
            shown.add(index[key])
        else:
            if figure.mark != (primary_mark(threshold) if value < threshold else SECONDARY):
                raise ValueError(f"An earlier version marked {key!r} {figure.mark!r}.")
            hidden.add(index[key])
    return shown, hidden


def audit(
    published: Mapping[Hashable, Published],
    relations: Sequence[Relation],
    threshold: int = THRESHOLD,
) -> dict[Hashable, tuple[int, int | None]]:
    """Return the attacker's integer bounds ``(lowest, highest)`` of each withheld figure
    (``highest`` None: unbounded), computed from what is published only."""
    keys = sorted(published, key=order)
    rows = parse_rows(keys, relations)
    constant: dict[int, int] = {}
    lower: dict[int, float] = {}
    upper: dict[int, float] = {}
    for i, key in enumerate(keys):
        figure = published[key]
        if figure.value is not None:
            constant[i] = figure.value
        elif figure.mark == primary_mark(threshold):
            lower[i], upper[i] = 0, threshold - 1
        elif figure.mark == SECONDARY:
            lower[i], upper[i] = threshold, np.inf
        else:
            raise ValueError(f"Unknown mark {figure.mark!r}.")
    bounds: dict[Hashable, tuple[int, int | None]] = {}
    for group in groups(sorted(lower), rows):
        system = System(group, rows, constant)
        low, high = np.array([lower[i] for i in group]), np.array([upper[i] for i in group])
        for position, i in enumerate(group):
            objective = np.zeros(len(group))
            objective[position] = 1
            least = system.solve(objective, low, high)
            if least is None:
                raise ValueError("The published figures contradict the relations.")
            most = system.solve(-objective, low, high)
            bounds[keys[i]] = (int(least[position]), None if most is None else int(most[position]))
    return bounds
