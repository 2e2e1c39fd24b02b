"""The demo's social map: enough published offers and contact points, written through the
services, and loading it twice changes nothing."""

import pytest

from casus.access.models import User
from casus.audit.models import AuditEvent
from casus.demo import socialmap as demo
from casus.socialmap.models import ContactPoint, Offer, Status

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_offers_and_contact_points_once(editor: User) -> None:
    added = demo.load(editor)
    assert added == {"offers": len(demo.OFFERS), "contact_points": len(demo.CONTACT_POINTS)}
    assert Offer.objects.filter(status=Status.PUBLISHED).count() >= 15
    assert ContactPoint.objects.filter(status=Status.PUBLISHED).count() >= 6
    # Dutch- and French-speaking, across several provinces and sectors.
    assert Offer.objects.filter(tags__facet="language", tags__code="nl").exists()
    assert Offer.objects.filter(tags__facet="language", tags__code="fr").exists()
    assert Offer.objects.filter(tags__facet="province").values("tags__code").distinct().count() >= 8
    assert Offer.objects.values("sector").distinct().count() >= 10
    # Written through the services: two audit rows per entry.
    assert AuditEvent.objects.filter(action="SOCIALMAP_OFFER_PUBLISHED").count() == len(demo.OFFERS)
    events = AuditEvent.objects.count()
    assert demo.load(editor) == {"offers": 0, "contact_points": 0}
    assert AuditEvent.objects.count() == events


def test_the_demo_referral_offer(editor: User) -> None:
    assert demo.demo_referral_offer_id() is None
    demo.load(editor)
    offer = Offer.objects.get(pk=demo.demo_referral_offer_id())
    assert (offer.name, offer.organisation) == demo.DEMO_REFERRAL


def test_every_demo_number_and_address_is_fictitious() -> None:
    for values in [*demo.OFFERS, *demo.CONTACT_POINTS]:
        assert values.phone.startswith("02 555 "), values
        assert values.email.endswith(".example.be"), values
        website = getattr(values, "website", "")
        assert not website or ".example.be" in website, values
