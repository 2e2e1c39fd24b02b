"""Progress steps, closure, handovers: every transition, every refusal, every audit row."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casus.access.models import Municipality, User
from casus.access.rules import case_context, forget_case_contexts
from casus.audit.models import AccessKind, AccessLog
from casus.audit.selectors import event_values
from casus.cases.identity import identity_key, name_key
from casus.cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    Handover,
    HandoverStatus,
    Signal,
    SignalStatus,
)
from casus.cases.services.lifecycle import Closure, case_close, case_progress, handover_decide
from casus.cases.views.lifecycle import lifecycle_panel
from casus.cases.workflow import CASE_TRANSITIONS, PROGRESS_STEPS
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from casus.core.models import Notification
from tests.conftest import World, ready_client
from tests.factories import MunicipalityFactory
from tests.helpers import audit_events_since, one_audit_event, refused

from .conftest import CaseWorld
from .factories import CaseFactory
from .helpers import activate_charter, last_audit_pk, others

pytestmark = pytest.mark.django_db

NOT_COORDINATOR = others("coordinator")
MAY_NOT_CLOSE = others("chair", "coordinator")

PROGRESS_EDGES = [edge for edge, step in CASE_TRANSITIONS.items() if step in PROGRESS_STEPS]
CLOSE_EDGES = [edge for edge, step in CASE_TRANSITIONS.items() if step == "close"]
REFUSED_EDGES = [
    (frm, to) for frm in CaseStatus for to in CaseStatus if (frm, to) not in CASE_TRANSITIONS
]


def at(case: Case, status: str) -> Case:
    reason = ClosureReason.POSITIVE if status == CaseStatus.CLOSED else ""
    Case.objects.filter(pk=case.pk).update(status=status, closure_reason=reason)
    case.refresh_from_db()
    return case


def municipality_of(cell) -> Municipality:
    return cell.municipalities.get()


def close(
    actor: User,
    case: Case,
    reason: str = ClosureReason.POSITIVE,
    evaluation: str = "x",
    *,
    version: int | None = None,
    moved_to: Municipality | None = None,
) -> Closure:
    """``actor`` closes ``case`` through the service (over any version unless given)."""
    return case_close(
        actor=actor,
        case=case,
        reason=reason,
        evaluation=evaluation,
        version=version,
        moved_to=moved_to,
    )


def move_to_cell_b(world: World, case: Case, evaluation: str = "Moved to B.") -> Closure:
    """The coordinator closes ``case``: the person moved to cell B's municipality."""
    return close(
        world.coordinator,
        case,
        ClosureReason.MOVED,
        evaluation,
        moved_to=municipality_of(world.cell_b),
    )


def follow_up(world: World, case: Case, version: int | None) -> Case:
    """The coordinator starts the pathway of ``case`` (from "in discussion")."""
    return case_progress(
        actor=world.coordinator, case=case, target_status=CaseStatus.FOLLOW_UP, version=version
    )


# --- The transition table: every allowed edge, every other pair refused ---------------------


def test_the_tables_cover_every_pair() -> None:
    assert len(PROGRESS_EDGES) + len(CLOSE_EDGES) + 1 == len(CASE_TRANSITIONS)
    assert len(CASE_TRANSITIONS) + len(REFUSED_EDGES) == len(CaseStatus) ** 2


@pytest.mark.parametrize(("frm", "to"), PROGRESS_EDGES)
def test_every_progress_step(world: World, cases: CaseWorld, frm: str, to: str) -> None:
    case = at(cases.case, frm)
    before = case.status_changed_at
    with one_audit_event("CASE_STATUS_CHANGED", actor=world.coordinator, cell=world.cell_a) as r:
        result = case_progress(
            actor=world.coordinator, case=case, target_status=to, version=case.version
        )
    stored = Case.objects.get(pk=case.pk)
    assert result.status == stored.status == to
    assert stored.version == case.version + 1
    assert stored.status_changed_at > before
    assert event_values(r.event)["status"] == [frm, to]
    assert r.event.data["fields"] == ["status", "status_changed_at"]
    assert r.event.data["step"] == CASE_TRANSITIONS[(frm, to)]
    assert r.event.case_id == case.pk


@pytest.mark.parametrize(("frm", "to"), CLOSE_EDGES)
def test_every_close_edge(world: World, cases: CaseWorld, frm: str, to: str) -> None:
    case = at(cases.case, frm)
    with one_audit_event("CASE_CLOSED", actor=world.coordinator, cell=world.cell_a) as r:
        closure = case_close(
            actor=world.coordinator,
            case=case,
            reason=ClosureReason.POSITIVE,
            evaluation="Going well.",
            version=case.version,
        )
    stored = Case.objects.get(pk=case.pk)
    assert closure.case.status == stored.status == CaseStatus.CLOSED
    assert stored.closure_reason == ClosureReason.POSITIVE
    assert stored.evaluation == "Going well."
    assert stored.closed_at is not None
    assert closure.handover is None and not closure.outside_casus
    assert event_values(r.event)["status"] == [frm, CaseStatus.CLOSED]
    assert event_values(r.event)["closure_reason"] == ["", ClosureReason.POSITIVE]
    assert set(r.event.data["fields"]) == {
        "status",
        "status_changed_at",
        "closed_at",
        "closure_reason",
        "evaluation",
    }


@pytest.mark.parametrize(("frm", "to"), CLOSE_EDGES)
def test_progress_does_not_close(world: World, cases: CaseWorld, frm: str, to: str) -> None:
    case = at(cases.case, frm)
    with refused(RuleViolation, match="closure form"):
        case_progress(actor=world.coordinator, case=case, target_status=to, version=None)
    assert Case.objects.get(pk=case.pk).status == frm


def test_progress_does_not_reopen(world: World, cases: CaseWorld) -> None:
    case = at(cases.case, CaseStatus.CLOSED)
    with refused(RuleViolation, match="reopened by a new signal"):
        case_progress(
            actor=world.coordinator, case=case, target_status=CaseStatus.ON_LIST, version=None
        )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


@pytest.mark.parametrize(("frm", "to"), REFUSED_EDGES)
def test_every_other_pair_is_refused(world: World, cases: CaseWorld, frm: str, to: str) -> None:
    case = at(cases.case, frm)
    with refused(RuleViolation, match="cannot go from") as info:
        case_progress(actor=world.coordinator, case=case, target_status=to, version=None)
    assert str(CaseStatus(frm).label) in info.value.message
    assert str(CaseStatus(to).label) in info.value.message
    assert Case.objects.get(pk=case.pk).status == frm


def test_closing_a_closed_case_is_refused(world: World, cases: CaseWorld) -> None:
    case = at(cases.case, CaseStatus.CLOSED)
    with refused(RuleViolation, match="already closed"):
        close(world.coordinator, case, evaluation="Again.")


# --- Progress: roles and input ---------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_COORDINATOR)
def test_progress_refused_per_role(world: World, cases: CaseWorld, who: str) -> None:
    case = cases.case
    with refused(Forbidden):
        case_progress(
            actor=getattr(world, who),
            case=case,
            target_status=CaseStatus.FOLLOW_UP,
            version=case.version,
        )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_DISCUSSION


@pytest.mark.parametrize("bad", ["bogus", "", "CLOSED", "on_list "])
def test_progress_unknown_status(world: World, cases: CaseWorld, bad: str) -> None:
    with refused(RuleViolation, match="Choose one of the steps"):
        case_progress(actor=world.coordinator, case=cases.case, target_status=bad, version=None)


def test_progress_stale_version_is_a_conflict(world: World, cases: CaseWorld) -> None:
    case = cases.case
    stale = case.version
    follow_up(world, case, stale)
    with refused(EditConflict, match="Someone else changed this"):
        case_progress(
            actor=world.coordinator, case=case, target_status=CaseStatus.EVALUATION, version=stale
        )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FOLLOW_UP


# --- Closure: roles, input, handover ---------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "coordinator"])
def test_close_allowed(world: World, cases: CaseWorld, who: str) -> None:
    actor = getattr(world, who)
    with one_audit_event("CASE_CLOSED", actor=actor, cell=world.cell_a):
        close(
            actor,
            cases.other,
            ClosureReason.OUT_OF_PURPOSE,
            "Not within the purpose any more.",
            version=cases.other.version,
        )
    assert Case.objects.get(pk=cases.other.pk).is_closed


@pytest.mark.parametrize("who", MAY_NOT_CLOSE)
def test_close_refused_per_role(world: World, cases: CaseWorld, who: str) -> None:
    with refused(Forbidden):
        close(getattr(world, who), cases.case)
    assert not Case.objects.get(pk=cases.case.pk).is_closed


@pytest.mark.parametrize(
    ("reason", "evaluation", "match"),
    [
        ("", "Fine.", "reason"),
        ("bogus", "Fine.", "reason"),
        (ClosureReason.POSITIVE, "", "evaluation"),
        (ClosureReason.POSITIVE, "   \n ", "evaluation"),
        (ClosureReason.MOVED, "Moved.", "municipality"),
    ],
)
def test_close_bad_input(
    world: World, cases: CaseWorld, reason: str, evaluation: str, match: str
) -> None:
    with refused(RuleViolation, match=match):
        close(world.coordinator, cases.case, reason, evaluation)
    assert not Case.objects.get(pk=cases.case.pk).is_closed


def test_close_stale_version_is_a_conflict(world: World, cases: CaseWorld) -> None:
    case = cases.case
    stale = case.version
    follow_up(world, case, stale)
    with refused(EditConflict):
        close(world.coordinator, case, version=stale)


@pytest.mark.parametrize("who", ["coordinator", "chair"])
def test_close_moved_creates_a_handover(
    world: World, cases: CaseWorld, who: str, django_capture_on_commit_callbacks
) -> None:
    actor = getattr(world, who)
    case = cases.case
    target = municipality_of(world.cell_b)
    last = last_audit_pk()
    with django_capture_on_commit_callbacks(execute=True):
        closure = close(
            actor, case, ClosureReason.MOVED, "Moved away.", version=case.version, moved_to=target
        )
    events = audit_events_since(last)
    assert [e.action for e in events] == ["CASE_CLOSED", "HANDOVER_CREATED"]
    assert all(e.cell_id == world.cell_a.pk and e.case_id == case.pk for e in events)
    handover = Handover.objects.get()
    assert closure.handover == handover
    assert handover.from_cell == world.cell_a and handover.to_cell == world.cell_b
    assert handover.to_municipality == target
    assert handover.subject_family_name == case.subject_family_name
    assert handover.subject_given_names == case.subject_given_names
    assert handover.subject_birth_date == case.subject_birth_date
    # The contact is the coordinator of the sending cell, also when the chair closes.
    assert handover.contact == world.coordinator
    assert handover.status == HandoverStatus.PENDING
    assert event_values(events[1])["to_cell"] == [None, world.cell_b.pk]
    assert "subject_family_name" in events[1].data["fields"]
    # The receiving coordinator is told, without a name or a case number.
    (notice,) = Notification.objects.all()
    assert notice.user == world.member_b and notice.cell == world.cell_b
    assert notice.reference == "" and notice.url == reverse("cases:handovers")


def test_close_moved_within_own_cell_is_refused(world: World, cases: CaseWorld) -> None:
    with refused(RuleViolation, match="covers"):
        close(
            world.coordinator,
            cases.case,
            ClosureReason.MOVED,
            "Moved.",
            moved_to=municipality_of(world.cell_a),
        )
    assert not Handover.objects.exists()


def test_close_moved_to_an_uncovered_municipality(world: World, cases: CaseWorld) -> None:
    nowhere = MunicipalityFactory(name="Nowhere")
    with one_audit_event("CASE_CLOSED", actor=world.coordinator, cell=world.cell_a):
        closure = close(
            world.coordinator, cases.case, ClosureReason.MOVED, "Moved abroad.", moved_to=nowhere
        )
    assert closure.outside_casus and closure.handover is None
    assert Case.objects.get(pk=cases.case.pk).is_closed
    assert not Handover.objects.exists()


def test_moved_to_is_ignored_for_other_reasons(world: World, cases: CaseWorld) -> None:
    closure = close(
        world.coordinator, cases.case, evaluation="Fine.", moved_to=municipality_of(world.cell_b)
    )
    assert closure.handover is None and not Handover.objects.exists()


# --- Handover decision by the receiving cell ---------------------------------------------------


@pytest.fixture
def handover(world: World, cases: CaseWorld) -> Handover:
    closure = move_to_cell_b(world, cases.case)
    assert closure.handover is not None
    return closure.handover


def test_accepting_a_handover_creates_a_signal(
    world: World, cases: CaseWorld, handover: Handover
) -> None:
    activate_charter(world, world.cell_b, by=world.member_b)
    last = last_audit_pk()
    decided = handover_decide(actor=world.member_b, handover=handover, accept=True)
    events = audit_events_since(last)
    assert [e.action for e in events] == ["SIGNAL_CREATED", "HANDOVER_ACCEPTED"]
    assert all(e.cell_id == world.cell_b.pk for e in events)
    # Nothing written in cell B points at cell A's case.
    assert all(e.case_id is None for e in events)
    assert event_values(events[1])["status"] == [HandoverStatus.PENDING, HandoverStatus.ACCEPTED]
    assert decided.status == HandoverStatus.ACCEPTED and decided.decided_by == world.member_b
    signal = Signal.objects.get(cell=world.cell_b)
    assert decided.signal == signal
    case = cases.case
    assert signal.status == SignalStatus.RECEIVED
    assert signal.reported_by is None and signal.entered_by == world.member_b
    assert signal.source_description == "Handover from Cell A"
    assert signal.subject_family_name == case.subject_family_name
    assert signal.subject_birth_date == case.subject_birth_date
    assert signal.subject_municipality == municipality_of(world.cell_b)
    assert signal.observed_on == timezone.localdate()
    assert signal.identity_key == identity_key(
        cell_id=world.cell_b.pk,
        family_name=case.subject_family_name,
        given_names=case.subject_given_names,
        birth_date=case.subject_birth_date,
    )
    assert signal.identity_key != case.identity_key
    assert signal.name_key == name_key(
        cell_id=world.cell_b.pk,
        family_name=case.subject_family_name,
        given_names=case.subject_given_names,
    )
    # Nothing of the file travels: not the summary, not the evaluation.
    for text in (signal.observed_behaviour, signal.concern):
        assert "Handover" in text or "sending cell" in text
        assert case.summary not in text and "Moved to B." not in text


def test_declining_a_handover(world: World, handover: Handover) -> None:
    with one_audit_event("HANDOVER_DECLINED", actor=world.member_b, cell=world.cell_b) as r:
        decided = handover_decide(actor=world.member_b, handover=handover, accept=False)
    assert decided.status == HandoverStatus.DECLINED and decided.signal is None
    assert event_values(r.event)["status"] == [HandoverStatus.PENDING, HandoverStatus.DECLINED]
    assert not Signal.objects.filter(cell=world.cell_b).exists()


def test_a_handover_is_decided_once(world: World, handover: Handover) -> None:
    handover_decide(actor=world.member_b, handover=handover, accept=False)
    with refused(RuleViolation, match="already been decided"):
        handover_decide(actor=world.member_b, handover=handover, accept=True)


def test_accepting_needs_an_active_charter(world: World, handover: Handover) -> None:
    with refused(RuleViolation, match="charter"):
        handover_decide(actor=world.member_b, handover=handover, accept=True)
    assert Handover.objects.get(pk=handover.pk).status == HandoverStatus.PENDING


@pytest.mark.parametrize("who", others("member_b"))
def test_only_the_receiving_coordinator_decides(world: World, handover: Handover, who: str) -> None:
    activate_charter(world, world.cell_b, by=world.member_b)
    with refused(Forbidden):
        handover_decide(actor=getattr(world, who), handover=handover, accept=True)


# --- Views ---------------------------------------------------------------------------------


def test_step_view(world: World, cases: CaseWorld) -> None:
    case = cases.case
    client = ready_client(world.coordinator)
    response = client.post(
        reverse("cases:step", args=[case.pk]),
        {"target_status": CaseStatus.FOLLOW_UP, "version": case.version},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FOLLOW_UP


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"target_status": "bogus", "version": "1"},
        {"target_status": CaseStatus.CLOSED, "version": "1"},
        {"target_status": CaseStatus.EVALUATION, "version": "x"},
        {"target_status": CaseStatus.FOLLOW_UP, "version": "99"},
    ],
)
def test_step_view_bad_input_changes_nothing(
    world: World, cases: CaseWorld, data: dict[str, str]
) -> None:
    case = cases.case
    response = ready_client(world.coordinator).post(
        reverse("cases:step", args=[case.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_DISCUSSION
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.parametrize(
    "who", ["chair", "information_officer", "partner1", "partner2", "member_b"]
)
def test_step_view_refused(world: World, cases: CaseWorld, who: str) -> None:
    response = ready_client(getattr(world, who)).post(
        reverse("cases:step", args=[cases.case.pk]),
        {"target_status": CaseStatus.FOLLOW_UP, "version": cases.case.version},
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=cases.case.pk).status == CaseStatus.IN_DISCUSSION


def test_step_view_is_post_only(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    assert client.get(reverse("cases:step", args=[cases.case.pk])).status_code == 405


def test_close_page_logs_the_read(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    response = client.get(reverse("cases:close", args=[cases.case.pk]))
    assert response.status_code == 200
    assert "evaluation" in response.content.decode()
    (row,) = AccessLog.objects.filter(actor=world.coordinator)
    assert row.kind == AccessKind.CASE and row.case_id == cases.case.pk


@pytest.mark.parametrize("who", MAY_NOT_CLOSE)
def test_close_page_refused(world: World, cases: CaseWorld, who: str) -> None:
    client = ready_client(getattr(world, who))
    assert client.get(reverse("cases:close", args=[cases.case.pk])).status_code == 404
    assert client.post(reverse("cases:close", args=[cases.case.pk]), {}).status_code == 404
    assert not AccessLog.objects.exists()


def test_close_page_unknown_case(world: World) -> None:
    client = ready_client(world.coordinator)
    assert client.get(reverse("cases:close", args=[99999])).status_code == 404
    assert client.get("/cases/abc/close/").status_code == 404


def test_close_view_closes(world: World, cases: CaseWorld) -> None:
    case = cases.case
    response = ready_client(world.chair).post(
        reverse("cases:close", args=[case.pk]),
        {"reason": ClosureReason.REGULAR_CARE, "evaluation": "Handed on.", "version": case.version},
    )
    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert stored.is_closed and stored.closure_reason == ClosureReason.REGULAR_CARE


def test_close_view_moved_tells_where_it_went(world: World, cases: CaseWorld) -> None:
    case = cases.case
    response = ready_client(world.coordinator).post(
        reverse("cases:close", args=[case.pk]),
        {
            "reason": ClosureReason.MOVED,
            "evaluation": "Moved.",
            "moved_to": municipality_of(world.cell_b).pk,
            "version": case.version,
        },
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("Cell B" in t for t in texts)
    assert Handover.objects.filter(from_case=case).exists()


def test_close_view_moved_outside_casus(world: World, cases: CaseWorld) -> None:
    nowhere = MunicipalityFactory(name="Nowhere")
    response = ready_client(world.coordinator).post(
        reverse("cases:close", args=[cases.case.pk]),
        {
            "reason": ClosureReason.MOVED,
            "evaluation": "Moved.",
            "moved_to": nowhere.pk,
            "version": cases.case.version,
        },
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("outside Casus" in t and "Nowhere" in t for t in texts)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"reason": "bogus", "evaluation": "x", "version": "1"},
        {"reason": ClosureReason.POSITIVE, "evaluation": "", "version": "1"},
        {"reason": ClosureReason.MOVED, "evaluation": "x", "version": "1"},
        {"reason": ClosureReason.MOVED, "evaluation": "x", "moved_to": "abc", "version": "1"},
        {"reason": ClosureReason.POSITIVE, "evaluation": "x", "version": "-3"},
    ],
)
def test_close_view_bad_input(world: World, cases: CaseWorld, data: dict[str, str]) -> None:
    response = ready_client(world.coordinator).post(
        reverse("cases:close", args=[cases.case.pk]), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Case.objects.get(pk=cases.case.pk).is_closed


def test_close_view_rule_refusal_is_shown(world: World, cases: CaseWorld) -> None:
    response = ready_client(world.coordinator).post(
        reverse("cases:close", args=[cases.case.pk]),
        {
            "reason": ClosureReason.MOVED,
            "evaluation": "x",
            "moved_to": municipality_of(world.cell_a).pk,
            "version": cases.case.version,
        },
    )
    assert response.status_code == 200
    assert "this cell itself covers" in response.content.decode().lower()


def test_close_view_conflict_keeps_both_versions(world: World, cases: CaseWorld) -> None:
    case = cases.case
    stale = case.version
    follow_up(world, case, stale)
    response = ready_client(world.coordinator).post(
        reverse("cases:close", args=[case.pk]),
        {"reason": ClosureReason.POSITIVE, "evaluation": "My unsaved words.", "version": stale},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="compare"' in page
    assert "My unsaved words." in page
    assert str(CaseStatus.FOLLOW_UP.label) in page
    # The form now carries the current version, so saving again works.
    assert response.context["form"].data["version"] == str(stale + 1)
    assert not Case.objects.get(pk=case.pk).is_closed


@pytest.mark.parametrize("refusal", ["invalid", "rule", "conflict", "closed"])
def test_close_view_logs_the_page_shown_after_a_refused_post(
    world: World, cases: CaseWorld, refusal: str
) -> None:
    """The re-rendered page shows the case header (the subject's name): an access-log row."""
    case = cases.case
    data = {"reason": ClosureReason.POSITIVE, "evaluation": "x", "version": case.version}
    if refusal == "invalid":
        data["evaluation"] = ""
    elif refusal == "rule":
        data.update(reason=ClosureReason.MOVED, moved_to=municipality_of(world.cell_a).pk)
    elif refusal == "conflict":
        follow_up(world, case, case.version)
    else:
        at(case, CaseStatus.CLOSED)
    response = ready_client(world.coordinator).post(reverse("cases:close", args=[case.pk]), data)
    assert response.status_code == 200
    assert case.subject_family_name in response.content.decode()
    (row,) = AccessLog.objects.filter(actor=world.coordinator)
    assert row.kind == AccessKind.CASE and row.case_id == case.pk


def test_close_view_success_redirects_without_a_read(world: World, cases: CaseWorld) -> None:
    case = cases.case
    response = ready_client(world.coordinator).post(
        reverse("cases:close", args=[case.pk]),
        {"reason": ClosureReason.POSITIVE, "evaluation": "Done.", "version": case.version},
    )
    assert response.status_code == 302
    assert not AccessLog.objects.filter(actor=world.coordinator).exists()


def test_close_page_of_a_closed_case_has_no_form(world: World, cases: CaseWorld) -> None:
    case = at(cases.case, CaseStatus.CLOSED)
    response = ready_client(world.coordinator).get(reverse("cases:close", args=[case.pk]))
    assert response.status_code == 200 and response.context["form"] is None


def test_handovers_page(world: World, handover: Handover) -> None:
    response = ready_client(world.member_b).get(reverse("cases:handovers"))
    page = response.content.decode()
    assert response.status_code == 200
    assert handover.subject_family_name in page
    assert "Cell A" in page and world.coordinator.email in page
    # Nothing of the file: not the evaluation, the summary or the case number.
    assert "Moved to B." not in page
    assert handover.from_case.summary not in page
    assert handover.from_case.reference not in page


def test_handovers_page_logs_the_persons_it_shows(world: World, handover: Handover) -> None:
    second = Handover.objects.get(pk=handover.pk)
    second.pk = None
    second.save()
    client = ready_client(world.member_b)
    assert client.get(reverse("cases:handovers")).status_code == 200
    (row,) = AccessLog.objects.filter(actor=world.member_b)
    assert row.kind == AccessKind.CASE and row.cell == world.cell_b
    assert row.data["view"] == "handovers"
    assert sorted(row.data["handovers"]) == sorted([second.pk, handover.pk])
    # Every render is a read: a second visit, a second row.
    client.get(reverse("cases:handovers"))
    assert AccessLog.objects.filter(actor=world.member_b).count() == 2


def test_an_empty_handovers_page_logs_nothing(world: World, handover: Handover) -> None:
    assert ready_client(world.coordinator).get(reverse("cases:handovers")).status_code == 200
    assert not AccessLog.objects.filter(actor=world.coordinator).exists()


@pytest.mark.parametrize("who", ["chair", "partner1", "strategic", "dpo"])
def test_handovers_page_refused(world: World, handover: Handover, who: str) -> None:
    client = ready_client(getattr(world, who))
    assert client.get(reverse("cases:handovers")).status_code == 404
    url = reverse("cases:handover_decide", args=[handover.pk])
    assert client.post(url, {"decision": "accept"}).status_code == 404
    assert Handover.objects.get(pk=handover.pk).status == HandoverStatus.PENDING


def test_the_sending_coordinator_sees_only_handovers_to_their_own_cell(
    world: World, handover: Handover
) -> None:
    client = ready_client(world.coordinator)
    response = client.get(reverse("cases:handovers"))
    assert response.status_code == 200
    assert list(response.context["handovers"]) == []
    url = reverse("cases:handover_decide", args=[handover.pk])
    assert client.post(url, {"decision": "accept"}).status_code == 404
    assert Handover.objects.get(pk=handover.pk).status == HandoverStatus.PENDING


def test_handover_decide_view(world: World, handover: Handover) -> None:
    activate_charter(world, world.cell_b, by=world.member_b)
    client = ready_client(world.member_b)
    url = reverse("cases:handover_decide", args=[handover.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"decision": "bogus"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    response = client.post(url, {"decision": "accept"}, follow=True)
    assert response.status_code == 200
    signal = Signal.objects.get(cell=world.cell_b)
    assert signal.reference in response.content.decode()
    response = client.post(url, {"decision": "decline"}, follow=True)
    assert "already been decided" in response.content.decode()
    assert client.post(reverse("cases:handover_decide", args=[99999]), {}).status_code == 404


def test_a_handover_of_another_cell_is_404(world: World, cases: CaseWorld) -> None:
    # A handover from B to A: cell B's coordinator cannot decide it.
    case_b = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    reverse_handover = Handover.objects.create(
        from_case=case_b,
        from_cell=world.cell_b,
        to_cell=world.cell_a,
        to_municipality=municipality_of(world.cell_a),
        subject_family_name="Handedtoafamily",
        subject_given_names="Y",
        contact=world.member_b,
    )
    client = ready_client(world.member_b)
    url = reverse("cases:handover_decide", args=[reverse_handover.pk])
    assert client.post(url, {"decision": "accept"}).status_code == 404
    assert "Handedtoafamily" not in client.get(reverse("cases:handovers")).content.decode()


# --- The panel on the case overview ---------------------------------------------------------


def panel_for(world: World, who: str, case: Case) -> dict[str, object]:
    user = getattr(world, who)
    forget_case_contexts(user)
    return lifecycle_panel(None, case_context(user, case))  # type: ignore[arg-type]


def test_panel_per_role(world: World, cases: CaseWorld) -> None:
    case = cases.case
    coordinator = panel_for(world, "coordinator", case)
    assert coordinator["lifecycle_steps"] == [
        (CaseStatus.FOLLOW_UP, str(PROGRESS_STEPS["start_pathway"]))
    ]
    assert coordinator["lifecycle_close_url"] == reverse("cases:close", args=[case.pk])
    assert coordinator["lifecycle_pdf_url"] == reverse("cases:pdf", args=[case.pk])
    chair = panel_for(world, "chair", case)
    assert "lifecycle_steps" not in chair and "lifecycle_close_url" in chair
    partner = panel_for(world, "partner1", case)
    assert set(partner) == {"lifecycle_panel", "lifecycle_pdf_url", "lifecycle_identity_form"}
    for who in ("partner2", "strategic", "dpo", "cell_admin", "member_b"):
        assert panel_for(world, who, case) == {}


def test_panel_of_a_closed_case(world: World, cases: CaseWorld) -> None:
    case = at(cases.case, CaseStatus.CLOSED)
    panel = panel_for(world, "coordinator", case)
    assert "lifecycle_steps" not in panel and "lifecycle_close_url" not in panel


def test_panel_template_renders_the_buttons(world: World, cases: CaseWorld) -> None:
    from django.template.loader import render_to_string

    html = render_to_string(
        "cases/lifecycle/_panel.html", panel_for(world, "coordinator", cases.case)
    )
    assert 'name="target_status" value="follow_up"' in html
    assert reverse("cases:close", args=[cases.case.pk]) in html
    assert render_to_string("cases/lifecycle/_panel.html", {}).strip() == ""


def test_birth_dates_survive_a_handover(world: World, cases: CaseWorld) -> None:
    cases.case.subject_birth_date = datetime.date(2001, 1, 2)
    cases.case.save(update_fields=["subject_birth_date"])
    cases.case.refresh_from_db()
    closure = move_to_cell_b(world, cases.case, "x")
    assert closure.handover is not None
    assert closure.handover.subject_birth_date == datetime.date(2001, 1, 2)
