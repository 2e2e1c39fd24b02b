"""The follow-up selectors check the reader's right themselves (``CaseAction.FOLLOWUP_READ``)."""

from collections.abc import Callable

import pytest

from casus.access.rules import CaseAction, case_context
from casus.cases.selectors import followup as selectors
from casus.cases.services import followup as services
from casus.core.exceptions import Forbidden
from tests.conftest import World

from .conftest import CaseWorld
from .helpers import domain, personal_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(world: World, cases: CaseWorld) -> tuple[int, int]:
    """One assessment version, one goal and one action on ``cases.case``: (goal, action) ids."""
    family = domain(world, "family")
    services.assessment_save(
        actor=world.coordinator,
        case=cases.case,
        summary="Summary.",
        domains={family.pk: {"needs": "Support."}},
        based_on_version=0,
    )
    goal = services.goal_create(actor=world.coordinator, case=cases.case, domain=None, text="G.")
    action = services.action_create(
        actor=world.coordinator,
        case=cases.case,
        goal=goal,
        description="A.",
        owner_organisation=world.membership(world.partner2).organisation,
        due_on=None,
    )
    return goal.pk, action.pk


def reads(goal_pk: int, action_pk: int) -> dict[str, Callable]:
    """Every case read of the follow-up selectors, given a rights context."""
    return {
        "assessment_page_for": lambda c: selectors.assessment_page_for(context=c),
        "assessment_version_for": lambda c: selectors.assessment_version_for(context=c, version=1),
        "assessment_latest_for": lambda c: selectors.assessment_latest_for(context=c),
        "assessment_versions_for": lambda c: selectors.assessment_versions_for(context=c),
        "assessment_compare_for": lambda c: selectors.assessment_compare_for(context=c, a=1, b=1),
        "life_domains_for_form": lambda c: selectors.life_domains_for_form(context=c, latest=None),
        "pathway_page_for": lambda c: selectors.pathway_page_for(context=c),
        "goal_get_for": lambda c: selectors.goal_get_for(context=c, pk=goal_pk),
        "action_get_for": lambda c: selectors.action_get_for(context=c, pk=action_pk),
        "case_goals": lambda c: list(selectors.case_goals(context=c)),
        "owner_organisations": lambda c: list(selectors.owner_organisations(context=c)),
        "scenarios_to_apply": lambda c: list(selectors.scenarios_to_apply(context=c)),
    }


@pytest.mark.parametrize("who", ("coordinator", "information_officer", "partner1"))
def test_readers_of_the_follow_up_get_it(world: World, cases: CaseWorld, filled, who) -> None:
    context = case_context(getattr(world, who), cases.case)
    for read in reads(*filled).values():
        read(context)  # no refusal


def test_the_chair_reads_but_is_not_offered_scenarios(
    world: World, cases: CaseWorld, filled
) -> None:
    context = case_context(world.chair, cases.case)
    for name, read in reads(*filled).items():
        if name == "scenarios_to_apply":
            # Applying a scenario writes the pathway: the chair only reads.
            with pytest.raises(Forbidden):
                read(context)
        else:
            read(context)


def test_a_meeting_window_alone_does_not_open_the_follow_up(
    world: World, cases: CaseWorld, filled
) -> None:
    # A meeting window opens only its agenda item (meetings rules): not the case, not its
    # follow-up.
    personal_grant(cases.case, world.partner2)
    context = case_context(world.partner2, cases.case)
    assert not context.allows(CaseAction.VIEW)
    assert not context.allows(CaseAction.FOLLOWUP_READ)
    for read in reads(*filled).values():
        with pytest.raises(Forbidden):
            read(context)


@pytest.mark.parametrize("who", ("partner2", "strategic", "dpo", "member_b"))
def test_those_without_access_are_refused(world: World, cases: CaseWorld, filled, who) -> None:
    context = case_context(getattr(world, who), cases.case)
    for read in reads(*filled).values():
        with pytest.raises(Forbidden):
            read(context)
