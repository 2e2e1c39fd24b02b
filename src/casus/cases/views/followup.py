"""Assessment, pathway (goals, actions, reviews), scenario templates and life domains."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casus.access.models import OrganisationKind
from casus.access.rules import Action, CaseAction, CaseContext, require
from casus.audit.models import AccessKind
from casus.core.exceptions import CasusError, EditConflict
from casus.core.forms import add_rule_error
from casus.core.htmx import CellRequest, render_page

from ..forms.followup import (
    ActionEditForm,
    ActionForm,
    ActionStatusForm,
    ApplyScenarioForm,
    AssessmentForm,
    CompareForm,
    GoalEditForm,
    GoalForm,
    InstrumentForm,
    LifeDomainAddForm,
    LifeDomainForm,
    ReviewForm,
    ScenarioForm,
    ScenarioItemFormSet,
    field_label,
    scenario_items,
)
from ..models import LifeDomain, PathwayAction, ScenarioTemplate
from ..selectors import followup as selectors
from ..selectors.common import case_read_record
from ..services import followup as services
from .common import case_for_page, case_page_context

FORM_PAGE = "cases/followup/form_page.html"


def _render_case(
    request: CellRequest,
    rights: CaseContext,
    kind: str,
    template: str,
    context: dict[str, Any],
    tab: str,
) -> HttpResponse:
    """Render a page showing case data; every render writes one access-log row."""
    case_read_record(actor=request.user, case=rights.case, kind=kind)
    return render_page(request, template, {**case_page_context(rights, tab), **context})


def _rebound(request: CellRequest, **replace: object) -> QueryDict:
    """The user's unsaved input, with the version fields moved to the current version."""
    data = request.POST.copy()
    for name, value in replace.items():
        data[name] = str(value)
    return data


def _shown(value: Any) -> Any:
    """A stored value as the conflict panel shows it."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Model):
        return str(value)
    return value


def _facts(obj: Model, names: tuple[str, ...], mine: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored values of ``obj`` for a conflict, flagged where they differ from the input."""
    rows = []
    for name in names:
        value = getattr(obj, name)
        display = getattr(obj, f"get_{name}_display", None)
        shown = display() if display is not None else _shown(value)
        rows.append(
            {
                "label": field_label(type(obj), name),
                "value": shown,
                "changed": (value.pk if isinstance(value, Model) else value) != mine.get(name),
            }
        )
    return rows


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.pk if isinstance(v, Model) else v) for k, v in data.items()}


# --- Assessment -------------------------------------------------------------------------------


def assessment(request: CellRequest, pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_READ)
    page = selectors.assessment_page_for(context=rights)
    context = {
        "page": page,
        "current": page.current,
        "can_write": rights.allows(CaseAction.FOLLOWUP_WRITE),
    }
    return _render_case(
        request,
        rights,
        AccessKind.ASSESSMENT,
        "cases/followup/assessment.html",
        context,
        "assessment",
    )


def _assessment_initial(latest: selectors.AssessmentView | None) -> dict[str, Any]:
    if latest is None:
        return {"based_on_version": 0}
    initial: dict[str, Any] = {
        "summary": latest.assessment.summary,
        "based_on_version": latest.assessment.version,
    }
    for view in latest.domains:
        for item in view.fields:
            initial[AssessmentForm.key(view.domain, item.name)] = item.value
    return initial


def assessment_edit(request: CellRequest, pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_WRITE)
    latest = selectors.assessment_latest_for(context=rights)
    domains = selectors.life_domains_for_form(context=rights, latest=latest)
    conflict = None
    if request.method == "POST":
        form = AssessmentForm(request.POST, domains=domains)
        if form.is_valid():
            try:
                saved = services.assessment_save(
                    actor=request.user,
                    case=case,
                    summary=form.cleaned_data["summary"],
                    domains=form.domain_values(),
                    based_on_version=form.cleaned_data["based_on_version"],
                )
            except EditConflict as error:
                latest = selectors.assessment_latest_for(context=rights)
                domains = selectors.life_domains_for_form(context=rights, latest=latest)
                version = latest.assessment.version if latest is not None else 0
                form = AssessmentForm(_rebound(request, based_on_version=version), domains=domains)
                form.is_valid()
                add_rule_error(form, error)
                conflict = _assessment_conflict(latest, form)
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(
                    request, _("Assessment saved as version %(n)s.") % {"n": saved.version}
                )
                return redirect("cases:assessment", pk=case.pk)
    else:
        form = AssessmentForm(initial=_assessment_initial(latest), domains=domains)
    context = {"form": form, "latest": latest, "conflict": conflict}
    return _render_case(
        request,
        rights,
        AccessKind.ASSESSMENT,
        "cases/followup/assessment_form.html",
        context,
        "assessment",
    )


def _assessment_conflict(
    latest: selectors.AssessmentView | None, form: AssessmentForm
) -> selectors.AssessmentView | None:
    """Flag the stored fields that differ from the user's unsaved input."""
    if latest is None:
        return None
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    latest.summary_changed = latest.assessment.summary != data.get("summary")
    for view in latest.domains:
        for item in view.fields:
            mine = data.get(AssessmentForm.key(view.domain, item.name))
            item.changed = (item.value or None) != (mine or None)
        view.changed = any(item.changed for item in view.fields)
    return latest


def assessment_version(request: CellRequest, pk: int, version: int) -> HttpResponse:
    _case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_READ)
    view = selectors.assessment_version_for(context=rights, version=version)
    return _render_case(
        request,
        rights,
        AccessKind.ASSESSMENT,
        "cases/followup/assessment_version.html",
        {"current": view},
        "assessment",
    )


def assessment_compare(request: CellRequest, pk: int) -> HttpResponse:
    _case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_READ)
    versions = selectors.assessment_versions_for(context=rights)
    comparison = None
    if "a" in request.GET or "b" in request.GET:
        form = CompareForm(request.GET, versions=versions)
        if form.is_valid():
            comparison = selectors.assessment_compare_for(
                context=rights, a=form.cleaned_data["a"], b=form.cleaned_data["b"]
            )
    else:
        initial = {"a": versions[1], "b": versions[0]} if len(versions) > 1 else {}
        form = CompareForm(initial=initial, versions=versions)
        if initial:
            comparison = selectors.assessment_compare_for(context=rights, **initial)
    context = {"form": form, "comparison": comparison, "versions": versions}
    return _render_case(
        request,
        rights,
        AccessKind.ASSESSMENT,
        "cases/followup/assessment_compare.html",
        context,
        "assessment",
    )


def instrument_add(request: CellRequest, pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_WRITE)
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_record(actor=request.user, case=case, **form.cleaned_data)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Instrument recorded."))
            return redirect("cases:assessment", pk=case.pk)
    context = {"form": form, "title": _("Record an external instrument")}
    return _render_case(request, rights, AccessKind.ASSESSMENT, FORM_PAGE, context, "assessment")


# --- Pathway ------------------------------------------------------------------------------------


def pathway(request: CellRequest, pk: int) -> HttpResponse:
    _case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_READ)
    page = selectors.pathway_page_for(context=rights)
    can_write = rights.allows(CaseAction.FOLLOWUP_WRITE)
    for action in page.actions:
        if rights.may_set_action_status(action.owner_organisation_id):
            action.status_form = ActionStatusForm(  # type: ignore[attr-defined]
                initial={"status": action.status, "version": action.version},
                auto_id=f"id_action{action.pk}_%s",
            )
    templates = selectors.scenarios_to_apply(context=rights) if can_write else None
    apply_form = (
        ApplyScenarioForm(templates=templates)
        if templates is not None and templates.exists()
        else None
    )
    context = {"page": page, "can_write": can_write, "apply_form": apply_form}
    return _render_case(
        request, rights, AccessKind.PATHWAY, "cases/followup/pathway.html", context, "pathway"
    )


def _pathway_form_page(
    request: CellRequest,
    rights: CaseContext,
    form: Any,
    title: str,
    conflict: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    context = {"form": form, "title": title, "conflict": conflict}
    return _render_case(request, rights, AccessKind.PATHWAY, FORM_PAGE, context, "pathway")


def goal_add(request: CellRequest, pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_WRITE)
    form = GoalForm(request.POST or None, domains=selectors.goal_domains(case.cell_id))
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(actor=request.user, case=case, **form.cleaned_data)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Goal added."))
            return redirect("cases:pathway", pk=case.pk)
    return _pathway_form_page(request, rights, form, _("Add a goal"))


GOAL_FIELDS = ("domain", "text", "is_achieved")


def goal_edit(request: CellRequest, pk: int, goal_pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_WRITE)
    goal = selectors.goal_get_for(context=rights, pk=goal_pk)
    domains = selectors.goal_domains(case.cell_id, current=goal.domain_id)
    conflict = None
    if request.method == "POST":
        form = GoalEditForm(request.POST, domains=domains)
        if form.is_valid():
            try:
                services.goal_update(actor=request.user, goal=goal, **form.cleaned_data)
            except EditConflict as error:
                current = selectors.goal_get_for(context=rights, pk=goal_pk)
                mine = _plain(form.cleaned_data)
                form = GoalEditForm(_rebound(request, version=current.version), domains=domains)
                form.is_valid()
                add_rule_error(form, error)
                conflict = _facts(current, GOAL_FIELDS, mine)
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("Goal saved."))
                return redirect("cases:pathway", pk=case.pk)
    else:
        initial = {name: getattr(goal, name) for name in GOAL_FIELDS}
        form = GoalEditForm(initial={**initial, "version": goal.version}, domains=domains)
    return _pathway_form_page(request, rights, form, _("Change a goal"), conflict)


def _action_form_kwargs(rights: CaseContext, action: PathwayAction | None = None) -> dict[str, Any]:
    return {
        "goals": selectors.case_goals(context=rights),
        "organisations": selectors.owner_organisations(
            context=rights, current=action.owner_organisation_id if action is not None else None
        ),
    }


def action_add(request: CellRequest, pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_WRITE)
    initial = {}
    goal_pk = request.GET.get("goal")
    if goal_pk and goal_pk.isdigit():
        initial["goal"] = goal_pk
    form = ActionForm(request.POST or None, initial=initial, **_action_form_kwargs(rights))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(actor=request.user, case=case, **form.cleaned_data)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Action added."))
            return redirect("cases:pathway", pk=case.pk)
    return _pathway_form_page(request, rights, form, _("Add an action"))


ACTION_FIELDS = ("goal", "description", "owner_organisation", "due_on")


def action_edit(request: CellRequest, pk: int, action_pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_WRITE)
    action = selectors.action_get_for(context=rights, pk=action_pk)
    kwargs = _action_form_kwargs(rights, action)
    conflict = None
    if request.method == "POST":
        form = ActionEditForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.action_update(actor=request.user, action=action, **form.cleaned_data)
            except EditConflict as error:
                current = selectors.action_get_for(context=rights, pk=action_pk)
                mine = _plain(form.cleaned_data)
                form = ActionEditForm(_rebound(request, version=current.version), **kwargs)
                form.is_valid()
                add_rule_error(form, error)
                conflict = _facts(current, ACTION_FIELDS, mine)
            except CasusError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("Action saved."))
                return redirect("cases:pathway", pk=case.pk)
    else:
        initial = {name: getattr(action, name) for name in ACTION_FIELDS}
        form = ActionEditForm(initial={**initial, "version": action.version}, **kwargs)
    return _pathway_form_page(request, rights, form, _("Change an action"), conflict)


@require_POST
def action_status(request: CellRequest, pk: int, action_pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_READ)
    action = selectors.action_get_for(context=rights, pk=action_pk)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed statuses."))
        return redirect("cases:pathway", pk=case.pk)
    try:
        services.action_status_set(actor=request.user, action=action, **form.cleaned_data)
    except EditConflict as error:
        current = selectors.action_get_for(context=rights, pk=action_pk)
        mine = _plain(form.cleaned_data)
        form = ActionStatusForm(_rebound(request, version=current.version))
        form.is_valid()
        add_rule_error(form, error)
        conflict = _facts(current, (*ACTION_FIELDS, "status"), mine)
        # The other fields are not part of this form: only the status can differ.
        for row in conflict[:-1]:
            row["changed"] = False
        return _pathway_form_page(request, rights, form, _("Set the status of an action"), conflict)
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Status saved."))
    return redirect("cases:pathway", pk=case.pk)


def review_add(request: CellRequest, pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_WRITE)
    form = ReviewForm(request.POST or None, initial={"next_review_on": case.next_review_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record(actor=request.user, case=case, **form.cleaned_data)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("cases:pathway", pk=case.pk)
    return _pathway_form_page(request, rights, form, _("Record a review"))


@require_POST
def pathway_apply_scenario(request: CellRequest, pk: int) -> HttpResponse:
    case, rights = case_for_page(request, pk, CaseAction.FOLLOWUP_WRITE)
    form = ApplyScenarioForm(request.POST, templates=selectors.scenarios_to_apply(context=rights))
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed scenarios."))
        return redirect("cases:pathway", pk=case.pk)
    try:
        actions = services.pathway_apply_scenario(
            actor=request.user, case=case, template=form.cleaned_data["template"]
        )
    except CasusError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Scenario applied: %(n)s actions added. Adjust them to this person.")
            % {"n": len(actions)},
        )
    return redirect("cases:pathway", pk=case.pk)


# --- Scenario templates ---------------------------------------------------------------------


def scenarios(request: CellRequest) -> HttpResponse:
    rows = selectors.scenario_list_for(actor=request.user, cell=request.cell)
    return render_page(request, "cases/followup/scenarios.html", {"scenarios": rows})


SCENARIO_FIELDS = ("kind", "name", "target_group", "description", "is_active")


def _scenario_conflict(current: ScenarioTemplate, mine: dict[str, Any]) -> dict[str, Any]:
    """The stored scenario (fields flagged where they differ from the input) and its items."""
    items = [
        {
            "domain": item.domain.label if item.domain is not None else None,
            "goal": item.goal,
            "action": item.action,
            "owner": (
                OrganisationKind(item.owner_kind).label
                if item.owner_kind in OrganisationKind.values
                else None
            ),
            "due_in_days": item.due_in_days,
        }
        for item in current.items.all()
    ]
    return {"facts": _facts(current, SCENARIO_FIELDS, mine), "items": items}


def _scenario_page(request: CellRequest, template: ScenarioTemplate | None) -> HttpResponse:
    cell = request.cell
    require(request.user, Action.SCENARIO_MANAGE, cell)
    domains = selectors.goal_domains(cell.pk)
    if template is not None:
        initial = {name: getattr(template, name) for name in SCENARIO_FIELDS}
        initial["stamp"] = services.scenario_stamp(template)
        items_initial = [
            {
                "domain": item.domain_id,
                "goal": item.goal,
                "action": item.action,
                "owner_kind": item.owner_kind,
                "due_in_days": item.due_in_days,
                "position": item.position,
            }
            for item in template.items.all()
        ]
    else:
        initial, items_initial = {"is_active": True}, []
    form = ScenarioForm(request.POST or None, initial=initial)
    formset = ScenarioItemFormSet(
        request.POST or None,
        initial=items_initial,
        prefix="items",
        form_kwargs={"domains": domains},
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            if template is None:
                data.pop("is_active")
                data.pop("stamp")
                services.scenario_create(
                    actor=request.user, cell=cell, items=scenario_items(formset), **data
                )
            else:
                services.scenario_update(
                    actor=request.user, template=template, items=scenario_items(formset), **data
                )
        except EditConflict as error:
            if template is None:
                raise RuntimeError("only an update conflicts") from error
            current = selectors.scenario_get_for(actor=request.user, cell=cell, pk=template.pk)
            mine = dict(form.cleaned_data)
            form = ScenarioForm(
                _rebound(request, stamp=services.scenario_stamp(current)), initial=initial
            )
            form.is_valid()
            add_rule_error(form, error)
            conflict = _scenario_conflict(current, mine)
        except CasusError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Scenario saved."))
            return redirect("cases:scenarios")
    title = template.name if template is not None else _("New scenario")
    context = {"form": form, "formset": formset, "title": title, "conflict": conflict}
    return render_page(request, "cases/followup/scenario_form.html", context)


def scenario_new(request: CellRequest) -> HttpResponse:
    return _scenario_page(request, None)


def scenario_edit(request: CellRequest, pk: int) -> HttpResponse:
    template = selectors.scenario_get_for(actor=request.user, cell=request.cell, pk=pk)
    return _scenario_page(request, template)


# --- Life domains ----------------------------------------------------------------------------

LIFE_DOMAIN_FIELDS = ("name", "position", "is_active")


def _life_domain_rows(
    domains: list[LifeDomain], data: QueryDict | None
) -> list[tuple[LifeDomain, LifeDomainForm]]:
    """One form per domain, with the stamp of the values it is built from."""
    return [
        (
            domain,
            LifeDomainForm(
                data,
                prefix=f"d{domain.pk}",
                initial={
                    **{name: getattr(domain, name) for name in LIFE_DOMAIN_FIELDS},
                    "stamp": services.life_domain_stamp(
                        domain.name, domain.position, domain.is_active
                    ),
                },
            ),
        )
        for domain in domains
    ]


def _life_domain_conflict(
    error: EditConflict, current: LifeDomain, mine: dict[str, Any]
) -> dict[str, Any]:
    """The person's unsaved values of one domain next to the stored ones."""
    rows = []
    for name in LIFE_DOMAIN_FIELDS:
        stored = getattr(current, name)
        rows.append(
            {
                "label": field_label(LifeDomain, name),
                "mine": _shown(mine.get(name)),
                "value": _shown(stored),
                "changed": stored != mine.get(name),
            }
        )
    return {"message": error.message, "domain": current, "rows": rows}


def life_domains(request: CellRequest) -> HttpResponse:
    cell = request.cell
    domains = selectors.life_domain_list_for(actor=request.user, cell=cell)
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form") if posted is not None else None
    rows = _life_domain_rows(domains, posted if which == "rows" else None)
    add_form = LifeDomainAddForm(posted if which == "add" else None)
    conflict = None
    if which == "rows" and all(form.is_valid() for _domain, form in rows):
        edits = [(domain, form.cleaned_data) for domain, form in rows if form.is_edited()]
        try:
            services.life_domains_update(actor=request.user, cell=cell, edits=edits)
        except EditConflict as error:
            current = error.current
            if not isinstance(current, LifeDomain):
                raise RuntimeError("the domain that changed") from error
            mine = next(dict(f.cleaned_data) for d, f in rows if d.pk == current.pk)
            # Keep every unsaved value; the changed row now carries the stored values' stamp.
            stamp = services.life_domain_stamp(current.name, current.position, current.is_active)
            domains = selectors.life_domain_list_for(actor=request.user, cell=cell)
            rows = _life_domain_rows(domains, _rebound(request, **{f"d{current.pk}-stamp": stamp}))
            for _domain, form in rows:
                form.is_valid()
            conflict = _life_domain_conflict(error, current, mine)
        except CasusError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Life domains saved."))
            return redirect("cases:life_domains")
    if which == "add" and add_form.is_valid():
        try:
            services.life_domain_create(actor=request.user, cell=cell, **add_form.cleaned_data)
        except CasusError as error:
            add_rule_error(add_form, error)
        else:
            messages.success(request, _("Life domain added."))
            return redirect("cases:life_domains")
    context = {"rows": rows, "add_form": add_form, "conflict": conflict}
    return render_page(request, "cases/followup/life_domains.html", context)


urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/assessment/", assessment, name="assessment"),
    path("cases/<int:pk>/assessment/edit/", assessment_edit, name="assessment_edit"),
    path(
        "cases/<int:pk>/assessment/v<int:version>/",
        assessment_version,
        name="assessment_version",
    ),
    path("cases/<int:pk>/assessment/compare/", assessment_compare, name="assessment_compare"),
    path("cases/<int:pk>/assessment/instruments/add/", instrument_add, name="instrument_add"),
    path("cases/<int:pk>/pathway/", pathway, name="pathway"),
    path("cases/<int:pk>/pathway/goals/add/", goal_add, name="goal_add"),
    path("cases/<int:pk>/pathway/goals/<int:goal_pk>/", goal_edit, name="goal_edit"),
    path("cases/<int:pk>/pathway/actions/add/", action_add, name="action_add"),
    path("cases/<int:pk>/pathway/actions/<int:action_pk>/", action_edit, name="action_edit"),
    path(
        "cases/<int:pk>/pathway/actions/<int:action_pk>/status/",
        action_status,
        name="action_status",
    ),
    path("cases/<int:pk>/pathway/reviews/add/", review_add, name="review_add"),
    path(
        "cases/<int:pk>/pathway/scenario/",
        pathway_apply_scenario,
        name="pathway_apply_scenario",
    ),
    path("scenarios/", scenarios, name="scenarios"),
    path("scenarios/new/", scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/", scenario_edit, name="scenario_edit"),
    path("life-domains/", life_domains, name="life_domains"),
]
