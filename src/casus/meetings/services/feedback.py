"""Feedback sheets (terugkoppelingsfiches) to the police / local task force.

The information officer drafts a sheet about a case item; every participant present for that
item approves it or objects (with a reason). One objection blocks it; when everyone present
approved the current version it is approved, and only then the information officer marks it
sent, which also enters it in the information-exchange register. Votes count per sheet
version: editing the sheet asks everyone again.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import User
from casus.access.rules import Action, require
from casus.cases.services.common import apply_changes, check_version, initial_values
from casus.core.exceptions import RuleViolation

from ..models import (
    AgendaItem,
    Counterpart,
    Direction,
    ExchangeEntry,
    FeedbackSheet,
    FeedbackStatus,
    FeedbackVote,
    LegalBasis,
    Vote,
)
from .minutes import check_held, check_present, record_item_change

#: The structured fields of a sheet (none is mandatory on its own).
SHEET_FIELDS = ("reason", "cell_assessment", "measures", "request", "contact")


def _clean(values: dict[str, Any]) -> dict[str, str]:
    return {name: (values.get(name) or "").strip() for name in SHEET_FIELDS}


def _lock(sheet: FeedbackSheet) -> FeedbackSheet:
    """Re-read the sheet with a row lock: votes and edits of one sheet run one at a time."""
    return (
        FeedbackSheet.objects.select_for_update()
        .select_related("item__meeting__cell")
        .get(pk=sheet.pk)
    )


def feedback_draft(
    *,
    actor: User,
    item: AgendaItem,
    reason: str,
    cell_assessment: str,
    measures: str,
    request: str,
    contact: str,
) -> FeedbackSheet:
    """Draft a feedback sheet about a case item of a meeting that was held."""
    require(actor, Action.FEEDBACK_DRAFT, item.meeting.cell_id)
    if item.case_id is None:
        raise RuleViolation(_("A feedback sheet is about a case item, not a policy item."))
    check_held(item.meeting)
    values = _clean(
        {
            "reason": reason,
            "cell_assessment": cell_assessment,
            "measures": measures,
            "request": request,
            "contact": contact,
        }
    )
    with transaction.atomic():
        sheet = FeedbackSheet.objects.create(item=item, drafted_by=actor, **values)
        record_item_change(
            actor=actor,
            action="FEEDBACK_SHEET_DRAFTED",
            item=item,
            obj=sheet,
            changes=initial_values(sheet, (*SHEET_FIELDS, "status")),
        )
    return sheet


def feedback_update(
    *,
    actor: User,
    sheet: FeedbackSheet,
    reason: str,
    cell_assessment: str,
    measures: str,
    request: str,
    contact: str,
    version: int,
) -> FeedbackSheet:
    """Change a sheet that was not sent; a change asks everyone present to vote again."""
    require(actor, Action.FEEDBACK_DRAFT, sheet.item.meeting.cell_id)
    values = _clean(
        {
            "reason": reason,
            "cell_assessment": cell_assessment,
            "measures": measures,
            "request": request,
            "contact": contact,
        }
    )
    with transaction.atomic():
        sheet = _lock(sheet)
        check_version(sheet, version)
        if sheet.status == FeedbackStatus.SENT:
            raise RuleViolation(_("This feedback sheet was sent: it can no longer change."))
        changes = apply_changes(sheet, values)
        if changes:
            # Votes are per version: a changed sheet is voted on again.
            if sheet.status != FeedbackStatus.DRAFT:
                changes.update(apply_changes(sheet, {"status": FeedbackStatus.IN_APPROVAL}))
            sheet.version += 1
            sheet.save()
            record_item_change(
                actor=actor,
                action="FEEDBACK_SHEET_UPDATED",
                item=sheet.item,
                obj=sheet,
                changes=changes,
                data={"sheet_version": sheet.version},
            )
    return sheet


def feedback_submit(*, actor: User, sheet: FeedbackSheet) -> FeedbackSheet:
    """Put a draft sheet to everyone present for the item."""
    require(actor, Action.FEEDBACK_DRAFT, sheet.item.meeting.cell_id)
    with transaction.atomic():
        sheet = _lock(sheet)
        if sheet.status != FeedbackStatus.DRAFT:
            raise RuleViolation(_("This feedback sheet is no longer a draft."))
        if not any(getattr(sheet, name) for name in SHEET_FIELDS):
            raise RuleViolation(_("Fill in at least one field before asking for approval."))
        if not sheet.item.present.exists():
            raise RuleViolation(
                _("Nobody is recorded as present for this item: record the attendance first.")
            )
        changes = apply_changes(
            sheet, {"status": FeedbackStatus.IN_APPROVAL, "submitted_at": timezone.now()}
        )
        sheet.save(update_fields=["status", "submitted_at"])
        record_item_change(
            actor=actor,
            action="FEEDBACK_SHEET_SUBMITTED",
            item=sheet.item,
            obj=sheet,
            changes=changes,
            data={"sheet_version": sheet.version},
        )
    return sheet


def _recompute(sheet: FeedbackSheet) -> str:
    """The status that the vote rows of the current version give: one objection blocks;
    approved when everyone present approved."""
    votes = list(
        FeedbackVote.objects.filter(sheet=sheet, sheet_version=sheet.version).values_list(
            "user_id", "vote"
        )
    )
    if any(vote == Vote.OBJECT for _user, vote in votes):
        return FeedbackStatus.BLOCKED
    present = set(sheet.item.present.values_list("pk", flat=True))
    approved = {user for user, vote in votes if vote == Vote.APPROVE}
    if present and present <= approved:
        return FeedbackStatus.APPROVED
    return FeedbackStatus.IN_APPROVAL


def feedback_vote(
    *, actor: User, sheet: FeedbackSheet, vote: str, reason: str = ""
) -> FeedbackVote:
    """``actor``, present for the item, approves the sheet or objects to it (with a reason)."""
    check_present(actor, sheet.item)
    reason = reason.strip()
    if vote not in Vote.values:
        raise RuleViolation(_("Choose to approve or to object."))
    if vote == Vote.OBJECT and not reason:
        raise RuleViolation(_("Say why you object: the others need to know what to change."))
    with transaction.atomic():
        # The lock serialises votes of one sheet, so the status computed after each insert
        # counts every vote committed before it (two approvals at once are both counted).
        sheet = _lock(sheet)
        if sheet.status not in (FeedbackStatus.IN_APPROVAL, FeedbackStatus.BLOCKED):
            raise RuleViolation(_("This feedback sheet is not awaiting approval."))
        if FeedbackVote.objects.filter(
            sheet=sheet, user=actor, sheet_version=sheet.version
        ).exists():
            raise RuleViolation(_("You already voted on this version of the feedback sheet."))
        row = FeedbackVote.objects.create(
            sheet=sheet,
            user=actor,
            vote=vote,
            reason=reason,
            sheet_version=sheet.version,
        )
        changes = apply_changes(sheet, {"status": _recompute(sheet)})
        if changes:
            sheet.save(update_fields=["status"])
        record_item_change(
            actor=actor,
            action="FEEDBACK_SHEET_VOTED",
            item=sheet.item,
            obj=sheet,
            changes={"vote": (None, vote), "reason": (None, row.reason), **changes},
            data={"sheet_version": sheet.version, "vote": vote},
        )
    return row


def feedback_mark_sent(
    *,
    actor: User,
    sheet: FeedbackSheet,
    sent_on: date,
    sent_to: str,
    counterpart: str = Counterpart.LTF,
) -> FeedbackSheet:
    """Record that the approved sheet was sent, and enter it in the exchange register."""
    require(actor, Action.FEEDBACK_SEND, sheet.item.meeting.cell_id)
    sent_to = sent_to.strip()
    if not sent_to:
        raise RuleViolation(_("Say to whom the sheet was sent."))
    if counterpart not in (Counterpart.LTF, Counterpart.POLICE):
        raise RuleViolation(_("A feedback sheet goes to the local task force or the police."))
    if sent_on > timezone.localdate():
        raise RuleViolation(_("The date it was sent cannot lie in the future."))
    with transaction.atomic():
        sheet = _lock(sheet)
        # The stored status is not trusted: the votes of the current version decide.
        if sheet.status != FeedbackStatus.APPROVED or _recompute(sheet) != FeedbackStatus.APPROVED:
            raise RuleViolation(
                _("Only a feedback sheet that everyone present approved can be sent.")
            )
        changes = apply_changes(
            sheet,
            {"status": FeedbackStatus.SENT, "sent_at": sent_on, "sent_to": sent_to},
        )
        sheet.sent_by = actor
        sheet.save(update_fields=["status", "sent_at", "sent_to", "sent_by"])
        item = sheet.item
        record_item_change(
            actor=actor, action="FEEDBACK_SHEET_SENT", item=item, obj=sheet, changes=changes
        )
        entry = ExchangeEntry.objects.create(
            cell=item.meeting.cell,
            case_id=item.case_id,
            feedback_sheet=sheet,
            direction=Direction.OUTGOING,
            counterpart=counterpart,
            counterpart_detail=sent_to,
            occurred_on=sent_on,
            legal_basis=LegalBasis.ART_458TER,
            reference="",
            subject=_("Feedback sheet of the case consultation"),
            recorded_by=actor,
        )
        record_item_change(
            actor=actor,
            action="EXCHANGE_RECORDED",
            item=item,
            obj=entry,
            changes=initial_values(
                entry, ("direction", "counterpart", "counterpart_detail", "occurred_on")
            ),
            data={"feedback_sheet": sheet.pk},
        )
    return sheet
