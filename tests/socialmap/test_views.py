"""The social-map pages: everyone logged in reads what is published (with or without a cell),
drafts and archived entries are the editors' alone, the filters work without JavaScript, and
the editors' forms keep the input on every refusal."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casus.access.models import User
from casus.audit.models import AuditEvent
from casus.socialmap import services
from casus.socialmap.models import ContactPoint, Offer, Status
from tests.conftest import World, mark_reauthenticated, ready_client

from .helpers import make_contact_point, make_offer, offer_values

pytestmark = pytest.mark.django_db

READERS = ["chair", "coordinator", "partner1", "strategic", "dpo", "cell_admin", "member_b"]


def _client(user: User) -> Client:
    return mark_reauthenticated(ready_client(user), user)


def _names(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# --- Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*READERS, "installation_admin", "regional"])
def test_everyone_logged_in_reads_published_entries(
    world: World, editor: User, regional: User, who: str
) -> None:
    offer = make_offer(editor, name="Published offer")
    point = make_contact_point(editor, organisation="Published point")
    make_offer(editor, name="Draft offer", status=Status.DRAFT)
    make_offer(editor, name="Archived offer", status=Status.ARCHIVED)
    make_contact_point(editor, organisation="Draft point", status=Status.DRAFT)
    client = _client(regional if who == "regional" else getattr(world, who))
    page = _names(client.get(reverse("socialmap:offers")))
    assert "Published offer" in page
    assert "Draft offer" not in page
    assert "Archived offer" not in page
    assert "Add an offer" not in page
    detail = client.get(reverse("socialmap:offer", args=[offer.pk]))
    assert detail.status_code == 200
    assert "caw.example.be" in _names(detail)
    assert reverse("socialmap:offer_edit", args=[offer.pk]) not in _names(detail)
    points = _names(client.get(reverse("socialmap:contact_points")))
    assert "Published point" in points
    assert "Draft point" not in points
    assert client.get(reverse("socialmap:contact_point", args=[point.pk])).status_code == 200


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_drafts_and_archived_entries_are_404_for_everyone_but_editors(
    world: World, editor: User, status: str
) -> None:
    offer = make_offer(editor, status=status)
    point = make_contact_point(editor, status=status)
    urls = [
        reverse("socialmap:offer", args=[offer.pk]),
        reverse("socialmap:contact_point", args=[point.pk]),
    ]
    for url in urls:
        assert _client(world.coordinator).get(url).status_code == 404
        assert _client(world.installation_admin).get(url).status_code == 404
        assert _client(editor).get(url).status_code == 200


def test_the_editor_sees_every_status_and_filters_by_it(editor: User) -> None:
    make_offer(editor, name="Published offer")
    make_offer(editor, name="Draft offer", status=Status.DRAFT)
    client = _client(editor)
    page = _names(client.get(reverse("socialmap:offers")))
    assert "Published offer" in page and "Draft offer" in page
    assert "Add an offer" in page
    drafts = _names(client.get(reverse("socialmap:offers"), {"status": "draft"}))
    assert "Draft offer" in drafts and "Published offer" not in drafts


def test_a_non_editor_cannot_ask_for_drafts(world: World, editor: User) -> None:
    make_offer(editor, name="Draft offer", status=Status.DRAFT)
    page = _names(_client(world.coordinator).get(reverse("socialmap:offers"), {"status": "draft"}))
    assert "Draft offer" not in page


def test_logged_out_visitors_are_sent_to_the_login(editor: User) -> None:
    offer = make_offer(editor)
    for url in (reverse("socialmap:offers"), reverse("socialmap:offer", args=[offer.pk])):
        response = Client().get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def catalogue(editor: User) -> dict[str, Offer]:
    return {
        "antwerp": make_offer(
            editor,
            name="Alpha",
            provinces=("antwerp",),
            sector="youth_work",
            age_groups=("children",),
            languages=("nl",),
        ),
        "national": make_offer(
            editor,
            name="Bravo",
            provinces=("national",),
            sector="mental_health",
            age_groups=("adults",),
            languages=("fr",),
            description="Consultations for radicalised adults.",
        ),
        "liege": make_offer(
            editor,
            name="Charlie",
            provinces=("liege",),
            sector="youth_work",
            age_groups=("adolescents",),
            languages=("fr", "ar"),
            target_group="Jeunes en décrochage",
        ),
    }


def _listed(client: Client, **params: str) -> set[str]:
    response = client.get(reverse("socialmap:offers"), params)
    assert response.status_code == 200
    page = _names(response)
    return {name for name in ("Alpha", "Bravo", "Charlie") if f">{name}</a>" in page}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Alpha", "Bravo", "Charlie"}),
        ({"sector": "youth_work"}, {"Alpha", "Charlie"}),
        # An offer for all of Belgium serves every province.
        ({"province": "antwerp"}, {"Alpha", "Bravo"}),
        ({"province": "national"}, {"Bravo"}),
        ({"age_group": "adolescents"}, {"Charlie"}),
        ({"language": "fr"}, {"Bravo", "Charlie"}),
        ({"q": "RADICALISED"}, {"Bravo"}),
        ({"q": "décrochage jeunes"}, {"Charlie"}),
        ({"q": "charlie décrochage"}, {"Charlie"}),
        ({"q": "nowhere"}, set()),
        ({"sector": "youth_work", "language": "ar"}, {"Charlie"}),
        # An unknown value is reported and ignored; the other filters still apply.
        ({"sector": "astrology", "language": "nl"}, {"Alpha"}),
    ],
)
def test_offer_filters(
    world: World, catalogue: dict[str, Offer], params: dict[str, str], expected: set[str]
) -> None:
    assert _listed(_client(world.partner1), **params) == expected


def test_an_unknown_filter_value_is_reported(world: World, catalogue: dict[str, Offer]) -> None:
    page = _names(_client(world.partner1).get(reverse("socialmap:offers"), {"sector": "x"}))
    assert "Select a valid choice" in page


def test_contact_point_filters(world: World, editor: User) -> None:
    make_contact_point(editor, organisation="Rail police", province="national")
    make_contact_point(
        editor, organisation="Hospital X", sector="hospitals", province="namur", notes="Nights"
    )
    client = _client(world.partner1)

    def listed(**params: str) -> set[str]:
        page = _names(client.get(reverse("socialmap:contact_points"), params))
        return {name for name in ("Rail police", "Hospital X") if f">{name}</a>" in page}

    assert listed() == {"Rail police", "Hospital X"}
    assert listed(sector="hospitals") == {"Hospital X"}
    assert listed(province="namur") == {"Rail police", "Hospital X"}
    assert listed(province="limburg") == {"Rail police"}
    assert listed(q="nights") == {"Hospital X"}


def test_the_list_costs_a_fixed_number_of_queries(world: World, editor: User) -> None:
    client = _client(world.partner1)
    make_offer(editor, name="One")
    client.get(reverse("socialmap:offers"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("socialmap:offers"))
    for n in range(5):
        make_offer(editor, name=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("socialmap:offers"))
    assert len(many) == len(few)


def test_htmx_gets_only_the_results(world: World, catalogue: dict[str, Offer]) -> None:
    response = _client(world.partner1).get(
        reverse("socialmap:offers"), {"sector": "youth_work"}, headers={"HX-Request": "true"}
    )
    page = _names(response)
    assert page.lstrip().startswith('<div id="offer-results">')
    assert "Alpha" in page and "Bravo" not in page


# --- The editor's forms ---------------------------------------------------------------------

OFFER_FORM = {
    "name": "Mentoring",
    "organisation": "Vzw Mentor",
    "sector": "youth_work",
    "description": "One mentor per young person.",
    "provinces": ["antwerp", "limburg"],
    "age_groups": ["adolescents"],
    "languages": ["nl"],
    "email": "mentor@example.be",
}


def test_the_editor_adds_an_offer_as_a_draft_then_publishes_it(editor: User) -> None:
    client = _client(editor)
    response = client.post(reverse("socialmap:offer_new"), OFFER_FORM)
    offer = Offer.objects.get(name="Mentoring")
    assert response.status_code == 302
    assert response["Location"] == reverse("socialmap:offer", args=[offer.pk])
    assert offer.status == Status.DRAFT
    assert offer.codes("province") == ["antwerp", "limburg"]
    response = client.post(reverse("socialmap:offer_publish", args=[offer.pk]), {"version": 1})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Status.PUBLISHED


def test_the_edit_form_shows_the_stored_values(editor: User) -> None:
    offer = make_offer(editor, provinces=("limburg",))
    page = _names(_client(editor).get(reverse("socialmap:offer_edit", args=[offer.pk])))
    assert 'value="Individual coaching"' in page
    assert 'value="limburg" ' in page and "checked" in page
    assert 'name="version" value="2"' in page


def test_an_edit_conflict_keeps_the_input_and_shows_the_stored_version(editor: User) -> None:
    offer = make_offer(editor)
    services.offer_update(
        actor=editor, offer=offer, values=offer_values(name="Stored meanwhile"), version=2
    )
    data = {**OFFER_FORM, "name": "My unsaved name", "version": 2}
    response = _client(editor).post(reverse("socialmap:offer_edit", args=[offer.pk]), data)
    assert response.status_code == 400
    page = _names(response)
    assert "Someone else changed this meanwhile" in page
    assert 'value="My unsaved name"' in page  # the input is kept
    assert "Stored meanwhile" in page  # next to the stored version
    assert 'name="version" value="3"' in page  # saving again now goes over version 3
    offer.refresh_from_db()
    assert offer.name == "Stored meanwhile"


def test_a_stale_publish_changes_nothing(editor: User) -> None:
    offer = make_offer(editor, status=Status.DRAFT)
    client = _client(editor)
    response = client.post(
        reverse("socialmap:offer_publish", args=[offer.pk]), {"version": 7}, follow=True
    )
    assert "Someone else changed this meanwhile" in _names(response)
    response = client.post(
        reverse("socialmap:offer_publish", args=[offer.pk]), {"version": "x"}, follow=True
    )
    assert "nothing changed" in _names(response)
    offer.refresh_from_db()
    assert offer.status == Status.DRAFT


def test_the_editor_adds_edits_and_archives_a_contact_point(editor: User) -> None:
    client = _client(editor)
    data = {
        "sector": "schools",
        "organisation": "School board",
        "function": "Contact radicalisation",
        "province": "hainaut",
        "email": "board@example.be",
    }
    assert client.post(reverse("socialmap:contact_point_new"), data).status_code == 302
    point = ContactPoint.objects.get(organisation="School board")
    response = client.post(
        reverse("socialmap:contact_point_edit", args=[point.pk]),
        {**data, "notes": "Mornings", "version": 1},
    )
    assert response.status_code == 302
    client.post(reverse("socialmap:contact_point_archive", args=[point.pk]), {"version": 2})
    point.refresh_from_db()
    assert (point.notes, point.status, point.version) == ("Mornings", Status.ARCHIVED, 3)


def test_a_form_without_any_contact_is_refused_with_a_message(editor: User) -> None:
    data = {**OFFER_FORM, "email": ""}
    response = _client(editor).post(reverse("socialmap:offer_new"), data)
    assert response.status_code == 400
    assert "one way to reach them" in _names(response)
    assert not Offer.objects.exists()


def test_editor_pages_are_404_for_everyone_else(world: World, editor: User) -> None:
    offer = make_offer(editor)
    point = make_contact_point(editor)
    client = _client(world.coordinator)
    client.get(reverse("core:dashboard"))  # the cell is chosen (and audited) on the first page
    before = AuditEvent.objects.count()
    for name, args in [
        ("socialmap:offer_new", []),
        ("socialmap:offer_edit", [offer.pk]),
        ("socialmap:contact_point_new", []),
        ("socialmap:contact_point_edit", [point.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    for name, args in [
        ("socialmap:offer_archive", [offer.pk]),
        ("socialmap:contact_point_archive", [point.pk]),
        ("socialmap:offer_edit", [offer.pk]),
    ]:
        assert (
            client.post(reverse(name, args=args), {**OFFER_FORM, "version": 2}).status_code == 404
        )
    assert AuditEvent.objects.count() == before
    offer.refresh_from_db()
    assert (offer.status, offer.name) == (Status.PUBLISHED, "Individual coaching")
    point.refresh_from_db()
    assert point.status == Status.PUBLISHED
