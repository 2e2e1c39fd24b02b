"""The search behind ``protect``: which figures to withhold, checked exactly (ADR 0028)."""

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ._system import Row
from ._system import System as _System
from ._system import groups as _groups

_PUSH_ROUNDS = 4
_WITNESSES = 4


class ProtectionError(ValueError):
    """A figure under the threshold cannot be protected without changing what an earlier
    version published (only figures new in this version may be withheld now)."""

    def __init__(self, figures: Iterable[int]):
        self.figures: list[Any] = sorted(figures)  # indices, then the keys (``protect``)
        super().__init__(
            "These figures under the threshold cannot be protected without withholding a figure "
            "an earlier version published."
        )


class Table:
    """The suppression state of one table: which figures are withheld, and the search."""

    def __init__(
        self,
        truth: list[int],
        rows: list[Row],
        threshold: int,
        *,
        shown: Iterable[int] = (),
        hidden: Iterable[int] = (),
    ):
        """``shown`` and ``hidden``: figures an earlier version published or withheld; they
        keep that state, and only the other (new) figures may be chosen as complements."""
        self.truth, self.rows, self.threshold = truth, rows, threshold
        self.small = {i for i, value in enumerate(truth) if value < threshold}
        self.guarded = set(self.small)  # the small figures that withholding can protect
        self.hidden = set(hidden)
        self.free = set(range(len(truth))) - self.hidden - set(shown)  # new in this version
        self.withheld: set[int] = (self.small & self.free) | self.hidden
        self.rows_of: dict[int, list[Row]] = {}
        for row in rows:
            for i, _ in row:
                self.rows_of.setdefault(i, []).append(row)
        self.truth_of = dict(enumerate(truth))
        self._cache: dict[frozenset[int], frozenset[int]] = {}
        # Per small figure, recent solutions that moved it (as the set of figures they change).
        self._witnesses: dict[int, list[frozenset[int]]] = {}

    def protect(self) -> None:
        """Add complementary suppressions (new figures only) until nothing small is exposed,
        then publish again those that turn out not to be needed (largest first: they cost the
        most information). Raise ``ProtectionError`` when withholding every new figure would
        still leave a small figure exposed that the relations alone do not give away."""
        ceiling = self.hidden | self.free  # the most this version may withhold
        if len(ceiling) < len(self.truth):
            # A component of withheld figures that no new figure can ever join keeps the state
            # the earlier version gave it (publishing new figures cannot touch it): skip it.
            self.guarded &= {
                i for group in _groups(ceiling, self.rows) if self.free & set(group) for i in group
            }
        pinned = self._exposed_with(ceiling, self.guarded)
        # A figure the relations give away even with everything withheld (t = a - a) was never
        # secret: withhold it, but spend no other figure on it.
        structural = pinned
        if pinned and len(ceiling) < len(self.truth):
            structural = self._exposed_with(set(range(len(self.truth))), pinned)
            unprotected = pinned - structural
            if unprotected & self.free:
                raise ProtectionError(unprotected & self.free)
            if unprotected:  # old figures: were they given away by the earlier version alone?
                rows = [row for row in self.rows if not any(i in self.free for i, _ in row)]
                before = Table(self.truth, rows, self.threshold)
                before.withheld, before.guarded = set(self.hidden), set(unprotected)
                if unprotected - before.exposed():
                    raise ProtectionError(unprotected - before.exposed())
                structural = pinned  # public since the earlier version: nothing left to save
        self.guarded -= structural
        added: list[int] = []
        while exposed := self.exposed():
            chosen = self.choose(exposed)
            if not chosen:  # cannot happen once the ceiling protects them (ADR 0028)
                raise ProtectionError(exposed)
            self.withheld |= chosen
            added += sorted(chosen)
        for i in sorted(added, key=lambda i: (-self.truth[i], -i)):
            self.withheld.discard(i)
            if self.exposes_around(i):
                self.withheld.add(i)

    def _exposed_with(self, withheld: set[int], guarded: set[int]) -> set[int]:
        """Return the figures of ``guarded`` exposed when ``withheld`` are withheld."""
        other = Table(self.truth, self.rows, self.threshold)
        other.withheld, other.guarded = set(withheld), set(guarded)
        return other.exposed()

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
                    if i in self.free and i not in self.withheld:
                        score[i] = score.get(i, 0) + 1
            if score:
                chosen.add(min(score, key=lambda i: (-score[i], self.truth[i], i)))
        return chosen

    def _cluster(self, start: int, fixed: set[int]) -> set[Row]:
        """Return the rows whose withheld figures are all computable, reachable from ``start``
        through computable figures; failing that (it is pinned by a longer chain), the rows
        around ``start`` up to the first ring that holds a figure it may still withhold."""
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
        while ring and not any(
            i in self.free and i not in self.withheld for row in cluster for i, _ in row
        ):
            rows = {row for i in ring for row in self.rows_of.get(i, [])}
            cluster |= rows
            ring = {i for row in rows for i, _ in row if i in self.withheld} - seen
            seen |= ring
        return cluster
