"""Services of the strategic table: priorities, objectives, progress notes."""

from datetime import date

import pytest

from casus.access.models import Organisation, Role, User
from casus.audit.models import AuditEvent
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from casus.strategy import services
from casus.strategy.models import (
    AppendOnlyError,
    Objective,
    ObjectiveStatus,
    Priority,
    ProgressNote,
)
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory

from .conftest import YEAR

pytestmark = pytest.mark.django_db

WRITERS = [Role.CHAIR, Role.COORDINATOR, Role.INFORMATION_OFFICER, Role.STRATEGIC]
REFUSED = [Role.MEMBER, Role.DPO, Role.CELL_ADMIN]


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.mark.parametrize("role", WRITERS)
def test_strategic_roles_add_a_priority_with_its_audit_row(
    world: World, people: dict[Role, User], role: Role
) -> None:
    priority = services.priority_create(
        actor=people[role], cell=world.cell_a, year=YEAR, title=" Polarisation online ", order=2
    )
    assert (priority.title, priority.order, priority.version) == ("Polarisation online", 2, 1)
    [event] = _events("STRATEGY_PRIORITY_SAVED")
    assert event.actor == people[role]
    assert event.cell == world.cell_a
    assert event.object_id == str(priority.pk)
    assert event.data["created"] is True
    assert "title" in event.data["fields"]
    assert "Polarisation" not in str(event.data)  # field names, never values


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_may_not_write_the_plan(
    world: World, people: dict[Role, User], role: Role, priority: Priority, school: Organisation
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(Forbidden):
        services.priority_create(actor=people[role], cell=world.cell_a, year=YEAR, title="X")
    with pytest.raises(Forbidden):
        services.objective_create(
            actor=people[role], cell=world.cell_a, year=YEAR, title="X", owner_organisation=school
        )
    assert AuditEvent.objects.count() == before


def test_a_member_of_another_cell_may_not_write(world: World, priority: Priority) -> None:
    with pytest.raises(Forbidden):
        services.priority_update(
            actor=world.member_b,
            priority=priority,
            year=YEAR,
            title="Hijacked",
            description="",
            order=1,
            version=1,
        )
    priority.refresh_from_db()
    assert priority.title == "Schools first"


def test_priority_update_bumps_the_version_and_refuses_a_stale_edit(
    world: World, priority: Priority
) -> None:
    services.priority_update(
        actor=world.chair, priority=priority, year=YEAR, title="A", description="", order=1,
        version=1,
    )  # fmt: skip
    with pytest.raises(EditConflict) as conflict:
        services.priority_update(
            actor=world.coordinator, priority=priority, year=YEAR, title="B", description="",
            order=1, version=1,
        )  # fmt: skip
    assert "version 2" in conflict.value.message
    priority.refresh_from_db()
    assert (priority.title, priority.version) == ("A", 2)
    assert [e.data["created"] for e in _events("STRATEGY_PRIORITY_SAVED")] == [True, False]


def test_priority_refusals(world: World, priority: Priority, objective: Objective) -> None:
    with pytest.raises(RuleViolation):
        services.priority_create(actor=world.chair, cell=world.cell_a, year=YEAR, title="  ")
    with pytest.raises(RuleViolation):
        services.priority_create(actor=world.chair, cell=world.cell_a, year=1999, title="X")
    with pytest.raises(RuleViolation, match="stays in its year"):
        services.priority_update(
            actor=world.chair, priority=priority, year=YEAR + 1, title="X", description="",
            order=1, version=1,
        )  # fmt: skip


def test_objective_references_must_be_of_the_cell_and_year(
    world: World, priority: Priority, school: Organisation
) -> None:
    other_org = Organisation.objects.get(cell=world.cell_b)
    kwargs = {"actor": world.chair, "cell": world.cell_a, "title": "X"}
    with pytest.raises(RuleViolation, match="organisations"):
        services.objective_create(**kwargs, year=YEAR, owner_organisation=other_org)
    with pytest.raises(RuleViolation, match="same year"):
        services.objective_create(
            **kwargs, year=YEAR + 1, priority=priority, owner_organisation=school
        )
    with pytest.raises(RuleViolation, match="member of the cell"):
        services.objective_create(
            **kwargs, year=YEAR, owner_organisation=school, owner_person=world.member_b
        )
    school.is_active = False
    school.save()
    with pytest.raises(RuleViolation, match="no longer takes part"):
        services.objective_create(**kwargs, year=YEAR, owner_organisation=school)
    assert not Objective.objects.exists()


def test_objective_owner_person_must_be_a_current_member(
    world: World, school: Organisation
) -> None:
    former = UserFactory()
    membership = MembershipFactory(user=former, cell=world.cell_a, organisation=school)
    membership.term_end = date(2020, 1, 1)
    membership.save()
    with pytest.raises(RuleViolation):
        services.objective_create(
            actor=world.chair, cell=world.cell_a, year=YEAR, title="X",
            owner_organisation=school, owner_person=former,
        )  # fmt: skip
    objective = services.objective_create(
        actor=world.chair, cell=world.cell_a, year=YEAR, title="X",
        owner_organisation=school, owner_person=world.partner1,
    )  # fmt: skip
    assert objective.owner_person == world.partner1


def test_a_status_change_on_edit_is_written_to_the_history(
    world: World, objective: Objective, school: Organisation
) -> None:
    services.objective_update(
        actor=world.strategic, objective=objective, year=YEAR, title="Train the teachers",
        owner_organisation=school, status=ObjectiveStatus.IN_PROGRESS, version=1,
        priority=objective.priority, target_date=objective.target_date,
    )  # fmt: skip
    objective.refresh_from_db()
    assert (objective.status, objective.version) == (ObjectiveStatus.IN_PROGRESS, 2)
    [note] = ProgressNote.objects.filter(objective=objective)
    assert (note.status_from, note.status_to, note.author) == (
        "planned", "in_progress", world.strategic,
    )  # fmt: skip
    event = _events("STRATEGY_OBJECTIVE_SAVED")[-1]
    assert event.data["status_from"] == "planned"
    assert event.data["status_to"] == "in_progress"
    assert event.data["fields"] == ["status"]


def test_objective_stale_edit_loses_nothing(
    world: World, objective: Objective, school: Organisation
) -> None:
    services.progress_note_add(
        actor=world.chair, objective=objective, text="", status="done", version=1
    )
    with pytest.raises(EditConflict):
        services.objective_update(
            actor=world.coordinator, objective=objective, year=YEAR, title="Renamed",
            owner_organisation=school, status="planned", version=1,
        )  # fmt: skip
    objective.refresh_from_db()
    assert (objective.title, objective.status) == ("Train the teachers", "done")


def test_progress_notes_append_and_audit(world: World, objective: Objective) -> None:
    note = services.progress_note_add(actor=world.information_officer, objective=objective,
                                      text="First session held.")  # fmt: skip
    assert (note.text, note.status_to, note.cell_id) == ("First session held.", "", world.cell_a.pk)
    [event] = _events("STRATEGY_NOTE_ADDED")
    assert event.data == {"objective": objective.pk, "fields": ["text"]}
    with pytest.raises(AppendOnlyError):
        note.save()
    with pytest.raises(AppendOnlyError):
        ProgressNote.objects.filter(pk=note.pk).update(text="x")
    with pytest.raises(AppendOnlyError):
        note.delete()


def test_progress_note_refusals(world: World, objective: Objective) -> None:
    with pytest.raises(RuleViolation):
        services.progress_note_add(actor=world.chair, objective=objective, text="  ")
    with pytest.raises(RuleViolation):
        services.progress_note_add(actor=world.chair, objective=objective, text="x", status="bad")
    with pytest.raises(Forbidden):
        services.progress_note_add(actor=world.partner1, objective=objective, text="x")
    # A status change against a version not seen: refused, nothing written.
    objective.version = 7
    with pytest.raises(EditConflict):
        services.progress_note_add(
            actor=world.chair, objective=objective, text="x", status="done", version=3
        )
    assert not ProgressNote.objects.exists()
    assert not _events("STRATEGY_NOTE_ADDED")


def test_a_note_with_a_status_change(world: World, objective: Objective) -> None:
    note = services.progress_note_add(
        actor=world.chair, objective=objective, text="Dropped: no budget.", status="dropped",
        version=1,
    )  # fmt: skip
    objective.refresh_from_db()
    assert (objective.status, objective.version) == ("dropped", 2)
    assert (note.status_from, note.status_to) == ("planned", "dropped")
    [event] = _events("STRATEGY_NOTE_ADDED")
    assert event.data["status_to"] == "dropped"


def test_texts_are_sealed_at_rest(world: World, priority: Priority) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM strategy_priority WHERE id = %s", [priority.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:")
    assert Priority.objects.get(pk=priority.pk).title == "Schools first"
