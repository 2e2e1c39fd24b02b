"""Role-based navigation: the context processor asks the permission engine; templates only
render what it returns."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from casus.access.context_processors import navigation
from casus.access.models import Role
from tests.conftest import World, ready_client
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SETUP, APPROVALS, AUDIT, INSTALLATION = "/setup/", "/approvals/", "/audit/", "/installation/"
SIGNALS, CASES, NOTICES = "/signals/", "/cases/", "/notifications/"
SCENARIOS, HANDOVERS, MEETINGS = "/scenarios/", "/handovers/", "/meetings/"
EXCHANGES = "/exchanges/"
BREAK_GLASS = "/privacy/break-glass/"
REQUESTS, REVIEWS = "/privacy/requests/", "/privacy/reviews/"
DECISIONS, RECORD = "/privacy/requests/decisions/", "/privacy/record/"
RETENTION = "/retention/"
STRATEGY, EVALUATIONS, MONITORING = "/strategy/", "/strategy/self-evaluation/", "/monitoring/"
KNOWLEDGE, SOCIAL_MAP = "/knowledge/", "/social-map/"
REGIONAL, BODIES = "/monitoring/regional/", "/installation/regional/"
#: Shared by the whole installation: every logged-in person has these links.
SHARED = {KNOWLEDGE, SOCIAL_MAP}

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
        STRATEGY,
        MONITORING,
        *SHARED,
    },
    "cell_admin": {SETUP, RECORD, NOTICES, *SHARED},
    "dpo": {AUDIT, BREAK_GLASS, RETENTION, DECISIONS, RECORD, NOTICES, *SHARED},
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
        STRATEGY,
        MONITORING,
        *SHARED,
    },
    "information_officer": {
        SIGNALS,
        CASES,
        MEETINGS,
        EXCHANGES,
        REVIEWS,
        NOTICES,
        STRATEGY,
        MONITORING,
        *SHARED,
    },
    "partner1": {SIGNALS, CASES, MEETINGS, REVIEWS, NOTICES, EVALUATIONS, *SHARED},
    "strategic": {MEETINGS, NOTICES, STRATEGY, MONITORING, *SHARED},
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
    assert (reverse("strategy:home"), reverse("strategy:evaluations")) == (STRATEGY, EVALUATIONS)
    assert (reverse("monitoring:dashboard"), reverse("monitoring:regional")) == (
        MONITORING,
        REGIONAL,
    )
    assert (reverse("knowledge:list"), reverse("socialmap:offers")) == (KNOWLEDGE, SOCIAL_MAP)
    assert reverse("regional_bodies:index") == BODIES


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
        STRATEGY,
        EVALUATIONS,
        MONITORING,
        REGIONAL,
        BODIES,
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
        *SHARED,
    }


def test_no_cell_no_cell_links(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = world.chair
    context = navigation(request)
    assert ({url for url, _label in context["nav_items"]}, context["active_cell"]) == (
        SHARED,
        None,
    )
    request.user = AnonymousUser()
    request.cell = world.cell_a  # type: ignore[attr-defined]
    assert navigation(request)["nav_items"] == []


def test_installation_admin_gets_the_installation_link(world: World) -> None:
    response = ready_client(world.installation_admin).get(reverse("installation:cells"))
    assert response.status_code == 200
    urls = [url for url, _label in response.context["nav_items"]]
    assert urls == [KNOWLEDGE, SOCIAL_MAP, INSTALLATION, BODIES]


@pytest.mark.parametrize(
    ("flag", "landing", "links"),
    [
        ("is_knowledge_editor", KNOWLEDGE, [KNOWLEDGE, SOCIAL_MAP]),
        ("is_regional_support", REGIONAL, [KNOWLEDGE, SOCIAL_MAP, REGIONAL]),
    ],
)
def test_installation_roles_without_a_cell_land_on_their_pages(
    db: None, flag: str, landing: str, links: list[str]
) -> None:
    user = UserFactory(**{flag: True})
    client = ready_client(user)
    response = client.get(reverse("core:dashboard"))
    assert (response.status_code, response["Location"]) == (302, landing)
    response = client.get(landing)
    assert response.status_code == 200
    assert [url for url, _label in response.context["nav_items"]] == links


def test_a_knowledge_editor_with_a_cell_still_chooses_it(world: World) -> None:
    world.partner1.is_knowledge_editor = True
    world.partner1.save(update_fields=["is_knowledge_editor"])
    MembershipFactory(user=world.partner1, cell=world.cell_b, role=Role.MEMBER)
    client = ready_client(world.partner1)
    response = client.get(reverse("core:dashboard"))
    assert response["Location"] == reverse("core:choose_cell")


def test_member_of_another_cell_gets_no_links_there(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = world.member_b
    request.cell = world.cell_a  # type: ignore[attr-defined]
    assert {url for url, _label in navigation(request)["nav_items"]} == {
        reverse("core:dashboard"),
        NOTICES,
        *SHARED,
    }
