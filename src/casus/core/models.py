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


class Notification(models.Model):
    """An in-app notice for one person: a code, a link and a short reference, never content.

    ``key`` makes a notice idempotent (a periodic reminder is written once per period).
    """

    user = models.ForeignKey("access.User", on_delete=models.CASCADE, related_name="notifications")
    cell = models.ForeignKey(
        "access.Cell", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)
    # A non-content reference such as a case number ("2026-004"), shown with the kind's text.
    reference = models.CharField(max_length=40, blank=True)
    url = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"
