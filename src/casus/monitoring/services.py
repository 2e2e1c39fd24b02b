"""Monitoring writes: freezing ended quarters, protected tables, exports, regional bodies,
their supporters and the cells' opt-in — each audited in its own transaction."""

import logging
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
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

from .catalog import normalised
from .indicators import Figures, add, empty, figures_for
from .models import CellOptIn, PublishedTable, QuarterFigures, RegionalBody, RegionalSupporter
from .periods import Quarter, last_ended_quarter, quarters_between
from .publication import protect_table, values_and_relations, withheld_table

logger = logging.getLogger(__name__)


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
        return normalised(existing.figures)
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
        return normalised(row.figures)
    return normalised(figures)


def quarters_freeze(*, cell: Cell, today: date | None = None) -> dict[Quarter, Figures]:
    """Every ended quarter of ``cell`` since it was created, frozen (missing ones now), read
    against today's catalog (``catalog.normalised``)."""
    last = last_ended_quarter(today)
    stored = {
        Quarter(row.year, row.quarter): normalised(row.figures)
        for row in QuarterFigures.objects.filter(cell=cell)
        if Quarter(row.year, row.quarter) <= last
    }
    for quarter in quarters_between(first_quarter(cell), last):
        if quarter not in stored:
            stored[quarter] = quarter_figures_freeze(cell=cell, quarter=quarter, today=today)
    return stored


def monitoring_freeze_all(today: date | None = None) -> int:
    """The daily job: freeze every cell's ended quarters, then build the published table of
    every cell and every regional body, so that pages read stored tables; return how many
    quarters were frozen now."""
    before = QuarterFigures.objects.count()
    for cell in Cell.objects.order_by("pk"):
        quarters = quarters_freeze(cell=cell, today=today)
        published_table_get(quarters=quarters, cell=cell)
    for body in RegionalBody.objects.order_by("pk"):
        published_table_get(quarters=regional_quarters(body=body, today=today)[0], body=body)
    return QuarterFigures.objects.count() - before


# --- Regional sums ---------------------------------------------------------------------------

#: A region publishes a quarter only when at least this many contributing cells were opted in
#: at its end.
REGION_MIN_CELLS = 3
#: Counts a region does not publish: its open stock would give a joining or leaving cell's
#: open cases away (ADR 0027).
REGIONAL_LEFT_OUT = ("cases.open_end",)


def opted_in_at(body: RegionalBody, quarter: Quarter) -> list[int]:
    """Cells that were opted in at the end of ``quarter`` (history, so the past never moves)."""
    end = quarter.period.end
    return list(
        CellOptIn.objects.filter(Q(opted_out_at__isnull=True) | Q(opted_out_at__gte=end))
        .filter(body=body, opted_in_at__lt=end)
        .values_list("cell_id", flat=True)
        .distinct()
    )


def contributes(frozen: dict[Quarter, Figures], quarter: Quarter) -> bool:
    """Whether a cell had received a signal or opened a case (destroyed ones included) by the
    end of ``quarter``, by its frozen quarters: an empty cell only pads the count of cells."""
    return any(
        figures["counts"].get("signals.received", 0) + figures["counts"].get("cases.opened", 0)
        for q, figures in frozen.items()
        if q <= quarter
    )


def regional_quarters(
    *, body: RegionalBody, today: date | None = None
) -> tuple[dict[Quarter, Figures], dict[Quarter, int]]:
    """Each ended quarter of ``body``: the sum of the frozen quarters of the contributing
    cells opted in at its end, kept only with at least ``REGION_MIN_CELLS`` of them; and how
    many cells each quarter counts. No open stock (``REGIONAL_LEFT_OUT``)."""
    first = CellOptIn.objects.filter(body=body).order_by("opted_in_at").first()
    if first is None:
        return {}, {}
    last = last_ended_quarter(today)
    quarters: dict[Quarter, Figures] = {}
    counted: dict[Quarter, int] = {}
    frozen: dict[int, dict[Quarter, Figures]] = {}
    for quarter in quarters_between(Quarter.of(timezone.localdate(first.opted_in_at)), last):
        cell_ids = []
        for cell in Cell.objects.filter(pk__in=opted_in_at(body, quarter)).order_by("pk"):
            if cell.pk not in frozen:
                frozen[cell.pk] = quarters_freeze(cell=cell, today=today)
            if contributes(frozen[cell.pk], quarter):
                cell_ids.append(cell.pk)
        if len(cell_ids) < REGION_MIN_CELLS:
            continue
        total = empty()
        for pk in cell_ids:
            total = add(total, frozen[pk].get(quarter, empty()))
        for key in REGIONAL_LEFT_OUT:
            total["counts"].pop(key, None)
        quarters[quarter] = total
        counted[quarter] = len(cell_ids)
    return quarters, counted


# --- Published tables ------------------------------------------------------------------------


def published_table_get(
    *,
    quarters: dict[Quarter, Figures],
    cell: Cell | None = None,
    body: RegionalBody | None = None,
) -> dict[str, list[Any]]:
    """The protected table of ``quarters`` for a cell or a body: computed once per last
    quarter, then reused; each new version keeps every decision of the earlier ones.

    The solve (seconds) runs outside any transaction; only the re-check and the insert hold
    the owner's row lock, so that two requests never store different decisions. When the
    table cannot be protected (``ProtectionError``, or any ``ValueError`` of ``protect``), the
    failure is logged and audited, nothing is stored, and the figures no earlier version
    published are withheld (``publication.WITHHELD``)."""
    if not quarters:
        return {}
    through = max(quarters).key
    scope: dict[str, Any] = {"cell": cell} if cell is not None else {"body": body}
    existing = PublishedTable.objects.filter(through=through, **scope).first()
    if existing is not None:
        return existing.published  # type: ignore[no-any-return]
    if (sliced := _later_version_slice(quarters, through, scope)) is not None:
        return sliced
    previous = published_before(through=through, **scope)
    published = _protected(quarters, previous)
    with transaction.atomic():
        # One version at a time per scope: the row lock (SQLite: the write transaction) keeps
        # two requests from deciding the same new figures differently. No key lock: rows
        # referencing the cell may still be inserted meanwhile.
        owner = Cell if cell is not None else RegionalBody
        owner.objects.select_for_update(no_key=True).filter(pk=(cell or body).pk).first()  # type: ignore[union-attr]
        existing = PublishedTable.objects.filter(through=through, **scope).first()
        if existing is not None:  # stored meanwhile by another request: theirs stands
            return existing.published  # type: ignore[no-any-return]
        if (sliced := _later_version_slice(quarters, through, scope)) is not None:
            return sliced
        now = published_before(through=through, **scope)
        if now != previous:  # an earlier version was stored meanwhile (rare): decide again
            previous, published = now, _protected(quarters, now)
        if published is not None:
            PublishedTable.objects.create(through=through, published=published, **scope)
            audit_record(
                actor=None,
                action="MONITORING_TABLE_PROTECTED",
                cell=cell,
                data={"through": through, "body": body.pk if body is not None else None},
            )
    if published is None:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="MONITORING_TABLE_FAILED",
                cell=cell,
                data={"through": through, "body": body.pk if body is not None else None},
            )
        return withheld_table(quarters, previous)
    return published


def _later_version_slice(
    quarters: dict[Quarter, Figures], through: str, scope: dict[str, Any]
) -> dict[str, list[Any]] | None:
    """A later version decided already (the freeze job): its decisions hold for these
    quarters too; deciding them again could contradict it."""
    later = PublishedTable.objects.filter(through__gt=through, **scope).order_by("-through")
    newest = later.first()
    if newest is None:
        return None
    keys = {str(key) for key in values_and_relations(quarters)[0]}
    return {k: v for k, v in newest.published.items() if k in keys}


def _protected(
    quarters: dict[Quarter, Figures], previous: dict[str, list[Any]]
) -> dict[str, list[Any]] | None:
    """``protect_table``, or None when it cannot protect the table (logged without figures)."""
    try:
        return protect_table(quarters, previous)
    except ValueError as error:
        # The message and the error's attributes name figures: only the kind is logged.
        logger.error(
            "monitoring: the table through %s could not be protected (%s)",
            max(quarters).key,
            type(error).__name__,
        )
        return None


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
        current = CellOptIn.objects.filter(cell=cell, opted_out_at__isnull=True).first()
        if current is not None and current.body_id == body.pk:
            raise RuleViolation(_("The cell already takes part in this body's figures."))
        if current is not None:
            # Overlapping bodies would give a cell's exact figures away by difference.
            raise RuleViolation(
                _(
                    "The cell already takes part in the figures of another body. A cell takes "
                    "part in one body at a time: stop taking part there first."
                )
            )
        try:
            with transaction.atomic():
                opt_in = CellOptIn.objects.create(cell=cell, body=body, opted_in_by=actor)
        except IntegrityError:  # opted in meanwhile by another request
            raise RuleViolation(
                _("The cell already takes part in the figures of a body.")
            ) from None
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
