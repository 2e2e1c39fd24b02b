"""Every indicator against the hand-built dataset of ``dataset.py``."""

import datetime as dt

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


def test_a_period_ending_mid_quarter_attributes_destroyed_cases_consistently(
    world: World,
) -> None:
    """Failed before the fix: the destroyed case of Q2 (closed 10 June) was left out of the
    openings of a period ending 15 June but its closure was subtracted: 1 open instead of 2
    (and a negative stock for a cell with nothing else)."""
    build(world)
    cell = world.cell_a.pk
    spring = Period(dt.date(2025, 4, 1), dt.date(2025, 6, 15))
    counts = figures_for(cell, spring)["counts"]
    # The destroyed case counts as opened on 1 April (its quarter's first day), closed 10 June;
    # c2 (opened 15 May) and c1 (reopened 2 June, closed again 20 June) are open on 15 June.
    assert counts["cases.opened"] == 2  # c2, the destroyed case
    assert counts["cases.closed"] == 1  # the destroyed case
    assert counts["cases.reopened"] == 1  # c1
    assert counts["cases.open_end"] == 2
    q1 = figures_for(cell, Quarter(2025, 1).period)["counts"]
    assert counts["cases.open_end"] == (
        q1["cases.open_end"]
        + counts["cases.opened"]
        + counts["cases.reopened"]
        - counts["cases.closed"]
    )
    # Around the destroyed case's closure (10 June): open until then, never negative.
    for day, open_end in ((9, 3), (10, 2), (11, 2)):
        one = figures_for(cell, Period(dt.date(2025, 6, day), dt.date(2025, 6, day)))["counts"]
        assert one["cases.open_end"] == open_end, day
    # Whole quarters are unchanged: the destroyed case belongs to Q2.
    assert figures_for(cell, Quarter(2025, 2).period)["counts"]["cases.opened"] == 2
