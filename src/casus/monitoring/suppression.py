"""Small-number suppression with complementary suppression (product.md §5, ADR 0028).

``protect`` withholds every figure under the threshold ("<5") and then as few other figures as
it can ("x") so that an attacker who knows every published figure, every relation between the
figures, that figures are non-negative integers, that "<5" means ``0..threshold-1`` and "x"
means ``>= threshold``, cannot compute any figure under the threshold exactly. "Exactly" is
checked with integer programming (HiGHS through ``scipy.optimize.milp``), not with row and
column rules, so it also covers chains of relations and what the marks themselves reveal.

``audit`` is the attacker: from what was published only, the integer bounds of each withheld
figure, one minimum and one maximum at a time. It shares with ``protect`` only the relation
parsing, the component split and the solver call, so tests can use it as an independent oracle.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

THRESHOLD = 5
SECONDARY = "x"
_PUSH_ROUNDS = 4
_WITNESSES = 4

type Row = tuple[tuple[int, int], ...]  # ((figure index, coefficient), ...), no zero coefficient


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
) -> dict[Hashable, Published]:
    """Return what may be published of ``values`` so that no value under ``threshold`` can be
    recovered from the published ones and ``relations``.

    Deterministic: the result depends on the keys, values and relations, not on their order.
    Raises ``ValueError`` for a negative value, an unknown key or a relation the values break.
    """
    if threshold < 1:
        raise ValueError("The threshold must be at least 1.")
    keys = sorted(values, key=_order)
    truth = [_count(values[key]) for key in keys]
    rows = _rows(keys, relations)
    for row in rows:
        if sum(coefficient * truth[i] for i, coefficient in row):
            raise ValueError("A relation does not hold for the values given.")
    table = _Table(truth, rows, threshold)
    table.protect()
    mark = primary_mark(threshold)
    return {
        key: Published(None, mark if truth[i] < threshold else SECONDARY)
        if i in table.withheld
        else Published(truth[i])
        for i, key in enumerate(keys)
    }


def audit(
    published: Mapping[Hashable, Published],
    relations: Sequence[Relation],
    threshold: int = THRESHOLD,
) -> dict[Hashable, tuple[int, int | None]]:
    """Return the attacker's integer bounds ``(lowest, highest)`` of each withheld figure
    (``highest`` None: unbounded), computed from what is published only."""
    keys = sorted(published, key=_order)
    rows = _rows(keys, relations)
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
    for group in _groups(sorted(lower), rows):
        system = _System(group, rows, constant)
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


def _order(key: Hashable) -> tuple[str, str]:
    return type(key).__name__, repr(key)


def _count(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError("Values must be non-negative integers.")
    return int(value)


def _rows(keys: Sequence[Hashable], relations: Iterable[Relation]) -> list[Row]:
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


def _groups(variables: Iterable[int], rows: Sequence[Row]) -> list[list[int]]:
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


class _System:
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


class _Table:
    """The suppression state of one table: which figures are withheld, and the search."""

    def __init__(self, truth: list[int], rows: list[Row], threshold: int):
        self.truth, self.rows, self.threshold = truth, rows, threshold
        self.small = {i for i, value in enumerate(truth) if value < threshold}
        self.guarded = set(self.small)  # the small figures that withholding can protect
        self.withheld: set[int] = set(self.small)
        self.rows_of: dict[int, list[Row]] = {}
        for row in rows:
            for i, _ in row:
                self.rows_of.setdefault(i, []).append(row)
        self.truth_of = dict(enumerate(truth))
        self._cache: dict[frozenset[int], frozenset[int]] = {}
        # Per small figure, recent solutions that moved it (as the set of figures they change).
        self._witnesses: dict[int, list[frozenset[int]]] = {}

    def protect(self) -> None:
        """Add complementary suppressions until nothing small is exposed, then publish again
        those that turn out not to be needed (largest first: they cost the most information)."""
        # A figure the relations give away even with everything withheld (t = a - a) was never
        # secret: withhold it, but spend no other figure on it.
        everything = _Table(self.truth, self.rows, self.threshold)
        everything.withheld = set(range(len(self.truth)))
        self.guarded -= everything.exposed()
        added: list[int] = []
        while exposed := self.exposed():
            chosen = self.choose(exposed)
            if not chosen:  # everything around them is withheld already: nothing more to do
                break
            self.withheld |= chosen
            added += sorted(chosen)
        for i in sorted(added, key=lambda i: (-self.truth[i], -i)):
            self.withheld.discard(i)
            if self.exposes_around(i):
                self.withheld.add(i)

    def exposed(self) -> set[int]:
        """Return the withheld small figures an attacker can compute exactly."""
        groups = [g for g in _groups(self.withheld, self.rows) if self.guarded.intersection(g)]
        return self._exposed_in(groups)

    def exposes_around(self, figure: int) -> bool:
        """Return whether a small figure is computable next to ``figure`` (just published)."""
        groups: list[list[int]] = []
        seen: set[int] = set()
        for row in self.rows_of.get(figure, []):
            for start, _ in row:
                if start in self.withheld and start not in seen:
                    group = self._component(start)
                    seen |= group
                    if self.guarded & group:
                        groups.append(sorted(group))
        return bool(self._exposed_in(groups, first=True))

    def _component(self, start: int) -> set[int]:
        group, queue = {start}, [start]
        while queue:
            for row in self.rows_of.get(queue.pop(), []):
                for i, _ in row:
                    if i in self.withheld and i not in group:
                        group.add(i)
                        queue.append(i)
        return group

    def _exposed_in(self, groups: list[list[int]], *, first: bool = False) -> set[int]:
        """Return the computable small figures of these components; with ``first``, stop at the
        first one found (the answer then only tells "some or none")."""
        result: set[int] = set()
        todo: list[tuple[frozenset[int], set[int]]] = []
        for group in groups:
            key = frozenset(group)
            if key in self._cache:
                result |= self._cache[key]
            else:
                todo.append((key, self._propagate(group)))
        if first:
            result |= {i for _, known in todo for i in known & self.guarded}
            if result:
                return result
        # A solution seen earlier that differs from the truth only in figures still withheld
        # still proves them free; the solver is asked only about the others.
        rest = sorted(i for key, known in todo for i in key - known)
        unproven = {i for i in rest if i in self.guarded and not self._witnessed(i)}
        rest = [i for g in _groups(rest, self.rows) if unproven.intersection(g) for i in g]
        solved = self._fixed_by_solver(rest, unproven, first=first) if unproven else set()
        if first:
            return result | (solved & self.guarded)
        for key, known in todo:
            found = frozenset((known | (solved & key)) & self.guarded)
            self._cache[key] = found
            result |= found
        return result

    def _propagate(self, group: list[int]) -> set[int]:
        """Return the figures of ``group`` given away by a row with one unknown left, repeated
        (cheap, and most cases end here)."""
        known: set[int] = set()
        rows = sorted({row for i in group for row in self.rows_of.get(i, [])})
        progress = True
        while progress:
            progress = False
            for row in rows:
                unknown = [i for i, _ in row if i in self.withheld and i not in known]
                if len(unknown) == 1:
                    known.add(unknown[0])
                    progress = True
        return known

    def _witnessed(self, figure: int) -> bool:
        return any(changed <= self.withheld for changed in self._witnesses.get(figure, ()))

    def _remember(self, figures: Sequence[int], solution: np.ndarray, truth: np.ndarray) -> None:
        changed = frozenset(figures[int(p)] for p in np.flatnonzero(solution != truth))
        for figure in changed & self.guarded:
            self._witnesses.setdefault(figure, []).insert(0, changed)
            del self._witnesses[figure][_WITNESSES:]

    def _fixed_by_solver(self, part: list[int], unproven: set[int], *, first: bool) -> set[int]:
        """Return the ``unproven`` figures of ``part`` that take the same value in every integer
        solution (with ``first``: stop at the first such one).

        ``part`` may hold several independent components: one solve then answers for all of
        them at once, since an optimum of a sum of independent objectives optimises each.
        """
        system = _System(part, self.rows, self.truth_of)
        truth = np.array([self.truth[i] for i in part])
        small = np.array([i in self.small for i in part])
        low = np.where(small, 0, self.threshold).astype(float)
        high = np.where(small, self.threshold - 1, np.inf)
        # The guarded figures not yet seen to move: only small figures are ever optimised.
        open_ = np.array([i in unproven for i in part])
        fixed = np.zeros(len(part), dtype=bool)

        def moved(solution: np.ndarray | None) -> np.ndarray:
            if solution is None:
                return np.zeros_like(open_)
            self._remember(part, solution, truth)
            change: np.ndarray = open_ & (solution != truth)
            open_[change] = False
            return change

        # Push all open figures up, then down, with uneven weights: usually frees nearly all.
        idle = 0
        for round_ in range(_PUSH_ROUNDS):
            if not open_.any() or idle == 2:
                break
            weights = 1 + (np.arange(len(part)) * 7 + round_) % 5
            sign = 1 if round_ % 2 == 0 else -1
            idle = 0 if moved(system.solve(-sign * weights * open_, low, high)).any() else idle + 1
        # Then, in each component still open, one figure at a time: its highest value, then its
        # lowest; solving only the components still open.
        position = {i: p for p, i in enumerate(part)}
        components = [np.array([position[i] for i in group]) for group in _groups(part, self.rows)]
        while open_.any():
            active = [c for c in components if open_[c].any()]
            index = np.concatenate(active)
            tried = np.concatenate([open_[c] & (np.cumsum(open_[c]) == 1) for c in active])
            system = _System([part[p] for p in index], self.rows, self.truth_of)
            for sign in (-1, 1):
                probe = tried & open_[index]
                if probe.any():
                    solution = system.solve(sign * probe.astype(float), low[index], high[index])
                    if solution is not None:
                        self._remember([part[p] for p in index], solution, truth[index])
                        open_[index[open_[index] & (solution != truth[index])]] = False
            newly = index[tried & open_[index]]
            fixed[newly] = True
            open_[newly] = False
            if first and newly.size:
                break
        return {i for p, i in enumerate(part) if fixed[p]}

    def choose(self, exposed: set[int]) -> set[int]:
        """Return the figures to withhold next: per cluster of relations that pins an exposed
        figure, the published figure in most of them, then the smallest, then the first."""
        # Computable: the exposed figures and those any row with one unknown gives away (the
        # solver is not asked about the "x" figures: it would cost more than it saves here).
        groups = [g for g in _groups(self.withheld, self.rows) if exposed.intersection(g)]
        fixed = exposed.union(*(self._propagate(group) for group in groups))
        chosen: set[int] = set()
        handled: set[Row] = set()
        for start in sorted(exposed):
            cluster = self._cluster(start, fixed) - handled
            if not cluster:
                continue
            handled |= cluster
            score: dict[int, int] = {}
            for row in cluster:
                for i, _ in row:
                    if i not in self.withheld:
                        score[i] = score.get(i, 0) + 1
            if score:
                chosen.add(min(score, key=lambda i: (-score[i], self.truth[i], i)))
        return chosen

    def _cluster(self, start: int, fixed: set[int]) -> set[Row]:
        """Return the rows whose withheld figures are all computable, reachable from ``start``
        through computable figures; failing that (it is pinned by a longer chain), the rows
        around ``start`` up to the first ring that holds a published figure."""
        cluster: set[Row] = set()
        seen, queue = {start}, [start]
        while queue:
            for row in self.rows_of.get(queue.pop(), []):
                withheld = [i for i, _ in row if i in self.withheld]
                if row in cluster or not all(i in fixed for i in withheld):
                    continue
                cluster.add(row)
                queue += [i for i in withheld if i not in seen]
                seen.update(withheld)
        ring, seen = {start}, {start}
        while ring and not any(i not in self.withheld for row in cluster for i, _ in row):
            rows = {row for i in ring for row in self.rows_of.get(i, [])}
            cluster |= rows
            ring = {i for row in rows for i, _ in row if i in self.withheld} - seen
            seen |= ring
        return cluster
