"""Reads of the lifecycle pages: handovers for the receiving cell, the PDF case summary."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from casus.access.models import Cell, User
from casus.access.rules import Action, CaseAction, CaseContext, require

from ..models import (
    Assessment,
    AssessmentDomain,
    Goal,
    Handover,
    JournalEntry,
    Participation,
    PathwayAction,
    Review,
)
from ..workflow import PROGRESS_STEPS, case_next_statuses


def handover_list_for(*, actor: User, cell: Cell) -> QuerySet[Handover]:
    """Handovers to ``cell`` for its coordinator: pending first, then the decided ones."""
    require(actor, Action.HANDOVER_ACCEPT, cell)
    return (
        Handover.objects.filter(to_cell=cell)
        .select_related("from_cell", "to_municipality", "contact", "signal")
        .order_by("-status", "-created_at")  # "pending" sorts before "declined", "accepted"
    )


def handover_get_for(*, actor: User, cell: Cell, pk: object) -> Handover:
    """A handover to ``cell``; 404 when it is not for this cell or the actor may not decide."""
    require(actor, Action.HANDOVER_ACCEPT, cell)
    try:
        return Handover.objects.select_related("to_cell").get(to_cell=cell, pk=pk)  # type: ignore[misc]
    except (Handover.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def progress_steps_for(context: CaseContext) -> list[tuple[str, str]]:
    """(target status, label) of the progress steps this person may take now."""
    if not context.allows(CaseAction.PROGRESS):
        return []
    return [
        (target, str(PROGRESS_STEPS[step]))
        for target, step in case_next_statuses(context.case.status)
        if step in PROGRESS_STEPS
    ]


@dataclass
class CaseSummary:
    """What the PDF case summary shows, already filtered by the reader's rights."""

    participations: list[Participation]
    followup: bool = False
    assessment: Assessment | None = None
    goals: list[Goal] = field(default_factory=list)
    actions: list[PathwayAction] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    dossier: bool = False
    entries: list[JournalEntry] = field(default_factory=list)


def case_summary_for(*, context: CaseContext) -> CaseSummary:
    """Read everything the reader may see of the case, in a fixed number of queries."""
    context.require(CaseAction.PDF)
    case = context.case
    summary = CaseSummary(
        participations=list(
            Participation.objects.filter(case=case, revoked_at__isnull=True)
            .select_related("organisation")
            .order_by("added_at", "pk")
        )
    )
    if context.allows(CaseAction.FOLLOWUP_READ):
        summary.followup = True
        summary.assessment = (
            Assessment.objects.filter(case=case)
            .select_related("organisation", "created_by")
            .prefetch_related(
                Prefetch("domains", queryset=AssessmentDomain.objects.select_related("domain"))
            )
            .order_by("-version")
            .first()
        )
        summary.goals = list(Goal.objects.filter(case=case).select_related("domain"))
        summary.actions = list(
            PathwayAction.objects.filter(case=case).select_related("owner_organisation", "goal")
        )
        summary.reviews = list(Review.objects.filter(case=case))
    if context.allows(CaseAction.DOSSIER):
        summary.dossier = True
        summary.entries = list(
            JournalEntry.objects.filter(case=case)
            .filter(context.entry_q())
            .select_related("author", "organisation")
            .order_by("occurred_on", "pk")
        )
    return summary
