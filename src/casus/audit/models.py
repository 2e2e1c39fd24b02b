"""The append-only audit trail: one row per change, login and MFA event, and per read.

Rows carry codes, ids and field names, never case content; old and new values are sealed under
the case's own key. There is no update or delete path: the model refuses both, and a database
trigger refuses them too. Every row is a link of its cell's hash chain (``chain.py``), and each
day's head is signed (``DaySeal``), so a change made behind the application's back shows.
"""

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Associated data of sealed change-log values.
VALUES_PURPOSE = "audit.values"


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class ChainLink(models.Model):
    """Position and hash of a row in its cell's chain (chain 0: installation-wide events)."""

    chain = models.PositiveBigIntegerField(editable=False)
    seq = models.PositiveBigIntegerField(editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True


class AuditEvent(ChainLink):
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
    # The case (or, before there is one, the signal) the change belongs to: its trail, and the
    # key its values are sealed under.
    case_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    signal_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    # Old and new values of the changed fields, {"field": [old, new]} as JSON, sealed under the
    # case's (or signal's, else the cell's) key. Never shown to the DPO, who sees field names in
    # ``data["fields"]`` only; unreadable once the case key is destroyed.
    values_sealed = models.TextField(blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [models.Index(fields=["cell", "at"])]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")
        ]

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
    EXPORT = "export", _("Export")


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("access log rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("access log rows cannot be deleted")


class AccessLog(ChainLink):
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
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_access_chain_seq")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("access log rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("access log rows cannot be deleted")


class ChainHead(models.Model):
    """The last link of one chain: written under a row lock, so concurrent writers never fork."""

    chain = models.PositiveBigIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return f"{self.chain}:{self.seq}"


class DaySealQuerySet(models.QuerySet["DaySeal"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("day seals cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("day seals cannot be deleted")


class DaySeal(models.Model):
    """A chain's head at the end of a day, signed with a key kept outside the database."""

    chain = models.PositiveBigIntegerField()
    day = models.DateField()
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DaySealQuerySet.as_manager()

    class Meta:
        verbose_name = _("day seal")
        verbose_name_plural = _("day seals")
        ordering: ClassVar = ["chain", "day"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["chain", "day"], name="audit_day_seal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.chain} {self.day}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("day seals cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("day seals cannot be deleted")
