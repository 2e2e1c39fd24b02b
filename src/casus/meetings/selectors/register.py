"""Reads of the information-exchange register."""

from django.db.models import QuerySet

from casus.access.models import Cell, User
from casus.access.rules import Action, require

from ..models import ExchangeEntry


def exchange_list_for(*, actor: User, cell: Cell) -> QuerySet[ExchangeEntry]:
    """The register of ``cell``: chair, coordinator and information officer (404 otherwise)."""
    require(actor, Action.EXCHANGE_READ, cell)
    return ExchangeEntry.objects.filter(cell=cell).select_related(
        "case", "recorded_by", "feedback_sheet"
    )
