"""Case consultation (casusoverleg) under art. 458ter: meetings, agenda items, invitations,
attendance with secrecy confirmations, minutes, decisions, feedback sheets and the
information-exchange register.

Only ``meetings.services`` writes these rows; ``access.rules`` decides who sees what.
"""

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casus.privacy.fields import EncryptedCharField, EncryptedTextField


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Agenda in preparation")
    PUBLISHED = "published", _("Agenda published")
    STARTED = "started", _("In session")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """One meeting of a table; its participant list locks when it starts."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="meetings")
    table = models.ForeignKey(
        "access.Table", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("table")
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    chaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chair of the meeting"),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("secretary"),
    )
    # Invited outsiders read their item's dossier until this many days after the meeting.
    window_days = models.PositiveSmallIntegerField(
        _("item access after the meeting (days)"), default=7
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering: ClassVar = ["-starts_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["cell", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.table} {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self):  # type: ignore[no-untyped-def]
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def window_ends_at(self):  # type: ignore[no-untyped-def]
        """When invited outsiders lose access to their items' dossiers."""
        end = self.ended_at or self.ends_at
        return end + timedelta(days=self.window_days)

    @property
    def is_locked(self) -> bool:
        """The participant list is fixed once the meeting has started."""
        return self.status in (MeetingStatus.STARTED, MeetingStatus.ENDED)


class ItemKind(models.TextChoices):
    NEW_CASE = "new_case", _("New case")
    REVIEW = "review", _("Case review")
    CLOSURE = "closure", _("Proposed closure")
    POLICY = "policy", _("Policy item")


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")


class AgendaItem(models.Model):
    """One point of the agenda: a case (new, review, closure) or a policy item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    # Policy items have a title; case items are shown by case reference only.
    title = EncryptedCharField(_("title"), max_length=200, blank=True, cell="meeting.cell_id")
    minutes = EncryptedTextField(_("minutes"), blank=True, cell="meeting.cell_id")
    minutes_status = models.CharField(
        _("minutes"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    # Who was present for this item (those alone approve its minutes and its feedback sheet).
    present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("present")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering: ClassVar = ["meeting", "position", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(kind="policy") | Q(case__isnull=False), name="item_case_kind_has_case"
            ),
            models.CheckConstraint(
                condition=~Q(kind="policy") | Q(case__isnull=True), name="item_policy_has_no_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.position}"


class Invitation(models.Model):
    """A member invited for one item; the chair approved every seat (memberships, tables)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="invitations")
    membership = models.ForeignKey(
        "access.Membership", on_delete=models.PROTECT, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["item", "membership"], name="invitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.membership_id}"


class ConfirmationMethod(models.TextChoices):
    OWN_DEVICE = "own_device", _("On their own device")
    ATTENDANCE_SHEET = "attendance_sheet", _("Signed attendance sheet, recorded by the secretary")


class Attendance(models.Model):
    """A person present at a meeting and their art. 458ter confirmation."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=20, choices=ConfirmationMethod.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.user_id}"


class MinutesApproval(models.Model):
    """A person present for an item approves its minutes."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)
    # The minutes version approved: a later change of the minutes needs new approvals.
    minutes_version = models.PositiveIntegerField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["item", "user", "minutes_version"], name="minutes_approval_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.user_id}"


class Decision(models.Model):
    """A decision of an item: it becomes a pathway action and/or the case's next review."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    text = EncryptedTextField(_("decision"), cell="item.meeting.cell_id")
    action = models.OneToOneField(
        "cases.PathwayAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision",
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return f"{self.item_id}/decision {self.pk}"


class FeedbackStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_APPROVAL = "in_approval", _("Awaiting approvals")
    BLOCKED = "blocked", _("Blocked by an objection")
    APPROVED = "approved", _("Approved, ready to send")
    SENT = "sent", _("Sent")


class FeedbackSheet(models.Model):
    """A terugkoppelingsfiche to the police / local task force about one agenda item.

    Every participant present for the item approves or objects; one objection blocks it.
    """

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="feedback_sheets")
    status = models.CharField(
        max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.DRAFT
    )
    # Structured fields; no partner is obliged to write anything.
    reason = EncryptedTextField(
        _("why the cell gives feedback"), blank=True, cell="item.meeting.cell_id"
    )
    cell_assessment = EncryptedTextField(
        _("the cell's assessment"), blank=True, cell="item.meeting.cell_id"
    )
    measures = EncryptedTextField(
        _("measures taken or proposed"), blank=True, cell="item.meeting.cell_id"
    )
    request = EncryptedTextField(
        _("what the cell asks the recipient"), blank=True, cell="item.meeting.cell_id"
    )
    contact = models.CharField(_("contact person in the cell"), max_length=200, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateField(_("sent on"), null=True, blank=True)
    sent_to = models.CharField(_("recipient"), max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("feedback sheet")
        verbose_name_plural = _("feedback sheets")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"feedback {self.pk}"


class Vote(models.TextChoices):
    APPROVE = "approve", _("Approve")
    OBJECT = "object", pgettext_lazy("vote", "Object")


class FeedbackVote(models.Model):
    """One present participant's approval or objection (with a reason); one row each, so two
    votes at the same moment are both counted."""

    sheet = models.ForeignKey(FeedbackSheet, on_delete=models.PROTECT, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    vote = models.CharField(max_length=8, choices=Vote.choices)
    reason = EncryptedTextField(_("reason"), blank=True, cell="sheet.item.meeting.cell_id")
    # The sheet version voted on: an edit of the sheet asks everyone again.
    sheet_version = models.PositiveIntegerField()
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["sheet", "user", "sheet_version"], name="feedback_vote_once"
            ),
            models.CheckConstraint(
                condition=~Q(vote="object") | ~Q(reason=""), name="feedback_objection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.user_id} {self.vote}"


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("From the cell")
    INCOMING = "incoming", _("To the cell")


class Counterpart(models.TextChoices):
    LTF = "ltf", _("Local task force (LTF)")
    POLICE = "police", _("Police")
    JUSTICE = "justice", _("Public prosecutor / justice")
    OTHER = "other", _("Other")


class LegalBasis(models.TextChoices):
    ART_458TER = "458ter", _("Art. 458ter of the Criminal Code (case consultation)")
    LAW_2018 = "law_2018", _("Law of 30 July 2018 (LIVC-R)")
    POLICE_ACT = "police_act", _("Police Function Act (art. 44/1 ff.)")
    OTHER = "other", _("Other (described)")


class ExchangeEntry(models.Model):
    """What passed to or from the LTF, police or others: references only, never copies of
    police or OCAD database content."""

    cell = models.ForeignKey("access.Cell", on_delete=models.PROTECT, related_name="exchanges")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges"
    )
    feedback_sheet = models.ForeignKey(
        FeedbackSheet, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges"
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    counterpart = models.CharField(_("counterpart"), max_length=10, choices=Counterpart.choices)
    counterpart_detail = models.CharField(_("counterpart (detail)"), max_length=200, blank=True)
    occurred_on = models.DateField(_("date"))
    legal_basis = models.CharField(_("legal basis"), max_length=12, choices=LegalBasis.choices)
    legal_basis_detail = models.CharField(_("legal basis (detail)"), max_length=200, blank=True)
    reference = EncryptedCharField(
        _("reference"),
        max_length=80,
        blank=True,
        help_text=_("e.g. a PV or RIR number"),
        cell="cell_id",
    )
    subject = EncryptedCharField(
        _("what was exchanged (in a few words)"), max_length=300, blank=True, cell="cell_id"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("information exchange")
        verbose_name_plural = _("information-exchange register")
        ordering: ClassVar = ["-occurred_on", "-id"]
        indexes: ClassVar = [models.Index(fields=["cell", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.direction} {self.occurred_on}"
