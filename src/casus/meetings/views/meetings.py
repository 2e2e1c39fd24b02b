"""Meetings: the list, the meeting page (agenda, invitations, course, attendance), an item's
dossier, and the POST endpoints of the coordinator's and the secretary's tools."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.access.models import Membership, User
from casus.access.rules import Action, can, case_queryset_for, require
from casus.audit.models import AccessKind
from casus.audit.services import access_record
from casus.cases.models import CaseStatus
from casus.core.exceptions import CasusError, EditConflict
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page
from casus.privacy.selectors import break_glass_unreviewed_for

from ..forms.meetings import (
    AttendanceForm,
    InvitationAddForm,
    ItemAddForm,
    MeetingForm,
    ReorderForm,
    UserForm,
    VersionForm,
)
from ..models import Invitation, MeetingStatus
from ..selectors.meetings import (
    agenda_proposal_for,
    item_entries_for,
    item_get_for,
    meeting_get_for,
    meeting_list_for,
    meeting_page_for,
)
from ..services import meetings as services


def meeting_list(request: CellRequest) -> HttpResponse:
    meetings = list(meeting_list_for(actor=request.user, cell=request.cell))
    return render_page(
        request,
        "meetings/meetings/list.html",
        {
            "meetings": meetings,
            "can_manage": can(request.user, Action.MEETING_MANAGE, request.cell),
        },
    )


def _meeting_form_data(form: MeetingForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    data["place"] = data.get("place") or ""
    data["video_link"] = data.get("video_link") or ""
    return data


def meeting_new(request: CellRequest) -> HttpResponse:
    require(request.user, Action.MEETING_MANAGE, request.cell)
    form = MeetingForm(request.POST or None, cell_id=request.cell.pk)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                actor=request.user, cell=request.cell, **_meeting_form_data(form)
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The meeting is planned: prepare its agenda."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render_page(request, "meetings/meetings/form.html", {"form": form, "meeting": None})


def meeting_edit(request: CellRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MEETING_MANAGE, request.cell)
    meeting = meeting_get_for(actor=request.user, cell=request.cell, pk=pk)
    initial = {
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "video_link": meeting.video_link,
        "chaired_by": meeting.chaired_by_id,
        "secretary": meeting.secretary_id,
        "window_days": meeting.window_days,
        "version": meeting.version,
    }
    form = MeetingForm(
        request.POST or None, initial=initial, cell_id=request.cell.pk, with_table=False
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                version=form.cleaned_data.get("version"),
                **_meeting_form_data(form),
            )
        except EditConflict as error:
            conflict = error.current
            fresh = request.POST.copy()
            fresh["version"] = str(getattr(conflict, "version", meeting.version))
            form = MeetingForm(fresh, cell_id=request.cell.pk, with_table=False)
            form.is_valid()
            add_rule_error(form, error)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render_page(
        request,
        "meetings/meetings/form.html",
        {"form": form, "meeting": meeting, "conflict": conflict},
    )


def meeting_detail(request: CellRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(actor=request.user, cell=request.cell, pk=pk)
    page = meeting_page_for(actor=request.user, meeting=meeting)
    context: dict[str, Any] = {"page": page, "meeting": meeting, "statuses": MeetingStatus}
    if page.can_manage and meeting.status == MeetingStatus.DRAFT:
        context["proposals"] = agenda_proposal_for(actor=request.user, meeting=meeting)
        cases = (
            case_queryset_for(request.user, request.cell)
            .exclude(status=CaseStatus.CLOSED)
            .order_by("-year", "-number")
        )
        context["add_form"] = ItemAddForm(cases=cases)
    if page.can_manage and can(request.user, Action.BREAK_GLASS_REVIEW, request.cell):
        # Break-glass uses since the last review are listed for this meeting to review.
        context["break_glass_pending"] = list(
            break_glass_unreviewed_for(actor=request.user, cell=request.cell)
        )
    context["present_unconfirmed"] = (
        meeting.status == MeetingStatus.STARTED
        and page.attendance is not None
        and page.attendance.confirmed_at is None
    )
    return render_page(request, "meetings/meetings/detail.html", context)


def item_detail(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = meeting_get_for(actor=request.user, cell=request.cell, pk=pk)
    item, access = item_get_for(actor=request.user, meeting=meeting, item_pk=item_pk)
    entries = []
    if access.content and item.case is not None:
        entries = item_entries_for(actor=request.user, item=item)
        access_record(
            actor=request.user,
            cell=request.cell,
            kind=AccessKind.CASE,
            case_id=item.case_id,
            obj=item,
            data={"view": "meeting_item", "item": item.pk},
        )
    return render_page(
        request,
        "meetings/meetings/item.html",
        {"meeting": meeting, "item": item, "access": access, "entries": entries},
    )


# --- POST endpoints ---------------------------------------------------------------------------


def _run(request: CellRequest, pk: int, call: Callable[[], object], done: str) -> HttpResponse:
    """Run one service; show its refusal or ``done``; back to the meeting page."""
    try:
        call()
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("meetings:detail", pk=pk)


def _manager_meeting(request: CellRequest, pk: int):  # type: ignore[no-untyped-def]
    require(request.user, Action.MEETING_MANAGE, request.cell)
    return meeting_get_for(actor=request.user, cell=request.cell, pk=pk)


def _item_of(meeting: Any, item_pk: object) -> Any:
    try:
        return meeting.items.select_related("meeting").get(pk=item_pk)
    except (ValueError, TypeError, meeting.items.model.DoesNotExist):
        raise Http404 from None


@require_POST
def item_add(request: CellRequest, pk: int) -> HttpResponse:
    meeting = _manager_meeting(request, pk)
    cases = case_queryset_for(request.user, request.cell)
    form = ItemAddForm(request.POST, cases=cases)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of item and its case, or give a title."))
        return redirect("meetings:detail", pk=pk)
    data = form.cleaned_data
    return _run(
        request,
        pk,
        lambda: services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            kind=data["kind"],
            case=data.get("case"),
            title=data.get("title") or "",
        ),
        _("The item is on the agenda."),
    )


@require_POST
def item_remove(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _manager_meeting(request, pk)
    item = _item_of(meeting, item_pk)
    return _run(
        request,
        pk,
        lambda: services.agenda_item_remove(actor=request.user, item=item),
        _("The item is off the agenda."),
    )


@require_POST
def reorder(request: CellRequest, pk: int) -> HttpResponse:
    meeting = _manager_meeting(request, pk)
    form = ReorderForm(request.POST)
    order = list(meeting.items.order_by("position", "pk").values_list("pk", flat=True))
    if not form.is_valid() or form.cleaned_data["item"] not in order:
        raise Http404
    index = order.index(form.cleaned_data["item"])
    other = index - 1 if form.cleaned_data["direction"] == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return _run(
        request,
        pk,
        lambda: services.agenda_reorder(actor=request.user, meeting=meeting, order=order),
        _("The agenda order is saved."),
    )


@require_POST
def invitations_default(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _manager_meeting(request, pk)
    item = _item_of(meeting, item_pk)
    return _run(
        request,
        pk,
        lambda: services.invitations_default(actor=request.user, item=item),
        _("The default participants are invited."),
    )


@require_POST
def invitation_add(request: CellRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _manager_meeting(request, pk)
    item = _item_of(meeting, item_pk)
    form = InvitationAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a member to invite."))
        return redirect("meetings:detail", pk=pk)
    membership = Membership.objects.filter(
        pk=form.cleaned_data["membership"], cell_id=request.cell.pk
    ).first()
    if membership is None:
        raise Http404
    return _run(
        request,
        pk,
        lambda: services.invitation_add(actor=request.user, item=item, membership=membership),
        _("The member is invited."),
    )


@require_POST
def invitation_remove(
    request: CellRequest, pk: int, item_pk: int, invitation_pk: int
) -> HttpResponse:
    meeting = _manager_meeting(request, pk)
    item = _item_of(meeting, item_pk)
    invitation = Invitation.objects.filter(pk=invitation_pk, item=item).first()
    if invitation is None:
        raise Http404
    return _run(
        request,
        pk,
        lambda: services.invitation_remove(actor=request.user, invitation=invitation),
        _("The invitation is withdrawn."),
    )


def _course(
    service: Callable[..., object], done: str
) -> Callable[[CellRequest, int], HttpResponse]:
    @require_POST
    def view(request: CellRequest, pk: int) -> HttpResponse:
        meeting = _manager_meeting(request, pk)
        form = VersionForm(request.POST)
        if not form.is_valid():
            raise Http404
        return _run(
            request,
            pk,
            lambda: service(
                actor=request.user, meeting=meeting, version=form.cleaned_data["version"]
            ),
            done,
        )

    return view


meeting_publish = _course(
    services.meeting_publish, _("The agenda is published and the invitations are sent.")
)
meeting_start = _course(services.meeting_start, _("The meeting has started: the list is locked."))
meeting_end = _course(services.meeting_end, _("The meeting has ended."))
meeting_cancel = _course(services.meeting_cancel, _("The meeting is cancelled."))


def _cell_user(request: CellRequest, user_pk: int) -> User:
    user = User.objects.filter(
        pk=user_pk, memberships__cell_id=request.cell.pk, memberships__ended_at__isnull=True
    ).first()
    if user is None:
        raise Http404
    return user


@require_POST
def attendance(request: CellRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(actor=request.user, cell=request.cell, pk=pk)
    item_ids = list(meeting.items.values_list("pk", flat=True))
    form = AttendanceForm(request.POST, item_ids=item_ids)
    if not form.is_valid():
        messages.error(request, _("Choose the items the person was present for."))
        return redirect("meetings:detail", pk=pk)
    user = _cell_user(request, form.cleaned_data["user"])
    return _run(
        request,
        pk,
        lambda: services.attendance_record(
            actor=request.user,
            meeting=meeting,
            user=user,
            present_for_items=form.cleaned_data["items"],
        ),
        _("Attendance is recorded."),
    )


@require_POST
def confirm(request: CellRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(actor=request.user, cell=request.cell, pk=pk)
    return _run(
        request,
        pk,
        lambda: services.secrecy_confirm(actor=request.user, meeting=meeting),
        _("Your confirmation is recorded."),
    )


@require_POST
def secrecy_record(request: CellRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for(actor=request.user, cell=request.cell, pk=pk)
    form = UserForm(request.POST)
    if not form.is_valid():
        raise Http404
    user = _cell_user(request, form.cleaned_data["user"])
    return _run(
        request,
        pk,
        lambda: services.secrecy_record(actor=request.user, meeting=meeting, user=user),
        _("The signed confirmation is recorded."),
    )


urlpatterns: list[URLPattern] = [
    path("meetings/", meeting_list, name="list"),
    path("meetings/new/", meeting_new, name="new"),
    path("meetings/<int:pk>/", meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="edit"),
    path("meetings/<int:pk>/items/<int:item_pk>/", item_detail, name="item"),
    path("meetings/<int:pk>/items/add/", item_add, name="item_add"),
    path("meetings/<int:pk>/items/<int:item_pk>/remove/", item_remove, name="item_remove"),
    path("meetings/<int:pk>/items/reorder/", reorder, name="reorder"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/invitations/default/",
        invitations_default,
        name="invitations_default",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/invitations/add/",
        invitation_add,
        name="invitation_add",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/invitations/<int:invitation_pk>/remove/",
        invitation_remove,
        name="invitation_remove",
    ),
    path("meetings/<int:pk>/publish/", meeting_publish, name="publish"),
    path("meetings/<int:pk>/start/", meeting_start, name="start"),
    path("meetings/<int:pk>/end/", meeting_end, name="end"),
    path("meetings/<int:pk>/cancel/", meeting_cancel, name="cancel"),
    path("meetings/<int:pk>/attendance/", attendance, name="attendance"),
    path("meetings/<int:pk>/confirm/", confirm, name="confirm"),
    path("meetings/<int:pk>/confirm/record/", secrecy_record, name="secrecy_record"),
]
