"""Attachment files are stored encrypted under their own key, kept sealed in the row: the files
stored before are encrypted in place (and written back in clear when reversed)."""

from typing import Any

from django.db import migrations

import casus.privacy.fields


def seal_files(apps: Any, schema_editor: Any) -> None:
    from casus.cases.attachments import attachment_path, seal_stored

    attachment = apps.get_model("cases", "Attachment")
    for row in attachment.objects.filter(file_key="").order_by("pk").iterator(chunk_size=200):
        if attachment_path(row.storage_name).exists():
            row.file_key = seal_stored(row.storage_name)
            row.save(update_fields=["file_key"])


def open_files(apps: Any, schema_editor: Any) -> None:
    from casus.cases.attachments import attachment_path, open_stored

    attachment = apps.get_model("cases", "Attachment")
    for row in attachment.objects.exclude(file_key="").order_by("pk").iterator(chunk_size=200):
        path = attachment_path(row.storage_name)
        if path.exists():
            with open_stored(row.storage_name, row.file_key) as handle:
                path.write_bytes(handle.read())
        row.file_key = ""
        row.save(update_fields=["file_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_handover_from_case_nullable"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="file_key",
            field=casus.privacy.fields.EncryptedCharField(
                blank=True, cell="case.cell_id", editable=False, max_length=64
            ),
        ),
        migrations.RunPython(seal_files, open_files),
    ]
