"""The installation administrator's regional bodies page: one URL, ids in the POST data."""

import pytest
from django.urls import reverse

from casus.audit.models import AuditEvent
from casus.core.exceptions import Forbidden, RuleViolation
from casus.monitoring import services
from casus.monitoring.models import RegionalBody, RegionalSupporter
from tests.conftest import World, mark_reauthenticated, ready_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("regional_bodies:index")


def _client(user):  # type: ignore[no-untyped-def]
    return mark_reauthenticated(ready_client(user), user)


def test_everyone_but_installation_administrators_gets_404(world: World) -> None:
    people = [
        world.chair,
        world.coordinator,
        world.strategic,
        world.cell_admin,
        world.member_b,
        UserFactory(is_regional_support=True),
        UserFactory(is_knowledge_editor=True),
    ]
    for user in people:
        client = _client(user)
        assert client.get(URL).status_code == 404, user
        assert client.post(URL, {"op": "create", "name": "Hijacked"}).status_code == 404, user
    assert not RegionalBody.objects.exists()
    assert _client(world.installation_admin).get(URL).status_code == 200


def test_create_appoint_remove_each_audited(world: World) -> None:
    admin = _client(world.installation_admin)
    assert admin.post(URL, {"op": "create", "name": "Streek"}).status_code == 302
    body = RegionalBody.objects.get(name="Streek")
    supporter = UserFactory(email="steun@example.be", is_regional_support=True)
    assert (
        admin.post(URL, {"op": "appoint", "body": body.pk, "email": "steun@example.be"}).status_code
        == 302
    )
    row = RegionalSupporter.objects.get(body=body, user=supporter)
    assert admin.post(URL, {"op": "remove", "supporter": row.pk}).status_code == 302
    row.refresh_from_db()
    assert row.removed_at is not None
    actions = list(
        AuditEvent.objects.filter(action__startswith="REGIONAL_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "REGIONAL_BODY_CREATED",
        "REGIONAL_SUPPORTER_APPOINTED",
        "REGIONAL_SUPPORTER_REMOVED",
    ]


def test_refusals_are_form_errors(world: World) -> None:
    admin = _client(world.installation_admin)
    body = services.regional_body_create(actor=world.installation_admin, name="Streek")
    UserFactory(email="plain@example.be")
    response = admin.post(URL, {"op": "appoint", "body": body.pk, "email": "plain@example.be"})
    assert response.status_code == 400
    assert "No active regional support account" in response.content.decode()
    response = admin.post(URL, {"op": "create", "name": "streek"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert admin.post(URL, {"op": "remove", "supporter": 999}).status_code == 400
    assert admin.post(URL, {"op": "bogus"}).status_code == 400
    assert AuditEvent.objects.filter(action__startswith="REGIONAL_").count() == 1


def test_services_refuse_everyone_else(world: World) -> None:
    with pytest.raises(Forbidden):
        services.regional_body_create(actor=world.chair, name="X")
    body = services.regional_body_create(actor=world.installation_admin, name="X")
    supporter = UserFactory(is_regional_support=True)
    with pytest.raises(Forbidden):
        services.regional_supporter_appoint(actor=supporter, body=body, email=supporter.email)
    row = services.regional_supporter_appoint(
        actor=world.installation_admin, body=body, email=supporter.email
    )
    with pytest.raises(RuleViolation):
        services.regional_supporter_appoint(
            actor=world.installation_admin, body=body, email=supporter.email
        )
    with pytest.raises(Forbidden):
        services.regional_supporter_remove(actor=supporter, supporter=row)
    with pytest.raises(RuleViolation):
        services.regional_body_create(actor=world.installation_admin, name="  ")
