"""Shared fixtures: two cells and the named actors of the style guide."""

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from casus.access.models import Cell, Membership, OrganisationKind, Role, Sector, User
from casus.cases.services.setup import cell_case_defaults_create
from casus.core.i18n import ensure_compiled

from .factories import (
    CellFactory,
    MembershipFactory,
    OrganisationFactory,
    StatementTextFactory,
    UserFactory,
    enrol_totp,
    sign_statement,
)

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_configure(config: pytest.Config) -> None:
    ensure_compiled()
    # Cell keys of the test run live in a throw-away folder, never in the data directory.
    from django.conf import settings as django_settings

    django_settings.CASUS_KEY_DIR = Path(tempfile.mkdtemp(prefix="casus-keys-"))


@dataclass
class World:
    """Cell A with every role, cell B with one member, and an installation administrator."""

    cell_a: Cell
    cell_b: Cell
    chair: User
    coordinator: User
    information_officer: User
    partner1: User
    partner2: User
    strategic: User
    dpo: User
    cell_admin: User
    member_b: User
    installation_admin: User

    def membership(self, user: User, cell: Cell | None = None) -> Membership:
        return Membership.objects.get(user=user, cell=cell or self.cell_a, ended_at__isnull=True)


def make_world() -> World:
    cell_a = CellFactory(name="Cell A")
    cell_b = CellFactory(name="Cell B")
    for cell in (cell_a, cell_b):
        StatementTextFactory(cell=cell)
    orgs = {
        "local": OrganisationFactory(
            cell=cell_a,
            name="Local government A",
            kind=OrganisationKind.MUNICIPAL,
            sector=Sector.LOCAL_GOVERNMENT,
        ),
        "police": OrganisationFactory(
            cell=cell_a, name="Police zone A", kind=OrganisationKind.POLICE, sector=Sector.SECURITY
        ),
        "prevention": OrganisationFactory(
            cell=cell_a,
            name="Prevention A",
            kind=OrganisationKind.PREVENTION,
            sector=Sector.LOCAL_GOVERNMENT,
        ),
        "school": OrganisationFactory(
            cell=cell_a, name="School A", kind=OrganisationKind.EDUCATION, sector=Sector.EDUCATION
        ),
        "ocmw": OrganisationFactory(
            cell=cell_a, name="OCMW A", kind=OrganisationKind.OCMW, sector=Sector.SOCIAL
        ),
    }
    org_b = OrganisationFactory(cell=cell_b, name="School B", kind=OrganisationKind.EDUCATION)

    def seat(name: str, role: str, org_key: str) -> User:
        user = UserFactory(full_name=name, email=f"{name.lower().replace(' ', '.')}@a.example.be")
        MembershipFactory(user=user, cell=cell_a, organisation=orgs[org_key], role=role)
        return user

    for cell in (cell_a, cell_b):
        cell_case_defaults_create(cell=cell)
    member_b = UserFactory(full_name="Member B", email="member.b@b.example.be")
    MembershipFactory(user=member_b, cell=cell_b, organisation=org_b, role=Role.COORDINATOR)
    return World(
        cell_a=cell_a,
        cell_b=cell_b,
        chair=seat("Chair A", Role.CHAIR, "local"),
        coordinator=seat("Coordinator A", Role.COORDINATOR, "prevention"),
        information_officer=seat("Officer A", Role.INFORMATION_OFFICER, "police"),
        partner1=seat("Partner One", Role.MEMBER, "school"),
        partner2=seat("Partner Two", Role.MEMBER, "ocmw"),
        strategic=seat("Strategic A", Role.STRATEGIC, "local"),
        dpo=seat("Dpo A", Role.DPO, "local"),
        cell_admin=seat("Admin A", Role.CELL_ADMIN, "local"),
        member_b=member_b,
        installation_admin=UserFactory(
            full_name="Installation Admin", email="install@example.be", is_installation_admin=True
        ),
    )


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def ready_client(user: User, cell: Cell | None = None) -> Client:
    """A client logged in as ``user`` with MFA enrolled and the statement signed."""
    if not user.authenticator_set.exists():  # type: ignore[attr-defined]
        enrol_totp(user)
    for membership in Membership.objects.filter(user=user, ended_at__isnull=True):
        if cell is None or membership.cell_id == cell.pk:
            sign_statement(user, membership.cell)
    client = Client()
    client.force_login(user)
    return client


def mark_reauthenticated(client: Client, user: User) -> Client:
    """Record in the client's session that ``user`` just re-authenticated (as allauth does)."""
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()
    return client


@pytest.fixture
def client_for(world: World):  # type: ignore[no-untyped-def]
    return ready_client
