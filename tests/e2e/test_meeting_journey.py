"""A case-consultation meeting in the browser, in Dutch (issue 4's acceptance test).

The coordinator plans a meeting of the operational table, puts case X (proposed from the data)
and case Y (added by hand) on the agenda, invites the default participants (the school for X,
the OCMW for Y) and publishes. Each participant sees only their own item; the other item and
its case are 404s. The coordinator starts the meeting and records attendance; before confirming
the art. 458ter obligation a participant sees no item content, after it they do. The
coordinator writes and proposes the minutes of X and records a decision with an action for the
school; the school approves the minutes; the action is on case X's pathway; the minutes PDF
each participant downloads carries their name on every page and only their item.

Every page runs under the real CSP (no report, no script error); the meeting list, meeting
page, item page and minutes page (and the forms on the way) are checked with axe-core.
"""

import datetime
import io
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from casus.access.models import Membership, Table, TableKind
from casus.cases.models import CaseStatus, PathwayAction
from casus.meetings.models import (
    AgendaItem,
    Attendance,
    ConfirmationMethod,
    Decision,
    ItemKind,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from tests.cases.factories import CaseFactory, participate
from tests.conftest import make_world

from .helpers import PASSWORD, path_is, submit
from .test_case_journey import Journey, activate_charter

pytestmark = pytest.mark.e2e

#: Every kind of page the journey must check with axe-core (at least once).
AXE_PAGES = {
    "meeting list",
    "meeting form",
    "meeting page",
    "item page",
    "minutes page",
    "minutes form",
    "decision form",
}

SUMMARY_X = "Samenvatting-X: de school maakt zich zorgen."
SUMMARY_Y = "Samenvatting-Y: het OCMW volgt op."
MINUTES_X = "Besproken: de school stelt een mentor voor."
DECISION_X = "De school start een mentortraject."
ACTION_X = "Wekelijks gesprek met de mentor."


@pytest.fixture
def journey(browser: Browser, live_server: LiveServer, transactional_db: None) -> Iterator[Journey]:
    journey = Journey(browser=browser, base_url=live_server.url, language="nl")
    yield journey
    journey.close()
    assert not journey.problems.items, "\n".join(journey.problems.items)


def pdf_pages(page: Page, path: str) -> list[str]:
    """Follow the page's link to ``path``, give the password again when asked (every export
    asks for a recent re-authentication), and return the text of every page of the PDF."""
    with page.expect_navigation():
        page.locator(f"main a[href='{path}']").click()
    expect(page).to_have_url(path_is("/accounts/reauthenticate/"))
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_download() as download:
        form.locator("button[type=submit]").first.click()
    assert download.value.failure() is None
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF"), content[:40]
    reader = pypdf.PdfReader(io.BytesIO(content))
    pages = [p.extract_text() for p in reader.pages]
    assert pages
    return pages


def item_form(meeting: Meeting, item: AgendaItem, what: str) -> str:
    return f"main form[action='/meetings/{meeting.pk}/items/{item.pk}/{what}/']"


def test_meeting_journey(journey: Journey) -> None:  # noqa: PLR0915 — one journey, told in order
    world = make_world()
    activate_charter(world)
    _ = journey._
    chair, coordinator, school_member, ocmw_member = (
        world.chair,
        world.coordinator,
        world.partner1,
        world.partner2,
    )
    for person in (chair, coordinator, school_member, ocmw_member):
        person.language = journey.language
        person.save(update_fields=["language"])
    # Invitations go only to members the chair approved.
    Membership.objects.filter(cell=world.cell_a).update(
        approved_by=chair, approved_at=timezone.now()
    )
    school = world.membership(school_member).organisation
    ocmw = world.membership(ocmw_member).organisation
    table = Table.objects.create(cell=world.cell_a, kind=TableKind.OPERATIONAL, name="Casustafel")
    table.seats.set([world.membership(school_member), world.membership(ocmw_member)])
    case_x = CaseFactory(
        cell=world.cell_a,
        status=CaseStatus.ON_LIST,
        opened_by=chair,
        lead_organisation=school,
        subject_family_name="Verhoeven",
        subject_given_names="Jonas",
        summary=SUMMARY_X,
    )
    participate(case_x, school, coordinator)
    case_y = CaseFactory(
        cell=world.cell_a,
        status=CaseStatus.IN_DISCUSSION,
        opened_by=chair,
        lead_organisation=ocmw,
        subject_family_name="Lambrecht",
        subject_given_names="Nora",
        summary=SUMMARY_Y,
    )
    participate(case_y, ocmw, coordinator)

    # --- 1. The coordinator plans a meeting of the operational table.
    page = journey.visit(coordinator, "/meetings/")
    journey.heading(page, _("Meetings"))
    expect(page.locator("main tbody")).to_contain_text(_("No meetings."))
    journey.check_axe(page, "meeting list")
    with page.expect_navigation():
        page.locator("main a[href='/meetings/new/']").click()
    journey.on_page(page, "/meetings/new/")
    journey.heading(page, _("Plan a meeting"))
    journey.check_axe(page, "meeting form")
    starts = timezone.localtime() + datetime.timedelta(days=2)
    starts = starts.replace(hour=10, minute=0, second=0, microsecond=0)
    form = "main form:has(input[name=starts_at])"
    page.locator(f"{form} select[name=table]").select_option(str(table.pk))
    page.locator(f"{form} input[name=starts_at]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.locator(f"{form} input[name=place]").fill("Gemeentehuis, zaal 2")
    page.locator(f"{form} select[name=chaired_by]").select_option(str(chair.pk))
    page.locator(f"{form} select[name=secretary]").select_option(str(coordinator.pk))
    submit(page, form)
    meeting = Meeting.objects.get(table=table)
    assert (meeting.status, meeting.starts_at, meeting.window_days) == (
        MeetingStatus.DRAFT,
        starts,
        7,
    )
    meeting_path = f"/meetings/{meeting.pk}/"
    journey.on_page(page, meeting_path)
    journey.message(page, _("The meeting is planned: prepare its agenda."))
    meeting_title = _("Meeting of %(table)s") % {"table": table.name}
    journey.heading(page, meeting_title)

    # --- 2. The agenda: case X from the data's proposal, case Y by hand; default invitations.
    proposals = page.locator("main section[aria-labelledby=proposal-heading] tbody tr")
    expect(proposals).to_have_count(1)  # Y is running without a review due: not proposed
    expect(proposals.locator("th")).to_have_text(case_x.reference)
    expect(proposals.locator("td").first).to_have_text(journey.label(ItemKind.NEW_CASE))
    submit(page, f"main form:has(input[name=case][value='{case_x.pk}'])")
    journey.on_page(page, meeting_path)
    journey.message(page, _("The item is on the agenda."))
    form = f"main form[action='/meetings/{meeting.pk}/items/add/']:has(select[name=kind])"
    page.locator(f"{form} select[name=kind]").select_option(ItemKind.REVIEW.value)
    page.locator(f"{form} select[name=case]").select_option(str(case_y.pk))
    submit(page, form)
    journey.on_page(page, meeting_path)
    journey.message(page, _("The item is on the agenda."))
    item_x = AgendaItem.objects.get(meeting=meeting, case=case_x)
    item_y = AgendaItem.objects.get(meeting=meeting, case=case_y)
    assert (item_x.kind, item_y.kind) == (ItemKind.NEW_CASE, ItemKind.REVIEW)
    expect(page.locator("main section[aria-labelledby=proposal-heading]")).to_contain_text(
        _("Nothing is proposed now.")
    )
    for item in (item_x, item_y):
        submit(page, item_form(meeting, item, "invitations/default"))
        journey.on_page(page, meeting_path)
        journey.message(page, _("The default participants are invited."))
    assert set(item_x.invitations.values_list("membership__user", flat=True)) == {school_member.pk}
    assert set(item_y.invitations.values_list("membership__user", flat=True)) == {ocmw_member.pk}
    agenda = page.locator("main ol.agenda > li")
    expect(agenda).to_have_count(2)
    expect(agenda.nth(0)).to_contain_text(f"{school_member.full_name} ({school.name})")
    expect(agenda.nth(1)).to_contain_text(f"{ocmw_member.full_name} ({ocmw.name})")
    journey.check_axe(page, "meeting page")  # the coordinator's tools on a draft

    # A draft is the coordinator's alone.
    assert journey.status(school_member, meeting_path) == 404

    # --- 3. Publication.
    submit(page, f"main form[action='/meetings/{meeting.pk}/publish/']")
    journey.on_page(page, meeting_path)
    journey.message(page, _("The agenda is published and the invitations are sent."))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED
    expect(page.locator("main .facts .badge")).to_have_text(journey.label(MeetingStatus.PUBLISHED))
    journey.check_axe(page, "meeting page")

    # --- 4. Each participant sees their own item only.
    for member, own, own_case, other, other_case, summary in (
        (school_member, item_x, case_x, item_y, case_y, SUMMARY_X),
        (ocmw_member, item_y, case_y, item_x, case_x, SUMMARY_Y),
    ):
        page = journey.visit(member, "/meetings/")
        journey.heading(page, _("Meetings"))
        expect(page.locator(f"main a[href='{meeting_path}']")).to_have_count(1)
        journey.check_axe(page, "meeting list")
        with page.expect_navigation():
            page.locator(f"main a[href='{meeting_path}']").click()
        journey.on_page(page, meeting_path)
        journey.heading(page, meeting_title)
        main = page.locator("main")
        expect(main.locator("ol.agenda > li")).to_have_count(1)
        expect(main).to_contain_text(own_case.reference)
        expect(main).not_to_contain_text(other_case.reference)
        expect(main.locator("form")).to_have_count(0)  # no coordinator tools
        journey.check_axe(page, "meeting page")
        own_path = f"{meeting_path}items/{own.pk}/"
        with page.expect_navigation():
            page.locator(f"main a[href='{own_path}']").click()
        journey.on_page(page, own_path)
        journey.heading(
            page, _("Agenda item: %(kind)s") % {"kind": journey.label(ItemKind(own.kind))}
        )
        expect(page.locator("#dossier-heading")).to_have_text(_("Item dossier"))
        expect(page.locator("main")).to_contain_text(summary)
        journey.check_axe(page, "item page")
        for path in (
            f"{meeting_path}items/{other.pk}/",
            f"{meeting_path}items/{other.pk}/minutes/",
            f"/cases/{other_case.pk}/",
            f"/cases/{other_case.pk}/pathway/",
        ):
            assert journey.status(member, path) == 404, (member.full_name, path)

    # --- 5. The meeting starts; the coordinator records who is present for what.
    page = journey.visit(coordinator, meeting_path)
    submit(page, f"main form[action='/meetings/{meeting.pk}/start/']")
    journey.on_page(page, meeting_path)
    journey.message(page, _("The meeting has started: the list is locked."))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.STARTED
    for member, item in ((school_member, item_x), (ocmw_member, item_y)):
        form = (
            f"main form[action='/meetings/{meeting.pk}/attendance/']"
            f":has(input[name=user][value='{member.pk}'])"
        )
        page.locator(f"#present-{member.pk}-{item.pk}").check()
        submit(page, form)
        journey.on_page(page, meeting_path)
        journey.message(page, _("Attendance is recorded."))
    assert set(item_x.present.all()) == {school_member}
    assert set(item_y.present.all()) == {ocmw_member}
    expect(page.locator("#attendance-heading")).to_have_text(_("Attendance and confirmations"))
    journey.check_axe(page, "meeting page")  # attendance table of a started meeting

    # --- 6. Each participant confirms art. 458ter in their own browser; no content before.
    for member, own, summary in (
        (school_member, item_x, SUMMARY_X),
        (ocmw_member, item_y, SUMMARY_Y),
    ):
        own_path = f"{meeting_path}items/{own.pk}/"
        page = journey.visit(member, own_path)
        expect(page.locator("main .banner[role=status]")).to_have_text(
            _("Confirm the art. 458ter obligation on the meeting page to read this item.")
        )
        expect(page.locator("main")).not_to_contain_text(summary)
        expect(page.locator("#dossier-heading")).to_have_count(0)
        assert journey.status(member, f"{meeting_path}items/{own.pk}/minutes/") == 404
        page = journey.visit(member, meeting_path)
        expect(page.locator("#confirm-heading")).to_have_text(_("Professional secrecy"))
        expect(page.locator("main ol.agenda")).to_contain_text(
            _("Content hidden until you confirm the obligation.")
        )
        submit(page, f"main form[action='/meetings/{meeting.pk}/confirm/']")
        journey.on_page(page, meeting_path)
        journey.message(page, _("Your confirmation is recorded."))
        expect(page.locator("#confirm-heading")).to_have_count(0)
        attendance = Attendance.objects.get(meeting=meeting, user=member)
        assert attendance.confirmed_at is not None
        assert attendance.method == ConfirmationMethod.OWN_DEVICE
        page = journey.visit(member, own_path)
        expect(page.locator("main")).to_contain_text(summary)

    # --- 7. The coordinator writes and proposes the minutes of X and records a decision.
    minutes_path = f"{meeting_path}items/{item_x.pk}/minutes/"
    minutes_title = f"{_('Minutes')}: {journey.label(ItemKind.NEW_CASE)} {case_x.reference}"
    page = journey.visit(coordinator, meeting_path)
    with page.expect_navigation():
        page.locator(f"main a[href='{minutes_path}']").click()
    journey.on_page(page, minutes_path)
    journey.heading(page, minutes_title)
    expect(page.locator("#h-minutes")).to_contain_text(_("Minutes"))
    journey.check_axe(page, "minutes page")
    with page.expect_navigation():
        page.locator(f"main a[href='{minutes_path}edit/']").click()
    journey.on_page(page, f"{minutes_path}edit/")
    journey.heading(page, _("Minutes"))
    journey.check_axe(page, "minutes form")
    form = "main form:has(textarea[name=minutes])"
    page.locator(f"{form} textarea[name=minutes]").fill(MINUTES_X)
    submit(page, form)
    journey.on_page(page, minutes_path)
    journey.message(page, _("The minutes were saved."))
    expect(page.locator("section[aria-labelledby=h-minutes]")).to_contain_text(MINUTES_X)
    submit(page, item_form(meeting, item_x, "minutes/propose"))
    journey.on_page(page, minutes_path)
    journey.message(page, _("The minutes were put to those present for approval."))

    with page.expect_navigation():
        page.locator(f"main a[href='{meeting_path}items/{item_x.pk}/decisions/new/']").click()
    journey.on_page(page, f"{meeting_path}items/{item_x.pk}/decisions/new/")
    journey.heading(page, _("Record a decision"))
    journey.check_axe(page, "decision form")
    due = timezone.localdate() + datetime.timedelta(days=14)
    review = timezone.localdate(meeting.starts_at) + datetime.timedelta(days=42)
    form = "main form:has(textarea[name=text])"
    page.locator(f"{form} textarea[name=text]").fill(DECISION_X)
    page.locator(f"{form} textarea[name=action_description]").fill(ACTION_X)
    page.locator(f"{form} select[name=owner_organisation]").select_option(str(school.pk))
    page.locator(f"{form} input[name=due_on]").fill(due.isoformat())
    page.locator(f"{form} input[name=next_review_on]").fill(review.isoformat())
    submit(page, form)
    journey.on_page(page, minutes_path)
    journey.message(page, _("The decision was recorded."))
    decisions = page.locator("section[aria-labelledby=h-decisions]")
    expect(decisions).to_contain_text(DECISION_X)
    expect(decisions).to_contain_text(f"{_('Action')}: {ACTION_X} · {school.name}")
    journey.check_axe(page, "minutes page")  # with minutes, a decision and those present
    decision = Decision.objects.get(item=item_x)
    action = PathwayAction.objects.get(case=case_x)
    assert decision.action == action
    assert (action.description, action.owner_organisation, action.due_on) == (
        ACTION_X,
        school,
        due,
    )
    case_x.refresh_from_db()
    assert case_x.next_review_on == review
    assert not PathwayAction.objects.filter(case=case_y).exists()

    # --- 8. The school, present for X, approves the minutes; the action is on X's pathway.
    page = journey.visit(school_member, minutes_path)
    journey.heading(page, minutes_title)
    expect(page.locator("main")).to_contain_text(MINUTES_X)
    journey.check_axe(page, "minutes page")  # the participant's approval form
    submit(page, item_form(meeting, item_x, "minutes/approve"))
    journey.on_page(page, minutes_path)
    journey.message(page, _("You approved the minutes."))
    item_x.refresh_from_db()
    assert item_x.minutes_status == MinutesStatus.APPROVED
    expect(page.locator("#h-minutes .badge")).to_have_text(journey.label(MinutesStatus.APPROVED))

    page = journey.visit(school_member, f"/cases/{case_x.pk}/pathway/")
    expect(page.locator("main h2").first).to_have_text(_("Follow-up pathway"))
    row = page.locator("main table tbody tr", has_text=ACTION_X)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text(school.name)
    expect(row.locator("td").nth(2)).to_have_text(journey.short_date(due))

    # --- 9. The minutes PDF: the reader's name (watermark) on every page, their item only.
    for member, own_case, other_case in (
        (school_member, case_x, case_y),
        (ocmw_member, case_y, case_x),
    ):
        page = journey.visit(member, meeting_path)
        expect(page.locator(f"main a[href='{meeting_path}minutes.pdf']")).to_have_count(1)
        pages = pdf_pages(page, f"{meeting_path}minutes.pdf")
        for number, text in enumerate(pages, start=1):
            assert member.full_name in text, f"{member.full_name}: no watermark on page {number}"
        text = "\n".join(pages)
        assert own_case.reference in text
        assert other_case.reference not in text
        others = {school_member, ocmw_member} - {member}
        assert all(other.full_name not in text for other in others)
        if own_case == case_x:
            assert MINUTES_X in " ".join(text.split())
        else:
            assert MINUTES_X not in " ".join(text.split())

    assert journey.axe_checked == AXE_PAGES, AXE_PAGES - journey.axe_checked
    assert not journey.axe, "axe violations:\n" + "\n".join(journey.axe)
