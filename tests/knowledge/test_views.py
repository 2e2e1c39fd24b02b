"""Pages of the knowledge base: readers in any cell or none, editors who write."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from casus.knowledge.models import FicheStatus, PracticeFiche
from tests.conftest import World, ready_client
from tests.factories import UserFactory

from .factories import editor, fiche

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Peer mentoring",
    "summary": "Mentors for young people.",
    "body": "Line one.\n\nLine two <script>alert(1)</script>",
    "language": "en",
    "domain": "training",
    "levels": ["primary", "tertiary"],
    "themes_text": "mentoring, youth",
    "province": "namur",
    "published_on": "2025-02-03",
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def author():  # type: ignore[no-untyped-def]
    return editor()


def test_cell_members_and_people_without_a_cell_read_published_fiches(world: World, author) -> None:  # type: ignore[no-untyped-def]
    published = fiche(author, title="Open practice")
    draft = fiche(author, title="Unfinished practice", publish=False)
    regional = UserFactory(is_regional_support=True)
    for user in (world.partner1, world.strategic, world.member_b, regional):
        client = ready_client(user)
        page = client.get(reverse("knowledge:list")).content.decode()
        assert "Open practice" in page and "Unfinished practice" not in page
        assert client.get(reverse("knowledge:detail", args=[published.pk])).status_code == 200
        assert client.get(reverse("knowledge:detail", args=[draft.pk])).status_code == 404
        assert client.get(reverse("knowledge:edit", args=[published.pk])).status_code == 404
        assert client.get(reverse("knowledge:new")).status_code == 404


def test_logged_out_visitors_are_sent_to_the_login_page(author) -> None:  # type: ignore[no-untyped-def]
    published = fiche(author)
    response = Client().get(reverse("knowledge:detail", args=[published.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_list_searches_and_filters_and_htmx_gets_the_results_only(author) -> None:  # type: ignore[no-untyped-def]
    fiche(author, title="Sport clubs", province="limburg")
    fiche(author, title="Schools", province="namur")
    client = ready_client(UserFactory())
    page = client.get(reverse("knowledge:list"), {"q": "sport"}).content.decode()
    assert "Sport clubs" in page and "Schools" not in page
    page = client.get(reverse("knowledge:list"), {"province": "namur"}).content.decode()
    assert "Schools" in page and "Sport clubs" not in page
    partial = client.get(
        reverse("knowledge:list"), {"q": "schools"}, headers={"HX-Request": "true"}
    )
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="fiche-results">')
    assert "Schools" in body and "<html" not in body


def test_the_list_page_runs_a_fixed_number_of_queries(
    author, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for n in range(25):
        fiche(author, title=f"Practice {n}", themes=["theme"])
    client = ready_client(UserFactory())
    client.get(reverse("knowledge:list"))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("knowledge:list"), {"q": "practice"}).status_code == 200


def test_an_editor_writes_publishes_and_the_body_stays_plain_text(author) -> None:  # type: ignore[no-untyped-def]
    client = ready_client(author)
    response = client.post(reverse("knowledge:new"), FORM)
    assert response.status_code == 302
    created = PracticeFiche.objects.get()
    assert created.status == FicheStatus.DRAFT
    assert created.levels == ["primary", "tertiary"]
    page = client.get(reverse("knowledge:detail", args=[created.pk])).content.decode()
    assert "<p>Line one.</p>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    response = client.post(reverse("knowledge:publish", args=[created.pk]), {"version": 1})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.status == FicheStatus.PUBLISHED
    reader = ready_client(UserFactory())
    assert reader.get(reverse("knowledge:detail", args=[created.pk])).status_code == 200
    client.post(reverse("knowledge:unpublish", args=[created.pk]), {"version": 2})
    assert reader.get(reverse("knowledge:detail", args=[created.pk])).status_code == 404


def test_an_incomplete_fiche_shows_errors_and_saves_nothing(author) -> None:  # type: ignore[no-untyped-def]
    client = ready_client(author)
    response = client.post(reverse("knowledge:new"), {**FORM, "levels": [], "title": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose at least one prevention level." in page
    assert "Mentors for young people." in page  # the input is kept
    assert not PracticeFiche.objects.exists()


def test_a_stale_edit_shows_both_versions_and_keeps_the_input(author) -> None:  # type: ignore[no-untyped-def]
    created = fiche(author, title="Original")
    url = reverse("knowledge:edit", args=[created.pk])
    first, second = ready_client(author), ready_client(UserFactory(is_knowledge_editor=True))
    version = created.version
    assert first.post(url, {**FORM, "title": "First", "version": version}).status_code == 302
    response = second.post(url, {**FORM, "title": "Second", "version": version})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this fiche meanwhile" in page
    assert "First" in page and 'value="Second"' in page
    assert f'name="version" value="{version + 1}"' in page  # saving again is now possible
    created.refresh_from_db()
    assert created.title == "First"


def test_an_editor_links_and_unlinks_a_translation(author) -> None:  # type: ignore[no-untyped-def]
    dutch = fiche(author, title="Nederlandse fiche", language="nl")
    french = fiche(author, title="Fiche française", language="fr")
    client = ready_client(author)
    url = reverse("knowledge:translation", args=[dutch.pk])
    assert "Fiche française" in client.get(url).content.decode()
    assert client.post(url, {"other": dutch.pk}).status_code == 400  # not a candidate
    assert client.post(url, {"other": french.pk}).status_code == 302
    reader = ready_client(UserFactory())
    page = reader.get(reverse("knowledge:detail", args=[french.pk])).content.decode()
    assert "Nederlandse fiche" in page
    client.post(reverse("knowledge:translation_unlink", args=[dutch.pk]))
    page = reader.get(reverse("knowledge:detail", args=[french.pk])).content.decode()
    assert "Nederlandse fiche" not in page


def test_publish_with_a_broken_version_changes_nothing(author) -> None:  # type: ignore[no-untyped-def]
    draft = fiche(author, publish=False)
    client = ready_client(author)
    for version in ("abc", "0", "99"):
        response = client.post(reverse("knowledge:publish", args=[draft.pk]), {"version": version})
        assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == FicheStatus.DRAFT
