"""The real Content-Security-Policy (nothing bypassed): nonce-based, no 'unsafe-inline', and
no page breaks it — not ours, not allauth's login and MFA pages."""

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.conftest import make_world
from tests.factories import enrol_totp, sign_statement

from .helpers import (
    confirm_password_if_asked,
    enter_password,
    enter_totp,
    log_out,
    open_page,
    path_is,
)

pytestmark = pytest.mark.e2e


def test_pages_run_under_a_strict_nonce_csp(csp_page: Page) -> None:
    page = csp_page
    world = make_world()
    documents: list[Response] = []

    def on_response(response: Response) -> None:
        if response.request.resource_type == "document" and response.status == 200:
            documents.append(response)

    page.on("response", on_response)

    def scripts_ran() -> None:
        """The nonce-bearing scripts executed: htmx on every page of ours."""
        assert page.evaluate("typeof window.htmx") == "object", page.url

    # First login without a second factor: login, MFA index, password check, TOTP activation.
    newcomer = world.partner2
    page.goto("/")
    expect(page).to_have_url(path_is("/accounts/login/"))
    scripts_ran()
    enter_password(page, newcomer)
    expect(page).to_have_url(path_is("/accounts/2fa/"))
    page.goto("/accounts/2fa/totp/activate/")
    confirm_password_if_asked(page)
    expect(page).to_have_url(path_is("/accounts/2fa/totp/activate/"))
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    log_out(page)

    # An enrolled member: TOTP stage, dashboard, MFA index, passkey page (allauth's scripts).
    member = world.partner1
    secret = enrol_totp(member)
    sign_statement(member, world.cell_a)
    enter_password(page, member)
    enter_totp(page, secret)
    expect(page).to_have_url(path_is("/"))
    scripts_ran()
    page.goto("/accounts/2fa/")
    page.goto("/accounts/2fa/webauthn/add/")
    confirm_password_if_asked(page)
    expect(page).to_have_url(path_is("/accounts/2fa/webauthn/add/"))
    assert page.evaluate("typeof window.allauth?.webauthn?.forms?.addForm") == "function"

    paths = {response.url.split("?")[0].split("/", 3)[3] for response in documents}
    assert {
        "accounts/login/",
        "accounts/2fa/",
        "accounts/2fa/totp/activate/",
        "accounts/2fa/authenticate/",
        "",
        "accounts/2fa/webauthn/add/",
    } <= paths, paths
    for response in documents:
        policy = response.headers.get("content-security-policy", "")
        assert "'nonce-" in policy, (response.url, policy)
        assert "unsafe-inline" not in policy, (response.url, policy)
        assert "unsafe-eval" not in policy, (response.url, policy)
        assert "default-src 'none'" in policy, (response.url, policy)


def test_csp_reports_and_page_errors_are_caught(
    browser: Browser, live_server, transactional_db: None
) -> None:
    """The watch every browser test relies on sees a blocked inline script and a JS error."""
    page, problems = open_page(browser, live_server.url, bypass_csp=False)
    try:
        page.goto("/accounts/login/")
        page.evaluate(
            """() => {
                const script = document.createElement('script')
                script.textContent = 'window.injected = true'
                document.body.append(script)
                setTimeout(() => { throw new Error('boom') })
            }"""
        )
        page.wait_for_timeout(200)
        assert page.evaluate("window.injected") is None
    finally:
        page.context.close()
    assert any(item.startswith("CSP ") for item in problems.items), problems.items
    assert any("boom" in item for item in problems.items), problems.items
