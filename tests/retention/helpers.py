"""Shared records of the retention tests."""

import datetime

from django.utils import timezone

from casus.cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    ScreeningOutcome,
    Signal,
    SignalStatus,
)
from tests.cases.factories import CaseFactory, SignalFactory
from tests.conftest import World

NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(days=365 * 7)
ADULT = datetime.date(1990, 1, 1)
CHILD = NOW.date().replace(year=NOW.year - 15, day=1)


def not_retained(world: World, screened_days_ago: int, born: datetime.date | None) -> Signal:
    at = NOW - datetime.timedelta(days=screened_days_ago)
    return SignalFactory(
        cell=world.cell_a,
        reported_by=world.partner1,
        status=SignalStatus.NOT_RETAINED,
        screening_outcome=ScreeningOutcome.NO_SIGNS,
        subject_birth_date=born,
        received_at=at - datetime.timedelta(days=3),
        screened_at=at,
        handled_at=at,
    )


def closed(world: World, closed_days_ago: int, born: datetime.date | None) -> Case:
    at = NOW - datetime.timedelta(days=closed_days_ago)
    return CaseFactory(
        cell=world.cell_a,
        opened_by=world.coordinator,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.POSITIVE,
        subject_birth_date=born,
        opened_at=at - datetime.timedelta(days=200),
        closed_at=at,
    )
