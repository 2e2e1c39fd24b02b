"""A signal (aanmelding) and its pre-screening and chair decision."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.privacy.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField


class SignalStatus(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting screening")
    PROPOSED = "proposed", _("Proposed to the chair")
    NOT_RETAINED = "not_retained", _("Not retained")
    RETAINED = "retained", _("On the case list")
    JOINED = "joined", _("Joined to an existing case")


class ScreeningOutcome(models.TextChoices):
    """The coded screening outcomes of product.md's appendix."""

    ORDINARY_CARE = "ordinary_care", _("Not retained: ordinary need for care")
    NO_SIGNS = "no_signs", _("Not retained: no signs of radicalisation")
    FOLLOWED_ELSEWHERE = "followed_elsewhere", _("Not retained: already followed elsewhere")
    PROPOSED = "proposed", _("Proposed to the chair")


class Signal(models.Model):
    """Something a member (or an outside reporter, through the coordinator) is worried about.

    The reporter only ever learns "received" and "handled on <date>"; the rest is for the
    coordinator and the information officer, and for the chair once proposed.
    """

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="signals")
    reference = models.CharField(_("reference"), max_length=20)
    status = models.CharField(
        _("status"), max_length=16, choices=SignalStatus.choices, default=SignalStatus.RECEIVED
    )
    # Who reported. ``reported_by`` is the member who submitted it, or None when the coordinator
    # entered it for an outside reporter (``entered_by`` is always set).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signals_reported",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source_organisation = models.ForeignKey(
        "access.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source organisation"),
    )
    # An outside reporter, described in words (e.g. "a neighbour", "sports club").
    source_description = EncryptedCharField(_("source"), max_length=200, blank=True, cell="cell_id")
    source_anonymous = models.BooleanField(
        _("source stays anonymous"),
        default=False,
        help_text=_("Only the coordinator and the information officer see the source."),
    )
    # The subject.
    subject_family_name = EncryptedCharField(_("family name"), max_length=120, cell="cell_id")
    subject_given_names = EncryptedCharField(_("given names"), max_length=160, cell="cell_id")
    subject_birth_date = EncryptedDateField(_("birth date"), null=True, blank=True, cell="cell_id")
    subject_municipality = models.ForeignKey(
        "access.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    # Keyed hash of the normalised identity: exact-match duplicate check without reading names.
    identity_key = models.CharField(max_length=64, editable=False)
    # Keyed hash of the normalised name alone: exact name search by POST.
    name_key = models.CharField(max_length=64, editable=False)
    # What was seen and why it worries.
    observed_on = models.DateField(_("date observed"))
    observed_behaviour = EncryptedTextField(_("observed behaviour"), cell="cell_id")
    concern = EncryptedTextField(_("why it worries"), cell="cell_id")
    received_at = models.DateTimeField(default=timezone.now)
    # Pre-screening: both opinions recorded.
    coordinator_opinion = EncryptedTextField(_("coordinator's opinion"), blank=True, cell="cell_id")
    coordinator_opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer_opinion = EncryptedTextField(
        _("information officer's opinion"), blank=True, cell="cell_id"
    )
    officer_opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    screening_outcome = models.CharField(
        _("screening outcome"), max_length=24, choices=ScreeningOutcome.choices, blank=True
    )
    screening_summary = EncryptedTextField(_("screening summary"), blank=True, cell="cell_id")
    referral = EncryptedTextField(_("referral to regular services"), blank=True, cell="cell_id")
    # The social-map offer a not-retained signal was referred to. PROTECT: offers are archived,
    # never deleted, and the referral must keep pointing at what was offered then.
    referred_offer = models.ForeignKey(
        "socialmap.Offer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred to offer"),
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    # The chair's decision on a proposed signal.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(_("decision note"), blank=True, cell="cell_id")
    # The case it opened, joined or reopened.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="signals"
    )
    # When the reporter's view turns from "received" into "handled on <date>".
    handled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering: ClassVar = ["-received_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "reference"], name="signal_unique_reference"),
            models.CheckConstraint(
                condition=~Q(status="joined") | Q(case__isnull=False),
                name="signal_joined_has_case",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["cell", "status"]),
            models.Index(fields=["cell", "identity_key"]),
            models.Index(fields=["cell", "name_key"]),
            models.Index(fields=["reported_by", "received_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def subject_name(self) -> str:
        return f"{self.subject_given_names} {self.subject_family_name}".strip()

    @property
    def is_handled(self) -> bool:
        return self.handled_at is not None
