"""Hostile input to the editors' forms and the list filters: never a 500, a clear form error,
nothing half-written. (The social map's URLs are installation-wide, so the project-wide
hostile-input walk, which covers cell URLs, does not reach them.)"""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casus.access.models import User
from casus.core.exceptions import RuleViolation
from casus.socialmap import services
from casus.socialmap.forms import ContactPointForm, OfferFilterForm, OfferForm
from casus.socialmap.models import ContactPoint, Offer, OfferTag
from casus.socialmap.selectors import offer_list_for
from tests.conftest import mark_reauthenticated, ready_client
from tests.factories import UserFactory

from .helpers import make_offer

pytestmark = pytest.mark.django_db

HOSTILE = [
    "x" * 100_000,
    "\x00\x01\x02\x1b[31m\u202e",
    "<script>alert('casus')</script>",
    "' OR 1=1; --",
    "%",
    "_",
    "\\",
    "\ud7ff\ufffd",
    "",
    " ",
    "-1",
    "99999999999999999999",
]
values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.lists(st.text(max_size=20), max_size=4),
)
OFFER_FIELDS = [*OfferForm.base_fields, "page", "unknown"]
POINT_FIELDS = [*ContactPointForm.base_fields, "unknown"]
FILTER_FIELDS = [*OfferFilterForm.base_fields, "page"]
settings_ = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
    max_examples=40,
)


@pytest.fixture
def editor_client(editor: User) -> Client:
    return mark_reauthenticated(ready_client(editor), editor)


@settings_
@given(data=st.dictionaries(st.sampled_from(OFFER_FIELDS), values, max_size=len(OFFER_FIELDS)))
def test_any_offer_form_input_is_a_form_error_or_a_saved_offer(
    editor: User, data: dict[str, Any]
) -> None:
    form = OfferForm(data)
    if not form.is_valid():
        assert form.errors  # a message per problem, never an exception
        return
    before = Offer.objects.count()
    try:
        services.offer_create(actor=editor, values=form.values())
    except RuleViolation as refusal:
        assert refusal.message
        assert Offer.objects.count() == before
    else:
        assert Offer.objects.count() == before + 1


@settings_
@given(data=st.dictionaries(st.sampled_from(POINT_FIELDS), values, max_size=len(POINT_FIELDS)))
def test_any_contact_point_form_input_is_a_form_error_or_a_saved_point(
    editor: User, data: dict[str, Any]
) -> None:
    form = ContactPointForm(data)
    if not form.is_valid():
        assert form.errors
        return
    try:
        services.contact_point_create(actor=editor, values=form.values())
    except RuleViolation as refusal:
        assert refusal.message


@settings_
@given(data=st.dictionaries(st.sampled_from(OFFER_FIELDS), values, max_size=6))
def test_hostile_posts_to_the_editor_pages_never_fail(
    editor_client: Client, editor: User, data: dict[str, Any]
) -> None:
    offer = Offer.objects.first() or make_offer(editor)
    for url in (
        reverse("socialmap:offer_new"),
        reverse("socialmap:offer_edit", args=[offer.pk]),
        reverse("socialmap:offer_publish", args=[offer.pk]),
    ):
        tags = OfferTag.objects.count()
        response = editor_client.post(url, data)
        assert response.status_code in (200, 302, 400), (url, data)
        if response.status_code == 400:
            assert 'role="alert"' in response.content.decode() or "errorlist" in (
                response.content.decode()
            )
            assert OfferTag.objects.count() == tags  # nothing half-written


@settings_
@given(data=st.dictionaries(st.sampled_from(POINT_FIELDS), values, max_size=6))
def test_hostile_posts_to_the_contact_point_pages_never_fail(
    editor_client: Client, data: dict[str, Any]
) -> None:
    for url in (reverse("socialmap:contact_point_new"),):
        before = ContactPoint.objects.count()
        response = editor_client.post(url, data)
        assert response.status_code in (200, 302, 400), (url, data)
        if response.status_code == 400:
            assert ContactPoint.objects.count() == before


@settings_
@given(params=st.dictionaries(st.sampled_from(FILTER_FIELDS), values, max_size=6))
def test_any_filter_is_answered(editor: User, params: dict[str, Any]) -> None:
    for actor in (editor, UserFactory.build(pk=None)):
        form = OfferFilterForm(params, editor=actor is editor)
        list(offer_list_for(actor=actor, filters=form.filters()))


def test_hostile_filter_parameters_on_both_lists(editor: User) -> None:
    make_offer(editor)
    client = mark_reauthenticated(ready_client(editor), editor)
    reader = ready_client(UserFactory())
    for value in HOSTILE:
        for name in ("socialmap:offers", "socialmap:contact_points"):
            for who in (client, reader):
                params = dict.fromkeys(("q", "sector", "province", "age_group", "page"), value)
                response = who.get(reverse(name), {**params, "status": value})
                assert response.status_code == 200, (name, value)


def test_a_stored_script_is_served_escaped(editor: User) -> None:
    make_offer(editor, name="<script>alert('casus')</script>")
    page = ready_client(UserFactory()).get(reverse("socialmap:offers")).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;" in page
