"""The case file: overview, participants, lead partner, summary, journal and attachments."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from casus.access.rules import CaseAction, CaseContext
from casus.audit.models import AccessKind
from casus.core.exceptions import CasusError, EditConflict
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from .. import attachments as storage
from ..forms.casefile import (
    AttachmentForm,
    JournalEntryEditForm,
    JournalEntryForm,
    LeadForm,
    ParticipantAddForm,
    ParticipantRevokeForm,
    SummaryForm,
)
from ..models import Case
from ..selectors import casefile as selectors
from ..selectors.common import case_read_record
from ..services import casefile as services
from .common import case_for_page, case_page_context
from .lifecycle import lifecycle_panel

# --- Overview ---------------------------------------------------------------------------------


def _overview(
    request: CellRequest,
    context: CaseContext,
    *,
    add_form: ParticipantAddForm | None = None,
    lead_form: LeadForm | None = None,
    revoke_form: tuple[int, ParticipantRevokeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    case = context.case
    can_manage = context.allows(CaseAction.PARTICIPANTS)
    page: dict[str, Any] = case_page_context(context, "overview")
    if can_manage:
        add_form = add_form or ParticipantAddForm(
            organisations=selectors.organisations_to_add_for(context=context)
        )
        lead_form = lead_form or LeadForm(
            organisations=selectors.lead_candidates_for(context=context),
            initial={"organisation": case.lead_organisation_id, "version": case.version},
        )
    participations = selectors.participation_list_for(context=context)
    if can_manage:
        for participation in participations:
            if (
                participation.is_active
                and participation.organisation_id != case.lead_organisation_id
            ):
                participation.revoke_form = (  # type: ignore[attr-defined]
                    revoke_form[1]
                    if revoke_form is not None and revoke_form[0] == participation.pk
                    else ParticipantRevokeForm(prefix=f"revoke-{participation.pk}")
                )
    page.update(
        {
            "signals": selectors.case_signal_lines_for(context=context),
            "participations": participations,
            "can_manage": can_manage,
            "can_edit_summary": context.allows(CaseAction.PROGRESS),
            "add_form": add_form if can_manage else None,
            "lead_form": lead_form if can_manage else None,
        }
    )
    page.update(lifecycle_panel(request, context))
    return render_page(request, "cases/casefile/overview.html", page, status=status)


def detail(request: CellRequest, pk: int) -> HttpResponse:
    _case, context = case_for_page(request, pk, CaseAction.VIEW, log=AccessKind.CASE)
    return _overview(request, context)


def _reread(request: CellRequest, context: CaseContext) -> CaseContext:
    """Show the overview again after a refused change: that is a read too (logged)."""
    case_read_record(actor=request.user, case=context.case, kind=AccessKind.CASE)
    return context


@require_POST
def participant_add(request: CellRequest, pk: int) -> HttpResponse:
    case, context = case_for_page(request, pk, CaseAction.PARTICIPANTS)
    form = ParticipantAddForm(
        request.POST, organisations=selectors.organisations_to_add_for(context=context)
    )
    if form.is_valid():
        try:
            services.participation_add(
                actor=request.user,
                case=case,
                organisation=form.cleaned_data["organisation"],
                reason=form.cleaned_data["reason"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The organisation now takes part in the case."))
            return redirect("cases:detail", pk=case.pk)
    return _overview(request, _reread(request, context), add_form=form)


@require_POST
def participant_revoke(request: CellRequest, pk: int, participation_pk: int) -> HttpResponse:
    case, context = case_for_page(request, pk, CaseAction.PARTICIPANTS)
    participation = selectors.participation_get_for(context=context, pk=participation_pk)
    form = ParticipantRevokeForm(request.POST, prefix=f"revoke-{participation.pk}")
    if form.is_valid():
        try:
            services.participation_revoke(
                actor=request.user, participation=participation, reason=form.cleaned_data["reason"]
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The organisation no longer takes part in the case."))
            return redirect("cases:detail", pk=case.pk)
    return _overview(request, _reread(request, context), revoke_form=(participation.pk, form))


@require_POST
def lead_set(request: CellRequest, pk: int) -> HttpResponse:
    case, context = case_for_page(request, pk, CaseAction.PARTICIPANTS)
    form = LeadForm(request.POST, organisations=selectors.lead_candidates_for(context=context))
    if form.is_valid():
        try:
            services.case_lead_set(
                actor=request.user,
                case=case,
                organisation=form.cleaned_data["organisation"],
                version=form.cleaned_data["version"],
            )
        except EditConflict as error:
            # The page shows the lead partner as it is now; the person chooses again.
            messages.error(request, error.message)
            return redirect("cases:detail", pk=case.pk)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Lead partner saved."))
            return redirect("cases:detail", pk=case.pk)
    return _overview(request, _reread(request, context), lead_form=form)


def summary_edit(request: CellRequest, pk: int) -> HttpResponse:
    case, context = case_for_page(request, pk, CaseAction.PROGRESS, log=AccessKind.CASE)
    form = SummaryForm(
        request.POST or None, initial={"summary": case.summary, "version": case.version}
    )
    conflict: Case | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_summary_update(
                actor=request.user,
                case=case,
                summary=form.cleaned_data["summary"],
                version=form.cleaned_data["version"],
            )
        except EditConflict as error:
            conflict = error.current  # type: ignore[assignment]
            form = _rebase(SummaryForm, form, conflict)
            add_rule_error(form, error)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Summary saved."))
            return redirect("cases:detail", pk=case.pk)
    page = case_page_context(context, "overview")
    page.update({"form": form, "conflict": conflict})
    return render_page(request, "cases/casefile/summary_form.html", page)


def _rebase[F: SummaryForm | JournalEntryEditForm](
    form_class: type[F], form: F, current: Any, **kwargs: Any
) -> F:
    """Keep the person's unsaved input, now based on the current version (so both stay)."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data[form.add_prefix("version")] = str(current.version)
    rebased = form_class(data, **kwargs)
    rebased.is_valid()
    return rebased


# --- Journal ----------------------------------------------------------------------------------


def journal(request: CellRequest, pk: int) -> HttpResponse:
    case, context = case_for_page(request, pk, CaseAction.DOSSIER)
    can_write = context.allows(CaseAction.JOURNAL_WRITE)
    police = context.allows(CaseAction.POLICE_WRITE)
    form = JournalEntryForm(request.POST or None, police=police) if can_write else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.journal_entry_create(actor=request.user, case=case, **form.cleaned_data)
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("Journal entry added."))
                return redirect("cases:journal", pk=case.pk)
    case_read_record(actor=request.user, case=case, kind=AccessKind.JOURNAL)
    page = case_page_context(context, "journal")
    page.update(
        {
            "entries": selectors.journal_entry_list_for(context=context),
            "form": form,
            "can_write": can_write,
        }
    )
    return render_page(request, "cases/casefile/journal.html", page, partial="entries")


def journal_edit(request: CellRequest, pk: int, entry_pk: int) -> HttpResponse:
    case, context = case_for_page(request, pk, CaseAction.JOURNAL_WRITE)
    entry = selectors.journal_entry_get_for(context=context, pk=entry_pk)
    if not context.may_edit_entry(entry.author_id):
        raise Http404
    police = context.allows(CaseAction.POLICE_WRITE)
    initial = {
        "occurred_on": entry.occurred_on,
        "text": entry.text,
        "visibility": entry.visibility,
        "for_meeting": entry.for_meeting,
        "version": entry.version,
    }
    form = JournalEntryEditForm(request.POST or None, initial=initial, police=police)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.journal_entry_update(actor=request.user, entry=entry, **form.cleaned_data)
        except EditConflict as error:
            conflict = error.current
            form = _rebase(JournalEntryEditForm, form, conflict, police=police)
            add_rule_error(form, error)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Journal entry saved."))
            return redirect("cases:journal", pk=case.pk)
    case_read_record(actor=request.user, case=case, kind=AccessKind.JOURNAL, obj=entry)
    page = case_page_context(context, "journal")
    page.update({"form": form, "entry": entry, "conflict": conflict})
    return render_page(request, "cases/casefile/journal_edit.html", page)


def journal_history(request: CellRequest, pk: int, entry_pk: int) -> HttpResponse:
    case, context = case_for_page(request, pk, CaseAction.DOSSIER)
    entry = selectors.journal_entry_get_for(context=context, pk=entry_pk)
    case_read_record(actor=request.user, case=case, kind=AccessKind.JOURNAL, obj=entry)
    page = case_page_context(context, "journal")
    page.update(
        {
            "entry": entry,
            "revisions": selectors.journal_revision_list_for(context=context, entry=entry),
        }
    )
    return render_page(request, "cases/casefile/journal_history.html", page)


# --- Attachments ------------------------------------------------------------------------------


@csrf_exempt
def attachments(request: CellRequest, pk: int) -> HttpResponse:
    """The attachment list and upload form.

    The CSRF check reads the form, so it runs inside (``csrf_protect``), after the request
    was told to keep the file names as sent: names with paths are refused, not rewritten.
    """
    if request.method == "POST":
        storage.keep_sent_file_names(request)
    return _attachments(request, pk)


@csrf_protect
def _attachments(request: CellRequest, pk: int) -> HttpResponse:
    case, context = case_for_page(request, pk, CaseAction.DOSSIER)
    can_write = context.allows(CaseAction.JOURNAL_WRITE)
    police = context.allows(CaseAction.POLICE_WRITE)
    form = None
    if request.method == "POST":
        if not can_write:
            raise Http404
        form = AttachmentForm(request.POST, request.FILES, police=police)
        if form.is_valid():
            try:
                services.attachment_upload(
                    actor=request.user,
                    case=case,
                    uploaded_file=form.cleaned_data["file"],
                    visibility=form.cleaned_data["visibility"],
                    description=form.cleaned_data["description"],
                    for_meeting=form.cleaned_data["for_meeting"],
                    # The name as sent in THIS field (never another field's).
                    filename=storage.sent_file_name(request, form.add_prefix("file")),
                )
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("File attached."))
                return redirect("cases:attachments", pk=case.pk)
    elif can_write:
        form = AttachmentForm(police=police)
    case_read_record(actor=request.user, case=case, kind=AccessKind.JOURNAL)
    page = case_page_context(context, "attachments")
    page.update(
        {
            "attachments": selectors.attachment_list_for(context=context),
            "form": form,
            "can_write": can_write,
        }
    )
    return render_page(request, "cases/casefile/attachments.html", page)


def attachment_download(request: CellRequest, pk: int, attachment_pk: int) -> FileResponse:
    case, context = case_for_page(request, pk, CaseAction.DOSSIER)
    attachment = selectors.attachment_get_for(context=context, pk=attachment_pk)
    try:
        handle = storage.open_stored(attachment.storage_name, attachment.file_key)
    except (FileNotFoundError, ValueError):  # gone, or not opening with its key
        raise Http404 from None
    case_read_record(actor=request.user, case=case, kind=AccessKind.ATTACHMENT, obj=attachment)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/", detail, name="detail"),
    path("cases/<int:pk>/participants/", participant_add, name="participant_add"),
    path(
        "cases/<int:pk>/participants/<int:participation_pk>/revoke/",
        participant_revoke,
        name="participant_revoke",
    ),
    path("cases/<int:pk>/lead/", lead_set, name="lead_set"),
    path("cases/<int:pk>/summary/", summary_edit, name="summary_edit"),
    path("cases/<int:pk>/journal/", journal, name="journal"),
    path("cases/<int:pk>/journal/<int:entry_pk>/edit/", journal_edit, name="journal_edit"),
    path("cases/<int:pk>/journal/<int:entry_pk>/history/", journal_history, name="journal_history"),
    path("cases/<int:pk>/attachments/", attachments, name="attachments"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/",
        attachment_download,
        name="attachment_download",
    ),
]
