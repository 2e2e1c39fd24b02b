"""The demo's monitoring: a regional support body with its support person, the demo cell and
two small synthetic cells opted in, and every ended quarter frozen.

The synthetic cells have no records: a region counts only cells that received a signal or
opened a case (``services.contributes``), so each gets a small, plausible frozen history
instead — ``QuarterFigures`` rows written directly, seeded by the cell's name and the quarter
(deterministic), every total the sum of its parts and the open stock following its identity.

``load`` is idempotent: it creates what is missing and freezes what is not frozen yet.
"""

import random
from collections.abc import Mapping

from django.db import transaction

from casus.access.models import Cell, User
from casus.audit.services import audit_record
from casus.monitoring import services
from casus.monitoring.catalog import COUNT_KEYS, DURATION_KEYS, SUMS, normalised
from casus.monitoring.indicators import Figures
from casus.monitoring.models import CellOptIn, QuarterFigures, RegionalBody, RegionalSupporter
from casus.monitoring.periods import Quarter, last_ended_quarter, quarters_between
from casus.privacy.keys import cell_key_create

BODY_NAME = "Streekvereniging Demoland"
REGIONAL_EMAIL = "regio@demo.casus.test"
REGIONAL_NAME = "Rita Regio"
#: Synthetic neighbours: the region needs at least three contributing cells to show anything,
#: and the demo has one real cell. Their history is frozen figures only.
EXTRA_CELLS = ("Demo-Noord (synthetisch)", "Demo-Zuid (synthetisch)")


def synthetic_quarter(rng: random.Random, open_before: int) -> Figures:
    """One quarter of a small cell: a few signals and cases, consistent with the open stock
    before it (``open_end = open_before + opened + reopened − closed``)."""
    counts = dict.fromkeys(COUNT_KEYS, 0)

    def small(high: int) -> int:
        return rng.randint(0, high)

    sums = dict(SUMS)
    for part in sums["signals.received"]:
        counts[part] = small(2)
    counts["signals.received.education"] += 1  # at least one signal: the cell contributes
    for part in sums["signals.screened"]:
        counts[part] = small(2)
    counts["cases.opened"] = small(2)
    counts["cases.reopened"] = int(rng.random() < 0.2)
    available = open_before + counts["cases.opened"] + counts["cases.reopened"]
    for part in sums["cases.closed"]:
        counts[part] = min(small(1), available)
        available -= counts[part]
    for total, parts in SUMS:
        counts[total] = sum(counts[part] for part in parts)
    counts["cases.open_end"] = available
    counts.update(
        {
            "actions.done_on_time": small(3),
            "actions.done_late": small(1),
            "actions.overdue_end": small(1),
            "feedback.proposed": small(2),
        }
    )
    counts["feedback.sent"] = small(counts["feedback.proposed"])
    # Structure: a charter, a handful of members, one or two meetings.
    counts["structure.charter_active"] = counts["structure.charter_version"] = 1
    for sector, n in (("local_government", 2), ("social", 2), ("security", 1), ("education", 1)):
        counts[f"structure.members.{sector}"] = n
    counts["structure.members"] = 6
    counts["structure.meetings.operational"] = counts["structure.meetings"] = 1 + small(1)
    counts["structure.invited"] = 4 * counts["structure.meetings"]
    counts["structure.present"] = counts["structure.invited"] - small(2)
    counts["structure.statements_ok"] = 5 + small(1)
    durations: dict[str, list[int]] = {key: [] for key in DURATION_KEYS}
    durations["screening_days"] = sorted(
        rng.randint(0, 10) for _ in range(counts["signals.screened"])
    )
    durations["discussion_days"] = sorted(rng.randint(3, 30) for _ in range(counts["cases.opened"]))
    durations["case_days"] = sorted(rng.randint(20, 200) for _ in range(counts["cases.closed"]))
    return {"counts": counts, "durations": durations}


def synthetic_history(cell: Cell, first: Quarter) -> None:
    """Freeze the synthetic figures of ``cell``'s ended quarters from ``first`` on (those not
    frozen yet), one quarter after the other so that the open stock follows."""
    stock = 0
    for quarter in quarters_between(first, last_ended_quarter()):
        row = QuarterFigures.objects.filter(
            cell=cell, year=quarter.year, quarter=quarter.quarter
        ).first()
        if row is None:
            figures = synthetic_quarter(random.Random(f"{cell.name}:{quarter.key}"), stock)  # noqa: S311  # nosec B311 (demo figures)
            with transaction.atomic():
                QuarterFigures.objects.create(
                    cell=cell, year=quarter.year, quarter=quarter.quarter, figures=figures
                )
                audit_record(
                    actor=None,
                    action="MONITORING_QUARTER_FROZEN",
                    cell=cell,
                    data={"year": quarter.year, "quarter": quarter.quarter},
                )
        else:
            figures = normalised(row.figures)
        stock = figures["counts"]["cases.open_end"]


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
        first = services.first_quarter(cell)
        since = first.period.start
        cells = [cell]
        extras = []
        for name in EXTRA_CELLS:
            extra = Cell.objects.filter(name=name).first()
            if extra is None:
                extra = Cell.objects.create(name=name)
                cell_key_create(extra.pk)
                Cell.objects.filter(pk=extra.pk).update(created_at=since)
                extra.refresh_from_db()
            cells.append(extra)
            extras.append(extra)
        for member in cells:
            # One body at a time: a cell already counting elsewhere is left there.
            if not CellOptIn.objects.filter(cell=member).exists():
                # Dated back (demo only): a real opt-in counts from the quarter it was given in.
                CellOptIn.objects.create(
                    cell=member, body=body, opted_in_by=chair, opted_in_at=since
                )
    for extra in extras:
        synthetic_history(extra, services.first_quarter(extra))
    for member in cells:
        services.quarters_freeze(cell=member)
    return regional
