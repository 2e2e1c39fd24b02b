"""Passkeys: enrol one with Chromium's virtual authenticator, then sign in with it alone.

Runs under the real CSP (no bypass): allauth's WebAuthn scripts must work with our nonces.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.conftest import make_world
from tests.factories import enrol_totp, sign_statement

from .helpers import confirm_password_if_asked, log_in, log_out, path_is

pytestmark = pytest.mark.e2e

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


def test_add_a_passkey_then_sign_in_with_it(csp_page: Page) -> None:
    page = csp_page
    world = make_world()
    user = world.partner1
    secret = enrol_totp(user)
    sign_statement(user, world.cell_a)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator_id = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})[
        "authenticatorId"
    ]

    log_in(page, user, secret)
    expect(page).to_have_url(path_is("/"))

    # Enrol: allauth confirms the password first, then the page's script creates the key.
    page.goto("/accounts/2fa/webauthn/add/")
    confirm_password_if_asked(page)
    expect(page).to_have_url(path_is("/accounts/2fa/webauthn/add/"))
    page.locator("input[name=name]").fill("Laptop")
    page.locator("input[name=passwordless]").check()
    with page.expect_navigation():
        page.locator("#mfa_webauthn_add").click()
    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().is_passwordless is True
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    assert credentials["credentials"][0]["isResidentCredential"]

    # Sign in with the passkey alone: no password, no TOTP code.
    log_out(page)
    with page.expect_navigation(url=path_is("/")):
        page.locator("#passkey_login").click()
    with translation.override(user.language):
        expect(page.locator("h1")).to_have_text(translation.gettext("Dashboard"))
