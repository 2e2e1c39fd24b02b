"""Fixtures of the case tests: English messages, a case of cell A in which the school
(partner1) participates and leads, and an active charter."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from casus.access.models import Charter, User
from casus.cases.models import Case
from tests.conftest import World

from .factories import CaseFactory, participate
from .helpers import activate_charter


@pytest.fixture(autouse=True)
def english(request: pytest.FixtureRequest) -> Iterator[None]:
    """Messages are compared in English, whatever the default language: the one active here,
    and, where the test has a ``world``, the one its actors read pages in."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        User.objects.update(language="en")
    with translation.override("en"):
        yield


@dataclass
class CaseWorld:
    """``case``: school participates and leads; ``other``: nobody participates."""

    case: Case
    other: Case


@pytest.fixture
def cases(world: World) -> CaseWorld:
    school = world.membership(world.partner1).organisation
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair, lead_organisation=school)
    participate(case, school, world.coordinator)
    other = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    return CaseWorld(case=case, other=other)


@pytest.fixture
def charter(world: World) -> Charter:
    """Cell A's active charter."""
    return activate_charter(world)
