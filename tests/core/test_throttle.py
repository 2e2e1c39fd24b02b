import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db
RIGHT = "correct horse battery"


def _cached_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM casus_cache")
        return int(cursor.fetchone()[0])


def test_login_throttle_is_kept_in_the_shared_database_cache(world, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert settings.CACHES["default"]["BACKEND"].endswith("db.DatabaseCache")
    cache.clear()
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": world.partner1.email, "password": "wrong pw!!"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    assert _cached_rows() > 0  # the counters live in the database, shared by every worker
    # Now even the right password is refused for this account until the window passes.
    response = client.post(url, {"login": world.partner1.email, "password": RIGHT})
    assert "_auth_user_id" not in client.session
    assert "too many" in response.content.decode().lower()
    # Another worker process sees the same counters: simulate it by dropping local state.
    cache.close()
    response = client.post(url, {"login": world.partner1.email, "password": RIGHT})
    assert "_auth_user_id" not in client.session
