"""The demo cell "Demostad": every state of the case lifecycle, built once, and it renders."""

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from casus.access.models import Cell, User
from casus.audit.models import AuditEvent
from casus.cases.attachments import attachment_path, open_stored
from casus.cases.models import (
    ActionStatus,
    Assessment,
    Attachment,
    Case,
    CaseStatus,
    ClosureReason,
    ExternalInstrument,
    JournalEntry,
    PathwayAction,
    Review,
    ScenarioKind,
    ScenarioTemplate,
    ScreeningOutcome,
    Signal,
    SignalStatus,
    Visibility,
)
from casus.demo import loader
from casus.demo.loader import CELL_NAME, load_demo
from tests.conftest import ready_client

COORDINATOR = "coordinator@demo.casus.test"
OFFICER = "info-officier@demo.casus.test"
SCHOOL = "school@demo.casus.test"
OCMW = "ocmw@demo.casus.test"


@pytest.fixture
def demo_dirs(db: None, settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    # The demo hashes nine passwords per load; argon2 would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CASUS_ATTACHMENT_DIR = tmp_path / "att"
    return tmp_path


@pytest.fixture
def demo(demo_dirs: Path) -> Cell:
    load_demo()
    return Cell.objects.get(name=CELL_NAME)


def _follow_up_case(cell: Cell) -> Case:
    return Case.objects.get(cell=cell, status=CaseStatus.FOLLOW_UP)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_every_case_and_signal_status(demo: Cell) -> None:
    cases = Case.objects.filter(cell=demo)
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    signals = Signal.objects.filter(cell=demo)
    assert set(signals.values_list("status", flat=True)) == set(SignalStatus.values)
    # Closed with a positive evolution, and closed for another reason (or "moved").
    closed = set(cases.filter(status=CaseStatus.CLOSED).values_list("closure_reason", flat=True))
    assert ClosureReason.POSITIVE in closed
    assert len(closed) == 2
    # Reopened by a new signal: back on the case list.
    reopened = cases.get(reopen_count=1)
    assert reopened.status == CaseStatus.ON_LIST
    assert reopened.signals.filter(status=SignalStatus.JOINED).exists()
    assert AuditEvent.objects.filter(action="CASE_REOPENED", case_id=reopened.pk).count() == 1


def test_signals_show_each_screening_step(demo: Cell) -> None:
    signals = Signal.objects.filter(cell=demo)
    received = signals.get(status=SignalStatus.RECEIVED)
    assert received.coordinator_opinion and not received.officer_opinion
    proposed = signals.get(status=SignalStatus.PROPOSED)
    assert proposed.coordinator_opinion and proposed.officer_opinion
    assert proposed.screening_summary and proposed.decided_at is None
    refused = signals.get(status=SignalStatus.NOT_RETAINED)
    assert refused.screening_outcome == ScreeningOutcome.ORDINARY_CARE
    assert refused.referral and refused.handled_at is not None
    outside = signals.get(source_anonymous=True)
    assert outside.reported_by is None and outside.source_description
    assert outside.entered_by.email == COORDINATOR
    # One signal joined an open case (the follow-up case), another reopened a closed one.
    joined = signals.filter(status=SignalStatus.JOINED)
    assert _follow_up_case(demo).pk in set(joined.values_list("case_id", flat=True))
    # Dates spread over the last months; references follow the order of arrival.
    dates = [s.received_at for s in signals.order_by("reference")]
    assert dates == sorted(dates)
    assert (dates[-1] - dates[0]).days > 90
    for signal in signals:
        assert signal.subject_birth_date is not None
        assert signal.subject_municipality is not None


def test_follow_up_case_is_complete(demo: Cell) -> None:
    case = _follow_up_case(demo)
    participants = set(
        case.participations.filter(revoked_at__isnull=True).values_list(
            "organisation__name", flat=True
        )
    )
    assert participants == {"Sint-Jozefcollege Demostad", "OCMW Demostad"}
    assert case.lead_organisation is not None
    assert case.lead_organisation.name == "Sint-Jozefcollege Demostad"
    journal = JournalEntry.objects.filter(case=case)
    assert set(journal.values_list("visibility", flat=True)) == set(Visibility.values)
    assert journal.get(visibility=Visibility.POLICE).author.email == OFFICER
    assert journal.filter(for_meeting=True).exists()
    assert journal.filter(revisions__isnull=False).exists()
    versions = Assessment.objects.filter(case=case)
    assert versions.count() >= 2
    for assessment in versions:
        assert assessment.domains.count() >= 3
    assert ExternalInstrument.objects.filter(case=case).exists()
    assert case.goals.count() >= 3
    actions = PathwayAction.objects.filter(case=case)
    assert any(action.is_overdue() for action in actions)
    assert actions.filter(status=ActionStatus.DONE).exists()
    assert AuditEvent.objects.filter(action="PATHWAY_SCENARIO_APPLIED", case_id=case.pk).exists()
    assert Review.objects.filter(case=case).exists()
    assert case.next_review_on is not None
    assert set(ScenarioTemplate.objects.filter(cell=demo).values_list("kind", flat=True)) == set(
        ScenarioKind.values
    )


def test_attachments_are_stored(demo: Cell, demo_dirs: Path) -> None:
    attachments = Attachment.objects.filter(case__cell=demo)
    assert attachments.count() >= 2
    assert {"application/pdf", "text/plain; charset=utf-8"} <= set(
        attachments.values_list("content_type", flat=True)
    )
    for attachment in attachments:
        path = attachment_path(attachment.storage_name)
        assert path.parent == demo_dirs / "att"
        # Stored encrypted: the file opens with the row's key to the size recorded.
        with open_stored(attachment.storage_name, attachment.file_key) as handle:
            assert len(handle.read()) == attachment.size
    pdf = attachments.get(content_type="application/pdf")
    assert not attachment_path(pdf.storage_name).read_bytes().startswith(b"%PDF-")
    with open_stored(pdf.storage_name, pdf.file_key) as handle:
        assert handle.read().startswith(b"%PDF-")


def test_everything_went_through_the_services(demo: Cell) -> None:
    """Each signal, case, journal entry and attachment has its change-log row."""
    for action, model in (
        ("SIGNAL_SUBMITTED", Signal),
        ("CASE_OPENED", Case),
        ("JOURNAL_ENTRY_CREATED", JournalEntry),
        ("ATTACHMENT_UPLOADED", Attachment),
    ):
        logged = set(
            AuditEvent.objects.filter(
                action=action, object_type=model._meta.label_lower
            ).values_list("object_id", flat=True)
        )
        assert logged == {str(pk) for pk in model._default_manager.values_list("pk", flat=True)}


def test_second_load_adds_nothing(demo: Cell, demo_dirs: Path) -> None:
    before = _row_counts()
    files = sorted((demo_dirs / "att").iterdir())
    logins = {login["email"]: login["password"] for login in load_demo()}
    assert _row_counts() == before
    assert sorted((demo_dirs / "att").iterdir()) == files
    stored = {login["email"]: login["password"] for login in load_demo()}
    assert logins == stored


def test_cases_added_to_a_demo_cell_from_before(demo_dirs: Path) -> None:
    """A demo database made before the cases existed gets them on the next run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "build_cases", lambda cell, people: False)
        load_demo()
    cell = Cell.objects.get(name=CELL_NAME)
    assert not Signal.objects.filter(cell=cell).exists()
    load_demo()
    assert set(Case.objects.filter(cell=cell).values_list("status", flat=True)) == set(
        CaseStatus.values
    )


def test_demo_pages_render_for_the_coordinator(demo: Cell) -> None:
    client = ready_client(User.objects.get(email=COORDINATOR), demo)
    case = _follow_up_case(demo)
    assert client.get(reverse("cases:list")).status_code == 200
    for name in ("detail", "journal", "attachments", "assessment", "pathway"):
        response = client.get(reverse(f"cases:{name}", args=[case.pk]))
        assert response.status_code == 200, name
    for other in Case.objects.filter(cell=demo).exclude(pk=case.pk):
        assert client.get(reverse("cases:detail", args=[other.pk])).status_code == 200
    # The coordinator never reads the police-only entry.
    police = JournalEntry.objects.get(case=case, visibility=Visibility.POLICE)
    journal = client.get(reverse("cases:journal", args=[case.pk]))
    assert police.text not in journal.content.decode()
    assert client.get(reverse("cases:signals")).status_code == 200


def test_demo_pages_render_for_the_lead_partner(demo: Cell) -> None:
    client = ready_client(User.objects.get(email=SCHOOL), demo)
    case = _follow_up_case(demo)
    for name in ("detail", "journal", "assessment", "pathway"):
        assert client.get(reverse(f"cases:{name}", args=[case.pk])).status_code == 200, name
    # The OCMW's own-organisation entry stays with the OCMW.
    own = JournalEntry.objects.get(case=case, visibility=Visibility.OWN_ORGANISATION)
    assert own.text not in client.get(reverse("cases:journal", args=[case.pk])).content.decode()
    ocmw = ready_client(User.objects.get(email=OCMW), demo)
    assert own.text in ocmw.get(reverse("cases:journal", args=[case.pk])).content.decode()
