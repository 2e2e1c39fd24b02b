"""This app's part of the cross-cell URL classification (see tests/test_cross_cell_urls.py).

Practice fiches are installation-wide: every logged-in person reads the published ones
(SharedUrl), knowledge editors alone write (``editors_only``: 404 for everyone else).
"""

from datetime import date

from django.db.models import Model

from casus.access.models import User
from casus.knowledge import services
from tests.conftest import World
from tests.url_specs import CellPage, ObjectUrl, RegionalUrl, SharedUrl

#: A complete fiche, as the editor's form posts it: it would write if allowed.
FICHE_FORM = {
    "title": "Hijacked",
    "summary": "Hijacked",
    "body": "Hijacked",
    "language": "nl",
    "domain": "training",
    "levels": ["primary"],
    "themes_text": "hijacked",
    "version": 1,
}

CLASSIFICATION: dict[str, ObjectUrl | CellPage | SharedUrl | RegionalUrl] = {
    "knowledge:list": SharedUrl(),
    "knowledge:detail": SharedUrl("fiche"),
    "knowledge:new": SharedUrl(editors_only=True, data=FICHE_FORM),
    "knowledge:edit": SharedUrl("fiche", editors_only=True, data=FICHE_FORM),
    "knowledge:publish": SharedUrl("fiche", editors_only=True, post_only=True),
    "knowledge:unpublish": SharedUrl(
        "fiche", editors_only=True, post_only=True, data={"version": 2}
    ),
    "knowledge:translation": SharedUrl("fiche", editors_only=True, data={"other": 0}),
    "knowledge:translation_unlink": SharedUrl("fiche", editors_only=True, post_only=True),
}
MARKERS: tuple[str, ...] = ()


def installation_objects(world: World, people: dict[str, User]) -> dict[str, Model]:
    """A published fiche, written and published by the knowledge editor."""
    editor = people["editor"]
    fiche = services.fiche_create(
        actor=editor,
        title="Shared practice fiche",
        summary="A practice every cell may read.",
        body="Read by everyone logged in.",
        language="en",
        domain="training",
        levels=["primary"],
        themes=["shared"],
        published_on=date(2025, 1, 1),
    )
    return {"fiche": services.fiche_publish(actor=editor, fiche=fiche)}
