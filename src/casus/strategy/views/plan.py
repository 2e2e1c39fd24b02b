"""The strategic table: the year's overview, priorities, objectives and progress notes."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casus.access.rules import Action, can, require
from casus.core.exceptions import CasusError, EditConflict
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from .. import selectors, services
from ..forms import (
    ObjectiveEditForm,
    ObjectiveForm,
    PriorityEditForm,
    PriorityForm,
    ProgressNoteForm,
)
from ..models import Objective
from .common import FORM_PAGE, conflict_facts, rebound, year_of


def home(request: CellRequest) -> HttpResponse:
    """The year's priorities, action plan (statuses, latest notes) and local diagnosis."""
    user, cell = request.user, request.cell
    year = year_of(request)
    objectives = list(selectors.objective_list_for(actor=user, cell=cell, year=year))
    for objective in objectives:
        notes = list(objective.notes.all())
        objective.latest_note = notes[0] if notes else None  # type: ignore[attr-defined]
    context = {
        "year": year,
        "years": selectors.plan_years_for(actor=user, cell=cell),
        "priorities": selectors.priority_list_for(actor=user, cell=cell, year=year),
        "objectives": objectives,
        "findings": selectors.finding_list_for(actor=user, cell=cell, year=year),
        "documents": selectors.document_list_for(actor=user, cell=cell),
        "can_write": can(user, Action.STRATEGY_WRITE, cell),
    }
    return render_page(request, "strategy/home.html", context)


def _form_page(
    request: CellRequest,
    form: Any,
    title: str,
    back: str,
    conflict: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, "conflict": conflict}
    return render_page(request, FORM_PAGE, context, status=400 if form.errors else 200)


def _home(year: int) -> str:
    return f"{reverse('strategy:home')}?year={year}"


# --- Priorities ----------------------------------------------------------------------------


def priority_new(request: CellRequest) -> HttpResponse:
    require(request.user, Action.STRATEGY_WRITE, request.cell)
    year = year_of(request)
    form = PriorityForm(request.POST or None, initial={"year": year, "order": 1})
    if request.method == "POST" and form.is_valid():
        try:
            priority = services.priority_create(
                actor=request.user, cell=request.cell, **form.cleaned_data
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Priority added."))
            return redirect(_home(priority.year))
    return _form_page(request, form, _("Add a priority"), _home(year))


PRIORITY_FIELDS = ("year", "title", "description", "order")


def priority_edit(request: CellRequest, pk: int) -> HttpResponse:
    priority = selectors.priority_get_for(actor=request.user, cell=request.cell, pk=pk)
    conflict = None
    if request.method == "POST":
        form = PriorityEditForm(request.POST)
        if form.is_valid():
            try:
                services.priority_update(actor=request.user, priority=priority, **form.cleaned_data)
            except EditConflict as error:
                current = selectors.priority_get_for(actor=request.user, cell=request.cell, pk=pk)
                conflict = conflict_facts(current, PRIORITY_FIELDS, form.cleaned_data)
                form = PriorityEditForm(rebound(request, current.version))
                form.is_valid()
                add_rule_error(form, error)
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("Priority saved."))
                return redirect(_home(int(form.cleaned_data["year"])))
    else:
        initial = {name: getattr(priority, name) for name in PRIORITY_FIELDS}
        form = PriorityEditForm(initial={**initial, "version": priority.version})
    return _form_page(request, form, _("Change a priority"), _home(priority.year), conflict)


# --- Objectives ----------------------------------------------------------------------------


def _objective_kwargs(request: CellRequest, objective: Objective | None = None) -> dict[str, Any]:
    cell = request.cell
    return {
        "priorities": selectors.priority_choices(cell=cell).order_by("-year", "order", "id"),
        "organisations": selectors.organisation_choices(
            cell=cell, current=objective.owner_organisation_id if objective else None
        ),
        "people": selectors.person_choices(
            cell=cell, current=objective.owner_person_id if objective else None
        ),
    }


def objective_new(request: CellRequest) -> HttpResponse:
    require(request.user, Action.STRATEGY_WRITE, request.cell)
    year = year_of(request)
    form = ObjectiveForm(request.POST or None, initial={"year": year}, **_objective_kwargs(request))
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(
                actor=request.user, cell=request.cell, **form.cleaned_data
            )
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Objective added to the plan."))
            return redirect("strategy:objective", pk=objective.pk)
    return _form_page(request, form, _("Add an objective to the plan"), _home(year))


OBJECTIVE_FIELDS = (
    "year", "priority", "title", "description", "owner_organisation", "owner_person",
    "target_date", "status",
)  # fmt: skip


@require_GET
def objective_detail(request: CellRequest, pk: int) -> HttpResponse:
    """One objective and its history of progress notes and status changes."""
    objective = selectors.objective_get_for(actor=request.user, cell=request.cell, pk=pk)
    can_write = can(request.user, Action.STRATEGY_WRITE, request.cell)
    context = {
        "objective": objective,
        "notes": selectors.note_list_for(actor=request.user, objective=objective),
        "can_write": can_write,
        "form": ProgressNoteForm(initial={"version": objective.version}) if can_write else None,
    }
    return render_page(request, "strategy/objective.html", context)


def objective_edit(request: CellRequest, pk: int) -> HttpResponse:
    objective = selectors.objective_get_for(actor=request.user, cell=request.cell, pk=pk)
    kwargs = _objective_kwargs(request, objective)
    back = reverse("strategy:objective", args=[objective.pk])
    conflict = None
    if request.method == "POST":
        form = ObjectiveEditForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.objective_update(
                    actor=request.user, objective=objective, **form.cleaned_data
                )
            except EditConflict as error:
                current = selectors.objective_get_for(actor=request.user, cell=request.cell, pk=pk)
                conflict = conflict_facts(current, OBJECTIVE_FIELDS, form.cleaned_data)
                form = ObjectiveEditForm(rebound(request, current.version), **kwargs)
                form.is_valid()
                add_rule_error(form, error)
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("Objective saved."))
                return redirect(back)
    else:
        initial = {name: getattr(objective, name) for name in OBJECTIVE_FIELDS}
        form = ObjectiveEditForm(initial={**initial, "version": objective.version}, **kwargs)
    return _form_page(request, form, _("Change an objective"), back, conflict)


@require_POST
def note_add(request: CellRequest, pk: int) -> HttpResponse:
    """Add a progress note (and maybe a new status) to an objective."""
    objective = selectors.objective_get_for(actor=request.user, cell=request.cell, pk=pk)
    require(request.user, Action.STRATEGY_WRITE, request.cell)
    form = ProgressNoteForm(request.POST)
    if form.is_valid():
        try:
            services.progress_note_add(actor=request.user, objective=objective, **form.cleaned_data)
        except EditConflict as error:
            # Someone changed the status meanwhile: show it, keep the note typed.
            objective = selectors.objective_get_for(actor=request.user, cell=request.cell, pk=pk)
            form = ProgressNoteForm(rebound(request, objective.version))
            form.is_valid()
            add_rule_error(form, error)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Progress note added."))
            return redirect("strategy:objective", pk=objective.pk)
    context = {
        "objective": objective,
        "notes": selectors.note_list_for(actor=request.user, objective=objective),
        "can_write": True,
        "form": form,
    }
    return render_page(request, "strategy/objective.html", context, status=400)
