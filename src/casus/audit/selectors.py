"""Reads of the audit trail."""

import json
from typing import Any

from django.db.models import QuerySet

from casus.access.models import Cell, User
from casus.access.rules import Action, require
from casus.privacy import crypto

from .models import VALUES_PURPOSE, AuditEvent


def audit_event_list_for(*, actor: User, cell: Cell) -> QuerySet[AuditEvent]:
    """Events of one cell, newest first, for those who may read the logs."""
    require(actor, Action.AUDIT_READ, cell)
    return AuditEvent.objects.filter(cell=cell).select_related("actor").order_by("-at", "-id")


def event_values(event: AuditEvent) -> dict[str, list[Any]]:
    """Open an event's old and new values; ``crypto.Unreadable`` once its key is destroyed.

    For the data-subject workflow and tests: no page shows values to the DPO.
    """
    if not event.values_sealed:
        return {}
    opened: dict[str, list[Any]] = json.loads(
        crypto.decrypt_text(event.values_sealed, purpose=VALUES_PURPOSE)
    )
    return opened
