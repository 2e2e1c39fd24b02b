"""Helpers every case service uses: change records, optimistic locking, grants, numbering."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import BigIntegerField, Max, Model
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Cell, Organisation, User
from casus.access.rules import forget_case_contexts
from casus.audit.services import audit_record
from casus.core.exceptions import EditConflict

from ..models import Case, CaseGrant, GrantReason, Signal

Changes = dict[str, tuple[Any, Any]]


def apply_changes(obj: Model, values: Mapping[str, Any]) -> Changes:
    """Set ``values`` on ``obj``; return {field: (old, new)} for the fields that changed."""
    changes: Changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            setattr(obj, name, value)
            changes[name] = (old, value)
    return changes


def initial_values(obj: Model, names: list[str] | tuple[str, ...]) -> Changes:
    """{field: (None, value)} for a newly created row: its change-log entry."""
    return {name: (None, getattr(obj, name)) for name in names}


def record_case_change(
    *,
    actor: User,
    action: str,
    case: Case,
    obj: Model | None = None,
    changes: Changes | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Write the change-log row of a case write (old and new values; DPO sees names only)."""
    audit_record(
        actor=actor,
        action=action,
        cell=case.cell,
        obj=obj if obj is not None else case,
        case_id=case.pk,
        values=changes or {},
        data=data,
    )


def record_signal_change(
    *,
    actor: User,
    action: str,
    signal: Signal,
    changes: Changes | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Write the change-log row of a signal write."""
    audit_record(
        actor=actor,
        action=action,
        cell=signal.cell,
        obj=signal,
        case_id=signal.case_id,
        signal_id=signal.pk,
        values=changes or {},
        data=data,
    )


def check_version(obj: Model, expected: int | None) -> None:
    """Refuse to save over a version the editor did not see (no lost update).

    ``obj`` must have been read with ``select_for_update`` inside the service's transaction.
    """
    current = getattr(obj, "version")  # noqa: B009 — every versioned model has it
    if expected is not None and int(expected) != current:
        raise EditConflict(
            _(
                "Someone else changed this meanwhile (now version %(current)s, you edited "
                "version %(expected)s). Nothing was overwritten: compare both versions below "
                "and save again."
            )
            % {"current": current, "expected": expected},
            current=obj,
        )


def lock[T: Model](obj: T) -> T:
    """Re-read ``obj`` with a row lock for the rest of the transaction."""
    return type(obj).objects.select_for_update().get(pk=obj.pk)  # type: ignore[attr-defined,no-any-return]


def lock_cell(cell: Cell | int) -> Cell:
    """Lock ``cell``'s row for the rest of the transaction: what numbers signals and cases, or
    checks that a person has one case, runs one at a time per cell (PostgreSQL)."""
    cell_id = cell if isinstance(cell, int) else cell.pk
    return Cell.objects.select_for_update().get(pk=cell_id)


def next_case_number(cell: Cell, year: int) -> int:
    """The next case number of ``cell`` in ``year``: one past the highest (destroyed ones
    included), under the cell lock.

    Call inside the transaction that creates the case; the lock is held until it ends.
    """
    lock_cell(cell)
    from casus.retention.selectors import highest_destroyed_number

    last = Case.objects.filter(cell=cell, year=year).aggregate(last=Max("number"))["last"]
    # A destroyed case's number is never given again.
    purged = highest_destroyed_number(cell.pk, f"{year}-")
    return max(last or 0, purged) + 1


def next_signal_reference(cell: Cell, at: datetime | None = None) -> str:
    """S-<year>-<seq>, per cell and year: one past the highest sequence of that year, under the
    cell lock (a count would reuse a number after a signal was purged).

    Call inside the transaction that creates the signal; the lock is held until it ends.
    """
    lock_cell(cell)
    year = timezone.localtime(at).year
    prefix = f"S-{year}-"
    # The highest sequence number of the year (only well-formed references are parsed).
    well_formed = rf"^S-{year}-[0-9]{{1,12}}$"
    last = Signal.objects.filter(cell=cell, reference__regex=well_formed).aggregate(
        last=Max(Cast(Substr("reference", len(prefix) + 1), BigIntegerField()))
    )["last"]
    # A destroyed signal's reference is never given again.
    from casus.retention.selectors import highest_destroyed_number

    sequence = max(last or 0, highest_destroyed_number(cell.pk, prefix))
    return f"{prefix}{sequence + 1:04d}"


def grant_organisation(
    *,
    case: Case,
    organisation: Organisation,
    source: Model,
    reason: str = GrantReason.PARTICIPATION,
) -> CaseGrant:
    """Let every member of ``organisation`` see ``case`` (the dossier too) from now on."""
    return CaseGrant.objects.create(
        case=case,
        reason=reason,
        organisation=organisation,
        dossier=True,
        source_type=source._meta.label_lower,
        source_id=source.pk,
    )


def grant_user(
    *,
    case: Case,
    user: User,
    source: Model,
    reason: str,
    dossier: bool,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> CaseGrant:
    """Let one person see ``case`` for a time (meeting window, break-glass)."""
    forget_case_contexts(user)
    return CaseGrant.objects.create(
        case=case,
        reason=reason,
        user=user,
        dossier=dossier,
        valid_from=valid_from or timezone.now(),
        valid_until=valid_until,
        source_type=source._meta.label_lower,
        source_id=source.pk,
    )


def revoke_grants(*, source: Model, at: datetime | None = None) -> int:
    """End every grant that ``source`` gave; return how many."""
    return CaseGrant.objects.filter(
        source_type=source._meta.label_lower, source_id=source.pk, valid_until__isnull=True
    ).update(valid_until=at or timezone.now())
