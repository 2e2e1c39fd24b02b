"""The dashboard's per-role case cards: scoped by cell, role and need-to-know."""

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casus.access.models import Role
from casus.access.rules import ROLE_ACTIONS, Action
from casus.cases.models import ActionStatus, Case, CaseStatus, PathwayAction, SignalStatus
from casus.cases.selectors.work import dashboard_for
from casus.cases.services.common import revoke_grants
from tests.cases.factories import CaseFactory, SignalFactory, participate
from tests.cases.helpers import org_of, pathway_action, personal_grant
from tests.conftest import World, ready_client

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("core:dashboard")
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@dataclass
class Board:
    led: Case  # school leads and participates; review in 3 days
    other: Case  # nobody participates; review passed
    later: Case  # review in 10 days
    closed: Case  # closed, review passed, led by the school
    due_soon: PathwayAction
    overdue: PathwayAction
    far: PathwayAction
    done: PathwayAction
    ocmw_hidden: PathwayAction  # OCMW's action on a case OCMW does not take part in
    school_hidden: PathwayAction  # school's action on a case the school does not take part in


@pytest.fixture
def board(world: World) -> Board:
    school, ocmw = org_of(world, world.partner1), org_of(world, world.partner2)
    coordinator = world.coordinator
    led = CaseFactory(
        cell=world.cell_a, opened_by=world.chair, lead_organisation=school, next_review_on=days(3)
    )
    participate(led, school, coordinator)
    other = CaseFactory(cell=world.cell_a, opened_by=world.chair, next_review_on=days(-2))
    later = CaseFactory(cell=world.cell_a, opened_by=world.chair, next_review_on=days(10))
    closed = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        status=CaseStatus.CLOSED,
        closure_reason="positive",
        lead_organisation=school,
        next_review_on=days(-5),
    )
    participate(closed, school, coordinator)
    for status in (SignalStatus.RECEIVED, SignalStatus.RECEIVED, SignalStatus.PROPOSED):
        SignalFactory(cell=world.cell_a, reported_by=world.partner1, status=status)
    SignalFactory(cell=world.cell_b, reported_by=world.member_b)
    return Board(
        led=led,
        other=other,
        later=later,
        closed=closed,
        due_soon=pathway_action(led, school, coordinator, due=5),
        overdue=pathway_action(led, school, coordinator, due=-1),
        far=pathway_action(led, school, coordinator, due=30),
        done=pathway_action(led, school, coordinator, due=2, status=ActionStatus.DONE),
        ocmw_hidden=pathway_action(other, ocmw, coordinator, due=1),
        school_hidden=pathway_action(other, school, coordinator, due=1),
    )


def page(world: World, who: str) -> str:
    response = ready_client(getattr(world, who)).get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def test_coordinator_sees_screening_and_reviews(world: World, board: Board) -> None:
    cards = dashboard_for(actor=world.coordinator, cell=world.cell_a)
    assert cards.signals_awaiting == 2
    assert cards.decisions_awaiting is None
    assert [case.pk for case in cards.reviews_due or []] == [board.other.pk, board.led.pk]
    # Prevention A owns no action and leads no case.
    assert cards.my_actions == []
    assert cards.cases_led == []
    html = page(world, "coordinator")
    assert "Signals awaiting screening" in html
    assert "2 signals await screening." in html
    assert "Decisions awaiting you" not in html
    assert "Reviews due" in html
    assert board.other.reference in html
    assert board.later.reference not in html
    assert board.closed.reference not in html
    assert f'href="{reverse("cases:screening")}"' in html


def test_information_officer_sees_screening_and_reviews(world: World, board: Board) -> None:
    cards = dashboard_for(actor=world.information_officer, cell=world.cell_a)
    assert cards.signals_awaiting == 2
    assert cards.decisions_awaiting is None
    assert cards.reviews_due is not None
    assert {case.pk for case in cards.reviews_due} == {board.other.pk, board.led.pk}


def test_chair_sees_the_decisions_awaiting(world: World, board: Board) -> None:
    cards = dashboard_for(actor=world.chair, cell=world.cell_a)
    assert cards.decisions_awaiting == 1
    assert cards.signals_awaiting is None
    assert cards.reviews_due is None
    html = page(world, "chair")
    assert "1 proposed signal awaits your decision." in html
    assert "Signals awaiting screening" not in html
    assert "Reviews due" not in html
    assert f'href="{reverse("cases:decisions")}"' in html


def test_member_sees_their_organisations_actions_due_and_cases_led(
    world: World, board: Board
) -> None:
    cards = dashboard_for(actor=world.partner1, cell=world.cell_a)
    # Open, due within 14 days or overdue, owned by the school, on a case the school takes
    # part in: not the far one, not the done one, not the one on a case the school cannot see.
    assert [a.pk for a in cards.my_actions or []] == [board.overdue.pk, board.due_soon.pk]
    assert [case.pk for case in cards.cases_led or []] == [board.led.pk]
    assert cards.cases_led_total == 1
    assert cards.signals_awaiting is None
    assert cards.decisions_awaiting is None
    assert cards.reviews_due is None
    html = page(world, "partner1")
    assert "My actions due" in html
    assert "Cases I lead" in html
    assert reverse("cases:pathway", args=[board.led.pk]) in html
    assert reverse("cases:detail", args=[board.led.pk]) in html
    assert "(overdue)" in html
    assert board.other.reference not in html
    assert "Signals awaiting screening" not in html
    assert "Reviews due" not in html


def test_member_without_participation_sees_no_case(world: World, board: Board) -> None:
    cards = dashboard_for(actor=world.partner2, cell=world.cell_a)
    assert cards.my_actions == []
    assert cards.cases_led == []
    html = page(world, "partner2")
    for case in (board.led, board.other, board.later, board.closed):
        assert case.reference not in html


def test_an_action_on_a_case_seen_only_through_a_meeting_grant_is_not_listed(
    world: World, board: Board
) -> None:
    personal_grant(board.other, world.partner2)
    cards = dashboard_for(actor=world.partner2, cell=world.cell_a)
    # The case is visible (overview) but its pathway is not: the action is not offered.
    assert cards.my_actions == []


def test_a_case_led_seen_only_through_a_meeting_grant_shows_no_overdue_flag(
    world: World, board: Board
) -> None:
    ocmw = org_of(world, world.partner2)
    Case.objects.filter(pk=board.other.pk).update(lead_organisation=ocmw)
    pathway_action(board.other, ocmw, world.coordinator, due=-4)
    personal_grant(board.other, world.partner2)
    cards = dashboard_for(actor=world.partner2, cell=world.cell_a)
    # A meeting window opens only the agenda item: the case is not even listed.
    assert cards.cases_led == []
    assert "Overdue actions" not in page(world, "partner2")
    # Participating, the organisation reads the pathway: the flag shows.
    participate(board.other, ocmw, world.coordinator)
    cards = dashboard_for(actor=world.partner2, cell=world.cell_a)
    assert [case.has_overdue for case in cards.cases_led or []] == [True]


def test_the_reviews_card_follows_the_rule_of_access_rules(
    world: World, board: Board, monkeypatch
) -> None:
    """Who tracks reviews is decided by ``Action.REVIEWS_TRACK`` in access.rules alone."""
    monkeypatch.setitem(ROLE_ACTIONS, Action.REVIEWS_TRACK, frozenset({Role.CHAIR}))
    chair = dashboard_for(actor=world.chair, cell=world.cell_a)
    assert [case.pk for case in chair.reviews_due or []] == [board.other.pk, board.led.pk]
    assert dashboard_for(actor=world.coordinator, cell=world.cell_a).reviews_due is None


def test_revoked_participation_hides_the_actions(world: World, board: Board) -> None:
    revoke_grants(source=board.led.participations.get())
    cards = dashboard_for(actor=world.partner1, cell=world.cell_a)
    assert cards.my_actions == []
    assert cards.cases_led == []


@pytest.mark.parametrize("who", ["strategic", "dpo", "cell_admin"])
def test_roles_without_case_access_see_no_case_card(world: World, board: Board, who: str) -> None:
    cards = dashboard_for(actor=getattr(world, who), cell=world.cell_a)
    assert not cards.has_case_cards
    assert cards.signals_awaiting is None
    assert cards.decisions_awaiting is None
    assert cards.cases_led is None
    assert cards.reviews_due is None
    html = page(world, who)
    for title in ("My actions due", "Cases I lead", "Reviews due", "Signals awaiting"):
        assert title not in html
    for case in (board.led, board.other, board.later, board.closed):
        assert case.reference not in html
    assert "Charter" in html  # what the dashboard showed before stays


def test_member_of_cell_b_sees_only_cell_b(world: World, board: Board) -> None:
    own = CaseFactory(
        cell=world.cell_b, opened_by=world.member_b, next_review_on=days(1), number=998
    )
    cards = dashboard_for(actor=world.member_b, cell=world.cell_b)
    assert cards.signals_awaiting == 1
    assert [case.pk for case in cards.reviews_due or []] == [own.pk]
    html = page(world, "member_b")
    for case in (board.led, board.other, board.later, board.closed):
        assert reverse("cases:detail", args=[case.pk]) not in html


def test_dashboard_keeps_charter_and_approvals(world: World, board: Board) -> None:
    html = page(world, "chair")
    assert "Charter" in html
    assert "Awaiting your approval" in html


def test_cases_led_beyond_the_card_link_to_the_filtered_list(world: World) -> None:
    school = org_of(world, world.partner1)
    for _ in range(12):
        case = CaseFactory(cell=world.cell_a, opened_by=world.chair, lead_organisation=school)
        participate(case, school, world.coordinator)
    cards = dashboard_for(actor=world.partner1, cell=world.cell_a)
    assert len(cards.cases_led or []) == 10
    assert cards.cases_led_total == 12
    assert f"?lead={school.pk}" in page(world, "partner1")


# --- Query count ----------------------------------------------------------------------------


def _populate(world: World, size: int) -> None:
    school, ocmw = org_of(world, world.partner1), org_of(world, world.partner2)
    for index in range(size):
        case = CaseFactory(
            cell=world.cell_a,
            opened_by=world.chair,
            lead_organisation=school if index % 2 else ocmw,
            next_review_on=days(index % 5 - 2),
        )
        participate(case, school, world.coordinator)
        participate(case, ocmw, world.coordinator)
        pathway_action(case, school, world.coordinator, due=index % 7 - 3)
        pathway_action(case, ocmw, world.coordinator, due=2)
        SignalFactory(cell=world.cell_a, reported_by=world.partner1)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["chair", "coordinator", "partner1", "strategic"])
def test_dashboard_query_count_does_not_grow(world: World, who: str) -> None:
    client = ready_client(getattr(world, who))
    _populate(world, 3)
    client.get(DASHBOARD)  # warm the session
    small = _queries(client)
    _populate(world, 30)
    large = _queries(client)
    assert small == large
