"""The demo's meetings: a past one with minutes and a sent feedback sheet, an upcoming one
with a published agenda; built once, and their pages render."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from casus.access.models import Cell, User
from casus.audit.models import AuditEvent
from casus.cases.models import CaseGrant, GrantReason
from casus.demo import loader
from casus.demo.loader import CELL_NAME, load_demo
from casus.meetings.models import (
    Attendance,
    Direction,
    ExchangeEntry,
    FeedbackStatus,
    Invitation,
    ItemKind,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from tests.conftest import ready_client

COORDINATOR = "coordinator@demo.casus.test"


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


def _past(cell: Cell) -> Meeting:
    return Meeting.objects.get(cell=cell, status=MeetingStatus.ENDED)


def _upcoming(cell: Cell) -> Meeting:
    return Meeting.objects.get(cell=cell, status=MeetingStatus.PUBLISHED)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_past_meeting_with_minutes_and_a_sent_feedback_sheet(demo: Cell) -> None:
    assert Meeting.objects.filter(cell=demo).count() == 2
    meeting = _past(demo)
    now = timezone.now()
    assert meeting.starts_at < now - timedelta(days=14)
    assert meeting.started_at is not None and meeting.ended_at is not None
    assert meeting.starts_at <= meeting.started_at < meeting.ended_at < now - timedelta(days=14)
    assert meeting.published_at is not None and meeting.published_at < meeting.starts_at
    items = list(meeting.items.all())
    assert {item.kind for item in items} == {ItemKind.REVIEW, ItemKind.POLICY}
    for item in items:
        assert item.minutes_status == MinutesStatus.APPROVED
        assert item.present.count() == 5
        assert item.decisions.exists()
    case_item = next(item for item in items if item.case_id is not None)
    assert case_item.case is not None
    assert case_item.case.subject_given_names == "Amber"
    invited = set(case_item.invitations.values_list("membership__user__email", flat=True))
    assert {"school@demo.casus.test", "ocmw@demo.casus.test"} <= invited
    decision = case_item.decisions.get(action__isnull=False)
    assert decision.action is not None and decision.action.case_id == case_item.case_id
    attendances = Attendance.objects.filter(meeting=meeting)
    assert attendances.count() == 5
    assert not attendances.filter(confirmed_at__isnull=True).exists()
    sheet = case_item.feedback_sheets.get()
    assert sheet.status == FeedbackStatus.SENT
    assert sheet.votes.count() == 5
    register = ExchangeEntry.objects.filter(cell=demo)
    assert register.filter(feedback_sheet=sheet, direction=Direction.OUTGOING).exists()
    incoming = register.filter(direction=Direction.INCOMING)
    assert any(entry.reference.startswith("PV ") for entry in incoming)
    # Through the services: the change log holds the course of the meeting.
    for action in ("MEETING_PUBLISHED", "MEETING_STARTED", "MEETING_ENDED"):
        assert AuditEvent.objects.filter(action=action, object_id=str(meeting.pk)).exists()


def test_upcoming_meeting_is_published_with_window_grants(demo: Cell) -> None:
    meeting = _upcoming(demo)
    now = timezone.now()
    assert now + timedelta(days=5) < meeting.starts_at < now + timedelta(days=9)
    items = list(meeting.items.all())
    kinds = {item.kind for item in items}
    assert ItemKind.POLICY in kinds
    assert {ItemKind.NEW_CASE, ItemKind.REVIEW} <= kinds
    assert Invitation.objects.filter(item__meeting=meeting).exists()
    # The outsider invited for a case item, and the chair for every case item.
    outsider = CaseGrant.objects.filter(
        reason=GrantReason.MEETING,
        source_type=Invitation._meta.label_lower,
        source_id__in=Invitation.objects.filter(item__meeting=meeting).values("pk"),
        dossier=False,
    )
    assert outsider.exists()
    for grant in outsider:
        assert grant.valid_until is not None and grant.valid_until > meeting.starts_at


def test_second_load_adds_nothing(demo: Cell) -> None:
    before = _row_counts()
    load_demo()
    assert _row_counts() == before


def test_meetings_added_to_a_demo_cell_from_before(demo_dirs: Path) -> None:
    """A demo database made before the meetings existed gets them on the next run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "build_meetings", lambda cell, people: False)
        load_demo()
    cell = Cell.objects.get(name=CELL_NAME)
    assert not Meeting.objects.filter(cell=cell).exists()
    load_demo()
    assert Meeting.objects.filter(cell=cell).count() == 2


def test_meeting_pages_render_for_the_coordinator(demo: Cell) -> None:
    client = ready_client(User.objects.get(email=COORDINATOR), demo)
    assert client.get(reverse("meetings:list")).status_code == 200
    for meeting in (_past(demo), _upcoming(demo)):
        assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
        for item in meeting.items.all():
            url = reverse("meetings:item", args=[meeting.pk, item.pk])
            assert client.get(url).status_code == 200, item.kind
