"""The search index of practice fiches on each backend (ADR 0029).

PostgreSQL: a GIN index on the stored tsvector (not declared in Meta: a GinIndex there would
break the SQLite schema). SQLite: an FTS5 table of stemmed text, one row per fiche (rowid = the
fiche's id), with accents folded by the unicode61 tokenizer as well. Each backend skips the
other's operation; both are reversible.
"""

from django.db import migrations

FTS_TABLE = "knowledge_fiche_fts"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX knowledge_fiche_search ON knowledge_practicefiche "
            "USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "lang, a, b, c, tokenize = 'unicode61 remove_diacritics 2')"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS knowledge_fiche_search")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
