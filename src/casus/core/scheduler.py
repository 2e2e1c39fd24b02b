"""A small periodic scheduler for Django's built-in tasks.

Each job is a task plus a period ("hourly" or "daily"). ``run_due`` enqueues every job whose
current period has no ``PeriodicRun`` row yet; the unique constraint makes that idempotent per
period across any number of workers.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from .models import PeriodicRun

PERIOD_FORMATS = {"hourly": "%Y-%m-%dT%H", "daily": "%Y-%m-%d"}


@dataclass(frozen=True)
class Job:
    name: str
    task: Task  # type: ignore[type-arg]
    every: str


_JOBS: dict[str, Job] = {}


def periodic(every: str) -> Callable[[Task], Task]:  # type: ignore[type-arg]
    """Register a task to be enqueued once per ``every`` ("hourly" or "daily")."""
    if every not in PERIOD_FORMATS:
        raise ValueError(f"unknown period {every!r}")

    def register(task: Task) -> Task:  # type: ignore[type-arg]
        name = f"{task.func.__module__}.{task.func.__name__}"
        _JOBS[name] = Job(name=name, task=task, every=every)
        return task

    return register


def jobs() -> list[Job]:
    return list(_JOBS.values())


def period_key(every: str, now: datetime) -> str:
    return timezone.localtime(now).strftime(PERIOD_FORMATS[every])


def run_due(now: datetime | None = None) -> list[str]:
    """Enqueue the jobs due in the current period; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=job.name, period=period_key(job.every, now))
                job.task.enqueue()
        except IntegrityError:
            continue  # another worker (or an earlier loop) already did this period
        enqueued.append(job.name)
    return enqueued
