"""Privacy records: per-subject keys for crypto-shredding."""

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    CASE = "case", _("Case")
    SIGNAL = "signal", _("Signal")
    # The cell's own records (configuration, register entries without a case).
    CELL = "cell", _("Cell")


class SubjectKey(models.Model):
    """A case's, signal's or cell's own AES key, sealed under the cell's current field key.

    The change log seals old and new values under it; destroying it (purge, erasure) makes
    them unreadable while the rows and their hash chain stay intact.
    """

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=SubjectKind.choices)
    ref_id = models.PositiveBigIntegerField()
    # The key sealed under the cell's key; empty once destroyed.
    wrapped = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subject key")
        verbose_name_plural = _("subject keys")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "ref_id"], name="privacy_subject_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref_id}"
