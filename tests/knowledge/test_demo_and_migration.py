"""The demo fiches load once, and the search index migration undoes itself on each backend."""

import importlib
from collections import Counter

import pytest
from django.db import connection

from casus.demo.knowledge import FICHES, load
from casus.knowledge.models import FicheStatus, PracticeFiche
from casus.knowledge.search import FTS_TABLE

from .factories import editor

pytestmark = pytest.mark.django_db

migration = importlib.import_module("casus.knowledge.migrations.0002_search_index")


def test_the_demo_loads_published_fiches_in_both_languages_once() -> None:
    author = editor()
    first = load(author)
    assert len(first) == len(FICHES) >= 14
    languages = Counter(f.language for f in first)
    assert languages["nl"] >= 7 and languages["fr"] >= 7
    assert {f.status for f in first} == {FicheStatus.PUBLISHED}
    assert len({f.province for f in first}) >= 6
    assert len({f.domain for f in first}) >= 6
    assert all(f.levels for f in first)
    linked = PracticeFiche.objects.exclude(translation_group=None)
    assert linked.count() == 2 * sum(1 for spec in FICHES if spec.translation_of)
    assert all("@" in f.contact and ".example.be" in f.contact for f in first)
    again = load(author)
    assert [f.pk for f in again] == [f.pk for f in first]
    assert PracticeFiche.objects.count() == len(FICHES)


class _Editor:
    """Just enough of a schema editor for the RunPython functions."""

    def __init__(self) -> None:
        self.connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _exists() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'knowledge_fiche_search'"
            )
        return cursor.fetchone()[0] == 1


def test_the_search_index_migration_is_reversible() -> None:
    assert _exists()
    migration.drop(None, _Editor())
    assert not _exists()
    migration.create(None, _Editor())
    assert _exists()
