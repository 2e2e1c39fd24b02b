"""Hostile and malformed input to every page that takes input: never a server error.

Every classified cell URL (see ``test_cross_cell_urls``) is sent, by a role that may use it,
oversized text, control characters, SQL and script fragments, wrong types and lists where one
value is expected, in each of its form fields and in the query string. The answer may be the
page with errors, a redirect or a 404, but never a 500; a script that was stored is never
served back unescaped.
"""

from typing import Any

import pytest
from django.test import Client

from tests.conftest import mark_reauthenticated

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

#: The two cells with one object of every kind, from the cross-cell test.
cells_fixture = test_cross_cell_urls.cells

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
    return mark_reauthenticated(cells.client(user), user)


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
