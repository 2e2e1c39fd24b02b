"""One hand-built cell history in 2025 Q1 and Q2 whose every indicator is known by hand.

Closures and the reopening go through the real services at their moment (time-machine), so the
change log holds the rows the indicators read; the rest is written directly with explicit
timestamps. ``EXPECTED`` is worked out by hand in the comments, not computed.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction

from casus.access.models import (
    Charter,
    Membership,
    Organisation,
    StatementSignature,
    StatementText,
    Table,
    TableKind,
)
from casus.audit.services import audit_record
from casus.cases.models import ActionStatus, Case, PathwayAction, ScreeningOutcome, SignalStatus
from casus.cases.services.lifecycle import case_close
from casus.cases.services.signals import signal_join
from casus.meetings.models import (
    AgendaItem,
    Attendance,
    FeedbackSheet,
    FeedbackVote,
    Invitation,
    ItemKind,
    Meeting,
    MeetingStatus,
    Vote,
)
from casus.retention.models import PurgedStatistic
from tests.cases.factories import CaseFactory, SignalFactory
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day: str, clock: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BRUSSELS)


def build(world: World) -> dict[str, object]:
    cell = world.cell_a
    type(cell).objects.filter(pk=cell.pk).update(created_at=at("2025-01-01", "08:00"))
    cell.refresh_from_db()
    orgs = {o.name: o for o in Organisation.objects.filter(cell=cell)}
    Membership.objects.filter(cell=cell).update(term_start=dt.date(2024, 1, 1))
    # A third partner (school: education) who left on 1 May: counted at the end of Q1 only.
    partner3 = UserFactory(full_name="Partner Three")
    MembershipFactory(
        user=partner3,
        cell=cell,
        organisation=orgs["School A"],
        term_start=dt.date(2024, 1, 1),
        ended_at=at("2025-05-01"),
    )
    # Charter v1 adopted 15 February; the statement text active since December 2024.
    Charter.objects.create(
        cell=cell,
        version=1,
        status="active",
        purpose="p",
        participation="p",
        meeting_rules="m",
        confidentiality_rules="c",
        feedback_procedure="f",
        emergency_route="e",
        drafted_by=world.cell_admin,
        adopted_on=dt.date(2025, 2, 15),
        adopted_by=world.chair,
    )
    text = StatementText.objects.get(cell=cell, status="active")
    StatementText.objects.filter(pk=text.pk).update(
        created_at=at("2024-12-01"), approved_at=at("2024-12-01")
    )
    for user, signed, expires in (
        (world.chair, "2025-01-05", "2026-01-05"),  # Q1, Q2
        (world.coordinator, "2025-01-05", "2025-05-01"),  # Q1 only
        (world.partner1, "2025-04-05", "2026-04-05"),  # Q2
        (world.information_officer, "2025-06-01", "2026-06-01"),  # Q2
    ):
        StatementSignature.objects.create(
            text=text, user=user, signed_name="x", signed_at=at(signed), expires_at=at(expires)
        )

    def signal(reporter, received, **extra):  # type: ignore[no-untyped-def]
        return SignalFactory(cell=cell, reported_by=reporter, received_at=received, **extra)

    # Signals. Q1: education, social, security (+ one destroyed); Q2: outside, education ×2.
    c1 = CaseFactory(cell=cell, opened_by=world.chair, opened_at=at("2025-01-20"))
    s1 = signal(
        world.partner1,
        at("2025-01-10"),
        screened_at=at("2025-01-15"),
        screening_outcome=ScreeningOutcome.PROPOSED,
        status=SignalStatus.RETAINED,
        case=c1,
    )  # 5 days
    signal(
        world.partner2,
        at("2025-02-01"),
        screened_at=at("2025-02-03"),
        screening_outcome=ScreeningOutcome.NO_SIGNS,
        status=SignalStatus.NOT_RETAINED,
    )  # 2 days
    # 00:30 on 1 April in Brussels is still 31 March in UTC: it counts in Q2.
    signal(
        None,
        at("2025-04-01", "00:30"),
        entered_by=world.coordinator,
        source_organisation=None,
        screened_at=at("2025-04-03"),
        screening_outcome=ScreeningOutcome.ORDINARY_CARE,
        status=SignalStatus.NOT_RETAINED,
    )  # 2 days
    signal(world.information_officer, at("2025-03-20"))  # never screened
    c2 = CaseFactory(cell=cell, opened_by=world.chair, opened_at=at("2025-05-15"))
    signal(
        world.partner1,
        at("2025-05-05"),
        screened_at=at("2025-05-12"),
        screening_outcome=ScreeningOutcome.PROPOSED,
        status=SignalStatus.RETAINED,
        case=c2,
    )  # 7 days
    s6 = signal(
        world.partner1,
        at("2025-06-01"),
        subject_family_name=c1.subject_family_name,
        subject_given_names=c1.subject_given_names,
        subject_birth_date=c1.subject_birth_date,
    )
    # Destroyed: a signal of Q1 (followed elsewhere, 3 days); a case opened in Q2, closed.
    PurgedStatistic.objects.create(
        cell=cell,
        record_type="signal",
        year=2025,
        quarter=1,
        status="not_retained",
        outcome=ScreeningOutcome.FOLLOWED_ELSEWHERE,
        days=3,
    )
    PurgedStatistic.objects.create(
        cell=cell,
        record_type="case",
        year=2025,
        quarter=2,
        status="closed",
        outcome="positive",
        days=20,
    )
    with time_machine.travel(at("2025-06-10"), tick=False), transaction.atomic():
        audit_record(  # the destroyed case's closure stays in the change log
            actor=world.coordinator,
            action="CASE_CLOSED",
            cell=cell,
            case_id=999_999,
            data={"reason": "positive"},
        )
    # c1: closed 10 March (49 days), reopened 2 June by s6, closed again 20 June (151 days).
    with time_machine.travel(at("2025-03-10"), tick=False):
        case_close(
            actor=world.coordinator, case=c1, reason="positive", evaluation="ok", version=c1.version
        )
    with time_machine.travel(at("2025-06-02"), tick=False):
        signal_join(actor=world.coordinator, signal=s6, case=c1, version=s6.version)
    c1 = Case.objects.get(pk=c1.pk)
    with time_machine.travel(at("2025-06-20"), tick=False):
        case_close(
            actor=world.coordinator,
            case=c1,
            reason="regular_care",
            evaluation="ok",
            version=c1.version,
        )

    # Meetings: held 10 Feb (operational) and 20 May (strategic); one only published.
    tables = {
        kind: Table.objects.create(cell=cell, kind=kind, name=f"{kind} table")
        for kind in (TableKind.OPERATIONAL, TableKind.STRATEGIC)
    }

    def meeting(kind, starts, status):  # type: ignore[no-untyped-def]
        return Meeting.objects.create(
            cell=cell,
            table=tables[kind],
            starts_at=starts,
            started_at=starts if status != MeetingStatus.PUBLISHED else None,
            chaired_by=world.chair,
            secretary=world.coordinator,
            created_by=world.coordinator,
            status=status,
        )

    m1 = meeting(TableKind.OPERATIONAL, at("2025-02-10", "09:00"), MeetingStatus.ENDED)
    m2 = meeting(TableKind.STRATEGIC, at("2025-05-20", "09:00"), MeetingStatus.ENDED)
    m3 = meeting(TableKind.OPERATIONAL, at("2025-06-25", "09:00"), MeetingStatus.PUBLISHED)
    i1 = AgendaItem.objects.create(meeting=m1, kind=ItemKind.NEW_CASE, case=c1)  # c1: 26 days
    i2 = AgendaItem.objects.create(meeting=m2, kind=ItemKind.NEW_CASE, case=c2)  # c2: 8 days
    i3 = AgendaItem.objects.create(meeting=m2, kind=ItemKind.REVIEW, case=c1)  # not the first
    AgendaItem.objects.create(meeting=m3, kind=ItemKind.REVIEW, case=c2)  # not held

    def invite(item, user):  # type: ignore[no-untyped-def]
        Invitation.objects.create(
            item=item, membership=world.membership(user), invited_by=world.coordinator
        )

    invite(i1, world.partner1)
    invite(i1, world.partner2)
    invite(i2, world.partner1)
    invite(i3, world.partner1)  # same person, same meeting: one invitation
    invite(i2, world.partner2)
    Attendance.objects.create(meeting=m1, user=world.partner1)
    for user in (world.partner1, world.partner2, world.coordinator):
        Attendance.objects.create(meeting=m2, user=user)

    # Actions. Q1: a5 done late; Q2: a1 on time, a2 late, a3 and a6 overdue at the end.
    def action(case, due, status, created, updated):  # type: ignore[no-untyped-def]
        PathwayAction.objects.create(
            case=case,
            description="d",
            owner_organisation=orgs["School A"],
            due_on=dt.date.fromisoformat(due),
            status=status,
            created_by=world.coordinator,
            created_at=at(created),
            updated_at=at(updated),
        )

    action(c2, "2025-05-30", ActionStatus.DONE, "2025-05-16", "2025-05-25")  # a1
    action(c2, "2025-05-20", ActionStatus.DONE, "2025-05-16", "2025-06-05")  # a2
    action(c2, "2025-06-10", ActionStatus.PLANNED, "2025-05-16", "2025-05-16")  # a3
    action(c1, "2025-02-15", ActionStatus.CANCELLED, "2025-01-25", "2025-02-20")  # a4
    action(c1, "2025-03-01", ActionStatus.DONE, "2025-01-25", "2025-03-05")  # a5
    # a6: due on Q2's last day and still open when it ends: whenever it is done, it is done on
    # a later day, so late ("done late": done on a day after the due date) — overdue at the end.
    action(c2, "2025-06-30", ActionStatus.PLANNED, "2025-06-01", "2025-06-01")  # a6

    # Feedback sheets. Q1: f1 (sent 20 Feb), f2 (objection on 2 April: blocked in Q2).
    def sheet(item, created, **extra):  # type: ignore[no-untyped-def]
        return FeedbackSheet.objects.create(
            item=item, drafted_by=world.information_officer, created_at=at(created), **extra
        )

    sheet(i1, "2025-02-11", sent_at=dt.date(2025, 2, 20), status="sent")
    f2 = sheet(i1, "2025-03-25", status="blocked")
    FeedbackVote.objects.create(
        sheet=f2,
        user=world.partner1,
        vote=Vote.OBJECT,
        reason="no",
        sheet_version=1,
        voted_at=at("2025-04-02"),
    )
    f3 = sheet(i2, "2025-05-21", status="in_approval")
    FeedbackVote.objects.create(
        sheet=f3, user=world.partner1, vote=Vote.APPROVE, sheet_version=1, voted_at=at("2025-05-22")
    )
    return {"c1": c1, "c2": c2, "s1": s1}


#: Every count of 2025 Q1 and Q2, by hand (zero categories omitted: they must be 0).
EXPECTED = {
    "2025Q1": {
        "structure.charter_active": 1,
        "structure.charter_version": 1,
        "structure.members": 9,
        "structure.members.local_government": 5,  # chair, coordinator, strategic, dpo, admin
        "structure.members.security": 1,
        "structure.members.education": 2,  # partner1, partner3
        "structure.members.social": 1,
        "structure.meetings": 1,
        "structure.meetings.operational": 1,
        "structure.invited": 2,
        "structure.present": 1,
        "structure.statements_ok": 2,
        "signals.received": 4,
        "signals.received.education": 1,
        "signals.received.social": 1,
        "signals.received.security": 1,
        "signals.received.destroyed": 1,
        "signals.screened": 3,
        "signals.screened.proposed": 1,
        "signals.screened.no_signs": 1,
        "signals.screened.followed_elsewhere": 1,  # the destroyed signal
        "signals.not_retained": 2,
        "cases.opened": 1,
        "cases.closed": 1,
        "cases.closed.positive": 1,
        "cases.reopened": 0,
        "cases.open_end": 0,
        "actions.done_on_time": 0,
        "actions.done_late": 1,
        "actions.overdue_end": 0,
        "feedback.proposed": 2,
        "feedback.sent": 1,
        "feedback.blocked": 0,
    },
    "2025Q2": {
        "structure.charter_active": 1,
        "structure.charter_version": 1,
        "structure.members": 8,
        "structure.members.local_government": 5,
        "structure.members.security": 1,
        "structure.members.education": 1,
        "structure.members.social": 1,
        "structure.meetings": 1,
        "structure.meetings.strategic": 1,
        "structure.invited": 2,
        "structure.present": 3,
        "structure.statements_ok": 3,  # chair, partner1, officer
        "signals.received": 3,
        "signals.received.outside": 1,
        "signals.received.education": 2,
        "signals.screened": 2,
        "signals.screened.ordinary_care": 1,
        "signals.screened.proposed": 1,
        "signals.not_retained": 1,
        "cases.opened": 2,  # c2 and the destroyed case
        "cases.closed": 2,
        "cases.closed.regular_care": 1,
        "cases.closed.positive": 1,  # the destroyed case
        "cases.reopened": 1,
        "cases.open_end": 1,  # c2
        "actions.done_on_time": 1,
        "actions.done_late": 1,
        # a3 (due 10 June) and a6 (due 30 June, the last day, still open when it ends); a2 (due
        # 20 May) was done on 5 June and a1 on time. Before the fix only a3 counted (due_on < 30
        # June).
        "actions.overdue_end": 2,
        "feedback.proposed": 1,
        "feedback.sent": 0,
        "feedback.blocked": 1,
    },
}
EXPECTED_DURATIONS = {
    "2025Q1": {"screening_days": [2, 5], "discussion_days": [26], "case_days": [49]},
    "2025Q2": {"screening_days": [2, 7], "discussion_days": [8], "case_days": [151]},
}
