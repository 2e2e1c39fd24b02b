"""Destroying one case or signal: every row that holds its data, in an order the PROTECT
relations accept, then its keys.

``PLAN`` names every model that refers to a case or a signal; a test walks the model graph and
fails when a new relation is not handled here, so a new model can never silently survive a
purge (or block one).
"""

from collections import Counter
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.urls import reverse

from casus.cases.models import (
    Assessment,
    AssessmentDomain,
    Attachment,
    Case,
    CaseGrant,
    ExternalInstrument,
    Goal,
    Handover,
    JournalEntry,
    JournalRevision,
    Participation,
    PathwayAction,
    Review,
    Signal,
)
from casus.core.models import Notification
from casus.meetings.models import (
    AgendaItem,
    Decision,
    ExchangeEntry,
    FeedbackSheet,
    FeedbackVote,
    Invitation,
    MinutesApproval,
)
from casus.privacy import crypto
from casus.privacy.models import BreakGlass, SubjectKind

#: Every model removed (or, for handovers, detached and emptied) with a case or a signal.
PLAN: frozenset[type[Model]] = frozenset(
    {
        CaseGrant, Participation, JournalEntry, JournalRevision, Attachment, Handover,
        Assessment, AssessmentDomain, ExternalInstrument, Goal, PathwayAction, Review, Signal,
        AgendaItem, Invitation, MinutesApproval, Decision, FeedbackSheet, FeedbackVote,
        ExchangeEntry, BreakGlass,
    }
)  # fmt: skip


def _delete(queryset: QuerySet[Any], counts: Counter[str]) -> None:
    _total, per_model = queryset.delete()
    for label, count in per_model.items():
        if count:
            counts[label] += count


def _forget_signal_handovers(signals: QuerySet[Signal], counts: Counter[str]) -> None:
    """A signal that came from another cell's handover: the handover keeps no identity."""
    emptied = Handover.objects.filter(signal__in=signals)
    for handover in emptied:
        handover.signal = None
        handover.subject_family_name = ""
        handover.subject_given_names = ""
        handover.subject_birth_date = None
        handover.save(
            update_fields=[
                "signal",
                "subject_family_name",
                "subject_given_names",
                "subject_birth_date",
            ]
        )
        counts["cases.handover (emptied)"] += 1


def destroy_signal(signal: Signal) -> dict[str, int]:
    """Remove a signal that opened no case, and shred its key. Return the row counts."""
    counts: Counter[str] = Counter()
    signals = Signal.objects.filter(pk=signal.pk)
    _forget_signal_handovers(signals, counts)
    notices = Q(url__startswith=reverse("cases:signal_detail", args=[signal.pk]))
    _delete(Notification.objects.filter(notices), counts)
    _delete(signals, counts)
    crypto.subject_key_destroy(kind=SubjectKind.SIGNAL, ref_id=signal.pk)
    return dict(counts)


def destroy_case(case: Case) -> tuple[dict[str, int], list[str]]:
    """Remove a case with everything that holds its data, and shred its (and its signals')
    keys. Return the row counts and the attachment files to remove once committed."""
    counts: Counter[str] = Counter()
    items = AgendaItem.objects.filter(case=case)
    sheets = FeedbackSheet.objects.filter(item__in=items)
    signal_ids = list(Signal.objects.filter(case=case).values_list("pk", flat=True))
    files = list(Attachment.objects.filter(case=case).values_list("storage_name", flat=True))
    # Meetings: the case's items with their minutes, decisions and feedback sheets.
    _delete(FeedbackVote.objects.filter(sheet__in=sheets), counts)
    _delete(ExchangeEntry.objects.filter(Q(case=case) | Q(feedback_sheet__in=sheets)), counts)
    _delete(sheets, counts)
    _delete(Decision.objects.filter(item__in=items), counts)
    _delete(MinutesApproval.objects.filter(item__in=items), counts)
    _delete(Invitation.objects.filter(item__in=items), counts)
    _delete(items, counts)
    # Privacy: break-glass uses of the case.
    _delete(BreakGlass.objects.filter(case=case), counts)
    # A handover to another cell stays there (it is that cell's record), without this case.
    counts["cases.handover (detached)"] += Handover.objects.filter(from_case=case).update(
        from_case=None
    )
    # The follow-up.
    _delete(Review.objects.filter(case=case), counts)
    _delete(PathwayAction.objects.filter(case=case), counts)
    _delete(Goal.objects.filter(case=case), counts)
    _delete(AssessmentDomain.objects.filter(assessment__case=case), counts)
    _delete(Assessment.objects.filter(case=case), counts)
    _delete(ExternalInstrument.objects.filter(case=case), counts)
    # The file: journal (with earlier wordings), attachments, participations.
    _delete(JournalRevision.objects.filter(entry__case=case), counts)
    _delete(JournalEntry.objects.filter(case=case), counts)
    _delete(Attachment.objects.filter(case=case), counts)
    _delete(Participation.objects.filter(case=case), counts)
    # The signals that opened or joined it.
    signals = Signal.objects.filter(pk__in=signal_ids)
    _forget_signal_handovers(signals, counts)
    notices = Q(url__startswith=reverse("cases:detail", args=[case.pk]))
    for signal_id in signal_ids:
        notices |= Q(url__startswith=reverse("cases:signal_detail", args=[signal_id]))
    _delete(Notification.objects.filter(notices), counts)
    _delete(signals, counts)
    # The case itself (its grants go with it).
    _delete(Case.objects.filter(pk=case.pk), counts)
    crypto.subject_key_destroy(kind=SubjectKind.CASE, ref_id=case.pk)
    for signal_id in signal_ids:
        crypto.subject_key_destroy(kind=SubjectKind.SIGNAL, ref_id=signal_id)
    return dict(counts), files
