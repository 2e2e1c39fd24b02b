"""Retention pages: dry-run reports, the chair's decision, the destruction log, statistics."""

from collections import Counter

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.access.rules import Action, can
from casus.core.exceptions import CasusError
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page
from casus.core.reauth import after_reauthentication

from . import selectors, services
from .forms import DecisionForm
from .models import ItemOutcome, PurgeRun, RunStatus

LOG_PAGE_SIZE = 100


def runs(request: CellRequest) -> HttpResponse:
    """The cell's dry runs and purges, and the statistics that survive them."""
    rows = list(selectors.run_list_for(actor=request.user, cell=request.cell)[:200])
    statistics = selectors.statistics_read(actor=request.user, cell=request.cell)
    return render_page(
        request,
        "retention/runs.html",
        {
            "rows": rows,
            "years": statistics["years"],
            "can_prepare": can(request.user, Action.RETENTION_PREPARE, request.cell),
            "due": selectors.due_summary_for(actor=request.user, cell=request.cell),
        },
    )


@require_POST
def prepare(request: CellRequest) -> HttpResponse:
    """The coordinator prepares a dry run as of today."""
    try:
        run = services.purge_run_prepare(actor=request.user, cell=request.cell)
    except CasusError as error:
        messages.error(request, error.message)
        return redirect("retention:runs")
    messages.success(request, _("The dry-run report is ready for the chair."))
    return redirect("retention:run", pk=run.pk)


def _report(run: PurgeRun) -> dict[str, object]:
    items = list(run.items.all())
    return {
        "run": run,
        "items": items,
        "pending": [i for i in items if i.outcome == ItemOutcome.PENDING],
        "per_rule": sorted(Counter(i.get_rule_display() for i in items).items()),
    }


def run(request: CellRequest, pk: int) -> HttpResponse:
    """One dry-run report: the records due, held back, destroyed or kept — no content."""
    purge_run = selectors.run_get_for(actor=request.user, cell=request.cell, pk=pk)
    may_decide = purge_run.status == RunStatus.PROPOSED and can(
        request.user, Action.RETENTION_APPROVE, request.cell
    )
    return render_page(
        request, "retention/run.html", _report(purge_run) | {"may_decide": may_decide}
    )


def decide(request: CellRequest, pk: int) -> HttpResponse:
    """The chair approves or rejects a dry run, after re-authenticating.

    The run is checked first (404 for anyone else), so the prompt reveals nothing.
    """
    purge_run = selectors.run_get_for_decision(actor=request.user, cell=request.cell, pk=pk)
    return after_reauthentication(request, lambda: _decide(request, purge_run))


def _decide(request: CellRequest, purge_run: PurgeRun) -> HttpResponse:
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.purge_run_approve(
                    actor=request.user, run=purge_run, note=form.cleaned_data["note"]
                )
                messages.success(
                    request,
                    _("The purge is approved; it is carried out in the background."),
                )
            else:
                services.purge_run_reject(
                    actor=request.user, run=purge_run, note=form.cleaned_data["note"]
                )
                messages.success(request, _("The purge is rejected; nothing was destroyed."))
        except CasusError as error:
            add_rule_error(form, error)
        else:
            return redirect("retention:run", pk=purge_run.pk)
    page = _report(purge_run) | {"form": form}
    return render_page(request, "retention/decide.html", page, status=400 if form.errors else 200)


def log(request: CellRequest) -> HttpResponse:
    """The destruction log: record type, id, reference, rule and time of each destruction."""
    records = selectors.destruction_log_for(actor=request.user, cell=request.cell)
    page = Paginator(records, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "retention/log.html", {"page": page})
