"""Daily reminders for due actions and reviews, run by ``casus worker``.

An in-app notification per item and person (its ``key`` makes it idempotent per day), then
one e-mail per person that only says how many new reminders wait: no case number, no name,
no content.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casus.access.models import CASE_ROLES, Membership, Role, User
from casus.access.rules import grant_valid_q, sees_case
from casus.core.mail import mail_person
from casus.core.models import Notification
from casus.core.notices import publish
from casus.core.scheduler import periodic

from .models import Case, CaseGrant, CaseStatus, PathwayAction
from .models.followup import OPEN_ACTION_STATUSES

#: Remind this many days before an action or a review is due (and every day once overdue).
REMINDER_DAYS = 7

ACTION_DUE = "action_due"
ACTION_OVERDUE = "action_overdue"
REVIEW_DUE = "review_due"


@dataclass(frozen=True)
class _Seat:
    user_id: int
    cell_id: int
    organisation_id: int
    role: str


class _Audience:
    """Who of the cells concerned may read which case's follow-up: memberships and active
    grants. A reminder points into the pathway, so it goes only to those who read it."""

    def __init__(self, *, cell_ids: set[int], case_ids: set[int], today: date) -> None:
        seats = [
            _Seat(**row)
            for row in Membership.objects.current(on=today)
            .filter(cell_id__in=cell_ids, role__in=CASE_ROLES, user__is_active=True)
            .values("user_id", "cell_id", "organisation_id", "role")
        ]
        self.by_organisation: dict[tuple[int, int], list[_Seat]] = defaultdict(list)
        self.coordinators: dict[int, list[_Seat]] = defaultdict(list)
        for seat in seats:
            self.by_organisation[(seat.cell_id, seat.organisation_id)].append(seat)
            if seat.role == Role.COORDINATOR:
                self.coordinators[seat.cell_id].append(seat)
        grants = CaseGrant.objects.filter(grant_valid_q(), case_id__in=case_ids).values_list(
            "case_id", "organisation_id", "user_id", "dossier"
        )
        # The triples of ``access.rules.sees_case``.
        self.grants: set[tuple[int, str, int]] = set()
        for case_id, organisation_id, user_id, dossier in grants:
            if organisation_id is not None:
                self.grants.add((case_id, "organisation", organisation_id))
                # An organisation grant with the dossier: the organisation participates.
                if dossier:
                    self.grants.add((case_id, "participation", organisation_id))
            # A personal grant opens the file only with the dossier (not a meeting window).
            if user_id is not None and dossier:
                self.grants.add((case_id, "user", user_id))

    def reads_followup(self, seat: _Seat, case_id: int) -> bool:
        """Whether the person in ``seat`` may read the case's follow-up (its pathway and
        reviews): ``access.rules.sees_case(followup=True)``, never through a personal grant
        (meeting window, break-glass) alone."""
        return sees_case(
            role=seat.role,
            organisation_id=seat.organisation_id,
            user_id=seat.user_id,
            case_id=case_id,
            grants=self.grants,
            followup=True,
        )

    def members_of(self, cell_id: int, organisation_id: int | None, case_id: int) -> list[_Seat]:
        """Members of ``organisation_id`` who read the case's follow-up."""
        if organisation_id is None:
            return []
        seats = self.by_organisation.get((cell_id, organisation_id), [])
        return [seat for seat in seats if self.reads_followup(seat, case_id)]


def _notification(kind: str, item_pk: int, seat: _Seat, case: Case, today: date) -> Notification:
    return Notification(
        user_id=seat.user_id,
        cell_id=case.cell_id,
        kind=kind,
        reference=case.reference,
        url=reverse("cases:detail", args=[case.pk]),
        key=f"{kind}:{item_pk}:{seat.user_id}:{today.isoformat()}",
    )


def _candidates(today: date) -> list[Notification]:
    """Every reminder due today, one per item and person."""
    horizon = today + timedelta(days=REMINDER_DAYS)
    actions = list(
        PathwayAction.objects.filter(
            status__in=OPEN_ACTION_STATUSES, due_on__isnull=False, due_on__lte=horizon
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case")
        .only("due_on", "owner_organisation", "case__cell", "case__year", "case__number")
    )
    reviews = list(
        Case.objects.filter(next_review_on__isnull=False, next_review_on__lte=horizon)
        .exclude(status=CaseStatus.CLOSED)
        .only("cell", "year", "number", "lead_organisation")
    )
    cases = [action.case for action in actions] + reviews
    if not cases:
        return []
    audience = _Audience(
        cell_ids={case.cell_id for case in cases},
        case_ids={case.pk for case in cases},
        today=today,
    )
    found: list[Notification] = []
    for action in actions:
        case = action.case
        kind = ACTION_OVERDUE if action.due_on and action.due_on < today else ACTION_DUE
        seats = audience.members_of(case.cell_id, action.owner_organisation_id, case.pk)
        found.extend(_notification(kind, action.pk, seat, case, today) for seat in seats)
    for case in reviews:
        by_user = {s.user_id: s for s in audience.coordinators.get(case.cell_id, [])}
        for seat in audience.members_of(case.cell_id, case.lead_organisation_id, case.pk):
            by_user.setdefault(seat.user_id, seat)
        found.extend(
            _notification(REVIEW_DUE, case.pk, seat, case, today) for seat in by_user.values()
        )
    return found


def reminders_run(today: date | None = None) -> dict[int, int]:
    """Write today's reminders once; e-mail each person the count of new ones.

    Returns {user id: number of new reminders}. Running it again the same day adds nothing
    and sends nothing.
    """
    today = today or timezone.localdate()
    return publish(_candidates(today), _mail_reminders)


def _mail_reminders(user: User, count: int) -> None:
    """One e-mail with the number of new reminders and a link: no case content at all."""
    url = settings.CASUS_BASE_URL.rstrip("/") + reverse("core:notifications")
    with translation.override(user.language):
        subject = _("[Casus] New reminders")
        body = ngettext(
            "You have %(count)d new reminder in Casus.\n\nOpen %(url)s to read it.\n",
            "You have %(count)d new reminders in Casus.\n\nOpen %(url)s to read them.\n",
            count,
        ) % {"count": count, "url": url}
    mail_person(user=user, subject=subject, body=body, what="reminder")


@periodic("daily")
@task
def send_reminders() -> None:
    """Remind people of actions and reviews due within a week, or overdue."""
    reminders_run()
