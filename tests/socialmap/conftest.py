"""Fixtures of the social-map tests: English messages, a knowledge editor, regional support."""

from collections.abc import Iterator

import pytest
from django.utils import translation

from casus.access.models import User
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def english(request: pytest.FixtureRequest) -> Iterator[None]:
    """Messages are compared in English: the one active here and, where the test has a
    ``world``, the one its actors read pages in."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        User.objects.update(language="en")
    with translation.override("en"):
        yield


@pytest.fixture
def editor(db: None) -> User:
    return UserFactory(full_name="Edith Editor", is_knowledge_editor=True, language="en")


@pytest.fixture
def regional(db: None) -> User:
    return UserFactory(full_name="Regina Regional", is_regional_support=True, language="en")
