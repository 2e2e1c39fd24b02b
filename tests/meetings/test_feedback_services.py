"""Feedback sheets: drafting, votes of those present, one objection blocks, sending."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from casus.audit.models import AuditEvent
from casus.audit.selectors import event_values
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from casus.meetings.models import (
    Counterpart,
    Direction,
    ExchangeEntry,
    FeedbackSheet,
    FeedbackStatus,
    FeedbackVote,
    LegalBasis,
    MeetingStatus,
    Vote,
)
from casus.meetings.services.feedback import (
    feedback_draft,
    feedback_mark_sent,
    feedback_submit,
    feedback_update,
    feedback_vote,
)
from tests.conftest import World
from tests.helpers import _last_audit_pk, audit_events_since, one_audit_event, refused

from .test_minutes_fixtures import PRESENT, Held, add_item, english, held, make_meeting, others

pytestmark = pytest.mark.django_db
__all__ = ["english", "held"]

FIELDS = {
    "reason": "Risk of travel.",
    "cell_assessment": "Worrying.",
    "measures": "Pathway started.",
    "request": "Keep us informed.",
    "contact": "Coordinator A",
}


def _draft(world: World, held: Held) -> FeedbackSheet:
    return feedback_draft(actor=world.information_officer, item=held.item, **FIELDS)


def _submitted(world: World, held: Held) -> FeedbackSheet:
    return feedback_submit(actor=world.information_officer, sheet=_draft(world, held))


def _fresh(sheet: FeedbackSheet) -> FeedbackSheet:
    return FeedbackSheet.objects.get(pk=sheet.pk)


def _approved(world: World, held: Held) -> FeedbackSheet:
    sheet = _submitted(world, held)
    for who in PRESENT:
        feedback_vote(actor=getattr(world, who), sheet=sheet, vote=Vote.APPROVE)
    return _fresh(sheet)


# --- draft, update, submit --------------------------------------------------------------------


def test_the_information_officer_drafts(world: World, held: Held) -> None:
    with one_audit_event(
        "FEEDBACK_SHEET_DRAFTED", actor=world.information_officer, cell=world.cell_a
    ) as rec:
        sheet = _draft(world, held)
    assert sheet.status == FeedbackStatus.DRAFT
    assert rec.event is not None
    assert rec.event.case_id == held.case.pk
    assert event_values(rec.event)["reason"] == [None, "Risk of travel."]


def test_no_field_is_mandatory_for_the_draft(world: World, held: Held) -> None:
    sheet = feedback_draft(
        actor=world.information_officer,
        item=held.item,
        reason="",
        cell_assessment="",
        measures="",
        request="",
        contact="",
    )
    assert sheet.pk


@pytest.mark.parametrize("who", others("information_officer"))
def test_only_the_information_officer_drafts(world: World, held: Held, who: str) -> None:
    with refused(Forbidden):
        feedback_draft(actor=getattr(world, who), item=held.item, **FIELDS)


def test_no_sheet_for_a_policy_item_or_a_meeting_not_held(world: World, held: Held) -> None:
    with refused(RuleViolation, match="case item"):
        feedback_draft(actor=world.information_officer, item=held.policy, **FIELDS)
    meeting = make_meeting(world, MeetingStatus.PUBLISHED)
    item = add_item(world, meeting, case=held.case, invited=("partner1",))
    with refused(RuleViolation, match="not started"):
        feedback_draft(actor=world.information_officer, item=item, **FIELDS)


def test_update_with_old_and_new_values(world: World, held: Held) -> None:
    sheet = _draft(world, held)
    with one_audit_event(
        "FEEDBACK_SHEET_UPDATED", actor=world.information_officer, cell=world.cell_a
    ) as rec:
        sheet = feedback_update(
            actor=world.information_officer,
            sheet=sheet,
            version=1,
            **{**FIELDS, "measures": "New."},
        )
    assert sheet.version == 2
    assert rec.event is not None
    assert event_values(rec.event) == {"measures": ["Pathway started.", "New."]}


def test_update_of_a_stale_version_is_a_conflict(world: World, held: Held) -> None:
    sheet = _draft(world, held)
    feedback_update(
        actor=world.information_officer, sheet=sheet, version=1, **{**FIELDS, "contact": "X"}
    )
    with refused(EditConflict):
        feedback_update(
            actor=world.information_officer, sheet=sheet, version=1, **{**FIELDS, "contact": "Y"}
        )


@pytest.mark.parametrize("who", others("information_officer"))
def test_only_the_information_officer_updates_and_submits(
    world: World, held: Held, who: str
) -> None:
    sheet = _draft(world, held)
    with refused(Forbidden):
        feedback_update(actor=getattr(world, who), sheet=sheet, version=1, **FIELDS)
    with refused(Forbidden):
        feedback_submit(actor=getattr(world, who), sheet=sheet)


def test_submit_is_audited_and_only_once(world: World, held: Held) -> None:
    sheet = _draft(world, held)
    with one_audit_event(
        "FEEDBACK_SHEET_SUBMITTED", actor=world.information_officer, cell=world.cell_a
    ) as rec:
        sheet = feedback_submit(actor=world.information_officer, sheet=sheet)
    assert sheet.status == FeedbackStatus.IN_APPROVAL
    assert rec.event is not None
    assert event_values(rec.event)["status"] == ["draft", "in_approval"]
    with refused(RuleViolation, match="no longer a draft"):
        feedback_submit(actor=world.information_officer, sheet=sheet)


def test_an_empty_sheet_is_not_submitted(world: World, held: Held) -> None:
    sheet = feedback_draft(
        actor=world.information_officer,
        item=held.item,
        reason="",
        cell_assessment="",
        measures="",
        request="",
        contact="",
    )
    with refused(RuleViolation, match="at least one field"):
        feedback_submit(actor=world.information_officer, sheet=sheet)


# --- votes ------------------------------------------------------------------------------------


def test_all_approvals_make_it_sendable(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    for who in PRESENT[:-1]:
        feedback_vote(actor=getattr(world, who), sheet=sheet, vote=Vote.APPROVE)
        assert _fresh(sheet).status == FeedbackStatus.IN_APPROVAL
    with one_audit_event("FEEDBACK_SHEET_VOTED", actor=world.partner2, cell=world.cell_a) as rec:
        feedback_vote(actor=world.partner2, sheet=sheet, vote=Vote.APPROVE)
    assert _fresh(sheet).status == FeedbackStatus.APPROVED
    assert rec.event is not None
    assert event_values(rec.event)["status"] == ["in_approval", "approved"]
    assert event_values(rec.event)["vote"] == [None, "approve"]


def test_one_objection_blocks(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    feedback_vote(actor=world.partner2, sheet=sheet, vote=Vote.OBJECT, reason="Too detailed.")
    assert _fresh(sheet).status == FeedbackStatus.BLOCKED
    for who in PRESENT:
        if who != "partner2":
            feedback_vote(actor=getattr(world, who), sheet=sheet, vote=Vote.APPROVE)
    assert _fresh(sheet).status == FeedbackStatus.BLOCKED
    with refused(RuleViolation, match="everyone present approved"):
        feedback_mark_sent(
            actor=world.information_officer,
            sheet=sheet,
            sent_on=timezone.localdate(),
            sent_to="LTF secretariat",
        )


def test_an_edit_after_an_objection_asks_everyone_again(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    feedback_vote(actor=world.partner2, sheet=sheet, vote=Vote.OBJECT, reason="Too detailed.")
    sheet = feedback_update(
        actor=world.information_officer, sheet=sheet, version=1, **{**FIELDS, "measures": "Less."}
    )
    assert sheet.status == FeedbackStatus.IN_APPROVAL
    for who in PRESENT:
        feedback_vote(actor=getattr(world, who), sheet=sheet, vote=Vote.APPROVE)
    assert _fresh(sheet).status == FeedbackStatus.APPROVED
    assert FeedbackVote.objects.filter(sheet=sheet, sheet_version=2).count() == len(PRESENT)


def test_an_objection_needs_a_reason(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    with refused(RuleViolation, match="why you object"):
        feedback_vote(actor=world.partner1, sheet=sheet, vote=Vote.OBJECT, reason="  ")


def test_a_bad_vote_is_refused(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    with refused(RuleViolation):
        feedback_vote(actor=world.partner1, sheet=sheet, vote="maybe")


def test_voting_twice_is_refused(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    feedback_vote(actor=world.partner1, sheet=sheet, vote=Vote.APPROVE)
    with refused(RuleViolation, match="already voted"):
        feedback_vote(actor=world.partner1, sheet=sheet, vote=Vote.APPROVE)


def test_no_vote_on_a_draft(world: World, held: Held) -> None:
    sheet = _draft(world, held)
    with refused(RuleViolation, match="not awaiting"):
        feedback_vote(actor=world.partner1, sheet=sheet, vote=Vote.APPROVE)


@pytest.mark.parametrize("who", others(*PRESENT))
def test_only_those_present_vote(world: World, held: Held, who: str) -> None:
    sheet = _submitted(world, held)
    with refused(Forbidden):
        feedback_vote(actor=getattr(world, who), sheet=sheet, vote=Vote.APPROVE)


# --- mark sent --------------------------------------------------------------------------------


def test_mark_sent_refused_before_approval(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    with refused(RuleViolation, match="everyone present approved"):
        feedback_mark_sent(
            actor=world.information_officer,
            sheet=sheet,
            sent_on=timezone.localdate(),
            sent_to="LTF secretariat",
        )


def test_mark_sent_writes_the_register(world: World, held: Held) -> None:
    sheet = _approved(world, held)
    last = _last_audit_pk()
    today = timezone.localdate()
    sheet = feedback_mark_sent(
        actor=world.information_officer, sheet=sheet, sent_on=today, sent_to="LTF secretariat"
    )
    assert (sheet.status, sheet.sent_at, sheet.sent_to, sheet.sent_by) == (
        FeedbackStatus.SENT,
        today,
        "LTF secretariat",
        world.information_officer,
    )
    entry = ExchangeEntry.objects.get(feedback_sheet=sheet)
    assert (entry.direction, entry.counterpart, entry.legal_basis, entry.reference) == (
        Direction.OUTGOING,
        Counterpart.LTF,
        LegalBasis.ART_458TER,
        "",
    )
    assert entry.case == held.case
    events = audit_events_since(last)
    assert [e.action for e in events] == ["FEEDBACK_SHEET_SENT", "EXCHANGE_RECORDED"]
    assert event_values(events[0])["status"] == ["approved", "sent"]
    assert event_values(events[0])["sent_to"] == ["", "LTF secretariat"]


@pytest.mark.parametrize("who", others("information_officer"))
def test_only_the_information_officer_marks_sent(world: World, held: Held, who: str) -> None:
    sheet = _approved(world, held)
    with refused(Forbidden):
        feedback_mark_sent(
            actor=getattr(world, who), sheet=sheet, sent_on=timezone.localdate(), sent_to="LTF"
        )


def test_mark_sent_input_is_checked(world: World, held: Held) -> None:
    sheet = _approved(world, held)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with refused(RuleViolation, match="future"):
        feedback_mark_sent(
            actor=world.information_officer, sheet=sheet, sent_on=tomorrow, sent_to="LTF"
        )
    with refused(RuleViolation, match="to whom"):
        feedback_mark_sent(
            actor=world.information_officer, sheet=sheet, sent_on=timezone.localdate(), sent_to=" "
        )
    with refused(RuleViolation, match="local task force"):
        feedback_mark_sent(
            actor=world.information_officer,
            sheet=sheet,
            sent_on=timezone.localdate(),
            sent_to="X",
            counterpart=Counterpart.JUSTICE,
        )


def test_a_sent_sheet_no_longer_changes(world: World, held: Held) -> None:
    sheet = _approved(world, held)
    feedback_mark_sent(
        actor=world.information_officer, sheet=sheet, sent_on=timezone.localdate(), sent_to="LTF"
    )
    with refused(RuleViolation, match="was sent"):
        feedback_update(actor=world.information_officer, sheet=sheet, version=1, **FIELDS)


# --- two approvals at the same moment (PostgreSQL) --------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_approvals_at_the_same_moment_are_both_counted(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    # Everyone but two has approved; the last two approve at the same moment.
    last_two = ("partner1", "partner2")
    for who in PRESENT:
        if who not in last_two:
            feedback_vote(actor=getattr(world, who), sheet=sheet, vote=Vote.APPROVE)
    barrier = threading.Barrier(len(last_two))
    errors: list[BaseException] = []

    def vote(who: str) -> None:
        try:
            barrier.wait(timeout=10)
            feedback_vote(actor=getattr(world, who), sheet=sheet, vote=Vote.APPROVE)
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(who,)) for who in last_two]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert FeedbackVote.objects.filter(sheet=sheet, sheet_version=1).count() == len(PRESENT)
    assert _fresh(sheet).status == FeedbackStatus.APPROVED
    assert AuditEvent.objects.filter(action="FEEDBACK_SHEET_VOTED").count() == len(PRESENT)


def test_mark_sent_recomputes_the_status_from_the_votes(world: World, held: Held) -> None:
    sheet = _submitted(world, held)
    feedback_vote(actor=world.partner1, sheet=sheet, vote=Vote.APPROVE)
    # A stored status that the votes do not bear out is not enough.
    FeedbackSheet.objects.filter(pk=sheet.pk).update(status=FeedbackStatus.APPROVED)
    with refused(RuleViolation, match="everyone present approved"):
        feedback_mark_sent(
            actor=world.information_officer,
            sheet=_fresh(sheet),
            sent_on=timezone.localdate(),
            sent_to="LTF secretariat",
        )
