"""Hostile text stored in signals, cases and journals is shown as text, never run: no script
executes, no handler fires, no CSP report (the page would be blocked, not escaped), under the
real policy in Chromium."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Dialog, expect

from tests.cases.factories import CaseFactory, participate
from tests.cases.helpers import activate_charter, submit, write_entry
from tests.conftest import make_world

from .helpers import BrowserProblems, open_logged_in_page

pytestmark = pytest.mark.e2e

#: Each sets ``window.__casus_xss`` if it ever runs.
PAYLOADS = [
    "<script>window.__casus_xss = 1</script>",
    '<img src="x" onerror="window.__casus_xss = 2">',
    '"><svg onload="window.__casus_xss = 3">',
    "</textarea><script>window.__casus_xss = 4</script>",
    '<a href="javascript:window.__casus_xss = 5">link</a>',
    "{{ 7|add:35 }} {% now 'Y' %}",
]
TEXT = "\n".join(PAYLOADS)


def test_stored_scripts_never_run(browser: Browser, live_server, transactional_db: None) -> None:
    world = make_world()
    activate_charter(world)
    signal = submit(world, observed_behaviour=TEXT, concern=TEXT)
    school = world.membership(world.partner1).organisation
    case = CaseFactory(
        cell=world.cell_a, opened_by=world.coordinator, lead_organisation=school, summary=TEXT
    )
    participate(case, school, world.coordinator)
    write_entry(world.partner1, case, TEXT)

    problems = BrowserProblems()
    dialogs: list[str] = []
    # (reader, page, whether the page shows the stored text)
    pages = [
        (world.coordinator, reverse("cases:screening"), False),
        (world.coordinator, reverse("cases:signal_detail", args=[signal.pk]), True),
        (world.coordinator, reverse("cases:detail", args=[case.pk]), True),
        (world.coordinator, reverse("cases:journal", args=[case.pk]), True),
        (world.partner1, reverse("cases:journal", args=[case.pk]), True),
    ]
    for user, path, shows_text in pages:
        page = open_logged_in_page(browser, live_server.url, user, problems)

        def on_dialog(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        text = page.locator("main").inner_text()
        # The text is there, as text (and template syntax is not evaluated).
        if shows_text:
            assert "window.__casus_xss = 1" in text and "{{ 7|add:35 }}" in text, path
        assert page.locator("main script, main img[src='x'], main svg[onload]").count() == 0
        # Clicking the stored link runs nothing either (it is not a link at all).
        assert page.locator("main a[href^='javascript:']").count() == 0
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__casus_xss") == "undefined", path
        page.context.close()
    assert dialogs == []
    assert problems.items == [], "\n".join(problems.items)
