"""Retention periods: when a record falls due under the charter (pure date arithmetic)."""

from datetime import date, datetime

from django.utils import timezone

from casus.core.dates import add_months as add_months

#: Age of majority in Belgium.
MAJORITY = 18


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
