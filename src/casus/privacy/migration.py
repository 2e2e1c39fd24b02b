"""Data-migration helpers for fields that become encrypted (used by the apps' migrations)."""

from collections.abc import Callable
from typing import Any

from . import crypto, keys
from .fields import EncryptedMixin

MigrationFunc = Callable[[Any, Any], None]


def seal_existing(app_label: str, model_names: list[str]) -> MigrationFunc:
    """Return a RunPython function that seals the plain values already stored in the models."""

    def run(apps: Any, schema_editor: Any) -> None:
        for cell_id in apps.get_model("access", "Cell").objects.values_list("pk", flat=True):
            keys.cell_key_create(cell_id)
        for name in model_names:
            model = apps.get_model(app_label, name)
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedMixin)]
            for row in model.objects.order_by("pk").iterator(chunk_size=500):
                row.save(update_fields=fields)

    return run


def open_existing(app_label: str, model_names: list[str]) -> MigrationFunc:
    """Return a RunPython function that writes the values back in clear (reverse migration)."""

    def run(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        for name in model_names:
            model = apps.get_model(app_label, name)
            fields = [f for f in model._meta.fields if isinstance(f, EncryptedMixin)]
            table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                for field in fields:
                    column = connection.ops.quote_name(field.column)
                    # Identifiers come from the model's metadata, quoted; values are parameters.
                    cursor.execute(f"SELECT id, {column} FROM {table}")  # noqa: S608  # nosec B608
                    for pk, token in cursor.fetchall():
                        if crypto.is_sealed(token):
                            plain = crypto.decrypt_text(token, purpose=field.purpose)
                            cursor.execute(
                                f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608  # nosec B608
                                [plain, pk],
                            )

    return run
