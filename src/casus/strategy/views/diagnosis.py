"""The local diagnosis: documents (with their encrypted file) and findings."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from casus.access.rules import Action, require
from casus.cases import attachments as storage
from casus.core.exceptions import CasusError, EditConflict
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from .. import selectors, services
from ..forms import DocumentEditForm, DocumentForm, FindingEditForm, FindingForm
from ..models import Finding
from .common import FORM_PAGE, conflict_facts, rebound, year_of

DIAGNOSIS = "diagnosis"


def _back(year: int | None = None) -> str:
    query = f"?year={year}" if year else ""
    return f"{reverse('strategy:home')}{query}#{DIAGNOSIS}"


def _form_page(
    request: CellRequest,
    form: Any,
    title: str,
    back: str,
    conflict: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, "conflict": conflict}
    return render_page(request, FORM_PAGE, context, status=400 if form.errors else 200)


def _upload(request: CellRequest, form: DocumentForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    upload = data.pop("file", None)
    # The name as sent in THIS field: a name with a path is refused, never rewritten.
    return data | {
        "upload": upload or None,
        "filename": storage.sent_file_name(request, form.add_prefix("file")) if upload else None,
    }


# --- Documents -----------------------------------------------------------------------------


@csrf_exempt
def document_new(request: CellRequest) -> HttpResponse:
    """Add a document. The CSRF check reads the form, so it runs inside, after the request was
    told to keep the file names as sent (see ``cases.attachments.keep_sent_file_names``)."""
    if request.method == "POST":
        storage.keep_sent_file_names(request)
    return _document_new(request)


@csrf_protect
def _document_new(request: CellRequest) -> HttpResponse:
    require(request.user, Action.STRATEGY_WRITE, request.cell)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_create(
                actor=request.user, cell=request.cell, **_upload(request, form)
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Document added to the diagnosis."))
            return redirect(_back())
    return _form_page(request, form, _("Add a document to the diagnosis"), _back())


DOCUMENT_FIELDS = ("title", "dated_on", "summary", "source")


@csrf_exempt
def document_edit(request: CellRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        storage.keep_sent_file_names(request)
    return _document_edit(request, pk)


@csrf_protect
def _document_edit(request: CellRequest, pk: int) -> HttpResponse:
    document = selectors.document_get_for(actor=request.user, cell=request.cell, pk=pk)
    require(request.user, Action.STRATEGY_WRITE, request.cell)
    conflict = None
    if request.method == "POST":
        form = DocumentEditForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.document_update(
                    actor=request.user, document=document, **_upload(request, form)
                )
            except EditConflict as error:
                current = selectors.document_get_for(actor=request.user, cell=request.cell, pk=pk)
                conflict = conflict_facts(current, DOCUMENT_FIELDS, form.cleaned_data)
                form = DocumentEditForm(rebound(request, current.version))
                form.is_valid()
                add_rule_error(form, error)
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("Document saved."))
                return redirect(_back())
    else:
        initial = {name: getattr(document, name) for name in DOCUMENT_FIELDS}
        form = DocumentEditForm(initial={**initial, "version": document.version})
    page = _form_page(request, form, _("Change a document of the diagnosis"), _back(), conflict)
    return page


@require_GET
def document_file(request: CellRequest, pk: int) -> FileResponse:
    """The document's file, decrypted, for the strategic roles only."""
    document = selectors.document_get_for(actor=request.user, cell=request.cell, pk=pk)
    if not document.storage_name:
        raise Http404
    try:
        handle = storage.open_stored(document.storage_name, document.file_key)
    except (FileNotFoundError, ValueError):  # gone, or not opening with its key
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


# --- Findings ------------------------------------------------------------------------------


def _documents(request: CellRequest) -> Any:
    return selectors.document_list_for(actor=request.user, cell=request.cell)


def finding_new(request: CellRequest) -> HttpResponse:
    require(request.user, Action.STRATEGY_WRITE, request.cell)
    year = year_of(request)
    form = FindingForm(request.POST or None, initial={"year": year}, documents=_documents(request))
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.finding_create(
                actor=request.user, cell=request.cell, **form.cleaned_data
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Finding added to the diagnosis."))
            return redirect(_back(finding.year))
    return _form_page(request, form, _("Add a finding to the diagnosis"), _back(year))


FINDING_FIELDS = ("year", "theme", "text", "document")


def finding_edit(request: CellRequest, pk: int) -> HttpResponse:
    finding: Finding = selectors.finding_get_for(actor=request.user, cell=request.cell, pk=pk)
    require(request.user, Action.STRATEGY_WRITE, request.cell)
    documents = _documents(request)
    conflict = None
    if request.method == "POST":
        form = FindingEditForm(request.POST, documents=documents)
        if form.is_valid():
            try:
                services.finding_update(actor=request.user, finding=finding, **form.cleaned_data)
            except EditConflict as error:
                current = selectors.finding_get_for(actor=request.user, cell=request.cell, pk=pk)
                conflict = conflict_facts(current, FINDING_FIELDS, form.cleaned_data)
                form = FindingEditForm(rebound(request, current.version), documents=documents)
                form.is_valid()
                add_rule_error(form, error)
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("Finding saved."))
                return redirect(_back(int(form.cleaned_data["year"])))
    else:
        initial = {name: getattr(finding, name) for name in FINDING_FIELDS}
        form = FindingEditForm(initial={**initial, "version": finding.version}, documents=documents)
    return _form_page(
        request, form, _("Change a finding of the diagnosis"), _back(finding.year), conflict
    )
