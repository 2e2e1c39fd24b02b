"""Monitoring reads: exact figures, the published tables of a cell and of a region."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

from casus.access.models import Cell, User
from casus.access.rules import Action, InstallationAction, require, require_installation
from casus.core.exceptions import Forbidden

from . import services
from .indicators import Figures, figures_for
from .models import CellOptIn, RegionalBody, RegionalSupporter
from .periods import Period, Quarter

REGION_MIN_CELLS = services.REGION_MIN_CELLS


@dataclass
class PublishedView:
    """Frozen quarters and their protected table (what a page or an export slices)."""

    quarters: dict[Quarter, Figures]
    published: dict[str, list[Any]]
    cells: dict[Quarter, int] = field(default_factory=dict)  # regional: cells counted
    regional: bool = False

    @property
    def years(self) -> list[int]:
        return sorted({q.year for q in self.quarters}, reverse=True)


def exact_figures_for(*, actor: User, cell: Cell, period: Period) -> Figures:
    """Exact figures of any period: chair, coordinator, information officer."""
    require(actor, Action.MONITORING_EXACT, cell)
    return figures_for(cell.pk, period)


def published_for(*, actor: User, cell: Cell, today: date | None = None) -> PublishedView:
    """The cell's published view: ended quarters only, suppressed."""
    require(actor, Action.MONITORING_PUBLISHED, cell)
    quarters = services.quarters_freeze(cell=cell, today=today)
    return PublishedView(quarters, services.published_table_get(quarters=quarters, cell=cell))


# --- Regional support --------------------------------------------------------------------------


def body_list_for(*, actor: User) -> QuerySet[RegionalBody]:
    """The bodies ``actor`` works for now."""
    require_installation(actor, InstallationAction.REGIONAL_VIEW)
    return RegionalBody.objects.filter(
        supporters__user=actor, supporters__removed_at__isnull=True
    ).distinct()


def body_get_for(*, actor: User, pk: object) -> RegionalBody:
    try:
        pk = int(str(pk))
    except ValueError:
        raise Forbidden(InstallationAction.REGIONAL_VIEW) from None
    body = body_list_for(actor=actor).filter(pk=pk).first()
    if body is None:
        raise Forbidden(InstallationAction.REGIONAL_VIEW)
    return body


def regional_for(*, actor: User, body: RegionalBody, today: date | None = None) -> PublishedView:
    """The body's published view: each ended quarter summed over the contributing cells opted
    in at its end, kept only with at least ``REGION_MIN_CELLS`` of them, then protected as one
    table (``services.regional_quarters``)."""
    require_installation(actor, InstallationAction.REGIONAL_VIEW)
    if not RegionalSupporter.objects.filter(
        body=body, user=actor, removed_at__isnull=True
    ).exists():
        raise Forbidden(InstallationAction.REGIONAL_VIEW)
    quarters, counted = services.regional_quarters(body=body, today=today)
    published = services.published_table_get(quarters=quarters, body=body)
    return PublishedView(quarters, published, counted, regional=True)


# --- The chair's opt-in page, the installation page ------------------------------------------


def opt_in_state_for(*, actor: User, cell: Cell) -> list[dict[str, Any]]:
    """Every body, and whether the cell counts in its figures now."""
    require(actor, Action.MONITORING_REGIONAL_OPT_IN, cell)
    current = dict(
        CellOptIn.objects.filter(cell=cell, opted_out_at__isnull=True).values_list(
            "body_id", "opted_in_at"
        )
    )
    # A cell counts in one body at a time: the others are closed while it takes part in one.
    return [
        {"body": body, "opted_in_at": current.get(body.pk), "blocked": bool(current)}
        for body in RegionalBody.objects.order_by("name")
    ]


def body_list_for_admin(*, actor: User) -> QuerySet[RegionalBody]:
    require_installation(actor, InstallationAction.REGIONAL_BODY_MANAGE)
    return RegionalBody.objects.prefetch_related("supporters__user").order_by("name")
