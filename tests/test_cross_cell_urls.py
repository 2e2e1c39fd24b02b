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

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
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
    Table,
    TableKind,
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
from casus.meetings.models import (
    AgendaItem,
    Counterpart,
    Direction,
    FeedbackSheet,
    FeedbackStatus,
    Invitation,
    ItemKind,
    LegalBasis,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from casus.meetings.services.feedback import feedback_draft, feedback_submit
from casus.meetings.services.meetings import (
    agenda_item_add,
    attendance_record,
    meeting_create,
    meeting_publish,
    meeting_start,
    secrecy_confirm,
)
from casus.meetings.services.minutes import minutes_propose, minutes_save
from casus.meetings.services.register import exchange_record
from casus.privacy.models import (
    BreakGlass,
    SubjectRequest,
    SubjectRequestKind,
    SubjectRequestOutcome,
    SubjectRequestReview,
)
from casus.privacy.selectors import subject_review_items_for
from casus.privacy.services import (
    subject_request_compile,
    subject_request_decide,
    subject_request_register,
    subject_review_submit,
)
from casus.retention.models import PurgeRun
from tests.cases.factories import CaseFactory, JournalEntryFactory, SignalFactory, participate
from tests.conftest import World, mark_reauthenticated, ready_client
from tests.factories import CellFactory, MembershipFactory, UserFactory, enrol_totp
from tests.url_specs import (
    CellPage,
    InstallationUrl,
    ObjectUrl,
    PublicUrl,
    Ref,
    RegionalUrl,
    SharedUrl,
)

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


APPROVE = {"decision": "approve", "note": ""}
PAST = "2025-03-14"  # a date in the past, for forms that refuse future dates
JOURNAL_ENTRY = {"occurred_on": PAST, "text": "Hijacked", "visibility": "all", "for_meeting": ""}

#: Who sees each part of a case (product.md's matrix; M is a member whose organisation takes
#: part in the case and leads it, the chair has no meeting or break-glass grant).
CASE_READERS = frozenset({C, K, I, M})  # overview, assessment, pathway, PDF
DOSSIER_READERS = frozenset({K, I, M})  # journal and attachments
FOLLOWUP_WRITERS = frozenset({K, I, M})  # assessment and pathway: M as the lead partner
SCREENERS = frozenset({K, I})
#: Meetings: the list, a published meeting (S invited for its policy item), its agenda PDF.
MEETING_READERS = frozenset({C, K, I, M, S})
#: A case item on one's agenda: the chair, the coordinator, the officer, and M invited for it.
ITEM_LISTED = frozenset({C, K, I, M})
#: Present (and confirmed) for the held meeting's case item: minutes, feedback votes.
PRESENT = frozenset({C, K, I, M})

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
    # (a) privacy: break-glass by the chair, its review by the coordinator
    "privacy:break_glass_open": ObjectUrl("case", frozenset({C}), data={"reason": "Hijacked"}),
    "privacy:break_glass_review": ObjectUrl(
        "break_glass", frozenset({K}), post_only=True, data={"note": "Hijacked"}
    ),
    # (a) data-subject requests: ``subject_request`` is compiled and in review (the member's
    # organisation reviews its entries), ``decided_request`` an access request granted.
    "privacy:subject_request": ObjectUrl("subject_request", frozenset({C, K})),
    "privacy:subject_request_compile": ObjectUrl("subject_request", frozenset({K}), post_only=True),
    "privacy:subject_request_extend": ObjectUrl(
        "subject_request",
        frozenset({K}),
        post_only=True,
        data={"months": 1, "reason": "Hijacked"},
    ),
    "privacy:subject_request_decide": ObjectUrl(
        "subject_request",
        frozenset({C}),
        data={"outcome": "refused", "legal_ground": "Hijacked", "note": ""},
    ),
    "privacy:subject_request_rectified": ObjectUrl(
        "subject_request", frozenset({K}), post_only=True, data={"note": "Hijacked"}
    ),
    "privacy:subject_request_close": ObjectUrl("subject_request", frozenset({K}), post_only=True),
    "privacy:subject_request_response": ObjectUrl(
        "decided_request", frozenset({C, K}), get_only=True
    ),
    "privacy:subject_review": ObjectUrl("subject_review", frozenset({M})),
    # (a) retention: a dry-run report for chair, coordinator and DPO; the chair decides.
    "retention:run": ObjectUrl("purge_run", frozenset({C, K, D})),
    "retention:decide": ObjectUrl(
        "purge_run", frozenset({C}), data={"decision": "reject", "note": "Hijacked"}
    ),
    "cases:handover_decide": ObjectUrl(
        "handover", frozenset({K}), post_only=True, data={"decision": "decline"}
    ),
    # (a) meetings: ``meeting`` is a published meeting of the operational table chaired by the
    # coordinator (a case item of ``case`` with M invited, a policy item with S invited);
    # ``held_meeting`` has started, chaired by the chair, with C K I M present and confirmed
    # for its case item (minutes proposed, a feedback sheet awaiting approval).
    "meetings:detail": ObjectUrl("meeting", MEETING_READERS),
    "meetings:edit": ObjectUrl(
        "meeting",
        frozenset({K}),
        data={
            "starts_at": "2031-01-01T10:00",
            "duration_minutes": 60,
            "place": "Hijacked",
            "chaired_by": Ref("meeting.chaired_by_id"),
            "secretary": Ref("meeting.secretary_id"),
            "window_days": 7,
            "version": Ref("meeting.version"),
        },
    ),
    "meetings:item": ObjectUrl("meeting", ITEM_LISTED, ids={"item_pk": "case_item"}),
    "meetings:item_add": ObjectUrl(
        "meeting", frozenset({K}), post_only=True, data={"kind": "policy", "title": "Hijacked"}
    ),
    "meetings:item_remove": ObjectUrl(
        "meeting", frozenset({K}), post_only=True, ids={"item_pk": "policy_item"}
    ),
    "meetings:reorder": ObjectUrl(
        "meeting",
        frozenset({K}),
        post_only=True,
        data={"item": Ref("policy_item"), "direction": "up"},
    ),
    "meetings:invitations_default": ObjectUrl(
        "meeting", frozenset({K}), post_only=True, ids={"item_pk": "case_item"}
    ),
    "meetings:invitation_add": ObjectUrl(
        "meeting",
        frozenset({K}),
        post_only=True,
        ids={"item_pk": "case_item"},
        data={"membership": Ref("membership")},
    ),
    "meetings:invitation_remove": ObjectUrl(
        "meeting",
        frozenset({K}),
        post_only=True,
        ids={"item_pk": "case_item", "invitation_pk": "invitation"},
    ),
    "meetings:publish": ObjectUrl(
        "meeting", frozenset({K}), post_only=True, data={"version": Ref("meeting.version")}
    ),
    "meetings:start": ObjectUrl(
        "meeting", frozenset({K}), post_only=True, data={"version": Ref("meeting.version")}
    ),
    "meetings:end": ObjectUrl(
        "held_meeting",
        frozenset({K}),
        post_only=True,
        data={"version": Ref("held_meeting.version")},
    ),
    "meetings:cancel": ObjectUrl(
        "meeting", frozenset({K}), post_only=True, data={"version": Ref("meeting.version")}
    ),
    "meetings:attendance": ObjectUrl(  # the coordinator, here also the meeting's secretary
        "held_meeting",
        frozenset({K}),
        post_only=True,
        data={"user": Ref("held_meeting.secretary_id"), "items": [Ref("held_item")]},
    ),
    "meetings:confirm": ObjectUrl("held_meeting", PRESENT, post_only=True),
    "meetings:secrecy_record": ObjectUrl(
        "held_meeting",
        frozenset({K}),
        post_only=True,
        data={"user": Ref("held_meeting.chaired_by_id")},
    ),
    "meetings:agenda_pdf": ObjectUrl("meeting", MEETING_READERS, get_only=True),
    "meetings:minutes_pdf": ObjectUrl("held_meeting", PRESENT, get_only=True),
    # (a) minutes, decisions and feedback sheets of the held meeting's case item
    "meetings:minutes": ObjectUrl(
        "held_meeting", PRESENT, get_only=True, ids={"item_pk": "held_item"}
    ),
    "meetings:minutes_edit": ObjectUrl(
        "held_meeting",
        frozenset({K}),
        ids={"item_pk": "held_item"},
        data={"minutes": "Hijacked", "version": Ref("held_item.version")},
    ),
    "meetings:minutes_propose": ObjectUrl(
        "held_meeting", frozenset({K}), post_only=True, ids={"item_pk": "held_item"}
    ),
    "meetings:minutes_approve": ObjectUrl(
        "held_meeting", PRESENT, post_only=True, ids={"item_pk": "held_item"}
    ),
    "meetings:decision_add": ObjectUrl(
        "held_meeting", frozenset({K}), ids={"item_pk": "held_item"}, data={"text": "Hijacked"}
    ),
    "meetings:feedback_new": ObjectUrl(
        "held_meeting", frozenset({I}), ids={"item_pk": "held_item"}, data={"reason": "Hijacked"}
    ),
    "meetings:feedback": ObjectUrl("feedback_sheet", PRESENT, get_only=True),
    "meetings:feedback_edit": ObjectUrl(
        "feedback_sheet",
        frozenset({I}),
        data={"reason": "Hijacked", "version": Ref("feedback_sheet.version")},
    ),
    "meetings:feedback_submit": ObjectUrl("feedback_sheet", frozenset({I}), post_only=True),
    "meetings:feedback_vote": ObjectUrl(
        "feedback_sheet", PRESENT, post_only=True, data={"vote": "approve", "reason": ""}
    ),
    "meetings:feedback_sent": ObjectUrl(
        "feedback_sheet",
        frozenset({I}),
        post_only=True,
        data={"sent_on": PAST, "sent_to": "Hijacked", "counterpart": "ltf"},
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
    "audit:case_trail": CellPage(frozenset({D})),
    "audit:person_trail": CellPage(frozenset({D})),
    "audit:unusual": CellPage(frozenset({D})),
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
    "meetings:list": CellPage(MEETING_READERS),
    "meetings:new": CellPage(frozenset({K})),
    "meetings:register": CellPage(frozenset({C, K, I})),
    "meetings:register_new": CellPage(frozenset({I})),
    "privacy:break_glass_list": CellPage(frozenset({C, K, D})),
    "privacy:subject_requests": CellPage(frozenset({C, K})),
    "privacy:subject_request_new": CellPage(frozenset({K})),
    "privacy:subject_request_decisions": CellPage(frozenset({D})),
    "privacy:subject_reviews": CellPage(frozenset({K, I, M})),
    "privacy:record": CellPage(frozenset({C, K, D, A})),
    "privacy:dpia": CellPage(frozenset({C, K, D, A})),
    "retention:runs": CellPage(frozenset({C, K, D})),
    "retention:prepare": CellPage(frozenset({K}), post_only=True),
    "retention:log": CellPage(frozenset({C, K, D})),
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

#: Apps that keep their own part of the classification in ``tests/<app>/cross_cell.py``:
#: ``CLASSIFICATION`` (merged here), ``MARKERS`` (of cell A, never shown in cell B),
#: ``cell_objects(cell, users, marker)`` (objects of one cell for its ObjectUrls) and
#: ``installation_objects(world, people)`` (installation-wide objects for SharedUrl and
#: RegionalUrl; ``people`` holds "editor" and "regional").
PLUGINS = [
    importlib.import_module(f"tests.{app}.cross_cell")
    for app in ("strategy", "monitoring", "knowledge", "socialmap")
]
for _plugin in PLUGINS:
    assert not set(_plugin.CLASSIFICATION) & set(CLASSIFICATION), _plugin.__name__
    CLASSIFICATION.update(_plugin.CLASSIFICATION)


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
    elif isinstance(spec, (SharedUrl, RegionalUrl)):
        assert names_an_object is (spec.object is not None), name
        if spec.object is not None:
            assert set(re.findall(r"<(?:\w+:)?(\w+)>", route)) == {"pk"}, name
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
    # Installation roles without a cell ("editor": knowledge editor, "regional": regional
    # support of a body cell A opted in to) and the installation-wide objects of the plugins.
    people: dict[str, User] = field(default_factory=dict)
    shared: dict[str, Model] = field(default_factory=dict)

    def cell(self, key: str) -> Cell:
        return self.world.cell_a if key == "a" else self.world.cell_b

    def client(self, user: User) -> Client:
        if user.pk not in self.clients:
            # Each has just re-authenticated: the rules, not a re-authentication prompt, decide.
            client = mark_reauthenticated(ready_client(user), user)
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
    # A break-glass use of last week, expired (the chair has no grant now), awaiting review.
    opened = timezone.now() - timedelta(days=7)
    break_glass = BreakGlass.objects.create(
        cell=cell,
        case=case,
        user=users[C],
        reason="An emergency last week.",
        opened_at=opened,
        expires_at=opened + timedelta(hours=24),
    )
    return {
        "case": case,
        "break_glass": break_glass,
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


def _meeting_objects(cell: Cell, users: dict[Role, User], marker: str) -> dict[str, Model]:
    """A published meeting of the operational table about the fixture's case (M invited for it,
    S for a policy item), chaired by the coordinator so that the chair gets no grant on that
    case; a meeting in session about a second case of M's organisation, chaired by the chair,
    with C K I M present and confirmed, its minutes proposed and a feedback sheet of the
    information officer awaiting approval; an entry of the exchange register."""
    coordinator, member = users[K], users[M]
    school = Membership.objects.get(user=member, cell=cell, ended_at__isnull=True).organisation
    # Names are sealed at rest: compare them in Python, not in SQL.
    case = next(
        case
        for case in Case.objects.filter(cell=cell)
        if case.subject_family_name == f"Case-{marker}-only"
    )
    table = Table.objects.create(
        cell=cell, kind=TableKind.OPERATIONAL, name=f"Operational-{marker}-only"
    )

    def plan(chair: User, starts_in: timedelta) -> Meeting:
        return meeting_create(
            actor=coordinator,
            cell=cell,
            table=table,
            starts_at=timezone.now() + starts_in,
            duration_minutes=120,
            place=f"Place-{marker}-only",
            video_link="",
            chaired_by=chair,
            secretary=coordinator,
        )

    def invite(item: AgendaItem, user: User) -> Invitation:
        membership = Membership.objects.get(user=user, cell=cell, ended_at__isnull=True)
        return Invitation.objects.create(item=item, membership=membership, invited_by=coordinator)

    meeting = plan(coordinator, timedelta(days=3))
    case_item = agenda_item_add(actor=coordinator, meeting=meeting, kind=ItemKind.REVIEW, case=case)
    policy_item = agenda_item_add(
        actor=coordinator, meeting=meeting, kind=ItemKind.POLICY, title=f"Policy-{marker}-only"
    )
    invitation = invite(case_item, member)
    invite(policy_item, users[S])
    meeting = meeting_publish(actor=coordinator, meeting=meeting, version=meeting.version)

    held_case = CaseFactory(
        cell=cell,
        opened_by=users[C],
        lead_organisation=school,
        subject_family_name=f"Held-{marker}-only",
    )
    participate(held_case, school, coordinator)
    held = plan(users[C], timedelta(hours=-1))
    held_item = agenda_item_add(
        actor=coordinator, meeting=held, kind=ItemKind.REVIEW, case=held_case
    )
    invite(held_item, member)
    invite(held_item, users[I])
    held = meeting_publish(actor=coordinator, meeting=held, version=held.version)
    held = meeting_start(actor=coordinator, meeting=held, version=held.version)
    for role in sorted(PRESENT):
        attendance_record(
            actor=coordinator, meeting=held, user=users[role], present_for_items=[held_item.pk]
        )
        secrecy_confirm(actor=users[role], meeting=held)
    held_item = minutes_save(
        actor=coordinator, item=held_item, minutes=f"Minutes-{marker}-only", version=1
    )
    held_item = minutes_propose(actor=coordinator, item=held_item)
    sheet = feedback_draft(
        actor=users[I],
        item=held_item,
        reason=f"Feedback-{marker}-only",
        cell_assessment="",
        measures="",
        request="",
        contact="",
    )
    sheet = feedback_submit(actor=users[I], sheet=sheet)
    exchange = exchange_record(
        actor=users[I],
        cell=cell,
        direction=Direction.OUTGOING,
        counterpart=Counterpart.POLICE,
        counterpart_detail="",
        occurred_on=timezone.localdate(),
        legal_basis=LegalBasis.ART_458TER,
        legal_basis_detail="",
        reference=f"PV-{marker}-only",
        subject=f"Exchange-{marker}-only",
        case=case,
    )
    return {
        "meeting": meeting,
        "case_item": case_item,
        "policy_item": policy_item,
        "invitation": invitation,
        "held_case": held_case,
        "held_meeting": held,
        "held_item": held_item,
        "feedback_sheet": sheet,
        "exchange": exchange,
    }


def _retention_objects(cell: Cell, users: dict[Role, User]) -> dict[str, Model]:
    """A dry run of the cell awaiting the chair's decision (nothing due: no items)."""
    run = PurgeRun.objects.create(
        cell=cell, as_of=timezone.localdate(), charter_version=1, prepared_by=users[K]
    )
    return {"purge_run": run}


def _subject_request_objects(cell: Cell, users: dict[Role, User], marker: str) -> dict[str, Model]:
    """Two access requests by the fixture case's subject: one compiled and in review by the
    member's organisation, one reviewed (everything disclosed) and granted by the chair."""

    def register() -> SubjectRequest:
        return subject_request_register(
            actor=users[K],
            cell=cell,
            kind=SubjectRequestKind.ACCESS,
            received_on=timezone.localdate(),
            family_name=f"Case-{marker}-only",
            given_names="Alex",
            birth_date=date(2007, 2, 3),
            request_text="What do you hold about me?",
            contact="By post.",
        )

    pending = subject_request_compile(actor=users[K], request=register())
    decided = subject_request_compile(actor=users[K], request=register())
    review = decided.reviews.get()
    items = subject_review_items_for(actor=users[M], review=review)
    subject_review_submit(
        actor=users[M],
        review=review,
        decisions={view.item.pk: (True, "", "") for view in items},
    )
    decided.refresh_from_db()
    decided = subject_request_decide(
        actor=users[C],
        request=decided,
        outcome=SubjectRequestOutcome.GRANTED,
        legal_ground="GDPR art. 15",
        note="",
    )
    return {
        "subject_request": pending,
        "subject_review": pending.reviews.get(),
        "decided_request": decided,
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
        key: _objects(cell, users[A], marker)
        | _case_objects(cell, users, marker)
        | _meeting_objects(cell, users, marker)
        | _subject_request_objects(cell, users, marker)
        | _retention_objects(cell, users)
        | _plugin_objects(cell, users, marker)
        for key, cell, users, marker in (
            ("a", world.cell_a, users_a, "A"),
            ("b", world.cell_b, users_b, "B"),
        )
    }
    # Cell A's handover comes from cell B: its sender may not decide it. Cell B's comes from a
    # third cell, since the handover page rightly names the sending cell (and "Cell A" is a
    # marker that must not show in cell B).
    objects["a"]["handover"] = _handover(objects["b"]["case"], world.cell_a, users_b[K])  # type: ignore[arg-type]
    contact_c = UserFactory(full_name="Coordinator C")
    case_c = CaseFactory(cell=CellFactory(name="Cell C"), opened_by=contact_c)
    objects["b"]["handover"] = _handover(case_c, world.cell_b, contact_c)
    people = {
        "editor": UserFactory(full_name="Knowledge editor", is_knowledge_editor=True),
        "regional": UserFactory(full_name="Regional support", is_regional_support=True),
    }
    shared: dict[str, Model] = {}
    for plugin in PLUGINS:
        if hasattr(plugin, "installation_objects"):
            shared |= plugin.installation_objects(world, people)
    return Cells(
        world=world,
        users={"a": users_a, "b": users_b},
        objects=objects,
        people=people,
        shared=shared,
    )


def _plugin_objects(cell: Cell, users: dict[Role, User], marker: str) -> dict[str, Model]:
    objects: dict[str, Model] = {}
    for plugin in PLUGINS:
        if hasattr(plugin, "cell_objects"):
            objects |= plugin.cell_objects(cell, users, marker)
    return objects


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
    "Operational-A-only",
    "Place-A-only",
    "Policy-A-only",
    "Held-A-only",
    "Minutes-A-only",
    "Feedback-A-only",
    "PV-A-only",
    "Exchange-A-only",
    *(marker for plugin in PLUGINS for marker in getattr(plugin, "MARKERS", ())),
)


def _audit_mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _value(cells: Cells, key: str, value: Any) -> Any:
    if isinstance(value, list):
        return [_value(cells, key, one) for one in value]
    if isinstance(value, Ref):
        object_key, _, attribute = value.ref.partition(".")
        return getattr(cells.objects[key][object_key], attribute or "pk")
    return value


def _request(cells: Cells, user: User, url: str, spec: ObjectUrl, method: str, key: str = "a"):
    """GET ``url``, or POST it the spec's data, its references taken from cell ``key``."""
    client = cells.client(user)
    if method == "get":
        return client.get(url)
    return client.post(url, {name: _value(cells, key, v) for name, v in spec.data.items()})


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
    methods = ["post"] if spec.post_only else ["get"] if spec.get_only else ["get", "post"]
    url_a = _url(cells, name, spec, "a")
    url_b = _url(cells, name, spec, "b")
    for user in [*cells.users["a"].values(), *cells.users["b"].values()]:
        cells.client(user)  # log everyone in before counting audit rows
    mark = _audit_mark()

    # Every member of cell B, in every role — also the role that opens this page in B.
    for role, user in cells.users["b"].items():
        for method in methods:
            response = _request(cells, user, url_a, spec, method)
            assert response.status_code == 404, (name, "cell B", role, method, response)
    # Members of cell A whose role may not open it.
    for role, user in cells.users["a"].items():
        if role not in spec.roles:
            for method in methods:
                response = _request(cells, user, url_a, spec, method)
                assert response.status_code == 404, (name, "cell A", role, method, response)
    # The object of cell B with an inner id of cell A (a journal entry, an attachment, ...): 404
    # even for the roles that open this page in B.
    url_mixed = _url(cells, name, spec, "b", inner="a")
    if url_mixed != url_b:
        for role in sorted(spec.roles):
            for method in methods:
                response = _request(cells, cells.users["b"][role], url_mixed, spec, method)
                assert response.status_code == 404, (name, "mixed ids", role, method, response)
    # None of that wrote anything.
    assert list(AuditEvent.objects.filter(pk__gt=mark).values_list("action", flat=True)) == []
    assert not Organisation.objects.filter(name="Hijacked").exists()

    # Control: the same page opens for the allowed roles, each with their own cell's id.
    for key, url in (("b", url_b), ("a", url_a)):
        for role in sorted(spec.roles):
            response = _request(cells, cells.users[key][role], url, spec, methods[0], key)
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


# --- (e) installation-wide knowledge, (f) regional aggregates ------------------------------


def _shared_url(cells: Cells, name: str, spec: SharedUrl | RegionalUrl) -> str:
    if spec.object is None:
        return reverse(name)
    return reverse(name, kwargs={"pk": cells.shared[spec.object].pk})


def _installation_client(cells: Cells, user: User) -> Client:
    if user.pk not in cells.clients:
        cells.clients[user.pk] = mark_reauthenticated(ready_client(user), user)
    return cells.clients[user.pk]


@pytest.mark.parametrize("name", _of(SharedUrl))
def test_shared_knowledge_is_read_by_everyone_and_written_by_editors(
    cells: Cells, name: str
) -> None:
    spec = CLASSIFICATION[name]
    assert isinstance(spec, SharedUrl)
    url = _shared_url(cells, name, spec)
    everyone = [*cells.users["a"].values(), *cells.users["b"].values()]
    editor = cells.people["editor"]
    # Logged out: the login page, whatever the method.
    assert Client().get(url).status_code == 302
    assert Client().post(url, spec.data).status_code == 302
    if spec.editors_only:
        refused = [*everyone, cells.people["regional"]]
        clients = [
            cells.client(user) if user in everyone else _installation_client(cells, user)
            for user in refused
        ]  # everyone logs in before the audit rows are counted
        mark = _audit_mark()
        for user, client in zip(refused, clients, strict=True):
            if not spec.post_only:
                assert client.get(url).status_code == 404, (name, user)
            assert client.post(url, spec.data).status_code == 404, (name, user)
        assert list(AuditEvent.objects.filter(pk__gt=mark).values_list("action", flat=True)) == []
        client = _installation_client(cells, editor)
        response = client.post(url, spec.data) if spec.post_only else client.get(url)
        assert response.status_code in (200, 302), (name, response)
        return
    for user in everyone:
        response = cells.client(user).get(url)
        assert response.status_code == 200, (name, user, response)
        if user in cells.users["b"].values():  # cell A's own members see their cell's name
            page = response.content.decode()
            leaked = [marker for marker in CELL_A_MARKERS if marker in page]
            assert leaked == [], (name, user, leaked)
    for user in cells.people.values():
        assert _installation_client(cells, user).get(url).status_code == 200, (name, user)


@pytest.mark.parametrize("name", _of(RegionalUrl))
def test_regional_pages_only_for_regional_support(cells: Cells, name: str) -> None:
    spec = CLASSIFICATION[name]
    assert isinstance(spec, RegionalUrl)
    url = _shared_url(cells, name, spec)
    assert Client().get(url).status_code == 302
    for user in [*cells.users["a"].values(), *cells.users["b"].values()]:
        assert cells.client(user).get(url).status_code == 404, (name, user)
    editor = _installation_client(cells, cells.people["editor"])
    assert editor.get(url).status_code == 404
    admin = _installation_client(cells, cells.world.installation_admin)
    assert admin.get(url).status_code == 404
    response = _installation_client(cells, cells.people["regional"]).get(url)
    assert response.status_code == 200, (name, response)


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
    if isinstance(obj, AgendaItem):
        return obj.meeting.cell_id
    if isinstance(obj, SubjectRequestReview):
        return obj.request.cell_id
    if isinstance(obj, (Invitation, FeedbackSheet)):
        return obj.item.meeting.cell_id
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
        # Meetings: M invited for the case item, S for the policy item; the chair reads the
        # held meeting's case as its chair; C K I M present and confirmed for its item.
        assert objects["meeting"].status == MeetingStatus.PUBLISHED  # type: ignore[attr-defined]
        assert objects["case_item"].case == case  # type: ignore[attr-defined]
        assert objects["policy_item"].meeting == objects["meeting"]  # type: ignore[attr-defined]
        assert objects["invitation"].membership.user == users[M]  # type: ignore[attr-defined]
        held, item = objects["held_meeting"], objects["held_item"]
        assert held.status == MeetingStatus.STARTED  # type: ignore[attr-defined]
        assert item.minutes_status == MinutesStatus.PROPOSED  # type: ignore[attr-defined]
        assert set(item.present.all()) == {users[role] for role in PRESENT}  # type: ignore[attr-defined]
        assert not held.attendances.filter(confirmed_at__isnull=True).exists()  # type: ignore[attr-defined]
        assert case_can(users[C], CaseAction.DOSSIER, objects["held_case"])  # type: ignore[arg-type]
        sheet = objects["feedback_sheet"]
        assert sheet.status == FeedbackStatus.IN_APPROVAL  # type: ignore[attr-defined]
        assert sheet.drafted_by == users[I]  # type: ignore[attr-defined]
    assert cells.objects["a"]["handover"].from_cell_id == cells.world.cell_b.pk  # type: ignore[attr-defined]
    assert StatementText.objects.filter(status=DocumentStatus.ACTIVE).count() == 2
