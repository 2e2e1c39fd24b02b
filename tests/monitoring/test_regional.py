"""Regional support: the opted-in cells' quarters, summed, at least 3 cells, suppressed."""

import pytest
from django.test import Client
from django.urls import reverse

from casus.access.models import Cell, Role
from casus.audit.models import AuditEvent
from casus.core.exceptions import Forbidden, RuleViolation
from casus.monitoring import services
from casus.monitoring.models import CellOptIn, RegionalBody, RegionalSupporter
from casus.monitoring.periods import Quarter
from casus.monitoring.publication import values_and_relations
from casus.monitoring.selectors import regional_for
from tests.cases.factories import SignalFactory
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
    world, body, supporter, cells = region
    other = RegionalBody.objects.create(name="Small", created_by=world.installation_admin)
    RegionalSupporter.objects.create(
        body=other, user=supporter, appointed_by=world.installation_admin
    )
    _opt_in(world.cell_a, other, "2025-01-02", world.chair)
    _opt_in(cells["x"], other, "2025-01-02", world.chair)
    assert regional_for(actor=supporter, body=other).quarters == {}
    client = mark_reauthenticated(ready_client(supporter), supporter)
    response = client.get(URL, {"body": other.pk})
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "Nothing to show" in response.content.decode()


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
