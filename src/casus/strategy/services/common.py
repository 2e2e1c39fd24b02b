"""What the strategy services share: the version check, row locks, the change log."""

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from casus.access.models import User
from casus.audit.services import audit_record
from casus.core.exceptions import EditConflict, RuleViolation

#: Longest narrative text (a description, a note, a finding, a comment), in characters.
TEXT_MAX_LENGTH = 10_000
TITLE_MAX_LENGTH = 200

Changes = dict[str, tuple[Any, Any]]


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


def clean_text(value: str | None, *, limit: int, missing: str | None = None) -> str:
    """Strip ``value``; refuse it when empty (if ``missing`` says why) or over ``limit``."""
    text = (value or "").strip()
    if missing is not None and not text:
        raise RuleViolation(missing)
    if len(text) > limit:
        raise RuleViolation(_("Keep each text under %(count)d characters.") % {"count": limit})
    return text


def apply(obj: Model, values: dict[str, Any]) -> Changes:
    """Set ``values`` on ``obj``; return the fields that changed, as (old, new)."""
    changes: Changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = (old, new)
            setattr(obj, name, new)
    return changes


def initial(values: dict[str, Any]) -> Changes:
    """The change log of a new row: every field filled in, from nothing."""
    return {name: (None, value) for name, value in values.items() if value not in (None, "")}


def record(
    *,
    actor: User,
    action: str,
    obj: Model,
    changes: Changes | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Write the audit event of a strategy change: ids, codes and field names; the values go
    to the change log, sealed under the cell's records key."""
    audit_record(
        actor=actor,
        action=action,
        cell=obj.cell,  # type: ignore[attr-defined]
        obj=obj,
        data=data,
        values=changes or None,
    )
