"""Append-only in the database for the access log too; restore the audit trigger on SQLite.

SQLite rebuilds a table to add a column with a default (0003), which drops its triggers.
"""

from django.db import migrations

PG_UP = """
CREATE TRIGGER audit_accesslog_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;"
SQLITE_UP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
    BEGIN SELECT RAISE(ABORT, 'access log rows are append-only (UPDATE refused)'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_accesslog_no_update;"]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_access_log_change_values")]
    operations = [migrations.RunPython(up, down)]
