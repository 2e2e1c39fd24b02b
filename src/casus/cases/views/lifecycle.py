"""The case's course: progress steps, closure, handovers between cells, the PDF summary."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.access.rules import CaseAction, CaseContext
from casus.audit.models import AccessKind
from casus.audit.services import access_record
from casus.core.exceptions import CasusError, EditConflict, RuleViolation
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page
from casus.core.reauth import after_reauthentication

from ..forms.lifecycle import CloseForm, HandoverDecisionForm, IdentityExportForm, StepForm
from ..models import Case, CaseStatus
from ..pdf import case_summary_filename, case_summary_pdf
from ..selectors.common import case_read_record
from ..selectors.lifecycle import handover_get_for, handover_list_for, progress_steps_for
from ..services.lifecycle import (
    case_close,
    case_identity_export_record,
    case_progress,
    handover_decide,
)
from .common import case_for_page, case_page_context


def lifecycle_panel(request: CellRequest, context: CaseContext) -> dict[str, object]:
    """Context for ``cases/lifecycle/_panel.html`` on the case overview (steps, close, PDF).

    Merge it into the page context (``context |= lifecycle_panel(request, ctx)``); it is
    empty for people who may do none of these.
    """
    case = context.case
    panel: dict[str, object] = {}
    steps = progress_steps_for(context)
    if steps:
        panel["lifecycle_steps"] = steps
        panel["lifecycle_step_url"] = reverse("cases:step", args=[case.pk])
        panel["lifecycle_version"] = case.version
    if context.allows(CaseAction.CLOSE) and not case.is_closed:
        panel["lifecycle_close_url"] = reverse("cases:close", args=[case.pk])
    if context.allows(CaseAction.PDF):
        panel["lifecycle_pdf_url"] = reverse("cases:pdf", args=[case.pk])
        panel["lifecycle_identity_form"] = IdentityExportForm()
    if panel:
        panel["lifecycle_panel"] = True
    return panel


@require_POST
def step(request: CellRequest, pk: int) -> HttpResponse:
    """Take one progress step (discussion, pathway, evaluation, follow-up again)."""
    case, _context = case_for_page(request, pk, CaseAction.PROGRESS)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the steps offered on the case page."))
        return redirect("cases:detail", pk=case.pk)
    try:
        case = case_progress(
            actor=request.user,
            case=case,
            target_status=form.cleaned_data["target_status"],
            version=form.cleaned_data["version"],
        )
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The case is now “%(status)s”.") % {"status": CaseStatus(case.status).label},
        )
    return redirect("cases:detail", pk=case.pk)


def _close_page(
    request: CellRequest, context: CaseContext, page: dict[str, object]
) -> HttpResponse:
    """Render the close page (the case header shows the subject): every render is logged."""
    case_read_record(actor=request.user, case=context.case, kind=AccessKind.CASE)
    return render_page(request, "cases/lifecycle/close.html", page)


def close(request: CellRequest, pk: int) -> HttpResponse:
    """Close the case with a coded reason and an evaluation (GET: the form)."""
    is_post = request.method == "POST"
    case, context = case_for_page(request, pk, CaseAction.CLOSE)
    page = {**case_page_context(context, "overview"), "conflict": None}
    if case.is_closed:
        return _close_page(request, context, {**page, "form": None})
    form = CloseForm(request.POST if is_post else None, initial={"version": case.version})
    if is_post and form.is_valid():
        data = form.cleaned_data
        try:
            closure = case_close(
                actor=request.user,
                case=case,
                reason=data["reason"],
                evaluation=data["evaluation"],
                version=data["version"],
                moved_to=data.get("moved_to"),
            )
        except EditConflict as error:
            # Keep what the person wrote, show what is stored now, and let them save again.
            current = error.current
            fresh = request.POST.copy()
            fresh["version"] = str(getattr(current, "version", case.version))
            form = CloseForm(fresh)
            form.is_valid()
            add_rule_error(form, error)
            page["conflict"] = current
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The case is closed."))
            if closure.handover is not None:
                messages.info(
                    request,
                    _(
                        "A minimal handover record (name, birth date, contact person) was sent "
                        "to %(cell)s; its coordinator decides whether to take it up."
                    )
                    % {"cell": closure.handover.to_cell.name},
                )
            elif closure.outside_casus:
                messages.warning(
                    request,
                    _(
                        "No cell in Casus covers %(municipality)s: arrange the handover with "
                        "that municipality outside Casus."
                    )
                    % {"municipality": data["moved_to"].name},
                )
            return redirect("cases:detail", pk=case.pk)
    return _close_page(request, context, {**page, "form": form})


def handovers(request: CellRequest) -> HttpResponse:
    """Handovers to this cell from other cells: the minimal record, to accept or decline."""
    rows = list(handover_list_for(actor=request.user, cell=request.cell))
    if rows:
        # The page shows another cell's person (name, birth date): the access log.
        access_record(
            actor=request.user,
            cell=request.cell,
            kind=AccessKind.CASE,
            data={"view": "handovers", "handovers": [row.pk for row in rows]},
        )
    return render_page(
        request,
        "cases/lifecycle/handovers.html",
        {"handovers": rows},
    )


@require_POST
def handover_decide_view(request: CellRequest, pk: int) -> HttpResponse:
    """Accept (a signal is created for screening) or decline a handover."""
    handover = handover_get_for(actor=request.user, cell=request.cell, pk=pk)
    form = HandoverDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to accept or decline the handover."))
        return redirect("cases:handovers")
    accept = form.cleaned_data["decision"] == "accept"
    try:
        handover = handover_decide(actor=request.user, handover=handover, accept=accept)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        if accept and handover.signal is not None:
            messages.success(
                request,
                _("Handover accepted: signal %(reference)s awaits screening.")
                % {"reference": handover.signal.reference},
            )
        else:
            messages.success(request, _("Handover declined."))
    return redirect("cases:handovers")


def pdf(request: CellRequest, pk: int) -> HttpResponse:
    """The case summary as a PDF, watermarked with the reader's name and the time.

    GET gives it pseudonymised; a POST with a reason adds the person's identity. Both ask for
    re-authentication, after the case check (so the prompt reveals nothing about an id).
    """
    case, context = case_for_page(request, pk, CaseAction.PDF)
    return after_reauthentication(request, lambda: _pdf_download(request, case, context))


def _pdf_download(request: CellRequest, case: Case, context: CaseContext) -> HttpResponse:
    identity = request.method == "POST"
    if identity:
        form = IdentityExportForm(request.POST)
        try:
            if not form.is_valid():
                raise RuleViolation(_("Write why the export needs the person's identity."))
            case_identity_export_record(
                actor=request.user, case=case, reason=form.cleaned_data["reason"], export="pdf"
            )
        except CasusError as error:
            messages.error(request, error.message)
            return redirect("cases:detail", pk=case.pk)
    case_read_record(actor=request.user, case=case, kind=AccessKind.PDF, identity=identity)
    content = case_summary_pdf(reader=request.user, context=context, identity=identity)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case_summary_filename(context)}"'
    response["Cache-Control"] = "no-store, private"
    return response


urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/step/", step, name="step"),
    path("cases/<int:pk>/close/", close, name="close"),
    path("cases/<int:pk>/summary.pdf", pdf, name="pdf"),
    path("handovers/", handovers, name="handovers"),
    path("handovers/<int:pk>/decide/", handover_decide_view, name="handover_decide"),
]
