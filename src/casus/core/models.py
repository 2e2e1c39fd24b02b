"""Technical bookkeeping shared by every app (no domain rules)."""

from typing import ClassVar

from django.db import models
from django.utils import timezone


class PeriodicRun(models.Model):
    """One periodic job enqueued for one period; the unique pair makes jobs idempotent even
    when several workers run the scheduler."""

    job = models.CharField(max_length=100)
    period = models.CharField(max_length=32)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["job", "period"], name="periodic_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
