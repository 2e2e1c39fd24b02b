"""Hostile and malformed input to every page that takes input: never a server error.

Every classified cell URL (see ``test_cross_cell_urls``) is sent, by a role that may use it,
oversized text, control characters, SQL and script fragments, wrong types and lists where one
value is expected, in each of its form fields and in the query string; then Hypothesis posts
random values (any Unicode, numbers, dates, lists) to random subsets of the fields its form
really has. The answer may be the
page with errors, a redirect or a 404, but never a 500; a script that was stored is never
served back unescaped.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import make_world, mark_reauthenticated

from . import test_cross_cell_urls
from .test_cross_cell_urls import (
    CLASSIFICATION,
    CellPage,
    Cells,
    ObjectUrl,
    _url,
    _value,
)

pytestmark = pytest.mark.django_db


class _ModuleSettings:
    """Settings overridden for the whole module (pytest-django's ``settings`` is per test)."""

    def __init__(self) -> None:
        self.overrides: list[override_settings] = []

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "overrides":
            object.__setattr__(self, name, value)
            return
        override = override_settings(**{name: value})
        override.enable()
        self.overrides.append(override)

    def restore(self) -> None:
        for override in reversed(self.overrides):
            override.disable()


@pytest.fixture(scope="module")
def _shared_cells(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cells]:
    """The cross-cell test's two cells, built once for the module.

    Building them takes seconds (more on PostgreSQL); every test here only needs them as they
    were. They are built in a transaction that is rolled back when the module ends, and each
    test runs in a savepoint inside it (pytest-django's ``db``), rolled back after the test, so
    each test still starts from the same cells. Everyone logs in here, once.
    """
    settings = _ModuleSettings()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build = test_cross_cell_urls.cells.__wrapped__  # the fixture's own function
            cells: Cells = build(make_world(), settings, tmp_path_factory.mktemp("hostile"))
            for users in cells.users.values():
                for user in users.values():
                    cells.client(user)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.restore()
            raise
    yield cells
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    settings.restore()


@pytest.fixture
def cells_fixture(_shared_cells: Cells, db: None) -> Cells:
    """The shared cells, in this test's savepoint."""
    return _shared_cells


SCRIPT = "<script>alert('casus')</script>"
HOSTILE: list[Any] = [
    "x" * 100_000,
    "\x00\x01\x02\x1b[31m\u202e",
    SCRIPT,
    "' OR 1=1; DROP TABLE cases_case; --",
    "99999999999999999999999",
    ["2025-13-45", "NaN"],
]
#: Field names that many forms share, tried on every URL besides the URL's own fields.
COMMON_FIELDS = ("version", "days")
#: Query-string parameters that list and log pages read.
QUERY_FIELDS = ("page", "days", "reference", "status", "export", "person")


def _client(cells: Cells, role: Any) -> Client:
    user = cells.users["a"][role]
    client = cells.client(user)
    # Still logged in: an earlier test's rolled-back session change must not have logged the
    # client out (every answer would then be a redirect to the login page).
    assert client.session.get("_auth_user_id") == str(user.pk), (role, "logged out")
    return mark_reauthenticated(client, user)


def _posts() -> list[str]:
    return [
        name
        for name, spec in CLASSIFICATION.items()
        if (isinstance(spec, ObjectUrl) and not spec.get_only)
        or (isinstance(spec, CellPage) and spec.post_only)
    ]


def _gets() -> list[str]:
    return [
        name
        for name, spec in CLASSIFICATION.items()
        if isinstance(spec, (ObjectUrl, CellPage)) and not getattr(spec, "post_only", False)
    ]


def _target(cells: Cells, name: str) -> tuple[str, Any, dict[str, Any]]:
    from django.urls import reverse

    spec = CLASSIFICATION[name]
    role = sorted(spec.roles)[0]  # type: ignore[union-attr]
    if isinstance(spec, ObjectUrl):
        url = _url(cells, name, spec, "a")
        base = {key: _value(cells, "a", value) for key, value in spec.data.items()}
    else:
        url, base = reverse(name), {}
    return url, role, base


@pytest.mark.parametrize("name", _posts())
def test_hostile_posts_never_break_a_page(cells_fixture: Cells, name: str) -> None:
    cells = cells_fixture
    url, role, base = _target(cells, name)
    client = _client(cells, role)
    for field in (*base, *COMMON_FIELDS):
        for value in HOSTILE:
            response = client.post(url, {**base, field: value})
            assert response.status_code < 500, (name, field, repr(value)[:40])
            if response.status_code == 200 and not response.streaming:
                assert SCRIPT.encode() not in response.content, (name, field)


@pytest.mark.parametrize("name", _gets())
def test_hostile_query_strings_never_break_a_page(cells_fixture: Cells, name: str) -> None:
    cells = cells_fixture
    url, role, _base = _target(cells, name)
    client = _client(cells, role)
    for field in QUERY_FIELDS:
        for value in HOSTILE:
            response = client.get(url, {field: value})
            assert response.status_code < 500, (name, field, repr(value)[:40])
            if response.status_code == 200 and not response.streaming:
                assert SCRIPT.encode() not in response.content, (name, field)


#: Random values: any text (control characters, other scripts), numbers, dates, several values.
RANDOM_VALUE = st.one_of(
    st.text(max_size=400),
    st.integers().map(str),
    st.dates().map(str),
    st.sampled_from(HOSTILE),
    st.lists(st.text(max_size=40), min_size=2, max_size=3),
)
_FIELDS_SEEN: dict[str, list[str]] = {}
_FIELD = re.compile(rb'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def _form_fields(client: Client, url: str) -> list[str]:
    """The names of the fields the page's forms have (none for a POST-only action)."""
    response = client.get(url)
    if response.status_code != 200 or response.streaming:
        return []
    names = {name.decode() for name in _FIELD.findall(response.content)}
    return sorted(names - {"csrfmiddlewaretoken"})


@pytest.mark.parametrize("name", _posts())
@hypothesis_settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_posts_never_break_a_page(cells_fixture: Cells, name: str, data: Any) -> None:
    cells = cells_fixture
    url, role, base = _target(cells, name)
    client = _client(cells, role)
    # Read once per URL: an earlier example may have changed the page (a case closed).
    if name not in _FIELDS_SEEN:
        _FIELDS_SEEN[name] = sorted({*base, *COMMON_FIELDS, *_form_fields(client, url)})
    fields = _FIELDS_SEEN[name]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    payload = {**base, **{field: data.draw(RANDOM_VALUE) for field in chosen}}
    response = client.post(url, payload)
    assert response.status_code < 500, (name, sorted(payload))
