"""``casus restore``: check an encrypted archive, then bring its database and files back."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casus.privacy import backup

CONFIRMATION = "restore"


class Command(BaseCommand):
    help = (
        "Replace the database and the attachment and media files by those of an archive written "
        "by `casus backup`, after checking all of it. Stop the application servers and workers "
        "first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The archive to restore.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the current data without asking."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check that the archive opens, is whole and fits this code; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        try:
            if options["check"]:
                manifest = backup.backup_verify(archive=archive)
                self.stdout.write(
                    f"{archive} is whole: {self._describe(manifest)}. Nothing was changed."
                )
                return
            if not options["force"] and not sys.stdin.isatty():
                raise CommandError(
                    "restore replaces the current database and files: pass --force to confirm"
                )
            confirm = None if options["force"] else self._ask
            summary = backup.backup_restore(archive=archive, confirm=confirm)
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the {summary.vendor} database and {summary.files} file(s) of the archive "
            f"written at {summary.created_at}."
        )
        for cell_id in summary.cells_without_keys:
            self.stdout.write(
                self.style.WARNING(
                    f"Cell {cell_id} has no key file in the key directory: its encrypted fields "
                    "cannot be read until the key directory is restored as well."
                )
            )
        self.stdout.write(
            "Run `casus migrate` if this code is newer than the archive, then `casus audit verify`."
        )

    def _describe(self, manifest: dict[str, Any]) -> str:
        return (
            f"{manifest['vendor']} database and {len(manifest['members']) - 1} file(s), "
            f"written at {manifest['created_at']}"
        )

    def _ask(self, manifest: dict[str, Any]) -> bool:
        self.stdout.write(f"The archive checks out: {self._describe(manifest)}.")
        answer = input(
            f"This replaces the current database and files. Type '{CONFIRMATION}' to go on: "
        )
        return answer.strip() == CONFIRMATION
