import pytest
from django.urls import reverse

from casus.access import services
from casus.access.models import Membership, RequestKind, RequestStatus, Role
from casus.audit.models import AuditEvent

from ..conftest import ready_client

pytestmark = pytest.mark.django_db


def _end_chair_request(world):
    chair = world.membership(world.chair)
    return services.membership_request_create(
        actor=world.cell_admin, cell=world.cell_a, kind=RequestKind.END, membership=chair
    )


def test_installation_admin_decides_a_chair_seat_nobody_else_can(world):
    request = _end_chair_request(world)
    client = ready_client(world.installation_admin)
    page = client.get(reverse("installation:cell", args=[world.cell_a.pk]))
    assert page.status_code == 200
    assert request.full_name in page.content.decode()
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("installation:decide_chair_request", args=[request.pk]),
        {"decision": "approve", "note": ""},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert not Membership.objects.current().filter(cell=world.cell_a, role=Role.CHAIR).exists()
    assert AuditEvent.objects.count() == before + 1


def test_chair_request_page_is_404_for_everyone_else(world):
    request = _end_chair_request(world)
    for user in (world.chair, world.cell_admin, world.member_b):
        client = ready_client(user)
        url = reverse("installation:decide_chair_request", args=[request.pk])
        assert client.post(url, {"decision": "approve"}).status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
