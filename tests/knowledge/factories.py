"""Practice fiches written through the services, as a knowledge editor would."""

from datetime import date
from typing import Any

from casus.access.models import User
from casus.knowledge import services
from casus.knowledge.models import PracticeFiche
from tests.factories import UserFactory


def editor() -> User:
    return UserFactory(full_name="Knowledge Editor", is_knowledge_editor=True)


def fiche(actor: User, *, publish: bool = True, **fields: Any) -> PracticeFiche:
    """A complete fiche (published unless ``publish`` is False); ``fields`` override."""
    values: dict[str, Any] = {
        "title": "A practice",
        "summary": "What it does.",
        "body": "How it works.",
        "language": "en",
        "domain": "training",
        "levels": ["primary"],
        "themes": [],
        "published_on": date(2025, 1, 1),
    }
    values.update(fields)
    created = services.fiche_create(actor=actor, **values)
    if publish:
        created = services.fiche_publish(actor=actor, fiche=created)
    return created
