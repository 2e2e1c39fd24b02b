"""Set-up for the data-subject request rule tests (a request compiled with two parts)."""

import datetime

from django.utils import timezone

from casus.privacy.models import SubjectRequest
from casus.privacy.services import subject_request_compile, subject_request_register
from tests.cases.factories import CaseFactory, participate
from tests.cases.helpers import write_entry
from tests.conftest import World

BORN = datetime.date(2000, 6, 1)


def make_request(world: World) -> SubjectRequest:
    """A compiled access request: the school's and the coordinator's organisation review."""
    case = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        subject_family_name="Peeters",
        subject_given_names="An",
        subject_birth_date=BORN,
    )
    participate(case, world.membership(world.partner1).organisation, world.coordinator)
    write_entry(world.partner1, case, text="School note.")
    write_entry(world.coordinator, case, text="Coordinator note.")
    request = subject_request_register(
        actor=world.coordinator,
        cell=world.cell_a,
        kind="access",
        received_on=timezone.localdate(),
        family_name="Peeters",
        given_names="An",
        birth_date=BORN,
        request_text="Access, please.",
        contact="E-mail.",
    )
    return subject_request_compile(actor=world.coordinator, request=request)
