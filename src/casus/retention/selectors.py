"""Reads of retention: what is due, the runs, the destruction log and the statistics."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from casus.access.models import Cell, Charter, User
from casus.access.rules import Action, require
from casus.access.selectors import charter_active
from casus.cases.models import Case, CaseStatus, Handover, HandoverStatus, Signal, SignalStatus
from casus.core.exceptions import Forbidden
from casus.meetings.models import AgendaItem, MeetingStatus

from .models import (
    DestructionRecord,
    HoldReason,
    PurgedStatistic,
    PurgeRun,
    RecordType,
    Rule,
)
from .periods import add_months, local_day, was_minor

# --- What is due --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One record that the charter (or an erasure decision) makes due for destruction."""

    record_type: str
    record_id: int
    reference: str
    rule: str
    due_on: date
    # Set when the record is due but must not go now.
    hold: str = ""


def _erasures(cell_id: int) -> tuple[set[int], set[int]]:
    """Case and signal ids whose erasure the chair granted on a data-subject request."""
    try:
        from casus.privacy.selectors import subject_request_erasures
    except ImportError:  # the subject-request workflow is not installed
        return set(), set()
    cases, signals = subject_request_erasures(cell_id)
    return set(cases), set(signals)


def _period(charter: Charter, months: int, minor: bool) -> tuple[int, str | None]:
    """The period in months and, when the shorter minors' period applies, the minor rule."""
    if minor and charter.retention_minor_months < months:
        return charter.retention_minor_months, Rule.MINOR
    return months, None


def signal_due(signal: Signal, charter: Charter, as_of: date, erasures: set[int]) -> Due | None:
    """When a signal that opened no case falls due (not retained), or None."""
    if signal.case_id is not None:
        return None  # it goes with its case
    if signal.pk in erasures:
        return Due(RecordType.SIGNAL, signal.pk, signal.reference, Rule.ERASURE, as_of)
    # Only a signal screened as not retained has a retention clock; the others are live.
    if signal.status != SignalStatus.NOT_RETAINED:
        return None
    start = signal.screened_at or signal.handled_at or signal.received_at
    minor = was_minor(signal.subject_birth_date, signal.received_at)
    months, minor_rule = _period(charter, charter.retention_not_retained_months, minor)
    due_on = add_months(local_day(start), months)
    if due_on > as_of:
        return None
    return Due(
        RecordType.SIGNAL, signal.pk, signal.reference, minor_rule or Rule.NOT_RETAINED, due_on
    )


def case_due(
    case: Case, charter: Charter, as_of: date, erasures: set[int], holds: dict[int, str]
) -> Due | None:
    """When a case (and the signals that opened or joined it) falls due, or None."""
    if case.pk in erasures:
        return Due(
            RecordType.CASE, case.pk, case.reference, Rule.ERASURE, as_of, holds.get(case.pk, "")
        )
    # Only a closed case has a retention clock.
    if case.status != CaseStatus.CLOSED or case.closed_at is None:
        return None
    minor = was_minor(case.subject_birth_date, case.opened_at)
    months, minor_rule = _period(charter, charter.retention_closed_months, minor)
    due_on = add_months(local_day(case.closed_at), months)
    if due_on > as_of:
        return None
    return Due(
        RecordType.CASE,
        case.pk,
        case.reference,
        minor_rule or Rule.CLOSED,
        due_on,
        holds.get(case.pk, ""),
    )


def _holds(cell_id: int, case_ids: set[int] | None = None) -> dict[int, str]:
    """Cases that must not go now: on a coming meeting's agenda, or a handover pending."""
    holds: dict[int, str] = {}
    items = AgendaItem.objects.filter(
        meeting__cell_id=cell_id,
        case__isnull=False,
        meeting__status__in=[MeetingStatus.DRAFT, MeetingStatus.PUBLISHED, MeetingStatus.STARTED],
    )
    handovers = Handover.objects.filter(from_cell_id=cell_id, status=HandoverStatus.PENDING)
    if case_ids is not None:
        items = items.filter(case_id__in=case_ids)
        handovers = handovers.filter(from_case_id__in=case_ids)
    for case_id in items.values_list("case_id", flat=True):
        holds[case_id] = HoldReason.COMING_MEETING
    for case_id in handovers.values_list("from_case_id", flat=True):
        holds.setdefault(case_id, HoldReason.HANDOVER_PENDING)
    return holds


def due_records(cell: Cell, as_of: date | None = None) -> list[Due]:
    """Every record of ``cell`` due for destruction on ``as_of`` (today), holds included.

    Empty when the cell has no active charter: without adopted periods nothing is destroyed.
    """
    as_of = as_of or timezone.localdate()
    charter = charter_active(cell=cell)
    if charter is None:
        return []
    case_erasures, signal_erasures = _erasures(cell.pk)
    holds = _holds(cell.pk)
    found: list[Due] = []
    signals = Signal.objects.filter(cell=cell, case__isnull=True).only(
        "pk",
        "cell_id",
        "reference",
        "status",
        "case_id",
        "screened_at",
        "handled_at",
        "received_at",
        "subject_birth_date",
    )
    for signal in signals.iterator():
        due = signal_due(signal, charter, as_of, signal_erasures)
        if due is not None:
            found.append(due)
    cases = Case.objects.filter(cell=cell).only(
        "pk",
        "cell_id",
        "year",
        "number",
        "status",
        "closed_at",
        "opened_at",
        "subject_birth_date",
    )
    for case in cases.iterator():
        due = case_due(case, charter, as_of, case_erasures, holds)
        if due is not None:
            found.append(due)
    return found


def record_still_due(cell: Cell, record_type: str, record_id: int) -> tuple[Due | None, str]:
    """Re-check one record just before it is destroyed: (due, "") or (None, hold reason)."""
    today = timezone.localdate()
    charter = charter_active(cell=cell)
    if record_type == RecordType.CASE:
        case = Case.objects.filter(cell=cell, pk=record_id).first()
        if case is None:
            return None, HoldReason.GONE
        if charter is None:
            return None, HoldReason.NOT_DUE
        erasures, _signals = _erasures(cell.pk)
        due = case_due(case, charter, today, erasures, _holds(cell.pk, {case.pk}))
        if due is None:
            return None, (
                HoldReason.REOPENED if case.status != CaseStatus.CLOSED else HoldReason.NOT_DUE
            )
        return (None, due.hold) if due.hold else (due, "")
    signal = Signal.objects.filter(cell=cell, pk=record_id).first()
    if signal is None:
        return None, HoldReason.GONE
    if charter is None:
        return None, HoldReason.NOT_DUE
    _cases, erasures = _erasures(cell.pk)
    due = signal_due(signal, charter, today, erasures)
    if due is None:
        return None, (
            HoldReason.REOPENED
            if signal.status != SignalStatus.NOT_RETAINED or signal.case_id
            else HoldReason.NOT_DUE
        )
    return due, ""


# --- Runs and the destruction log -----------------------------------------------------------


def run_list_for(*, actor: User, cell: Cell) -> QuerySet[PurgeRun]:
    """The cell's purge runs, newest first (chair, coordinator, DPO)."""
    require(actor, Action.RETENTION_READ, cell)
    return (
        PurgeRun.objects.filter(cell=cell)
        .select_related("prepared_by", "decided_by")
        .annotate(item_count=Count("items"))
        .order_by("-prepared_at", "-id")
    )


def run_get_for(*, actor: User, cell: Cell, pk: object) -> PurgeRun:
    """One purge run of the cell, for its report; 404 otherwise."""
    require(actor, Action.RETENTION_READ, cell)
    try:
        return PurgeRun.objects.select_related("prepared_by", "decided_by").get(  # type: ignore[misc]
            cell=cell, pk=pk
        )
    except (PurgeRun.DoesNotExist, ValueError, TypeError):
        raise Forbidden("purge run") from None


def run_get_for_decision(*, actor: User, cell: Cell, pk: object) -> PurgeRun:
    """One purge run of the cell, for the chair to approve or reject; 404 otherwise."""
    require(actor, Action.RETENTION_APPROVE, cell)
    return run_get_for(actor=actor, cell=cell, pk=pk)


def destruction_log_for(*, actor: User, cell: Cell) -> QuerySet[DestructionRecord]:
    """The cell's destruction log, newest first: record type, id, reference, rule, time."""
    require(actor, Action.RETENTION_READ, cell)
    return DestructionRecord.objects.filter(cell=cell).order_by("-destroyed_at", "-id")


def highest_destroyed_number(cell_id: int, prefix: str) -> int:
    """The highest sequence number of destroyed references starting with ``prefix`` (so that
    numbering never gives a destroyed case's or signal's number to another)."""
    highest = 0
    references = DestructionRecord.objects.filter(
        cell_id=cell_id, reference__startswith=prefix
    ).values_list("reference", flat=True)
    for reference in references:
        tail = reference[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return highest


# --- Statistics that survive purges ---------------------------------------------------------


def _quarter(at: datetime) -> tuple[int, int]:
    day = local_day(at)
    return day.year, (day.month - 1) // 3 + 1


def signal_fact(signal: Signal) -> dict[str, Any]:
    """The anonymised figures one signal contributes to the statistics."""
    year, quarter = _quarter(signal.received_at)
    days = (
        (local_day(signal.screened_at) - local_day(signal.received_at)).days
        if signal.screened_at
        else None
    )
    return {
        "record_type": RecordType.SIGNAL.value,
        "year": year,
        "quarter": quarter,
        "status": signal.status,
        "outcome": signal.screening_outcome,
        "minor": was_minor(signal.subject_birth_date, signal.received_at),
        "reopen_count": 0,
        "journal_entries": 0,
        "actions": 0,
        "meeting_items": 0,
        "days": days,
    }


def case_fact(case: Case, journal: int, actions: int, items: int) -> dict[str, Any]:
    """The anonymised figures one case contributes to the statistics."""
    year, quarter = _quarter(case.opened_at)
    days = (local_day(case.closed_at) - local_day(case.opened_at)).days if case.closed_at else None
    return {
        "record_type": RecordType.CASE.value,
        "year": year,
        "quarter": quarter,
        "status": case.status,
        "outcome": case.closure_reason,
        "minor": was_minor(case.subject_birth_date, case.opened_at),
        "reopen_count": case.reopen_count,
        "journal_entries": journal,
        "actions": actions,
        "meeting_items": items,
        "days": days,
    }


def case_fact_of(case: Case) -> dict[str, Any]:
    """``case_fact`` with the counts read from the database."""
    return case_fact(
        case,
        journal=case.journal.count(),
        actions=case.actions.count(),
        items=case.agenda_items.count(),
    )


_FACT_FIELDS = (
    "record_type", "year", "quarter", "status", "outcome", "minor", "reopen_count",
    "journal_entries", "actions", "meeting_items", "days",
)  # fmt: skip


def _facts(cell_id: int) -> list[dict[str, Any]]:
    """Every live and every destroyed record of the cell, as anonymised facts."""
    facts = [signal_fact(s) for s in Signal.objects.filter(cell_id=cell_id).iterator()]
    cases = Case.objects.filter(cell_id=cell_id).annotate(
        n_journal=Count("journal", distinct=True),
        n_actions=Count("actions", distinct=True),
        n_items=Count("agenda_items", distinct=True),
    )
    facts += [
        case_fact(c, journal=c.n_journal, actions=c.n_actions, items=c.n_items)
        for c in cases.iterator()
    ]
    facts += list(PurgedStatistic.objects.filter(cell_id=cell_id).values(*_FACT_FIELDS))
    return facts


@dataclass
class YearFigures:
    year: int
    signals: int = 0
    not_retained: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    minors: int = 0
    journal_entries: int = 0
    actions: int = 0
    days_open_total: int = 0


def statistics_for(cell_id: int) -> dict[str, Any]:
    """The cell's statistics over live and destroyed records alike: the same before and
    after a purge. ``by_key`` counts every combination of the anonymised facts."""
    facts = _facts(cell_id)
    by_key: Counter[tuple[Any, ...]] = Counter()
    years: dict[int, YearFigures] = {}
    for fact in facts:
        by_key[tuple(fact[name] for name in _FACT_FIELDS)] += 1
        row = years.setdefault(fact["year"], YearFigures(fact["year"]))
        row.minors += int(fact["minor"])
        if fact["record_type"] == RecordType.SIGNAL:
            row.signals += 1
            row.not_retained += int(fact["status"] == SignalStatus.NOT_RETAINED)
        else:
            row.cases_opened += 1
            row.cases_closed += int(fact["status"] == CaseStatus.CLOSED)
            row.journal_entries += fact["journal_entries"]
            row.actions += fact["actions"]
            row.days_open_total += fact["days"] or 0
    return {
        "by_key": by_key,
        "years": [years[year] for year in sorted(years, reverse=True)],
    }


def statistics_read(*, actor: User, cell: Cell) -> dict[str, Any]:
    """The statistics, for the people who read the retention reports."""
    require(actor, Action.RETENTION_READ, cell)
    return statistics_for(cell.pk)


def due_summary_for(*, actor: User, cell: Cell) -> dict[str, int]:
    """How many records are due today, and how many of them are held back (counts only)."""
    require(actor, Action.RETENTION_READ, cell)
    due = due_records(cell)
    held = sum(1 for d in due if d.hold)
    return {"due": len(due) - held, "held": held}
