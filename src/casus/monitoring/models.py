"""Monitoring: the frozen figures of ended quarters, their published (suppressed) tables, and
the regional support bodies cells opt in to.

``QuarterFigures`` and ``PublishedTable`` are append-only: a quarter's figures never change once
frozen, so comparing what was shown on different days reveals nothing.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.retention.models import AppendOnlyModel


class QuarterFigures(AppendOnlyModel):
    """One cell's figures of one ended quarter, frozen once (counts and duration lists)."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    frozen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("frozen quarter figures")
        verbose_name_plural = _("frozen quarter figures")
        ordering: ClassVar = ["cell", "year", "quarter"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["cell", "year", "quarter"], name="quarter_figures_once"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="quarter_figures_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cell_id} {self.year}Q{self.quarter}"


class RegionalBody(models.Model):
    """A support body (e.g. a regional association of municipalities) cells may opt in to."""

    name = models.CharField(_("name"), max_length=160, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("regional support body")
        verbose_name_plural = _("regional support bodies")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class RegionalSupporter(models.Model):
    """A regional support person working for a body; removal keeps the row (history)."""

    body = models.ForeignKey(RegionalBody, on_delete=models.PROTECT, related_name="supporters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["body", "appointed_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["body", "user"],
                condition=Q(removed_at__isnull=True),
                name="regional_supporter_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.body_id}"


class CellOptIn(models.Model):
    """A cell's consent (by its chair) to count in a body's aggregates; opting out closes it.
    A cell counts in at most one body at a time (ADR 0027)."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(RegionalBody, on_delete=models.PROTECT, related_name="opt_ins")
    opted_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opted_in_at = models.DateTimeField(default=timezone.now)
    opted_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opted_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-opted_in_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["cell", "body"],
                condition=Q(opted_out_at__isnull=True),
                name="cell_opt_in_one_open",
            ),
            # One body at a time: with overlapping bodies (A, B, C in one; A, B, C, D in the
            # other) the difference of two regional totals is cell D's exact figures.
            models.UniqueConstraint(
                fields=["cell"],
                condition=Q(opted_out_at__isnull=True),
                name="cell_opt_in_one_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cell_id} -> {self.body_id}"


class PublishedTable(AppendOnlyModel):
    """The suppressed table of a cell (or a body) over its frozen quarters up to ``through``:
    computed once by ``suppression.protect`` and reused by every page and export."""

    cell = models.ForeignKey(
        "access.Cell", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        RegionalBody, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    through = models.CharField(max_length=8)  # the last quarter included, "2025Q3"
    # {key: [value or null, mark]}; the exact values of withheld figures are not stored.
    published = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(cell__isnull=True) ^ Q(body__isnull=True),
                name="published_table_one_scope",
            ),
            models.UniqueConstraint(
                fields=["cell", "through"],
                condition=Q(cell__isnull=False),
                name="published_table_cell_once",
            ),
            models.UniqueConstraint(
                fields=["body", "through"],
                condition=Q(body__isnull=False),
                name="published_table_body_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cell_id or self.body_id} {self.through}"
