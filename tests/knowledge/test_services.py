"""Services of the knowledge base: editors write, everyone else is refused, all is audited."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from casus.audit.models import AuditEvent
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from casus.knowledge import services
from casus.knowledge.models import FicheStatus, PracticeFiche, Theme
from tests.conftest import World
from tests.factories import UserFactory

from .factories import editor, fiche

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def _fields(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Buddy project",
        "summary": "Young people coach each other.",
        "body": "First paragraph.\n\nSecond paragraph.",
        "language": "en",
        "domain": "prevention_project",
        "levels": ["primary", "secondary"],
        "themes": ["Youth", "schools"],
        "municipality": "Exampleton",
        "institution": "Youth service",
        "province": "antwerp",
        "contact": "An Example, an@example.be",
        "source_url": "https://example.be/buddy",
        "published_on": date(2025, 5, 1),
    }
    values.update(overrides)
    return values


def _everyone_but_editors(world: World) -> list:  # type: ignore[type-arg]
    return [
        world.chair,
        world.coordinator,
        world.information_officer,
        world.partner1,
        world.strategic,
        world.dpo,
        world.cell_admin,
        world.member_b,
        world.installation_admin,
        UserFactory(is_regional_support=True),
    ]


# --- create ---------------------------------------------------------------------------------


def test_an_editor_creates_a_draft_with_its_audit_row() -> None:
    author = editor()
    created = services.fiche_create(actor=author, **_fields())  # type: ignore[arg-type]
    assert created.status == FicheStatus.DRAFT
    assert created.levels == ["primary", "secondary"]
    assert sorted(t.name for t in created.themes.all()) == ["Youth", "schools"]
    assert (created.created_by, created.updated_by, created.version) == (author, author, 1)
    [event] = _events("KNOWLEDGE_FICHE_CREATED")
    assert (event.actor, event.cell, event.object_id) == (author, None, str(created.pk))
    assert event.data == {"language": "en", "domain": "prevention_project"}


def test_everyone_else_is_refused_and_nothing_is_written(world: World) -> None:
    for user in _everyone_but_editors(world):
        with pytest.raises(Forbidden):
            services.fiche_create(actor=user, **_fields())  # type: ignore[arg-type]
    assert not PracticeFiche.objects.exists()
    assert _events("KNOWLEDGE_FICHE_CREATED") == []


def test_a_deactivated_editor_is_refused() -> None:
    author = UserFactory(is_knowledge_editor=True, is_active=False)
    with pytest.raises(Forbidden):
        services.fiche_create(actor=author, **_fields())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"levels": []}, "prevention level"),
        ({"levels": ["quaternary"]}, "prevention level"),
        ({"title": "   "}, "Title: This field cannot be blank"),
        ({"language": "xx"}, "is not a valid choice"),
        ({"domain": "nonsense"}, "is not a valid choice"),
        ({"source_url": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"published_on": timezone.localdate() + timedelta(days=1)}, "future"),
        ({"themes": [f"theme {n}" for n in range(13)]}, "at most 12"),
        ({"themes": ["x" * 61]}, "under 60"),
        ({"body": "nul \x00 byte"}, "cannot be stored"),
    ],
)
def test_invalid_fiches_are_refused_with_a_message(overrides: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(RuleViolation, match=message):
        services.fiche_create(actor=editor(), **_fields(**overrides))  # type: ignore[arg-type]
    assert not PracticeFiche.objects.exists()


def test_themes_are_shared_and_deduplicated_ignoring_case_and_accents() -> None:
    author = editor()
    first = fiche(author, themes=["Écoles", "ecoles", " écoles ", ""])
    second = fiche(author, title="Other", themes=["ÉCOLES", "online"])
    assert [t.name for t in first.themes.all()] == ["Écoles"]
    assert Theme.objects.count() == 2
    assert set(second.themes.values_list("key", flat=True)) == {"ecoles", "online"}


# --- update -------------------------------------------------------------------------------


def _update(actor, target, version, **overrides):  # type: ignore[no-untyped-def]
    values = _fields(**overrides)
    return services.fiche_update(actor=actor, fiche=target, version=version, **values)  # type: ignore[arg-type]


def test_an_editor_updates_a_fiche_with_the_changed_field_names_audited() -> None:
    author, other_editor = editor(), UserFactory(is_knowledge_editor=True)
    created = services.fiche_create(actor=author, **_fields())  # type: ignore[arg-type]
    updated = _update(other_editor, created, 1, title="Buddy project 2", themes=["online"])
    assert (updated.title, updated.version, updated.updated_by) == (
        "Buddy project 2",
        2,
        other_editor,
    )
    [event] = _events("KNOWLEDGE_FICHE_UPDATED")
    assert event.actor == other_editor
    assert event.data == {"fields": ["themes", "title"], "version": 2}


def test_saving_without_a_change_writes_nothing() -> None:
    author = editor()
    created = services.fiche_create(actor=author, **_fields())  # type: ignore[arg-type]
    again = _update(author, created, 1)
    assert again.version == 1
    assert _events("KNOWLEDGE_FICHE_UPDATED") == []


def test_an_edit_on_a_stale_version_overwrites_nothing() -> None:
    first, second = editor(), UserFactory(is_knowledge_editor=True)
    created = services.fiche_create(actor=first, **_fields())  # type: ignore[arg-type]
    _update(first, created, 1, title="First editor's title")
    with pytest.raises(EditConflict) as conflict:
        _update(second, created, 1, title="Second editor's title")
    assert conflict.value.current.title == "First editor's title"  # type: ignore[attr-defined]
    created.refresh_from_db()
    assert (created.title, created.version) == ("First editor's title", 2)
    assert len(_events("KNOWLEDGE_FICHE_UPDATED")) == 1


def test_update_is_refused_to_everyone_else(world: World) -> None:
    created = fiche(editor())
    for user in _everyone_but_editors(world):
        with pytest.raises(Forbidden):
            _update(user, created, created.version, title="Hijacked")
    created.refresh_from_db()
    assert created.title == "A practice"
    assert _events("KNOWLEDGE_FICHE_UPDATED") == []


# --- publish / unpublish -------------------------------------------------------------------


def test_publish_dates_an_undated_fiche_today_and_unpublish_takes_it_back() -> None:
    author = editor()
    draft = services.fiche_create(actor=author, **_fields(published_on=None))  # type: ignore[arg-type]
    published = services.fiche_publish(actor=author, fiche=draft, version=1)
    assert (published.status, published.published_on) == (
        FicheStatus.PUBLISHED,
        timezone.localdate(),
    )
    [event] = _events("KNOWLEDGE_FICHE_PUBLISHED")
    assert (event.actor, event.object_id, event.data) == (author, str(draft.pk), {"version": 2})
    back = services.fiche_unpublish(actor=author, fiche=published, version=2)
    assert back.status == FicheStatus.DRAFT
    assert back.published_on == timezone.localdate()  # kept for a later publication
    [event] = _events("KNOWLEDGE_FICHE_UNPUBLISHED")
    assert event.data == {"version": 3}


def test_publish_keeps_the_date_of_the_source() -> None:
    created = fiche(editor(), published_on=date(2021, 12, 22))
    assert created.published_on == date(2021, 12, 22)


def test_publish_and_unpublish_refuse_the_wrong_state_and_stale_versions() -> None:
    author = editor()
    published = fiche(author)
    with pytest.raises(RuleViolation, match="already published"):
        services.fiche_publish(actor=author, fiche=published)
    with pytest.raises(EditConflict):
        services.fiche_unpublish(actor=author, fiche=published, version=1)
    draft = fiche(author, title="Draft", publish=False)
    with pytest.raises(RuleViolation, match="not published"):
        services.fiche_unpublish(actor=author, fiche=draft)
    assert len(_events("KNOWLEDGE_FICHE_PUBLISHED")) == 1
    assert _events("KNOWLEDGE_FICHE_UNPUBLISHED") == []


def test_publish_and_unpublish_are_refused_to_everyone_else(world: World) -> None:
    author = editor()
    draft, published = fiche(author, publish=False), fiche(author, title="Published")
    for user in _everyone_but_editors(world):
        with pytest.raises(Forbidden):
            services.fiche_publish(actor=user, fiche=draft)
        with pytest.raises(Forbidden):
            services.fiche_unpublish(actor=user, fiche=published)
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (FicheStatus.DRAFT, FicheStatus.PUBLISHED)


# --- translations -------------------------------------------------------------------------


def _group(*fiches: PracticeFiche) -> set[object]:
    for each in fiches:
        each.refresh_from_db()
    return {each.translation_group for each in fiches}


def test_linking_reads_the_same_from_both_sides_and_is_audited() -> None:
    author = editor()
    dutch = fiche(author, title="Nederlands", language="nl")
    french = fiche(author, title="Français", language="fr")
    services.fiche_translation_link(actor=author, fiche=dutch, other=french)
    groups = _group(dutch, french)
    assert len(groups) == 1 and None not in groups
    assert (dutch.version, french.version) == (3, 3)
    events = _events("KNOWLEDGE_FICHE_UPDATED")
    assert sorted(e.object_id for e in events) == sorted([str(dutch.pk), str(french.pk)])
    assert all(e.data["fields"] == ["translations"] for e in events)


def test_linking_joins_both_groups_one_fiche_per_language() -> None:
    author = editor()
    nl, fr = fiche(author, title="nl", language="nl"), fiche(author, title="fr", language="fr")
    de, en = fiche(author, title="de", language="de"), fiche(author, title="en", language="en")
    services.fiche_translation_link(actor=author, fiche=nl, other=fr)
    services.fiche_translation_link(actor=author, fiche=de, other=en)
    services.fiche_translation_link(actor=author, fiche=en, other=nl)
    assert len(_group(nl, fr, de, en)) == 1
    second_french = fiche(author, title="fr 2", language="fr")
    with pytest.raises(RuleViolation, match="two translations in French"):
        services.fiche_translation_link(actor=author, fiche=second_french, other=de)
    assert _group(second_french) == {None}


def test_linking_refuses_itself_an_existing_link_and_the_same_language() -> None:
    author = editor()
    nl, fr = fiche(author, title="nl", language="nl"), fiche(author, title="fr", language="fr")
    other_nl = fiche(author, title="nl 2", language="nl")
    with pytest.raises(RuleViolation, match="its own translation"):
        services.fiche_translation_link(actor=author, fiche=nl, other=nl)
    with pytest.raises(RuleViolation, match="two translations"):
        services.fiche_translation_link(actor=author, fiche=nl, other=other_nl)
    services.fiche_translation_link(actor=author, fiche=nl, other=fr)
    with pytest.raises(RuleViolation, match="already linked"):
        services.fiche_translation_link(actor=author, fiche=fr, other=nl)


def test_unlinking_leaves_no_fiche_alone_in_a_group() -> None:
    author = editor()
    nl, fr = fiche(author, title="nl", language="nl"), fiche(author, title="fr", language="fr")
    de = fiche(author, title="de", language="de")
    services.fiche_translation_link(actor=author, fiche=nl, other=fr)
    services.fiche_translation_link(actor=author, fiche=nl, other=de)
    services.fiche_translation_unlink(actor=author, fiche=de)
    assert _group(de) == {None}
    assert len(_group(nl, fr)) == 1 and _group(nl) != {None}
    services.fiche_translation_unlink(actor=author, fiche=nl)
    assert _group(nl, fr) == {None}  # the French fiche has no translation left either
    with pytest.raises(RuleViolation, match="not linked"):
        services.fiche_translation_unlink(actor=author, fiche=nl)


def test_a_language_change_cannot_make_two_translations_in_one_language() -> None:
    author = editor()
    nl, fr = fiche(author, title="nl", language="nl"), fiche(author, title="fr", language="fr")
    services.fiche_translation_link(actor=author, fiche=nl, other=fr)
    nl.refresh_from_db()
    with pytest.raises(RuleViolation, match="two translations"):
        _update(author, nl, nl.version, title="nl", language="fr")
    nl.refresh_from_db()
    assert nl.language == "nl"


def test_translation_links_are_refused_to_everyone_else(world: World) -> None:
    author = editor()
    nl, fr = fiche(author, title="nl", language="nl"), fiche(author, title="fr", language="fr")
    for user in _everyone_but_editors(world):
        with pytest.raises(Forbidden):
            services.fiche_translation_link(actor=user, fiche=nl, other=fr)
        with pytest.raises(Forbidden):
            services.fiche_translation_unlink(actor=user, fiche=nl)
    assert _group(nl, fr) == {None}
    assert _events("KNOWLEDGE_FICHE_UPDATED") == []
