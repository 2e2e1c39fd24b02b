"""The signal services: submission, opinions, screening, the chair's decision, joining and
reopening — the allowed path, every refusal, and the change-log rows."""

import datetime

import pytest
from django.utils import timezone

from casus.access.models import Charter, DocumentStatus, User
from casus.audit.selectors import event_values
from casus.cases.identity import identity_key, name_key
from casus.cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    ScreeningOutcome,
    Signal,
    SignalStatus,
)
from casus.cases.services import signals as services
from casus.cases.workflow import SIGNAL_TRANSITIONS
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from tests.conftest import World
from tests.factories import MunicipalityFactory
from tests.helpers import audit_events_since, one_audit_event, refused

from .factories import CaseFactory
from .helpers import (
    activate_charter,
    case_for,
    last_audit_pk,
    others,
    proposed,
    received,
    signal_in,
    signal_with_opinions,
    subject,
    submit,
)

pytestmark = pytest.mark.django_db

#: The statuses in which a signal is handled: nothing more happens to it.
HANDLED = [SignalStatus.NOT_RETAINED, SignalStatus.RETAINED, SignalStatus.JOINED]


def enter_outside(
    world: World,
    description: str = "A neighbour",
    *,
    anonymous: bool = False,
    actor: User | None = None,
) -> Signal:
    """``actor`` (the coordinator unless given) enters a signal from outside the cell."""
    return services.signal_enter_outside(
        actor=actor or world.coordinator,
        cell=world.cell_a,
        source_description=description,
        source_anonymous=anonymous,
        **subject(world),
    )


def screen(
    actor: User,
    signal: Signal,
    outcome: str,
    *,
    summary: str = "",
    referral: str = "",
    version: int = 1,
) -> Signal:
    """``actor`` concludes the screening of ``signal`` with ``outcome``."""
    return services.signal_screen(
        actor=actor,
        signal=signal,
        outcome=outcome,
        summary=summary,
        referral=referral,
        version=version,
    )


# --- Submission ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["chair", "coordinator", "information_officer", "partner1", "partner2"]
)
def test_every_case_role_submits_a_signal(world: World, charter: Charter, who: str) -> None:
    actor: User = getattr(world, who)
    with one_audit_event("SIGNAL_SUBMITTED", actor=actor, cell=world.cell_a) as recorded:
        signal = submit(world, actor)
    assert signal.status == SignalStatus.RECEIVED
    assert signal.reported_by == actor
    assert signal.entered_by == actor
    assert signal.source_organisation == world.membership(actor).organisation
    assert signal.reference == f"S-{timezone.now().year}-0001"
    assert signal.identity_key == identity_key(
        cell_id=world.cell_a.pk,
        family_name="van der berg e",
        given_names="NOOR",
        birth_date=datetime.date(2008, 4, 1),
    )
    assert signal.name_key == name_key(
        cell_id=world.cell_a.pk, family_name="Van der Berg E", given_names="noor"
    )
    assert signal.handled_at is None
    event = recorded.event
    assert event is not None
    assert event.object_id == str(signal.pk)
    assert event_values(event)["subject_family_name"] == [None, "Van der Berg-É"]
    assert event_values(event)["concern"] == [None, "Talks about leaving."]
    assert event_values(event)["reported_by"] == [None, actor.pk]
    assert event_values(event)["status"] == [None, SignalStatus.RECEIVED]
    assert "subject_family_name" in event.data["fields"]
    assert "Van der Berg" not in str(event.data)


def test_references_count_up_per_cell(world: World, charter: Charter) -> None:
    activate_charter(world, world.cell_b)
    first = submit(world)
    second = submit(world, world.partner2)
    other = services.signal_submit(
        actor=world.member_b,
        cell=world.cell_b,
        **subject(world, subject_municipality=world.cell_b.municipalities.get()),
    )
    assert first.reference.endswith("-0001")
    assert second.reference.endswith("-0002")
    assert other.reference.endswith("-0001")
    # The same person in another cell has another identity key.
    assert first.identity_key == second.identity_key != other.identity_key


@pytest.mark.parametrize(
    "who", others("chair", "coordinator", "information_officer", "partner1", "partner2")
)
def test_submit_is_refused_to_roles_without_case_access(
    world: World, charter: Charter, who: str
) -> None:
    with refused(Forbidden):
        submit(world, getattr(world, who))
    assert not Signal.objects.exists()


@pytest.mark.parametrize("status", [None, DocumentStatus.DRAFT, DocumentStatus.SUPERSEDED])
def test_no_signal_until_a_charter_is_active(world: World, status: str | None) -> None:
    if status is not None:
        charter = activate_charter(world)
        Charter.objects.filter(pk=charter.pk).update(status=status)
    with refused(RuleViolation, match="until a charter is active"):
        submit(world)


def test_a_municipality_outside_the_cell_is_refused(world: World, charter: Charter) -> None:
    elsewhere = MunicipalityFactory()
    with refused(RuleViolation, match="not covered by the cell"):
        submit(world, subject_municipality=elsewhere)
    with refused(RuleViolation, match="not covered by the cell"):
        submit(world, subject_municipality=world.cell_b.municipalities.get())


def test_a_future_observation_and_a_missing_name_are_refused(
    world: World, charter: Charter
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with refused(RuleViolation, match="future"):
        submit(world, observed_on=tomorrow)
    with refused(RuleViolation, match="family name"):
        submit(world, subject_family_name="  ")


def test_the_coordinator_enters_an_anonymous_outside_signal(world: World, charter: Charter) -> None:
    actor = world.coordinator
    with one_audit_event("SIGNAL_SUBMITTED", actor=actor, cell=world.cell_a) as recorded:
        signal = enter_outside(world, anonymous=True, actor=actor)
    assert signal.reported_by is None
    assert signal.entered_by == actor
    assert signal.source_organisation is None
    assert signal.source_description == "A neighbour"
    assert signal.source_anonymous is True
    assert recorded.event is not None
    assert event_values(recorded.event)["source_description"] == [None, "A neighbour"]
    assert event_values(recorded.event)["source_anonymous"] == [None, True]
    assert event_values(recorded.event)["reported_by"] == [None, None]


@pytest.mark.parametrize("who", others("coordinator"))
def test_only_the_coordinator_enters_outside_signals(
    world: World, charter: Charter, who: str
) -> None:
    with refused(Forbidden):
        enter_outside(world, actor=getattr(world, who))


def test_an_outside_signal_needs_a_source_and_a_charter(world: World) -> None:
    with refused(RuleViolation, match="charter"):
        enter_outside(world)
    activate_charter(world)
    with refused(RuleViolation, match="Describe the source"):
        enter_outside(world, " ")


# --- Opinions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "field"),
    [("coordinator", "coordinator_opinion"), ("information_officer", "officer_opinion")],
)
def test_each_screener_records_their_own_opinion(world: World, who: str, field: str) -> None:
    actor = getattr(world, who)
    signal = received(world)
    with one_audit_event("SIGNAL_OPINION_RECORDED", actor=actor, cell=world.cell_a) as rec:
        signal = services.signal_opinion_record(
            actor=actor, signal=signal, opinion=" Within purpose. ", version=1
        )
    assert getattr(signal, field) == "Within purpose."
    assert getattr(signal, f"{field}_by") == actor
    other = "officer_opinion" if field == "coordinator_opinion" else "coordinator_opinion"
    assert getattr(signal, other) == ""
    assert signal.version == 2
    assert rec.event is not None
    assert event_values(rec.event)[field] == ["", "Within purpose."]
    assert event_values(rec.event)["version"] == [1, 2]
    assert set(rec.event.data["fields"]) == {field, f"{field}_by", "version"}
    # Changing it again is recorded with the old value.
    with one_audit_event("SIGNAL_OPINION_RECORDED", actor=actor, cell=world.cell_a) as rec:
        services.signal_opinion_record(actor=actor, signal=signal, opinion="Changed.", version=2)
    assert rec.event is not None
    assert event_values(rec.event)[field] == ["Within purpose.", "Changed."]


@pytest.mark.parametrize("who", others("coordinator", "information_officer"))
def test_opinions_are_refused_to_everyone_else(world: World, who: str) -> None:
    signal = received(world)
    with refused(Forbidden):
        services.signal_opinion_record(
            actor=getattr(world, who), signal=signal, opinion="Mine.", version=1
        )


def test_an_opinion_over_a_newer_version_is_a_conflict(world: World) -> None:
    signal = received(world)
    services.signal_opinion_record(
        actor=world.information_officer, signal=signal, opinion="Officer.", version=1
    )
    with refused(EditConflict, match="version 2"):
        services.signal_opinion_record(
            actor=world.coordinator, signal=signal, opinion="Coordinator.", version=1
        )
    signal.refresh_from_db()
    assert signal.officer_opinion == "Officer."
    assert signal.coordinator_opinion == ""


def test_opinions_are_closed_once_screened(world: World) -> None:
    signal = proposed(world)
    with refused(RuleViolation, match="already been screened"):
        services.signal_opinion_record(
            actor=world.coordinator, signal=signal, opinion="Late.", version=1
        )
    with refused(RuleViolation, match="Write your opinion"):
        services.signal_opinion_record(
            actor=world.coordinator, signal=received(world), opinion=" ", version=1
        )


# --- Screening -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome",
    [
        ScreeningOutcome.ORDINARY_CARE,
        ScreeningOutcome.NO_SIGNS,
        ScreeningOutcome.FOLLOWED_ELSEWHERE,
    ],
)
@pytest.mark.parametrize("who", ["coordinator", "information_officer"])
def test_screening_not_retained(world: World, who: str, outcome: str) -> None:
    actor = getattr(world, who)
    signal = signal_with_opinions(world)
    with one_audit_event("SIGNAL_SCREENED", actor=actor, cell=world.cell_a) as recorded:
        signal = screen(actor, signal, outcome, referral="CAW youth service.")
    assert signal.status == SignalStatus.NOT_RETAINED
    assert signal.screening_outcome == outcome
    assert signal.referral == "CAW youth service."
    assert signal.screened_by == actor
    assert signal.handled_at is not None
    assert signal.case is None
    event = recorded.event
    assert event is not None
    assert event_values(event)["status"] == [SignalStatus.RECEIVED, SignalStatus.NOT_RETAINED]
    assert event_values(event)["screening_outcome"] == ["", outcome]
    assert event_values(event)["referral"] == ["", "CAW youth service."]
    assert event_values(event)["handled_at"][0] is None
    assert event.data["outcome"] == outcome


def test_screening_proposes_to_the_chair(world: World) -> None:
    signal = signal_with_opinions(world)
    with one_audit_event("SIGNAL_SCREENED", actor=world.coordinator, cell=world.cell_a) as rec:
        signal = screen(
            world.coordinator,
            signal,
            ScreeningOutcome.PROPOSED,
            summary="Signs of a radicalisation process.",
            referral="ignored",
        )
    assert signal.status == SignalStatus.PROPOSED
    assert signal.screening_summary == "Signs of a radicalisation process."
    assert signal.referral == ""
    assert signal.handled_at is None
    assert rec.event is not None
    assert event_values(rec.event)["status"] == [SignalStatus.RECEIVED, SignalStatus.PROPOSED]
    assert "handled_at" not in event_values(rec.event)


@pytest.mark.parametrize("missing", ["coordinator_opinion", "officer_opinion"])
def test_screening_needs_both_opinions(world: World, missing: str) -> None:
    signal = signal_with_opinions(world, **{missing: ""})
    with refused(RuleViolation, match="both opinions"):
        screen(world.coordinator, signal, ScreeningOutcome.NO_SIGNS)


def test_proposing_needs_a_summary_and_outcome_must_be_coded(world: World) -> None:
    signal = signal_with_opinions(world)
    with refused(RuleViolation, match="screening summary"):
        screen(world.coordinator, signal, ScreeningOutcome.PROPOSED, summary="  ")
    with refused(RuleViolation, match="Choose a screening outcome"):
        screen(world.coordinator, signal, "made_up", summary="x")


@pytest.mark.parametrize("who", others("coordinator", "information_officer"))
def test_screening_is_refused_to_everyone_else(world: World, who: str) -> None:
    signal = signal_with_opinions(world)
    with refused(Forbidden):
        screen(getattr(world, who), signal, ScreeningOutcome.NO_SIGNS)


@pytest.mark.parametrize("status", [SignalStatus.PROPOSED, *HANDLED])
def test_screening_a_screened_or_handled_signal_is_refused(world: World, status: str) -> None:
    signal = signal_in(world, status)
    for outcome in (ScreeningOutcome.NO_SIGNS, ScreeningOutcome.PROPOSED):
        with refused(RuleViolation, match="already concluded"):
            screen(world.coordinator, signal, outcome, summary="Summary.")


def test_screening_over_a_newer_version_is_a_conflict(world: World) -> None:
    signal = signal_with_opinions(world)
    Signal.objects.filter(pk=signal.pk).update(version=3)
    with refused(EditConflict):
        screen(world.coordinator, signal, ScreeningOutcome.NO_SIGNS, version=2)


# --- The chair's decision ------------------------------------------------------------------


def test_the_chair_retains_and_a_case_is_opened(world: World) -> None:
    signal = proposed(world, subject_municipality=world.cell_a.municipalities.get())
    CaseFactory(cell=world.cell_a, opened_by=world.chair, number=4)
    last = last_audit_pk()
    signal = services.signal_decide(
        actor=world.chair, signal=signal, retain=True, note="On the list.", version=1
    )
    case = signal.case
    assert case is not None
    assert signal.status == SignalStatus.RETAINED
    assert signal.decided_by == world.chair
    assert signal.handled_at is not None
    assert case.cell == world.cell_a
    assert case.year == timezone.localdate().year
    assert case.number == 5
    assert case.status == CaseStatus.ON_LIST
    assert case.subject_family_name == signal.subject_family_name
    assert case.subject_given_names == signal.subject_given_names
    assert case.subject_birth_date == signal.subject_birth_date
    assert case.subject_municipality == signal.subject_municipality
    assert case.identity_key == signal.identity_key
    assert case.name_key == signal.name_key
    assert case.summary == "Proposed: signs of radicalisation."
    assert case.opened_by == world.chair
    # Two change-log rows: the case's own trail and the signal's.
    events = audit_events_since(last)
    assert [e.action for e in events] == ["CASE_OPENED", "SIGNAL_DECIDED"]
    opened, decided = events
    assert {opened.actor_id, decided.actor_id} == {world.chair.pk}
    assert opened.case_id == case.pk == decided.case_id
    assert opened.object_type == "cases.case"
    assert event_values(opened)["status"] == [None, CaseStatus.ON_LIST]
    assert event_values(opened)["summary"] == [None, "Proposed: signs of radicalisation."]
    assert opened.data["signal"] == signal.pk
    assert event_values(decided)["status"] == [SignalStatus.PROPOSED, SignalStatus.RETAINED]
    assert event_values(decided)["case"] == [None, case.pk]
    assert event_values(decided)["decision_note"] == ["", "On the list."]
    assert decided.data["retained"] is True


def test_the_chair_does_not_retain(world: World) -> None:
    signal = proposed(world)
    with one_audit_event("SIGNAL_DECIDED", actor=world.chair, cell=world.cell_a) as rec:
        signal = services.signal_decide(
            actor=world.chair, signal=signal, retain=False, note="Regular care.", version=1
        )
    assert signal.status == SignalStatus.NOT_RETAINED
    assert signal.case is None
    assert signal.decision_note == "Regular care."
    assert signal.handled_at is not None
    assert not Case.objects.exists()
    assert rec.event is not None
    assert event_values(rec.event)["status"] == [SignalStatus.PROPOSED, SignalStatus.NOT_RETAINED]


def test_not_retaining_needs_a_note(world: World) -> None:
    with refused(RuleViolation, match="why"):
        services.signal_decide(
            actor=world.chair, signal=proposed(world), retain=False, note=" ", version=1
        )


def test_retaining_a_person_who_has_a_case_is_refused(world: World) -> None:
    signal = proposed(world)
    case = case_for(signal)
    with refused(RuleViolation, match=f"already has case {case.reference}"):
        services.signal_decide(actor=world.chair, signal=signal, retain=True, note="", version=1)
    assert Case.objects.count() == 1


@pytest.mark.parametrize("who", others("chair"))
def test_deciding_is_refused_to_everyone_but_the_chair(world: World, who: str) -> None:
    with refused(Forbidden):
        services.signal_decide(
            actor=getattr(world, who), signal=proposed(world), retain=True, note="", version=1
        )


@pytest.mark.parametrize("status", [SignalStatus.RECEIVED, *HANDLED])
def test_deciding_a_signal_that_is_not_proposed_is_refused(world: World, status: str) -> None:
    signal = signal_in(world, status)
    for retain in (True, False):
        with refused(RuleViolation, match="not proposed to the chair"):
            services.signal_decide(
                actor=world.chair, signal=signal, retain=retain, note="Note.", version=1
            )


def test_deciding_over_a_newer_version_is_a_conflict(world: World) -> None:
    signal = proposed(world)
    Signal.objects.filter(pk=signal.pk).update(version=2)
    with refused(EditConflict):
        services.signal_decide(actor=world.chair, signal=signal, retain=True, note="", version=1)


# --- Joining and reopening -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "information_officer"])
def test_a_screener_joins_a_received_signal_to_an_open_case(world: World, who: str) -> None:
    actor = getattr(world, who)
    signal = received(world)
    case = case_for(signal)
    with one_audit_event("SIGNAL_JOINED", actor=actor, cell=world.cell_a) as rec:
        signal = services.signal_join(actor=actor, signal=signal, case=case, version=1)
    assert signal.status == SignalStatus.JOINED
    assert signal.case == case
    assert signal.handled_at is not None
    assert signal.decided_by is None
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_DISCUSSION
    assert case.reopen_count == 0
    assert rec.event is not None
    assert rec.event.case_id == case.pk
    assert event_values(rec.event)["status"] == [SignalStatus.RECEIVED, SignalStatus.JOINED]
    assert event_values(rec.event)["case"] == [None, case.pk]
    assert rec.event.data["reopened"] is False


def test_the_chair_joins_a_proposed_signal(world: World) -> None:
    signal = proposed(world)
    case = case_for(signal, status=CaseStatus.FOLLOW_UP)
    with one_audit_event("SIGNAL_JOINED", actor=world.chair, cell=world.cell_a):
        signal = services.signal_join(actor=world.chair, signal=signal, case=case, version=1)
    assert signal.status == SignalStatus.JOINED
    assert signal.decided_by == world.chair
    assert signal.case == case


def test_joining_follows_the_stage_of_the_signal(world: World) -> None:
    signal = received(world)
    with refused(RuleViolation, match="still being screened"):
        services.signal_join(actor=world.chair, signal=signal, case=case_for(signal), version=1)
    signal = proposed(world)
    case = case_for(signal)
    for who in ("coordinator", "information_officer"):
        with refused(RuleViolation, match="only the chair"):
            services.signal_join(actor=getattr(world, who), signal=signal, case=case, version=1)


@pytest.mark.parametrize("who", others("chair", "coordinator", "information_officer"))
def test_joining_is_refused_to_everyone_else(world: World, who: str) -> None:
    signal = received(world)
    with refused(Forbidden):
        services.signal_join(
            actor=getattr(world, who), signal=signal, case=case_for(signal), version=1
        )


def test_joining_another_persons_case_is_refused(world: World) -> None:
    signal = received(world)
    stranger = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    with refused(RuleViolation, match="another person"):
        services.signal_join(actor=world.coordinator, signal=signal, case=stranger, version=1)
    # Same name but another birth date is another identity.
    namesake = case_for(signal, subject_birth_date=datetime.date(1990, 1, 1))
    with refused(RuleViolation, match="another person"):
        services.signal_join(actor=world.coordinator, signal=signal, case=namesake, version=1)


def test_joining_a_case_of_another_cell_is_refused(world: World) -> None:
    signal = received(world)
    foreign = CaseFactory(
        cell=world.cell_b,
        opened_by=world.member_b,
        identity_key=signal.identity_key,
    )
    with refused(Forbidden):
        services.signal_join(actor=world.coordinator, signal=signal, case=foreign, version=1)


@pytest.mark.parametrize("status", HANDLED)
def test_joining_a_handled_signal_is_refused(world: World, status: str) -> None:
    signal = signal_in(world, status)
    case = signal.case or case_for(signal)
    for who in ("coordinator", "chair"):
        with refused(RuleViolation, match="cannot become"):
            services.signal_join(actor=getattr(world, who), signal=signal, case=case, version=1)


def test_joining_over_a_newer_version_is_a_conflict(world: World) -> None:
    signal = received(world, version=2)
    with refused(EditConflict):
        services.signal_join(
            actor=world.coordinator, signal=signal, case=case_for(signal), version=1
        )


def closed_case(signal: Signal) -> Case:
    return case_for(
        signal,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.POSITIVE,
        closed_at=timezone.now() - datetime.timedelta(days=30),
        evaluation="Went well.",
        reopen_count=1,
    )


@pytest.mark.parametrize(("who", "stage"), [("coordinator", "received"), ("chair", "proposed")])
def test_joining_a_closed_case_reopens_it(world: World, who: str, stage: str) -> None:
    actor = getattr(world, who)
    signal = received(world) if stage == "received" else proposed(world)
    case = closed_case(signal)
    closed_at = case.closed_at
    last = last_audit_pk()
    signal = services.signal_join(actor=actor, signal=signal, case=case, version=1)
    case.refresh_from_db()
    assert signal.status == SignalStatus.JOINED
    assert signal.case == case
    assert case.status == CaseStatus.ON_LIST
    assert case.reopen_count == 2
    assert case.closure_reason == ""
    assert case.closed_at is None
    assert case.evaluation == ""
    assert case.version == 2
    events = audit_events_since(last)
    assert [e.action for e in events] == ["CASE_REOPENED", "SIGNAL_JOINED"]
    reopened, joined = events
    assert reopened.actor_id == joined.actor_id == actor.pk
    assert reopened.case_id == case.pk == joined.case_id
    assert event_values(reopened)["status"] == [CaseStatus.CLOSED, CaseStatus.ON_LIST]
    assert event_values(reopened)["closure_reason"] == [ClosureReason.POSITIVE, ""]
    assert event_values(reopened)["evaluation"] == ["Went well.", ""]
    assert event_values(reopened)["closed_at"] == [closed_at.isoformat(), None]
    assert event_values(reopened)["reopen_count"] == [1, 2]
    assert "evaluation" in reopened.data["fields"]
    assert joined.data["reopened"] is True


def test_the_information_officer_cannot_reopen_a_closed_case(world: World) -> None:
    signal = received(world)
    case = closed_case(signal)
    with refused(RuleViolation, match="only the chair or the coordinator"):
        services.signal_join(actor=world.information_officer, signal=signal, case=case, version=1)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    signal.refresh_from_db()
    assert signal.status == SignalStatus.RECEIVED


# --- The transition table ------------------------------------------------------------------


def test_every_signal_transition_is_exercised_by_a_service() -> None:
    """The table has exactly the edges the tests above walk; a new edge needs a test."""
    assert set(SIGNAL_TRANSITIONS) == {
        (SignalStatus.RECEIVED, SignalStatus.NOT_RETAINED),  # test_screening_not_retained
        (SignalStatus.RECEIVED, SignalStatus.PROPOSED),  # test_screening_proposes_to_the_chair
        (SignalStatus.RECEIVED, SignalStatus.JOINED),  # test_a_screener_joins_...
        (SignalStatus.PROPOSED, SignalStatus.RETAINED),  # test_the_chair_retains_...
        (SignalStatus.PROPOSED, SignalStatus.NOT_RETAINED),  # test_the_chair_does_not_retain
        (SignalStatus.PROPOSED, SignalStatus.JOINED),  # test_the_chair_joins_...
    }


# --- The rules decide who joins --------------------------------------------------------------


def test_joining_asks_the_rules(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """``rules.signal_join_allowed`` is the one place that decides: when it says yes, even the
    chair joins a signal at screening; when it says no, the coordinator does not."""
    from casus.access import rules

    asked: list[tuple[object, object, object]] = []

    def allowed(answer: bool):  # type: ignore[no-untyped-def]
        def decide(user, signal, case):  # type: ignore[no-untyped-def]
            asked.append((user, signal.pk, case.pk))
            return answer

        return decide

    signal = received(world)
    case = case_for(signal)
    monkeypatch.setattr(rules, "signal_join_allowed", allowed(False))
    with refused(Forbidden):
        services.signal_join(actor=world.coordinator, signal=signal, case=case, version=1)
    assert asked == [(world.coordinator, signal.pk, case.pk)]
    monkeypatch.setattr(rules, "signal_join_allowed", allowed(True))
    signal = services.signal_join(actor=world.chair, signal=signal, case=case, version=1)
    assert signal.status == SignalStatus.JOINED
    assert asked[-1] == (world.chair, signal.pk, case.pk)


def test_joining_still_needs_a_screener_or_the_chair(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever else: someone who neither screens nor decides gets a 404, before any lock."""
    from casus.access import rules

    monkeypatch.setattr(rules, "signal_join_allowed", lambda *args: True)
    signal = received(world)
    with refused(Forbidden):
        services.signal_join(actor=world.partner1, signal=signal, case=case_for(signal), version=1)
