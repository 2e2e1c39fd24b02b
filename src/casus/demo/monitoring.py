"""The demo's monitoring: a regional support body with its support person, the demo cell and
two small synthetic cells opted in, and every ended quarter frozen.

``load`` is idempotent: it creates what is missing and freezes what is not frozen yet.
"""

from collections.abc import Mapping

from django.db import transaction

from casus.access.models import Cell, User
from casus.monitoring import services
from casus.monitoring.models import CellOptIn, RegionalBody, RegionalSupporter
from casus.privacy.keys import cell_key_create

BODY_NAME = "Streekvereniging Demoland"
REGIONAL_EMAIL = "regio@demo.casus.test"
REGIONAL_NAME = "Rita Regio"
#: Synthetic neighbours without records: the region needs at least three cells to show
#: anything, and the demo has one real cell. They count as zeros.
EXTRA_CELLS = ("Demo-Noord (synthetisch)", "Demo-Zuid (synthetisch)")


def load(cell: Cell, people: Mapping[str, User]) -> User:
    """Set up the body for ``cell`` (``people["installation"]`` creates it, ``people["chair"]``
    opts in); return the regional support user (the loader gives them a login)."""
    admin, chair = people["installation"], people["chair"]
    with transaction.atomic():
        regional = User.objects.filter(email=REGIONAL_EMAIL).first()
        if regional is None:
            regional = User.objects.create_user(
                email=REGIONAL_EMAIL, full_name=REGIONAL_NAME, language="nl"
            )
        if not regional.is_regional_support:
            regional.is_regional_support = True
            regional.save(update_fields=["is_regional_support"])
        body = RegionalBody.objects.filter(name=BODY_NAME).first()
        if body is None:
            body = services.regional_body_create(actor=admin, name=BODY_NAME)
        if not RegionalSupporter.objects.filter(body=body, user=regional, removed_at=None).exists():
            services.regional_supporter_appoint(actor=admin, body=body, email=REGIONAL_EMAIL)
        # The demo's history starts months back: the cells count from its first quarter.
        since = services.first_quarter(cell).period.start
        cells = [cell]
        for name in EXTRA_CELLS:
            extra = Cell.objects.filter(name=name).first()
            if extra is None:
                extra = Cell.objects.create(name=name)
                cell_key_create(extra.pk)
                Cell.objects.filter(pk=extra.pk).update(created_at=since)
                extra.refresh_from_db()
            cells.append(extra)
        for member in cells:
            if not CellOptIn.objects.filter(cell=member, body=body).exists():
                # Dated back (demo only): a real opt-in counts from the quarter it was given in.
                CellOptIn.objects.create(
                    cell=member, body=body, opted_in_by=chair, opted_in_at=since
                )
    for member in cells:
        services.quarters_freeze(cell=member)
    return regional
