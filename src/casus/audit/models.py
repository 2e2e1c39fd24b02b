"""The append-only audit trail: one row per change, login and MFA event.

Rows carry codes, ids and field names, never case content. There is no update or delete path:
the model refuses both, and a database trigger refuses them too.
"""

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """Something happened: who, when, in which cell, to which object, which fields."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    cell = models.ForeignKey(
        "access.Cell", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # The case the change belongs to (for the case's trail and, later, crypto-shredding).
    case_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    # Old and new values of the changed fields: {"field": [old, new]}. Never shown to the DPO
    # (who sees field names in ``data["fields"]`` only).
    values = models.JSONField(default=dict, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [models.Index(fields=["cell", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AccessKind(models.TextChoices):
    CASE = "case", _("Case page")
    JOURNAL = "journal", _("Journal")
    ATTACHMENT = "attachment", _("Attachment download")
    PDF = "pdf", _("PDF export")
    SEARCH = "search", _("Name search")
    SIGNAL = "signal", _("Signal")
    ASSESSMENT = "assessment", _("Assessment")
    PATHWAY = "pathway", _("Pathway")
    REGISTER = "register", _("Information-exchange register")


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("access log rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("access log rows cannot be deleted")


class AccessLog(models.Model):
    """Someone read case data, searched or exported: who, when, which object. No content."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=AccessKind.choices)
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # Codes only: the search token (keyed hash), the view's part, a result count.
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["cell", "at"]),
            models.Index(fields=["case_id", "at"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("access log rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("access log rows cannot be deleted")
