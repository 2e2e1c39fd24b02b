"""Installation administration: create cells, appoint cell administrators, reset a lost MFA."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.core.exceptions import CasusError
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from . import services
from .forms import AppointAdminForm, CellCreateForm
from .middleware import cell_exempt
from .models import Cell, Membership, MembershipRequest, RequestStatus, Role, User
from .rules import InstallationAction, require_installation
from .views import decide_from_form


@cell_exempt
def cells(request: CellRequest) -> HttpResponse:
    require_installation(request.user, InstallationAction.CELL_CREATE)
    form = CellCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cell = services.cell_create(
                actor=request.user,
                name=data["name"],
                municipalities=[*data["municipalities"], *data["new_municipalities"]],
                chair_email=data["chair_email"],
                chair_name=data["chair_name"],
                admin_email=data["admin_email"],
                admin_name=data["admin_name"],
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Cell created."))
            return redirect("installation:cell", pk=cell.pk)
    rows = Cell.objects.prefetch_related("municipalities").order_by("name")
    return render_page(request, "access/installation_cells.html", {"cells": rows, "form": form})


@cell_exempt
def cell_detail(request: CellRequest, pk: int) -> HttpResponse:
    require_installation(request.user, InstallationAction.CELL_ADMIN_APPOINT)
    cell = Cell.objects.filter(pk=pk).first()
    if cell is None:
        raise Http404
    form = AppointAdminForm(request.POST or None, cell=cell)
    if request.method == "POST" and form.is_valid():
        try:
            services.cell_admin_appoint(actor=request.user, cell=cell, **form.cleaned_data)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Cell administrator appointed."))
            return redirect("installation:cell", pk=cell.pk)
    # Installation administrators see who holds which role, never any case content.
    memberships = (
        Membership.objects.current()
        .filter(cell=cell)
        .select_related("user", "organisation")
        .order_by("role", "user__full_name")
    )
    # A chair seat with no other chair to decide on it is decided here (bootstrap).
    chair_requests = (
        MembershipRequest.objects.filter(cell=cell, status=RequestStatus.PENDING)
        .filter(Q(role=Role.CHAIR) | Q(membership__role=Role.CHAIR))
        .select_related("organisation", "requested_by")
    )
    return render_page(
        request,
        "access/installation_cell.html",
        {
            "cell": cell,
            "memberships": memberships,
            "form": form,
            "chair_requests": chair_requests,
        },
    )


@cell_exempt
@require_POST
def decide_chair_request(request: CellRequest, pk: int) -> HttpResponse:
    require_installation(request.user, InstallationAction.CELL_ADMIN_APPOINT)
    membership_request = MembershipRequest.objects.filter(pk=pk).first()
    if membership_request is None:
        raise Http404
    return decide_from_form(
        request,
        lambda form: services.membership_request_decide(
            actor=request.user,
            request=membership_request,
            approve=form.approved,
            note=form.cleaned_data["note"],
        ),
        reverse("installation:cell", args=[membership_request.cell_id]),
    )


@cell_exempt
@require_POST
def mfa_reset(request: CellRequest, pk: int) -> HttpResponse:
    require_installation(request.user, InstallationAction.CELL_CREATE)
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    try:
        services.user_mfa_reset(actor=request.user, user=user)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Second factor reset; the person must enrol again."))
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("installation:cells")
    return redirect(back)
