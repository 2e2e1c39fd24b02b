"""Successive versions of a published table (ADR 0028): someone who keeps every version learns
every figure any of them showed. Protecting each version from scratch can give a small value
away that way; keeping the earlier decisions (``protect(..., previous=...)``) does not."""

from collections.abc import Hashable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casus.monitoring import services
from casus.monitoring.models import PublishedTable, RegionalBody
from casus.monitoring.periods import Quarter
from casus.monitoring.publication import protect_table, values_and_relations
from casus.monitoring.suppression import (
    ProtectionError,
    Published,
    Relation,
    audit,
    protect,
)
from tests.factories import CellFactory, UserFactory

from .growth import history, known, pinned_in_union, region, versions
from .test_suppression import naive, pinned, total

CELL = history(seed=1, quarters=4, mean=1)  # a year of a quiet cell
REGION = region([history(seed, quarters=4, mean=0.5) for seed in (3, 4, 5)])  # three cells


def assert_each_version_keeps_the_earlier_ones(tables: list[dict[str, list[Any]]]) -> None:
    for before, after in zip(tables, tables[1:], strict=False):
        assert set(before) < set(after)
        assert {key: after[key] for key in before} == before


@pytest.mark.parametrize("quarters", [CELL, REGION], ids=["cell", "region"])
def test_versions_protected_from_scratch_give_a_small_value_away_together(quarters) -> None:  # type: ignore[no-untyped-def]
    tables = versions(quarters, incremental=False)
    for table in tables:  # each version alone is safe ...
        upto = {q: f for q, f in quarters.items() if f"cases.opened@{q.key}" in table}
        values, relations = values_and_relations(upto)
        alone = {k: Published(v, m) for k, (v, m) in table.items()}
        assert not {k for k, (lo, hi) in audit(alone, relations).items() if lo == hi} & {
            k for k in values if values[k] < 5
        }
    assert pinned_in_union(quarters, tables)  # ... but not all versions together


@pytest.mark.parametrize("quarters", [CELL, REGION], ids=["cell", "region"])
def test_versions_keeping_earlier_decisions_give_nothing_away_together(quarters) -> None:  # type: ignore[no-untyped-def]
    tables = versions(quarters, incremental=True)
    assert_each_version_keeps_the_earlier_ones(tables)
    assert pinned_in_union(quarters, tables) == {}
    # The union is the last version: it shows everything any version showed.
    assert known(tables) == tables[-1]


# -- through the services: the stored versions of a cell and of a regional body ----------------


@pytest.mark.django_db
@pytest.mark.parametrize("quarters", [CELL, REGION], ids=["cell", "region"])
def test_the_stored_versions_keep_earlier_decisions(quarters) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory()
    scope: dict[str, Any] = (
        {"cell": CellFactory()}
        if quarters is CELL
        else {"body": RegionalBody.objects.create(name="Streek", created_by=admin)}
    )
    for last in sorted(quarters):
        upto = {q: f for q, f in quarters.items() if q <= last}
        services.published_table_get(quarters=upto, **scope)
    stored = [t.published for t in PublishedTable.objects.filter(**scope).order_by("through")]
    assert len(stored) == len(quarters)
    assert_each_version_keeps_the_earlier_ones(stored)
    assert pinned_in_union(quarters, stored) == {}
    assert stored[-1] == versions(quarters, incremental=True)[-1]


@pytest.mark.django_db
def test_a_version_asked_after_a_later_one_was_stored_is_a_slice_of_it() -> None:
    """A page that read the quarters just before the freeze job stored the next version gets
    that version's decisions, not a second, possibly contradicting, set of its own."""
    cell = CellFactory()
    quarters = sorted(CELL)
    later = services.published_table_get(quarters=dict(CELL), cell=cell)
    earlier = {q: CELL[q] for q in quarters[:-1]}
    got = services.published_table_get(quarters=earlier, cell=cell)
    assert PublishedTable.objects.filter(cell=cell).count() == 1  # no second version
    keys = {str(key) for key in values_and_relations(earlier)[0]}
    assert got == {key: later[key] for key in keys if key in later}
    assert set(got) and set(got) <= set(later)


def test_a_quarter_older_than_the_published_ones_is_left_out() -> None:
    # A cell whose first quarter moved back (a signal registered with an earlier date): the
    # new old quarter's stock identity would tie it to figures already published.
    later = {q: f for q, f in CELL.items() if q > Quarter(2024, 1)}
    before = protect_table(later)
    after = protect_table(CELL, before)
    assert after == before


# -- protect with earlier decisions -------------------------------------------------------------


def test_earlier_decisions_are_kept_even_where_protect_would_choose_otherwise() -> None:
    values = {"total": 51, "a": 2, "b": 9, "c": 40}
    relations = [total("total", "a", "b", "c")]
    assert protect(values, relations)["b"] == Published(None, "x")  # from scratch
    previous = {"total": Published(51), "a": Published(None, "<5"), "c": Published(None, "x")}
    published = protect(values, relations, previous=previous)
    assert published == {**previous, "b": Published(9)}
    assert audit(published, relations)["a"] == (0, 4)


def test_a_new_figure_is_withheld_to_protect_an_old_one() -> None:
    # The old table hid a (2) behind b (7); a new figure equal to b would give both away.
    previous = {"t": Published(9), "a": Published(None, "<5"), "b": Published(None, "x")}
    values = {"t": 9, "a": 2, "b": 7, "n": 7, "m": 1, "nm": 8}
    relations = [total("t", "a", "b"), total("n", "b"), total("nm", "n", "m")]
    published = protect(values, relations, previous=previous)
    assert published["n"] == Published(None, "x")
    assert pinned(published, relations) == set()


def test_what_cannot_be_protected_without_changing_the_past_is_refused() -> None:
    # a is new, but total and b were published: a = total - b whatever is withheld now.
    previous = {"total": Published(12), "b": Published(10)}
    with pytest.raises(ProtectionError, match="cannot be protected") as caught:
        protect({"total": 12, "b": 10, "a": 2}, [total("total", "a", "b")], previous=previous)
    assert caught.value.figures == ["a"]
    # The same for an old small figure that new relations give away, the new figures withheld:
    # n1 = b - 7 is under 5 ("<5": b >= 7), n2 = 12 - b at least 5 ("x": b <= 7), so b = 7, a = 2.
    previous = {
        "t": Published(9),
        "a": Published(None, "<5"),
        "b": Published(None, "x"),
        "c": Published(7),
        "d": Published(12),
    }
    values = {"t": 9, "a": 2, "b": 7, "c": 7, "d": 12, "n1": 0, "n2": 5}
    relations = [
        total("t", "a", "b"),
        Relation({"n1": 1, "b": -1, "c": 1}),
        Relation({"n2": 1, "b": 1, "d": -1}),
    ]
    with pytest.raises(ProtectionError) as caught:
        protect(values, relations, previous=previous)
    assert caught.value.figures == ["n1"]  # pinned with b (and a); new figures are named first


def test_a_relation_alone_giving_a_figure_away_is_no_error() -> None:
    values = {"a": 7, "b": 7, "t": 0, "u": 0}
    relations = [total("b", "a"), Relation({"t": 1, "a": -1, "b": 1}), total("u", "t")]
    previous = {"a": Published(7), "b": Published(7), "t": Published(None, "<5")}
    assert protect(values, relations, previous=previous)["u"] == Published(None, "<5")


def test_protecting_again_with_its_own_result_changes_nothing() -> None:
    values = {"total": 51, "a": 2, "b": 9, "c": 40, "d": 1, "e": 50}
    relations = [total("total", "a", "b", "c"), total("e", "d", "b", "c")]
    first = protect(values, relations)
    assert protect(values, relations, previous=first) == first


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        ({"z": Published(3)}, "unknown figure"),
        ({"b": Published(8)}, "published 'b' as 8"),
        ({"a": Published(2)}, "published 'a' as 2"),
        ({"a": Published(None, "x")}, "marked 'a'"),
        ({"b": Published(None, "<5")}, "marked 'b'"),
    ],
)
def test_earlier_decisions_that_contradict_the_values_are_refused(
    previous: dict[Hashable, Published], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        protect({"t": 11, "a": 2, "b": 9}, [total("t", "a", "b")], previous=previous)


# -- random growing tables ----------------------------------------------------------------------


@st.composite
def growing(draw: st.DrawFn) -> tuple[list[dict[Hashable, int]], list[list[Relation]]]:
    """Quarters of a few categories with their total, a stock and its flows, and a "year" total
    per two quarters, once both are there: the values and relations of each version."""
    size = draw(st.integers(1, 3))
    stock = draw(st.integers(0, 8))
    values: dict[Hashable, int] = {}
    relations: list[Relation] = []
    steps: list[tuple[dict[Hashable, int], list[Relation]]] = []
    for q in range(draw(st.integers(2, 4))):
        parts = [("cat", c, q) for c in range(size)]
        values.update({part: draw(st.integers(0, 9)) for part in parts})
        values["all", q] = sum(values[p] for p in parts)
        relations.append(total(("all", q), *parts))
        inflow = draw(st.integers(0, 9))
        outflow = draw(st.integers(0, stock + inflow))
        values["in", q], values["out", q] = inflow, outflow
        values["open", q] = stock = stock + inflow - outflow
        if q:
            terms = {("open", q): 1, ("open", q - 1): -1, ("in", q): -1, ("out", q): 1}
            relations.append(Relation(terms))
        if q % 2:
            for row in [("all",), ("in",), ("out",), *(("cat", c) for c in range(size))]:
                values[(*row, "year", q)] = values[(*row, q - 1)] + values[(*row, q)]
                relations.append(total((*row, "year", q), (*row, q - 1), (*row, q)))
        steps.append((dict(values), list(relations)))
    return [v for v, _ in steps], [r for _, r in steps]


@given(growing())
def test_random_growing_tables_give_nothing_away_across_versions(table) -> None:  # type: ignore[no-untyped-def]
    all_values, all_relations = table
    published: list[dict[Hashable, Published]] = []
    for values, relations in zip(all_values, all_relations, strict=True):
        previous = published[-1] if published else None
        try:
            version = protect(values, relations, previous=previous)
        except ProtectionError:
            # Earlier marks can leave no safe way to publish the new figures (a new "x" year
            # of two "<5" quarters can pin both): the service then publishes nothing new
            # (MONITORING_TABLE_FAILED, the new figures shown as "—"). What was published
            # up to here must still be safe together.
            break
        if previous:
            assert {key: version[key] for key in previous} == previous
        published.append(version)
    if not published:
        return
    values, relations = all_values[len(published) - 1], all_relations[len(published) - 1]
    union: dict[Hashable, Published] = {}
    for version in published:
        for key, figure in version.items():
            if key not in union or union[key].value is None:
                union[key] = figure
    structural = pinned(naive(values, set(values)), relations)
    assert pinned(union, relations) <= structural
    for key, figure in union.items():
        assert figure.value in (None, values[key])


# -- the solve runs outside the lock; the re-check under it -------------------------------------


@pytest.mark.django_db
def test_the_table_is_protected_outside_any_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before the fix: the solve ran inside ``transaction.atomic`` holding the cell's row
    lock (PostgreSQL: every insert referencing the cell waited; SQLite: the database)."""
    from django.db import connection

    depth = len(connection.atomic_blocks)  # the test's own transaction
    seen: list[int] = []
    real = services.protect_table

    def spy(quarters, previous):  # type: ignore[no-untyped-def]
        seen.append(len(connection.atomic_blocks))
        return real(quarters, previous)

    monkeypatch.setattr(services, "protect_table", spy)
    services.published_table_get(quarters=dict(CELL), cell=CellFactory())
    assert seen == [depth]


@pytest.mark.django_db
def test_a_version_stored_meanwhile_by_another_request_stands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cell = CellFactory()
    through = max(CELL).key
    theirs = protect_table(CELL)

    def other_request_first(quarters, previous):  # type: ignore[no-untyped-def]
        PublishedTable.objects.create(cell=cell, through=through, published=theirs)
        return {key: [None, "x"] for key in theirs}  # whatever: it must not be stored

    monkeypatch.setattr(services, "protect_table", other_request_first)
    assert services.published_table_get(quarters=dict(CELL), cell=cell) == theirs
    assert PublishedTable.objects.filter(cell=cell).count() == 1


@pytest.mark.django_db
def test_an_earlier_version_stored_meanwhile_is_kept_by_deciding_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cell = CellFactory()
    quarters = sorted(CELL)
    earlier = {q: CELL[q] for q in quarters[:-1]}
    calls: list[dict] = []
    real = services.protect_table

    def freeze_job_meanwhile(upto, previous):  # type: ignore[no-untyped-def]
        if not calls:
            PublishedTable.objects.create(
                cell=cell, through=max(earlier).key, published=real(earlier, None)
            )
        calls.append(dict(previous))
        return real(upto, previous)

    monkeypatch.setattr(services, "protect_table", freeze_job_meanwhile)
    services.published_table_get(quarters=dict(CELL), cell=cell)
    assert calls[0] == {} and calls[1]  # decided again, with the earlier version's decisions
    stored = [t.published for t in PublishedTable.objects.filter(cell=cell).order_by("through")]
    assert len(stored) == 2
    assert_each_version_keeps_the_earlier_ones(stored)
