"""Views of feedback sheets: the warning, who opens what, form errors, never 500."""

import pytest
from django.urls import reverse
from django.utils import timezone

from casus.meetings.models import FeedbackSheet, FeedbackStatus, FeedbackVote, Vote
from casus.meetings.services.feedback import feedback_draft, feedback_submit, feedback_vote
from tests.conftest import World, ready_client

from .test_minutes_fixtures import PRESENT, Held, english, held, others

pytestmark = pytest.mark.django_db
__all__ = ["english", "held"]

FIELDS = {
    "reason": "Risk.",
    "cell_assessment": "Worrying.",
    "measures": "Pathway.",
    "request": "Inform us.",
    "contact": "Coordinator A",
}


def _sheet(world: World, held: Held, submitted: bool = True) -> FeedbackSheet:
    sheet = feedback_draft(actor=world.information_officer, item=held.item, **FIELDS)
    if submitted:
        sheet = feedback_submit(actor=world.information_officer, sheet=sheet)
    return sheet


def _url(name: str, sheet: FeedbackSheet) -> str:
    return reverse(f"meetings:{name}", args=[sheet.pk])


def test_the_new_sheet_form_warns_not_to_copy(world: World, held: Held) -> None:
    client = ready_client(world.information_officer)
    url = reverse("meetings:feedback_new", args=[held.meeting.pk, held.item.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Do not copy meeting content" in page.content.decode()
    response = client.post(url, FIELDS)
    assert response.status_code == 302
    assert FeedbackSheet.objects.get().reason == "Risk."


@pytest.mark.parametrize("who", others("information_officer"))
def test_only_the_officer_opens_the_new_sheet_form(world: World, held: Held, who: str) -> None:
    url = reverse("meetings:feedback_new", args=[held.meeting.pk, held.item.pk])
    assert ready_client(getattr(world, who)).get(url).status_code == 404


def test_a_policy_item_sheet_is_a_form_error(world: World, held: Held) -> None:
    url = reverse("meetings:feedback_new", args=[held.meeting.pk, held.policy.pk])
    response = ready_client(world.information_officer).post(url, FIELDS)
    assert response.status_code == 200
    assert not FeedbackSheet.objects.exists()


@pytest.mark.parametrize("who", PRESENT)
def test_present_participants_open_the_sheet(world: World, held: Held, who: str) -> None:
    sheet = _sheet(world, held)
    response = ready_client(getattr(world, who)).get(_url("feedback", sheet))
    assert response.status_code == 200
    assert "Do not copy meeting content" in response.content.decode()


@pytest.mark.parametrize("who", others(*PRESENT))
def test_others_get_404_on_the_sheet(world: World, held: Held, who: str) -> None:
    sheet = _sheet(world, held)
    client = ready_client(getattr(world, who))
    assert client.get(_url("feedback", sheet)).status_code == 404
    assert client.post(_url("feedback_vote", sheet), {"vote": "approve"}).status_code == 404


def test_voting_through_the_page(world: World, held: Held) -> None:
    sheet = _sheet(world, held)
    for who in PRESENT:
        response = ready_client(getattr(world, who)).post(
            _url("feedback_vote", sheet), {"vote": "approve"}
        )
        assert response.status_code == 302
    assert FeedbackSheet.objects.get(pk=sheet.pk).status == FeedbackStatus.APPROVED
    client = ready_client(world.information_officer)
    page = client.get(_url("feedback", sheet)).content.decode()
    assert _url("feedback_sent", sheet) in page
    response = client.post(
        _url("feedback_sent", sheet),
        {"sent_on": timezone.localdate().isoformat(), "counterpart": "ltf", "sent_to": "LTF"},
    )
    assert response.status_code == 302
    assert FeedbackSheet.objects.get(pk=sheet.pk).status == FeedbackStatus.SENT


@pytest.mark.parametrize(
    "data", [{}, {"vote": "maybe"}, {"vote": "object"}, {"vote": "object", "reason": " "}]
)
def test_a_bad_vote_is_a_form_error(world: World, held: Held, data: dict) -> None:
    sheet = _sheet(world, held)
    response = ready_client(world.partner1).post(_url("feedback_vote", sheet), data)
    assert response.status_code == 200
    assert not FeedbackVote.objects.exists()


def test_a_second_vote_is_a_form_error(world: World, held: Held) -> None:
    sheet = _sheet(world, held)
    feedback_vote(actor=world.partner1, sheet=sheet, vote=Vote.APPROVE)
    response = ready_client(world.partner1).post(_url("feedback_vote", sheet), {"vote": "approve"})
    assert response.status_code == 200
    assert "already voted" in response.content.decode()


def test_mark_sent_before_approval_is_a_form_error(world: World, held: Held) -> None:
    sheet = _sheet(world, held)
    response = ready_client(world.information_officer).post(
        _url("feedback_sent", sheet),
        {"sent_on": timezone.localdate().isoformat(), "counterpart": "ltf", "sent_to": "LTF"},
    )
    assert response.status_code == 200
    assert FeedbackSheet.objects.get(pk=sheet.pk).status == FeedbackStatus.IN_APPROVAL


@pytest.mark.parametrize("who", others("information_officer"))
def test_only_the_officer_edits_submits_and_sends(world: World, held: Held, who: str) -> None:
    sheet = _sheet(world, held, submitted=False)
    client = ready_client(getattr(world, who))
    assert client.get(_url("feedback_edit", sheet)).status_code == 404
    assert client.post(_url("feedback_submit", sheet)).status_code == 404
    assert client.get(_url("feedback_sent", sheet)).status_code == 404


def test_edit_and_submit_through_the_pages(world: World, held: Held) -> None:
    sheet = _sheet(world, held, submitted=False)
    client = ready_client(world.information_officer)
    assert client.get(_url("feedback_edit", sheet)).status_code == 200
    response = client.post(
        _url("feedback_edit", sheet), {**FIELDS, "measures": "New.", "version": "1"}
    )
    assert response.status_code == 302
    conflict = client.post(
        _url("feedback_edit", sheet), {**FIELDS, "measures": "Old.", "version": "1"}
    )
    assert conflict.status_code == 200
    assert 'class="compare"' in conflict.content.decode()
    assert client.post(_url("feedback_submit", sheet)).status_code == 302
    assert FeedbackSheet.objects.get(pk=sheet.pk).status == FeedbackStatus.IN_APPROVAL


def test_an_unknown_sheet_is_404(world: World, held: Held) -> None:
    response = ready_client(world.information_officer).get(
        reverse("meetings:feedback", args=[999999])
    )
    assert response.status_code == 404
