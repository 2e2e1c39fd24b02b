"""Assessment by life domain, the follow-up pathway, reviews and scenario templates."""

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.privacy.fields import EncryptedCharField, EncryptedTextField


class LifeDomain(models.Model):
    """A life domain of the cell's assessments (configurable per cell; defaults in product.md)."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="life_domains")
    code = models.SlugField(_("code"), max_length=40)
    # Empty for a default domain: its name is then shown in the reader's language.
    name = models.CharField(_("name"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("life domain")
        verbose_name_plural = _("life domains")
        ordering: ClassVar = ["position", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "code"], name="life_domain_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The cell's own name, or the default domain's name in the reader's language."""
        from casus.cases.defaults import DEFAULT_LIFE_DOMAIN_LABELS

        if not self.name and self.code in DEFAULT_LIFE_DOMAIN_LABELS:
            return str(DEFAULT_LIFE_DOMAIN_LABELS[self.code])
        return self.name


class Assessment(models.Model):
    """One version of a case's assessment; a new version is saved on every change.

    "Objectify the gut feeling", never a verdict: free text first, then per life domain.
    There is no score field, on purpose.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    version = models.PositiveIntegerField()
    summary = EncryptedTextField(_("assessment in your own words"), cell="case.cell_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering: ClassVar = ["-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "version"], name="assessment_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"


class AssessmentDomain(models.Model):
    """What one assessment version says about one life domain. No field is mandatory."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="domains")
    domain = models.ForeignKey(LifeDomain, on_delete=models.PROTECT, related_name="+")
    observed_signals = EncryptedTextField(
        _("observed signals"), blank=True, cell="assessment.case.cell_id"
    )
    signal_source = EncryptedCharField(
        _("source of the signals"), max_length=200, blank=True, cell="assessment.case.cell_id"
    )
    signal_date = models.DateField(_("date of the signals"), null=True, blank=True)
    risk_factors = EncryptedTextField(_("risk factors"), blank=True, cell="assessment.case.cell_id")
    protective_factors = EncryptedTextField(
        _("protective factors"), blank=True, cell="assessment.case.cell_id"
    )
    needs = EncryptedTextField(_("needs"), blank=True, cell="assessment.case.cell_id")
    goal = EncryptedTextField(_("goal"), blank=True, cell="assessment.case.cell_id")

    class Meta:
        ordering: ClassVar = ["domain__position", "domain__name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["assessment", "domain"], name="assessment_domain_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.domain_id}"


class ExternalInstrument(models.Model):
    """A licensed instrument used outside Casus: only its name, date, assessor and conclusion."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="instruments")
    name = models.CharField(_("instrument"), max_length=80)
    used_on = models.DateField(_("date"))
    assessor = models.CharField(_("assessor"), max_length=200)
    conclusion = EncryptedTextField(_("overall conclusion"), cell="case.cell_id")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("external instrument")
        verbose_name_plural = _("external instruments")
        ordering: ClassVar = ["-used_on", "-id"]

    def __str__(self) -> str:
        return self.name


class Goal(models.Model):
    """A pathway goal, for one life domain."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="goals")
    domain = models.ForeignKey(
        LifeDomain, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = EncryptedTextField(_("goal"), cell="case.cell_id")
    is_achieved = models.BooleanField(_("achieved"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering: ClassVar = ["domain__position", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}/goal {self.pk}"


class ActionStatus(models.TextChoices):
    """Stored statuses; "overdue" is derived (due date passed, not done or cancelled)."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses in which an action can still become overdue.
OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class PathwayAction(models.Model):
    """An action of the pathway: an owner organisation, a due date and a status."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="actions")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = EncryptedTextField(_("action"), cell="case.cell_id")
    owner_organisation = models.ForeignKey(
        "access.Organisation",
        on_delete=models.PROTECT,
        related_name="pathway_actions",
        verbose_name=_("owner organisation"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering: ClassVar = ["due_on", "id"]
        indexes: ClassVar = [
            models.Index(fields=["owner_organisation", "status", "due_on"]),
            models.Index(fields=["case", "status", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/action {self.pk}"

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status in OPEN_ACTION_STATUSES and self.due_on is not None and self.due_on < today
        )


def overdue_q(prefix: str = "", today: date | None = None) -> Q:
    """Q for overdue actions (``prefix`` e.g. "actions__" from a case query)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}status__in": OPEN_ACTION_STATUSES, f"{prefix}due_on__lt": today})


class Review(models.Model):
    """A review of the pathway (usually at an operational meeting): notes and the next date."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField(_("date"))
    notes = EncryptedTextField(_("review"), cell="case.cell_id")
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering: ClassVar = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}/review {self.held_on}"


class ScenarioKind(models.TextChoices):
    PROACTIVE = "proactive", _("Proactive")
    PREVENTIVE = "preventive", _("Preventive")
    CURATIVE = "curative", _("Curative")
    REACTIVE = "reactive", _("Reactive")


class ScenarioTemplate(models.Model):
    """A scenario of the tactical table for a target group; it prefills a pathway."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="scenarios")
    kind = models.CharField(_("kind"), max_length=12, choices=ScenarioKind.choices)
    name = models.CharField(_("name"), max_length=160)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scenario template")
        verbose_name_plural = _("scenario templates")
        ordering: ClassVar = ["kind", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "name"], name="scenario_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioItem(models.Model):
    """One goal of a scenario with its first action; the owner is chosen by organisation kind."""

    template = models.ForeignKey(ScenarioTemplate, on_delete=models.CASCADE, related_name="items")
    domain = models.ForeignKey(
        LifeDomain, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    goal = models.TextField(_("goal"))
    action = models.TextField(_("first action"), blank=True)
    owner_kind = models.CharField(_("owner (kind of organisation)"), max_length=20, blank=True)
    due_in_days = models.PositiveSmallIntegerField(_("due in (days)"), default=30)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.template_id}/{self.position}"
