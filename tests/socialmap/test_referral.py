"""A not-retained screening refers the person to a published social-map offer: allowed only
with a not-retained outcome and a published offer, recorded in the screening's audit event,
shown on the signal page to those who see the screening, never to the reporter."""

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from casus.access.models import User
from casus.audit.selectors import event_values
from casus.cases.forms.signals import ScreenForm
from casus.cases.models import ScreeningOutcome, Signal, SignalStatus
from casus.cases.services.signals import signal_screen
from casus.core.exceptions import RuleViolation
from casus.socialmap import services
from casus.socialmap.models import Offer, Status
from tests.cases.helpers import signal_with_opinions
from tests.conftest import World, ready_client
from tests.helpers import no_audit_events, one_audit_event

from .helpers import make_offer

pytestmark = pytest.mark.django_db

NOT_RETAINED = [
    ScreeningOutcome.ORDINARY_CARE,
    ScreeningOutcome.NO_SIGNS,
    ScreeningOutcome.FOLLOWED_ELSEWHERE,
]


@pytest.fixture
def offer(editor: User) -> Offer:
    return make_offer(editor, name="Teen team", organisation="CGG Example", sector="mental_health")


def _screen(actor: User, signal: Signal, outcome: str, offer_id: int | None) -> Signal:
    return signal_screen(
        actor=actor,
        signal=signal,
        outcome=outcome,
        summary="Summary." if outcome == ScreeningOutcome.PROPOSED else "",
        referral="See the offer.",
        version=signal.version,
        referred_offer_id=offer_id,
    )


# --- The service ----------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", NOT_RETAINED)
def test_a_not_retained_screening_refers_to_a_published_offer(
    world: World, offer: Offer, outcome: str
) -> None:
    signal = signal_with_opinions(world)
    actor = world.coordinator
    with one_audit_event("SIGNAL_SCREENED", actor=actor, cell=world.cell_a) as recorded:
        signal = _screen(actor, signal, outcome, offer.pk)
    assert signal.status == SignalStatus.NOT_RETAINED
    assert Signal.objects.get(pk=signal.pk).referred_offer == offer
    event = recorded.event
    assert event is not None
    # In the screening's own event: the field name for the DPO, the value sealed.
    assert "referred_offer" in event.data["fields"]
    assert event_values(event)["referred_offer"] == [None, offer.pk]


def test_a_screening_without_an_offer_records_none(world: World) -> None:
    signal = _screen(world.information_officer, signal_with_opinions(world), "no_signs", None)
    assert signal.referred_offer is None


def test_an_offer_with_a_proposal_to_the_chair_is_refused(world: World, offer: Offer) -> None:
    signal = signal_with_opinions(world)
    with no_audit_events(), pytest.raises(RuleViolation) as refusal:
        _screen(world.coordinator, signal, ScreeningOutcome.PROPOSED, offer.pk)
    assert "only when the signal is not retained" in refusal.value.message
    signal.refresh_from_db()
    assert (signal.status, signal.referred_offer_id) == (SignalStatus.RECEIVED, None)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_an_unpublished_offer_is_refused(world: World, editor: User, status: str) -> None:
    unpublished = make_offer(editor, status=status)
    signal = signal_with_opinions(world)
    with no_audit_events(), pytest.raises(RuleViolation) as refusal:
        _screen(world.coordinator, signal, "ordinary_care", unpublished.pk)
    assert "not (or no longer) published" in refusal.value.message
    signal.refresh_from_db()
    assert signal.status == SignalStatus.RECEIVED


def test_an_unknown_offer_is_refused(world: World) -> None:
    signal = signal_with_opinions(world)
    with no_audit_events(), pytest.raises(RuleViolation):
        _screen(world.coordinator, signal, "ordinary_care", 987654)


def test_a_referred_offer_is_archived_never_deleted(world: World, offer: Offer) -> None:
    _screen(world.coordinator, signal_with_opinions(world), "ordinary_care", offer.pk)
    with pytest.raises(ProtectedError):
        offer.delete()


# --- The form and the pages -----------------------------------------------------------------


def test_the_screening_form_offers_published_offers_grouped_by_sector(
    world: World, editor: User, offer: Offer
) -> None:
    make_offer(editor, name="Hidden draft", status=Status.DRAFT)
    make_offer(editor, name="Gone", status=Status.ARCHIVED)
    make_offer(editor, name="Street work", sector="youth_work")
    signal = signal_with_opinions(world)
    page = ready_client(world.coordinator).get(reverse("cases:signal_detail", args=[signal.pk]))
    html = page.content.decode()
    assert '<optgroup label="Mental health care">' in html
    assert '<optgroup label="Youth work">' in html
    assert "Teen team — CGG Example (Antwerp)" in html
    assert "Street work" in html
    assert "Hidden draft" not in html and "Gone" not in html


def test_the_form_refuses_an_offer_with_a_proposal(world: World, offer: Offer) -> None:
    data = {"outcome": "proposed", "summary": "S", "referred_offer": offer.pk, "version": 1}
    form = ScreenForm(data)
    assert not form.is_valid()
    assert form.errors["referred_offer"] == [
        "Refer to an offer only when the signal is not retained."
    ]


def test_the_form_refuses_an_offer_that_is_not_listed(world: World, editor: User) -> None:
    draft = make_offer(editor, status=Status.DRAFT)
    form = ScreenForm({"outcome": "no_signs", "referred_offer": draft.pk, "version": 1})
    assert not form.is_valid()
    assert "referred_offer" in form.errors


def _screen_by_post(world: World, signal: Signal, offer: Offer) -> Client:
    client = ready_client(world.coordinator)
    response = client.post(
        reverse("cases:signal_screen", args=[signal.pk]),
        {"outcome": "ordinary_care", "referral": "Call them.", "referred_offer": offer.pk,
         "version": signal.version},
    )  # fmt: skip
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("who", ["coordinator", "information_officer"])
def test_the_signal_page_shows_the_offer_to_the_screeners(
    world: World, offer: Offer, who: str
) -> None:
    signal = signal_with_opinions(world)
    _screen_by_post(world, signal, offer)
    html = (
        ready_client(getattr(world, who))
        .get(reverse("cases:signal_detail", args=[signal.pk]))
        .content.decode()
    )
    assert "Offer on the social map" in html
    assert reverse("socialmap:offer", args=[offer.pk]) in html
    assert "CGG Example" in html and "Mental health care" in html
    assert "02 555 12 34" in html


def test_an_archived_offer_still_shows_on_the_signal(
    world: World, editor: User, offer: Offer
) -> None:
    signal = signal_with_opinions(world)
    _screen_by_post(world, signal, offer)
    services.offer_archive(actor=editor, offer=offer, version=offer.version)
    html = (
        ready_client(world.coordinator)
        .get(reverse("cases:signal_detail", args=[signal.pk]))
        .content.decode()
    )
    assert "Teen team" in html
    assert "no longer on the social map" in html
    assert reverse("socialmap:offer", args=[offer.pk]) not in html


def test_the_reporter_learns_nothing_of_the_referral(world: World, offer: Offer) -> None:
    signal = signal_with_opinions(world)
    assert signal.reported_by == world.partner1
    _screen_by_post(world, signal, offer)
    reporter = ready_client(world.partner1)
    html = reporter.get(reverse("cases:signals")).content.decode()
    assert signal.reference in html
    assert "Teen team" not in html and "CGG Example" not in html
    assert reporter.get(reverse("cases:signal_detail", args=[signal.pk])).status_code == 404
