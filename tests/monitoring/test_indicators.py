"""Every indicator against the hand-built dataset of ``dataset.py``."""

import pytest

from casus.monitoring.indicators import figures_for
from casus.monitoring.periods import Period, Quarter
from casus.monitoring.publication import stock_identity_holds
from tests.conftest import World

from .dataset import EXPECTED, EXPECTED_DURATIONS, build

pytestmark = pytest.mark.django_db

QUARTERS = {"2025Q1": Quarter(2025, 1), "2025Q2": Quarter(2025, 2)}


@pytest.mark.parametrize("key", sorted(QUARTERS))
def test_every_count_has_its_known_answer(world: World, key: str) -> None:
    build(world)
    figures = figures_for(world.cell_a.pk, QUARTERS[key].period)
    expected = EXPECTED[key]
    wrong = {
        name: (value, expected.get(name, 0))
        for name, value in figures["counts"].items()
        if value != expected.get(name, 0)
    }
    assert wrong == {}
    assert set(expected) <= set(figures["counts"])
    assert figures["durations"] == EXPECTED_DURATIONS[key]


def test_a_period_of_both_quarters_adds_the_flows(world: World) -> None:
    build(world)
    counts = figures_for(
        world.cell_a.pk, Period(Quarter(2025, 1).first_day, Quarter(2025, 2).last_day)
    )["counts"]
    q1, q2 = EXPECTED["2025Q1"], EXPECTED["2025Q2"]
    for name in (
        "signals.received",
        "signals.screened",
        "cases.opened",
        "cases.closed",
        "feedback.proposed",
    ):
        assert counts[name] == q1[name] + q2[name], name
    assert counts["cases.open_end"] == q2["cases.open_end"]


def test_an_exact_period_counts_destroyed_records_only_of_whole_quarters(world: World) -> None:
    build(world)
    january = figures_for(
        world.cell_a.pk,
        Period(Quarter(2025, 1).first_day, Quarter(2025, 1).first_day.replace(day=31)),
    )
    assert january["counts"]["signals.received.destroyed"] == 0
    assert january["counts"]["signals.received"] == 1  # s1 only


def test_the_stock_identity_holds_on_the_data(world: World) -> None:
    build(world)
    q1 = figures_for(world.cell_a.pk, Quarter(2025, 1).period)
    q2 = figures_for(world.cell_a.pk, Quarter(2025, 2).period)
    q4 = figures_for(world.cell_a.pk, Quarter(2024, 4).period)
    assert stock_identity_holds(q4, q1)
    assert stock_identity_holds(q1, q2)


def test_category_totals_hold_on_the_data(world: World) -> None:
    from casus.monitoring.catalog import SUMS

    build(world)
    for quarter in QUARTERS.values():
        counts = figures_for(world.cell_a.pk, quarter.period)["counts"]
        for total, parts in SUMS:
            assert counts[total] == sum(counts[p] for p in parts), total
