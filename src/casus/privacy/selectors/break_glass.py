"""Reads of break-glass accesses."""

from django.db.models import QuerySet

from casus.access.models import Cell, Role, User
from casus.access.rules import (
    Action,
    require,
)
from casus.core.exceptions import Forbidden

from ..models import (
    BreakGlass,
)


def break_glass_list_for(*, actor: User, cell: Cell) -> QuerySet[BreakGlass]:
    """Break-glass uses of the cell: all of them for the coordinator and the DPO, the chair's
    own for a chair. Newest first."""
    membership = require(actor, Action.BREAK_GLASS_LIST, cell)
    rows = BreakGlass.objects.filter(cell=cell).select_related("case", "user", "reviewed_by")
    # A chair sees the accesses they opened themselves.
    if membership.role == Role.CHAIR:
        rows = rows.filter(user=actor)
    return rows.order_by("-opened_at", "-id")


def break_glass_reasons_visible(*, actor: User, cell: Cell) -> bool:
    """Whether the reader may read reasons and reviews: not the DPO (no content, ever)."""
    membership = require(actor, Action.BREAK_GLASS_LIST, cell)
    return membership.role in {Role.CHAIR, Role.COORDINATOR}


def break_glass_get_for_review(*, actor: User, cell: Cell, pk: object) -> BreakGlass:
    """One break-glass use of the cell, for the coordinator to record its review."""
    require(actor, Action.BREAK_GLASS_REVIEW, cell)
    try:
        return BreakGlass.objects.select_related("case").get(cell=cell, pk=pk)  # type: ignore[misc]
    except (BreakGlass.DoesNotExist, ValueError, TypeError):
        raise Forbidden("break-glass") from None


def break_glass_unreviewed_for(*, actor: User, cell: Cell) -> QuerySet[BreakGlass]:
    """Uses still waiting for the review at a meeting (for the coordinator's meeting page)."""
    require(actor, Action.BREAK_GLASS_REVIEW, cell)
    return (
        BreakGlass.objects.filter(cell=cell, reviewed_at__isnull=True)
        .select_related("case", "user")
        .order_by("opened_at", "id")
    )
