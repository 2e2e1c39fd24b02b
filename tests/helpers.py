"""Assertions shared by the test modules: audit deltas and refusals."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db.models import Max

from casus.access.models import Cell, User
from casus.audit.models import AuditEvent

#: Pass as ``cell`` when the cell does not exist yet (it is checked by the test itself).
ANY = object()


def _last_audit_pk() -> int:
    return AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def audit_events_since(last_pk: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=last_pk).order_by("pk"))


@dataclass
class Recorded:
    """Filled when the ``with`` block ends: the one event the block wrote."""

    event: AuditEvent | None = None
    events: list[AuditEvent] = field(default_factory=list)


@contextmanager
def one_audit_event(
    action: str, *, actor: User | None, cell: Cell | None | object
) -> Iterator[Recorded]:
    """Assert that the block appends EXACTLY one audit row, with this action, actor and cell."""
    last = _last_audit_pk()
    recorded = Recorded()
    yield recorded
    events = audit_events_since(last)
    recorded.events = events
    assert [event.action for event in events] == [action], events
    event = events[0]
    assert event.actor_id == (actor.pk if actor is not None else None)
    if cell is not ANY:
        assert event.cell_id == (cell.pk if isinstance(cell, Cell) else None)
    recorded.event = event


@contextmanager
def no_audit_events() -> Iterator[None]:
    """Assert that the block appends no audit row."""
    last = _last_audit_pk()
    yield
    assert audit_events_since(last) == []


@contextmanager
def refused[E: BaseException](
    exception: type[E], match: str | None = None
) -> Iterator[pytest.ExceptionInfo[E]]:
    """Assert that the block raises ``exception`` (message matching ``match``) and leaves no
    audit row behind; yields pytest's ExceptionInfo."""
    last = _last_audit_pk()
    with pytest.raises(exception, match=match) as info:
        yield info
    assert audit_events_since(last) == []
