"""The data-subject request rules: who opens which request, and which organisation's part."""

import pytest

from casus.access.models import Role
from casus.access.rules import (
    ROLE_ACTIONS,
    Action,
    forget_memberships,
    subject_request_queryset_for,
    subject_review_allowed,
    subject_review_queryset_for,
)
from casus.privacy.models import SubjectRequestStatus
from tests.conftest import World
from tests.factories import MembershipFactory

from .test_subject_request_helpers import make_request

pytestmark = pytest.mark.django_db

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


def test_the_role_table_is_the_matrix() -> None:
    assert ROLE_ACTIONS[Action.SUBJECT_REQUEST_COMPILE] == {Role.COORDINATOR}
    assert ROLE_ACTIONS[Action.SUBJECT_REQUEST_REVIEW] == {Role.INFORMATION_OFFICER, Role.MEMBER}
    assert ROLE_ACTIONS[Action.SUBJECT_REQUEST_DECIDE] == {Role.CHAIR}
    assert ROLE_ACTIONS[Action.SUBJECT_REQUEST_DECISIONS] == {Role.DPO}


@pytest.mark.parametrize("who", EVERYONE)
def test_requests_open_to_the_coordinator_and_the_chair_of_their_cell(
    world: World, who: str
) -> None:
    request = make_request(world)
    opens = subject_request_queryset_for(getattr(world, who), world.cell_a).filter(pk=request.pk)
    assert opens.exists() is (who in {"chair", "coordinator"})


@pytest.mark.parametrize("who", EVERYONE)
def test_a_review_opens_to_its_own_organisation_only(world: World, who: str) -> None:
    """The school's part: its member; the coordinator only for their own organisation's."""
    request = make_request(world)
    school = request.reviews.get(organisation__name="School A")
    prevention = request.reviews.get(organisation__name="Prevention A")
    user = getattr(world, who)
    assert subject_review_allowed(user, school) is (who == "partner1")
    assert subject_review_allowed(user, prevention) is (who == "coordinator")
    mine = set(subject_review_queryset_for(user, world.cell_a))
    assert mine <= {school, prevention, *request.reviews.all()}


def test_no_review_once_the_request_left_the_review_stage(world: World) -> None:
    request = make_request(world)
    school = request.reviews.get(organisation__name="School A")
    type(request).objects.filter(pk=request.pk).update(
        status=SubjectRequestStatus.AWAITING_DECISION
    )
    school.request.refresh_from_db()
    assert not subject_review_allowed(world.partner1, school)


def test_a_member_of_the_organisation_in_another_cell_gets_nothing(world: World) -> None:
    request = make_request(world)
    school = request.reviews.get(organisation__name="School A")
    # partner1 holds a member seat in cell B too: still nothing of cell A from there.
    MembershipFactory(user=world.partner1, cell=world.cell_b, role=Role.MEMBER)
    forget_memberships(world.partner1)
    assert not subject_review_queryset_for(world.partner1, world.cell_b).exists()
    assert subject_review_allowed(world.partner1, school)
    assert not subject_request_queryset_for(world.member_b, world.cell_a).exists()
