"""Reads of the audit trail."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.access.models import Cell, User
from casus.access.rules import Action, require
from casus.privacy import crypto

from .models import VALUES_PURPOSE, AccessKind, AccessLog, AuditEvent


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


# The data-protection officer's questions ------------------------------------------------------


def _logs_require(actor: User, cell: Cell) -> None:
    require(actor, Action.AUDIT_READ, cell)


def access_log_for(
    *,
    actor: User,
    cell: Cell,
    since: datetime,
    case_ids: list[int] | None = None,
    person_id: int | None = None,
) -> QuerySet[AccessLog]:
    """Reads, searches and exports in the cell since ``since``: of some cases or one person."""
    _logs_require(actor, cell)
    rows = AccessLog.objects.filter(cell=cell, at__gte=since)
    if case_ids is not None:
        rows = rows.filter(case_id__in=case_ids)
    if person_id is not None:
        rows = rows.filter(actor_id=person_id)
    return rows.select_related("actor").order_by("-at", "-id")


def change_log_for(
    *,
    actor: User,
    cell: Cell,
    since: datetime,
    case_ids: list[int] | None = None,
    person_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """Changes in the cell since ``since`` (field names only): of some cases or one person."""
    _logs_require(actor, cell)
    rows = AuditEvent.objects.filter(cell=cell, at__gte=since)
    if case_ids is not None:
        rows = rows.filter(case_id__in=case_ids)
    if person_id is not None:
        rows = rows.filter(actor_id=person_id)
    return rows.select_related("actor").order_by("-at", "-id")


@dataclass(frozen=True)
class Finding:
    """One access pattern worth a look; no content, only who, when, how many, which case."""

    kind: str
    person: str
    person_id: int | None
    at: datetime | date
    count: int = 1
    case_id: int | None = None


FINDING_LABELS = {
    "many_cases": _("Opened many different cases in one day"),
    "night": _("Read case data at night"),
    "break_glass": _("Read through break-glass"),
    "many_searches": _("Searched many names in one day"),
}


def unusual_access_for(*, actor: User, cell: Cell, since: datetime) -> list[Finding]:
    """Access that stands out since ``since``: many cases or name searches by one person in a
    day, reads at night, reads through break-glass. Newest first."""
    _logs_require(actor, cell)
    tz = timezone.get_current_timezone()
    rows = AccessLog.objects.filter(cell=cell, at__gte=since)
    names = dict(User.objects.filter(pk__in=rows.values("actor_id")).values_list("pk", "full_name"))
    per_day = rows.annotate(day=TruncDate("at", tzinfo=tz)).values("actor_id", "day")
    many_cases = (
        per_day.exclude(case_id=None)
        .annotate(count=Count("case_id", distinct=True))
        .filter(count__gte=settings.CASUS_UNUSUAL_CASES_PER_DAY)
    )
    many_searches = (
        per_day.filter(kind=AccessKind.SEARCH)
        .annotate(count=Count("id"))
        .filter(count__gte=settings.CASUS_UNUSUAL_SEARCHES_PER_DAY)
    )
    start, end = settings.CASUS_NIGHT_HOURS
    at_night = (
        rows.annotate(hour=ExtractHour("at", tzinfo=tz))
        .filter(Q(hour__gte=start) | Q(hour__lt=end))
        .exclude(case_id=None)
        .order_by("-at")[:FINDINGS_MAX]
    )
    break_glass = rows.filter(data__break_glass=True).order_by("-at")[:FINDINGS_MAX]

    def person(pk: int | None) -> str:
        return names.get(pk, "") if pk is not None else ""

    findings = [
        *(
            Finding(kind, person(row["actor_id"]), row["actor_id"], row["day"], row["count"])
            for kind, counted in (("many_cases", many_cases), ("many_searches", many_searches))
            for row in counted
        ),
        *(
            Finding(kind, person(log.actor_id), log.actor_id, log.at, 1, log.case_id)
            for kind, logs in (("night", at_night), ("break_glass", break_glass))
            for log in logs
        ),
    ]

    def newest_first(finding: Finding) -> datetime:
        moment = finding.at
        if isinstance(moment, datetime):
            return moment
        return timezone.make_aware(datetime.combine(moment, time.max))

    return sorted(findings, key=newest_first, reverse=True)[:FINDINGS_MAX]


#: The most findings of one kind (and in all) a page lists.
FINDINGS_MAX = 500
