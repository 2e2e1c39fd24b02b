"""Reads of the follow-up pages: assessment versions, the pathway, scenarios, life domains.

Every case read takes the reader's ``CaseContext`` (from ``case_for_page``: the case scoped by
``case_queryset_for``) and requires ``CaseAction.FOLLOWUP_READ`` itself; cell-level reads
``require`` their ``Action``. Each page runs a fixed number of queries, whatever the number of
rows.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst

from casus.access.models import Cell, Organisation, User
from casus.access.rules import Action, CaseAction, CaseContext, require

from ..models import (
    Assessment,
    AssessmentDomain,
    Case,
    ExternalInstrument,
    Goal,
    LifeDomain,
    PathwayAction,
    Review,
    ScenarioItem,
    ScenarioTemplate,
)
from ..services.followup import DOMAIN_FIELDS

#: The largest id or version number a database integer holds: anything above is missing.
_MAX_ID = 2**63 - 1


def _number(value: object) -> int:
    """``value`` as a row id or version number, or 404 (never a database overflow)."""
    try:
        number = int(str(value))
    except ValueError:
        raise Http404 from None
    if not 0 < number <= _MAX_ID:
        raise Http404
    return number


def _followup_case(context: CaseContext, action: CaseAction = CaseAction.FOLLOWUP_READ) -> Case:
    """The context's case, once the reader may read (or ``action``) its follow-up; 404 else."""
    context.require(action)
    return context.case


def domain_field_label(name: str) -> str:
    return capfirst(str(getattr(AssessmentDomain._meta.get_field(name), "verbose_name", name)))


# --- Assessment -------------------------------------------------------------------------------


@dataclass
class DomainField:
    name: str
    label: str
    value: Any
    changed: bool = False


@dataclass
class DomainView:
    """One life domain of one assessment version, and what changed since the version before."""

    domain: LifeDomain
    fields: list[DomainField]
    is_empty: bool
    changed: bool


@dataclass
class AssessmentView:
    """One version with its domains (in the cell's order); ``previous`` is the version before."""

    assessment: Assessment
    previous: Assessment | None
    summary_changed: bool
    domains: list[DomainView]


@dataclass
class AssessmentPage:
    current: AssessmentView | None
    versions: list[Assessment]
    instruments: list[ExternalInstrument]


def _domain_rows(assessments: list[Assessment]) -> dict[int, dict[int, AssessmentDomain]]:
    """{assessment id: {domain id: row}} for these versions, in one query."""
    rows: dict[int, dict[int, AssessmentDomain]] = {a.pk: {} for a in assessments}
    if assessments:
        for row in AssessmentDomain.objects.filter(assessment__in=assessments).select_related(
            "domain"
        ):
            rows[row.assessment_id][row.domain_id] = row
    return rows


def _view(
    assessment: Assessment,
    previous: Assessment | None,
    rows: dict[int, dict[int, AssessmentDomain]],
    domains: list[LifeDomain],
) -> AssessmentView:
    mine = rows[assessment.pk]
    before = rows[previous.pk] if previous is not None else {}
    shown = [d for d in domains if d.is_active or d.pk in mine]
    # A domain deactivated since still shows in the versions that have it.
    known = {d.pk for d in shown}
    shown += [row.domain for pk, row in mine.items() if pk not in known]
    views = []
    for domain in shown:
        row, old = mine.get(domain.pk), before.get(domain.pk)
        fields = []
        for name in DOMAIN_FIELDS:
            value = getattr(row, name) if row is not None else None
            old_value = getattr(old, name) if old is not None else None
            changed = previous is not None and (value or None) != (old_value or None)
            fields.append(DomainField(name, domain_field_label(name), value, changed))
        views.append(
            DomainView(
                domain=domain,
                fields=fields,
                is_empty=row is None,
                changed=any(f.changed for f in fields),
            )
        )
    return AssessmentView(
        assessment=assessment,
        previous=previous,
        summary_changed=previous is not None and previous.summary != assessment.summary,
        domains=views,
    )


def _versions(case: Case) -> list[Assessment]:
    return list(
        Assessment.objects.filter(case=case)
        .select_related("created_by", "organisation")
        .order_by("-version")
    )


def _cell_domains(cell_id: int) -> list[LifeDomain]:
    return list(LifeDomain.objects.filter(cell_id=cell_id).order_by("position", "name", "pk"))


def assessment_page_for(*, context: CaseContext) -> AssessmentPage:
    """The latest version (with what changed since the one before), all versions, instruments."""
    case = _followup_case(context)
    versions = _versions(case)
    current = None
    if versions:
        latest = versions[0]
        previous = versions[1] if len(versions) > 1 else None
        rows = _domain_rows([v for v in (latest, previous) if v is not None])
        current = _view(latest, previous, rows, _cell_domains(case.cell_id))
    instruments = list(ExternalInstrument.objects.filter(case=case).select_related("recorded_by"))
    return AssessmentPage(current=current, versions=versions, instruments=instruments)


def assessment_version_for(*, context: CaseContext, version: object) -> AssessmentView:
    """One version of the case's assessment (404 for a version that does not exist)."""
    case = _followup_case(context)
    number = _number(version)
    pair = list(
        Assessment.objects.filter(case=case, version__in=[number, number - 1])
        .select_related("created_by", "organisation")
        .order_by("-version")
    )
    if not pair or pair[0].version != number:
        raise Http404
    previous = pair[1] if len(pair) > 1 else None
    return _view(pair[0], previous, _domain_rows(pair), _cell_domains(case.cell_id))


def assessment_latest_for(*, context: CaseContext) -> AssessmentView | None:
    """The latest version (for the edit form and a conflict)."""
    case = _followup_case(context)
    latest = (
        Assessment.objects.filter(case=case)
        .select_related("created_by", "organisation")
        .order_by("-version")
        .first()
    )
    if latest is None:
        return None
    return _view(latest, None, _domain_rows([latest]), _cell_domains(case.cell_id))


def assessment_versions_for(*, context: CaseContext) -> list[int]:
    case = _followup_case(context)
    return list(
        Assessment.objects.filter(case=case).order_by("-version").values_list("version", flat=True)
    )


@dataclass
class CompareRow:
    name: str
    label: str
    a: Any
    b: Any
    changed: bool


@dataclass
class CompareDomain:
    domain: LifeDomain
    rows: list[CompareRow]
    changed: bool


@dataclass
class AssessmentComparison:
    a: Assessment
    b: Assessment
    summary_changed: bool
    domains: list[CompareDomain] = field(default_factory=list)


def assessment_compare_for(*, context: CaseContext, a: int, b: int) -> AssessmentComparison:
    """Two versions side by side, field by field (404 when either does not exist)."""
    case = _followup_case(context)
    found = {
        v.version: v
        for v in Assessment.objects.filter(case=case, version__in=[a, b]).select_related(
            "created_by", "organisation"
        )
    }
    if a not in found or b not in found:
        raise Http404
    first, second = found[a], found[b]
    rows = _domain_rows([first, second] if a != b else [first])
    rows_a, rows_b = rows[first.pk], rows[second.pk]
    domains = [d for d in _cell_domains(case.cell_id) if d.pk in rows_a or d.pk in rows_b]
    comparison = AssessmentComparison(
        a=first, b=second, summary_changed=first.summary != second.summary
    )
    for domain in domains:
        row_a, row_b = rows_a.get(domain.pk), rows_b.get(domain.pk)
        compare_rows = []
        for name in DOMAIN_FIELDS:
            value_a = getattr(row_a, name) if row_a is not None else None
            value_b = getattr(row_b, name) if row_b is not None else None
            compare_rows.append(
                CompareRow(
                    name,
                    domain_field_label(name),
                    value_a,
                    value_b,
                    (value_a or None) != (value_b or None),
                )
            )
        comparison.domains.append(
            CompareDomain(domain, compare_rows, any(r.changed for r in compare_rows))
        )
    return comparison


def life_domains_for_form(
    *, context: CaseContext, latest: AssessmentView | None
) -> list[LifeDomain]:
    """The domains an assessment form offers: active ones, and those the latest version has."""
    case = _followup_case(context)
    present = {d.domain.pk for d in latest.domains if not d.is_empty} if latest else set()
    return [d for d in _cell_domains(case.cell_id) if d.is_active or d.pk in present]


# --- Pathway ------------------------------------------------------------------------------------


@dataclass
class GoalView:
    goal: Goal
    actions: list[PathwayAction]


@dataclass
class DomainGoals:
    domain: LifeDomain | None
    goals: list[GoalView]


@dataclass
class PathwayPage:
    domains: list[DomainGoals]
    loose_actions: list[PathwayAction]
    actions: list[PathwayAction]
    reviews: list[Review]
    overdue: int


def pathway_page_for(*, context: CaseContext, today: date | None = None) -> PathwayPage:
    """Goals grouped by life domain, their actions (``overdue`` derived), and the reviews."""
    case = _followup_case(context)
    today = today or timezone.localdate()
    goals = list(
        Goal.objects.filter(case=case)
        .select_related("domain")
        .order_by("domain__position", "domain__id", "id")
    )
    actions = list(
        PathwayAction.objects.filter(case=case)
        .select_related("owner_organisation")
        .order_by("due_on", "id")
    )
    by_goal: dict[int | None, list[PathwayAction]] = {}
    overdue = 0
    for action in actions:
        action.case = case
        action.overdue = action.is_overdue(today)  # type: ignore[attr-defined]
        overdue += action.overdue  # type: ignore[attr-defined]
        by_goal.setdefault(action.goal_id, []).append(action)
    groups: dict[int | None, DomainGoals] = {}
    for goal in goals:
        group = groups.setdefault(goal.domain_id, DomainGoals(goal.domain, []))
        group.goals.append(GoalView(goal, by_goal.get(goal.pk, [])))
    reviews = list(Review.objects.filter(case=case).select_related("created_by"))
    return PathwayPage(
        domains=list(groups.values()),
        loose_actions=by_goal.get(None, []),
        actions=actions,
        reviews=reviews,
        overdue=overdue,
    )


def goal_get_for(*, context: CaseContext, pk: int | str) -> Goal:
    """A goal of this case (404 otherwise)."""
    case = _followup_case(context)
    try:
        goal = Goal.objects.select_related("domain").get(case=case, pk=_number(pk))
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    goal.case = case
    return goal


def action_get_for(*, context: CaseContext, pk: int | str) -> PathwayAction:
    """An action of this case (404 otherwise)."""
    case = _followup_case(context)
    try:
        action = PathwayAction.objects.select_related("owner_organisation", "goal").get(
            case=case, pk=_number(pk)
        )
    except (PathwayAction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    action.case = case
    return action


def case_goals(*, context: CaseContext) -> QuerySet[Goal]:
    """The case's goals (an action's choices)."""
    case = _followup_case(context)
    return Goal.objects.filter(case=case).select_related("domain")


def owner_organisations(
    *, context: CaseContext, current: int | None = None
) -> QuerySet[Organisation]:
    """Organisations that can own an action: the active ones of the case's cell."""
    case = _followup_case(context)
    condition = Q(is_active=True)
    if current is not None:
        condition |= Q(pk=current)
    return Organisation.objects.filter(condition, cell_id=case.cell_id)


def goal_domains(cell_id: int, current: int | None = None) -> QuerySet[LifeDomain]:
    """Domains a goal can belong to: the active ones (and the one it has)."""
    condition = Q(is_active=True)
    if current is not None:
        condition |= Q(pk=current)
    return LifeDomain.objects.filter(condition, cell_id=cell_id).order_by("position", "name")


def scenarios_to_apply(*, context: CaseContext) -> QuerySet[ScenarioTemplate]:
    """The cell's active scenarios, for those who may write the case's pathway."""
    case = _followup_case(context, CaseAction.FOLLOWUP_WRITE)
    return ScenarioTemplate.objects.filter(cell_id=case.cell_id, is_active=True)


# --- Scenarios and life domains (cell level) ----------------------------------------------


def scenario_list_for(*, actor: User, cell: Cell) -> list[ScenarioTemplate]:
    require(actor, Action.SCENARIO_MANAGE, cell)
    return list(ScenarioTemplate.objects.filter(cell=cell).annotate(item_count=Count("items")))


def scenario_get_for(*, actor: User, cell: Cell, pk: int | str) -> ScenarioTemplate:
    require(actor, Action.SCENARIO_MANAGE, cell)
    try:
        return (
            ScenarioTemplate.objects.select_related("cell")
            .prefetch_related(
                Prefetch("items", queryset=ScenarioItem.objects.select_related("domain"))
            )
            .get(cell=cell, pk=_number(pk))
        )
    except (ScenarioTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def life_domain_list_for(*, actor: User, cell: Cell) -> list[LifeDomain]:
    require(actor, Action.LIFE_DOMAIN_MANAGE, cell)
    return list(
        LifeDomain.objects.filter(cell=cell)
        .select_related("cell")
        .order_by("position", "name", "pk")
    )
