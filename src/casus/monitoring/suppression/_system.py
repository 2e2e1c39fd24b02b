"""The shared machinery of ``protect`` and ``audit``: relation parsing, the component split and
the exact integer solve (HiGHS through ``scipy.optimize.milp``)."""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

type Row = tuple[tuple[int, int], ...]  # ((figure index, coefficient), ...), no zero coefficient


class HasTerms(Protocol):
    @property
    def terms(self) -> Mapping[Hashable, int]: ...


def order(key: Hashable) -> tuple[str, str]:
    return type(key).__name__, repr(key)


def count(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError("Values must be non-negative integers.")
    return int(value)


def parse_rows(keys: Sequence[Hashable], relations: Iterable[HasTerms]) -> list[Row]:
    """Return the relations over figure indices, canonical (sorted, deduplicated)."""
    index = {key: i for i, key in enumerate(keys)}
    rows: set[Row] = set()
    for relation in relations:
        try:
            row = tuple(sorted((index[k], int(c)) for k, c in relation.terms.items() if c))
        except KeyError as error:
            raise ValueError(f"A relation names an unknown figure {error.args[0]!r}.") from None
        if row:
            rows.add(row)
    return sorted(rows)


def groups(variables: Iterable[int], rows: Sequence[Row]) -> list[list[int]]:
    """Return the connected components of ``variables``, linked by sharing a row."""
    parent = {i: i for i in variables}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in rows:
        linked = [find(i) for i, _ in row if i in parent]
        for other in linked[1:]:
            parent[find(other)] = find(linked[0])
    groups: dict[int, list[int]] = {}
    for i in sorted(parent):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


class System:
    """The equalities over ``variables``: every row touching them, the rest as constants."""

    def __init__(self, variables: Sequence[int], rows: Sequence[Row], constant: Mapping[int, int]):
        position = {i: p for p, i in enumerate(variables)}
        entries: dict[tuple[int, int], int] = {}
        target: list[int] = []
        for row in rows:
            if not any(i in position for i, _ in row):
                continue
            for i, coefficient in row:
                if i in position:
                    entries[len(target), position[i]] = coefficient
            target.append(-sum(c * constant[i] for i, c in row if i not in position))
        self.size = len(variables)
        shape = (len(target), self.size)
        cells = np.array(list(entries), dtype=np.int64).reshape(len(entries), 2)
        self.matrix = sparse.csr_array(
            (np.array(list(entries.values()), dtype=np.int64), (cells[:, 0], cells[:, 1])), shape
        )
        self.target = np.array(target, dtype=np.int64)

    def solve(self, objective: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray | None:
        """Return an optimal integer solution, or None when there is none (or no optimum)."""
        constraints = []
        if len(self.target):
            constraints.append(LinearConstraint(self.matrix, self.target, self.target))
        result = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(self.size),
            bounds=Bounds(low, high),
            options={"mip_rel_gap": 0},
        )
        if result.status != 0:
            return None
        solution = np.rint(result.x).astype(np.int64)
        # Trust only an exact integer solution: a solver tolerance must never count as proof.
        exact = np.array_equal(self.matrix @ solution, self.target)
        return solution if exact and np.all(solution >= low) and np.all(solution <= high) else None
