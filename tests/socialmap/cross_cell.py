"""This app's part of the cross-cell URL classification (see tests/test_cross_cell_urls.py).

The social map is installation-wide: everyone logged in reads the published entries, knowledge
editors alone write. ``installation_objects`` publishes one offer and one contact point (each
then at version 2: created, published).
"""

from typing import Any

from django.db.models import Model

from casus.access.models import User
from tests.url_specs import CellPage, ObjectUrl, RegionalUrl, SharedUrl

from .helpers import make_contact_point, make_offer

OFFER_DATA: dict[str, Any] = {
    "name": "Hijacked",
    "organisation": "Hijacked",
    "sector": "welfare",
    "description": "Hijacked",
    "provinces": ["antwerp"],
    "phone": "02 555 00 00",
    "version": 2,
}
CONTACT_POINT_DATA: dict[str, Any] = {
    "sector": "hospitals",
    "organisation": "Hijacked",
    "function": "Hijacked",
    "province": "antwerp",
    "phone": "02 555 00 00",
    "version": 2,
}
VERSION = {"version": 2}

CLASSIFICATION: dict[str, ObjectUrl | CellPage | SharedUrl | RegionalUrl] = {
    "socialmap:offers": SharedUrl(),
    "socialmap:offer": SharedUrl("offer"),
    "socialmap:offer_new": SharedUrl(editors_only=True, data=OFFER_DATA),
    "socialmap:offer_edit": SharedUrl("offer", editors_only=True, data=OFFER_DATA),
    "socialmap:offer_publish": SharedUrl("offer", editors_only=True, post_only=True, data=VERSION),
    "socialmap:offer_archive": SharedUrl("offer", editors_only=True, post_only=True, data=VERSION),
    "socialmap:contact_points": SharedUrl(),
    "socialmap:contact_point": SharedUrl("contact_point"),
    "socialmap:contact_point_new": SharedUrl(editors_only=True, data=CONTACT_POINT_DATA),
    "socialmap:contact_point_edit": SharedUrl(
        "contact_point", editors_only=True, data=CONTACT_POINT_DATA
    ),
    "socialmap:contact_point_publish": SharedUrl(
        "contact_point", editors_only=True, post_only=True, data=VERSION
    ),
    "socialmap:contact_point_archive": SharedUrl(
        "contact_point", editors_only=True, post_only=True, data=VERSION
    ),
}
MARKERS: tuple[str, ...] = ()


def installation_objects(world: object, people: dict[str, User]) -> dict[str, Model]:
    """One published offer and one published contact point, written by the editor."""
    editor = people["editor"]
    return {
        "offer": make_offer(editor, name="Shared offer"),
        "contact_point": make_contact_point(editor, organisation="Shared contact point"),
    }
