"""Every URL of the project, classified; no id of cell A opens anything for cell B.

Each URL pattern must be classified below, or ``test_every_url_is_classified`` fails: a new page
cannot ship without saying who may open it and with which ids.

(a) cell-scoped object URLs: with an id of cell A, every member of cell B (whatever their role,
    including the role that opens the same page in cell B) and every member of cell A whose role
    may not see it get 404; the roles that may, get the page. A URL naming an object inside
    another (a case's journal entry) is 404 too with the outer id of B and the inner id of A.
(b) cell pages without ids: open for the listed roles in the active cell, 404 otherwise, and they
    show nothing of another cell.
(c) installation pages: 404 for everyone but installation administrators.
(d) public pages, and everything under /accounts/ (django-allauth: login, MFA, password).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
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
from casus.access.rules import CaseAction, case_can, forget_memberships
from casus.audit.models import AuditEvent
from casus.cases.models import (
    Case,
    Handover,
    HandoverStatus,
    ScenarioKind,
    ScreeningOutcome,
    SignalStatus,
    Visibility,
)
from casus.cases.services.casefile import attachment_upload
from casus.cases.services.followup import (
    action_create,
    assessment_save,
    goal_create,
    scenario_create,
)
from tests.cases.factories import CaseFactory, JournalEntryFactory, SignalFactory, participate
from tests.conftest import World, ready_client
from tests.factories import CellFactory, MembershipFactory, UserFactory, enrol_totp

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
    """(a) A URL naming one object of a cell by ``pk`` (and, inside it, maybe more)."""

    object: str  # key of the objects fixture: organisation, table, membership, case, ...
    roles: frozenset[Role]  # who may open it in their own cell
    post_only: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # a POST that would write if allowed
    # The URL's other ids: kwarg → key of the objects fixture (its pk) or "key.attribute".
    ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CellPage:
    """(b) A page of the active cell, without ids."""

    roles: frozenset[Role]
    post_only: bool = False  # an action of the active cell that returns to a page


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
PAST = "2025-03-14"  # a date in the past, for forms that refuse future dates
JOURNAL_ENTRY = {"occurred_on": PAST, "text": "Hijacked", "visibility": "all", "for_meeting": ""}

#: Who sees each part of a case (product.md's matrix; M is a member whose organisation takes
#: part in the case and leads it, the chair has no meeting or break-glass grant).
CASE_READERS = frozenset({C, K, I, M})  # overview, assessment, pathway, PDF
DOSSIER_READERS = frozenset({K, I, M})  # journal and attachments
FOLLOWUP_WRITERS = frozenset({K, I, M})  # assessment and pathway: M as the lead partner
SCREENERS = frozenset({K, I})

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
    # (a) signals: the screeners open every signal, the chair those proposed to them
    "cases:signal_detail": ObjectUrl("proposed_signal", frozenset({C, K, I})),
    "cases:signal_opinion": ObjectUrl(
        "signal", SCREENERS, post_only=True, data={"opinion": "Hijacked", "version": 1}
    ),
    "cases:signal_screen": ObjectUrl(
        "signal",
        SCREENERS,
        post_only=True,
        data={"outcome": "no_signs", "summary": "", "referral": "Hijacked", "version": 1},
    ),
    "cases:signal_decide": ObjectUrl(
        "proposed_signal",
        frozenset({C}),
        post_only=True,
        data={"decision": "retain", "note": "", "version": 1},
    ),
    "cases:signal_join": ObjectUrl(
        "proposed_signal", frozenset({C, K, I}), post_only=True, data={"version": 1}
    ),
    # (a) the case file
    "cases:detail": ObjectUrl("case", CASE_READERS),
    "cases:participant_add": ObjectUrl(
        "case", frozenset({C, K}), post_only=True, data={"reason": "Hijacked"}
    ),
    "cases:participant_revoke": ObjectUrl(
        "case",
        frozenset({C, K}),
        post_only=True,
        ids={"participation_pk": "participation"},
        data={"reason": "Hijacked"},
    ),
    "cases:lead_set": ObjectUrl(
        "case",
        frozenset({C, K}),
        post_only=True,
        data={"lead-organisation": "", "lead-version": 1},  # "no lead partner"
    ),
    "cases:summary_edit": ObjectUrl(
        "case", frozenset({K}), data={"summary": "Hijacked", "version": 1}
    ),
    "cases:journal": ObjectUrl("case", DOSSIER_READERS, data=JOURNAL_ENTRY),
    "cases:journal_edit": ObjectUrl(  # only the author edits an entry
        "case",
        frozenset({M}),
        ids={"entry_pk": "journal_entry"},
        data={**JOURNAL_ENTRY, "version": 1},
    ),
    "cases:journal_history": ObjectUrl("case", DOSSIER_READERS, ids={"entry_pk": "journal_entry"}),
    "cases:attachments": ObjectUrl(
        "case", DOSSIER_READERS, data={"visibility": "all", "description": "Hijacked"}
    ),
    "cases:attachment_download": ObjectUrl(
        "case", DOSSIER_READERS, ids={"attachment_pk": "attachment"}
    ),
    # (a) follow-up: assessment and pathway
    "cases:assessment": ObjectUrl("case", CASE_READERS),
    "cases:assessment_edit": ObjectUrl(
        "case", FOLLOWUP_WRITERS, data={"summary": "Hijacked", "based_on_version": 1}
    ),
    "cases:assessment_version": ObjectUrl(
        "case", CASE_READERS, ids={"version": "assessment.version"}
    ),
    "cases:assessment_compare": ObjectUrl("case", CASE_READERS),
    "cases:instrument_add": ObjectUrl(
        "case",
        FOLLOWUP_WRITERS,
        data={
            "name": "Hijacked",
            "used_on": PAST,
            "assessor": "Hijacked",
            "conclusion": "Hijacked",
        },
    ),
    "cases:pathway": ObjectUrl("case", CASE_READERS),
    "cases:goal_add": ObjectUrl("case", FOLLOWUP_WRITERS, data={"text": "Hijacked"}),
    "cases:goal_edit": ObjectUrl(
        "case", FOLLOWUP_WRITERS, ids={"goal_pk": "goal"}, data={"text": "Hijacked", "version": 1}
    ),
    "cases:action_add": ObjectUrl("case", FOLLOWUP_WRITERS, data={"description": "Hijacked"}),
    "cases:action_edit": ObjectUrl(
        "case",
        FOLLOWUP_WRITERS,
        ids={"action_pk": "pathway_action"},
        data={"description": "Hijacked", "version": 1},
    ),
    "cases:action_status": ObjectUrl(
        "case",
        FOLLOWUP_WRITERS,
        post_only=True,
        ids={"action_pk": "pathway_action"},
        data={"status": "done", "version": 1},
    ),
    "cases:review_add": ObjectUrl(
        "case", FOLLOWUP_WRITERS, data={"held_on": PAST, "notes": "Hijacked"}
    ),
    "cases:pathway_apply_scenario": ObjectUrl("case", FOLLOWUP_WRITERS, post_only=True),
    "cases:scenario_edit": ObjectUrl(
        "scenario",
        frozenset({K}),
        data={
            "kind": "preventive",
            "name": "Hijacked",
            "items-TOTAL_FORMS": 0,
            "items-INITIAL_FORMS": 0,
        },
    ),
    # (a) the case's course
    "cases:step": ObjectUrl(
        "case",
        frozenset({K}),
        post_only=True,
        data={"target_status": "follow_up", "version": 1},
    ),
    "cases:close": ObjectUrl(
        "case",
        frozenset({C, K}),
        data={"reason": "positive", "evaluation": "Hijacked", "version": 1},
    ),
    "cases:pdf": ObjectUrl("case", CASE_READERS),
    "cases:handover_decide": ObjectUrl(
        "handover", frozenset({K}), post_only=True, data={"decision": "decline"}
    ),
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
    "core:notifications": CellPage(EVERY_ROLE),
    "core:notifications_read": CellPage(EVERY_ROLE, post_only=True),
    "cases:signals": CellPage(CASE_READERS),
    "cases:signal_new": CellPage(CASE_READERS),
    "cases:signal_outside_new": CellPage(frozenset({K})),
    "cases:screening": CellPage(SCREENERS),
    "cases:decisions": CellPage(frozenset({C})),
    "cases:list": CellPage(CASE_READERS),
    "cases:search": CellPage(frozenset({C, K, I})),
    "cases:scenarios": CellPage(frozenset({K})),
    "cases:scenario_new": CellPage(frozenset({K})),
    "cases:life_domains": CellPage(frozenset({K})),
    "cases:handovers": CellPage(frozenset({K})),
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
        assert set(re.findall(r"<(?:\w+:)?(\w+)>", route)) == {"pk", *spec.ids}, (
            f"{name}: map each of its other ids to an object in ObjectUrl.ids"
        )
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


def _case_objects(cell: Cell, users: dict[Role, User], marker: str) -> dict[str, Model]:
    """A case in which the member's organisation takes part and leads, with one object of each
    kind its URLs name (written by that member); two signals; a scenario template."""
    member = users[M]
    school = Membership.objects.get(user=member, cell=cell, ended_at__isnull=True).organisation
    case = CaseFactory(
        cell=cell,
        opened_by=users[C],
        lead_organisation=school,
        subject_family_name=f"Case-{marker}-only",
    )
    participation = participate(case, school, users[K])
    opinions = {
        "coordinator_opinion": "Worth a look.",
        "coordinator_opinion_by": users[K],
        "officer_opinion": "Known to the police.",
        "officer_opinion_by": users[I],
    }
    # Awaiting screening, both opinions recorded.
    signal = SignalFactory(
        cell=cell, reported_by=member, subject_family_name=f"Signal-{marker}-only", **opinions
    )
    proposed_signal = SignalFactory(
        cell=cell,
        reported_by=member,
        subject_family_name=f"Proposed-{marker}-only",
        status=SignalStatus.PROPOSED,
        screening_outcome=ScreeningOutcome.PROPOSED,
        screening_summary="Proposed to the chair.",
        screened_by=users[K],
        screened_at=timezone.now(),
        **opinions,
    )
    attachment = attachment_upload(
        actor=member,
        case=case,
        uploaded_file=SimpleUploadedFile("report.txt", b"A plain report.\n"),
        visibility=Visibility.ALL,
        description="Report",
        for_meeting=False,
    )
    goal = goal_create(actor=member, case=case, domain=None, text="Finish the school year.")
    return {
        "case": case,
        "participation": participation,
        "journal_entry": JournalEntryFactory(
            case=case, author=member, visibility=Visibility.ALL, text=f"Journal-{marker}-only"
        ),
        "attachment": attachment,
        "assessment": assessment_save(
            actor=member, case=case, summary="First view.", domains={}, based_on_version=0
        ),
        "goal": goal,
        "pathway_action": action_create(
            actor=member,
            case=case,
            goal=goal,
            description="A weekly talk.",
            owner_organisation=school,
            due_on=None,
        ),
        "signal": signal,
        "proposed_signal": proposed_signal,
        "scenario": scenario_create(
            actor=users[K], cell=cell, kind=ScenarioKind.PREVENTIVE, name=f"Scenario-{marker}-only"
        ),
    }


def _handover(from_case: Case, to_cell: Cell, contact: User) -> Handover:
    """The minimal record ``case_close`` sends to ``to_cell`` when the person moved."""
    return Handover.objects.create(
        from_case=from_case,
        from_cell_id=from_case.cell_id,
        to_cell=to_cell,
        to_municipality=to_cell.municipalities.first(),
        subject_family_name=from_case.subject_family_name,
        subject_given_names=from_case.subject_given_names,
        subject_birth_date=from_case.subject_birth_date,
        contact=contact,
    )


@pytest.fixture
def cells(world: World, settings: Any, tmp_path: Path) -> Cells:
    settings.CASUS_ATTACHMENT_DIR = tmp_path / "attachments"
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
    objects = {
        "a": _objects(world.cell_a, world.cell_admin, "A")
        | _case_objects(world.cell_a, users_a, "A"),
        "b": _objects(world.cell_b, users_b[A], "B") | _case_objects(world.cell_b, users_b, "B"),
    }
    # Cell A's handover comes from cell B: its sender may not decide it. Cell B's comes from a
    # third cell, since the handover page rightly names the sending cell (and "Cell A" is a
    # marker that must not show in cell B).
    objects["a"]["handover"] = _handover(objects["b"]["case"], world.cell_a, users_b[K])  # type: ignore[arg-type]
    contact_c = UserFactory(full_name="Coordinator C")
    case_c = CaseFactory(cell=CellFactory(name="Cell C"), opened_by=contact_c)
    objects["b"]["handover"] = _handover(case_c, world.cell_b, contact_c)
    return Cells(world=world, users={"a": users_a, "b": users_b}, objects=objects)


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
    "Case-A-only",
    "Signal-A-only",
    "Proposed-A-only",
    "Journal-A-only",
    "Scenario-A-only",
)


def _audit_mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _request(client: Client, url: str, spec: ObjectUrl, method: str):
    if method == "get":
        return client.get(url)
    return client.post(url, spec.data)


def _url(cells: Cells, name: str, spec: ObjectUrl, key: str, inner: str | None = None) -> str:
    """``name`` with the object of cell ``key``, and its other ids of cell ``inner`` (or key)."""
    kwargs = {"pk": cells.objects[key][spec.object].pk}
    for kwarg, ref in spec.ids.items():
        object_key, _, attribute = ref.partition(".")
        kwargs[kwarg] = getattr(cells.objects[inner or key][object_key], attribute or "pk")
    return reverse(name, kwargs=kwargs)


# --- (a) cell-scoped objects --------------------------------------------------------------


@pytest.mark.parametrize("name", _of(ObjectUrl))
def test_ids_of_cell_a_are_404_for_cell_b_and_for_roles_that_may_not(
    cells: Cells, name: str
) -> None:
    spec = CLASSIFICATION[name]
    assert isinstance(spec, ObjectUrl)
    methods = ["post"] if spec.post_only else ["get", "post"]
    url_a = _url(cells, name, spec, "a")
    url_b = _url(cells, name, spec, "b")
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
    # The object of cell B with an inner id of cell A (a journal entry, an attachment, ...): 404
    # even for the roles that open this page in B.
    url_mixed = _url(cells, name, spec, "b", inner="a")
    if url_mixed != url_b:
        for role in sorted(spec.roles):
            for method in methods:
                response = _request(cells.client(cells.users["b"][role]), url_mixed, spec, method)
                assert response.status_code == 404, (name, "mixed ids", role, method, response)
    # None of that wrote anything.
    assert list(AuditEvent.objects.filter(pk__gt=mark).values_list("action", flat=True)) == []
    assert not Organisation.objects.filter(name="Hijacked").exists()

    # Control: the same page opens for the allowed roles, each with their own cell's id.
    for key, url in (("b", url_b), ("a", url_a)):
        for role in sorted(spec.roles):
            response = _request(cells.client(cells.users[key][role]), url, spec, methods[0])
            if spec.post_only:
                # The view acts and returns to a page of its app, or shows the page again with
                # its refusal (a step no longer open, a form to complete).
                assert response.status_code in (200, 302), (name, key, role, response)
                if response.status_code == 302:
                    target = resolve(urlsplit(response["Location"]).path)
                    assert target.namespace == name.partition(":")[0], (name, key, role, target)
            else:
                assert response.status_code == 200, (name, key, role, response)


# --- (b) cell pages -----------------------------------------------------------------------


@pytest.mark.parametrize("name", _of(CellPage))
def test_cell_pages_by_role_and_scoped_to_the_active_cell(cells: Cells, name: str) -> None:
    spec = CLASSIFICATION[name]
    assert isinstance(spec, CellPage)
    url = reverse(name)

    def open_page(user: User):  # a POST-only action is followed to the page it returns to
        client = cells.client(user)
        return client.post(url, follow=True) if spec.post_only else client.get(url)

    for role, user in cells.users["a"].items():
        response = open_page(user)
        expected = 200 if role in spec.roles else 404
        assert response.status_code == expected, (name, role, response)
        if spec.post_only and expected == 200:
            assert response.redirect_chain, (name, role)  # it acted, then returned to a page
    for role in spec.roles:
        response = open_page(cells.users["b"][role])
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


def _cell_id(obj: Model) -> int:
    """The cell an object belongs to: a handover to the cell it is sent to."""
    if isinstance(obj, Handover):
        return obj.to_cell_id
    if isinstance(getattr(obj, "case", None), Case):
        return obj.case.cell_id  # type: ignore[attr-defined]
    return obj.cell_id  # type: ignore[attr-defined]


def test_the_fixture_objects_are_what_the_tests_assume(cells: Cells) -> None:
    for key in ("a", "b"):
        objects = cells.objects[key]
        users = cells.users[key]
        cell = cells.cell(key)
        for kind, obj in objects.items():
            assert _cell_id(obj) == cell.pk, kind
        assert objects["request"].status == RequestStatus.PENDING  # type: ignore[attr-defined]
        assert objects["charter"].status == DocumentStatus.DRAFT  # type: ignore[attr-defined]
        assert objects["statement"].status == DocumentStatus.DRAFT  # type: ignore[attr-defined]
        for kind in ("participation", "journal_entry", "attachment", "goal", "pathway_action"):
            assert objects[kind].case == objects["case"], kind  # type: ignore[attr-defined]
        assert objects["assessment"].version == 1  # type: ignore[attr-defined]
        assert objects["signal"].status == SignalStatus.RECEIVED  # type: ignore[attr-defined]
        assert objects["proposed_signal"].status == SignalStatus.PROPOSED  # type: ignore[attr-defined]
        assert objects["handover"].status == HandoverStatus.PENDING  # type: ignore[attr-defined]
        case = objects["case"]
        assert isinstance(case, Case)
        # M's organisation takes part and leads; the chair has no meeting or break-glass grant.
        assert case_can(users[M], CaseAction.FOLLOWUP_WRITE, case)
        assert not case_can(users[C], CaseAction.DOSSIER, case)
    assert cells.objects["a"]["handover"].from_cell_id == cells.world.cell_b.pk  # type: ignore[attr-defined]
    assert StatementText.objects.filter(status=DocumentStatus.ACTIVE).count() == 2
