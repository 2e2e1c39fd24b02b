"""Signals: submission, pre-screening, the chair's decision, joining a case (and reopening it).

Every status change goes through ``workflow.signal_step`` / ``workflow.case_step``. The reporter
learns nothing but "received" and "handled on <date>" (``handled_at``), whatever happens here.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access import rules
from casus.access.models import Cell, Charter, DocumentStatus, Municipality, Role, User
from casus.access.rules import Action, CaseAction, can, require
from casus.core.exceptions import Forbidden, RuleViolation
from casus.socialmap.selectors import offer_lock_for_referral

from ..identity import subject_keys
from ..models import Case, CaseStatus, ScreeningOutcome, Signal, SignalStatus
from ..workflow import case_step, signal_step
from .common import (
    Changes,
    apply_changes,
    check_version,
    initial_values,
    lock,
    lock_cell,
    next_case_number,
    next_signal_reference,
    record_case_change,
    record_signal_change,
)

#: The fields of a new signal recorded in its change-log row.
_SIGNAL_FIELDS = (
    "reference",
    "status",
    "reported_by",
    "entered_by",
    "source_organisation",
    "source_description",
    "source_anonymous",
    "subject_family_name",
    "subject_given_names",
    "subject_birth_date",
    "subject_municipality",
    "observed_on",
    "observed_behaviour",
    "concern",
    "received_at",
)

#: The fields of a case opened by the chair, recorded in its change-log row.
_CASE_FIELDS = (
    "year",
    "number",
    "status",
    "subject_family_name",
    "subject_given_names",
    "subject_birth_date",
    "subject_municipality",
    "summary",
    "opened_by",
    "opened_at",
)

_NOT_RETAINED = frozenset(
    {
        ScreeningOutcome.ORDINARY_CARE,
        ScreeningOutcome.NO_SIGNS,
        ScreeningOutcome.FOLLOWED_ELSEWHERE,
    }
)


def cell_accepts_signals(cell: Cell | int) -> bool:
    """A cell accepts no signal until a charter is active (art. 458ter Sw.)."""
    cell_id = cell if isinstance(cell, int) else cell.pk
    return Charter.objects.filter(cell_id=cell_id, status=DocumentStatus.ACTIVE).exists()


def _create(
    *,
    actor: User,
    cell: Cell,
    subject_family_name: str,
    subject_given_names: str,
    subject_birth_date: date | None,
    subject_municipality: Municipality | None,
    observed_on: date,
    observed_behaviour: str,
    concern: str,
    **source: Any,
) -> Signal:
    # Signals are numbered one at a time per cell.
    lock_cell(cell)
    if not cell_accepts_signals(cell):
        raise RuleViolation(
            _("This cell accepts no signal until a charter is active. Ask the chair.")
        )
    if not subject_family_name.strip() or not subject_given_names.strip():
        raise RuleViolation(_("Give the person's family name and given names."))
    if (
        subject_municipality is not None
        and not cell.municipalities.filter(pk=subject_municipality.pk).exists()
    ):
        raise RuleViolation(_("This municipality is not covered by the cell."))
    if observed_on > timezone.localdate():
        raise RuleViolation(_("The date observed cannot be in the future."))
    now = timezone.now()
    signal = Signal.objects.create(
        cell=cell,
        reference=next_signal_reference(cell, now),
        entered_by=actor,
        subject_family_name=subject_family_name.strip(),
        subject_given_names=subject_given_names.strip(),
        subject_birth_date=subject_birth_date,
        subject_municipality=subject_municipality,
        **subject_keys(
            cell_id=cell.pk,
            family_name=subject_family_name,
            given_names=subject_given_names,
            birth_date=subject_birth_date,
        ),
        observed_on=observed_on,
        observed_behaviour=observed_behaviour,
        concern=concern,
        received_at=now,
        **source,
    )
    record_signal_change(
        actor=actor,
        action="SIGNAL_SUBMITTED",
        signal=signal,
        changes=initial_values(signal, _SIGNAL_FIELDS),
    )
    return signal


def signal_submit(
    *,
    actor: User,
    cell: Cell,
    subject_family_name: str,
    subject_given_names: str,
    subject_birth_date: date | None,
    subject_municipality: Municipality | None,
    observed_on: date,
    observed_behaviour: str,
    concern: str,
) -> Signal:
    """Submit a signal as a member of ``cell`` (any case role); the reporter's organisation
    is the source."""
    with transaction.atomic():
        membership = require(actor, Action.SIGNAL_SUBMIT, cell)
        return _create(
            actor=actor,
            cell=cell,
            subject_family_name=subject_family_name,
            subject_given_names=subject_given_names,
            subject_birth_date=subject_birth_date,
            subject_municipality=subject_municipality,
            observed_on=observed_on,
            observed_behaviour=observed_behaviour,
            concern=concern,
            reported_by=actor,
            source_organisation=membership.organisation,
        )


def signal_enter_outside(
    *,
    actor: User,
    cell: Cell,
    subject_family_name: str,
    subject_given_names: str,
    subject_birth_date: date | None,
    subject_municipality: Municipality | None,
    observed_on: date,
    observed_behaviour: str,
    concern: str,
    source_description: str,
    source_anonymous: bool,
) -> Signal:
    """Enter a signal for an outside reporter (coordinator only); the source may stay
    anonymous."""
    with transaction.atomic():
        require(actor, Action.SIGNAL_ENTER_OUTSIDE, cell)
        if not source_description.strip():
            raise RuleViolation(_("Describe the source (e.g. “a neighbour”, “a sports club”)."))
        return _create(
            actor=actor,
            cell=cell,
            subject_family_name=subject_family_name,
            subject_given_names=subject_given_names,
            subject_birth_date=subject_birth_date,
            subject_municipality=subject_municipality,
            observed_on=observed_on,
            observed_behaviour=observed_behaviour,
            concern=concern,
            reported_by=None,
            source_organisation=None,
            source_description=source_description.strip(),
            source_anonymous=source_anonymous,
        )


def _save(signal: Signal, changes: Changes) -> None:
    signal.version += 1
    signal.save()
    changes["version"] = (signal.version - 1, signal.version)


def signal_opinion_record(*, actor: User, signal: Signal, opinion: str, version: int) -> Signal:
    """Record the coordinator's or the information officer's own screening opinion."""
    with transaction.atomic():
        membership = require(actor, Action.SIGNAL_SCREEN, signal.cell_id)
        signal = lock(signal)
        check_version(signal, version)
        if signal.status != SignalStatus.RECEIVED:
            raise RuleViolation(
                _("This signal has already been screened; its opinions can no longer change.")
            )
        if not opinion.strip():
            raise RuleViolation(_("Write your opinion."))
        if membership.role == Role.COORDINATOR:
            values = {"coordinator_opinion": opinion.strip(), "coordinator_opinion_by": actor}
        else:
            values = {"officer_opinion": opinion.strip(), "officer_opinion_by": actor}
        changes = apply_changes(signal, values)
        if not changes:
            return signal
        _save(signal, changes)
        record_signal_change(
            actor=actor, action="SIGNAL_OPINION_RECORDED", signal=signal, changes=changes
        )
        return signal


def signal_screen(
    *,
    actor: User,
    signal: Signal,
    outcome: str,
    summary: str,
    referral: str,
    version: int,
    referred_offer_id: int | None = None,
) -> Signal:
    """Conclude the pre-screening: not retained (coded reason, referral and, optionally, the
    published social-map offer the person is referred to) or proposed to the chair. Both
    opinions must be recorded first."""
    with transaction.atomic():
        require(actor, Action.SIGNAL_SCREEN, signal.cell_id)
        signal = lock(signal)
        check_version(signal, version)
        if outcome not in ScreeningOutcome.values:
            raise RuleViolation(_("Choose a screening outcome."))
        proposed = outcome == ScreeningOutcome.PROPOSED
        target = SignalStatus.PROPOSED if proposed else SignalStatus.NOT_RETAINED
        if signal.status != SignalStatus.RECEIVED:
            # PROPOSED -> NOT_RETAINED is the chair's edge, not the screeners'.
            raise RuleViolation(
                _("This signal is “%(status)s”: its screening is already concluded.")
                % {"status": signal.get_status_display()}
            )
        signal_step(signal.status, target)
        if not signal.coordinator_opinion or not signal.officer_opinion:
            raise RuleViolation(
                _(
                    "The screening needs both opinions: the coordinator's and the information "
                    "officer's. Record the missing one first."
                )
            )
        if proposed and not summary.strip():
            raise RuleViolation(_("Write the screening summary the chair will decide on."))
        offer = None
        if referred_offer_id is not None:
            if proposed:
                raise RuleViolation(_("Refer to an offer only when the signal is not retained."))
            # Locked: an editor cannot archive it before this screening is saved.
            offer = offer_lock_for_referral(pk=referred_offer_id)
            if offer is None:
                raise RuleViolation(
                    _(
                        "This offer is not (or no longer) published on the social map: choose "
                        "another."
                    )
                )
        now = timezone.now()
        values: dict[str, Any] = {
            "status": target,
            "screening_outcome": outcome,
            "screening_summary": summary.strip(),
            "referral": "" if proposed else referral.strip(),
            "referred_offer": offer,
            "screened_by": actor,
            "screened_at": now,
        }
        if not proposed:
            values["handled_at"] = now
        changes = apply_changes(signal, values)
        _save(signal, changes)
        record_signal_change(
            actor=actor,
            action="SIGNAL_SCREENED",
            signal=signal,
            changes=changes,
            data={"outcome": outcome},
        )
        return signal


def _same_person_cases(signal: Signal) -> "list[Case]":
    return list(Case.objects.filter(cell_id=signal.cell_id, identity_key=signal.identity_key))


def signal_decide(*, actor: User, signal: Signal, retain: bool, note: str, version: int) -> Signal:
    """The chair's decision on a proposed signal: open a case on the case list, or not.

    Writes two change-log rows when a case is opened: SIGNAL_DECIDED on the signal and
    CASE_OPENED on the new case (each object keeps its own trail).
    """
    with transaction.atomic():
        require(actor, Action.SIGNAL_DECIDE, signal.cell_id)
        # One decision at a time per cell: "this person has no case yet" stays true until the
        # new case is created.
        lock_cell(signal.cell_id)
        signal = lock(signal)
        check_version(signal, version)
        target = SignalStatus.RETAINED if retain else SignalStatus.NOT_RETAINED
        if signal.status != SignalStatus.PROPOSED:
            # RECEIVED -> NOT_RETAINED is the screeners' edge, not the chair's.
            raise RuleViolation(
                _("This signal is “%(status)s”: it is not proposed to the chair.")
                % {"status": signal.get_status_display()}
            )
        signal_step(signal.status, target)
        if not retain and not note.strip():
            raise RuleViolation(_("Say why the signal is not retained."))
        case: Case | None = None
        if retain:
            existing = _same_person_cases(signal)
            if existing:
                raise RuleViolation(
                    _(
                        "This person already has case %(case)s in this cell: join the signal "
                        "to that case instead of opening a new one."
                    )
                    % {"case": existing[0].reference}
                )
            case = _case_open(actor=actor, signal=signal)
        now = timezone.now()
        values: dict[str, Any] = {
            "status": target,
            "decided_by": actor,
            "decided_at": now,
            "decision_note": note.strip(),
            "handled_at": now,
        }
        if case is not None:
            values["case"] = case
        changes = apply_changes(signal, values)
        _save(signal, changes)
        record_signal_change(
            actor=actor,
            action="SIGNAL_DECIDED",
            signal=signal,
            changes=changes,
            data={"retained": retain},
        )
        return signal


def _case_open(*, actor: User, signal: Signal) -> Case:
    """Open the case a retained signal puts on the case list (inside signal_decide)."""
    now = timezone.now()
    year = timezone.localdate().year
    case = Case.objects.create(
        cell=signal.cell,
        year=year,
        number=next_case_number(signal.cell, year),
        status=CaseStatus.ON_LIST,
        subject_family_name=signal.subject_family_name,
        subject_given_names=signal.subject_given_names,
        subject_birth_date=signal.subject_birth_date,
        subject_municipality=signal.subject_municipality,
        identity_key=signal.identity_key,
        name_key=signal.name_key,
        summary=signal.screening_summary,
        opened_by=actor,
        opened_at=now,
        status_changed_at=now,
    )
    record_case_change(
        actor=actor,
        action="CASE_OPENED",
        case=case,
        changes=initial_values(case, _CASE_FIELDS),
        data={"signal": signal.pk},
    )
    return case


def signal_join(*, actor: User, signal: Signal, case: Case, version: int) -> Signal:
    """Join a signal to the existing case of the same person; a closed case is reopened.

    Who may join at which stage, and reopen a closed case, is ``rules.signal_join_allowed``:
    at screening (a received signal) the coordinator or the information officer, once
    proposed the chair; reopening is for the chair or the coordinator.
    """
    with transaction.atomic():
        # Only those who screen or decide signals of this cell ever join one (else 404).
        if not (
            can(actor, Action.SIGNAL_SCREEN, signal.cell_id)
            or can(actor, Action.SIGNAL_DECIDE, signal.cell_id)
        ):
            raise Forbidden(Action.SIGNAL_SCREEN)
        if case.cell_id != signal.cell_id:
            raise Forbidden(CaseAction.VIEW)
        lock_cell(signal.cell_id)
        signal = lock(signal)
        check_version(signal, version)
        signal_step(signal.status, SignalStatus.JOINED)
        case = lock(case)
        if not rules.signal_join_allowed(actor, signal, case):
            raise _join_refusal(actor, signal, case)
        if case.identity_key != signal.identity_key:
            raise RuleViolation(
                _(
                    "This case is about another person (the identity does not match): a "
                    "signal can only be joined to the case of the same person."
                )
            )
        reopened = case.status == CaseStatus.CLOSED
        if reopened:
            _case_reopen(actor=actor, case=case, signal=signal)
        now = timezone.now()
        values: dict[str, Any] = {"status": SignalStatus.JOINED, "case": case, "handled_at": now}
        if signal.status == SignalStatus.PROPOSED:
            # Joined instead of decided: the chair's decision.
            values.update(decided_by=actor, decided_at=now)
        changes = apply_changes(signal, values)
        _save(signal, changes)
        record_signal_change(
            actor=actor,
            action="SIGNAL_JOINED",
            signal=signal,
            changes=changes,
            data={"reopened": reopened},
        )
        return signal


def _join_refusal(actor: User, signal: Signal, case: Case) -> RuleViolation | Forbidden:
    """Why ``rules.signal_join_allowed`` refused: the signal's stage, or the closed case."""
    if signal.status == SignalStatus.RECEIVED and not can(
        actor, Action.SIGNAL_SCREEN, signal.cell_id
    ):
        return RuleViolation(
            _("This signal is still being screened; the coordinator can join it to a case.")
        )
    if signal.status == SignalStatus.PROPOSED and not can(
        actor, Action.SIGNAL_DECIDE, signal.cell_id
    ):
        return RuleViolation(
            _("This signal is proposed to the chair; only the chair can join it now.")
        )
    if case.status == CaseStatus.CLOSED:
        return RuleViolation(
            _(
                "This person's case is closed: joining the signal reopens it, which only the "
                "chair or the coordinator can do."
            )
        )
    return Forbidden(Action.SIGNAL_SCREEN)


def _case_reopen(*, actor: User, case: Case, signal: Signal) -> None:
    """Put a closed case back on the case list because of a new signal (inside signal_join;
    ``rules.signal_join_allowed`` already said the actor may reopen it)."""
    case_step(case.status, CaseStatus.ON_LIST)
    now = timezone.now()
    changes = apply_changes(
        case,
        {
            "status": CaseStatus.ON_LIST,
            "reopen_count": case.reopen_count + 1,
            "closure_reason": "",
            "closed_at": None,
            "evaluation": "",
            "status_changed_at": now,
        },
    )
    case.version += 1
    changes["version"] = (case.version - 1, case.version)
    case.save()
    record_case_change(
        actor=actor,
        action="CASE_REOPENED",
        case=case,
        changes=changes,
        data={"signal": signal.pk},
    )
