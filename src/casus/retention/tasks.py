"""Background retention work run by ``casus worker``."""

from django.tasks import task

from casus.core.scheduler import periodic


@task
def carry_out_purge(run_pk: int) -> None:
    """Carry out one approved purge (enqueued when the chair approves)."""
    from .models import PurgeRun, RunStatus
    from .services import purge_run_execute

    run = PurgeRun.objects.filter(pk=run_pk, status=RunStatus.APPROVED).first()
    if run is not None:
        purge_run_execute(run=run)


@periodic("daily")
@task
def retention_purge() -> dict[str, int]:
    """Carry out approved purges; propose a dry run where records are due (idempotent)."""
    from .services import retention_daily

    return retention_daily()
