"""What the browser tests do again and again: log in, answer TOTP, submit a form, run axe."""

import re
import time
from functools import cache
from pathlib import Path

import pyotp
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from casus.access.models import User
from tests.conftest import ready_client

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
PASSWORD = "correct horse battery"  # UserFactory's password (tests/factories.py)
TIMEOUT_MS = 15_000

#: TOTP periods already answered, per secret: allauth refuses a code used twice.
_used_periods: dict[str, set[int]] = {}


class BrowserProblems:
    """Content-Security-Policy console reports and uncaught page errors seen on a page."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.items.append(f"page error on {page.url}: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if "content security policy" in message.text.lower():
            self.items.append(f"CSP {message.type} at {message.location}: {message.text}")


def open_page(browser: Browser, base_url: str, *, bypass_csp: bool) -> tuple[Page, BrowserProblems]:
    """Open a page in a fresh context (its own cookies), watched for CSP reports and errors.

    ``bypass_csp`` is only for injecting axe-core with ``axe_violations``; everything else runs
    under the real policy (``axe_violations_strict`` works there too).
    """
    context = browser.new_context(
        base_url=base_url, bypass_csp=bypass_csp, locale="en-GB", service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = BrowserProblems()
    problems.watch(page)
    return page, problems


def open_logged_in_page(
    browser: Browser, base_url: str, user: User, problems: BrowserProblems
) -> Page:
    """A page in a fresh context under the real CSP, already logged in as ``user``.

    Skips the login and MFA pages (test_journey.py walks those): ``ready_client`` enrols a
    second factor, signs the statement and logs in; its session cookie goes to the browser.
    The browser asks for English, so the pages speak the language set on the user.
    """
    client = ready_client(user)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(base_url=base_url, locale="en-GB", service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": base_url}]
    )
    page = context.new_page()
    problems.watch(page)
    return page


def gettext_in(language: str, message: str, context: str | None = None) -> str:
    """``message`` as the interface shows it in ``language`` (the msgid while untranslated)."""
    with translation.override(language):
        if context is not None:
            return translation.pgettext(context, message)
        return translation.gettext(message)


def path_is(path: str) -> re.Pattern[str]:
    """Match a URL whose path is exactly ``path`` (any query string)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def submit(page: Page, form: str) -> None:
    """Click the submit button of the form matched by ``form`` and wait for the next page."""
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").first.click()


def fresh_totp(secret: str) -> str:
    """Return the code of a TOTP period not answered yet, waiting for the next one if needed.

    The last seconds of a period are skipped too, so the server checks it in the same period.
    """
    totp = pyotp.TOTP(secret)
    used = _used_periods.setdefault(secret, set())
    while (now := time.time()) // totp.interval in used or now % totp.interval > totp.interval - 3:
        time.sleep(0.2)
    period = int(now // totp.interval)
    used.add(period)
    return totp.at(period * totp.interval)


def enter_password(page: Page, user: User) -> None:
    """Fill and submit allauth's login form (works in every interface language)."""
    page.goto("/accounts/login/")
    form = "form[action='/accounts/login/']"
    page.locator(f"{form} input[name=login]").fill(user.email)
    page.locator(f"{form} input[name=password]").fill(PASSWORD)
    submit(page, form)


def enter_totp(page: Page, secret: str) -> None:
    """Answer allauth's second-factor stage with a fresh code."""
    expect(page).to_have_url(path_is("/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(fresh_totp(secret))
    submit(page, "form:has(input[name=code])")


def log_in(page: Page, user: User, secret: str) -> None:
    """Log in with password and TOTP; end on the page allauth redirects to."""
    enter_password(page, user)
    enter_totp(page, secret)


def log_out(page: Page) -> None:
    submit(page, "form[action='/accounts/logout/']")
    expect(page).to_have_url(path_is("/accounts/login/"))


def confirm_password_if_asked(page: Page) -> None:
    """allauth asks the password again before a second factor is added or changed."""
    if re.search(r"/accounts/reauthenticate/", page.url):
        page.locator("input[name=password]").fill(PASSWORD)
        submit(page, "form:has(input[name=password])")


def axe_violations(page: Page) -> list[str]:
    """Run axe-core (WCAG 2.0/2.1, levels A and AA); describe serious and critical findings."""
    page.add_script_tag(path=str(AXE_PATH))
    return _axe_run(page)


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations_strict(page: Page) -> list[str]:
    """Like ``axe_violations``, under the page's real CSP.

    The script is evaluated through the DevTools protocol, which the page's policy does not
    govern, instead of being added as an inline ``<script>`` (which the policy blocks).
    """
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(_axe_source())
    return _axe_run(page)


def _axe_run(page: Page) -> list[str]:
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"[{v['impact']}] {v['id']} on {page.url}: {v['help']} ({v['helpUrl']})\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"])
        for v in result["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical axe violation on the current page."""
    found = axe_violations(page)
    assert not found, "axe violations:\n" + "\n".join(found)
