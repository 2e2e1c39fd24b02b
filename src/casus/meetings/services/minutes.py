"""Minutes per agenda item and the decisions taken on it.

The coordinator writes the minutes once the meeting has started and proposes them; only the
people present for the item approve them, and only the current wording counts: a later change
asks everyone again. A decision becomes a pathway action and/or the case's next review date.

Each service: keyword-only, ``actor`` first, one transaction, permission checked here, rules
validated, change-log rows (old and new values) in the same transaction.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from casus.access.models import Organisation, User
from casus.access.rules import Action, require
from casus.access.rules.meeting_roles import may_approve_item
from casus.audit.services import audit_record
from casus.cases.models import Case, PathwayAction
from casus.cases.services.common import (
    apply_changes,
    check_version,
    initial_values,
    lock,
    record_case_change,
)
from casus.cases.services.followup import action_create
from casus.core.exceptions import Forbidden, RuleViolation

from ..models import AgendaItem, Decision, Meeting, MeetingStatus, MinutesApproval, MinutesStatus

Changes = dict[str, tuple[Any, Any]]


def record_item_change(
    *,
    actor: User,
    action: str,
    item: AgendaItem,
    obj: Any = None,
    changes: Changes | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """The change-log row of a write on an agenda item (its case's, if it has one)."""
    audit_record(
        actor=actor,
        action=action,
        cell=item.meeting.cell,
        obj=obj if obj is not None else item,
        case_id=item.case_id,
        values=changes or {},
        data=data,
    )


def check_held(meeting: Meeting) -> None:
    """Minutes, decisions and feedback sheets exist only for a meeting that has started."""
    if meeting.status not in (MeetingStatus.STARTED, MeetingStatus.ENDED):
        raise RuleViolation(_("This meeting has not started: minutes and decisions come later."))


def check_present(actor: User, item: AgendaItem) -> None:
    """Only those present for the item approve or object (also after the window closed)."""
    if not may_approve_item(actor, item):
        raise Forbidden("item.present")


def _lock_item(item: AgendaItem) -> AgendaItem:
    return AgendaItem.objects.select_for_update().select_related("meeting__cell").get(pk=item.pk)


def minutes_save(*, actor: User, item: AgendaItem, minutes: str, version: int) -> AgendaItem:
    """Save the minutes of ``item``; a change makes earlier approvals void (new version)."""
    require(actor, Action.MEETING_MANAGE, item.meeting.cell_id)
    with transaction.atomic():
        item = _lock_item(item)
        check_held(item.meeting)
        check_version(item, version)
        changes = apply_changes(item, {"minutes": minutes.strip()})
        if changes:
            # Approvals count per version: a changed text is proposed and approved again.
            changes.update(apply_changes(item, {"minutes_status": MinutesStatus.DRAFT}))
            item.version += 1
            item.save(update_fields=["minutes", "minutes_status", "version"])
            record_item_change(actor=actor, action="MINUTES_SAVED", item=item, changes=changes)
    return item


def minutes_propose(*, actor: User, item: AgendaItem) -> AgendaItem:
    """Put the current minutes to those present for approval."""
    require(actor, Action.MEETING_MANAGE, item.meeting.cell_id)
    with transaction.atomic():
        item = _lock_item(item)
        check_held(item.meeting)
        if item.minutes_status != MinutesStatus.DRAFT:
            raise RuleViolation(_("These minutes are already proposed or approved."))
        if not item.minutes:
            raise RuleViolation(_("Write the minutes before proposing them."))
        if not item.present.exists():
            raise RuleViolation(
                _("Nobody is recorded as present for this item: record the attendance first.")
            )
        changes = apply_changes(item, {"minutes_status": MinutesStatus.PROPOSED})
        item.save(update_fields=["minutes_status"])
        record_item_change(
            actor=actor,
            action="MINUTES_PROPOSED",
            item=item,
            changes=changes,
            data={"minutes_version": item.version},
        )
    return item


def _recompute_minutes(item: AgendaItem) -> str:
    """Approved when everyone present approved the current version."""
    present = set(item.present.values_list("pk", flat=True))
    approved = set(
        MinutesApproval.objects.filter(item=item, minutes_version=item.version).values_list(
            "user_id", flat=True
        )
    )
    return MinutesStatus.APPROVED if present and present <= approved else MinutesStatus.PROPOSED


def minutes_approve(*, actor: User, item: AgendaItem) -> AgendaItem:
    """``actor``, present for the item, approves its current minutes."""
    check_present(actor, item)
    with transaction.atomic():
        item = _lock_item(item)
        if item.minutes_status != MinutesStatus.PROPOSED:
            raise RuleViolation(_("These minutes are not awaiting approval."))
        if MinutesApproval.objects.filter(
            item=item, user=actor, minutes_version=item.version
        ).exists():
            raise RuleViolation(_("You already approved this version of the minutes."))
        approval = MinutesApproval.objects.create(
            item=item, user=actor, minutes_version=item.version
        )
        changes = apply_changes(item, {"minutes_status": _recompute_minutes(item)})
        if changes:
            item.save(update_fields=["minutes_status"])
        record_item_change(
            actor=actor,
            action="MINUTES_APPROVED",
            item=item,
            obj=approval,
            changes={"minutes_version": (None, item.version), **changes},
        )
    return item


def decision_record(
    *,
    actor: User,
    item: AgendaItem,
    text: str,
    action_description: str = "",
    owner_organisation: Organisation | None = None,
    due_on: date | None = None,
    next_review_on: date | None = None,
) -> Decision:
    """Record a decision of ``item``: on a case item it may add a pathway action (with its
    owner organisation) and set the case's next review date."""
    require(actor, Action.MEETING_MANAGE, item.meeting.cell_id)
    text = text.strip()
    action_description = action_description.strip()
    if not text:
        raise RuleViolation(_("Write the decision."))
    if item.case_id is None and (action_description or next_review_on is not None):
        raise RuleViolation(_("Only a case item's decision becomes an action or a review date."))
    if action_description and owner_organisation is None:
        raise RuleViolation(_("Choose the organisation that owns the action."))
    if not action_description and (owner_organisation is not None or due_on is not None):
        raise RuleViolation(_("Describe the action, or leave its owner and due date empty."))
    with transaction.atomic():
        item = _lock_item(item)
        check_held(item.meeting)
        meeting_day = item.meeting.starts_at.date()
        if next_review_on is not None and next_review_on <= meeting_day:
            raise RuleViolation(_("The next review must come after this meeting."))
        action: PathwayAction | None = None
        case: Case | None = item.case
        if case is not None and action_description:
            if owner_organisation is None:
                raise RuntimeError("checked above")  # not input: a broken invariant
            # The pathway's own service: its rules, its change-log row.
            action = action_create(
                actor=actor,
                case=case,
                goal=None,
                description=action_description,
                owner_organisation=owner_organisation,
                due_on=due_on,
            )
        if case is not None and next_review_on is not None:
            case = lock(case)
            if case.is_closed:
                raise RuleViolation(_("This case is closed: reopen it before planning a review."))
            changes = apply_changes(case, {"next_review_on": next_review_on})
            if changes:
                case.version += 1
                case.save(update_fields=["next_review_on", "version"])
                record_case_change(
                    actor=actor,
                    action="CASE_NEXT_REVIEW_SET",
                    case=case,
                    changes=changes,
                    data={"agenda_item": item.pk},
                )
        decision = Decision.objects.create(
            item=item,
            text=text,
            action=action,
            next_review_on=next_review_on,
            created_by=actor,
        )
        record_item_change(
            actor=actor,
            action="DECISION_RECORDED",
            item=item,
            obj=decision,
            changes=initial_values(decision, ("text", "action", "next_review_on")),
        )
    return decision
