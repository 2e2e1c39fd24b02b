"""Key rotation: re-seal a cell's values under its current key, in batches, resumably.

``cell_key_rotate`` adds a key version and re-seals; if it stops half-way, ``cell_values_reseal``
picks up where it left off (values already under the current key are skipped). Once
``values_needing_old_keys`` is zero, ``cell_key_retire_old`` removes the old versions from the key
file, after checking again that nothing needs them.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import cast

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from casus.audit.services import audit_record

from . import crypto, keys
from .fields import EncryptedMixin, Sealed
from .models import SubjectKey

Progress = Callable[[str, int], None]


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedMixin]]]:
    """Every model with encrypted fields, and those fields."""
    found = []
    for model in apps.get_models():
        fields = [
            cast(EncryptedMixin, field)
            for field in model._meta.fields
            if isinstance(field, EncryptedMixin)
        ]
        if fields:
            found.append((model, fields))
    return found


def _raw_rows(
    model: type[models.Model], fields: list[EncryptedMixin], cell_id: int, batch: int
) -> Iterator[list[dict[str, object]]]:
    """The cell's rows in primary-key order, as their stored (sealed) text, a batch at a time."""
    cell_filter = {fields[0].cell_path.replace(".", "__"): cell_id}
    raw = {f"raw_{field.attname}": Cast(field.attname, models.TextField()) for field in fields}
    rows = model._base_manager.filter(**cell_filter).annotate(**raw).order_by("pk")
    last = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        chunk = list(page.values("pk", *raw)[:batch])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]["pk"]


def _stale(token: object, current: str) -> bool:
    """A stored value that is not sealed under the current key (an old version or clear text)."""
    if not isinstance(token, str) or not token:
        return False
    return not crypto.is_sealed(token) or crypto.key_id_of(token) != current


@dataclass
class Count:
    rows: int = 0
    values: int = 0


def cell_values_reseal(
    *, cell_id: int, batch: int = 500, progress: Progress | None = None
) -> Count:
    """Re-seal every value of the cell that is not under its current key; return the counts.

    Each batch commits on its own, so an interrupted run loses nothing and the next run goes on.
    """
    current = keys.current_key(cell_id)[0]
    count = Count()
    for model, fields in encrypted_models():
        for chunk in _raw_rows(model, fields, cell_id, batch):
            with transaction.atomic():
                for row in chunk:
                    changes = {}
                    for field in fields:
                        token = row[f"raw_{field.attname}"]
                        if not _stale(token, current):
                            continue
                        if not isinstance(token, str):
                            raise RuntimeError("checked by _stale")  # not input: a broken invariant
                        text = (
                            crypto.decrypt_text(token, purpose=field.purpose)
                            if crypto.is_sealed(token)
                            else token
                        )
                        changes[field.attname] = Sealed(
                            crypto.encrypt_text(text, cell_id=cell_id, purpose=field.purpose)
                        )
                    if changes:
                        model._base_manager.filter(pk=row["pk"]).update(**changes)
                        count.rows += 1
                        count.values += len(changes)
            if progress is not None:
                progress(model._meta.label, len(chunk))
    with transaction.atomic():
        crypto.subject_keys_rewrap(cell_id=cell_id)
    return count


def values_needing_old_keys(*, cell_id: int, batch: int = 2000) -> int:
    """How many stored values of the cell still need a key version other than the current."""
    current = keys.current_key(cell_id)[0]
    total = 0
    for model, fields in encrypted_models():
        for chunk in _raw_rows(model, fields, cell_id, batch):
            total += sum(
                1
                for row in chunk
                for field in fields
                if _stale(row[f"raw_{field.attname}"], current)
            )
    wrapped = SubjectKey.objects.filter(cell_id=cell_id).exclude(wrapped="")
    total += sum(1 for token in wrapped.values_list("wrapped", flat=True) if _stale(token, current))
    return total


def cell_key_rotate(
    *, cell_id: int, batch: int = 500, resume: bool = False, progress: Progress | None = None
) -> tuple[str, Count]:
    """Add a key version (unless resuming) and re-seal the cell's values under it."""
    from casus.access.models import Cell

    cell = Cell.objects.get(pk=cell_id)
    kid = keys.current_key(cell_id)[0] if resume else keys.cell_key_add_version(cell_id)
    if not resume:
        with transaction.atomic():
            audit_record(actor=None, action="CELL_KEY_ROTATED", cell=cell, data={"key": kid})
    return kid, cell_values_reseal(cell_id=cell_id, batch=batch, progress=progress)


def cell_key_retire_old(*, cell_id: int) -> list[str]:
    """Remove every key version but the current one; refused while a value still needs one."""
    from casus.access.models import Cell

    remaining = values_needing_old_keys(cell_id=cell_id)
    if remaining:
        raise RuntimeError(
            f"{remaining} value(s) still need an old key: run the rotation with --resume first"
        )
    cell_keys = keys.cell_keys(cell_id)
    old = sorted(kid for kid in cell_keys.keys if kid != cell_keys.current)
    if old:
        keys.cell_key_retire(cell_id, set(old))
        with transaction.atomic():
            audit_record(
                actor=None,
                action="CELL_KEY_RETIRED",
                cell=Cell.objects.get(pk=cell_id),
                data={"keys": old},
            )
    return old
