"""Dashboard, cell choice, confidentiality statement and language: the pages every member sees."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.access import selectors as access_selectors
from casus.access import services as access_services
from casus.access.forms import ChooseCellForm, LanguageForm, SignStatementForm
from casus.access.middleware import cell_exempt, statement_exempt
from casus.access.rules import Action, can
from casus.cases.selectors import work as work_selectors
from casus.core.exceptions import CasusError
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page


def dashboard(request: CellRequest) -> HttpResponse:
    """The member's start page: what the cell needs and what waits for them."""
    cell = request.cell
    context = {
        "membership": request.membership,
        "status": access_selectors.setup_status_for(actor=request.user, cell=cell),
        "can_approve": can(request.user, Action.SETUP_APPROVE, cell),
        "can_draft": can(request.user, Action.SETUP_DRAFT, cell),
        "other_cells": access_selectors.membership_list_mine(actor=request.user).exclude(cell=cell),
        "board": work_selectors.dashboard_for(actor=request.user, cell=cell),
    }
    return render_page(request, "core/dashboard.html", context)


@cell_exempt
def choose_cell(request: CellRequest) -> HttpResponse:
    """List the person's cells and make the chosen one active."""
    memberships = access_selectors.membership_list_mine(actor=request.user)
    if request.method == "POST":
        form = ChooseCellForm(request.POST)
        if form.is_valid():
            cell = (
                access_selectors.cell_list_for(actor=request.user)
                .filter(pk=form.cleaned_data["cell"])
                .first()
            )
            if cell is None:
                raise Http404
            access_services.user_choose_cell(actor=request.user, cell=cell)
            return redirect("core:dashboard")
    return render_page(request, "core/choose_cell.html", {"memberships": memberships})


@statement_exempt
def statement(request: CellRequest) -> HttpResponse:
    """Show the cell's confidentiality statement and take the member's signature."""
    cell = request.cell
    text = access_selectors.statement_active(cell=cell)
    current = access_selectors.statement_signature_current(user=request.user, cell=cell)
    form = SignStatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_services.statement_sign(
                actor=request.user, cell=cell, signed_name=form.cleaned_data["signed_name"]
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Thank you. Your signature has been recorded."))
            return redirect("core:dashboard")
    return render_page(
        request, "core/statement.html", {"text": text, "form": form, "current": current}
    )


@login_not_required
@cell_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; logged-in people keep their choice."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            access_services.user_set_language(actor=request.user, language=language)
        response.set_cookie(
            "django_language", language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


@login_not_required
@cell_exempt
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the load balancer; reveals nothing."""
    return HttpResponse("ok", content_type="text/plain")
