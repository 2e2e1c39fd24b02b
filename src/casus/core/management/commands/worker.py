"""``casus worker``: run background tasks and enqueue periodic jobs once per period."""

import importlib
import threading
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from casus.core.scheduler import run_due


def _load_task_modules() -> None:
    """Import every app's ``tasks`` module so its periodic jobs are registered."""
    for config in apps.get_app_configs():
        if config.name.startswith("casus."):
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.tasks":
                    raise


class Command(BaseCommand):
    help = "Run the task worker and the periodic scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tick", type=int, default=60, help="Scheduler interval (s).")
        parser.add_argument("--once", action="store_true", help="Enqueue due jobs and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        _load_task_modules()
        if options["once"]:
            for name in run_due():
                self.stdout.write(f"enqueued {name}")
            return
        stop = threading.Event()

        def schedule() -> None:
            while not stop.is_set():
                try:
                    run_due()
                finally:
                    close_old_connections()
                stop.wait(options["tick"])

        threading.Thread(target=schedule, name="casus-scheduler", daemon=True).start()
        try:
            call_command("db_worker", reload=False)
        finally:
            stop.set()
