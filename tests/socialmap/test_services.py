"""The social-map services: the knowledge editor writes, publishes and archives; everyone else
is refused; every change leaves one audit row (field names, no values); no lost update."""

import pytest

from casus.access.models import User
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from casus.socialmap import services
from casus.socialmap.models import ContactPoint, Offer, OfferTag, Status
from casus.socialmap.services import TRANSITIONS
from tests.cases.helpers import PEOPLE
from tests.conftest import World
from tests.helpers import no_audit_events, one_audit_event

from .helpers import contact_point_values, make_contact_point, make_offer, offer_values

pytestmark = pytest.mark.django_db


def _person(world: World, regional: User, who: str) -> User:
    return regional if who == "regional" else getattr(world, who)


REFUSED = [*PEOPLE, "regional"]

# --- Offers: the allowed path and its audit rows ----------------------------------------------


def test_the_editor_creates_a_draft_offer(editor: User) -> None:
    with one_audit_event("SOCIALMAP_OFFER_SAVED", actor=editor, cell=None) as recorded:
        offer = services.offer_create(
            actor=editor, values=offer_values(provinces=("limburg", "antwerp", "antwerp"))
        )
    assert offer.status == Status.DRAFT
    assert offer.version == 1
    assert offer.created_by == editor == offer.updated_by
    # Codes are kept once each, in the order of their list.
    assert offer.codes("province") == ["antwerp", "limburg"]
    assert offer.codes("language") == ["nl", "fr"]
    event = recorded.event
    assert event is not None
    assert event.object_type == "socialmap.offer"
    assert event.object_id == str(offer.pk)
    assert event.data["created"] is True
    assert "provinces" in event.data["fields"]
    assert "name" in event.data["fields"]
    # Field names only, never the values.
    assert "Individual coaching" not in str(event.data)


def test_the_editor_updates_an_offer_and_only_changed_fields_are_logged(editor: User) -> None:
    offer = make_offer(editor)
    values = offer_values(name="Group coaching", age_groups=("adolescents", "parents"))
    with one_audit_event("SOCIALMAP_OFFER_SAVED", actor=editor, cell=None) as recorded:
        offer = services.offer_update(actor=editor, offer=offer, values=values, version=2)
    assert offer.name == "Group coaching"
    assert offer.version == 3
    assert offer.status == Status.PUBLISHED  # corrected in place
    assert Offer.objects.get(pk=offer.pk).codes("age_group") == ["adolescents", "parents"]
    assert recorded.event is not None
    assert recorded.event.data == {"created": False, "fields": ["age_groups", "name"], "version": 3}


def test_an_update_that_changes_nothing_writes_nothing(editor: User) -> None:
    offer = make_offer(editor)
    with no_audit_events():
        same = services.offer_update(actor=editor, offer=offer, values=offer_values(), version=2)
    assert same.version == 2


def test_publish_and_archive_are_audited(editor: User) -> None:
    offer = services.offer_create(actor=editor, values=offer_values())
    with one_audit_event("SOCIALMAP_OFFER_PUBLISHED", actor=editor, cell=None) as recorded:
        offer = services.offer_publish(actor=editor, offer=offer, version=1)
    assert offer.status == Status.PUBLISHED
    assert offer.published_at is not None
    assert recorded.event is not None
    assert recorded.event.data == {"status": "published", "version": 2}
    with one_audit_event("SOCIALMAP_OFFER_ARCHIVED", actor=editor, cell=None):
        offer = services.offer_archive(actor=editor, offer=offer, version=2)
    assert offer.status == Status.ARCHIVED
    assert offer.version == 3


# --- Refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", REFUSED)
def test_offers_are_written_by_knowledge_editors_alone(
    world: World, editor: User, regional: User, who: str
) -> None:
    actor = _person(world, regional, who)
    offer = make_offer(editor, status=Status.DRAFT)
    with no_audit_events():
        with pytest.raises(Forbidden):
            services.offer_create(actor=actor, values=offer_values())
        with pytest.raises(Forbidden):
            services.offer_update(actor=actor, offer=offer, values=offer_values(), version=1)
        with pytest.raises(Forbidden):
            services.offer_publish(actor=actor, offer=offer, version=1)
        with pytest.raises(Forbidden):
            services.offer_archive(actor=actor, offer=offer, version=1)
    offer.refresh_from_db()
    assert (offer.status, offer.version) == (Status.DRAFT, 1)
    assert Offer.objects.count() == 1


def test_a_deactivated_editor_is_refused(editor: User) -> None:
    editor.is_active = False
    editor.save()
    with pytest.raises(Forbidden), no_audit_events():
        services.offer_create(actor=editor, values=offer_values())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "name"),
        ({"description": ""}, "what they offer"),
        ({"provinces": ()}, "at least one region"),
        ({"provinces": ("atlantis",)}, "from the lists"),
        ({"languages": ("klingon",)}, "from the lists"),
        ({"age_groups": ("elders",)}, "from the lists"),
        ({"phone": "", "email": "", "website": ""}, "one way to reach them"),
        ({"sector": "astrology"}, "not a valid choice"),
        ({"email": "not-an-address"}, "E-mail: Enter a valid email address."),
        ({"name": "x" * 201}, "Name of the offer: Ensure"),
    ],
)
def test_an_incomplete_or_malformed_offer_is_refused(
    editor: User, changes: dict[str, object], message: str
) -> None:
    with no_audit_events(), pytest.raises(RuleViolation) as refusal:
        services.offer_create(actor=editor, values=offer_values(**changes))
    assert message in refusal.value.message
    assert not Offer.objects.exists()
    assert not OfferTag.objects.exists()


def test_an_edit_over_a_newer_version_is_a_conflict(editor: User) -> None:
    offer = make_offer(editor)
    services.offer_update(actor=editor, offer=offer, values=offer_values(name="First"), version=2)
    with no_audit_events(), pytest.raises(EditConflict) as conflict:
        services.offer_update(
            actor=editor, offer=offer, values=offer_values(name="Late"), version=2
        )
    assert "now version 3" in conflict.value.message
    assert isinstance(conflict.value.current, Offer)
    offer.refresh_from_db()
    assert offer.name == "First"


def test_publishing_a_version_not_seen_is_a_conflict(editor: User) -> None:
    offer = make_offer(editor, status=Status.DRAFT)
    services.offer_update(actor=editor, offer=offer, values=offer_values(name="New"), version=1)
    with no_audit_events(), pytest.raises(EditConflict):
        services.offer_publish(actor=editor, offer=offer, version=1)
    offer.refresh_from_db()
    assert offer.status == Status.DRAFT


# --- The status transitions: every edge, and every refused one ---------------------------


ALL_PAIRS = [(a, b) for a in Status.values for b in Status.values if a != b]


@pytest.mark.parametrize(("start", "target"), ALL_PAIRS)
def test_every_status_edge(editor: User, start: str, target: str) -> None:
    offer = make_offer(editor, status=start)
    change = services.offer_publish if target == Status.PUBLISHED else services.offer_archive
    if target == Status.DRAFT:
        # Nothing goes back to draft: there is no service for it.
        assert (start, target) not in TRANSITIONS
        return
    if (start, target) in TRANSITIONS:
        offer = change(actor=editor, offer=offer, version=offer.version)
        assert offer.status == target
    else:
        with no_audit_events(), pytest.raises(RuleViolation):
            change(actor=editor, offer=offer, version=offer.version)


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
def test_the_same_status_twice_is_refused(editor: User, status: str) -> None:
    offer = make_offer(editor, status=status)
    change = services.offer_publish if status == Status.PUBLISHED else services.offer_archive
    with no_audit_events(), pytest.raises(RuleViolation):
        change(actor=editor, offer=offer, version=offer.version)


# --- Contact points -------------------------------------------------------------------------


def test_the_editor_writes_publishes_and_archives_a_contact_point(editor: User) -> None:
    with one_audit_event("SOCIALMAP_CONTACT_POINT_SAVED", actor=editor, cell=None) as recorded:
        point = services.contact_point_create(actor=editor, values=contact_point_values())
    assert (point.status, point.version) == (Status.DRAFT, 1)
    assert recorded.event is not None
    assert recorded.event.data["created"] is True
    with one_audit_event("SOCIALMAP_CONTACT_POINT_PUBLISHED", actor=editor, cell=None):
        point = services.contact_point_publish(actor=editor, point=point, version=1)
    with one_audit_event("SOCIALMAP_CONTACT_POINT_SAVED", actor=editor, cell=None) as recorded:
        point = services.contact_point_update(
            actor=editor, point=point, values=contact_point_values(notes="Weekdays"), version=2
        )
    assert recorded.event is not None
    assert recorded.event.data == {"created": False, "fields": ["notes"], "version": 3}
    with one_audit_event("SOCIALMAP_CONTACT_POINT_ARCHIVED", actor=editor, cell=None):
        point = services.contact_point_archive(actor=editor, point=point, version=3)
    assert (point.status, point.version) == (Status.ARCHIVED, 4)


@pytest.mark.parametrize("who", REFUSED)
def test_contact_points_are_written_by_knowledge_editors_alone(
    world: World, editor: User, regional: User, who: str
) -> None:
    actor = _person(world, regional, who)
    point = make_contact_point(editor, status=Status.DRAFT)
    with no_audit_events():
        with pytest.raises(Forbidden):
            services.contact_point_create(actor=actor, values=contact_point_values())
        with pytest.raises(Forbidden):
            services.contact_point_update(
                actor=actor, point=point, values=contact_point_values(), version=1
            )
        with pytest.raises(Forbidden):
            services.contact_point_publish(actor=actor, point=point, version=1)
        with pytest.raises(Forbidden):
            services.contact_point_archive(actor=actor, point=point, version=1)
    assert ContactPoint.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"function": " "}, "function"),
        ({"phone": "", "email": ""}, "one way to reach them"),
        ({"province": "atlantis"}, "not a valid choice"),
        ({"sector": "circus"}, "not a valid choice"),
    ],
)
def test_an_incomplete_contact_point_is_refused(
    editor: User, changes: dict[str, object], message: str
) -> None:
    with no_audit_events(), pytest.raises(RuleViolation) as refusal:
        services.contact_point_create(actor=editor, values=contact_point_values(**changes))
    assert message in refusal.value.message


def test_a_contact_point_edit_over_a_newer_version_is_a_conflict(editor: User) -> None:
    point = make_contact_point(editor)
    services.contact_point_update(
        actor=editor, point=point, values=contact_point_values(notes="A"), version=2
    )
    with no_audit_events(), pytest.raises(EditConflict):
        services.contact_point_update(
            actor=editor, point=point, values=contact_point_values(notes="B"), version=2
        )
    point.refresh_from_db()
    assert point.notes == "A"
