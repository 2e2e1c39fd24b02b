"""The PDF case summary: who gets it, what it shows, the watermark, and what it never fetches."""

import datetime
import urllib.request

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from casus.access.rules import case_context, forget_case_contexts
from casus.audit.models import AccessKind, AccessLog, AuditEvent
from casus.audit.selectors import event_values
from casus.cases.identity import pseudonym
from casus.cases.models import (
    ActionStatus,
    Assessment,
    AssessmentDomain,
    Goal,
    LifeDomain,
    PathwayAction,
    Visibility,
)
from casus.cases.pdf import case_summary_html, case_summary_pdf
from casus.core.exceptions import Forbidden
from casus.core.pdf import BASE_URL, StaticOnlyFetcher, html_to_pdf, static_path
from tests.conftest import World, mark_reauthenticated, ready_client

from .conftest import CaseWorld
from .factories import JournalEntryFactory
from .helpers import CASE_READERS, others

pytestmark = pytest.mark.django_db

MAY_READ = CASE_READERS
MAY_NOT_READ = others(*MAY_READ)


@pytest.fixture
def filled(world: World, cases: CaseWorld) -> CaseWorld:
    """Journal entries of every visibility, an assessment in two versions, a pathway."""
    case = cases.case
    school = world.membership(world.partner1).organisation
    JournalEntryFactory(case=case, author=world.partner1, text="Entry for everyone.")
    JournalEntryFactory(
        case=case,
        author=world.information_officer,
        visibility=Visibility.POLICE,
        text="Police-only entry.",
    )
    JournalEntryFactory(
        case=case,
        author=world.partner1,
        visibility=Visibility.OWN_ORGANISATION,
        text="School-only entry.",
    )
    domain = LifeDomain.objects.filter(cell=world.cell_a).first()
    assert domain is not None
    for version, text in ((1, "First assessment."), (2, "Second assessment.")):
        assessment = Assessment.objects.create(
            case=case,
            version=version,
            summary=text,
            created_by=world.partner1,
            organisation=school,
        )
    AssessmentDomain.objects.create(
        assessment=assessment, domain=domain, risk_factors="Isolated at school."
    )
    goal = Goal.objects.create(
        case=case, domain=domain, text="Back to class.", created_by=world.coordinator
    )
    PathwayAction.objects.create(
        case=case,
        goal=goal,
        description="Talk with the parents.",
        owner_organisation=school,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
        status=ActionStatus.PLANNED,
        created_by=world.coordinator,
    )
    return cases


def html_for(world: World, who: str, cases: CaseWorld, at: datetime.datetime | None = None) -> str:
    user = getattr(world, who)
    forget_case_contexts(user)
    return case_summary_html(reader=user, context=case_context(user, cases.case), at=at)


def test_watermark_and_banner(world: World, filled: CaseWorld) -> None:
    at = datetime.datetime(2026, 3, 4, 14, 6, tzinfo=datetime.UTC)
    html = html_for(world, "coordinator", filled, at=at)
    assert 'class="watermark"' in html
    assert "Coordinator A" in html
    assert "15:06" in html  # Brussels time
    assert "Printed for Coordinator A on" in html
    assert "458ter" in html
    assert "position: fixed" in html  # repeated on every page


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        # The whole file, latest assessment only; never police-only entries or another
        # organisation's own entries.
        (
            "coordinator",
            [
                "School A",  # participants
                "Second assessment.",
                "Isolated at school.",
                "Talk with the parents.",
                "Back to class.",
                "Entry for everyone.",
            ],
            ["First assessment.", "Police-only entry.", "School-only entry."],
        ),
        # The chair gets the assessment and the pathway, no journal.
        (
            "chair",
            ["Second assessment.", "Talk with the parents."],
            ["Entry for everyone.", "Police-only entry.", "<h2>Journal</h2>"],
        ),
        # The information officer reads police entries.
        (
            "information_officer",
            ["Police-only entry.", "Entry for everyone."],
            ["School-only entry."],
        ),
        # A participating member reads their own organisation's entries.
        (
            "partner1",
            ["School-only entry.", "Entry for everyone.", "Second assessment."],
            ["Police-only entry."],
        ),
    ],
    ids=["coordinator", "chair", "information_officer", "partner1"],
)
def test_content_follows_the_reader_s_rights(
    world: World, filled: CaseWorld, who: str, shown: list[str], hidden: list[str]
) -> None:
    html = html_for(world, who, filled)
    assert filled.case.subject_name in html
    for text in shown:
        assert text in html, text
    for text in hidden:
        assert text not in html, text


@pytest.mark.parametrize("who", MAY_NOT_READ)
def test_summary_refused(world: World, filled: CaseWorld, who: str) -> None:
    with pytest.raises(Forbidden):
        html_for(world, who, filled)


def test_pdf_bytes(world: World, filled: CaseWorld) -> None:
    user = world.coordinator
    content = case_summary_pdf(reader=user, context=case_context(user, filled.case))
    assert content.startswith(b"%PDF")


@pytest.mark.parametrize("who", MAY_READ)
def test_pdf_view(world: World, filled: CaseWorld, who: str) -> None:
    user = getattr(world, who)
    case = filled.case
    response = mark_reauthenticated(ready_client(user), user).get(
        reverse("cases:pdf", args=[case.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="case-{case.reference}.pdf"'
    assert case.subject_family_name not in disposition
    assert "no-store" in response["Cache-Control"]
    (row,) = AccessLog.objects.filter(actor=user)
    assert row.kind == AccessKind.PDF and row.case_id == case.pk and row.cell_id == case.cell_id


@pytest.mark.parametrize("who", MAY_NOT_READ)
def test_pdf_view_refused(world: World, filled: CaseWorld, who: str) -> None:
    user = getattr(world, who)
    response = mark_reauthenticated(ready_client(user), user).get(
        reverse("cases:pdf", args=[filled.case.pk])
    )
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_pdf_of_a_case_nobody_shares_is_404_for_a_member(world: World, cases: CaseWorld) -> None:
    client = mark_reauthenticated(ready_client(world.partner1), world.partner1)
    assert client.get(reverse("cases:pdf", args=[cases.other.pk])).status_code == 404
    assert client.get(reverse("cases:pdf", args=[99999])).status_code == 404
    assert not AccessLog.objects.exists()


# --- The fetcher: our static files and nothing else ------------------------------------------


def test_static_files_are_served() -> None:
    response = StaticOnlyFetcher().fetch(BASE_URL + "static/casus/casus.css")
    assert response.content_type == "text/css"
    assert b".confidential-banner" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/casus/casus.css",
        "https://casus.invalid:8443/static/casus/casus.css",
        "https://user@casus.invalid/static/casus/casus.css",
        "http://casus.invalid/static/casus/casus.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        BASE_URL + "media/secret.pdf",
        BASE_URL + "static/../config/settings.py",
        BASE_URL + "static/casus/%2e%2e/%2e%2e/config/settings.py",
        BASE_URL + "static/.hidden",
        BASE_URL + "static/",
        BASE_URL + "static/casus\\casus.css",
        BASE_URL + "static/casus/missing.css",
    ],
)
def test_everything_else_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="refused|not found"):
        StaticOnlyFetcher().fetch(url)


def test_static_path() -> None:
    assert static_path(BASE_URL + "static/casus/casus.css") == "casus/casus.css"
    assert static_path("https://evil.example/static/casus/casus.css") is None


def test_an_external_url_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    original = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(url)
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    html = (
        "<html><head><link rel='stylesheet' href='http://127.0.0.1:9/evil.css'>"
        "<link rel='stylesheet' href='/static/casus/casus.css'></head>"
        "<body><img src='https://example.com/track.png'><img src='file:///etc/passwd'>"
        "<p>Hello</p></body></html>"
    )
    assert html_to_pdf(html).startswith(b"%PDF")
    assert opened == []


def _texts(box: object) -> list[str]:
    found = [box.text] if hasattr(box, "text") else []
    for child in getattr(box, "children", None) or []:
        found.extend(_texts(child))
    return found


def test_the_watermark_is_on_every_page(world: World, filled: CaseWorld) -> None:
    for n in range(60):
        JournalEntryFactory(
            case=filled.case, author=world.coordinator, text=f"Long entry {n}. " * 8
        )
    html = html_for(world, "coordinator", filled)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render()
    assert len(document.pages) > 2
    for page in document.pages:
        text = "".join(_texts(page._page_box))
        assert "Coordinator A ·" in text


def test_summary_queries_do_not_grow(
    world: World, filled: CaseWorld, django_assert_max_num_queries
) -> None:
    user = world.partner1
    forget_case_contexts(user)
    context = case_context(user, filled.case)
    with CaptureQueriesContext(connection) as small:
        case_summary_html(reader=user, context=context)
    school = world.membership(user).organisation
    for n in range(10):
        JournalEntryFactory(case=filled.case, author=user, text=f"More {n}.")
        PathwayAction.objects.create(
            case=filled.case,
            description=f"Action {n}.",
            owner_organisation=school,
            created_by=world.coordinator,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        case_summary_html(reader=user, context=context)


# --- Pseudonymised by default; identity with a reason and re-authentication ------------------


def test_the_default_summary_is_pseudonymised(world: World, filled: CaseWorld) -> None:
    user = world.coordinator
    forget_case_contexts(user)
    html = case_summary_html(reader=user, context=case_context(user, filled.case), identity=False)
    case = filled.case
    assert case.subject_family_name not in html and case.subject_given_names not in html
    assert pseudonym(identity_key=case.identity_key) in html
    assert "Second assessment." in html


def test_the_pdf_asks_to_re_authenticate_after_the_case_check(
    world: World, filled: CaseWorld
) -> None:
    url = reverse("cases:pdf", args=[filled.case.pk])
    response = ready_client(world.coordinator).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    # Someone who may not read it gets 404, not the prompt.
    assert ready_client(world.partner2).get(url).status_code == 404
    assert not AccessLog.objects.exists()


def test_identity_needs_a_reason_and_is_recorded(world: World, filled: CaseWorld) -> None:
    user = world.coordinator
    client = mark_reauthenticated(ready_client(user), user)
    url = reverse("cases:pdf", args=[filled.case.pk])
    refused = client.post(url, {"reason": "short"})
    assert refused.status_code == 302 and refused["Location"].endswith(f"/cases/{filled.case.pk}/")
    assert not AccessLog.objects.filter(kind=AccessKind.PDF).exists()
    response = client.post(url, {"reason": "Handover to the juvenile court."})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    row = AccessLog.objects.get(kind=AccessKind.PDF)
    assert row.data == {"identity": True}
    event = AuditEvent.objects.get(action="CASE_IDENTITY_EXPORTED")
    assert event_values(event) == {"export_reason": [None, "Handover to the juvenile court."]}
    assert event.case_id == filled.case.pk and "juvenile" not in event.values_sealed
