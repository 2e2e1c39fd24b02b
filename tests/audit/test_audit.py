"""The audit trail: append-only in the model and in the database, written in the change's
transaction, fed by logins and MFA changes, read by the DPO of the cell only."""

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from casus.audit.models import AppendOnlyError, AuditEvent
from casus.audit.services import audit_record
from tests.conftest import World, ready_client
from tests.factories import enrol_totp

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
TABLE = AuditEvent._meta.db_table


def record(world: World, action: str = "TEST_EVENT", cell=None) -> AuditEvent:
    with transaction.atomic():
        return audit_record(actor=world.chair, action=action, cell=cell or world.cell_a)


# --- Append-only in the model ---------------------------------------------------------------


def test_audit_record_writes_codes_and_ids(world: World) -> None:
    with transaction.atomic():
        event = audit_record(
            actor=world.chair,
            action="SOMETHING_DONE",
            cell=world.cell_a,
            obj=world.membership(world.partner1),
            data={"fields": ["role"]},
        )
    event.refresh_from_db()
    assert (event.actor, event.cell, event.action) == (world.chair, world.cell_a, "SOMETHING_DONE")
    assert event.object_type == "access.membership"
    assert event.object_id == str(world.membership(world.partner1).pk)
    assert event.data == {"fields": ["role"]}


def test_audit_record_without_actor_or_object(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    with transaction.atomic():
        event = audit_record(actor=AnonymousUser(), action="ANONYMOUS")  # type: ignore[arg-type]
    assert (event.actor, event.cell, event.object_type, event.object_id, event.data) == (
        None,
        None,
        "",
        "",
        {},
    )


def test_saving_an_existing_event_is_refused(world: World) -> None:
    event = record(world)
    event.action = "FORGED"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "TEST_EVENT"


def test_queryset_update_is_refused(world: World) -> None:
    event = record(world)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="FORGED")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="FORGED")
    assert AuditEvent.objects.get(pk=event.pk).action == "TEST_EVENT"


def test_queryset_delete_is_refused(world: World) -> None:
    event = record(world)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_instance_delete_is_refused(world: World) -> None:
    event = record(world)
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- Append-only in the database ------------------------------------------------------------


def test_raw_update_is_refused_by_the_database(world: World) -> None:
    event = record(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["FORGED", event.pk])  # noqa: S608
    assert AuditEvent.objects.get(pk=event.pk).action == "TEST_EVENT"


def test_raw_delete_is_refused_by_postgresql(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite refuses UPDATE only: pytest-django empties its test database with DELETE "
            "between transactional tests (see audit migration 0002)."
        )
    event = record(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_is_refused(world: World) -> None:
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        audit_record(actor=world.chair, action="LOOSE", cell=world.cell_a)
    assert not AuditEvent.objects.filter(action="LOOSE").exists()


def test_a_rolled_back_change_leaves_no_event(world: World) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit_record(actor=world.chair, action="ROLLED_BACK", cell=world.cell_a)
        raise Boom
    assert not AuditEvent.objects.filter(action="ROLLED_BACK").exists()


# --- Logins and MFA -------------------------------------------------------------------------


def test_login_success_is_recorded(world: World) -> None:
    response = Client().post(
        reverse("account_login"), {"login": world.partner1.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="LOGIN_SUCCEEDED")
    assert (event.actor, event.cell) == (world.partner1, None)
    assert not AuditEvent.objects.filter(action="LOGIN_FAILED").exists()


def test_login_failure_is_recorded_without_the_password(world: World) -> None:
    response = Client().post(
        reverse("account_login"),
        {"login": world.partner1.email, "password": "wrong horse battery"},
    )
    assert response.status_code == 200  # the form again
    event = AuditEvent.objects.get(action="LOGIN_FAILED")
    assert event.actor is None
    assert event.data == {"identifier": world.partner1.email}
    assert "horse" not in str(event.data)
    assert not AuditEvent.objects.filter(action="LOGIN_SUCCEEDED").exists()


def test_login_with_totp_is_recorded_after_the_second_factor(world: World) -> None:
    secret = enrol_totp(world.partner1)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": world.partner1.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert not AuditEvent.objects.filter(action="LOGIN_SUCCEEDED").exists()  # not yet
    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="LOGIN_SUCCEEDED").actor == world.partner1


def test_logout_is_recorded(world: World) -> None:
    client = ready_client(world.partner1)
    client.post(reverse("account_logout"))
    assert AuditEvent.objects.get(action="LOGGED_OUT").actor == world.partner1


def test_mfa_added_and_removed_are_recorded(
    world: World, django_capture_on_commit_callbacks
) -> None:
    user = world.partner1
    client = Client()
    client.force_login(user)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # The TOTP device, and the recovery codes allauth generates with it.
    added = AuditEvent.objects.filter(action="MFA_ADDED")
    assert sorted(e.data["type"] for e in added) == ["recovery_codes", "totp"]
    assert {e.actor for e in added} == {user}

    stamp = type(user).objects.get(pk=user.pk).security_stamp
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    removed = AuditEvent.objects.filter(action="MFA_REMOVED")
    assert sorted(e.data["type"] for e in removed) == ["recovery_codes", "totp"]
    assert {e.actor for e in removed} == {user}
    assert type(user).objects.get(pk=user.pk).security_stamp != stamp


# --- Reading the trail ----------------------------------------------------------------------


def test_dpo_reads_the_events_of_their_cell_only(world: World) -> None:
    record(world, action="EVENT_OF_CELL_A", cell=world.cell_a)
    record(world, action="EVENT_OF_CELL_B", cell=world.cell_b)
    response = ready_client(world.dpo).get(reverse("audit:events"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "EVENT_OF_CELL_A" in page
    assert "EVENT_OF_CELL_B" not in page
    assert {event.cell_id for event in response.context["page"]} == {world.cell_a.pk}


def test_audit_rows_partial_for_htmx(world: World) -> None:
    record(world, action="EVENT_OF_CELL_A")
    response = ready_client(world.dpo).get(reverse("audit:events"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "EVENT_OF_CELL_A" in page
    assert "<html" not in page


@pytest.mark.parametrize(
    "who",
    [
        "chair",
        "coordinator",
        "information_officer",
        "partner1",
        "strategic",
        "cell_admin",
        "member_b",
    ],
)
def test_others_get_404_on_the_audit_log(world: World, who: str) -> None:
    assert ready_client(getattr(world, who)).get(reverse("audit:events")).status_code == 404


def test_dpo_of_cell_b_does_not_see_cell_a(world: World) -> None:
    from casus.access.models import Role
    from tests.factories import MembershipFactory, UserFactory

    dpo_b = UserFactory(full_name="Dpo B")
    MembershipFactory(user=dpo_b, cell=world.cell_b, role=Role.DPO)
    record(world, action="EVENT_OF_CELL_A", cell=world.cell_a)
    response = ready_client(dpo_b).get(reverse("audit:events"))
    assert response.status_code == 200
    assert "EVENT_OF_CELL_A" not in response.content.decode()
