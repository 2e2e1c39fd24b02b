"""This app's part of the cross-cell URL classification (see tests/test_cross_cell_urls.py)."""

from django.db.models import Model

from casus.access.models import Role, User
from casus.monitoring.models import CellOptIn, RegionalBody, RegionalSupporter
from tests.conftest import World
from tests.factories import CellFactory
from tests.url_specs import CellPage, InstallationUrl, ObjectUrl, RegionalUrl, SharedUrl

C, K, I, S = Role.CHAIR, Role.COORDINATOR, Role.INFORMATION_OFFICER, Role.STRATEGIC  # noqa: E741
MONITORING = frozenset({C, K, I, S})

CLASSIFICATION: dict[str, ObjectUrl | CellPage | SharedUrl | RegionalUrl | InstallationUrl] = {
    "monitoring:dashboard": CellPage(MONITORING),
    "monitoring:export": CellPage(MONITORING),
    "monitoring:opt_in": CellPage(frozenset({C})),
    "monitoring:regional": RegionalUrl(),
    "monitoring:regional_export": RegionalUrl(),
    # One page without ids (ids travel in the POST data); the administrator's default POST
    # creates a body. Its GET is checked for everyone else in tests/monitoring/test_views.py.
    "regional_bodies:index": InstallationUrl(
        post_only=True, data={"name": "Hijacked"}, writes="REGIONAL_BODY_CREATED"
    ),
}
MARKERS: tuple[str, ...] = ()


def installation_objects(world: World, people: dict[str, User]) -> dict[str, Model]:
    """A body the regional support person works for, with cell A and two more cells in it."""
    admin = world.installation_admin
    body = RegionalBody.objects.create(name="Regional body", created_by=admin)
    RegionalSupporter.objects.create(body=body, user=people["regional"], appointed_by=admin)
    for cell in (world.cell_a, CellFactory(name="Cell R1"), CellFactory(name="Cell R2")):
        CellOptIn.objects.create(cell=cell, body=body, opted_in_by=world.chair)
    return {"regional_body": body}
