"""Writes of the data-subject request workflow."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Cell, Membership, User
from casus.access.rules import (
    Action,
    require,
    subject_review_allowed,
)
from casus.audit.services import audit_record
from casus.cases.identity import subject_keys
from casus.cases.models import (
    Assessment,
    Attachment,
    Case,
    JournalEntry,
    PathwayAction,
    Signal,
    Visibility,
)
from casus.core.exceptions import Forbidden, RuleViolation

from ..models import (
    SubjectItemKind,
    SubjectRequest,
    SubjectRequestItem,
    SubjectRequestKind,
    SubjectRequestMatch,
    SubjectRequestOutcome,
    SubjectRequestReview,
    SubjectRequestStatus,
    SubjectReviewStatus,
    WithholdReason,
)
from ..workflow import subject_request_step
from .break_glass import REASON_MAX_LENGTH

#: Longest free texts of a request.
REQUEST_TEXT_MAX = 4000
CONTACT_MAX = 1000
LEGAL_GROUND_MAX = 300
#: Art. 12(3): the deadline may be extended by two further months at most.
EXTENSION_MAX_MONTHS = 2


def _text(value: str | None, *, label: str, maximum: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(_("Fill in: %(field)s.") % {"field": label})
    if len(value) > maximum:
        raise RuleViolation(
            _("Keep %(field)s under %(count)d characters.") % {"field": label, "count": maximum}
        )
    return value


def _lock_request(request: SubjectRequest) -> SubjectRequest:
    return SubjectRequest.objects.select_for_update().get(pk=request.pk)


def _move(actor: User, request: SubjectRequest, target: str) -> str:
    """Move ``request`` to ``target`` through the transition table (the caller saves)."""
    step = subject_request_step(request.status, target)
    request.status = target
    return step


def subject_request_register(
    *,
    actor: User,
    cell: Cell,
    kind: str,
    received_on: date,
    family_name: str,
    given_names: str,
    birth_date: date | None,
    request_text: str,
    contact: str,
) -> SubjectRequest:
    """Register a request the cell received; the legal deadline starts on ``received_on``."""
    require(actor, Action.SUBJECT_REQUEST_COMPILE, cell)
    if kind not in SubjectRequestKind.values:
        raise RuleViolation(_("Choose the kind of request."))
    if received_on > timezone.localdate():
        raise RuleViolation(_("The date of receipt cannot be in the future."))
    family_name = _text(family_name, label=_("family name"), maximum=120)
    given_names = _text(given_names, label=_("given names"), maximum=160)
    request_text = _text(request_text, label=_("the request"), maximum=REQUEST_TEXT_MAX)
    contact = _text(contact, label=_("channel and contact details"), maximum=CONTACT_MAX)
    with transaction.atomic():
        Cell.objects.select_for_update().get(pk=cell.pk)  # serialise the numbering
        year = received_on.year
        number = (
            SubjectRequest.objects.filter(cell=cell, year=year).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        request = SubjectRequest.objects.create(
            cell=cell,
            year=year,
            number=number,
            kind=kind,
            received_on=received_on,
            requester_family_name=family_name,
            requester_given_names=given_names,
            requester_birth_date=birth_date,
            request_text=request_text,
            contact=contact,
            registered_by=actor,
            **subject_keys(
                cell_id=cell.pk,
                family_name=family_name,
                given_names=given_names,
                birth_date=birth_date,
            ),
        )
        audit_record(
            actor=actor,
            action="SUBJECT_REQUEST_REGISTERED",
            cell=cell,
            obj=request,
            data={"kind": kind, "reference": request.reference},
            values={"received_on": (None, received_on), "kind": (None, kind)},
        )
    return request


def _organisation_at(cell_id: int, user_id: int | None) -> int | None:
    """The organisation ``user_id`` acts for in the cell (their latest membership)."""
    if user_id is None:
        return None
    return (
        Membership.objects.filter(cell_id=cell_id, user_id=user_id)
        .order_by("-term_start", "-pk")
        .values_list("organisation_id", flat=True)
        .first()
    )


def _items_by_organisation(
    cell_id: int, case_ids: list[int], signals: list[Signal]
) -> dict[int, list[SubjectRequestItem]]:
    """Every entry about the matched cases and signals, by the organisation that wrote it.

    Police-only entries are left out here, once and for all: they never enter the workflow.
    """
    found: dict[int, list[SubjectRequestItem]] = defaultdict(list)

    def add(organisation_id: int | None, kind: str, pk: int, case_id: int | None) -> None:
        if organisation_id is not None:
            found[organisation_id].append(
                SubjectRequestItem(kind=kind, object_id=pk, case_id=case_id)
            )

    in_cell = {"case_id__in": case_ids, "case__cell_id": cell_id}
    for model, kind in (
        (JournalEntry, SubjectItemKind.JOURNAL),
        (Attachment, SubjectItemKind.ATTACHMENT),
    ):
        rows = (
            model.objects.filter(**in_cell)
            .exclude(visibility=Visibility.POLICE)
            .values_list("pk", "case_id", "organisation_id")
        )
        for pk, case_id, organisation_id in rows:
            add(organisation_id, kind, pk, case_id)
    for pk, case_id, organisation_id in Assessment.objects.filter(**in_cell).values_list(
        "pk", "case_id", "organisation_id"
    ):
        add(organisation_id, SubjectItemKind.ASSESSMENT, pk, case_id)
    for pk, case_id, organisation_id in PathwayAction.objects.filter(**in_cell).values_list(
        "pk", "case_id", "owner_organisation_id"
    ):
        add(organisation_id, SubjectItemKind.ACTION, pk, case_id)
    for signal in signals:
        # The reporting organisation reviews its signal; an anonymous source stays with the
        # coordinator who entered it, so that nobody learns the source from the counts.
        reporter = None if signal.source_anonymous else signal.source_organisation_id
        add(
            reporter or _organisation_at(cell_id, signal.entered_by_id),
            SubjectItemKind.SIGNAL,
            signal.pk,
            signal.case_id,
        )
    return found


def subject_request_compile(*, actor: User, request: SubjectRequest) -> SubjectRequest:
    """Find the cell's cases and signals about the requester (exact identity match) and give
    each organisation that wrote entries about them its part to review.

    Police-only entries are never included. The audit event records counts, not content.
    """
    require(actor, Action.SUBJECT_REQUEST_COMPILE, request.cell_id)
    with transaction.atomic():
        request = _lock_request(request)
        if request.status != SubjectRequestStatus.RECEIVED:
            raise RuleViolation(_("This request has already been compiled."))
        cases = list(
            Case.objects.filter(cell_id=request.cell_id, identity_key=request.identity_key)
            .only("pk", "year", "number")
            .order_by("year", "number")
        )
        signals = list(
            Signal.objects.filter(cell_id=request.cell_id, identity_key=request.identity_key)
            .only(
                "pk",
                "reference",
                "case_id",
                "source_organisation_id",
                "source_anonymous",
                "entered_by_id",
            )
            .order_by("pk")
        )
        SubjectRequestMatch.objects.bulk_create(
            [SubjectRequestMatch(request=request, case_id=c.pk, label=c.reference) for c in cases]
            + [
                SubjectRequestMatch(request=request, signal_id=s.pk, label=s.reference)
                for s in signals
            ]
        )
        by_organisation = _items_by_organisation(
            request.cell_id, [case.pk for case in cases], signals
        )
        items = 0
        for organisation_id, rows in sorted(by_organisation.items()):
            review = SubjectRequestReview.objects.create(
                request=request, organisation_id=organisation_id
            )
            for row in rows:
                row.review = review
            SubjectRequestItem.objects.bulk_create(rows)
            items += len(rows)
        target = (
            SubjectRequestStatus.IN_REVIEW
            if by_organisation
            else SubjectRequestStatus.AWAITING_DECISION
        )
        _move(actor, request, target)
        request.compiled_by = actor
        request.compiled_at = timezone.now()
        request.save(update_fields=["status", "compiled_by", "compiled_at"])
        audit_record(
            actor=actor,
            action="SUBJECT_REQUEST_COMPILED",
            cell=request.cell,
            obj=request,
            data={
                "cases": len(cases),
                "signals": len(signals),
                "organisations": len(by_organisation),
                "items": items,
            },
        )
    return request


def subject_request_extend(
    *, actor: User, request: SubjectRequest, months: int, reason: str
) -> SubjectRequest:
    """Extend the deadline by one or two months (art. 12(3)), with the reason written down.

    The requester must be told within the first month, so the extension is recorded before
    the first deadline passes; the total never exceeds two months.
    """
    require(actor, Action.SUBJECT_REQUEST_COMPILE, request.cell_id)
    reason = _text(reason, label=_("reason for the extension"), maximum=REASON_MAX_LENGTH)
    with transaction.atomic():
        request = _lock_request(request)
        if not request.is_open:
            raise RuleViolation(_("A decided request is no longer extended."))
        if months not in (1, 2) or request.extension_months + months > EXTENSION_MAX_MONTHS:
            raise RuleViolation(_("The deadline can be extended by two further months at most."))
        if timezone.localdate() > request.initial_deadline:
            raise RuleViolation(
                _("The first month has passed: the extension had to be decided within it.")
            )
        old_months, old_reason = request.extension_months, request.extension_reason
        request.extension_months += months
        request.extension_reason = f"{old_reason}\n\n{reason}".strip() if old_reason else reason
        request.extended_at = timezone.now()
        request.extended_by = actor
        request.save(
            update_fields=["extension_months", "extension_reason", "extended_at", "extended_by"]
        )
        audit_record(
            actor=actor,
            action="SUBJECT_REQUEST_EXTENDED",
            cell=request.cell,
            obj=request,
            data={"months": request.extension_months},
            values={
                "extension_months": (old_months, request.extension_months),
                "extension_reason": (old_reason, request.extension_reason),
            },
        )
    return request


def subject_review_submit(
    *,
    actor: User,
    review: SubjectRequestReview,
    decisions: dict[int, tuple[bool, str, str]],
) -> SubjectRequestReview:
    """Record an organisation's review of its own entries: each one disclosed, or withheld
    with a reason. The last review puts the request before the chair.

    ``decisions`` maps each item id to (disclose, withhold reason, note).
    """
    if not subject_review_allowed(actor, review):
        raise Forbidden("subject_review")
    with transaction.atomic():
        request = _lock_request(review.request)
        review = SubjectRequestReview.objects.select_for_update().get(pk=review.pk)
        if review.status != SubjectReviewStatus.PENDING:
            raise RuleViolation(_("This part has already been reviewed."))
        items = list(review.items.all())
        if set(decisions) != {item.pk for item in items}:
            raise RuleViolation(_("Decide on every entry: disclose it or withhold it."))
        for item in items:
            disclose, reason, note = decisions[item.pk]
            note = _text(note, label=_("note"), maximum=REASON_MAX_LENGTH, required=False)
            if not disclose and reason not in WithholdReason.values:
                raise RuleViolation(_("Give the reason for every entry you withhold."))
            if not disclose and reason == WithholdReason.OTHER and not note:
                raise RuleViolation(_("Explain in the note why the entry is withheld."))
            item.disclose = disclose
            item.withhold_reason = "" if disclose else reason
            item.withhold_note = "" if disclose else note
            item.save(update_fields=["disclose", "withhold_reason", "withhold_note"])
        review.status = SubjectReviewStatus.DONE
        review.reviewed_by = actor
        review.reviewed_at = timezone.now()
        review.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        disclosed = sum(1 for item in items if item.disclose)
        all_done = not request.reviews.filter(status=SubjectReviewStatus.PENDING).exists()
        if all_done:
            _move(actor, request, SubjectRequestStatus.AWAITING_DECISION)
            request.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="SUBJECT_REVIEW_SUBMITTED",
            cell=request.cell,
            obj=review,
            data={
                "request": request.pk,
                "organisation": review.organisation_id,
                "disclosed": disclosed,
                "withheld": len(items) - disclosed,
                "reviews_done": all_done,
            },
        )
    return review


def subject_request_decide(
    *,
    actor: User,
    request: SubjectRequest,
    outcome: str,
    legal_ground: str,
    note: str,
    erase: Iterable[int] = (),
) -> SubjectRequest:
    """The chair decides, with the legal ground (art. 12(4) asks for the reasons).

    A granted erasure marks every matched case and signal for erasure; a partly granted one
    the matches in ``erase``. Nothing is deleted here: the retention purge reads
    ``selectors.subject_request_erasures``.
    """
    require(actor, Action.SUBJECT_REQUEST_DECIDE, request.cell_id)
    if outcome not in SubjectRequestOutcome.values:
        raise RuleViolation(_("Choose the decision."))
    legal_ground = _text(legal_ground, label=_("legal ground"), maximum=LEGAL_GROUND_MAX)
    note = _text(note, label=_("decision note"), maximum=REQUEST_TEXT_MAX, required=False)
    chosen = set(erase)
    with transaction.atomic():
        request = _lock_request(request)
        if request.status != SubjectRequestStatus.AWAITING_DECISION:
            raise RuleViolation(_("The request is not ready for a decision yet."))
        to_erase: list[SubjectRequestMatch] = []
        if request.kind == SubjectRequestKind.ERASURE:
            matches = list(request.matches.all())
            if chosen - {match.pk for match in matches}:
                raise Forbidden("subject_request_match")
            if outcome == SubjectRequestOutcome.GRANTED:
                to_erase = matches
            elif outcome == SubjectRequestOutcome.PARTLY_GRANTED:
                to_erase = [match for match in matches if match.pk in chosen]
                if not to_erase and matches:
                    raise RuleViolation(_("Tick the cases and signals that are to be erased."))
            for match in to_erase:
                match.erase = True
            SubjectRequestMatch.objects.bulk_update(to_erase, ["erase"])
        _move(actor, request, SubjectRequestStatus.DECIDED)
        request.outcome = outcome
        request.legal_ground = legal_ground
        request.decision_note = note
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save(
            update_fields=[
                "status",
                "outcome",
                "legal_ground",
                "decision_note",
                "decided_by",
                "decided_at",
            ]
        )
        audit_record(
            actor=actor,
            action="SUBJECT_REQUEST_DECIDED",
            cell=request.cell,
            obj=request,
            data={
                "kind": request.kind,
                "outcome": outcome,
                "erase_cases": sum(1 for m in to_erase if m.case_id is not None),
                "erase_signals": sum(1 for m in to_erase if m.case_id is None),
            },
            values={
                "outcome": ("", outcome),
                "legal_ground": ("", legal_ground),
                "decision_note": ("", note),
            },
        )
    return request


def subject_request_rectified(*, actor: User, request: SubjectRequest, note: str) -> SubjectRequest:
    """The coordinator records that a granted rectification was made in the file."""
    require(actor, Action.SUBJECT_REQUEST_COMPILE, request.cell_id)
    note = _text(note, label=_("what was corrected"), maximum=REQUEST_TEXT_MAX)
    with transaction.atomic():
        request = _lock_request(request)
        if not rectification_due(request):
            raise RuleViolation(_("Only a granted rectification is recorded as made."))
        if request.rectified_at is not None:
            raise RuleViolation(_("The correction has already been recorded."))
        request.rectified_at = timezone.now()
        request.rectified_by = actor
        request.rectification_note = note
        request.save(update_fields=["rectified_at", "rectified_by", "rectification_note"])
        audit_record(
            actor=actor,
            action="SUBJECT_REQUEST_RECTIFIED",
            cell=request.cell,
            obj=request,
            values={"rectification_note": ("", note)},
        )
    return request


def rectification_due(request: SubjectRequest) -> bool:
    """A decided rectification that was (partly) granted: the file must be corrected."""
    return (
        request.kind == SubjectRequestKind.RECTIFICATION
        and request.status == SubjectRequestStatus.DECIDED
        and request.outcome in {SubjectRequestOutcome.GRANTED, SubjectRequestOutcome.PARTLY_GRANTED}
    )


def subject_request_close(*, actor: User, request: SubjectRequest) -> SubjectRequest:
    """Close a decided request once the requester has been answered."""
    require(actor, Action.SUBJECT_REQUEST_COMPILE, request.cell_id)
    with transaction.atomic():
        request = _lock_request(request)
        if rectification_due(request) and request.rectified_at is None:
            raise RuleViolation(_("Record the correction first."))
        _move(actor, request, SubjectRequestStatus.CLOSED)
        request.closed_at = timezone.now()
        request.closed_by = actor
        request.save(update_fields=["status", "closed_at", "closed_by"])
        audit_record(actor=actor, action="SUBJECT_REQUEST_CLOSED", cell=request.cell, obj=request)
    return request
