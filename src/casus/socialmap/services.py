"""Writes of the social map: knowledge editors create, edit, publish and archive offers and
contact points. Every change is audited (field names, never values) in its own transaction.

Entries are archived, never deleted: a screening may have referred a person to an offer, and
that referral must keep pointing at what was offered then.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from casus.access.models import User
from casus.access.rules import InstallationAction, require_installation
from casus.audit.services import audit_record
from casus.core.exceptions import EditConflict, RuleViolation
from casus.knowledge.search import fold

from .models import FACET_CHOICES, ContactPoint, Entry, Facet, Offer, OfferTag, Status

#: Status changes an editor may make (anything else is refused); a test walks every edge.
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (Status.DRAFT, Status.PUBLISHED),
        (Status.ARCHIVED, Status.PUBLISHED),  # published again
        (Status.DRAFT, Status.ARCHIVED),  # dropped before it was ever published
        (Status.PUBLISHED, Status.ARCHIVED),
    }
)

#: An offer's multi-valued coded fields, and the facet each is stored under.
OFFER_FACETS: dict[str, str] = {
    "provinces": Facet.PROVINCE,
    "age_groups": Facet.AGE_GROUP,
    "languages": Facet.LANGUAGE,
}


@dataclass(frozen=True)
class OfferValues:
    """Everything an editor writes on an offer."""

    name: str
    organisation: str
    sector: str
    description: str
    provinces: tuple[str, ...]
    target_group: str = ""
    age_groups: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    municipalities: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class ContactPointValues:
    """Everything an editor writes on a contact point."""

    sector: str
    organisation: str
    function: str
    province: str
    contact_name: str = ""
    municipalities: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""


#: What a contact point cannot do without.
CONTACT_POINT_REQUIRED = ("sector", "organisation", "function", "province")


# --- Shared steps ---------------------------------------------------------------------------


def _check_version(entry: Entry, expected: int) -> None:
    """Refuse to save over a version the editor did not see (no lost update)."""
    if int(expected) != entry.version:
        raise EditConflict(
            _(
                "Someone else changed this meanwhile (now version %(current)s, you edited "
                "version %(expected)s). Nothing was overwritten: compare both versions below "
                "and save again."
            )
            % {"current": entry.version, "expected": expected},
            current=entry,
        )


def _validate(entry: Entry) -> None:
    """Field shapes (choices, lengths, e-mail, URL) as the model declares them."""
    try:
        entry.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        messages = [
            f"{_label(entry, name)}{message}"
            for name, field_messages in error.message_dict.items()
            for message in field_messages
        ]
        raise RuleViolation(" ".join(messages)) from None


def _label(entry: Entry, name: str) -> str:
    if name == NON_FIELD_ERRORS:
        return ""
    return f"{capfirst(entry._meta.get_field(name).verbose_name)}: "  # type: ignore[union-attr]


def _reachable(phone: str, email: str, *extra: str) -> None:
    if not (phone or email or any(extra)):
        raise RuleViolation(_("Give at least one way to reach them: a phone, an e-mail or a site."))


def _apply(entry: Entry, values: Mapping[str, Any]) -> list[str]:
    """Set the (stripped) ``values`` on ``entry``; return the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(entry, name) != value:
            setattr(entry, name, value)
            changed.append(name)
    return changed


def search_text(entry: Entry) -> str:
    """What the free-text search reads: each of ``SEARCH_FIELDS`` folded, one per line (a
    query word never holds a line break, so no word matches across two fields)."""
    return "\n".join(fold(str(getattr(entry, name))) for name in entry.SEARCH_FIELDS)


def _index(entry: Entry) -> bool:
    """Refresh ``entry.search_text`` (not saved); return whether it changed."""
    text = search_text(entry)
    if text == entry.search_text:
        return False
    entry.search_text = text
    return True


def _bump(entry: Entry, actor: User) -> None:
    entry.version += 1
    entry.updated_by = actor
    entry.updated_at = timezone.now()


def _transition(entry: Entry, target: str) -> None:
    if (entry.status, target) not in TRANSITIONS:
        raise RuleViolation(
            _("This entry is “%(status)s”: it cannot become “%(target)s”.")
            % {"status": entry.get_status_display(), "target": Status(target).label}
        )


def _codes(facet: str, codes: Iterable[str]) -> list[str]:
    """The distinct codes of ``facet`` in list order; an unknown code is refused."""
    choices = FACET_CHOICES[facet]
    given = set(codes)
    unknown = given - set(choices.values)
    if unknown:
        raise RuleViolation(_("Choose the values from the lists offered."))
    return [code for code in choices.values if code in given]


# --- Offers ---------------------------------------------------------------------------------


def _offer_columns(values: OfferValues) -> dict[str, Any]:
    return {k: v for k, v in asdict(values).items() if k not in OFFER_FACETS}


def _offer_checks(values: OfferValues) -> dict[str, list[str]]:
    """Rules across fields; returns the cleaned codes per facet field."""
    if not (values.name.strip() and values.organisation.strip() and values.description.strip()):
        raise RuleViolation(_("Give the offer's name, the organisation and what they offer."))
    codes = {name: _codes(facet, getattr(values, name)) for name, facet in OFFER_FACETS.items()}
    if not codes["provinces"]:
        raise RuleViolation(_("Choose at least one region the offer serves."))
    _reachable(values.phone.strip(), values.email.strip(), values.website.strip())
    return codes


def _set_tags(offer: Offer, codes: dict[str, list[str]]) -> list[str]:
    """Replace the offer's coded values; return the facet fields that changed."""
    changed = []
    current = {name: offer.codes(facet) for name, facet in OFFER_FACETS.items()}
    for name, facet in OFFER_FACETS.items():
        if current[name] == codes[name]:
            continue
        changed.append(name)
        OfferTag.objects.filter(offer=offer, facet=facet).delete()
        OfferTag.objects.bulk_create(
            [OfferTag(offer=offer, facet=facet, code=code) for code in codes[name]]
        )
    if changed:
        # Drop the prefetched tags, which are now stale.
        getattr(offer, "_prefetched_objects_cache", {}).pop("tags", None)
    return changed


def offer_create(*, actor: User, values: OfferValues) -> Offer:
    """Write a new offer as a draft (a knowledge editor); it is read once published."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    codes = _offer_checks(values)
    with transaction.atomic():
        offer = Offer(created_by=actor, updated_by=actor, status=Status.DRAFT)
        _apply(offer, _offer_columns(values))
        _validate(offer)
        _index(offer)
        offer.save()
        fields = sorted([*_offer_columns(values), *_set_tags(offer, codes)])
        audit_record(
            actor=actor,
            action="SOCIALMAP_OFFER_SAVED",
            obj=offer,
            data={"created": True, "fields": fields, "version": offer.version},
        )
    return offer


def offer_update(*, actor: User, offer: Offer, values: OfferValues, version: int) -> Offer:
    """Change an offer; refused when it changed since the editor read ``version``.

    A published offer stays published: editors correct it in place.
    """
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    codes = _offer_checks(values)
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        _check_version(offer, version)
        changed = _apply(offer, _offer_columns(values))
        _validate(offer)
        changed += _set_tags(offer, codes)
        reindexed = _index(offer)
        if not changed:
            if reindexed:  # folded under an older rule: bring it up to date, silently
                offer.save(update_fields=["search_text"])
            return offer
        _bump(offer, actor)
        offer.save()
        audit_record(
            actor=actor,
            action="SOCIALMAP_OFFER_SAVED",
            obj=offer,
            data={"created": False, "fields": sorted(changed), "version": offer.version},
        )
    return offer


def _offer_status(*, actor: User, offer: Offer, version: int, target: str, action: str) -> Offer:
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        _check_version(offer, version)
        _transition(offer, target)
        if target == Status.PUBLISHED:
            offer.published_at = timezone.now()
        offer.status = target
        _index(offer)
        _bump(offer, actor)
        offer.save()
        audit_record(
            actor=actor, action=action, obj=offer, data={"status": target, "version": offer.version}
        )
    return offer


def offer_publish(*, actor: User, offer: Offer, version: int) -> Offer:
    """Publish a draft or archived offer: everyone logged in reads it, screeners refer to it."""
    return _offer_status(
        actor=actor,
        offer=offer,
        version=version,
        target=Status.PUBLISHED,
        action="SOCIALMAP_OFFER_PUBLISHED",
    )


def offer_archive(*, actor: User, offer: Offer, version: int) -> Offer:
    """Withdraw an offer from the map; referrals already made keep pointing at it."""
    return _offer_status(
        actor=actor,
        offer=offer,
        version=version,
        target=Status.ARCHIVED,
        action="SOCIALMAP_OFFER_ARCHIVED",
    )


# --- Contact points -------------------------------------------------------------------------


def _contact_columns(values: ContactPointValues) -> dict[str, Any]:
    return asdict(values)


def _contact_checks(values: ContactPointValues) -> None:
    if not all(str(getattr(values, name)).strip() for name in CONTACT_POINT_REQUIRED):
        raise RuleViolation(_("Give the sector, the organisation, the function and the region."))
    _reachable(values.phone.strip(), values.email.strip())


def contact_point_create(*, actor: User, values: ContactPointValues) -> ContactPoint:
    """Write a new contact point as a draft (a knowledge editor)."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    _contact_checks(values)
    with transaction.atomic():
        point = ContactPoint(created_by=actor, updated_by=actor, status=Status.DRAFT)
        columns = _contact_columns(values)
        _apply(point, columns)
        _validate(point)
        _index(point)
        point.save()
        audit_record(
            actor=actor,
            action="SOCIALMAP_CONTACT_POINT_SAVED",
            obj=point,
            data={"created": True, "fields": sorted(columns), "version": point.version},
        )
    return point


def contact_point_update(
    *, actor: User, point: ContactPoint, values: ContactPointValues, version: int
) -> ContactPoint:
    """Change a contact point; refused when it changed since the editor read ``version``."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    _contact_checks(values)
    with transaction.atomic():
        point = ContactPoint.objects.select_for_update().get(pk=point.pk)
        _check_version(point, version)
        changed = _apply(point, _contact_columns(values))
        _validate(point)
        reindexed = _index(point)
        if not changed:
            if reindexed:  # folded under an older rule: bring it up to date, silently
                point.save(update_fields=["search_text"])
            return point
        _bump(point, actor)
        point.save()
        audit_record(
            actor=actor,
            action="SOCIALMAP_CONTACT_POINT_SAVED",
            obj=point,
            data={"created": False, "fields": sorted(changed), "version": point.version},
        )
    return point


def _point_status(
    *, actor: User, point: ContactPoint, version: int, target: str, action: str
) -> ContactPoint:
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    with transaction.atomic():
        point = ContactPoint.objects.select_for_update().get(pk=point.pk)
        _check_version(point, version)
        _transition(point, target)
        if target == Status.PUBLISHED:
            point.published_at = timezone.now()
        point.status = target
        _index(point)
        _bump(point, actor)
        point.save()
        audit_record(
            actor=actor, action=action, obj=point, data={"status": target, "version": point.version}
        )
    return point


def contact_point_publish(*, actor: User, point: ContactPoint, version: int) -> ContactPoint:
    """Publish a draft or archived contact point."""
    return _point_status(
        actor=actor,
        point=point,
        version=version,
        target=Status.PUBLISHED,
        action="SOCIALMAP_CONTACT_POINT_PUBLISHED",
    )


def contact_point_archive(*, actor: User, point: ContactPoint, version: int) -> ContactPoint:
    """Withdraw a contact point from the map."""
    return _point_status(
        actor=actor,
        point=point,
        version=version,
        target=Status.ARCHIVED,
        action="SOCIALMAP_CONTACT_POINT_ARCHIVED",
    )
