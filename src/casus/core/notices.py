"""In-app notices with their content-free e-mails: written once per key, mailed per person.

A notice carries a code, a link and at most a case or request number, never content; the
e-mail says even less (a sentence and a link, or a count).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

from casus.access.models import User

from .mail import mail_person
from .models import Notification

#: Keys looked up per query, rows written per insert.
BATCH = 500


def notify(
    *,
    users: Iterable[User],
    cell_id: int,
    kind: str,
    url: str,
    key: str,
    subject: Promise,
    body: Promise,
    what: str,
    reference: str = "",
) -> None:
    """Give each of ``users`` a notice (``key`` + the user id keeps it to one) and an e-mail
    in their language; ``body`` may name the page as ``%(url)s``."""
    people = set(users)
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                cell_id=cell_id,
                kind=kind,
                reference=reference,
                url=url,
                key=f"{key}:{user.pk}",
            )
            for user in people
        ],
        ignore_conflicts=True,
    )
    link = settings.CASUS_BASE_URL.rstrip("/") + url
    for user in people:
        with translation.override(user.language):
            mail_person(user=user, subject=str(subject), body=str(body) % {"url": link}, what=what)


def publish(candidates: list[Notification], mail: Callable[[User, int], None]) -> dict[int, int]:
    """Write the candidate notices whose key is new, then ``mail`` each person once with the
    number of their new ones. Return {user id: number of new notices}; a second run with the
    same keys writes and sends nothing."""
    with transaction.atomic():
        existing = _existing_keys([n.key for n in candidates])
        new = [n for n in candidates if n.key not in existing]
        Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=BATCH)
    counts: dict[int, int] = defaultdict(int)
    for notification in new:
        counts[notification.user_id] += 1
    for user in User.objects.filter(pk__in=counts, is_active=True).only("email", "language"):
        mail(user, counts[user.pk])
    return dict(counts)


def _existing_keys(keys: list[str]) -> set[str]:
    existing: set[str] = set()
    for start in range(0, len(keys), BATCH):
        existing.update(
            Notification.objects.filter(key__in=keys[start : start + BATCH]).values_list(
                "key", flat=True
            )
        )
    return existing
