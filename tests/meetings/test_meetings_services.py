"""Meetings core services: the meeting, the agenda, invitations, publication with the window
grants and e-mails, the locked list, attendance and the art. 458ter confirmations."""

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from casus.access.models import Membership
from casus.audit.selectors import event_values
from casus.cases.models import CaseGrant, CaseStatus, GrantReason
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from casus.meetings.models import (
    Attendance,
    ConfirmationMethod,
    Invitation,
    ItemKind,
    Meeting,
    MeetingStatus,
)
from casus.meetings.selectors.meetings import agenda_proposal_for
from casus.meetings.services import meetings as svc
from tests.cases.factories import CaseFactory
from tests.conftest import World
from tests.helpers import _last_audit_pk, audit_events_since, one_audit_event, refused

from .conftest import MeetingWorld

pytestmark = pytest.mark.django_db

NOT_MANAGERS = ["chair", "information_officer", "partner1", "strategic", "dpo", "member_b"]


def plan(world: World, mw: MeetingWorld, table=None, **kw) -> Meeting:  # type: ignore[no-untyped-def]
    values = {
        "actor": world.coordinator,
        "cell": world.cell_a,
        "table": table or mw.table,
        "starts_at": timezone.now() + datetime.timedelta(days=3),
        "duration_minutes": 120,
        "place": "Town hall, room 2",
        "video_link": "",
        "chaired_by": world.chair,
        "secretary": world.coordinator,
        "window_days": 7,
    } | kw
    return svc.meeting_create(**values)


def with_items(world: World, mw: MeetingWorld):  # type: ignore[no-untyped-def]
    """A draft meeting: item X (``case``), item Y (``other``)."""
    meeting = plan(world, mw)
    x = svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="review", case=mw.case)
    y = svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="review", case=mw.other)
    return meeting, x, y


def publish(world: World, meeting: Meeting) -> Meeting:
    meeting.refresh_from_db()
    return svc.meeting_publish(actor=world.coordinator, meeting=meeting, version=meeting.version)


def start(world: World, meeting: Meeting) -> Meeting:
    meeting.refresh_from_db()
    return svc.meeting_start(actor=world.coordinator, meeting=meeting, version=meeting.version)


# --- The meeting ------------------------------------------------------------------------------


def test_coordinator_plans_a_meeting(world: World, mw: MeetingWorld) -> None:
    with one_audit_event("MEETING_CREATED", actor=world.coordinator, cell=world.cell_a) as rec:
        meeting = plan(world, mw)
    assert meeting.status == MeetingStatus.DRAFT
    assert rec.event is not None
    assert event_values(rec.event)["place"] == [None, "Town hall, room 2"]
    assert "chaired_by" in rec.event.data["fields"]


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_others_may_not_plan(world: World, mw: MeetingWorld, who: str) -> None:
    with refused(Forbidden):
        plan(world, mw, actor=getattr(world, who))


def test_chair_and_secretary_must_sit_at_the_table(world: World, mw: MeetingWorld) -> None:
    # The strategic member is not seated at the case table, and has no chair/coordinator role.
    with refused(RuleViolation, match="secretary"):
        plan(world, mw, secretary=world.strategic)
    with refused(RuleViolation, match="chair of the meeting"):
        plan(world, mw, chaired_by=world.member_b)
    # The cell's chair need not be seated.
    assert plan(world, mw, chaired_by=world.chair, secretary=world.partner2).pk


def test_update_checks_the_version_and_the_status(world: World, mw: MeetingWorld) -> None:
    meeting = plan(world, mw)
    args = {
        "starts_at": meeting.starts_at,
        "duration_minutes": 90,
        "place": "Library",
        "video_link": "",
        "chaired_by": world.chair,
        "secretary": world.coordinator,
        "window_days": 3,
    }
    with one_audit_event("MEETING_UPDATED", actor=world.coordinator, cell=world.cell_a) as rec:
        meeting = svc.meeting_update(actor=world.coordinator, meeting=meeting, version=1, **args)
    assert rec.event is not None and event_values(rec.event)["place"] == [
        "Town hall, room 2",
        "Library",
    ]
    with refused(EditConflict):
        svc.meeting_update(actor=world.coordinator, meeting=meeting, version=1, **args)
    with refused(Forbidden):
        svc.meeting_update(actor=world.partner1, meeting=meeting, version=2, **args)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.STARTED)
    with refused(RuleViolation):
        svc.meeting_update(
            actor=world.coordinator, meeting=meeting, version=2, **(args | {"place": "X"})
        )


# --- The agenda -------------------------------------------------------------------------------


def test_agenda_proposal_from_the_data(world: World, mw: MeetingWorld) -> None:
    meeting = plan(world, mw)
    day = timezone.localdate(meeting.starts_at)
    new = CaseFactory(cell=world.cell_a, opened_by=world.chair, status=CaseStatus.ON_LIST)
    discussed = CaseFactory(cell=world.cell_a, opened_by=world.chair, status=CaseStatus.ON_LIST)
    due = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        status=CaseStatus.FOLLOW_UP,
        next_review_on=day,
    )
    CaseFactory(  # not due by the meeting date
        cell=world.cell_a,
        opened_by=world.chair,
        status=CaseStatus.FOLLOW_UP,
        next_review_on=day + datetime.timedelta(days=1),
    )
    closing = CaseFactory(cell=world.cell_a, opened_by=world.chair, status=CaseStatus.EVALUATION)
    CaseFactory(cell=world.cell_b, opened_by=world.member_b, status=CaseStatus.ON_LIST)
    earlier = plan(world, mw)
    svc.agenda_item_add(actor=world.coordinator, meeting=earlier, kind="new_case", case=discussed)
    proposed = {
        (p.kind, p.case.pk) for p in agenda_proposal_for(actor=world.coordinator, meeting=meeting)
    }
    assert proposed == {
        (ItemKind.NEW_CASE, new.pk),
        (ItemKind.REVIEW, due.pk),
        (ItemKind.CLOSURE, closing.pk),
    }
    svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="closure", case=closing)
    proposed = {p.case.pk for p in agenda_proposal_for(actor=world.coordinator, meeting=meeting)}
    assert closing.pk not in proposed
    with pytest.raises(Forbidden):
        agenda_proposal_for(actor=world.chair, meeting=meeting)


def test_items_added_removed_reordered(world: World, mw: MeetingWorld) -> None:
    meeting = plan(world, mw)
    with one_audit_event("MEETING_ITEM_ADDED", actor=world.coordinator, cell=world.cell_a) as rec:
        x = svc.agenda_item_add(
            actor=world.coordinator, meeting=meeting, kind="review", case=mw.case
        )
    assert rec.event is not None and rec.event.case_id == mw.case.pk
    with refused(RuleViolation, match="title"):
        svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="policy")
    with refused(RuleViolation, match="already"):
        svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="review", case=mw.case)
    other_cell = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    with refused(RuleViolation):
        svc.agenda_item_add(
            actor=world.coordinator, meeting=meeting, kind="review", case=other_cell
        )
    with refused(RuleViolation):
        svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="bogus", case=mw.case)
    with refused(Forbidden):
        svc.agenda_item_add(actor=world.chair, meeting=meeting, kind="policy", title="Budget")
    p = svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="policy", title="Budget")
    with one_audit_event("MEETING_AGENDA_REORDERED", actor=world.coordinator, cell=world.cell_a):
        svc.agenda_reorder(actor=world.coordinator, meeting=meeting, order=[p.pk, x.pk])
    assert list(meeting.items.values_list("pk", flat=True)) == [p.pk, x.pk]
    with refused(RuleViolation):
        svc.agenda_reorder(actor=world.coordinator, meeting=meeting, order=[p.pk])
    with one_audit_event("MEETING_ITEM_REMOVED", actor=world.coordinator, cell=world.cell_a):
        svc.agenda_item_remove(actor=world.coordinator, item=p)
    assert list(meeting.items.values_list("pk", flat=True)) == [x.pk]
    publish(world, meeting)
    with refused(RuleViolation, match="before it is published"):
        svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="policy", title="Late")
    with refused(RuleViolation):
        svc.agenda_item_remove(actor=world.coordinator, item=x)


def test_strategic_table_takes_policy_items_only(world: World, mw: MeetingWorld) -> None:
    meeting = plan(world, mw, table=mw.strategic_table, secretary=world.chair)
    with refused(RuleViolation, match="policy"):
        svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="review", case=mw.case)
    assert svc.agenda_item_add(
        actor=world.coordinator, meeting=meeting, kind="policy", title="Yearly plan"
    ).pk
    assert agenda_proposal_for(actor=world.coordinator, meeting=meeting) == []


# --- Invitations ------------------------------------------------------------------------------


def test_default_invitations(world: World, mw: MeetingWorld) -> None:
    meeting, x, _y = with_items(world, mw)
    policy = svc.agenda_item_add(
        actor=world.coordinator, meeting=meeting, kind="policy", title="Budget"
    )
    # Partner Two is seated but not approved by the chair: never a default.
    Membership.objects.filter(pk=world.membership(world.partner2).pk).update(approved_by=None)
    with one_audit_event(
        "MEETING_INVITATIONS_DEFAULTED", actor=world.coordinator, cell=world.cell_a
    ):
        created = svc.invitations_default(actor=world.coordinator, item=x)
    assert [i.membership.user for i in created] == [world.partner1]
    created = svc.invitations_default(actor=world.coordinator, item=policy)
    assert {i.membership.user for i in created} == {
        world.coordinator,
        world.information_officer,
        world.partner1,
    }
    assert svc.invitations_default(actor=world.coordinator, item=x) == []  # idempotent
    with refused(Forbidden):
        svc.invitations_default(actor=world.partner1, item=x)


def test_only_chair_approved_members_are_invited(world: World, mw: MeetingWorld) -> None:
    meeting, x, _y = with_items(world, mw)
    with one_audit_event("MEETING_INVITATION_ADDED", actor=world.coordinator, cell=world.cell_a):
        invitation = svc.invitation_add(
            actor=world.coordinator, item=x, membership=world.membership(world.partner2)
        )
    with refused(RuleViolation, match="already"):
        svc.invitation_add(
            actor=world.coordinator, item=x, membership=world.membership(world.partner2)
        )
    Membership.objects.filter(pk=world.membership(world.information_officer).pk).update(
        approved_by=None
    )
    with refused(RuleViolation, match="approved"):
        svc.invitation_add(
            actor=world.coordinator, item=x, membership=world.membership(world.information_officer)
        )
    # A strategic member has no case role; cell B's member is of another cell.
    for membership in (
        world.membership(world.strategic),
        world.membership(world.member_b, world.cell_b),
    ):
        with refused(RuleViolation):
            svc.invitation_add(actor=world.coordinator, item=x, membership=membership)
    with refused(Forbidden):
        svc.invitation_add(actor=world.chair, item=x, membership=world.membership(world.partner1))
    with one_audit_event("MEETING_INVITATION_REMOVED", actor=world.coordinator, cell=world.cell_a):
        svc.invitation_remove(actor=world.coordinator, invitation=invitation)
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_list_locked_after_start_refused_and_audited(world: World, mw: MeetingWorld) -> None:
    meeting, x, _y = with_items(world, mw)
    invitation = svc.invitation_add(
        actor=world.coordinator, item=x, membership=world.membership(world.partner1)
    )
    publish(world, meeting)
    start(world, meeting)
    for call in (
        lambda: svc.invitation_add(
            actor=world.coordinator, item=x, membership=world.membership(world.partner2)
        ),
        lambda: svc.invitation_remove(actor=world.coordinator, invitation=invitation),
        lambda: svc.invitations_default(actor=world.coordinator, item=x),
    ):
        with (
            one_audit_event(
                "MEETING_INVITATION_REFUSED", actor=world.coordinator, cell=world.cell_a
            ) as rec,
            pytest.raises(RuleViolation, match="locked"),
        ):
            call()
        assert rec.event is not None and rec.event.data["item"] == x.pk
    assert list(x.invitations.values_list("membership__user", flat=True)) == [world.partner1.pk]


# --- Publication, grants, e-mails -------------------------------------------------------------


def test_publish_writes_window_grants_and_sends_clean_invitations(
    world: World, mw: MeetingWorld, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    meeting, x, y = with_items(world, mw)
    for user in (world.partner1, world.partner2):
        svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(user))
    svc.invitation_add(actor=world.coordinator, item=y, membership=world.membership(world.partner1))
    last = _last_audit_pk()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = publish(world, meeting)
    events = audit_events_since(last)
    assert [e.action for e in events] == ["MEETING_GRANT_CREATED"] * 4 + ["MEETING_PUBLISHED"]
    # One audit row per grant, on the grant's case, in the publication's transaction.
    assert {(e.case_id, e.data["user"], e.data["dossier"]) for e in events[:4]} == {
        (mw.case.pk, world.partner2.pk, False),
        (mw.other.pk, world.partner1.pk, False),
        (mw.case.pk, world.chair.pk, True),
        (mw.other.pk, world.chair.pk, True),
    }
    assert all(e.data["valid_until"] == meeting.window_ends_at.isoformat() for e in events[:4])
    assert meeting.status == MeetingStatus.PUBLISHED and meeting.published_at
    grants = CaseGrant.objects.filter(reason=GrantReason.MEETING)
    window = {(g.user_id, g.case_id, g.dossier, g.valid_until) for g in grants}
    until = meeting.window_ends_at
    assert window == {
        # Partner Two's OCMW is not on ``case``; the school is on ``case`` but not ``other``.
        (world.partner2.pk, mw.case.pk, False, until),
        (world.partner1.pk, mw.other.pk, False, until),
        # The chair reads the files of the agenda's cases.
        (world.chair.pk, mw.case.pk, True, until),
        (world.chair.pk, mw.other.pk, True, until),
    }
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted(
        u.email for u in (world.partner1, world.partner2, world.chair, world.coordinator)
    )
    uids = set()
    for message in mailoutbox:
        (attachment,) = message.attachments
        ics = attachment.content if hasattr(attachment, "content") else attachment[1]
        ics_text = ics.decode() if isinstance(ics, bytes) else ics
        calendar = Calendar.from_ical(ics_text)
        (event,) = calendar.walk("VEVENT")
        assert "Case table" in str(event["SUMMARY"])
        assert str(event["LOCATION"]) == "Town hall, room 2"
        assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
        assert event.decoded("DTEND") == meeting.ends_at.replace(microsecond=0)
        assert str(event["URL"]).endswith(f"/meetings/{meeting.pk}/")
        uids.add(str(event["UID"]))
        for secret in (
            "Verhoeven",
            "Jonas",
            "Lambrecht",
            mw.case.reference,
            mw.other.reference,
            "Summary-of-the-coordinator",
        ):
            assert secret not in message.subject
            assert secret not in message.body
            assert secret not in ics_text
    assert len(uids) == 1


def test_publish_refusals(world: World, mw: MeetingWorld) -> None:
    meeting = plan(world, mw)
    with refused(RuleViolation, match="at least one item"):
        svc.meeting_publish(actor=world.coordinator, meeting=meeting, version=1)
    svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="review", case=mw.case)
    with refused(Forbidden):
        svc.meeting_publish(actor=world.chair, meeting=meeting, version=1)
    with refused(EditConflict):
        svc.meeting_publish(actor=world.coordinator, meeting=meeting, version=7)
    with refused(RuleViolation):
        svc.meeting_start(actor=world.coordinator, meeting=meeting, version=1)


def test_end_moves_the_window_and_cancel_ends_it(world: World, mw: MeetingWorld) -> None:
    meeting, x, _y = with_items(world, mw)
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner2))
    publish(world, meeting)
    with one_audit_event("MEETING_STARTED", actor=world.coordinator, cell=world.cell_a):
        start(world, meeting)
    meeting.refresh_from_db()
    assert meeting.started_at is not None and meeting.is_locked
    with one_audit_event("MEETING_ENDED", actor=world.coordinator, cell=world.cell_a):
        meeting = svc.meeting_end(actor=world.coordinator, meeting=meeting, version=meeting.version)
    expected = meeting.ended_at + datetime.timedelta(days=7)
    assert set(
        CaseGrant.objects.filter(reason=GrantReason.MEETING).values_list("valid_until", flat=True)
    ) == {expected}
    other, ox, _oy = with_items(world, mw)
    svc.invitation_add(
        actor=world.coordinator, item=ox, membership=world.membership(world.partner2)
    )
    publish(world, other)
    other.refresh_from_db()
    with one_audit_event("MEETING_CANCELLED", actor=world.coordinator, cell=world.cell_a):
        svc.meeting_cancel(actor=world.coordinator, meeting=other, version=other.version)
    now = timezone.now()
    assert not CaseGrant.objects.filter(
        source_type="meetings.invitation",
        source_id__in=Invitation.objects.filter(item__meeting=other).values("pk"),
        valid_until__gt=now,
    ).exists()


# --- Attendance and confirmation --------------------------------------------------------------


def test_attendance_and_confirmations(world: World, mw: MeetingWorld) -> None:
    meeting, x, y = with_items(world, mw)
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner2))
    publish(world, meeting)
    with refused(RuleViolation, match="started"):
        svc.attendance_record(
            actor=world.coordinator, meeting=meeting, user=world.partner2, present_for_items=[x.pk]
        )
    start(world, meeting)
    with refused(Forbidden):
        svc.attendance_record(
            actor=world.partner1, meeting=meeting, user=world.partner2, present_for_items=[x.pk]
        )
    with refused(RuleViolation, match="invited"):
        svc.attendance_record(
            actor=world.coordinator, meeting=meeting, user=world.partner1, present_for_items=[]
        )
    with refused(RuleViolation, match="invited for"):
        svc.attendance_record(
            actor=world.coordinator, meeting=meeting, user=world.partner2, present_for_items=[y.pk]
        )
    # The secretary (here the coordinator) records; so may a non-coordinator secretary.
    with one_audit_event("MEETING_ATTENDANCE_RECORDED", actor=world.coordinator, cell=world.cell_a):
        svc.attendance_record(
            actor=world.coordinator, meeting=meeting, user=world.partner2, present_for_items=[x.pk]
        )
    assert list(x.present.all()) == [world.partner2]
    with one_audit_event("MEETING_SECRECY_CONFIRMED", actor=world.partner2, cell=world.cell_a):
        attendance = svc.secrecy_confirm(actor=world.partner2, meeting=meeting)
    assert attendance.method == ConfirmationMethod.OWN_DEVICE and attendance.confirmed_at
    with refused(RuleViolation, match="already"):
        svc.secrecy_confirm(actor=world.partner2, meeting=meeting)
    with refused(RuleViolation, match="present"):
        svc.secrecy_confirm(actor=world.partner1, meeting=meeting)
    svc.attendance_record(
        actor=world.coordinator, meeting=meeting, user=world.chair, present_for_items=[x.pk, y.pk]
    )
    with refused(Forbidden):
        svc.secrecy_record(actor=world.partner1, meeting=meeting, user=world.chair)
    with one_audit_event("MEETING_SECRECY_CONFIRMED", actor=world.coordinator, cell=world.cell_a):
        svc.secrecy_record(actor=world.coordinator, meeting=meeting, user=world.chair)
    chair = Attendance.objects.get(meeting=meeting, user=world.chair)
    assert chair.method == ConfirmationMethod.ATTENDANCE_SHEET
    assert chair.recorded_by == world.coordinator


def test_secretary_who_is_not_coordinator_records(world: World, mw: MeetingWorld) -> None:
    meeting = plan(world, mw, secretary=world.partner1)
    x = svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="review", case=mw.case)
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner2))
    publish(world, meeting)
    start(world, meeting)
    svc.attendance_record(
        actor=world.partner1, meeting=meeting, user=world.partner2, present_for_items=[x.pk]
    )
    svc.secrecy_record(actor=world.partner1, meeting=meeting, user=world.partner2)
    assert Attendance.objects.get(meeting=meeting, user=world.partner2).confirmed_at


# --- Security-review fixes --------------------------------------------------------------------


def _end(world: World, meeting: Meeting) -> Meeting:
    meeting.refresh_from_db()
    return svc.meeting_end(actor=world.coordinator, meeting=meeting, version=meeting.version)


def test_end_does_not_reopen_grants_of_a_replaced_chair(world: World, mw: MeetingWorld) -> None:
    meeting, x, y = with_items(world, mw)
    publish(world, meeting)
    old_chair = set(
        CaseGrant.objects.filter(user=world.chair, reason=GrantReason.MEETING).values_list(
            "pk", flat=True
        )
    )
    assert old_chair
    meeting.refresh_from_db()
    svc.meeting_update(
        actor=world.coordinator,
        meeting=meeting,
        version=meeting.version,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        place=meeting.place,
        video_link=meeting.video_link,
        chaired_by=world.coordinator,
        secretary=world.coordinator,
        window_days=meeting.window_days,
    )
    start(world, meeting)
    _end(world, meeting)
    now = timezone.now()
    assert not CaseGrant.objects.filter(pk__in=old_chair, valid_until__gt=now).exists()


def test_grants_added_after_publication_are_audited_per_grant(
    world: World, mw: MeetingWorld
) -> None:
    meeting, x, y = with_items(world, mw)
    publish(world, meeting)
    last = _last_audit_pk()
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner2))
    events = audit_events_since(last)
    assert [e.action for e in events] == ["MEETING_GRANT_CREATED", "MEETING_INVITATION_ADDED"]
    assert events[0].case_id == mw.case.pk and events[0].data["user"] == world.partner2.pk


def test_attendance_only_while_in_session(world: World, mw: MeetingWorld) -> None:
    meeting, x, y = with_items(world, mw)
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner2))
    publish(world, meeting)
    start(world, meeting)
    _end(world, meeting)
    with refused(RuleViolation, match="in session"):
        svc.attendance_record(
            actor=world.coordinator, meeting=meeting, user=world.partner2, present_for_items=[x.pk]
        )


def test_present_only_for_items_the_person_may_read(world: World, mw: MeetingWorld) -> None:
    # A member secretary whose organisation is not on the cases reads neither item.
    meeting = plan(world, mw, secretary=world.partner2)
    x = svc.agenda_item_add(actor=world.coordinator, meeting=meeting, kind="review", case=mw.case)
    publish(world, meeting)
    start(world, meeting)
    with refused(RuleViolation, match="may read"):
        svc.attendance_record(
            actor=world.coordinator, meeting=meeting, user=world.partner2, present_for_items=[x.pk]
        )
    assert not x.present.exists()
    # Present for no item is still possible.
    svc.attendance_record(
        actor=world.coordinator, meeting=meeting, user=world.partner2, present_for_items=[]
    )


def test_a_failing_mail_does_not_stop_the_others(
    world: World,
    mw: MeetingWorld,
    mailoutbox,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
) -> None:
    from django.core.mail import EmailMessage

    meeting, x, y = with_items(world, mw)
    svc.invitation_add(actor=world.coordinator, item=x, membership=world.membership(world.partner2))
    real_send = EmailMessage.send

    def send(self, fail_silently=False):  # type: ignore[no-untyped-def]
        if self.to == [world.chair.email]:
            raise OSError("smtp down")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send)
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, meeting)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        u.email for u in (world.partner2, world.coordinator)
    )
    assert "invitation e-mail failed" in caplog.text
    assert world.chair.email not in caplog.text
