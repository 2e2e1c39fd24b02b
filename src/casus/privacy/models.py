"""Privacy records: per-subject keys for crypto-shredding, break-glass accesses, data-subject
requests."""

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.core.dates import add_months as add_months

from .fields import EncryptedCharField, EncryptedDateField, EncryptedTextField


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


# --- Data-subject requests (GDPR art. 15-18; product.md §6) ---------------------------------


class SubjectRequestKind(models.TextChoices):
    ACCESS = "access", _("Access (art. 15)")
    RECTIFICATION = "rectification", _("Rectification (art. 16)")
    ERASURE = "erasure", _("Erasure (art. 17)")
    RESTRICTION = "restriction", _("Restriction (art. 18)")


class SubjectRequestStatus(models.TextChoices):
    """The states of a request; the allowed moves are in ``privacy.workflow``."""

    RECEIVED = "received", _("Received")
    IN_REVIEW = "in_review", _("Compiled, in review by the organisations")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting the chair's decision")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")


class SubjectRequestOutcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PARTLY_GRANTED = "partly_granted", _("Partly granted")
    REFUSED = "refused", _("Refused")


class SubjectRequest(models.Model):
    """A person asked the cell for access to, rectification, erasure or restriction of the
    data it holds about them: numbered per cell and year ("V-2026-001"), with a legal deadline.

    The requester's identity is sealed at rest like a case subject's, with the same keyed
    hash (``identity_key``) so that compiling is an exact match on the cell's cases and
    signals. Case content is never copied here: the items name their rows by id.
    """

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind of request"), max_length=16, choices=SubjectRequestKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubjectRequestStatus.choices,
        default=SubjectRequestStatus.RECEIVED,
    )
    received_on = models.DateField(_("received on"))
    # Art. 12(3): one month, extendable by two further months with the reasons given.
    extension_months = models.PositiveSmallIntegerField(_("extension (months)"), default=0)
    extension_reason = EncryptedTextField(_("reason for the extension"), blank=True, cell="cell_id")
    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The requester.
    requester_family_name = EncryptedCharField(_("family name"), max_length=120, cell="cell_id")
    requester_given_names = EncryptedCharField(_("given names"), max_length=160, cell="cell_id")
    requester_birth_date = EncryptedDateField(
        _("birth date"), null=True, blank=True, cell="cell_id"
    )
    identity_key = models.CharField(max_length=64, editable=False)
    name_key = models.CharField(max_length=64, editable=False)
    request_text = EncryptedTextField(_("the request"), cell="cell_id")
    contact = EncryptedTextField(_("channel and contact details"), cell="cell_id")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    compiled_at = models.DateTimeField(null=True, blank=True)
    # The chair's decision.
    outcome = models.CharField(
        _("decision"), max_length=16, choices=SubjectRequestOutcome.choices, blank=True
    )
    legal_ground = EncryptedCharField(_("legal ground"), max_length=300, blank=True, cell="cell_id")
    decision_note = EncryptedTextField(_("decision note"), blank=True, cell="cell_id")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # A granted rectification: the coordinator records that the correction was made.
    rectified_at = models.DateTimeField(null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rectification_note = EncryptedTextField(_("what was corrected"), blank=True, cell="cell_id")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering: ClassVar = ["-year", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["cell", "year", "number"], name="subject_request_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(extension_months__lte=2), name="subject_request_extension_max"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["decided", "closed"]) | ~Q(outcome=""),
                name="subject_request_decided_has_outcome",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["cell", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"V-{self.year}-{self.number:03d}"

    @property
    def requester_name(self) -> str:
        return f"{self.requester_given_names} {self.requester_family_name}".strip()

    @property
    def deadline(self) -> date:
        """One month after receipt (art. 12(3)), plus the recorded extension."""
        return request_deadline(self.received_on, self.extension_months)

    @property
    def initial_deadline(self) -> date:
        return add_months(self.received_on, 1)

    @property
    def is_open(self) -> bool:
        return self.status not in {SubjectRequestStatus.DECIDED, SubjectRequestStatus.CLOSED}


def request_deadline(received_on: date, extension_months: int) -> date:
    """One month after receipt (art. 12(3)), plus the recorded extension."""
    return add_months(received_on, 1 + extension_months)


class SubjectRequestMatch(models.Model):
    """A case or signal of the cell whose subject is the requester (exact identity match).

    Ids, not foreign keys: the retention purge deletes cases and signals, and a request must
    never hold them back. ``erase`` marks those a granted erasure decided to erase.
    """

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="matches")
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    signal_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The number shown to the chair and the coordinator ("2026-004", "S-2026-0007").
    label = models.CharField(max_length=40)
    erase = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["label", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(case_id__isnull=False) | Q(signal_id__isnull=False),
                name="subject_request_match_names_a_row",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class SubjectReviewStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    DONE = "done", _("Reviewed")


class SubjectRequestReview(models.Model):
    """One contributing organisation's part of a request: its own entries, reviewed by it."""

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="reviews")
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=SubjectReviewStatus.choices, default=SubjectReviewStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["organisation__name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["request", "organisation"], name="subject_review_one_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.organisation_id}"


class SubjectItemKind(models.TextChoices):
    JOURNAL = "journal", _("Journal entry")
    ATTACHMENT = "attachment", _("Attachment")
    ASSESSMENT = "assessment", _("Assessment")
    ACTION = "action", _("Pathway action")
    SIGNAL = "signal", _("Signal")


class WithholdReason(models.TextChoices):
    RIGHTS_OF_OTHERS = "rights_of_others", _("It would affect the rights of others (art. 15(4))")
    INVESTIGATION = (
        "investigation",
        _("It would prejudice the prevention or investigation of offences (art. 23(1)(d))"),
    )
    SECRECY = "secrecy", _("Shared under professional secrecy (art. 458ter Sw.)")
    OTHER = "other", _("Another reason (see the note)")


class SubjectRequestItem(models.Model):
    """One entry of an organisation about the requester: disclose or withhold, with a reason.

    Police-only entries are never items. The row names the entry by kind and id only.
    """

    review = models.ForeignKey(SubjectRequestReview, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=12, choices=SubjectItemKind.choices)
    object_id = models.PositiveBigIntegerField()
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    # None until reviewed.
    disclose = models.BooleanField(null=True, blank=True)
    withhold_reason = models.CharField(max_length=20, choices=WithholdReason.choices, blank=True)
    withhold_note = EncryptedTextField(_("note"), blank=True, cell="review.request.cell_id")

    class Meta:
        ordering: ClassVar = ["case_id", "kind", "object_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["review", "kind", "object_id"], name="subject_item_unique"
            ),
            models.CheckConstraint(
                condition=~Q(disclose=False) | ~Q(withhold_reason=""),
                name="subject_item_withheld_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
