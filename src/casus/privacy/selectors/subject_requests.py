"""Reads of the data-subject request workflow."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Cell, User
from casus.access.rules import (
    Action,
    can,
    require,
    subject_request_queryset_for,
    subject_review_allowed,
    subject_review_queryset_for,
)
from casus.audit.models import AccessKind
from casus.audit.services import access_record
from casus.cases.models import (
    Assessment,
    Attachment,
    Case,
    JournalEntry,
    PathwayAction,
    Signal,
    Visibility,
)
from casus.cases.selectors.common import case_read_record
from casus.core.exceptions import Forbidden

from ..models import (
    SubjectItemKind,
    SubjectRequest,
    SubjectRequestItem,
    SubjectRequestKind,
    SubjectRequestMatch,
    SubjectRequestOutcome,
    SubjectRequestReview,
    SubjectRequestStatus,
    WithholdReason,
    request_deadline,
)

#: The coordinator's list highlights requests due within this many days.
DUE_SOON_DAYS = 7


def _require_request_reader(actor: User, cell: Cell | int) -> None:
    """The coordinator (compiles) and the chair (decides) open requests; nobody else."""
    if not (
        can(actor, Action.SUBJECT_REQUEST_COMPILE, cell)
        or can(actor, Action.SUBJECT_REQUEST_DECIDE, cell)
    ):
        raise Forbidden("subject_request")


@dataclass(frozen=True)
class RequestRow:
    """A request in a list, with its deadline state (for the coordinator and the chair)."""

    request: SubjectRequest
    deadline: date
    overdue: bool
    due_soon: bool


def _deadline_state(deadline: date, is_open: bool, today: date | None = None) -> tuple[bool, bool]:
    today = today or timezone.localdate()
    overdue = is_open and deadline < today
    due_soon = is_open and not overdue and deadline <= today + timedelta(days=DUE_SOON_DAYS)
    return overdue, due_soon


def subject_request_list_for(*, actor: User, cell: Cell) -> list[RequestRow]:
    """The cell's requests, open ones first by deadline, then the rest newest first."""
    _require_request_reader(actor, cell)
    rows = []
    for request in subject_request_queryset_for(actor, cell).order_by("-year", "-number")[:500]:
        overdue, due_soon = _deadline_state(request.deadline, request.is_open)
        rows.append(RequestRow(request, request.deadline, overdue, due_soon))
    rows.sort(
        key=lambda row: (not row.request.is_open, row.deadline if row.request.is_open else date.min)
    )
    return rows


def subject_request_get_for(
    *, actor: User, cell: Cell, pk: object, action: Action | None = None
) -> SubjectRequest:
    """One request of the cell, for the coordinator or the chair (or only the role that may
    do ``action`` with it); 404 otherwise."""
    _require_request_reader(actor, cell)
    if action is not None:
        require(actor, action, cell)
    try:
        return subject_request_queryset_for(actor, cell).select_related("cell").get(pk=pk)  # type: ignore[misc]
    except (SubjectRequest.DoesNotExist, ValueError, TypeError):
        raise Forbidden("subject_request") from None


@dataclass(frozen=True)
class DecisionRow:
    """What the DPO sees of a request: the facts of the decision, never who or what."""

    reference: str
    kind: str
    received_on: date
    deadline: date
    status: str
    outcome: str
    decided_at: datetime | None
    closed_at: datetime | None
    overdue: bool


def subject_request_decisions_for(*, actor: User, cell: Cell) -> list[DecisionRow]:
    """Every request of the cell for the DPO: reference, kind, dates, status and outcome.

    Only plain columns are read: no name, no request text, no note leaves the database.
    """
    require(actor, Action.SUBJECT_REQUEST_DECISIONS, cell)
    rows = []
    for values in (
        SubjectRequest.objects.filter(cell=cell)
        .order_by("-year", "-number")
        .values(
            "year",
            "number",
            "kind",
            "received_on",
            "extension_months",
            "status",
            "outcome",
            "decided_at",
            "closed_at",
        )[:500]
    ):
        deadline = request_deadline(values["received_on"], values["extension_months"])
        is_open = values["status"] not in {
            SubjectRequestStatus.DECIDED,
            SubjectRequestStatus.CLOSED,
        }
        rows.append(
            DecisionRow(
                reference=f"V-{values['year']}-{values['number']:03d}",
                kind=str(SubjectRequestKind(values["kind"]).label),
                received_on=values["received_on"],
                deadline=deadline,
                status=str(SubjectRequestStatus(values["status"]).label),
                outcome=(
                    str(SubjectRequestOutcome(values["outcome"]).label) if values["outcome"] else ""
                ),
                decided_at=values["decided_at"],
                closed_at=values["closed_at"],
                overdue=_deadline_state(deadline, is_open)[0],
            )
        )
    return rows


@dataclass(frozen=True)
class OrganisationPart:
    """One organisation's part of a request, in counts: what the chair decides on."""

    review: SubjectRequestReview
    items: int
    disclosed: int
    withheld: int
    reasons: list[tuple[str, str]]  # (reason label, note) of each withheld entry


def subject_request_parts_for(*, actor: User, request: SubjectRequest) -> list[OrganisationPart]:
    """Per organisation: entries, disclosed, withheld and why (no entry content)."""
    _require_request_reader(actor, request.cell_id)
    parts = []
    for review in request.reviews.select_related("organisation", "reviewed_by"):
        items = list(review.items.all())
        withheld = [item for item in items if item.disclose is False]
        parts.append(
            OrganisationPart(
                review=review,
                items=len(items),
                disclosed=sum(1 for item in items if item.disclose),
                withheld=len(withheld),
                reasons=[
                    (str(WithholdReason(item.withhold_reason).label), item.withhold_note)
                    for item in withheld
                ],
            )
        )
    return parts


def subject_review_list_for(*, actor: User, cell: Cell) -> QuerySet[SubjectRequestReview]:
    """The reader's own organisation's parts to review, pending first."""
    if not (
        can(actor, Action.SUBJECT_REQUEST_REVIEW, cell)
        or can(actor, Action.SUBJECT_REQUEST_COMPILE, cell)
    ):
        raise Forbidden("subject_review")
    return (
        subject_review_queryset_for(actor, cell)
        .select_related("request", "organisation")
        .order_by("-status", "request__received_on", "pk")
    )


def subject_review_get_for(*, actor: User, cell: Cell, pk: object) -> SubjectRequestReview:
    """One review of the reader's own organisation; 404 for any other."""
    try:
        return (
            subject_review_queryset_for(actor, cell)
            .select_related("request", "request__cell", "organisation")
            .get(pk=pk)  # type: ignore[misc]
        )
    except (SubjectRequestReview.DoesNotExist, ValueError, TypeError):
        raise Forbidden("subject_review") from None


@dataclass(frozen=True)
class ItemView:
    """An entry as the reviewer (or the response) shows it."""

    item: SubjectRequestItem
    kind: str
    reference: str  # the case or signal number
    day: date | None
    text: str


def _case_labels(cell_id: int, case_ids: set[int]) -> dict[int, str]:
    rows = Case.objects.filter(cell_id=cell_id, pk__in=case_ids).values_list("pk", "year", "number")
    return {pk: f"{year}-{number:03d}" for pk, year, number in rows}


def _assessment_text(assessment: Assessment) -> str:
    lines = [assessment.summary]
    for part in assessment.domains.all():
        fields = (
            (_("observed signals"), part.observed_signals),
            (_("risk factors"), part.risk_factors),
            (_("protective factors"), part.protective_factors),
            (_("needs"), part.needs),
            (_("goal"), part.goal),
        )
        for label, value in fields:
            if value:
                lines.append(f"{part.domain.label} — {label}: {value}")
    return "\n".join(lines)


def _item_views(cell_id: int, items: list[SubjectRequestItem]) -> list[ItemView]:
    """Open the entries the items name, from the cell's rows only; police-only entries are
    never opened, even if an entry's visibility changed after compiling."""
    ids: dict[str, set[int]] = defaultdict(set)
    for item in items:
        ids[item.kind].add(item.object_id)
    texts: dict[tuple[str, int], tuple[date | None, str, int | None, str]] = {}
    in_cell = {"case__cell_id": cell_id}
    for entry in JournalEntry.objects.filter(
        pk__in=ids[SubjectItemKind.JOURNAL], **in_cell
    ).exclude(visibility=Visibility.POLICE):
        texts[(SubjectItemKind.JOURNAL, entry.pk)] = (
            entry.occurred_on,
            entry.text,
            entry.case_id,
            "",
        )
    for attachment in Attachment.objects.filter(
        pk__in=ids[SubjectItemKind.ATTACHMENT], **in_cell
    ).exclude(visibility=Visibility.POLICE):
        text = attachment.filename + (
            f" — {attachment.description}" if attachment.description else ""
        )
        texts[(SubjectItemKind.ATTACHMENT, attachment.pk)] = (
            timezone.localdate(attachment.uploaded_at),
            text,
            attachment.case_id,
            "",
        )
    for assessment in Assessment.objects.filter(
        pk__in=ids[SubjectItemKind.ASSESSMENT], **in_cell
    ).prefetch_related("domains__domain"):
        texts[(SubjectItemKind.ASSESSMENT, assessment.pk)] = (
            timezone.localdate(assessment.created_at),
            _assessment_text(assessment),
            assessment.case_id,
            "",
        )
    for action in PathwayAction.objects.filter(pk__in=ids[SubjectItemKind.ACTION], **in_cell):
        texts[(SubjectItemKind.ACTION, action.pk)] = (
            action.due_on,
            f"{action.description} ({action.get_status_display()})",
            action.case_id,
            "",
        )
    for signal in Signal.objects.filter(pk__in=ids[SubjectItemKind.SIGNAL], cell_id=cell_id):
        texts[(SubjectItemKind.SIGNAL, signal.pk)] = (
            signal.observed_on,
            f"{signal.observed_behaviour}\n{signal.concern}",
            None,
            signal.reference,
        )
    labels = _case_labels(cell_id, {item.case_id for item in items if item.case_id})
    views = []
    for item in items:
        found = texts.get((item.kind, item.object_id))
        if found is None:
            continue  # purged since, or now police-only: nothing to show
        day, text, case_id, signal_reference = found
        reference = labels.get(case_id, "") if case_id else signal_reference
        views.append(ItemView(item, str(SubjectItemKind(item.kind).label), reference, day, text))
    return views


def _log_reads(
    *, actor: User, cell: Cell, views: list[ItemView], kind: str, **data: object
) -> None:
    """One access-log row per case (and per signal without one) read through the workflow."""
    cases = {view.item.case_id for view in views if view.item.case_id}
    for case in Case.objects.filter(cell=cell, pk__in=cases).select_related("cell"):
        count = sum(1 for view in views if view.item.case_id == case.pk)
        case_read_record(actor=actor, case=case, kind=kind, items=count, **data)
    signal_ids = {
        view.item.object_id
        for view in views
        if view.item.kind == SubjectItemKind.SIGNAL and not view.item.case_id
    }
    for signal in Signal.objects.filter(cell=cell, pk__in=signal_ids).only("pk", "cell"):
        access_record(
            actor=actor,
            cell=cell,
            kind=AccessKind.SIGNAL if kind != AccessKind.EXPORT else kind,
            obj=signal,
            data={"items": 1, **data},
        )


def subject_review_items_for(*, actor: User, review: SubjectRequestReview) -> list[ItemView]:
    """The reviewer's own organisation's entries about the requester, with their text.

    Every read is written to the access log, in the same transaction as the read.
    """
    if not subject_review_allowed(actor, review):
        raise Forbidden("subject_review")
    cell = review.request.cell
    with transaction.atomic():
        views = _item_views(cell.pk, list(review.items.all()))
        _log_reads(
            actor=actor,
            cell=cell,
            views=views,
            kind=AccessKind.CASE,
            subject_request=review.request_id,
        )
    return views


@dataclass(frozen=True)
class Response:
    """The answer to the requester: the decision, and for access the disclosed entries."""

    request: SubjectRequest
    entries: list[ItemView]
    cases: list[str]
    signals: list[str]


def subject_request_response_for(*, actor: User, request: SubjectRequest, export: str) -> Response:
    """The decided request's answer: for a (partly) granted access, the disclosed entries
    only — never a police-only one —, and which files the cell holds. Its production is
    logged as an export of every case it shows."""
    _require_request_reader(actor, request.cell_id)
    if request.status not in {SubjectRequestStatus.DECIDED, SubjectRequestStatus.CLOSED}:
        raise Forbidden("subject_request_response")
    granted = request.outcome in {
        SubjectRequestOutcome.GRANTED,
        SubjectRequestOutcome.PARTLY_GRANTED,
    }
    if not (request.kind == SubjectRequestKind.ACCESS and granted):
        return Response(request, [], [], [])
    with transaction.atomic():
        items = list(
            SubjectRequestItem.objects.filter(review__request=request, disclose=True).order_by(
                "case_id", "kind", "object_id"
            )
        )
        views = _item_views(request.cell_id, items)
        matches = list(request.matches.all())
        _log_reads(
            actor=actor,
            cell=request.cell,
            views=views,
            kind=AccessKind.EXPORT,
            subject_request=request.pk,
            format=export,
        )
        access_record(
            actor=actor,
            cell=request.cell,
            kind=AccessKind.EXPORT,
            obj=request,
            data={"report": "subject_access", "format": export, "rows": len(views)},
        )
    return Response(
        request,
        views,
        [m.label for m in matches if m.case_id is not None],
        [m.label for m in matches if m.case_id is None],
    )


def subject_request_erasures(cell_id: int) -> tuple[set[int], set[int]]:
    """(case ids, signal ids) of the cell that granted erasure requests decided to erase.

    For the retention purge, which erases them; no permission here (a background job), and
    nothing but ids leaves.
    """
    rows = SubjectRequestMatch.objects.filter(
        request__cell_id=cell_id,
        request__kind=SubjectRequestKind.ERASURE,
        request__status__in=[SubjectRequestStatus.DECIDED, SubjectRequestStatus.CLOSED],
        request__outcome__in=[
            SubjectRequestOutcome.GRANTED,
            SubjectRequestOutcome.PARTLY_GRANTED,
        ],
        erase=True,
    ).values_list("case_id", "signal_id")
    cases = {case_id for case_id, _signal in rows if case_id is not None}
    signals = {signal_id for _case, signal_id in rows if signal_id is not None}
    return cases, signals
