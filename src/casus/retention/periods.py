"""Retention periods: when a record falls due under the charter (pure date arithmetic)."""

import calendar
from datetime import date, datetime

from django.utils import timezone

#: Age of majority in Belgium.
MAJORITY = 18


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def was_minor(birth_date: date | None, at: datetime | date) -> bool:
    """Whether a person born on ``birth_date`` was under 18 at ``at`` (unknown: not a minor)."""
    if birth_date is None:
        return False
    on = timezone.localdate(at) if isinstance(at, datetime) else at
    try:
        adult_on = birth_date.replace(year=birth_date.year + MAJORITY)
    except ValueError:  # born on 29 February: adult on 1 March
        adult_on = date(birth_date.year + MAJORITY, 3, 1)
    return on < adult_on


def local_day(at: datetime) -> date:
    return timezone.localdate(at)
