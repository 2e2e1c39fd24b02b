"""The permission engine: the role × action table, membership windows, cells and
installation roles."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from casus.access import rules
from casus.access.models import Membership, Role
from casus.access.rules import (
    ROLE_ACTIONS,
    Action,
    InstallationAction,
    can,
    can_installation,
    forget_memberships,
    membership_for,
    require,
    require_installation,
)
from casus.core.exceptions import Forbidden
from tests.factories import MembershipFactory, UserFactory

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

#: Written from product.md (§1 and the matrix), not copied from rules.py.
EXPECTED: dict[Action, set[Role]] = {
    Action.CELL_ENTER: {C, K, I, M, S, D, A},
    Action.STATEMENT_SIGN: {C, K, I, M, S, D, A},
    # "cell setup, members, charter: draft / approve" — A drafts, C approves; both see it.
    Action.SETUP_VIEW: {C, A},
    Action.SETUP_DRAFT: {A},
    Action.SETUP_APPROVE: {C},
    # "access and change logs (no values)" — D only.
    Action.AUDIT_READ: {D},
    # "submit a signal; see own signals' status" — C K I M.
    Action.SIGNAL_SUBMIT: {C, K, I, M},
    # An outside reporter's signal is entered by the coordinator (§3).
    Action.SIGNAL_ENTER_OUTSIDE: {K},
    # "pre-screen" — K I; "decide on the case list" — C.
    Action.SIGNAL_SCREEN: {K, I},
    Action.SIGNAL_DECIDE: {C},
    # "search persons by name" — C K I.
    Action.PERSON_SEARCH: {C, K, I},
    # The case list exists for every case role (each sees what case_queryset_for allows);
    # "read case overview" of every case — C K I.
    Action.CASE_LIST: {C, K, I, M},
    Action.CASE_LIST_ALL: {C, K, I},
    # Scenario templates of the tactical table and the cell's life domains — K.
    Action.SCENARIO_MANAGE: {K},
    Action.LIFE_DOMAIN_MANAGE: {K},
    # "moved ... accepted by its coordinator" (§3) — K of the receiving cell.
    Action.HANDOVER_ACCEPT: {K},
    # Reviews due across the cell — K I (they keep the agenda and the follow-up).
    Action.REVIEWS_TRACK: {K, I},
    # "build agenda, send invitations, write minutes" — K.
    Action.MEETING_MANAGE: {K},
    # Meetings are listed for everyone who can be invited (scoped per meeting and item).
    Action.MEETING_LIST: {C, K, I, M, S},
    # "draft and send feedback sheets to the LTF"; "mark a feedback sheet sent;
    # information-exchange register" — I; "read information-exchange register" — C K I.
    Action.FEEDBACK_DRAFT: {I},
    Action.FEEDBACK_SEND: {I},
    Action.EXCHANGE_WRITE: {I},
    Action.EXCHANGE_READ: {C, K, I},
    # Break-glass uses: listed to chair (own), coordinator and DPO; reviewed by the coordinator.
    Action.BREAK_GLASS_LIST: {C, K, D},
    Action.BREAK_GLASS_REVIEW: {K},
    # "retention: dry run, approve purge" — K prepares, C approves; "D: read report".
    Action.RETENTION_PREPARE: {K},
    Action.RETENTION_APPROVE: {C},
    Action.RETENTION_READ: {C, K, D},
    # "data-subject requests: compile / review own entries / decide" — K / I M / C; D sees
    # the decision.
    Action.SUBJECT_REQUEST_COMPILE: {K},
    Action.SUBJECT_REQUEST_REVIEW: {I, M},
    Action.SUBJECT_REQUEST_DECIDE: {C},
    Action.SUBJECT_REQUEST_DECISIONS: {D},
    # §6 "the charter names the controllers; Casus produces the art. 30 record".
    Action.PROCESSING_RECORD_READ: {C, K, D, A},
    # "strategic plan, diagnosis, self-evaluation: ✔ C K I S; answer M M'".
    Action.STRATEGY_READ: {C, K, I, S},
    Action.STRATEGY_WRITE: {C, K, I, S},
    Action.SELF_EVALUATION_ANSWER: {C, K, I, S, M},
    # "monitoring: exact C K I / suppressed S"; the exact roles may see the published view.
    Action.MONITORING_EXACT: {C, K, I},
    Action.MONITORING_PUBLISHED: {C, K, I, S},
    Action.MONITORING_REGIONAL_OPT_IN: {C},
}


def _user_with_role(world, role: Role):
    return {
        C: world.chair,
        K: world.coordinator,
        I: world.information_officer,
        M: world.partner1,
        S: world.strategic,
        D: world.dpo,
        A: world.cell_admin,
    }[role]


def test_every_action_is_in_the_table_and_in_the_expectations() -> None:
    assert set(ROLE_ACTIONS) == set(Action)
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_action_matrix(world, role: Role, action: Action) -> None:
    user = _user_with_role(world, role)
    assert world.membership(user).role == role
    allowed = role in EXPECTED[action]
    assert can(user, action, world.cell_a) is allowed
    assert can(user, action, world.cell_a.pk) is allowed  # a cell id works too
    if allowed:
        assert require(user, action, world.cell_a) == world.membership(user)
    else:
        with pytest.raises(Forbidden):
            require(user, action, world.cell_a)
    # The same person has no say in cell B, whatever their role in A.
    assert can(user, action, world.cell_b) is False
    with pytest.raises(Forbidden):
        require(user, action, world.cell_b)


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_member_of_cell_b_is_refused_in_cell_a_even_as_chair_and_admin(world, action) -> None:
    for role in (Role.CHAIR, Role.CELL_ADMIN, Role.DPO):
        user = UserFactory()
        MembershipFactory(user=user, cell=world.cell_b, role=role)
        assert can(user, action, world.cell_b) is (role in EXPECTED[action])
        assert can(user, action, world.cell_a) is False


def test_no_membership_refuses_everything(world) -> None:
    stranger = UserFactory()
    for action in Action:
        assert can(stranger, action, world.cell_a) is False
        with pytest.raises(Forbidden):
            require(stranger, action, world.cell_a)


def test_no_cell_refuses_everything(world) -> None:
    assert membership_for(world.chair, None) is None
    assert can(world.chair, Action.CELL_ENTER, None) is False


def test_anonymous_and_inactive_users_have_no_membership(world) -> None:
    assert membership_for(AnonymousUser(), world.cell_a) is None  # type: ignore[arg-type]
    assert can(AnonymousUser(), Action.CELL_ENTER, world.cell_a) is False  # type: ignore[arg-type]
    chair = world.chair
    chair.is_active = False
    assert membership_for(chair, world.cell_a) is None
    assert can(chair, Action.SETUP_APPROVE, world.cell_a) is False


def test_ended_membership_refuses(world) -> None:
    Membership.objects.filter(pk=world.membership(world.chair).pk).update(ended_at=timezone.now())
    assert can(world.chair, Action.CELL_ENTER, world.cell_a) is False


@pytest.mark.parametrize(
    ("start", "end", "allowed"),
    [
        pytest.param(1, None, False, id="term-not-started"),
        pytest.param(-10, -1, False, id="term-ended-yesterday"),
        pytest.param(-10, 0, True, id="term-ends-today"),
        pytest.param(0, None, True, id="term-starts-today"),
    ],
)
def test_term_window(world, start: int, end: int | None, allowed: bool) -> None:
    today = timezone.localdate()
    user = UserFactory()
    MembershipFactory(
        user=user,
        cell=world.cell_a,
        role=Role.CHAIR,
        term_start=today + datetime.timedelta(days=start),
        term_end=None if end is None else today + datetime.timedelta(days=end),
    )
    assert can(user, Action.SETUP_APPROVE, world.cell_a) is allowed


def test_memberships_are_cached_until_forgotten(world, django_assert_num_queries) -> None:
    chair = world.chair
    with django_assert_num_queries(1):
        assert can(chair, Action.SETUP_APPROVE, world.cell_a)
        assert can(chair, Action.SETUP_VIEW, world.cell_a)
    Membership.objects.filter(pk=world.membership(chair).pk).update(ended_at=timezone.now())
    # Still cached on this object: one request sees one consistent answer ...
    assert can(chair, Action.SETUP_APPROVE, world.cell_a)
    # ... until a service forgets it.
    forget_memberships(chair)
    assert can(chair, Action.SETUP_APPROVE, world.cell_a) is False
    forget_memberships(chair)  # forgetting twice is harmless


#: Installation-wide actions and the user flag that allows each.
INSTALLATION_FLAGS = {
    InstallationAction.CELL_CREATE: "is_installation_admin",
    InstallationAction.CELL_ADMIN_APPOINT: "is_installation_admin",
    InstallationAction.REGIONAL_BODY_MANAGE: "is_installation_admin",
    InstallationAction.KNOWLEDGE_EDIT: "is_knowledge_editor",
    InstallationAction.REGIONAL_VIEW: "is_regional_support",
}


def test_every_installation_action_has_its_flag() -> None:
    assert set(INSTALLATION_FLAGS) == set(InstallationAction)


@pytest.mark.parametrize("action", list(InstallationAction), ids=str)
def test_installation_actions_only_for_their_installation_role(world, action) -> None:
    flag = INSTALLATION_FLAGS[action]
    allowed = UserFactory(**{flag: True})
    assert can_installation(allowed, action) is True
    require_installation(allowed, action)
    # The other installation roles do not get it.
    others = [
        UserFactory(**{other: True})
        for other in {"is_installation_admin", "is_knowledge_editor", "is_regional_support"}
        - {flag}
    ]
    refused = [
        *others,
        world.chair,
        world.cell_admin,
        world.dpo,
        world.member_b,
        AnonymousUser(),
    ]
    for user in refused:
        assert can_installation(user, action) is False  # type: ignore[arg-type]
        with pytest.raises(Forbidden):
            require_installation(user, action)  # type: ignore[arg-type]
    inactive = UserFactory(**{flag: True, "is_active": False})
    assert can_installation(inactive, action) is False


def test_installation_admin_has_no_cell_role(world) -> None:
    for action in Action:
        assert can(world.installation_admin, action, world.cell_a) is False


def test_forbidden_is_answered_as_404(world) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        rules.require(world.partner1, Action.SETUP_VIEW, world.cell_a)
