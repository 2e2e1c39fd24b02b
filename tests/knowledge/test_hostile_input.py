"""Hostile input to the search and to the editors' forms: never a 500, never an exception.

The search query reaches FTS5 (SQLite) only as quoted stems and PostgreSQL only through
``websearch_to_tsquery``; any Unicode, FTS operators and very long strings must be harmless
on both backends.
"""

from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casus.knowledge import search
from casus.knowledge.models import PracticeFiche
from casus.knowledge.selectors import FicheFilters, fiche_search
from tests.conftest import ready_client
from tests.factories import UserFactory

from .factories import editor, fiche

pytestmark = pytest.mark.django_db

FTS_SYNTAX = [
    '"',
    "*",
    "NEAR(",
    "NEAR",
    "(",
    ")",
    "-",
    "OR",
    "AND",
    "NOT",
    "^",
    ":",
    "{",
    "}",
    "+",
    "!",
    "&",
    "|",
    "<->",
    "'",
    "\\",
    "lang",
    "a",
    "b",
    "c",
    " ",
    "é",
    "\x00",
]
queries = st.one_of(
    st.text(),
    st.lists(st.sampled_from(FTS_SYNTAX), max_size=30).map("".join),
    st.lists(st.sampled_from([*FTS_SYNTAX, "school", "prevention"]), max_size=20).map(" ".join),
    st.text(min_size=150, max_size=5000),
)
HOSTILE = [
    "x" * 100_000,
    "\x00\x01\x02\x1b[31m\u202e",
    "<script>alert('casus')</script>",
    "' OR 1=1; --",
    '"unclosed',
    "NEAR(a b, 2)",
    "lang : nl",
    "{a b c} : x",
    "a:*",
    "-",
    "--",
    '""',
    "OR",
    "* OR *",
    "\ud7ff\ufffd",
]
settings_ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    author = editor()
    fiche(author, title="School prevention", body="Prevention in schools.")
    fiche(author, title="Preventie op school", language="nl", body="Op school.")
    return author, UserFactory()


@settings_
@given(query=queries)
def test_any_query_is_searched_without_an_exception(people, query: str) -> None:  # type: ignore[no-untyped-def]
    for actor in people:
        list(fiche_search(actor=actor, query=query, filters=FicheFilters()))


def test_known_hostile_queries(people) -> None:  # type: ignore[no-untyped-def]
    for query in HOSTILE:
        list(fiche_search(actor=people[1], query=query))
    expression = search.fts_expression('NEAR( "a" OR b* ^c: {x}')
    assert expression is not None and "NEAR" not in expression and "*" not in expression


@settings_
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["q", "province", "domain", "level", "theme", "language", "status", "page"]
        ),
        st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE)),
    )
)
def test_the_list_never_fails_on_hostile_parameters(people, params: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    client = ready_client(people[0])
    response = client.get(reverse("knowledge:list"), params)
    assert response.status_code == 200


def test_an_overlong_query_is_a_form_error() -> None:
    client = ready_client(UserFactory())
    response = client.get(reverse("knowledge:list"), {"q": "x" * 100_000, "language": "zz"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


FIELDS = [
    "title",
    "summary",
    "body",
    "language",
    "domain",
    "province",
    "municipality",
    "institution",
    "contact",
    "source_url",
    "published_on",
    "levels",
    "themes_text",
    "version",
]
values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.sampled_from(["2025-13-45", "NaN", "0", "-1", "9999-12-31", "primary", "nl"]),
    st.lists(st.text(max_size=20), max_size=3),
)


@settings_
@given(data=st.dictionaries(st.sampled_from(FIELDS), values))
def test_the_editor_forms_never_fail_on_hostile_input(people, data: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    author = people[0]
    client = ready_client(author)
    before = PracticeFiche.objects.count()
    response = client.post(reverse("knowledge:new"), data)
    assert response.status_code in (200, 302, 400)  # 200: an empty POST shows the form
    if response.status_code == 400:
        assert PracticeFiche.objects.count() == before  # refused: nothing written
    target = PracticeFiche.objects.order_by("pk").first()
    assert target is not None
    response = client.post(reverse("knowledge:edit", args=[target.pk]), data)
    assert response.status_code in (200, 302, 400)  # 200: an empty POST shows the form
    response = client.post(
        reverse("knowledge:translation", args=[target.pk]), {"other": data.get("title", "")}
    )
    assert response.status_code in (200, 302, 400)  # 200: an empty POST shows the form
    for name in ("publish", "unpublish"):
        response = client.post(reverse(f"knowledge:{name}", args=[target.pk]), data)
        assert response.status_code == 302


def test_a_hostile_fiche_is_stored_and_shown_escaped(people) -> None:  # type: ignore[no-untyped-def]
    author = people[0]
    client = ready_client(author)
    script = "<script>alert('casus')</script>"
    response = client.post(
        reverse("knowledge:new"),
        {
            "title": script,
            "summary": script,
            "body": script,
            "language": "en",
            "domain": "training",
            "levels": ["primary"],
            "themes_text": script[:50],
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert script not in page
    assert "&lt;script&gt;" in page
