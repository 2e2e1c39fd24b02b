"""A case of cell A in which the school (partner1) participates and leads."""

from dataclasses import dataclass

import pytest

from casus.cases.models import Case
from tests.conftest import World

from .factories import CaseFactory, participate


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
