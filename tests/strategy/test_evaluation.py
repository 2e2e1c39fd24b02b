"""The self-evaluation: opening, answering, closing; the results' arithmetic and anonymity."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from casus.access.models import Role, User
from casus.audit.models import AuditEvent
from casus.core.exceptions import Forbidden, RuleViolation
from casus.core.models import Notification
from casus.strategy import selectors, services
from casus.strategy.models import Answer, EvaluationStatus, SelfEvaluation
from casus.strategy.questionnaire import MODULES, STATEMENTS
from casus.strategy.results import MIN_RESPONDENTS, Row, comparison, mean, module_results
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STRUCTURE = [s.key for s in MODULES[0].statements]


def test_the_questionnaire_has_seven_modules_of_three_to_five_statements() -> None:
    assert [m.key for m in MODULES] == [
        "structure", "vision", "working_method", "case_management", "information_sharing",
        "collaboration", "knowledge_transfer",
    ]  # fmt: skip
    assert all(3 <= len(m.statements) <= 5 for m in MODULES)
    assert len(STATEMENTS) == sum(len(m.statements) for m in MODULES)  # keys are unique
    assert all(len(key) <= 40 for key in STATEMENTS)  # the column's width


@pytest.fixture
def evaluation(world: World) -> SelfEvaluation:
    return services.evaluation_open(actor=world.strategic, cell=world.cell_a, year=2025)


def test_a_strategic_role_opens_one_evaluation_per_year(world: World) -> None:
    evaluation = services.evaluation_open(actor=world.chair, cell=world.cell_a, year=2025)
    assert evaluation.status == EvaluationStatus.OPEN
    [event] = AuditEvent.objects.filter(action="SELF_EVALUATION_OPENED")
    assert (event.actor, event.data) == (world.chair, {"year": 2025})
    with pytest.raises(RuleViolation, match="already exists"):
        services.evaluation_open(actor=world.coordinator, cell=world.cell_a, year=2025)
    # Another cell has its own.
    services.evaluation_open(actor=world.member_b, cell=world.cell_b, year=2025)
    assert SelfEvaluation.objects.count() == 2


def test_opening_asks_every_member_who_may_answer_without_content(
    world: World, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = services.evaluation_open(actor=world.chair, cell=world.cell_a, year=2025)
    notified = set(
        Notification.objects.filter(kind="self_evaluation_opened").values_list("user", flat=True)
    )
    answering = {
        world.chair,
        world.coordinator,
        world.information_officer,
        world.partner1,
        world.partner2,
        world.strategic,
    }
    assert notified == {user.pk for user in answering}  # not the DPO, the administrator, B
    assert {m.to[0] for m in mailoutbox} == {user.email for user in answering}
    url = reverse("strategy:evaluation_answer", args=[evaluation.pk])
    assert all(url in m.body for m in mailoutbox)
    # Opening once more is refused and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuleViolation):
        services.evaluation_open(actor=world.chair, cell=world.cell_a, year=2025)
    assert Notification.objects.filter(kind="self_evaluation_opened").count() == len(answering)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.DPO, Role.CELL_ADMIN])
def test_other_roles_may_not_open_or_close(
    world: World, people: dict[Role, User], role: Role, evaluation: SelfEvaluation
) -> None:
    with pytest.raises(Forbidden):
        services.evaluation_open(actor=people[role], cell=world.cell_a, year=2026)
    with pytest.raises(Forbidden):
        services.evaluation_close(actor=people[role], evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.is_open


@pytest.mark.parametrize(
    "role", [Role.CHAIR, Role.COORDINATOR, Role.INFORMATION_OFFICER, Role.STRATEGIC, Role.MEMBER]
)
def test_every_member_answers_and_changes_their_answers(
    world: World, people: dict[Role, User], role: Role, evaluation: SelfEvaluation
) -> None:
    actor = people[role]
    services.evaluation_answer(
        actor=actor,
        evaluation=evaluation,
        replies={STRUCTURE[0]: (2, "Too vague."), STRUCTURE[1]: (None, "")},
    )
    mine = selectors.answers_mine(actor=actor, evaluation=evaluation)
    assert {k: (a.score, a.comment) for k, a in mine.items()} == {
        STRUCTURE[0]: (2, "Too vague."),
        STRUCTURE[1]: (None, ""),  # "don't know"
    }
    # Changed, and the second withdrawn.
    services.evaluation_answer(
        actor=actor, evaluation=evaluation, replies={STRUCTURE[0]: (4, ""), STRUCTURE[1]: None}
    )
    mine = selectors.answers_mine(actor=actor, evaluation=evaluation)
    assert {k: (a.score, a.comment) for k, a in mine.items()} == {STRUCTURE[0]: (4, "")}
    events = list(AuditEvent.objects.filter(action="SELF_EVALUATION_ANSWERED").order_by("id"))
    assert [e.data for e in events] == [
        {"year": 2025, "answered": 2, "changed": 2, "withdrawn": 0},
        {"year": 2025, "answered": 1, "changed": 1, "withdrawn": 1},
    ]
    # The log never holds what was answered.
    assert all(not e.values_sealed and "Too vague" not in str(e.data) for e in events)


@pytest.mark.parametrize("role", [Role.DPO, Role.CELL_ADMIN])
def test_oversight_roles_do_not_answer(
    world: World, people: dict[Role, User], role: Role, evaluation: SelfEvaluation
) -> None:
    with pytest.raises(Forbidden):
        services.evaluation_answer(
            actor=people[role], evaluation=evaluation, replies={STRUCTURE[0]: (3, "")}
        )
    with pytest.raises(Forbidden):
        services.evaluation_answer(
            actor=world.member_b, evaluation=evaluation, replies={STRUCTURE[0]: (3, "")}
        )
    assert not Answer.objects.exists()


def test_answers_are_checked(world: World, evaluation: SelfEvaluation) -> None:
    for replies in ({"no_such_key": (3, "")}, {STRUCTURE[0]: (6, "")}, {STRUCTURE[0]: (0, "")}):
        with pytest.raises(RuleViolation):
            services.evaluation_answer(actor=world.chair, evaluation=evaluation, replies=replies)
    assert not Answer.objects.exists()


def test_closing_ends_answering_and_is_audited(world: World, evaluation: SelfEvaluation) -> None:
    services.evaluation_answer(
        actor=world.partner1, evaluation=evaluation, replies={STRUCTURE[0]: (3, "")}
    )
    services.evaluation_close(actor=world.coordinator, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.closed_by) == (EvaluationStatus.CLOSED, world.coordinator)
    [event] = AuditEvent.objects.filter(action="SELF_EVALUATION_CLOSED")
    assert event.data == {"year": 2025, "respondents": 1}
    with pytest.raises(RuleViolation, match="closed"):
        services.evaluation_answer(
            actor=world.partner1, evaluation=evaluation, replies={STRUCTURE[0]: (5, "")}
        )
    with pytest.raises(RuleViolation, match="already closed"):
        services.evaluation_close(actor=world.chair, evaluation=evaluation)
    assert Answer.objects.get().score == 3


# --- Results -------------------------------------------------------------------------------


def test_module_results_with_known_numbers() -> None:
    s1, s2, s3 = STRUCTURE[:3]
    rows = [
        Row(1, s1, 5, "Clear."),
        Row(1, s2, 4, ""),
        Row(2, s1, 3, ""),
        Row(2, s2, None, "Not sure."),  # don't know: counted, not in the mean
        Row(3, s1, 1, "Absent partners."),
        Row(3, s3, 2, ""),
        Row(4, "vision_shared_purpose", 5, "Only two answered vision."),
        Row(5, "vision_shared_purpose", 4, ""),
        Row(6, "a_statement_no_longer_asked", 1, "ignored"),
    ]
    structure, vision, *others = module_results(rows)
    assert structure.shown and structure.respondents == 3 and structure.answers == 6
    assert structure.mean == Decimal("3.00")  # (5 + 4 + 3 + 1 + 2) / 5
    assert [(bar.count, bar.percent) for bar in structure.distribution] == [
        (1, 17), (1, 17), (1, 17), (1, 17), (1, 17), (1, 17),
    ]  # fmt: skip
    # A statement's mean only when 3 people scored it: s2 and s3 rest on one person each.
    assert [(s.mean, s.answers) for s in structure.statements][:3] == [
        (Decimal("3.00"), 3), (None, 2), (None, 1),
    ]  # fmt: skip
    # Comments in alphabetical order, never in the order people answered.
    assert structure.comments == ["Absent partners.", "Clear.", "Not sure."]
    # Two people answered vision: too few, nothing of it shows.
    assert (vision.shown, vision.respondents) == (False, 2)
    assert (vision.mean, vision.distribution, vision.comments) == (None, [], [])
    assert all(not m.shown and m.respondents == 0 for m in others)


def test_dont_know_answers_do_not_make_a_module_or_comments_show() -> None:
    """Two people answer "don't know": a third person's score and comment must not show, or
    a reader who is one of the two would know whose they are."""
    s1, s2 = STRUCTURE[:2]
    rows = [
        Row(1, s1, 1, "I disagree with the chair."),
        Row(2, s2, None, ""),
        Row(3, s2, None, ""),
    ]
    [structure, *_] = module_results(rows)
    assert (structure.respondents, structure.shown) == (3, False)
    assert (structure.mean, structure.statements, structure.comments) == (None, [], [])
    # Three people scored; only two commented: the figures show, the comments do not.
    rows = [
        Row(1, s1, 1, "I disagree with the chair."),
        Row(2, s1, 4, "Fine."),
        Row(3, s1, 5, ""),
    ]
    [structure, *_] = module_results(rows)
    assert structure.shown and structure.mean == Decimal("3.33")
    assert structure.comments == []
    rows.append(Row(3, s2, None, "No view."))
    [structure, *_] = module_results(rows)
    assert structure.comments == ["Fine.", "I disagree with the chair.", "No view."]


def test_the_mean_rounds_half_up_to_two_decimals() -> None:
    assert mean([1, 2, 2]) == Decimal("1.67")
    assert mean([1, 2]) == Decimal("1.50")
    assert mean([4, 4, 5, 5, 5, 5, 5, 5]) == Decimal("4.75")
    assert mean([]) is None


@given(st.lists(st.tuples(st.integers(1, 9), st.sampled_from(STRUCTURE), st.integers(1, 5))))
def test_a_module_shows_exactly_when_enough_people_answered(
    answers: list[tuple[int, str, int]],
) -> None:
    rows = [Row(person, key, score, "") for person, key, score in answers]
    structure = module_results(rows)[0]
    people = len({person for person, _key, _score in answers})
    assert structure.shown is (people >= MIN_RESPONDENTS)
    if structure.shown:
        assert structure.mean is not None and Decimal(1) <= structure.mean <= Decimal(5)
        assert sum(bar.count for bar in structure.distribution) == len(rows)


def test_comparison_puts_the_years_side_by_side() -> None:
    def year(score: int, people: int) -> list[Row]:
        return [Row(p, STRUCTURE[0], score, "") for p in range(people)]

    result = comparison({2025: module_results(year(4, 3)), 2024: module_results(year(2, 2))})
    assert result.years == [2024, 2025]
    assert result.rows[0].module.key == "structure"
    assert result.rows[0].means == [None, Decimal("4.00")]  # 2024: too few respondents
    assert result.rows[1].means == [None, None]


def _answer(evaluation: SelfEvaluation, user: User, score: int, comment: str = "") -> None:
    services.evaluation_answer(
        actor=user, evaluation=evaluation, replies={STRUCTURE[0]: (score, comment)}
    )


def test_results_only_once_closed_and_comparison_of_closed_years(
    world: World, people: dict[Role, User]
) -> None:
    last = services.evaluation_open(actor=world.chair, cell=world.cell_a, year=2024)
    for user, score in ((world.chair, 2), (world.coordinator, 3), (world.partner1, 4)):
        _answer(last, user, score)
    last = services.evaluation_close(actor=world.chair, evaluation=last)
    this = services.evaluation_open(actor=world.chair, cell=world.cell_a, year=2025)
    for user in (world.chair, world.coordinator, world.partner1, world.partner2):
        _answer(this, user, 5, "Fine")
    # Open: no results yet (they would move with each answer).
    assert selectors.evaluation_results_for(actor=world.strategic, evaluation=this) is None
    closed = selectors.evaluation_results_for(actor=world.strategic, evaluation=last)
    assert closed is not None and closed[0].mean == Decimal("3.00")
    result = selectors.evaluation_comparison_for(actor=world.strategic, cell=world.cell_a)
    assert result.years == [2024]
    services.evaluation_close(actor=world.chair, evaluation=this)
    result = selectors.evaluation_comparison_for(actor=world.strategic, cell=world.cell_a)
    assert (result.years, result.rows[0].means) == (
        [2024, 2025],
        [Decimal("3.00"), Decimal("5.00")],
    )
    # Members answer, but never read results or the comparison.
    with pytest.raises(Forbidden):
        selectors.evaluation_results_for(actor=world.partner1, evaluation=last)
    with pytest.raises(Forbidden):
        selectors.evaluation_comparison_for(actor=world.partner1, cell=world.cell_a)


def test_a_member_sees_only_their_own_answers(world: World) -> None:
    evaluation = services.evaluation_open(actor=world.chair, cell=world.cell_a, year=2025)
    _answer(evaluation, world.partner1, 2, "Mine")
    _answer(evaluation, world.partner2, 5, "Theirs")
    mine = selectors.answers_mine(actor=world.partner1, evaluation=evaluation)
    assert [(a.score, a.comment) for a in mine.values()] == [(2, "Mine")]


def test_an_ended_membership_no_longer_answers(world: World) -> None:
    user = UserFactory()
    membership = MembershipFactory(user=user, cell=world.cell_a)
    evaluation = services.evaluation_open(actor=world.chair, cell=world.cell_a, year=2025)
    _answer(evaluation, user, 3)
    from django.utils import timezone

    from casus.access.rules import forget_memberships

    membership.ended_at = timezone.now()
    membership.save()
    forget_memberships(user)
    with pytest.raises(Forbidden):
        _answer(evaluation, user, 4)
