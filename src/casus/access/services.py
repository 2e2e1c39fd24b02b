"""Every write to cells, organisations, memberships, charters and statements.

Each service: keyword-only, ``actor`` first, one transaction, permission checked here (again),
rules validated, one audit event in the same transaction, side effects after commit.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casus.audit.services import audit_record
from casus.core.exceptions import Forbidden, RuleViolation
from casus.privacy.keys import cell_key_create

from . import selectors
from .models import (
    CASE_ROLES,
    OVERSIGHT_ROLES,
    Cell,
    Charter,
    DocumentStatus,
    Membership,
    MembershipRequest,
    Municipality,
    Organisation,
    OrganisationKind,
    RequestKind,
    RequestStatus,
    Role,
    Sector,
    StatementSignature,
    StatementText,
    Table,
    TableKind,
    User,
    new_security_stamp,
)
from .rules import (
    Action,
    InstallationAction,
    can_installation,
    forget_memberships,
    require,
    require_installation,
)

#: The first statement of a new cell, in the language of whoever creates the cell.
DEFAULT_STATEMENT = gettext_lazy(
    "I confirm that I take part in this cell under the professional secrecy of article 458ter "
    "of the Criminal Code. I keep everything I learn here secret, use it only for the purpose "
    "set in the charter, share nothing outside the cell, and copy no meeting content into other "
    "systems. I know that every access is logged."
)


def _changed_fields(obj: Model, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``obj`` and return the names of the fields that really changed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _user_end_sessions(user: User) -> None:
    """Rotate the security stamp: every session of ``user`` ends at its next request."""
    user.security_stamp = new_security_stamp()
    user.save(update_fields=["security_stamp"])
    forget_memberships(user)


def _check_no_open_membership(*, user: User | None, cell: Cell) -> None:
    """One open membership per person and cell: a second role needs a change request."""
    if (
        user is not None
        and Membership.objects.filter(user=user, cell=cell, ended_at__isnull=True).exists()
    ):
        raise RuleViolation(
            _("This person already has a membership in this cell; request a change instead.")
        )


def _check_role_crossing(*, old_role: str, new_role: str) -> None:
    """Administrators and DPOs never hold a case role in the same cell, nor turn into one."""
    if (old_role in OVERSIGHT_ROLES and new_role in CASE_ROLES) or (
        old_role in CASE_ROLES and new_role in OVERSIGHT_ROLES
    ):
        raise RuleViolation(
            _(
                "Cell administrators and data-protection officers cannot hold a case role "
                "in the same cell."
            )
        )


def _check_role_fields(*, role: str, clearance_level: str, clearance_expiry: date | None) -> None:
    """The information officer declares a clearance level and its expiry."""
    if role == Role.INFORMATION_OFFICER and (not clearance_level or clearance_expiry is None):
        raise RuleViolation(
            _("An information officer needs a declared clearance level and its expiry date.")
        )


# --- Installation ---------------------------------------------------------------------------


def cell_create(
    *,
    actor: User,
    name: str,
    municipalities: Sequence[Municipality | tuple[str, str]],
    chair_email: str,
    chair_name: str,
    admin_email: str,
    admin_name: str,
) -> Cell:
    """Create a cell with its local-government organisation, chair, administrator, tables
    and a first confidentiality statement (which the chair may later replace).

    ``municipalities`` holds existing rows or ``(nis_code, name)`` pairs for new ones.
    """
    require_installation(actor, InstallationAction.CELL_CREATE)
    if chair_email.strip().lower() == admin_email.strip().lower():
        raise RuleViolation(_("The chair and the cell administrator must be different people."))
    if not municipalities:
        raise RuleViolation(_("A cell covers at least one municipality."))
    with transaction.atomic():
        if Cell.objects.filter(name=name).exists():
            raise RuleViolation(_("A cell with this name already exists."))
        cell = Cell.objects.create(name=name)
        # The cell's field key lives outside the database from the start (ADR 0019).
        cell_key_create(cell.pk)
        cell.municipalities.set([_municipality(item) for item in municipalities])
        local = Organisation.objects.create(
            cell=cell,
            name=_("Local government %(name)s") % {"name": name},
            kind=OrganisationKind.MUNICIPAL,
            sector=Sector.LOCAL_GOVERNMENT,
        )
        today = timezone.localdate()
        now = timezone.now()
        for email, full_name, role in (
            (chair_email, chair_name, Role.CHAIR),
            (admin_email, admin_name, Role.CELL_ADMIN),
        ):
            Membership.objects.create(
                user=_user_get_or_create(email=email, full_name=full_name),
                cell=cell,
                organisation=local,
                role=role,
                term_start=today,
                approved_by=actor,
                approved_at=now,
            )
        for kind, label in TableKind.choices:
            if kind != TableKind.WORKING_GROUP:
                Table.objects.create(cell=cell, kind=kind, name=str(label))
        StatementText.objects.create(
            cell=cell,
            version=1,
            status=DocumentStatus.ACTIVE,
            text=str(DEFAULT_STATEMENT),
            approved_by=actor,
            approved_at=now,
        )
        # The case configuration (life domains) belongs to the cases app.
        from casus.cases.services.setup import cell_case_defaults_create

        cell_case_defaults_create(cell=cell)
        audit_record(actor=actor, action="CELL_CREATED", cell=cell, obj=cell)
    return cell


def _municipality(item: Municipality | tuple[str, str]) -> Municipality:
    if isinstance(item, Municipality):
        return item
    nis_code, name = item
    municipality, created = Municipality.objects.get_or_create(
        nis_code=nis_code, defaults={"name": name}
    )
    if not created and municipality.name != name:
        raise RuleViolation(
            _("NIS code %(code)s belongs to %(name)s.")
            % {"code": nis_code, "name": municipality.name}
        )
    return municipality


def cell_admin_appoint(
    *, actor: User, cell: Cell, email: str, full_name: str, organisation: Organisation
) -> Membership:
    """Appoint a cell administrator (installation administrators only)."""
    require_installation(actor, InstallationAction.CELL_ADMIN_APPOINT)
    if organisation.cell_id != cell.pk:
        raise Forbidden("organisation")
    with transaction.atomic():
        user = _user_get_or_create(email=email, full_name=full_name)
        _check_no_open_membership(user=user, cell=cell)
        membership = Membership.objects.create(
            user=user,
            cell=cell,
            organisation=organisation,
            role=Role.CELL_ADMIN,
            term_start=timezone.localdate(),
            approved_by=actor,
            approved_at=timezone.now(),
        )
        audit_record(actor=actor, action="CELL_ADMIN_APPOINTED", cell=cell, obj=membership)
    return membership


def user_mfa_reset(*, actor: User, user: User) -> None:
    """Remove every second factor of ``user`` and end their sessions (lost device)."""
    from allauth.mfa.models import Authenticator

    require_installation(actor, InstallationAction.CELL_CREATE)
    if actor.pk == user.pk:
        raise RuleViolation(_("You cannot reset your own second factor."))
    with transaction.atomic():
        Authenticator.objects.filter(user=user).delete()
        _user_end_sessions(user)
        audit_record(actor=actor, action="MFA_RESET", obj=user)


def _user_get_or_create(*, email: str, full_name: str) -> User:
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
    return user


# --- Organisations and tables (drafted by the cell administrator) ---------------------------


def organisation_create(
    *, actor: User, cell: Cell, name: str, kind: str, sector: str
) -> Organisation:
    """Add an organisation to the cell."""
    require(actor, Action.SETUP_DRAFT, cell)
    with transaction.atomic():
        if Organisation.objects.filter(cell=cell, name=name).exists():
            raise RuleViolation(_("An organisation with this name already exists in this cell."))
        organisation = Organisation.objects.create(cell=cell, name=name, kind=kind, sector=sector)
        audit_record(actor=actor, action="ORGANISATION_CREATED", cell=cell, obj=organisation)
    return organisation


def organisation_update(*, actor: User, organisation: Organisation, **values: Any) -> Organisation:
    """Change an organisation's name, kind, sector or active flag."""
    require(actor, Action.SETUP_DRAFT, organisation.cell_id)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        clash = Organisation.objects.filter(cell_id=organisation.cell_id, name=values.get("name"))
        if "name" in values and clash.exclude(pk=organisation.pk).exists():
            raise RuleViolation(_("An organisation with this name already exists in this cell."))
        changed = _changed_fields(organisation, values)
        if changed:
            organisation.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="ORGANISATION_UPDATED",
                cell=organisation.cell,
                obj=organisation,
                data={"fields": changed},
            )
    return organisation


def table_create(*, actor: User, cell: Cell, kind: str, name: str, description: str = "") -> Table:
    """Add a table or working group to the cell (its seats come with membership requests)."""
    require(actor, Action.SETUP_DRAFT, cell)
    with transaction.atomic():
        if Table.objects.filter(cell=cell, name=name).exists():
            raise RuleViolation(_("A table with this name already exists in this cell."))
        table = Table.objects.create(cell=cell, kind=kind, name=name, description=description)
        audit_record(actor=actor, action="TABLE_CREATED", cell=cell, obj=table)
    return table


def table_update(*, actor: User, table: Table, **values: Any) -> Table:
    """Rename, describe or (de)activate a table."""
    require(actor, Action.SETUP_DRAFT, table.cell_id)
    with transaction.atomic():
        table = Table.objects.select_for_update().get(pk=table.pk)
        clash = Table.objects.filter(cell_id=table.cell_id, name=values.get("name"))
        if "name" in values and clash.exclude(pk=table.pk).exists():
            raise RuleViolation(_("A table with this name already exists in this cell."))
        changed = _changed_fields(table, values)
        if changed:
            table.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="TABLE_UPDATED",
                cell=table.cell,
                obj=table,
                data={"fields": changed},
            )
    return table


# --- Memberships: the administrator drafts, the chair approves -----------------------------


def membership_request_create(
    *,
    actor: User,
    cell: Cell,
    kind: str,
    membership: Membership | None = None,
    email: str = "",
    full_name: str = "",
    organisation: Organisation | None = None,
    role: str = "",
    term_start: date | None = None,
    term_end: date | None = None,
    clearance_level: str = "",
    clearance_expiry: date | None = None,
    tables: Iterable[Table] = (),
    reason: str = "",
) -> MembershipRequest:
    """Draft a membership addition, change or end for the chair to decide."""
    require(actor, Action.SETUP_DRAFT, cell)
    tables = list(tables)
    if organisation is not None and organisation.cell_id != cell.pk:
        raise Forbidden("organisation")
    if any(table.cell_id != cell.pk for table in tables):
        raise Forbidden("table")
    if kind == RequestKind.ADD:
        if organisation is None or not role or term_start is None or not email:
            raise RuleViolation(
                _("A new member needs an e-mail address, organisation, role and term start.")
            )
        email = email.strip().lower()
        _check_no_open_membership(user=User.objects.filter(email=email).first(), cell=cell)
    else:
        if membership is None or membership.cell_id != cell.pk or membership.ended_at:
            raise RuleViolation(_("Choose a current membership of this cell."))
        email, full_name = membership.user.email, membership.user.full_name
        if kind == RequestKind.CHANGE:
            organisation = organisation or membership.organisation
            role = role or membership.role
            term_start = term_start or membership.term_start
            _check_role_crossing(old_role=membership.role, new_role=role)
    if kind in (RequestKind.ADD, RequestKind.CHANGE):
        _check_role_fields(
            role=role, clearance_level=clearance_level, clearance_expiry=clearance_expiry
        )
        if term_end is not None and term_start is not None and term_end < term_start:
            raise RuleViolation(_("The term cannot end before it starts."))
    with transaction.atomic():
        pending = MembershipRequest.objects.filter(
            cell=cell, email=email, status=RequestStatus.PENDING
        )
        if pending.exists():
            raise RuleViolation(
                _("A request for this person is already awaiting the chair's decision.")
            )
        request = MembershipRequest.objects.create(
            cell=cell,
            kind=kind,
            membership=membership,
            email=email,
            full_name=full_name,
            organisation=organisation,
            role=role,
            term_start=term_start,
            term_end=term_end,
            clearance_level=clearance_level,
            clearance_expiry=clearance_expiry,
            reason=reason,
            requested_by=actor,
        )
        request.tables.set(tables)
        audit_record(
            actor=actor,
            action="MEMBERSHIP_REQUESTED",
            cell=cell,
            obj=request,
            data={"kind": kind, "role": role},
        )
    return request


def _may_decide(actor: User, request: MembershipRequest) -> None:
    """The chair decides; nobody decides a request they drafted or that concerns them.

    Permission first, so that someone who may not decide at all (a cell administrator looking
    at their own draft) is refused like any other outsider, before any rule is explained.
    """
    chair_request = request.role == Role.CHAIR or (
        request.membership is not None and request.membership.role == Role.CHAIR
    )
    other_chairs = (
        Membership.objects.current()
        .filter(cell=request.cell, role=Role.CHAIR)
        .exclude(user__email=request.email)
    )
    # Bootstrap: when no other chair can decide about a chair seat, the installation does.
    bootstrap = (
        chair_request
        and not other_chairs.exists()
        and can_installation(actor, InstallationAction.CELL_ADMIN_APPOINT)
    )
    if not bootstrap:
        require(actor, Action.SETUP_APPROVE, request.cell)
    if actor.pk == request.requested_by_id or actor.email == request.email:
        raise RuleViolation(_("Nobody approves their own change: another person must decide."))


def membership_request_decide(
    *, actor: User, request: MembershipRequest, approve: bool, note: str = ""
) -> MembershipRequest:
    """Approve (and apply) or reject a pending membership request."""
    _may_decide(actor, request)
    with transaction.atomic():
        request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.PENDING:
            raise RuleViolation(_("This request has already been decided."))
        request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        membership = _membership_apply(actor=actor, request=request) if approve else None
        audit_record(
            actor=actor,
            action="MEMBERSHIP_APPROVED" if approve else "MEMBERSHIP_REJECTED",
            cell=request.cell,
            obj=request,
            data={"kind": request.kind, "membership": membership.pk if membership else None},
        )
    if membership is not None and request.kind == RequestKind.ADD:
        new_member, cell_name = membership.user, request.cell.name
        transaction.on_commit(lambda: _notify_new_member(user=new_member, cell_name=cell_name))
    return request


def _membership_apply(*, actor: User, request: MembershipRequest) -> Membership:
    now = timezone.now()
    if request.kind == RequestKind.ADD:
        user = _user_get_or_create(email=request.email, full_name=request.full_name)
        _check_no_open_membership(user=user, cell=request.cell)
        if request.organisation is None:
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        if request.term_start is None:
            raise RuntimeError("an invariant of this code")  # not input: a broken invariant
        membership = Membership.objects.create(
            user=user,
            cell=request.cell,
            organisation=request.organisation,
            role=request.role,
            term_start=request.term_start,
            term_end=request.term_end,
            clearance_level=request.clearance_level,
            clearance_expiry=request.clearance_expiry,
            approved_by=actor,
            approved_at=now,
        )
        membership.tables.set(request.tables.all())
        return membership
    if request.membership is None:
        raise RuntimeError("an invariant of this code")  # not input: a broken invariant
    membership = Membership.objects.select_for_update().get(pk=request.membership.pk)
    if membership.ended_at is not None:
        raise RuleViolation(_("This membership has already ended."))
    if request.kind == RequestKind.CHANGE:
        _check_role_crossing(old_role=membership.role, new_role=request.role)
    if request.kind == RequestKind.END:
        membership.ended_at = now
        membership.save(update_fields=["ended_at"])
        _user_end_sessions(membership.user)
        return membership
    changed = _changed_fields(
        membership,
        {
            "organisation_id": request.organisation_id,
            "role": request.role,
            "term_start": request.term_start,
            "term_end": request.term_end,
            "clearance_level": request.clearance_level,
            "clearance_expiry": request.clearance_expiry,
        },
    )
    membership.approved_by, membership.approved_at = actor, now
    membership.save(update_fields=[*changed, "approved_by", "approved_at"])
    membership.tables.set(request.tables.all())
    if {"role", "organisation_id"} & set(changed):
        _user_end_sessions(membership.user)
    return membership


def _notify_new_member(*, user: User, cell_name: str) -> None:
    """Tell a new member how to log in, in their language; no case content, ever."""
    login_url = settings.CASUS_BASE_URL.rstrip("/") + reverse("account_login")
    with translation.override(user.language):
        send_mail(
            subject=_("[Casus] Your access to %(cell)s") % {"cell": cell_name},
            message=_(
                "You have been added as a member of %(cell)s in Casus.\n\n"
                "Open %(url)s, choose 'Forgot your password?' to set your password, then log "
                "in and set up your second factor.\n"
            )
            % {"cell": cell_name, "url": login_url},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )


def membership_request_withdraw(*, actor: User, request: MembershipRequest) -> MembershipRequest:
    """Withdraw a pending request before the chair decides."""
    require(actor, Action.SETUP_DRAFT, request.cell_id)
    with transaction.atomic():
        request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.PENDING:
            raise RuleViolation(_("This request has already been decided."))
        request.status = RequestStatus.WITHDRAWN
        request.save(update_fields=["status"])
        audit_record(actor=actor, action="MEMBERSHIP_WITHDRAWN", cell=request.cell, obj=request)
    return request


# --- Charter -------------------------------------------------------------------------------

CHARTER_FIELDS = (
    "purpose",
    "controllers",
    "participation",
    "meeting_rules",
    "confidentiality_rules",
    "feedback_procedure",
    "retention_not_retained_months",
    "retention_closed_months",
    "retention_minor_months",
    "emergency_route",
)


def charter_draft_create(
    *, actor: User, cell: Cell, organisations: Iterable[Organisation], **values: Any
) -> Charter:
    """Start a new charter version as a draft."""
    require(actor, Action.SETUP_DRAFT, cell)
    organisations = list(organisations)
    if any(org.cell_id != cell.pk for org in organisations):
        raise Forbidden("organisation")
    with transaction.atomic():
        Cell.objects.select_for_update().get(pk=cell.pk)  # serialise version numbers
        version = (cell.charters.aggregate(v=Max("version"))["v"] or 0) + 1
        charter = Charter.objects.create(cell=cell, version=version, drafted_by=actor, **values)
        charter.organisations.set(organisations)
        audit_record(
            actor=actor, action="CHARTER_DRAFTED", cell=cell, obj=charter, data={"version": version}
        )
    return charter


def charter_draft_update(
    *, actor: User, charter: Charter, organisations: Iterable[Organisation], **values: Any
) -> Charter:
    """Edit a draft charter; active and superseded versions never change."""
    require(actor, Action.SETUP_DRAFT, charter.cell_id)
    organisations = list(organisations)
    if any(org.cell_id != charter.cell_id for org in organisations):
        raise Forbidden("organisation")
    with transaction.atomic():
        charter = Charter.objects.select_for_update().get(pk=charter.pk)
        if charter.status != DocumentStatus.DRAFT:
            raise RuleViolation(_("Only a draft can be edited; start a new version instead."))
        changed = _changed_fields(charter, values)
        if changed:
            charter.save(update_fields=changed)
        if set(charter.organisations.all()) != set(organisations):
            charter.organisations.set(organisations)
            changed.append("organisations")
        if changed:
            audit_record(
                actor=actor,
                action="CHARTER_UPDATED",
                cell=charter.cell,
                obj=charter,
                data={"fields": changed},
            )
    return charter


def charter_activate(*, actor: User, charter: Charter) -> Charter:
    """Adopt a draft: the chair approves, the mandatory roles must be filled."""
    require(actor, Action.SETUP_APPROVE, charter.cell_id)
    with transaction.atomic():
        charter = Charter.objects.select_for_update().get(pk=charter.pk)
        if charter.status != DocumentStatus.DRAFT:
            raise RuleViolation(_("Only a draft can be activated."))
        if charter.drafted_by_id == actor.pk:
            raise RuleViolation(_("Nobody approves their own change: another person must decide."))
        missing = selectors.mandatory_roles_missing(cell=charter.cell)
        if missing:
            names = ", ".join(str(role.label) for role in missing)
            raise RuleViolation(
                _(
                    "The charter cannot be activated: these mandatory roles are not filled by a "
                    "current member: %(roles)s. Ask the cell administrator to add them first."
                )
                % {"roles": names}
            )
        Charter.objects.filter(cell_id=charter.cell_id, status=DocumentStatus.ACTIVE).update(
            status=DocumentStatus.SUPERSEDED
        )
        charter.status = DocumentStatus.ACTIVE
        charter.adopted_on = timezone.localdate()
        charter.adopted_by = actor
        charter.save(update_fields=["status", "adopted_on", "adopted_by"])
        audit_record(
            actor=actor,
            action="CHARTER_ACTIVATED",
            cell=charter.cell,
            obj=charter,
            data={"version": charter.version},
        )
    return charter


def charter_reject(*, actor: User, charter: Charter, note: str) -> Charter:
    """Send a draft back with a note; it can no longer be activated."""
    require(actor, Action.SETUP_APPROVE, charter.cell_id)
    with transaction.atomic():
        charter = Charter.objects.select_for_update().get(pk=charter.pk)
        if charter.status != DocumentStatus.DRAFT:
            raise RuleViolation(_("Only a draft can be rejected."))
        charter.status = DocumentStatus.REJECTED
        charter.decision_note = note
        charter.save(update_fields=["status", "decision_note"])
        audit_record(actor=actor, action="CHARTER_REJECTED", cell=charter.cell, obj=charter)
    return charter


# --- Confidentiality statement -------------------------------------------------------------


def statement_draft_create(
    *, actor: User, cell: Cell, text: str, validity_months: int
) -> StatementText:
    """Draft a new wording of the confidentiality statement."""
    require(actor, Action.SETUP_DRAFT, cell)
    with transaction.atomic():
        Cell.objects.select_for_update().get(pk=cell.pk)
        version = (cell.statement_texts.aggregate(v=Max("version"))["v"] or 0) + 1
        statement = StatementText.objects.create(
            cell=cell,
            version=version,
            text=text,
            validity_months=validity_months,
            drafted_by=actor,
        )
        audit_record(
            actor=actor,
            action="STATEMENT_DRAFTED",
            cell=cell,
            obj=statement,
            data={"version": version},
        )
    return statement


def statement_draft_update(
    *, actor: User, statement: StatementText, text: str, validity_months: int
) -> StatementText:
    """Edit a draft statement text."""
    require(actor, Action.SETUP_DRAFT, statement.cell_id)
    with transaction.atomic():
        statement = StatementText.objects.select_for_update().get(pk=statement.pk)
        if statement.status != DocumentStatus.DRAFT:
            raise RuleViolation(_("Only a draft can be edited; start a new version instead."))
        changed = _changed_fields(statement, {"text": text, "validity_months": validity_months})
        if changed:
            statement.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="STATEMENT_UPDATED",
                cell=statement.cell,
                obj=statement,
                data={"fields": changed},
            )
    return statement


def statement_activate(*, actor: User, statement: StatementText) -> StatementText:
    """Adopt a new wording: every member must sign it again before their next page."""
    require(actor, Action.SETUP_APPROVE, statement.cell_id)
    with transaction.atomic():
        statement = StatementText.objects.select_for_update().get(pk=statement.pk)
        if statement.status != DocumentStatus.DRAFT:
            raise RuleViolation(_("Only a draft can be activated."))
        if statement.drafted_by_id == actor.pk:
            raise RuleViolation(_("Nobody approves their own change: another person must decide."))
        StatementText.objects.filter(
            cell_id=statement.cell_id, status=DocumentStatus.ACTIVE
        ).update(status=DocumentStatus.SUPERSEDED)
        statement.status = DocumentStatus.ACTIVE
        statement.approved_by = actor
        statement.approved_at = timezone.now()
        statement.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(
            actor=actor,
            action="STATEMENT_ACTIVATED",
            cell=statement.cell,
            obj=statement,
            data={"version": statement.version},
        )
    return statement


def statement_reject(*, actor: User, statement: StatementText, note: str) -> StatementText:
    """Refuse a drafted wording."""
    require(actor, Action.SETUP_APPROVE, statement.cell_id)
    with transaction.atomic():
        statement = StatementText.objects.select_for_update().get(pk=statement.pk)
        if statement.status != DocumentStatus.DRAFT:
            raise RuleViolation(_("Only a draft can be rejected."))
        statement.status = DocumentStatus.REJECTED
        statement.decision_note = note
        statement.save(update_fields=["status", "decision_note"])
        audit_record(actor=actor, action="STATEMENT_REJECTED", cell=statement.cell, obj=statement)
    return statement


def statement_sign(*, actor: User, cell: Cell, signed_name: str) -> StatementSignature:
    """Sign the cell's current statement; valid for its term, at most to the membership's end."""
    membership = require(actor, Action.STATEMENT_SIGN, cell)
    if " ".join(signed_name.split()).casefold() != " ".join(actor.full_name.split()).casefold():
        raise RuleViolation(_("Type your full name exactly as it is known to the cell."))
    with transaction.atomic():
        statement = selectors.statement_active(cell=cell)
        if statement is None:
            raise RuleViolation(_("This cell has no active confidentiality statement yet."))
        now = timezone.now()
        expires_at = now + timedelta(days=round(30.44 * statement.validity_months))
        if membership.term_end is not None:
            day_after = membership.term_end + timedelta(days=1)
            expires_at = min(expires_at, timezone.make_aware(datetime.combine(day_after, time())))
        signature = StatementSignature.objects.create(
            text=statement,
            user=actor,
            signed_name=actor.full_name,
            signed_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="STATEMENT_SIGNED",
            cell=cell,
            obj=signature,
            data={"version": statement.version},
        )
    return signature


# --- Personal settings ---------------------------------------------------------------------


def user_set_language(*, actor: User, language: str) -> None:
    """Remember the interface language the person chose."""
    if language not in dict(settings.LANGUAGES):
        raise RuleViolation(_("This language is not available."))
    with transaction.atomic():
        if actor.language != language:
            actor.language = language
            actor.save(update_fields=["language"])
            audit_record(actor=actor, action="LANGUAGE_CHANGED", obj=actor, data={"to": language})


def user_choose_cell(*, actor: User, cell: Cell) -> Membership:
    """Make ``cell`` the active one; every later page is scoped by it."""
    membership = require(actor, Action.CELL_ENTER, cell)
    with transaction.atomic():
        if actor.active_cell_id != cell.pk:
            actor.active_cell = cell
            actor.save(update_fields=["active_cell"])
            audit_record(actor=actor, action="CELL_CHOSEN", cell=cell, obj=actor)
    return membership
