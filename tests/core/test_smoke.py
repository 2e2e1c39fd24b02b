import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_renders(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_dashboard_for_signed_member(world, client_for):
    client = client_for(world.coordinator)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200, response
    assert world.cell_a.name in response.content.decode()
