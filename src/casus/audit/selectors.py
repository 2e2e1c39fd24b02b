"""Reads of the audit trail."""

from django.db.models import QuerySet

from casus.access.models import Cell, User
from casus.access.rules import Action, require

from .models import AuditEvent


def audit_event_list_for(*, actor: User, cell: Cell) -> QuerySet[AuditEvent]:
    """Events of one cell, newest first, for those who may read the logs."""
    require(actor, Action.AUDIT_READ, cell)
    return AuditEvent.objects.filter(cell=cell).select_related("actor").order_by("-at", "-id")
