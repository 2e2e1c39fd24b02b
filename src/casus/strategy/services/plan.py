"""Writes of the strategic table: priorities, the annual plan's objectives, progress notes."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Cell, Membership, Organisation, User
from casus.access.rules import Action, require
from casus.core.exceptions import RuleViolation

from ..models import FIRST_YEAR, LAST_YEAR, Objective, ObjectiveStatus, Priority, ProgressNote
from .common import (
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    apply,
    check_version,
    clean_text,
    initial,
    lock,
    record,
)


def check_year(year: int) -> int:
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise RuleViolation(
            _("Choose a year between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return int(year)


def _title(value: str) -> str:
    return clean_text(value, limit=TITLE_MAX_LENGTH, missing=_("Give it a title."))


# --- Priorities ----------------------------------------------------------------------------


def _priority_values(year: int, title: str, description: str, order: int) -> dict[str, Any]:
    if not 0 <= int(order) <= 999:
        raise RuleViolation(_("Give the order as a number from 0 to 999."))
    return {
        "year": check_year(year),
        "title": _title(title),
        "description": clean_text(description, limit=TEXT_MAX_LENGTH),
        "order": int(order),
    }


def priority_create(
    *, actor: User, cell: Cell, year: int, title: str, description: str = "", order: int = 1
) -> Priority:
    """Add a priority of the strategic table for ``year``."""
    require(actor, Action.STRATEGY_WRITE, cell)
    values = _priority_values(year, title, description, order)
    with transaction.atomic():
        priority = Priority.objects.create(cell=cell, created_by=actor, **values)
        record(
            actor=actor,
            action="STRATEGY_PRIORITY_SAVED",
            obj=priority,
            changes=initial(values),
            data={"created": True, "year": priority.year},
        )
    return priority


def priority_update(
    *,
    actor: User,
    priority: Priority,
    year: int,
    title: str,
    description: str,
    order: int,
    version: int | None,
) -> Priority:
    """Change a priority; refused (``EditConflict``) when someone saved it meanwhile."""
    require(actor, Action.STRATEGY_WRITE, priority.cell_id)
    values = _priority_values(year, title, description, order)
    with transaction.atomic():
        priority = lock(priority)
        check_version(priority, version)
        if values["year"] != priority.year and priority.objectives.exists():
            raise RuleViolation(
                _("Objectives of the plan belong to this priority: it stays in its year.")
            )
        changes = apply(priority, values)
        if not changes:
            return priority
        priority.version += 1
        priority.updated_at = timezone.now()
        priority.save()
        record(
            actor=actor,
            action="STRATEGY_PRIORITY_SAVED",
            obj=priority,
            changes=changes,
            data={"created": False, "year": priority.year, "version": priority.version},
        )
    return priority


# --- Objectives ----------------------------------------------------------------------------


def _objective_values(
    cell_id: int,
    *,
    year: int,
    priority: Priority | None,
    title: str,
    description: str,
    owner_organisation: Organisation,
    owner_person: User | None,
    target_date: date | None,
    current: Objective | None = None,
) -> dict[str, Any]:
    """Check the objective's references: all of its own cell, the priority of its year."""
    year = check_year(year)
    if priority is not None:
        if priority.cell_id != cell_id:
            raise RuleViolation(_("Choose one of the cell's priorities."))
        if priority.year != year:
            raise RuleViolation(_("Choose a priority of the same year as the objective."))
    if owner_organisation.cell_id != cell_id:
        raise RuleViolation(_("Choose one of the cell's organisations."))
    kept = current is not None and current.owner_organisation_id == owner_organisation.pk
    if not owner_organisation.is_active and not kept:
        raise RuleViolation(_("This organisation no longer takes part in the cell."))
    if owner_person is not None:
        kept = current is not None and current.owner_person_id == owner_person.pk
        seated = Membership.objects.current().filter(user=owner_person, cell_id=cell_id).exists()
        if not seated and not kept:
            raise RuleViolation(_("Choose a person who is a member of the cell now."))
    return {
        "year": year,
        "priority": priority,
        "title": _title(title),
        "description": clean_text(description, limit=TEXT_MAX_LENGTH),
        "owner_organisation": owner_organisation,
        "owner_person": owner_person,
        "target_date": target_date,
    }


def objective_create(
    *,
    actor: User,
    cell: Cell,
    year: int,
    title: str,
    owner_organisation: Organisation,
    priority: Priority | None = None,
    description: str = "",
    owner_person: User | None = None,
    target_date: date | None = None,
) -> Objective:
    """Add an objective to the annual plan of ``year`` (status: planned)."""
    require(actor, Action.STRATEGY_WRITE, cell)
    values = _objective_values(
        cell.pk,
        year=year,
        priority=priority,
        title=title,
        description=description,
        owner_organisation=owner_organisation,
        owner_person=owner_person,
        target_date=target_date,
    )
    with transaction.atomic():
        objective = Objective.objects.create(cell=cell, created_by=actor, **values)
        record(
            actor=actor,
            action="STRATEGY_OBJECTIVE_SAVED",
            obj=objective,
            changes=initial(values),
            data={"created": True, "year": objective.year, "status": objective.status},
        )
    return objective


def _set_status(objective: Objective, actor: User, status: str, text: str) -> ProgressNote:
    """Record a status change (and its note) in the objective's history."""
    if status not in ObjectiveStatus.values:
        raise RuleViolation(_("Choose one of the listed statuses."))
    note = ProgressNote.objects.create(
        cell_id=objective.cell_id,
        objective=objective,
        author=actor,
        text=text,
        status_from=objective.status if status != objective.status else "",
        status_to=status if status != objective.status else "",
    )
    objective.status = status
    return note


def objective_update(
    *,
    actor: User,
    objective: Objective,
    year: int,
    title: str,
    owner_organisation: Organisation,
    status: str,
    version: int | None,
    priority: Priority | None = None,
    description: str = "",
    owner_person: User | None = None,
    target_date: date | None = None,
) -> Objective:
    """Change an objective; a new status is also written to its history as a progress note."""
    require(actor, Action.STRATEGY_WRITE, objective.cell_id)
    if status not in ObjectiveStatus.values:
        raise RuleViolation(_("Choose one of the listed statuses."))
    with transaction.atomic():
        objective = lock(objective)
        check_version(objective, version)
        values = _objective_values(
            objective.cell_id,
            year=year,
            priority=priority,
            title=title,
            description=description,
            owner_organisation=owner_organisation,
            owner_person=owner_person,
            target_date=target_date,
            current=objective,
        )
        old_status = objective.status
        changes = apply(objective, values)
        data: dict[str, Any] = {"created": False, "year": objective.year}
        if status != old_status:
            note = _set_status(objective, actor, status, "")
            changes["status"] = (old_status, status)
            data |= {"status_from": old_status, "status_to": status, "note": note.pk}
        if not changes:
            return objective
        objective.version += 1
        objective.updated_at = timezone.now()
        objective.save()
        data["version"] = objective.version
        record(
            actor=actor,
            action="STRATEGY_OBJECTIVE_SAVED",
            obj=objective,
            changes=changes,
            data=data,
        )
    return objective


def progress_note_add(
    *,
    actor: User,
    objective: Objective,
    text: str,
    status: str = "",
    version: int | None = None,
) -> ProgressNote:
    """Append a progress note to an objective, maybe with a new status.

    A note alone never conflicts (notes are only added); a status change is checked against
    the version the writer saw, so that nobody's status is overwritten unseen.
    """
    require(actor, Action.STRATEGY_WRITE, objective.cell_id)
    changing = bool(status)
    text = clean_text(
        text,
        limit=TEXT_MAX_LENGTH,
        missing=None if changing else _("Write the note, or choose a new status."),
    )
    with transaction.atomic():
        objective = lock(objective)
        data: dict[str, Any] = {"objective": objective.pk}
        if changing and status != objective.status:
            check_version(objective, version)
            old = objective.status
            note = _set_status(objective, actor, status, text)
            objective.version += 1
            objective.updated_at = timezone.now()
            objective.save(update_fields=["status", "version", "updated_at"])
            data |= {"status_from": old, "status_to": status, "version": objective.version}
        else:
            if changing and status not in ObjectiveStatus.values:
                raise RuleViolation(_("Choose one of the listed statuses."))
            if not text:
                raise RuleViolation(_("Write the note, or choose a new status."))
            note = ProgressNote.objects.create(
                cell_id=objective.cell_id, objective=objective, author=actor, text=text
            )
        record(
            actor=actor,
            action="STRATEGY_NOTE_ADDED",
            obj=note,
            changes={"text": (None, text)} if text else None,
            data=data,
        )
    return note
