"""A new member's first visit, end to end: password, forced TOTP enrolment, confidentiality
statement, dashboard, language switch, and a second login that asks the TOTP code."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.conftest import make_world

from .helpers import (
    axe_violations,
    confirm_password_if_asked,
    enter_password,
    enter_totp,
    fresh_totp,
    log_out,
    path_is,
    submit,
)

pytestmark = pytest.mark.e2e


def gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_first_login_enrols_totp_signs_statement_and_logs_in_again(axe_page: Page) -> None:
    page = axe_page
    world = make_world()
    user = world.partner1
    assert not user.authenticator_set.exists()
    axe: list[str] = []

    # Anonymous: every page sends to allauth's login page.
    page.goto("/")
    expect(page).to_have_url(path_is("/accounts/login/"))
    expect(page.locator("a[href*='/accounts/signup/']")).to_have_count(0)  # no self sign-up
    axe += axe_violations(page)

    # Password accepted, but no second factor yet: the MFA page, whatever is asked for.
    enter_password(page, user)
    expect(page).to_have_url(path_is("/accounts/2fa/"))
    axe += axe_violations(page)
    page.goto("/")
    expect(page).to_have_url(path_is("/accounts/2fa/"))
    page.goto("/setup/")
    expect(page).to_have_url(path_is("/accounts/2fa/"))

    # Activate an authenticator app with the secret shown on the page.
    page.locator("a[href='/accounts/2fa/totp/activate/']").click()
    page.wait_for_load_state()
    if re.search(r"/accounts/reauthenticate/", page.url):
        axe += axe_violations(page)
    confirm_password_if_asked(page)
    expect(page).to_have_url(path_is("/accounts/2fa/totp/activate/"))
    axe += axe_violations(page)
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.locator("input[name=code]").fill(fresh_totp(secret))
    submit(page, "form[action='/accounts/2fa/totp/activate/']")
    assert user.authenticator_set.filter(type="totp").exists()
    if re.search(r"/accounts/2fa/recovery-codes/", page.url):
        axe += axe_violations(page)

    # With a second factor, the cell asks for its confidentiality statement first.
    page.goto("/")
    expect(page).to_have_url(path_is("/statement/"))
    axe += axe_violations(page)
    page.locator("input[name=accept]").check()
    page.locator("input[name=signed_name]").fill(user.full_name)
    submit(page, "form:has(input[name=signed_name])")
    expect(page).to_have_url(path_is("/"))
    expect(page.locator("h1")).to_have_text(gettext_in("en", "Dashboard"))
    axe += axe_violations(page)

    # Switch to French from the header.
    page.locator("#language-select").select_option("fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Change language").click()
    expect(page).to_have_url(path_is("/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text(gettext_in("fr", "Dashboard"))
    user.refresh_from_db()
    assert user.language == "fr"

    # Log out and in again: now allauth asks the TOTP code (a new one), then the dashboard.
    log_out(page)
    enter_password(page, user)
    enter_totp(page, secret)
    expect(page).to_have_url(path_is("/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text(gettext_in("fr", "Dashboard"))

    assert not axe, "axe violations:\n" + "\n".join(axe)
