"""The demo's data-subject request: Amber's parent asked the cell what it holds about her.

Registered and compiled through the services, so each contributing organisation has its part
to review and the chair then decides.
"""

from collections.abc import Mapping
from datetime import timedelta

from django.utils import timezone

from casus.access.models import Cell, User
from casus.privacy.models import SubjectRequest, SubjectRequestKind
from casus.privacy.services import subject_request_compile, subject_request_register

from .cases import AMBER, COORDINATOR


def build_privacy(cell: Cell, people: Mapping[str, User]) -> bool:
    """Add the demo request once; return whether anything was added."""
    if SubjectRequest.objects.filter(cell=cell).exists():
        return False
    request = subject_request_register(
        actor=people[COORDINATOR],
        cell=cell,
        kind=SubjectRequestKind.ACCESS,
        received_on=timezone.localdate() - timedelta(days=9),
        family_name=AMBER.family_name,
        given_names=AMBER.given_names,
        birth_date=AMBER.birth_date,
        request_text=(
            "De moeder van Amber vraagt, namens haar minderjarige dochter, welke gegevens de "
            "cel over Amber bijhoudt."
        ),
        contact="Brief van 24 november, antwoord per aangetekende brief.",
    )
    subject_request_compile(actor=people[COORDINATOR], request=request)
    return True
