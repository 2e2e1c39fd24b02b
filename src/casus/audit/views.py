"""The data-protection officer's view of the logs: who did what and read what, never values."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils.translation import gettext as _

from casus.access.rules import Action, require
from casus.cases.selectors.common import case_ids_by_reference, case_references
from casus.core.exports import table_response
from casus.core.htmx import CellRequest, render_page
from casus.core.reauth import after_reauthentication

from .forms import CaseTrailForm, PeriodForm, PersonForm
from .models import AccessKind, AccessLog, AuditEvent
from .selectors import (
    FINDING_LABELS,
    access_log_for,
    audit_event_list_for,
    change_log_for,
    unusual_access_for,
)
from .services import access_record

#: Rows per page, and the most rows one export holds.
PAGE_ROWS = 100
EXPORT_ROWS = 50_000


def events(request: CellRequest) -> HttpResponse:
    rows = audit_event_list_for(actor=request.user, cell=request.cell)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render_page(
        request, "audit/events.html", {"page": page, "tab": "events"}, partial="rows"
    )


def _trail_rows(
    request: CellRequest, reads: Iterable[AccessLog], changes: Iterable[AuditEvent]
) -> list[tuple[datetime, str, str, str, str, str, str]]:
    """Reads and changes merged, newest first: time, person, log, what, object, case, fields."""
    reads, changes = list(reads), list(changes)
    ids = {row.case_id for row in reads if row.case_id is not None}
    ids |= {row.case_id for row in changes if row.case_id is not None}
    numbers = case_references(cell_id=request.cell.pk, ids=ids)
    kinds = dict(AccessKind.choices)
    merged = [
        (
            row.at,
            row.actor.full_name if row.actor else "",
            str(_("read")),
            str(kinds.get(row.kind, row.kind))
            + (" · " + _("break-glass") if row.data.get("break_glass") else ""),
            f"{row.object_type} {row.object_id}".strip(),
            numbers.get(row.case_id, "") if row.case_id else "",
            "",
        )
        for row in reads
    ] + [
        (
            row.at,
            row.actor.full_name if row.actor else "",
            str(_("change")),
            row.action,
            f"{row.object_type} {row.object_id}".strip(),
            numbers.get(row.case_id, "") if row.case_id else "",
            ", ".join(row.data.get("fields", [])),
        )
        for row in changes
    ]
    return sorted(merged, key=lambda row: row[0], reverse=True)


def _header() -> list[str]:
    return [
        _("Time"),
        _("Person"),
        _("Log"),
        _("What"),
        _("Object"),
        _("Case"),
        _("Fields changed"),
    ]


def _export(
    request: CellRequest,
    form: PeriodForm,
    report: str,
    table: Callable[[], Sequence[Sequence[Any]]],
) -> HttpResponse:
    """Send the report (a header row, then rows) as CSV or XLSX once the reader has
    re-authenticated; the export itself is logged."""

    def respond() -> HttpResponse:
        fmt = form.cleaned_data["export"]
        rows = table()
        access_record(
            actor=request.user,
            cell=request.cell,
            kind=AccessKind.EXPORT,
            data={"report": report, "format": fmt, "rows": len(rows)},
        )
        return table_response(fmt, f"casus-{report}", rows[0] if rows else [], rows[1:])

    return after_reauthentication(request, respond)


def _trail_page(
    request: CellRequest,
    form: PeriodForm,
    report: str,
    *,
    case_ids: list[int] | None = None,
    person_id: int | None = None,
) -> HttpResponse:
    since = form.since()
    reads = access_log_for(
        actor=request.user, cell=request.cell, since=since, case_ids=case_ids, person_id=person_id
    )
    changes = change_log_for(
        actor=request.user, cell=request.cell, since=since, case_ids=case_ids, person_id=person_id
    )
    if form.cleaned_data.get("export"):
        return _export(
            request,
            form,
            report,
            lambda: [_header(), *_trail_rows(request, reads[:EXPORT_ROWS], changes[:EXPORT_ROWS])],
        )
    rows = _trail_rows(request, reads[: PAGE_ROWS * 20], changes[: PAGE_ROWS * 20])
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
    return render_page(
        request,
        "audit/trail.html",
        {"form": form, "page": page, "header": _header(), "tab": report, "shown": True},
    )


def case_trail(request: CellRequest) -> HttpResponse:
    """Who read or changed one case, and when (field names only)."""
    require(request.user, Action.AUDIT_READ, request.cell)
    form = CaseTrailForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "tab": "case", "header": _header()}
    if not form.is_valid() or not form.cleaned_data.get("reference"):
        return render_page(request, "audit/trail.html", context, status=400 if form.errors else 200)
    case_ids = case_ids_by_reference(
        cell_id=request.cell.pk, reference=form.cleaned_data["reference"]
    )
    if not case_ids:
        messages.error(request, _("This cell has no case with that number."))
        return render_page(request, "audit/trail.html", context)
    return _trail_page(request, form, "case", case_ids=case_ids)


def person_trail(request: CellRequest) -> HttpResponse:
    """What one person read, searched, exported and changed in the cell."""
    require(request.user, Action.AUDIT_READ, request.cell)
    form = PersonForm(request.GET or None, cell=request.cell)
    if not form.is_valid() or form.cleaned_data.get("person") is None:
        return render_page(
            request,
            "audit/trail.html",
            {"form": form, "tab": "person", "header": _header()},
            status=400 if form.errors else 200,
        )
    return _trail_page(request, form, "person", person_id=form.cleaned_data["person"].pk)


def unusual(request: CellRequest) -> HttpResponse:
    """Access that stands out: many cases or searches in a day, night reads, break-glass."""
    require(request.user, Action.AUDIT_READ, request.cell)
    form = PeriodForm(request.GET or None)
    if not form.is_valid():
        form = PeriodForm({"days": 30})
        form.is_valid()
    findings = unusual_access_for(actor=request.user, cell=request.cell, since=form.since())
    numbers = case_references(
        cell_id=request.cell.pk, ids={f.case_id for f in findings if f.case_id is not None}
    )
    rows = [
        (
            finding.at,
            finding.person,
            str(FINDING_LABELS[finding.kind]),
            finding.count,
            numbers.get(finding.case_id, "") if finding.case_id else "",
        )
        for finding in findings
    ]
    header = [_("When"), _("Person"), _("What stands out"), _("Count"), _("Case")]
    if form.cleaned_data.get("export"):
        return _export(request, form, "unusual", lambda: [header, *rows])
    shown = [
        {"day_only": not isinstance(finding.at, datetime), "row": row}
        for finding, row in zip(findings, rows, strict=True)
    ]
    return render_page(
        request,
        "audit/unusual.html",
        {"form": form, "rows": shown, "header": header, "tab": "unusual"},
    )
