"""Writes of the follow-up: assessments, the pathway (goals, actions, reviews), scenario
templates and the cell's life domains.

Each service: keyword-only, ``actor`` first, one transaction, permission checked here, rules
validated, one change-log row (old and new values) in the same transaction.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from casus.access.models import Cell, Organisation, OrganisationKind, User
from casus.access.rules import Action, CaseAction, case_context, case_require, require
from casus.audit.services import audit_record
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation

from ..models import (
    ActionStatus,
    Assessment,
    AssessmentDomain,
    Case,
    ExternalInstrument,
    Goal,
    LifeDomain,
    Participation,
    PathwayAction,
    Review,
    ScenarioItem,
    ScenarioKind,
    ScenarioTemplate,
)
from .common import Changes, apply_changes, check_version, initial_values, lock, record_case_change

#: The per-domain fields of an assessment version (all optional).
DOMAIN_FIELDS = (
    "observed_signals",
    "signal_source",
    "signal_date",
    "risk_factors",
    "protective_factors",
    "needs",
    "goal",
)
#: The fields of a scenario item, as services receive them.
SCENARIO_ITEM_FIELDS = ("domain", "goal", "action", "owner_kind", "due_in_days", "position")


def _stamp(values: Sequence[Any]) -> str:
    """A fingerprint of stored values (for rows without a version number): an editor sends
    back the stamp of what they read, and any change made meanwhile gives another stamp."""
    text = json.dumps(list(values), cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _changed_meanwhile(current: object) -> EditConflict:
    return EditConflict(
        _(
            "Someone else changed this meanwhile. Nothing was overwritten: compare both "
            "versions below and save again."
        ),
        current=current,
    )


def _check_open(case: Case) -> None:
    """A closed case's follow-up is frozen until it is reopened."""
    if case.is_closed:
        raise RuleViolation(_("This case is closed: reopen it before changing its follow-up."))


def _check_domain(case_or_cell_id: int, domain: LifeDomain | None) -> None:
    """A life domain must belong to the case's cell (another cell's id is refused as missing)."""
    if domain is not None and domain.cell_id != case_or_cell_id:
        raise Forbidden("life_domain")


def _check_owner(case: Case, organisation: Organisation) -> None:
    """An action's owner is an active organisation of the case's cell."""
    if organisation.cell_id != case.cell_id:
        raise Forbidden("organisation")
    if not organisation.is_active:
        raise RuleViolation(_("This organisation no longer takes part in the cell."))


def _check_goal(case: Case, goal: Goal | None) -> None:
    if goal is not None and goal.case_id != case.pk:
        raise Forbidden("goal")


# --- Assessment -------------------------------------------------------------------------------


def _domain_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned per-domain values: text stripped, missing fields empty."""
    cleaned: dict[str, Any] = {}
    for name in DOMAIN_FIELDS:
        value = values.get(name)
        if name == "signal_date":
            cleaned[name] = value or None
        else:
            cleaned[name] = (value or "").strip()
    return cleaned


def assessment_save(
    *,
    actor: User,
    case: Case,
    summary: str,
    domains: Mapping[int, Mapping[str, Any]],
    based_on_version: int | None,
) -> Assessment:
    """Save a NEW assessment version (earlier versions stay as they are).

    ``domains`` maps a life-domain id of the case's cell to its fields; a domain left entirely
    empty is not stored. ``based_on_version`` is the version the editor started from (0 or None
    for the first): if someone saved another version meanwhile, nothing is saved.
    """
    context = case_require(actor, CaseAction.FOLLOWUP_WRITE, case)
    if context.membership is None:
        raise RuntimeError("FOLLOWUP_WRITE needs a membership")  # not input: a broken invariant
    summary = (summary or "").strip()
    if not summary:
        raise RuleViolation(_("Describe the assessment in your own words first."))
    with transaction.atomic():
        case = lock(case)
        _check_open(case)
        latest = (
            Assessment.objects.filter(case=case)
            .prefetch_related("domains")
            .order_by("-version")
            .first()
        )
        latest_version = latest.version if latest is not None else 0
        if int(based_on_version or 0) != latest_version:
            raise EditConflict(
                _(
                    "Someone else saved a new version meanwhile (now version %(current)s, you "
                    "started from version %(expected)s). Nothing was overwritten: compare both "
                    "below and save again."
                )
                % {"current": latest_version, "expected": int(based_on_version or 0)},
                current=latest,
            )
        cell_domains = {d.pk: d for d in LifeDomain.objects.filter(cell_id=case.cell_id)}
        rows: list[tuple[LifeDomain, dict[str, Any]]] = []
        for domain_id, values in domains.items():
            domain = cell_domains.get(int(domain_id))
            if domain is None:
                raise Forbidden("life_domain")
            cleaned = _domain_values(values)
            if any(cleaned.values()):
                rows.append((domain, cleaned))
        assessment = Assessment.objects.create(
            case=case,
            version=latest_version + 1,
            summary=summary,
            created_by=actor,
            organisation=context.membership.organisation,
        )
        AssessmentDomain.objects.bulk_create(
            AssessmentDomain(assessment=assessment, domain=domain, **cleaned)
            for domain, cleaned in rows
        )
        changes: Changes = {}
        if latest is None or latest.summary != summary:
            changes["summary"] = (latest.summary if latest is not None else None, summary)
        before = {row.domain_id: row for row in latest.domains.all()} if latest is not None else {}
        after = {domain.pk: (domain, cleaned) for domain, cleaned in rows}
        codes = {d.pk: d.code for d in cell_domains.values()}
        for domain_id in sorted(set(before) | set(after)):
            old_row = before.get(domain_id)
            new_values = after.get(domain_id, (None, {}))[1]
            for name in DOMAIN_FIELDS:
                old = getattr(old_row, name) if old_row is not None else None
                new = new_values.get(name)
                if (old or None) != (new or None):
                    changes[f"{codes[domain_id]}.{name}"] = (old, new)
        record_case_change(
            actor=actor,
            action="ASSESSMENT_SAVED",
            case=case,
            obj=assessment,
            changes=changes,
            data={"version": assessment.version},
        )
    return assessment


def instrument_record(
    *, actor: User, case: Case, name: str, used_on: date, assessor: str, conclusion: str
) -> ExternalInstrument:
    """Record that a licensed instrument was used outside Casus: name, date, assessor and
    overall conclusion only (its items and scores are never copied in)."""
    case_require(actor, CaseAction.FOLLOWUP_WRITE, case)
    if used_on > timezone.localdate():
        raise RuleViolation(_("The date of the instrument cannot be in the future."))
    with transaction.atomic():
        case = lock(case)
        _check_open(case)
        instrument = ExternalInstrument.objects.create(
            case=case,
            name=name.strip(),
            used_on=used_on,
            assessor=assessor.strip(),
            conclusion=conclusion.strip(),
            recorded_by=actor,
        )
        record_case_change(
            actor=actor,
            action="INSTRUMENT_RECORDED",
            case=case,
            obj=instrument,
            changes=initial_values(instrument, ("name", "used_on", "assessor", "conclusion")),
        )
    return instrument


# --- Pathway: goals, actions, reviews -------------------------------------------------------


def goal_create(*, actor: User, case: Case, domain: LifeDomain | None, text: str) -> Goal:
    """Add a goal to the pathway, for one life domain (or none)."""
    case_require(actor, CaseAction.FOLLOWUP_WRITE, case)
    _check_domain(case.cell_id, domain)
    with transaction.atomic():
        case = lock(case)
        _check_open(case)
        goal = Goal.objects.create(case=case, domain=domain, text=text.strip(), created_by=actor)
        record_case_change(
            actor=actor,
            action="GOAL_CREATED",
            case=case,
            obj=goal,
            changes=initial_values(goal, ("domain", "text")),
        )
    return goal


def goal_update(
    *,
    actor: User,
    goal: Goal,
    version: int,
    domain: LifeDomain | None,
    text: str,
    is_achieved: bool,
) -> Goal:
    """Change a goal; refused when it changed since the editor read ``version``."""
    case = goal.case
    case_require(actor, CaseAction.FOLLOWUP_WRITE, case)
    _check_domain(case.cell_id, domain)
    with transaction.atomic():
        _check_open(lock(case))
        goal = lock(goal)
        check_version(goal, version)
        changes = apply_changes(
            goal, {"domain": domain, "text": text.strip(), "is_achieved": is_achieved}
        )
        if changes:
            goal.version += 1
            goal.save()
            record_case_change(
                actor=actor, action="GOAL_UPDATED", case=case, obj=goal, changes=changes
            )
    return goal


def action_create(
    *,
    actor: User,
    case: Case,
    goal: Goal | None,
    description: str,
    owner_organisation: Organisation,
    due_on: date | None,
) -> PathwayAction:
    """Add an action to the pathway with its owner organisation and due date."""
    case_require(actor, CaseAction.FOLLOWUP_WRITE, case)
    _check_goal(case, goal)
    _check_owner(case, owner_organisation)
    with transaction.atomic():
        case = lock(case)
        _check_open(case)
        action = PathwayAction.objects.create(
            case=case,
            goal=goal,
            description=description.strip(),
            owner_organisation=owner_organisation,
            due_on=due_on,
            created_by=actor,
        )
        record_case_change(
            actor=actor,
            action="PATHWAY_ACTION_CREATED",
            case=case,
            obj=action,
            changes=initial_values(
                action, ("goal", "description", "owner_organisation", "due_on", "status")
            ),
        )
    return action


def action_update(
    *,
    actor: User,
    action: PathwayAction,
    version: int,
    goal: Goal | None,
    description: str,
    owner_organisation: Organisation,
    due_on: date | None,
) -> PathwayAction:
    """Change an action; refused when it changed since the editor read ``version``."""
    case = action.case
    case_require(actor, CaseAction.FOLLOWUP_WRITE, case)
    _check_goal(case, goal)
    _check_owner(case, owner_organisation)
    with transaction.atomic():
        _check_open(lock(case))
        action = lock(action)
        check_version(action, version)
        changes = apply_changes(
            action,
            {
                "goal": goal,
                "description": description.strip(),
                "owner_organisation": owner_organisation,
                "due_on": due_on,
            },
        )
        if changes:
            action.version += 1
            action.updated_at = timezone.now()
            action.save()
            record_case_change(
                actor=actor,
                action="PATHWAY_ACTION_UPDATED",
                case=case,
                obj=action,
                changes=changes,
            )
    return action


def action_status_set(
    *, actor: User, action: PathwayAction, status: str, version: int
) -> PathwayAction:
    """Set an action's status (planned, in progress, done, cancelled); "overdue" is derived.

    Pathway writers set any action's status; a participating member the status of the actions
    their organisation owns (``CaseContext.may_set_action_status``).
    """
    if not case_context(actor, action.case).may_set_action_status(action.owner_organisation_id):
        raise Forbidden(CaseAction.FOLLOWUP_WRITE)
    if status not in ActionStatus.values:
        raise RuleViolation(_("Choose one of the listed statuses."))
    case = action.case
    with transaction.atomic():
        _check_open(lock(case))
        action = lock(action)
        check_version(action, version)
        changes = apply_changes(action, {"status": status})
        if changes:
            action.version += 1
            action.updated_at = timezone.now()
            action.save()
            record_case_change(
                actor=actor,
                action="PATHWAY_ACTION_STATUS_SET",
                case=case,
                obj=action,
                changes=changes,
            )
    return action


def review_record(
    *, actor: User, case: Case, held_on: date, notes: str, next_review_on: date | None
) -> Review:
    """Record a review of the pathway and set the case's next review date."""
    case_require(actor, CaseAction.FOLLOWUP_WRITE, case)
    if next_review_on is not None and next_review_on <= held_on:
        raise RuleViolation(_("The next review must come after this one."))
    with transaction.atomic():
        case = lock(case)
        _check_open(case)
        review = Review.objects.create(
            case=case,
            held_on=held_on,
            notes=notes.strip(),
            next_review_on=next_review_on,
            created_by=actor,
        )
        changes = initial_values(review, ("held_on", "notes"))
        old_next = case.next_review_on
        if old_next != next_review_on:
            case.next_review_on = next_review_on
            case.version += 1
            case.save(update_fields=["next_review_on", "version"])
        changes["next_review_on"] = (old_next, next_review_on)
        record_case_change(
            actor=actor, action="REVIEW_RECORDED", case=case, obj=review, changes=changes
        )
    return review


def _scenario_owner(
    item: ScenarioItem, participants: Sequence[Organisation], lead: Organisation | None
) -> Organisation | None:
    """The participating organisation of the item's kind if exactly one, else the lead."""
    if item.owner_kind:
        matching = [org for org in participants if org.kind == item.owner_kind]
        if len(matching) == 1:
            return matching[0]
    return lead if lead is not None and lead.is_active else None


def _scenario_owner_missing(item: ScenarioItem) -> str:
    """The refusal when nobody can own an item's action: what to do about it."""
    if item.owner_kind:
        return _(
            "Nobody can own the action “%(action)s”: add exactly one participating "
            "organisation of kind “%(kind)s” to the case, or choose a lead partner first."
        ) % {"action": item.action, "kind": OrganisationKind(item.owner_kind).label}
    return _(
        "Nobody can own the action “%(action)s”: choose a lead partner for the case first."
    ) % {"action": item.action}


def pathway_apply_scenario(
    *, actor: User, case: Case, template: ScenarioTemplate
) -> list[PathwayAction]:
    """Prefill the pathway from a scenario template: its goals and first actions.

    The owner of each action is the case's participating organisation of the item's kind if
    there is exactly one, otherwise the lead partner; without either, nothing is added.
    """
    case_require(actor, CaseAction.FOLLOWUP_WRITE, case)
    if template.cell_id != case.cell_id:
        raise Forbidden("scenario")
    if not template.is_active:
        raise RuleViolation(_("This scenario is no longer in use."))
    with transaction.atomic():
        case = lock(case)
        _check_open(case)
        items = list(template.items.select_related("domain"))
        if not items:
            raise RuleViolation(_("This scenario has no goals yet: add them to the scenario."))
        participants = list(
            Organisation.objects.filter(
                pk__in=Participation.objects.filter(case=case, revoked_at__isnull=True).values(
                    "organisation_id"
                ),
                is_active=True,
            )
        )
        lead = (
            Organisation.objects.get(pk=case.lead_organisation_id)
            if case.lead_organisation_id
            else None
        )
        plan: list[tuple[ScenarioItem, Organisation | None]] = []
        for item in items:
            owner = _scenario_owner(item, participants, lead) if item.action else None
            if item.action and owner is None:
                raise RuleViolation(_scenario_owner_missing(item))
            plan.append((item, owner))
        today = timezone.localdate()
        actions: list[PathwayAction] = []
        goals = 0
        for item, owner in plan:
            domain = item.domain if item.domain is not None and item.domain.is_active else None
            goal = Goal.objects.create(case=case, domain=domain, text=item.goal, created_by=actor)
            goals += 1
            if owner is not None:
                actions.append(
                    PathwayAction.objects.create(
                        case=case,
                        goal=goal,
                        description=item.action,
                        owner_organisation=owner,
                        due_on=today + timedelta(days=item.due_in_days),
                        created_by=actor,
                    )
                )
        record_case_change(
            actor=actor,
            action="PATHWAY_SCENARIO_APPLIED",
            case=case,
            obj=template,
            changes={
                "scenario": (None, template.pk),
                "goals": (None, goals),
                "actions": (None, len(actions)),
            },
            data={"scenario": template.pk},
        )
    return actions


# --- Scenario templates (tactical table) ------------------------------------------------------


def _clean_items(cell: Cell, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for position, values in enumerate(items):
        item = {name: values.get(name) for name in SCENARIO_ITEM_FIELDS}
        domain = item["domain"]
        _check_domain(cell.pk, domain)
        item["goal"] = (item["goal"] or "").strip()
        item["action"] = (item["action"] or "").strip()
        item["owner_kind"] = item["owner_kind"] or ""
        if item["owner_kind"] and item["owner_kind"] not in OrganisationKind.values:
            raise RuleViolation(_("Choose one of the listed kinds of organisation."))
        if not item["goal"]:
            raise RuleViolation(_("Every item of a scenario needs a goal."))
        item["due_in_days"] = int(item["due_in_days"] if item["due_in_days"] is not None else 30)
        item["position"] = int(
            item["position"] if item["position"] is not None else (position + 1) * 10
        )
        cleaned.append(item)
    return cleaned


def _item_summary(items: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """Items as plain lists, for the change log."""
    return [
        [
            item["domain"].pk if item["domain"] is not None else None,
            item["goal"],
            item["action"],
            item["owner_kind"],
            item["due_in_days"],
            item["position"],
        ]
        for item in items
    ]


def _check_scenario_name(cell: Cell, name: str, exclude: int | None = None) -> None:
    clash = ScenarioTemplate.objects.filter(cell=cell, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise RuleViolation(_("A scenario with this name already exists in this cell."))


def scenario_stamp(template: ScenarioTemplate) -> str:
    """The fingerprint of a scenario template and its items as stored (see ``_stamp``)."""
    items = [
        [item.domain_id, item.goal, item.action, item.owner_kind, item.due_in_days, item.position]
        for item in template.items.all()
    ]
    return _stamp(
        [
            template.kind,
            template.name,
            template.target_group,
            template.description,
            template.is_active,
            items,
        ]
    )


def scenario_create(
    *,
    actor: User,
    cell: Cell,
    kind: str,
    name: str,
    target_group: str = "",
    description: str = "",
    items: Sequence[Mapping[str, Any]] = (),
) -> ScenarioTemplate:
    """Add a scenario template of the tactical table, with its items (goal, first action)."""
    require(actor, Action.SCENARIO_MANAGE, cell)
    if kind not in ScenarioKind.values:
        raise RuleViolation(_("Choose one of the listed kinds of scenario."))
    name = name.strip()
    cleaned = _clean_items(cell, items)
    with transaction.atomic():
        _check_scenario_name(cell, name)
        template = ScenarioTemplate.objects.create(
            cell=cell,
            kind=kind,
            name=name,
            target_group=target_group.strip(),
            description=description.strip(),
            created_by=actor,
        )
        ScenarioItem.objects.bulk_create(ScenarioItem(template=template, **i) for i in cleaned)
        changes = initial_values(template, ("kind", "name", "target_group", "description"))
        changes["items"] = (None, _item_summary(cleaned))
        audit_record(
            actor=actor, action="SCENARIO_CREATED", cell=cell, obj=template, values=changes
        )
    return template


def scenario_update(
    *,
    actor: User,
    template: ScenarioTemplate,
    kind: str,
    name: str,
    target_group: str,
    description: str,
    is_active: bool,
    items: Sequence[Mapping[str, Any]],
    stamp: str,
) -> ScenarioTemplate:
    """Change a scenario template; its items are replaced by ``items``.

    ``stamp`` is ``scenario_stamp`` of the template as the editor read it: when someone
    changed the template or its items meanwhile, nothing is saved (``EditConflict``).
    """
    cell = template.cell
    require(actor, Action.SCENARIO_MANAGE, cell)
    if kind not in ScenarioKind.values:
        raise RuleViolation(_("Choose one of the listed kinds of scenario."))
    name = name.strip()
    cleaned = _clean_items(cell, items)
    with transaction.atomic():
        template = lock(template)
        if stamp != scenario_stamp(template):
            raise _changed_meanwhile(template)
        _check_scenario_name(cell, name, exclude=template.pk)
        old_items = [
            {name_: getattr(item, name_) for name_ in SCENARIO_ITEM_FIELDS}
            for item in template.items.select_related("domain")
        ]
        changes = apply_changes(
            template,
            {
                "kind": kind,
                "name": name,
                "target_group": target_group.strip(),
                "description": description.strip(),
                "is_active": is_active,
            },
        )
        old_summary, new_summary = _item_summary(old_items), _item_summary(cleaned)
        if old_summary != new_summary:
            template.items.all().delete()
            ScenarioItem.objects.bulk_create(ScenarioItem(template=template, **i) for i in cleaned)
            changes["items"] = (old_summary, new_summary)
        if changes:
            template.save()
            audit_record(
                actor=actor, action="SCENARIO_UPDATED", cell=cell, obj=template, values=changes
            )
    return template


# --- Life domains ------------------------------------------------------------------------------


def _unique_code(cell: Cell, name: str) -> str:
    base = slugify(name)[:32] or "domain"
    taken = set(
        LifeDomain.objects.filter(cell=cell, code__startswith=base).values_list("code", flat=True)
    )
    code, counter = base, 2
    while code in taken:
        code = f"{base}-{counter}"
        counter += 1
    return code


def life_domain_create(
    *, actor: User, cell: Cell, name: str, position: int | None = None
) -> LifeDomain:
    """Add a life domain of the cell's own (its name is shown as written)."""
    require(actor, Action.LIFE_DOMAIN_MANAGE, cell)
    name = name.strip()
    if not name:
        raise RuleViolation(_("Give the new life domain a name."))
    with transaction.atomic():
        if position is None:
            last = LifeDomain.objects.filter(cell=cell).aggregate(last=Max("position"))["last"]
            position = (last or 0) + 1
        domain = LifeDomain.objects.create(
            cell=cell, code=_unique_code(cell, name), name=name, position=position
        )
        audit_record(
            actor=actor,
            action="LIFE_DOMAIN_CREATED",
            cell=cell,
            obj=domain,
            values=initial_values(domain, ("code", "name", "position")),
        )
    return domain


def life_domain_stamp(name: str, position: int, is_active: bool) -> str:
    """The fingerprint of a life domain's editable values (see ``_stamp``)."""
    return _stamp([name, position, is_active])


def life_domain_update(
    *, actor: User, domain: LifeDomain, name: str, position: int, is_active: bool, stamp: str
) -> LifeDomain:
    """Rename, move or (de)activate a life domain; an empty name on a default domain keeps
    the default name in each reader's language. Earlier assessments keep their rows.

    ``stamp`` is ``life_domain_stamp`` of the values the editor read: when someone changed
    the domain meanwhile, nothing is saved (``EditConflict``, with the stored domain).
    """
    cell = domain.cell
    require(actor, Action.LIFE_DOMAIN_MANAGE, cell)
    with transaction.atomic():
        domain = lock(domain)
        if stamp != life_domain_stamp(domain.name, domain.position, domain.is_active):
            raise _changed_meanwhile(domain)
        name = name.strip()
        if not name and domain.code not in _default_codes():
            raise RuleViolation(_("A life domain of the cell's own needs a name."))
        changes = apply_changes(
            domain, {"name": name, "position": position, "is_active": is_active}
        )
        if changes:
            domain.save()
            audit_record(
                actor=actor, action="LIFE_DOMAIN_UPDATED", cell=cell, obj=domain, values=changes
            )
    return domain


def life_domains_update(
    *, actor: User, cell: Cell, edits: Sequence[tuple[LifeDomain, Mapping[str, Any]]]
) -> list[LifeDomain]:
    """Save several life domains of ``cell`` at once (the table of the life-domains page):
    all or nothing; each ``(domain, values)`` as for ``life_domain_update``."""
    require(actor, Action.LIFE_DOMAIN_MANAGE, cell)
    with transaction.atomic():
        saved = []
        for domain, values in edits:
            # Another cell's domain is refused as missing.
            if domain.cell_id != cell.pk:
                raise Forbidden("life_domain")
            saved.append(
                life_domain_update(
                    actor=actor,
                    domain=domain,
                    name=values["name"],
                    position=values["position"],
                    is_active=values["is_active"],
                    stamp=values.get("stamp") or "",
                )
            )
    return saved


def _default_codes() -> set[str]:
    from ..defaults import DEFAULT_LIFE_DOMAIN_LABELS

    return set(DEFAULT_LIFE_DOMAIN_LABELS)
