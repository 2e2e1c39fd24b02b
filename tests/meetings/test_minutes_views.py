"""Views of minutes and decisions: status codes, 404 for the forbidden, form errors, logs."""

import pytest
from django.urls import reverse

from casus.audit.models import AccessKind, AccessLog
from casus.meetings.models import AgendaItem, Decision, MinutesStatus
from casus.meetings.services.minutes import minutes_propose, minutes_save
from tests.conftest import World, ready_client

from .test_minutes_fixtures import PRESENT, Held, english, held, others

pytestmark = pytest.mark.django_db
__all__ = ["english", "held"]


def _url(name: str, held: Held, item: AgendaItem | None = None) -> str:
    return reverse(f"meetings:{name}", args=[held.meeting.pk, (item or held.item).pk])


@pytest.mark.parametrize("who", PRESENT)
def test_present_participants_read_the_minutes_page(world: World, held: Held, who: str) -> None:
    user = getattr(world, who)
    response = ready_client(user).get(_url("minutes", held))
    assert response.status_code == 200
    assert AccessLog.objects.filter(actor=user, kind=AccessKind.CASE, case_id=held.case.pk).exists()


@pytest.mark.parametrize("who", others(*PRESENT))
def test_others_get_404_on_the_minutes_page(world: World, held: Held, who: str) -> None:
    response = ready_client(getattr(world, who)).get(_url("minutes", held))
    assert response.status_code == 404


def test_an_outsider_gets_404_on_another_item(world: World, held: Held) -> None:
    response = ready_client(world.partner2).get(_url("minutes", held, held.hidden))
    assert response.status_code == 404


def test_an_item_of_another_meeting_is_404(world: World, held: Held) -> None:
    url = reverse("meetings:minutes", args=[held.meeting.pk + 1000, held.item.pk])
    assert ready_client(world.coordinator).get(url).status_code == 404


def test_the_coordinator_writes_and_proposes(world: World, held: Held) -> None:
    client = ready_client(world.coordinator)
    assert client.get(_url("minutes_edit", held)).status_code == 200
    response = client.post(_url("minutes_edit", held), {"minutes": "Discussed.", "version": "1"})
    assert response.status_code == 302
    response = client.post(_url("minutes_propose", held))
    assert response.status_code == 302
    assert AgendaItem.objects.get(pk=held.item.pk).minutes_status == MinutesStatus.PROPOSED


def test_an_edit_conflict_shows_both_versions(world: World, held: Held) -> None:
    minutes_save(actor=world.coordinator, item=held.item, minutes="Stored text.", version=1)
    response = ready_client(world.coordinator).post(
        _url("minutes_edit", held), {"minutes": "My text.", "version": "1"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Stored text." in body
    assert "My text." in body
    assert 'class="compare"' in body


@pytest.mark.parametrize("data", [{}, {"minutes": "x", "version": "abc"}, {"version": "0"}])
def test_bad_minutes_input_is_a_form_error(world: World, held: Held, data: dict) -> None:
    response = ready_client(world.coordinator).post(_url("minutes_edit", held), data)
    assert response.status_code == 200
    assert AgendaItem.objects.get(pk=held.item.pk).version == 1


@pytest.mark.parametrize("who", ["chair", "information_officer", "partner1", "partner2"])
def test_only_the_coordinator_opens_the_editors(world: World, held: Held, who: str) -> None:
    client = ready_client(getattr(world, who))
    for name in ("minutes_edit", "decision_add"):
        assert client.get(_url(name, held)).status_code == 404
    assert client.post(_url("minutes_propose", held)).status_code == 404


def test_a_present_participant_approves(world: World, held: Held) -> None:
    minutes_save(actor=world.coordinator, item=held.item, minutes="Text.", version=1)
    minutes_propose(actor=world.coordinator, item=AgendaItem.objects.get(pk=held.item.pk))
    client = ready_client(world.partner2)
    page = client.get(_url("minutes", held)).content.decode()
    assert _url("minutes_approve", held) in page
    assert client.post(_url("minutes_approve", held)).status_code == 302
    # A second approval is a message, not an error page.
    assert client.post(_url("minutes_approve", held)).status_code == 302


def test_someone_not_present_gets_404_on_approve(world: World, held: Held) -> None:
    response = ready_client(world.partner2).post(_url("minutes_approve", held, held.policy))
    assert response.status_code == 404


def test_a_decision_through_the_form(world: World, held: Held) -> None:
    school = world.membership(world.partner1).organisation
    response = ready_client(world.coordinator).post(
        _url("decision_add", held),
        {
            "text": "Visit.",
            "action_description": "Visit the parents.",
            "owner_organisation": str(school.pk),
            "due_on": "",
            "next_review_on": "",
        },
    )
    assert response.status_code == 302
    assert Decision.objects.get().action.owner_organisation == school  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"text": "x", "owner_organisation": "999999", "action_description": "Do."},
        {"text": "x", "action_description": "Do."},
        {"text": "x", "next_review_on": "not a date"},
    ],
)
def test_bad_decision_input_is_a_form_error(world: World, held: Held, data: dict) -> None:
    response = ready_client(world.coordinator).post(_url("decision_add", held), data)
    assert response.status_code == 200
    assert not Decision.objects.exists()
