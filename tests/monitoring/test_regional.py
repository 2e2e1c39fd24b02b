"""Regional support: the opted-in cells' quarters, summed, at least 3 cells, suppressed."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from casus.access.models import Cell, Membership, Role
from casus.audit.models import AuditEvent
from casus.core.exceptions import Forbidden, RuleViolation
from casus.monitoring import services
from casus.monitoring.models import CellOptIn, PublishedTable, RegionalBody, RegionalSupporter
from casus.monitoring.periods import Quarter
from casus.monitoring.publication import values_and_relations
from casus.monitoring.selectors import regional_for
from tests.cases.factories import CaseFactory, SignalFactory
from tests.conftest import World, mark_reauthenticated, ready_client
from tests.factories import CellFactory, MembershipFactory, UserFactory

from .dataset import at, build
from .helpers import recoverable, shown

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:regional")


def _cell(name: str, signals: int) -> Cell:
    cell = CellFactory(name=name)
    Cell.objects.filter(pk=cell.pk).update(created_at=at("2025-01-01", "08:00"))
    cell.refresh_from_db()
    reporter = UserFactory()
    MembershipFactory(user=reporter, cell=cell, role=Role.MEMBER)
    for n in range(signals):
        SignalFactory(
            cell=cell, reported_by=reporter, received_at=at("2025-02-10"), reference=f"R-{name}-{n}"
        )
    return cell


def _opt_in(cell: Cell, body: RegionalBody, when: str, by) -> None:  # type: ignore[no-untyped-def]
    CellOptIn.objects.create(cell=cell, body=body, opted_in_by=by, opted_in_at=at(when))


@pytest.fixture
def region(world: World):  # type: ignore[no-untyped-def]
    build(world)
    supporter = UserFactory(full_name="Regional supporter", is_regional_support=True)
    body = RegionalBody.objects.create(name="Streekvereniging", created_by=world.installation_admin)
    RegionalSupporter.objects.create(
        body=body, user=supporter, appointed_by=world.installation_admin
    )
    cells = {
        "x": _cell("Cell X", 6),
        "y": _cell("Cell Y", 2),
        "late": _cell("Cell L", 3),
        "out": _cell("Cell O", 7),
    }
    _opt_in(world.cell_a, body, "2025-01-02", world.chair)
    _opt_in(cells["x"], body, "2025-01-02", world.chair)
    _opt_in(cells["y"], body, "2025-01-02", world.chair)
    _opt_in(cells["late"], body, "2025-05-01", world.chair)  # joins during Q2
    return world, body, supporter, cells


def test_a_quarter_sums_the_cells_opted_in_at_its_end(region) -> None:  # type: ignore[no-untyped-def]
    world, body, supporter, _cells = region
    view = regional_for(actor=supporter, body=body)
    q1, q2 = view.quarters[Quarter(2025, 1)], view.quarters[Quarter(2025, 2)]
    # Cell A (4) + X (6) + Y (2); the late cell joined in Q2 (its Q1 signals never count);
    # the cell that never opted in never counts.
    assert q1["counts"]["signals.received"] == 4 + 6 + 2
    assert view.cells[Quarter(2025, 1)] == 3
    assert q2["counts"]["signals.received"] == 3  # cell A's Q2 signals; the others had none
    assert view.cells[Quarter(2025, 2)] == 4


def test_a_cell_joining_later_does_not_change_past_quarters(region) -> None:  # type: ignore[no-untyped-def]
    world, body, supporter, cells = region
    before = regional_for(actor=supporter, body=body).quarters[Quarter(2025, 1)]
    _opt_in(cells["out"], body, "2025-11-01", world.chair)
    after = regional_for(actor=supporter, body=body).quarters[Quarter(2025, 1)]
    assert after == before


def test_fewer_than_three_cells_show_nothing_but_a_note(region) -> None:  # type: ignore[no-untyped-def]
    world, _body, supporter, _cells = region
    other = RegionalBody.objects.create(name="Small", created_by=world.installation_admin)
    RegionalSupporter.objects.create(
        body=other, user=supporter, appointed_by=world.installation_admin
    )
    _opt_in(_cell("Cell S1", 2), other, "2025-01-02", world.chair)
    _opt_in(_cell("Cell S2", 1), other, "2025-01-02", world.chair)
    assert regional_for(actor=supporter, body=other).quarters == {}
    client = mark_reauthenticated(ready_client(supporter), supporter)
    response = client.get(URL, {"body": other.pk})
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "Nothing to show" in response.content.decode()


def test_cells_without_any_signal_or_case_do_not_count_towards_the_minimum(region) -> None:  # type: ignore[no-untyped-def]
    """Failed before the fix: two empty cells made up the three cells of the minimum."""
    world, _body, supporter, _cells = region
    other = RegionalBody.objects.create(name="Padded", created_by=world.installation_admin)
    RegionalSupporter.objects.create(
        body=other, user=supporter, appointed_by=world.installation_admin
    )
    late = _cell("Cell E1", 0)
    for cell in (_cell("Cell P", 1), _cell("Cell Q", 2), late, _cell("Cell E2", 0)):
        _opt_in(cell, other, "2025-01-02", world.chair)
    # Cell E1 receives its first signal in Q2: from then on it contributes (for good).
    reporter = Membership.objects.filter(cell=late).first().user  # type: ignore[union-attr]
    SignalFactory(cell=late, reported_by=reporter, received_at=at("2025-05-10"), reference="L1")
    view = regional_for(actor=supporter, body=other)
    assert Quarter(2025, 1) not in view.quarters  # P and Q only: E1 and E2 are empty
    assert view.cells[Quarter(2025, 2)] == 3  # P, Q and E1; E2 never counts
    assert view.cells[max(view.quarters)] == 3
    assert view.quarters[Quarter(2025, 2)]["counts"]["signals.received"] == 1


def test_a_region_publishes_no_open_stock(region) -> None:  # type: ignore[no-untyped-def]
    """Failed before the fix: a cell joining in Q2 with open cases made open_end(Q2) −
    open_end(Q1) − opened(Q2) − reopened(Q2) + closed(Q2) equal its open cases."""
    world, body, supporter, cells = region
    for day in ("2025-01-20", "2025-02-20"):  # the late cell holds two open cases when joining
        CaseFactory(cell=cells["late"], opened_by=world.chair, opened_at=at(day))
    view = regional_for(actor=supporter, body=body)
    assert not any(key.startswith("cases.open_end") for key in view.published)
    assert all("cases.open_end" not in f["counts"] for f in view.quarters.values())
    values, relations = values_and_relations(view.quarters)
    assert not any(any(str(k).startswith("cases.open_end") for k in r.terms) for r in relations)
    client = mark_reauthenticated(ready_client(supporter), supporter)
    table = client.get(URL, {"body": body.pk, "year": 2025}).context["table"]
    row = next(r for s in table.sections for r in s.rows if r.key == "cases.open_end")
    assert {c.text for c in row.cells} == {"—"}


def test_the_regional_structure_rows_are_totals_over_the_cells(region) -> None:  # type: ignore[no-untyped-def]
    """Failed before the fix: the charter version was summed and "charter active" was a
    yes/no of a count."""
    _world, body, supporter, _cells = region
    client = mark_reauthenticated(ready_client(supporter), supporter)
    table = client.get(URL, {"body": body.pk, "year": 2025}).context["table"]
    rows = {r.key: r for s in table.sections for r in s.rows}
    assert "structure.charter_version" not in rows
    charter = rows["structure.charter_active"]
    assert "Cells with an active charter" in charter.label
    assert charter.cells[0].value == 1  # only cell A has a charter (adopted 15 February)
    assert "total over the cells" in rows["structure.members"].label
    assert "total over the cells" in rows["structure.meetings"].label
    view = regional_for(actor=supporter, body=body)
    members = view.quarters[Quarter(2025, 1)]["counts"]["structure.members"]
    assert rows["structure.members"].cells[0].value == members


def test_nothing_under_5_can_be_recovered_from_the_regional_views(region) -> None:  # type: ignore[no-untyped-def]
    _world, body, supporter, _cells = region
    view = regional_for(actor=supporter, body=body)
    values, relations = values_and_relations(view.quarters)
    client = mark_reauthenticated(ready_client(supporter), supporter)
    seen: dict = {}
    for year in view.years:
        response = client.get(URL, {"body": body.pk, "year": year})
        assert response.status_code == 200
        seen |= shown(response.context["table"])
    assert set(seen) == set(values)
    assert recoverable(seen, relations, values) == {}


def test_only_supporters_of_the_body_see_it(region) -> None:  # type: ignore[no-untyped-def]
    world, body, supporter, _cells = region
    other_supporter = UserFactory(is_regional_support=True)
    with pytest.raises(Forbidden):
        regional_for(actor=other_supporter, body=body)
    client = mark_reauthenticated(ready_client(other_supporter), other_supporter)
    assert client.get(URL, {"body": body.pk}).status_code == 404
    assert client.get(URL, {"body": "nonsense"}).status_code == 404
    client = mark_reauthenticated(ready_client(supporter), supporter)
    assert client.get(URL, {"body": body.pk + 1000}).status_code == 404
    export = client.get(reverse("monitoring:regional_export"), {"body": body.pk, "format": "xlsx"})
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="REGIONAL_EXPORTED").count() == 1
    assert Client().get(URL).status_code == 302


# --- The chair's opt-in -----------------------------------------------------------------------


def test_the_chair_opts_in_and_out_audited(world: World) -> None:
    body = RegionalBody.objects.create(name="Body", created_by=world.installation_admin)
    opt_in = services.cell_opt_in(actor=world.chair, cell=world.cell_a, body=body)
    event = AuditEvent.objects.get(action="MONITORING_REGIONAL_OPTED_IN")
    assert (event.cell_id, event.actor_id, event.data["body"]) == (
        world.cell_a.pk,
        world.chair.pk,
        body.pk,
    )
    with pytest.raises(RuleViolation):
        services.cell_opt_in(actor=world.chair, cell=world.cell_a, body=body)
    services.cell_opt_out(actor=world.chair, cell=world.cell_a, body=body)
    opt_in.refresh_from_db()
    assert opt_in.opted_out_at is not None and opt_in.opted_out_by == world.chair
    assert AuditEvent.objects.filter(action="MONITORING_REGIONAL_OPTED_OUT").count() == 1
    with pytest.raises(RuleViolation):
        services.cell_opt_out(actor=world.chair, cell=world.cell_a, body=body)
    services.cell_opt_in(actor=world.chair, cell=world.cell_a, body=body)
    assert CellOptIn.objects.filter(cell=world.cell_a, body=body).count() == 2  # history kept


def test_a_cell_counts_in_one_body_at_a_time(world: World) -> None:
    """Failed before the fix: with Body2 = {A, B, C, D} and Body1 = {A, B, C}, a supporter of
    both reads cell D's exact figures as the difference of the two totals."""
    first = RegionalBody.objects.create(name="Body 1", created_by=world.installation_admin)
    second = RegionalBody.objects.create(name="Body 2", created_by=world.installation_admin)
    services.cell_opt_in(actor=world.chair, cell=world.cell_a, body=first)
    with translation.override("en"), pytest.raises(RuleViolation, match="one body at a time"):
        services.cell_opt_in(actor=world.chair, cell=world.cell_a, body=second)
    assert not CellOptIn.objects.filter(body=second).exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        CellOptIn.objects.create(cell=world.cell_a, body=second, opted_in_by=world.chair)
    # Moving: stop in the first body, then take part in the second.
    services.cell_opt_out(actor=world.chair, cell=world.cell_a, body=first)
    services.cell_opt_in(actor=world.chair, cell=world.cell_a, body=second)
    page = ready_client(world.chair).get(reverse("monitoring:opt_in")).content.decode()
    assert "one body at a time" in page
    assert "The cell takes part in another body." in page


def test_bodies_never_count_a_cell_in_the_same_quarter(region) -> None:  # type: ignore[no-untyped-def]
    world, body, supporter, cells = region
    other = RegionalBody.objects.create(name="Next", created_by=world.installation_admin)
    RegionalSupporter.objects.create(
        body=other, user=supporter, appointed_by=world.installation_admin
    )
    # Moved on 1 July at midnight, the instant Q2 ends (the earliest a move can take effect).
    moved = Quarter(2025, 2).period.end
    CellOptIn.objects.filter(cell=cells["x"], body=body).update(opted_out_at=moved)
    CellOptIn.objects.create(
        cell=cells["x"], body=other, opted_in_by=world.chair, opted_in_at=moved
    )
    assert cells["x"].pk in services.opted_in_at(body, Quarter(2025, 2))
    assert cells["x"].pk in services.opted_in_at(other, Quarter(2025, 3))
    for quarter in regional_for(actor=supporter, body=body).quarters:
        assert not set(services.opted_in_at(body, quarter)) & set(
            services.opted_in_at(other, quarter)
        )


@pytest.mark.parametrize("role", ["coordinator", "information_officer", "strategic", "cell_admin"])
def test_only_the_chair_opts_in(world: World, role: str) -> None:
    body = RegionalBody.objects.create(name="Body", created_by=world.installation_admin)
    with pytest.raises(Forbidden):
        services.cell_opt_in(actor=getattr(world, role), cell=world.cell_a, body=body)
    with pytest.raises(Forbidden):
        services.cell_opt_in(actor=world.member_b, cell=world.cell_a, body=body)
    assert not AuditEvent.objects.filter(action__startswith="MONITORING_REGIONAL").exists()


def test_the_opt_in_page_says_what_the_body_sees_and_acts(world: World) -> None:
    body = RegionalBody.objects.create(name="Body", created_by=world.installation_admin)
    client = ready_client(world.chair)
    page = client.get(reverse("monitoring:opt_in")).content.decode()
    assert "never the cell" in page and "at least 3 cells" in page
    response = client.post(reverse("monitoring:opt_in"), {"body": body.pk, "decision": "in"})
    assert response.status_code == 302
    assert CellOptIn.objects.filter(cell=world.cell_a, body=body, opted_out_at=None).exists()
    response = client.post(reverse("monitoring:opt_in"), {"body": body.pk, "decision": "in"})
    assert response.status_code == 400
    assert "already takes part" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "linked"),
    [("chair", True), ("coordinator", False), ("information_officer", False), ("strategic", False)],
)
def test_the_dashboard_links_the_opt_in_page_for_the_chair_alone(
    world: World, role: str, linked: bool
) -> None:
    page = ready_client(getattr(world, role)).get(reverse("monitoring:dashboard"))
    assert page.status_code == 200
    assert (f'href="{reverse("monitoring:opt_in")}"' in page.content.decode()) is linked


def test_the_freeze_job_builds_the_regional_table(region) -> None:  # type: ignore[no-untyped-def]
    _world, body, supporter, _cells = region
    services.monitoring_freeze_all()
    stored = PublishedTable.objects.get(body=body)
    assert regional_for(actor=supporter, body=body).published == stored.published
    assert PublishedTable.objects.filter(body=body).count() == 1
