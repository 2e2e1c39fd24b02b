"""Background monitoring work run by ``casus worker``."""

from django.tasks import task

from casus.core.scheduler import periodic


@periodic("daily")
@task
def monitoring_freeze() -> int:
    """Freeze every cell's ended quarters (idempotent: a frozen quarter is never recomputed)."""
    from .services import monitoring_freeze_all

    return monitoring_freeze_all()
