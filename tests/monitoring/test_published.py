"""The published view: ended quarters only, suppressed, the same in the page and the exports."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from casus.audit.models import AuditEvent
from casus.monitoring.catalog import COUNT_KEYS, DURATION_KEYS, normalised
from casus.monitoring.indicators import empty, figures_for
from casus.monitoring.models import PublishedTable, QuarterFigures
from casus.monitoring.periods import Quarter, last_ended_quarter
from casus.monitoring.presentation import published_table
from casus.monitoring.publication import values_and_relations
from casus.monitoring.selectors import published_for
from tests.conftest import World, ready_client

from .dataset import build
from .helpers import column_key, page_cells, recoverable, shown

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:dashboard")
EXPORT = reverse("monitoring:export")


@pytest.fixture
def history(world: World) -> World:
    build(world)
    return world


def _year_pages(client, years):  # type: ignore[no-untyped-def]
    return {year: client.get(URL, {"view": "published", "year": year}) for year in years}


def test_nothing_under_5_can_be_recovered_from_all_year_views_together(history: World) -> None:
    view = published_for(actor=history.strategic, cell=history.cell_a)
    values, relations = values_and_relations(view.quarters)
    client = ready_client(history.strategic)
    seen: dict = {}
    for year, response in _year_pages(client, view.years).items():
        assert response.status_code == 200, year
        table = response.context["table"]
        seen |= shown(table)
        # The page shows what the context holds.
        rows = [row for section in table.sections for row in section.rows]
        assert page_cells(response.content.decode()) == [
            [c.text for c in row.cells] for row in rows
        ]
    assert set(seen) == set(values)  # every figure of the table is on some year view
    assert any(p.value is None for p in seen.values())  # the dataset does need suppression
    assert recoverable(seen, relations, values) == {}
    for key, published in seen.items():
        if published.value is not None:
            assert published.value == values[key]
        elif published.mark == "<5":
            assert values[key] < 5
        else:
            assert published.mark == "x" and values[key] >= 5


def test_the_running_quarter_never_appears(history: World) -> None:
    view = published_for(actor=history.strategic, cell=history.cell_a)
    running = last_ended_quarter().next()
    assert running not in view.quarters
    assert max(view.quarters) == last_ended_quarter()
    assert not any(key.endswith(f"@{running.key}") for key in view.published)
    assert not any(key.endswith(f"@{running.year}") for key in view.published)  # incomplete year
    client = ready_client(history.strategic)
    response = client.get(URL, {"year": running.year})
    assert f"Q{running.quarter} {running.year}" not in response.context["table"].columns


def test_the_table_is_protected_once_and_reused(history: World) -> None:
    published_for(actor=history.strategic, cell=history.cell_a)
    published_for(actor=history.coordinator, cell=history.cell_a)
    assert PublishedTable.objects.filter(cell=history.cell_a).count() == 1
    assert AuditEvent.objects.filter(action="MONITORING_TABLE_PROTECTED").count() == 1


def test_the_strategic_member_gets_404_for_exact_figures(history: World) -> None:
    client = ready_client(history.strategic)
    for query in (
        {"view": "exact"},
        {"first": "2025-01-01", "last": "2025-03-31"},
        {"pick": "last_quarter"},
    ):
        assert client.get(URL, query).status_code == 404, query
        assert client.get(EXPORT, {**query, "format": "csv"}).status_code == 404, query
    response = client.get(URL)
    assert response.context["view"] == "published"
    assert "Exact figures" not in response.content.decode()


@pytest.mark.parametrize("role", ["chair", "coordinator", "information_officer"])
def test_chair_coordinator_and_officer_see_exact_figures_and_may_switch(
    history: World, role: str
) -> None:
    client = ready_client(getattr(history, role))
    response = client.get(URL, {"first": "2025-01-01", "last": "2025-03-31"})
    assert response.context["view"] == "exact"
    rows = {row.key: row for s in response.context["table"].sections for row in s.rows}
    assert rows["signals.received"].cells[0].value == 4
    assert rows["signals.received.destroyed"].cells[0].value == 1
    assert client.get(URL, {"view": "published"}).context["view"] == "published"


def test_a_wrong_period_is_a_form_error(history: World) -> None:
    client = ready_client(history.coordinator)
    response = client.get(URL, {"first": "2025-03-31", "last": "2025-01-01"})
    assert response.status_code == 400
    assert "The period must start before it ends." in response.content.decode()
    export = client.get(EXPORT, {"first": "2025-03-31", "last": "2025-01-01", "format": "csv"})
    assert export.status_code == 302


def _compare_exports(client, query, table) -> None:  # type: ignore[no-untyped-def]
    expected = [table.export_header, *table.export_rows()]
    xlsx = client.get(EXPORT, {**query, "format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1:] == expected
    response = client.get(EXPORT, {**query, "format": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[1:] == [[str(v) for v in row] for row in expected]
    return rows


def test_exports_hold_the_numbers_of_the_page(history: World) -> None:
    # Exact view of the coordinator.
    coordinator = ready_client(history.coordinator)
    query = {"first": "2025-01-01", "last": "2025-06-30"}
    table = coordinator.get(URL, query).context["table"]
    rows = _compare_exports(coordinator, query, table)
    assert "Cell A" in rows[0][0]
    # Published view of the strategic member, year 2025: markers as text.
    strategic = ready_client(history.strategic)
    query = {"view": "published", "year": "2025"}
    response = strategic.get(URL, query)
    table = response.context["table"]
    rows = _compare_exports(strategic, query, table)
    page = page_cells(response.content.decode())
    assert [[str(v) for v in row[2:]] for row in rows[2:]] == page
    texts = {str(v) for row in rows[2:] for v in row[2:]}
    assert "<5" in texts
    assert [column_key(c) for c in table.columns] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2025",
    ]
    exports = AuditEvent.objects.filter(action="MONITORING_EXPORTED", cell=history.cell_a)
    assert exports.count() == 4
    assert {e.data["view"] for e in exports} == {"exact", "published"}


def test_frozen_quarters_do_not_move_when_records_change_later(history: World) -> None:
    from casus.monitoring.services import monitoring_freeze_all

    assert monitoring_freeze_all() > 0
    assert monitoring_freeze_all() == 0  # idempotent
    frozen = QuarterFigures.objects.get(cell=history.cell_a, year=2025, quarter=1)
    from tests.cases.factories import SignalFactory

    from .dataset import at

    SignalFactory(cell=history.cell_a, reported_by=history.partner1, received_at=at("2025-02-02"))
    monitoring_freeze_all()
    assert QuarterFigures.objects.filter(cell=history.cell_a, year=2025, quarter=1).count() == 1
    frozen.refresh_from_db()
    assert frozen.figures["counts"]["signals.received"] == 4
    first = Quarter.of(history.cell_a.created_at.date())
    assert QuarterFigures.objects.filter(cell=history.cell_a).count() == len(
        list(_quarters(first, last_ended_quarter()))
    )
    assert (
        AuditEvent.objects.filter(action="MONITORING_QUARTER_FROZEN", cell=history.cell_a).count()
        == QuarterFigures.objects.filter(cell=history.cell_a).count()
    )


def _quarters(first: Quarter, last: Quarter) -> list[Quarter]:
    from casus.monitoring.periods import quarters_between

    return quarters_between(first, last)


# --- Year medians, catalog changes, failures, the freeze job --------------------------------


def _year(durations: dict[int, list[int]]) -> list[str]:
    quarters = {Quarter(2025, n): normalised(empty()) for n in range(1, 5)}
    for n, values in durations.items():
        quarters[Quarter(2025, n)]["durations"]["case_days"] = values
    table = published_table(quarters, {}, 2025)
    row = next(r for s in table.sections for r in s.rows if r.key == "case_days")
    return [c.text for c in row.cells]


def test_a_year_median_needs_5_values_in_every_quarter_that_has_any() -> None:
    """Failed before the fix: Q1 [10..50] (median 30) and Q2 [35] gave a year median of 32.5,
    from which Q2's single duration follows (35)."""
    assert _year({1: [10, 20, 30, 40, 50], 2: [35]}) == ["30", "—", "—", "—", "—"]
    assert _year({1: [10, 20, 30, 40, 50], 2: [31, 32, 33, 34, 35]}) == [
        "30",
        "33",
        "—",
        "—",
        "32.5",  # the ten values: (32 + 33) / 2
    ]
    assert _year({}) == ["—"] * 5


def test_the_catalog_keys_are_those_of_the_indicators(history: World) -> None:
    figures = figures_for(history.cell_a.pk, Quarter(2025, 1).period)
    assert set(figures["counts"]) == COUNT_KEYS
    assert set(figures["durations"]) == DURATION_KEYS
    assert normalised(figures) == figures


def test_frozen_figures_lack_a_category_added_later(history: World) -> None:
    """Failed before the fix (KeyError / ValueError, a 500 on every published page): a quarter
    frozen before a sector, an outcome and a closure reason existed."""
    figures = figures_for(history.cell_a.pk, Quarter(2025, 1).period)
    for key in ("structure.members.youth", "signals.received.health", "cases.closed.moved"):
        assert figures["counts"].pop(key) == 0  # none could be counted before it existed
    QuarterFigures.objects.create(cell=history.cell_a, year=2025, quarter=1, figures=figures)
    response = ready_client(history.strategic).get(URL, {"view": "published", "year": 2025})
    assert response.status_code == 200
    rows = {r.key: r for s in response.context["table"].sections for r in s.rows}
    assert rows["structure.members.youth"].cells[0].text == "0"
    assert rows["cases.closed.moved"].cells[0].text in ("<5", "0")


def test_a_table_that_cannot_be_protected_is_withheld_not_a_500(
    history: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Failed before the fix: the ProtectionError went up to the page (a 500, for good)."""
    from casus.monitoring import services
    from casus.monitoring.suppression import ProtectionError

    def refuse(quarters, previous):  # type: ignore[no-untyped-def]
        raise ProtectionError(["cases.opened@2025Q1"])

    monkeypatch.setattr(services, "protect_table", refuse)
    with caplog.at_level("ERROR", logger="casus.monitoring.services"):
        response = ready_client(history.strategic).get(URL, {"view": "published", "year": 2025})
    assert response.status_code == 200
    assert not PublishedTable.objects.exists()  # tried again next time
    event = AuditEvent.objects.get(action="MONITORING_TABLE_FAILED")
    assert event.data["through"] == last_ended_quarter().key
    assert "could not be protected" in caplog.text
    assert "cases." not in caplog.text  # no figure named, no value
    table = response.context["table"]
    assert table.withheld
    counts = [c for r in table.sections[1].rows if "/" not in r.key for c in r.cells]
    assert {c.text for c in counts} == {"—"}
    assert "could not be protected automatically" in response.content.decode()


def test_the_freeze_job_builds_the_published_tables(history: World) -> None:
    from casus.monitoring.services import monitoring_freeze_all

    monitoring_freeze_all()
    stored = PublishedTable.objects.get(cell=history.cell_a)
    assert stored.through == last_ended_quarter().key
    view = published_for(actor=history.strategic, cell=history.cell_a)  # reads it
    assert view.published == stored.published
    assert PublishedTable.objects.filter(cell=history.cell_a).count() == 1
