"""One hash chain per cell, signed day heads, change-log values sealed under per-case keys.

Existing rows are linked in the order they were written (time, then id) and their values are
sealed; the append-only triggers are lifted for that and put back at the end (SQLite drops a
table's triggers whenever it rebuilds the table).
"""

import json

import django.utils.timezone
from django.db import migrations, models

PG_DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
"""
PG_CREATE = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_accesslog_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_dayseal_append_only
    BEFORE UPDATE OR DELETE ON audit_dayseal
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS audit_dayseal_append_only ON audit_dayseal;"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_accesslog_no_update;",
]
SQLITE_CREATE = [
    *SQLITE_DROP,
    "DROP TRIGGER IF EXISTS audit_dayseal_no_update;",
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
    BEGIN SELECT RAISE(ABORT, 'access log rows are append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER audit_dayseal_no_update BEFORE UPDATE ON audit_dayseal
    BEGIN SELECT RAISE(ABORT, 'day seals are append-only (UPDATE refused)'); END;""",
]


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def remove_seal_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)


def link_existing(apps, schema_editor):
    """Seal old values and link every existing row into its cell's chain, oldest first."""
    from casus.audit.chain import chain_of, content, genesis, link_hash, normalise
    from casus.privacy import crypto, keys

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AccessLog = apps.get_model("audit", "AccessLog")
    ChainHead = apps.get_model("audit", "ChainHead")
    Cell = apps.get_model("access", "Cell")
    for cell_id in Cell.objects.values_list("pk", flat=True):
        keys.cell_key_create(cell_id)

    rows = [("event", row) for row in AuditEvent.objects.order_by("at", "id")]
    rows += [("access", row) for row in AccessLog.objects.order_by("at", "id")]
    rows.sort(key=lambda item: (item[1].at, item[0], item[1].pk))
    heads: dict[int, tuple[int, str]] = {}
    for table, row in rows:
        chain = chain_of(row.cell_id)
        seq, previous = heads.get(chain, (0, genesis(chain)))
        row.chain, row.seq, row.data = chain, seq + 1, normalise(row.data)
        fields = {
            "chain": row.chain,
            "seq": row.seq,
            "at": row.at,
            "cell_id": row.cell_id,
            "actor_id": row.actor_id,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "data": row.data,
            "case_id": row.case_id,
        }
        if table == "event":
            if row.object_type == "cases.signal" and row.case_id is None:
                row.signal_id = int(row.object_id)
            if row.values and row.cell_id is not None:
                text = json.dumps(row.values, sort_keys=True)
                if row.case_id is not None:
                    kind, ref_id = "case", row.case_id
                elif row.signal_id is not None:
                    kind, ref_id = "signal", row.signal_id
                else:
                    kind, ref_id = "cell", row.cell_id
                row.values_sealed = crypto.subject_encrypt(
                    text, cell_id=row.cell_id, kind=kind, ref_id=ref_id, purpose="audit.values"
                )
            fields.update(
                action=row.action, signal_id=row.signal_id, values_sealed=row.values_sealed
            )
        else:
            fields["kind"] = row.kind
        row.hash = link_hash(previous, content(table, fields))
        row.save()
        heads[chain] = (row.seq, row.hash)
    for chain, (seq, hash_) in heads.items():
        ChainHead.objects.create(chain=chain, seq=seq, hash=hash_)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("audit", "0005_access_kind_register"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("chain", models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "chain head", "verbose_name_plural": "chain heads"},
        ),
        migrations.CreateModel(
            name="DaySeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("chain", models.PositiveBigIntegerField()),
                ("day", models.DateField()),
                ("seq", models.PositiveBigIntegerField()),
                ("hash", models.CharField(max_length=64)),
                ("key_id", models.CharField(max_length=16)),
                ("signature", models.CharField(max_length=128)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "day seal",
                "verbose_name_plural": "day seals",
                "ordering": ["chain", "day"],
                "constraints": [
                    models.UniqueConstraint(fields=("chain", "day"), name="audit_day_seal_unique")
                ],
            },
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, default=""),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="signal_id",
            field=models.PositiveBigIntegerField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="values_sealed",
            field=models.TextField(blank=True, editable=False, default=""),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="chain",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="hash",
            field=models.CharField(editable=False, max_length=64, default=""),
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="auditevent", name="values"),
        migrations.AlterField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="values_sealed",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="chain",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_event_chain_seq"
            ),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_access_chain_seq"
            ),
        ),
        migrations.RunPython(create_triggers, remove_seal_triggers),
    ]
