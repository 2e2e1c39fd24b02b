"""The only way to write the audit trail."""

from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from .models import AccessLog, AuditEvent

if TYPE_CHECKING:
    from casus.access.models import Cell, User


def audit_record(
    *,
    actor: "User | None",
    action: str,
    cell: "Cell | None" = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    case_id: int | None = None,
    values: dict[str, tuple[Any, Any]] | None = None,
) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it records.

    ``data`` holds codes, ids and field names only — never case content. ``values`` holds the
    old and new value of each changed field (the change log); its field names are copied into
    ``data["fields"]``, which is all the data-protection officer sees.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the change's transaction")
    data = dict(data or {})
    if values:
        data.setdefault("fields", sorted(values))
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        cell=cell,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
        case_id=case_id,
        values={name: [_plain(old), _plain(new)] for name, (old, new) in (values or {}).items()},
    )


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value (dates as ISO text, model rows as their id)."""
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def access_record(
    *,
    actor: "User",
    cell: "Cell",
    kind: str,
    case_id: int | None = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AccessLog:
    """Append one access-log row: a read of case data, a search or an export.

    Runs in its own atomic block so the row is written with the read it records; ``data``
    holds codes only (a search is logged by its keyed-hash token, never by the name).
    """
    with transaction.atomic():
        return AccessLog.objects.create(
            actor=actor,
            cell=cell,
            kind=kind,
            case_id=case_id,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            data=data or {},
        )
