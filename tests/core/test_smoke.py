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


def test_not_found_page_is_ours_and_translated(world, client_for):
    """A refused or missing page answers 404 in the person's language, inside the layout."""
    world.partner2.language = "fr"
    world.partner2.save(update_fields=["language"])
    response = client_for(world.partner2).get("/cases/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Page introuvable" in page
    assert reverse("core:dashboard") in page


def test_server_error_page_renders_without_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "<h1>" in response.content.decode()
