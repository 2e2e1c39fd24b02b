"""Issue 6 in the browser: the monitoring dashboard and the knowledge base open for the roles
that may, under the real CSP and accessibly; a strategic member gets 404 on a case."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from casus.cases.models import Case
from tests.conftest import make_world
from tests.knowledge.factories import fiche
from tests.monitoring.dataset import build

from .helpers import BrowserProblems, axe_violations_strict, open_logged_in_page

pytestmark = pytest.mark.e2e


def test_dashboard_and_knowledge_base_by_role(
    browser: Browser, live_server, transactional_db: None
) -> None:
    world = make_world()
    build(world)  # a cell history in 2025 Q1 and Q2 with known figures
    editor_user = world.installation_admin.__class__.objects.create_user(
        email="editor@example.be", full_name="Knowledge Editor", is_knowledge_editor=True
    )
    relevant = fiche(
        editor_user,
        title="Radicalisering op school: een aanspreekpunt per school",
        summary="Scholen en politie spreken een vaste contactpersoon af.",
        body="Leerkrachten melden zorgen over radicalisering via het aanspreekpunt.",
        language="nl",
        themes=["scholen"],
        published_on=date(2025, 3, 1),
    )
    fiche(
        editor_user,
        title="Sportclubs en polarisatie",
        summary="Trainers leren omgaan met spanningen.",
        body="Een vorming voor trainers.",
        language="nl",
        published_on=date(2025, 4, 1),
    )
    case = Case.objects.filter(cell=world.cell_a).first()
    assert case is not None
    problems = BrowserProblems()

    # The coordinator: exact figures for a chosen period, then the published view.
    page = open_logged_in_page(browser, live_server.url, world.coordinator, problems)
    page.goto(reverse("monitoring:dashboard"))
    expect(page.locator("h1")).to_have_text("Monitoring")
    page.locator("input[name=first]").fill("2025-01-01")
    page.locator("input[name=last]").fill("2025-06-30")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table").first).to_be_visible()
    page.get_by_role("link", name="See what the strategic table sees (published figures)").click()
    expect(page.get_by_text("<5").first).to_be_visible()
    # Every chart is an image with a name and has its data table beside it.
    charts = page.locator("svg[role=img]")
    assert charts.count() > 0
    for index in range(charts.count()):
        assert (
            charts.nth(index).get_attribute("aria-label")
            or charts.nth(index).locator("title").count()
        )
    assert axe_violations_strict(page) == []
    # Control for the strategic member's 404 below: the case page exists.
    response = page.goto(reverse("cases:detail", args=[case.pk]))
    assert response is not None and response.status == 200
    page.context.close()

    # The strategic member: the published figures, the knowledge base; a case is 404.
    page = open_logged_in_page(browser, live_server.url, world.strategic, problems)
    page.goto(reverse("monitoring:dashboard"))
    expect(page.locator("h1")).to_have_text("Monitoring")
    assert page.locator("input[name=first]").count() == 0  # no exact period for S
    expect(page.get_by_text("<5").first).to_be_visible()
    response = page.goto(reverse("monitoring:dashboard") + "?view=exact")
    assert response is not None and response.status == 404
    page.goto(reverse("knowledge:list"))
    page.locator("input[name=q]").fill("radicalisering school")
    page.get_by_role("button", name="Search").click()
    first = page.locator("main h2 a").first
    expect(first).to_have_text(relevant.title)
    first.click()
    expect(page.locator("h1")).to_have_text(relevant.title)
    assert axe_violations_strict(page) == []
    response = page.goto(reverse("cases:detail", args=[case.pk]))
    assert response is not None and response.status == 404
    page.context.close()

    # A knowledge editor without a cell lands on the knowledge base and may write.
    page = open_logged_in_page(browser, live_server.url, editor_user, problems)
    page.goto("/")
    expect(page).to_have_url(live_server.url + reverse("knowledge:list"))
    expect(page.locator(f"a[href='{reverse('knowledge:new')}']")).to_be_visible()
    page.context.close()

    assert problems.items == [], "\n".join(problems.items)
