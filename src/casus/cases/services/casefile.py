"""Writes to the case file: participants, lead partner, summary, journal, attachments.

Each service checks the actor's rights on the case again (``case_require``), validates, locks
what an edit could lose, saves and writes one change-log row in the same transaction.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Organisation, User
from casus.access.rules import CaseAction, CaseContext, case_require, forget_case_contexts
from casus.core.exceptions import Forbidden, RuleViolation

from .. import attachments as storage
from ..models import Attachment, Case, JournalEntry, JournalRevision, Participation, Visibility
from .common import (
    apply_changes,
    check_version,
    grant_organisation,
    initial_values,
    lock,
    record_case_change,
    revoke_grants,
)

_ENTRY_FIELDS = ("text", "visibility", "occurred_on", "for_meeting")


def _require_open(case: Case) -> None:
    """A closed case is read-only until it is reopened."""
    if case.is_closed:
        raise RuleViolation(_("This case is closed; reopen it before changing it."))


def _clean_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleViolation(message)
    return value


def _check_visibility(context: CaseContext, visibility: str) -> None:
    """Only known visibilities; "police only" needs the right to write police entries."""
    if visibility not in Visibility.values:
        raise RuleViolation(_("Choose who may read this."))
    if visibility == Visibility.POLICE and not context.allows(CaseAction.POLICE_WRITE):
        raise RuleViolation(_("Only the police may write police-only entries."))


def _writer_organisation(context: CaseContext) -> Organisation:
    membership = context.membership
    if membership is None:  # pragma: no cover — JOURNAL_WRITE needs a membership
        raise Forbidden(CaseAction.JOURNAL_WRITE)
    return membership.organisation


# --- Participating organisations -------------------------------------------------------------


def participation_add(
    *, actor: User, case: Case, organisation: Organisation, reason: str
) -> Participation:
    """Let ``organisation`` take part in ``case``: its members see the case and its dossier."""
    case_require(actor, CaseAction.PARTICIPANTS, case)
    reason = _clean_text(reason, _("Say why this organisation takes part."))
    with transaction.atomic():
        case = lock(case)
        _require_open(case)
        if organisation.cell_id != case.cell_id or not organisation.is_active:
            raise RuleViolation(_("Choose an active organisation of this cell."))
        if Participation.objects.filter(
            case=case, organisation=organisation, revoked_at__isnull=True
        ).exists():
            raise RuleViolation(_("This organisation already takes part in the case."))
        participation = Participation.objects.create(
            case=case, organisation=organisation, reason=reason, added_by=actor
        )
        grant_organisation(case=case, organisation=organisation, source=participation)
        record_case_change(
            actor=actor,
            action="PARTICIPATION_ADDED",
            case=case,
            obj=participation,
            changes=initial_values(participation, ("organisation", "reason")),
        )
    forget_case_contexts(actor)
    return participation


def participation_revoke(
    *, actor: User, participation: Participation, reason: str
) -> Participation:
    """End an organisation's participation: from now on its members no longer see the case."""
    case = participation.case
    case_require(actor, CaseAction.PARTICIPANTS, case)
    reason = _clean_text(reason, _("Say why this organisation stops taking part."))
    with transaction.atomic():
        case = lock(case)
        participation = lock(participation)
        if participation.revoked_at is not None:
            raise RuleViolation(_("This participation has already ended."))
        if case.lead_organisation_id == participation.organisation_id:
            raise RuleViolation(
                _(
                    "This organisation is the lead partner. Choose another lead partner (or "
                    "none) before ending its participation."
                )
            )
        now = timezone.now()
        changes = apply_changes(
            participation, {"revoked_at": now, "revoked_by": actor, "revoke_reason": reason}
        )
        participation.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        revoke_grants(source=participation, at=now)
        record_case_change(
            actor=actor,
            action="PARTICIPATION_REVOKED",
            case=case,
            obj=participation,
            changes=changes,
            data={"organisation_id": participation.organisation_id},
        )
    forget_case_contexts(actor)
    return participation


def case_lead_set(
    *, actor: User, case: Case, organisation: Organisation | None, version: int | None
) -> Case:
    """Make ``organisation`` (a participating one) the lead partner, or clear it with None."""
    case_require(actor, CaseAction.PARTICIPANTS, case)
    with transaction.atomic():
        case = lock(case)
        check_version(case, version)
        _require_open(case)
        if (
            organisation is not None
            and not Participation.objects.filter(
                case=case, organisation=organisation, revoked_at__isnull=True
            ).exists()
        ):
            raise RuleViolation(
                _("The lead partner must be one of the organisations taking part in the case.")
            )
        changes = apply_changes(case, {"lead_organisation": organisation})
        if not changes:
            return case
        case.version += 1
        case.save(update_fields=["lead_organisation", "version"])
        record_case_change(actor=actor, action="CASE_LEAD_SET", case=case, changes=changes)
    forget_case_contexts(actor)
    return case


def case_summary_update(*, actor: User, case: Case, summary: str, version: int | None) -> Case:
    """Save the coordinator's summary of the case (what the chair and invitees read)."""
    # The coordinator keeps the summary, like the rest of the case's course.
    case_require(actor, CaseAction.PROGRESS, case)
    with transaction.atomic():
        case = lock(case)
        check_version(case, version)
        _require_open(case)
        changes = apply_changes(case, {"summary": (summary or "").strip()})
        if not changes:
            return case
        case.version += 1
        case.save(update_fields=["summary", "version"])
        record_case_change(actor=actor, action="CASE_SUMMARY_UPDATED", case=case, changes=changes)
    return case


# --- Journal ----------------------------------------------------------------------------------


def journal_entry_create(
    *,
    actor: User,
    case: Case,
    text: str,
    visibility: str,
    occurred_on: date,
    for_meeting: bool,
) -> JournalEntry:
    """Add a journal entry in the name of the actor's organisation."""
    context = case_require(actor, CaseAction.JOURNAL_WRITE, case)
    text = _clean_text(text, _("Write the entry."))
    _check_visibility(context, visibility)
    if occurred_on > timezone.localdate():
        raise RuleViolation(_("The date of an entry cannot be in the future."))
    with transaction.atomic():
        case = lock(case)
        _require_open(case)
        now = timezone.now()
        entry = JournalEntry.objects.create(
            case=case,
            author=actor,
            organisation=_writer_organisation(context),
            visibility=visibility,
            occurred_on=occurred_on,
            text=text,
            for_meeting=for_meeting,
            created_at=now,
            updated_at=now,
        )
        record_case_change(
            actor=actor,
            action="JOURNAL_ENTRY_CREATED",
            case=case,
            obj=entry,
            changes=initial_values(entry, _ENTRY_FIELDS),
        )
    return entry


def journal_entry_update(
    *,
    actor: User,
    entry: JournalEntry,
    text: str,
    visibility: str,
    occurred_on: date,
    for_meeting: bool,
    version: int | None,
) -> JournalEntry:
    """Change an entry (its author only); the previous wording is kept as a revision."""
    case = entry.case
    context = case_require(actor, CaseAction.JOURNAL_WRITE, case)
    # Only the author edits (the rules decide); to anyone else it cannot be edited (404).
    if not context.may_edit_entry(entry.author_id):
        raise Forbidden(CaseAction.JOURNAL_WRITE)
    text = _clean_text(text, _("Write the entry."))
    _check_visibility(context, visibility)
    if occurred_on > timezone.localdate():
        raise RuleViolation(_("The date of an entry cannot be in the future."))
    with transaction.atomic():
        # The case first (as every case-file write): a concurrent close waits, or wins.
        case = lock(case)
        _require_open(case)
        entry = lock(entry)
        entry.case = case
        check_version(entry, version)
        previous: dict[str, Any] = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
        changes = apply_changes(
            entry,
            {
                "text": text,
                "visibility": visibility,
                "occurred_on": occurred_on,
                "for_meeting": for_meeting,
            },
        )
        if not changes:
            return entry
        JournalRevision.objects.create(
            entry=entry,
            version=entry.version,
            saved_by=actor,
            saved_at=entry.updated_at,
            **previous,
        )
        entry.version += 1
        entry.updated_at = timezone.now()
        entry.save(update_fields=[*changes, "version", "updated_at"])
        record_case_change(
            actor=actor, action="JOURNAL_ENTRY_UPDATED", case=case, obj=entry, changes=changes
        )
    return entry


# --- Attachments ------------------------------------------------------------------------------


def attachment_upload(
    *,
    actor: User,
    case: Case,
    uploaded_file: storage.Upload,
    visibility: str,
    description: str,
    for_meeting: bool,
    filename: str | None = None,
) -> Attachment:
    """Check and store an uploaded file and record it as an attachment of ``case``.

    ``filename`` is the name as the browser sent it, when the view kept it (Django strips
    paths from ``uploaded_file.name``; we refuse such names rather than accept a rewrite).
    """
    context = case_require(actor, CaseAction.JOURNAL_WRITE, case)
    _check_visibility(context, visibility)
    _require_open(case)
    stored = storage.store_upload(uploaded_file, filename=filename)
    try:
        with transaction.atomic():
            case = lock(case)
            _require_open(case)
            attachment = Attachment.objects.create(
                case=case,
                uploaded_by=actor,
                organisation=_writer_organisation(context),
                visibility=visibility,
                filename=stored.filename,
                description=(description or "").strip(),
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_name=stored.storage_name,
                file_key=stored.file_key,
                for_meeting=for_meeting,
            )
            record_case_change(
                actor=actor,
                action="ATTACHMENT_UPLOADED",
                case=case,
                obj=attachment,
                changes=initial_values(
                    attachment,
                    (
                        "filename",
                        "description",
                        "visibility",
                        "content_type",
                        "size",
                        "sha256",
                        "for_meeting",
                    ),
                ),
            )
    except BaseException:
        storage.discard(stored.storage_name)
        raise
    return attachment
