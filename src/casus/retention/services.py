"""Writes of retention: prepare a dry run, approve or reject it, carry out an approved purge.

A purge destroys exactly the items its approved dry run listed as pending, each re-checked
just before (a case reopened meanwhile is kept); each item goes in its own transaction with
its destruction-log row, its anonymised statistics and its audit event, so an interrupted
purge resumes where it stopped.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casus.access.models import Cell, Membership, Role, User
from casus.access.rules import Action, require
from casus.access.selectors import charter_active
from casus.audit.services import audit_record
from casus.cases.attachments import discard
from casus.cases.models import Case, Signal
from casus.core.exceptions import RuleViolation
from casus.core.notices import notify

from . import purge, selectors
from .models import (
    DestructionRecord,
    ItemOutcome,
    PurgedStatistic,
    PurgeItem,
    PurgeRun,
    RecordType,
    RunStatus,
)

logger = logging.getLogger(__name__)

PURGE_NOTIFICATION = "purge_proposed"
NOTE_MAX_LENGTH = 2000


def _lock_run(run: PurgeRun) -> PurgeRun:
    return PurgeRun.objects.select_for_update(of=("self",)).select_related("cell").get(pk=run.pk)


def purge_run_prepare(*, actor: User | None, cell: Cell, as_of: date | None = None) -> PurgeRun:
    """Write the dry-run report of what the charter's periods make due on ``as_of`` (today).

    ``actor`` is the coordinator, or None for the scheduled job. An earlier report still
    awaiting approval is replaced; a purge still being carried out must finish first.
    """
    if actor is not None:
        require(actor, Action.RETENTION_PREPARE, cell)
    as_of = as_of or timezone.localdate()
    if as_of > timezone.localdate():
        raise RuleViolation(_("A dry run cannot look into the future."))
    with transaction.atomic():
        cell = Cell.objects.select_for_update().get(pk=cell.pk)
        charter = charter_active(cell=cell)
        if charter is None:
            raise RuleViolation(
                _("The cell has no active charter: without adopted periods nothing is purged.")
            )
        if PurgeRun.objects.filter(cell=cell, status=RunStatus.APPROVED).exists():
            raise RuleViolation(
                _("An approved purge is still being carried out; prepare a new one after it.")
            )
        superseded = list(
            PurgeRun.objects.filter(cell=cell, status=RunStatus.PROPOSED).values_list(
                "pk", flat=True
            )
        )
        PurgeRun.objects.filter(pk__in=superseded).update(status=RunStatus.SUPERSEDED)
        run = PurgeRun.objects.create(
            cell=cell, as_of=as_of, charter_version=charter.version, prepared_by=actor
        )
        due = selectors.due_records(cell, as_of)
        PurgeItem.objects.bulk_create(
            [
                PurgeItem(
                    run=run,
                    record_type=d.record_type,
                    record_id=d.record_id,
                    reference=d.reference,
                    rule=d.rule,
                    due_on=d.due_on,
                    outcome=ItemOutcome.HELD if d.hold else ItemOutcome.PENDING,
                    reason=d.hold,
                )
                for d in due
            ]
        )
        pending = sum(1 for d in due if not d.hold)
        audit_record(
            actor=actor,
            action="RETENTION_DRY_RUN",
            cell=cell,
            obj=run,
            data={
                "as_of": as_of.isoformat(),
                "charter_version": charter.version,
                "pending": pending,
                "held": len(due) - pending,
                "superseded": superseded,
            },
        )
        if pending:
            run_pk, cell_pk = run.pk, cell.pk
            transaction.on_commit(lambda: _notify_chairs(run_pk, cell_pk))
    return run


def _notify_chairs(run_pk: int, cell_pk: int) -> None:
    """Tell the cell's chairs a purge awaits their approval: a notice and an e-mail, no content."""
    seats = (
        Membership.objects.current()
        .filter(cell_id=cell_pk, role=Role.CHAIR, user__is_active=True)
        .select_related("user")
    )
    notify(
        users=(membership.user for membership in seats),
        cell_id=cell_pk,
        kind=PURGE_NOTIFICATION,
        url=reverse("retention:run", args=[run_pk]),
        key=f"{PURGE_NOTIFICATION}:{run_pk}",
        subject=gettext_lazy("[Casus] A retention purge awaits your approval"),
        body=gettext_lazy(
            "The retention periods of your cell's charter have ended for some records.\n\n"
            "Open %(url)s to read the dry-run report and approve or reject the purge.\n"
        ),
        what="purge proposal",
    )


def _clean_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise RuleViolation(_("Write why the purge is rejected."))
    if len(note) > NOTE_MAX_LENGTH:
        raise RuleViolation(
            _("Keep the note under %(count)d characters.") % {"count": NOTE_MAX_LENGTH}
        )
    return note


def _decide(*, actor: User, run: PurgeRun, status: str, note: str, action: str) -> PurgeRun:
    require(actor, Action.RETENTION_APPROVE, run.cell_id)
    with transaction.atomic():
        run = _lock_run(run)
        if run.status != RunStatus.PROPOSED:
            raise RuleViolation(_("This dry run has already been decided on or replaced."))
        run.status = status
        run.decided_by = actor
        run.decided_at = timezone.now()
        run.decision_note = note
        run.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            action=action,
            cell=run.cell,
            obj=run,
            data={"items": run.items.filter(outcome=ItemOutcome.PENDING).count()},
            values={"decision_note": ("", note)} if note else None,
        )
    return run


def purge_run_approve(*, actor: User, run: PurgeRun, note: str = "") -> PurgeRun:
    """The chair approves a dry run: exactly its pending items are destroyed, in the background.

    The view asks for re-authentication first.
    """
    run = _decide(
        actor=actor,
        run=run,
        status=RunStatus.APPROVED,
        note=_clean_note(note, required=False),
        action="RETENTION_PURGE_APPROVED",
    )
    from .tasks import carry_out_purge

    run_pk = run.pk
    transaction.on_commit(lambda: carry_out_purge.enqueue(run_pk))
    return run


def purge_run_reject(*, actor: User, run: PurgeRun, note: str) -> PurgeRun:
    """The chair rejects a dry run, saying why; nothing is destroyed."""
    return _decide(
        actor=actor,
        run=run,
        status=RunStatus.REJECTED,
        note=_clean_note(note, required=True),
        action="RETENTION_PURGE_REJECTED",
    )


def purge_run_execute(*, run: PurgeRun) -> PurgeRun:
    """Carry out an approved purge (the worker calls it; safe to call again after a stop)."""
    if run.status != RunStatus.APPROVED:
        raise RuleViolation(_("Only an approved purge is carried out."))
    for item_pk in (
        run.items.filter(outcome=ItemOutcome.PENDING).order_by("pk").values_list("pk", flat=True)
    ):
        _purge_item(run.pk, item_pk)
    with transaction.atomic():
        run = _lock_run(run)
        if run.status == RunStatus.APPROVED:
            run.status = RunStatus.DONE
            run.executed_at = timezone.now()
            run.save(update_fields=["status", "executed_at"])
            outcomes = dict(
                run.items.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
            )
            audit_record(
                actor=run.decided_by,
                action="RETENTION_PURGE_DONE",
                cell=run.cell,
                obj=run,
                data={"outcomes": outcomes},
            )
    return run


def _purge_item(run_pk: int, item_pk: int) -> None:
    """Destroy one record of an approved run, with its log rows, in one transaction."""
    with transaction.atomic():
        run = (
            PurgeRun.objects.select_for_update(of=("self",))
            .select_related("cell", "decided_by")
            .get(pk=run_pk)
        )
        item = PurgeItem.objects.select_for_update().get(pk=item_pk, run=run)
        if run.status != RunStatus.APPROVED or item.outcome != ItemOutcome.PENDING:
            return  # another worker did it
        due, hold = selectors.record_still_due(run.cell, item.record_type, item.record_id)
        now = timezone.now()
        if due is None:
            item.outcome, item.reason, item.done_at = ItemOutcome.SKIPPED, hold, now
            item.save(update_fields=["outcome", "reason", "done_at"])
            audit_record(
                actor=run.decided_by,
                action="RETENTION_RECORD_KEPT",
                cell=run.cell,
                obj=item,
                data={"record_type": item.record_type, "record_id": item.record_id, "why": hold},
            )
            return
        files: list[str] = []
        case_id = signal_id = None
        if item.record_type == RecordType.CASE:
            case = Case.objects.select_for_update().get(pk=item.record_id)
            signals = list(Signal.objects.filter(case=case))
            facts = [selectors.case_fact_of(case)] + [selectors.signal_fact(s) for s in signals]
            rows, files = purge.destroy_case(case)
            case_id = item.record_id
        else:
            signal = Signal.objects.select_for_update().get(pk=item.record_id)
            facts = [selectors.signal_fact(signal)]
            rows = purge.destroy_signal(signal)
            signal_id = item.record_id
        PurgedStatistic.objects.bulk_create(
            [PurgedStatistic(cell=run.cell, **fact) for fact in facts]
        )
        DestructionRecord.objects.create(
            cell=run.cell,
            run=run,
            record_type=item.record_type,
            record_id=item.record_id,
            reference=item.reference,
            rule=due.rule,
            destroyed_at=now,
            rows=rows,
        )
        item.outcome, item.done_at = ItemOutcome.DESTROYED, now
        item.save(update_fields=["outcome", "done_at"])
        audit_record(
            actor=run.decided_by,
            action="RETENTION_RECORD_DESTROYED",
            cell=run.cell,
            obj=item,
            case_id=case_id,
            signal_id=signal_id,
            data={
                "record_type": item.record_type,
                "record_id": item.record_id,
                "rule": due.rule,
                "run": run.pk,
            },
        )
        if files:
            transaction.on_commit(lambda: _discard_files(files))


def _discard_files(files: list[str]) -> None:
    for storage_name in files:
        discard(storage_name)
    logger.info("purge removed %d attachment files", len(files))


def retention_daily(today: date | None = None) -> dict[str, int]:
    """The daily job: carry out approved purges, and prepare a dry run for each cell with
    records due and no report in the last ``CASUS_RETENTION_PROPOSAL_DAYS`` days."""
    today = today or timezone.localdate()
    done = prepared = 0
    for run in PurgeRun.objects.filter(status=RunStatus.APPROVED).order_by("pk"):
        purge_run_execute(run=run)
        done += 1
    recent = timezone.now() - timedelta(days=settings.CASUS_RETENTION_PROPOSAL_DAYS)
    busy = set(
        PurgeRun.objects.filter(prepared_at__gte=recent).values_list("cell_id", flat=True)
    ) | set(PurgeRun.objects.filter(status=RunStatus.PROPOSED).values_list("cell_id", flat=True))
    for cell in Cell.objects.exclude(pk__in=busy).order_by("pk"):
        if charter_active(cell=cell) is None:
            continue
        if any(not d.hold for d in selectors.due_records(cell, today)):
            purge_run_prepare(actor=None, cell=cell, as_of=today)
            prepared += 1
    return {"executed": done, "prepared": prepared}
