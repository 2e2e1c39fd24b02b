"""Privacy pages: break-glass access and its review."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.access.rules import Action, CaseAction, CaseContext, can
from casus.audit.models import AccessKind
from casus.cases.models import Case
from casus.cases.selectors.common import case_get_checked, case_read_record
from casus.cases.views.common import case_page_context
from casus.core.exceptions import CasusError
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from . import selectors, services
from .forms import BreakGlassForm, BreakGlassReviewForm


def break_glass_open(request: CellRequest, pk: int) -> HttpResponse:
    """The chair opens one case's file for 24 hours, after re-authenticating, with a reason.

    The case is checked first (404 for anyone else), so that the re-authentication prompt
    reveals nothing about an id.
    """
    case, context = case_get_checked(
        actor=request.user, cell_id=request.cell.pk, pk=pk, action=CaseAction.BREAK_GLASS
    )
    response: HttpResponse = _break_glass_form(request, case, context)
    return response


@reauthentication_required
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
