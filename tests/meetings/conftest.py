"""Fixtures of the meeting tests: English messages, chair-approved memberships, an operational
table where everyone with a case role is seated, a strategic table, and two cases of cell A:
``case`` (the school takes part and leads) and ``other`` (nobody takes part)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from casus.access.models import Membership, Table, TableKind, User
from casus.cases.models import Case
from tests.cases.factories import CaseFactory, participate
from tests.conftest import World


@pytest.fixture(autouse=True)
def english(request: pytest.FixtureRequest) -> Iterator[None]:
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        User.objects.update(language="en")
    with translation.override("en"):
        yield


@dataclass
class MeetingWorld:
    table: Table
    strategic_table: Table
    case: Case
    other: Case


@pytest.fixture
def mw(world: World) -> MeetingWorld:
    Membership.objects.filter(cell=world.cell_a).update(
        approved_by=world.chair, approved_at=timezone.now()
    )
    table = Table.objects.create(cell=world.cell_a, kind=TableKind.OPERATIONAL, name="Case table")
    table.seats.set(
        [
            world.membership(u)
            for u in (world.coordinator, world.information_officer, world.partner1, world.partner2)
        ]
    )
    strategic_table = Table.objects.create(
        cell=world.cell_a, kind=TableKind.STRATEGIC, name="Steering group"
    )
    strategic_table.seats.set([world.membership(world.strategic), world.membership(world.chair)])
    school = world.membership(world.partner1).organisation
    case = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        lead_organisation=school,
        subject_family_name="Verhoeven",
        subject_given_names="Jonas",
        summary="Summary-of-the-coordinator.",
    )
    participate(case, school, world.coordinator)
    other = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        subject_family_name="Lambrecht",
        subject_given_names="Nora",
        summary="Other-summary.",
    )
    return MeetingWorld(table=table, strategic_table=strategic_table, case=case, other=other)
