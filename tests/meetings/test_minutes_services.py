"""Minutes per item and decisions: who writes, who approves, what the change log keeps."""

import datetime

import pytest
from django.utils import timezone

from casus.audit.selectors import event_values
from casus.cases.models import Case, PathwayAction
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from casus.meetings.models import (
    AgendaItem,
    Decision,
    MeetingStatus,
    MinutesApproval,
    MinutesStatus,
)
from casus.meetings.services.minutes import (
    decision_record,
    minutes_approve,
    minutes_propose,
    minutes_save,
)
from tests.conftest import World
from tests.helpers import one_audit_event, refused

from .test_minutes_fixtures import PRESENT, Held, add_item, english, held, make_meeting, others

pytestmark = pytest.mark.django_db
__all__ = ["english", "held"]


def _fresh(item: AgendaItem) -> AgendaItem:
    return AgendaItem.objects.get(pk=item.pk)


def _proposed(world: World, held: Held, text: str = "We agreed on a home visit.") -> AgendaItem:
    minutes_save(actor=world.coordinator, item=held.item, minutes=text, version=1)
    return minutes_propose(actor=world.coordinator, item=_fresh(held.item))


# --- minutes_save -----------------------------------------------------------------------------


def test_coordinator_saves_minutes_with_old_and_new_values(world: World, held: Held) -> None:
    with one_audit_event("MINUTES_SAVED", actor=world.coordinator, cell=world.cell_a) as rec:
        item = minutes_save(
            actor=world.coordinator, item=held.item, minutes="  Discussed.  ", version=1
        )
    assert item.minutes == "Discussed."
    assert item.version == 2
    assert rec.event is not None
    assert rec.event.case_id == held.case.pk
    assert event_values(rec.event)["minutes"] == ["", "Discussed."]
    assert "minutes" in rec.event.data["fields"]


@pytest.mark.parametrize("who", others("coordinator"))
def test_only_the_coordinator_writes_minutes(world: World, held: Held, who: str) -> None:
    with refused(Forbidden):
        minutes_save(actor=getattr(world, who), item=held.item, minutes="x", version=1)


def test_minutes_only_once_the_meeting_started(world: World, held: Held) -> None:
    meeting = make_meeting(world, MeetingStatus.PUBLISHED)
    item = add_item(world, meeting, case=held.case, invited=("partner1",))
    with refused(RuleViolation, match="not started"):
        minutes_save(actor=world.coordinator, item=item, minutes="x", version=1)


def test_a_stale_version_is_an_edit_conflict(world: World, held: Held) -> None:
    minutes_save(actor=world.coordinator, item=held.item, minutes="First.", version=1)
    with refused(EditConflict) as info:
        minutes_save(actor=world.coordinator, item=held.item, minutes="Second.", version=1)
    assert info.value.current.minutes == "First."  # type: ignore[attr-defined]
    assert _fresh(held.item).minutes == "First."


def test_saving_the_same_text_writes_nothing(world: World, held: Held) -> None:
    minutes_save(actor=world.coordinator, item=held.item, minutes="Same.", version=1)
    with refused(EditConflict):  # sanity: version moved on
        minutes_save(actor=world.coordinator, item=held.item, minutes="Same.", version=1)
    item = minutes_save(actor=world.coordinator, item=held.item, minutes="Same.", version=2)
    assert item.version == 2


# --- propose and approve ----------------------------------------------------------------------


def test_propose_needs_minutes(world: World, held: Held) -> None:
    with refused(RuleViolation, match="Write the minutes"):
        minutes_propose(actor=world.coordinator, item=held.item)


@pytest.mark.parametrize("who", others("coordinator"))
def test_only_the_coordinator_proposes(world: World, held: Held, who: str) -> None:
    minutes_save(actor=world.coordinator, item=held.item, minutes="Text.", version=1)
    with refused(Forbidden):
        minutes_propose(actor=getattr(world, who), item=held.item)


def test_propose_is_audited(world: World, held: Held) -> None:
    minutes_save(actor=world.coordinator, item=held.item, minutes="Text.", version=1)
    with one_audit_event("MINUTES_PROPOSED", actor=world.coordinator, cell=world.cell_a) as rec:
        item = minutes_propose(actor=world.coordinator, item=held.item)
    assert item.minutes_status == MinutesStatus.PROPOSED
    assert rec.event is not None
    assert event_values(rec.event)["minutes_status"] == ["draft", "proposed"]


def test_approved_when_everyone_present_approved(world: World, held: Held) -> None:
    _proposed(world, held)
    for who in PRESENT[:-1]:
        item = minutes_approve(actor=getattr(world, who), item=held.item)
        assert item.minutes_status == MinutesStatus.PROPOSED
    with one_audit_event("MINUTES_APPROVED", actor=world.partner2, cell=world.cell_a) as rec:
        item = minutes_approve(actor=world.partner2, item=held.item)
    assert item.minutes_status == MinutesStatus.APPROVED
    assert rec.event is not None
    assert event_values(rec.event)["minutes_status"] == ["proposed", "approved"]
    assert event_values(rec.event)["minutes_version"] == [None, 2]


@pytest.mark.parametrize("who", ["strategic", "dpo", "cell_admin", "member_b"])
def test_people_not_present_cannot_approve(world: World, held: Held, who: str) -> None:
    _proposed(world, held)
    with refused(Forbidden):
        minutes_approve(actor=getattr(world, who), item=held.item)


def test_invited_but_absent_cannot_approve(world: World, held: Held) -> None:
    # partner1 was invited to the policy item's meeting but not present for the policy item.
    minutes_save(actor=world.coordinator, item=held.policy, minutes="Plan.", version=1)
    minutes_propose(actor=world.coordinator, item=_fresh(held.policy))
    with refused(Forbidden):
        minutes_approve(actor=world.partner1, item=held.policy)
    with refused(Forbidden):
        minutes_approve(actor=world.chair, item=held.policy)


def test_present_without_secrecy_confirmation_cannot_approve(world: World, held: Held) -> None:
    meeting = make_meeting(world)
    item = add_item(world, meeting, case=held.case, present=("partner1",), confirmed=False)
    minutes_save(actor=world.coordinator, item=item, minutes="Text.", version=1)
    minutes_propose(actor=world.coordinator, item=_fresh(item))
    with refused(Forbidden):
        minutes_approve(actor=world.partner1, item=item)


def test_approving_twice_is_refused(world: World, held: Held) -> None:
    _proposed(world, held)
    minutes_approve(actor=world.partner1, item=held.item)
    with refused(RuleViolation, match="already approved"):
        minutes_approve(actor=world.partner1, item=held.item)


def test_approving_draft_minutes_is_refused(world: World, held: Held) -> None:
    with refused(RuleViolation, match="not awaiting"):
        minutes_approve(actor=world.partner1, item=held.item)


def test_a_change_voids_earlier_approvals(world: World, held: Held) -> None:
    _proposed(world, held)
    for who in PRESENT:
        minutes_approve(actor=getattr(world, who), item=held.item)
    assert _fresh(held.item).minutes_status == MinutesStatus.APPROVED
    item = minutes_save(actor=world.coordinator, item=held.item, minutes="Changed.", version=2)
    assert item.minutes_status == MinutesStatus.DRAFT
    minutes_propose(actor=world.coordinator, item=item)
    minutes_approve(actor=world.partner1, item=item)
    assert _fresh(item).minutes_status == MinutesStatus.PROPOSED
    assert MinutesApproval.objects.filter(item=item, minutes_version=3).count() == 1


# --- decisions --------------------------------------------------------------------------------


def test_a_decision_becomes_an_action_and_a_review_date(world: World, held: Held) -> None:
    school = world.membership(world.partner1).organisation
    review = timezone.localdate() + datetime.timedelta(days=30)
    due = timezone.localdate() + datetime.timedelta(days=10)
    decision = decision_record(
        actor=world.coordinator,
        item=held.item,
        text="Home visit by the school.",
        action_description="Visit the parents.",
        owner_organisation=school,
        due_on=due,
        next_review_on=review,
    )
    action = PathwayAction.objects.get(case=held.case)
    assert decision.action == action
    assert (action.description, action.owner_organisation, action.due_on) == (
        "Visit the parents.",
        school,
        due,
    )
    case = Case.objects.get(pk=held.case.pk)
    assert case.next_review_on == review
    from casus.audit.models import AuditEvent

    events = {e.action: e for e in AuditEvent.objects.filter(case_id=held.case.pk)}
    assert {"PATHWAY_ACTION_CREATED", "CASE_NEXT_REVIEW_SET", "DECISION_RECORDED"} <= set(events)
    assert event_values(events["CASE_NEXT_REVIEW_SET"])["next_review_on"] == [
        None,
        review.isoformat(),
    ]
    assert event_values(events["DECISION_RECORDED"])["text"] == [None, "Home visit by the school."]


def test_a_plain_decision(world: World, held: Held) -> None:
    with one_audit_event("DECISION_RECORDED", actor=world.coordinator, cell=world.cell_a):
        decision = decision_record(actor=world.coordinator, item=held.policy, text="Adopted.")
    assert decision.action is None


@pytest.mark.parametrize("who", others("coordinator"))
def test_only_the_coordinator_records_decisions(world: World, held: Held, who: str) -> None:
    with refused(Forbidden):
        decision_record(actor=getattr(world, who), item=held.item, text="x")
    assert not Decision.objects.exists()


def test_a_policy_item_gets_no_action(world: World, held: Held) -> None:
    school = world.membership(world.partner1).organisation
    with refused(RuleViolation, match="case item"):
        decision_record(
            actor=world.coordinator,
            item=held.policy,
            text="x",
            action_description="Do it.",
            owner_organisation=school,
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"text": " "}, "Write the decision"),
        ({"text": "x", "action_description": "Do it."}, "owns the action"),
        ({"text": "x", "due_on": datetime.date(2030, 1, 1)}, "Describe the action"),
        ({"text": "x", "next_review_on": datetime.date(2000, 1, 1)}, "after this meeting"),
    ],
)
def test_decision_input_is_checked(world: World, held: Held, kwargs: dict, match: str) -> None:
    with refused(RuleViolation, match=match):
        decision_record(actor=world.coordinator, item=held.item, **kwargs)


def test_an_owner_of_another_cell_is_refused(world: World, held: Held) -> None:
    from casus.access.models import Organisation

    other = Organisation.objects.get(name="School B")
    with refused(Forbidden):
        decision_record(
            actor=world.coordinator,
            item=held.item,
            text="x",
            action_description="Do it.",
            owner_organisation=other,
        )
    assert not Decision.objects.exists()


def test_present_person_approves_after_the_window_closed(world: World, held: Held) -> None:
    from casus.cases.models import CaseGrant

    _proposed(world, held)
    # Partner Two's window grant ended: present for the item still counts for approving.
    CaseGrant.objects.filter(user=world.partner2).update(
        valid_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    item = minutes_approve(actor=world.partner2, item=held.item)
    assert item.minutes_status == MinutesStatus.PROPOSED
