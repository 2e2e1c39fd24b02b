"""Reads of the social map: everyone logged in reads what is published; knowledge editors
also read drafts and archived entries. Anything else answers 404."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from casus.access.models import User
from casus.access.rules import InstallationAction, can_installation, require_installation
from casus.core.exceptions import Forbidden
from casus.knowledge.search import fold

from .models import ContactPoint, Facet, Offer, OfferTag, Province, Status


@dataclass(frozen=True)
class OfferFilters:
    """What the offer list is narrowed to; empty means "any"."""

    q: str = ""
    sector: str = ""
    province: str = ""
    age_group: str = ""
    language: str = ""
    status: str = ""  # knowledge editors only


@dataclass(frozen=True)
class ContactPointFilters:
    q: str = ""
    sector: str = ""
    province: str = ""
    status: str = ""  # knowledge editors only


def _visible_status(actor: User, status: str) -> Q:
    """Published entries for everyone; an editor may ask for drafts or archived ones."""
    if can_installation(actor, InstallationAction.KNOWLEDGE_EDIT):
        return Q(status=status) if status in Status.values else Q()
    return Q(status=Status.PUBLISHED)


def _regions(province: str) -> list[str]:
    """An offer for all of Belgium serves every province."""
    return [province] if province == Province.NATIONAL else [province, Province.NATIONAL]


def _tagged(facet: str, codes: list[str]) -> Exists:
    return Exists(OfferTag.objects.filter(offer=OuterRef("pk"), facet=facet, code__in=codes))


#: A query is cut to this many characters (before and after folding) and words.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8


def _words(q: str) -> list[str]:
    """The folded words of ``q`` (lower case, no accents or control characters), as the
    services fold ``search_text``: "École", "ecole" and "ÉCOLE" are the same word."""
    return fold(q[:MAX_QUERY_LENGTH])[:MAX_QUERY_LENGTH].split()[:MAX_QUERY_WORDS]


def offer_list_for(*, actor: User, filters: OfferFilters | None = None) -> QuerySet[Offer]:
    """The offers ``actor`` may read, narrowed by ``filters``; each word of ``q`` must appear,
    case and accents aside, in the name, the organisation, what they offer, the target group
    or the municipalities (``Offer.SEARCH_FIELDS``)."""
    filters = filters or OfferFilters()
    offers = Offer.objects.filter(_visible_status(actor, filters.status))
    if filters.sector:
        offers = offers.filter(sector=filters.sector)
    if filters.province:
        offers = offers.filter(_tagged(Facet.PROVINCE, _regions(filters.province)))
    if filters.age_group:
        offers = offers.filter(_tagged(Facet.AGE_GROUP, [filters.age_group]))
    if filters.language:
        offers = offers.filter(_tagged(Facet.LANGUAGE, [filters.language]))
    for word in _words(filters.q):
        offers = offers.filter(search_text__contains=word)
    return offers.prefetch_related("tags").order_by("name", "pk")


def offer_get_for(*, actor: User, pk: object) -> Offer:
    """One offer ``actor`` may read (published, or any for an editor); 404 otherwise."""
    try:
        return offer_list_for(actor=actor).select_related("created_by", "updated_by").get(pk=pk)  # type: ignore[misc]
    except (Offer.DoesNotExist, ValueError, TypeError):
        raise Forbidden("offer") from None


def offer_get_for_edit(*, actor: User, pk: object) -> Offer:
    """One offer, in any status, for a knowledge editor to change; 404 for anyone else."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    try:
        return Offer.objects.prefetch_related("tags").get(pk=pk)  # type: ignore[misc]
    except (Offer.DoesNotExist, ValueError, TypeError):
        raise Forbidden("offer") from None


def offers_for_referral() -> QuerySet[Offer]:
    """The published offers a screening may refer to, by sector then name.

    The screeners are checked by the screening service; offers are installation-wide and
    readable by everyone logged in, so this needs no actor.
    """
    return Offer.objects.filter(status=Status.PUBLISHED).order_by("sector", "name", "pk")


def contact_point_list_for(
    *, actor: User, filters: ContactPointFilters | None = None
) -> QuerySet[ContactPoint]:
    """The contact points ``actor`` may read, narrowed by ``filters``; each word of ``q`` must
    appear, case and accents aside, in one of ``ContactPoint.SEARCH_FIELDS``."""
    filters = filters or ContactPointFilters()
    points = ContactPoint.objects.filter(_visible_status(actor, filters.status))
    if filters.sector:
        points = points.filter(sector=filters.sector)
    if filters.province:
        points = points.filter(province__in=_regions(filters.province))
    for word in _words(filters.q):
        points = points.filter(search_text__contains=word)
    return points.order_by("sector", "organisation", "pk")


def contact_point_get_for(*, actor: User, pk: object) -> ContactPoint:
    """One contact point ``actor`` may read; 404 otherwise."""
    try:
        return contact_point_list_for(actor=actor).get(pk=pk)  # type: ignore[misc]
    except (ContactPoint.DoesNotExist, ValueError, TypeError):
        raise Forbidden("contact point") from None


def contact_point_get_for_edit(*, actor: User, pk: object) -> ContactPoint:
    """One contact point, in any status, for a knowledge editor; 404 for anyone else."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    try:
        return ContactPoint.objects.get(pk=pk)  # type: ignore[misc]
    except (ContactPoint.DoesNotExist, ValueError, TypeError):
        raise Forbidden("contact point") from None


def offer_lock_for_referral(*, pk: object) -> Offer | None:
    """The published offer ``pk``, locked until the caller's transaction ends, or None.

    The screening service calls it inside its transaction: an editor archiving the offer at the
    same moment waits, so a referral never points at an offer withdrawn before it was saved.
    """
    try:
        return Offer.objects.select_for_update().filter(pk=pk, status=Status.PUBLISHED).first()  # type: ignore[misc]
    except (ValueError, TypeError):
        return None


def referral_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The published offers as grouped choices (by sector) for the screening form."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for offer in offers_for_referral().prefetch_related("tags"):
        regions = ", ".join(offer.province_labels)
        label = f"{offer.name} — {offer.organisation} ({regions})"
        groups.setdefault(offer.get_sector_display(), []).append((str(offer.pk), label))
    return list(groups.items())
