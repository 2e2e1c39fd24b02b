import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casus.core.management.commands.worker import _load_task_modules
from casus.core.models import PeriodicRun
from casus.core.scheduler import jobs, period_key, run_due

pytestmark = pytest.mark.django_db

# Every app's periodic jobs, as ``casus worker`` registers them.
_load_task_modules()

DAILY = sorted(
    [
        "casus.core.tasks.clear_expired_sessions",
        "casus.cases.tasks.send_reminders",
        "casus.audit.tasks.seal_audit_chains",
        "casus.retention.tasks.retention_purge",
        "casus.privacy.tasks.send_subject_request_reminders",
        "casus.monitoring.tasks.monitoring_freeze",
    ]
)


def test_the_daily_jobs_are_registered():
    assert sorted(job.name for job in jobs() if job.every == "daily") == DAILY


def test_periodic_jobs_enqueue_once_per_period():
    day1 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=timezone.get_current_timezone())
    assert sorted(run_due(day1)) == DAILY
    assert run_due(day1 + datetime.timedelta(hours=3)) == []
    assert PeriodicRun.objects.count() == len(DAILY)
    assert DBTaskResult.objects.count() == len(DAILY)
    assert sorted(run_due(day1 + datetime.timedelta(days=1))) == DAILY
    assert DBTaskResult.objects.count() == 2 * len(DAILY)


def test_period_keys_follow_brussels_time():
    late = datetime.datetime(2026, 11, 23, 23, 30, tzinfo=datetime.UTC)  # 00:30 in Brussels
    assert period_key("daily", late) == "2026-11-24"
    assert period_key("hourly", late) == "2026-11-24T00"
