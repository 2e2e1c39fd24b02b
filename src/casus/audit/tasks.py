"""Periodic audit work run by ``casus worker``."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from casus.core.scheduler import periodic

from .seals import seal_through


@periodic("daily")
@task
def seal_audit_chains() -> int:
    """Sign every chain's head of each ended day not signed yet (idempotent per day)."""
    return len(seal_through(timezone.localdate() - timedelta(days=1)))
