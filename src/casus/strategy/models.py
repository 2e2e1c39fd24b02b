"""The strategic table (priorities, the annual action plan, the local diagnosis) and the annual
self-evaluation of a cell.

Nothing here links to a case: strategic members never see an individual case. Narrative texts
are sealed at rest under the cell's key (ADR 0019); the diagnosis's files are stored encrypted
outside the database, like case attachments, and served only through a checked view.
"""

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casus.privacy.fields import EncryptedCharField, EncryptedTextField

#: Years a plan, a finding or an evaluation may be about.
FIRST_YEAR, LAST_YEAR = 2000, 2100

_year_validators = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


class Priority(models.Model):
    """One of the strategic table's priorities for a year."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators)
    title = EncryptedCharField(_("title"), max_length=200, cell="cell_id")
    description = EncryptedTextField(_("description"), blank=True, cell="cell_id")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering: ClassVar = ["year", "order", "id"]
        indexes: ClassVar = [models.Index(fields=["cell", "year"])]

    def __str__(self) -> str:
        return self.title


class ObjectiveStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("objective status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("objective status", "In progress")
    DONE = "done", pgettext_lazy("objective status", "Done")
    DROPPED = "dropped", pgettext_lazy("objective status", "Dropped")


class Objective(models.Model):
    """An objective of the annual action plan, owned by one of the cell's organisations."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators)
    priority = models.ForeignKey(
        Priority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
        verbose_name=_("priority"),
    )
    title = EncryptedCharField(_("title"), max_length=200, cell="cell_id")
    description = EncryptedTextField(_("description"), blank=True, cell="cell_id")
    owner_organisation = models.ForeignKey(
        "access.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ObjectiveStatus.choices, default=ObjectiveStatus.PLANNED
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering: ClassVar = ["year", "priority__order", "id"]
        indexes: ClassVar = [models.Index(fields=["cell", "year"])]

    def __str__(self) -> str:
        return self.title


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a progress note."""


class ProgressNoteQuerySet(models.QuerySet["ProgressNote"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("progress notes cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("progress notes cannot be deleted")


class ProgressNote(models.Model):
    """How an objective went: an append-only note, a status change, or both."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField(_("date"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    text = EncryptedTextField(_("note"), blank=True, cell="cell_id")
    # A status change: from and to (both empty for a plain note).
    status_from = models.CharField(max_length=12, choices=ObjectiveStatus.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=ObjectiveStatus.choices, blank=True)

    objects = ProgressNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["objective", "created_at"])]

    def __str__(self) -> str:
        return f"note {self.pk} on objective {self.objective_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("progress notes cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("progress notes cannot be deleted")


class DiagnosisDocument(models.Model):
    """A document of the local diagnosis of radicalisation and polarisation, maybe with a file."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    title = EncryptedCharField(_("title"), max_length=200, cell="cell_id")
    dated_on = models.DateField(_("date"))
    summary = EncryptedTextField(_("summary"), blank=True, cell="cell_id")
    source = EncryptedCharField(_("source"), max_length=300, blank=True, cell="cell_id")
    # The file, when one was uploaded: stored encrypted under its own key, which the row keeps
    # sealed under the cell's key (as case attachments are).
    filename = EncryptedCharField(_("file name"), max_length=160, blank=True, cell="cell_id")
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    storage_name = models.CharField(max_length=100, null=True, blank=True, unique=True)
    file_key = EncryptedCharField(max_length=64, blank=True, editable=False, cell="cell_id")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("diagnosis document")
        verbose_name_plural = _("diagnosis documents")
        ordering: ClassVar = ["-dated_on", "-id"]
        indexes: ClassVar = [models.Index(fields=["cell", "dated_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def has_file(self) -> bool:
        return bool(self.storage_name)


class Finding(models.Model):
    """A finding of the local diagnosis for a year, maybe drawn from one of its documents."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators)
    theme = EncryptedCharField(_("theme"), max_length=120, cell="cell_id")
    text = EncryptedTextField(_("finding"), cell="cell_id")
    document = models.ForeignKey(
        DiagnosisDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("document"),
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering: ClassVar = ["year", "id"]
        indexes: ClassVar = [models.Index(fields=["cell", "year"])]

    def __str__(self) -> str:
        return self.theme


class EvaluationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("self-evaluation status", "Open for answers")
    CLOSED = "closed", pgettext_lazy("self-evaluation status", "Closed")


class SelfEvaluation(models.Model):
    """The cell's self-evaluation of one year: opened, answered by the members, closed."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators)
    status = models.CharField(
        _("status"), max_length=8, choices=EvaluationStatus.choices, default=EvaluationStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")
        ordering: ClassVar = ["-year"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "year"], name="self_evaluation_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"self-evaluation {self.year}"

    @property
    def is_open(self) -> bool:
        return self.status == EvaluationStatus.OPEN


class Answer(models.Model):
    """One respondent's answer to one statement: a score (none: "don't know"), a comment."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.PROTECT, related_name="answers")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    statement = models.CharField(max_length=40)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = EncryptedTextField(_("comment"), blank=True, cell="evaluation.cell_id")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["evaluation", "respondent", "statement"], name="answer_once_per_statement"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="answer_score_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"
