"""Selectors and search: who sees which fiche, and what a query finds, on either backend."""

from datetime import date

import pytest
from django.http import Http404

from casus.knowledge import services
from casus.knowledge.selectors import (
    FicheFilters,
    fiche_get_for,
    fiche_get_for_edit,
    fiche_search,
    fiche_translations_for,
    theme_list_for,
    translation_candidates_for,
)
from tests.factories import UserFactory

from .factories import editor, fiche

pytestmark = pytest.mark.django_db


def _titles(actor, query: str = "", **filters: str) -> list[str]:  # type: ignore[no-untyped-def]
    found = fiche_search(actor=actor, query=query, filters=FicheFilters(**filters))
    return [each.title for each in found]


@pytest.fixture
def author():  # type: ignore[no-untyped-def]
    return editor()


@pytest.fixture
def reader():  # type: ignore[no-untyped-def]
    return UserFactory()


def test_readers_see_published_fiches_only_editors_see_drafts(author, reader) -> None:  # type: ignore[no-untyped-def]
    published = fiche(author, title="Published")
    draft = fiche(author, title="Draft", publish=False)
    assert _titles(reader) == ["Published"]
    assert sorted(_titles(author)) == ["Draft", "Published"]
    assert _titles(reader, "draft") == []
    assert _titles(author, status="draft") == ["Draft"]
    assert _titles(reader, status="draft") == ["Published"]  # the filter is for editors only
    assert fiche_get_for(actor=reader, pk=published.pk) == published
    with pytest.raises(Http404):
        fiche_get_for(actor=reader, pk=draft.pk)
    with pytest.raises(Http404):
        fiche_get_for(actor=reader, pk=999_999)
    assert fiche_get_for(actor=author, pk=draft.pk) == draft


def test_only_editors_open_a_fiche_for_editing(author, reader) -> None:  # type: ignore[no-untyped-def]
    published = fiche(author)
    assert fiche_get_for_edit(actor=author, pk=published.pk) == published
    with pytest.raises(Http404):
        fiche_get_for_edit(actor=reader, pk=published.pk)
    with pytest.raises(Http404):
        translation_candidates_for(actor=reader, fiche=published)


def test_without_a_query_the_newest_publication_comes_first(author, reader) -> None:  # type: ignore[no-untyped-def]
    fiche(author, title="Old", published_on=date(2020, 1, 1))
    fiche(author, title="New", published_on=date(2025, 1, 1))
    fiche(author, title="Middle", published_on=date(2023, 1, 1))
    assert _titles(reader) == ["New", "Middle", "Old"]
    assert _titles(reader, "   ") == ["New", "Middle", "Old"]


def test_search_ignores_case_and_accents(author, reader) -> None:  # type: ignore[no-untyped-def]
    fiche(author, title="Prévention à l'école", language="fr", body="Un atelier.")
    fiche(author, title="Autre chose", language="fr", body="Rien à voir.")
    for query in ("prévention", "PREVENTION", "prevention", "École", "ecole"):
        assert _titles(reader, query) == ["Prévention à l'école"], query


def test_search_stems_plural_singular_and_verb_forms(author, reader) -> None:  # type: ignore[no-untyped-def]
    fiche(author, title="Radicalisering in scholen", language="nl", body="Jongeren praten.")
    fiche(author, title="Les jeunes radicalisés", language="fr", body="Un suivi.")
    fiche(author, title="Something else", language="en", body="Gardening.")
    assert _titles(reader, "school") == ["Radicalisering in scholen"]
    assert _titles(reader, "radicaliseren jongere") == ["Radicalisering in scholen"]
    assert _titles(reader, "radicalisation") == ["Les jeunes radicalisés"]
    assert _titles(reader, "jeune") == ["Les jeunes radicalisés"]


def test_the_title_weighs_more_than_the_body(author, reader) -> None:  # type: ignore[no-untyped-def]
    fiche(author, title="Parents", body="A line about mentoring.", published_on=date(2025, 2, 1))
    fiche(author, title="Mentoring", body="A line about parents.", published_on=date(2020, 1, 1))
    assert _titles(reader, "mentoring") == ["Mentoring", "Parents"]
    assert _titles(reader, "parents") == ["Parents", "Mentoring"]


def test_websearch_syntax_phrases_or_and_exclusion(author, reader) -> None:  # type: ignore[no-untyped-def]
    fiche(author, title="Sport clubs", body="Coaches meet young people.")
    fiche(author, title="Young coaches", body="Clubs for sport.")
    fiche(author, title="Schools", body="Teachers meet parents.")
    assert _titles(reader, '"sport clubs"') == ["Sport clubs"]
    assert sorted(_titles(reader, "teachers OR coaches")) == [
        "Schools",
        "Sport clubs",
        "Young coaches",
    ]
    assert _titles(reader, "sport -young") == []
    assert sorted(_titles(reader, "meet -parents")) == ["Sport clubs"]
    assert _titles(reader, "-sport") == []  # nothing to look for: nothing found


def test_filters_combine_with_the_query(author, reader) -> None:  # type: ignore[no-untyped-def]
    fiche(
        author,
        title="Online training Antwerp",
        body="online",
        province="antwerp",
        domain="training",
        levels=["secondary"],
        themes=["online"],
        language="en",
    )
    fiche(
        author,
        title="Online awareness Liège",
        body="online",
        province="liege",
        domain="awareness",
        levels=["primary"],
        themes=["Online", "schools"],
        language="en",
    )
    assert len(_titles(reader, "online")) == 2
    assert _titles(reader, "online", province="liege") == ["Online awareness Liège"]
    assert _titles(reader, "online", domain="training") == ["Online training Antwerp"]
    assert _titles(reader, "online", level="primary") == ["Online awareness Liège"]
    assert _titles(reader, "", theme="schools") == ["Online awareness Liège"]
    assert len(_titles(reader, "", theme="online")) == 2
    assert _titles(reader, "online", language="nl") == []
    assert _titles(reader, "online", province="antwerp", level="primary") == []


def test_each_fiche_is_searched_in_its_own_language(author, reader) -> None:  # type: ignore[no-untyped-def]
    # "de" and "en" are stop words in Dutch and French, not in English text.
    fiche(author, title="Samen en anders", language="nl", body="Een project.")
    assert _titles(reader, "en") == []
    assert _titles(reader, "anders") == ["Samen en anders"]


def test_the_index_follows_every_edit(author, reader) -> None:  # type: ignore[no-untyped-def]
    created = fiche(author, title="Before", body="old words", themes=["alpha"])
    services.fiche_update(
        actor=author,
        fiche=created,
        version=created.version,
        title="After",
        summary=created.summary,
        body="new words",
        language="en",
        domain="training",
        levels=["primary"],
        themes=["beta"],
        published_on=created.published_on,
    )
    assert _titles(reader, "before") == []
    assert _titles(reader, "old") == []
    assert _titles(reader, "after new beta") == ["After"]


def test_translations_hide_drafts_from_readers(author, reader) -> None:  # type: ignore[no-untyped-def]
    nl = fiche(author, title="nl", language="nl")
    fr = fiche(author, title="fr", language="fr")
    de = fiche(author, title="de", language="de", publish=False)
    services.fiche_translation_link(actor=author, fiche=nl, other=fr)
    services.fiche_translation_link(actor=author, fiche=nl, other=de)
    nl.refresh_from_db()
    assert [f.title for f in fiche_translations_for(actor=reader, fiche=nl)] == ["fr"]
    assert [f.title for f in fiche_translations_for(actor=author, fiche=nl)] == ["de", "fr"]
    lonely = fiche(author, title="en", language="en")
    assert fiche_translations_for(actor=reader, fiche=lonely) == []
    candidates = translation_candidates_for(actor=author, fiche=nl)
    assert [f.title for f in candidates] == ["en"]


def test_themes_listed_are_those_of_visible_fiches(author, reader) -> None:  # type: ignore[no-untyped-def]
    fiche(author, title="Published", themes=["open"])
    fiche(author, title="Draft", themes=["hidden"], publish=False)
    assert [t.key for t in theme_list_for(actor=reader)] == ["open"]
    assert [t.key for t in theme_list_for(actor=author)] == ["hidden", "open"]
