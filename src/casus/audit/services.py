"""The only way to write the audit trail."""

from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from .models import AuditEvent

if TYPE_CHECKING:
    from casus.access.models import Cell, User


def audit_record(
    *,
    actor: "User | None",
    action: str,
    cell: "Cell | None" = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it records.

    ``data`` holds codes, ids and field names only — never case content.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the change's transaction")
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        cell=cell,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
