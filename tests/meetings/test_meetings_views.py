"""Meeting pages: who sees which item and its dossier, the window, the confirmation, strategic
members, query counts, cross-cell 404s, and the coordinator's POST tools."""

import datetime

import django.db
import pytest
import time_machine
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casus.audit.models import AccessKind, AccessLog
from casus.cases.models import Visibility
from casus.meetings.models import AgendaItem, Meeting, MeetingStatus
from casus.meetings.services import meetings as svc
from tests.cases.factories import CaseFactory, JournalEntryFactory
from tests.conftest import World, ready_client

from .conftest import MeetingWorld
from .test_meetings_services import plan, publish, start, with_items

pytestmark = pytest.mark.django_db


def item_url(meeting: Meeting, item: AgendaItem) -> str:
    return reverse("meetings:item", args=[meeting.pk, item.pk])


def invited_meeting(world: World, mw: MeetingWorld):  # type: ignore[no-untyped-def]
    """Published: Partner Two (OCMW, not on ``case``) invited for item X only."""
    meeting, x, y = with_items(world, mw)
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner2))
    svc.invitation_add(actor=world.coordinator, item=y, membership=world.membership(world.partner1))
    JournalEntryFactory(
        case=mw.case, author=world.partner1, text="For-the-meeting-all.", for_meeting=True
    )
    JournalEntryFactory(case=mw.case, author=world.partner1, text="Not-for-the-meeting.")
    JournalEntryFactory(
        case=mw.case,
        author=world.partner1,
        text="School-only-note.",
        for_meeting=True,
        visibility=Visibility.OWN_ORGANISATION,
    )
    JournalEntryFactory(
        case=mw.case,
        author=world.information_officer,
        text="Police-only-note.",
        for_meeting=True,
        visibility=Visibility.POLICE,
    )
    return publish(world, meeting), x, y


def test_invited_outsider_reads_only_their_item(world: World, mw: MeetingWorld) -> None:
    meeting, x, y = invited_meeting(world, mw)
    client = ready_client(world.partner2)
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert mw.case.reference in text and mw.other.reference not in text
    assert "confidential-banner" in text
    response = client.get(item_url(meeting, x))
    assert response.status_code == 200
    body = response.content.decode()
    for shown in ("Summary-of-the-coordinator.", "Jonas Verhoeven", "For-the-meeting-all."):
        assert shown in body
    for hidden in ("Not-for-the-meeting.", "School-only-note.", "Police-only-note."):
        assert hidden not in body
    assert reverse("cases:detail", args=[mw.case.pk]) not in body  # no full file
    log = AccessLog.objects.get(actor=world.partner2, kind=AccessKind.CASE)
    assert log.case_id == mw.case.pk and log.data == {"view": "meeting_item", "item": x.pk}
    assert client.get(item_url(meeting, y)).status_code == 404
    assert client.get(reverse("cases:detail", args=[mw.other.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[mw.case.pk])).status_code == 404
    # After the window, the item's content is gone.
    with time_machine.travel(meeting.window_ends_at + datetime.timedelta(minutes=1)):
        after = ready_client(world.partner2).get(item_url(meeting, x))
        assert after.status_code in (200, 404)
        assert "Summary-of-the-coordinator." not in after.content.decode()


def test_participant_sees_entries_of_own_organisation(world: World, mw: MeetingWorld) -> None:
    meeting, x, _y = invited_meeting(world, mw)
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner1))
    body = ready_client(world.partner1).get(item_url(meeting, x)).content.decode()
    assert "School-only-note." in body and "Police-only-note." not in body
    assert reverse("cases:detail", args=[mw.case.pk]) in body  # the school has the file
    officer = ready_client(world.information_officer).get(item_url(meeting, x)).content.decode()
    assert "Police-only-note." in officer and "School-only-note." not in officer


def test_present_participant_must_confirm(world: World, mw: MeetingWorld) -> None:
    meeting, x, _y = invited_meeting(world, mw)
    start(world, meeting)
    svc.attendance_record(
        actor=world.coordinator, meeting=meeting, user=world.partner2, present_for_items=[x.pk]
    )
    client = ready_client(world.partner2)
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "I confirm the art. 458ter obligation" in detail
    body = client.get(item_url(meeting, x)).content.decode()
    assert "Summary-of-the-coordinator." not in body
    assert not AccessLog.objects.filter(actor=world.partner2).exists()
    response = client.post(reverse("meetings:confirm", args=[meeting.pk]))
    assert response.status_code == 302
    assert "Summary-of-the-coordinator." in client.get(item_url(meeting, x)).content.decode()


def test_strategic_members_see_policy_items_only(world: World, mw: MeetingWorld) -> None:
    meeting, x, _y = with_items(world, mw)
    policy = svc.agenda_item_add(
        actor=world.coordinator, meeting=meeting, kind="policy", title="Prevention-plan-2027"
    )
    svc.invitation_add(
        actor=world.coordinator, item=policy, membership=world.membership(world.strategic)
    )
    publish(world, meeting)
    client = ready_client(world.strategic)
    text = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Prevention-plan-2027" in text
    assert mw.case.reference not in text and mw.other.reference not in text
    assert client.get(item_url(meeting, policy)).status_code == 200
    assert client.get(item_url(meeting, x)).status_code == 404


def test_draft_is_the_coordinators_and_cross_cell_is_404(world: World, mw: MeetingWorld) -> None:
    meeting, x, _y = with_items(world, mw)
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner2))
    assert (
        ready_client(world.partner2).get(reverse("meetings:detail", args=[meeting.pk])).status_code
        == 404
    )
    publish(world, meeting)
    for who in ("member_b", "dpo", "cell_admin"):
        client = ready_client(getattr(world, who))
        assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
        assert client.get(item_url(meeting, x)).status_code == 404
    b = ready_client(world.member_b)
    assert b.post(reverse("meetings:start", args=[meeting.pk]), {"version": 2}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED
    # Not invited for anything: the meeting is not listed either.
    listing = ready_client(world.partner1).get(reverse("meetings:list")).content.decode()
    assert reverse("meetings:detail", args=[meeting.pk]) not in listing


def test_meeting_page_query_count_is_constant(world: World, mw: MeetingWorld) -> None:
    def build(n: int) -> Meeting:
        meeting = plan(world, mw)
        for _ in range(n):
            case = CaseFactory(cell=world.cell_a, opened_by=world.chair)
            item = svc.agenda_item_add(
                actor=world.coordinator, meeting=meeting, kind="review", case=case
            )
            for user in (world.partner1, world.partner2):
                svc.invitation_add(
                    actor=world.coordinator, item=item, membership=world.membership(user)
                )
        return meeting

    counts = []
    for n in (2, 6):
        meeting = build(n)
        for who in ("coordinator", "partner2"):
            client = ready_client(getattr(world, who))
            client.get(reverse("meetings:detail", args=[meeting.pk]))  # warm up the session
            with CaptureQueriesContext(django.db.connection) as queries:
                assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code in (
                    200,
                    404,
                )
            counts.append((who, len(queries)))
    assert counts[0][1] == counts[2][1], counts
    assert counts[1][1] == counts[3][1], counts


def test_coordinator_tools_by_post(world: World, mw: MeetingWorld) -> None:
    client = ready_client(world.coordinator)
    response = client.post(
        reverse("meetings:new"),
        {
            "table": mw.table.pk,
            "starts_at": "2030-05-06T14:00",
            "duration_minutes": 90,
            "place": "Room 1",
            "chaired_by": world.chair.pk,
            "secretary": world.coordinator.pk,
            "window_days": 7,
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    detail = reverse("meetings:detail", args=[meeting.pk])
    assert response["Location"] == detail
    assert client.get(detail).status_code == 200
    assert client.get(reverse("meetings:edit", args=[meeting.pk])).status_code == 200
    client.post(
        reverse("meetings:item_add", args=[meeting.pk]), {"kind": "review", "case": mw.case.pk}
    )
    client.post(
        reverse("meetings:item_add", args=[meeting.pk]), {"kind": "policy", "title": "Budget"}
    )
    first, second = meeting.items.all()
    client.post(
        reverse("meetings:reorder", args=[meeting.pk]), {"item": second.pk, "direction": "up"}
    )
    assert list(meeting.items.values_list("pk", flat=True)) == [second.pk, first.pk]
    client.post(reverse("meetings:invitations_default", args=[meeting.pk, first.pk]))
    assert list(first.invitations.values_list("membership__user", flat=True)) == [world.partner1.pk]
    client.post(
        reverse("meetings:invitation_add", args=[meeting.pk, first.pk]),
        {"membership": world.membership(world.partner2).pk},
    )
    assert first.invitations.count() == 2
    client.post(reverse("meetings:publish", args=[meeting.pk]), {"version": 1})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED
    client.post(reverse("meetings:start", args=[meeting.pk]), {"version": meeting.version})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.STARTED
    response = client.post(
        reverse("meetings:invitation_add", args=[meeting.pk, second.pk]),
        {"membership": world.membership(world.partner2).pk},
    )
    assert response.status_code == 302 and second.invitations.count() == 0
    client.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {"user": world.partner2.pk, "items": [first.pk]},
    )
    assert list(first.present.all()) == [world.partner2]
    client.post(reverse("meetings:secrecy_record", args=[meeting.pk]), {"user": world.partner2.pk})
    assert meeting.attendances.get(user=world.partner2).confirmed_at
    page = client.get(detail).content.decode()
    assert "Attendance and confirmations" in page
    client.post(reverse("meetings:end", args=[meeting.pk]), {"version": meeting.version})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ENDED
    # Partners cannot use the tools.
    p = ready_client(world.partner1)
    assert (
        p.post(
            reverse("meetings:item_add", args=[meeting.pk]), {"kind": "policy", "title": "x"}
        ).status_code
        == 404
    )
    assert p.get(reverse("meetings:new")).status_code == 404
