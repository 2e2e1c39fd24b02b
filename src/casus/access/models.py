"""Cells, organisations, people and their roles, charters and confidentiality statements.

Only ``access.services`` writes these rows; only ``access.rules`` decides what a person may do.
"""

import secrets
from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def new_security_stamp() -> str:
    """Return a fresh random stamp; changing it ends every session of the user."""
    return secrets.token_hex(16)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        """Create a user with a normalised e-mail address."""
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        """Create an installation administrator with access to Django's admin."""
        extra.update(is_staff=True, is_superuser=True, is_installation_admin=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. Roles come from memberships, never from the user row."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(
        _("interface language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff (technical admin)"), default=False)
    is_installation_admin = models.BooleanField(_("installation administrator"), default=False)
    is_knowledge_editor = models.BooleanField(_("knowledge editor"), default=False)
    is_regional_support = models.BooleanField(_("regional support"), default=False)
    active_cell = models.ForeignKey(
        "access.Cell", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    security_stamp = models.CharField(max_length=32, default=new_security_stamp, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering: ClassVar = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Sessions end when the password OR the security stamp changes (role change,
        # membership end, MFA reset): Django then refuses the session on the next request.
        key_salt = "casus.access.User.get_session_auth_hash"
        value = f"{self.password}:{self.security_stamp}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Municipality(models.Model):
    """A Belgian municipality (NIS code) that a cell covers."""

    name = models.CharField(_("name"), max_length=120)
    nis_code = models.CharField(_("NIS code"), max_length=5, unique=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Cell(models.Model):
    """One LIVC-R / CSIL-R; an intermunicipal cell covers several municipalities."""

    name = models.CharField(_("name"), max_length=160, unique=True)
    municipalities = models.ManyToManyField(
        Municipality, related_name="cells", verbose_name=_("municipalities")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("cell")
        verbose_name_plural = _("cells")
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    # Intelligence services and OCAD/OCAM are not members of a cell: no such kind exists.
    POLICE = "police", _("Police")
    PREVENTION = "prevention", _("Prevention service")
    MUNICIPAL = "municipal", _("Municipal service")
    OCMW = "ocmw", _("OCMW / CPAS")
    EDUCATION = "education", _("Education")
    YOUTH = "youth", _("Youth")
    WELFARE = "welfare", _("Welfare")
    HEALTH = "health", _("Health")
    JUSTICE_HOUSE = "justice_house", _("Justice house")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    SECURITY = "security", _("Security")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    SOCIAL = "social", _("Social welfare")
    EDUCATION = "education", _("Education")
    YOUTH = "youth", _("Youth work")
    HEALTH = "health", _("Health care")
    JUSTICE = "justice", _("Justice")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A partner organisation taking part in one cell."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CHAIR = "chair", _("Chair")
    COORDINATOR = "coordinator", _("Coordinator")
    INFORMATION_OFFICER = "information_officer", _("Information officer")
    MEMBER = "member", _("Member")
    STRATEGIC = "strategic", _("Strategic member")
    DPO = "dpo", _("Data-protection officer")
    CELL_ADMIN = "cell_admin", _("Cell administrator")


#: Roles that give access to individual cases.
CASE_ROLES = frozenset({Role.CHAIR, Role.COORDINATOR, Role.INFORMATION_OFFICER, Role.MEMBER})
#: Roles that must never be combined with a case role in the same cell.
OVERSIGHT_ROLES = frozenset({Role.DPO, Role.CELL_ADMIN})
#: Roles the law of 30 July 2018 makes mandatory before a charter can be activated.
MANDATORY_ROLES = (Role.CHAIR, Role.INFORMATION_OFFICER, Role.COORDINATOR)


class Clearance(models.TextChoices):
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")
    TOP_SECRET = "top_secret", _("Top secret")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: date | None = None) -> "MembershipQuerySet":
        """Memberships not ended whose term covers ``on`` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(ended_at__isnull=True),
            Q(term_start__lte=on),
            Q(term_end__isnull=True) | Q(term_end__gte=on),
        )


class Membership(models.Model):
    """A person's seat in a cell: one organisation, one role, a term."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)
    clearance_level = models.CharField(
        _("clearance level"), max_length=16, choices=Clearance.choices, blank=True
    )
    clearance_expiry = models.DateField(_("clearance expiry"), null=True, blank=True)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering: ClassVar = ["cell", "user__full_name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "cell"],
                condition=Q(ended_at__isnull=True),
                name="membership_one_open_per_cell",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["cell", "role"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.cell})"

    def is_current(self, on: date | None = None) -> bool:
        """Return whether the membership is open and its term covers ``on``."""
        on = on or timezone.localdate()
        return (
            self.ended_at is None
            and self.term_start <= on
            and (self.term_end is None or self.term_end >= on)
        )

    def clearance_is_valid(self, on: date | None = None) -> bool:
        """Return whether a declared clearance exists and has not expired."""
        on = on or timezone.localdate()
        return bool(self.clearance_level) and (
            self.clearance_expiry is not None and self.clearance_expiry >= on
        )


class TableKind(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    TACTICAL = "tactical", _("Tactical")
    OPERATIONAL = "operational", _("Operational")
    WORKING_GROUP = "working_group", _("Working group")


class Table(models.Model):
    """A consultation table of a cell (strategic, tactical, operational or a working group)."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="tables")
    kind = models.CharField(_("kind"), max_length=16, choices=TableKind.choices)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    seats = models.ManyToManyField(Membership, related_name="tables", blank=True)

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering: ClassVar = ["kind", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "name"], name="table_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RequestKind(models.TextChoices):
    ADD = "add", _("Add a member")
    CHANGE = "change", _("Change a membership")
    END = "end", _("End a membership")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the chair")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MembershipRequest(models.Model):
    """A membership change drafted by the cell administrator, applied when the chair approves."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="membership_requests")
    kind = models.CharField(_("kind"), max_length=8, choices=RequestKind.choices)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    clearance_level = models.CharField(
        _("clearance level"), max_length=16, choices=Clearance.choices, blank=True
    )
    clearance_expiry = models.DateField(_("clearance expiry"), null=True, blank=True)
    tables = models.ManyToManyField(Table, blank=True, related_name="+", verbose_name=_("tables"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("membership request")
        verbose_name_plural = _("membership requests")
        ordering: ClassVar = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.full_name}"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Rejected")


class Charter(models.Model):
    """The cell's charter (huishoudelijk reglement), versioned: draft, active, superseded."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="charters")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    purpose = models.TextField(_("purpose"))
    # The (joint) controllers of the processing (GDPR art. 26), named in the record of
    # processing activities and the DPIA annex.
    controllers = models.TextField(
        _("controllers"),
        blank=True,
        help_text=_(
            "Who determines the purposes and means of the processing (the joint controllers) "
            "and how they share their responsibilities."
        ),
    )
    organisations = models.ManyToManyField(
        Organisation, related_name="charters", verbose_name=_("participating organisations")
    )
    participation = models.TextField(_("roles and who takes part"))
    meeting_rules = models.TextField(_("meeting rules"))
    confidentiality_rules = models.TextField(_("confidentiality rules"))
    feedback_procedure = models.TextField(_("feedback-sheet procedure"))
    retention_not_retained_months = models.PositiveSmallIntegerField(
        _("retention of signals not retained (months)"), default=12
    )
    retention_closed_months = models.PositiveSmallIntegerField(
        _("retention of closed cases (months)"), default=60
    )
    retention_minor_months = models.PositiveSmallIntegerField(
        _("retention for minors (months)"), default=36
    )
    emergency_route = models.TextField(_("emergency route"))
    drafted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("charter")
        verbose_name_plural = _("charters")
        ordering: ClassVar = ["-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "version"], name="charter_unique_version"),
            models.UniqueConstraint(
                fields=["cell"], condition=Q(status="active"), name="charter_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cell} v{self.version}"


class StatementText(models.Model):
    """The wording of the cell's confidentiality statement, versioned."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="statement_texts")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    text = models.TextField(_("text"))
    validity_months = models.PositiveSmallIntegerField(
        _("a signature is valid for (months)"), default=12
    )
    drafted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("confidentiality statement")
        verbose_name_plural = _("confidentiality statements")
        ordering: ClassVar = ["-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cell", "version"], name="statement_unique_version"),
            models.UniqueConstraint(
                fields=["cell"], condition=Q(status="active"), name="statement_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cell} v{self.version}"


class StatementSignature(models.Model):
    """One member's signature of one statement version; valid until ``expires_at``."""

    text = models.ForeignKey(StatementText, on_delete=models.PROTECT, related_name="signatures")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="signatures")
    signed_name = models.CharField(_("name"), max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("statement signature")
        verbose_name_plural = _("statement signatures")
        ordering: ClassVar = ["-signed_at"]
        indexes: ClassVar = [models.Index(fields=["user", "text", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.signed_name} v{self.text.version}"

    def is_valid(self, at: datetime | None = None) -> bool:
        return self.expires_at > (at or timezone.now())
