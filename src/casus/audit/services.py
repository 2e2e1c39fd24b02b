"""The only way to write the audit trail."""

import json
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from casus.privacy import crypto
from casus.privacy.models import SubjectKind

from . import chain
from .models import VALUES_PURPOSE, AccessLog, AuditEvent

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
    signal_id: int | None = None,
    values: dict[str, tuple[Any, Any]] | None = None,
) -> AuditEvent:
    """Append one event to its cell's hash chain; call it inside the change's transaction.

    ``data`` holds codes, ids and field names only — never case content. ``values`` holds the
    old and new value of each changed field (the change log); its field names are copied into
    ``data["fields"]``, which is all the data-protection officer sees, and the values themselves
    are sealed under the case's own key (else the signal's, else the cell's records' key), so
    that destroying that key shreds them.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the change's transaction")
    data = dict(data or {})
    if values:
        data.setdefault("fields", sorted(values))
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        cell=cell,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
        case_id=case_id,
        signal_id=signal_id,
    )
    if values:
        if cell is None:
            raise ValueError("changed values belong to a cell")
        plain = {name: [_plain(old), _plain(new)] for name, (old, new) in values.items()}
        event.values_sealed = _seal_values(
            plain, cell_id=cell.pk, case_id=case_id, signal_id=signal_id
        )
    chain.append(event)
    return event


def _seal_values(
    plain: dict[str, list[Any]], *, cell_id: int, case_id: int | None, signal_id: int | None
) -> str:
    """Seal under a subject key, never the cell key itself: log rows cannot be re-sealed when
    the cell key rotates (their hashes cover the ciphertext), subject keys can be re-wrapped."""
    if case_id is not None:
        kind, ref_id = SubjectKind.CASE, case_id
    elif signal_id is not None:
        kind, ref_id = SubjectKind.SIGNAL, signal_id
    else:
        kind, ref_id = SubjectKind.CELL, cell_id
    return crypto.subject_encrypt(
        json.dumps(plain, sort_keys=True),
        cell_id=cell_id,
        kind=kind,
        ref_id=ref_id,
        purpose=VALUES_PURPOSE,
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
    """Append one access-log row to the cell's hash chain: a read, a search or an export.

    Runs in its own atomic block so the row is written with the read it records; ``data``
    holds codes only (a search is logged by its keyed-hash token, never by the name).
    """
    row = AccessLog(
        actor=actor,
        cell=cell,
        kind=kind,
        case_id=case_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
    with transaction.atomic():
        chain.append(row)
    return row
