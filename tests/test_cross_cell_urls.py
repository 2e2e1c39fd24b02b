"""Every URL of the project, classified; no id of cell A opens anything for cell B.

Each URL pattern must be classified below, or ``test_every_url_is_classified`` fails: a new page
cannot ship without saying who may open it and with which ids.

(a) cell-scoped object URLs: with an id of cell A, every member of cell B (whatever their role,
    including the role that opens the same page in cell B) and every member of cell A whose role
    may not see it get 404; the roles that may, get the page.
(b) cell pages without ids: open for the listed roles in the active cell, 404 otherwise, and they
    show nothing of another cell.
(c) installation pages: 404 for everyone but installation administrators.
(d) public pages, and everything under /accounts/ (django-allauth: login, MFA, password).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casus.access import services
from casus.access.models import (
    Cell,
    DocumentStatus,
    Membership,
    Organisation,
    RequestKind,
    RequestStatus,
    Role,
    StatementText,
    User,
)
from casus.access.rules import forget_memberships
from casus.audit.models import AuditEvent
from tests.conftest import World, ready_client
from tests.factories import MembershipFactory, UserFactory, enrol_totp

pytestmark = pytest.mark.django_db

C, K, I, M, S, D, A = (  # noqa: E741 — the letters of product.md's matrix
    Role.CHAIR,
    Role.COORDINATOR,
    Role.INFORMATION_OFFICER,
    Role.MEMBER,
    Role.STRATEGIC,
    Role.DPO,
    Role.CELL_ADMIN,
)
EVERY_ROLE = frozenset(Role)
ACCOUNTS_PREFIX = "accounts/"


# --- The classification ----------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectUrl:
    """(a) A URL naming one object of a cell by ``pk``."""

    object: str  # key of the objects fixture: organisation, table, membership, ...
    roles: frozenset[Role]  # who may open it in their own cell
    post_only: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # a POST that would write if allowed


@dataclass(frozen=True)
class CellPage:
    """(b) A page of the active cell, without ids."""

    roles: frozenset[Role]


@dataclass(frozen=True)
class InstallationUrl:
    """(c) Installation administration."""

    object: str | None = None  # "cell", "user" or "request" when the URL names one
    post_only: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    writes: str | None = None  # the audit action the installation administrator's POST writes


@dataclass(frozen=True)
class PublicUrl:
    """(d) Open to anyone (or to anyone logged in), naming no cell data."""

    method: str = "get"


APPROVE = {"decision": "approve", "note": ""}

CLASSIFICATION: dict[str, ObjectUrl | CellPage | InstallationUrl | PublicUrl] = {
    # (a) cell-scoped objects
    "setup:organisation_edit": ObjectUrl(
        "organisation",
        frozenset({A}),
        data={"name": "Hijacked", "kind": "other", "sector": "other", "is_active": "on"},
    ),
    "setup:table_edit": ObjectUrl(
        "table",
        frozenset({A}),
        data={"kind": "tactical", "name": "Hijacked", "description": "", "is_active": "on"},
    ),
    "setup:member_change": ObjectUrl("membership", frozenset({A}), data={"role": "strategic"}),
    "setup:member_end": ObjectUrl("membership", frozenset({A}), data={"reason": "Hijacked"}),
    "setup:request_withdraw": ObjectUrl("request", frozenset({A}), post_only=True),
    "setup:charter": ObjectUrl("charter", frozenset({A, C}), data={"purpose": "Hijacked"}),
    "setup:statement_edit": ObjectUrl(
        "statement", frozenset({A}), data={"text": "Hijacked", "validity_months": 12}
    ),
    "setup:decide_request": ObjectUrl("request", frozenset({C}), post_only=True, data=APPROVE),
    "setup:decide_charter": ObjectUrl("charter", frozenset({C}), post_only=True, data=APPROVE),
    "setup:decide_statement": ObjectUrl("statement", frozenset({C}), post_only=True, data=APPROVE),
    # (b) cell pages
    "core:dashboard": CellPage(EVERY_ROLE),
    "core:choose_cell": CellPage(EVERY_ROLE),
    "core:statement": CellPage(EVERY_ROLE),
    "setup:home": CellPage(frozenset({A, C})),
    "setup:organisations": CellPage(frozenset({A, C})),
    "setup:tables": CellPage(frozenset({A, C})),
    "setup:members": CellPage(frozenset({A, C})),
    "setup:member_add": CellPage(frozenset({A})),
    "setup:charters": CellPage(frozenset({A, C})),
    "setup:charter_new": CellPage(frozenset({A})),
    "setup:statements": CellPage(frozenset({A, C})),
    "setup:statement_new": CellPage(frozenset({A})),
    "setup:import": CellPage(frozenset({A})),
    "setup:approvals": CellPage(frozenset({C})),
    "audit:events": CellPage(frozenset({D})),
    # (c) installation
    "installation:cells": InstallationUrl(),
    "installation:cell": InstallationUrl(object="cell"),
    "installation:mfa_reset": InstallationUrl(object="user", post_only=True, writes="MFA_RESET"),
    "installation:decide_chair_request": InstallationUrl(
        object="request", post_only=True, data=APPROVE, writes="MEMBERSHIP_APPROVED"
    ),
    # (d) public
    "core:set_language": PublicUrl(method="post"),
    "core:healthz": PublicUrl(),
}


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """Yield (full name or route, full route) for every pattern, following includes."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            route = prefix + str(pattern.pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


ALL_URLS: list[tuple[str, str]] = list(_walk(get_resolver().url_patterns))
ROUTES = dict(ALL_URLS)


def _of(kind: type) -> list[str]:
    return [name for name, spec in CLASSIFICATION.items() if isinstance(spec, kind)]


@pytest.mark.parametrize(("name", "route"), ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_every_url_is_classified(name: str, route: str) -> None:
    if route.startswith(ACCOUNTS_PREFIX):
        assert name not in CLASSIFICATION, "allauth URLs are class (d) by their prefix"
        return
    assert name in CLASSIFICATION, (
        f"URL {name!r} ({route}) is not classified: add it to CLASSIFICATION in {__name__}"
    )
    spec = CLASSIFICATION[name]
    names_an_object = "<" in route or "(?P" in route
    if isinstance(spec, ObjectUrl):
        assert "<int:pk>" in route
    elif isinstance(spec, InstallationUrl):
        assert route.startswith("installation/")
        assert names_an_object is (spec.object is not None)
    else:
        assert not names_an_object, f"{name} names an object: classify it as (a) or (c)"


def test_classification_has_no_stale_entries() -> None:
    assert set(CLASSIFICATION) <= set(ROUTES)


# --- Two fully set-up cells ---------------------------------------------------------------


@dataclass
class Cells:
    world: World
    users: dict[str, dict[Role, User]]  # "a" / "b" → role → person
    objects: dict[str, dict[str, Model]]  # "a" / "b" → kind → object
    clients: dict[int, Client] = field(default_factory=dict)

    def cell(self, key: str) -> Cell:
        return self.world.cell_a if key == "a" else self.world.cell_b

    def client(self, user: User) -> Client:
        if user.pk not in self.clients:
            client = ready_client(user)
            assert client.get(reverse("core:dashboard")).status_code == 200
            self.clients[user.pk] = client
        return self.clients[user.pk]


def _seat(cell: Cell, role: Role, name: str) -> User:
    user = UserFactory(full_name=name)
    organisation = Organisation.objects.filter(cell=cell).first()
    MembershipFactory(user=user, cell=cell, organisation=organisation, role=role)
    return user


def _objects(cell: Cell, admin: User, marker: str) -> dict[str, Model]:
    """One object of each cell-scoped kind, drafted by the cell's administrator."""
    organisation = Organisation.objects.filter(cell=cell).order_by("pk").first()
    assert organisation is not None
    table = services.table_create(
        actor=admin, cell=cell, kind="working_group", name=f"Table-{marker}-only"
    )
    member = _seat(cell, Role.MEMBER, f"Seated-{marker}-only")
    request = services.membership_request_create(
        actor=admin,
        cell=cell,
        kind=RequestKind.ADD,
        email=f"request.{marker.lower()}@example.be",
        full_name=f"Request-{marker}-only",
        organisation=organisation,
        role=Role.MEMBER,
        term_start=timezone.localdate(),
    )
    charter = services.charter_draft_create(
        actor=admin,
        cell=cell,
        organisations=[organisation],
        purpose=f"Purpose-{marker}-only",
        participation="p",
        meeting_rules="m",
        confidentiality_rules="c",
        feedback_procedure="f",
        emergency_route="e",
    )
    statement = services.statement_draft_create(
        actor=admin, cell=cell, text=f"Statement-{marker}-only", validity_months=12
    )
    return {
        "organisation": organisation,
        "table": table,
        "membership": Membership.objects.get(user=member, cell=cell),
        "request": request,
        "charter": charter,
        "statement": statement,
    }


@pytest.fixture
def cells(world: World) -> Cells:
    users_a = {
        C: world.chair,
        K: world.coordinator,
        I: world.information_officer,
        M: world.partner1,
        S: world.strategic,
        D: world.dpo,
        A: world.cell_admin,
    }
    users_b = {role: _seat(world.cell_b, role, f"B {role.label}") for role in Role if role != K}
    users_b[K] = world.member_b  # cell B now has every role, mandatory ones included
    return Cells(
        world=world,
        users={"a": users_a, "b": users_b},
        objects={
            "a": _objects(world.cell_a, world.cell_admin, "A"),
            "b": _objects(world.cell_b, users_b[A], "B"),
        },
    )


#: What must never appear on a page of cell B.
CELL_A_MARKERS = (
    "Cell A",
    "Police zone A",
    "School A",
    "Chair A",
    "Admin A",
    "Partner One",
    "Table-A-only",
    "Seated-A-only",
    "Request-A-only",
    "Purpose-A-only",
    "Statement-A-only",
)


def _audit_mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _request(client: Client, url: str, spec: ObjectUrl, method: str):
    if method == "get":
        return client.get(url)
    return client.post(url, spec.data)


# --- (a) cell-scoped objects --------------------------------------------------------------


@pytest.mark.parametrize("name", _of(ObjectUrl))
def test_ids_of_cell_a_are_404_for_cell_b_and_for_roles_that_may_not(
    cells: Cells, name: str
) -> None:
    spec = CLASSIFICATION[name]
    assert isinstance(spec, ObjectUrl)
    methods = ["post"] if spec.post_only else ["get", "post"]
    url_a = reverse(name, kwargs={"pk": cells.objects["a"][spec.object].pk})
    url_b = reverse(name, kwargs={"pk": cells.objects["b"][spec.object].pk})
    for user in [*cells.users["a"].values(), *cells.users["b"].values()]:
        cells.client(user)  # log everyone in before counting audit rows
    mark = _audit_mark()

    # Every member of cell B, in every role — also the role that opens this page in B.
    for role, user in cells.users["b"].items():
        for method in methods:
            response = _request(cells.client(user), url_a, spec, method)
            assert response.status_code == 404, (name, "cell B", role, method, response)
    # Members of cell A whose role may not open it.
    for role, user in cells.users["a"].items():
        if role not in spec.roles:
            for method in methods:
                response = _request(cells.client(user), url_a, spec, method)
                assert response.status_code == 404, (name, "cell A", role, method, response)
    # None of that wrote anything.
    assert list(AuditEvent.objects.filter(pk__gt=mark).values_list("action", flat=True)) == []
    assert not Organisation.objects.filter(name="Hijacked").exists()

    # Control: the same page opens for the allowed roles, each with their own cell's id.
    for key, url in (("b", url_b), ("a", url_a)):
        for role in sorted(spec.roles):
            response = _request(cells.client(cells.users[key][role]), url, spec, methods[0])
            if spec.post_only:  # the view acts, then returns to its list
                assert response.status_code == 302, (name, key, role, response)
                assert response["Location"].startswith(("/setup/", "/approvals/"))
            else:
                assert response.status_code == 200, (name, key, role, response)


# --- (b) cell pages -----------------------------------------------------------------------


@pytest.mark.parametrize("name", _of(CellPage))
def test_cell_pages_by_role_and_scoped_to_the_active_cell(cells: Cells, name: str) -> None:
    spec = CLASSIFICATION[name]
    assert isinstance(spec, CellPage)
    url = reverse(name)
    for role, user in cells.users["a"].items():
        response = cells.client(user).get(url)
        expected = 200 if role in spec.roles else 404
        assert response.status_code == expected, (name, role, response)
    for role in spec.roles:
        response = cells.client(cells.users["b"][role]).get(url)
        assert response.status_code == 200, (name, role, response)
        page = response.content.decode()
        assert "Cell B" in page
        leaked = [marker for marker in CELL_A_MARKERS if marker in page]
        assert leaked == [], (name, role, leaked)


# --- (c) installation ---------------------------------------------------------------------


@pytest.mark.parametrize("name", _of(InstallationUrl))
def test_installation_urls_are_404_for_everyone_else(cells: Cells, name: str) -> None:
    spec = CLASSIFICATION[name]
    assert isinstance(spec, InstallationUrl)
    world = cells.world
    target = world.partner2
    enrol_totp(target)
    # The only chair of cell A leaves: a chair seat only the installation can decide.
    chair_request = services.membership_request_create(
        actor=world.cell_admin,
        cell=world.cell_a,
        kind=RequestKind.END,
        membership=world.membership(world.chair),
    )
    pks = {"cell": world.cell_a.pk, "user": target.pk, "request": chair_request.pk}
    url = reverse(name, kwargs={"pk": pks[spec.object]} if spec.object else {})
    data = spec.data or {"name": "Hijacked"}
    everyone_else = [*cells.users["a"].values(), *cells.users["b"].values()]
    for user in everyone_else:
        cells.client(user)
    admin = ready_client(world.installation_admin)
    mark = _audit_mark()
    for user in everyone_else:
        client = cells.client(user)
        if not spec.post_only:
            assert client.get(url).status_code == 404, (name, user)
        assert client.post(url, data).status_code == 404, (name, user)
    assert list(AuditEvent.objects.filter(pk__gt=mark).values_list("action", flat=True)) == []
    assert target.authenticator_set.exists()  # type: ignore[attr-defined]
    chair_request.refresh_from_db()
    assert chair_request.status == RequestStatus.PENDING
    # Control: the installation administrator opens it (and a POST does write).
    response = admin.post(url, spec.data) if spec.post_only else admin.get(url)
    assert response.status_code in (200, 302)
    written = list(AuditEvent.objects.filter(pk__gt=mark).values_list("action", flat=True))
    assert written == ([spec.writes] if spec.writes else [])


def test_installation_admin_with_a_cell_role_is_still_only_that_member_in_the_cell(
    cells: Cells,
) -> None:
    """Installation rights open installation pages, never another cell's setup."""
    world = cells.world
    client = ready_client(world.installation_admin)
    url = reverse("setup:organisation_edit", kwargs={"pk": cells.objects["a"]["organisation"].pk})
    assert client.get(url).status_code == 302  # no cell: sent to the installation pages
    MembershipFactory(user=world.installation_admin, cell=world.cell_b, role=Role.CELL_ADMIN)
    forget_memberships(world.installation_admin)
    client = ready_client(world.installation_admin)
    assert client.get(url).status_code == 404


# --- (d) public -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", _of(PublicUrl))
def test_public_urls_open_without_login(db: None, name: str) -> None:
    spec = CLASSIFICATION[name]
    assert isinstance(spec, PublicUrl)
    client = Client()
    if spec.method == "post":
        response = client.post(reverse(name), {"language": "fr", "next": "/"})
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("account_login"))
    else:
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["account_login", "account_reset_password"])
def test_account_pages_open_without_login(db: None, name: str) -> None:
    assert Client().get(reverse(name)).status_code == 200


def test_open_pages_leak_nothing_of_a_cell(cells: Cells) -> None:
    for name in ("account_login", "core:healthz"):
        page = Client().get(reverse(name)).content.decode()
        assert [marker for marker in CELL_A_MARKERS if marker in page] == []


def test_the_fixture_objects_are_what_the_tests_assume(cells: Cells) -> None:
    for key in ("a", "b"):
        objects = cells.objects[key]
        cell = cells.cell(key)
        for obj in objects.values():
            assert obj.cell_id == cell.pk  # type: ignore[attr-defined]
        assert objects["request"].status == RequestStatus.PENDING  # type: ignore[attr-defined]
        assert objects["charter"].status == DocumentStatus.DRAFT  # type: ignore[attr-defined]
        assert objects["statement"].status == DocumentStatus.DRAFT  # type: ignore[attr-defined]
    assert StatementText.objects.filter(status=DocumentStatus.ACTIVE).count() == 2
