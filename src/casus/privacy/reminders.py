"""Daily deadline notices for data-subject requests (``privacy.tasks`` runs them).

A notice per open request due within a week, or overdue, to each coordinator of its cell:
the request number and a link, never the requester or the content. Its ``key`` makes it
idempotent per request, person and day; one e-mail per person gives only the count.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casus.access.models import Membership, Role, User
from casus.core.mail import mail_person
from casus.core.models import Notification
from casus.core.notices import publish

from .models import SubjectRequest, SubjectRequestStatus, request_deadline

#: Notify this many days before the deadline (and every day once it has passed).
NOTICE_DAYS = 7
DUE = "subject_request_due"
OVERDUE = "subject_request_overdue"


def subject_request_reminders_run(today: date | None = None) -> dict[int, int]:
    """Write today's notices once; e-mail each coordinator the count of new ones.

    Returns {user id: number of new notices}.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=NOTICE_DAYS)
    rows = SubjectRequest.objects.exclude(
        status__in=[SubjectRequestStatus.DECIDED, SubjectRequestStatus.CLOSED]
    ).values("pk", "cell_id", "year", "number", "received_on", "extension_months")
    due = [
        (row, deadline)
        for row in rows
        if (deadline := request_deadline(row["received_on"], row["extension_months"])) <= horizon
    ]
    if not due:
        return {}
    coordinators: dict[int, list[int]] = defaultdict(list)
    for cell_id, user_id in (
        Membership.objects.current(on=today)
        .filter(
            cell_id__in={row["cell_id"] for row, _deadline in due},
            role=Role.COORDINATOR,
            user__is_active=True,
        )
        .values_list("cell_id", "user_id")
    ):
        coordinators[cell_id].append(user_id)
    url = reverse("privacy:subject_requests")
    candidates: list[Notification] = []
    for row, deadline in due:
        kind = OVERDUE if deadline < today else DUE
        candidates.extend(
            Notification(
                user_id=user_id,
                cell_id=row["cell_id"],
                kind=kind,
                reference=f"V-{row['year']}-{row['number']:03d}",
                url=url,
                key=f"{kind}:{row['pk']}:{user_id}:{today.isoformat()}",
            )
            for user_id in coordinators[row["cell_id"]]
        )
    return publish(candidates, _mail)


def _mail(user: User, count: int) -> None:
    """One e-mail with the number of new notices and a link: no reference, no name."""
    link = settings.CASUS_BASE_URL.rstrip("/") + reverse("core:notifications")
    with translation.override(user.language):
        subject = _("[Casus] Data-subject request deadlines")
        body = ngettext(
            "%(count)d data-subject request is due within a week or overdue.\n\nOpen %(url)s.\n",
            "%(count)d data-subject requests are due within a week or overdue.\n\nOpen %(url)s.\n",
            count,
        ) % {"count": count, "url": link}
    mail_person(user=user, subject=subject, body=body, what="reminder")
