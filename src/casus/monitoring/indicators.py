"""The indicators of product.md §5, computed from aggregate queries over one cell and period.

Nothing here reads case content or an encrypted field: counts grouped by codes, and the
timestamps needed for durations. Each event counts in the period of its own date (local
Brussels days): a signal when received or screened, a case when opened, closed (the
``CASE_CLOSED`` rows of the append-only change log, so a closure stays counted after a
reopening or a purge) or reopened (``CASE_REOPENED`` rows). Destroyed records count through
their anonymised ``PurgedStatistic`` rows where those support the figure (see ADR 0027).
"""

from collections import Counter
from datetime import datetime
from typing import Any, TypedDict

from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.fields.json import KT

from casus.access.models import (
    Charter,
    DocumentStatus,
    Membership,
    StatementSignature,
    StatementText,
)
from casus.audit.models import AuditEvent
from casus.cases.models import (
    ActionStatus,
    Case,
    CaseStatus,
    ClosureReason,
    PathwayAction,
    ScreeningOutcome,
    Signal,
)
from casus.meetings.models import (
    AgendaItem,
    Attendance,
    FeedbackSheet,
    Invitation,
    Meeting,
    MeetingStatus,
    Vote,
)
from casus.retention.models import PurgedStatistic, RecordType

from .periods import Period, Quarter, local_day, quarters_between

#: The source "sector" of a signal entered for an outside reporter, and of a destroyed one.
OUTSIDE = "outside"
DESTROYED = "destroyed"
NOT_RETAINED = (
    ScreeningOutcome.ORDINARY_CARE,
    ScreeningOutcome.NO_SIGNS,
    ScreeningOutcome.FOLLOWED_ELSEWHERE,
)
HELD = (MeetingStatus.STARTED, MeetingStatus.ENDED)


class Figures(TypedDict):
    """One cell's (or region's) figures of one period: integer counts and duration lists."""

    counts: dict[str, int]
    durations: dict[str, list[int]]


def empty() -> Figures:
    return {"counts": {}, "durations": {}}


def add(total: Figures, part: Figures) -> Figures:
    """Sum two sets of figures (a region's quarter: the sum of its cells' quarters)."""
    counts = Counter(total["counts"])
    counts.update(part["counts"])
    durations = {name: list(values) for name, values in total["durations"].items()}
    for name, values in part["durations"].items():
        durations.setdefault(name, []).extend(values)
    return {"counts": dict(counts), "durations": durations}


def figures_for(cell_id: int, period: Period) -> Figures:
    """Every indicator of ``cell_id`` over ``period``."""
    counts: dict[str, int] = {}
    durations: dict[str, list[int]] = {}
    purged = _purged(cell_id, period)
    _structure(cell_id, period, counts)
    _signals(cell_id, period, purged, counts, durations)
    _cases(cell_id, period, counts, durations)
    _actions(cell_id, period, counts)
    _feedback(cell_id, period, counts)
    return {"counts": counts, "durations": durations}


def _between(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _days(start: datetime, end: datetime) -> int:
    return (local_day(end) - local_day(start)).days


def _put(counts: dict[str, int], prefix: str, rows: Counter[str], categories: list[str]) -> None:
    """A breakdown: one count per category (zeros included) and its total."""
    for category in categories:
        counts[f"{prefix}.{category}"] = rows.get(category, 0)
    counts[prefix] = sum(rows.get(category, 0) for category in categories)


# --- Structure: about the cell, not about persons ---------------------------------------------


def _members_at_end(cell_id: int, period: Period):  # type: ignore[no-untyped-def]
    return Membership.objects.filter(
        Q(cell_id=cell_id),
        Q(term_start__lte=period.last),
        Q(term_end__isnull=True) | Q(term_end__gte=period.last),
        Q(ended_at__isnull=True) | Q(ended_at__gte=period.end),
    )


def _structure(cell_id: int, period: Period, counts: dict[str, int]) -> None:
    from casus.access.models import Sector, TableKind

    charter = (
        Charter.objects.filter(
            cell_id=cell_id,
            status__in=(DocumentStatus.ACTIVE, DocumentStatus.SUPERSEDED),
            adopted_on__lte=period.last,
        )
        .order_by("-version")
        .first()
    )
    counts["structure.charter_active"] = int(charter is not None)
    counts["structure.charter_version"] = charter.version if charter is not None else 0
    members = _members_at_end(cell_id, period)
    by_sector = Counter(
        dict(members.values_list("organisation__sector").annotate(n=Count("pk")).order_by())
    )
    _put(counts, "structure.members", by_sector, list(Sector.values))
    held = Meeting.objects.filter(_between("started_at", period), cell_id=cell_id, status__in=HELD)
    by_kind = Counter(dict(held.values_list("table__kind").annotate(n=Count("pk")).order_by()))
    _put(counts, "structure.meetings", by_kind, list(TableKind.values))
    counts["structure.invited"] = (
        Invitation.objects.filter(item__meeting__in=held)
        .values("item__meeting_id", "membership__user_id")
        .distinct()
        .count()
    )
    counts["structure.present"] = Attendance.objects.filter(meeting__in=held).count()
    text = (
        StatementText.objects.filter(
            Q(approved_at__lt=period.end) | Q(approved_at__isnull=True, created_at__lt=period.end),
            cell_id=cell_id,
            status__in=(DocumentStatus.ACTIVE, DocumentStatus.SUPERSEDED),
        )
        .order_by("-version")
        .first()
    )
    signed = (
        StatementSignature.objects.filter(
            text=text, signed_at__lt=period.end, expires_at__gte=period.end
        ).values("user_id")
        if text is not None
        else StatementSignature.objects.none().values("user_id")
    )
    counts["structure.statements_ok"] = (
        members.filter(user_id__in=signed).values("user_id").distinct().count()
    )


# --- Process, information sharing, outcomes -------------------------------------------------


def _purged(cell_id: int, period: Period) -> list[dict[str, Any]]:
    """Destroyed records of the quarters wholly inside ``period``, and of every earlier quarter
    (key ``before``): the stock of open cases needs those."""
    first, last = Quarter.of(period.first), Quarter.of(period.last)
    inside = [q for q in quarters_between(first, last) if period.covers(q)]
    rows = PurgedStatistic.objects.filter(cell_id=cell_id).values(
        "record_type", "year", "quarter", "status", "outcome"
    )
    facts = []
    for row in rows.annotate(n=Count("pk")).order_by():
        quarter = Quarter(row["year"], row["quarter"])
        row["inside"] = quarter in inside
        row["before"] = quarter.last_day <= period.last
        facts.append(row)
    return facts


def _signals(
    cell_id: int,
    period: Period,
    purged: list[dict[str, Any]],
    counts: dict[str, int],
    durations: dict[str, list[int]],
) -> None:
    from casus.access.models import Sector

    signals = Signal.objects.filter(cell_id=cell_id)
    received = Counter[str]()
    rows = signals.filter(_between("received_at", period)).values_list(
        "source_organisation__sector"
    )
    for sector, n in rows.annotate(n=Count("pk")).order_by():
        received[sector or OUTSIDE] += n
    screened = Counter[str](
        dict(
            signals.filter(_between("screened_at", period))
            .values_list("screening_outcome")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    for fact in purged:
        if fact["inside"] and fact["record_type"] == RecordType.SIGNAL:
            received[DESTROYED] += fact["n"]
            if fact["outcome"] in ScreeningOutcome.values:
                screened[fact["outcome"]] += fact["n"]
    _put(counts, "signals.received", received, [*Sector.values, OUTSIDE, DESTROYED])
    _put(counts, "signals.screened", screened, list(ScreeningOutcome.values))
    counts["signals.not_retained"] = sum(screened.get(o, 0) for o in NOT_RETAINED)
    durations["screening_days"] = sorted(
        _days(received_at, screened_at)
        for received_at, screened_at in signals.filter(_between("screened_at", period))
        .values_list("received_at", "screened_at")
        .order_by()
        if screened_at is not None
    )
    first_held = (
        AgendaItem.objects.filter(case_id=OuterRef("pk"), meeting__status__in=HELD)
        .order_by("meeting__started_at")
        .values("meeting__started_at")[:1]
    )
    discussed = (
        Case.objects.filter(cell_id=cell_id)
        .annotate(first_held=Subquery(first_held), screened=Min("signals__screened_at"))
        .filter(_between("first_held", period))
        .values_list("opened_at", "screened", "first_held")
        .order_by()
    )
    durations["discussion_days"] = sorted(
        _days(screened or opened, held) for opened, screened, held in discussed if held
    )


def _closures(cell_id: int):  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(cell_id=cell_id, action="CASE_CLOSED")


def _cases(
    cell_id: int, period: Period, counts: dict[str, int], durations: dict[str, list[int]]
) -> None:
    cases = Case.objects.filter(cell_id=cell_id)
    # A destroyed case counts as opened on the first day of its quarter (the earliest day it
    # can have been opened), in the flow and in the stock alike. Its closures are in the change
    # log with their own moment, never before its opening: so the stock never goes negative,
    # and the stock identity holds between any two periods. For whole quarters this is the
    # quarter of the destroyed case, as before.
    destroyed = [
        Quarter(y, q).first_day
        for y, q in PurgedStatistic.objects.filter(
            cell_id=cell_id, record_type=RecordType.CASE
        ).values_list("year", "quarter")
    ]
    opened = cases.filter(_between("opened_at", period)).count()
    opened += sum(1 for day in destroyed if period.first <= day <= period.last)
    counts["cases.opened"] = opened
    closures = _closures(cell_id).filter(_between("at", period))
    by_reason = Counter[str](
        dict(
            closures.annotate(reason=KT("data__reason"))
            .values_list("reason")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    _put(counts, "cases.closed", by_reason, list(ClosureReason.values))
    reopenings = AuditEvent.objects.filter(cell_id=cell_id, action="CASE_REOPENED")
    counts["cases.reopened"] = reopenings.filter(_between("at", period)).count()
    # The stock at the end: every opening, reopening and closure up to then.
    ever_opened = cases.filter(opened_at__lt=period.end).count() + sum(
        1 for day in destroyed if day <= period.last
    )
    counts["cases.open_end"] = (
        ever_opened
        + reopenings.filter(at__lt=period.end).count()
        - _closures(cell_id).filter(at__lt=period.end).count()
    )
    closed = list(closures.values_list("case_id", "at").order_by())
    opened_at = dict(cases.filter(pk__in=[pk for pk, _at in closed]).values_list("pk", "opened_at"))
    durations["case_days"] = sorted(
        _days(opened_at[pk], at) for pk, at in closed if pk in opened_at
    )


def _actions(cell_id: int, period: Period, counts: dict[str, int]) -> None:
    actions = PathwayAction.objects.filter(case__cell_id=cell_id)
    on_time = late = 0
    done = actions.filter(_between("updated_at", period), status=ActionStatus.DONE)
    for updated_at, due_on in done.values_list("updated_at", "due_on").order_by():
        if due_on is not None and local_day(updated_at) > due_on:
            late += 1
        else:
            on_time += 1
    counts["actions.done_on_time"] = on_time
    counts["actions.done_late"] = late
    # Open at the end of the period (not done or cancelled by then), due on or before its last
    # day, in a case not closed by then. The same rule as "done late" (done on a day after
    # ``due_on``): an action due on the last day and still open when that day ends can only be
    # done on a later day, i.e. late — it is overdue at the end.
    counts["actions.overdue_end"] = (
        actions.filter(created_at__lt=period.end, due_on__lte=period.last)
        .exclude(status__in=(ActionStatus.DONE, ActionStatus.CANCELLED), updated_at__lt=period.end)
        .exclude(case__status=CaseStatus.CLOSED, case__closed_at__lt=period.end)
        .count()
    )


def _feedback(cell_id: int, period: Period, counts: dict[str, int]) -> None:
    sheets = FeedbackSheet.objects.filter(item__meeting__cell_id=cell_id)
    counts["feedback.proposed"] = sheets.filter(_between("created_at", period)).count()
    counts["feedback.sent"] = sheets.filter(
        sent_at__gte=period.first, sent_at__lte=period.last
    ).count()
    counts["feedback.blocked"] = (
        sheets.annotate(first_objection=Min("votes__voted_at", filter=Q(votes__vote=Vote.OBJECT)))
        .filter(_between("first_objection", period))
        .count()
    )
