"""Every write of access.services: the allowed path, each refusal, and its one audit row."""

import datetime
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.utils import timezone, translation

from casus.access import services
from casus.access.models import (
    Cell,
    Charter,
    DocumentStatus,
    Membership,
    MembershipRequest,
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
)
from casus.access.rules import forget_memberships
from casus.core.exceptions import Forbidden, RuleViolation
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    enrol_totp,
)
from tests.helpers import ANY, no_audit_events, one_audit_event, refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Match refusals against the English messages (the default language is Dutch)."""
    with translation.override("en"):
        yield


def org(cell: Cell, name: str) -> Organisation:
    return Organisation.objects.get(cell=cell, name=name)


def charter_values(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "purpose": "Early detection of radicalisation processes.",
        "participation": "Chair, coordinator, information officer, partners.",
        "meeting_rules": "Monthly, participants fixed beforehand.",
        "confidentiality_rules": "Art. 458ter Sw.",
        "feedback_procedure": "Unanimous approval by the item's participants.",
        "emergency_route": "Call the police.",
    }
    values.update(overrides)
    return values


def add_request(world, *, email: str, role: str = Role.MEMBER, **extra) -> MembershipRequest:
    """The cell administrator of cell A drafts an ADD request."""
    values = {
        "organisation": org(world.cell_a, "School A"),
        "term_start": timezone.localdate(),
        "full_name": "New Person",
    }
    values.update(extra)
    return services.membership_request_create(
        actor=world.cell_admin,
        cell=world.cell_a,
        kind=RequestKind.ADD,
        email=email,
        role=role,
        **values,
    )


def change_request(world, user: User, *, actor: User | None = None, **values) -> MembershipRequest:
    return services.membership_request_create(
        actor=actor or world.cell_admin,
        cell=world.cell_a,
        kind=RequestKind.CHANGE,
        membership=world.membership(user),
        **values,
    )


def end_request(world, user: User, *, actor: User | None = None) -> MembershipRequest:
    return services.membership_request_create(
        actor=actor or world.cell_admin,
        cell=world.cell_a,
        kind=RequestKind.END,
        membership=world.membership(user),
        reason="Left the organisation.",
    )


def stamp(user: User) -> str:
    return User.objects.values_list("security_stamp", flat=True).get(pk=user.pk)


# --- Installation ---------------------------------------------------------------------------


def _create_cell(actor: User, **overrides: object) -> Cell:
    values: dict[str, object] = {
        "name": "LIVC-R Nieuwstad",
        "municipalities": [MunicipalityFactory(name="Nieuwstad", nis_code="11111")],
        "chair_email": "Mayor@Nieuwstad.be ",
        "chair_name": "Mayor Nieuwstad",
        "admin_email": "admin@nieuwstad.be",
        "admin_name": "Admin Nieuwstad",
    }
    values.update(overrides)
    return services.cell_create(actor=actor, **values)  # type: ignore[arg-type]


def test_cell_create_builds_a_cell_ready_for_its_setup(world) -> None:
    with one_audit_event("CELL_CREATED", actor=world.installation_admin, cell=ANY) as recorded:
        cell = _create_cell(world.installation_admin)
    assert recorded.event is not None and recorded.event.cell_id == cell.pk
    assert recorded.event.object_id == str(cell.pk)
    assert [m.nis_code for m in cell.municipalities.all()] == ["11111"]
    (local,) = cell.organisations.all()
    assert (local.kind, local.sector) == (OrganisationKind.MUNICIPAL, Sector.LOCAL_GOVERNMENT)
    seats = {m.user.email: m for m in Membership.objects.filter(cell=cell)}
    assert set(seats) == {"mayor@nieuwstad.be", "admin@nieuwstad.be"}
    assert seats["mayor@nieuwstad.be"].role == Role.CHAIR
    assert seats["admin@nieuwstad.be"].role == Role.CELL_ADMIN
    for membership in seats.values():
        assert membership.organisation == local
        assert membership.approved_by == world.installation_admin
        assert membership.is_current()
        # New people set their password themselves ("forgot your password").
        assert not membership.user.has_usable_password()
    assert {t.kind for t in cell.tables.all()} == {
        TableKind.STRATEGIC,
        TableKind.TACTICAL,
        TableKind.OPERATIONAL,
    }
    (statement,) = cell.statement_texts.all()
    assert (statement.version, statement.status) == (1, DocumentStatus.ACTIVE)
    assert not cell.charters.exists()


def test_cell_create_reuses_an_existing_person(world) -> None:
    users = User.objects.count()
    cell = _create_cell(world.installation_admin, chair_email=" MEMBER.B@b.example.be")
    assert Membership.objects.get(cell=cell, role=Role.CHAIR).user == world.member_b
    assert User.objects.count() == users + 1  # only the administrator is new


@pytest.mark.parametrize(
    ("overrides", "exception", "match"),
    [
        pytest.param(
            {"admin_email": "MAYOR@nieuwstad.be"},
            RuleViolation,
            "must be different people",
            id="chair-is-admin",
        ),
        pytest.param(
            {"municipalities": []}, RuleViolation, "at least one municipality", id="no-municipality"
        ),
        pytest.param({"name": "Cell A"}, RuleViolation, "already exists", id="name-taken"),
    ],
)
def test_cell_create_rules(world, overrides, exception, match) -> None:
    cells = Cell.objects.count()
    with refused(exception, match):
        _create_cell(world.installation_admin, **overrides)
    assert Cell.objects.count() == cells


@pytest.mark.parametrize("who", ["chair", "cell_admin", "member_b"])
def test_cell_create_is_for_installation_admins_only(world, who) -> None:
    with refused(Forbidden):
        _create_cell(getattr(world, who))
    assert not Cell.objects.filter(name="LIVC-R Nieuwstad").exists()


def test_cell_admin_appoint(world) -> None:
    local = org(world.cell_a, "Local government A")
    with one_audit_event(
        "CELL_ADMIN_APPOINTED", actor=world.installation_admin, cell=world.cell_a
    ) as recorded:
        membership = services.cell_admin_appoint(
            actor=world.installation_admin,
            cell=world.cell_a,
            email="second.admin@a.example.be",
            full_name="Second Admin",
            organisation=local,
        )
    assert recorded.event is not None and recorded.event.object_id == str(membership.pk)
    assert membership.role == Role.CELL_ADMIN
    assert membership.user.email == "second.admin@a.example.be"
    assert membership.approved_by == world.installation_admin
    assert membership.is_current()


def test_cell_admin_appoint_refusals(world) -> None:
    local = org(world.cell_a, "Local government A")
    kwargs = {"email": "x@a.example.be", "full_name": "X", "organisation": local}
    with refused(Forbidden):
        services.cell_admin_appoint(actor=world.chair, cell=world.cell_a, **kwargs)
    with refused(Forbidden):  # an organisation of another cell
        services.cell_admin_appoint(
            actor=world.installation_admin,
            cell=world.cell_b,
            **kwargs,
        )
    # A case member cannot also become the administrator of the same cell.
    with refused(RuleViolation, "already has a membership"):
        services.cell_admin_appoint(
            actor=world.installation_admin,
            cell=world.cell_a,
            email=world.partner1.email,
            full_name="Partner One",
            organisation=local,
        )
    assert not Membership.objects.filter(cell=world.cell_b, role=Role.CELL_ADMIN).exists()


def test_user_mfa_reset(world) -> None:
    enrol_totp(world.partner1)
    before = stamp(world.partner1)
    with one_audit_event("MFA_RESET", actor=world.installation_admin, cell=None) as recorded:
        services.user_mfa_reset(actor=world.installation_admin, user=world.partner1)
    assert recorded.event is not None and recorded.event.object_id == str(world.partner1.pk)
    assert not Authenticator.objects.filter(user=world.partner1).exists()
    assert stamp(world.partner1) != before


def test_user_mfa_reset_refusals(world) -> None:
    enrol_totp(world.partner1)
    enrol_totp(world.installation_admin)
    with refused(Forbidden):
        services.user_mfa_reset(actor=world.chair, user=world.partner1)
    with refused(RuleViolation, "your own second factor"):
        services.user_mfa_reset(actor=world.installation_admin, user=world.installation_admin)
    assert Authenticator.objects.filter(user=world.partner1).exists()
    assert Authenticator.objects.filter(user=world.installation_admin).exists()


# --- Organisations and tables ---------------------------------------------------------------


def test_organisation_create(world) -> None:
    with one_audit_event(
        "ORGANISATION_CREATED", actor=world.cell_admin, cell=world.cell_a
    ) as recorded:
        organisation = services.organisation_create(
            actor=world.cell_admin,
            cell=world.cell_a,
            name="CAW A",
            kind=OrganisationKind.WELFARE,
            sector=Sector.SOCIAL,
        )
    assert organisation.cell == world.cell_a
    assert recorded.event is not None and recorded.event.object_id == str(organisation.pk)


@pytest.mark.parametrize("who", ["chair", "coordinator", "dpo", "member_b"])
def test_organisation_create_wrong_role_or_cell(world, who) -> None:
    with refused(Forbidden):
        services.organisation_create(
            actor=getattr(world, who), cell=world.cell_a, name="X", kind="other", sector="other"
        )
    assert not Organisation.objects.filter(name="X").exists()


def test_organisation_create_name_clash(world) -> None:
    with refused(RuleViolation, "already exists in this cell"):
        services.organisation_create(
            actor=world.cell_admin,
            cell=world.cell_a,
            name="School A",
            kind="education",
            sector="education",
        )
    # The same name in another cell is fine.
    admin_b = UserFactory()
    MembershipFactory(user=admin_b, cell=world.cell_b, role=Role.CELL_ADMIN)
    services.organisation_create(
        actor=admin_b, cell=world.cell_b, name="School A", kind="education", sector="education"
    )


def test_organisation_update(world) -> None:
    school = org(world.cell_a, "School A")
    with one_audit_event("ORGANISATION_UPDATED", actor=world.cell_admin, cell=world.cell_a) as rec:
        services.organisation_update(
            actor=world.cell_admin, organisation=school, name="School A2", is_active=False
        )
    school.refresh_from_db()
    assert (school.name, school.is_active) == ("School A2", False)
    assert rec.event is not None and sorted(rec.event.data["fields"]) == ["is_active", "name"]
    with no_audit_events():  # nothing changed, nothing recorded
        services.organisation_update(actor=world.cell_admin, organisation=school, name="School A2")


def test_organisation_update_refusals(world) -> None:
    school = org(world.cell_a, "School A")
    with refused(RuleViolation, "already exists in this cell"):
        services.organisation_update(
            actor=world.cell_admin, organisation=school, name="Police zone A"
        )
    with refused(Forbidden):
        services.organisation_update(actor=world.chair, organisation=school, name="Renamed")
    admin_b = UserFactory()
    MembershipFactory(user=admin_b, cell=world.cell_b, role=Role.CELL_ADMIN)
    with refused(Forbidden):
        services.organisation_update(actor=admin_b, organisation=school, name="Renamed")
    school.refresh_from_db()
    assert school.name == "School A"


def test_table_create_and_update(world) -> None:
    with one_audit_event("TABLE_CREATED", actor=world.cell_admin, cell=world.cell_a):
        table = services.table_create(
            actor=world.cell_admin,
            cell=world.cell_a,
            kind=TableKind.WORKING_GROUP,
            name="Sensitive information",
        )
    with one_audit_event("TABLE_UPDATED", actor=world.cell_admin, cell=world.cell_a) as rec:
        services.table_update(actor=world.cell_admin, table=table, description="Police only")
    assert rec.event is not None and rec.event.data == {"fields": ["description"]}
    with no_audit_events():
        services.table_update(actor=world.cell_admin, table=table, description="Police only")


def test_table_refusals(world) -> None:
    table = services.table_create(
        actor=world.cell_admin, cell=world.cell_a, kind=TableKind.OPERATIONAL, name="Ops"
    )
    services.table_create(
        actor=world.cell_admin, cell=world.cell_a, kind=TableKind.TACTICAL, name="Tactics"
    )
    with refused(RuleViolation, "table with this name already exists"):
        services.table_create(
            actor=world.cell_admin, cell=world.cell_a, kind=TableKind.TACTICAL, name="Ops"
        )
    with refused(RuleViolation, "table with this name already exists"):
        services.table_update(actor=world.cell_admin, table=table, name="Tactics")
    with refused(Forbidden):
        services.table_create(actor=world.chair, cell=world.cell_a, kind="tactical", name="T2")
    with refused(Forbidden):
        services.table_update(actor=world.member_b, table=table, name="Mine")
    table.refresh_from_db()
    assert table.name == "Ops"


# --- Membership requests: drafting ------------------------------------------------------------


def test_membership_request_add(world) -> None:
    ops = services.table_create(
        actor=world.cell_admin, cell=world.cell_a, kind=TableKind.OPERATIONAL, name="Ops"
    )
    with one_audit_event(
        "MEMBERSHIP_REQUESTED", actor=world.cell_admin, cell=world.cell_a
    ) as recorded:
        request = add_request(world, email=" New.Person@A.example.be", tables=[ops])
    assert recorded.event is not None
    assert recorded.event.data == {"kind": RequestKind.ADD, "role": Role.MEMBER}
    assert request.status == RequestStatus.PENDING
    assert request.email == "new.person@a.example.be"
    assert request.requested_by == world.cell_admin
    assert list(request.tables.all()) == [ops]
    # Nothing changes before the chair decides.
    assert not User.objects.filter(email="new.person@a.example.be").exists()


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        pytest.param({"organisation": None}, "needs an e-mail address", id="no-organisation"),
        pytest.param({"term_start": None}, "needs an e-mail address", id="no-term-start"),
        pytest.param({"role": ""}, "needs an e-mail address", id="no-role"),
        pytest.param(
            {"role": Role.INFORMATION_OFFICER},
            "clearance level and its expiry",
            id="officer-without-clearance",
        ),
        pytest.param(
            {"role": Role.INFORMATION_OFFICER, "clearance_level": "secret"},
            "clearance level and its expiry",
            id="officer-without-clearance-expiry",
        ),
        pytest.param(
            {"term_end": datetime.date(2000, 1, 1)}, "cannot end before it starts", id="term"
        ),
    ],
)
def test_membership_request_add_rules(world, extra, match) -> None:
    with refused(RuleViolation, match):
        add_request(world, email="new.person@a.example.be", **extra)
    assert not MembershipRequest.objects.exists()


def test_membership_request_add_without_email(world) -> None:
    with refused(RuleViolation, "needs an e-mail address"):
        add_request(world, email="")


def test_membership_request_add_officer_with_clearance(world) -> None:
    request = add_request(
        world,
        email="officer2@a.example.be",
        role=Role.INFORMATION_OFFICER,
        clearance_level="secret",
        clearance_expiry=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert request.clearance_level == "secret"


def test_membership_request_objects_of_another_cell_are_forbidden(world) -> None:
    school_b = Organisation.objects.get(cell=world.cell_b)
    table_b = Table.objects.create(cell=world.cell_b, kind=TableKind.OPERATIONAL, name="Ops B")
    with refused(Forbidden):
        add_request(world, email="x@a.example.be", organisation=school_b)
    with refused(Forbidden):
        add_request(world, email="x@a.example.be", tables=[table_b])
    member_b_membership = Membership.objects.get(user=world.member_b)
    with refused(RuleViolation, "current membership of this cell"):
        services.membership_request_create(
            actor=world.cell_admin,
            cell=world.cell_a,
            kind=RequestKind.END,
            membership=member_b_membership,
        )
    with refused(RuleViolation, "current membership of this cell"):
        services.membership_request_create(
            actor=world.cell_admin, cell=world.cell_a, kind=RequestKind.CHANGE
        )


def test_membership_request_for_an_ended_membership_is_refused(world) -> None:
    membership = world.membership(world.partner1)
    Membership.objects.filter(pk=membership.pk).update(ended_at=timezone.now())
    membership.refresh_from_db()
    with refused(RuleViolation, "current membership of this cell"):
        services.membership_request_create(
            actor=world.cell_admin, cell=world.cell_a, kind=RequestKind.END, membership=membership
        )


@pytest.mark.parametrize("who", ["chair", "coordinator", "dpo", "partner1", "member_b"])
def test_membership_request_wrong_role_or_cell(world, who) -> None:
    with refused(Forbidden):
        services.membership_request_create(
            actor=getattr(world, who),
            cell=world.cell_a,
            kind=RequestKind.ADD,
            email="x@a.example.be",
            organisation=org(world.cell_a, "School A"),
            role=Role.MEMBER,
            term_start=timezone.localdate(),
        )


def test_one_pending_request_per_person(world) -> None:
    add_request(world, email="new.person@a.example.be")
    with refused(RuleViolation, "already awaiting the chair"):
        add_request(world, email="NEW.PERSON@a.example.be", role=Role.STRATEGIC)


def test_cell_admin_cannot_add_themselves_with_a_case_role(world) -> None:
    """The administrator already sits in the cell: a second seat (a case role) is refused."""
    with refused(RuleViolation, "already has a membership in this cell"):
        add_request(world, email=world.cell_admin.email, role=Role.COORDINATOR)


@pytest.mark.parametrize(
    ("who", "new_role"),
    [
        pytest.param("cell_admin", Role.COORDINATOR, id="admin-to-coordinator"),
        pytest.param("cell_admin", Role.CHAIR, id="admin-to-chair"),
        pytest.param("cell_admin", Role.MEMBER, id="admin-to-member"),
        pytest.param("dpo", Role.INFORMATION_OFFICER, id="dpo-to-officer"),
        pytest.param("dpo", Role.MEMBER, id="dpo-to-member"),
        pytest.param("partner1", Role.CELL_ADMIN, id="member-to-admin"),
        pytest.param("chair", Role.DPO, id="chair-to-dpo"),
        pytest.param("coordinator", Role.CELL_ADMIN, id="coordinator-to-admin"),
    ],
)
def test_oversight_and_case_roles_never_cross(world, who, new_role) -> None:
    extra = {}
    if new_role == Role.INFORMATION_OFFICER:
        extra = {"clearance_level": "secret", "clearance_expiry": datetime.date(2100, 1, 1)}
    with refused(RuleViolation, "cannot hold a case role in the same cell"):
        change_request(world, getattr(world, who), role=new_role, **extra)
    assert not MembershipRequest.objects.exists()


@pytest.mark.parametrize(
    ("who", "new_role"),
    [
        pytest.param("cell_admin", Role.DPO, id="admin-to-dpo"),
        pytest.param("strategic", Role.CELL_ADMIN, id="strategic-to-admin"),
        pytest.param("partner1", Role.COORDINATOR, id="member-to-coordinator"),
    ],
)
def test_role_changes_that_do_not_cross_are_drafted(world, who, new_role) -> None:
    request = change_request(world, getattr(world, who), role=new_role)
    assert request.role == new_role


def test_change_request_keeps_what_is_not_changed(world) -> None:
    membership = world.membership(world.partner1)
    request = change_request(
        world, world.partner1, term_end=timezone.localdate() + datetime.timedelta(days=90)
    )
    assert request.kind == RequestKind.CHANGE
    assert (request.role, request.organisation, request.term_start) == (
        membership.role,
        membership.organisation,
        membership.term_start,
    )
    assert (request.email, request.full_name) == (world.partner1.email, "Partner One")


# --- Membership requests: deciding ------------------------------------------------------------


def test_chair_approves_a_new_member(world, mailoutbox, django_capture_on_commit_callbacks) -> None:
    ops = services.table_create(
        actor=world.cell_admin, cell=world.cell_a, kind=TableKind.OPERATIONAL, name="Ops"
    )
    request = add_request(world, email="new.person@a.example.be", tables=[ops])
    with (
        django_capture_on_commit_callbacks(execute=True),
        one_audit_event("MEMBERSHIP_APPROVED", actor=world.chair, cell=world.cell_a) as rec,
    ):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.APPROVED, world.chair)
    membership = Membership.objects.get(user__email="new.person@a.example.be")
    assert (membership.cell, membership.role, membership.approved_by) == (
        world.cell_a,
        Role.MEMBER,
        world.chair,
    )
    assert list(membership.tables.all()) == [ops]
    assert rec.event is not None and rec.event.data["membership"] == membership.pk
    (mail,) = mailoutbox
    assert mail.to == ["new.person@a.example.be"]
    assert "Cell A" in mail.subject


def test_chair_rejects(world, mailoutbox, django_capture_on_commit_callbacks) -> None:
    request = add_request(world, email="new.person@a.example.be")
    with (
        django_capture_on_commit_callbacks(execute=True),
        one_audit_event("MEMBERSHIP_REJECTED", actor=world.chair, cell=world.cell_a),
    ):
        services.membership_request_decide(
            actor=world.chair, request=request, approve=False, note="Not now"
        )
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (RequestStatus.REJECTED, "Not now")
    assert not User.objects.filter(email="new.person@a.example.be").exists()
    assert mailoutbox == []
    with refused(RuleViolation, "already been decided"):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)


def test_end_ends_the_membership_and_the_sessions(world) -> None:
    request = end_request(world, world.partner1)
    before = stamp(world.partner1)
    with one_audit_event("MEMBERSHIP_APPROVED", actor=world.chair, cell=world.cell_a):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)
    membership = Membership.objects.get(pk=request.membership_id)
    assert membership.ended_at is not None
    assert not membership.is_current()
    assert stamp(world.partner1) != before


def test_role_change_rotates_the_security_stamp(world) -> None:
    request = change_request(world, world.partner1, role=Role.STRATEGIC)
    before = stamp(world.partner1)
    with one_audit_event("MEMBERSHIP_APPROVED", actor=world.chair, cell=world.cell_a):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)
    assert world.membership(world.partner1).role == Role.STRATEGIC
    assert world.membership(world.partner1).approved_by == world.chair
    assert stamp(world.partner1) != before


def test_organisation_change_rotates_the_security_stamp(world) -> None:
    request = change_request(world, world.partner1, organisation=org(world.cell_a, "OCMW A"))
    before = stamp(world.partner1)
    services.membership_request_decide(actor=world.chair, request=request, approve=True)
    assert world.membership(world.partner1).organisation.name == "OCMW A"
    assert stamp(world.partner1) != before


def test_term_change_keeps_the_sessions(world) -> None:
    term_end = timezone.localdate() + datetime.timedelta(days=90)
    request = change_request(world, world.partner1, term_end=term_end)
    before = stamp(world.partner1)
    services.membership_request_decide(actor=world.chair, request=request, approve=True)
    assert world.membership(world.partner1).term_end == term_end
    assert stamp(world.partner1) == before


def test_approving_an_end_of_a_membership_ended_meanwhile_is_refused(world) -> None:
    request = end_request(world, world.partner1)
    Membership.objects.filter(pk=request.membership_id).update(ended_at=timezone.now())
    with refused(RuleViolation, "already ended"):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_approving_an_add_for_someone_seated_meanwhile_is_refused(world) -> None:
    request = add_request(world, email="new.person@a.example.be")
    newcomer = UserFactory(email="new.person@a.example.be")
    MembershipFactory(user=newcomer, cell=world.cell_a, role=Role.STRATEGIC)
    with refused(RuleViolation, "already has a membership"):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)


@pytest.mark.parametrize("who", ["coordinator", "information_officer", "dpo", "partner1"])
def test_only_the_chair_decides(world, who) -> None:
    request = add_request(world, email="new.person@a.example.be")
    with refused(Forbidden):
        services.membership_request_decide(actor=getattr(world, who), request=request, approve=True)


def test_chair_of_another_cell_cannot_decide(world) -> None:
    chair_b = UserFactory()
    MembershipFactory(user=chair_b, cell=world.cell_b, role=Role.CHAIR)
    request = add_request(world, email="new.person@a.example.be")
    with refused(Forbidden):
        services.membership_request_decide(actor=chair_b, request=request, approve=True)


def test_cell_admin_cannot_approve_their_own_draft(world) -> None:
    request = add_request(world, email="new.person@a.example.be")
    with refused(Forbidden):
        services.membership_request_decide(actor=world.cell_admin, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_cell_admin_cannot_approve_a_change_about_themselves(world) -> None:
    second_admin = UserFactory(full_name="Second Admin")
    MembershipFactory(user=second_admin, cell=world.cell_a, role=Role.CELL_ADMIN)
    request = change_request(
        world, world.cell_admin, actor=second_admin, organisation=org(world.cell_a, "OCMW A")
    )
    with refused(Forbidden):
        services.membership_request_decide(actor=world.cell_admin, request=request, approve=True)
    # The chair can.
    services.membership_request_decide(actor=world.chair, request=request, approve=True)
    assert world.membership(world.cell_admin).organisation.name == "OCMW A"


def test_chair_cannot_approve_a_request_they_drafted(world) -> None:
    # A chair who drafted a request (e.g. as former administrator) may not decide it.
    request = MembershipRequest.objects.create(
        cell=world.cell_a,
        kind=RequestKind.ADD,
        email="new.person@a.example.be",
        full_name="New Person",
        organisation=org(world.cell_a, "School A"),
        role=Role.MEMBER,
        term_start=timezone.localdate(),
        requested_by=world.chair,
    )
    with refused(RuleViolation, "Nobody approves their own change"):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)
    with refused(RuleViolation, "Nobody approves their own change"):
        services.membership_request_decide(actor=world.chair, request=request, approve=False)


@pytest.mark.parametrize("kind", [RequestKind.CHANGE, RequestKind.END])
def test_chair_cannot_approve_a_request_about_themselves(world, kind) -> None:
    second_chair = UserFactory(full_name="Deputy Mayor")
    MembershipFactory(user=second_chair, cell=world.cell_a, role=Role.CHAIR)
    if kind == RequestKind.END:
        request = end_request(world, world.chair)
    else:
        request = change_request(world, world.chair, organisation=org(world.cell_a, "OCMW A"))
    with refused(RuleViolation, "Nobody approves their own change"):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)
    # Another chair can; the installation cannot step in while one exists.
    with refused(Forbidden):
        services.membership_request_decide(
            actor=world.installation_admin, request=request, approve=True
        )
    with one_audit_event("MEMBERSHIP_APPROVED", actor=second_chair, cell=world.cell_a):
        services.membership_request_decide(actor=second_chair, request=request, approve=True)


def test_installation_admin_decides_only_chair_seats(world) -> None:
    request = add_request(world, email="new.person@a.example.be")
    with refused(Forbidden):
        services.membership_request_decide(
            actor=world.installation_admin, request=request, approve=True
        )


def test_chair_bootstrap_through_the_installation_admin(world) -> None:
    """A cell's only chair leaves: the installation decides the end and the successor."""
    cell = _create_cell(world.installation_admin)
    chair = Membership.objects.get(cell=cell, role=Role.CHAIR).user
    admin = Membership.objects.get(cell=cell, role=Role.CELL_ADMIN).user
    local = cell.organisations.get()
    end = services.membership_request_create(
        actor=admin,
        cell=cell,
        kind=RequestKind.END,
        membership=Membership.objects.get(user=chair, cell=cell),
    )
    with refused(RuleViolation, "Nobody approves their own change"):
        services.membership_request_decide(actor=chair, request=end, approve=True)
    with one_audit_event("MEMBERSHIP_APPROVED", actor=world.installation_admin, cell=cell):
        services.membership_request_decide(
            actor=world.installation_admin, request=end, approve=True
        )
    assert not Membership.objects.current().filter(cell=cell, role=Role.CHAIR).exists()
    successor = services.membership_request_create(
        actor=admin,
        cell=cell,
        kind=RequestKind.ADD,
        email="new.mayor@nieuwstad.be",
        full_name="New Mayor",
        organisation=local,
        role=Role.CHAIR,
        term_start=timezone.localdate(),
    )
    # Nobody in the cell can decide now; the administrator still may not.
    with refused(Forbidden):
        services.membership_request_decide(actor=admin, request=successor, approve=True)
    with one_audit_event("MEMBERSHIP_APPROVED", actor=world.installation_admin, cell=cell):
        services.membership_request_decide(
            actor=world.installation_admin, request=successor, approve=True
        )
    new_chair = Membership.objects.current().get(cell=cell, role=Role.CHAIR)
    assert new_chair.user.email == "new.mayor@nieuwstad.be"
    assert new_chair.approved_by == world.installation_admin
    # From now on the new chair decides, not the installation.
    member = services.membership_request_create(
        actor=admin,
        cell=cell,
        kind=RequestKind.ADD,
        email="partner@nieuwstad.be",
        full_name="Partner",
        organisation=local,
        role=Role.MEMBER,
        term_start=timezone.localdate(),
    )
    with refused(Forbidden):
        services.membership_request_decide(
            actor=world.installation_admin, request=member, approve=True
        )
    services.membership_request_decide(actor=new_chair.user, request=member, approve=True)


def test_membership_request_withdraw(world) -> None:
    request = add_request(world, email="new.person@a.example.be")
    with refused(Forbidden):
        services.membership_request_withdraw(actor=world.chair, request=request)
    with refused(Forbidden):
        services.membership_request_withdraw(actor=world.member_b, request=request)
    with one_audit_event("MEMBERSHIP_WITHDRAWN", actor=world.cell_admin, cell=world.cell_a):
        services.membership_request_withdraw(actor=world.cell_admin, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    with refused(RuleViolation, "already been decided"):
        services.membership_request_withdraw(actor=world.cell_admin, request=request)
    with refused(RuleViolation, "already been decided"):
        services.membership_request_decide(actor=world.chair, request=request, approve=True)


# --- Charter ----------------------------------------------------------------------------------


def draft_charter(world, **overrides) -> Charter:
    return services.charter_draft_create(
        actor=world.cell_admin,
        cell=world.cell_a,
        organisations=[org(world.cell_a, "School A"), org(world.cell_a, "Police zone A")],
        **charter_values(**overrides),
    )


def test_charter_draft_create_numbers_versions(world) -> None:
    with one_audit_event("CHARTER_DRAFTED", actor=world.cell_admin, cell=world.cell_a) as rec:
        first = draft_charter(world)
    second = draft_charter(world)
    assert (first.version, second.version) == (1, 2)
    assert rec.event is not None and rec.event.data == {"version": 1}
    assert first.status == DocumentStatus.DRAFT
    assert first.drafted_by == world.cell_admin
    assert {o.name for o in first.organisations.all()} == {"School A", "Police zone A"}


def test_charter_draft_create_refusals(world) -> None:
    with refused(Forbidden):
        services.charter_draft_create(
            actor=world.chair, cell=world.cell_a, organisations=[], **charter_values()
        )
    with refused(Forbidden):
        services.charter_draft_create(
            actor=world.cell_admin,
            cell=world.cell_a,
            organisations=[Organisation.objects.get(cell=world.cell_b)],
            **charter_values(),
        )
    assert not Charter.objects.exists()


def test_charter_draft_update(world) -> None:
    charter = draft_charter(world)
    with one_audit_event("CHARTER_UPDATED", actor=world.cell_admin, cell=world.cell_a) as rec:
        services.charter_draft_update(
            actor=world.cell_admin,
            charter=charter,
            organisations=[org(world.cell_a, "School A")],
            **charter_values(purpose="A sharper purpose."),
        )
    assert rec.event is not None and rec.event.data == {"fields": ["purpose", "organisations"]}
    charter.refresh_from_db()
    assert charter.purpose == "A sharper purpose."
    assert [o.name for o in charter.organisations.all()] == ["School A"]
    with no_audit_events():
        services.charter_draft_update(
            actor=world.cell_admin,
            charter=charter,
            organisations=[org(world.cell_a, "School A")],
            **charter_values(purpose="A sharper purpose."),
        )


def test_charter_draft_update_refusals(world) -> None:
    charter = draft_charter(world)
    with refused(Forbidden):
        services.charter_draft_update(
            actor=world.chair, charter=charter, organisations=[], purpose="x"
        )
    with refused(Forbidden):
        services.charter_draft_update(
            actor=world.cell_admin,
            charter=charter,
            organisations=[Organisation.objects.get(cell=world.cell_b)],
        )
    services.charter_activate(actor=world.chair, charter=charter)
    with refused(RuleViolation, "Only a draft can be edited"):
        services.charter_draft_update(
            actor=world.cell_admin, charter=charter, organisations=[], purpose="x"
        )


def test_charter_activation_needs_the_mandatory_roles(world) -> None:
    cell = _create_cell(world.installation_admin)
    chair = Membership.objects.get(cell=cell, role=Role.CHAIR).user
    admin = Membership.objects.get(cell=cell, role=Role.CELL_ADMIN).user
    local = cell.organisations.get()
    charter = services.charter_draft_create(
        actor=admin, cell=cell, organisations=[local], **charter_values()
    )
    with refused(RuleViolation, "cannot be activated") as refusal:
        services.charter_activate(actor=chair, charter=charter)
    message = refusal.value.message
    assert "Information officer" in message
    assert "Coordinator" in message
    assert "Chair" not in message  # the chair is there
    # An information officer whose clearance expired does not count.
    police = OrganisationFactory(cell=cell, name="Police", kind=OrganisationKind.POLICE)
    officer = MembershipFactory(
        cell=cell,
        organisation=police,
        role=Role.INFORMATION_OFFICER,
        clearance_level="secret",
        clearance_expiry=timezone.localdate() - datetime.timedelta(days=1),
    )
    MembershipFactory(cell=cell, organisation=local, role=Role.COORDINATOR)
    with refused(RuleViolation, "current member: Information officer\\."):
        services.charter_activate(actor=chair, charter=charter)
    Membership.objects.filter(pk=officer.pk).update(
        clearance_expiry=timezone.localdate() + datetime.timedelta(days=1)
    )
    with one_audit_event("CHARTER_ACTIVATED", actor=chair, cell=cell) as rec:
        services.charter_activate(actor=chair, charter=charter)
    assert rec.event is not None and rec.event.data == {"version": 1}
    charter.refresh_from_db()
    assert charter.status == DocumentStatus.ACTIVE
    assert (charter.adopted_by, charter.adopted_on) == (chair, timezone.localdate())


def test_charter_activation_names_an_ended_coordinator_as_missing(world) -> None:
    charter = draft_charter(world)
    Membership.objects.filter(pk=world.membership(world.coordinator).pk).update(
        ended_at=timezone.now()
    )
    with refused(RuleViolation, "current member: Coordinator\\."):
        services.charter_activate(actor=world.chair, charter=charter)


def test_charter_activation_supersedes_the_active_version(world) -> None:
    first = draft_charter(world)
    services.charter_activate(actor=world.chair, charter=first)
    second = draft_charter(world, purpose="Version two.")
    with one_audit_event("CHARTER_ACTIVATED", actor=world.chair, cell=world.cell_a):
        services.charter_activate(actor=world.chair, charter=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DocumentStatus.SUPERSEDED, DocumentStatus.ACTIVE)
    with refused(RuleViolation, "Only a draft can be activated"):
        services.charter_activate(actor=world.chair, charter=first)


def test_charter_activation_refusals(world) -> None:
    charter = draft_charter(world)
    chair_b = UserFactory()
    MembershipFactory(user=chair_b, cell=world.cell_b, role=Role.CHAIR)
    for actor in (world.cell_admin, world.coordinator, chair_b):
        with refused(Forbidden):
            services.charter_activate(actor=actor, charter=charter)
    own = Charter.objects.create(
        cell=world.cell_a, version=9, drafted_by=world.chair, **charter_values()
    )
    with refused(RuleViolation, "Nobody approves their own change"):
        services.charter_activate(actor=world.chair, charter=own)
    charter.refresh_from_db()
    assert charter.status == DocumentStatus.DRAFT


def test_charter_reject(world) -> None:
    charter = draft_charter(world)
    with refused(Forbidden):
        services.charter_reject(actor=world.cell_admin, charter=charter, note="no")
    with one_audit_event("CHARTER_REJECTED", actor=world.chair, cell=world.cell_a):
        services.charter_reject(actor=world.chair, charter=charter, note="Name the controllers.")
    charter.refresh_from_db()
    assert (charter.status, charter.decision_note) == (
        DocumentStatus.REJECTED,
        "Name the controllers.",
    )
    with refused(RuleViolation, "Only a draft can be rejected"):
        services.charter_reject(actor=world.chair, charter=charter, note="again")
    with refused(RuleViolation, "Only a draft can be activated"):
        services.charter_activate(actor=world.chair, charter=charter)


# --- Confidentiality statement ------------------------------------------------------------


def draft_statement(world, text: str = "Version two of the statement.") -> StatementText:
    return services.statement_draft_create(
        actor=world.cell_admin, cell=world.cell_a, text=text, validity_months=6
    )


def test_statement_draft_create_and_update(world) -> None:
    with one_audit_event("STATEMENT_DRAFTED", actor=world.cell_admin, cell=world.cell_a) as rec:
        statement = draft_statement(world)
    assert (statement.version, statement.status) == (2, DocumentStatus.DRAFT)
    assert rec.event is not None and rec.event.data == {"version": 2}
    with one_audit_event("STATEMENT_UPDATED", actor=world.cell_admin, cell=world.cell_a) as rec:
        services.statement_draft_update(
            actor=world.cell_admin, statement=statement, text="Better.", validity_months=6
        )
    assert rec.event is not None and rec.event.data == {"fields": ["text"]}
    with no_audit_events():
        services.statement_draft_update(
            actor=world.cell_admin, statement=statement, text="Better.", validity_months=6
        )


def test_statement_draft_refusals(world) -> None:
    with refused(Forbidden):
        services.statement_draft_create(
            actor=world.chair, cell=world.cell_a, text="x", validity_months=6
        )
    active = StatementText.objects.get(cell=world.cell_a, status=DocumentStatus.ACTIVE)
    with refused(RuleViolation, "Only a draft can be edited"):
        services.statement_draft_update(
            actor=world.cell_admin, statement=active, text="x", validity_months=6
        )
    draft = draft_statement(world)
    with refused(Forbidden):
        services.statement_draft_update(
            actor=world.member_b, statement=draft, text="x", validity_months=6
        )


def test_statement_activation_supersedes(world) -> None:
    first = StatementText.objects.get(cell=world.cell_a, status=DocumentStatus.ACTIVE)
    second = draft_statement(world)
    with one_audit_event("STATEMENT_ACTIVATED", actor=world.chair, cell=world.cell_a) as rec:
        services.statement_activate(actor=world.chair, statement=second)
    assert rec.event is not None and rec.event.data == {"version": 2}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DocumentStatus.SUPERSEDED, DocumentStatus.ACTIVE)
    assert (second.approved_by, second.approved_at is not None) == (world.chair, True)
    with refused(RuleViolation, "Only a draft can be activated"):
        services.statement_activate(actor=world.chair, statement=second)


def test_statement_activation_refusals(world) -> None:
    statement = draft_statement(world)
    for actor in (world.cell_admin, world.dpo, world.member_b):
        with refused(Forbidden):
            services.statement_activate(actor=actor, statement=statement)
    own = StatementText.objects.create(
        cell=world.cell_a, version=7, text="Mine", drafted_by=world.chair
    )
    with refused(RuleViolation, "Nobody approves their own change"):
        services.statement_activate(actor=world.chair, statement=own)


def test_statement_reject(world) -> None:
    statement = draft_statement(world)
    with refused(Forbidden):
        services.statement_reject(actor=world.cell_admin, statement=statement, note="no")
    with one_audit_event("STATEMENT_REJECTED", actor=world.chair, cell=world.cell_a):
        services.statement_reject(actor=world.chair, statement=statement, note="Too long.")
    statement.refresh_from_db()
    assert (statement.status, statement.decision_note) == (DocumentStatus.REJECTED, "Too long.")
    with refused(RuleViolation, "Only a draft can be rejected"):
        services.statement_reject(actor=world.chair, statement=statement, note="again")


def test_statement_sign_records_version_and_expiry(world) -> None:
    statement = draft_statement(world)
    services.statement_activate(actor=world.chair, statement=statement)  # 6 months
    with time_machine.travel(timezone.now(), tick=False):
        now = timezone.now()
        with one_audit_event("STATEMENT_SIGNED", actor=world.partner1, cell=world.cell_a) as rec:
            signature = services.statement_sign(
                actor=world.partner1, cell=world.cell_a, signed_name="Partner One"
            )
    assert rec.event is not None and rec.event.data == {"version": 2}
    assert signature.text == statement
    assert signature.signed_name == "Partner One"
    assert signature.signed_at == now
    assert signature.expires_at == now + datetime.timedelta(days=183)  # 6 × 30.44 days


def test_statement_signature_ends_with_the_term(world) -> None:
    term_end = timezone.localdate() + datetime.timedelta(days=10)
    Membership.objects.filter(pk=world.membership(world.partner1).pk).update(term_end=term_end)
    signature = services.statement_sign(
        actor=world.partner1, cell=world.cell_a, signed_name="Partner One"
    )
    day_after = datetime.datetime.combine(term_end + datetime.timedelta(days=1), datetime.time())
    assert signature.expires_at == timezone.make_aware(day_after)
    assert signature.is_valid()
    assert not signature.is_valid(at=timezone.make_aware(day_after))


@pytest.mark.parametrize("name", ["Partner", "Partner Two", "Partner One Junior", ""])
def test_statement_sign_needs_the_full_name(world, name) -> None:
    with refused(RuleViolation, "full name exactly"):
        services.statement_sign(actor=world.partner1, cell=world.cell_a, signed_name=name)
    assert not StatementSignature.objects.exists()


def test_statement_sign_refusals(world) -> None:
    with refused(Forbidden):  # not a member of cell A
        services.statement_sign(actor=world.member_b, cell=world.cell_a, signed_name="Member B")
    StatementText.objects.filter(cell=world.cell_a).update(status=DocumentStatus.SUPERSEDED)
    with refused(RuleViolation, "no active confidentiality statement"):
        services.statement_sign(actor=world.partner1, cell=world.cell_a, signed_name="Partner One")
    Membership.objects.filter(pk=world.membership(world.partner2).pk).update(
        ended_at=timezone.now()
    )
    with refused(Forbidden):  # an ended membership signs nothing
        services.statement_sign(actor=world.partner2, cell=world.cell_a, signed_name="Partner Two")


# --- Personal settings ----------------------------------------------------------------------


def test_user_set_language(world) -> None:
    with one_audit_event("LANGUAGE_CHANGED", actor=world.partner1, cell=None) as rec:
        services.user_set_language(actor=world.partner1, language="fr")
    assert rec.event is not None and rec.event.data == {"to": "fr"}
    world.partner1.refresh_from_db()
    assert world.partner1.language == "fr"
    with no_audit_events():
        services.user_set_language(actor=world.partner1, language="fr")


@pytest.mark.parametrize("language", ["xx", "es", "", "FR", "fr-be"])
def test_user_set_language_rejects_unknown_languages(world, language) -> None:
    with refused(RuleViolation, "not available"):
        services.user_set_language(actor=world.partner1, language=language)
    world.partner1.refresh_from_db()
    assert world.partner1.language == "en"


def test_user_choose_cell(world) -> None:
    MembershipFactory(user=world.partner1, cell=world.cell_b, role=Role.MEMBER)
    forget_memberships(world.partner1)
    with one_audit_event("CELL_CHOSEN", actor=world.partner1, cell=world.cell_b):
        membership = services.user_choose_cell(actor=world.partner1, cell=world.cell_b)
    assert membership.cell == world.cell_b
    world.partner1.refresh_from_db()
    assert world.partner1.active_cell == world.cell_b
    with no_audit_events():
        services.user_choose_cell(actor=world.partner1, cell=world.cell_b)
    with refused(Forbidden):
        services.user_choose_cell(actor=world.partner2, cell=world.cell_b)


# --- The right role in the wrong cell -------------------------------------------------------


@dataclass
class Drafts:
    """Pending objects of cell A, and the administrator and chair of cell B."""

    table: Table
    request: MembershipRequest
    charter: Charter
    statement: StatementText
    admin_b: User
    chair_b: User


@pytest.fixture
def drafts(world) -> Drafts:
    admin_b, chair_b = UserFactory(), UserFactory()
    MembershipFactory(user=admin_b, cell=world.cell_b, role=Role.CELL_ADMIN)
    MembershipFactory(user=chair_b, cell=world.cell_b, role=Role.CHAIR)
    return Drafts(
        table=services.table_create(
            actor=world.cell_admin, cell=world.cell_a, kind=TableKind.TACTICAL, name="Tactics"
        ),
        request=add_request(world, email="new.person@a.example.be"),
        charter=draft_charter(world),
        statement=draft_statement(world),
        admin_b=admin_b,
        chair_b=chair_b,
    )


WRONG_CELL: dict[str, Callable[[Any, Drafts, User], object]] = {
    "organisation_create": lambda w, d, a: services.organisation_create(
        actor=a, cell=w.cell_a, name="X", kind="other", sector="other"
    ),
    "organisation_update": lambda w, d, a: services.organisation_update(
        actor=a, organisation=org(w.cell_a, "School A"), name="X"
    ),
    "table_create": lambda w, d, a: services.table_create(
        actor=a, cell=w.cell_a, kind="tactical", name="X"
    ),
    "table_update": lambda w, d, a: services.table_update(actor=a, table=d.table, name="X"),
    "membership_request_create": lambda w, d, a: services.membership_request_create(
        actor=a,
        cell=w.cell_a,
        kind=RequestKind.END,
        membership=w.membership(w.partner1),
    ),
    "membership_request_decide": lambda w, d, a: services.membership_request_decide(
        actor=a, request=d.request, approve=True
    ),
    "membership_request_withdraw": lambda w, d, a: services.membership_request_withdraw(
        actor=a, request=d.request
    ),
    "charter_draft_create": lambda w, d, a: services.charter_draft_create(
        actor=a, cell=w.cell_a, organisations=[], **charter_values()
    ),
    "charter_draft_update": lambda w, d, a: services.charter_draft_update(
        actor=a, charter=d.charter, organisations=[], purpose="X"
    ),
    "charter_activate": lambda w, d, a: services.charter_activate(actor=a, charter=d.charter),
    "charter_reject": lambda w, d, a: services.charter_reject(actor=a, charter=d.charter, note=""),
    "statement_draft_create": lambda w, d, a: services.statement_draft_create(
        actor=a, cell=w.cell_a, text="X", validity_months=1
    ),
    "statement_draft_update": lambda w, d, a: services.statement_draft_update(
        actor=a, statement=d.statement, text="X", validity_months=1
    ),
    "statement_activate": lambda w, d, a: services.statement_activate(
        actor=a, statement=d.statement
    ),
    "statement_reject": lambda w, d, a: services.statement_reject(
        actor=a, statement=d.statement, note=""
    ),
    "statement_sign": lambda w, d, a: services.statement_sign(
        actor=a, cell=w.cell_a, signed_name=a.full_name
    ),
    "user_choose_cell": lambda w, d, a: services.user_choose_cell(actor=a, cell=w.cell_a),
}


@pytest.mark.parametrize("name", WRONG_CELL)
def test_the_right_role_in_another_cell_is_forbidden(world, drafts: Drafts, name: str) -> None:
    """The administrator and the chair of cell B can do nothing in cell A."""
    for actor in (drafts.admin_b, drafts.chair_b):
        with refused(Forbidden):
            WRONG_CELL[name](world, drafts, actor)
    for obj in (drafts.request, drafts.charter, drafts.statement):
        before = obj.status
        obj.refresh_from_db()
        assert obj.status == before


def test_every_service_is_tested() -> None:
    """A new service needs its tests here (allowed path, refusals, audit row)."""
    source = Path(__file__).read_text()
    public = [
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if function.__module__ == services.__name__ and not name.startswith("_")
    ]
    assert len(public) > 20
    untested = [name for name in public if f"services.{name}(" not in source]
    assert untested == []
    cell_scoped = {
        name
        for name in public
        if "cell" in inspect.signature(getattr(services, name)).parameters
        or name.startswith(("organisation_", "table_", "membership_", "charter_", "statement_"))
    }
    # Every cell-scoped service is in the wrong-cell table (installation services excepted).
    assert cell_scoped - set(WRONG_CELL) <= {"cell_admin_appoint"}
