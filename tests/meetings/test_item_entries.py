"""The item dossier shows the entries marked for THIS meeting, not those of earlier or later
meetings on the same case."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from casus.meetings.models import MeetingStatus
from casus.meetings.selectors.meetings import item_entries_for
from tests.cases.factories import CaseFactory, JournalEntryFactory, participate
from tests.conftest import World

from .factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_entries_marked_between_the_previous_meeting_and_this_one(world: World) -> None:
    school = world.membership(world.partner1).organisation
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair, lead_organisation=school)
    participate(case, school, world.coordinator)
    now = timezone.now()
    first = MeetingFactory(
        cell=world.cell_a,
        created_by=world.coordinator,
        starts_at=now - datetime.timedelta(days=30),
        status=MeetingStatus.ENDED,
    )
    second = MeetingFactory(
        cell=world.cell_a,
        created_by=world.coordinator,
        starts_at=now + datetime.timedelta(days=3),
        status=MeetingStatus.PUBLISHED,
    )
    first_item = AgendaItemFactory(meeting=first, case=case)
    second_item = AgendaItemFactory(meeting=second, case=case)

    def marked_at(when: datetime.datetime, text: str):  # type: ignore[no-untyped-def]
        with time_machine.travel(when, tick=False):
            return JournalEntryFactory(
                case=case, author=world.partner1, for_meeting=True, text=text
            )

    old = marked_at(now - datetime.timedelta(days=35), "for the first meeting")
    new = marked_at(now - datetime.timedelta(days=5), "for the second meeting")
    later = marked_at(now + datetime.timedelta(days=10), "for a meeting after the second")
    JournalEntryFactory(case=case, author=world.partner1, text="not marked")

    assert item_entries_for(actor=world.coordinator, item=first_item) == [old]
    assert item_entries_for(actor=world.coordinator, item=second_item) == [new]
    assert later not in item_entries_for(actor=world.coordinator, item=second_item)
