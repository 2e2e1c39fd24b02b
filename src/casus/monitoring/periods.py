"""Periods of the monitoring: local calendar days in Europe/Brussels, quarters and years."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from casus.core.dates import add_months


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        return add_months(self.first_day, 3) - timedelta(days=1)

    @property
    def period(self) -> "Period":
        return Period(self.first_day, self.last_day)

    @property
    def key(self) -> str:
        return f"{self.year}Q{self.quarter}"

    def previous(self) -> "Quarter":
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )


@dataclass(frozen=True)
class Period:
    """From ``first`` to ``last``, both local days included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant of the period (aware, Brussels midnight)."""
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def covers(self, quarter: Quarter) -> bool:
        """Whether the whole of ``quarter`` lies inside the period."""
        return self.first <= quarter.first_day and quarter.last_day <= self.last


def last_ended_quarter(today: date | None = None) -> Quarter:
    """The latest quarter that has ended: the running quarter is never published."""
    return Quarter.of(today or timezone.localdate()).previous()


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    quarters = []
    current = first
    while current <= last:
        quarters.append(current)
        current = current.next()
    return quarters


def local_day(at: datetime) -> date:
    return timezone.localdate(at)
