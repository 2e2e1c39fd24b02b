"""Fixtures of the strategy tests: cell A's people by role letter, and a plan to work on."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from casus.access.models import Organisation, Role, User
from casus.strategy import services
from casus.strategy.models import Objective, Priority
from tests.conftest import World

from .cross_cell import pdf_bytes

YEAR = 2025


@pytest.fixture(autouse=True)
def _attachment_dir(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.CASUS_ATTACHMENT_DIR = tmp_path / "attachments"
    with translation.override("en"):  # messages are matched in English
        yield


@pytest.fixture
def people(world: World) -> dict[Role, User]:
    return {
        Role.CHAIR: world.chair,
        Role.COORDINATOR: world.coordinator,
        Role.INFORMATION_OFFICER: world.information_officer,
        Role.MEMBER: world.partner1,
        Role.STRATEGIC: world.strategic,
        Role.DPO: world.dpo,
        Role.CELL_ADMIN: world.cell_admin,
    }


@pytest.fixture
def school(world: World) -> Organisation:
    return Organisation.objects.get(cell=world.cell_a, name="School A")


@pytest.fixture
def priority(world: World) -> Priority:
    return services.priority_create(
        actor=world.strategic, cell=world.cell_a, year=YEAR, title="Schools first"
    )


@pytest.fixture
def objective(world: World, priority: Priority, school: Organisation) -> Objective:
    return services.objective_create(
        actor=world.coordinator,
        cell=world.cell_a,
        year=YEAR,
        priority=priority,
        title="Train the teachers",
        owner_organisation=school,
        target_date=date(2025, 6, 30),
    )


PDF = pdf_bytes()
