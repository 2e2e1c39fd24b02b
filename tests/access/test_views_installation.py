"""Installation pages: what the cross-cell URL test does not cover."""

import pytest
from django.urls import reverse

from casus.access import services
from casus.access.models import Membership, RequestKind, RequestStatus, Role
from casus.audit.models import AuditEvent
from tests.conftest import World, ready_client
from tests.factories import enrol_totp

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        pytest.param("https://evil.example/", "/installation/", id="other-host"),
        pytest.param("//evil.example/", "/installation/", id="scheme-relative"),
        pytest.param("", "/installation/", id="none"),
        pytest.param("/installation/cells/1/", "/installation/cells/1/", id="same-site"),
    ],
)
def test_mfa_reset_returns_only_to_this_site(world: World, back: str, expected: str) -> None:
    enrol_totp(world.partner1)
    client = ready_client(world.installation_admin)
    response = client.post(
        reverse("installation:mfa_reset", kwargs={"pk": world.partner1.pk}), {"back": back}
    )
    assert response.status_code == 302
    assert response["Location"] == expected
    assert not world.partner1.authenticator_set.exists()  # type: ignore[attr-defined]


def test_mfa_reset_of_an_unknown_person_is_404(world: World) -> None:
    client = ready_client(world.installation_admin)
    response = client.post(reverse("installation:mfa_reset", kwargs={"pk": 999_999}))
    assert response.status_code == 404


def test_installation_admin_cannot_reset_their_own_factor(world: World) -> None:
    client = ready_client(world.installation_admin)
    response = client.post(
        reverse("installation:mfa_reset", kwargs={"pk": world.installation_admin.pk})
    )
    assert response.status_code == 302
    assert world.installation_admin.authenticator_set.exists()  # type: ignore[attr-defined]


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


def _cell_form(**extra):
    data = {
        "name": "LIVC-R Nieuwstad",
        "chair_name": "Nina Nieuw",
        "chair_email": "nina@nieuwstad.be",
        "admin_name": "Adam Admin",
        "admin_email": "adam@nieuwstad.be",
    }
    data.update(extra)
    return data


def test_installation_admin_creates_a_cell_with_new_municipalities(world):
    from casus.access.models import Cell, Municipality

    client = ready_client(world.installation_admin)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("installation:cells"),
        _cell_form(new_municipalities="44021 Gent\n\n44084 Merelbeke-Melle"),
    )
    assert response.status_code == 302
    cell = Cell.objects.get(name="LIVC-R Nieuwstad")
    assert sorted(cell.municipalities.values_list("nis_code", flat=True)) == ["44021", "44084"]
    assert Municipality.objects.filter(nis_code="44021", name="Gent").exists()
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize(
    ("lines", "field"),
    [("", "municipalities"), ("Gent", "new_municipalities"), ("4402 Gent", "new_municipalities")],
)
def test_cell_creation_refuses_bad_municipality_lines(world, lines, field):
    from casus.access.models import Cell

    client = ready_client(world.installation_admin)
    response = client.post(reverse("installation:cells"), _cell_form(new_municipalities=lines))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Cell.objects.filter(name="LIVC-R Nieuwstad").exists()


def test_a_nis_code_cannot_change_its_name(world):
    from casus.access.models import Cell, Municipality

    Municipality.objects.create(nis_code="44021", name="Gent")
    client = ready_client(world.installation_admin)
    response = client.post(
        reverse("installation:cells"), _cell_form(new_municipalities="44021 Antwerpen")
    )
    assert response.status_code == 200
    assert "NIS code 44021 belongs to Gent." in response.content.decode()
    assert not Cell.objects.filter(name="LIVC-R Nieuwstad").exists()
