"""Reads of signals: the reporter's own list, the screening queue, the chair's decisions,
one signal with its duplicate check.

The reporter's list carries only reference, received date and handled date: nothing that
tells whether the person is otherwise known.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from casus.access import rules
from casus.access.models import Cell, User
from casus.access.rules import (
    Action,
    can,
    case_queryset_for,
    require,
    signal_source_visible,
)
from casus.audit.models import AccessKind
from casus.audit.services import access_record

from ..models import Case, Signal, SignalStatus


def signal_list_mine(*, actor: User, cell: Cell) -> QuerySet[Signal]:
    """The signals ``actor`` reported in ``cell``: reference and dates only."""
    require(actor, Action.SIGNAL_SUBMIT, cell)
    return (
        Signal.objects.filter(cell=cell, reported_by=actor)
        .only("pk", "reference", "received_at", "handled_at")
        .order_by("-received_at", "-id")
    )


def _with_duplicate_flag(signals: QuerySet[Signal]) -> QuerySet[Signal]:
    same_case = Case.objects.filter(
        cell_id=OuterRef("cell_id"), identity_key=OuterRef("identity_key")
    )
    same_signal = Signal.objects.filter(
        cell_id=OuterRef("cell_id"), identity_key=OuterRef("identity_key")
    ).exclude(pk=OuterRef("pk"))
    return signals.annotate(
        has_case=Exists(same_case), has_other_signal=Exists(same_signal)
    ).select_related("source_organisation", "subject_municipality", "reported_by", "entered_by")


def screening_queue_for(*, actor: User, cell: Cell) -> QuerySet[Signal]:
    """Signals awaiting screening or the chair, oldest first, with a duplicate flag."""
    require(actor, Action.SIGNAL_SCREEN, cell)
    return _with_duplicate_flag(
        Signal.objects.filter(
            cell=cell, status__in=[SignalStatus.RECEIVED, SignalStatus.PROPOSED]
        ).order_by("received_at", "id")
    )


def decision_queue_for(*, actor: User, cell: Cell) -> list[Signal]:
    """Proposed signals awaiting the chair, with their duplicate check attached."""
    require(actor, Action.SIGNAL_DECIDE, cell)
    signals = list(
        Signal.objects.filter(cell=cell, status=SignalStatus.PROPOSED)
        .select_related(
            "subject_municipality",
            "coordinator_opinion_by",
            "officer_opinion_by",
            "screened_by",
        )
        .order_by("screened_at", "id")
    )
    attach_duplicates(actor=actor, cell=cell, signals=signals)
    return signals


def signal_get_for(*, actor: User, cell: Cell, pk: object) -> Signal:
    """One signal ``actor`` may open (screeners, or the chair once proposed); 404 otherwise."""
    try:
        return (
            rules.signal_queryset_for(actor, cell)
            .select_related(
                "cell",
                "source_organisation",
                "subject_municipality",
                "reported_by",
                "entered_by",
                "coordinator_opinion_by",
                "officer_opinion_by",
                "screened_by",
                "decided_by",
                "case",
            )
            .get(pk=pk)  # type: ignore[misc]
        )
    except (Signal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class Duplicates:
    """What the duplicate check found for one signal: same normalised identity, same cell."""

    cases: list[Case] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cases or self.signals)


def attach_duplicates(*, actor: User, cell: Cell, signals: Iterable[Signal]) -> None:
    """Set ``signal.duplicates`` on each signal, in two queries whatever their number.

    Only chair, coordinator and information officer run the check (never the reporter).
    """
    if not (can(actor, Action.SIGNAL_SCREEN, cell) or can(actor, Action.SIGNAL_DECIDE, cell)):
        raise Http404
    signals = list(signals)
    keys = {s.identity_key for s in signals}
    by_key_cases: dict[str, list[Case]] = defaultdict(list)
    by_key_signals: dict[str, list[Signal]] = defaultdict(list)
    if keys:
        for case in (
            case_queryset_for(actor, cell)
            .filter(identity_key__in=keys)
            .order_by("-year", "-number")
        ):
            by_key_cases[case.identity_key].append(case)
        for other in (
            Signal.objects.filter(cell=cell, identity_key__in=keys)
            .only("pk", "reference", "status", "received_at", "identity_key", "case_id")
            .order_by("-received_at", "-id")
        ):
            by_key_signals[other.identity_key].append(other)
    for signal in signals:
        signal.duplicates = Duplicates(  # type: ignore[attr-defined]
            cases=by_key_cases[signal.identity_key],
            signals=[o for o in by_key_signals[signal.identity_key] if o.pk != signal.pk],
        )


def signal_read_record(*, actor: User, signal: Signal) -> None:
    """Log that ``actor`` opened ``signal`` (the access log)."""
    access_record(
        actor=actor,
        cell=signal.cell,
        kind=AccessKind.SIGNAL,
        case_id=signal.case_id,
        obj=signal,
    )


def signal_list_read_record(
    *, actor: User, cell: Cell, view: str, signals: Iterable[Signal]
) -> None:
    """Log that ``actor`` read a list of signals (ids only, never content)."""
    access_record(
        actor=actor,
        cell=cell,
        kind=AccessKind.SIGNAL,
        data={"view": view, "signals": [s.pk for s in signals]},
    )


def source_visible(*, actor: User, signal: Signal) -> bool:
    """Whether ``actor`` sees who reported ``signal`` (an anonymous source: screeners only)."""
    return not signal.source_anonymous or signal_source_visible(actor, signal.cell_id)


def join_candidates_for(*, actor: User, signal: Signal) -> QuerySet[Case]:
    """Cases ``actor`` may choose from to join ``signal`` to (the form validates the id)."""
    return case_queryset_for(actor, signal.cell_id)
