"""axe-core on the administration pages: no serious or critical WCAG 2.1 A/AA violation.

The login, MFA, statement and dashboard pages are checked along the journey in test_journey.py.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casus.access import services
from casus.access.models import RequestKind, Role, User
from tests.conftest import World, make_world
from tests.factories import enrol_totp, sign_statement

from .helpers import (
    assert_accessible,
    axe_violations,
    axe_violations_strict,
    log_in,
    path_is,
    submit,
)

pytestmark = pytest.mark.e2e

SETUP_PAGES = [
    "/setup/",
    "/setup/organisations/",
    "/setup/members/",
    "/setup/members/new/",
    "/setup/charters/",
    "/setup/charters/new/",
    "/setup/import/",
]


def drafts_awaiting_the_chair(world: World) -> None:
    """Give the lists and the approvals page something to show: one draft of each kind."""
    admin, cell = world.cell_admin, world.cell_a
    organisation = world.membership(admin).organisation
    services.membership_request_create(
        actor=admin,
        cell=cell,
        kind=RequestKind.ADD,
        email="new.member@a.example.be",
        full_name="New Member",
        organisation=organisation,
        role=Role.MEMBER,
        term_start=timezone.localdate(),
        term_end=timezone.localdate() + datetime.timedelta(days=365),
        reason="Replaces a colleague.",
    )
    services.charter_draft_create(
        actor=admin,
        cell=cell,
        organisations=[organisation],
        purpose="Prevent radicalisation.",
        participation="The partners of the charter.",
        meeting_rules="Monthly.",
        confidentiality_rules="Shared professional secrecy.",
        feedback_procedure="Within a month.",
        emergency_route="Call the police.",
    )
    services.statement_draft_create(
        actor=admin, cell=cell, text="I keep everything secret, version 2.", validity_months=12
    )


def ready(user: User) -> str:
    """Enrol TOTP and sign the statement in the database; return the TOTP secret."""
    secret = enrol_totp(user)
    for membership in user.memberships.filter(ended_at__isnull=True):
        sign_statement(user, membership.cell)
    return secret


def visit(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"
    expect(page).to_have_url(path_is(path))
    return axe_violations(page)


def test_setup_pages_are_accessible(axe_page: Page) -> None:
    page = axe_page
    world = make_world()
    drafts_awaiting_the_chair(world)
    log_in(page, world.cell_admin, ready(world.cell_admin))
    expect(page).to_have_url(path_is("/"))

    found: list[str] = []
    for path in SETUP_PAGES:
        found += visit(page, path)
    # A form sent back with errors: messages must stay tied to their fields.
    page.goto("/setup/members/new/")
    submit(page, "main form")
    expect(page.locator(".errorlist").first).to_be_visible()
    found += axe_violations(page)

    assert not found, "axe violations:\n" + "\n".join(found)


def test_approvals_page_is_accessible(axe_page: Page) -> None:
    page = axe_page
    world = make_world()
    drafts_awaiting_the_chair(world)
    log_in(page, world.chair, ready(world.chair))
    expect(page).to_have_url(path_is("/"))

    response = page.goto("/approvals/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("main form")).to_have_count(3)
    assert_accessible(page)


def test_axe_helper_reports_violations(axe_page: Page) -> None:
    """The check above can fail: a page with an unlabelled field and an image without text."""
    axe_page.set_content(
        "<!DOCTYPE html><html><head><title>t</title></head><body><main>"
        "<img src='data:,'><input type='text'></main></body></html>"
    )
    found = axe_violations(axe_page)
    assert any("image-alt" in item for item in found), found
    assert any("label" in item for item in found), found


def test_strict_axe_helper_reports_violations_under_the_real_csp(csp_page: Page) -> None:
    """The check the case journey uses runs under the real policy (no CSP report) and can
    fail."""
    csp_page.goto("/accounts/login/")
    assert axe_violations_strict(csp_page) == []
    csp_page.evaluate(
        """() => {
            const main = document.querySelector('main') || document.body
            main.append(document.createElement('img'))
            main.append(document.createElement('input'))
        }"""
    )
    found = axe_violations_strict(csp_page)
    assert any("image-alt" in item for item in found), found
    assert any("label" in item for item in found), found
