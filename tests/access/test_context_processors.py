"""Role-based navigation: the context processor asks the permission engine; templates only
render what it returns."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from casus.access.context_processors import navigation
from casus.access.models import Role
from tests.conftest import World, ready_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SETUP, APPROVALS, AUDIT, INSTALLATION = "/setup/", "/approvals/", "/audit/", "/installation/"
SIGNALS, CASES, NOTICES = "/signals/", "/cases/", "/notifications/"
SCENARIOS, HANDOVERS, MEETINGS = "/scenarios/", "/handovers/", "/meetings/"
EXCHANGES = "/exchanges/"
BREAK_GLASS = "/privacy/break-glass/"
REQUESTS, REVIEWS = "/privacy/requests/", "/privacy/reviews/"
DECISIONS, RECORD = "/privacy/requests/decisions/", "/privacy/record/"
RETENTION = "/retention/"

EXPECTED = {
    "chair": {
        SIGNALS,
        CASES,
        MEETINGS,
        EXCHANGES,
        SETUP,
        APPROVALS,
        BREAK_GLASS,
        RETENTION,
        REQUESTS,
        RECORD,
        NOTICES,
    },
    "cell_admin": {SETUP, RECORD, NOTICES},
    "dpo": {AUDIT, BREAK_GLASS, RETENTION, DECISIONS, RECORD, NOTICES},
    "coordinator": {
        SIGNALS,
        CASES,
        MEETINGS,
        EXCHANGES,
        SCENARIOS,
        HANDOVERS,
        BREAK_GLASS,
        RETENTION,
        REQUESTS,
        RECORD,
        NOTICES,
    },
    "information_officer": {SIGNALS, CASES, MEETINGS, EXCHANGES, REVIEWS, NOTICES},
    "partner1": {SIGNALS, CASES, MEETINGS, REVIEWS, NOTICES},
    "strategic": {MEETINGS, NOTICES},
}


def test_the_urls_are_what_this_module_assumes() -> None:
    assert (reverse("setup:home"), reverse("setup:approvals"), reverse("audit:events")) == (
        SETUP,
        APPROVALS,
        AUDIT,
    )
    assert reverse("installation:cells") == INSTALLATION
    assert (reverse("cases:signals"), reverse("cases:list")) == (SIGNALS, CASES)
    assert (reverse("core:notifications"), reverse("cases:scenarios")) == (NOTICES, SCENARIOS)
    assert reverse("cases:handovers") == HANDOVERS
    assert (reverse("meetings:list"), reverse("meetings:register")) == (MEETINGS, EXCHANGES)
    assert reverse("privacy:break_glass_list") == BREAK_GLASS
    assert reverse("retention:runs") == RETENTION
    assert (reverse("privacy:subject_requests"), reverse("privacy:subject_reviews")) == (
        REQUESTS,
        REVIEWS,
    )
    assert (reverse("privacy:subject_request_decisions"), reverse("privacy:record")) == (
        DECISIONS,
        RECORD,
    )


@pytest.mark.parametrize(("who", "links"), EXPECTED.items())
def test_dashboard_navigation_by_role(world: World, who: str, links: set[str]) -> None:
    response = ready_client(getattr(world, who)).get(reverse("core:dashboard"))
    assert response.status_code == 200
    urls = [url for url, _label in response.context["nav_items"]]
    assert urls[0] == reverse("core:dashboard")
    assert set(urls[1:]) == links
    page = response.content.decode()
    for url in (
        SETUP,
        APPROVALS,
        AUDIT,
        INSTALLATION,
        SIGNALS,
        CASES,
        SCENARIOS,
        HANDOVERS,
        MEETINGS,
        BREAK_GLASS,
        REQUESTS,
        REVIEWS,
        DECISIONS,
        RECORD,
    ):
        assert (f'href="{url}"' in page) is (url in links), (who, url)


@pytest.mark.parametrize(("who", "links"), EXPECTED.items())
def test_navigation_follows_the_permission_engine(world: World, who: str, links) -> None:
    request = RequestFactory().get("/")
    request.user = getattr(world, who)
    request.cell = world.cell_a  # type: ignore[attr-defined]
    context = navigation(request)
    assert {url for url, _label in context["nav_items"]} == {reverse("core:dashboard"), *links}
    assert context["active_cell"] == world.cell_a


def test_same_person_gets_the_navigation_of_the_active_cell(world: World) -> None:
    """Chair in cell A, DPO in cell B: the links follow the cell, not the person."""
    MembershipFactory(user=world.chair, cell=world.cell_b, role=Role.DPO)
    request = RequestFactory().get("/")
    request.user = world.chair
    request.cell = world.cell_b  # type: ignore[attr-defined]
    urls = {url for url, _label in navigation(request)["nav_items"]}
    assert urls == {
        reverse("core:dashboard"),
        AUDIT,
        BREAK_GLASS,
        RETENTION,
        DECISIONS,
        RECORD,
        NOTICES,
    }


def test_no_cell_no_cell_links(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = world.chair
    context = navigation(request)
    assert (context["nav_items"], context["active_cell"]) == ([], None)
    request.user = AnonymousUser()
    request.cell = world.cell_a  # type: ignore[attr-defined]
    assert navigation(request)["nav_items"] == []


def test_installation_admin_gets_the_installation_link(world: World) -> None:
    response = ready_client(world.installation_admin).get(reverse("installation:cells"))
    assert response.status_code == 200
    assert [url for url, _label in response.context["nav_items"]] == [INSTALLATION]


def test_member_of_another_cell_gets_no_links_there(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = world.member_b
    request.cell = world.cell_a  # type: ignore[attr-defined]
    assert {url for url, _label in navigation(request)["nav_items"]} == {
        reverse("core:dashboard"),
        NOTICES,
    }
