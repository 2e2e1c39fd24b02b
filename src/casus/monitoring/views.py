"""Monitoring pages: the dashboard (exact or published), its export, the chair's opt-in, and
the regional support body's view."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casus.access.middleware import cell_exempt
from casus.access.rules import Action, InstallationAction, can, require, require_installation
from casus.core.exceptions import CasusError, Forbidden
from casus.core.exports import csv_response, xlsx_response
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from . import selectors, services
from .forms import OptInForm, PeriodForm, YearForm
from .presentation import TableView, exact_table, published_table
from .selectors import REGION_MIN_CELLS, PublishedView

EXACT_PARAMETERS = ("first", "last", "pick")
FORMATS = ("csv", "xlsx")


def _published(view: PublishedView, data: Any) -> tuple[YearForm, TableView | None]:
    years = view.years
    form = YearForm(data, years=years)
    year = years[0] if years else None
    if form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    table = (
        published_table(view.quarters, view.published, year, regional=view.regional)
        if year is not None
        else None
    )
    return form, table


def _dashboard(request: CellRequest) -> dict[str, Any]:
    """Parse the query into the page's table: exact for C, K, I unless they ask for the
    published view; the published view alone for S (exact parameters are a 404 for S)."""
    require(request.user, Action.MONITORING_PUBLISHED, request.cell)
    exact_allowed = can(request.user, Action.MONITORING_EXACT, request.cell)
    wants_exact = request.GET.get("view") == "exact" or any(
        name in request.GET for name in EXACT_PARAMETERS
    )
    if wants_exact and not exact_allowed:
        raise Forbidden(Action.MONITORING_EXACT)
    page: dict[str, Any] = {
        "exact_allowed": exact_allowed,
        "table": None,
        # The chair decides whether regional support bodies count the cell.
        "opt_in_allowed": can(request.user, Action.MONITORING_REGIONAL_OPT_IN, request.cell),
    }
    if exact_allowed and request.GET.get("view") != "published":
        form = PeriodForm(request.GET)
        page.update(view="exact", period_form=form)
        if form.is_valid():
            period = form.cleaned_data["period"]
            figures = selectors.exact_figures_for(
                actor=request.user, cell=request.cell, period=period
            )
            column = _("%(first)s to %(last)s") % {
                "first": date_format(period.first, "SHORT_DATE_FORMAT"),
                "last": date_format(period.last, "SHORT_DATE_FORMAT"),
            }
            page.update(table=exact_table(figures, column), period=period)
        return page
    view = selectors.published_for(actor=request.user, cell=request.cell)
    year_form, table = _published(view, request.GET)
    page.update(view="published", year_form=year_form, table=table)
    return page


def dashboard(request: CellRequest) -> HttpResponse:
    """The cell's indicators: exact for any period, or the published (suppressed) quarters."""
    page = _dashboard(request)
    query = request.GET.copy()
    query.pop("format", None)
    page["query"] = query.urlencode()
    status = 400 if page.get("period_form") is not None and page["period_form"].errors else 200
    return render_page(request, "monitoring/dashboard.html", page, status=status)


def _export(table: TableView | None, fmt: str, stem: str, title: str) -> HttpResponse:
    """The table as a download: a title line (whose figures, which view), the column titles,
    then one line per indicator; with nothing published yet, the titles alone."""
    filename = f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"
    header = table.export_header if table is not None else [_("Section"), _("Indicator")]
    rows = [header, *(table.export_rows() if table is not None else [])]
    if fmt == "xlsx":
        return xlsx_response(filename, [title], rows, title=stem)
    return csv_response(filename, [title], rows)


def export(request: CellRequest) -> HttpResponse:
    """Exactly what the dashboard shows for the same query, as CSV or XLSX (audited)."""
    page = _dashboard(request)
    fmt = request.GET.get("format", "csv")
    table = page["table"]
    if page.get("period_form") is not None and page["period_form"].errors:
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('monitoring:dashboard')}?{query.urlencode()}")
    if fmt not in FORMATS:
        raise Http404
    columns = table.columns if table is not None else []
    services.monitoring_export_record(
        actor=request.user, cell=request.cell, view=page["view"], fmt=fmt, columns=columns
    )
    label = _("Exact figures") if page["view"] == "exact" else _("Published figures")
    return _export(table, fmt, "monitoring", f"{request.cell.name} · {label}")


def opt_in(request: CellRequest) -> HttpResponse:
    """The chair lets regional support bodies count the cell in their aggregates, or stops."""
    bodies = selectors.opt_in_state_for(actor=request.user, cell=request.cell)
    form = OptInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        body, decision = form.cleaned_data["body"], form.cleaned_data["decision"]
        try:
            if decision == "in":
                services.cell_opt_in(actor=request.user, cell=request.cell, body=body)
                messages.success(request, _("The cell now counts in this body's figures."))
            else:
                services.cell_opt_out(actor=request.user, cell=request.cell, body=body)
                messages.success(request, _("The cell no longer counts in this body's figures."))
        except CasusError as error:
            add_rule_error(form, error)
        else:
            return redirect("monitoring:opt_in")
    return render_page(
        request,
        "monitoring/opt_in.html",
        {"bodies": bodies, "form": form, "min_cells": REGION_MIN_CELLS},
        status=400 if form.errors else 200,
    )


# --- Regional support (no cell) ----------------------------------------------------------------


def _regional(request: HttpRequest) -> dict[str, Any]:
    require_installation(request.user, InstallationAction.REGIONAL_VIEW)  # type: ignore[arg-type]
    bodies = list(selectors.body_list_for(actor=request.user))  # type: ignore[arg-type]
    if "body" in request.GET:
        body = selectors.body_get_for(actor=request.user, pk=request.GET["body"])  # type: ignore[arg-type]
    elif bodies:
        body = bodies[0]
    else:
        return {"bodies": [], "body": None, "table": None, "min_cells": REGION_MIN_CELLS}
    view = selectors.regional_for(actor=request.user, body=body)  # type: ignore[arg-type]
    year_form, table = _published(view, request.GET)
    return {
        "bodies": bodies,
        "body": body,
        "table": table,
        "year_form": year_form,
        "cells": view.cells,
        "min_cells": REGION_MIN_CELLS,
    }


@cell_exempt
def regional(request: HttpRequest) -> HttpResponse:
    """A regional support body's suppressed figures of the cells that opted in."""
    page = _regional(request)
    query = request.GET.copy()
    query.pop("format", None)
    page["query"] = query.urlencode()
    return render_page(request, "monitoring/regional.html", page)


@cell_exempt
def regional_export(request: HttpRequest) -> HttpResponse:
    page = _regional(request)
    fmt = request.GET.get("format", "csv")
    table = page["table"]
    if fmt not in FORMATS or page["body"] is None:
        raise Http404
    services.regional_export_record(
        actor=request.user,  # type: ignore[arg-type]
        body=page["body"],
        fmt=fmt,
        columns=table.columns if table is not None else [],
    )
    return _export(table, fmt, "regional", f"{page['body'].name} · {_('Regional figures')}")
