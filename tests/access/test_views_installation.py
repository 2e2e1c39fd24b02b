"""Installation pages: what the cross-cell URL test does not cover."""

import pytest
from django.urls import reverse

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
