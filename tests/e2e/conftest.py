"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The live server listens on ``localhost`` (pytest-django's default; passkeys refuse IP
addresses). Playwright's sync API keeps an asyncio loop running in the test thread, so Django's
async-safety guard is lifted for the e2e tests only.
"""

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .helpers import BrowserProblems, open_page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _allow_async_unsafe() -> Iterator[None]:
    """Let the test thread touch the database while Playwright's loop runs in it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_allow_async_unsafe: None) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _open(browser: Browser, live_server, *, bypass_csp: bool) -> tuple[Page, BrowserProblems]:
    host = urlsplit(live_server.url).hostname
    assert host == "localhost", f"passkeys need the live server on localhost, not {host}"
    return open_page(browser, live_server.url, bypass_csp=bypass_csp)


@pytest.fixture
def axe_page(browser: Browser, live_server, transactional_db: None) -> Iterator[Page]:
    """A fresh page whose context bypasses the CSP, so axe can be injected.

    The test fails on any CSP console message or uncaught JavaScript error.
    """
    page, problems = _open(browser, live_server, bypass_csp=True)
    yield page
    page.context.close()
    assert not problems.items, "\n".join(problems.items)


@pytest.fixture
def csp_page(browser: Browser, live_server, transactional_db: None) -> Iterator[Page]:
    """A fresh page under the real CSP (nothing bypassed); fails on CSP messages and errors."""
    page, problems = _open(browser, live_server, bypass_csp=False)
    yield page
    page.context.close()
    assert not problems.items, "\n".join(problems.items)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Browser tests on SQLite use a test database FILE, not shared-cache memory.

    The live server and the test thread write concurrently; SQLite's shared-cache in-memory
    database then fails with "database table is locked" instead of waiting, while a file
    database in WAL mode with a busy timeout waits its turn.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("e2e-db") / "test.sqlite3"
        )
        database.setdefault("OPTIONS", {})["timeout"] = 20
