"""Monitoring writes: freezing ended quarters, protected tables, exports, regional bodies,
their supporters and the cells' opt-in — each audited in its own transaction."""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casus.access.models import Cell, User
from casus.access.rules import (
    Action,
    InstallationAction,
    require,
    require_installation,
)
from casus.audit.services import audit_record
from casus.core.exceptions import RuleViolation

from .indicators import Figures, figures_for
from .models import CellOptIn, PublishedTable, QuarterFigures, RegionalBody, RegionalSupporter
from .periods import Quarter, last_ended_quarter, quarters_between
from .publication import protect_table, values_and_relations


def first_quarter(cell: Cell) -> Quarter:
    """The cell's first quarter: when it was created, or its earliest signal or case (a cell
    that brought its history along)."""
    from django.db.models import Min

    from casus.cases.models import Case, Signal

    moments = [
        cell.created_at,
        Signal.objects.filter(cell=cell).aggregate(at=Min("received_at"))["at"],
        Case.objects.filter(cell=cell).aggregate(at=Min("opened_at"))["at"],
    ]
    return Quarter.of(timezone.localdate(min(m for m in moments if m is not None)))


def quarter_figures_freeze(*, cell: Cell, quarter: Quarter, today: date | None = None) -> Figures:
    """Freeze ``cell``'s figures of the ended ``quarter`` once; return the frozen figures."""
    if quarter > last_ended_quarter(today):
        raise ValueError("only ended quarters are frozen")
    existing = QuarterFigures.objects.filter(
        cell=cell, year=quarter.year, quarter=quarter.quarter
    ).first()
    if existing is not None:
        return existing.figures  # type: ignore[no-any-return]
    figures = figures_for(cell.pk, quarter.period)
    try:
        with transaction.atomic():
            QuarterFigures.objects.create(
                cell=cell, year=quarter.year, quarter=quarter.quarter, figures=figures
            )
            audit_record(
                actor=None,
                action="MONITORING_QUARTER_FROZEN",
                cell=cell,
                data={"year": quarter.year, "quarter": quarter.quarter},
            )
    except IntegrityError:  # frozen meanwhile by another worker: theirs stands
        row = QuarterFigures.objects.get(cell=cell, year=quarter.year, quarter=quarter.quarter)
        return row.figures  # type: ignore[no-any-return]
    return figures


def quarters_freeze(*, cell: Cell, today: date | None = None) -> dict[Quarter, Figures]:
    """Every ended quarter of ``cell`` since it was created, frozen (missing ones now)."""
    last = last_ended_quarter(today)
    stored = {
        Quarter(row.year, row.quarter): row.figures
        for row in QuarterFigures.objects.filter(cell=cell)
        if Quarter(row.year, row.quarter) <= last
    }
    for quarter in quarters_between(first_quarter(cell), last):
        if quarter not in stored:
            stored[quarter] = quarter_figures_freeze(cell=cell, quarter=quarter, today=today)
    return stored


def monitoring_freeze_all(today: date | None = None) -> int:
    """The daily job: freeze every cell's ended quarters; return how many were frozen now."""
    before = QuarterFigures.objects.count()
    for cell in Cell.objects.order_by("pk"):
        quarters_freeze(cell=cell, today=today)
    return QuarterFigures.objects.count() - before


def published_table_get(
    *,
    quarters: dict[Quarter, Figures],
    cell: Cell | None = None,
    body: RegionalBody | None = None,
) -> dict[str, list[Any]]:
    """The protected table of ``quarters`` for a cell or a body: computed once per last
    quarter, then reused; each new version keeps every decision of the earlier ones."""
    if not quarters:
        return {}
    through = max(quarters).key
    scope: dict[str, Any] = {"cell": cell} if cell is not None else {"body": body}
    existing = PublishedTable.objects.filter(through=through, **scope).first()
    if existing is not None:
        return existing.published  # type: ignore[no-any-return]
    with transaction.atomic():
        # One version at a time per scope: the row lock (SQLite: the immediate transaction)
        # keeps two requests from deciding the same new figures differently.
        owner = Cell if cell is not None else RegionalBody
        owner.objects.select_for_update().filter(pk=(cell or body).pk).first()  # type: ignore[union-attr]
        existing = PublishedTable.objects.filter(through=through, **scope).first()
        if existing is not None:
            return existing.published  # type: ignore[no-any-return]
        later = PublishedTable.objects.filter(through__gt=through, **scope).order_by("-through")
        if (newest := later.first()) is not None:
            # A later version was decided meanwhile (the freeze job): its decisions hold for
            # these quarters too; deciding them again could contradict it.
            keys = {str(key) for key in values_and_relations(quarters)[0]}
            return {k: v for k, v in newest.published.items() if k in keys}
        published = protect_table(quarters, published_before(through=through, **scope))
        PublishedTable.objects.create(through=through, published=published, **scope)
        audit_record(
            actor=None,
            action="MONITORING_TABLE_PROTECTED",
            cell=cell,
            data={"through": through, "body": body.pk if body is not None else None},
        )
    return published


def published_before(
    *, through: str, cell: Cell | None = None, body: RegionalBody | None = None
) -> dict[str, list[Any]]:
    """What the versions of a scope's table before ``through`` published, together: a figure
    shown in any of them is known for good (the figures of a frozen quarter never change), a
    figure withheld in all of them keeps its latest mark."""
    scope: dict[str, Any] = {"cell": cell} if cell is not None else {"body": body}
    known: dict[str, list[Any]] = {}
    for table in PublishedTable.objects.filter(through__lt=through, **scope).order_by("through"):
        for key, (value, mark) in table.published.items():
            if key not in known or known[key][0] is None:
                known[key] = [value, mark]
    return known


def monitoring_export_record(
    *, actor: User, cell: Cell, view: str, fmt: str, columns: list[str]
) -> None:
    """Audit an export of the cell's figures (aggregates: no re-authentication)."""
    action = Action.MONITORING_EXACT if view == "exact" else Action.MONITORING_PUBLISHED
    with transaction.atomic():
        require(actor, action, cell)
        audit_record(
            actor=actor,
            action="MONITORING_EXPORTED",
            cell=cell,
            data={"view": view, "format": fmt, "columns": columns},
        )


def regional_export_record(
    *, actor: User, body: RegionalBody, fmt: str, columns: list[str]
) -> None:
    with transaction.atomic():
        require_installation(actor, InstallationAction.REGIONAL_VIEW)
        audit_record(
            actor=actor,
            action="REGIONAL_EXPORTED",
            obj=body,
            data={"body": body.pk, "format": fmt, "columns": columns},
        )


# --- Regional support bodies (installation administrators) -----------------------------------


def regional_body_create(*, actor: User, name: str) -> RegionalBody:
    name = name.strip()
    if not name:
        raise RuleViolation(_("Give the body a name."))
    with transaction.atomic():
        require_installation(actor, InstallationAction.REGIONAL_BODY_MANAGE)
        if RegionalBody.objects.filter(name__iexact=name).exists():
            raise RuleViolation(_("A regional support body with this name already exists."))
        body = RegionalBody.objects.create(name=name, created_by=actor)
        audit_record(actor=actor, action="REGIONAL_BODY_CREATED", obj=body, data={"body": body.pk})
    return body


def regional_supporter_appoint(*, actor: User, body: RegionalBody, email: str) -> RegionalSupporter:
    with transaction.atomic():
        require_installation(actor, InstallationAction.REGIONAL_BODY_MANAGE)
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None or not user.is_regional_support:
            raise RuleViolation(_("No active regional support account has this e-mail address."))
        if RegionalSupporter.objects.filter(body=body, user=user, removed_at__isnull=True).exists():
            raise RuleViolation(_("This person already works for this body."))
        supporter = RegionalSupporter.objects.create(body=body, user=user, appointed_by=actor)
        audit_record(
            actor=actor,
            action="REGIONAL_SUPPORTER_APPOINTED",
            obj=supporter,
            data={"body": body.pk, "user": user.pk},
        )
    return supporter


def regional_supporter_remove(*, actor: User, supporter: RegionalSupporter) -> RegionalSupporter:
    with transaction.atomic():
        require_installation(actor, InstallationAction.REGIONAL_BODY_MANAGE)
        supporter = RegionalSupporter.objects.select_for_update().get(pk=supporter.pk)
        if supporter.removed_at is not None:
            raise RuleViolation(_("This person no longer works for this body."))
        supporter.removed_at, supporter.removed_by = timezone.now(), actor
        supporter.save(update_fields=["removed_at", "removed_by"])
        audit_record(
            actor=actor,
            action="REGIONAL_SUPPORTER_REMOVED",
            obj=supporter,
            data={"body": supporter.body_id, "user": supporter.user_id},
        )
    return supporter


# --- The chair's opt-in ----------------------------------------------------------------------


def cell_opt_in(*, actor: User, cell: Cell, body: RegionalBody) -> CellOptIn:
    """The chair lets ``body`` count the cell in its aggregates from now on."""
    with transaction.atomic():
        require(actor, Action.MONITORING_REGIONAL_OPT_IN, cell)
        if CellOptIn.objects.filter(cell=cell, body=body, opted_out_at__isnull=True).exists():
            raise RuleViolation(_("The cell already takes part in this body's figures."))
        opt_in = CellOptIn.objects.create(cell=cell, body=body, opted_in_by=actor)
        audit_record(
            actor=actor,
            action="MONITORING_REGIONAL_OPTED_IN",
            cell=cell,
            obj=opt_in,
            data={"body": body.pk},
        )
    return opt_in


def cell_opt_out(*, actor: User, cell: Cell, body: RegionalBody) -> CellOptIn:
    """The chair stops the cell counting in ``body``'s figures of quarters still to end."""
    with transaction.atomic():
        require(actor, Action.MONITORING_REGIONAL_OPT_IN, cell)
        opt_in = (
            CellOptIn.objects.select_for_update()
            .filter(cell=cell, body=body, opted_out_at__isnull=True)
            .first()
        )
        if opt_in is None:
            raise RuleViolation(_("The cell does not take part in this body's figures."))
        opt_in.opted_out_at, opt_in.opted_out_by = timezone.now(), actor
        opt_in.save(update_fields=["opted_out_at", "opted_out_by"])
        audit_record(
            actor=actor,
            action="MONITORING_REGIONAL_OPTED_OUT",
            cell=cell,
            obj=opt_in,
            data={"body": body.pk},
        )
    return opt_in
