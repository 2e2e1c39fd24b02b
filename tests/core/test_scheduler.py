import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casus.core import tasks  # noqa: F401 — registers the periodic jobs
from casus.core.models import PeriodicRun
from casus.core.scheduler import period_key, run_due

pytestmark = pytest.mark.django_db


def test_periodic_jobs_enqueue_once_per_period():
    day1 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=timezone.get_current_timezone())
    assert "casus.core.tasks.clear_expired_sessions" in run_due(day1)
    assert run_due(day1 + datetime.timedelta(hours=3)) == []
    assert PeriodicRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert run_due(day1 + datetime.timedelta(days=1)) == ["casus.core.tasks.clear_expired_sessions"]
    assert DBTaskResult.objects.count() == 2


def test_period_keys_follow_brussels_time():
    late = datetime.datetime(2026, 11, 23, 23, 30, tzinfo=datetime.UTC)  # 00:30 in Brussels
    assert period_key("daily", late) == "2026-11-24"
    assert period_key("hourly", late) == "2026-11-24T00"
