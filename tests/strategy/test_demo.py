"""The demo's strategic table loads once, through the services."""

import pytest

from casus.demo.strategy import load
from casus.strategy.models import EvaluationStatus, Objective, Priority, SelfEvaluation
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once(world: World) -> None:
    people = {
        "chair": world.chair,
        "coordinator": world.coordinator,
        "information_officer": world.information_officer,
        "strategic": world.strategic,
        "member_school": world.partner1,
        "member_ocmw": world.partner2,
    }
    assert load(world.cell_a, people) is True
    assert load(world.cell_a, people) is False
    assert Priority.objects.filter(cell=world.cell_a).count() == 4
    assert Objective.objects.filter(cell=world.cell_a).count() == 4
    assert sorted(SelfEvaluation.objects.values_list("status", flat=True)) == [
        EvaluationStatus.CLOSED,
        EvaluationStatus.OPEN,
    ]
