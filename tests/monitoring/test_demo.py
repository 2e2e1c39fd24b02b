import pytest

from casus.demo.monitoring import load
from casus.monitoring.models import CellOptIn, QuarterFigures, RegionalBody, RegionalSupporter
from casus.monitoring.selectors import regional_for
from tests.conftest import World

from .dataset import build

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_without_change(world: World) -> None:
    build(world)
    people = {"installation": world.installation_admin, "chair": world.chair}
    regional = load(world.cell_a, people)
    counts = (
        RegionalBody.objects.count(),
        RegionalSupporter.objects.count(),
        CellOptIn.objects.count(),
        QuarterFigures.objects.count(),
    )
    assert load(world.cell_a, people) == regional
    assert counts == (
        RegionalBody.objects.count(),
        RegionalSupporter.objects.count(),
        CellOptIn.objects.count(),
        QuarterFigures.objects.count(),
    )
    assert counts[2] == 3
    view = regional_for(actor=regional, body=RegionalBody.objects.get())
    assert view.quarters  # the region shows its ended quarters
