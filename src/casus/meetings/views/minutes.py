"""Minutes and decisions per agenda item, feedback sheets, the information-exchange register,
and the agenda and minutes PDFs."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casus.access.rules import Action, can, case_queryset_for, require
from casus.access.rules.meeting_roles import may_approve_item, may_see_sheets
from casus.audit.models import AccessKind
from casus.audit.services import access_record
from casus.core.exceptions import CasusError, EditConflict, Forbidden
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page
from casus.core.reauth import after_reauthentication

from ..forms.feedback import COPY_WARNING, FeedbackEditForm, FeedbackForm, SentForm, VoteForm
from ..forms.minutes import DecisionForm, MinutesForm
from ..forms.register import ExchangeForm
from ..models import (
    AgendaItem,
    FeedbackSheet,
    FeedbackStatus,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from ..pdf import meeting_pdf, meeting_pdf_filename, pdf_items_for
from ..selectors.feedback import sheet_get_for, sheet_page_for
from ..selectors.minutes import item_get_for, meeting_get_for, minutes_page_for
from ..selectors.register import exchange_list_for
from ..services import feedback as feedback_services
from ..services import minutes as minutes_services
from ..services import register as register_services

FORM_PAGE = "meetings/minutes/form_page.html"


def _log_item(request: CellRequest, item: AgendaItem, **data: object) -> None:
    """Every page showing a case item's content writes one access-log row."""
    if item.case_id is not None:
        access_record(
            actor=request.user,
            cell=request.cell,
            kind=AccessKind.CASE,
            case_id=item.case_id,
            obj=item,
            data=dict(data),
        )


def _item(
    request: CellRequest, pk: int, item_pk: int, *, content: bool = True, present: bool = False
) -> AgendaItem:
    """The item of the URL, if the reader may see its content (404 otherwise); with
    ``present``, also for a person present for it who approves its minutes after the window
    closed."""
    item, access = item_get_for(
        actor=request.user, cell=request.cell, meeting_pk=pk, item_pk=item_pk
    )
    if content and not access.content and not (present and may_approve_item(request.user, item)):
        raise Forbidden("item.content")
    return item


def _item_url(item: AgendaItem) -> str:
    return reverse("meetings:minutes", args=[item.meeting_id, item.pk])


def _form_page(
    request: CellRequest, item: AgendaItem | None, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    if item is not None:
        _log_item(request, item, view="form")
    return render_page(request, FORM_PAGE, {"item": item, **context}, status=status)


# --- Minutes ----------------------------------------------------------------------------------


@require_GET
def minutes(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    """The minutes of an item: text, who approved, decisions, feedback sheets."""
    item = _item(request, pk, item_pk, present=True)
    page = minutes_page_for(item=item)
    user = request.user
    cell = request.cell
    held = item.meeting.status in (MeetingStatus.STARTED, MeetingStatus.ENDED)
    sees_sheets = may_see_sheets(user, item, cell)
    context = {
        "item": item,
        "page": page,
        "can_manage": held and can(user, Action.MEETING_MANAGE, cell),
        "can_approve": item.minutes_status == MinutesStatus.PROPOSED
        and may_approve_item(user, item)
        and user.pk not in page.approved_ids,
        "can_draft_feedback": held
        and item.case_id is not None
        and can(user, Action.FEEDBACK_DRAFT, cell),
        "sheets": page.sheets if sees_sheets else [],
    }
    _log_item(request, item, view="minutes")
    return render_page(request, "meetings/minutes/minutes.html", context)


def minutes_edit(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    require(request.user, Action.MEETING_MANAGE, request.cell)
    item = _item(request, pk, item_pk)
    form = MinutesForm(
        request.POST or None, initial={"minutes": item.minutes, "version": item.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            minutes_services.minutes_save(
                actor=request.user,
                item=item,
                minutes=form.cleaned_data["minutes"],
                version=form.cleaned_data["version"],
            )
        except EditConflict as error:
            current = error.current
            if not isinstance(current, AgendaItem):
                raise RuntimeError("a conflict carries the stored row") from error
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = MinutesForm(data)
            form.is_valid()
            add_rule_error(form, error)
            conflict = [{"label": _("Minutes"), "value": current.minutes, "changed": True}]
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect(_item_url(item))
    return _form_page(
        request,
        item,
        {"form": form, "title": _("Minutes"), "conflict": conflict, "back": _item_url(item)},
    )


@require_POST
def minutes_propose(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    require(request.user, Action.MEETING_MANAGE, request.cell)
    item = _item(request, pk, item_pk)
    try:
        minutes_services.minutes_propose(actor=request.user, item=item)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The minutes were put to those present for approval."))
    return redirect(_item_url(item))


@require_POST
def minutes_approve(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _item(request, pk, item_pk, present=True)
    try:
        item = minutes_services.minutes_approve(actor=request.user, item=item)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You approved the minutes."))
    return redirect(_item_url(item))


def decision_add(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    require(request.user, Action.MEETING_MANAGE, request.cell)
    item = _item(request, pk, item_pk)
    form = DecisionForm(
        request.POST or None, cell_id=request.cell.pk, case_item=item.case_id is not None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            minutes_services.decision_record(
                actor=request.user,
                item=item,
                text=data["text"],
                action_description=data.get("action_description") or "",
                owner_organisation=data.get("owner_organisation"),
                due_on=data.get("due_on"),
                next_review_on=data.get("next_review_on"),
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect(_item_url(item))
    return _form_page(
        request, item, {"form": form, "title": _("Record a decision"), "back": _item_url(item)}
    )


# --- Feedback sheets --------------------------------------------------------------------------


def _sheet(request: CellRequest, pk: int) -> FeedbackSheet:
    return sheet_get_for(actor=request.user, cell=request.cell, pk=pk)


def _sheet_url(sheet: FeedbackSheet) -> str:
    return reverse("meetings:feedback", args=[sheet.pk])


def _sheet_values(data: dict[str, Any]) -> dict[str, str]:
    return {name: data.get(name) or "" for name in feedback_services.SHEET_FIELDS}


def feedback_new(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    require(request.user, Action.FEEDBACK_DRAFT, request.cell)
    item = _item(request, pk, item_pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = feedback_services.feedback_draft(
                actor=request.user, item=item, **_sheet_values(form.cleaned_data)
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The feedback sheet was drafted."))
            return redirect(_sheet_url(sheet))
    return _form_page(
        request,
        item,
        {
            "form": form,
            "title": _("New feedback sheet"),
            "warning": COPY_WARNING,
            "back": _item_url(item),
        },
    )


def _sheet_page(
    request: CellRequest, sheet: FeedbackSheet, vote_form: VoteForm | None = None
) -> HttpResponse:
    page = sheet_page_for(actor=request.user, sheet=sheet)
    cell = request.cell
    drafts = can(request.user, Action.FEEDBACK_DRAFT, cell)
    context = {
        "sheet": sheet,
        "page": page,
        "item": sheet.item,
        "can_edit": drafts and sheet.status != FeedbackStatus.SENT,
        "can_submit": drafts and sheet.status == FeedbackStatus.DRAFT,
        "can_vote": page.may_vote
        and sheet.status in (FeedbackStatus.IN_APPROVAL, FeedbackStatus.BLOCKED),
        "can_send": can(request.user, Action.FEEDBACK_SEND, cell)
        and sheet.status == FeedbackStatus.APPROVED,
        "vote_form": vote_form or VoteForm(),
        "warning": COPY_WARNING,
    }
    _log_item(request, sheet.item, view="feedback", sheet=sheet.pk)
    return render_page(request, "meetings/feedback/sheet.html", context)


@require_GET
def feedback(request: CellRequest, pk: int) -> HttpResponse:
    return _sheet_page(request, _sheet(request, pk))


def feedback_edit(request: CellRequest, pk: int) -> HttpResponse:
    require(request.user, Action.FEEDBACK_DRAFT, request.cell)
    sheet = _sheet(request, pk)
    initial = {name: getattr(sheet, name) for name in feedback_services.SHEET_FIELDS}
    form = FeedbackEditForm(request.POST or None, initial={**initial, "version": sheet.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            feedback_services.feedback_update(
                actor=request.user,
                sheet=sheet,
                version=form.cleaned_data["version"],
                **_sheet_values(form.cleaned_data),
            )
        except EditConflict as error:
            current = error.current
            if not isinstance(current, FeedbackSheet):
                raise RuntimeError("a conflict carries the stored row") from error
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = FeedbackEditForm(data)
            form.is_valid()
            add_rule_error(form, error)
            conflict = [
                {
                    "label": form.fields[name].label,
                    "value": getattr(current, name),
                    "changed": getattr(current, name) != (form.cleaned_data.get(name) or ""),
                }
                for name in feedback_services.SHEET_FIELDS
            ]
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The feedback sheet was saved."))
            return redirect(_sheet_url(sheet))
    return _form_page(
        request,
        sheet.item,
        {
            "form": form,
            "title": _("Edit the feedback sheet"),
            "warning": COPY_WARNING,
            "conflict": conflict,
            "back": _sheet_url(sheet),
        },
    )


@require_POST
def feedback_submit(request: CellRequest, pk: int) -> HttpResponse:
    require(request.user, Action.FEEDBACK_DRAFT, request.cell)
    sheet = _sheet(request, pk)
    try:
        feedback_services.feedback_submit(actor=request.user, sheet=sheet)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The feedback sheet was put to those present."))
    return redirect(_sheet_url(sheet))


@require_POST
def feedback_vote(request: CellRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            feedback_services.feedback_vote(
                actor=request.user,
                sheet=sheet,
                vote=form.cleaned_data["vote"],
                reason=form.cleaned_data["reason"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Your vote was recorded."))
            return redirect(_sheet_url(sheet))
    return _sheet_page(request, sheet, vote_form=form)


def feedback_sent(request: CellRequest, pk: int) -> HttpResponse:
    require(request.user, Action.FEEDBACK_SEND, request.cell)
    sheet = _sheet(request, pk)
    form = SentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_services.feedback_mark_sent(
                actor=request.user,
                sheet=sheet,
                sent_on=form.cleaned_data["sent_on"],
                sent_to=form.cleaned_data["sent_to"],
                counterpart=form.cleaned_data["counterpart"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The feedback sheet is marked sent and registered."))
            return redirect(_sheet_url(sheet))
    return _form_page(
        request,
        sheet.item,
        {"form": form, "title": _("Mark the feedback sheet sent"), "back": _sheet_url(sheet)},
    )


# --- Information-exchange register ------------------------------------------------------------


@require_GET
def register(request: CellRequest) -> HttpResponse:
    entries = list(exchange_list_for(actor=request.user, cell=request.cell))
    access_record(
        actor=request.user,
        cell=request.cell,
        kind=AccessKind.REGISTER,
        data={"view": "exchange_register", "count": len(entries)},
    )
    context = {
        "entries": entries,
        "can_write": can(request.user, Action.EXCHANGE_WRITE, request.cell),
    }
    return render_page(request, "meetings/register/list.html", context)


def register_new(request: CellRequest) -> HttpResponse:
    require(request.user, Action.EXCHANGE_WRITE, request.cell)
    cases = case_queryset_for(request.user, request.cell).order_by("-year", "-number")
    form = ExchangeForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_services.exchange_record(
                actor=request.user,
                cell=request.cell,
                direction=data["direction"],
                counterpart=data["counterpart"],
                counterpart_detail=data["counterpart_detail"],
                occurred_on=data["occurred_on"],
                legal_basis=data["legal_basis"],
                legal_basis_detail=data["legal_basis_detail"],
                reference=data["reference"],
                subject=data["subject"],
                case=data["case"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The exchange was entered in the register."))
            return redirect("meetings:register")
    return _form_page(
        request,
        None,
        {
            "form": form,
            "title": _("Enter an information exchange"),
            "warning": _(
                "References only (a PV or RIR number): never copy police or OCAD database "
                "content into the register."
            ),
            "back": reverse("meetings:register"),
        },
    )


# --- PDFs -------------------------------------------------------------------------------------


def _pdf(request: CellRequest, pk: int, kind: str) -> HttpResponse:
    """The agenda or minutes PDF, after the meeting check (404) and a re-authentication."""
    meeting = meeting_get_for(actor=request.user, cell=request.cell, pk=pk)
    return after_reauthentication(request, lambda: _pdf_download(request, meeting, kind))


def _pdf_download(request: CellRequest, meeting: Meeting, kind: str) -> HttpResponse:
    items = pdf_items_for(reader=request.user, meeting=meeting)
    content = meeting_pdf(reader=request.user, meeting=meeting, kind=kind, items=items)
    # One access-log row per case whose item content the document holds (none for policy).
    for pdf_item in items:
        if pdf_item.access.content and pdf_item.item.case_id is not None:
            access_record(
                actor=request.user,
                cell=request.cell,
                kind=AccessKind.PDF,
                case_id=pdf_item.item.case_id,
                obj=pdf_item.item,
                data={"document": kind, "meeting": meeting.pk},
            )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{meeting_pdf_filename(meeting, kind)}"'
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def agenda_pdf(request: CellRequest, pk: int) -> HttpResponse:
    return _pdf(request, pk, "agenda")


@require_GET
def minutes_pdf(request: CellRequest, pk: int) -> HttpResponse:
    return _pdf(request, pk, "minutes")


_ITEM = "meetings/<int:pk>/items/<int:item_pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{_ITEM}minutes/", minutes, name="minutes"),
    path(f"{_ITEM}minutes/edit/", minutes_edit, name="minutes_edit"),
    path(f"{_ITEM}minutes/propose/", minutes_propose, name="minutes_propose"),
    path(f"{_ITEM}minutes/approve/", minutes_approve, name="minutes_approve"),
    path(f"{_ITEM}decisions/new/", decision_add, name="decision_add"),
    path(f"{_ITEM}feedback/new/", feedback_new, name="feedback_new"),
    path("feedback/<int:pk>/", feedback, name="feedback"),
    path("feedback/<int:pk>/edit/", feedback_edit, name="feedback_edit"),
    path("feedback/<int:pk>/submit/", feedback_submit, name="feedback_submit"),
    path("feedback/<int:pk>/vote/", feedback_vote, name="feedback_vote"),
    path("feedback/<int:pk>/sent/", feedback_sent, name="feedback_sent"),
    path("exchanges/", register, name="register"),
    path("exchanges/new/", register_new, name="register_new"),
    path("meetings/<int:pk>/agenda.pdf", agenda_pdf, name="agenda_pdf"),
    path("meetings/<int:pk>/minutes.pdf", minutes_pdf, name="minutes_pdf"),
]
