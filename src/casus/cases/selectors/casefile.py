"""Reads of the case file: overview, participants, journal, attachments.

Every read starts from a case the person may see (``case_get_checked``) and its rights
context; journal entries and attachments are filtered with ``CaseContext.entry_q``. Each
function runs a fixed number of queries, whatever the number of rows.
"""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from casus.access.models import Organisation, User
from casus.access.rules import CaseAction, CaseContext, signal_source_visible

from ..models import Attachment, JournalEntry, JournalRevision, Participation, Signal


@dataclass(frozen=True)
class SignalLine:
    """A signal linked to the case, as the overview shows it."""

    signal: Signal
    #: The source as this reader may see it ("" when it stays anonymous to them).
    source: str
    anonymous: bool


def case_signal_lines_for(*, context: CaseContext) -> list[SignalLine]:
    """The signals that opened, joined or reopened the case (anonymous sources hidden)."""
    context.require(CaseAction.VIEW)
    case = context.case
    user = context.membership.user if context.membership is not None else None
    source_visible = user is not None and signal_source_visible(user, case.cell_id)
    lines = []
    for signal in (
        Signal.objects.filter(case=case)
        .select_related("source_organisation", "decided_by")
        .order_by("received_at", "id")
    ):
        hidden = signal.source_anonymous and not source_visible
        source = ""
        if not hidden:
            source = (
                signal.source_organisation.name
                if signal.source_organisation is not None
                else signal.source_description
            )
        lines.append(SignalLine(signal=signal, source=source, anonymous=signal.source_anonymous))
    return lines


def participation_list_for(*, context: CaseContext) -> list[Participation]:
    """Every participation of the case, current and ended, with who added and revoked it."""
    context.require(CaseAction.VIEW)
    return list(
        Participation.objects.filter(case=context.case)
        .select_related("organisation", "added_by", "revoked_by")
        .order_by("added_at", "id")
    )


def participation_get_for(*, context: CaseContext, pk: object) -> Participation:
    """One participation of the case, for a person who may manage participants; 404 otherwise."""
    context.require(CaseAction.PARTICIPANTS)
    try:
        participation = Participation.objects.get(case=context.case, pk=pk)  # type: ignore[misc]
    except (Participation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    participation.case = context.case
    return participation


def organisations_to_add_for(*, context: CaseContext) -> QuerySet[Organisation]:
    """Active organisations of the cell that do not take part in the case now."""
    context.require(CaseAction.PARTICIPANTS)
    case = context.case
    return (
        Organisation.objects.filter(cell_id=case.cell_id, is_active=True)
        .exclude(participations__case=case, participations__revoked_at__isnull=True)
        .order_by("name")
    )


def lead_candidates_for(*, context: CaseContext) -> QuerySet[Organisation]:
    """Organisations that may lead the case: those taking part now."""
    context.require(CaseAction.PARTICIPANTS)
    case = context.case
    return (
        Organisation.objects.filter(
            participations__case=case, participations__revoked_at__isnull=True
        )
        .distinct()
        .order_by("name")
    )


# --- Journal ----------------------------------------------------------------------------------


def journal_entry_list_for(*, context: CaseContext) -> list[JournalEntry]:
    """The entries this person may read, newest first, each with ``can_edit`` set.

    ``revision_count`` counts only the earlier wordings this person may read themselves
    (``CaseContext.revision_q``): a hidden earlier version is not even hinted at.
    """
    context.require(CaseAction.DOSSIER)
    entries: list[JournalEntry] = list(
        JournalEntry.objects.filter(context.entry_q(), case=context.case)
        .select_related("author", "organisation")
        .annotate(revision_count=Count("revisions", filter=context.revision_q("revisions__")))
        .order_by("-occurred_on", "-id")
    )
    for entry in entries:
        entry.case = context.case
        entry.can_edit = context.may_edit_entry(entry.author_id)  # type: ignore[attr-defined]
    return entries


def journal_entry_get_for(*, context: CaseContext, pk: object) -> JournalEntry:
    """One entry this person may read; 404 when missing or not theirs to read."""
    context.require(CaseAction.DOSSIER)
    try:
        entry = (
            JournalEntry.objects.filter(context.entry_q(), case=context.case)
            .select_related("author", "organisation")
            .get(pk=pk)  # type: ignore[misc]
        )
    except (JournalEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    entry.case = context.case
    return entry


def journal_revision_list_for(
    *, context: CaseContext, entry: JournalEntry
) -> list[JournalRevision]:
    """Earlier wordings of ``entry`` (already checked readable), newest first.

    An earlier wording is shown only if its own visibility lets this person read it too.
    """
    context.require(CaseAction.DOSSIER)
    return list(
        JournalRevision.objects.filter(context.revision_q(), entry=entry)
        .select_related("saved_by")
        .order_by("-version")
    )


# --- Attachments ------------------------------------------------------------------------------


def attachment_list_for(*, context: CaseContext) -> list[Attachment]:
    """The attachments this person may read, newest first."""
    context.require(CaseAction.DOSSIER)
    return list(
        Attachment.objects.filter(context.entry_q(), case=context.case)
        .select_related("uploaded_by", "organisation")
        .order_by("-uploaded_at", "-id")
    )


def attachment_get_for(*, context: CaseContext, pk: object) -> Attachment:
    """One attachment this person may read; 404 when missing or not theirs to read."""
    context.require(CaseAction.DOSSIER)
    try:
        attachment = Attachment.objects.filter(context.entry_q(), case=context.case).get(
            pk=pk  # type: ignore[misc]
        )
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    attachment.case = context.case
    return attachment


def user_label(user: User | None) -> str:
    """How a person is named on case pages."""
    if user is None:
        return ""
    return user.full_name or user.email
