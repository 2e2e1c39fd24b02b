import pytest

from casus.access.models import Cell
from casus.demo.monitoring import EXTRA_CELLS, load
from casus.monitoring import services
from casus.monitoring.catalog import COUNT_KEYS, SUMS
from casus.monitoring.models import CellOptIn, QuarterFigures, RegionalBody, RegionalSupporter
from casus.monitoring.publication import stock_identity_holds
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
    assert view.quarters  # the region shows its ended quarters ...
    assert set(view.cells.values()) == {3}  # ... each over three contributing cells


def test_the_synthetic_cells_have_a_small_consistent_history(world: World) -> None:
    build(world)
    load(world.cell_a, {"installation": world.installation_admin, "chair": world.chair})
    for name in EXTRA_CELLS:
        cell = Cell.objects.get(name=name)
        quarters = services.quarters_freeze(cell=cell)
        assert quarters
        for quarter, figures in sorted(quarters.items()):
            counts = figures["counts"]
            assert set(counts) == COUNT_KEYS
            assert all(counts[total] == sum(counts[p] for p in parts) for total, parts in SUMS)
            assert counts["signals.received"] >= 1  # it contributes from its first quarter
            previous = quarters.get(quarter.previous())
            if previous is not None:
                assert stock_identity_holds(previous, figures)
