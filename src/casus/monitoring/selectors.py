"""Monitoring reads: exact figures, the published tables of a cell and of a region."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from casus.access.models import Cell, User
from casus.access.rules import Action, InstallationAction, require, require_installation
from casus.core.exceptions import Forbidden

from . import services
from .indicators import Figures, add, empty, figures_for
from .models import CellOptIn, RegionalBody, RegionalSupporter
from .periods import Period, Quarter, last_ended_quarter, quarters_between

#: A region publishes a quarter only when at least this many cells were opted in at its end.
REGION_MIN_CELLS = 3


@dataclass
class PublishedView:
    """Frozen quarters and their protected table (what a page or an export slices)."""

    quarters: dict[Quarter, Figures]
    published: dict[str, list[Any]]
    cells: dict[Quarter, int] = field(default_factory=dict)  # regional: cells counted

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


def _opted_in_at(body: RegionalBody, quarter: Quarter) -> list[int]:
    """Cells that were opted in at the end of ``quarter`` (history, so the past never moves)."""
    end = quarter.period.end
    return list(
        CellOptIn.objects.filter(Q(opted_out_at__isnull=True) | Q(opted_out_at__gte=end))
        .filter(body=body, opted_in_at__lt=end)
        .values_list("cell_id", flat=True)
        .distinct()
    )


def regional_for(*, actor: User, body: RegionalBody, today: date | None = None) -> PublishedView:
    """The body's published view: each ended quarter summed over the cells opted in at its
    end, kept only with at least ``REGION_MIN_CELLS`` cells, then protected as one table."""
    require_installation(actor, InstallationAction.REGIONAL_VIEW)
    if not RegionalSupporter.objects.filter(
        body=body, user=actor, removed_at__isnull=True
    ).exists():
        raise Forbidden(InstallationAction.REGIONAL_VIEW)
    first = CellOptIn.objects.filter(body=body).order_by("opted_in_at").first()
    if first is None:
        return PublishedView({}, {})
    last = last_ended_quarter(today)
    quarters: dict[Quarter, Figures] = {}
    counted: dict[Quarter, int] = {}
    frozen: dict[int, dict[Quarter, Figures]] = {}
    for quarter in quarters_between(Quarter.of(timezone.localdate(first.opted_in_at)), last):
        cell_ids = _opted_in_at(body, quarter)
        if len(cell_ids) < REGION_MIN_CELLS:
            continue
        total = empty()
        for cell in Cell.objects.filter(pk__in=cell_ids):
            if cell.pk not in frozen:
                frozen[cell.pk] = services.quarters_freeze(cell=cell, today=today)
            total = add(total, frozen[cell.pk].get(quarter, empty()))
        quarters[quarter] = total
        counted[quarter] = len(cell_ids)
    published = services.published_table_get(quarters=quarters, body=body)
    return PublishedView(quarters, published, counted)


# --- The chair's opt-in page, the installation page ------------------------------------------


def opt_in_state_for(*, actor: User, cell: Cell) -> list[dict[str, Any]]:
    """Every body, and whether the cell counts in its figures now."""
    require(actor, Action.MONITORING_REGIONAL_OPT_IN, cell)
    current = dict(
        CellOptIn.objects.filter(cell=cell, opted_out_at__isnull=True).values_list(
            "body_id", "opted_in_at"
        )
    )
    return [
        {"body": body, "opted_in_at": current.get(body.pk)}
        for body in RegionalBody.objects.order_by("name")
    ]


def body_list_for_admin(*, actor: User) -> QuerySet[RegionalBody]:
    require_installation(actor, InstallationAction.REGIONAL_BODY_MANAGE)
    return RegionalBody.objects.prefetch_related("supporters__user").order_by("name")
