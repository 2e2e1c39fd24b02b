"""Data-subject requests: the coordinator registers and compiles, each organisation reviews
its own entries (never police-only ones), the chair decides, the DPO sees the decisions only;
the legal deadline; the answer; the art. 30 record and the DPIA annex."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casus.access.models import Charter, Organisation
from casus.audit.models import AccessKind, AccessLog, AuditEvent
from casus.cases.models import Case, Signal, Visibility
from casus.core.exceptions import Forbidden, RuleViolation
from casus.core.models import Notification
from casus.privacy.models import (
    SubjectItemKind,
    SubjectRequest,
    SubjectRequestKind,
    SubjectRequestReview,
    SubjectRequestStatus,
    SubjectReviewStatus,
    WithholdReason,
    add_months,
)
from casus.privacy.reminders import subject_request_reminders_run
from casus.privacy.selectors import (
    subject_request_decisions_for,
    subject_request_erasures,
    subject_review_get_for,
    subject_review_items_for,
)
from casus.privacy.services import (
    subject_request_close,
    subject_request_compile,
    subject_request_decide,
    subject_request_extend,
    subject_request_rectified,
    subject_request_register,
    subject_review_submit,
)
from casus.privacy.workflow import SUBJECT_REQUEST_TRANSITIONS, subject_request_step
from tests.cases.factories import CaseFactory, SignalFactory, participate
from tests.cases.helpers import activate_charter, pathway_action, write_entry
from tests.conftest import World, mark_reauthenticated, ready_client

pytestmark = pytest.mark.django_db

FAMILY, GIVEN, BORN = "Van der Berg", "Jan", datetime.date(2001, 1, 1)
POLICE_SECRET = "Police secret note about the person."
EVERYONE = (
    "chair",
    "coordinator",
    "information_officer",
    "partner1",
    "partner2",
    "strategic",
    "dpo",
    "cell_admin",
    "member_b",
)


def org(world: World, who: str) -> Organisation:
    return world.membership(getattr(world, who)).organisation


@pytest.fixture
def held(world: World) -> Case:
    """A case of cell A about the requester: school, police and OCMW take part and wrote."""
    case = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        subject_family_name=FAMILY,
        subject_given_names=GIVEN,
        subject_birth_date=BORN,
        lead_organisation=org(world, "partner1"),
    )
    for who in ("partner1", "partner2", "information_officer"):
        participate(case, org(world, who), world.coordinator)
    write_entry(world.partner1, case, text="School note for everyone.")
    write_entry(world.partner1, case, "School own note.", Visibility.OWN_ORGANISATION)
    write_entry(world.partner2, case, "OCMW own note.", Visibility.OWN_ORGANISATION)
    write_entry(world.information_officer, case, POLICE_SECRET, Visibility.POLICE)
    write_entry(world.information_officer, case, text="Police note for everyone.")
    write_entry(world.coordinator, case, text="Coordinator note.")
    pathway_action(case, org(world, "partner2"), world.coordinator, due=10)
    # A signal about the same person, reported by the OCMW; and other people's files.
    SignalFactory(
        cell=world.cell_a,
        reported_by=world.partner2,
        subject_family_name="van der berg",
        subject_given_names="JAN",
        subject_birth_date=BORN,
        observed_behaviour="Seen at a rally.",
    )
    CaseFactory(cell=world.cell_a, opened_by=world.chair, subject_family_name="Someone Else")
    CaseFactory(
        cell=world.cell_b,
        opened_by=world.member_b,
        subject_family_name=FAMILY,
        subject_given_names=GIVEN,
        subject_birth_date=BORN,
    )
    return case


def register(world: World, kind: str = SubjectRequestKind.ACCESS, **overrides) -> SubjectRequest:
    values = {
        "actor": world.coordinator,
        "cell": world.cell_a,
        "kind": kind,
        "received_on": timezone.localdate(),
        "family_name": "VAN DER BERG",
        "given_names": "jan",
        "birth_date": BORN,
        "request_text": "Please send me everything you hold about me.",
        "contact": "Letter; answer by post.",
    } | overrides
    return subject_request_register(**values)


def review_of(request: SubjectRequest, world: World, who: str) -> SubjectRequestReview:
    return request.reviews.get(organisation=org(world, who))


def review_all(request: SubjectRequest, world: World, disclose: bool = True) -> SubjectRequest:
    """Every organisation's reviewer submits: all disclosed, or all withheld."""
    reviewers = {
        org(world, who).pk: getattr(world, who)
        for who in ("partner1", "partner2", "information_officer", "coordinator")
    }
    for review in request.reviews.all():
        decisions = {
            item.pk: (disclose, "" if disclose else WithholdReason.RIGHTS_OF_OTHERS, "")
            for item in review.items.all()
        }
        subject_review_submit(
            actor=reviewers[review.organisation_id], review=review, decisions=decisions
        )
    request.refresh_from_db()
    return request


def ready_for_decision(world: World, kind: str = SubjectRequestKind.ACCESS) -> SubjectRequest:
    request = subject_request_compile(actor=world.coordinator, request=register(world, kind))
    return review_all(request, world)


# --- Registering and the deadline ---------------------------------------------------------------


def test_the_coordinator_registers_a_request_numbered_per_cell_and_year(world: World) -> None:
    first = register(world)
    second = register(world, SubjectRequestKind.ERASURE)
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"V-{year}-001", f"V-{year}-002")
    assert first.status == SubjectRequestStatus.RECEIVED
    assert first.deadline == add_months(first.received_on, 1)
    event = AuditEvent.objects.get(action="SUBJECT_REQUEST_REGISTERED", object_id=str(first.pk))
    assert event.actor == world.coordinator and event.data["kind"] == "access"
    assert "berg" not in str(event.data).lower()
    # The identity is sealed at rest and matched by the cases' own keyed hash.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT requester_family_name FROM privacy_subjectrequest WHERE id = %s", [first.pk]
        )
        assert cursor.fetchone()[0].startswith("enc1:")


@pytest.mark.parametrize("who", [w for w in EVERYONE if w != "coordinator"])
def test_only_the_coordinator_registers(world: World, who: str) -> None:
    with pytest.raises(Forbidden):
        register(world, actor=getattr(world, who))
    assert not SubjectRequest.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"received_on": timezone.localdate() + datetime.timedelta(days=1)},
        {"family_name": "  "},
        {"request_text": ""},
        {"kind": "deletion"},
        {"contact": "x" * 1001},
    ],
)
def test_a_request_needs_its_facts(world: World, overrides: dict) -> None:
    with pytest.raises(RuleViolation):
        register(world, **overrides)
    assert not AuditEvent.objects.filter(action="SUBJECT_REQUEST_REGISTERED").exists()


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (datetime.date(2026, 1, 15), 1, datetime.date(2026, 2, 15)),
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 12, 10), 2, datetime.date(2027, 2, 10)),
    ],
)
def test_add_months(received, months, due) -> None:
    assert add_months(received, months) == due


def test_the_deadline_is_extended_by_two_months_at_most_within_the_first(world: World) -> None:
    request = register(world, received_on=datetime.date(2026, 3, 10))
    with time_machine.travel(datetime.datetime(2026, 3, 20, 12, tzinfo=datetime.UTC)):
        assert request.deadline == datetime.date(2026, 4, 10)
        with pytest.raises(RuleViolation):
            subject_request_extend(actor=world.coordinator, request=request, months=1, reason=" ")
        for who in ("chair", "partner1", "dpo"):
            with pytest.raises(Forbidden):
                subject_request_extend(
                    actor=getattr(world, who), request=request, months=1, reason="Many files."
                )
        request = subject_request_extend(
            actor=world.coordinator, request=request, months=1, reason="Many files."
        )
        assert request.deadline == datetime.date(2026, 5, 10)
        request = subject_request_extend(
            actor=world.coordinator, request=request, months=1, reason="Still more."
        )
        assert request.deadline == datetime.date(2026, 6, 10)
        with pytest.raises(RuleViolation):
            subject_request_extend(
                actor=world.coordinator, request=request, months=1, reason="Again."
            )
    assert AuditEvent.objects.filter(action="SUBJECT_REQUEST_EXTENDED").count() == 2
    late = register(world, received_on=datetime.date(2026, 3, 10))
    with (
        time_machine.travel(datetime.datetime(2026, 4, 11, 12, tzinfo=datetime.UTC)),
        pytest.raises(RuleViolation),
    ):
        subject_request_extend(actor=world.coordinator, request=late, months=2, reason="Late.")


# --- The transition table -----------------------------------------------------------------------


@pytest.mark.parametrize(("edge", "step"), list(SUBJECT_REQUEST_TRANSITIONS.items()))
def test_every_edge_of_the_table(edge: tuple[str, str], step: str) -> None:
    assert subject_request_step(*edge) == step


@pytest.mark.parametrize(
    "edge",
    [
        (SubjectRequestStatus.RECEIVED, SubjectRequestStatus.DECIDED),
        (SubjectRequestStatus.IN_REVIEW, SubjectRequestStatus.DECIDED),
        (SubjectRequestStatus.AWAITING_DECISION, SubjectRequestStatus.CLOSED),
        (SubjectRequestStatus.CLOSED, SubjectRequestStatus.RECEIVED),
        (SubjectRequestStatus.DECIDED, SubjectRequestStatus.AWAITING_DECISION),
    ],
)
def test_moves_outside_the_table_are_refused(edge: tuple[str, str]) -> None:
    with pytest.raises(RuleViolation):
        subject_request_step(*edge)


def test_the_workflow_from_receipt_to_closure(world: World, held: Case) -> None:
    request = register(world)
    request = subject_request_compile(actor=world.coordinator, request=request)
    assert request.status == SubjectRequestStatus.IN_REVIEW
    with pytest.raises(RuleViolation):  # not before every organisation reviewed
        subject_request_decide(
            actor=world.chair, request=request, outcome="granted", legal_ground="Art. 15", note=""
        )
    with pytest.raises(RuleViolation):
        subject_request_close(actor=world.coordinator, request=request)
    request = review_all(request, world)
    assert request.status == SubjectRequestStatus.AWAITING_DECISION
    request = subject_request_decide(
        actor=world.chair, request=request, outcome="granted", legal_ground="Art. 15", note=""
    )
    assert (request.status, request.decided_by) == (SubjectRequestStatus.DECIDED, world.chair)
    request = subject_request_close(actor=world.coordinator, request=request)
    assert request.status == SubjectRequestStatus.CLOSED
    assert AuditEvent.objects.filter(action="SUBJECT_REQUEST_CLOSED").count() == 1


# --- Compiling ---------------------------------------------------------------------------------


def test_compiling_matches_the_exact_identity_and_gives_each_organisation_its_part(
    world: World, held: Case
) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    signal = Signal.objects.get(cell=world.cell_a)
    assert {(m.case_id, m.signal_id) for m in request.matches.all()} == {
        (held.pk, None),
        (None, signal.pk),
    }
    parts = {review.organisation.name: review for review in request.reviews.all()}
    assert set(parts) == {"School A", "OCMW A", "Police zone A", "Prevention A"}
    kinds = {
        name: sorted(item.kind for item in review.items.all()) for name, review in parts.items()
    }
    # School: two entries; OCMW: its own entry, the action it owns and the signal it
    # reported; police: only its shared entry — the police-only one is never an item.
    assert kinds["School A"] == ["journal", "journal"]
    assert kinds["OCMW A"] == ["action", "journal", "signal"]
    assert kinds["Police zone A"] == ["journal"]
    assert kinds["Prevention A"] == ["journal"]
    event = AuditEvent.objects.get(action="SUBJECT_REQUEST_COMPILED")
    assert event.data == {"cases": 1, "signals": 1, "organisations": 4, "items": 7}
    with pytest.raises(RuleViolation):
        subject_request_compile(actor=world.coordinator, request=request)


def test_nothing_held_goes_straight_to_the_chair(world: World) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    assert request.status == SubjectRequestStatus.AWAITING_DECISION
    assert not request.reviews.exists() and not request.matches.exists()


@pytest.mark.parametrize("who", [w for w in EVERYONE if w != "coordinator"])
def test_only_the_coordinator_compiles(world: World, held: Case, who: str) -> None:
    request = register(world)
    with pytest.raises(Forbidden):
        subject_request_compile(actor=getattr(world, who), request=request)
    assert not AuditEvent.objects.filter(action="SUBJECT_REQUEST_COMPILED").exists()


# --- Reviewing ---------------------------------------------------------------------------------


def test_a_reviewer_reads_only_their_own_organisations_entries_and_it_is_logged(
    world: World, held: Case
) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    school = review_of(request, world, "partner1")
    before = AccessLog.objects.count()
    views = subject_review_items_for(actor=world.partner1, review=school)
    assert sorted(view.text for view in views) == ["School note for everyone.", "School own note."]
    assert {view.reference for view in views} == {held.reference}
    logged = AccessLog.objects.order_by("pk")[before:]
    assert [(row.actor, row.case_id, row.kind) for row in logged] == [
        (world.partner1, held.pk, AccessKind.CASE)
    ]
    assert logged[0].data == {"items": 2, "subject_request": request.pk}
    # Another organisation's part: refused, even to a reviewer of the same cell.
    for who, part in (
        ("partner1", "partner2"),
        ("partner2", "partner1"),
        ("information_officer", "partner1"),
        ("coordinator", "partner2"),
        ("chair", "partner1"),
        ("dpo", "partner1"),
        ("member_b", "partner1"),
    ):
        review = review_of(request, world, part)
        with pytest.raises(Forbidden):
            subject_review_items_for(actor=getattr(world, who), review=review)
        with pytest.raises(Forbidden):
            subject_review_get_for(actor=getattr(world, who), cell=world.cell_a, pk=review.pk)
    # The police reviewer never sees the police-only entry through this workflow either.
    police = subject_review_items_for(
        actor=world.information_officer, review=review_of(request, world, "information_officer")
    )
    assert [view.text for view in police] == ["Police note for everyone."]


def test_an_entry_made_police_only_after_compiling_is_not_shown(world: World, held: Case) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    entry = held.journal.get(
        text__isnull=False, organisation=org(world, "partner1"), visibility="all"
    )
    type(entry).objects.filter(pk=entry.pk).update(visibility=Visibility.POLICE)
    views = subject_review_items_for(
        actor=world.partner1, review=review_of(request, world, "partner1")
    )
    assert [view.text for view in views] == ["School own note."]


def test_the_review_page_and_a_404_for_another_organisations_part(world: World, held: Case) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    school, ocmw = review_of(request, world, "partner1"), review_of(request, world, "partner2")
    client = ready_client(world.partner1)
    page = client.get(reverse("privacy:subject_review", args=[school.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "School own note." in text and "OCMW own note." not in text
    assert POLICE_SECRET not in text
    assert client.get(reverse("privacy:subject_review", args=[ocmw.pk])).status_code == 404
    listing = client.get(reverse("privacy:subject_reviews")).content.decode()
    assert request.reference in listing
    # Submitting through the page.
    data = {f"item-{item.pk}-decision": "disclose" for item in school.items.all()}
    item = school.items.first()
    data |= {f"item-{item.pk}-decision": "withhold", f"item-{item.pk}-reason": "secrecy"}
    response = client.post(reverse("privacy:subject_review", args=[school.pk]), data)
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.status == SubjectReviewStatus.DONE and school.reviewed_by == world.partner1


def test_review_submission_rules(world: World, held: Case) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    school = review_of(request, world, "partner1")
    items = list(school.items.all())
    with pytest.raises(RuleViolation):  # every entry decided
        subject_review_submit(
            actor=world.partner1, review=school, decisions={items[0].pk: (True, "", "")}
        )
    with pytest.raises(RuleViolation):  # a withheld entry needs a reason
        subject_review_submit(
            actor=world.partner1,
            review=school,
            decisions={item.pk: (False, "", "") for item in items},
        )
    with pytest.raises(RuleViolation):  # "another reason" needs the note
        subject_review_submit(
            actor=world.partner1,
            review=school,
            decisions={item.pk: (False, WithholdReason.OTHER, "") for item in items},
        )
    with pytest.raises(Forbidden):
        subject_review_submit(
            actor=world.partner2,
            review=school,
            decisions={item.pk: (True, "", "") for item in items},
        )
    subject_review_submit(
        actor=world.partner1,
        review=school,
        decisions={
            items[0].pk: (False, WithholdReason.INVESTIGATION, "Ongoing."),
            items[1].pk: (True, "", ""),
        },
    )
    event = AuditEvent.objects.get(action="SUBJECT_REVIEW_SUBMITTED")
    assert event.data["disclosed"] == 1 and event.data["withheld"] == 1
    assert event.data["reviews_done"] is False
    with pytest.raises(RuleViolation):  # once
        subject_review_submit(
            actor=world.partner1,
            review=school,
            decisions={item.pk: (True, "", "") for item in items},
        )


# --- Deciding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [w for w in EVERYONE if w != "chair"])
def test_only_the_chair_decides(world: World, held: Case, who: str) -> None:
    request = ready_for_decision(world)
    with pytest.raises(Forbidden):
        subject_request_decide(
            actor=getattr(world, who), request=request, outcome="granted", legal_ground="x", note=""
        )
    assert not AuditEvent.objects.filter(action="SUBJECT_REQUEST_DECIDED").exists()


def test_a_decision_needs_its_legal_ground(world: World, held: Case) -> None:
    request = ready_for_decision(world)
    for outcome, ground in (("granted", " "), ("maybe", "Art. 15")):
        with pytest.raises(RuleViolation):
            subject_request_decide(
                actor=world.chair, request=request, outcome=outcome, legal_ground=ground, note=""
            )
    subject_request_decide(
        actor=world.chair,
        request=request,
        outcome="refused",
        legal_ground="Art. 23(1)(d)",
        note="Ongoing.",
    )
    event = AuditEvent.objects.get(action="SUBJECT_REQUEST_DECIDED")
    assert event.data["outcome"] == "refused" and "legal_ground" in event.data["fields"]
    assert "23(1)" not in str(event.data)


def test_a_granted_erasure_marks_the_files_for_the_purge(world: World, held: Case) -> None:
    request = ready_for_decision(world, SubjectRequestKind.ERASURE)
    assert subject_request_erasures(world.cell_a.pk) == (set(), set())
    subject_request_decide(
        actor=world.chair, request=request, outcome="granted", legal_ground="Art. 17", note=""
    )
    signal = Signal.objects.get(cell=world.cell_a)
    assert subject_request_erasures(world.cell_a.pk) == ({held.pk}, {signal.pk})
    assert subject_request_erasures(world.cell_b.pk) == (set(), set())
    # Nothing is deleted here.
    assert Case.objects.filter(pk=held.pk).exists() and Signal.objects.filter(pk=signal.pk).exists()
    event = AuditEvent.objects.get(action="SUBJECT_REQUEST_DECIDED")
    assert (event.data["erase_cases"], event.data["erase_signals"]) == (1, 1)


def test_a_partly_granted_erasure_erases_the_chosen_files(world: World, held: Case) -> None:
    request = ready_for_decision(world, SubjectRequestKind.ERASURE)
    signal_match = request.matches.get(signal_id__isnull=False)
    with pytest.raises(RuleViolation):
        subject_request_decide(
            actor=world.chair,
            request=request,
            outcome="partly_granted",
            legal_ground="Art. 17",
            note="",
        )
    other = ready_for_decision(world, SubjectRequestKind.ERASURE)
    with pytest.raises(Forbidden):  # a match of another request
        subject_request_decide(
            actor=world.chair,
            request=request,
            outcome="partly_granted",
            legal_ground="Art. 17",
            note="",
            erase=[other.matches.first().pk],
        )
    subject_request_decide(
        actor=world.chair,
        request=request,
        outcome="partly_granted",
        legal_ground="Art. 17",
        note="",
        erase=[signal_match.pk],
    )
    assert subject_request_erasures(world.cell_a.pk) == (set(), {signal_match.signal_id})


def test_a_refused_erasure_erases_nothing(world: World, held: Case) -> None:
    request = ready_for_decision(world, SubjectRequestKind.ERASURE)
    subject_request_decide(
        actor=world.chair, request=request, outcome="refused", legal_ground="Art. 17(3)(b)", note=""
    )
    assert subject_request_erasures(world.cell_a.pk) == (set(), set())


def test_a_granted_rectification_is_recorded_before_closing(world: World, held: Case) -> None:
    request = ready_for_decision(world, SubjectRequestKind.RECTIFICATION)
    with pytest.raises(RuleViolation):  # not decided yet
        subject_request_rectified(actor=world.coordinator, request=request, note="Birth date.")
    request = subject_request_decide(
        actor=world.chair, request=request, outcome="granted", legal_ground="Art. 16", note=""
    )
    with pytest.raises(RuleViolation):
        subject_request_close(actor=world.coordinator, request=request)
    with pytest.raises(Forbidden):
        subject_request_rectified(actor=world.chair, request=request, note="Birth date.")
    with pytest.raises(RuleViolation):
        subject_request_rectified(actor=world.coordinator, request=request, note="")
    request = subject_request_rectified(
        actor=world.coordinator, request=request, note="Birth date corrected in case 1."
    )
    assert request.rectified_by == world.coordinator
    assert AuditEvent.objects.filter(action="SUBJECT_REQUEST_RECTIFIED").count() == 1
    with pytest.raises(RuleViolation):
        subject_request_rectified(actor=world.coordinator, request=request, note="Again.")
    assert subject_request_close(actor=world.coordinator, request=request).status == "closed"


def test_the_chairs_page_shows_counts_and_reasons_not_entries(world: World, held: Case) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    school = review_of(request, world, "partner1")
    items = list(school.items.all())
    subject_review_submit(
        actor=world.partner1,
        review=school,
        decisions={
            items[0].pk: (False, WithholdReason.RIGHTS_OF_OTHERS, "Names a classmate."),
            items[1].pk: (True, "", ""),
        },
    )
    page = ready_client(world.chair).get(
        reverse("privacy:subject_request_decide", args=[request.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "School A" in text and "Names a classmate." in text
    assert "School own note." not in text and "School note for everyone." not in text
    assert POLICE_SECRET not in text
    assert 'name="outcome"' not in text  # other reviews still pending: no decision yet


# --- The DPO -----------------------------------------------------------------------------------


def test_the_dpo_sees_the_decision_and_never_the_name_or_content(world: World, held: Case) -> None:
    request = ready_for_decision(world)
    subject_request_decide(
        actor=world.chair,
        request=request,
        outcome="partly_granted",
        legal_ground="Art. 15(4)",
        note="Classmate named.",
    )
    rows = subject_request_decisions_for(actor=world.dpo, cell=world.cell_a)
    assert [(row.reference, row.outcome) for row in rows] == [(request.reference, "Partly granted")]
    client = ready_client(world.dpo)
    page = client.get(reverse("privacy:subject_request_decisions"))
    text = page.content.decode()
    assert page.status_code == 200 and request.reference in text and "Partly granted" in text
    for secret in (
        "Berg",
        "BERG",
        "Jan ",
        "Classmate",
        "15(4)",
        "everything you hold",
        "answer by post",
    ):
        assert secret not in text, secret
    # No other way in for the DPO.
    for name in ("privacy:subject_request", "privacy:subject_request_response"):
        assert client.get(reverse(name, args=[request.pk])).status_code == 404
    for who in ("coordinator", "chair", "partner1"):
        with pytest.raises(Forbidden):
            subject_request_decisions_for(actor=getattr(world, who), cell=world.cell_a)


# --- The coordinator's list and the deadline notices --------------------------------------------


def test_the_list_marks_requests_due_soon_and_overdue(world: World) -> None:
    today = timezone.localdate()
    due = register(world, received_on=add_months(today, -1) + datetime.timedelta(days=3))
    late = register(world, received_on=add_months(today, -1) - datetime.timedelta(days=2))
    calm = register(world)
    page = ready_client(world.coordinator).get(reverse("privacy:subject_requests"))
    rows = {row.request.pk: row for row in page.context["rows"]}
    assert (rows[due.pk].due_soon, rows[due.pk].overdue) == (True, False)
    assert (rows[late.pk].due_soon, rows[late.pk].overdue) == (False, True)
    assert (rows[calm.pk].due_soon, rows[calm.pk].overdue) == (False, False)
    text = page.content.decode()
    assert "Overdue" in text and "Due soon" in text


def test_deadline_notices_go_to_the_coordinator_once_a_day(world: World, mailoutbox) -> None:
    today = timezone.localdate()
    due = register(world, received_on=add_months(today, -1) + datetime.timedelta(days=3))
    late = register(world, received_on=add_months(today, -1) - datetime.timedelta(days=2))
    register(world)  # a month ahead: no notice
    assert subject_request_reminders_run(today) == {world.coordinator.pk: 2}
    notices = Notification.objects.filter(user=world.coordinator).order_by("kind")
    assert [(n.kind, n.reference) for n in notices] == [
        ("subject_request_due", due.reference),
        ("subject_request_overdue", late.reference),
    ]
    assert subject_request_reminders_run(today) == {}
    assert len(mailoutbox) == 1
    assert due.reference not in mailoutbox[0].body and "Berg" not in mailoutbox[0].body
    # Decided requests are no longer reminded.
    assert subject_request_reminders_run(today + datetime.timedelta(days=1)) == {
        world.coordinator.pk: 2
    }


# --- The answer ---------------------------------------------------------------------------------


def test_the_answer_lists_disclosed_entries_only_after_re_authentication(
    world: World, held: Case
) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    withheld_text = "School own note."
    for review in request.reviews.all():
        reviewer = {
            org(world, "partner1").pk: world.partner1,
            org(world, "partner2").pk: world.partner2,
            org(world, "information_officer").pk: world.information_officer,
            org(world, "coordinator").pk: world.coordinator,
        }[review.organisation_id]
        views = subject_review_items_for(actor=reviewer, review=review)
        subject_review_submit(
            actor=reviewer,
            review=review,
            decisions={
                v.item.pk: (
                    (False, WithholdReason.RIGHTS_OF_OTHERS, "")
                    if v.text == withheld_text
                    else (True, "", "")
                )
                for v in views
            },
        )
    request.refresh_from_db()
    subject_request_decide(
        actor=world.chair,
        request=request,
        outcome="partly_granted",
        legal_ground="Art. 15",
        note="",
    )
    url = reverse("privacy:subject_request_response", args=[request.pk])
    client = ready_client(world.coordinator)
    assert client.get(url).status_code == 302  # re-authenticate first
    mark_reauthenticated(client, world.coordinator)
    before = AccessLog.objects.count()
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "School note for everyone." in text and "OCMW own note." in text
    assert withheld_text not in text and POLICE_SECRET not in text
    assert "Supervisory Body for Police Information" in text
    exports = AccessLog.objects.order_by("pk")[before:]
    assert {row.kind for row in exports} == {AccessKind.EXPORT}
    assert held.pk in {row.case_id for row in exports}
    pdf = client.get(url, {"export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert request.reference in pdf["Content-Disposition"]


def test_a_refusal_still_refers_to_the_police_route(world: World) -> None:
    request = subject_request_compile(actor=world.coordinator, request=register(world))
    subject_request_decide(
        actor=world.chair, request=request, outcome="refused", legal_ground="Art. 23", note=""
    )
    client = mark_reauthenticated(ready_client(world.chair), world.chair)
    text = client.get(reverse("privacy:subject_request_response", args=[request.pk])).content
    assert b"Supervisory Body for Police Information" in text


def test_no_answer_before_the_decision(world: World) -> None:
    request = register(world)
    client = mark_reauthenticated(ready_client(world.coordinator), world.coordinator)
    assert (
        client.get(reverse("privacy:subject_request_response", args=[request.pk])).status_code
        == 404
    )


# --- Pages of the coordinator ------------------------------------------------------------------


def test_the_coordinator_registers_compiles_and_extends_through_the_pages(
    world: World, held: Case
) -> None:
    client = ready_client(world.coordinator)
    response = client.post(
        reverse("privacy:subject_request_new"),
        {
            "kind": "access",
            "received_on": timezone.localdate().isoformat(),
            "family_name": FAMILY,
            "given_names": GIVEN,
            "birth_date": BORN.isoformat(),
            "request_text": "Everything, please.",
            "contact": "E-mail.",
        },
    )
    request = SubjectRequest.objects.get()
    assert response.status_code == 302
    assert (
        client.post(reverse("privacy:subject_request_compile", args=[request.pk])).status_code
        == 302
    )
    request.refresh_from_db()
    assert request.status == SubjectRequestStatus.IN_REVIEW
    client.post(
        reverse("privacy:subject_request_extend", args=[request.pk]),
        {"months": "2", "reason": "Four organisations."},
    )
    request.refresh_from_db()
    assert request.extension_months == 2
    page = client.get(reverse("privacy:subject_request", args=[request.pk])).content.decode()
    assert "School A" in page and POLICE_SECRET not in page and "School own note." not in page
    # The coordinator's own organisation's part is theirs to review.
    assert (
        reverse("privacy:subject_review", args=[review_of(request, world, "coordinator").pk])
        in page
    )


# --- The art. 30 record and the DPIA annex -----------------------------------------------------


def test_the_record_is_built_from_the_active_charter(world: World) -> None:
    charter: Charter = activate_charter(world)
    charter.controllers = "The mayor of Gemeente A, joint controller with the police zone."
    charter.retention_closed_months = 48
    charter.save()
    charter.organisations.set([org(world, "partner1"), org(world, "information_officer")])
    for who in ("chair", "coordinator", "dpo", "cell_admin"):
        client = ready_client(getattr(world, who))
        text = client.get(reverse("privacy:record")).content.decode()
        assert "The mayor of Gemeente A, joint controller" in text, who
        assert "Early detection." in text and "48 months" in text and "School A" in text
        assert "Art. 10 GDPR" in text and "Dpo A" in text
        dpia = client.get(reverse("privacy:dpia")).content.decode()
        assert "The mayor of Gemeente A" in dpia and "Risks and measures" in dpia
    pdf = ready_client(world.dpo).get(reverse("privacy:record"), {"export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    for who in ("information_officer", "partner1", "strategic"):
        assert ready_client(getattr(world, who)).get(reverse("privacy:record")).status_code == 404


def test_without_a_charter_the_record_says_so(world: World) -> None:
    text = ready_client(world.dpo).get(reverse("privacy:record")).content.decode()
    assert "no active charter" in text


def test_item_kinds_cover_what_carries_an_organisation() -> None:
    assert set(SubjectItemKind.values) == {
        "journal",
        "attachment",
        "assessment",
        "action",
        "signal",
    }
