"""The whole case journey in the browser, in Dutch and in French (issue 3's acceptance test).

A school member signals a person; the coordinator and the information officer each give their
opinion and the coordinator proposes the signal to the chair; the chair puts it on the case
list; the coordinator makes the school a participating organisation and the lead partner; the
school writes in the journal and attaches a PDF; the coordinator starts the discussion and the
pathway; the school writes two assessment versions and adds an action; the coordinator
evaluates and closes the case; a new signal about the same person reopens it.

Between the steps: what each person sees (the reporter only "received" / "handled on", a
non-participating organisation a 404), the page language and its translated headings. Every
page runs under the real CSP (no report, no script error) and each new kind of page is checked
with axe-core. People are logged in through a session cookie (``open_logged_in_page``): the
login and MFA pages are walked in test_journey.py.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Browser, FilePayload, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from casus.access.models import Charter, DocumentStatus, User
from casus.cases.models import (
    Assessment,
    Attachment,
    Case,
    CaseStatus,
    ClosureReason,
    JournalEntry,
    LifeDomain,
    PathwayAction,
    Signal,
    SignalStatus,
)
from tests.conftest import World, make_world

from .helpers import (
    BrowserProblems,
    axe_violations_strict,
    gettext_in,
    open_logged_in_page,
    path_is,
    submit,
)

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

#: Every kind of page the journey must check with axe-core (at least once).
AXE_PAGES = {
    "signals",
    "signal form",
    "screening",
    "signal detail",
    "decisions",
    "case overview",
    "journal",
    "attachments",
    "assessment",
    "assessment form",
    "assessment compare",
    "pathway",
    "pathway action form",
    "close form",
    "case list",
    "dashboard",
}


def activate_charter(world: World) -> Charter:
    """Signals need an active charter; the world's cells have none."""
    return Charter.objects.create(
        cell=world.cell_a,
        version=1,
        status=DocumentStatus.ACTIVE,
        purpose="Early detection.",
        participation="Everyone named.",
        meeting_rules="Monthly.",
        confidentiality_rules="Art. 458ter.",
        feedback_procedure="Unanimous.",
        emergency_route="Call 101.",
        drafted_by=world.cell_admin,
        adopted_on=timezone.localdate(),
        adopted_by=world.chair,
    )


@dataclass
class Journey:
    """The people's browsers, what they must see in ``language``, and what went wrong."""

    browser: Browser
    base_url: str
    language: str
    problems: BrowserProblems = field(default_factory=BrowserProblems)
    pages: dict[int, Page] = field(default_factory=dict)
    axe: list[str] = field(default_factory=list)
    axe_checked: set[str] = field(default_factory=set)

    def page_of(self, user: User) -> Page:
        if user.pk not in self.pages:
            self.pages[user.pk] = open_logged_in_page(
                self.browser, self.base_url, user, self.problems
            )
        return self.pages[user.pk]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()

    def _(self, message: str, context: str | None = None) -> str:
        return gettext_in(self.language, message, context)

    def label(self, choice: object) -> str:
        """A model choice's label (``CaseStatus.CLOSED``) in the journey's language."""
        with translation.override(self.language):
            return str(choice.label)  # type: ignore[attr-defined]

    def short_date(self, moment: datetime.datetime | datetime.date | None) -> str:
        assert moment is not None
        if isinstance(moment, datetime.datetime):
            moment = timezone.localtime(moment)
        with translation.override(self.language):
            return formats.date_format(moment, "SHORT_DATE_FORMAT")

    def visit(self, user: User, path: str) -> Page:
        """Open ``path`` as ``user``: found, and in the user's language."""
        page = self.page_of(user)
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{user.full_name} {path}: HTTP {response.status}"
        self.on_page(page, path)
        return page

    def status(self, user: User, path: str) -> int:
        """The HTTP status of ``path`` for ``user``: a request with the browser's cookies.

        Refusals are 404 pages (Django's own, not ours: nothing to check on them but the
        status), and downloads are not pages.
        """
        return self.page_of(user).request.get(path, max_redirects=0).status

    def on_page(self, page: Page, path: str) -> None:
        expect(page).to_have_url(path_is(path))
        expect(page.locator("html")).to_have_attribute("lang", self.language)

    def check_axe(self, page: Page, kind: str) -> None:
        """Run axe on this page; ``kind`` counts towards ``AXE_PAGES``."""
        self.axe += axe_violations_strict(page)
        self.axe_checked.add(kind)

    def heading(self, page: Page, text: str) -> None:
        expect(page.locator("main h1")).to_have_text(text)

    def case_heading(self, page: Page, case: Case) -> None:
        case.refresh_from_db()
        title = self._("Case %(ref)s") % {"ref": case.reference}
        self.heading(page, f"{title} {self.label(CaseStatus(case.status))}")

    def message(self, page: Page, text: str) -> None:
        expect(page.locator("main .messages")).to_contain_text(text)


@pytest.fixture
def attachment_dir(settings: Settings, tmp_path: Path) -> Path:
    """Attachments go to a temporary folder (the live server runs in this process)."""
    directory = tmp_path / "attachments"
    settings.CASUS_ATTACHMENT_DIR = directory
    return directory


@pytest.fixture(params=["nl", "fr"])
def journey(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    transactional_db: None,
    attachment_dir: Path,
) -> Iterator[Journey]:
    journey = Journey(browser=browser, base_url=live_server.url, language=request.param)
    yield journey
    journey.close()
    assert not journey.problems.items, "\n".join(journey.problems.items)


def my_signals(journey: Journey, reporter: User) -> dict[str, str]:
    """The reporter's "my signals" table: reference -> status text."""
    page = journey.visit(reporter, "/signals/")
    journey.heading(page, journey._("Signals"))
    rows = page.locator("main table tbody tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i)
        .locator("td")
        .nth(1)
        .inner_text()
        .strip()
        for i in range(rows.count())
    }


def submit_signal(journey: Journey, world: World, reporter: User, behaviour: str) -> Signal:
    page = journey.visit(reporter, "/signals/")
    with page.expect_navigation():
        page.locator("main a[href='/signals/new/']").click()
    journey.on_page(page, "/signals/new/")
    journey.heading(page, journey._("Submit a signal"))
    if "signal form" not in journey.axe_checked:
        journey.check_axe(page, "signal form")
    form = "main form:has(input[name=subject_family_name])"
    municipality = world.cell_a.municipalities.get()
    page.locator(f"{form} input[name=subject_family_name]").fill("Van der Berg")
    page.locator(f"{form} input[name=subject_given_names]").fill("Noor")
    page.locator(f"{form} input[name=subject_birth_date]").fill("2008-04-01")
    page.locator(f"{form} select[name=subject_municipality]").select_option(str(municipality.pk))
    page.locator(f"{form} input[name=observed_on]").fill(timezone.localdate().isoformat())
    page.locator(f"{form} textarea[name=observed_behaviour]").fill(behaviour)
    page.locator(f"{form} textarea[name=concern]").fill("Talks about leaving to fight.")
    submit(page, form)
    journey.on_page(page, "/signals/")
    signal = Signal.objects.filter(reported_by=reporter).latest("received_at")
    journey.message(
        page, journey._("Signal %(reference)s received. Thank you.") % {"reference": signal}
    )
    return signal


def record_opinion(journey: Journey, user: User, signal: Signal, opinion: str) -> None:
    page = journey.visit(user, f"/signals/{signal.pk}/")
    form = f"main form[action='/signals/{signal.pk}/opinion/']"
    page.locator(f"{form} textarea[name=opinion]").fill(opinion)
    submit(page, form)
    journey.on_page(page, f"/signals/{signal.pk}/")
    journey.message(page, journey._("Your opinion is recorded."))


def step(journey: Journey, coordinator: User, case: Case, target: CaseStatus) -> None:
    page = journey.visit(coordinator, f"/cases/{case.pk}/")
    form = f"main form[action='/cases/{case.pk}/step/']"
    with page.expect_navigation():
        page.locator(f"{form} button[name=target_status][value={target.value}]").click()
    journey.on_page(page, f"/cases/{case.pk}/")
    case.refresh_from_db()
    assert case.status == target
    journey.case_heading(page, case)


def save_assessment(journey: Journey, lead: User, case: Case, summary: str, needs: str) -> None:
    page = journey.visit(lead, f"/cases/{case.pk}/assessment/")
    with page.expect_navigation():
        page.locator(f"main a[href='/cases/{case.pk}/assessment/edit/']").click()
    journey.on_page(page, f"/cases/{case.pk}/assessment/edit/")
    if "assessment form" not in journey.axe_checked:
        journey.check_axe(page, "assessment form")
    domain = LifeDomain.objects.filter(cell=case.cell, is_active=True).order_by("position")[0]
    form = "main form:has(textarea[name=summary])"
    page.locator(f"{form} textarea[name=summary]").fill(summary)
    page.locator(f"{form} textarea[name=d{domain.pk}_needs]").fill(needs)
    submit(page, form)
    journey.on_page(page, f"/cases/{case.pk}/assessment/")


def test_case_journey(journey: Journey) -> None:
    world = make_world()
    activate_charter(world)
    people = (
        world.chair,
        world.coordinator,
        world.information_officer,
        world.partner1,
        world.partner2,
    )
    for person in people:
        person.language = journey.language
        person.save(update_fields=["language"])
    _ = journey._
    reporter, coordinator, officer, chair, outsider = (
        world.partner1,
        world.coordinator,
        world.information_officer,
        world.chair,
        world.partner2,
    )
    school = world.membership(reporter).organisation

    # --- 1. A school member submits a signal; "my signals" says "received", nothing more.
    page = journey.visit(reporter, "/signals/")
    journey.heading(page, _("Signals"))
    journey.check_axe(page, "signals")
    signal = submit_signal(journey, world, reporter, "Shares propaganda videos in class.")
    assert signal.status == SignalStatus.RECEIVED
    assert my_signals(journey, reporter) == {signal.reference: _("Received", "signal status")}
    assert journey.status(reporter, f"/signals/{signal.pk}/") == 404
    assert journey.status(reporter, "/signals/screening/") == 404

    # --- 2. Pre-screening: both opinions, then the coordinator proposes it to the chair.
    page = journey.visit(coordinator, "/")
    journey.heading(page, _("Dashboard"))
    journey.check_axe(page, "dashboard")
    with page.expect_navigation():
        page.locator("main a[href='/signals/screening/']").click()
    journey.on_page(page, "/signals/screening/")
    journey.heading(page, _("Screening queue"))
    expect(page.locator(f"main a[href='/signals/{signal.pk}/']")).to_have_count(1)
    journey.check_axe(page, "screening")
    with page.expect_navigation():
        page.locator(f"main a[href='/signals/{signal.pk}/']").click()
    journey.on_page(page, f"/signals/{signal.pk}/")
    journey.heading(
        page,
        f"{_('Signal %(ref)s') % {'ref': signal.reference}} {journey.label(SignalStatus.RECEIVED)}",
    )
    journey.check_axe(page, "signal detail")
    # The screening can only be concluded once both opinions are in.
    expect(page.locator(f"main form[action='/signals/{signal.pk}/screen/']")).to_have_count(0)
    record_opinion(journey, coordinator, signal, "A worrying change in a short time.")
    record_opinion(journey, officer, signal, "Not known to the police; worth a discussion.")
    signal.refresh_from_db()
    assert signal.coordinator_opinion_by == coordinator
    assert signal.officer_opinion_by == officer

    page = journey.visit(coordinator, f"/signals/{signal.pk}/")
    form = f"main form[action='/signals/{signal.pk}/screen/']"
    page.locator(f"{form} input[name=outcome][value=proposed]").check()
    page.locator(f"{form} textarea[name=summary]").fill("Radicalising quickly; school worried.")
    submit(page, form)
    journey.on_page(page, "/signals/screening/")
    journey.message(
        page, _("Signal %(reference)s is proposed to the chair.") % {"reference": signal}
    )
    signal.refresh_from_db()
    assert signal.status == SignalStatus.PROPOSED
    assert my_signals(journey, reporter) == {signal.reference: _("Received", "signal status")}

    # --- 3. The chair puts it on the case list: a case opens.
    page = journey.visit(chair, "/")
    journey.check_axe(page, "dashboard")
    with page.expect_navigation():
        page.locator("main a[href='/signals/decisions/']").click()
    journey.on_page(page, "/signals/decisions/")
    journey.heading(page, _("Decisions on proposed signals"))
    journey.check_axe(page, "decisions")
    with page.expect_navigation():
        page.locator(f"main h2 a[href='/signals/{signal.pk}/']").click()
    journey.on_page(page, f"/signals/{signal.pk}/")
    journey.check_axe(page, "signal detail")
    form = f"main form[action='/signals/{signal.pk}/decide/']"
    page.locator(f"{form} input[name=decision][value=retain]").check()
    submit(page, form)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.RETAINED
    case = signal.case
    assert case is not None
    journey.on_page(page, f"/cases/{case.pk}/")
    journey.message(page, _("Case %(case)s is opened and on the case list.") % {"case": case})
    journey.case_heading(page, case)
    journey.check_axe(page, "case overview")

    # The reporter learns only that it was handled, never the outcome.
    handled = _("Handled on %(date)s") % {"date": journey.short_date(signal.handled_at)}
    assert my_signals(journey, reporter) == {signal.reference: handled}
    page = journey.page_of(reporter)
    expect(page.locator("main")).not_to_contain_text(case.reference)
    assert journey.status(reporter, f"/cases/{case.pk}/") == 404  # not taking part yet

    # --- 4. The coordinator adds the school and makes it the lead partner.
    page = journey.visit(coordinator, f"/cases/{case.pk}/")
    journey.case_heading(page, case)
    journey.check_axe(page, "case overview")  # the coordinator's forms
    form = f"main form[action='/cases/{case.pk}/participants/']"
    page.locator(f"{form} select[name=add-organisation]").select_option(str(school.pk))
    page.locator(f"{form} textarea[name=add-reason]").fill("The person is a pupil there.")
    submit(page, form)
    journey.on_page(page, f"/cases/{case.pk}/")
    journey.message(page, _("The organisation now takes part in the case."))
    form = f"main form[action='/cases/{case.pk}/lead/']"
    page.locator(f"{form} select[name=lead-organisation]").select_option(str(school.pk))
    submit(page, form)
    journey.on_page(page, f"/cases/{case.pk}/")
    journey.message(page, _("Lead partner saved."))
    case.refresh_from_db()
    assert case.lead_organisation == school

    # --- 5. The school writes in the journal and attaches a PDF.
    page = journey.visit(reporter, f"/cases/{case.pk}/")
    journey.case_heading(page, case)
    with page.expect_navigation():
        page.locator(f"main nav a[href='/cases/{case.pk}/journal/']").click()
    journey.on_page(page, f"/cases/{case.pk}/journal/")
    expect(page.locator("main h2").first).to_have_text(_("New entry"))
    form = "main form:has(textarea[name=text])"
    page.locator(f"{form} textarea[name=text]").fill("Talked with the parents; they agree.")
    page.locator(f"{form} select[name=visibility]").select_option("all")
    submit(page, form)
    journey.on_page(page, f"/cases/{case.pk}/journal/")
    journey.message(page, _("Journal entry added."))
    entry = JournalEntry.objects.get(case=case)
    expect(page.locator(f"#entry-{entry.pk}")).to_be_visible()
    journey.check_axe(page, "journal")

    page = journey.visit(reporter, f"/cases/{case.pk}/attachments/")
    expect(page.locator("main h2").first).to_have_text(_("Attach a file"))
    form = "main form:has(input[name=file])"
    page.locator(f"{form} input[name=file]").set_input_files(
        files=FilePayload(name="school-report.pdf", mimeType="application/pdf", buffer=PDF)
    )
    page.locator(f"{form} input[name=description]").fill("Report of the class council")
    page.locator(f"{form} select[name=visibility]").select_option("all")
    submit(page, form)
    journey.on_page(page, f"/cases/{case.pk}/attachments/")
    journey.message(page, _("File attached."))
    attachment = Attachment.objects.get(case=case)
    download = f"/cases/{case.pk}/attachments/{attachment.pk}/"
    expect(page.locator(f"main a[href='{download}']")).to_have_text("school-report.pdf")
    journey.check_axe(page, "attachments")
    response = page.request.get(download)
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.body() == PDF

    # A member of an organisation that does not take part: 404 on everything of the case.
    for path in (
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/journal/",
        f"/cases/{case.pk}/attachments/",
        download,
        f"/cases/{case.pk}/assessment/",
        f"/cases/{case.pk}/pathway/",
    ):
        assert journey.status(outsider, path) == 404, path
    page = journey.visit(outsider, "/cases/")
    expect(page.locator(f"main a[href='/cases/{case.pk}/']")).to_have_count(0)

    # --- 6. The coordinator starts the case discussion and the follow-up pathway.
    step(journey, coordinator, case, CaseStatus.IN_DISCUSSION)
    step(journey, coordinator, case, CaseStatus.FOLLOW_UP)

    # --- 7. The lead partner writes two assessment versions and compares them.
    page = journey.visit(reporter, f"/cases/{case.pk}/assessment/")
    expect(page.locator("main h2").first).to_have_text(_("Assessment"))
    journey.check_axe(page, "assessment")
    save_assessment(journey, reporter, case, "Withdrawn, but still in school.", "A mentor.")
    save_assessment(journey, reporter, case, "Opening up to the mentor.", "A mentor; sport.")
    assert list(
        Assessment.objects.filter(case=case).order_by("version").values_list("version", flat=True)
    ) == [1, 2]
    page = journey.page_of(reporter)
    journey.message(page, _("Assessment saved as version %(n)s.") % {"n": 2})
    journey.check_axe(page, "assessment")  # now with a version and its changes marked
    with page.expect_navigation():
        page.locator(f"main a[href='/cases/{case.pk}/assessment/compare/']").click()
    journey.on_page(page, f"/cases/{case.pk}/assessment/compare/")
    expect(page.locator("main h2").first).to_have_text(_("Compare two versions"))
    expect(page.locator("main .compare .changed").first).to_be_visible()
    expect(page.locator("main .compare").first).to_contain_text("Opening up to the mentor.")
    expect(page.locator("main .compare").first).to_contain_text("Withdrawn, but still in school.")
    journey.check_axe(page, "assessment compare")

    # --- 8. The lead partner adds an action to the pathway.
    page = journey.visit(reporter, f"/cases/{case.pk}/pathway/")
    expect(page.locator("main h2").first).to_have_text(_("Follow-up pathway"))
    with page.expect_navigation():
        page.locator(f"main a[href='/cases/{case.pk}/pathway/actions/add/']").click()
    journey.on_page(page, f"/cases/{case.pk}/pathway/actions/add/")
    expect(page.locator("main h2").first).to_have_text(_("Add an action"))
    journey.check_axe(page, "pathway action form")
    form = "main form:has(textarea[name=description])"
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.locator(f"{form} textarea[name=description]").fill("Weekly talk with the mentor.")
    page.locator(f"{form} select[name=owner_organisation]").select_option(str(school.pk))
    page.locator(f"{form} input[name=due_on]").fill(due.isoformat())
    submit(page, form)
    journey.on_page(page, f"/cases/{case.pk}/pathway/")
    journey.message(page, _("Action added."))
    action = PathwayAction.objects.get(case=case)
    assert (action.owner_organisation, action.due_on) == (school, due)
    status_form = f"main form[action='/cases/{case.pk}/pathway/actions/{action.pk}/status/']"
    expect(page.locator(status_form)).to_have_count(1)
    journey.check_axe(page, "pathway")
    page = journey.visit(reporter, "/")  # the lead partner's dashboard: actions due, cases led
    expect(page.locator(f"main a[href='/cases/{case.pk}/pathway/']")).to_have_count(1)
    expect(page.locator(f"main a[href='/cases/{case.pk}/']")).to_have_count(1)
    journey.check_axe(page, "dashboard")

    # --- 9. The coordinator evaluates and closes the case with a coded reason.
    step(journey, coordinator, case, CaseStatus.EVALUATION)
    page = journey.visit(coordinator, f"/cases/{case.pk}/")
    with page.expect_navigation():
        page.locator(f"main a[href='/cases/{case.pk}/close/']").click()
    journey.on_page(page, f"/cases/{case.pk}/close/")
    expect(page.locator("main h2").first).to_have_text(_("Close the case"))
    journey.check_axe(page, "close form")
    form = "main form:has(textarea[name=evaluation])"
    page.locator(f"{form} select[name=reason]").select_option(ClosureReason.POSITIVE.value)
    page.locator(f"{form} textarea[name=evaluation]").fill("Back on track; mentor continues.")
    submit(page, form)
    journey.on_page(page, f"/cases/{case.pk}/")
    journey.message(page, _("The case is closed."))
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closure_reason == ClosureReason.POSITIVE
    journey.case_heading(page, case)

    # --- 10. A new signal about the same person reopens the case.
    second = submit_signal(journey, world, reporter, "Posted threats online again.")
    assert my_signals(journey, reporter) == {
        signal.reference: handled,
        second.reference: _("Received", "signal status"),
    }
    page = journey.visit(coordinator, f"/signals/{second.pk}/")
    form = f"main form[action='/signals/{second.pk}/join/']"
    expect(page.locator(f"{form} input[name=case]")).to_have_value(str(case.pk))
    expect(page.locator(f"main a[href='/cases/{case.pk}/']").first).to_be_visible()
    submit(page, form)
    journey.on_page(page, f"/cases/{case.pk}/")
    journey.message(
        page,
        _("Signal %(reference)s is joined to case %(case)s.") % {"reference": second, "case": case},
    )
    case.refresh_from_db()
    second.refresh_from_db()
    assert case.status == CaseStatus.ON_LIST
    assert case.reopen_count == 1
    assert (second.status, second.case_id) == (SignalStatus.JOINED, case.pk)
    journey.case_heading(page, case)

    # Back on the case list; the reporter sees both signals handled, and nothing else.
    page = journey.visit(coordinator, "/cases/")
    journey.heading(page, _("Cases"))
    row = page.locator(
        "main #case-results tbody tr", has=page.locator(f"a[href='/cases/{case.pk}/']")
    )
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text(journey.label(CaseStatus.ON_LIST))
    journey.check_axe(page, "case list")
    page = journey.visit(coordinator, f"/cases/?status={CaseStatus.ON_LIST.value}")
    expect(page.locator(f"main #case-results a[href='/cases/{case.pk}/']")).to_have_count(1)
    assert my_signals(journey, reporter) == {
        signal.reference: handled,
        second.reference: _("Handled on %(date)s")
        % {"date": journey.short_date(second.handled_at)},
    }

    assert journey.axe_checked == AXE_PAGES, AXE_PAGES - journey.axe_checked
    assert not journey.axe, "axe violations:\n" + "\n".join(journey.axe)
