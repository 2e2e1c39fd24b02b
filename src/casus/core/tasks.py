"""Housekeeping tasks run by ``casus worker``."""

from django.core.management import call_command
from django.tasks import task

from .scheduler import periodic


@periodic("daily")
@task
def clear_expired_sessions() -> None:
    """Remove expired sessions from the database."""
    call_command("clearsessions")
