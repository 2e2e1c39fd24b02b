"""The case file: the case, who may see it, who takes part, its journal and attachments."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casus.privacy.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField


class CaseStatus(models.TextChoices):
    """The states of product.md §3; the allowed moves are in ``cases.workflow``."""

    ON_LIST = "on_list", _("On the case list")
    IN_DISCUSSION = "in_discussion", _("Case discussion")
    FOLLOW_UP = "follow_up", _("Follow-up pathway")
    EVALUATION = "evaluation", _("Evaluation")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    POSITIVE = "positive", _("Positive evolution")
    REGULAR_CARE = "regular_care", _("Handed to regular care")
    MOVED = "moved", _("Moved to another municipality")
    POLICE_JUDICIAL = "police_judicial", _("Handed to the police or judicial route")
    OUT_OF_PURPOSE = "out_of_purpose", _("No longer within the purpose")
    DECEASED = "deceased", _("Person deceased")


class Case(models.Model):
    """One person followed up by the cell: numbered per cell and year."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="cases")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.ON_LIST
    )
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
    identity_key = models.CharField(max_length=64, editable=False)
    # Keyed hash of the normalised name alone: exact name search by POST.
    name_key = models.CharField(max_length=64, editable=False)
    # The coordinator's summary: what the chair and invited outsiders see of the case.
    summary = EncryptedTextField(_("summary"), blank=True, cell="cell_id")
    lead_organisation = models.ForeignKey(
        "access.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_led",
        verbose_name=_("lead partner"),
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    evaluation = EncryptedTextField(_("evaluation"), blank=True, cell="cell_id")
    reopen_count = models.PositiveSmallIntegerField(default=0)
    status_changed_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering: ClassVar = ["-year", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "year", "number"], name="case_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closure_reason=""),
                name="case_closed_has_reason",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["cell", "status"]),
            models.Index(fields=["cell", "identity_key"]),
            models.Index(fields=["cell", "name_key"]),
            models.Index(fields=["cell", "next_review_on"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.year}-{self.number:03d}"

    @property
    def subject_name(self) -> str:
        return f"{self.subject_given_names} {self.subject_family_name}".strip()

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class GrantReason(models.TextChoices):
    PARTICIPATION = "participation", _("Organisation participates")
    MEETING = "meeting", _("Meeting on the agenda")
    BREAK_GLASS = "break_glass", _("Break-glass")


class CaseGrant(models.Model):
    """Who may see which case, why and when: the table every need-to-know query joins.

    A grant names an organisation (participation: every member of it) or one user (meeting
    window, break-glass). Written only by services; revoking sets ``valid_until``.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    reason = models.CharField(max_length=16, choices=GrantReason.choices)
    organisation = models.ForeignKey(
        "access.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Full dossier (journal, attachments) or only the overview and items marked for a meeting.
    dossier = models.BooleanField(default=True)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    # The row that caused it (participation, meeting invitation, break-glass request).
    source_type = models.CharField(max_length=64, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(user__isnull=False),
                name="case_grant_has_grantee",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "case", "valid_from", "valid_until"]),
            models.Index(fields=["user", "case", "valid_from", "valid_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.reason}"


class Participation(models.Model):
    """An organisation explicitly added to a case: who added it, why, when; revocable."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="participations")
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="participations"
    )
    reason = EncryptedTextField(_("why this organisation takes part"), cell="case.cell_id")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = EncryptedTextField(_("why it stops"), blank=True, cell="case.cell_id")

    class Meta:
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        ordering: ClassVar = ["added_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(revoked_at__isnull=True),
                name="participation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Visibility(models.TextChoices):
    ALL = "all", _("All case participants")
    POLICE = "police", _("Police only")
    OWN_ORGANISATION = "own_organisation", _("My organisation only")


class JournalEntry(models.Model):
    """A note in the case journal; its visibility decides who reads it (``access.rules``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="journal")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(
        _("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.ALL
    )
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    text = EncryptedTextField(_("text"), cell="case.cell_id")
    for_meeting = models.BooleanField(
        _("for the coming meeting"),
        default=False,
        help_text=_("Shown in the meeting dossier of invited participants."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering: ClassVar = ["-occurred_on", "-id"]
        indexes: ClassVar = [models.Index(fields=["case", "visibility", "organisation"])]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.pk}"


class JournalRevision(models.Model):
    """An earlier wording of a journal entry, kept when the entry is edited."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField()
    text = EncryptedTextField(cell="entry.case.cell_id")
    visibility = models.CharField(max_length=16, choices=Visibility.choices)
    occurred_on = models.DateField()
    for_meeting = models.BooleanField(default=False)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["entry", "version"], name="journal_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.version}"


class Attachment(models.Model):
    """A file in the case: stored outside the web root, served only by a checked download."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(
        _("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.ALL
    )
    # The name shown and offered for download (cleaned); the file itself has a random name.
    filename = EncryptedCharField(_("file name"), max_length=160, cell="case.cell_id")
    description = EncryptedCharField(
        _("description"), max_length=300, blank=True, cell="case.cell_id"
    )
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True, editable=False)
    # The file's own key (it is stored encrypted under it), sealed under the cell's key: a cell
    # erased or a key rotated covers the files too. Empty only for files stored before.
    file_key = EncryptedCharField(max_length=64, blank=True, editable=False, cell="case.cell_id")
    for_meeting = models.BooleanField(_("for the coming meeting"), default=False)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering: ClassVar = ["-uploaded_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["case", "visibility", "organisation"])]

    def __str__(self) -> str:
        return self.filename


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the receiving coordinator")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Handover(models.Model):
    """The minimal record a case closed as "moved" passes to the new municipality's cell.

    Only identity, the sending cell and its coordinator as contact: nothing of the file.
    """

    # None once the sending cell purged its case: the handover stays the receiving cell's record.
    from_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="handovers"
    )
    from_cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="+")
    to_cell = models.ForeignKey(
        "access.Cell", on_delete=models.PROTECT, related_name="handovers_received"
    )
    to_municipality = models.ForeignKey(
        "access.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    subject_family_name = EncryptedCharField(_("family name"), max_length=120, cell="to_cell_id")
    subject_given_names = EncryptedCharField(_("given names"), max_length=160, cell="to_cell_id")
    subject_birth_date = EncryptedDateField(
        _("birth date"), null=True, blank=True, cell="to_cell_id"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contact in the sending cell"),
    )
    status = models.CharField(
        max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The signal the acceptance created in the receiving cell (it is screened as usual).
    signal = models.OneToOneField(
        "cases.Signal", null=True, blank=True, on_delete=models.PROTECT, related_name="handover"
    )

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [models.Index(fields=["to_cell", "status"])]

    def __str__(self) -> str:
        return f"{self.from_case_id} -> {self.to_cell_id}"
