"""Retention: purge runs (a dry run the chair approves), the destruction log, and the
anonymised statistics that outlive what was destroyed.

None of these rows holds content: a record is named by its type, id and reference (the case
number or signal reference), a rule and a time. The destruction log and the statistics are
append-only.
"""

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.privacy.fields import EncryptedTextField


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a destruction-log or statistics row."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("append-only rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("append-only rows cannot be deleted")


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or removed."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class RecordType(models.TextChoices):
    CASE = "case", _("Case")
    SIGNAL = "signal", _("Signal")


class Rule(models.TextChoices):
    """Why a record is due: the charter's period that ran out, or an erasure decision."""

    NOT_RETAINED = "not_retained", _("Signal not retained: retention period ended")
    CLOSED = "closed", _("Closed case: retention period ended")
    MINOR = "minor", _("Minor at the time: shorter retention period ended")
    ERASURE = "erasure", _("Erasure granted on a data-subject request")


class RunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the chair's approval")
    APPROVED = "approved", _("Approved; the purge is being carried out")
    DONE = "done", _("Purge carried out")
    REJECTED = "rejected", _("Rejected by the chair")
    SUPERSEDED = "superseded", _("Replaced by a newer dry run")


class PurgeRun(models.Model):
    """A dry run: what the charter's periods make due on ``as_of``, for the chair to approve.

    Approval purges exactly the listed items (each re-checked first); nothing else.
    """

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.PROPOSED
    )
    as_of = models.DateField(_("due on"))
    charter_version = models.PositiveIntegerField(_("charter version"))
    # None: prepared by the scheduled job.
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(_("note"), blank=True, cell="cell_id")
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        ordering: ClassVar = ["-prepared_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["cell", "status"])]

    def __str__(self) -> str:
        return f"purge {self.pk} ({self.status})"


class ItemOutcome(models.TextChoices):
    PENDING = "pending", _("To be destroyed")
    HELD = "held", _("Held back")
    DESTROYED = "destroyed", _("Destroyed")
    SKIPPED = "skipped", _("No longer due: kept")


class HoldReason(models.TextChoices):
    """Why a due record is not destroyed (now): a code, never content."""

    COMING_MEETING = "coming_meeting", _("On the agenda of a meeting still to come")
    HANDOVER_PENDING = "handover_pending", _("A handover to another cell awaits its decision")
    REOPENED = "reopened", _("Reopened or active again")
    NOT_DUE = "not_due", _("No longer due under the charter")
    GONE = "gone", _("Already removed")


class PurgeItem(models.Model):
    """One record a dry run found due: to be destroyed, or held back with a reason."""

    run = models.ForeignKey(PurgeRun, on_delete=models.PROTECT, related_name="items")
    record_type = models.CharField(_("record"), max_length=8, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField()
    reference = models.CharField(_("reference"), max_length=20)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    due_on = models.DateField(_("due since"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )
    reason = models.CharField(_("reason"), max_length=20, choices=HoldReason.choices, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["record_type", "due_on", "record_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["run", "record_type", "record_id"], name="purge_item_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}"


class DestructionRecord(AppendOnlyModel):
    """The destruction log: which record went, under which rule, when — no content."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(PurgeRun, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(_("record"), max_length=8, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField(_("id"))
    reference = models.CharField(_("reference"), max_length=20)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    destroyed_at = models.DateTimeField(_("destroyed at"), default=timezone.now)
    # How many rows of each kind went with it ({"journal entries": 4, ...}): counts only.
    rows = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction log")
        ordering: ClassVar = ["-destroyed_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["cell", "destroyed_at"]),
            models.Index(fields=["cell", "record_type", "reference"]),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["record_type", "record_id"], name="destruction_record_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id} {self.rule}"


class PurgedStatistic(AppendOnlyModel):
    """What the cell's statistics need of a destroyed record, without anything that names it.

    No id, no reference, no date finer than the quarter: the figures of ``statistics_for``
    stay the same after a purge, and nobody can tell which row was whose.
    """

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=8, choices=RecordType.choices)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    # The signal's status and screening outcome, or the case's status and closure reason.
    status = models.CharField(max_length=16)
    outcome = models.CharField(max_length=24, blank=True)
    minor = models.BooleanField(default=False)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    journal_entries = models.PositiveIntegerField(default=0)
    actions = models.PositiveIntegerField(default=0)
    meeting_items = models.PositiveIntegerField(default=0)
    # Signal: days from receipt to screening; case: days from opening to closure.
    days = models.IntegerField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["cell", "record_type", "year"])]

    def __str__(self) -> str:
        return f"{self.record_type} {self.year}Q{self.quarter}"
