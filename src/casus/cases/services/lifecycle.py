"""The case's course: progress steps, closure (with a handover when the person moved) and the
receiving cell's decision on a handover.

Every move goes through ``cases.workflow.case_step``; reopening by a new signal lives in
``services.signals``.
"""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Cell, Membership, Municipality, Role, User
from casus.access.rules import Action, CaseAction, case_require, require
from casus.access.selectors import charter_active
from casus.audit.services import audit_record
from casus.core.exceptions import RuleViolation
from casus.core.models import Notification

from ..identity import subject_keys
from ..models import Case, CaseStatus, ClosureReason, Handover, HandoverStatus, Signal
from ..workflow import PROGRESS_STEPS, case_step
from .common import (
    apply_changes,
    check_version,
    initial_values,
    lock,
    next_signal_reference,
    record_case_change,
    record_signal_change,
)

#: The fields of a handover: the minimal record, nothing of the file.
HANDOVER_FIELDS = (
    "from_cell",
    "to_cell",
    "to_municipality",
    "subject_family_name",
    "subject_given_names",
    "subject_birth_date",
    "contact",
)

#: The notification kind the receiving coordinators get for a new handover.
HANDOVER_NOTIFICATION = "handover_received"


def _status_of(value: str) -> str:
    """The status ``value`` names, or a refusal a user can act on (never a 500)."""
    if value not in CaseStatus.values:
        raise RuleViolation(_("Choose one of the steps offered on the case page."))
    return value


def case_progress(*, actor: User, case: Case, target_status: str, version: int | None) -> Case:
    """Move ``case`` one step along its course (discussion, pathway, evaluation, follow-up)."""
    case_require(actor, CaseAction.PROGRESS, case)
    target = _status_of(target_status)
    with transaction.atomic():
        case = lock(case)
        check_version(case, version)
        old = case.status
        step = case_step(old, target)
        if step == "close":
            raise RuleViolation(
                _("A case is closed with the closure form: it needs a reason and an evaluation.")
            )
        if step not in PROGRESS_STEPS:  # "reopen": only a new signal reopens a case
            raise RuleViolation(_("A closed case is reopened by a new signal about the person."))
        changes = apply_changes(case, {"status": target, "status_changed_at": timezone.now()})
        case.version += 1
        case.save(update_fields=[*changes, "version"])
        record_case_change(
            actor=actor,
            action="CASE_STATUS_CHANGED",
            case=case,
            changes=changes,
            data={"step": step},
        )
    return case


@dataclass(frozen=True)
class Closure:
    """What closing a case produced: the case, and the handover when the person moved.

    ``outside_casus`` is true when the person moved to a municipality no cell of this
    installation covers: the handover must then happen outside Casus.
    """

    case: Case
    handover: Handover | None = None
    outside_casus: bool = False


def _receiving_cell(case: Case, municipality: Municipality) -> Cell | None:
    """The other cell covering ``municipality``; refuse the case's own cell."""
    covering = list(Cell.objects.filter(municipalities=municipality).order_by("pk"))
    others = [cell for cell in covering if cell.pk != case.cell_id]
    if not others and covering:
        raise RuleViolation(
            _(
                "This cell itself covers %(municipality)s: the case stays here. Choose the "
                "municipality the person moved to, covered by another cell."
            )
            % {"municipality": municipality.name}
        )
    return others[0] if others else None


def _contact_for(actor: User, cell_id: int) -> User:
    """The closing coordinator, or else (the chair closes) the cell's coordinator."""
    membership = Membership.objects.current().filter(user=actor, cell_id=cell_id).first()
    if membership is not None and membership.role == Role.COORDINATOR:
        return actor
    coordinator = (
        Membership.objects.current()
        .filter(cell_id=cell_id, role=Role.COORDINATOR, user__is_active=True)
        .select_related("user")
        .order_by("term_start", "pk")
        .first()
    )
    return coordinator.user if coordinator is not None else actor


def case_close(
    *,
    actor: User,
    case: Case,
    reason: str,
    evaluation: str,
    version: int | None,
    moved_to: Municipality | None = None,
) -> Closure:
    """Close ``case`` with a coded reason and an evaluation; "moved" hands it over."""
    case_require(actor, CaseAction.CLOSE, case)
    if reason not in ClosureReason.values:
        raise RuleViolation(_("Choose the reason for closing the case."))
    evaluation = (evaluation or "").strip()
    if not evaluation:
        raise RuleViolation(_("Write the evaluation of the pathway before closing the case."))
    moved = reason == ClosureReason.MOVED
    if moved and moved_to is None:
        raise RuleViolation(_("Choose the municipality the person moved to."))
    with transaction.atomic():
        case = lock(case)
        check_version(case, version)
        if case.is_closed:
            raise RuleViolation(_("This case is already closed."))
        case_step(case.status, CaseStatus.CLOSED)
        to_cell = _receiving_cell(case, moved_to) if moved and moved_to is not None else None
        now = timezone.now()
        changes = apply_changes(
            case,
            {
                "status": CaseStatus.CLOSED,
                "status_changed_at": now,
                "closed_at": now,
                "closure_reason": reason,
                "evaluation": evaluation,
            },
        )
        case.version += 1
        case.save(update_fields=[*changes, "version"])
        record_case_change(
            actor=actor,
            action="CASE_CLOSED",
            case=case,
            changes=changes,
            data={"reason": reason},
        )
        handover = None
        if to_cell is not None and moved_to is not None:
            handover = Handover.objects.create(
                from_case=case,
                from_cell_id=case.cell_id,
                to_cell=to_cell,
                to_municipality=moved_to,
                subject_family_name=case.subject_family_name,
                subject_given_names=case.subject_given_names,
                subject_birth_date=case.subject_birth_date,
                contact=_contact_for(actor, case.cell_id),
            )
            record_case_change(
                actor=actor,
                action="HANDOVER_CREATED",
                case=case,
                obj=handover,
                changes=initial_values(handover, HANDOVER_FIELDS),
            )
            handover_pk, to_cell_pk = handover.pk, to_cell.pk
            transaction.on_commit(lambda: _notify_receiving_coordinators(handover_pk, to_cell_pk))
    return Closure(case=case, handover=handover, outside_casus=moved and to_cell is None)


def _notify_receiving_coordinators(handover_pk: int, cell_pk: int) -> None:
    """Tell the receiving cell's coordinators a handover waits (no name, no content)."""
    url = reverse("cases:handovers")
    coordinators = Membership.objects.current().filter(
        cell_id=cell_pk, role=Role.COORDINATOR, user__is_active=True
    )
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=membership.user_id,
                cell_id=cell_pk,
                kind=HANDOVER_NOTIFICATION,
                url=url,
                key=f"{HANDOVER_NOTIFICATION}:{handover_pk}:{membership.user_id}",
            )
            for membership in coordinators
        ],
        ignore_conflicts=True,
    )


def handover_decide(*, actor: User, handover: Handover, accept: bool) -> Handover:
    """Accept (a signal is created in the receiving cell, to be screened) or decline."""
    require(actor, Action.HANDOVER_ACCEPT, handover.to_cell_id)
    with transaction.atomic():
        handover = lock(handover)
        if handover.status != HandoverStatus.PENDING:
            raise RuleViolation(_("This handover has already been decided."))
        to_cell = Cell.objects.get(pk=handover.to_cell_id)
        signal = None
        if accept:
            if charter_active(cell=to_cell) is None:
                raise RuleViolation(
                    _("Your cell has no active charter yet, so it cannot accept signals.")
                )
            signal = _signal_from_handover(actor=actor, handover=handover, cell=to_cell)
        changes = apply_changes(
            handover,
            {
                "status": HandoverStatus.ACCEPTED if accept else HandoverStatus.DECLINED,
                "decided_by": actor,
                "decided_at": timezone.now(),
                "signal": signal,
            },
        )
        handover.save(update_fields=list(changes))
        # Recorded in the receiving cell, without the sending case: that file is not theirs.
        audit_record(
            actor=actor,
            action="HANDOVER_ACCEPTED" if accept else "HANDOVER_DECLINED",
            cell=to_cell,
            obj=handover,
            values=changes,
        )
    return handover


def _signal_from_handover(*, actor: User, handover: Handover, cell: Cell) -> Signal:
    """The signal an accepted handover starts in the receiving cell; screened as any other."""
    from_cell_name = Cell.objects.only("name").get(pk=handover.from_cell_id).name
    signal = Signal.objects.create(
        cell=cell,
        reference=next_signal_reference(cell),
        reported_by=None,
        entered_by=actor,
        source_description=(_("Handover from %(cell)s") % {"cell": from_cell_name})[:200],
        subject_family_name=handover.subject_family_name,
        subject_given_names=handover.subject_given_names,
        subject_birth_date=handover.subject_birth_date,
        subject_municipality_id=handover.to_municipality_id,
        **subject_keys(
            cell_id=cell.pk,
            family_name=handover.subject_family_name,
            given_names=handover.subject_given_names,
            birth_date=handover.subject_birth_date,
        ),
        observed_on=timezone.localdate(),
        observed_behaviour=_(
            "Handover: the person moved here from a municipality covered by another cell, "
            "which followed them up. This record holds no details of that file."
        ),
        concern=_(
            "Contact the sending cell's contact person to hear what the follow-up needs, "
            "then screen this signal as usual."
        ),
    )
    record_signal_change(
        actor=actor,
        action="SIGNAL_CREATED",
        signal=signal,
        changes=initial_values(
            signal,
            (
                "reference",
                "source_description",
                "subject_family_name",
                "subject_given_names",
                "subject_birth_date",
                "subject_municipality_id",
                "observed_on",
            ),
        ),
        data={"source": "handover", "handover": handover.pk},
    )
    return signal


#: The shortest reason accepted for an export with the person's identity.
IDENTITY_REASON_MIN_LENGTH = 10


def case_identity_export_record(*, actor: User, case: Case, reason: str, export: str) -> None:
    """Record why ``actor`` exports ``case`` with the person's identity (the default export is
    pseudonymised). The reason is sealed under the case key in the change log."""
    reason = (reason or "").strip()
    if len(reason) < IDENTITY_REASON_MIN_LENGTH:
        raise RuleViolation(
            _("Write why the export needs the person's identity (at least %(count)d characters).")
            % {"count": IDENTITY_REASON_MIN_LENGTH}
        )
    with transaction.atomic():
        case_require(actor, CaseAction.PDF, case)
        record_case_change(
            actor=actor,
            action="CASE_IDENTITY_EXPORTED",
            case=case,
            changes={"export_reason": (None, reason[:2000])},
            data={"export": export},
        )
