"""Who sees which meeting and which agenda item (access/rules/meetings.py)."""

import datetime

import pytest
from django.utils import timezone

from casus.access.rules import item_access_map, meeting_queryset_for
from casus.cases.models import GrantReason
from casus.cases.services.common import grant_user
from casus.meetings.models import Attendance, Invitation, ItemKind, MeetingStatus
from tests.cases.factories import CaseFactory, participate
from tests.conftest import World

from .factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(world: World):  # type: ignore[no-untyped-def]
    """A published meeting: item X (the school's case), item Y (another case), a policy item.

    partner2 (OCMW, not on case X) is invited for X with a window grant; nobody else is invited.
    """
    school = world.membership(world.partner1).organisation
    case_x = CaseFactory(cell=world.cell_a, opened_by=world.chair, lead_organisation=school)
    participate(case_x, school, world.coordinator)
    case_y = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    meeting = MeetingFactory(
        cell=world.cell_a,
        created_by=world.coordinator,
        status=MeetingStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    x = AgendaItemFactory(meeting=meeting, case=case_x, position=1)
    y = AgendaItemFactory(meeting=meeting, case=case_y, position=2)
    policy = AgendaItemFactory(
        meeting=meeting, kind=ItemKind.POLICY, case=None, title="Annual plan", position=3
    )
    invitation = Invitation.objects.create(
        item=x, membership=world.membership(world.partner2), invited_by=world.coordinator
    )
    grant_user(
        case=case_x,
        user=world.partner2,
        source=invitation,
        reason=GrantReason.MEETING,
        dossier=False,
        valid_until=meeting.window_ends_at,
    )
    return meeting, x, y, policy


def access(user, meeting):  # type: ignore[no-untyped-def]
    return item_access_map(user, meeting)


def test_an_invited_outsider_reads_only_their_item(world: World, agenda) -> None:
    meeting, x, y, policy = agenda
    seen = access(world.partner2, meeting)
    assert (seen[x.pk].listed, seen[x.pk].content, seen[x.pk].full_file) == (True, True, False)
    assert not seen[y.pk].listed and not seen[y.pk].content
    assert not seen[policy.pk].listed
    assert list(meeting_queryset_for(world.partner2, world.cell_a)) == [meeting]


def test_the_window_closes(world: World, agenda) -> None:
    import time_machine

    meeting, x, _y, _policy = agenda
    with time_machine.travel(meeting.window_ends_at + datetime.timedelta(minutes=1)):
        assert not access(world.partner2, meeting)[x.pk].content


def test_roles_see_every_item_with_their_own_rights(world: World, agenda) -> None:
    meeting, x, y, policy = agenda
    for who in ("coordinator", "information_officer"):
        seen = access(getattr(world, who), meeting)
        assert all(seen[i.pk].listed and seen[i.pk].content for i in (x, y, policy)), who
    chair = access(world.chair, meeting)
    # The chair lists every item; a case file opens only through a personal grant.
    assert chair[x.pk].listed and not chair[x.pk].content
    school = access(world.partner1, meeting)
    # The school participates in case X but was not invited: its own file, not the agenda.
    assert school[x.pk].full_file and not school[y.pk].listed


def test_present_without_confirmation_sees_no_content(world: World, agenda) -> None:
    meeting, x, _y, _policy = agenda
    meeting.status = MeetingStatus.STARTED
    meeting.save()
    attendance = Attendance.objects.create(meeting=meeting, user=world.partner2)
    assert access(world.partner2, meeting)[x.pk].awaiting_confirmation
    assert not access(world.partner2, meeting)[x.pk].content
    attendance.confirmed_at = timezone.now()
    attendance.save()
    assert access(world.partner2, meeting)[x.pk].content


def test_drafts_are_the_coordinators(world: World, agenda) -> None:
    meeting, x, _y, _policy = agenda
    meeting.status = MeetingStatus.DRAFT
    meeting.save()
    assert access(world.coordinator, meeting)[x.pk].content
    for who in ("chair", "information_officer", "partner2"):
        assert not access(getattr(world, who), meeting)[x.pk].listed, who
        assert meeting not in meeting_queryset_for(getattr(world, who), world.cell_a)


def test_strategic_members_never_see_case_items(world: World, agenda) -> None:
    meeting, x, _y, policy = agenda
    Invitation.objects.create(
        item=policy, membership=world.membership(world.strategic), invited_by=world.coordinator
    )
    seen = access(world.strategic, meeting)
    assert seen[policy.pk].content and not seen[x.pk].listed


@pytest.mark.parametrize("who", ["dpo", "cell_admin", "member_b"])
def test_others_see_no_meeting(world: World, agenda, who: str) -> None:
    meeting, *_items = agenda
    assert not any(a.listed for a in access(getattr(world, who), meeting).values())
    assert not meeting_queryset_for(getattr(world, who), world.cell_a).exists()


def test_the_window_belongs_to_the_item_not_to_the_case(world: World, agenda) -> None:
    """An invitation to the same case in another meeting opens only that meeting's item."""
    meeting, x, _y, _policy = agenda
    later = MeetingFactory(
        cell=world.cell_a,
        created_by=world.coordinator,
        status=MeetingStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    again = AgendaItemFactory(meeting=later, case=x.case)
    assert not access(world.partner2, later)[again.pk].listed
    # Invited to the later item without its own window grant: listed, but no content.
    Invitation.objects.create(
        item=again, membership=world.membership(world.partner2), invited_by=world.coordinator
    )
    assert access(world.partner2, later)[again.pk].listed
    assert not access(world.partner2, later)[again.pk].content
    assert access(world.partner2, meeting)[x.pk].content


def test_a_police_outsider_reads_no_police_only_entries(world: World, agenda) -> None:
    """A member of a police organisation that is not on the case reads no police-only entry,
    not even one marked for the meeting (only the officer, the chair and participating police
    members do)."""
    from casus.access.models import OrganisationKind
    from casus.access.rules import case_context
    from casus.cases.models import JournalEntry, Visibility
    from tests.cases.factories import JournalEntryFactory
    from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    _meeting, x, _y, _policy = agenda
    other_police = OrganisationFactory(
        cell=world.cell_a, name="Federal police", kind=OrganisationKind.POLICE
    )
    agent = UserFactory(full_name="Agent F")
    MembershipFactory(user=agent, cell=world.cell_a, organisation=other_police)
    entry = JournalEntryFactory(
        case=x.case,
        author=world.information_officer,
        visibility=Visibility.POLICE,
        for_meeting=True,
    )
    q = case_context(agent, x.case).entry_q()
    assert not JournalEntry.objects.filter(q, pk=entry.pk).exists()
    officer_q = case_context(world.information_officer, x.case).entry_q()
    assert JournalEntry.objects.filter(officer_q, pk=entry.pk).exists()
