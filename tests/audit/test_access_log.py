"""The access log (reads, searches, exports) and the change log's old and new values."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from casus.audit.models import AccessKind, AccessLog, AppendOnlyError, AuditEvent
from casus.audit.selectors import event_values
from casus.audit.services import access_record, audit_record
from tests.conftest import World

pytestmark = pytest.mark.django_db

TABLE = AccessLog._meta.db_table


def read(world: World) -> AccessLog:
    return access_record(
        actor=world.coordinator, cell=world.cell_a, kind=AccessKind.CASE, case_id=7, data={"n": 1}
    )


def test_access_record_writes_who_what_when(world: World) -> None:
    row = read(world)
    row.refresh_from_db()
    assert (row.actor, row.cell, row.kind, row.case_id, row.data) == (
        world.coordinator,
        world.cell_a,
        "case",
        7,
        {"n": 1},
    )


def test_access_rows_cannot_change(world: World) -> None:
    row = read(world)
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).update(kind="pdf")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).delete()


def test_raw_update_of_an_access_row_is_refused_by_the_database(world: World) -> None:
    row = read(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET kind = %s WHERE id = %s", ["pdf", row.pk])  # noqa: S608
    assert AccessLog.objects.get(pk=row.pk).kind == "case"


def test_the_audit_trigger_survives_the_table_rebuild(world: World) -> None:
    """SQLite rebuilt audit_auditevent to add columns (migration 0003); 0004 restores it."""
    with transaction.atomic():
        event = audit_record(actor=world.chair, action="X", cell=world.cell_a)
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["Y", event.pk])  # noqa: S608


def test_change_values_are_kept_apart_from_the_field_names(world: World) -> None:
    with transaction.atomic():
        event = audit_record(
            actor=world.coordinator,
            action="THING_CHANGED",
            cell=world.cell_a,
            case_id=3,
            values={
                "due_on": (None, datetime.date(2026, 12, 1)),
                "owner": (world.membership(world.partner1).organisation, None),
                "text": ("old", "new"),
            },
        )
    event.refresh_from_db()
    assert event.data == {"fields": ["due_on", "owner", "text"]}
    assert event_values(event) == {
        "due_on": [None, "2026-12-01"],
        "owner": [world.membership(world.partner1).organisation.pk, None],
        "text": ["old", "new"],
    }
    assert event.case_id == 3
