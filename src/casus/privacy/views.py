"""Privacy pages: break-glass access and its review, data-subject requests, the record of
processing and the DPIA annex."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casus.access.rules import Action, CaseAction, CaseContext, can, require
from casus.audit.models import AccessKind
from casus.cases.models import Case
from casus.cases.selectors.common import case_get_checked, case_read_record
from casus.cases.views.common import case_page_context
from casus.core.exceptions import CasusError, Forbidden, RuleViolation
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page
from casus.core.pdf import render_pdf
from casus.core.reauth import after_reauthentication

from . import selectors, services
from .forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    DecisionForm,
    ExtensionForm,
    NoteForm,
    ReviewForm,
    SubjectRequestForm,
)
from .models import SubjectRequest, SubjectRequestKind, SubjectRequestStatus, SubjectReviewStatus
from .record import processing_record_for, record_context


def break_glass_open(request: CellRequest, pk: int) -> HttpResponse:
    """The chair opens one case's file for 24 hours, after re-authenticating, with a reason.

    The case is checked first (404 for anyone else), so that the re-authentication prompt
    reveals nothing about an id.
    """
    case, context = case_get_checked(
        actor=request.user, cell_id=request.cell.pk, pk=pk, action=CaseAction.BREAK_GLASS
    )
    return after_reauthentication(request, lambda: _break_glass_form(request, case, context))


def _break_glass_form(request: CellRequest, case: Case, context: CaseContext) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_open(
                actor=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.warning(
                request,
                _(
                    "Break-glass access is open for 24 hours. The coordinator and the "
                    "data-protection officer have been told."
                ),
            )
            return redirect("cases:journal", pk=case.pk)
    # The page shows the case header (the subject): the read is logged.
    case_read_record(actor=request.user, case=case, kind=AccessKind.CASE)
    page = case_page_context(context, "overview") | {"form": form}
    return render_page(
        request, "privacy/break_glass_open.html", page, status=400 if form.errors else 200
    )


def break_glass_list(request: CellRequest) -> HttpResponse:
    """Break-glass uses of the cell, with their review (reasons not for the DPO)."""
    rows = list(selectors.break_glass_list_for(actor=request.user, cell=request.cell)[:500])
    show_reasons = selectors.break_glass_reasons_visible(actor=request.user, cell=request.cell)
    can_review = can(request.user, Action.BREAK_GLASS_REVIEW, request.cell)
    return render_page(
        request,
        "privacy/break_glass_list.html",
        {
            "rows": rows,
            "show_reasons": show_reasons,
            "review_form": can_review,
        },
    )


@require_POST
def break_glass_review(request: CellRequest, pk: int) -> HttpResponse:
    """The coordinator records the meeting's review of one use."""
    access = selectors.break_glass_get_for_review(actor=request.user, cell=request.cell, pk=pk)
    form = BreakGlassReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what the meeting concluded about this access."))
        return redirect("privacy:break_glass_list")
    try:
        services.break_glass_review(
            actor=request.user, access=access, note=form.cleaned_data["note"]
        )
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The review is recorded."))
    return redirect("privacy:break_glass_list")


# --- Data-subject requests ------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def subject_requests(request: CellRequest) -> HttpResponse:
    """The coordinator's and the chair's list: deadlines due within a week and overdue stand
    out."""
    rows = selectors.subject_request_list_for(actor=request.user, cell=request.cell)
    can_register = can(request.user, Action.SUBJECT_REQUEST_COMPILE, request.cell)
    return render_page(
        request,
        "privacy/subject_requests.html",
        {"rows": rows, "can_register": can_register, "due_days": selectors.DUE_SOON_DAYS},
    )


def subject_request_new(request: CellRequest) -> HttpResponse:
    """The coordinator registers a request the cell received."""
    require(request.user, Action.SUBJECT_REQUEST_COMPILE, request.cell)
    form = SubjectRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subject_request = services.subject_request_register(
                actor=request.user,
                cell=request.cell,
                kind=data["kind"],
                received_on=data["received_on"],
                family_name=data["family_name"],
                given_names=data["given_names"],
                birth_date=data["birth_date"],
                request_text=data["request_text"],
                contact=data["contact"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The request is registered."))
            return redirect("privacy:subject_request", pk=subject_request.pk)
    return render_page(
        request,
        "privacy/subject_request_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def subject_request_detail(request: CellRequest, pk: int) -> HttpResponse:
    """One request: the requester, the deadline, the organisations' parts in counts, and
    what the reader may do next."""
    subject_request = selectors.subject_request_get_for(
        actor=request.user, cell=request.cell, pk=pk
    )
    compiler = can(request.user, Action.SUBJECT_REQUEST_COMPILE, request.cell)
    status = subject_request.status
    own_review = (
        selectors.subject_review_list_for(actor=request.user, cell=request.cell)
        .filter(request=subject_request)
        .first()
        if compiler
        else None
    )
    return render_page(
        request,
        "privacy/subject_request_detail.html",
        {
            "subject_request": subject_request,
            "parts": selectors.subject_request_parts_for(
                actor=request.user, request=subject_request
            ),
            "matches": list(subject_request.matches.all()),
            "can_compile": compiler and status == SubjectRequestStatus.RECEIVED,
            "extension_form": ExtensionForm() if compiler and subject_request.is_open else None,
            "can_decide": can(request.user, Action.SUBJECT_REQUEST_DECIDE, request.cell)
            and status == SubjectRequestStatus.AWAITING_DECISION,
            "rectification_form": NoteForm()
            if compiler
            and services.rectification_due(subject_request)
            and subject_request.rectified_at is None
            else None,
            "can_close": compiler and status == SubjectRequestStatus.DECIDED,
            "has_response": status in {SubjectRequestStatus.DECIDED, SubjectRequestStatus.CLOSED},
            "own_review": own_review,
        },
    )


def _act(request: CellRequest, pk: int, action: Action, run: Any, done: str) -> HttpResponse:
    """A POST action on one request: check, call the service, say how it went, go back."""
    subject_request = selectors.subject_request_get_for(
        actor=request.user, cell=request.cell, pk=pk, action=action
    )
    try:
        run(subject_request)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("privacy:subject_request", pk=pk)


@require_POST
def subject_request_compile(request: CellRequest, pk: int) -> HttpResponse:
    """The coordinator compiles: matches and one part per contributing organisation."""
    return _act(
        request,
        pk,
        Action.SUBJECT_REQUEST_COMPILE,
        lambda r: services.subject_request_compile(actor=request.user, request=r),
        _("The request is compiled; each organisation reviews its own entries."),
    )


@require_POST
def subject_request_extend(request: CellRequest, pk: int) -> HttpResponse:
    """The coordinator extends the deadline, with the reason."""
    form = ExtensionForm(request.POST)

    def run(subject_request: SubjectRequest) -> None:
        if not form.is_valid():
            raise RuleViolation(_("Choose the extension and write why more time is needed."))
        services.subject_request_extend(
            actor=request.user,
            request=subject_request,
            months=form.cleaned_data["months"],
            reason=form.cleaned_data["reason"],
        )

    return _act(request, pk, Action.SUBJECT_REQUEST_COMPILE, run, _("The deadline is extended."))


@require_POST
def subject_request_rectified(request: CellRequest, pk: int) -> HttpResponse:
    """The coordinator records that the correction was made."""
    form = NoteForm(request.POST)

    def run(subject_request: SubjectRequest) -> None:
        if not form.is_valid():
            raise RuleViolation(_("Write what was corrected."))
        services.subject_request_rectified(
            actor=request.user, request=subject_request, note=form.cleaned_data["note"]
        )

    return _act(request, pk, Action.SUBJECT_REQUEST_COMPILE, run, _("The correction is recorded."))


@require_POST
def subject_request_close(request: CellRequest, pk: int) -> HttpResponse:
    """The coordinator closes a decided request once answered."""
    return _act(
        request,
        pk,
        Action.SUBJECT_REQUEST_COMPILE,
        lambda r: services.subject_request_close(actor=request.user, request=r),
        _("The request is closed."),
    )


def subject_request_decide(request: CellRequest, pk: int) -> HttpResponse:
    """The chair's page: the compiled summary in counts, and the decision."""
    subject_request = selectors.subject_request_get_for(
        actor=request.user, cell=request.cell, pk=pk, action=Action.SUBJECT_REQUEST_DECIDE
    )
    matches = list(subject_request.matches.all())
    erasable = (
        [(m.pk, m.label) for m in matches]
        if subject_request.kind == SubjectRequestKind.ERASURE
        else []
    )
    ready = subject_request.status == SubjectRequestStatus.AWAITING_DECISION
    form = DecisionForm(request.POST or None, matches=erasable) if ready else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.subject_request_decide(
                actor=request.user,
                request=subject_request,
                outcome=form.cleaned_data["outcome"],
                legal_ground=form.cleaned_data["legal_ground"],
                note=form.cleaned_data["note"],
                erase=form.cleaned_data.get("erase") or (),
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("privacy:subject_request", pk=pk)
    return render_page(
        request,
        "privacy/subject_request_decide.html",
        {
            "subject_request": subject_request,
            "parts": selectors.subject_request_parts_for(
                actor=request.user, request=subject_request
            ),
            "matches": matches,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
def subject_request_response(request: CellRequest, pk: int) -> HttpResponse:
    """The answer to the requester (``?export=pdf`` for the PDF), after re-authentication.

    The request is checked first (404 for anyone else), so the prompt reveals nothing.
    """
    subject_request = selectors.subject_request_get_for(
        actor=request.user, cell=request.cell, pk=pk
    )
    if subject_request.status not in {SubjectRequestStatus.DECIDED, SubjectRequestStatus.CLOSED}:
        raise Forbidden("subject_request_response")
    return after_reauthentication(request, lambda: _response_document(request, subject_request))


def _response_document(request: CellRequest, subject_request: SubjectRequest) -> HttpResponse:
    export = "pdf" if request.GET.get("export") == "pdf" else "html"
    answer = selectors.subject_request_response_for(
        actor=request.user, request=subject_request, export=export
    )
    context = {
        "answer": answer,
        "subject_request": subject_request,
        "printed_at": timezone.localtime(),
        "reader_name": request.user.full_name or request.user.email,
    }
    if export == "pdf":
        content = render_pdf("privacy/pdf/response.html", context)
        return _pdf(content, f"{subject_request.reference}.pdf")
    return render_page(request, "privacy/subject_request_response.html", context)


def subject_request_decisions(request: CellRequest) -> HttpResponse:
    """The DPO's list: reference, kind, dates, status and outcome; never who or what."""
    rows = selectors.subject_request_decisions_for(actor=request.user, cell=request.cell)
    return render_page(request, "privacy/subject_request_decisions.html", {"rows": rows})


def subject_reviews(request: CellRequest) -> HttpResponse:
    """The parts of requests that the reader's organisation reviews."""
    reviews = list(selectors.subject_review_list_for(actor=request.user, cell=request.cell))
    return render_page(request, "privacy/subject_reviews.html", {"reviews": reviews})


def subject_review(request: CellRequest, pk: int) -> HttpResponse:
    """A reviewer's own organisation's entries about the requester: disclose or withhold."""
    review = selectors.subject_review_get_for(actor=request.user, cell=request.cell, pk=pk)
    pending = review.status == SubjectReviewStatus.PENDING
    views = selectors.subject_review_items_for(actor=request.user, review=review)
    form = (
        ReviewForm(request.POST or None, item_ids=[view.item.pk for view in views])
        if pending
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.subject_review_submit(
                actor=request.user, review=review, decisions=form.decisions()
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Your organisation's review is recorded."))
            return redirect("privacy:subject_reviews")
    rows = list(zip(views, form.rows(), strict=True)) if form is not None else []
    return render_page(
        request,
        "privacy/subject_review.html",
        {"review": review, "views": views, "form": form, "rows": rows},
        status=400 if form is not None and form.errors else 200,
    )


# --- The art. 30 record and the DPIA annex ---------------------------------------------------


def _record_document(request: CellRequest, template: str, name: str) -> HttpResponse:
    record = processing_record_for(actor=request.user, cell=request.cell)
    context = record_context(record) | {"printed_at": timezone.localtime()}
    if request.GET.get("export") == "pdf":
        content = render_pdf("privacy/pdf/record.html", context | {"body": template})
        return _pdf(content, f"{name}.pdf")
    return render_page(request, "privacy/record.html", context | {"body": template})


def processing_record(request: CellRequest) -> HttpResponse:
    """The GDPR art. 30 record of processing, from the active charter (``?export=pdf``)."""
    return _record_document(request, "privacy/_record_body.html", "record-of-processing")


def dpia_annex(request: CellRequest) -> HttpResponse:
    """The DPIA annex, from the active charter (``?export=pdf``)."""
    return _record_document(request, "privacy/_dpia_body.html", "dpia-annex")
