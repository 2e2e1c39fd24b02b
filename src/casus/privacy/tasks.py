"""Periodic jobs of the privacy app, run by ``casus worker``."""

from django.tasks import task

from casus.core.scheduler import periodic

from .reminders import subject_request_reminders_run


@periodic("daily")
@task
def send_subject_request_reminders() -> None:
    """Tell coordinators of data-subject requests due within a week, or overdue."""
    subject_request_reminders_run()
