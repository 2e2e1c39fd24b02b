"""Agenda and minutes PDFs: the reader's rights decide the content; watermark on every page."""

import io
from urllib.parse import urlencode

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from casus.access.models import User
from casus.audit.models import AccessKind, AccessLog
from tests.conftest import World, mark_reauthenticated, ready_client

from .test_minutes_fixtures import Held, english, held, others

pytestmark = pytest.mark.django_db
__all__ = ["english", "held"]


def _reader(user: User) -> Client:
    """A logged-in client that has just re-authenticated, as every PDF download asks."""
    return mark_reauthenticated(ready_client(user), user)


def _pages(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


def _long_minutes(held: Held) -> None:
    held.item.minutes = "\n".join(f"Line {n} of the long minutes." for n in range(200))
    held.item.save(update_fields=["minutes"])
    held.hidden.minutes = "Secret minutes of the other."
    held.hidden.save(update_fields=["minutes"])


@pytest.mark.parametrize("kind", ["agenda_pdf", "minutes_pdf"])
def test_watermark_on_every_page_and_hidden_item_absent(
    world: World, held: Held, kind: str
) -> None:
    _long_minutes(held)
    client = _reader(world.partner2)
    response = client.get(reverse(f"meetings:{kind}", args=[held.meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pages = _pages(response.content)
    if kind == "minutes_pdf":
        assert len(pages) > 1
    for text in pages:
        assert "Partner Two" in text
    whole = "\n".join(pages)
    assert "Confidential" in whole
    # partner2 was invited for the case item only: the other case and its minutes are absent.
    assert held.hidden.case.reference not in whole  # type: ignore[union-attr]
    assert "Secret minutes" not in whole
    assert "Other case summary" not in whole
    assert "Annual plan" not in whole
    assert held.case.reference in whole
    if kind == "minutes_pdf":
        assert "Line 199 of the long minutes." in whole
    else:
        assert "Summary of the case item." in whole
    # One row per case whose content is in the document: the visible case item only.
    log = AccessLog.objects.get(actor=world.partner2, kind=AccessKind.PDF)
    assert log.case_id == held.case.pk
    assert log.object_id == str(held.item.pk)
    assert log.data == {"document": kind.removesuffix("_pdf"), "meeting": held.meeting.pk}


def test_pdf_logs_one_row_per_case_item_and_none_for_policy(world: World, held: Held) -> None:
    response = _reader(world.coordinator).get(
        reverse("meetings:agenda_pdf", args=[held.meeting.pk])
    )
    assert response.status_code == 200
    logs = AccessLog.objects.filter(actor=world.coordinator, kind=AccessKind.PDF)
    assert sorted(log.case_id for log in logs) == sorted(
        [held.case.pk, held.hidden.case_id]  # type: ignore[list-item]
    )


def test_the_chair_sees_the_other_item_listed_but_not_its_minutes(world: World, held: Held) -> None:
    _long_minutes(held)
    response = _reader(world.chair).get(reverse("meetings:minutes_pdf", args=[held.meeting.pk]))
    whole = "\n".join(_pages(response.content))
    assert held.hidden.case.reference in whole  # type: ignore[union-attr]
    assert "Secret minutes" not in whole
    assert "Line 0 of the long minutes." in whole
    assert "Chair A" in whole


def test_the_coordinator_sees_everything(world: World, held: Held) -> None:
    _long_minutes(held)
    response = _reader(world.coordinator).get(
        reverse("meetings:minutes_pdf", args=[held.meeting.pk])
    )
    whole = "\n".join(_pages(response.content))
    assert "Secret minutes" in whole
    assert "Annual plan" in whole


@pytest.mark.parametrize("who", ["strategic", "dpo", "cell_admin", "member_b"])
@pytest.mark.parametrize("kind", ["agenda_pdf", "minutes_pdf"])
def test_others_get_404(world: World, held: Held, who: str, kind: str) -> None:
    response = ready_client(getattr(world, who)).get(
        reverse(f"meetings:{kind}", args=[held.meeting.pk])
    )
    assert response.status_code == 404
    assert not AccessLog.objects.filter(kind=AccessKind.PDF).exists()


def test_an_unknown_meeting_is_404(world: World, held: Held) -> None:
    response = _reader(world.coordinator).get(reverse("meetings:agenda_pdf", args=[999999]))
    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["agenda_pdf", "minutes_pdf"])
def test_the_pdf_asks_to_re_authenticate_after_the_meeting_check(
    world: World, held: Held, kind: str
) -> None:
    url = reverse(f"meetings:{kind}", args=[held.meeting.pk])
    response = ready_client(world.partner2).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_reauthenticate')}?{urlencode({'next': url})}"
    assert not AccessLog.objects.filter(kind=AccessKind.PDF).exists()
    # Someone who may not read the meeting gets 404, not the prompt; so does an unknown id.
    assert ready_client(world.member_b).get(url).status_code == 404
    assert ready_client(world.dpo).get(url).status_code == 404
    unknown = reverse(f"meetings:{kind}", args=[999999])
    assert ready_client(world.coordinator).get(unknown).status_code == 404
    # Once re-authenticated, the same request gives the file.
    response = _reader(world.partner2).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_an_unconfirmed_participant_gets_no_content(world: World, held: Held) -> None:
    from casus.meetings.models import Attendance

    Attendance.objects.filter(meeting=held.meeting, user=world.partner1).update(
        confirmed_at=None, method=""
    )
    _long_minutes(held)
    response = _reader(world.partner1).get(reverse("meetings:minutes_pdf", args=[held.meeting.pk]))
    whole = "\n".join(_pages(response.content))
    assert held.case.reference in whole
    assert "Line 0 of the long minutes." not in whole


def test_everyone_who_may_not_read_is_covered() -> None:
    assert set(others("chair", "coordinator", "information_officer", "partner1", "partner2")) == {
        "strategic",
        "dpo",
        "cell_admin",
        "member_b",
    }
