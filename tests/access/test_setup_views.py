import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casus.access.models import Membership, Role

from ..conftest import ready_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "url_name"), [("chair", "setup:approvals"), ("cell_admin", "setup:charters")]
)
def test_missing_roles_are_shown_by_their_label(world, who, url_name):
    Membership.objects.filter(cell=world.cell_a, role=Role.INFORMATION_OFFICER).update(
        clearance_expiry=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = ready_client(getattr(world, who)).get(reverse(url_name)).content.decode()
    assert "Information officer" in page
    assert "information_officer" not in page
