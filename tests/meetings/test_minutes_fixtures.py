"""Set-up shared by G2's meeting tests (minutes, feedback, register, PDF): a held meeting of
cell A with a case item and a policy item, written as direct rows with the factories.

``cases.case``-like: the school (partner1) participates and leads; partner2 (OCMW) is an
invited outsider with a meeting-window grant; the chair attends with a personal dossier grant.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from casus.access.models import User
from casus.cases.models import Case, GrantReason
from casus.cases.services.common import grant_user
from casus.meetings.models import (
    AgendaItem,
    Attendance,
    ConfirmationMethod,
    Invitation,
    ItemKind,
    Meeting,
    MeetingStatus,
)
from tests.cases.factories import CaseFactory, participate
from tests.conftest import World

from .factories import AgendaItemFactory, MeetingFactory

#: Every actor with a seat (cell A's roles, then cell B's coordinator).
EVERYONE = (
    "chair",
    "coordinator",
    "information_officer",
    "partner1",
    "partner2",
    "strategic",
    "dpo",
    "cell_admin",
    "member_b",
)
#: Present for the case item of ``held``.
PRESENT = ("chair", "coordinator", "information_officer", "partner1", "partner2")


def others(*allowed: str) -> list[str]:
    return [who for who in EVERYONE if who not in allowed]


@pytest.fixture(autouse=True)
def english(request: pytest.FixtureRequest) -> Iterator[None]:
    """Messages are compared in English (the actors read pages in English too)."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        User.objects.update(language="en")
    with translation.override("en"):
        yield


def make_meeting(world: World, status: str = MeetingStatus.STARTED) -> Meeting:
    now = timezone.now()
    published = status != MeetingStatus.DRAFT
    started = status in (MeetingStatus.STARTED, MeetingStatus.ENDED)
    return MeetingFactory(
        cell=world.cell_a,
        created_by=world.coordinator,
        chaired_by=world.chair,
        secretary=world.coordinator,
        starts_at=now - datetime.timedelta(hours=1)
        if started
        else now + datetime.timedelta(days=3),
        status=status,
        published_at=now - datetime.timedelta(days=2) if published else None,
        started_at=now - datetime.timedelta(hours=1) if started else None,
    )


def add_item(
    world: World,
    meeting: Meeting,
    *,
    case: Case | None = None,
    present: tuple[str, ...] = (),
    invited: tuple[str, ...] = (),
    confirmed: bool = True,
) -> AgendaItem:
    """An item with its invitations, attendance (confirmed), presence and window grants."""
    if case is None:
        item = AgendaItemFactory(meeting=meeting, kind=ItemKind.POLICY, title="Annual plan")
    else:
        item = AgendaItemFactory(meeting=meeting, kind=ItemKind.REVIEW, case=case)
    for who in {*present, *invited}:
        user = getattr(world, who)
        invitation = Invitation.objects.create(
            item=item, membership=world.membership(user), invited_by=world.coordinator
        )
        if case is not None and who == "partner2":
            grant_user(
                case=case,
                user=user,
                source=invitation,
                reason=GrantReason.MEETING,
                dossier=False,
                valid_until=meeting.window_ends_at,
            )
        if case is not None and who == "chair":
            grant_user(
                case=case,
                user=user,
                source=item,
                reason=GrantReason.MEETING,
                dossier=True,
                valid_until=meeting.window_ends_at,
            )
    for who in present:
        user = getattr(world, who)
        Attendance.objects.get_or_create(
            meeting=meeting,
            user=user,
            defaults={
                "confirmed_at": timezone.now() if confirmed else None,
                "method": ConfirmationMethod.OWN_DEVICE if confirmed else "",
            },
        )
        item.present.add(user)
    return item


@dataclass
class Held:
    meeting: Meeting
    case: Case
    item: AgendaItem  # the case item; everyone in PRESENT was there
    policy: AgendaItem  # a policy item; coordinator and information officer present
    hidden: AgendaItem  # another case's item; nobody but the coordinator was invited


@pytest.fixture
def held(world: World) -> Held:
    school = world.membership(world.partner1).organisation
    case = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        lead_organisation=school,
        summary="Summary of the case item.",
    )
    participate(case, school, world.coordinator)
    other = CaseFactory(cell=world.cell_a, opened_by=world.chair, summary="Other case summary.")
    meeting = make_meeting(world)
    item = add_item(world, meeting, case=case, present=PRESENT)
    policy = add_item(world, meeting, present=("coordinator", "information_officer"))
    hidden = add_item(world, meeting, case=other, present=("coordinator",))
    return Held(meeting=meeting, case=case, item=item, policy=policy, hidden=hidden)
