"""Social-map entries written the way the services write them."""

from dataclasses import replace
from typing import Any

from casus.access.models import User
from casus.socialmap import services
from casus.socialmap.models import ContactPoint, Offer, Status
from casus.socialmap.services import ContactPointValues, OfferValues

OFFER = OfferValues(
    name="Individual coaching",
    organisation="CAW Voorbeeld",
    sector="welfare",
    description="Coaching for young people in a difficult situation.",
    provinces=("antwerp",),
    target_group="Young people and their families.",
    age_groups=("adolescents",),
    languages=("nl", "fr"),
    phone="02 555 12 34",
    email="onthaal@caw.example.be",
    website="https://caw.example.be",
)

CONTACT_POINT = ContactPointValues(
    sector="public_transport",
    organisation="Federal police, railway police",
    function="Reference person radicalisation",
    province="brussels",
    phone="02 555 43 21",
    email="spc@police.example.be",
)


def offer_values(**changes: Any) -> OfferValues:
    return replace(OFFER, **changes)


def contact_point_values(**changes: Any) -> ContactPointValues:
    return replace(CONTACT_POINT, **changes)


def make_offer(editor: User, *, status: str = Status.PUBLISHED, **changes: Any) -> Offer:
    """An offer written by ``editor``: published (version 2), a draft (1) or archived (3)."""
    offer = services.offer_create(actor=editor, values=offer_values(**changes))
    if status in (Status.PUBLISHED, Status.ARCHIVED):
        offer = services.offer_publish(actor=editor, offer=offer, version=offer.version)
    if status == Status.ARCHIVED:
        offer = services.offer_archive(actor=editor, offer=offer, version=offer.version)
    return offer


def make_contact_point(
    editor: User, *, status: str = Status.PUBLISHED, **changes: Any
) -> ContactPoint:
    """A contact point written by ``editor``, like ``make_offer``."""
    point = services.contact_point_create(actor=editor, values=contact_point_values(**changes))
    if status in (Status.PUBLISHED, Status.ARCHIVED):
        point = services.contact_point_publish(actor=editor, point=point, version=point.version)
    if status == Status.ARCHIVED:
        point = services.contact_point_archive(actor=editor, point=point, version=point.version)
    return point
