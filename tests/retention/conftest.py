"""Fixtures of the retention tests: English messages, cell A's charter, records due."""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation

from casus.access.models import Charter
from casus.cases.models import Case, CaseStatus, ClosureReason, Visibility
from casus.cases.services.casefile import attachment_upload
from casus.core.models import Notification
from tests.cases.factories import CaseFactory, participate
from tests.cases.helpers import activate_charter, write_entry
from tests.conftest import World

from .helpers import ADULT, LONG_AGO, not_retained


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def charter(world: World) -> Charter:
    charter = activate_charter(world)
    charter.retention_not_retained_months = 12
    charter.retention_closed_months = 60
    charter.retention_minor_months = 36
    charter.save()
    return charter


@pytest.fixture
def cell_a_due(world: World, charter: Charter, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """Cell A with a closed case due (journal entry, attachment on disk, change-log values,
    a notice) and a not-retained signal due."""
    settings.CASUS_ATTACHMENT_DIR = tmp_path / "att"
    school = world.membership(world.partner1).organisation
    case = CaseFactory(
        cell=world.cell_a,
        opened_by=world.coordinator,
        lead_organisation=school,
        subject_birth_date=ADULT,
    )
    participate(case, school, world.coordinator)
    with transaction.atomic():
        write_entry(world.partner1, case, "A note about the subject.")
        attachment_upload(
            actor=world.partner1,
            case=case,
            uploaded_file=SimpleUploadedFile("report.txt", b"A plain report.\n"),
            visibility=Visibility.ALL,
            description="Report",
            for_meeting=False,
        )
    Notification.objects.create(
        user=world.partner1,
        cell=world.cell_a,
        kind="review_due",
        reference=case.reference,
        url=f"/cases/{case.pk}/",
        key=f"review_due:{case.pk}",
    )
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.POSITIVE,
        opened_at=LONG_AGO - datetime.timedelta(days=100),
        closed_at=LONG_AGO,
    )
    signal = not_retained(world, 400, ADULT)
    return {"case": Case.objects.get(pk=case.pk), "signal": signal}
