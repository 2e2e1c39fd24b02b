"""Writes of the local diagnosis: documents (maybe with an encrypted file) and findings."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Cell, User
from casus.access.rules import Action, require
from casus.cases import attachments as storage
from casus.core.exceptions import RuleViolation

from ..models import DiagnosisDocument, Finding
from .common import (
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    apply,
    check_version,
    clean_text,
    initial,
    lock,
    record,
)
from .plan import check_year

#: A diagnosis document's file: a PDF or an office document, nothing else.
DOCUMENT_KINDS = (storage.PDF, storage.DOCX, storage.XLSX, storage.ODT)
DOCUMENT_EXTENSIONS = ",".join(ext for kind in DOCUMENT_KINDS for ext in kind.extensions)
THEME_MAX_LENGTH = 120
SOURCE_MAX_LENGTH = 300


def _store(upload: storage.Upload, filename: str | None) -> storage.StoredFile:
    """Check and store a file encrypted; refuse anything but a PDF or an office document."""
    stored = storage.store_upload(upload, filename=filename)
    if stored.content_type not in {kind.content_type for kind in DOCUMENT_KINDS}:
        storage.discard(stored.storage_name)
        raise RuleViolation(
            _("Attach a PDF or an office document (%(allowed)s).")
            % {"allowed": DOCUMENT_EXTENSIONS.replace(",", ", ")}
        )
    return stored


def _file_values(stored: storage.StoredFile) -> dict[str, Any]:
    return {
        "filename": stored.filename,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "storage_name": stored.storage_name,
        "file_key": stored.file_key,
    }


def _document_values(title: str, dated_on: date, summary: str, source: str) -> dict[str, Any]:
    if dated_on > timezone.localdate():
        raise RuleViolation(_("A document cannot be dated in the future."))
    return {
        "title": clean_text(title, limit=TITLE_MAX_LENGTH, missing=_("Give it a title.")),
        "dated_on": dated_on,
        "summary": clean_text(summary, limit=TEXT_MAX_LENGTH),
        "source": clean_text(source, limit=SOURCE_MAX_LENGTH),
    }


def document_create(
    *,
    actor: User,
    cell: Cell,
    title: str,
    dated_on: date,
    summary: str = "",
    source: str = "",
    upload: storage.Upload | None = None,
    filename: str | None = None,
) -> DiagnosisDocument:
    """Add a document to the cell's local diagnosis, with its file stored encrypted."""
    require(actor, Action.STRATEGY_WRITE, cell)
    values = _document_values(title, dated_on, summary, source)
    stored = _store(upload, filename) if upload is not None else None
    try:
        with transaction.atomic():
            file_values = _file_values(stored) if stored is not None else {}
            document = DiagnosisDocument.objects.create(
                cell=cell, created_by=actor, **values, **file_values
            )
            changes = initial(values)
            if stored is not None:
                changes |= initial({"filename": stored.filename, "sha256": stored.sha256})
            record(
                actor=actor,
                action="STRATEGY_DOCUMENT_SAVED",
                obj=document,
                changes=changes,
                data={"created": True, "file": stored is not None},
            )
    except BaseException:
        if stored is not None:
            storage.discard(stored.storage_name)
        raise
    return document


def document_update(
    *,
    actor: User,
    document: DiagnosisDocument,
    title: str,
    dated_on: date,
    version: int | None,
    summary: str = "",
    source: str = "",
    upload: storage.Upload | None = None,
    filename: str | None = None,
) -> DiagnosisDocument:
    """Change a document; a new file replaces the old one, which is removed after commit."""
    require(actor, Action.STRATEGY_WRITE, document.cell_id)
    values = _document_values(title, dated_on, summary, source)
    stored = _store(upload, filename) if upload is not None else None
    try:
        with transaction.atomic():
            document = lock(document)
            check_version(document, version)
            replaced = document.storage_name if stored is not None else None
            changes = apply(document, values)
            if stored is not None:
                changes |= {
                    "filename": (document.filename, stored.filename),
                    "sha256": (document.sha256, stored.sha256),
                }
                for name, value in _file_values(stored).items():
                    setattr(document, name, value)
            if not changes:
                return document
            document.version += 1
            document.updated_at = timezone.now()
            document.save()
            record(
                actor=actor,
                action="STRATEGY_DOCUMENT_SAVED",
                obj=document,
                changes=changes,
                data={"created": False, "file": stored is not None, "version": document.version},
            )
            if replaced:
                transaction.on_commit(lambda: storage.discard(replaced))
    except BaseException:
        if stored is not None:
            storage.discard(stored.storage_name)
        raise
    return document


def _finding_values(
    cell_id: int, year: int, theme: str, text: str, document: DiagnosisDocument | None
) -> dict[str, Any]:
    if document is not None and document.cell_id != cell_id:
        raise RuleViolation(_("Choose one of the diagnosis's documents."))
    return {
        "year": check_year(year),
        "theme": clean_text(theme, limit=THEME_MAX_LENGTH, missing=_("Name the theme.")),
        "text": clean_text(text, limit=TEXT_MAX_LENGTH, missing=_("Write the finding.")),
        "document": document,
    }


def finding_create(
    *,
    actor: User,
    cell: Cell,
    year: int,
    theme: str,
    text: str,
    document: DiagnosisDocument | None = None,
) -> Finding:
    """Add a finding of the local diagnosis for ``year``."""
    require(actor, Action.STRATEGY_WRITE, cell)
    values = _finding_values(cell.pk, year, theme, text, document)
    with transaction.atomic():
        finding = Finding.objects.create(cell=cell, created_by=actor, **values)
        record(
            actor=actor,
            action="STRATEGY_FINDING_SAVED",
            obj=finding,
            changes=initial(values),
            data={"created": True, "year": finding.year},
        )
    return finding


def finding_update(
    *,
    actor: User,
    finding: Finding,
    year: int,
    theme: str,
    text: str,
    version: int | None,
    document: DiagnosisDocument | None = None,
) -> Finding:
    """Change a finding; refused (``EditConflict``) when someone saved it meanwhile."""
    require(actor, Action.STRATEGY_WRITE, finding.cell_id)
    values = _finding_values(finding.cell_id, year, theme, text, document)
    with transaction.atomic():
        finding = lock(finding)
        check_version(finding, version)
        changes = apply(finding, values)
        if not changes:
            return finding
        finding.version += 1
        finding.updated_at = timezone.now()
        finding.save()
        record(
            actor=actor,
            action="STRATEGY_FINDING_SAVED",
            obj=finding,
            changes=changes,
            data={"created": False, "year": finding.year, "version": finding.version},
        )
    return finding
