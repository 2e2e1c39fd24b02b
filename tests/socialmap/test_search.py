"""The social map's free-text search ignores case and accents, the same way on SQLite and
PostgreSQL and the same way as the knowledge base: the services keep a folded copy of the
searchable fields (``search_text``) and every folded query word must appear in it."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casus.access.models import User
from casus.knowledge.search import fold
from casus.socialmap import services
from casus.socialmap.models import ContactPoint, Offer
from casus.socialmap.selectors import (
    ContactPointFilters,
    OfferFilters,
    contact_point_list_for,
    offer_list_for,
)

from .helpers import contact_point_values, make_contact_point, make_offer, offer_values

pytestmark = pytest.mark.django_db

migration = importlib.import_module("casus.socialmap.migrations.0002_search_text")


def _offers(actor: User, q: str) -> set[str]:
    return {offer.name for offer in offer_list_for(actor=actor, filters=OfferFilters(q=q))}


def _points(actor: User, q: str) -> set[str]:
    filters = ContactPointFilters(q=q)
    return {point.organisation for point in contact_point_list_for(actor=actor, filters=filters)}


@pytest.fixture
def school(editor: User) -> Offer:
    make_offer(editor, name="Sportclub", description="Voetbal en basket.")
    return make_offer(
        editor,
        name="École des devoirs",
        organisation="Asbl Réussite",
        description="Aide aux devoirs après l'école.",
    )


@pytest.mark.parametrize(
    "q", ["école", "ecole", "ÉCOLE", "Ecole", "ECOLE", "eCoLe", "  école  ", "e\u0301cole"]
)
def test_case_and_accents_do_not_matter(editor: User, school: Offer, q: str) -> None:
    assert _offers(editor, q) == {"École des devoirs"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ecole devoirs", {"École des devoirs"}),
        ("ecole reussite", {"École des devoirs"}),  # two fields, one word each
        ("ecole voetbal", set()),  # every word must appear
        ("reussite", {"École des devoirs"}),
        ("après", {"École des devoirs"}),
        ("apres", {"École des devoirs"}),
        ("", {"École des devoirs", "Sportclub"}),
        ("   ", {"École des devoirs", "Sportclub"}),
    ],
)
def test_every_word_must_match(editor: User, school: Offer, q: str, expected: set[str]) -> None:
    assert _offers(editor, q) == expected


@pytest.mark.parametrize("q", ["coördinatie", "coordinatie", "COÖRDINATIE", "Coordinatie"])
def test_a_dutch_diacritic(editor: User, q: str) -> None:
    make_offer(editor, name="Zorgcoördinatie", description="Coördinatie van de hulp.")
    make_offer(editor, name="Andere")
    make_contact_point(editor, organisation="Stad Gent", function="Coördinator preventie")
    make_contact_point(editor, organisation="Stad Brugge")
    assert _offers(editor, q) == {"Zorgcoördinatie"}
    assert _points(editor, q[:-3]) == {"Stad Gent"}  # "coördinat": a word's beginning


@pytest.mark.parametrize(
    "field", ["organisation", "function", "contact_name", "municipalities", "notes"]
)
def test_every_contact_point_field_is_searched(editor: User, field: str) -> None:
    make_contact_point(editor, organisation="Other")
    mine = make_contact_point(editor, **{field: "Liège Çuş Straße"})
    for q in ("liege", "LIÈGE", "çuş", "CUS", "strasse", "straße", "liege cus strasse"):
        filters = ContactPointFilters(q=q)
        found = contact_point_list_for(actor=editor, filters=filters)
        assert [point.pk for point in found] == [mine.pk], q


@pytest.mark.parametrize(
    "field", ["name", "organisation", "description", "target_group", "municipalities"]
)
def test_every_offer_field_is_searched(editor: User, field: str) -> None:
    make_offer(editor, name="Other")
    mine = make_offer(editor, **{field: "Liège Çuş"})
    found = offer_list_for(actor=editor, filters=OfferFilters(q="liege cus"))
    assert [offer.pk for offer in found] == [mine.pk]


def test_like_wildcards_are_literal(editor: User) -> None:
    make_offer(editor, name="Hundred", description="Tout à 100% gratuit, réf. A_1.")
    make_offer(editor, name="Other", description="Tout à 1000 euros, réf. AB1.")
    assert _offers(editor, "100%") == {"Hundred"}
    assert _offers(editor, "a_1") == {"Hundred"}
    assert _offers(editor, "%") == {"Hundred"}
    assert _offers(editor, "_") == {"Hundred"}


def test_an_update_refolds_and_a_status_change_keeps_the_text(editor: User) -> None:
    offer = make_offer(editor, name="Café")
    assert offer.search_text.startswith("cafe\n")
    offer = services.offer_update(
        actor=editor, offer=offer, values=offer_values(name="Théâtre"), version=offer.version
    )
    assert _offers(editor, "theatre") == {"Théâtre"}
    assert _offers(editor, "cafe") == set()
    offer = services.offer_archive(actor=editor, offer=offer, version=offer.version)
    assert offer.search_text == services.search_text(offer)

    point = make_contact_point(editor, organisation="Hôpital")
    point = services.contact_point_update(
        actor=editor,
        point=point,
        values=contact_point_values(organisation="Kliniek", notes="Spoedgevallen ’s nachts"),
        version=point.version,
    )
    assert _points(editor, "HOPITAL") == set()
    assert _points(editor, "kliniek nachts") == {"Kliniek"}


def test_a_stale_fold_is_refreshed_by_the_next_save_without_a_new_version(editor: User) -> None:
    offer = make_offer(editor, name="École")
    point = make_contact_point(editor, organisation="École")
    Offer.objects.update(search_text="")
    ContactPoint.objects.update(search_text="")
    same = services.offer_update(
        actor=editor, offer=offer, values=offer_values(name="École"), version=offer.version
    )
    assert same.version == offer.version
    services.contact_point_update(
        actor=editor,
        point=point,
        values=contact_point_values(organisation="École"),
        version=point.version,
    )
    assert _offers(editor, "ecole") == {"École"}
    assert _points(editor, "ecole") == {"École"}
    assert ContactPoint.objects.get().version == point.version


HOSTILE = [
    "\x00",
    "a\x00b",
    "%",
    "_",
    "%_%",
    "\\",
    "\\%",
    "'",
    '"',
    "' OR 1=1; --",
    "\ud800",
    "\udfff école",
    "\u202e\u200b\ufeff",
    "e\u0301" * 1000,
    "ﬁ ß İ",
    "x" * 100_000,
    "école " * 10_000,
]


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
    max_examples=60,
)
@given(q=st.one_of(st.text(), st.text(min_size=500, max_size=5000), st.sampled_from(HOSTILE)))
def test_any_query_is_answered(editor: User, q: str) -> None:
    if not Offer.objects.exists():
        make_offer(editor, name="École des devoirs")
        make_contact_point(editor, organisation="École")
    offers = _offers(editor, q)
    points = _points(editor, q)
    assert offers <= {"École des devoirs"}
    assert points <= {"École"}


# --- The migration that folds the rows written before ----------------------------------------


def test_the_migration_folds_existing_rows_like_the_services(editor: User) -> None:
    make_offer(editor, name="École des devoirs", municipalities="Liège, Seraing")
    make_contact_point(editor, organisation="Coördinatiepunt", notes="Straße\tnachts")
    expected = {
        model: [services.search_text(e) for e in model.objects.all()]
        for model in (Offer, ContactPoint)
    }
    Offer.objects.update(search_text="")
    ContactPoint.objects.update(search_text="")

    migration.fill_search_text(apps, SimpleNamespace(connection=connection))

    for model, texts in expected.items():
        assert [entry.search_text for entry in model.objects.all()] == texts
    assert _offers(editor, "ecole liege") == {"École des devoirs"}


def test_the_migration_is_reversible() -> None:
    assert all(operation.reversible for operation in migration.Migration.operations)


def test_the_migration_folds_with_the_fields_and_the_rule_of_today() -> None:
    """If the searched fields or the folding change, existing rows need a new migration."""
    assert migration.SEARCH_FIELDS == {
        "Offer": Offer.SEARCH_FIELDS,
        "ContactPoint": ContactPoint.SEARCH_FIELDS,
    }


@given(text=st.text())
def test_the_migrations_fold_is_the_knowledge_fold(text: str) -> None:
    assert migration._fold(text) == fold(text)
