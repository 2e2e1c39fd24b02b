"""Privacy records: per-subject keys for crypto-shredding, break-glass accesses."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField


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


class BreakGlass(models.Model):
    """The chair opened one case's file outside a meeting: 24 hours, a written reason.

    The coordinator and the data-protection officer are told at once; the use is reviewed at the
    next meeting (``reviewed_at``). The access itself is a personal ``cases.CaseGrant``.
    """

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("reason"), cell="cell_id")
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = EncryptedTextField(_("review"), blank=True, cell="cell_id")

    class Meta:
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        ordering: ClassVar = ["-opened_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["cell", "reviewed_at"]),
            models.Index(fields=["case", "user", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
