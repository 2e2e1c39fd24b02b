"""Numbering of signals and cases: from the highest number (never a count), per cell and year,
and one at a time per cell (the cell row is locked) so that concurrent requests neither
collide nor open two cases for one person."""

import datetime
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from casus.access.models import Charter
from casus.cases.models import Case, Signal
from casus.cases.services import signals as services
from casus.cases.services.common import next_case_number, next_signal_reference
from casus.core.exceptions import RuleViolation
from tests.conftest import World

from .factories import CaseFactory, SignalFactory
from .helpers import proposed, received, submit

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


def year() -> int:
    return timezone.localtime().year


# --- Signal references ------------------------------------------------------------------------


def test_a_purged_signal_does_not_make_the_next_reference_collide(
    world: World, charter: Charter
) -> None:
    first = submit(world, subject_family_name="Peeters")
    second = submit(world, subject_family_name="Janssens")
    assert (first.reference, second.reference) == (f"S-{year()}-0001", f"S-{year()}-0002")
    # The retention purge deletes the oldest signal: a count would hand out 0002 again.
    Signal.objects.filter(pk=first.pk).delete()
    third = submit(world, subject_family_name="Maes")
    assert third.reference == f"S-{year()}-0003"
    assert Signal.objects.filter(cell=world.cell_a).count() == 2


def test_references_continue_after_the_highest_of_the_year(world: World) -> None:
    this_year = year()
    for reference in (f"S-{this_year}-0007", f"S-{this_year}-0003", f"S-{this_year - 1}-0041"):
        received(world, reference=reference)
    # Another cell's references are its own.
    SignalFactory(cell=world.cell_b, reported_by=world.member_b, reference=f"S-{this_year}-0099")
    now = timezone.now()
    last_year = now.replace(year=this_year - 1)
    next_year = now.replace(year=this_year + 1)
    with transaction.atomic():
        assert next_signal_reference(world.cell_a, now) == f"S-{this_year}-0008"
        assert next_signal_reference(world.cell_a, last_year) == f"S-{this_year - 1}-0042"
        # A new year starts again at 1.
        assert next_signal_reference(world.cell_a, next_year) == f"S-{this_year + 1}-0001"
        assert next_signal_reference(world.cell_b, now) == f"S-{this_year}-0100"


def test_references_count_past_four_digits(world: World) -> None:
    this_year = year()
    received(world, reference=f"S-{this_year}-9999")
    with transaction.atomic():
        assert next_signal_reference(world.cell_a) == f"S-{this_year}-10000"
    received(world, reference=f"S-{this_year}-10000")
    # "…-9999" sorts after "…-10000" as text; the number decides.
    with transaction.atomic():
        assert next_signal_reference(world.cell_a) == f"S-{this_year}-10001"


def test_the_year_of_a_reference_is_the_local_year(world: World, settings: Any) -> None:
    """Just after midnight on 1 January in Brussels it is still 31 December in UTC."""
    settings.TIME_ZONE = "Europe/Brussels"
    at = datetime.datetime(2031, 12, 31, 23, 30, tzinfo=datetime.UTC)
    with transaction.atomic():
        assert next_signal_reference(world.cell_a, at) == "S-2032-0001"


# --- Case numbers -----------------------------------------------------------------------------


def test_case_numbers_continue_after_the_highest(world: World) -> None:
    this_year = year()
    for number in (4, 9):
        CaseFactory(cell=world.cell_a, opened_by=world.chair, year=this_year, number=number)
    CaseFactory(cell=world.cell_a, opened_by=world.chair, year=this_year - 1, number=30)
    CaseFactory(cell=world.cell_b, opened_by=world.member_b, year=this_year, number=50)
    signal = proposed(world)
    signal = services.signal_decide(
        actor=world.chair, signal=signal, retain=True, note="", version=1
    )
    assert signal.case is not None
    assert (signal.case.year, signal.case.number) == (this_year, 10)
    with transaction.atomic():
        assert next_case_number(world.cell_a, this_year - 1) == 31
        assert next_case_number(world.cell_a, this_year + 1) == 1
        assert next_case_number(world.cell_b, this_year) == 51


# --- One at a time per cell -------------------------------------------------------------------


def _cell_locks(queries: list[dict[str, Any]]) -> list[int]:
    """Positions of the queries that lock a cell row."""
    return [
        i
        for i, query in enumerate(queries)
        if 'FROM "access_cell"' in query["sql"] and "FOR UPDATE" in query["sql"]
    ]


@postgres_only
def test_every_numbering_service_locks_the_cell_first(world: World, charter: Charter) -> None:
    def first_lock_before(table: str, run: Callable[[], object]) -> None:
        with CaptureQueriesContext(connection) as captured:
            run()
        queries = captured.captured_queries
        locks = _cell_locks(queries)
        assert locks, "the cell row is not locked"
        # Before anything is read from (or written to) the numbered table.
        touching = [i for i, query in enumerate(queries) if f'"{table}"' in query["sql"]]
        assert locks[0] < touching[0]

    first_lock_before("cases_signal", lambda: submit(world))
    first_lock_before(
        "cases_signal",
        lambda: services.signal_enter_outside(
            actor=world.coordinator,
            cell=world.cell_a,
            subject_family_name="Maes",
            subject_given_names="Lou",
            subject_birth_date=None,
            subject_municipality=None,
            observed_on=timezone.localdate(),
            observed_behaviour="Seen.",
            concern="Worried.",
            source_description="A neighbour",
            source_anonymous=True,
        ),
    )
    signal = proposed(world)
    first_lock_before(
        "cases_case",
        lambda: services.signal_decide(
            actor=world.chair, signal=signal, retain=True, note="", version=1
        ),
    )
    other = proposed(world)
    case = Case.objects.get(pk=Signal.objects.get(pk=signal.pk).case_id)
    other.identity_key = case.identity_key
    other.save()
    first_lock_before(
        "cases_case",
        lambda: services.signal_join(actor=world.chair, signal=other, case=case, version=1),
    )


def _run(pool: ThreadPoolExecutor, work: Callable[[], Any]) -> "Future[Any]":
    """Run ``work`` on its own database connection (another request)."""

    def in_thread() -> Any:
        try:
            with translation.override("en"):  # the language is per thread
                return work()
        finally:
            connections.close_all()

    return pool.submit(in_thread)


def _waits_for(holder: Callable[[threading.Event], Any], contender: Callable[[], Any]) -> tuple:
    """Start ``holder`` (it sets the event once it holds the cell lock, then waits to be let
    go), then ``contender``; check that the contender waits until the holder commits."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> Any:
        with transaction.atomic():
            result = holder(locked)
            release.wait(10)
            return result

    with ThreadPoolExecutor(max_workers=2) as pool:
        held = _run(pool, hold)
        assert locked.wait(10)
        contending = _run(pool, contender)
        time.sleep(0.5)
        waited = not contending.done()
        release.set()
        return waited, held, contending


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_references(world: World, charter: Charter) -> None:
    def holder(locked: threading.Event) -> Signal:
        reference = next_signal_reference(world.cell_a)
        locked.set()
        time.sleep(0.1)
        return received(world, reference=reference)

    waited, held, contending = _waits_for(
        holder, lambda: submit(world, subject_family_name="Janssens")
    )
    assert waited, "the second submission did not wait for the first"
    first, second = held.result(), contending.result()
    assert first.reference == f"S-{year()}-0001"
    assert second.reference == f"S-{year()}-0002"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_open_one_case_per_person(world: World) -> None:
    signal = proposed(world)

    def holder(locked: threading.Event) -> Case:
        # Another decision on the same person, between its check and its commit.
        number = next_case_number(world.cell_a, year())
        locked.set()
        return CaseFactory(
            cell=world.cell_a,
            opened_by=world.chair,
            year=year(),
            number=number,
            identity_key=signal.identity_key,
        )

    def contender() -> Signal:
        return services.signal_decide(
            actor=world.chair, signal=signal, retain=True, note="", version=1
        )

    waited, held, contending = _waits_for(holder, contender)
    assert waited, "the decision did not wait for the other one"
    held.result()
    with pytest.raises(RuleViolation, match="already has case"):
        contending.result()
    assert Case.objects.filter(cell=world.cell_a, identity_key=signal.identity_key).count() == 1
