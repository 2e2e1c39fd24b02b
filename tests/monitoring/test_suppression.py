"""Small-number suppression: hand-built tables with known answers, and the attacker as oracle."""

import random
import time
from collections.abc import Hashable, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casus.monitoring.suppression import Published, Relation, audit, protect


def total(whole: Hashable, *parts: Hashable) -> Relation:
    return Relation({whole: 1, **dict.fromkeys(parts, -1)})


def withheld(published: Mapping[Hashable, Published]) -> set[Hashable]:
    return {key for key, figure in published.items() if figure.value is None}


def secondary(published: Mapping[Hashable, Published]) -> set[Hashable]:
    return {key for key, figure in published.items() if figure.mark == "x"}


def pinned(published: Mapping[Hashable, Published], relations: list[Relation]) -> set[Hashable]:
    """The withheld small figures the attacker computes exactly."""
    bounds = audit(published, relations)
    return {
        key for key, (low, high) in bounds.items() if published[key].mark == "<5" and low == high
    }


def assert_safe(
    values: Mapping[Hashable, int], relations: list[Relation], *, structural: set | None = None
) -> dict:
    """Protect, and check with the attacker: nothing small pinned (but the ``structural`` ones,
    pinned by the relations alone), and every figure shown as it is or marked as it should."""
    published = protect(values, relations)
    assert pinned(published, relations) == (structural or set())
    for key, figure in published.items():
        if figure.value is None:
            assert figure.mark == ("<5" if values[key] < 5 else "x")
        else:
            assert (figure.value, figure.mark) == (values[key], "")
            assert values[key] >= 5
    return published


def assert_each_complement_needed(
    values: Mapping[Hashable, int],
    relations: list[Relation],
    published: Mapping[Hashable, Published],
    structural: set | None = None,
) -> None:
    """Publishing any one "x" figure again exposes a small one: none is pointless."""
    for key in secondary(published):
        again = {**published, key: Published(values[key])}
        assert pinned(again, relations) - (structural or set()), key


def naive(values: Mapping[Hashable, int], hidden: set[Hashable]) -> dict[Hashable, Published]:
    """What a careless publisher would show: ``hidden`` withheld, the rest as is."""
    return {
        key: Published(None, "<5" if value < 5 else "x") if key in hidden else Published(value)
        for key, value in values.items()
    }


# -- one total --------------------------------------------------------------------------------


def test_a_small_part_of_a_total_takes_the_smallest_other_part_with_it() -> None:
    values = {"total": 51, "a": 2, "b": 9, "c": 40}
    relations = [total("total", "a", "b", "c")]
    published = assert_safe(values, relations)
    assert published["a"] == Published(None, "<5")
    assert published["b"] == Published(None, "x")
    assert published["total"] == Published(51) and published["c"] == Published(40)
    # The oracle agrees: with b only known to be at least 5, a is anything from 0 to 4.
    assert audit(published, relations) == {"a": (0, 4), "b": (7, 11)}


def test_a_small_part_alone_is_recovered_from_the_total() -> None:
    values = {"total": 51, "a": 2, "b": 9, "c": 40}
    relations = [total("total", "a", "b", "c")]
    assert audit(naive(values, {"a"}), relations) == {"a": (2, 2)}


def test_what_an_x_mark_says_is_taken_into_account() -> None:
    # a + b = 5 with b marked "x" (at least 5) gives a = 0 away: the total must go too.
    values = {"total": 5, "a": 0, "b": 5}
    relations = [total("total", "a", "b")]
    assert pinned(naive(values, {"a", "b"}), relations) == {"a"}
    published = assert_safe(values, relations)
    assert withheld(published) == {"a", "total"}  # the tie between total and b: by key


def test_zero_is_withheld_like_any_small_value() -> None:
    values = {"total": 20, "a": 0, "b": 8, "c": 12}
    published = assert_safe(values, [total("total", "a", "b", "c")])
    assert published["a"] == Published(None, "<5")
    assert secondary(published) == {"b"}


def test_a_figure_the_relations_alone_give_away_cannot_be_hidden() -> None:
    # t = a - a is 0 whatever is published; protect withholds it, as small, and adds nothing.
    values = {"a": 7, "b": 7, "t": 0}
    relations = [total("b", "a"), Relation({"t": 1, "a": -1, "b": 1})]
    published = assert_safe(values, relations, structural={"t"})
    assert withheld(published) == {"t"}


def test_everything_small_is_withheld_and_safe() -> None:
    values = {"total": 4, "a": 1, "b": 3}
    relations = [total("total", "a", "b")]
    published = assert_safe(values, relations)
    assert set(published.values()) == {Published(None, "<5")}
    assert audit(published, relations) == {"total": (0, 4), "a": (0, 4), "b": (0, 4)}


def test_nothing_small_publishes_everything() -> None:
    values = {"total": 30, "a": 10, "b": 20}
    published = protect(values, [total("total", "a", "b")])
    assert published == {"total": Published(30), "a": Published(10), "b": Published(20)}


def test_a_figure_in_no_relation_is_only_primary_suppressed() -> None:
    published = protect(
        {"alone": 3, "big": 7, "total": 9, "a": 4, "b": 5}, [total("total", "a", "b")]
    )
    assert published["alone"] == Published(None, "<5")
    assert published["big"] == Published(7)


def test_the_threshold_is_in_the_mark() -> None:
    published = protect({"total": 12, "a": 2, "b": 10}, [total("total", "a", "b")], threshold=3)
    assert published["a"] == Published(None, "<3")
    assert audit(published, [total("total", "a", "b")], threshold=3)["a"] == (0, 2)


# -- quarters x categories with year totals ---------------------------------------------------

GRID = {  # quarter: (A, B, C)
    "Q1": (2, 10, 30),
    "Q2": (12, 11, 31),
    "Q3": (20, 40, 50),
    "Q4": (25, 45, 60),
}


def grid() -> tuple[dict[Hashable, int], list[Relation]]:
    values: dict[Hashable, int] = {}
    relations = []
    for quarter, row in GRID.items():
        for category, value in zip("ABC", row, strict=True):
            values[category, quarter] = value
        values["all", quarter] = sum(row)
        relations.append(total(("all", quarter), *((c, quarter) for c in "ABC")))
    for category in [*"ABC", "all"]:
        values[category, "year"] = sum(values[category, q] for q in GRID)
        relations.append(total((category, "year"), *((category, q) for q in GRID)))
    relations.append(total(("all", "year"), *((c, "year") for c in "ABC")))
    return values, relations


def test_a_small_cell_of_a_table_with_margins_takes_the_cheapest_rectangle() -> None:
    values, relations = grid()
    published = assert_safe(values, relations)
    assert withheld(published) == {("A", "Q1"), ("B", "Q1"), ("A", "Q2"), ("B", "Q2")}
    assert_each_complement_needed(values, relations, published)
    # Row and column alone are not enough: with only the row partner, the column gives it away.
    assert pinned(naive(values, {("A", "Q1"), ("B", "Q1")}), relations) == {("A", "Q1")}


def test_two_suppressions_per_row_and_column_can_still_leak_through_the_bounds() -> None:
    # The classic rectangle passes every row and column check, yet 0 cells next to "x" cells
    # of exactly 5 cannot move: the rectangle's only freedom would push an "x" under 5.
    values: dict[Hashable, int] = {
        (1, 1): 0, (1, 2): 5, (1, 3): 20,
        (2, 1): 5, (2, 2): 0, (2, 3): 20,
    }  # fmt: skip
    relations = []
    for r in (1, 2):
        values[r, "all"] = sum(values[r, c] for c in (1, 2, 3))
        relations.append(total((r, "all"), *((r, c) for c in (1, 2, 3))))
    for c in (1, 2, 3):
        values["all", c] = values[1, c] + values[2, c]
        relations.append(total(("all", c), (1, c), (2, c)))
    rectangle = {(1, 1), (1, 2), (2, 1), (2, 2)}
    leak = naive(values, rectangle)
    for relation in relations:  # the row and column rule is satisfied ...
        assert len(withheld(leak) & set(relation.terms)) in (0, 2, 3)
    assert pinned(leak, relations) == {(1, 1), (2, 2)}  # ... and still both zeros are known
    assert_safe(values, relations)


# -- comparing periods: a stock and its flows -------------------------------------------------

OPENED = {"Q1": 8, "Q2": 7, "Q3": 9, "Q4": 6}
CLOSED = {"Q1": 6, "Q2": 2, "Q3": 10, "Q4": 7}


def stock_flow() -> tuple[dict[Hashable, int], list[Relation]]:
    values: dict[Hashable, int] = {("open", "Q0"): 20}
    relations = []
    previous = "Q0"
    for quarter in OPENED:
        values["opened", quarter], values["closed", quarter] = OPENED[quarter], CLOSED[quarter]
        values["open", quarter] = values["open", previous] + OPENED[quarter] - CLOSED[quarter]
        relations.append(
            Relation(
                {
                    ("open", quarter): 1,
                    ("open", previous): -1,
                    ("opened", quarter): -1,
                    ("closed", quarter): 1,
                }
            )
        )
        previous = quarter
    for flow in ("opened", "closed"):
        values[flow, "year"] = sum(values[flow, q] for q in OPENED)
        relations.append(total((flow, "year"), *((flow, q) for q in OPENED)))
    return values, relations


def test_a_small_flow_is_not_given_away_by_the_stocks_of_two_periods() -> None:
    values, relations = stock_flow()
    # Without the year total, the stocks of Q1 and Q2 and the cases opened in Q2 still tell.
    assert pinned(naive(values, {("closed", "Q2")}), relations[:4]) == {("closed", "Q2")}
    published = assert_safe(values, relations)
    assert published["closed", "Q2"] == Published(None, "<5")
    # One more figure cannot be in both the Q2 stock relation and the year total: two it is.
    assert len(secondary(published)) == 2


# -- determinism, validation ------------------------------------------------------------------


def test_the_result_does_not_depend_on_the_order_of_figures_or_relations() -> None:
    values, relations = grid()
    values.update(stock_flow()[0])
    relations += stock_flow()[1]
    expected = protect(values, relations)
    rng = random.Random(7)
    for _ in range(3):
        keys = list(values)
        rng.shuffle(keys)
        shuffled = rng.sample(relations, len(relations))
        assert protect({k: values[k] for k in keys}, shuffled) == expected


@pytest.mark.parametrize(
    ("values", "relations", "message"),
    [
        ({"a": -1}, [], "non-negative"),
        ({"a": 1.5}, [], "non-negative"),
        ({"a": 3}, [total("a", "b")], "unknown figure"),
        ({"t": 9, "a": 3, "b": 5}, [total("t", "a", "b")], "does not hold"),
    ],
)
def test_bad_input_is_refused(values: dict, relations: list[Relation], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        protect(values, relations)


def test_the_audit_reports_unbounded_figures_and_refuses_what_it_cannot_read() -> None:
    relations = [total("t", "a", "b")]
    bounds = audit(
        {"t": Published(None, "x"), "a": Published(None, "<5"), "b": Published(None, "x")},
        relations,
    )
    assert bounds == {"t": (5, None), "a": (0, 4), "b": (5, None)}
    alone = {"small": Published(None, "<5"), "large": Published(None, "x"), "shown": Published(9)}
    assert audit(alone, []) == {"small": (0, 4), "large": (5, None)}
    with pytest.raises(ValueError, match="mark"):
        audit({"t": Published(None, "?"), "a": Published(3), "b": Published(9)}, relations)
    with pytest.raises(ValueError, match="contradict"):
        audit({"t": Published(30), "a": Published(None, "<5"), "b": Published(9)}, relations)


# -- random tables ----------------------------------------------------------------------------


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[Hashable, int], list[Relation]]:
    """A few base counts, then totals (and stock-like differences) built on earlier figures."""
    values: dict[Hashable, int] = {
        f"v{i}": draw(st.integers(0, 14)) for i in range(draw(st.integers(1, 6)))
    }
    relations = []
    for n in range(draw(st.integers(0, 5))):
        parts = draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=4, unique=True))
        minus = draw(st.sampled_from([None, *sorted(set(values) - set(parts))]))
        value = sum(values[p] for p in parts) - (values[minus] if minus else 0)
        if value < 0:
            minus, value = None, value + values[minus]  # type: ignore[index]
        key = f"t{n}"
        values[key] = value
        terms = {key: 1, **dict.fromkeys(parts, -1)}
        if minus:
            terms[minus] = 1
        relations.append(Relation(terms))
    return values, relations


@given(tables())
def test_random_tables_are_protected(table: tuple[dict[Hashable, int], list[Relation]]) -> None:
    values, relations = table
    # Withholding everything shows what the relations alone give away (t = a - a is 0): no
    # publication can hide that, and nothing else may be pinned.
    structural = pinned(naive(values, set(values)), relations)
    published = assert_safe(values, relations, structural=structural)
    assert_each_complement_needed(values, relations, published, structural)
    for key, (low, high) in audit(published, relations).items():
        assert low <= values[key] and (high is None or values[key] <= high)


# -- a realistic table ------------------------------------------------------------------------


def realistic(years: int, mean: float, seed: int = 1) -> tuple[dict[Hashable, int], list[Relation]]:
    """Monitoring-like figures: four breakdowns with totals, a 5x2 cross-table with margins,
    flows and a stock per quarter; every flow summed per year."""
    rng = random.Random(seed)
    values: dict[Hashable, int] = {}
    relations: list[Relation] = []

    def count(scale: float) -> int:
        return sum(rng.random() < 1 / 3 for _ in range(round(3 * mean * scale)))

    quarters = [f"{y}Q{q}" for y in range(2020, 2020 + years) for q in range(1, 5)]
    stock = ("open", "", "start")
    values[stock] = 10
    for period in quarters:
        for figure, size in {"signals": 8, "screenings": 4, "closures": 6, "sheets": 3}.items():
            parts = [(figure, f"c{i}", period) for i in range(size)]
            values.update({part: count(rng.uniform(0.2, 1.5)) for part in parts})
            values[figure, "all", period] = sum(values[p] for p in parts)
            relations.append(total((figure, "all", period), *parts))
        cells = {(o, a): count(0.5) for o in range(5) for a in ("minor", "adult")}
        values.update({("cross", f"{o}-{a}", period): v for (o, a), v in cells.items()})
        for o in [*range(5), "all"]:
            row = [("cross", f"{o}-{a}", period) for a in ("minor", "adult")]
            if o == "all":
                row = [("cross", f"all-{a}", period) for a in ("minor", "adult")]
            else:
                values["cross", f"{o}-all", period] = sum(values[c] for c in row)
            relations.append(total(("cross", f"{o}-all", period), *row))
        for a in ("minor", "adult"):
            column = [("cross", f"{o}-{a}", period) for o in range(5)]
            values["cross", f"all-{a}", period] = sum(values[c] for c in column)
            relations.append(total(("cross", f"all-{a}", period), *column))
        values["cross", "all-all", period] = sum(cells.values())
        flows = {flow: count(1) for flow in ("opened", "reopened", "closed")}
        flows["closed"] = min(flows["closed"], values[stock] + flows["opened"] + flows["reopened"])
        values.update({(flow, "", period): v for flow, v in flows.items()})
        values["open", "", period] = (
            values[stock] + flows["opened"] + flows["reopened"] - flows["closed"]
        )
        terms = {("open", "", period): 1, stock: -1, ("closed", "", period): 1}
        relations.append(
            Relation({**terms, ("opened", "", period): -1, ("reopened", "", period): -1})
        )
        stock = ("open", "", period)
    for year in range(2020, 2020 + years):
        of_year = [f"{year}Q{q}" for q in range(1, 5)]
        for figure, breakdown in sorted(
            {k[:2] for k in values if k[0] != "open" and k[2] in of_year}
        ):
            values[figure, breakdown, str(year)] = sum(
                values[figure, breakdown, q] for q in of_year
            )
            relations.append(
                total((figure, breakdown, str(year)), *((figure, breakdown, q) for q in of_year))
            )
        values["open", "", str(year)] = values["open", "", of_year[-1]]
        relations.append(total(("open", "", str(year)), ("open", "", of_year[-1])))
    return values, relations


def test_a_realistic_table_is_protected() -> None:
    values, relations = realistic(years=2, mean=3)
    assert_safe(values, relations)


def benchmark(years: int = 10, means: tuple[float, ...] = (1, 2, 4, 8)) -> None:
    """Print the time ``protect`` takes on ten years of quarters from scratch, and for the
    version that adds the last quarter (and year) to the version before it (ADR 0028)."""
    for mean in means:
        values, relations = realistic(years, mean)
        started = time.process_time(), time.perf_counter()
        published = protect(values, relations)
        cpu, wall = time.process_time() - started[0], time.perf_counter() - started[1]
        print(
            f"mean {mean}: {len(values)} figures, {len(relations)} relations, "
            f"{sum(v < 5 for v in values.values())} small, {len(secondary(published))} 'x': "
            f"{cpu:.1f} s CPU, {wall:.1f} s wall from scratch"
        )
        # The version before: everything but the last quarter and its (now complete) year.
        last = (str(2019 + years), f"{2019 + years}Q4")
        earlier = {k: v for k, v in values.items() if k[-1] not in last}
        kept = [r for r in relations if not any(k[-1] in last for k in r.terms)]
        previous = protect(earlier, kept)
        started = time.process_time(), time.perf_counter()
        published = protect(values, relations, previous=previous)
        cpu, wall = time.process_time() - started[0], time.perf_counter() - started[1]
        print(
            f"  + {len(values) - len(earlier)} new figures: "
            f"{len(secondary(published)) - len(secondary(previous))} new 'x': "
            f"{cpu:.1f} s CPU, {wall:.1f} s wall keeping the version before"
        )
